package app

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/ecsdelivery/ecsdelivery/internal/cdktest"
)

func TestIntegrationTestStage(t *testing.T) {
	tmpl := pipelineTemplate(t, "examples/cross-account.yaml")
	cdktest.Assert(t, func() {
		tmpl.HasResourceProperties(jsii.String("AWS::CodePipeline::Pipeline"), obj{"Stages": arrayWith(
			stage("IntegrationTest", obj{"ActionTypeId": like(obj{"Provider": "CodeBuild"}), "InputArtifacts": []any{obj{"Name": "Deploy"}}}),
		)})
		tmpl.HasResourceProperties(jsii.String("AWS::CodeBuild::Project"), obj{
			"Name": "orders-api-prod-integration-test",
			"Environment": like(obj{"PrivilegedMode": false, "EnvironmentVariables": arrayWith(
				obj{"Name": "CLUSTER", "Type": "PLAINTEXT", "Value": "orders-api-staging-prod"},
				obj{"Name": "DEPLOY_ROLE_ARN", "Type": "PLAINTEXT", "Value": "arn:aws:iam::222222222222:role/orders-api-staging-prod-deploy"},
				obj{"Name": "FAMILY", "Type": "PLAINTEXT", "Value": "orders-api-staging-prod-it"},
				obj{"Name": "NETWORK_PARAMETER", "Type": "PLAINTEXT", "Value": "/ecsdelivery/orders-api-staging-prod/integration-test"},
				obj{"Name": "TIMEOUT_SECONDS", "Type": "PLAINTEXT", "Value": "1200"},
			)}),
		})
		tmpl.HasResourceProperties(jsii.String("AWS::IAM::Role"), obj{"RoleName": "orders-api-prod-pipeline-it"})
		tmpl.HasResourceProperties(jsii.String("AWS::IAM::Policy"), obj{"PolicyDocument": like(obj{"Statement": arrayWith(like(obj{
			"Sid": "AssumeTheTargetDeployRole", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::222222222222:role/orders-api-staging-prod-deploy",
		}))})})
	})
	// The environment that runs the test owns the task's template, roles and log group.
	staging := synth(t, "examples/cross-account.yaml").templates["orders-api-staging-prod"]
	cdktest.Assert(t, func() {
		staging.HasResourceProperties(jsii.String("AWS::ECS::TaskDefinition"), obj{
			"Family": "orders-api-staging-prod-it",
			"ContainerDefinitions": []any{
				like(obj{"Name": "app", "Essential": true, "HealthCheck": like(obj{
					"Command": []any{"CMD-SHELL", `wget -q -O /dev/null "$ECSDELIVERY_HEALTH_URL" || curl -fsS -o /dev/null "$ECSDELIVERY_HEALTH_URL"`},
				}), "LogConfiguration": like(obj{"Options": like(obj{"awslogs-stream-prefix": "it"})}),
					"Environment": arrayWith(obj{"Name": "ECSDELIVERY_HEALTH_URL", "Value": "http://localhost:8080/health"})}),
				like(obj{"Name": "test", "Essential": true, "Command": []any{"timeout", "-s", "TERM", "1200", "npm", "run", "test:integration"},
					"DependsOn":   []any{obj{"Condition": "HEALTHY", "ContainerName": "app"}},
					"Environment": []any{obj{"Name": "APP_URL", "Value": "http://localhost:8080"}}}),
			},
		})
		staging.HasResourceProperties(jsii.String("AWS::SSM::Parameter"), obj{"Name": "/ecsdelivery/orders-api-staging-prod/integration-test", "Type": "String"})
		staging.HasResourceProperties(jsii.String("AWS::IAM::Policy"), obj{"PolicyDocument": like(obj{"Statement": arrayWith(like(obj{
			"Sid": "ReadIntegrationTestNetwork", "Action": "ssm:GetParameter",
			"Resource": "arn:aws:ssm:us-east-1:222222222222:parameter/ecsdelivery/orders-api-staging-prod/integration-test",
		}))})})
	})
	if n := len(resources(t, synth(t, "examples/cross-account.yaml").templates["orders-api-production-prod"], "AWS::ECS::TaskDefinition")); n != 1 {
		t.Errorf("production has %d task definitions; want only the service's (the test runs in staging)", n)
	}
}

