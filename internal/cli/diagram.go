package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/ecsdelivery/ecsdelivery/internal/cdkcontext"
	"github.com/ecsdelivery/ecsdelivery/internal/diagram"
)

// diagramArgs are the parsed arguments of "diagram [PATH] [--format mermaid|svg]".
type diagramArgs struct {
	path, format string
}

func parseDiagramArgs(args []string) (*diagramArgs, error) {
	d := &diagramArgs{path: DefaultConfigFile}
	pathSet, formatSet := false, false
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if !strings.HasPrefix(arg, "-") {
			if pathSet {
				return nil, fmt.Errorf("diagram takes one config file or folder, got %q and %q", d.path, arg)
			}
			d.path, pathSet = arg, true
			continue
		}
		flag, value, hasValue := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		if flag != "format" {
			return nil, fmt.Errorf("diagram: unknown flag %s", arg)
		}
		if !hasValue {
			if i+1 >= len(args) {
				return nil, errors.New("diagram: --format needs a value: mermaid or svg")
			}
			i++
			value = args[i]
		}
		if value != "mermaid" && value != "svg" {
			return nil, fmt.Errorf("diagram: --format wants mermaid or svg, got %q", value)
		}
		if formatSet && value != d.format {
			return nil, fmt.Errorf("diagram: --format given twice (%s, %s)", d.format, value)
		}
		d.format, formatSet = value, true
	}
	if d.format == "" {
		d.format = "mermaid"
	}
	return d, nil
}

// runDiagram synthesises the config into a temporary cloud assembly and draws every pipeline in
// it from the templates, so the picture is what `cdk deploy` would create.
func runDiagram(args []string, stdout, stderr io.Writer) int {
	d, err := parseDiagramArgs(args)
	if err != nil {
		fmt.Fprintf(stderr, "ecsdelivery: %s\n%s", err, usage)
		return 2
	}
	pipelines, code := loadPipelines(d.path, stderr)
	if code != 0 {
		return code
	}
	if d.format == "svg" {
		fmt.Fprint(stdout, diagram.SVG(pipelines...))
	} else {
		fmt.Fprint(stdout, diagram.Mermaid(pipelines...))
	}
	return 0
}

// loadPipelines synthesises the config file or folder at path into a temporary assembly and
// models every pipeline in it.
func loadPipelines(path string, stderr io.Writer) ([]*diagram.Pipeline, int) {
	dir, err := os.MkdirTemp("", "ecsdelivery-diagram-")
	if err != nil {
		fmt.Fprintf(stderr, "ecsdelivery: %s\n", err)
		return nil, 1
	}
	defer os.RemoveAll(dir)
	// What the CDK CLI would hand the app when run here; without it the templates could
	// differ from what `cdk synth` writes, and stacks bound to an account would look up
	// availability zones. A folder without the files synthesises without them.
	ctx, _, err := cdkcontext.Read(".")
	if err != nil {
		fmt.Fprintf(stderr, "ecsdelivery: %s\n", err)
		return nil, 1
	}
	cdkApp := awscdk.NewApp(&awscdk.AppProps{Context: &ctx, Outdir: jsii.String(dir)})
	if _, code := buildApps(cdkApp, path, stderr); code != 0 {
		return nil, code
	}
	assembly := cdkApp.Synth(nil)
	pipelines, err := diagram.Load(*assembly.Directory())
	if err != nil {
		fmt.Fprintf(stderr, "ecsdelivery: diagram: %s\n", err)
		return nil, 1
	}
	return pipelines, 0
}
