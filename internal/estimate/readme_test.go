package estimate

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ecsdelivery/ecsdelivery/config"
)

// The README quotes the demo's estimate whole; a change to the model or the prices that is not
// quoted again fails here.
func TestReadmeQuotesTheDemosEstimate(t *testing.T) {
	root := filepath.Join("..", "..")
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	const open = "$ go run ./cmd/ecsdelivery estimate\n"
	text := string(readme)
	start := strings.Index(text, open)
	if start < 0 {
		t.Fatalf("README.md does not quote %q", open)
	}
	start += len(open)
	quoted := text[start : start+strings.Index(text[start:], "```\n")]
	t.Chdir(root) // the command runs in the repository, on delivery.yaml
	cfg, err := config.Load("delivery.yaml")
	if err != nil {
		t.Fatal(err)
	}
	args, err := ParseArgs(nil, "delivery.yaml")
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(cfg, args.Options)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := e.WriteText(&b, "delivery.yaml"); err != nil {
		t.Fatal(err)
	}
	if got := b.String(); strings.TrimRight(got, "\n") != strings.TrimRight(quoted, "\n") {
		t.Errorf("README.md quotes another estimate than `estimate` prints for delivery.yaml now; paste this:\n%s", got)
	}
}
