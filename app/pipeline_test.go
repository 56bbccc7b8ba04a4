package app

import (
	"encoding/base64"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/ecsdelivery/ecsdelivery/internal/cdktest"
	"github.com/ecsdelivery/ecsdelivery/scripts"
)

func TestPipelineIsV2Queued(t *testing.T) {
	for _, file := range shipped {
		t.Run(file, func(t *testing.T) {
			tmpl := pipelineTemplate(t, file)
			names := []string{"Source", "Build", "Scan", "IntegrationTest", "Deploy-staging", "Approve-production", "Deploy-production"}
			switch file {
			case "examples/ecs-engine.yaml":
				names = []string{"Source", "Build", "Scan", "Deploy-staging", "Approve-production", "Deploy-production"}
			case "examples/adopt-rolling-service.yaml":
				names = []string{"Source", "Build", "Scan", "Deploy-test"}
			}
			stages := make([]any, len(names))
			for i, n := range names {
				stages[i] = like(obj{"Name": n})
			}
			cdktest.Assert(t, func() {
				tmpl.HasResourceProperties(jsii.String("AWS::CodePipeline::Pipeline"), obj{
					"PipelineType": "V2", "ExecutionMode": "QUEUED",
					"ArtifactStore": obj{"Type": "S3", "Location": assertions.Match_AnyValue(),
						"EncryptionKey": obj{"Type": "KMS", "Id": assertions.Match_AnyValue()}},
					"Stages": stages,
				})
			})
		})
	}
}

// Both projects encrypt with the artifact key; only the build, which runs Docker, is privileged.
func TestCodeBuildProjects(t *testing.T) {
	tmpl := pipelineTemplate(t, "delivery.yaml")
	projects := resources(t, tmpl, "AWS::CodeBuild::Project")
	if len(projects) != 5 {
		t.Fatalf("%d CodeBuild projects; want build, unit tests, scan, integration test and signature check", len(projects))
	}
	for _, p := range projects {
		props := p["Properties"].(obj)
		name := props["Name"].(string)
		privileged, _ := props["Environment"].(obj)["PrivilegedMode"].(bool)
		if privileged != (name == "orders-api-build") {
			t.Errorf("%s: privileged %v; want privileged only for the build", name, privileged)
		}
		if _, ok := props["EncryptionKey"]; !ok {
			t.Errorf("%s: no EncryptionKey", name)
		}
	}
	cdktest.Assert(t, func() {
		tmpl.HasResourceProperties(jsii.String("AWS::CodeBuild::Project"), obj{
			"Name":        "orders-api-build",
			"Environment": like(obj{"ComputeType": "BUILD_GENERAL1_MEDIUM", "Image": "aws/codebuild/standard:7.0", "Type": "LINUX_CONTAINER"}),
		})
		tmpl.HasResourceProperties(jsii.String("AWS::CodeBuild::Project"), obj{
			"Name":  "orders-api-scan",
			"Cache": obj{"Type": "S3", "Location": assertions.Match_AnyValue()},
		})
		tmpl.AllResourcesProperties(jsii.String("AWS::Logs::LogGroup"), obj{"RetentionInDays": 30})
	})
	arm := pipelineTemplate(t, "examples/cross-account.yaml")
	cdktest.Assert(t, func() {
		arm.HasResourceProperties(jsii.String("AWS::CodeBuild::Project"), obj{
			"Name":        "orders-api-prod-build",
			"Environment": like(obj{"ComputeType": "BUILD_GENERAL1_LARGE", "Type": "ARM_CONTAINER", "PrivilegedMode": true}),
		})
	})
}

