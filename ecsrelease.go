package ecsdelivery

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
)

// ecsReleaseStatements let the deploy role release on ECS's engine and follow the deployment to
// its end. A service the stack created is released by updating the stack's image parameter, and
// only with the release role, so whatever template the caller sent, CloudFormation can do no
// more than that role; an existing service is updated directly. Either way the role reads the
// service's deployments, its revisions and the stack's events, for the outcome and its reason.
func ecsReleaseStatements(scope constructs.Construct, roles *taskRoles, cluster awsecs.ICluster, engine *ecsRoles, p *EnvironmentProps) []awsiam.PolicyStatement {
	serviceName := p.Name
	if p.Existing != nil {
		serviceName = p.Existing.ServiceName
	}
	path := *cluster.ClusterName() + "/" + serviceName
	service := stackARN(scope, "ecs", "service/"+path)
	out := []awsiam.PolicyStatement{
		statement("FollowThisServicesDeployments", []string{"ecs:DescribeServices", "ecs:ListServiceDeployments"}, []string{service}, nil),
		statement("ReadThisServicesDeploymentsAndRevisions", []string{"ecs:DescribeServiceDeployments", "ecs:DescribeServiceRevisions"},
			[]string{stackARN(scope, "ecs", "service-deployment/"+path+"/*"), stackARN(scope, "ecs", "service-revision/"+path+"/*")}, nil),
	}
	if engine.release != nil {
		stack := stackARN(scope, "cloudformation", "stack/"+*awscdk.Stack_Of(scope).StackName()+"/*")
		return append(out,
			statement("ReleaseThroughTheStackAsTheReleaseRole", []string{"cloudformation:UpdateStack"}, []string{stack},
				map[string]any{"StringEquals": map[string]any{"cloudformation:RoleArn": *engine.release.RoleArn()}}),
			statement("FollowTheStack", []string{"cloudformation:DescribeStacks", "cloudformation:DescribeStackEvents"}, []string{stack}, nil),
			statement("PassTheReleaseRole", []string{"iam:PassRole"}, []string{*engine.release.RoleArn()},
				map[string]any{"StringEquals": map[string]any{"iam:PassedToService": "cloudformation.amazonaws.com"}}),
			// CloudFormation resolves the CDK bootstrap's version parameter as the caller.
			statement("ReadBootstrapVersion", []string{"ssm:GetParameters"}, []string{stackARN(scope, "ssm", "parameter/cdk-bootstrap/*/version")}, nil),
			// The already-released check compares the running task definition's image.
			statement("ReadTaskDefinitions", []string{"ecs:DescribeTaskDefinition"}, []string{"*"}, nil),
		)
	}
	passed := []string{*engine.shift.RoleArn()}
	if engine.hook != nil {
		passed = append(passed, *engine.hook.RoleArn())
	}
	return append(out,
		// Task-definition registration has no resource-level permissions: "*" is the only resource.
		statement("RegisterTaskDefinitions", []string{"ecs:RegisterTaskDefinition", "ecs:DescribeTaskDefinition"}, []string{"*"}, nil),
		statement("UpdateThisService", []string{"ecs:UpdateService"}, []string{service}, releaseOnly(scope, p.Name)),
		statement("PassTaskRoles", []string{"iam:PassRole"}, []string{*roles.execution.RoleArn(), *roles.task.RoleArn()},
			map[string]any{"StringEquals": map[string]any{"iam:PassedToService": "ecs-tasks.amazonaws.com"}}),
		statement("PassEngineRoles", []string{"iam:PassRole"}, passed,
			map[string]any{"StringEquals": map[string]any{"iam:PassedToService": "ecs.amazonaws.com"}}),
	)
}
