package ecsdelivery

import (
	"errors"
	"fmt"
	"regexp"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecs"
	elb "github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/ecsdelivery/ecsdelivery/spec"
)

// hookStage is where the test-traffic check runs on ECS's engine: once test traffic reaches the
// new tasks through the test listener rule, before any production traffic moves (CodeDeploy's
// AfterAllowTestTraffic).
const hookStage = "POST_TEST_TRAFFIC_SHIFT"

// engineDefaults fills and checks what depends on the engine: the strategy it can express, the
// termination wait (CodeDeploy's), the bake (ECS's) and which listener ARNs an import gives.
func engineDefaults(d *DeploymentOptions, existing *ExistingServiceOptions) error {
	orString(&d.Engine, spec.DefaultEngine)
	orString(&d.Strategy, spec.DefaultStrategy)
	switch d.Engine {
	case spec.EngineCodeDeploy:
		if msg := spec.CheckStrategy(d.Engine, d.Strategy); msg != "" {
			return fmt.Errorf("Deployment.Strategy %q %s", d.Strategy, msg)
		}
		if d.TerminationWaitMinutes == nil {
			wait := spec.DefaultTerminationWaitMinutes
			d.TerminationWaitMinutes = &wait
		}
		if d.BakeMinutes != 0 {
			return errors.New("Deployment.BakeMinutes is ECS's bake time; with CodeDeploy set PipelineTargetOptions.BakeMinutes")
		}
		if existing != nil && (existing.ListenerRuleARN != "" || existing.TestListenerRuleARN != "") {
			return errors.New("Existing.ListenerRuleARN and TestListenerRuleARN are for the ECS engine; CodeDeploy shifts ListenerARN and TestListenerARN")
		}
		return nil
	case spec.EngineECS:
	default:
		return fmt.Errorf("Deployment.Engine %q is not an engine; expected %s or %s", d.Engine, spec.EngineCodeDeploy, spec.EngineECS)
	}
	shift, msg := spec.ParseStrategy(d.Strategy)
	switch {
	case msg != "":
		return fmt.Errorf("Deployment.Strategy %q %s", d.Strategy, msg)
	case d.TerminationWaitMinutes != nil:
		return errors.New("Deployment.TerminationWaitMinutes is CodeDeploy's; on ECS's engine the old tasks stay for BakeMinutes")
	case d.BakeMinutes < 0 || d.BakeMinutes > spec.MaxECSBakeMinutes:
		return fmt.Errorf("Deployment.BakeMinutes %d must be 0 to %d (CloudFormation's limit)", d.BakeMinutes, spec.MaxECSBakeMinutes)
	case spec.ReleaseMinutes(shift, d.BakeMinutes) > spec.MaxReleaseMinutes:
		return fmt.Errorf("Deployment.Strategy %s with BakeMinutes %d takes longer than the %d minutes the deploy step can wait",
			d.Strategy, d.BakeMinutes, spec.MaxReleaseMinutes)
	}
	if existing != nil && (existing.ListenerRuleARN == "" || existing.TestListenerRuleARN == "" ||
		existing.ListenerARN != "" || existing.TestListenerARN != "") {
		return errors.New("an Existing service on ECS's engine names ListenerRuleARN and TestListenerRuleARN, the rules ECS shifts, and no listener ARNs")
	}
	return nil
}

// ecsRoles are the roles ECS's engine acts with in an environment: ECS shifts the listener rules
// as shift and invokes the lifecycle hook as hook; CloudFormation releases a service the stack
// created as release (nil for an existing service).
type ecsRoles struct {
	shift, hook, release awsiam.Role
}

