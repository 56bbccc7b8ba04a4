package ecsdelivery

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodepipeline"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodepipelineactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"

	"github.com/ecsdelivery/ecsdelivery/tagger"
)

// newDeployMarker creates the function each Deploy stage runs before CodeDeploy: it tags the
// image about to be deployed deployed-<env>, and the one that tag named before
// deployed-<env>-previous, so the repository's lifecycle never expires what an environment runs
// or may roll back to. A stage rollback runs it again with the older artifact, which moves the
// tags back. It reads the image from the Deploy artifact with the credentials CodePipeline
// hands it, and may only read and tag images of this repository.
func (pl *pipeline) newDeployMarker() awslambda.Function {
	scope, p, ops, repo := pl.Construct, pl.props, pl.ops, pl.repository
	name := Name(p.Name, "mark-deployed")
	role := awsiam.NewRole(scope, jsii.String("DeployMarkerRole"), &awsiam.RoleProps{
		RoleName: jsii.String(name),
		// Lambda does not document setting aws:SourceAccount when it assumes a function's role.
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		Description: jsii.String("Tags the images the pipeline " + p.Name + " deploys, so they never expire"),
	})
	role.AddToPolicy(statement("TagDeployedImages", []string{"ecr:BatchGetImage", "ecr:PutImage"}, []string{*repo.RepositoryArn()}, nil))
	logs := ops.logGroup(scope, "DeployMarkerLogs", "mark-deployed", 30, awscdk.RemovalPolicy_DESTROY)
	logs.GrantWrite(role)
	fn := nodeFunction(scope, "DeployMarker", tagger.Code, awslambda.FunctionProps{
		FunctionName: jsii.String(name),
		Description:  jsii.String("Tags the image each deployment of " + p.Name + " runs, and the one it replaces"),
		Role:         role,
		LogGroup:     logs,
		Timeout:      awscdk.Duration_Seconds(jsii.Number(60)),
		Environment: &map[string]*string{
			"REPOSITORY_NAME": repo.RepositoryName(),
			"REPOSITORY_URI":  repo.RepositoryUri(),
		},
	})
	suppress(role, "AwsSolutions-IAM5", "The deploy marker of "+p.Name+": codepipeline:PutJobSuccessResult and "+
		"PutJobFailureResult have no resource-level permissions (CDK's grant for a Lambda invoke action)", "Resource::*")
	return fn
}

// markDeployedAction runs the deploy marker for one environment in its Deploy stage, after the
// signature check if there is one, before the deployment.
func markDeployedAction(fn awslambda.IFunction, environment string, deploy awscodepipeline.Artifact, runOrder int) awscodepipeline.IAction {
	return awscodepipelineactions.NewLambdaInvokeAction(&awscodepipelineactions.LambdaInvokeActionProps{
		ActionName:     jsii.String("MarkDeployed"),
		Lambda:         fn,
		Inputs:         &[]awscodepipeline.Artifact{deploy},
		UserParameters: &map[string]any{"environment": environment},
		RunOrder:       jsii.Number(runOrder),
	})
}
