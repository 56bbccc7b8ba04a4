package scripts

import (
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// interruptMidWait runs script (named name) with env and 60 s between polls, waits until the call
// log shows its first poll (a call containing marker), sends sig while it sleeps between polls,
// and returns its exit code and output. A script still running 5 s later fails the test: a
// stopped build must end at once.
func interruptMidWait(t *testing.T, r *run, name, script string, env []string, marker string, sig syscall.Signal) (int, string) {
	t.Helper()
	path := filepath.Join(r.dir, name)
	write(t, path, script, 0o755)
	cmd := exec.Command("bash", path)
	cmd.Dir = filepath.Join(r.dir, "src")
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Env = append(append([]string{}, r.env...), append(env, "POLL_SECONDS=60", "FAKE_TICK=0")...)
	// A sleep the script failed to stop would hold the output open; Wait does not wait for it.
	cmd.WaitDelay = time.Second
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 200 && !strings.Contains(r.callLog(t), marker); i++ {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond) // into the pause between polls
	if err := cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(5 * time.Second): // well within the 60 s between polls
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("still running 5 s after %s", sig)
	}
	return cmd.ProcessState.ExitCode(), out.String()
}
