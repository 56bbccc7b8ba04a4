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
			if c == nil || c.App == "" || len(c.Environments) == 0 {
				t.Fatalf("accepted a config without app or environments: %+v", c)
			}
			return
		}
		var problems Problems
		if !errors.As(err, &problems) || len(problems) == 0 {
			t.Fatalf("got %T %v; want Problems", err, err)
		}
		for _, p := range problems {
			if p.File != "fuzz.yaml" || p.Message == "" || strings.Contains(p.Message, "\n") {
				t.Fatalf("malformed problem %#v", p)
			}
		}
	})
}