// newECSRoles creates the roles of ECS's engine. Nothing of ours runs as them: ECS and
// CloudFormation assume them, and only the deploy role may pass them.
func newECSRoles(scope constructs.Construct, roles *taskRoles, cluster awsecs.ICluster, t *deployTarget, hook awslambda.IFunction, p *EnvironmentProps) *ecsRoles {
	r := &ecsRoles{}
	// ECS documents no aws:SourceAccount or aws:SourceArn when it assumes these roles; a
	// condition could lock it out of its own deployments, so it is trusted by name (and only
	// this account's principals with iam:PassRole on the role can hand it to ECS).
	r.shift = awsiam.NewRole(scope, jsii.String("ShiftRole"), &awsiam.RoleProps{
		RoleName:    jsii.String(shiftRoleName(p.Name)),
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("ecs.amazonaws.com"), nil),
		Description: jsii.String("ECS shifts the production and test listener rules of " + p.Name + " between its target groups"),
	})
	// What AWS's AmazonECSInfrastructureRolePolicyForLoadBalancers allows on every load balancer
	// of the account, on this environment's rules, listeners and groups only: a service
	// configured with another application's rule could not move that application's traffic.
	blue, green := *t.blue.TargetGroupArn(), *t.green.TargetGroupArn()
	for _, st := range []awsiam.PolicyStatement{
		// The Describe actions have no resource-level permissions: "*" is the only resource.
		statement("ReadLoadBalancers", []string{"elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeRules",
			"elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetHealth"}, []string{"*"}, nil),
		statement("ShiftTheseRules", []string{"elasticloadbalancing:ModifyRule"}, []string{t.rule, t.testRule}, nil),
		statement("ShiftTheseListeners", []string{"elasticloadbalancing:ModifyListener"}, t.listenerARNs, nil),
		statement("RegisterTasksInTheseGroups", []string{"elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"},
			[]string{blue, green}, nil),
	} {
		r.shift.AddToPolicy(st)
	}
	suppress(r.shift, "AwsSolutions-IAM5", "The role ECS shifts the listener rules of "+p.Name+" with: the load balancers' "+
		"Describe actions have no resource-level permissions; what it changes is this environment's rules, listeners and groups",
		"Resource::*")
	if hook != nil {
		r.hook = awsiam.NewRole(scope, jsii.String("HookRole"), &awsiam.RoleProps{
			RoleName:    jsii.String(hookRoleName(p.Name)),
			AssumedBy:   awsiam.NewServicePrincipal(jsii.String("ecs.amazonaws.com"), nil),
			Description: jsii.String("ECS invokes the test-traffic check of " + p.Name + " in each deployment"),
		})
		r.hook.AddToPolicy(statement("InvokeTheTestTrafficCheck", []string{"lambda:InvokeFunction"}, []string{*hook.FunctionArn()}, nil))
	}
	if p.Existing == nil {
		r.release = newReleaseRole(scope, roles, cluster, r, p)
	}
	return r
}

