package diagram

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// stack is a stack artifact for a test manifest.
func stack(template string) artifact {
	return artifact{Type: "aws:cloudformation:stack", Environment: "aws://111111111111/eu-west-1", Properties: map[string]string{"templateFile": template}}
}

// minimalPipeline is a template with one small pipeline; stages is its Stages JSON.
func minimalPipeline(stages string) string {
	return `{"Resources": {"Pipeline": {"Type": "AWS::CodePipeline::Pipeline", "Properties": {"Name": "p", "Stages": ` + stages + `}}}}`
}

const twoStages = `[{"Name": "Source", "Actions": [{"Name": "GitHub", "ActionTypeId": {"Category": "Source", "Provider": "GitHub"}, "Configuration": {"Owner": "o", "Repo": "r", "Branch": "main"}}]},
	{"Name": "Deploy-prod", "Actions": [{"Name": "Deploy", "ActionTypeId": {"Category": "Deploy", "Provider": "CodeDeployToECS"}, "RunOrder": 1,
	"RoleArn": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::", {"Ref": "AWS::AccountId"}, ":role/prod-deploy"]]}}]}]`

func TestLoadErrors(t *testing.T) {
	cases := []struct {
		name      string
		files     map[string]string // relative path: content
		artifacts map[string]artifact
		want      string
	}{
		{name: "no manifest", want: "has no manifest.json"},
		{name: "manifest not JSON", files: map[string]string{"manifest.json": "{"}, want: "is not a cloud assembly manifest"},
		{name: "no stacks", artifacts: map[string]artifact{}, want: "has no pipeline stack"},
		{
			name:      "no pipeline",
			files:     map[string]string{"a.template.json": `{"Resources": {"B": {"Type": "AWS::S3::Bucket"}}}`},
			artifacts: map[string]artifact{"a": stack("a.template.json")},
			want:      "has no pipeline stack",
		},
		{name: "template missing", artifacts: map[string]artifact{"a": stack("a.template.json")}, want: "reading the template of stack a"},
		{
			name:      "template not JSON",
			files:     map[string]string{"a.template.json": "Resources:\n  B: {Type: AWS::S3::Bucket}\n"},
			artifacts: map[string]artifact{"a": stack("a.template.json")},
			want:      "the template of stack a is not JSON",
		},
		{
			name:      "template not an object",
			files:     map[string]string{"a.template.json": "[1, 2]"},
			artifacts: map[string]artifact{"a": stack("a.template.json")},
			want:      "the template of stack a is not a JSON object",
		},
		{
			name:      "no template file named",
			artifacts: map[string]artifact{"a": {Type: "aws:cloudformation:stack", Environment: "aws://unknown-account/us-east-1"}},
			want:      "names no templateFile",
		},
		{
			name:      "odd environment",
			artifacts: map[string]artifact{"a": {Type: "aws:cloudformation:stack", Environment: "111111111111/us-east-1", Properties: map[string]string{"templateFile": "a.json"}}},
			want:      `environment "111111111111/us-east-1" is not aws://ACCOUNT/REGION`,
		},
		{
			name:      "pipeline without stages",
			files:     map[string]string{"a.template.json": minimalPipeline(`{"Ref": "Stages"}`)},
			artifacts: map[string]artifact{"a": stack("a.template.json")},
			want:      "pipeline Pipeline of stack a has no stages",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, content := range c.files {
				writeFile(t, filepath.Join(dir, name), content)
			}
			if c.artifacts != nil {
				writeManifest(t, dir, c.artifacts)
			}
			ps, err := Load(dir)
			if err == nil {
				t.Fatalf("Load gave %d pipelines and no error; want an error saying %q", len(ps), c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("Load: %v; want an error saying %q", err, c.want)
			}
		})
	}
}

func TestLoadNestedAssembly(t *testing.T) {
	dir := t.TempDir()
	nested := filepath.Join(dir, "assembly-Prod")
	if err := os.Mkdir(nested, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(nested, "p.template.json"), minimalPipeline(twoStages))
	writeManifest(t, nested, map[string]artifact{"Prod-p": stack("p.template.json")})
	writeManifest(t, dir, map[string]any{"assembly-Prod": map[string]any{"type": "cdk:cloud-assembly", "properties": map[string]string{"directoryName": "assembly-Prod"}}})
	ps, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 || ps[0].Stack != "Prod-p" {
		t.Fatalf("Load gave %d pipelines (first in %q); want the one of Prod-p", len(ps), ps[0].Stack)
	}
	e := ps[0].Environments()
	if len(e) != 1 || e[0].Account != "111111111111" || e[0].Region != "eu-west-1" || e[0].DeployRoleName() != "prod-deploy" {
		t.Errorf("environments = %+v; want prod in 111111111111, eu-west-1, as prod-deploy", e)
	}
}

