package ecsdelivery

import (
	"fmt"
	"strconv"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecs"
	elb "github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsssm"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/ecsdelivery/ecsdelivery/spec"
)

// bootstrapScript serves an "ok" file at the health-check path. The path and port arrive as
// variables, never spliced into the script, so no path can inject shell.
const bootstrapScript = `p=$(echo "$BOOTSTRAP_HEALTH_PATH" | cut -d"?" -f1); f="/www$p"; case "$f" in */) f="$f"index.html;; esac; ` +
	`mkdir -p "$(dirname "$f")" && echo ok > "$f" && exec httpd -f -v -p "$BOOTSTRAP_PORT" -h /www`

// newService creates the Fargate service that CodeDeploy deploys to, with its task definition,
// attached to the blue target group.
func newService(scope constructs.Construct, cluster awsecs.ICluster, subnets *awsec2.SubnetSelection,
	lb *loadBalancer, roles *taskRoles, logs awslogs.ILogGroup, p *EnvironmentProps) *deployTarget {
	s := &p.Service
	ecsEngine := p.Deployment.Engine == spec.EngineECS
	taskDef := newServiceTaskDefinition(scope, roles, logs, p)
	controller := awsecs.DeploymentControllerType_CODE_DEPLOY
	if ecsEngine {
		controller = awsecs.DeploymentControllerType_ECS
	}
	tasksSG := awsec2.NewSecurityGroup(scope, jsii.String("ServiceSecurityGroup"), &awsec2.SecurityGroupProps{
		Vpc:         cluster.Vpc(),
		Description: jsii.String("Tasks of " + p.Name + ": the container port from the load balancer only"),
		// Tasks call AWS APIs and their own dependencies; inbound is what is restricted.
		AllowAllOutbound: jsii.Bool(true),
	})
	service := awsecs.NewFargateService(scope, jsii.String("Service"), &awsecs.FargateServiceProps{
		Cluster:                cluster,
		ServiceName:            jsii.String(p.Name),
		TaskDefinition:         taskDef,
		DesiredCount:           jsii.Number(s.DesiredCount),
		DeploymentController:   &awsecs.DeploymentController{Type: controller},
		VpcSubnets:             subnets,
		SecurityGroups:         &[]awsec2.ISecurityGroup{tasksSG},
		AssignPublicIp:         jsii.Bool(false),
		MinHealthyPercent:      jsii.Number(100),
		MaxHealthyPercent:      jsii.Number(200),
		HealthCheckGracePeriod: awscdk.Duration_Seconds(jsii.Number(60)),
	})
	service.AttachToApplicationTargetGroup(lb.blue)
	service.Connections().AllowFrom(lb.securityGroup, awsec2.Port_Tcp(jsii.Number(s.ContainerPort)),
		jsii.String("Container port from the load balancer"))
	t := &deployTarget{
		service:          service,
		serviceName:      p.Name,
		listener:         lb.listener,
		testListener:     lb.testListener,
		blue:             lb.blue,
		green:            lb.green,
		loadBalancerName: *lb.alb.LoadBalancerFullName(),
		targetGroupNames: [2]string{*lb.blue.TargetGroupFullName(), *lb.green.TargetGroupFullName()},
	}
	if !ecsEngine {
		pinTaskDefinitionToFamily(service, taskDef, p.Name)
		return t
	}
	production, test := shiftedRules(scope, lb)
	t.rules = []elb.ApplicationListenerRule{production, test}
	t.rule, t.testRule = *production.ListenerRuleArn(), *test.ListenerRuleArn()
	t.listenerARNs = []string{*lb.listener.ListenerArn(), *lb.testListener.ListenerArn()}
	return t
}