// Each Deploy stage first marks the image it deploys (so the lifecycle keeps it), then deploys
// it blue/green as the environment's deploy role, and rolls the stage back on failure.
func TestDeployStagesRunAsTheTargetDeployRole(t *testing.T) {
	tmpl := pipelineTemplate(t, "examples/cross-account.yaml")
	for _, env := range []struct{ name, account string }{{"staging", "222222222222"}, {"production", "333333333333"}} {
		t.Run(env.name, func(t *testing.T) {
			name := "orders-api-" + env.name + "-prod"
			cdktest.Assert(t, func() {
				tmpl.HasResourceProperties(jsii.String("AWS::CodePipeline::Pipeline"), obj{"Stages": arrayWith(like(obj{
					"Name": "Deploy-" + env.name,
					"Actions": []any{like(obj{
						// Nothing is marked or deployed before its signature is verified.
						"Name": "VerifySignature", "RunOrder": 1,
						"ActionTypeId":   like(obj{"Category": "Build", "Provider": "CodeBuild"}),
						"InputArtifacts": []any{obj{"Name": "Deploy"}},
						"Configuration": like(obj{"ProjectName": obj{"Ref": assertions.Match_StringLikeRegexp(jsii.String("VerifySignature"))},
							"EnvironmentVariables": `[{"name":"ENVIRONMENT","type":"PLAINTEXT","value":"` + env.name + `"}]`}),
					}), like(obj{
						"Name": "MarkDeployed", "RunOrder": 2,
						"ActionTypeId":   like(obj{"Category": "Invoke", "Provider": "Lambda"}),
						"InputArtifacts": []any{obj{"Name": "Deploy"}},
						"Configuration":  obj{"FunctionName": obj{"Ref": assertions.Match_StringLikeRegexp(jsii.String("DeployMarker"))}, "UserParameters": `{"environment":"` + env.name + `"}`},
					}), like(obj{
						"Name": "BlueGreen", "RunOrder": 3,
						"ActionTypeId": like(obj{"Category": "Deploy", "Provider": "CodeDeployToECS"}),
						"RoleArn":      "arn:aws:iam::" + env.account + ":role/" + name + "-deploy",
						"Configuration": obj{
							"ApplicationName": name, "DeploymentGroupName": name,
							"TaskDefinitionTemplateArtifact": "Deploy", "TaskDefinitionTemplatePath": "taskdef-" + env.name + ".json",
							"AppSpecTemplateArtifact": "Deploy", "AppSpecTemplatePath": "appspec-" + env.name + ".yaml",
							"Image1ArtifactName": "Deploy", "Image1ContainerName": "IMAGE1_NAME",
						},
					})},
					"OnFailure": obj{"Result": "ROLLBACK"},
				}))})
			})
		})
	}
}

func TestApprovalNotifiesAnEncryptedTopic(t *testing.T) {
	tmpl := pipelineTemplate(t, "examples/cross-account.yaml")
	cdktest.Assert(t, func() {
		tmpl.HasResourceProperties(jsii.String("AWS::SNS::Topic"), obj{"TopicName": "orders-api-prod-notifications", "KmsMasterKeyId": assertions.Match_AnyValue()})
		tmpl.ResourcePropertiesCountIs(jsii.String("AWS::SNS::Subscription"), obj{"Protocol": "email"}, jsii.Number(2))
		tmpl.HasResourceProperties(jsii.String("AWS::SNS::TopicPolicy"), obj{"PolicyDocument": like(obj{"Statement": arrayWith(like(obj{
			"Effect": "Deny", "Condition": obj{"Bool": obj{"aws:SecureTransport": "false"}},
		}))})})
		tmpl.HasResourceProperties(jsii.String("AWS::CodePipeline::Pipeline"), obj{"Stages": arrayWith(
			stage("Source", obj{"Namespace": "SourceVariables"}),
			like(obj{"Name": "Build", "Actions": arrayWith(like(obj{"Namespace": "BuildVariables"}), like(obj{"Namespace": "UnitTestVariables"}))}),
			stage("Scan", obj{"Namespace": "ScanVariables"}),
			stage("Approve-production", obj{
				"ActionTypeId": like(obj{"Category": "Approval", "Provider": "Manual"}),
				"Configuration": obj{
					"NotificationArn": obj{"Ref": assertions.Match_StringLikeRegexp(jsii.String("NotificationTopic"))},
					"CustomData": "Release commit #{SourceVariables.CommitId} of orders-api-prod to production? It passed the build, unit tests, scan " +
						"and integration tests. Scan report and SBOM at the link; unit tests: https://us-east-1.console.aws.amazon.com/codesuite/codebuild/" +
						"projects/orders-api-prod-unit-test/build/#{UnitTestVariables.BUILD_ID}/?region=us-east-1",
					"ExternalEntityLink": "https://us-east-1.console.aws.amazon.com/codesuite/codebuild/projects/orders-api-prod-scan/build/" +
						"#{ScanVariables.BUILD_ID}/?region=us-east-1",
				},
			}),
		)})
	})
}

