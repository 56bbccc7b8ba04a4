package ecsdelivery

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecs"
	"github.com/aws/jsii-runtime-go"

	"github.com/ecsdelivery/ecsdelivery/internal/cdktest"
	"github.com/ecsdelivery/ecsdelivery/spec"
)

func TestNames(t *testing.T) {
	for _, tc := range []struct{ name, got, want string }{
		{"Name with a suffix", Name("orders-api", "staging", "dev"), "orders-api-staging-dev"},
		{"Name without a part", Name("orders-api", "", "dev"), "orders-api-dev"},
		{"PipelineStackName", PipelineStackName("orders-api", ""), "orders-api-pipeline"},
		{"EnvironmentStackName", EnvironmentStackName("orders-api", "prod", "x1"), "orders-api-prod-x1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("got %q; want %q", tc.got, tc.want)
			}
		})
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
		Targets: []PipelineTargetOptions{{Environment: "e", Name: "x-e"}}, Build: BuildOptions{SecretsKeyARN: alias}}); err == nil ||
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
	for _, hours := range []int{-1, 721} {
		_, err := NewPipeline(nil, "Pipeline", &PipelineProps{Name: "x", Source: SourceOptions{Owner: "o", Repo: "r"},
			Targets: []PipelineTargetOptions{{Environment: "e", Name: "x-e"}}, ChangeFailureWindowHours: hours})
		if want := fmt.Sprintf("pipeline Pipeline: ChangeFailureWindowHours is %d; it must be 1 to 720", hours); err == nil || err.Error() != want {
			t.Errorf("change failure window of %d hours: %v; want %s", hours, err, want)
		}
	}
}

// What the config refuses, the constructs refuse too, for library users.
func TestTrustBoundaryPropsAreChecked(t *testing.T) {
	targets := []PipelineTargetOptions{{Environment: "staging", Name: "x-staging"}, {Environment: "production", Name: "x-production", Approval: true}}
	pipeline := func(edit func(*PipelineProps)) error {
		p := &PipelineProps{Name: "x", Source: SourceOptions{Owner: "o", Repo: "r"}, Targets: targets}
		edit(p)
		_, err := NewPipeline(nil, "Pipeline", p)
		return err
	}
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"integration test behind an approval", pipeline(func(p *PipelineProps) {
			p.IntegrationTest = &PipelineIntegrationTestOptions{Environment: "production"}
		}), `IntegrationTest.Environment "production" is deployed only after the approval of "production"`},
		{"builder image by tag", pipeline(func(p *PipelineProps) { p.Build.BuilderImage = "moby/buildkit:latest" }),
			`Build.BuilderImage "moby/buildkit:latest" is not pinned by digest`},
		{"build secret shadowing AWS_", pipeline(func(p *PipelineProps) { p.Build.Secrets = map[string]string{"AWS_REGION": "/x"} }),
			`Build.Secrets: "AWS_REGION" is reserved`},
		{"service variable shadowing PATH", func() error {
			_, err := NewEnvironment(nil, "Env", &EnvironmentProps{Name: "x", Pipeline: "p", Service: ServiceOptions{Environment: map[string]string{"PATH": "/tmp"}}})
			return err
		}(), `Service.Environment: "PATH" is reserved`},
		{"health path a shell would run", func() error {
			_, err := NewEnvironment(nil, "Env", &EnvironmentProps{Name: "x", Pipeline: "p", Service: ServiceOptions{HealthCheckPath: "/h;reboot"}})
			return err
		}(), `Service.HealthCheckPath "/h;reboot" is not a URL path`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
				t.Errorf("got %v; want an error containing %s", c.err, c.want)
			}
		})
	}
	// A token is resolved only at deployment: no pattern judges it at synthesis.
	token := *awscdk.Fn_ImportValue(jsii.String("shared-value"))
	if _, err := environmentDefaults("Env", EnvironmentProps{Name: "x", Pipeline: "p",
		Service: ServiceOptions{HealthCheckPath: token, SecretsKeyARN: token}}); err != nil {
		t.Errorf("tokens refused as the health path and the secrets key: %v", err)
	}
	allowed := PipelineProps{Name: "x", Source: SourceOptions{Owner: "o", Repo: "r"}, Targets: targets,
		IntegrationTest: &PipelineIntegrationTestOptions{Environment: "production", AllowGatedEnvironment: true}}
	if _, err := pipelineDefaults("Pipeline", allowed); err != nil {
		t.Errorf("an explicitly allowed gated environment is refused: %v", err)
	}
}

