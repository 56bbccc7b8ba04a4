package app

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/ecsdelivery/ecsdelivery/internal/cdktest"
)

func TestGoldenTemplates(t *testing.T) {
	for _, file := range shipped {
		t.Run(file, func(t *testing.T) {
			s := synth(t, file)
			dir := strings.TrimSuffix(filepath.Base(file), ".yaml")
			for name, tmpl := range s.templates {
				t.Run(name, func(t *testing.T) {
					cdktest.Golden(t, filepath.Join("testdata", dir, name+".template.json"), cdktest.JSON(t, tmpl.ToJSON()))
				})
			}
		})
	}
}

func TestStacksAndStages(t *testing.T) {
	cases := []struct {
		file, summary string
	}{
		{"delivery.yaml", "stacks:   ecsdelivery-registry-signing-us-east-1 (us-east-1; shared), orders-api-pipeline (us-east-1), orders-api-staging (us-east-1), orders-api-production (us-east-1)\n" +
			"pipeline: Source → Build → Scan → IntegrationTest → Deploy-staging → Approve-production → Deploy-production\n"},
		{"examples/cross-account.yaml", "stacks:   ecsdelivery-registry-signing-111111111111-us-east-1 (111111111111/us-east-1; shared), orders-api-pipeline-prod (111111111111/us-east-1), orders-api-staging-prod (222222222222/us-east-1), orders-api-production-prod (333333333333/us-east-1)\n" +
			"pipeline: Source → Build → Scan → IntegrationTest → Deploy-staging → Approve-production → Deploy-production\n"},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			if got := synth(t, tc.file).delivery.Summary(); got != tc.summary {
				t.Errorf("summary\n%s\nwant\n%s", got, tc.summary)
			}
		})
	}
}

func TestArtifactStore(t *testing.T) {
	for _, file := range shipped {
		t.Run(file, func(t *testing.T) {
			s := synth(t, file)
			tmpl := s.templates[*s.delivery.Pipeline.StackName()]
			cdktest.Assert(t, func() {
				tmpl.HasResourceProperties(jsii.String("AWS::KMS::Key"), map[string]any{"EnableKeyRotation": true})
				tmpl.HasResourceProperties(jsii.String("AWS::S3::Bucket"), map[string]any{
					"BucketEncryption": map[string]any{"ServerSideEncryptionConfiguration": []any{map[string]any{
						"ServerSideEncryptionByDefault": map[string]any{"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": assertions.Match_AnyValue()},
					}}},
					"VersioningConfiguration": map[string]any{"Status": "Enabled"},
					"PublicAccessBlockConfiguration": map[string]any{
						"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true,
					},
					// Deploy artifacts a year (a stage rolls back to one); sources, reports and the scan
					// cache a month.
					"LifecycleConfiguration": map[string]any{"Rules": []any{
						assertions.Match_ObjectLike(&map[string]any{"Id": "ExpireReleases", "ExpirationInDays": 365, "Prefix": assertions.Match_Absent()}),
						assertions.Match_ObjectLike(&map[string]any{"Id": "ExpireSources", "ExpirationInDays": 30, "Prefix": assertions.Match_StringLikeRegexp(jsii.String("^[a-z-]+/Source/$"))}),
						assertions.Match_ObjectLike(&map[string]any{"Id": "ExpireScanReports", "ExpirationInDays": 30, "Prefix": assertions.Match_StringLikeRegexp(jsii.String("^[a-z-]+/ScanReport/$"))}),
						assertions.Match_ObjectLike(&map[string]any{"Id": "ExpireScanCache", "ExpirationInDays": 30, "Prefix": "trivy-cache/"}),
					}},
				})
				tmpl.HasResourceProperties(jsii.String("AWS::S3::BucketPolicy"), map[string]any{
					"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{
						"Effect": "Deny", "Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}},
					})})},
				})
			})
		})
	}
}

