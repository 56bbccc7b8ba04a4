package ecsdelivery

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/jsii-runtime-go"

	"github.com/ecsdelivery/ecsdelivery/internal/cdktest"
)

func TestNames(t *testing.T) {
	cases := map[string]string{
		Name("orders-api", "staging", "dev"):             "orders-api-staging-dev",
		Name("orders-api", "", "dev"):                    "orders-api-dev",
		PipelineStackName("orders-api", ""):              "orders-api-pipeline",
		EnvironmentStackName("orders-api", "prod", "x1"): "orders-api-prod-x1",
	}
	for got, want := range cases {
		if got != want {
			t.Errorf("got %q; want %q", got, want)
		}
	}
}

func TestPropsAreChecked(t *testing.T) {
	if _, err := NewPipeline(nil, "Pipeline", &PipelineProps{}); err == nil || err.Error() != "pipeline Pipeline: Name is required" {
		t.Errorf("pipeline without name: %v", err)
	}
	if _, err := NewPipeline(nil, "Pipeline", &PipelineProps{Name: "x", ImagesToKeep: -1}); err == nil {
		t.Error("pipeline with negative ImagesToKeep: no error")
	}
	alias := "arn:aws:kms:us-east-1:111111111111:alias/orders"
	if _, err := NewEnvironment(nil, "Env", &EnvironmentProps{Name: "x", Pipeline: "p", Service: ServiceOptions{SecretsKeyARN: alias}}); err == nil ||
		!strings.Contains(err.Error(), "Service.SecretsKeyARN") {
		t.Errorf("environment with an alias as secrets key: %v", err)
	}
	if _, err := NewPipeline(nil, "Pipeline", &PipelineProps{Name: "x", Source: SourceOptions{Owner: "o", Repo: "r"},
		Targets: []PipelineTarget{{Environment: "e", Name: "x-e"}}, Build: BuildOptions{SecretsKeyARN: alias}}); err == nil ||
		!strings.Contains(err.Error(), "Build.SecretsKeyARN") {
		t.Errorf("pipeline with an alias as secrets key: %v", err)
	}
	if _, err := NewEnvironment(nil, "Env", &EnvironmentProps{}); err == nil || err.Error() != "environment Env: Name and Pipeline are required" {
		t.Errorf("environment without name: %v", err)
	}
	three := 3
	if _, err := NewEnvironment(nil, "Env", &EnvironmentProps{Name: "x", Pipeline: "p", NATGateways: &three}); err == nil {
		t.Error("environment with 3 NAT gateways: no error")
	}
}

// Without NAT gateways the tasks' subnets are isolated, and reach ECR, S3, logs and secrets
// through endpoints.
func TestEnvironmentWithoutNAT(t *testing.T) {
	app := cdktest.NewApp(t)
	stack := awscdk.NewStack(app, jsii.String("Env"), &awscdk.StackProps{Env: &awscdk.Environment{Region: jsii.String("us-east-1")}})
	zero := 0
	env, err := NewEnvironment(stack, "Environment", &EnvironmentProps{Name: "orders-api-staging", Pipeline: "orders-api", NATGateways: &zero})
	if err != nil {
		t.Fatal(err)
	}
	if env.TaskSubnets().SubnetType != awsec2.SubnetType_PRIVATE_ISOLATED {
		t.Errorf("task subnets %v; want isolated", env.TaskSubnets().SubnetType)
	}
	tmpl := cdktest.Template(t, stack)
	cdktest.Assert(t, func() {
		tmpl.ResourceCountIs(jsii.String("AWS::EC2::NatGateway"), jsii.Number(0))
		for _, service := range []string{"ecr.api", "ecr.dkr", "logs", "ssm", "secretsmanager"} {
			tmpl.HasResourceProperties(jsii.String("AWS::EC2::VPCEndpoint"), map[string]any{
				"VpcEndpointType": "Interface",
				"ServiceName":     assertions.Match_StringLikeRegexp(jsii.String(`\.` + service + `$`)),
			})
		}
		tmpl.HasResourceProperties(jsii.String("AWS::EC2::VPCEndpoint"), map[string]any{"VpcEndpointType": "Gateway"})
	})
}

func TestFargateSizeAtLeast(t *testing.T) {
	for _, tc := range []struct{ cpu, memory, wantCPU, wantMemory int }{
		{512, 1024 + 512, 512, 2048},
		{512, 512 + 512, 512, 1024},
		{1024, 2048 + 512, 1024, 3072},
		{512, 4096 + 512, 1024, 5120},
		{2048, 16384 + 512, 4096, 17408},
		{8192, 16384 + 512, 8192, 20480},
		{16384, 122880 + 512, 16384, 122880},
	} {
		if cpu, memory := fargateSizeAtLeast(tc.cpu, tc.memory); cpu != tc.wantCPU || memory != tc.wantMemory {
			t.Errorf("fargateSizeAtLeast(%d, %d) = %d, %d; want %d, %d", tc.cpu, tc.memory, cpu, memory, tc.wantCPU, tc.wantMemory)
		}
	}
}