// The release gates' props are checked where they are given, with the field named.
// withTarget checks the props of a pipeline with one target, production, edited by edit.
func withTarget(edit func(*PipelineTargetOptions)) error {
	p := PipelineProps{Name: "x", Source: SourceOptions{Owner: "o", Repo: "r"}, Targets: []PipelineTargetOptions{{Environment: "production", Name: "x-production"}}}
	edit(&p.Targets[0])
	_, err := pipelineDefaults("Pipeline", p)
	return err
}

func TestReleaseGatePropsAreChecked(t *testing.T) {
	zero := 0
	environment := func(edit func(*EnvironmentProps)) error {
		p := &EnvironmentProps{Name: "x", Pipeline: "p"}
		edit(p)
		_, err := environmentDefaults("Env", *p)
		return err
	}
	pipeline := withTarget
	for _, c := range []struct {
		name string
		err  error
		want string
	}{
		{"check unreachable without NAT", environment(func(p *EnvironmentProps) { p.NATGateways = &zero }), "with NATGateways 0 set LoadBalancer.Internal or TestTraffic.Disabled"},
		{"existing service without the listener's address", environment(func(p *EnvironmentProps) { p.Existing = &ExistingServiceOptions{} }), "an Existing service needs its Cluster"},
		{"status", environment(func(p *EnvironmentProps) { p.Deployment.TestTraffic.ExpectStatus = 700 }), "TestTraffic.ExpectStatus 700 is not an HTTP status"},
		{"requests", environment(func(p *EnvironmentProps) { p.Deployment.TestTraffic.Requests = 1001 }), "TestTraffic.Requests 1001 must be 1 to 1000"},
		{"path", environment(func(p *EnvironmentProps) { p.Deployment.TestTraffic.Paths = []string{"health"} }), `TestTraffic.Paths: "health" is not a URL path`},
		{"url", environment(func(p *EnvironmentProps) { p.Deployment.TestTraffic.URL = "http://lb:9000/x" }), `TestTraffic.URL "http://lb:9000/x" is not http(s)://HOST[:PORT]`},
		{"bake", pipeline(func(t *PipelineTargetOptions) { t.BakeMinutes = 61 }), "Targets[production].BakeMinutes 61 must be 0 to 60"},
		{"cron", pipeline(func(t *PipelineTargetOptions) { t.Window = &DeploymentWindowOptions{Cron: "0 9 * * 1-5"} }), `Targets[production].Window.Cron "0 9 * * 1-5" has 5 fields`},
		{"zone", pipeline(func(t *PipelineTargetOptions) {
			t.Window = &DeploymentWindowOptions{Cron: "0 0 9 ? * MON", Timezone: "PST"}
		}), `Targets[production].Window.Timezone: "PST" is not an IANA time zone`},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
				t.Errorf("got %v; want an error containing %s", c.err, c.want)
			}
		})
	}
	if err := testTrafficDefaults(&TestTrafficOptions{}, &ServiceOptions{HealthCheckPath: "/health"}, &DeploymentOptions{LatencyP99Milliseconds: 2000}, true); err == nil ||
		!strings.Contains(err.Error(), "TestTraffic.URL is required with an Existing service") {
		t.Errorf("an existing service without the test listener's address: %v", err)
	}
	if err := pipeline(func(t *PipelineTargetOptions) { t.Window = &DeploymentWindowOptions{Cron: "0 0 9-17 ? * MON-FRI"} }); err != nil {
		t.Errorf("a window in UTC by default is refused: %v", err)
	}
}

// Without NAT gateways the tasks' subnets are isolated, and reach ECR, S3, logs and secrets
// through endpoints.
func TestEnvironmentWithoutNAT(t *testing.T) {
	app := cdktest.NewApp(t)
	stack := awscdk.NewStack(app, jsii.String("Env"), &awscdk.StackProps{Env: &awscdk.Environment{Region: jsii.String("us-east-1")}})
	zero := 0
	env, err := NewEnvironment(stack, "Environment", &EnvironmentProps{Name: "orders-api-staging", Pipeline: "orders-api", NATGateways: &zero,
		LoadBalancer: LoadBalancerOptions{Internal: true}})
	if err != nil {
		t.Fatal(err)
	}
	if env.TaskSubnets().SubnetType != awsec2.SubnetType_PRIVATE_ISOLATED {
		t.Errorf("task subnets %v; want isolated", env.TaskSubnets().SubnetType)
	}
	tmpl := cdktest.Template(t, stack)
	// The test-traffic check reports to CodeDeploy and tells SNS.
	for _, service := range []string{"ecr.api", "ecr.dkr", "logs", "ssm", "secretsmanager", "codedeploy", "sns"} {
		t.Run(service, func(t *testing.T) {
			cdktest.Assert(t, func() {
				tmpl.HasResourceProperties(jsii.String("AWS::EC2::VPCEndpoint"), map[string]any{
					"VpcEndpointType": "Interface",
					"ServiceName":     assertions.Match_StringLikeRegexp(jsii.String(`\.` + service + `$`)),
				})
			})
		})
	}
	cdktest.Assert(t, func() {
		tmpl.ResourceCountIs(jsii.String("AWS::EC2::NatGateway"), jsii.Number(0))
		tmpl.HasResourceProperties(jsii.String("AWS::EC2::VPCEndpoint"), map[string]any{"VpcEndpointType": "Gateway"})
	})
}

