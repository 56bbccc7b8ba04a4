package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/ecsdelivery/ecsdelivery/app"
	"github.com/ecsdelivery/ecsdelivery/config"
)

// synth builds the CDK app from the config file at path (default: the one the CDK context
// names), or from every *.yaml in the folder it names (one app each, as a platform team synthesises many apps at once), and
// writes the cloud assembly where the CDK CLI asked (CDK_OUTDIR).
func synth(path string, stderr io.Writer) int {
	cdkApp := awscdk.NewApp(nil)
	summaries, code := buildApps(cdkApp, path, stderr)
	if code != 0 {
		return code
	}
	cdkApp.Synth(nil)
	for _, s := range summaries {
		fmt.Fprint(stderr, s)
	}
	return 0
}

// buildApps adds to cdkApp the stacks of the config file at path (default: the one the CDK
// context names), or of every *.yaml in the folder it names, and returns what each synthesises.
func buildApps(cdkApp awscdk.App, path string, stderr io.Writer) ([]string, int) {
	if path == "" {
		path = contextString(cdkApp, "config", DefaultConfigFile)
	}
	files, err := configFiles(path)
	if err != nil {
		fmt.Fprintf(stderr, "ecsdelivery: %s\n", err)
		return nil, 1
	}
	configs := make([]*config.Config, len(files))
	failed := false
	for i, file := range files {
		if configs[i], err = config.Load(file); err != nil {
			report(stderr, err)
			failed = true
		}
	}
	if failed {
		return nil, 1
	}
	if err := distinctApps(files, configs); err != nil {
		fmt.Fprintf(stderr, "ecsdelivery: %s\n", err)
		return nil, 1
	}
	var summaries []string
	for i, cfg := range configs {
		suffix := contextString(cdkApp, "environmentSuffix", cfg.EnvironmentSuffix)
		if msg := config.CheckSuffix(suffix); msg != "" {
			fmt.Fprintf(stderr, "ecsdelivery: context environmentSuffix: %s\n", msg)
			return nil, 1
		}
		delivery, err := app.Build(cdkApp, cfg, suffix)
		if err != nil {
			fmt.Fprintf(stderr, "ecsdelivery: %s: %s\n", files[i], err)
			return nil, 1
		}
		summaries = append(summaries, fmt.Sprintf("ecsdelivery: synthesised %s from %s\n%s", cfg.App, files[i], delivery.Summary()))
	}
	return summaries, 0
}

// configFiles is the file named, or the *.yaml files of the folder named, in name order.
func configFiles(path string) ([]string, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	if !info.IsDir() {
		return []string{path}, nil
	}
	files, _ := filepath.Glob(filepath.Join(path, "*.yaml"))
	sort.Strings(files)
	if len(files) == 0 {
		return nil, fmt.Errorf("%s holds no *.yaml config files", path)
	}
	return files, nil
}

// distinctApps rejects two files of one app: their stacks would collide.
func distinctApps(files []string, configs []*config.Config) error {
	seen := map[string]string{}
	for i, cfg := range configs {
		key := cfg.App + "\x00" + cfg.EnvironmentSuffix
		if first, dup := seen[key]; dup {
			return fmt.Errorf("%s and %s both define app %q; expected one file per app", first, files[i], cfg.App)
		}
		seen[key] = files[i]
	}
	return nil
}

// contextString reads a CDK context value (cdk -c key=value), or def when it is absent.
func contextString(a awscdk.App, key, def string) string {
	v := a.Node().TryGetContext(jsii.String(key))
	if s, ok := v.(string); ok && s != "" {
		return s
	}
	return def
}
