package app

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/ecsdelivery/ecsdelivery/internal/cdktest"
	"github.com/ecsdelivery/ecsdelivery/spec"
)

// The unit tests run the repository's code and its test dependencies, which the pipeline does
// not trust: their project is unprivileged, and its role reads the source archives and writes
// its logs and reports, nothing else.
func TestUnitTestsRunWithoutReleaseCredentials(t *testing.T) {
	for _, file := range []string{"delivery.yaml", "examples/cross-account.yaml"} {
		t.Run(file, func(t *testing.T) {
			s := synth(t, file)
			tmpl := s.templates[*s.delivery.Pipeline.StackName()]
			pipeline := strings.Replace(*s.delivery.Pipeline.StackName(), "-pipeline", "", 1) // app and suffix
			statements, managed := roleStatements(t, tmpl, pipeline+"-pipeline-unit-test")
			if len(managed) > 0 {
				t.Errorf("managed policies on the unit-test role: %v", managed)
			}
			sids := []string{}
			for _, st := range statements {
				sids = append(sids, fmt.Sprint(st["Sid"]))
				for _, a := range strs(st["Action"]) {
					if strings.HasPrefix(a, "ecr:") || strings.HasPrefix(a, "s3:Put") || strings.HasPrefix(a, "s3:Delete") ||
						strings.HasPrefix(a, "s3:Abort") || strings.HasSuffix(a, "*") || a == "sts:AssumeRole" || a == "kms:GenerateDataKey" {
						t.Errorf("the unit-test role may %s (%s)", a, st["Sid"])
					}
				}
			}
			want := []string{"DecryptTheSource", "ReadTheSource", "WriteItsLogs", "WriteItsReports"}
			if strings.Contains(file, "cross-account") {
				want = append(want, "DecryptBuildSecrets", "ReadBuildSecrets")
			}
			slices.Sort(sids)
			slices.Sort(want)
			if !slices.Equal(sids, want) {
				t.Errorf("unit-test role statements %v; want %v", sids, want)
			}
			for _, st := range statements {
				if st["Sid"] == "ReadTheSource" && !strings.Contains(asJSON(st["Resource"]), `"/`+pipeline+`/Source/*"`) {
					t.Errorf("the unit-test role reads %s; want the source archives only", asJSON(st["Resource"]))
				}
			}
			cdktest.Assert(t, func() {
				tmpl.HasResourceProperties(jsii.String("AWS::CodeBuild::Project"), obj{
					"Name": pipeline + "-unit-test", "Environment": like(obj{"PrivilegedMode": false}),
				})
				// Side by side with the image build: the same run order in the Build stage.
				tmpl.HasResourceProperties(jsii.String("AWS::CodePipeline::Pipeline"), obj{"Stages": arrayWith(like(obj{
					"Name": "Build", "Actions": []any{
						like(obj{"Name": "Image", "RunOrder": 1, "Configuration": like(obj{"ProjectName": obj{"Ref": assertions.Match_AnyValue()}})}),
						like(obj{"Name": "UnitTests", "RunOrder": 1, "InputArtifacts": []any{obj{"Name": "Source"}}}),
					},
				}))})
			})
			// The image build runs no test command, and builds with the pinned builder.
			for _, p := range resources(t, tmpl, "AWS::CodeBuild::Project") {
				props := p["Properties"].(obj)
				env := asJSON(props["Environment"])
				if props["Name"] == pipeline+"-build" {
					if strings.Contains(env, "UNIT_TEST_COMMAND") {
						t.Error("the image build is given the unit-test command")
					}
					if !strings.Contains(env, `{"Name":"BUILDER_IMAGE","Type":"PLAINTEXT","Value":"`+spec.DefaultBuilderImage+`"}`) {
						t.Errorf("the image build's builder is not the pinned default: %s", env)
					}
				}
			}
		})
	}
}

// Only the build role (and the deploy marker, which re-tags what the build pushed) may write to
// the repository, whatever other principals' own policies allow.
func TestOnlyThePipelinePushes(t *testing.T) {
	tmpl := pipelineTemplate(t, "delivery.yaml")
	build := logicalID(t, tmpl, "AWS::IAM::Role", "RoleName", "orders-api-pipeline-build")
	marker := logicalID(t, tmpl, "AWS::IAM::Role", "RoleName", "orders-api-mark-deployed")
	cdktest.Assert(t, func() {
		tmpl.HasResourceProperties(jsii.String("AWS::ECR::Repository"), obj{"RepositoryPolicyText": like(obj{"Statement": arrayWith(obj{
			"Sid": "OnlyThePipelinePushes", "Effect": "Deny", "Principal": obj{"AWS": "*"},
			"Action": []any{"ecr:CompleteLayerUpload", "ecr:InitiateLayerUpload", "ecr:PutImage", "ecr:UploadLayerPart"},
			"Condition": obj{"ArnNotEquals": obj{"aws:PrincipalArn": []any{
				obj{"Fn::GetAtt": []any{build, "Arn"}}, obj{"Fn::GetAtt": []any{marker, "Arn"}}}}},
		})})})
	})
}

