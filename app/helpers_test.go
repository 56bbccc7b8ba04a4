package app

// The synthesis shared by the tests, and the matchers and readers of templates they share.

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/ecsdelivery/ecsdelivery/config"
	"github.com/ecsdelivery/ecsdelivery/internal/cdktest"
)

// synthesised is one config built once and shared by every test that reads it: a synthesis
// costs seconds, and the jsii runtime forbids parallel tests.
type synthesised struct {
	delivery  *Delivery
	templates map[string]assertions.Template // by stack name
}

var built = map[string]*synthesised{}

func TestMain(m *testing.M) { cdktest.Main(m) }

func synth(t *testing.T, file string) *synthesised {
	t.Helper()
	if s, ok := built[file]; ok {
		return s
	}
	cfg, err := config.Load(filepath.Join(cdktest.Root(t), file))
	if err != nil {
		t.Fatal(err)
	}
	return synthConfig(t, file, cfg)
}

// synthYAML synthesises a config written in a test, once per name.
func synthYAML(t *testing.T, name, yaml string) *synthesised {
	t.Helper()
	if s, ok := built[name]; ok {
		return s
	}
	cfg, err := config.Parse(name, []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	return synthConfig(t, name, cfg)
}

func synthConfig(t *testing.T, key string, cfg *config.Config) *synthesised {
	t.Helper()
	app := cdktest.NewSharedApp(t)
	// Every synthesis is checked by cdk-nag's AwsSolutions rules; TestAwsSolutions reads the
	// findings.
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true), Reports: jsii.Bool(false)}), nil)
	d, err := Build(app, cfg, cfg.EnvironmentSuffix)
	if err != nil {
		t.Fatal(err)
	}
	s := &synthesised{delivery: d, templates: map[string]assertions.Template{}}
	stacks := append([]awscdk.Stack{d.Pipeline}, d.Environments...)
	if d.Signing != nil {
		stacks = append(stacks, d.Signing)
	}
	for _, stack := range stacks {
		s.templates[*stack.StackName()] = cdktest.Template(t, stack)
	}
	built[key] = s
	return s
}

var shipped = []string{"delivery.yaml", "examples/cross-account.yaml", "examples/import-existing.yaml", "examples/ecs-engine.yaml", "examples/adopt-rolling-service.yaml"}

// pipelineTemplate is the pipeline stack's template of a shipped config.
func pipelineTemplate(t *testing.T, file string) assertions.Template {
	t.Helper()
	s := synth(t, file)
	return s.templates[*s.delivery.Pipeline.StackName()]
}

// obj is a CloudFormation object, as templates and matchers spell them.
type obj = map[string]any

func like(m obj) assertions.Matcher { return assertions.Match_ObjectLike(&m) }

func arrayWith(a ...any) assertions.Matcher { return assertions.Match_ArrayWith(&a) }

func stringLike(s string) assertions.Matcher {
	return assertions.Match_StringLikeRegexp(jsii.String(s))
}

// stage matches a pipeline stage by name with an action like action.
func stage(name string, action obj) assertions.Matcher {
	return like(obj{"Name": name, "Actions": arrayWith(like(action))})
}

// resources returns the resources of one type in a template, by logical id.
func resources(t *testing.T, tmpl assertions.Template, typ string) map[string]obj {
	t.Helper()
	out := map[string]obj{}
	for id, r := range *tmpl.FindResources(jsii.String(typ), nil) {
		out[id] = *r
	}
	return out
}

// logicalID finds the one resource of a type whose property has a value.
func logicalID(t *testing.T, tmpl assertions.Template, typ, property, value string) string {
	t.Helper()
	var ids []string
	for id, r := range resources(t, tmpl, typ) {
		if r["Properties"].(obj)[property] == value {
			ids = append(ids, id)
		}
	}
	if len(ids) != 1 {
		t.Fatalf("%d resources of type %s with %s %q; want one", len(ids), typ, property, value)
	}
	return ids[0]
}

// securityGroup finds the security group whose description starts with descriptionPrefix.
func securityGroup(t *testing.T, tmpl assertions.Template, descriptionPrefix string) string {
	t.Helper()
	for id, r := range resources(t, tmpl, "AWS::EC2::SecurityGroup") {
		if strings.HasPrefix(r["Properties"].(obj)["GroupDescription"].(string), descriptionPrefix) {
			return id
		}
	}
	t.Fatalf("no security group described %q", descriptionPrefix)
	return ""
}

