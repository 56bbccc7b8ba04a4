package ecsdelivery

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodedeploy"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/ecsdelivery/ecsdelivery/spec"
)

// EnvironmentProps configures NewEnvironment. Zero values take the documented defaults.
type EnvironmentProps struct {
	// Name is the physical-name prefix of the environment's resources (app, environment and
	// suffix, such as "orders-api-staging-dev"). Required.
	Name string
	// Pipeline is the name prefix of the pipeline that deploys here (app and suffix). Required.
	Pipeline string
	// PipelineAccount is trusted to assume the deploy role and owns the artifacts and images.
	// Default: this stack's account.
	PipelineAccount string
	// PipelineRegion holds the artifacts and images. Default: this stack's region.
	PipelineRegion string

	// VPC to run in, with private subnets for the tasks. Default: a new VPC over 2 AZs.
	VPC awsec2.IVpc
	// TaskSubnets are where tasks run. Default: the VPC's private subnets.
	TaskSubnets *awsec2.SubnetSelection
	// NATGateways of a new VPC. With 0, the VPC gets the endpoints Fargate needs instead.
	// Default: 1. Ignored when VPC is given.
	NATGateways *int
	// Cluster to run in; it must be in VPC. Default: a new cluster with Container Insights.
	Cluster awsecs.ICluster

	// LoadBalancer shapes the load balancer this construct creates. Ignored with Existing.
	LoadBalancer LoadBalancerOptions
	// Service is the application as it runs here.
	Service ServiceOptions
	// Deployment is how a release shifts traffic, and with which engine.
	Deployment DeploymentOptions

	// IntegrationTest creates the template of the pipeline's temporary test task here.
	// Default: none; the pipeline tests in one environment only.
	IntegrationTest *IntegrationTestOptions

	// Existing names a service, its listeners and target groups, and optionally a deploy role,
	// that already exist. Default: all of them are created. Requires VPC and Cluster.
	Existing *ExistingServiceOptions

	// Emails subscribe to the environment's notification topic, which its alarms notify.
	// Default: none.
	Emails []string
}

// LoadBalancerOptions shapes the load balancer.
type LoadBalancerOptions struct {
	// Internal puts the load balancer in the private subnets. Default: internet-facing.
	Internal bool
	// CertificateARN switches the production listener to HTTPS on 443; 80 then redirects.
	// Default: HTTP on 80.
	CertificateARN string
	// TestListenerPort is where CodeDeploy sends test traffic to the new tasks, reachable only
	// from inside the VPC. Default: 9000.
	TestListenerPort int
}

// ServiceOptions is the application as it runs in this environment.
type ServiceOptions struct {
	ContainerPort   int    // Default: 8080
	HealthCheckPath string // Default: /health
	CPU             int    // Default: 512
	MemoryMiB       int    // Default: 1024
	DesiredCount    int    // Default: 2
	// Environment holds plain variables for the container.
	Environment map[string]string
	// Secrets maps variable names to SecureString parameter names in Parameter Store.
	Secrets map[string]string
	// SecretsKeyARN is the customer-managed KMS key that encrypts the Secrets. Default: the
	// AWS-managed key aws/ssm, whose own policy lets the execution role decrypt through SSM.
	SecretsKeyARN string
	// HealthCheckIntervalSeconds between target health checks. Default: 10.
	HealthCheckIntervalSeconds int
	// HealthyThresholdCount of passed checks before a target takes traffic. Default: 2.
	HealthyThresholdCount int
	// DeregistrationDelaySeconds that a leaving target keeps its connections. Default: 30.
	DeregistrationDelaySeconds *int
	// BootstrapImage runs until the pipeline's first deployment replaces it; it must answer
	// HealthCheckPath on ContainerPort. Default: busybox httpd serving that path.
	BootstrapImage string
	// LogRetentionDays of the service's logs. Default: 30.
	LogRetentionDays int
	// Architecture of the image: x86_64 or arm64. Default: x86_64.
	Architecture string
}