// The approval's message, with its variables resolved to their longest values, fits
// CodePipeline's limit for the longest names the config accepts.
func TestApprovalMessageFitsTheLimit(t *testing.T) {
	pipeline := strings.Repeat("a", 28) + "-" + strings.Repeat("s", 11) // app and suffix at their limits
	p := &PipelineProps{Name: pipeline, Build: BuildOptions{UnitTestCommand: "make test"}, IntegrationTest: &PipelineIntegrationTestOptions{}}
	message, link := approvalTexts(p, strings.Repeat("e", 12), "ap-southeast-5")
	resolved := strings.NewReplacer(
		"#{"+sourceVariables+".CommitId}", strings.Repeat("c", 40),
		"#{"+buildVariables+"."+buildIDVariable+"}", Name(pipeline, "build")+":"+strings.Repeat("b", 36),
		"#{"+unitTestVariables+"."+buildIDVariable+"}", Name(pipeline, "unit-test")+":"+strings.Repeat("b", 36),
	).Replace(message)
	if len(resolved) > maxApprovalMessage {
		t.Errorf("approval message of %d characters; want at most %d:\n%s", len(resolved), maxApprovalMessage, resolved)
	}
	if strings.Contains(resolved, "#{") {
		t.Errorf("approval message with a variable left unresolved; want none:\n%s", resolved)
	}
	if !strings.Contains(link, "/projects/"+pipeline+"-scan/build/#{"+scanVariables+"."+buildIDVariable+"}/") {
		t.Errorf("approval link %s does not lead to the scan's results", link)
	}
}

// The approval says only what ran, and links to the console of the region's partition.
func TestApprovalSaysWhatRan(t *testing.T) {
	message, link := approvalTexts(&PipelineProps{Name: "orders-api"}, "production", "cn-north-1")
	if !strings.Contains(message, "It passed the build and scan. Scan report and SBOM at the link; build: https://console.amazonaws.cn/codesuite/") {
		t.Errorf("without unit or integration tests: %s", message)
	}
	if !strings.HasPrefix(link, "https://console.amazonaws.cn/codesuite/codebuild/projects/orders-api-scan/build/") {
		t.Errorf("China link: %s", link)
	}
	p := &PipelineProps{Name: "orders-api", IntegrationTest: &PipelineIntegrationTestOptions{}}
	if message, _ := approvalTexts(p, "production", "us-gov-west-1"); !strings.Contains(message, "It passed the build, scan and integration tests. Scan report and SBOM at the link; build: https://console.amazonaws-us-gov.com/") {
		t.Errorf("with integration tests only, in GovCloud: %s", message)
	}
}