func TestRepository(t *testing.T) {
	s := synth(t, "delivery.yaml")
	tmpl := s.templates["orders-api-pipeline"]
	cdktest.Assert(t, func() {
		tmpl.HasResourceProperties(jsii.String("AWS::ECR::Repository"), map[string]any{
			"RepositoryName":             "orders-api",
			"ImageScanningConfiguration": map[string]any{"ScanOnPush": true},
			"ImageTagMutability":         "IMMUTABLE_WITH_EXCLUSION",
			"ImageTagMutabilityExclusionFilters": []any{
				map[string]any{"ImageTagMutabilityExclusionFilterType": "WILDCARD", "ImageTagMutabilityExclusionFilterValue": "buildcache*"},
				map[string]any{"ImageTagMutabilityExclusionFilterType": "WILDCARD", "ImageTagMutabilityExclusionFilterValue": "deployed-*"},
			},
			"EncryptionConfiguration": map[string]any{"EncryptionType": "KMS", "KmsKey": assertions.Match_AnyValue()},
			"LifecyclePolicy":         map[string]any{"LifecyclePolicyText": assertions.Match_StringLikeRegexp(jsii.String(`"countNumber":30`))},
		})
	})
}

func TestCreatedEnvironment(t *testing.T) {
	s := synth(t, "examples/cross-account.yaml")
	for _, name := range []string{"orders-api-staging-prod", "orders-api-production-prod"} {
		t.Run(name, func(t *testing.T) {
			tmpl := s.templates[name]
			cdktest.Assert(t, func() {
				tmpl.ResourceCountIs(jsii.String("AWS::EC2::VPC"), jsii.Number(1))
				tmpl.ResourceCountIs(jsii.String("AWS::EC2::Subnet"), jsii.Number(4))
				tmpl.ResourceCountIs(jsii.String("AWS::EC2::NatGateway"), jsii.Number(1))
				tmpl.HasResourceProperties(jsii.String("AWS::ECS::Cluster"), map[string]any{
					"ClusterName":     strings.TrimSuffix(name, "-prod") + "-prod",
					"ClusterSettings": []any{map[string]any{"Name": "containerInsights", "Value": "enabled"}},
				})
				tmpl.HasResourceProperties(jsii.String("AWS::ECS::ClusterCapacityProviderAssociations"), map[string]any{
					"CapacityProviders": []any{"FARGATE", "FARGATE_SPOT"},
				})
				tmpl.HasResourceProperties(jsii.String("AWS::EC2::SecurityGroup"), map[string]any{
					"GroupDescription":     assertions.Match_StringLikeRegexp(jsii.String("integration-test task")),
					"SecurityGroupIngress": assertions.Match_Absent(),
				})
			})
		})
	}
	// Subnets are spread over two zones looked up from cdk.context.json, not placeholders.
	cdktest.Assert(t, func() {
		s.templates["orders-api-staging-prod"].HasResourceProperties(jsii.String("AWS::EC2::Subnet"), map[string]any{"AvailabilityZone": "us-east-1b"})
	})
}

func TestImportedEnvironment(t *testing.T) {
	s := synth(t, "examples/import-existing.yaml")
	tmpl := s.templates["orders-api-staging"]
	cdktest.Assert(t, func() {
		tmpl.ResourceCountIs(jsii.String("AWS::EC2::VPC"), jsii.Number(0))
		tmpl.ResourceCountIs(jsii.String("AWS::ECS::Cluster"), jsii.Number(0))
		tmpl.HasResourceProperties(jsii.String("AWS::EC2::SecurityGroup"), map[string]any{"VpcId": "vpc-0a1b2c3d4e5f60718"})
	})
}

func TestStacksAreBoundToTheirAccounts(t *testing.T) {
	s := synth(t, "examples/cross-account.yaml")
	want := map[string]string{"orders-api-pipeline-prod": "111111111111", "orders-api-staging-prod": "222222222222", "orders-api-production-prod": "333333333333"}
	for _, stack := range append([]awscdk.Stack{s.delivery.Pipeline}, s.delivery.Environments...) {
		t.Run(*stack.StackName(), func(t *testing.T) {
			if got := *stack.Account(); got != want[*stack.StackName()] {
				t.Errorf("%s is in account %s; want %s", *stack.StackName(), got, want[*stack.StackName()])
			}
		})
	}
	demo := synth(t, "delivery.yaml")
	if !*awscdk.Token_IsUnresolved(demo.delivery.Pipeline.Account()) {
		t.Errorf("the demo's pipeline stack is bound to account %s; want environment-agnostic", *demo.delivery.Pipeline.Account())
	}
}
