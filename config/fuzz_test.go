package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse feeds the loader arbitrary bytes: it must never panic, and must either accept the
// file or explain every problem with the file's name and a message.
//
//	go test ./config -run '^$' -fuzz FuzzParse -fuzztime 60s
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("../examples/*.yaml")
	seeds = append(seeds, "../delivery.yaml")
	for _, s := range seeds {
		if data, err := os.ReadFile(s); err == nil {
			f.Add(data)
		}
	}
	for _, tc := range badCases {
		f.Add([]byte(tc.yaml))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("fuzz.yaml", data)
		if err == nil {
			if c == nil {
				t.Fatal("accepted, with no config")
			}
			if c.App == "" {
				t.Fatalf("accepted a config without app: %+v", c)
			}
			if len(c.Environments) == 0 {
				t.Fatalf("accepted a config without environments: %+v", c)
			}
			return
		}
		var problems Problems
		if !errors.As(err, &problems) {
			t.Fatalf("got %T %v; want Problems", err, err)
		}
		if len(problems) == 0 {
			t.Fatalf("got no problems in %v; want at least one", err)
		}
		for _, p := range problems {
			if p.File != "fuzz.yaml" {
				t.Fatalf("problem %#v names file %q; want fuzz.yaml", p, p.File)
			}
			if p.Message == "" {
				t.Fatalf("problem %#v has no message", p)
			}
			if strings.Contains(p.Message, "\n") {
				t.Fatalf("problem %#v has a message of several lines; want one", p)
			}
		}
	})
}
