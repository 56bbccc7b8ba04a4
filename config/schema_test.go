package config

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
)

var updateSchema = flag.Bool("update", false, "rewrite ../schema/delivery.schema.json with what Schema produces now")

// schemaFile is the committed schema, relative to this package.
const schemaFile = "../schema/delivery.schema.json"

// compiledSchema compiles Schema() as draft 2020-12; compiling checks it against the draft's
// meta-schema, and the patterns with the library's regexp engine.
func compiledSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	data, err := Schema()
	if err != nil {
		t.Fatalf("Schema: %v", err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("Schema is not JSON: %v", err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource(SchemaID, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(SchemaID)
	if err != nil {
		t.Fatalf("the schema does not compile as draft 2020-12: %v", err)
	}
	return s
}

// yamlInstance decodes a YAML document into the values a JSON Schema validator takes.
func yamlInstance(data []byte) (any, error) {
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		return nil, err
	}
	b, err := json.Marshal(jsonCompatible(v))
	if err != nil {
		return nil, err
	}
	return jsonschema.UnmarshalJSON(bytes.NewReader(b))
}

func jsonCompatible(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			v[k] = jsonCompatible(x)
		}
		return v
	case map[any]any:
		m := make(map[string]any, len(v))
		for k, x := range v {
			m[fmt.Sprint(k)] = jsonCompatible(x)
		}
		return m
	case []any:
		for i, x := range v {
			v[i] = jsonCompatible(x)
		}
		return v
	}
	return v
}

func TestSchemaFileIsInSync(t *testing.T) {
	got, err := Schema()
	if err != nil {
		t.Fatal(err)
	}
	if *updateSchema {
		if err := os.MkdirAll(filepath.Dir(schemaFile), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(schemaFile, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(schemaFile)
	if err != nil {
		t.Fatalf("%v (run go test ./config -run Schema -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from what Schema produces now (-want +got):\n%s\nif the change is intended, run go test ./config -run SchemaFileIsInSync -update and review the diff",
			schemaFile, lineDiff(string(want), string(got)))
	}
}

func TestSchemaCompiles(t *testing.T) {
	compiledSchema(t)
	data, _ := Schema()
	var top map[string]any
	if err := json.Unmarshal(data, &top); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"$schema", "$id", "title", "description"} {
		if top[k] == nil || top[k] == "" {
			t.Errorf("the schema has no %s", k)
		}
	}
	if top["$schema"] != "https://json-schema.org/draft/2020-12/schema" {
		t.Errorf("$schema %v; want draft 2020-12", top["$schema"])
	}
	// Editors evaluate patterns as ECMA-262 regular expressions: keep to the syntax both share.
	goOnly := regexp.MustCompile(`\(\?[a-zA-Z]|\(\?P<|\\[zACQEpP]|\[\[:`)
	walkSchema(top, "", func(path string, s map[string]any) {
		if p, ok := s["pattern"].(string); ok && goOnly.MatchString(p) {
			t.Errorf("%s: pattern %q uses Go-only regexp syntax", path, p)
		}
	})
}

// walkSchema calls each for every subschema that is an object.
func walkSchema(v any, path string, each func(path string, s map[string]any)) {
	switch v := v.(type) {
	case map[string]any:
		each(path, v)
		for k, x := range v {
			walkSchema(x, path+"/"+k, each)
		}
	case []any:
		for i, x := range v {
			walkSchema(x, fmt.Sprintf("%s/%d", path, i), each)
		}
	}
}

// TestSchemaDescribesEveryField fails for a property without a description, a struct without
// additionalProperties: false, and a rule no field uses.
func TestSchemaDescribesEveryField(t *testing.T) {
	data, err := Schema()
	if err != nil {
		t.Fatal(err)
	}
	var top map[string]any
	if err := json.Unmarshal(data, &top); err != nil {
		t.Fatal(err)
	}
	properties := 0
	walkSchema(top, "", func(path string, s map[string]any) {
		if s["type"] == "object" && s["properties"] != nil && s["additionalProperties"] != false {
			t.Errorf("%s: an object without additionalProperties: false, though decoding is strict", path)
		}
		if p := path + "/"; strings.Contains(p, "/if/") || strings.Contains(p, "/then/") || strings.Contains(p, "/else/") {
			return // conditions narrow properties described elsewhere
		}
		props, _ := s["properties"].(map[string]any)
		for name, p := range props {
			properties++
			ps, _ := p.(map[string]any)
			if d, _ := ps["description"].(string); strings.TrimSpace(d) == "" {
				t.Errorf("%s/properties/%s has no description", path, name)
			}
		}
	})
	if properties < len(rules) {
		t.Errorf("%d properties described; want at least one per rule (%d)", properties, len(rules))
	}
	used := map[string]bool{}
	var walk func(reflect.Type)
	walk = func(typ reflect.Type) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice {
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct || used[typ.Name()] {
			return
		}
		used[typ.Name()] = true
		for i := 0; i < typ.NumField(); i++ {
			used[typ.Name()+"."+yamlName(typ.Field(i))] = true
			walk(typ.Field(i).Type)
		}
	}
	walk(reflect.TypeOf(Config{}))
	for key := range rules {
		if !used[key] {
			t.Errorf("rules[%q] names no field of the contract", key)
		}
	}
	for key := range typeDocs {
		if !used[key] {
			t.Errorf("typeDocs[%q] names no type of the contract", key)
		}
	}
}

// shippedConfigs are delivery.yaml and the examples, by path.
func shippedConfigs(t *testing.T) map[string][]byte {
	t.Helper()
	files, _ := filepath.Glob("../examples/*.yaml")
	configs := map[string][]byte{}
	for _, f := range append(files, "../delivery.yaml") {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		configs[f] = data
	}
	return configs
}

// validConfigs are every config the package's tests accept: the shipped files, and each literal
// given to mustParse in the tests, found by parsing the test files.
func validConfigs(t *testing.T) map[string][]byte {
	t.Helper()
	configs := shippedConfigs(t)
	tests, _ := filepath.Glob("*_test.go")
	fset := token.NewFileSet()
	for _, f := range tests {
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) != 2 {
				return true
			}
			if fn, ok := call.Fun.(*ast.Ident); !ok || fn.Name != "mustParse" {
				return true
			}
			if s, ok := stringValue(call.Args[1]); ok {
				configs[fset.Position(call.Pos()).String()] = []byte(s)
			}
			return true
		})
	}
	// TestImageReferences builds its configs in a loop; these are its images.
	for _, image := range []string{"public.ecr.aws/docker/library/busybox:1.36-Uclibc", "registry.example:5000/team/app:V2",
		"111111111111.dkr.ecr.us-east-1.amazonaws.com/app@sha256:" + strings.Repeat("a", 64)} {
		configs["image "+image] = []byte(minimal + "service: {bootstrapImage: \"" + image + "\"}\n")
	}
	return configs
}

