package ecsdelivery

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsssm"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// IntegrationTestOptions is the temporary task the pipeline's IntegrationTest stage runs here.
type IntegrationTestOptions struct {
	// Command runs in the test container, beside the app, which it reaches on localhost.
	Command []string
}

// IntegrationTestParameter names the parameter that tells the integration-test script, in the
// pipeline account, which subnets and security group to run the test task in: ids are not
// physical names, so they travel through a parameter the deploy role may read.
func IntegrationTestParameter(env string) string { return "/ecsdelivery/" + env + "/integration-test" }

// newTestTask creates the test task definition template (family <name>-it): the app, with a
// health check, and the test container, started once the app is healthy. The pipeline registers
// revisions of it with each new image; the image here is only a placeholder.
func newTestTask(scope constructs.Construct, roles *taskRoles, logs awslogs.ILogGroup, subnets []*string,
	sg awsec2.ISecurityGroup, p *EnvironmentProps) {
	s := &p.Service
	def := awsecs.NewFargateTaskDefinition(scope, jsii.String("TestTaskDefinition"), &awsecs.FargateTaskDefinitionProps{
		Family:         jsii.String(TestTaskFamily(p.Name)),
		Cpu:            jsii.Number(max(s.CPU, 512)),
		MemoryLimitMiB: jsii.Number(max(s.MemoryMiB, 1024)),
		ExecutionRole:  roles.execution,
		TaskRole:       roles.task,
		RuntimePlatform: &awsecs.RuntimePlatform{
			OperatingSystemFamily: awsecs.OperatingSystemFamily_LINUX(),
			CpuArchitecture:       cpuArchitecture(s.Architecture),
		},
	})
	placeholder := awsecs.ContainerImage_FromRegistry(jsii.String(defaultBootstrapImage), nil)
	logging := awsecs.LogDrivers_AwsLogs(&awsecs.AwsLogDriverProps{LogGroup: logs, StreamPrefix: jsii.String("it")})
	env := containerEnvironment(s.Environment)
	url := fmt.Sprintf("http://localhost:%d%s", s.ContainerPort, s.HealthCheckPath)
	app := def.AddContainer(jsii.String("App"), &awsecs.ContainerDefinitionOptions{
		ContainerName: jsii.String(ContainerName),
		Image:         placeholder,
		Essential:     jsii.Bool(true),
		PortMappings:  &[]*awsecs.PortMapping{{ContainerPort: jsii.Number(s.ContainerPort), Protocol: awsecs.Protocol_TCP}},
		Environment:   &env,
		Secrets:       parameterSecrets(scope, s, "TestSecret"),
		Logging:       logging,
		// The image must hold wget or curl; the test starts only once this passes.
		HealthCheck: &awsecs.HealthCheck{
			Command:     jsii.Strings("CMD-SHELL", "wget -q -O /dev/null "+url+" || curl -fsS -o /dev/null "+url),
			Interval:    awscdk.Duration_Seconds(jsii.Number(5)),
			Retries:     jsii.Number(10),
			StartPeriod: awscdk.Duration_Seconds(jsii.Number(10)),
			Timeout:     awscdk.Duration_Seconds(jsii.Number(3)),
		},
	})
	test := def.AddContainer(jsii.String("Test"), &awsecs.ContainerDefinitionOptions{
		ContainerName: jsii.String("test"),
		Image:         placeholder,
		// Essential, so the task stops when the test ends and its exit code decides.
		Essential: jsii.Bool(true),
		Command:   jsii.Strings(p.IntegrationTest.Command...),
		Environment: &map[string]*string{
			"APP_URL": jsii.String(fmt.Sprintf("http://localhost:%d", s.ContainerPort)),
		},
		Logging: logging,
	})
	test.AddContainerDependencies(&awsecs.ContainerDependency{Container: app, Condition: awsecs.ContainerDependencyCondition_HEALTHY})
	awsssm.NewStringParameter(scope, jsii.String("TestTaskNetwork"), &awsssm.StringParameterProps{
		ParameterName: jsii.String(IntegrationTestParameter(p.Name)),
		Description:   jsii.String("Subnets and security group of the integration-test task of " + p.Name),
		StringValue:   awscdk.Fn_Join(jsii.String(" "), &[]*string{awscdk.Fn_Join(jsii.String(","), &subnets), sg.SecurityGroupId()}),
	})
}

// subnetIDs lists the ids of the subnets tasks run in.
func subnetIDs(vpc awsec2.IVpc, selection *awsec2.SubnetSelection) []*string {
	return *vpc.SelectSubnets(selection).SubnetIds
}
