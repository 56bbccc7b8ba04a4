package policy

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// The templates checked are the golden templates of the shipped configs: the app package's
// TestGoldenTemplates fails whenever they differ from what the code synthesises now.
var templateDirs = []string{"../app/testdata/delivery", "../app/testdata/cross-account", "../app/testdata/import-existing",
	"../app/testdata/ecs-engine", "../app/testdata/adopt-rolling-service"}

const validator = "../_tools/node_modules/@cdklabs/cdk-validator-cfnguard"

type allowed struct {
	Control   string   `yaml:"control"`
	Reason    string   `yaml:"reason"`
	Resources []string `yaml:"resources"`
}

// TestControlTowerRules runs cfn-guard with every AWS Control Tower proactive rule that can
// apply to the templates, and fails on any failure the allowlist does not explain, and on any
// allowlist entry that no longer fails.
func TestControlTowerRules(t *testing.T) {
	t.Parallel()
	var allowlist map[string]allowed
	data, err := os.ReadFile("cfn-guard-allowlist.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&allowlist); err != nil {
		t.Fatalf("cfn-guard-allowlist.yaml: %v", err)
	}
	for rule, a := range allowlist {
		t.Run(rule, func(t *testing.T) {
			if a.Control == "" {
				t.Errorf("allowlist entry %s needs a control", rule)
			}
			if strings.TrimSpace(a.Reason) == "" {
				t.Errorf("allowlist entry %s needs a reason", rule)
			}
			if len(a.Resources) == 0 {
				t.Errorf("allowlist entry %s needs the resources it excuses", rule)
			}
		})
	}

	failures := guard(t)
	used := map[string]bool{}
	var unexplained []string
	for _, f := range failures {
		a, ok := allowlist[f.rule]
		excused := false
		for _, prefix := range a.Resources {
			excused = excused || strings.HasPrefix(f.resource, prefix)
		}
		if ok && excused {
			used[f.rule] = true
			continue
		}
		unexplained = append(unexplained, fmt.Sprintf("%s %s (%s): %s in %s", f.control, f.rule, f.message, f.resource, f.template))
	}
	sort.Strings(unexplained)
	for _, u := range unexplained {
		t.Errorf("cfn-guard: %s", u)
	}
	for rule := range allowlist {
		if !used[rule] {
			t.Errorf("allowlist entry %s no longer fails: remove it", rule)
		}
	}
	rules := map[string]bool{}
	for _, f := range failures {
		rules[f.rule] = true
	}
	t.Logf("%d failures (rule and resource) of %d rules; %d not explained by the allowlist", len(failures), len(rules), len(unexplained))
}

type failure struct{ rule, control, message, resource, template string }

// guard runs cfn-guard on the templates and returns each failing rule and resource.
func guard(t *testing.T) []failure {
	t.Helper()
	osDir, archDir := map[string]string{"linux": "ubuntu", "darwin": "macos"}[runtime.GOOS],
		map[string]string{"amd64": "x86_64", "arm64": "aarch64"}[runtime.GOARCH]
	bin := filepath.Join(validator, "bin", osDir, archDir, "cfn-guard")
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("cfn-guard not found at %s (run make tools): %v", bin, err)
	}
	rules := relevantRules(t)
	args := []string{"validate", "-r", rules, "--output-format", "json", "--show-summary", "none", "--structured"}
	for _, d := range templateDirs {
		args = append(args, "-d", d)
	}
	out, err := exec.Command(bin, args...).Output()
	// cfn-guard exits 19 when a rule fails; the report says which.
	if exit, ok := err.(*exec.ExitError); err != nil && (!ok || exit.ExitCode() != 19) {
		t.Fatalf("cfn-guard: %v\n%s", err, out)
	}
	var reports []struct {
		Name         string            `json:"name"`
		NotCompliant []json.RawMessage `json:"not_compliant"`
	}
	if err := json.Unmarshal(out, &reports); err != nil {
		t.Fatalf("cfn-guard output: %v\n%.500s", err, out)
	}
	if len(reports) != 19 {
		t.Fatalf("cfn-guard checked %d templates; want the 19 of the five shipped configs", len(reports))
	}
	resource, control := regexp.MustCompile(`/Resources/([A-Za-z0-9]+)`), regexp.MustCompile(`\[(CT\.[A-Z0-9]+\.PR\.\d+)\]:\s*([^\\\n]*)`)
	var failures []failure
	for _, r := range reports {
		for _, nc := range r.NotCompliant {
			var rule struct{ Rule struct{ Name string } }
			_ = json.Unmarshal(nc, &rule)
			f := failure{rule: rule.Rule.Name, template: filepath.Base(r.Name)}
			if m := control.FindStringSubmatch(string(nc)); m != nil {
				f.control, f.message = m[1], strings.TrimSpace(m[2])
			}
			seen := map[string]bool{}
			for _, m := range resource.FindAllStringSubmatch(string(nc), -1) {
				if !seen[m[1]] {
					seen[m[1]] = true
					f.resource = m[1]
					failures = append(failures, f)
				}
			}
			if len(seen) == 0 { // a failure that names no resource is never excused
				f.resource = "(no resource named)"
				failures = append(failures, f)
			}
		}
	}
	return failures
}

// relevantRules copies, from the Control Tower rule set, every rule file that names a resource
// type the templates hold: a rule that names none of them cannot fail on them, and cfn-guard's
// run time grows with every file it loads.
func relevantRules(t *testing.T) string {
	t.Helper()
	types := map[string]bool{}
	for _, d := range templateDirs {
		files, _ := filepath.Glob(filepath.Join(d, "*.template.json"))
		for _, f := range files {
			var tmpl struct {
				Resources map[string]struct{ Type string }
			}
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if err := json.Unmarshal(data, &tmpl); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			for _, r := range tmpl.Resources {
				types[r.Type] = true
			}
		}
	}
	dir := t.TempDir()
	typeName := regexp.MustCompile(`AWS::[A-Za-z0-9]+::[A-Za-z0-9]+`)
	all, kept := 0, 0
	err := filepath.WalkDir(filepath.Join(validator, "rules", "control-tower", "cfn-guard"), func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".guard") {
			return err
		}
		all++
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, name := range typeName.FindAllString(string(data), -1) {
			if types[name] {
				kept++
				rel, _ := filepath.Rel(validator, path)
				return os.WriteFile(filepath.Join(dir, strings.ReplaceAll(rel, string(filepath.Separator), "_")), data, 0o644)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("reading the Control Tower rules: %v", err)
	}
	if all < 200 {
		t.Fatalf("%d Control Tower rule files; the package ships over 200", all)
	}
	t.Logf("%d of %d Control Tower rules name a resource type of the templates", kept, all)
	return dir
}
