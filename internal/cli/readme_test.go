package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ecsdelivery/ecsdelivery/internal/cdktest"
	"github.com/ecsdelivery/ecsdelivery/internal/diagram"
)

// The README shows the demo's pipeline as the diagram command draws it today: a change to the
// pipeline that is not redrawn fails here.
func TestReadmeDiagramIsTheDemos(t *testing.T) {
	root := cdktest.Root(t)
	t.Chdir(root)
	var stderr strings.Builder
	pipelines, code := loadPipelines("delivery.yaml", &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	mermaid, svg := diagram.Mermaid(pipelines...), diagram.SVG(pipelines...)
	readmePath, svgPath := filepath.Join(root, "README.md"), filepath.Join(root, "docs", "delivery-pipeline.svg")
	readme := read(t, readmePath)
	const open = "the demo, as Mermaid:\n\n```mermaid\n"
	start := strings.Index(strings.ToLower(readme), strings.ToLower(open))
	if start < 0 {
		t.Fatalf("README.md has no %q", open)
	}
	start += len(open)
	end := start + strings.Index(readme[start:], "```\n")
	if cdktest.Updating() {
		write(t, readmePath, readme[:start]+strings.TrimRight(mermaid, "\n")+"\n"+readme[end:])
		write(t, svgPath, svg)
		return
	}
	if got := readme[start:end]; strings.TrimRight(got, "\n") != strings.TrimRight(mermaid, "\n") {
		t.Errorf("README.md's Mermaid diagram is not what `diagram delivery.yaml` draws; run go test ./internal/cli -run ReadmeDiagram -update and review the diff")
	}
	if read(t, svgPath) != svg {
		t.Errorf("docs/delivery-pipeline.svg is not what `diagram --format svg delivery.yaml` draws; run go test ./internal/cli -run ReadmeDiagram -update and review the diff")
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
