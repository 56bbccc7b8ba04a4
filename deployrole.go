package ecsdelivery

import (
	"regexp"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/ecsdelivery/ecsdelivery/spec"
)

// newDeployRole creates the role the pipeline assumes to deploy here, or imports the one given.
// Only the pipeline's own roles may assume it, and it can touch only this environment.
func newDeployRole(scope constructs.Construct, roles *taskRoles, cluster awsecs.ICluster, engine *ecsRoles, p *EnvironmentProps) awsiam.IRole {
	if p.Existing != nil && p.Existing.DeployRoleARN != "" {
		return awsiam.Role_FromRoleArn(scope, jsii.String("ExistingDeployRole"), jsii.String(p.Existing.DeployRoleARN),
			&awsiam.FromRoleArnOptions{Mutable: jsii.Bool(false)})
	}
	role := awsiam.NewRole(scope, jsii.String("DeployRole"), &awsiam.RoleProps{
		RoleName:           jsii.String(deployRoleName(p.Name)),
		Description:        jsii.String("The pipeline " + p.Pipeline + " assumes this role to deploy " + p.Name),
		AssumedBy:          deployRoleTrust(scope, p),
		MaxSessionDuration: awscdk.Duration_Hours(jsii.Number(1)),
	})
	var statements []awsiam.PolicyStatement
	if engine != nil {
		statements = ecsReleaseStatements(scope, roles, cluster, engine, p)
	} else {
		statements = deployStatements(scope, roles, p)
	}
	for _, s := range append(statements, integrationTestStatements(scope, cluster, p)...) {
		role.AddToPolicy(s)
	}
	suppress(role, "AwsSolutions-IAM5", "The deploy role of "+p.Name+": task-definition registration has no resource-level "+
		"permissions, nor has ecs:ListTasks (scoped by its cluster condition); the integration-test family's revisions and "+
		"tasks have numbers and ids only known at run time (stopping needs the test task's tag); the artifact key's id is "+
		"unknown here (its key policy or alias condition pins it); the deploy artifacts are objects of the pipeline's bucket "+
		"under one prefix",
		"Resource::*",
		`/^Resource::arn:[^:]+:ecs:[^:]+:.+:task-definition\/`+regexp.QuoteMeta(testTaskFamily(p.Name))+`:\*$/`,
		`/^Resource::arn:[^:]+:ecs:[^:]+:.+:task\/[^/]+\/\*$/`,
		`/^Resource::arn:[^:]+:kms:[^:]+:.+:key\/\*$/`,
		`/^Resource::arn:[^:]+:s3:::`+regexp.QuoteMeta(Name(p.Pipeline, "artifacts"))+`-[^/]+\/`+
			regexp.QuoteMeta(artifactPrefix(p.Pipeline, deployArtifact))+`\*$/`)
	if engine != nil {
		suppress(role, "AwsSolutions-IAM5", "The deploy role of "+p.Name+" on ECS's engine: the service's deployments and "+
			"revisions have ids only known at run time; a stack's ARN ends in an id CloudFormation assigns; the CDK "+
			"bootstrap's version parameter has a qualifier chosen at bootstrap",
			`/^Resource::arn:[^:]+:ecs:[^:]+:.+:service-(deployment|revision)\/[^*]+\/\*$/`,
			`/^Resource::arn:[^:]+:cloudformation:[^:]+:.+:stack\/`+regexp.QuoteMeta(*awscdk.Stack_Of(scope).StackName())+`\/\*$/`,
			`/^Resource::arn:[^:]+:ssm:[^:]+:.+:parameter\/cdk-bootstrap\/\*\/version$/`)
	}
	return role
}

// deployRoleTrust admits exactly the roles that act here: the pipeline's own role (the
// deployments) and, where the integration test runs, its project's role. The roles do not exist
// yet when this stack is deployed, so they are compared by ARN rather than named as principals.
func deployRoleTrust(scope constructs.Construct, p *EnvironmentProps) awsiam.IPrincipal {
	partition := *awscdk.Stack_Of(scope).Partition()
	pipelineRole := func(purpose string) string {
		return arn(partition, "iam", "", p.PipelineAccount, "role/"+pipelineRolePrefix(p.Pipeline)+purpose)
	}
	trusted := []string{pipelineRole(pipelineRolePurpose)}
	if p.Deployment.Engine == spec.EngineECS {
		// The release project deploys and follows ECS's deployments; the pipeline role only
		// invokes it.
		trusted = []string{pipelineRole(releaseRolePurpose(p.Name))}
	}
	if p.IntegrationTest != nil {
		trusted = append(trusted, pipelineRole(integrationTestRolePurpose))
	}
	return awsiam.NewAccountPrincipal(jsii.String(p.PipelineAccount)).WithConditions(&map[string]any{
		"ArnEquals": map[string]any{"aws:PrincipalArn": trusted},
	})
}