// The buildspecs run exactly the scripts in scripts/, and publish their reports.
func TestBuildspecsRunTheScripts(t *testing.T) {
	tmpl := pipelineTemplate(t, "delivery.yaml")
	embedded := regexp.MustCompile(`echo ([A-Za-z0-9+/=]+) \| base64 -d > /tmp/([\w-]+\.sh)`)
	want := map[string]string{"build.sh": scripts.Build, "unit-test.sh": scripts.UnitTest, "scan.sh": scripts.Scan,
		"integration-test.sh": scripts.IntegrationTest, "verify-signature.sh": scripts.VerifySignature}
	found := map[string]bool{}
	for _, p := range resources(t, tmpl, "AWS::CodeBuild::Project") {
		spec := p["Properties"].(obj)["Source"].(obj)["BuildSpec"].(string)
		for _, m := range embedded.FindAllStringSubmatch(spec, -1) {
			got, err := base64.StdEncoding.DecodeString(m[1])
			if err != nil {
				t.Errorf("%s in the buildspec is not base64: %v", m[2], err)
			} else if string(got) != want[m[2]] {
				t.Errorf("%s in the buildspec differs from scripts/%s", m[2], m[2])
			}
			found[m[2]] = true
		}
		reports := strings.Contains(spec, "unit-test.sh") || strings.Contains(spec, "scan.sh")
		if reports != strings.Contains(spec, "file-format: JUNITXML") {
			t.Errorf("a buildspec publishes a JUnit report %v; want one for the unit tests and the scan only:\n%s", !reports, spec[len(spec)-300:])
		}
	}
	if len(found) != 5 {
		t.Errorf("scripts found in buildspecs: %v; want build.sh, unit-test.sh, scan.sh, integration-test.sh and verify-signature.sh", found)
	}
}

// No PLAINTEXT variable carries a secret: the OAuth token stays a dynamic reference in the
// source action, and service secrets reach tasks as Parameter Store ARNs only.
func TestNoSecretInPlaintextVariables(t *testing.T) {
	for _, file := range shipped {
		t.Run(file, func(t *testing.T) {
			tmpl := pipelineTemplate(t, file)
			for _, p := range resources(t, tmpl, "AWS::CodeBuild::Project") {
				vars := p["Properties"].(obj)["Environment"].(obj)["EnvironmentVariables"].([]any)
				for _, v := range vars {
					v := v.(obj)
					data, _ := json.Marshal(v["Value"])
					if v["Type"] != "PLAINTEXT" {
						continue
					}
					if strings.Contains(string(data), "resolve:secretsmanager") {
						t.Errorf("%s: PLAINTEXT variable %s = %s; want no Secrets Manager reference in plain text", file, v["Name"], data)
					}
					if regexp.MustCompile(`(?i)token|password|secret`).MatchString(v["Name"].(string)) {
						t.Errorf("%s: PLAINTEXT variable %s = %s; want a variable named like a secret in Parameter Store", file, v["Name"], data)
					}
				}
			}
		})
	}
	tmpl := pipelineTemplate(t, "examples/import-existing.yaml")
	cdktest.Assert(t, func() {
		tmpl.HasResourceProperties(jsii.String("AWS::CodePipeline::Pipeline"), obj{
			"Stages": arrayWith(like(obj{"Name": "Source", "Actions": []any{like(obj{
				"ActionTypeId":  like(obj{"Provider": "GitHub", "Owner": "ThirdParty"}),
				"Configuration": like(obj{"OAuthToken": "{{resolve:secretsmanager:github-oauth-token:SecretString:::}}"}),
			})}})),
		})
	})
}

