package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ecsdelivery/ecsdelivery/internal/cdktest"
)

// The verb's plumbing: the text and the JSON of a shipped config, and the exit codes of bad
// arguments (2, with the usage) and of a config with problems (1, listed).
func TestEstimate(t *testing.T) {
	file := filepath.Join(cdktest.Root(t), "examples", "cross-account.yaml")
	code, stdout, stderr := run("estimate", file, "--releases", "60")
	if code != 0 || !strings.Contains(stdout, "60 releases a month") || !strings.Contains(stdout, "Biggest lever: ") {
		t.Errorf("text: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	code, stdout, _ = run("estimate", "--json", file)
	var out struct {
		LeadTimeMinutes, MonthlyCostUSD float64
		Stages                          []struct{ Name string }
	}
	if err := json.Unmarshal([]byte(stdout), &out); code != 0 || err != nil || out.LeadTimeMinutes <= 0 || out.MonthlyCostUSD <= 0 || len(out.Stages) == 0 {
		t.Errorf("--json: exit %d, %v, %+v", code, err, out)
	}
	if code, _, stderr := run("estimate", file, "--releases", "many"); code != 2 || !strings.Contains(stderr, "--releases") || !strings.Contains(stderr, "usage:") {
		t.Errorf("bad --releases: exit %d, %q; want 2 naming the flag, and the usage", code, stderr)
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	writeFile(t, bad, "app: Orders\nsource: {owner: acme, repo: orders}\nenvironments: [{name: staging}]\n")
	if code, _, stderr := run("estimate", bad); code != 1 || !strings.Contains(stderr, "bad.yaml:1:6: app:") {
		t.Errorf("bad config: exit %d, %q; want 1 and the problem", code, stderr)
	}
}