// DeploymentOptions is how a release shifts traffic and when it rolls back.
type DeploymentOptions struct {
	// Engine shifts the traffic: spec.EngineCodeDeploy ("codedeploy", a CodeDeploy deployment
	// group and a CODE_DEPLOY-controlled service) or spec.EngineECS ("ecs", ECS's own
	// blue/green, canary and linear strategies; no CodeDeploy resources). Default: codedeploy.
	Engine string
	// Strategy is AllAtOnce, Canary10Percent5Minutes, Canary10Percent15Minutes,
	// Linear10PercentEvery1Minute or Linear10PercentEvery3Minutes; with the ECS engine also any
	// Canary<P>Percent<M>Minutes or Linear<P>PercentEvery<M>Minutes. Default: AllAtOnce.
	Strategy string
	// TerminationWaitMinutes keeps the old tasks after traffic moved, so a rollback is
	// instant. Default: 5. CodeDeploy only: it must be nil with the ECS engine.
	TerminationWaitMinutes *int
	// BakeMinutes is ECS's bake time (ECS engine only; 0 to 1440): the old tasks stay this long
	// after production traffic moved, and a rollback alarm rolls back. Default: 0. With
	// CodeDeploy the pipeline bakes instead (PipelineTargetOptions.BakeMinutes).
	BakeMinutes int
	// Target5xxPerMinute at or above which, for 2 minutes running, the deployment rolls back.
	// Default: 10.
	Target5xxPerMinute int
	// UnhealthyHosts at or above which, for 2 minutes running, it rolls back. Default: 1.
	UnhealthyHosts int
	// LatencyP99Milliseconds at or above which, for 3 minutes running, it rolls back.
	// Default: 2000.
	LatencyP99Milliseconds int
	// TestTraffic checks the new tasks through the test listener before production traffic
	// moves. Default: on, 10 requests to Service.HealthCheckPath that must answer 200.
	TestTraffic TestTrafficOptions
}

// ExistingServiceOptions names the pieces of an environment that already exist.
type ExistingServiceOptions struct {
	ServiceName string
	// ListenerARN and TestListenerARN are the listeners CodeDeploy shifts (CodeDeploy engine).
	ListenerARN     string
	TestListenerARN string
	// ListenerRuleARN and TestListenerRuleARN are the rules ECS shifts (ECS engine).
	ListenerRuleARN     string
	TestListenerRuleARN string
	// TargetGroupARNs are blue (serving now), then green.
	TargetGroupARNs [2]string
	// DeployRoleARN of a role the pipeline assumes. Default: the role is created.
	DeployRoleARN string
}

// Environment is one deployment target of an app, in its own account and region.
type Environment interface {
	constructs.Construct
	VPC() awsec2.IVpc
	Cluster() awsecs.ICluster
	// TaskSubnets are the private subnets tasks run in.
	TaskSubnets() *awsec2.SubnetSelection
	// TestTaskSecurityGroup is for the temporary integration-test task.
	TestTaskSecurityGroup() awsec2.ISecurityGroup
	// DeploymentGroup is CodeDeploy's; nil on ECS's engine.
	DeploymentGroup() awscodedeploy.IEcsDeploymentGroup
	// DeployRole is what the pipeline assumes to deploy here.
	DeployRole() awsiam.IRole
	// Topic is where the environment's alarms go.
	Topic() awssns.ITopic
	// Alarms roll a deployment back and notify the Topic.
	Alarms() []awscloudwatch.IAlarm
	// Dashboard shows the service's health.
	Dashboard() awscloudwatch.Dashboard
	// TaskFamily is the service's task definition family.
	TaskFamily() string
	ContainerName() string
	ContainerPort() int
}

type environment struct {
	constructs.Construct
	props      EnvironmentProps
	vpc        awsec2.IVpc
	cluster    awsecs.ICluster
	subnets    *awsec2.SubnetSelection
	testTaskSG awsec2.ISecurityGroup
	group      awscodedeploy.IEcsDeploymentGroup
	deployRole awsiam.IRole
	ops        *operations
	alarms     []awscloudwatch.Alarm
	dashboard  awscloudwatch.Dashboard
}