// An imported service whose import names no deploy role gets one, scoped to the imported
// cluster and service like a created environment's.
func TestImportedServiceWithCreatedDeployRole(t *testing.T) {
	app := cdktest.NewApp(t)
	stack := awscdk.NewStack(app, jsii.String("Env"), &awscdk.StackProps{Env: &awscdk.Environment{
		Account: jsii.String("222222222222"), Region: jsii.String("us-east-1")}})
	vpc := awsec2.Vpc_FromVpcAttributes(stack, jsii.String("Vpc"), &awsec2.VpcAttributes{
		VpcId: jsii.String("vpc-0a1b2c3d4e5f60718"), AvailabilityZones: jsii.Strings("us-east-1a", "us-east-1b"),
		PrivateSubnetIds: jsii.Strings("subnet-0a1b2c3d4e5f60718", "subnet-0f1e2d3c4b5a69788"),
	})
	awscdk.Annotations_Of(vpc).AcknowledgeWarning(jsii.String("@aws-cdk/aws-ec2:noSubnetRouteTableId"), jsii.String("no routes are added"))
	clusterARN := "arn:aws:ecs:us-east-1:222222222222:cluster/staging"
	cluster := awsecs.Cluster_FromClusterAttributes(stack, jsii.String("Cluster"), &awsecs.ClusterAttributes{
		ClusterArn: jsii.String(clusterARN), ClusterName: jsii.String("staging"), Vpc: vpc,
	})
	lb := "arn:aws:elasticloadbalancing:us-east-1:222222222222:"
	_, err := NewEnvironment(stack, "Environment", &EnvironmentProps{
		Name: "orders-api-staging", Pipeline: "orders-api", PipelineAccount: "111111111111", VPC: vpc, Cluster: cluster,
		TaskSubnets: &awsec2.SubnetSelection{SubnetType: awsec2.SubnetType_PRIVATE_WITH_EGRESS},
		Existing: &ExistingServiceOptions{ServiceName: "orders-api",
			ListenerARN: lb + "listener/app/staging-alb/0123456789abcdef/0123456789abcdef", TestListenerARN: lb + "listener/app/staging-alb/0123456789abcdef/fedcba9876543210",
			TargetGroupARNs: [2]string{lb + "targetgroup/orders-api-blue/0123456789abcdef", lb + "targetgroup/orders-api-green/fedcba9876543210"}},
		Deployment: DeploymentOptions{TestTraffic: TestTrafficOptions{URL: "http://internal-staging-alb-1.us-east-1.elb.amazonaws.com:9000"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	tmpl := cdktest.Template(t, stack)
	cdktest.Assert(t, func() {
		tmpl.HasResourceProperties(jsii.String("AWS::IAM::Role"), map[string]any{
			"RoleName": "orders-api-staging-deploy",
			"AssumeRolePolicyDocument": map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
				"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": map[string]any{"AWS": "arn:aws:iam::111111111111:root"},
				// Exactly the pipeline's role: this environment runs no integration test.
				"Condition": map[string]any{"ArnEquals": map[string]any{"aws:PrincipalArn": []any{"arn:aws:iam::111111111111:role/orders-api-pipeline-codepipeline"}}},
			}}},
		})
		cluster := map[string]any{"ArnEquals": map[string]any{"ecs:cluster": clusterARN}}
		tmpl.HasResourceProperties(jsii.String("AWS::IAM::Policy"), map[string]any{"PolicyDocument": assertions.Match_ObjectLike(&map[string]any{
			"Statement": assertions.Match_ArrayWith(&[]any{
				assertions.Match_ObjectLike(&map[string]any{"Sid": "DeployThisService", "Resource": assertions.Match_ArrayWith(&[]any{
					"arn:aws:codedeploy:us-east-1:222222222222:deploymentgroup:orders-api-staging/orders-api-staging"})}),
				assertions.Match_ObjectLike(&map[string]any{"Sid": "RunIntegrationTestTask", "Condition": cluster}),
				assertions.Match_ObjectLike(&map[string]any{"Sid": "WatchTasks",
					"Resource": "arn:aws:ecs:us-east-1:222222222222:task/staging/*", "Condition": cluster}),
				assertions.Match_ObjectLike(&map[string]any{"Sid": "StopIntegrationTestTask",
					"Resource": "arn:aws:ecs:us-east-1:222222222222:task/staging/*", "Condition": map[string]any{
						"ArnEquals":    map[string]any{"ecs:cluster": clusterARN},
						"StringEquals": map[string]any{"aws:ResourceTag/ecsdelivery:purpose": "integration-test"}}}),
			}),
		})})
		tmpl.HasResourceProperties(jsii.String("AWS::CodeDeploy::DeploymentGroup"), map[string]any{
			"ECSServices": []any{map[string]any{"ClusterName": "staging", "ServiceName": "orders-api"}},
		})
	})
}

func TestMain(m *testing.M) { cdktest.Main(m) }

// The constructs' translations of spec's tables into CDK types cover exactly spec's entries, and
// render spec's AWS names.
func TestTranslationsFollowSpec(t *testing.T) {
	if len(computeTypes) != len(spec.ComputeTypes) {
		t.Errorf("%d compute types in the library; spec has %d", len(computeTypes), len(spec.ComputeTypes))
	}
	for _, c := range spec.ComputeTypes {
		t.Run(c.Name, func(t *testing.T) {
			if _, ok := computeTypes[c.Name]; !ok {
				t.Errorf("compute type %q of spec has no CDK compute type", c.Name)
			}
		})
	}
	if len(deploymentConfigs) != len(spec.Strategies) {
		t.Errorf("%d strategies in the library; spec has %d", len(deploymentConfigs), len(spec.Strategies))
	}
	for _, s := range spec.Strategies {
		t.Run(s.Name, func(t *testing.T) {
			config, ok := deploymentConfigs[s.Name]
			if !ok {
				t.Errorf("strategy %q of spec has no CodeDeploy configuration", s.Name)
				return
			}
			if got := *config().DeploymentConfigName(); got != s.CodeDeployConfig {
				t.Errorf("strategy %q renders %q; spec says %q", s.Name, got, s.CodeDeployConfig)
			}
		})
	}
}
