package ecsdelivery

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The build exports the commit's time for the notifier's lead time: the author date GitHub
// reports, in UTC, or "unknown" when there is none or it cannot be read; never a guess, never
// a failed build, never text run as a command.
func TestCommitTimeCommand(t *testing.T) {
	marker := filepath.Join(t.TempDir(), "ran")
	for _, tc := range []struct{ name, date, want string }{
		{"UTC", "2026-11-27T10:00:00Z", "2026-11-27T10:00:00Z"},
		{"offset", "2026-11-27T10:00:00+01:00", "2026-11-27T09:00:00Z"},
		{"milliseconds", "2026-11-27T23:30:00.000-02:00", "2026-11-28T01:30:00Z"},
		{"empty", "", "unknown"},
		{"unreadable", "yesterday-ish", "unknown"},
		{"command", "$(touch " + marker + ")", "unknown"},
	} {
		for _, shell := range []string{"bash", "sh"} {
			t.Run(tc.name+"/"+shell, func(t *testing.T) {
				cmd := exec.Command(shell, "-c", commitTimeCommand+`; printf '%s' "$COMMIT_TIME"`)
				cmd.Env = append(os.Environ(), "TZ=Asia/Tokyo", commitAuthorDateVariable+"="+tc.date)
				out, err := cmd.CombinedOutput()
				if err != nil {
					t.Fatalf("%v: %s", err, out)
				}
				if got := strings.TrimSpace(string(out)); got != tc.want {
					t.Errorf("COMMIT_AUTHOR_DATE %q: COMMIT_TIME %q; want %q", tc.date, got, tc.want)
				}
			})
		}
	}
	t.Run("unset", func(t *testing.T) {
		cmd := exec.Command("bash", "-uc", commitTimeCommand+`; printf '%s' "$COMMIT_TIME"`)
		if out, err := cmd.CombinedOutput(); err != nil || string(out) != "unknown" {
			t.Errorf("without COMMIT_AUTHOR_DATE, under set -u: %q, %v; want unknown", out, err)
		}
	})
	if _, err := os.Stat(marker); err == nil {
		t.Error("the author date was run as a command")
	}
}