// Another account reads artifacts and pulls images through resource policies that name its
// roles; no resource policy grants a whole account.
func TestCrossAccountResourcePolicies(t *testing.T) {
	tmpl := pipelineTemplate(t, "examples/cross-account.yaml")
	deployRoles := []any{"arn:aws:iam::222222222222:role/orders-api-staging-prod-deploy", "arn:aws:iam::333333333333:role/orders-api-production-prod-deploy"}
	cdktest.Assert(t, func() {
		tmpl.HasResourceProperties(jsii.String("AWS::KMS::Key"), obj{"KeyPolicy": like(obj{"Statement": arrayWith(like(obj{
			"Action": []any{"kms:Decrypt", "kms:DescribeKey"}, "Effect": "Allow", "Principal": obj{"AWS": deployRoles},
		}))})})
		tmpl.HasResourceProperties(jsii.String("AWS::S3::BucketPolicy"), obj{"PolicyDocument": like(obj{"Statement": arrayWith(like(obj{
			"Effect": "Allow", "Principal": obj{"AWS": deployRoles}, "Action": arrayWith("s3:GetObject*"),
		}))})})
		tmpl.HasResourceProperties(jsii.String("AWS::ECR::Repository"), obj{"RepositoryPolicyText": obj{"Version": "2012-10-17", "Statement": []any{
			like(obj{"Sid": "OnlyThePipelinePushes", "Effect": "Deny"}),
			obj{
				"Effect": "Allow", "Action": []any{"ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"},
				"Principal": obj{"AWS": []any{"arn:aws:iam::222222222222:role/orders-api-staging-prod-execution", "arn:aws:iam::333333333333:role/orders-api-production-prod-execution"}},
			},
		}}})
	})
	for _, typ := range []string{"AWS::S3::BucketPolicy", "AWS::ECR::Repository"} {
		t.Run(typ, func(t *testing.T) {
			for id, r := range resources(t, tmpl, typ) {
				data, _ := json.Marshal(r)
				if strings.Contains(string(data), ":root") {
					t.Errorf("%s %s grants a whole account: %s", typ, id, data)
				}
			}
		})
	}
	// One account: the roles' own policies suffice, and nothing is opened; the policy only
	// closes the repository to pushes by anyone but the pipeline.
	cdktest.Assert(t, func() {
		pipelineTemplate(t, "delivery.yaml").HasResourceProperties(jsii.String("AWS::ECR::Repository"), obj{"RepositoryPolicyText": obj{
			"Version": "2012-10-17", "Statement": []any{like(obj{"Sid": "OnlyThePipelinePushes", "Effect": "Deny"})}}})
	})
}

// An imported environment is deployed as the role its import names.
func TestImportedDeployRoleIsUsed(t *testing.T) {
	tmpl := pipelineTemplate(t, "examples/import-existing.yaml")
	cdktest.Assert(t, func() {
		tmpl.HasResourceProperties(jsii.String("AWS::CodePipeline::Pipeline"), obj{"Stages": arrayWith(
			stage("Deploy-staging", obj{"RoleArn": "arn:aws:iam::222222222222:role/cicd/legacy-staging-deployer"}),
		)})
		tmpl.HasResourceProperties(jsii.String("AWS::CodeBuild::Project"), obj{
			"Name":        "orders-api-integration-test",
			"Environment": like(obj{"EnvironmentVariables": arrayWith(obj{"Name": "CLUSTER", "Type": "PLAINTEXT", "Value": "staging"})}),
		})
	})
}