// statement is one IAM statement, flattened for inspection.
type statement struct {
	stack, sid string
	actions    []string
	star       bool
}

// statements lists the identity-policy statements of every stack of a synthesis.
func statements(t *testing.T, s *synthesised) []statement {
	t.Helper()
	var out []statement
	for stack, tmpl := range s.templates {
		data, _ := json.Marshal(tmpl.ToJSON())
		var doc struct {
			Resources map[string]struct {
				Type       string
				Properties struct {
					PolicyDocument struct{ Statement []map[string]any }
					Policies       []struct {
						PolicyDocument struct{ Statement []map[string]any }
					}
				}
			}
		}
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatal(err)
		}
		for _, r := range doc.Resources {
			all := r.Properties.PolicyDocument.Statement
			for _, p := range r.Properties.Policies {
				all = append(all, p.PolicyDocument.Statement...)
			}
			for _, st := range all {
				if r.Type == "AWS::S3::BucketPolicy" || r.Type == "AWS::KMS::Key" {
					continue // resource policies: "*" there means "this resource"
				}
				out = append(out, statement{stack: stack, sid: fmt.Sprint(st["Sid"]), actions: strs(st["Action"]), star: hasStar(st["Resource"])})
			}
		}
	}
	return out
}

// strs reads an IAM field that is one string or a list of them.
func strs(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, x := range v {
			out = append(out, fmt.Sprint(x))
		}
		return out
	}
	return nil
}

// hasStar says whether an IAM resource field names "*".
func hasStar(v any) bool {
	for _, r := range strs(v) {
		if r == "*" {
			return true
		}
	}
	return false
}

// roleStatements are the statements of every policy attached to the role named name, and its
// managed policies.
func roleStatements(t *testing.T, tmpl assertions.Template, name string) (statements []obj, managed []any) {
	t.Helper()
	id := logicalID(t, tmpl, "AWS::IAM::Role", "RoleName", name)
	role := resources(t, tmpl, "AWS::IAM::Role")[id]["Properties"].(obj)
	managed, _ = role["ManagedPolicyArns"].([]any)
	for _, p := range resources(t, tmpl, "AWS::IAM::Policy") {
		props := p["Properties"].(obj)
		if !slices.ContainsFunc(props["Roles"].([]any), func(r any) bool { return fmt.Sprint(r) == fmt.Sprint(obj{"Ref": id}) }) {
			continue
		}
		for _, s := range props["PolicyDocument"].(obj)["Statement"].([]any) {
			statements = append(statements, s.(obj))
		}
	}
	return statements, managed
}

// asJSON renders a template value as JSON text.
func asJSON(v any) string { b, _ := json.Marshal(v); return string(b) }

// alarmIDs lists a template's alarms by logical id.
func alarmIDs(t *testing.T, tmpl assertions.Template) []string {
	t.Helper()
	var ids []string
	for id := range resources(t, tmpl, "AWS::CloudWatch::Alarm") {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// dashboardBody is a dashboard's JSON with every token replaced by its logical id, so metric
// names, dimensions and links can be read as text.
func dashboardBody(t *testing.T, tmpl assertions.Template) string {
	t.Helper()
	dashboards := resources(t, tmpl, "AWS::CloudWatch::Dashboard")
	if len(dashboards) != 1 {
		t.Fatalf("%d dashboards; want 1", len(dashboards))
	}
	for _, d := range dashboards {
		var b strings.Builder
		for _, part := range d["Properties"].(obj)["DashboardBody"].(obj)["Fn::Join"].([]any)[1].([]any) {
			switch p := part.(type) {
			case string:
				b.WriteString(p)
			default:
				data, _ := json.Marshal(p)
				b.Write(data)
			}
		}
		return b.String()
	}
	return ""
}

// containsAll fails the test for each of wants that text lacks.
func containsAll(t *testing.T, what, text string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("%s lacks %s", what, w)
		}
	}
}

// firstLine is a message's first line.
func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// dig follows keys through nested objects; nil when one is missing.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(obj)
		if !ok {
			if mm, ok2 := v.(map[string]any); ok2 {
				m = mm
			} else {
				return nil
			}
		}
		v = m[k]
	}
	return v
}