func TestFromTemplateRoleShapes(t *testing.T) {
	role := `{"Type": "AWS::IAM::Role", "Properties": {"RoleName": "named-deploy"}}`
	cases := []struct {
		name, roleArn, want, account string
	}{
		{"literal", `"arn:aws:iam::222222222222:role/cicd/deployer"`, "cicd/deployer", "222222222222"},
		{"join with the stack's account", `{"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::", {"Ref": "AWS::AccountId"}, ":role/x-deploy"]]}`, "x-deploy", "pipeline account"},
		{"sub", `{"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${Name}-deploy"}`, "{Name}-deploy", "pipeline account"},
		{"sub with variables", `{"Fn::Sub": ["arn:aws:iam::${A}:role/y", {"A": "444444444444"}]}`, "y", "444444444444"},
		{"role of the template", `{"Fn::GetAtt": ["DeployRole", "Arn"]}`, "named-deploy", "pipeline account"},
		{"role of the template, dotted", `{"Fn::GetAtt": "DeployRole.Arn"}`, "named-deploy", "pipeline account"},
		{"parameter", `{"Ref": "RoleParameter"}`, "{RoleParameter}", "unknown account"},
		{"condition", `{"Fn::If": ["Prod", "arn:aws:iam::1:role/a", "arn:aws:iam::2:role/b"]}`, "{Fn::If}", "unknown account"},
		{"import", `{"Fn::ImportValue": "DeployRoleArn"}`, "{import DeployRoleArn}", "unknown account"},
		{"number", `42`, "42", "unknown account"},
		{"list", `["arn:aws:iam::1:role/a"]`, "a", "1"},
		{"object", `{"a": 1, "b": 2}`, "{object}", "unknown account"},
		{"broken join", `{"Fn::Join": "x"}`, "{Fn::Join}", "unknown account"},
		{"broken get-att", `{"Fn::GetAtt": 7}`, "{Fn::GetAtt}", "unknown account"},
		{"empty ref", `{"Ref": ""}`, "{Ref}", "unknown account"},
		{"deeply nested", strings.Repeat(`{"Fn::Join": ["", [`, 30) + `"x"` + strings.Repeat(`]]}`, 30), "{…}", "unknown account"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			stages := `[{"Name": "Deploy-prod", "Actions": [{"Name": "Deploy", "ActionTypeId": {"Category": "Deploy", "Provider": "CodeDeployToECS"}, "RoleArn": ` + c.roleArn + `}]}]`
			template := `{"Resources": {"DeployRole": ` + role + `, "Pipeline": {"Type": "AWS::CodePipeline::Pipeline", "Properties": {"Stages": ` + stages + `}}}}`
			p, err := FromTemplate([]byte(template), Env{Region: "us-east-1"})
			if err != nil {
				t.Fatal(err)
			}
			e := p.Environments()[0]
			if got := e.DeployRoleName(); !strings.Contains(got, c.want) {
				t.Errorf("DeployRoleName() = %q; want %q", got, c.want)
			}
			if got := e.AccountLabel(); got != c.account {
				t.Errorf("AccountLabel() = %q; want %q", got, c.account)
			}
			renderBoth(t, p)
		})
	}
}

// renderBoth renders p both ways: neither may panic, and the SVG must parse.
func renderBoth(t *testing.T, ps ...*Pipeline) {
	t.Helper()
	_ = Mermaid(ps...)
	svgRendering(t, SVG(ps...))
}

