package policy

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestCfnLint runs cfn-lint, where it is installed, on the templates of the shipped configs and
// fails on any error. Its warnings here are CDK's own (W3005) and the AZs it reads from
// cdk.context.json (W3010), so warnings are not checked.
func TestCfnLint(t *testing.T) {
	t.Parallel() // no CDK in this package: cfn-lint and cfn-guard run side by side
	bin, err := exec.LookPath("cfn-lint")
	if err != nil {
		// In CI a gate is never skipped in silence.
		if os.Getenv("CI") == "true" {
			t.Fatal("cfn-lint not installed, and CI=true: install it (pip install 'cfn-lint==1.51.*') or the templates go unlinted")
		}
		t.Skip("cfn-lint not installed: templates not linted here")
	}
	var templates []string
	for _, d := range templateDirs {
		files, _ := filepath.Glob(filepath.Join(d, "*.template.json"))
		templates = append(templates, files...)
	}
	if len(templates) != 19 {
		t.Fatalf("found %d templates; want the 19 of the five shipped configs", len(templates))
	}
	if out, err := exec.Command(bin, append([]string{"--ignore-checks", "W", "--"}, templates...)...).CombinedOutput(); err != nil {
		t.Errorf("cfn-lint: %v\n%s", err, out)
	}
}
