package diagram

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// template is one parsed stack template. Its values are read through get, str, list and
// number, which answer zero values for anything of an unexpected shape: odd input gives a
// sparser diagram or an error, never a panic.
type template struct {
	stack     string
	env       Env
	resources map[string]any
}

// parseTemplate reads a CloudFormation template.
func parseTemplate(s Stack) (*template, error) {
	var doc any
	if err := json.Unmarshal(s.Template, &doc); err != nil {
		return nil, fmt.Errorf("the template of %s is not JSON: %w", stackLabel(s.Name), err)
	}
	root, ok := doc.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("the template of %s is not a JSON object", stackLabel(s.Name))
	}
	resources, _ := root["Resources"].(map[string]any)
	return &template{stack: s.Name, env: s.Env, resources: resources}, nil
}

// stackLabel names a stack in a message.
func stackLabel(name string) string {
	if name == "" {
		return "the pipeline stack"
	}
	return "stack " + name
}

// ofType is the logical IDs of the resources of one type, sorted.
func (t *template) ofType(typ string) []string {
	var ids []string
	for id, r := range t.resources {
		if str(get(r, "Type")) == typ {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

// props is the Properties of a resource, or nil.
func (t *template) props(id string) any { return get(t.resources[id], "Properties") }

// typeOf is the Type of a resource, or "".
func (t *template) typeOf(id string) string { return str(get(t.resources[id], "Type")) }

// get follows keys through nested objects; a key missing in its exact case is matched without
// regard to case (an ECS deployment configuration is PascalCase in a template and camelCase in
// the JSON a build passes to ECS).
func get(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		next, ok := m[k]
		if !ok {
			for mk, mv := range m {
				if strings.EqualFold(mk, k) {
					next, ok = mv, true
					break
				}
			}
		}
		if !ok {
			return nil
		}
		v = next
	}
	return v
}

// str is v if it is a string.
func str(v any) string {
	s, _ := v.(string)
	return s
}

// list is v if it is a list, or a one-element list of v if it is anything else but null.
func list(v any) []any {
	switch l := v.(type) {
	case []any:
		return l
	case nil:
		return nil
	default:
		return []any{v}
	}
}

// number reads a whole number written as a JSON number or a string.
func number(v any) (int, bool) {
	switch n := v.(type) {
	case float64:
		if n != float64(int(n)) {
			return 0, false
		}
		return int(n), true
	case string:
		i, err := strconv.Atoi(strings.TrimSpace(n))
		return i, err == nil
	}
	return 0, false
}

// pipelineAccount stands for the pipeline stack's account in a rendered ARN when the assembly
// does not name it.
const pipelineAccount = "{pipeline account}"

// maxDepth bounds how deeply render follows nested intrinsic functions.
const maxDepth = 12

// render turns a template value into text: literals as they are, pseudo parameters as the
// stack's account, region and partition, references to named resources as their names, and
// anything it cannot resolve as {what it is}.
func (t *template) render(v any) string { return t.renderDepth(v, 0) }

func (t *template) renderDepth(v any, depth int) string {
	if depth > maxDepth {
		return "{…}"
	}
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64, bool:
		return fmt.Sprint(x)
	case []any:
		parts := make([]string, len(x))
		for i, p := range x {
			parts[i] = t.renderDepth(p, depth+1)
		}
		return strings.Join(parts, ", ")
	case map[string]any:
		if len(x) != 1 {
			return "{object}"
		}
		for fn, arg := range x {
			return t.intrinsic(fn, arg, depth+1)
		}
	}
	return "{?}"
}

// intrinsic renders one intrinsic function.
func (t *template) intrinsic(fn string, arg any, depth int) string {
	switch fn {
	case "Ref":
		return t.ref(str(arg), depth)
	case "Fn::GetAtt":
		return t.getAtt(arg, depth)
	case "Fn::Join":
		args := list(arg)
		if len(args) != 2 {
			return "{Fn::Join}"
		}
		parts := list(args[1])
		out := make([]string, len(parts))
		for i, p := range parts {
			out[i] = t.renderDepth(p, depth)
		}
		return strings.Join(out, str(args[0]))
	case "Fn::Sub":
		return t.sub(arg, depth)
	case "Fn::ImportValue":
		return "{import " + t.renderDepth(arg, depth) + "}"
	}
	return "{" + fn + "}"
}

// ref renders {"Ref": name}.
func (t *template) ref(name string, depth int) string {
	switch name {
	case "":
		return "{Ref}"
	case "AWS::AccountId":
		if t.env.Account != "" {
			return t.env.Account
		}
		return pipelineAccount
	case "AWS::Region":
		if t.env.Region != "" {
			return t.env.Region
		}
		return "{region}"
	case "AWS::Partition":
		return partition(t.env.Region)
	case "AWS::URLSuffix":
		if partition(t.env.Region) == "aws-cn" {
			return "amazonaws.com.cn"
		}
		return "amazonaws.com"
	case "AWS::StackName":
		if t.stack != "" {
			return t.stack
		}
	}
	if n := t.physicalName(name, depth); n != "" {
		return n
	}
	return "{" + name + "}"
}

// getAtt renders {"Fn::GetAtt": [id, attribute]}: a named role's Arn as its ARN, a named
// resource's Name as its name.
func (t *template) getAtt(arg any, depth int) string {
	var id, attr string
	if s := str(arg); s != "" {
		id, attr, _ = strings.Cut(s, ".")
	} else if l := list(arg); len(l) == 2 {
		id, attr = str(l[0]), str(l[1])
	}
	name := t.physicalName(id, depth)
	switch {
	case id == "":
		return "{Fn::GetAtt}"
	case name != "" && attr == "Arn" && t.typeOf(id) == "AWS::IAM::Role":
		return "arn:" + partition(t.env.Region) + ":iam::" + t.ref("AWS::AccountId", depth) + ":role/" + name
	case name != "" && (attr == "Name" || strings.HasSuffix(attr, "Name")):
		return name
	}
	return "{" + id + "." + attr + "}"
}

var subVariable = regexp.MustCompile(`\$\{([^}!][^}]*)\}`)

// sub renders {"Fn::Sub": text} and {"Fn::Sub": [text, variables]}.
func (t *template) sub(arg any, depth int) string {
	text, vars := str(arg), any(nil)
	if l, ok := arg.([]any); ok && len(l) == 2 {
		text, vars = str(l[0]), l[1]
	}
	return subVariable.ReplaceAllStringFunc(text, func(m string) string {
		name := m[2 : len(m)-1]
		if v := get(vars, name); v != nil {
			return t.renderDepth(v, depth)
		}
		if id, attr, ok := strings.Cut(name, "."); ok {
			return t.getAtt([]any{id, attr}, depth)
		}
		return t.ref(name, depth)
	})
}

// nameProperties are the properties that hold a resource's physical name, by type.
var nameProperties = map[string]string{
	"AWS::IAM::Role":                   "RoleName",
	"AWS::SNS::Topic":                  "TopicName",
	"AWS::Lambda::Function":            "FunctionName",
	"AWS::CodeBuild::Project":          "Name",
	"AWS::CodeDeploy::Application":     "ApplicationName",
	"AWS::CodeDeploy::DeploymentGroup": "DeploymentGroupName",
	"AWS::CloudWatch::Alarm":           "AlarmName",
	"AWS::ECS::Service":                "ServiceName",
	"AWS::ECS::Cluster":                "ClusterName",
}

// physicalName is the name a resource of the template is given, or "".
func (t *template) physicalName(id string, depth int) string {
	prop, ok := nameProperties[t.typeOf(id)]
	if !ok {
		return ""
	}
	v := get(t.props(id), prop)
	if v == nil || depth > maxDepth {
		return ""
	}
	return t.renderDepth(v, depth+1)
}

// name is what a value names: the physical name of a resource it references, or the value
// rendered.
func (t *template) name(v any) string {
	if id := refID(v); id != "" {
		if n := t.physicalName(id, 0); n != "" {
			return n
		}
	}
	return t.render(v)
}

// refID is the logical ID a {"Ref"} or {"Fn::GetAtt"} names, or "".
func refID(v any) string {
	if id := str(get(v, "Ref")); id != "" {
		return id
	}
	switch a := get(v, "Fn::GetAtt").(type) {
	case []any:
		if len(a) > 0 {
			return str(a[0])
		}
	case string:
		id, _, _ := strings.Cut(a, ".")
		return id
	}
	return ""
}

// partition is the AWS partition of a region.
func partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(region, "eusc-"):
		return "aws-eusc"
	}
	return "aws"
}
