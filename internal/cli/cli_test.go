package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ecsdelivery/ecsdelivery/internal/cdktest"
)

func run(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = Run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestValidateShippedConfigs(t *testing.T) {
	root := cdktest.Root(t)
	want := map[string]string{
		"delivery.yaml":                 "app orders-api, 2 environment(s): staging, production (after approval)",
		"examples/cross-account.yaml":   "app orders-api, 2 environment(s): staging, production (after approval)",
		"examples/import-existing.yaml": "app orders-api, 2 environment(s): staging, production (after approval)",
	}
	for file, summary := range want {
		path := filepath.Join(root, file)
		code, stdout, stderr := run("validate", path)
		if code != 0 || stdout != path+": valid: "+summary+"\n" || stderr != "" {
			t.Errorf("validate %s: exit %d, stdout %q, stderr %q", file, code, stdout, stderr)
		}
	}
}

func TestValidateListsEveryProblem(t *testing.T) {
	path := filepath.Join(t.TempDir(), "broken.yaml")
	writeFile(t, path, "app: Orders\nsource: {owner: acme}\nenvironments:\n  - name: staging\n    account: \"123\"\n")
	code, stdout, stderr := run("validate", path)
	want := path + ":1:6: app: \"Orders\" is not a valid app name; expected lowercase letters, digits and single '-', starting with a letter\n" +
		path + ":2:9: source.repo: required; expected the GitHub repository name\n" +
		path + ":5:14: environments[0].account: \"123\" is not a 12-digit AWS account id\n" +
		"3 problem(s) found\n"
	if code != 1 || stdout != "" || stderr != want {
		t.Errorf("exit %d, stdout %q, stderr\n%s\nwant exit 1 and\n%s", code, stdout, stderr, want)
	}
}

func TestValidateMissingFile(t *testing.T) {
	code, _, stderr := run("validate", filepath.Join(t.TempDir(), "nope.yaml"))
	if code != 1 || !strings.HasPrefix(stderr, "ecsdelivery: reading config: ") || !strings.Contains(stderr, "nope.yaml: no such file") ||
		strings.Count(stderr, "\n") != 1 {
		t.Errorf("exit %d, stderr %q; want 1 and one line naming the file", code, stderr)
	}
}

func TestUsage(t *testing.T) {
	if code, stdout, _ := run("help"); code != 0 || !strings.HasPrefix(stdout, "usage: ecsdelivery") {
		t.Errorf("help: exit %d, %q", code, stdout)
	}
	if code, _, stderr := run("deploy"); code != 2 || !strings.Contains(stderr, `unknown verb "deploy"`) {
		t.Errorf("unknown verb: exit %d, %q", code, stderr)
	}
	if code, _, _ := run("validate", "a.yaml", "b.yaml"); code != 2 {
		t.Errorf("two files: exit %d; want 2", code)
	}
}

// TestSynth runs the app the way cdk.json does, from a folder holding the config.
func TestSynth(t *testing.T) {
	root := cdktest.Root(t)
	dir := t.TempDir()
	demo, err := os.ReadFile(filepath.Join(root, "delivery.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "delivery.yaml"), string(demo))
	t.Chdir(dir)

	code, _, stderr := run()
	want := "ecsdelivery: synthesised orders-api from delivery.yaml\n" +
		"stacks:   orders-api-pipeline (us-east-1), orders-api-staging (us-east-1), orders-api-production (us-east-1)\n" +
		"pipeline: Source → Build → Scan → IntegrationTest → Deploy-staging → Approve-production → Deploy-production\n"
	if code != 0 || !strings.HasSuffix(stderr, want) {
		t.Fatalf("exit %d, stderr\n%s\nwant it to end with\n%s", code, stderr, want)
	}
	t.Chdir(t.TempDir()) // no delivery.yaml here
	if code, _, stderr = run(); code != 1 || !strings.HasPrefix(stderr, "ecsdelivery: reading config: stat delivery.yaml") {
		t.Errorf("without a config: exit %d, stderr %q; want 1 and the missing file", code, stderr)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// A folder of configs is one CDK app with every app's stacks.
func TestSynthFolder(t *testing.T) {
	demo, err := os.ReadFile(filepath.Join(cdktest.Root(t), "delivery.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "a.yaml"), string(demo))
	writeFile(t, filepath.Join(dir, "b.yaml"), strings.Replace(string(demo), "app: orders-api", "app: billing", 1))
	writeFile(t, filepath.Join(dir, "notes.txt"), "not a config")
	t.Chdir(dir)
	code, _, stderr := run("synth", ".")
	if code != 0 || !strings.Contains(stderr, "synthesised orders-api from a.yaml") || !strings.Contains(stderr, "synthesised billing from b.yaml") ||
		!strings.Contains(stderr, "billing-pipeline (us-east-1), billing-staging (us-east-1)") {
		t.Fatalf("exit %d, stderr\n%s", code, stderr)
	}
	writeFile(t, filepath.Join(dir, "c.yaml"), string(demo))
	if code, _, stderr = run("synth", "."); code != 1 || !strings.Contains(stderr, `a.yaml and c.yaml both define app "orders-api"; expected one file per app`) {
		t.Errorf("two files of one app: exit %d, stderr %q", code, stderr)
	}
}

func TestMain(m *testing.M) { cdktest.Main(m) }
