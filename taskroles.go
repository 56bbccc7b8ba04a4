package ecsdelivery

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// taskRoles are the roles the service's tasks run with. Their names are physical because the
// build writes them into taskdef.json from the pipeline account.
type taskRoles struct {
	execution, task awsiam.Role
}

func newTaskRoles(scope constructs.Construct, p *EnvironmentProps) *taskRoles {
	r := &taskRoles{}
	r.execution = awsiam.NewRole(scope, jsii.String("ExecutionRole"), &awsiam.RoleProps{
		RoleName:    jsii.String(executionRoleName(p.Name)),
		AssumedBy:   servicePrincipal(scope, "ecs-tasks.amazonaws.com", stackARN(scope, "ecs", "*")),
		Description: jsii.String("ECS pulls the image, reads the secrets and writes the logs of " + p.Name),
	})
	r.task = awsiam.NewRole(scope, jsii.String("TaskRole"), &awsiam.RoleProps{
		RoleName:    jsii.String(taskRoleName(p.Name)),
		AssumedBy:   servicePrincipal(scope, "ecs-tasks.amazonaws.com", stackARN(scope, "ecs", "*")),
		Description: jsii.String("The application " + p.Name + " runs as this role"),
	})
	r.execution.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("PullReleaseImages"),
		Actions:   jsii.Strings("ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"),
		Resources: jsii.Strings(repositoryARN(scope, p)),
	}))
	r.execution.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:     jsii.String("RegistryLogin"),
		Actions: jsii.Strings("ecr:GetAuthorizationToken"),
		// GetAuthorizationToken has no resource-level permissions: "*" is the only resource.
		Resources: jsii.Strings("*"),
	}))
	suppress(r.execution, "AwsSolutions-IAM5", "ecr:GetAuthorizationToken, the registry login of "+p.Name+
		"'s tasks, has no resource-level permissions; the pulls themselves name the repository", "Resource::*")
	if s := p.Service; s.SecretsKeyARN != "" && len(s.Secrets) > 0 {
		// Only as Parameter Store decrypts the secrets for ECS, never directly.
		r.execution.AddToPolicy(statement("DecryptSecrets", []string{"kms:Decrypt"}, []string{s.SecretsKeyARN}, viaService(scope, "ssm")))
	}
	return r
}

// repositoryARN is the pipeline's image repository, named rather than referenced because it
// usually lives in another account.
func repositoryARN(scope constructs.Construct, p *EnvironmentProps) string {
	return arn(*awscdk.Stack_Of(scope).Partition(), "ecr", p.PipelineRegion, p.PipelineAccount, "repository/"+repositoryName(p.Pipeline))
}
