package ecsdelivery

import (
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodedeploy"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecs"
	elb "github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/interfaces/interfacesawselasticloadbalancingv2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/ecsdelivery/ecsdelivery/spec"
)

// deployTarget is what an engine needs of a service, created or existing: the service, both
// listeners (or, on ECS's engine, a rule on each), both target groups, and their CloudWatch
// dimension values for the alarms.
type deployTarget struct {
	service                awsecs.IBaseService
	listener, testListener interfacesawselasticloadbalancingv2.IListenerRef
	blue, green            elb.ITargetGroup
	// rule and testRule are the ARNs of the listener rules ECS's engine shifts; rules are the
	// ones the stack created.
	rule, testRule   string
	rules            []elb.ApplicationListenerRule
	listenerARNs     []string // the listeners the rules are on
	serviceName      string
	loadBalancerName string    // "app/NAME/ID"
	targetGroupNames [2]string // "targetgroup/NAME/ID", blue then green
}

var deploymentConfigs = map[string]func() awscodedeploy.IEcsDeploymentConfig{
	"AllAtOnce":                    awscodedeploy.EcsDeploymentConfig_ALL_AT_ONCE,
	"Canary10Percent5Minutes":      awscodedeploy.EcsDeploymentConfig_CANARY_10PERCENT_5MINUTES,
	"Canary10Percent15Minutes":     awscodedeploy.EcsDeploymentConfig_CANARY_10PERCENT_15MINUTES,
	"Linear10PercentEvery1Minute":  awscodedeploy.EcsDeploymentConfig_LINEAR_10PERCENT_EVERY_1MINUTES,
	"Linear10PercentEvery3Minutes": awscodedeploy.EcsDeploymentConfig_LINEAR_10PERCENT_EVERY_3MINUTES,
}

// existingTarget wraps a service, listeners and target groups that exist already. Nothing is
// looked up: the ARNs carry every name the alarms need.
func existingTarget(scope constructs.Construct, cluster awsecs.ICluster, e *ExistingServiceOptions) *deployTarget {
	// CodeDeploy reads only the listeners' ARNs, so they are imported without the security
	// group an application-listener import insists on.
	var listener, test interfacesawselasticloadbalancingv2.IListenerRef
	lbName := arnTail(e.ListenerRuleARN, "listener-rule/", 3)
	if e.ListenerARN != "" {
		listener = elb.NetworkListener_FromNetworkListenerArn(scope, jsii.String("ExistingListener"), jsii.String(e.ListenerARN))
		test = elb.NetworkListener_FromNetworkListenerArn(scope, jsii.String("ExistingTestListener"), jsii.String(e.TestListenerARN))
		lbName = arnTail(e.ListenerARN, "listener/", 3)
	}
	return &deployTarget{
		rule: e.ListenerRuleARN, testRule: e.TestListenerRuleARN,
		listenerARNs: []string{spec.ListenerOfRule(e.ListenerRuleARN), spec.ListenerOfRule(e.TestListenerRuleARN)},
		service: awsecs.FargateService_FromFargateServiceAttributes(scope, jsii.String("ExistingServiceOptions"),
			&awsecs.FargateServiceAttributes{Cluster: cluster, ServiceName: jsii.String(e.ServiceName)}),
		serviceName:  e.ServiceName,
		listener:     listener,
		testListener: test,
		blue: elb.ApplicationTargetGroup_FromTargetGroupAttributes(scope, jsii.String("ExistingBlue"),
			&elb.TargetGroupAttributes{TargetGroupArn: jsii.String(e.TargetGroupARNs[0])}),
		green: elb.ApplicationTargetGroup_FromTargetGroupAttributes(scope, jsii.String("ExistingGreen"),
			&elb.TargetGroupAttributes{TargetGroupArn: jsii.String(e.TargetGroupARNs[1])}),
		loadBalancerName: lbName,
		targetGroupNames: [2]string{arnTail(e.TargetGroupARNs[0], "", 3), arnTail(e.TargetGroupARNs[1], "", 3)},
	}
}

// loadBalancerDimensions select the load balancer's metrics in AWS/ApplicationELB.
func (t *deployTarget) loadBalancerDimensions() map[string]*string {
	return map[string]*string{"LoadBalancer": jsii.String(t.loadBalancerName)}
}

// targetGroupDimensions select the metrics of target group i (0 blue, 1 green).
func (t *deployTarget) targetGroupDimensions(i int) map[string]*string {
	return map[string]*string{"LoadBalancer": jsii.String(t.loadBalancerName), "TargetGroup": jsii.String(t.targetGroupNames[i])}
}

// perMinute is a metric at one-minute resolution, what rollbacks and service health need.
func perMinute(namespace, name, statistic string, dims map[string]*string) awscloudwatch.Metric {
	return awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
		Namespace: jsii.String(namespace), MetricName: jsii.String(name), DimensionsMap: &dims,
		Statistic: jsii.String(statistic), Period: awscdk.Duration_Minutes(jsii.Number(1)),
	})
}

