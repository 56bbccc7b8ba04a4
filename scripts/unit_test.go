package scripts

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The unit tests run from the source checkout, where their JUnit XML is left in test-results/.
func TestUnitTestPasses(t *testing.T) {
	r := newRun(t)
	code, out := r.exec(t, UnitTest, `UNIT_TEST_COMMAND=echo '<testsuites/>' > test-results/unit.xml`)
	if code != 0 {
		t.Fatalf("exit %d; want a pass\n%s", code, out)
	}
	if !strings.Contains(out, "unit-test: unit tests passed") {
		t.Fatalf("output does not say the tests passed\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(r.dir, "src", "test-results", "unit.xml")); err != nil {
		t.Errorf("no report in the source's test-results/: %v", err)
	}
}

// Any failure fails the stage, including one that bash would let through by default: an early
// command of a list, or of a pipeline.
func TestUnitTestFailuresFailTheStage(t *testing.T) {
	for _, tc := range []struct{ name, command, want string }{
		{"exit", "echo running; exit 3", "unit-test: unit tests failed (exit 3)"},
		{"early command of a list", "false; true", "unit-test: unit tests failed (exit 1)"},
		{"early command of a pipeline", "false | true", "unit-test: unit tests failed (exit 1)"},
		{"no command", "", "UNIT_TEST_COMMAND is required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRun(t)
			code, out := r.exec(t, UnitTest, "UNIT_TEST_COMMAND="+tc.command)
			if code == 0 {
				t.Errorf("%q: exit 0; want a failure\n%s", tc.command, out)
			}
			if !strings.Contains(out, tc.want) {
				t.Errorf("%q: output lacks %q\n%s", tc.command, tc.want, out)
			}
		})
	}
}

// Build secrets from Parameter Store reach the tests as variables; their value is in no log.
func TestUnitTestSeesSecretsAsVariables(t *testing.T) {
	const value = "npm-token-value-5f3a"
	r := newRun(t)
	code, out := r.exec(t, UnitTest, "NPM_TOKEN="+value, `UNIT_TEST_COMMAND=[ "${#NPM_TOKEN}" = 20 ]`)
	if code != 0 {
		t.Fatalf("exit %d; the tests did not see NPM_TOKEN\n%s", code, out)
	}
	if strings.Contains(out, value) {
		t.Errorf("the secret's value appears in the output:\n%s", out)
	}
}
