package config

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// maxNodes bounds how many keys and values one file may expand to, so a file of nested
// aliases (a "billion laughs") is an error instead of an endless walk.
const maxNodes = 100000

// maxStringBytes bounds one value: no field needs more, and checks stay linear in the file.
const maxStringBytes = 8192

// maxProblems is as many problems as anyone reads; past it the file is plainly not a config.
const maxProblems = 100

// decoder fills a struct from a YAML node tree strictly: an unknown field, a duplicate key or a
// value of the wrong kind is a Problem at its position. It records where each field was set,
// because defaults and semantic checks need to know both whether and where a value was given.
type decoder struct {
	file         string
	problems     Problems
	problemPaths map[string]bool
	hidden       int                   // problems past maxProblems, counted but not kept
	values       map[string]*yaml.Node // field path -> its value node (present, non-null)
	keys         map[string]*yaml.Node // field path -> its key node (present, even if null)
	budget       int
}

func newDecoder(file string) *decoder {
	return &decoder{file: file, values: map[string]*yaml.Node{}, keys: map[string]*yaml.Node{},
		problemPaths: map[string]bool{}, budget: maxNodes}
}

func (d *decoder) add(n *yaml.Node, path, format string, args ...any) {
	d.problemPaths[path] = true
	if len(d.problems) >= maxProblems {
		d.hidden++
		return
	}
	p := Problem{File: d.file, Path: path, Message: fmt.Sprintf(format, shorten(args)...)}
	if n != nil {
		p.Line, p.Column = n.Line, n.Column
	}
	d.problems = append(d.problems, p)
}

// resolve follows aliases to the node they name.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

// describe names what a node is, for "expected X, got Y" messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		v := n.Value
		if len(v) > 40 {
			v = v[:40] + "…"
		}
		return fmt.Sprintf("%q", v)
	}
	return "an unsupported YAML node"
}

// spend counts one key or value against the budget, and reports once when it runs out.
func (d *decoder) spend(n *yaml.Node, path string) bool {
	d.budget--
	if d.budget == 0 {
		d.add(n, path, "the document expands to more than %d values (through aliases?); expected a plain config file", maxNodes)
	}
	return d.budget > 0
}

func (d *decoder) decode(n *yaml.Node, path string, v reflect.Value, field reflect.StructField) {
	if !d.spend(n, path) {
		return
	}
	at := n // an alias is reported where it is used, not where its anchor is
	n = resolve(n)
	if n == nil || n.Kind == yaml.AliasNode {
		d.add(at, path, "aliases nest too deeply; expected a plain value")
		return
	}
	if isNull(n) {
		return // an empty value leaves the default in place
	}
	if at != n {
		copied := *n
		copied.Line, copied.Column = at.Line, at.Column
		n = &copied
	}
	d.values[path] = at
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		d.decode(n, path, v.Elem(), field)
	case reflect.Struct:
		d.decodeStruct(n, path, v)
	case reflect.Slice:
		d.decodeSlice(n, path, v, field)
	case reflect.Map:
		d.decodeMap(n, path, v)
	case reflect.String:
		d.decodeString(n, path, v, field)
	case reflect.Int:
		var i int
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || n.Decode(&i) != nil {
			d.add(n, path, "expected a whole number, got %s", describe(n))
			return
		}
		v.SetInt(int64(i))
	case reflect.Bool:
		var b bool
		if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" || n.Decode(&b) != nil {
			d.add(n, path, "expected true or false, got %s", describe(n))
			return
		}
		v.SetBool(b)
	default:
		panic("config: unsupported field kind " + v.Kind().String()) // a programming error, caught by tests
	}
}

func (d *decoder) decodeString(n *yaml.Node, path string, v reflect.Value, field reflect.StructField) {
	if n.Kind != yaml.ScalarNode {
		d.add(n, path, "expected a string, got %s", describe(n))
		return
	}
	if len(n.Value) > maxStringBytes {
		d.add(n, path, "the value is %d characters; expected at most %d", len(n.Value), maxStringBytes)
		return
	}
	if field.Tag.Get("config") == "quoted" && n.Tag != "!!str" {
		d.add(n, path, "write the account id as a quoted string (%q); YAML reads unquoted digits as a number", n.Value)
		return
	}
	v.SetString(n.Value)
}

