package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"strings"
	"unicode/utf8"

	goccy "github.com/goccy/go-yaml"
	goccyparser "github.com/goccy/go-yaml/parser"
	"go.yaml.in/yaml/v3"
)

// maxFileBytes is far above any real config and keeps a mistaken path (a log, an image) cheap.
const maxFileBytes = 1 << 20

// Load reads, decodes, defaults and validates the config file at path. The error is a Problems
// listing everything wrong with the file, or a plain error when it cannot be read.
func Load(path string) (*Config, error) {
	data, err := readLimited(path)
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	return Parse(path, data)
}

// readLimited reads a regular file, and never more than one byte past maxFileBytes: a device
// such as /dev/zero, a FIFO or a huge file must fail at once, not fill memory or hang.
func readLimited(path string) ([]byte, error) {
	// Checked before opening: opening a FIFO blocks until a writer comes.
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, notRegular(path, info)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if info, err = f.Stat(); err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() { // replaced in between
		return nil, notRegular(path, info)
	}
	return io.ReadAll(io.LimitReader(f, maxFileBytes+1))
}

func notRegular(path string, info os.FileInfo) error {
	return fmt.Errorf("%s is not a regular file (%s); expected a YAML delivery config", path, info.Mode().Type())
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
	if resolve(root).Kind != yaml.MappingNode {
		return nil, d.problems // nothing else can be said about a file that is not a mapping
	}
	// Semantic checks run even after decoding problems, so one run reports everything; they
	// stay silent about fields that already have a problem.
	applyDefaults(&c, d)
	problems = append(d.problems, validate(&c, d)...).sorted()
	if len(problems) > maxProblems {
		d.hidden += len(problems) - maxProblems
		problems = problems[:maxProblems]
	}
	if d.hidden > 0 {
		problems = append(problems, Problem{File: name, Message: fmt.Sprintf("%d more problems not shown; fix the ones above first", d.hidden)})
	}
	if len(problems) > 0 {
		return nil, problems
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

var (
	yamlLine      = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
	unknownAnchor = regexp.MustCompile(`^unknown anchor '(.+)' referenced$`)
)

// find returns the 1-based line and column of the first occurrence of s in data, or 0, 0.
func find(data []byte, s string) (line, column int) {
	i := bytes.Index(data, []byte(s))
	if i < 0 {
		return 0, 0
	}
	before := data[:i]
	line = bytes.Count(before, []byte("\n")) + 1
	return line, i - bytes.LastIndexByte(before, '\n')
}

// parseDocument parses exactly one YAML document and returns its top node.
func parseDocument(name string, data []byte) (*yaml.Node, Problems) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, Problems{{File: name, Message: "the file holds only comments; expected a delivery config with at least app, source and environments"}}
		}
		return nil, Problems{syntaxProblem(name, data, err)}
	}
	var next yaml.Node
	if err := dec.Decode(&next); err == nil {
		return nil, Problems{{File: name, Line: next.Line, Column: next.Column, Message: "a second YAML document starts here; expected one document"}}
	} else if !errors.Is(err, io.EOF) {
		return nil, Problems{syntaxProblem(name, data, err)}
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

// syntaxProblem locates a YAML syntax error. go-yaml v3 reports lines inconsistently (some
// 0-based, never a column), so the position comes from a second parser that reports both; when
// that parser disagrees and accepts the file, v3's own words are kept, with its line as a hint.
func syntaxProblem(name string, data []byte, err error) Problem {
	if p, ok := locateSyntaxError(name, data); ok {
		return p
	}
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		msg = m[2] // its line number is not reliable enough to show
	}
	p := Problem{File: name, Message: "invalid YAML: " + msg}
	if m := unknownAnchor.FindStringSubmatch(msg); m != nil {
		p.Line, p.Column = find(data, "*"+m[1])
	}
	return p
}

// maxLocateNesting gates the second parser: its cost grows with the square of the nesting depth
// (630 MiB for 20,000 brackets), and real configs nest a handful of levels.
const maxLocateNesting = 200

func locateSyntaxError(name string, data []byte) (p Problem, ok bool) {
	if nesting(data) > maxLocateNesting {
		return Problem{}, false
	}
	defer func() {
		if recover() != nil {
			ok = false // only a diagnostic aid: fall back to the first parser's message
		}
	}()
	_, err := goccyparser.ParseBytes(data, 0)
	var syntax *goccy.SyntaxError
	if !errors.As(err, &syntax) || syntax.Token == nil || syntax.Token.Position == nil {
		return Problem{}, false
	}
	pos := syntax.Token.Position
	return Problem{File: name, Line: pos.Line, Column: pos.Column, Message: "invalid YAML: " + syntax.Message}, true
}

// nesting estimates how deeply data nests: the deepest run of open flow brackets, or the widest
// indentation. It ignores quoting; it only decides whether a file is worth a second parse.
func nesting(data []byte) int {
	deepest, depth, indent, lineStart := 0, 0, 0, true
	for _, b := range data {
		switch {
		case b == '\n':
			indent, lineStart = 0, true
		case lineStart && (b == ' ' || b == '-'):
			indent++
			deepest = max(deepest, indent/2)
		case b == '[' || b == '{':
			depth++
			deepest = max(deepest, depth)
			lineStart = false
		case b == ']' || b == '}':
			depth = max(0, depth-1) // a bracket in a string must not hide real nesting
			lineStart = false
		default:
			lineStart = false
		}
	}
	return deepest
}