// newServiceTaskDefinition is the service's task definition, from the task's description, with
// the bootstrap image until the pipeline's first release.
func newServiceTaskDefinition(scope constructs.Construct, roles *taskRoles, logs awslogs.ILogGroup, p *EnvironmentProps) awsecs.FargateTaskDefinition {
	s := &p.Service
	// The roles and log group were created with the description's names (taskRoles, operations).
	task := describeTask(p.Name, s)
	taskDef := awsecs.NewFargateTaskDefinition(scope, jsii.String("TaskDefinition"), &awsecs.FargateTaskDefinitionProps{
		Family:         jsii.String(task.family),
		Cpu:            jsii.Number(task.cpu),
		MemoryLimitMiB: jsii.Number(task.memory),
		ExecutionRole:  roles.execution,
		TaskRole:       roles.task,
		RuntimePlatform: &awsecs.RuntimePlatform{
			OperatingSystemFamily: awsecs.OperatingSystemFamily_LINUX(),
			CpuArchitecture:       awsecs.CpuArchitecture_Of(jsii.String(task.cpuArchitecture)),
		},
	})
	suppress(taskDef, "AwsSolutions-ECS2", "Plain, non-secret settings of "+p.Name+" (service.environment and the bootstrap "+
		"server's port and path); secrets reach the container from Parameter Store as ECS secrets")
	image, command, env := s.BootstrapImage, []string(nil), containerEnvironment(task.environment)
	if image == "" {
		image, command = spec.DefaultBootstrapImage, []string{"sh", "-c", bootstrapScript}
		env["BOOTSTRAP_HEALTH_PATH"] = jsii.String(s.HealthCheckPath)
		env["BOOTSTRAP_PORT"] = jsii.String(strconv.Itoa(task.port))
	}
	bootstrap := image
	if p.Deployment.Engine == spec.EngineECS {
		image = *releaseImage(scope, taskDef, image, p).ValueAsString()
	}
	taskDef.AddContainer(jsii.String("App"), &awsecs.ContainerDefinitionOptions{
		ContainerName: jsii.String(task.container),
		Image:         awsecs.ContainerImage_FromRegistry(jsii.String(image), nil),
		// A hard limit: the one container may use the whole task's memory, and no more.
		MemoryLimitMiB: jsii.Number(task.memory),
		Command:        jsii.Strings(command...),
		Essential:      jsii.Bool(true),
		PortMappings:   &[]*awsecs.PortMapping{{ContainerPort: jsii.Number(task.port), Protocol: awsecs.Protocol_TCP}},
		Environment:    &env,
		Secrets:        parameterSecrets(scope, &task, "Secret"),
		Logging: awsecs.LogDrivers_AwsLogs(&awsecs.AwsLogDriverProps{
			LogGroup: logs, StreamPrefix: jsii.String(task.logPrefix),
		}),
	})

	if p.Deployment.Engine == spec.EngineECS && command != nil {
		// The bootstrap server's command runs only while the image is the bootstrap image: a
		// release's image runs its own.
		cfn := taskDef.Node().DefaultChild().(awsecs.CfnTaskDefinition)
		cfn.AddPropertyOverride(jsii.String("ContainerDefinitions.0.Command"),
			awscdk.Fn_ConditionIf(jsii.String(bootstrapCondition(scope, bootstrap, p)), jsii.Strings(command...), awscdk.Aws_NO_VALUE()))
	}
	return taskDef
}

// releaseImage is the stack parameter the service's image comes from on ECS's engine: the
// bootstrap image until the pipeline's first release, then whatever the pipeline last released.
// The pipeline releases by updating this stack with a new value, and a later cdk deploy keeps
// the previous value (the CDK CLI's --previous-parameters, on by default), so the template and
// the parameter always describe what runs. Old revisions are kept for rollbacks.
func releaseImage(scope constructs.Construct, taskDef awsecs.FargateTaskDefinition, bootstrap string, p *EnvironmentProps) awscdk.CfnParameter {
	param := awscdk.NewCfnParameter(awscdk.Stack_Of(scope), jsii.String(releaseImageParameter(p.Name)), &awscdk.CfnParameterProps{
		Type:    jsii.String("String"),
		Default: jsii.String(bootstrap),
		Description: jsii.String("The image " + p.Name + " runs. The pipeline " + p.Pipeline +
			" sets it at each release; leave it as it is (cdk deploy keeps the previous value)"),
		MinLength: jsii.Number(1),
	})
	taskDef.ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN)
	return param
}

// bootstrapCondition is true while the release image is the bootstrap image.
func bootstrapCondition(scope constructs.Construct, bootstrap string, p *EnvironmentProps) string {
	id := releaseImageParameter(p.Name) + "IsBootstrap"
	stack := awscdk.Stack_Of(scope)
	awscdk.NewCfnCondition(stack, jsii.String(id), &awscdk.CfnConditionProps{
		Expression: awscdk.Fn_ConditionEquals(awscdk.Fn_Ref(jsii.String(releaseImageParameter(p.Name))), jsii.String(bootstrap)),
	})
	return id
}

// pinTaskDefinitionToFamily makes the service name its task definition by family instead of by
// revision ARN. CloudFormation cannot update the task definition of a CODE_DEPLOY service
// (aws/aws-cdk#23564); with the family, the template's value never changes, so a change to the
// service settings registers a new revision for reference and leaves the running service to
// CodeDeploy. The family resolves to the latest revision only when the service is created.
func pinTaskDefinitionToFamily(service awsecs.FargateService, taskDef awsecs.FargateTaskDefinition, family string) {
	cfn := service.Node().DefaultChild().(awsecs.CfnService)
	cfn.AddPropertyOverride(jsii.String("TaskDefinition"), jsii.String(family))
	cfn.AddResourceDependency(taskDef.Node().DefaultChild().(awscdk.CfnResource),
		jsii.String("the service names its task definition by family, which must exist first"))
}

// parameterSecrets turns variable → parameter-name pairs into ECS secrets; ECS grants the
// execution role read access to exactly these parameters (newTaskRoles grants their key).
func parameterSecrets(scope constructs.Construct, task *appTask, idPrefix string) *map[string]awsecs.Secret {
	out := map[string]awsecs.Secret{}
	for i, name := range task.secretNames() {
		// Imports create no resources, so an index is a safe construct id.
		param := awsssm.StringParameter_FromSecureStringParameterAttributes(scope, jsii.String(fmt.Sprintf("%s%d", idPrefix, i)),
			&awsssm.SecureStringParameterAttributes{ParameterName: jsii.String(task.secrets[name])})
		out[name] = awsecs.Secret_FromSsmParameter(param)
	}
	return &out
}

// containerEnvironment is a container's plain variables in the form the ECS API takes.
func containerEnvironment(vars map[string]string) map[string]*string {
	env := make(map[string]*string, len(vars))
	for k, v := range vars {
		env[k] = jsii.String(v)
	}
	return env
}