func TestFromTemplateOddShapes(t *testing.T) {
	cases := []struct {
		name, template string
		wantErr        string
	}{
		{name: "not JSON", template: "{", wantErr: "is not JSON"},
		{name: "no pipeline", template: `{"Resources": {}}`, wantErr: "holds no AWS::CodePipeline::Pipeline"},
		{name: "no resources", template: `{}`, wantErr: "holds no AWS::CodePipeline::Pipeline"},
		{name: "resources a list", template: `{"Resources": []}`, wantErr: "holds no AWS::CodePipeline::Pipeline"},
		{name: "two pipelines", template: `{"Resources": {"A": {"Type": "AWS::CodePipeline::Pipeline", "Properties": {"Stages": [{}]}}, "B": {"Type": "AWS::CodePipeline::Pipeline", "Properties": {"Stages": [{}]}}}}`, wantErr: "holds 2 pipelines"},
		{name: "stages an object", template: minimalPipeline(`{"Name": "Source"}`), wantErr: "has no stages"},
		{name: "stage a string", template: minimalPipeline(`["Source"]`)},
		{name: "actions odd", template: minimalPipeline(`[{"Name": "Build", "Actions": [1, "x", null, {"ActionTypeId": "CodeBuild", "RunOrder": "two"}]}]`)},
		{name: "run order as text", template: minimalPipeline(`[{"Name": "Build", "Actions": [{"Name": "B", "RunOrder": "2"}, {"Name": "A", "RunOrder": 1.0}]}]`)},
		{name: "conditions odd", template: minimalPipeline(`[{"Name": "Deploy-x", "BeforeEntry": {"Conditions": "x"}, "OnSuccess": {"Conditions": [{"Rules": [1, {"RuleTypeId": {"Provider": "CloudWatchAlarm"}}]}]}, "OnFailure": {"Result": {"x": 1}}}]`)},
		{name: "other rule and result", template: minimalPipeline(`[{"Name": "Deploy-x", "BeforeEntry": {"Conditions": [{"Result": "SKIP", "Rules": [{"Name": "Check", "RuleTypeId": {"Provider": "VariableCheck"}}]}]}, "OnFailure": {"Result": "SKIP"}}]`)},
		{name: "deploy stage without name", template: minimalPipeline(`[{"Name": "Deploy-", "Actions": []}]`)},
		{name: "project missing", template: minimalPipeline(`[{"Name": "Deploy-x", "Actions": [{"Name": "Release", "ActionTypeId": {"Category": "Build", "Provider": "CodeBuild"}, "Configuration": {"ProjectName": {"Ref": "Gone"}}}]}]`)},
		{name: "service update not JSON", template: `{"Resources": {"P": {"Type": "AWS::CodeBuild::Project", "Properties": {"Environment": {"EnvironmentVariables": [{"Name": "SERVICE_UPDATE", "Value": "{"}, {"Name": "DEPLOY_ROLE_ARN", "Value": 5}, "x"]}}},
			"Pipeline": {"Type": "AWS::CodePipeline::Pipeline", "Properties": {"Stages": [{"Name": "Deploy-x", "Actions": [{"Name": "Release", "ActionTypeId": {"Category": "Build", "Provider": "CodeBuild"}, "Configuration": {"ProjectName": {"Ref": "P"}}}]}]}}}}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := FromTemplate([]byte(c.template), Env{})
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("FromTemplate: %v; want an error saying %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("FromTemplate: %v", err)
			}
			renderBoth(t, p)
		})
	}
}

func TestFromTemplateSortsByRunOrder(t *testing.T) {
	p, err := FromTemplate([]byte(minimalPipeline(`[{"Name": "Build", "Actions": [
		{"Name": "C", "RunOrder": 3}, {"Name": "A", "RunOrder": "1"}, {"Name": "B1", "RunOrder": 2}, {"Name": "B2", "RunOrder": 2}]}]`)), Env{})
	if err != nil {
		t.Fatal(err)
	}
	var got [][]string
	for _, g := range p.Stages[0].RunGroups() {
		var names []string
		for _, a := range g {
			names = append(names, a.Name)
		}
		got = append(got, names)
	}
	if want := `[["A"],["B1","B2"],["C"]]`; jsonText(got) != want {
		t.Errorf("run groups = %s; want %s", jsonText(got), want)
	}
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestFromTemplateUsesTheOtherStacks(t *testing.T) {
	env := `{"Resources": {"Hook": {"Type": "AWS::Lambda::Function", "Properties": {"FunctionName": "prod-test-hook",
		"Environment": {"Variables": {"PATHS": "[\"/ok\"]", "REQUESTS": "3", "EXPECT_STATUS": "204", "MAX_LATENCY_MS": "100"}}}},
		"Service": {"Type": "AWS::ECS::Service", "Properties": {"DeploymentConfiguration": {"Strategy": "LINEAR",
		"LinearConfiguration": {"StepPercent": 25, "StepBakeTimeInMinutes": 2}, "BakeTimeInMinutes": 7,
		"LifecycleHooks": [{"HookTargetArn": {"Fn::GetAtt": ["Hook", "Arn"]}, "LifecycleStages": ["POST_TEST_TRAFFIC_SHIFT"]}]}}}}}`
	stages := `[{"Name": "Deploy-prod", "Actions": [{"Name": "Linear", "ActionTypeId": {"Category": "Build", "Provider": "CodeBuild"}, "Configuration": {"ProjectName": {"Ref": "Release"}}}]}]`
	pipeline := `{"Resources": {"Release": {"Type": "AWS::CodeBuild::Project", "Properties": {"Name": "release-prod", "ServiceRole": {"Fn::GetAtt": ["ReleaseRole", "Arn"]}}},
		"ReleaseRole": {"Type": "AWS::IAM::Role", "Properties": {}},
		"Policy": {"Type": "AWS::IAM::Policy", "Properties": {"Roles": [{"Ref": "ReleaseRole"}], "PolicyDocument": {"Statement": [
			{"Effect": "Allow", "Action": ["sts:AssumeRole"], "Resource": "arn:aws:iam::555555555555:role/prod-deploy"}]}}},
		"Pipeline": {"Type": "AWS::CodePipeline::Pipeline", "Properties": {"Stages": ` + stages + `}}}}`
	p, err := FromTemplate([]byte(pipeline), Env{Account: "111111111111", Region: "us-east-1"},
		Stack{Name: "prod", Env: Env{Account: "555555555555", Region: "eu-central-1"}, Template: []byte(env)})
	if err != nil {
		t.Fatal(err)
	}
	e := p.Environments()[0]
	got := []string{e.AccountLabel(), e.Region, e.DeployRoleName(), e.Stack, e.Shift}
	for _, g := range e.Gates {
		got = append(got, g.Text())
	}
	want := []string{"555555555555", "eu-central-1", "prod-deploy", "prod", "ECS linear 25% every 2 min",
		"TEST TRAFFIC: /ok ×3 → 204 within 100 ms (ECS POST_TEST_TRAFFIC_SHIFT)",
		"BAKE: 7 min, by ECS: old tasks kept, an alarm rolls back"}
	if jsonText(got) != jsonText(want) {
		t.Errorf("environment = %s; want %s", jsonText(got), jsonText(want))
	}

	if _, err := FromTemplate([]byte(pipeline), Env{}, Stack{Name: "bad", Template: []byte("<xml/>")}); err == nil || !strings.Contains(err.Error(), "the template of stack bad is not JSON") {
		t.Errorf("FromTemplate with a stack that is not JSON: %v; want an error naming it", err)
	}
}

func TestParseEnv(t *testing.T) {
	cases := map[string]Env{
		"aws://111111111111/us-east-1":         {"111111111111", "us-east-1"},
		"aws://unknown-account/eu-west-1":      {"", "eu-west-1"},
		"aws://unknown-account/unknown-region": {},
	}
	for in, want := range cases {
		got, err := ParseEnv(in)
		if err != nil || got != want {
			t.Errorf("ParseEnv(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "aws://", "aws://a", "gcp://a/b", "aws://a/b/c"} {
		if _, err := ParseEnv(in); err == nil {
			t.Errorf("ParseEnv(%q): no error; want one", in)
		}
	}
}

// FuzzFromTemplate: whatever the template, FromTemplate answers a pipeline or an error, and
// the pipeline renders (the SVG as XML).
func FuzzFromTemplate(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(goldenRoot, "*", "*pipeline*.template.json"))
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(minimalPipeline(twoStages)))
	f.Add([]byte(minimalPipeline(`[{"Name": "Deploy-\"x\" <y> & #z", "Actions": [{"Name": "\u0000\u202e", "RoleArn": {"Fn::Sub": "${"}}]}]`)))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := FromTemplate(data, Env{Region: "us-east-1"})
		if err != nil {
			return
		}
		renderBoth(t, p)
	})
}