// deployStatements let the role deploy this service with CodeDeploy: its application, group and
// configuration, task-definition registration, its two task roles, and the deploy artifacts.
func deployStatements(scope constructs.Construct, roles *taskRoles, p *EnvironmentProps) []awsiam.PolicyStatement {
	stack := awscdk.Stack_Of(scope)
	partition, account := *stack.Partition(), *stack.Account()
	config := *deploymentConfigs[p.Deployment.Strategy]().DeploymentConfigName()
	// The key's id is unknown here. In another account the pipeline's key policy, which names
	// this role, is what opens exactly that key; in one account the key policy defers to IAM,
	// so the key's alias pins it (alias conditions are not relied on across accounts).
	var pinToAlias map[string]any
	if p.PipelineAccount == account {
		pinToAlias = map[string]any{"ForAnyValue:StringEquals": map[string]any{"kms:ResourceAliases": artifactKeyAlias(p.Pipeline)}}
	}
	return []awsiam.PolicyStatement{
		statement("DeployThisService",
			[]string{"codedeploy:CreateDeployment", "codedeploy:GetDeployment", "codedeploy:GetDeploymentConfig",
				"codedeploy:GetApplication", "codedeploy:GetApplicationRevision", "codedeploy:RegisterApplicationRevision"},
			[]string{stackARN(scope, "codedeploy", "application:"+p.Name), stackARN(scope, "codedeploy", "deploymentgroup:"+p.Name+"/"+p.Name),
				stackARN(scope, "codedeploy", "deploymentconfig:"+config)}, nil),
		// Task-definition registration has no resource-level permissions: "*" is the only resource.
		statement("RegisterTaskDefinitions",
			[]string{"ecs:RegisterTaskDefinition", "ecs:DeregisterTaskDefinition", "ecs:DescribeTaskDefinition"}, []string{"*"}, nil),
		statement("PassTaskRoles", []string{"iam:PassRole"}, []string{*roles.execution.RoleArn(), *roles.task.RoleArn()},
			map[string]any{"StringEquals": map[string]any{"iam:PassedToService": "ecs-tasks.amazonaws.com"}}),
		// The deploy artifacts only: the source archives hold the code, not what is deployed.
		statement("ReadDeployArtifacts", []string{"s3:GetObject", "s3:GetObjectVersion"},
			[]string{arn(partition, "s3", "", "", artifactBucketName(p.Pipeline, p.PipelineAccount)+"/"+artifactPrefix(p.Pipeline, deployArtifact)+"*")}, nil),
		statement("DecryptArtifacts", []string{"kms:Decrypt", "kms:DescribeKey"},
			[]string{arn(partition, "kms", p.PipelineRegion, p.PipelineAccount, "key/*")}, pinToAlias),
		// The pipeline's bake reads this environment's rollback alarms as this role.
		statement("WatchRollbackAlarms", []string{"cloudwatch:DescribeAlarms"}, alarmARNs(scope, p.Name), nil),
	}
}

// alarmARNs are the ARNs of an environment's rollback alarms.
func alarmARNs(scope constructs.Construct, env string) []string {
	var arns []string
	for _, name := range rollbackAlarmNames(env) {
		arns = append(arns, stackARN(scope, "cloudwatch", "alarm:"+name))
	}
	return arns
}

// integrationTestStatements let the role run the integration-test family in this cluster, tag
// the task as it starts, watch and list tasks there, and stop only the tasks the tag marks.
func integrationTestStatements(scope constructs.Construct, cluster awsecs.ICluster, p *EnvironmentProps) []awsiam.PolicyStatement {
	tasks := stackARN(scope, "ecs", "task/"+*cluster.ClusterName()+"/*")
	inCluster := map[string]any{"ArnEquals": map[string]any{"ecs:cluster": *cluster.ClusterArn()}}
	return []awsiam.PolicyStatement{
		statement("RunIntegrationTestTask", []string{"ecs:RunTask"},
			[]string{stackARN(scope, "ecs", "task-definition/"+testTaskFamily(p.Name)+":*")}, inCluster),
		// The test task is started with its tag, which is what lets this role stop it; tagging is
		// allowed only as part of RunTask, so no running task of the service can be tagged.
		statement("TagIntegrationTestTask", []string{"ecs:TagResource"}, []string{tasks},
			map[string]any{"StringEquals": map[string]any{"ecs:CreateAction": "RunTask", "aws:RequestTag/" + integrationTestTag[0]: integrationTestTag[1]}}),
		statement("ReadIntegrationTestNetwork", []string{"ssm:GetParameter"},
			[]string{stackARN(scope, "ssm", "parameter"+integrationTestParameter(p.Name))}, nil),
		statement("WatchTasks", []string{"ecs:DescribeTasks"}, []string{tasks}, inCluster),
		// ListTasks has no resource-level permissions; the cluster condition scopes it. The
		// integration test lists its own orphans with it.
		statement("ListTasks", []string{"ecs:ListTasks"}, []string{"*"}, inCluster),
		statement("StopIntegrationTestTask", []string{"ecs:StopTask"}, []string{tasks},
			map[string]any{"ArnEquals": map[string]any{"ecs:cluster": *cluster.ClusterArn()},
				"StringEquals": map[string]any{"aws:ResourceTag/" + integrationTestTag[0]: integrationTestTag[1]}}),
	}
}