// Only the scan role may write or delete where the verified Trivy and its database are cached.
func TestOnlyTheScanWritesItsCache(t *testing.T) {
	tmpl := pipelineTemplate(t, "delivery.yaml")
	scan := logicalID(t, tmpl, "AWS::IAM::Role", "RoleName", "orders-api-pipeline-scan")
	cdktest.Assert(t, func() {
		tmpl.HasResourceProperties(jsii.String("AWS::S3::BucketPolicy"), obj{"PolicyDocument": like(obj{"Statement": arrayWith(like(obj{
			"Sid": "OnlyTheScanWritesItsCache", "Effect": "Deny", "Principal": obj{"AWS": "*"},
			"Action":    arrayWith("s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutObject"),
			"Resource":  obj{"Fn::Join": []any{"", []any{obj{"Fn::GetAtt": []any{assertions.Match_AnyValue(), "Arn"}}, "/trivy-cache*"}}},
			"Condition": obj{"ArnNotEquals": obj{"aws:PrincipalArn": obj{"Fn::GetAtt": []any{scan, "Arn"}}}},
		}))})})
		tmpl.HasResourceProperties(jsii.String("AWS::CodeBuild::Project"), obj{
			"Name": "orders-api-scan", "Cache": obj{"Type": "S3", "Location": obj{"Fn::Join": []any{"/", []any{obj{"Ref": assertions.Match_AnyValue()}, "trivy-cache"}}}},
		})
	})
}

// A service that assumes one of our roles may do so only for this account's own resources
// (aws:SourceAccount and aws:SourceArn), so no other customer's resource of that service can
// act with it. Lambda and CodePipeline document no such keys for the roles they assume; a
// condition there could lock them out, so they alone go without.
func TestServicesAssumeRolesOnlyForTheirOwnResources(t *testing.T) {
	for _, file := range shipped {
		t.Run(file, func(t *testing.T) {
			for stack, tmpl := range synth(t, file).templates {
				t.Run(stack, func(t *testing.T) {
					for id, r := range resources(t, tmpl, "AWS::IAM::Role") {
						for _, st := range r["Properties"].(obj)["AssumeRolePolicyDocument"].(obj)["Statement"].([]any) {
							st := st.(obj)
							principal, _ := st["Principal"].(obj)
							service, ok := principal["Service"].(string)
							if !ok {
								continue
							}
							cond := asJSON(st["Condition"])
							// ECS (its engine's shift and hook roles) and CloudFormation (a stack's
							// service role) document no such keys either.
							if service == "lambda.amazonaws.com" || service == "codepipeline.amazonaws.com" ||
								service == "ecs.amazonaws.com" || service == "cloudformation.amazonaws.com" {
								if cond != "null" {
									t.Errorf("%s %s: %s trust has a condition the service does not document: %s", stack, id, service, cond)
								}
								continue
							}
							if !strings.Contains(cond, `"aws:SourceAccount"`) {
								t.Errorf("%s %s: %s may assume it for any account's resources (condition %s; want aws:SourceAccount)", stack, id, service, cond)
							}
							if !strings.Contains(cond, `"aws:SourceArn"`) {
								t.Errorf("%s %s: %s may assume it for any resource of the account (condition %s; want aws:SourceArn)", stack, id, service, cond)
							}
						}
					}
				})
			}
		})
	}
}

// The health-check path reaches the test task's shell as a variable, never as shell text, and
// the test container has its own time limit.
func TestTestTaskTakesTheHealthPathAsData(t *testing.T) {
	tmpl := synthYAML(t, "health-query.yaml", `app: shop
source: {owner: acme, repo: shop}
integrationTest: {command: [make, it], timeoutMinutes: 20}
service: {healthCheckPath: "/orders?limit=1&x=2"}
environments: [{name: staging}]
`).templates["shop-staging"]
	cdktest.Assert(t, func() {
		tmpl.HasResourceProperties(jsii.String("AWS::ECS::TaskDefinition"), obj{
			"Family": "shop-staging-it",
			"ContainerDefinitions": []any{
				like(obj{
					"Name":        "app",
					"Environment": arrayWith(obj{"Name": "ECSDELIVERY_HEALTH_URL", "Value": "http://localhost:8080/orders?limit=1&x=2"}),
					"HealthCheck": like(obj{"Command": []any{"CMD-SHELL",
						`wget -q -O /dev/null "$ECSDELIVERY_HEALTH_URL" || curl -fsS -o /dev/null "$ECSDELIVERY_HEALTH_URL"`}}),
				}),
				like(obj{"Name": "test", "Command": []any{"timeout", "-s", "TERM", "1200", "make", "it"}}),
			},
		})
	})
}

