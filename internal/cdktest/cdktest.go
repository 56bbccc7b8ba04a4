// Package cdktest is the test harness for CDK code: apps built with the project's own CDK
// context, assertions that fail a test instead of panicking, and golden files.
package cdktest

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/google/go-cmp/cmp"

	"github.com/ecsdelivery/ecsdelivery/internal/cdkcontext"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/ with what the code produces now")

// Updating says whether the tests run with -update: golden files, and the README's pictures of
// them, are then rewritten rather than compared.
func Updating() bool { return *update }

// Root is the repository root: the nearest directory above the working directory with a go.mod.
func Root(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("cdktest: no go.mod above the working directory")
		}
		dir = parent
	}
}

// Context is what the CDK CLI hands the app: cdk.json's feature flags and cdk.context.json's
// look-ups. Tests synthesise with it so templates match `cdk synth` and need no credentials.
func Context(t testing.TB) map[string]any {
	t.Helper()
	ctx, missing, err := cdkcontext.Read(Root(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(missing) > 0 {
		t.Fatalf("the repository lacks %v", missing)
	}
	return ctx
}

// NewApp returns an app with the project's context, synthesising into a temporary folder.
func NewApp(t testing.TB) awscdk.App {
	t.Helper()
	return newApp(t, t.TempDir())
}

func newApp(t testing.TB, outdir string) awscdk.App {
	t.Helper()
	ctx := Context(t)
	return awscdk.NewApp(&awscdk.AppProps{Context: &ctx, Outdir: jsii.String(outdir)})
}

// sharedRoot holds the output of apps that outlive the test that built them.
var sharedRoot string

// NewSharedApp is NewApp for an app that tests after the first one read again (annotations
// resynthesise into the app's folder, which a test's TempDir would have removed).
// Main deletes what such apps wrote.
func NewSharedApp(t testing.TB) awscdk.App {
	t.Helper()
	if sharedRoot == "" {
		dir, err := os.MkdirTemp("", "ecsdelivery-test-")
		if err != nil {
			t.Fatal(err)
		}
		sharedRoot = dir
	}
	out, err := os.MkdirTemp(sharedRoot, "app-")
	if err != nil {
		t.Fatal(err)
	}
	return newApp(t, out)
}

// Main runs a package's tests, then deletes the output of every NewSharedApp and ends the Node
// process CDK ran in, which removes its temporary files. Call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	if sharedRoot != "" {
		_ = os.RemoveAll(sharedRoot)
	}
	jsii.Close()
	os.Exit(code)
}

// Assert runs fn, whose assertions panic on failure, and reports such a panic as a test
// failure with the assertion's own message.
func Assert(t testing.TB, fn func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("assertion failed: %s", strings.TrimSpace(fmt.Sprint(r)))
		}
	}()
	fn()
}

// Template returns the synthesised template of stack.
func Template(t testing.TB, stack awscdk.Stack) assertions.Template {
	t.Helper()
	var tmpl assertions.Template
	Assert(t, func() { tmpl = assertions.Template_FromStack(stack, nil) })
	return tmpl
}

// Golden compares got with the file at path (under testdata/), or rewrites the file when the
// test runs with -update.
func Golden(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the test with -update to create it)", err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s differs from what the code produces now (-want +got):\n%s\nif the change is intended, run the test with -update and review the diff",
			path, Diff(string(want), string(got)))
	}
}

// JSON renders v as indented JSON with a final newline, the form golden files are kept in.
func JSON(t testing.TB, v any) []byte {
	t.Helper()
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(data, '\n')
}

// Diff shows how two texts differ, line by line.
func Diff(want, got string) string {
	return cmp.Diff(strings.Split(want, "\n"), strings.Split(got, "\n"))
}
