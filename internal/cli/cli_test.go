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
		t.Run(file, func(t *testing.T) {
			path := filepath.Join(root, file)
			code, stdout, stderr := run("validate", path)
			if code != 0 {
				t.Errorf("validate %s: exit %d; want 0", file, code)
			}
			if want := path + ": valid: " + summary + "\n"; stdout != want {
				t.Errorf("validate %s: stdout %q; want %q", file, stdout, want)
			}
			if stderr != "" {
				t.Errorf("validate %s: stderr %q; want none", file, stderr)
			}
		})
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
	if code != 1 {
		t.Errorf("exit %d; want 1", code)
	}
	if stdout != "" {
		t.Errorf("stdout %q; want none", stdout)
	}
	if stderr != want {
		t.Errorf("stderr\n%s\nwant\n%s", stderr, want)
	}
}

func TestValidateMissingFile(t *testing.T) {
	code, _, stderr := run("validate", filepath.Join(t.TempDir(), "nope.yaml"))
	if code != 1 {
		t.Errorf("exit %d; want 1", code)
	}
	if want := "ecsdelivery: reading config: "; !strings.HasPrefix(stderr, want) {
		t.Errorf("stderr %q; want it to start with %q", stderr, want)
	}
	if want := "nope.yaml: no such file"; !strings.Contains(stderr, want) {
		t.Errorf("stderr %q; want it to name the file: %q", stderr, want)
	}
	if n := strings.Count(stderr, "\n"); n != 1 {
		t.Errorf("stderr %q has %d lines; want 1", stderr, n)
	}
}

func TestUsage(t *testing.T) {
	code, stdout, _ := run("help")
	if code != 0 {
		t.Errorf("help: exit %d; want 0", code)
	}
	if !strings.HasPrefix(stdout, "usage: ecsdelivery") {
		t.Errorf("help: stdout %q; want the usage", stdout)
	}
	code, _, stderr := run("deploy")
	if code != 2 {
		t.Errorf("unknown verb: exit %d; want 2", code)
	}
	if want := `unknown verb "deploy"`; !strings.Contains(stderr, want) {
		t.Errorf("unknown verb: stderr %q; want %q", stderr, want)
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
		"stacks:   ecsdelivery-registry-signing-us-east-1 (us-east-1; shared), orders-api-pipeline (us-east-1), orders-api-staging (us-east-1), orders-api-production (us-east-1)\n" +
		"pipeline: Source → Build → Scan → IntegrationTest → Deploy-staging → Approve-production → Deploy-production\n"
	if code != 0 {
		t.Errorf("exit %d; want 0", code)
	}
	if !strings.HasSuffix(stderr, want) {
		t.Errorf("stderr\n%s\nwant it to end with\n%s", stderr, want)
	}
	if t.Failed() {
		t.FailNow()
	}
	t.Chdir(t.TempDir()) // no delivery.yaml here
	code, _, stderr = run()
	if code != 1 {
		t.Errorf("without a config: exit %d; want 1", code)
	}
	if want := "ecsdelivery: reading config: stat delivery.yaml"; !strings.HasPrefix(stderr, want) {
		t.Errorf("without a config: stderr %q; want it to start with %q", stderr, want)
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
	if code != 0 {
		t.Errorf("exit %d; want 0", code)
	}
	for _, want := range []string{"synthesised orders-api from a.yaml", "synthesised billing from b.yaml",
		"billing-pipeline (us-east-1), billing-staging (us-east-1)"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	writeFile(t, filepath.Join(dir, "c.yaml"), string(demo))
	code, _, stderr = run("synth", ".")
	if code != 1 {
		t.Errorf("two files of one app: exit %d; want 1", code)
	}
	if want := `a.yaml and c.yaml both define app "orders-api"; expected one file per app`; !strings.Contains(stderr, want) {
		t.Errorf("two files of one app: stderr %q; want %q", stderr, want)
	}
}

func TestMain(m *testing.M) { cdktest.Main(m) }

// The schema the command prints is the one the repository keeps for editors.
func TestSchemaCommandPrintsTheCommittedSchema(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := Run([]string{"schema"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	committed, err := os.ReadFile(filepath.Join(cdktest.Root(t), "schema", "delivery.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(stdout.Bytes(), committed) {
		t.Error("ecsdelivery schema differs from schema/delivery.schema.json")
	}
	if code := Run([]string{"schema", "extra"}, &stdout, &stderr); code != 2 {
		t.Errorf("schema with an argument: exit %d; want 2", code)
	}
}