// stringValue evaluates a string literal, the minimal config, or a sum of them.
func stringValue(e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(e.Value)
		return s, err == nil
	case *ast.Ident:
		return minimal, e.Name == "minimal"
	case *ast.BinaryExpr:
		x, okx := stringValue(e.X)
		y, oky := stringValue(e.Y)
		return x + y, okx && oky && e.Op == token.ADD
	}
	return "", false
}

func TestSchemaAcceptsValidConfigs(t *testing.T) {
	s := compiledSchema(t)
	configs := validConfigs(t)
	if len(configs) < 10 {
		t.Fatalf("found %d valid configs; want the shipped files and the tests' configs", len(configs))
	}
	for _, name := range slices.Sorted(maps.Keys(configs)) {
		t.Run(name, func(t *testing.T) {
			if _, err := Parse(name, configs[name]); err != nil {
				t.Fatalf("the loader rejects it, so it is no valid config: %v", err)
			}
			doc, err := yamlInstance(configs[name])
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Validate(doc); err != nil {
				t.Errorf("the schema rejects a config the loader accepts: %v", err)
			}
		})
	}
}

// schemaKinds are the messages of problems the schema always expresses: types, enums, ranges,
// lengths, patterns, required and unknown fields.
var schemaKinds = []string{
	"unknown field", "is not allowed; expected one of", "is out of range", "required; expected",
	"expected a whole number", "expected true or false", "expected a list, got", "expected a mapping",
	"write the account id as a quoted string", "characters; expected at most", "is not supported; expected 1",
	"is not a valid", "is not a GitHub", "is not a 12-digit", "is not an AWS region", "is not a severity",
	"is not a URL path", "is not a variable name", "is not a Parameter Store name", "starts with a prefix Parameter Store reserves",
	"is not a VPC id", "is not a subnet id", "is not an e-mail address", "is not an image reference", "is not pinned by digest",
	"is not a Fargate CPU size", "is not a retention", "is not an ECS service name", "is not an ARN", "names service",
	"is not a path inside the repository", "would be read as an option", "is not a Secrets Manager secret name",
	"is not a build stage name", "holds a NUL character", "is not a strategy", "is not one of CodeDeploy's predefined",
	"patterns given; CodePipeline accepts at most", "expected a non-empty glob pattern",
	"cannot be used with import", "set, but testTraffic.enabled is false", "set, but integrationTest.command is not",
	"set, but engine ecs", "set, but engine codedeploy", "is a production listener port",
}