// arnTail returns n '/'-separated parts of an ARN's resource, after dropping prefix:
// the CloudWatch dimension value of a load balancer or target group.
func arnTail(arn, prefix string, n int) string {
	resource := arn[strings.LastIndex(arn, ":")+1:]
	parts := strings.Split(strings.TrimPrefix(resource, prefix), "/")
	return strings.Join(parts[:min(n, len(parts))], "/")
}

// newDeploymentGroup creates the CodeDeploy application and blue/green group, and the alarms
// that roll a deployment back.
func newDeploymentGroup(scope constructs.Construct, t *deployTarget, alarms []awscloudwatch.Alarm, hook awslambda.IFunction, p *EnvironmentProps) awscodedeploy.IEcsDeploymentGroup {
	app := awscodedeploy.NewEcsApplication(scope, jsii.String("Application"), &awscodedeploy.EcsApplicationProps{
		ApplicationName: jsii.String(p.Name),
	})
	// The role CDK would make trusts CodeDeploy for any customer's deployment group.
	role := awsiam.NewRole(scope, jsii.String("DeploymentGroupServiceRole"), &awsiam.RoleProps{
		AssumedBy: servicePrincipal(scope, "codedeploy.amazonaws.com", stackARN(scope, "codedeploy", "deploymentgroup:"+p.Name+"/"+p.Name)),
		ManagedPolicies: &[]awsiam.IManagedPolicy{
			awsiam.ManagedPolicy_FromAwsManagedPolicyName(jsii.String("AWSCodeDeployRoleForECS")),
		},
	})
	if hook != nil {
		// AWS's policy lets CodeDeploy invoke only functions named CodeDeployHook_*.
		role.AddToPolicy(statement("InvokeTheTestTrafficCheck", []string{"lambda:InvokeFunction"}, []string{*hook.FunctionArn()}, nil))
	}
	group := awscodedeploy.NewEcsDeploymentGroup(scope, jsii.String("DeploymentGroup"), &awscodedeploy.EcsDeploymentGroupProps{
		Application:         app,
		Role:                role,
		DeploymentGroupName: jsii.String(p.Name),
		Service:             t.service,
		DeploymentConfig:    deploymentConfigs[p.Deployment.Strategy](),
		BlueGreenDeploymentConfig: &awscodedeploy.EcsBlueGreenDeploymentConfig{
			BlueTargetGroup:     t.blue,
			GreenTargetGroup:    t.green,
			Listener:            t.listener,
			TestListener:        t.testListener,
			TerminationWaitTime: awscdk.Duration_Minutes(jsii.Number(*p.Deployment.TerminationWaitMinutes)),
		},
		AutoRollback: &awscodedeploy.AutoRollbackConfig{
			FailedDeployment:  jsii.Bool(true),
			StoppedDeployment: jsii.Bool(true),
			DeploymentInAlarm: jsii.Bool(true),
		},
		Alarms: alarmRefs(alarms),
	})
	suppress(role, "AwsSolutions-IAM4", "CodeDeploy's service role for the ECS blue/green deployments of "+p.Name+
		" holds the policy AWS maintains for exactly that role", "Policy::arn:<AWS::Partition>:iam::aws:policy/AWSCodeDeployRoleForECS")
	return group
}

// newRollbackAlarms watch what a bad release breaks first: errors from the targets, targets
// failing their health check (in either group, as blue and green swap roles every release),
// and slow responses.
func newRollbackAlarms(scope constructs.Construct, t *deployTarget, p *EnvironmentProps) []awscloudwatch.Alarm {
	d := &p.Deployment
	metric := func(name, statistic string, dims map[string]*string) awscloudwatch.Metric {
		return perMinute("AWS/ApplicationELB", name, statistic, dims)
	}
	names := rollbackAlarmNames(p.Name)
	alarm := func(id string, name int, description string, m awscloudwatch.Metric, threshold float64, periods int) awscloudwatch.Alarm {
		return awscloudwatch.NewAlarm(scope, jsii.String(id), &awscloudwatch.AlarmProps{
			// Named, so the pipeline's bake can watch them from another account.
			AlarmName:          jsii.String(names[name]),
			AlarmDescription:   jsii.String(description + " in " + p.Name + ": rolls back a deployment in progress"),
			Metric:             m,
			Threshold:          jsii.Number(threshold),
			EvaluationPeriods:  jsii.Number(periods),
			DatapointsToAlarm:  jsii.Number(periods),
			ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
			TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
		})
	}
	lb, group := t.loadBalancerDimensions(), t.targetGroupDimensions
	return []awscloudwatch.Alarm{
		alarm("Target5xxAlarm", 0, "Targets answer 5xx", metric("HTTPCode_Target_5XX_Count", "Sum", lb), float64(d.Target5xxPerMinute), 2),
		alarm("BlueUnhealthyAlarm", 1, "Unhealthy targets in the blue group", metric("UnHealthyHostCount", "Maximum", group(0)), float64(d.UnhealthyHosts), 2),
		alarm("GreenUnhealthyAlarm", 2, "Unhealthy targets in the green group", metric("UnHealthyHostCount", "Maximum", group(1)), float64(d.UnhealthyHosts), 2),
		alarm("LatencyAlarm", 3, "p99 response time over the limit", metric("TargetResponseTime", "p99", lb), float64(d.LatencyP99Milliseconds)/1000, 3),
	}
}
