package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// maxFileBytes is far above any real config and keeps a mistaken path (a log, an image) cheap.
const maxFileBytes = 1 << 20

// Load reads, decodes, defaults and validates the config file at path. The error is a Problems
// listing everything wrong with the file, or a plain error when it cannot be read.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	return Parse(path, data)
}

// Parse is Load for bytes already read; name is used in messages.
func Parse(name string, data []byte) (*Config, error) {
	if p, bad := checkText(name, data); bad {
		return nil, Problems{p}
	}
	root, problems := parseDocument(name, data)
	if problems != nil {
		return nil, problems
	}
	d := newDecoder(name)
	var c Config
	d.decode(root, "", reflect.ValueOf(&c).Elem(), reflect.StructField{})
	// Semantic checks run even after decoding problems, so one run reports everything; they
	// stay silent about fields that already have a problem.
	applyDefaults(&c, d)
	problems = append(d.problems, validate(&c, d)...)
	if len(problems) > 0 {
		return nil, problems.sorted()
	}
	return &c, nil
}

// checkText rejects what is plainly not a YAML config, with one line instead of a parser error.
func checkText(name string, data []byte) (Problem, bool) {
	switch {
	case len(data) > maxFileBytes:
		return Problem{File: name, Message: fmt.Sprintf("the file is %d bytes; expected a delivery config of at most %d", len(data), maxFileBytes)}, true
	case bytes.IndexByte(data, 0) >= 0 || !utf8.Valid(data):
		return Problem{File: name, Message: "not a text file (it holds binary data); expected a YAML delivery config"}, true
	case len(bytes.TrimSpace(data)) == 0:
		return Problem{File: name, Message: "the file is empty; expected a delivery config with at least app, source and environments"}, true
	}
	return Problem{}, false
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parseDocument parses exactly one YAML document and returns its top node.
func parseDocument(name string, data []byte) (*yaml.Node, Problems) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, Problems{{File: name, Message: "the file holds only comments; expected a delivery config with at least app, source and environments"}}
		}
		return nil, Problems{syntaxProblem(name, err)}
	}
	var next yaml.Node
	if err := dec.Decode(&next); err == nil {
		return nil, Problems{{File: name, Line: next.Line, Column: next.Column, Message: "a second YAML document starts here; expected one document"}}
	} else if !errors.Is(err, io.EOF) {
		return nil, Problems{syntaxProblem(name, err)}
	}
	root := &doc
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		root = doc.Content[0]
	}
	if isNull(resolve(root)) {
		return nil, Problems{{File: name, Message: "the file holds no values; expected a delivery config with at least app, source and environments"}}
	}
	return root, nil
}

func syntaxProblem(name string, err error) Problem {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return Problem{File: name, Line: line, Message: "invalid YAML: " + m[2]}
	}
	if len(msg) > 6 && msg[:6] == "yaml: " {
		msg = msg[6:]
	}
	return Problem{File: name, Message: "invalid YAML: " + msg}
}