func (e *environment) VPC() awsec2.IVpc                                   { return e.vpc }
func (e *environment) Cluster() awsecs.ICluster                           { return e.cluster }
func (e *environment) TaskSubnets() *awsec2.SubnetSelection               { return e.subnets }
func (e *environment) TestTaskSecurityGroup() awsec2.ISecurityGroup       { return e.testTaskSG }
func (e *environment) DeploymentGroup() awscodedeploy.IEcsDeploymentGroup { return e.group }
func (e *environment) DeployRole() awsiam.IRole                           { return e.deployRole }
func (e *environment) Topic() awssns.ITopic                               { return e.ops.topic }
func (e *environment) Alarms() []awscloudwatch.IAlarm                     { return asIAlarms(e.alarms) }
func (e *environment) Dashboard() awscloudwatch.Dashboard                 { return e.dashboard }
func (e *environment) TaskFamily() string                                 { return e.props.Name }
func (e *environment) ContainerName() string                              { return containerName }
func (e *environment) ContainerPort() int                                 { return e.props.Service.ContainerPort }

// NewEnvironment creates one deployment target, or wraps the existing pieces given in props.
func NewEnvironment(scope constructs.Construct, id string, props *EnvironmentProps) (Environment, error) {
	p, err := environmentDefaults(id, *props)
	if err != nil {
		return nil, err
	}
	self := &environment{Construct: constructs.NewConstruct(scope, jsii.String(id))}
	stack := awscdk.Stack_Of(self.Construct)
	orString(&p.PipelineAccount, *stack.Account())
	orString(&p.PipelineRegion, *stack.Region())
	self.props = p
	self.ops = newOperations(self.Construct, p.Name, p.Emails)
	self.vpc, self.subnets = p.VPC, p.TaskSubnets
	if self.vpc == nil {
		self.vpc, self.subnets = newNetwork(self.Construct, self.ops, *p.NATGateways, p.Service.LogRetentionDays, !p.Deployment.TestTraffic.Disabled)
	}
	if self.subnets == nil {
		self.subnets = &awsec2.SubnetSelection{SubnetType: awsec2.SubnetType_PRIVATE_WITH_EGRESS}
	}
	self.cluster = p.Cluster
	if self.cluster == nil {
		self.cluster = awsecs.NewCluster(self.Construct, jsii.String("Cluster"), &awsecs.ClusterProps{
			ClusterName:                    jsii.String(p.Name),
			Vpc:                            self.vpc,
			ContainerInsightsV2:            awsecs.ContainerInsights_ENABLED,
			EnableFargateCapacityProviders: jsii.Bool(true),
		})
	}
	self.testTaskSG = awsec2.NewSecurityGroup(self.Construct, jsii.String("TestTaskSecurityGroup"), &awsec2.SecurityGroupProps{
		Vpc:         self.vpc,
		Description: jsii.String("Temporary integration-test task of " + p.Name + ": no inbound traffic"),
		// The test task pulls its image and reaches AWS APIs; it accepts no connections.
		AllowAllOutbound: jsii.Bool(true),
	})
	roles := newTaskRoles(self.Construct, &p)
	// Kept when the stack goes, but not when its first create fails: a retry must not find the
	// fixed name taken.
	logs := self.ops.logGroup(self.Construct, "Logs", "", p.Service.LogRetentionDays, awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE)
	var target *deployTarget
	check, port := p.Deployment.TestTraffic.URL, listenerPort(p.Deployment.TestTraffic.URL)
	if p.Existing != nil {
		target = existingTarget(self.Construct, self.cluster, p.Existing)
	} else {
		lb := newLoadBalancer(self.Construct, self.vpc, &p)
		target = newService(self.Construct, self.cluster, self.subnets, lb, roles, logs, &p)
		if check == "" {
			check, port = fmt.Sprintf("http://%s:%d", *lb.alb.LoadBalancerDnsName(), p.LoadBalancer.TestListenerPort), p.LoadBalancer.TestListenerPort
		}
	}
	var hook awslambda.IFunction
	if !p.Deployment.TestTraffic.Disabled {
		hook = self.newTestTrafficCheck(check, port)
	}
	if p.IntegrationTest != nil {
		newTestTask(self.Construct, roles, logs, subnetIDs(self.vpc, self.subnets), self.testTaskSG, &p)
	}
	self.alarms = newRollbackAlarms(self.Construct, target, &p)
	for _, alarm := range self.alarms {
		self.ops.notify(alarm)
	}
	var engine *ecsRoles
	if p.Deployment.Engine == spec.EngineECS {
		engine = newECSRoles(self.Construct, roles, self.cluster, target, hook, &p)
		if service, ok := target.service.(awsecs.FargateService); ok && p.Existing == nil {
			configureECSEngine(service, target, self.alarms, hook, engine, &p)
		}
	} else {
		self.group = newDeploymentGroup(self.Construct, target, self.alarms, hook, &p)
	}
	self.dashboard = newServiceDashboard(self.Construct, target, self.cluster, self.alarms, &p)
	self.deployRole = newDeployRole(self.Construct, roles, self.cluster, engine, &p)
	return self, nil
}