// newReleaseRole is what CloudFormation acts as when the pipeline releases: the stack's update
// changes the image parameter, so CloudFormation registers a task definition and updates the
// service with it. The deploy role may update the stack only with this role, so a template
// it sent could do no more than this.
func newReleaseRole(scope constructs.Construct, roles *taskRoles, cluster awsecs.ICluster, r *ecsRoles, p *EnvironmentProps) awsiam.Role {
	role := awsiam.NewRole(scope, jsii.String("ReleaseRole"), &awsiam.RoleProps{
		RoleName: jsii.String(releaseRoleName(p.Name)),
		// CloudFormation documents no aws:SourceArn for a stack's service role; the deploy role's
		// cloudformation:RoleArn condition is what ties this role to this stack.
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("cloudformation.amazonaws.com"), nil),
		Description: jsii.String("CloudFormation releases a new image of " + p.Name + " as this role, for the pipeline " + p.Pipeline),
	})
	passed := []string{*r.shift.RoleArn()}
	if r.hook != nil {
		passed = append(passed, *r.hook.RoleArn())
	}
	for _, s := range []awsiam.PolicyStatement{
		// Registration has no resource-level permissions: "*" is the only resource.
		statement("RegisterTaskDefinitions", []string{"ecs:RegisterTaskDefinition", "ecs:DescribeTaskDefinition"}, []string{"*"}, nil),
		statement("UpdateThisService", []string{"ecs:UpdateService"},
			[]string{stackARN(scope, "ecs", "service/"+*cluster.ClusterName()+"/"+p.Name)}, releaseOnly(scope, p.Name)),
		statement("ReadThisService", []string{"ecs:DescribeServices", "ecs:ListServiceDeployments"},
			[]string{stackARN(scope, "ecs", "service/"+*cluster.ClusterName()+"/"+p.Name)}, nil),
		// CloudFormation may wait on the deployment it started.
		statement("FollowThisServicesDeployments", []string{"ecs:DescribeServiceDeployments"},
			[]string{stackARN(scope, "ecs", "service-deployment/"+*cluster.ClusterName()+"/"+p.Name+"/*")}, nil),
		// Stack tags (cdk deploy --tags) reach a new revision as it is registered, never later.
		statement("TagNewRevisions", []string{"ecs:TagResource"}, []string{stackARN(scope, "ecs", "task-definition/"+p.Name+":*")},
			map[string]any{"StringEquals": map[string]any{"ecs:CreateAction": "RegisterTaskDefinition"}}),
		statement("PassTaskRoles", []string{"iam:PassRole"}, []string{*roles.execution.RoleArn(), *roles.task.RoleArn()},
			map[string]any{"StringEquals": map[string]any{"iam:PassedToService": "ecs-tasks.amazonaws.com"}}),
		statement("PassEngineRoles", []string{"iam:PassRole"}, passed,
			map[string]any{"StringEquals": map[string]any{"iam:PassedToService": "ecs.amazonaws.com"}}),
		statement("ReadBootstrapVersion", []string{"ssm:GetParameters"}, []string{stackARN(scope, "ssm", "parameter/cdk-bootstrap/*/version")}, nil),
	} {
		role.AddToPolicy(s)
	}
	suppress(role, "AwsSolutions-IAM5", "The release role of "+p.Name+": task-definition registration has no resource-level "+
		"permissions; the CDK bootstrap's version parameter has a qualifier chosen at bootstrap; the service's deployments "+
		"and the family's revisions have ids known only at run time",
		"Resource::*", `/^Resource::arn:[^:]+:ssm:[^:]+:.+:parameter\/cdk-bootstrap\/\*\/version$/`,
		`/^Resource::arn:[^:]+:ecs:[^:]+:.+:service-deployment\/[^*]+\/\*$/`,
		`/^Resource::arn:[^:]+:ecs:[^:]+:.+:task-definition\/`+regexp.QuoteMeta(p.Name)+`:\*$/`)
	return role
}

// releaseOnly keeps an update of the service to what a release changes: a revision of the
// service's own family, and no shell into its tasks. (Whatever else a template sent with the
// stack update sets, the rules, groups and roles ECS may act on are this environment's only.)
func releaseOnly(scope constructs.Construct, family string) map[string]any {
	return map[string]any{
		"ArnLikeIfExists": map[string]any{"ecs:task-definition": stackARN(scope, "ecs", "task-definition/"+family+":*")},
		"BoolIfExists":    map[string]any{"ecs:enable-execute-command": "false"},
	}
}

// shiftedRules adds the listener rules ECS shifts between the target groups: all paths, on the
// production and on the test listener. Their properties name only the listeners and target
// groups, never the image or the service's settings, so no release and no settings change
// updates them: CloudFormation would reset ECS's weights to the template's (aws/aws-cdk#36649).
func shiftedRules(scope constructs.Construct, lb *loadBalancer) (production, test elb.ApplicationListenerRule) {
	rule := func(id string, listener elb.ApplicationListener) elb.ApplicationListenerRule {
		return elb.NewApplicationListenerRule(scope, jsii.String(id), &elb.ApplicationListenerRuleProps{
			Listener:   listener,
			Priority:   jsii.Number(1),
			Conditions: &[]elb.ListenerCondition{elb.ListenerCondition_PathPatterns(jsii.Strings("/*"))},
			Action: elb.ListenerAction_WeightedForward(&[]*elb.WeightedTargetGroup{
				{TargetGroup: lb.blue, Weight: jsii.Number(100)}, {TargetGroup: lb.green, Weight: jsii.Number(0)},
			}, nil),
		})
	}
	return rule("ProductionRule", lb.listener), rule("TestRule", lb.testListener)
}

