package cdkcontext

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRead(t *testing.T) {
	dir := t.TempDir()
	ctx, missing, err := Read(dir)
	if err != nil || len(ctx) != 0 || strings.Join(missing, " ") != "cdk.json cdk.context.json" {
		t.Errorf("empty folder: %v, %v, %v; want nothing, both missing", ctx, missing, err)
	}
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("cdk.json", `{"app": "go run .", "context": {"flag": true, "az": "from cdk.json"}}`)
	write("cdk.context.json", `{"az": "looked up"}`)
	ctx, missing, err = Read(dir)
	if err != nil || len(missing) != 0 || ctx["flag"] != true || ctx["az"] != "looked up" || len(ctx) != 2 {
		t.Errorf("both files: %v, %v, %v; want the flag and the look-up over cdk.json's value", ctx, missing, err)
	}
	write("cdk.context.json", `{"az": `)
	if _, _, err = Read(dir); err == nil || !strings.Contains(err.Error(), "cdk.context.json") {
		t.Errorf("broken cdk.context.json: %v; want an error naming it", err)
	}
}