// schemaCannotExpress lists the bad cases the schema accepts, with why: they are not one YAML
// document, or every problem in them depends on other fields, on sets the schema does not hold,
// or on semantics beyond a pattern. The loader is the authority for these.
var schemaCannotExpress = map[string]string{
	"binary file":    "not YAML: the schema validates a parsed document",
	"invalid YAML":   "not YAML: the schema validates a parsed document",
	"unknown anchor": "not YAML: the schema validates a parsed document",
	"duplicate key":  "a YAML matter: a parsed document holds each key once",

	"connection in another account":              "the ARN's account must equal pipeline.account, another field's value",
	"build secrets key in another region":        "the ARN's region must equal pipeline.region, another field's value",
	"environment secrets key outside its region": "the ARN's region must equal the environment's region, which defaults to the pipeline's",
	"environment in another region":              "the region must equal pipeline.region, another field's value",
	"environment in another partition":           "the region's partition must be pipeline.region's, another field's value",

	"integration test in an undefined environment":                    "the value must be the name of one of the environments",
	"integration test after an approval":                              "depends on the order of the environments and which of them has an approval",
	"integration test defaulted to an environment behind an approval": "depends on the order of the environments and which of them has an approval",
	"integration test in an environment after an approved one":        "depends on the order of the environments and which of them has an approval",

	"fargate memory": "the cpu/memoryMiB pairing table (the schema bounds memoryMiB by all sizes only)",
	"fargate size in an environment override": "the cpu/memoryMiB pairing, with memoryMiB from the shared service or the default",
	"cpu changed without memory":              "the cpu/memoryMiB pairing, with memoryMiB from the default",

	"secret that is also a plain variable":         "the key sets of two maps must be disjoint",
	"environment variable that is a shared secret": "the key sets of two maps, one of them the shared service's, must be disjoint",

	"ECS import with rules on two load balancers": "compares parts of two ARNs",
	"ECS import with both rules on one listener":  "compares parts of two ARNs",
}

func TestSchemaRejectsBadCases(t *testing.T) {
	s := compiledSchema(t)
	names := map[string]bool{}
	for _, tc := range badCases {
		names[tc.name] = true
		t.Run(tc.name, func(t *testing.T) {
			var kinds []string
			for _, line := range strings.Split(tc.want, "\n") {
				for _, k := range schemaKinds {
					if strings.Contains(line, k) {
						kinds = append(kinds, k)
					}
				}
			}
			reason, listed := schemaCannotExpress[tc.name]
			rejected, why := false, ""
			if doc, err := yamlInstance([]byte(tc.yaml)); err == nil {
				if err := s.Validate(doc); err != nil {
					rejected, why = true, err.Error()
				}
			}
			switch {
			case listed && len(kinds) > 0:
				t.Errorf("listed as beyond the schema (%s), but its problems include %q, which the schema expresses", reason, kinds)
			case listed && rejected:
				t.Errorf("listed as beyond the schema (%s), but the schema rejects it; remove it from schemaCannotExpress:\n%s", reason, why)
			case !listed && !rejected:
				t.Errorf("the schema accepts this bad config; make the schema reject it, or list it in schemaCannotExpress with the reason (its problems: %s)", tc.want)
			}
		})
	}
	for name := range schemaCannotExpress {
		if !names[name] {
			t.Errorf("schemaCannotExpress lists %q, which is no bad case", name)
		}
	}
}

// TestSchemaDefaultsMatchLoader compares each default the schema publishes with what the loader
// fills into the smallest config.
func TestSchemaDefaultsMatchLoader(t *testing.T) {
	c := mustParse(t, minimal)
	checked := 0
	var walk func(v reflect.Value, path string)
	walk = func(v reflect.Value, path string) {
		for v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return
			}
			v = v.Elem()
		}
		if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Struct {
			for i := 0; i < v.Len(); i++ {
				walk(v.Index(i), path)
			}
			return
		}
		if v.Kind() != reflect.Struct {
			return
		}
		typ := v.Type()
		for i := 0; i < typ.NumField(); i++ {
			name := yamlName(typ.Field(i))
			r := rules[typ.Name()+"."+name]
			if r.def != nil && !(path == "environments.service") {
				checked++
				if got := v.Field(i).Interface(); !reflect.DeepEqual(got, r.def) {
					t.Errorf("%s.%s: the schema's default is %v; the loader fills in %v", path, name, r.def, got)
				}
			}
			walk(v.Field(i), strings.TrimPrefix(path+"."+name, "."))
		}
	}
	walk(reflect.ValueOf(c).Elem(), "")
	if checked < 30 {
		t.Errorf("checked %d defaults; want every default the schema publishes", checked)
	}
}

// TestShippedConfigsPointAtSchema checks the editor hint on the first line of every shipped config.
func TestShippedConfigsPointAtSchema(t *testing.T) {
	for f, data := range shippedConfigs(t) {
		rel, err := filepath.Rel(filepath.Dir(f), schemaFile)
		if err != nil {
			t.Fatal(err)
		}
		want := "# yaml-language-server: $schema=" + filepath.ToSlash(rel) + "\n"
		if !bytes.HasPrefix(data, []byte(want)) {
			t.Errorf("%s does not start with %q", f, want)
		}
	}
}

// The loader reads any scalar as a variable's text; the schema must not underline PORT: 8080.
func TestSchemaAcceptsScalarVariables(t *testing.T) {
	yaml := "app: orders-api\nsource: {owner: acme, repo: orders-api}\nservice: {environment: {PORT: 8080, DEBUG: true}}\nenvironments: [{name: staging}]\n"
	if _, err := Parse("x.yaml", []byte(yaml)); err != nil {
		t.Fatalf("the loader refuses it: %v", err)
	}
	doc, err := yamlInstance([]byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	if err := compiledSchema(t).Validate(doc); err != nil {
		t.Errorf("the schema refuses scalar variables: %v", err)
	}
}