func TestTriggers(t *testing.T) {
	demo := pipelineTemplate(t, "delivery.yaml")
	cdktest.Assert(t, func() {
		demo.HasResourceProperties(jsii.String("AWS::CodeConnections::Connection"), obj{"ConnectionName": "orders-api", "ProviderType": "GitHub"})
		demo.HasResourceProperties(jsii.String("AWS::CodePipeline::Pipeline"), obj{
			"Triggers": []any{obj{
				"ProviderType": "CodeStarSourceConnection",
				"GitConfiguration": obj{
					"SourceActionName": "GitHub",
					"Push": []any{obj{
						"Branches":  obj{"Includes": []any{"main"}},
						"FilePaths": obj{"Includes": []any{"src/**", "Dockerfile"}},
					}},
				},
			}},
			"Stages": arrayWith(like(obj{"Name": "Source", "Actions": []any{like(obj{
				"ActionTypeId":  like(obj{"Provider": "CodeStarSourceConnection"}),
				"Configuration": like(obj{"BranchName": "main", "FullRepositoryId": "acme/orders-api", "DetectChanges": false}),
			})}})),
		})
	})
	cross := pipelineTemplate(t, "examples/cross-account.yaml")
	cdktest.Assert(t, func() {
		cross.ResourceCountIs(jsii.String("AWS::CodeConnections::Connection"), jsii.Number(0))
		cross.HasResourceProperties(jsii.String("AWS::CodePipeline::Pipeline"), obj{
			"Stages": arrayWith(like(obj{"Name": "Source", "Actions": []any{like(obj{"Configuration": like(obj{
				"ConnectionArn": "arn:aws:codeconnections:us-east-1:111111111111:connection/4f9b6c2e-8d3a-4b7e-9c1f-2a6d8e0b5c47",
			})})}})),
		})
		// The pipeline role uses that connection, under both service prefixes, and assumes the
		// two deploy roles by name, nothing else.
		cross.HasResourceProperties(jsii.String("AWS::IAM::Policy"), obj{"PolicyDocument": like(obj{"Statement": arrayWith(
			like(obj{"Sid": "UseTheConnection", "Action": []any{"codeconnections:UseConnection", "codestar-connections:UseConnection"},
				"Resource": "arn:aws:codeconnections:us-east-1:111111111111:connection/4f9b6c2e-8d3a-4b7e-9c1f-2a6d8e0b5c47"}),
			like(obj{"Action": "sts:AssumeRole", "Resource": []any{
				"arn:aws:iam::222222222222:role/orders-api-staging-prod-deploy", "arn:aws:iam::333333333333:role/orders-api-production-prod-deploy"}}),
		)})})
	})
	// The legacy OAuth source: GitHub's pushes to the branch arrive by a webhook signed with a
	// generated secret, not with the OAuth token.
	legacy := pipelineTemplate(t, "examples/import-existing.yaml")
	secret := logicalID(t, legacy, "AWS::SecretsManager::Secret", "Description", "Signs GitHub's push deliveries to the pipeline orders-api")
	cdktest.Assert(t, func() {
		legacy.HasResourceProperties(jsii.String("AWS::CodePipeline::Pipeline"), obj{
			"Triggers": assertions.Match_Absent(),
			"Stages": arrayWith(like(obj{"Name": "Source", "Actions": []any{like(obj{
				"ActionTypeId":  like(obj{"Provider": "GitHub", "Owner": "ThirdParty"}),
				"Configuration": like(obj{"Branch": "main", "PollForSourceChanges": false}),
			})}})),
		})
		legacy.ResourceCountIs(jsii.String("AWS::CodePipeline::Webhook"), jsii.Number(1))
		legacy.HasResourceProperties(jsii.String("AWS::CodePipeline::Webhook"), obj{
			"Authentication": "GITHUB_HMAC",
			"AuthenticationConfiguration": obj{"SecretToken": obj{"Fn::Join": []any{"", arrayWith(
				"{{resolve:secretsmanager:", obj{"Ref": secret})}}},
			"Filters":                []any{obj{"JsonPath": "$.ref", "MatchEquals": "refs/heads/{Branch}"}},
			"TargetAction":           "GitHub",
			"TargetPipeline":         obj{"Ref": logicalID(t, legacy, "AWS::CodePipeline::Pipeline", "Name", "orders-api")},
			"RegisterWithThirdParty": true,
		})
		legacy.HasResourceProperties(jsii.String("AWS::SecretsManager::Secret"), obj{
			"GenerateSecretString": obj{"PasswordLength": 64, "ExcludePunctuation": true},
			"KmsKeyId":             assertions.Match_AnyValue(),
		})
	})
	data, _ := json.Marshal(legacy.ToJSON())
	if n := strings.Count(string(data), "github-oauth-token"); n != 1 {
		t.Errorf("the OAuth token's secret is referenced %d times; want once, by the source action alone", n)
	}
}

