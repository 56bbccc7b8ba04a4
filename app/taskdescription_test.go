package app

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/google/go-cmp/cmp"
)

// resolver evaluates the few CloudFormation functions the task definitions use, against one
// template, so the pipeline's taskdef.json and the environment's task definition can be compared
// as the values they will have.
type resolver struct {
	t               *testing.T
	resources       map[string]obj
	account, region string
	stack           string // for messages
}

func newResolver(t *testing.T, tmpl assertions.Template, stack awscdk.Stack) *resolver {
	account := *stack.Account()
	if *awscdk.Token_IsUnresolved(stack.Account()) {
		account = "ACCOUNT"
	}
	data, _ := json.Marshal(tmpl.ToJSON())
	var doc struct{ Resources map[string]obj }
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	return &resolver{t: t, resources: doc.Resources, account: account, region: *stack.Region(), stack: *stack.StackName()}
}

func (r *resolver) value(v any) any {
	r.t.Helper()
	switch v := v.(type) {
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = r.value(x)
		}
		return out
	case obj:
		switch {
		case v["Ref"] != nil:
			return r.ref(v["Ref"].(string))
		case v["Fn::If"] != nil:
			// ECS's engine: the bootstrap command, only while the image is the bootstrap image.
			return r.value(v["Fn::If"].([]any)[1])
		case v["Fn::Join"] != nil:
			args := v["Fn::Join"].([]any)
			var parts []string
			for _, p := range args[1].([]any) {
				parts = append(parts, fmt.Sprint(r.value(p)))
			}
			return strings.Join(parts, args[0].(string))
		case v["Fn::Base64"] != nil:
			return r.value(v["Fn::Base64"])
		case v["Fn::GetAtt"] != nil:
			att := v["Fn::GetAtt"].([]any)
			res := r.resources[att[0].(string)]
			if res["Type"] == "AWS::IAM::Role" && att[1] == "Arn" {
				return "arn:aws:iam::" + r.account + ":role/" + res["Properties"].(obj)["RoleName"].(string)
			}
		default:
			out := obj{}
			for k, x := range v {
				out[k] = r.value(x)
			}
			return out
		}
		r.t.Fatalf("%s: cannot resolve %v", r.stack, v)
	}
	return v
}

func (r *resolver) ref(name string) string {
	r.t.Helper()
	switch name {
	case "AWS::Partition":
		return "aws"
	case "AWS::AccountId":
		return r.account
	case "AWS::Region":
		return r.region
	}
	if strings.HasPrefix(name, "ReleaseImage") {
		return "<the stack's release image>" // ECS's engine: replaced below like the bootstrap image
	}
	if res := r.resources[name]; res["Type"] == "AWS::Logs::LogGroup" {
		return res["Properties"].(obj)["LogGroupName"].(string)
	}
	r.t.Fatalf("%s: cannot resolve Ref %s", r.stack, name)
	return ""
}

// lowerKeys turns CloudFormation's property names into the API's (ContainerDefinitions →
// containerDefinitions), as taskdef.json spells them.
func lowerKeys(v any) any {
	switch v := v.(type) {
	case []any:
		for i := range v {
			v[i] = lowerKeys(v[i])
		}
	case obj:
		out := obj{}
		for k, x := range v {
			if k != "Options" && k != "options" { // log driver options are names of their own
				x = lowerKeys(x)
			}
			out[strings.ToLower(k[:1])+k[1:]] = x
		}
		return out
	}
	return v
}

// TestOneTaskDescription: for every environment of every shipped config, the taskdef.json the
// build writes (from the pipeline template) and the service's task definition (from the
// environment template) describe the same task: family, roles, sizes, platform, container, port,
// variables, secrets and logging. Only the image differs (CodeDeploy fills <IMAGE1_NAME>; the
// stack runs the bootstrap image, with its own command and two variables).
func TestOneTaskDescription(t *testing.T) {
	for _, file := range shipped {
		t.Run(file, func(t *testing.T) {
			s := synth(t, file)
			pipeline := newResolver(t, s.templates[*s.delivery.Pipeline.StackName()], s.delivery.Pipeline)
			var buildEnv []any
			for _, p := range pipeline.resources {
				if p["Type"] == "AWS::CodeBuild::Project" && strings.HasSuffix(p["Properties"].(obj)["Name"].(string), "-build") {
					buildEnv = p["Properties"].(obj)["Environment"].(obj)["EnvironmentVariables"].([]any)
				}
			}
			for i, stack := range s.delivery.Environments {
				t.Run(*stack.StackName(), func(t *testing.T) {
					env := newResolver(t, s.templates[*stack.StackName()], stack)
					var rendered string
					for _, v := range buildEnv {
						if v.(obj)["Name"] == fmt.Sprintf("TASKDEF_%d", i) {
							rendered = fmt.Sprint(pipeline.value(v.(obj)["Value"]))
						}
					}
					var fromPipeline obj
					if err := json.Unmarshal([]byte(rendered), &fromPipeline); err != nil {
						t.Fatalf("TASKDEF_%d is not JSON: %v\n%s", i, err, rendered)
					}
					var fromStack obj
					for _, r := range env.resources {
						if r["Type"] == "AWS::ECS::TaskDefinition" && r["Properties"].(obj)["Family"] == fromPipeline["family"] {
							fromStack = lowerKeys(env.value(r["Properties"])).(obj)
						}
					}
					if fromStack == nil {
						for _, r := range env.resources {
							if r["Type"] == "AWS::ECS::Service" {
								t.Fatalf("no task definition of family %v in %s", fromPipeline["family"], *stack.StackName())
							}
						}
						return // an imported service: its task definition is not the stack's
					}
					// What only the bootstrap has: its image, command and variables.
					container := fromStack["containerDefinitions"].([]any)[0].(obj)
					delete(container, "command")
					var kept []any
					for _, e := range container["environment"].([]any) {
						if !strings.HasPrefix(e.(obj)["name"].(string), "BOOTSTRAP_") {
							kept = append(kept, e)
						}
					}
					container["environment"] = kept
					container["image"] = "<IMAGE1_NAME>"
					if kept == nil {
						container["environment"] = []any{}
					}
					if _, ok := container["secrets"]; !ok {
						container["secrets"] = []any{}
					}
					if diff := cmp.Diff(fromStack, fromPipeline); diff != "" {
						t.Errorf("the stack's task definition and taskdef.json differ (-stack +pipeline):\n%s", diff)
					}
				})
			}
		})
	}
}
