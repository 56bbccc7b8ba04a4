package ecsdelivery

import (
	"fmt"
	"strconv"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsssm"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/ecsdelivery/ecsdelivery/spec"
)

// IntegrationTestOptions is the temporary task the pipeline's IntegrationTest stage runs here.
type IntegrationTestOptions struct {
	// Command runs in the test container, beside the app, which it reaches on localhost.
	Command []string
	// TimeoutMinutes after which the test container is stopped, even if no pipeline is there to
	// stop its task. Default: 15.
	TimeoutMinutes int
}

// healthURLVariable holds the app's health-check URL in the test task: the health check's
// shell reads it as data, so no character of the path can become shell syntax.
const healthURLVariable = "ECSDELIVERY_HEALTH_URL"

// integrationTestParameter names the parameter that tells the integration-test script, in the
// pipeline account, which subnets and security group to run the test task in: ids are not
// physical names, so they travel through a parameter the deploy role may read.
func integrationTestParameter(env string) string { return "/ecsdelivery/" + env + "/integration-test" }

// newTestTask creates the test task definition template (family <name>-it): the app, with a
// health check, and the test container, started once the app is healthy. The pipeline registers
// revisions of it with each new image; the image here is only a placeholder.
func newTestTask(scope constructs.Construct, roles *taskRoles, logs awslogs.ILogGroup, subnets []*string,
	sg awsec2.ISecurityGroup, p *EnvironmentProps) {
	s := &p.Service
	// The app container as the service runs it, from the same description.
	task := describeTask(p.Name, s)
	// The app keeps the memory it has in the service, as a hard limit; the test container gets
	// at least 512 MiB beside it, in the smallest Fargate size that holds both.
	cpu, memory := spec.FargateSizeAtLeast(max(task.cpu, 512), task.memory+512)
	appMemory := min(task.memory, memory-512) // below the service's only at Fargate's largest size
	def := awsecs.NewFargateTaskDefinition(scope, jsii.String("TestTaskDefinition"), &awsecs.FargateTaskDefinitionProps{
		Family:         jsii.String(testTaskFamily(p.Name)),
		Cpu:            jsii.Number(cpu),
		MemoryLimitMiB: jsii.Number(memory),
		ExecutionRole:  roles.execution,
		TaskRole:       roles.task,
		RuntimePlatform: &awsecs.RuntimePlatform{
			OperatingSystemFamily: awsecs.OperatingSystemFamily_LINUX(),
			CpuArchitecture:       awsecs.CpuArchitecture_Of(jsii.String(task.cpuArchitecture)),
		},
	})
	suppress(def, "AwsSolutions-ECS2", "Plain, non-secret settings of the integration test of "+p.Name+
		" (service.environment, and APP_URL for the test container); secrets come from Parameter Store as ECS secrets")
	placeholder := awsecs.ContainerImage_FromRegistry(jsii.String(spec.DefaultBootstrapImage), nil)
	logging := awsecs.LogDrivers_AwsLogs(&awsecs.AwsLogDriverProps{LogGroup: logs, StreamPrefix: jsii.String("it")})
	env := containerEnvironment(task.environment)
	env[healthURLVariable] = jsii.String(fmt.Sprintf("http://localhost:%d%s", task.port, s.HealthCheckPath))
	app := def.AddContainer(jsii.String("App"), &awsecs.ContainerDefinitionOptions{
		ContainerName:  jsii.String(task.container),
		Image:          placeholder,
		MemoryLimitMiB: jsii.Number(appMemory),
		Essential:      jsii.Bool(true),
		PortMappings:   &[]*awsecs.PortMapping{{ContainerPort: jsii.Number(task.port), Protocol: awsecs.Protocol_TCP}},
		Environment:    &env,
		Secrets:        parameterSecrets(scope, &task, "TestSecret"),
		Logging:        logging,
		HealthCheck:    appHealthCheck(),
	})
	test := def.AddContainer(jsii.String("Test"), &awsecs.ContainerDefinitionOptions{
		ContainerName: jsii.String("test"),
		Image:         placeholder,
		// Essential, so the task stops when the test ends and its exit code decides.
		Essential:      jsii.Bool(true),
		MemoryLimitMiB: jsii.Number(memory - appMemory),
		// Its own time limit (the image must hold timeout, as GNU coreutils and BusyBox do): a
		// test task whose pipeline was cut off never runs for ever.
		Command: jsii.Strings(append([]string{"timeout", "-s", "TERM", strconv.Itoa(testTimeoutMinutes(p.IntegrationTest) * 60)},
			p.IntegrationTest.Command...)...),
		Environment: &map[string]*string{
			"APP_URL": jsii.String(fmt.Sprintf("http://localhost:%d", s.ContainerPort)),
		},
		Logging: logging,
	})
	test.AddContainerDependencies(&awsecs.ContainerDependency{Container: app, Condition: awsecs.ContainerDependencyCondition_HEALTHY})
	publishTestNetwork(scope, subnets, sg, p)
}

// appHealthCheck is what the test waits for. The image must hold wget or curl; the URL is a
// variable of the container, read as data by the shell.
func appHealthCheck() *awsecs.HealthCheck {
	return &awsecs.HealthCheck{
		Command:     jsii.Strings("CMD-SHELL", `wget -q -O /dev/null "$`+healthURLVariable+`" || curl -fsS -o /dev/null "$`+healthURLVariable+`"`),
		Interval:    awscdk.Duration_Seconds(jsii.Number(5)),
		Retries:     jsii.Number(10),
		StartPeriod: awscdk.Duration_Seconds(jsii.Number(10)),
		Timeout:     awscdk.Duration_Seconds(jsii.Number(3)),
	}
}

// publishTestNetwork tells the pipeline, in another account, which subnets and security group
// the test task runs in: ids are not physical names, so they travel through a parameter.
func publishTestNetwork(scope constructs.Construct, subnets []*string, sg awsec2.ISecurityGroup, p *EnvironmentProps) {
	awsssm.NewStringParameter(scope, jsii.String("TestTaskNetwork"), &awsssm.StringParameterProps{
		ParameterName: jsii.String(integrationTestParameter(p.Name)),
		Description:   jsii.String("Subnets and security group of the integration-test task of " + p.Name),
		StringValue:   awscdk.Fn_Join(jsii.String(" "), &[]*string{awscdk.Fn_Join(jsii.String(","), &subnets), sg.SecurityGroupId()}),
	})
}

// subnetIDs lists the ids of the subnets tasks run in.
func subnetIDs(vpc awsec2.IVpc, selection *awsec2.SubnetSelection) []*string {
	return *vpc.SelectSubnets(selection).SubnetIds
}

func testTimeoutMinutes(it *IntegrationTestOptions) int {
	if it.TimeoutMinutes > 0 {
		return it.TimeoutMinutes
	}
	return spec.DefaultTimeoutMinutes
}