// The build hands CodeDeploy one task definition per environment, naming that environment's
// family, roles and log group in its own account, with the image left to CodeDeploy.
func TestTaskDefinitionsForEachEnvironment(t *testing.T) {
	tmpl := pipelineTemplate(t, "examples/cross-account.yaml")
	var vars []any
	for _, p := range resources(t, tmpl, "AWS::CodeBuild::Project") {
		if p["Properties"].(obj)["Name"] == "orders-api-prod-build" {
			vars = p["Properties"].(obj)["Environment"].(obj)["EnvironmentVariables"].([]any)
		}
	}
	values := map[string]any{}
	for _, v := range vars {
		values[v.(obj)["Name"].(string)] = v.(obj)["Value"]
	}
	for name, want := range map[string]string{"DEPLOY_ENVIRONMENTS": "staging production", "PORT_0": "8080", "CONTAINER_NAME": "app"} {
		if values[name] != want {
			t.Errorf("variable %s = %v; want %q", name, values[name], want)
		}
	}
	for i, env := range []struct{ name, account, cpu string }{{"staging", "222222222222", "1024"}, {"production", "333333333333", "2048"}} {
		t.Run(env.name, func(t *testing.T) {
			b64, ok := values["TASKDEF_"+string(rune('0'+i))].(obj)["Fn::Base64"].(string)
			if !ok {
				t.Fatalf("TASKDEF_%d is not an Fn::Base64 of a literal: %v", i, values["TASKDEF_"+string(rune('0'+i))])
			}
			var td struct {
				Family, ExecutionRoleArn, TaskRoleArn, Cpu string
				ContainerDefinitions                       []struct {
					Name, Image      string
					PortMappings     []struct{ ContainerPort int }
					Environment      []struct{ Name, Value string }
					Secrets          []struct{ Name, ValueFrom string }
					LogConfiguration struct {
						Options map[string]string
					}
				}
			}
			if err := json.Unmarshal([]byte(b64), &td); err != nil {
				t.Fatalf("taskdef of %s: %v\n%s", env.name, err, b64)
			}
			name := "orders-api-" + env.name + "-prod"
			if td.Family != name {
				t.Errorf("family %q; want %q", td.Family, name)
			}
			if td.Cpu != env.cpu {
				t.Errorf("cpu %q; want %q", td.Cpu, env.cpu)
			}
			if want := "arn:aws:iam::" + env.account + ":role/" + name + "-execution"; td.ExecutionRoleArn != want {
				t.Errorf("execution role %q; want %q", td.ExecutionRoleArn, want)
			}
			if want := "arn:aws:iam::" + env.account + ":role/" + name + "-task"; td.TaskRoleArn != want {
				t.Errorf("task role %q; want %q", td.TaskRoleArn, want)
			}
			if len(td.ContainerDefinitions) == 0 {
				t.Fatalf("no container definitions: %+v", td)
			}
			c := td.ContainerDefinitions[0]
			if c.Name != "app" {
				t.Errorf("container %q; want app", c.Name)
			}
			if c.Image != "<IMAGE1_NAME>" {
				t.Errorf("image %q; want <IMAGE1_NAME>, for CodeDeploy to fill", c.Image)
			}
			if len(c.PortMappings) == 0 || c.PortMappings[0].ContainerPort != 8080 {
				t.Errorf("port mappings %+v; want container port 8080 first", c.PortMappings)
			}
			if got, want := c.LogConfiguration.Options["awslogs-group"], "/ecsdelivery/"+name; got != want {
				t.Errorf("log group %q; want %q", got, want)
			}
			if want := "arn:aws:ssm:us-east-1:" + env.account + ":parameter/orders-api/db-password"; len(c.Secrets) == 0 || c.Secrets[0].ValueFrom != want {
				t.Errorf("secrets %+v; want the first from %s", c.Secrets, want)
			}
		})
	}
}
