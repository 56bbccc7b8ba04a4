package cli

import (
	"encoding/xml"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ecsdelivery/ecsdelivery/internal/cdktest"
)

func TestDiagramArgs(t *testing.T) {
	for _, tc := range []struct {
		args         []string
		path, format string
		err          string
	}{
		{nil, "delivery.yaml", "mermaid", ""},
		{[]string{"x.yaml", "--format", "svg"}, "x.yaml", "svg", ""},
		{[]string{"--format=mermaid", "configs"}, "configs", "mermaid", ""},
		{[]string{"--format", "png"}, "", "", `--format wants mermaid or svg, got "png"`},
		{[]string{"--format"}, "", "", "--format needs a value: mermaid or svg"},
		{[]string{"--format=svg", "--format=mermaid"}, "", "", "--format given twice (svg, mermaid)"},
		{[]string{"a.yaml", "b.yaml"}, "", "", `diagram takes one config file or folder, got "a.yaml" and "b.yaml"`},
		{[]string{"--output", "x"}, "", "", "unknown flag --output"},
	} {
		d, err := parseDiagramArgs(tc.args)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%q: error %v; want %q", tc.args, err, tc.err)
		case tc.err == "" && err != nil:
			t.Errorf("%q: %v", tc.args, err)
		case tc.err == "" && (d.path != tc.path || d.format != tc.format):
			t.Errorf("%q: %+v; want path %s, format %s", tc.args, d, tc.path, tc.format)
		}
	}
	if code, _, stderr := run("diagram", "--format", "png"); code != 2 || !strings.Contains(stderr, "usage:") {
		t.Errorf("bad format: exit %d, %q; want 2 and the usage", code, stderr)
	}
	// A cdk.json that is no JSON is said, not skipped: the templates would differ from cdk synth's.
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "cdk.json"), "{")
	t.Chdir(dir)
	if code, _, stderr := run("diagram"); code != 1 || !strings.Contains(stderr, "cdk.json") {
		t.Errorf("broken cdk.json: exit %d, %q; want 1 naming it", code, stderr)
	}
}

// The diagram comes from the synthesised templates of the file: every stage, each environment's
// account, region and deploy role, in a picture a browser opens.
func TestDiagram(t *testing.T) {
	root := cdktest.Root(t)
	t.Chdir(root) // cdk.json's flags and cdk.context.json's look-ups, as cdk synth has them
	code, stdout, stderr := run("diagram", filepath.Join("examples", "cross-account.yaml"), "--format", "svg")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	decoder := xml.NewDecoder(strings.NewReader(stdout))
	for {
		if _, err := decoder.Token(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("the SVG is no XML: %v", err)
		}
	}
	for _, want := range []string{"<svg", "Source", "Build", "Scan", "IntegrationTest", "Deploy-staging", "Approve-production",
		"Deploy-production", "111111111111", "222222222222", "333333333333", "us-east-1", "orders-api-staging-prod-deploy",
		"orders-api-production-prod-deploy", "VerifySignature"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("the SVG lacks %s", want)
		}
	}
	code, _, stderr = run("diagram", filepath.Join(t.TempDir(), "missing.yaml"))
	if code != 1 || !strings.Contains(stderr, "reading config") {
		t.Errorf("missing config: exit %d, %q; want 1 and the reason", code, stderr)
	}
}
