package ecsdelivery

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestREADMECountsTheSuppressions keeps the README's count of cdk-nag suppressions true: it
// counts the calls of suppress in the library's code.
func TestREADMECountsTheSuppressions(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	calls := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		parsed, err := parser.ParseFile(token.NewFileSet(), f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(parsed, func(n ast.Node) bool {
			if call, ok := n.(*ast.CallExpr); ok {
				if id, ok := call.Fun.(*ast.Ident); ok && id.Name == "suppress" {
					calls++
				}
			}
			return true
		})
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(\d+) cdk-nag suppressions`).FindSubmatch(readme)
	if m == nil {
		t.Fatal(`README.md does not say "N cdk-nag suppressions"`)
	}
	if n, _ := strconv.Atoi(string(m[1])); n != calls {
		t.Errorf("README.md says %d cdk-nag suppressions; the library makes %d", n, calls)
	}
}