// Events the notifier fails to handle are kept in a queue that an alarm watches.
func TestNotifierKeepsWhatItCouldNotHandle(t *testing.T) {
	tmpl := pipelineTemplate(t, "delivery.yaml")
	queue := logicalID(t, tmpl, "AWS::SQS::Queue", "QueueName", "orders-api-notifier-dead-letters")
	dlq := obj{"Arn": obj{"Fn::GetAtt": []any{queue, "Arn"}}}
	cdktest.Assert(t, func() {
		tmpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), obj{"FunctionName": "orders-api-notifier",
			"DeadLetterConfig": obj{"TargetArn": obj{"Fn::GetAtt": []any{queue, "Arn"}}}})
		tmpl.HasResourceProperties(jsii.String("AWS::Events::Rule"), obj{"Targets": []any{like(obj{"DeadLetterConfig": dlq})}})
		tmpl.HasResourceProperties(jsii.String("AWS::CloudWatch::Alarm"), obj{
			"MetricName": "ApproximateNumberOfMessagesVisible", "Namespace": "AWS/SQS", "Threshold": 1,
			"Dimensions":   []any{obj{"Name": "QueueName", "Value": obj{"Fn::GetAtt": []any{queue, "QueueName"}}}},
			"AlarmActions": assertions.Match_AnyValue(),
		})
	})
}

// The deploy roles read the deploy artifacts and nothing else of the bucket, whatever other
// grants name them (CDK's CodeDeploy action grants its role the whole bucket).
func TestDeployRolesReadOnlyDeployArtifacts(t *testing.T) {
	tmpl := pipelineTemplate(t, "examples/cross-account.yaml")
	cdktest.Assert(t, func() {
		tmpl.HasResourceProperties(jsii.String("AWS::S3::BucketPolicy"), obj{"PolicyDocument": like(obj{"Statement": arrayWith(obj{
			"Sid": "DeployRolesReadOnlyDeployArtifacts", "Effect": "Deny",
			"Principal": obj{"AWS": []any{"arn:aws:iam::222222222222:role/orders-api-staging-prod-deploy",
				"arn:aws:iam::333333333333:role/orders-api-production-prod-deploy"}},
			"Action":      []any{"s3:GetObject", "s3:GetObjectAttributes", "s3:GetObjectVersion", "s3:GetObjectVersionAttributes"},
			"NotResource": obj{"Fn::Join": []any{"", []any{obj{"Fn::GetAtt": []any{assertions.Match_AnyValue(), "Arn"}}, "/orders-api-prod/Deploy/*"}}},
		})})})
	})
}

// Build and Scan retry their failed actions once, automatically; the IntegrationTest stage never
// does (a failing test must not pass on its second try), and the deployments roll back.
func TestStagesRetryOnlyWhereHarmless(t *testing.T) {
	tmpl := pipelineTemplate(t, "delivery.yaml")
	retry := obj{"Result": "RETRY", "RetryConfiguration": obj{"RetryMode": "FAILED_ACTIONS"}}
	for _, stage := range []struct {
		name      string
		onFailure any
	}{
		{"Build", retry}, {"Scan", retry}, {"IntegrationTest", assertions.Match_Absent()},
		{"Deploy-staging", obj{"Result": "ROLLBACK"}},
	} {
		t.Run(stage.name, func(t *testing.T) {
			cdktest.Assert(t, func() {
				tmpl.HasResourceProperties(jsii.String("AWS::CodePipeline::Pipeline"), obj{"Stages": arrayWith(
					like(obj{"Name": stage.name, "OnFailure": stage.onFailure}))})
			})
		})
	}
}

// A config with the integration test's own image: the build is told to make it, the test
// project where to find it, and nothing else sees it.
const testImageConfig = `app: shop
source: {owner: acme, repo: shop}
integrationTest:
  command: [make, it]
  image: {target: integration}
environments: [{name: staging}, {name: production, approval: true}]
notifications: {emails: [ops@acme.example]}
`