// ecsDeploymentConfiguration is the service's deployment configuration on ECS's engine, in the
// ECS API's shape (lower camel case); CloudFormation's is the same with upper camel case.
func ecsDeploymentConfiguration(d *DeploymentOptions, alarms []string, hook, hookRole string) map[string]any {
	shift, _ := spec.ParseStrategy(d.Strategy)
	c := map[string]any{
		"strategy": shift.Kind,
		// Always explicit: CloudFormation's default when it is unset is hours.
		"bakeTimeInMinutes":     d.BakeMinutes,
		"minimumHealthyPercent": 100,
		"maximumPercent":        200,
		"alarms":                map[string]any{"alarmNames": alarms, "enable": true, "rollback": true},
	}
	switch shift.Kind {
	case "CANARY":
		c["canaryConfiguration"] = map[string]any{"canaryPercent": shift.Percent, "canaryBakeTimeInMinutes": shift.Minutes}
	case "LINEAR":
		c["linearConfiguration"] = map[string]any{"stepPercent": shift.Percent, "stepBakeTimeInMinutes": shift.Minutes}
	}
	if hook != "" {
		c["lifecycleHooks"] = []any{map[string]any{"hookTargetArn": hook, "roleArn": hookRole, "lifecycleStages": []string{hookStage}}}
	}
	return c
}

// configureECSEngine hands a service the stack created to ECS's engine: its deployment
// configuration, and the alternate target group, rules and role of its load balancer.
func configureECSEngine(service awsecs.FargateService, t *deployTarget, alarms []awscloudwatch.Alarm, hook awslambda.IFunction, r *ecsRoles, p *EnvironmentProps) {
	names := make([]string, len(alarms))
	for i, a := range alarms {
		names[i] = *a.AlarmName()
	}
	hookARN, hookRole := "", ""
	if hook != nil {
		hookARN, hookRole = *hook.FunctionArn(), *r.hook.RoleArn()
	}
	cfn := service.Node().DefaultChild().(awsecs.CfnService)
	cfn.AddPropertyOverride(jsii.String("DeploymentConfiguration"), upperCamel(ecsDeploymentConfiguration(&p.Deployment, names, hookARN, hookRole)))
	cfn.AddPropertyOverride(jsii.String("LoadBalancers.0.AdvancedConfiguration"), map[string]any{
		"AlternateTargetGroupArn": *t.green.TargetGroupArn(),
		"ProductionListenerRule":  t.rule,
		"TestListenerRule":        t.testRule,
		"RoleArn":                 *r.shift.RoleArn(),
	})
	awscdk.Annotations_Of(service).AcknowledgeWarning(jsii.String("@aws-cdk/aws-ecs:shouldUseCircuitBreaker"),
		jsii.String("ECS's blue/green engine: the circuit breaker is documented for rolling updates; tasks that fail their "+
			"health checks fail the test-traffic hook and trip the unhealthy-target alarms, which roll back"))
	// The rules must exist, naming both groups, before ECS is handed them.
	for _, rule := range t.rules {
		cfn.AddResourceDependency(rule.Node().DefaultChild().(awscdk.CfnResource), jsii.String("ECS shifts these rules"))
	}
}

// upperCamel turns an ECS API shape into CloudFormation's: the same keys with an upper-case
// first letter, at every depth.
func upperCamel(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[string(k[0]-'a'+'A')+k[1:]] = upperCamel(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = upperCamel(x)
		}
		return out
	}
	return v
}