func environmentDefaults(id string, p EnvironmentProps) (EnvironmentProps, error) {
	fail := func(format string, args ...any) (EnvironmentProps, error) {
		return EnvironmentProps{}, fmt.Errorf("environment %s: "+format, append([]any{id}, args...)...)
	}
	if p.Name == "" || p.Pipeline == "" {
		return fail("Name and Pipeline are required")
	}
	if p.Cluster != nil && p.VPC == nil {
		return fail("an existing Cluster needs its VPC")
	}
	if p.Existing != nil && p.Cluster == nil {
		return fail("an Existing service needs its Cluster and VPC")
	}
	if p.NATGateways == nil {
		one := spec.DefaultNATGateways
		p.NATGateways = &one
	}
	if n := *p.NATGateways; n < 0 || n > 2 {
		return fail("NATGateways must be 0, 1 or 2, got %d", n)
	}
	orInt(&p.LoadBalancer.TestListenerPort, spec.DefaultTestListenerPort)
	if k := p.Service.SecretsKeyARN; k != "" && !unresolved(k) && !spec.KMSKeyARN.MatchString(k) {
		return fail("Service.SecretsKeyARN %q is not a KMS key ARN (arn:PARTITION:kms:REGION:ACCOUNT:key/ID)", k)
	}
	serviceDefaults(&p.Service)
	if err := checkService(&p.Service); err != nil {
		return fail("%v", err)
	}
	d := &p.Deployment
	if err := engineDefaults(d, p.Existing); err != nil {
		return fail("%v", err)
	}
	orInt(&d.Target5xxPerMinute, spec.DefaultTarget5xxPerMinute)
	orInt(&d.UnhealthyHosts, spec.DefaultUnhealthyHosts)
	orInt(&d.LatencyP99Milliseconds, spec.DefaultLatencyP99Milliseconds)
	if err := testTrafficDefaults(&d.TestTraffic, &p.Service, d, p.Existing != nil); err != nil {
		return fail("%v", err)
	}
	if !d.TestTraffic.Disabled && p.VPC == nil && *p.NATGateways == 0 && !p.LoadBalancer.Internal {
		return fail("TestTraffic runs inside the VPC, which reaches an internet-facing load balancer only through NAT; " +
			"with NATGateways 0 set LoadBalancer.Internal or TestTraffic.Disabled")
	}
	return p, nil
}

// serviceDefaults fills the documented defaults of ServiceOptions; the environment and the
// pipeline's task definitions must agree on them.
func serviceDefaults(s *ServiceOptions) {
	orInt(&s.ContainerPort, spec.DefaultContainerPort)
	orString(&s.HealthCheckPath, spec.DefaultHealthCheckPath)
	orInt(&s.CPU, spec.DefaultCPU)
	orInt(&s.MemoryMiB, spec.DefaultMemoryMiB)
	orInt(&s.DesiredCount, spec.DefaultDesiredCount)
	orInt(&s.HealthCheckIntervalSeconds, spec.DefaultHealthCheckInterval)
	orInt(&s.HealthyThresholdCount, spec.DefaultHealthyThreshold)
	if s.DeregistrationDelaySeconds == nil {
		delay := spec.DefaultDeregistrationDelay
		s.DeregistrationDelaySeconds = &delay
	}
	orInt(&s.LogRetentionDays, spec.DefaultLogRetentionDays)
	orString(&s.Architecture, spec.DefaultArchitecture)
}

func orInt(v *int, def int) {
	if *v == 0 {
		*v = def
	}
}

func orString(v *string, def string) {
	if *v == "" {
		*v = def
	}
}