func TestTheTestImageIsBuiltAndRunOnlyByTheTest(t *testing.T) {
	tmpl := synthYAML(t, "test-image.yaml", testImageConfig).templates["shop-pipeline"]
	cdktest.Assert(t, func() {
		tmpl.HasResourceProperties(jsii.String("AWS::CodeBuild::Project"), obj{"Name": "shop-build", "Environment": like(obj{
			"EnvironmentVariables": arrayWith(
				obj{"Name": "TEST_DOCKERFILE", "Type": "PLAINTEXT", "Value": "Dockerfile"},
				obj{"Name": "TEST_TARGET", "Type": "PLAINTEXT", "Value": "integration"}),
		})})
		tmpl.HasResourceProperties(jsii.String("AWS::CodeBuild::Project"), obj{"Name": "shop-integration-test", "Environment": like(obj{
			"EnvironmentVariables": arrayWith(obj{"Name": "TEST_IMAGE_DETAIL", "Type": "PLAINTEXT", "Value": "testImageDetail.json"}),
		})})
		tmpl.HasResourceProperties(jsii.String("AWS::ECR::Repository"), obj{"LifecyclePolicy": obj{
			"LifecyclePolicyText": assertions.Match_StringLikeRegexp(jsii.String(`"tagPrefixList":\["it-"\],"countType":"imageCountMoreThan","countNumber":10`)),
		}})
	})
	// The demo has no test image: no variable names one.
	for _, p := range resources(t, pipelineTemplate(t, "delivery.yaml"), "AWS::CodeBuild::Project") {
		if env := asJSON(p["Properties"].(obj)["Environment"]); strings.Contains(env, `"Name":"TEST_`) {
			t.Errorf("%v: a test-image variable without a test image: %s", p["Properties"].(obj)["Name"], env)
		}
	}
}

// The deploy marker may read and put images of this repository, write its logs and report its
// job, nothing more: no delete, no other repository, no tag it could not already push.
func TestDeployMarkerIsConfinedToTagging(t *testing.T) {
	tmpl := pipelineTemplate(t, "delivery.yaml")
	statements, managed := roleStatements(t, tmpl, "orders-api-mark-deployed")
	if len(managed) > 0 {
		t.Errorf("managed policies on the deploy marker's role: %v", managed)
	}
	var actions []string
	repository := logicalID(t, tmpl, "AWS::ECR::Repository", "RepositoryName", "orders-api")
	for _, st := range statements {
		actions = append(actions, strs(st["Action"])...)
		if st["Sid"] == "TagDeployedImages" && asJSON(st["Resource"]) != asJSON(obj{"Fn::GetAtt": []any{repository, "Arn"}}) {
			t.Errorf("the deploy marker tags images of %s; want only the pipeline's repository", asJSON(st["Resource"]))
		}
	}
	slices.Sort(actions)
	want := []string{"codepipeline:PutJobFailureResult", "codepipeline:PutJobSuccessResult", "ecr:BatchGetImage", "ecr:PutImage",
		"logs:CreateLogStream", "logs:PutLogEvents"}
	if !slices.Equal(actions, want) {
		t.Errorf("deploy marker actions %v; want %v", actions, want)
	}
}

// A builder mirrored into ECR is pulled by the build role from that one repository.
func TestAMirroredBuilderIsPulledFromItsRepository(t *testing.T) {
	digest := strings.Repeat("ab", 32)
	tmpl := synthYAML(t, "mirrored-builder.yaml", `app: shop
source: {owner: acme, repo: shop}
build: {builderImage: "222222222222.dkr.ecr.eu-west-1.amazonaws.com/mirror/buildkit:v0.29.0@sha256:`+digest+`"}
environments: [{name: staging}]
`).templates["shop-pipeline"]
	statements, _ := roleStatements(t, tmpl, "shop-pipeline-build")
	var pull []obj
	for _, st := range statements {
		if st["Sid"] == "PullTheBuilder" {
			pull = append(pull, st)
		}
	}
	if len(pull) != 1 {
		t.Fatalf("%d PullTheBuilder statements; want 1", len(pull))
	}
	if got := asJSON(pull[0]["Resource"]); !strings.Contains(got, `:ecr:eu-west-1:222222222222:repository/mirror/buildkit"`) {
		t.Errorf("the builder is pulled from %s; want the mirror's repository only", got)
	}
	if got := strs(pull[0]["Action"]); !slices.Equal(got, []string{"ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"}) {
		t.Errorf("builder pull actions %v; want the three pull actions", got)
	}
}