func (d *decoder) decodeSlice(n *yaml.Node, path string, v reflect.Value, field reflect.StructField) {
	if n.Kind != yaml.SequenceNode {
		d.add(n, path, "expected a list, got %s", describe(n))
		return
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, item := range n.Content {
		d.decode(item, fmt.Sprintf("%s[%d]", path, i), s.Index(i), field)
	}
	v.Set(s)
}

func (d *decoder) decodeMap(n *yaml.Node, path string, v reflect.Value) {
	if n.Kind != yaml.MappingNode {
		d.add(n, path, "expected a mapping of names to values, got %s", describe(n))
		return
	}
	m := reflect.MakeMap(v.Type())
	d.pairs(n, path, func(key string, kn, vn *yaml.Node) {
		p := path + "." + key
		d.keys[p] = kn
		e := reflect.New(v.Type().Elem()).Elem()
		d.decode(vn, p, e, reflect.StructField{})
		m.SetMapIndex(reflect.ValueOf(key), e)
	})
	v.Set(m)
}

func (d *decoder) decodeStruct(n *yaml.Node, path string, v reflect.Value) {
	if n.Kind != yaml.MappingNode {
		d.add(n, path, "expected a mapping of fields (%s), got %s", strings.Join(fieldNames(v.Type()), ", "), describe(n))
		return
	}
	t := v.Type()
	d.pairs(n, path, func(key string, kn, vn *yaml.Node) {
		p := join(path, key)
		i, ok := fieldIndex(t, key)
		if !ok {
			d.add(kn, p, "unknown field; %s", suggest(key, fieldNames(t)))
			return
		}
		d.keys[p] = kn
		d.decode(vn, p, v.Field(i), t.Field(i))
	})
}

// pairs walks a mapping's key/value pairs, reporting keys that are not plain strings and keys
// given twice (YAML parsers disagree on which of two wins, so neither should).
func (d *decoder) pairs(n *yaml.Node, path string, each func(key string, kn, vn *yaml.Node)) {
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if !d.spend(n, path) {
			return
		}
		kn, vn := resolve(n.Content[i]), n.Content[i+1]
		if kn == nil || kn.Kind != yaml.ScalarNode || kn.Value == "" {
			d.add(n.Content[i], path, "expected a field name, got %s", describe(n.Content[i]))
			continue
		}
		if kn.Value == "<<" && kn.Tag == "!!merge" {
			d.add(kn, join(path, kn.Value), "merge keys are not supported; write the fields out")
			continue
		}
		if first, dup := seen[kn.Value]; dup {
			d.add(kn, join(path, kn.Value), "given twice (first at line %d); expected each field once", first.Line)
			continue
		}
		seen[kn.Value] = kn
		each(kn.Value, kn, vn)
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func fieldIndex(t reflect.Type, name string) (int, bool) {
	for i := 0; i < t.NumField(); i++ {
		if yamlName(t.Field(i)) == name {
			return i, true
		}
	}
	return 0, false
}

func fieldNames(t reflect.Type) []string {
	var names []string
	for i := 0; i < t.NumField(); i++ {
		if name := yamlName(t.Field(i)); name != "" {
			names = append(names, name)
		}
	}
	return names
}

func yamlName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	if name == "-" {
		return ""
	}
	return name
}

// suggest offers the closest known field for a misspelt one, or lists them all.
func suggest(key string, names []string) ours {
	best, bestDist := "", 3
	for _, name := range names {
		if dist := distance(strings.ToLower(key), strings.ToLower(name)); dist < bestDist {
			best, bestDist = name, dist
		}
	}
	if best == "" && len(key) >= 3 {
		// A field written without its unit or prefix: memory for memoryMiB, port for containerPort.
		var partOf []string
		for _, name := range names {
			lower, k := strings.ToLower(name), strings.ToLower(key)
			if strings.HasPrefix(lower, k) || strings.HasSuffix(lower, k) {
				partOf = append(partOf, name)
			}
		}
		if len(partOf) == 1 {
			best = partOf[0]
		}
	}
	if best != "" {
		return ours(fmt.Sprintf("did you mean %q?", best))
	}
	sorted := append([]string(nil), names...)
	sort.Strings(sorted)
	return ours("expected one of " + strings.Join(sorted, ", "))
}

// distance is the Levenshtein edit distance between two short strings.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur := make([]int, len(rb)+1)
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(rb)]
}
