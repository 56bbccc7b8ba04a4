package ecsdelivery

import (
	"fmt"
	"regexp"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// newDeployRole creates the role the pipeline assumes to deploy here, or imports the one given.
// Only the pipeline's own roles may assume it, and it can touch only this environment.
func newDeployRole(scope constructs.Construct, roles *taskRoles, cluster awsecs.ICluster, p *EnvironmentProps) awsiam.IRole {
	if p.Existing != nil && p.Existing.DeployRoleARN != "" {
		return awsiam.Role_FromRoleArn(scope, jsii.String("ExistingDeployRole"), jsii.String(p.Existing.DeployRoleARN),
			&awsiam.FromRoleArnOptions{Mutable: jsii.Bool(false)})
	}
	stack := awscdk.Stack_Of(scope)
	partition, region, account := *stack.Partition(), *stack.Region(), *stack.Account()
	arn := func(service, resource string) string {
		return fmt.Sprintf("arn:%s:%s:%s:%s:%s", partition, service, region, account, resource)
	}
	// Exactly the roles that act here: the pipeline's own role (the deployments) and, where the
	// integration test runs, its project's role. The roles do not exist yet when this stack is
	// deployed, so they are compared by ARN rather than named as principals.
	pipelineRole := func(purpose string) string {
		return fmt.Sprintf("arn:%s:iam::%s:role/%s%s", partition, p.PipelineAccount, pipelineRolePrefix(p.Pipeline), purpose)
	}
	trusted := []string{pipelineRole(pipelineRolePurpose)}
	if p.IntegrationTest != nil {
		trusted = append(trusted, pipelineRole(integrationTestRolePurpose))
	}
	role := awsiam.NewRole(scope, jsii.String("DeployRole"), &awsiam.RoleProps{
		RoleName:    jsii.String(deployRoleName(p.Name)),
		Description: jsii.String("The pipeline " + p.Pipeline + " assumes this role to deploy " + p.Name),
		AssumedBy: awsiam.NewAccountPrincipal(jsii.String(p.PipelineAccount)).WithConditions(&map[string]any{
			"ArnEquals": map[string]any{"aws:PrincipalArn": trusted},
		}),
		MaxSessionDuration: awscdk.Duration_Hours(jsii.Number(1)),
	})
	add := func(sid string, actions []string, resources []string, conditions map[string]any) {
		s := &awsiam.PolicyStatementProps{Sid: jsii.String(sid), Actions: jsii.Strings(actions...), Resources: jsii.Strings(resources...)}
		if conditions != nil {
			s.Conditions = &conditions
		}
		role.AddToPolicy(awsiam.NewPolicyStatement(s))
	}
	config := *deploymentConfigs[p.Deployment.Strategy]().DeploymentConfigName()
	add("DeployThisService",
		[]string{"codedeploy:CreateDeployment", "codedeploy:GetDeployment", "codedeploy:GetDeploymentConfig",
			"codedeploy:GetApplication", "codedeploy:GetApplicationRevision", "codedeploy:RegisterApplicationRevision"},
		[]string{arn("codedeploy", "application:"+p.Name), arn("codedeploy", "deploymentgroup:"+p.Name+"/"+p.Name),
			arn("codedeploy", "deploymentconfig:"+config)}, nil)
	// Task-definition registration has no resource-level permissions: "*" is the only resource.
	add("RegisterTaskDefinitions",
		[]string{"ecs:RegisterTaskDefinition", "ecs:DeregisterTaskDefinition", "ecs:DescribeTaskDefinition"},
		[]string{"*"}, nil)
	add("PassTaskRoles", []string{"iam:PassRole"},
		[]string{*roles.execution.RoleArn(), *roles.task.RoleArn()},
		map[string]any{"StringEquals": map[string]any{"iam:PassedToService": "ecs-tasks.amazonaws.com"}})
	// The deploy artifacts only: the source archives hold the code, not what is deployed.
	add("ReadDeployArtifacts", []string{"s3:GetObject", "s3:GetObjectVersion"},
		[]string{fmt.Sprintf("arn:%s:s3:::%s/%s*", partition, artifactBucketName(p.Pipeline, p.PipelineAccount),
			artifactPrefix(p.Pipeline, deployArtifact))}, nil)
	// The key's id is unknown here. In another account the pipeline's key policy, which names
	// this role, is what opens exactly that key; in one account the key policy defers to IAM,
	// so the key's alias pins it (alias conditions are not relied on across accounts).
	var pinToAlias map[string]any
	if p.PipelineAccount == account {
		pinToAlias = map[string]any{"ForAnyValue:StringEquals": map[string]any{"kms:ResourceAliases": artifactKeyAlias(p.Pipeline)}}
	}
	add("DecryptArtifacts", []string{"kms:Decrypt", "kms:DescribeKey"},
		[]string{fmt.Sprintf("arn:%s:kms:%s:%s:key/*", partition, p.PipelineRegion, p.PipelineAccount)}, pinToAlias)
	testTag := "aws:ResourceTag/" + integrationTestTag[0]
	inCluster := map[string]any{"ArnEquals": map[string]any{"ecs:cluster": *cluster.ClusterArn()}}
	add("RunIntegrationTestTask", []string{"ecs:RunTask"},
		[]string{arn("ecs", "task-definition/"+testTaskFamily(p.Name)+":*")}, inCluster)
	// The test task is started with its tag, which is what lets this role stop it; tagging is
	// allowed only as part of RunTask, so no running task of the service can be tagged.
	add("TagIntegrationTestTask", []string{"ecs:TagResource"},
		[]string{arn("ecs", "task/"+*cluster.ClusterName()+"/*")},
		map[string]any{"StringEquals": map[string]any{"ecs:CreateAction": "RunTask", "aws:RequestTag/" + integrationTestTag[0]: integrationTestTag[1]}})
	add("ReadIntegrationTestNetwork", []string{"ssm:GetParameter"},
		[]string{arn("ssm", "parameter"+integrationTestParameter(p.Name))}, nil)
	add("WatchTasks", []string{"ecs:DescribeTasks"}, []string{arn("ecs", "task/"+*cluster.ClusterName()+"/*")}, inCluster)
	// ListTasks has no resource-level permissions; the cluster condition scopes it. The
	// integration test lists its own orphans with it.
	add("ListTasks", []string{"ecs:ListTasks"}, []string{"*"}, inCluster)
	add("StopIntegrationTestTask", []string{"ecs:StopTask"},
		[]string{arn("ecs", "task/"+*cluster.ClusterName()+"/*")},
		map[string]any{"ArnEquals": map[string]any{"ecs:cluster": *cluster.ClusterArn()},
			"StringEquals": map[string]any{testTag: integrationTestTag[1]}})
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
	return role
}
