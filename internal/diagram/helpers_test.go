package diagram

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ecsdelivery/ecsdelivery/config"
)

// goldenRoot holds one folder of synthesised templates per shipped config.
const goldenRoot = "../../app/testdata"

// goldenDirs are the folders of goldenRoot.
func goldenDirs(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(goldenRoot)
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, e := range entries {
		if e.IsDir() {
			dirs = append(dirs, e.Name())
		}
	}
	if len(dirs) == 0 {
		t.Fatalf("no golden folders in %s", goldenRoot)
	}
	return dirs
}

// goldenConfig loads the config a golden folder was synthesised from: delivery.yaml for
// delivery, examples/<dir>.yaml for the others.
func goldenConfig(t *testing.T, dir string) *config.Config {
	t.Helper()
	file := filepath.Join("../../examples", dir+".yaml")
	if dir == "delivery" {
		file = "../../delivery.yaml"
	}
	cfg, err := config.Load(file)
	if err != nil {
		t.Fatalf("config.Load(%s): %v", file, err)
	}
	return cfg
}

// artifact is a stack artifact of a test manifest.
type artifact struct {
	Type        string            `json:"type"`
	Environment string            `json:"environment"`
	Properties  map[string]string `json:"properties"`
}

// goldenAssembly copies a golden folder into a cloud assembly in a temporary directory, with a
// manifest.json that gives each stack the environment CDK would: the pipeline's account and
// region for the pipeline stack, each environment's for its stack. skip leaves stacks out.
func goldenAssembly(t *testing.T, dir string, cfg *config.Config, skip ...string) string {
	t.Helper()
	out := t.TempDir()
	files, err := filepath.Glob(filepath.Join(goldenRoot, dir, "*.template.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no templates in %s: %v", dir, err)
	}
	envs := stackEnvs(cfg)
	artifacts := map[string]artifact{}
	for _, f := range files {
		base := filepath.Base(f)
		name := strings.TrimSuffix(base, ".template.json")
		if contains(skip, name) {
			continue
		}
		copyFile(t, f, filepath.Join(out, base))
		env, ok := envs[name]
		if !ok {
			env = "aws://unknown-account/" + cfg.Pipeline.Region
		}
		artifacts[name] = artifact{Type: "aws:cloudformation:stack", Environment: env, Properties: map[string]string{"templateFile": base}}
	}
	writeManifest(t, out, artifacts)
	return out
}

// stackEnvs are the environments CDK gives the stacks of a config, by stack name.
func stackEnvs(cfg *config.Config) map[string]string {
	env := func(account, region string) string {
		if account == "" {
			account = "unknown-account"
		}
		return "aws://" + account + "/" + region
	}
	envs := map[string]string{cfg.App + "-pipeline" + suffix(cfg): env(cfg.Pipeline.Account, cfg.Pipeline.Region)}
	for _, e := range cfg.Environments {
		envs[cfg.App+"-"+e.Name+suffix(cfg)] = env(e.Account, e.Region)
	}
	return envs
}

// suffix is "-<environmentSuffix>", or "".
func suffix(cfg *config.Config) string {
	if cfg.EnvironmentSuffix == "" {
		return ""
	}
	return "-" + cfg.EnvironmentSuffix
}

func writeManifest(t *testing.T, dir string, artifacts any) {
	t.Helper()
	data, err := json.MarshalIndent(map[string]any{"version": "55.0.0", "artifacts": artifacts}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "manifest.json"), string(data))
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, to, string(data))
}

func contains(list []string, s string) bool {
	for _, l := range list {
		if l == s {
			return true
		}
	}
	return false
}
