package ecsdelivery

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodebuild"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodepipeline"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodepipelineactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"

	"github.com/ecsdelivery/ecsdelivery/scripts"
)

// guarded are a deploy stage's actions in order: the signature check (when the pipeline signs),
// the deploy marker, then the deployment deploy builds with the run order it is given. Nothing is
// marked or deployed whose signature was not verified first.
func (pl *pipeline) guarded(t *PipelineTargetOptions, marker awslambda.IFunction, deploy func(runOrder int) awscodepipeline.IAction) *[]awscodepipeline.IAction {
	var actions []awscodepipeline.IAction
	if pl.props.SigningProfile != "" {
		actions = append(actions, pl.verifySignatureAction(t))
	}
	n := len(actions)
	actions = append(actions, markDeployedAction(marker, t.Environment, pl.artifacts.deploy, n+1), deploy(n+2))
	return &actions
}

// verifySignatureAction checks that the image the stage is about to deploy carries a complete
// signature of the pipeline's signing profile. It runs in the pipeline account, as a role that
// may read this repository's signing statuses and the profile, and nothing in the target
// accounts needs new trust.
func (pl *pipeline) verifySignatureAction(t *PipelineTargetOptions) awscodepipeline.IAction {
	project, ok := pl.projects["verify-signature"]
	if !ok {
		project, _ = pl.newScriptProject(scriptProject{
			id: "VerifySignature", name: "verify-signature", rolePurpose: "verify-signature",
			description: "Checks that the release's image carries a complete signature of the profile " + pl.props.SigningProfile,
			script:      scripts.VerifySignature, scriptName: "verify-signature.sh",
			environment: &awscodebuild.BuildEnvironment{
				BuildImage: awscodebuild.LinuxBuildImage_STANDARD_7_0(), ComputeType: awscodebuild.ComputeType_SMALL,
			},
			variables: map[string]*awscodebuild.BuildEnvironmentVariable{
				"IMAGE_DETAIL": plain("imageDetail.json"), "SIGNING_PROFILE": plain(pl.props.SigningProfile),
			},
			// Signing normally completes within seconds of the push; the script waits 5 minutes.
			timeoutMinutes: 15,
			policy: []awsiam.PolicyStatement{
				statement("ReadSigningStatuses", []string{"ecr:DescribeImageSigningStatus"}, []string{*pl.repository.RepositoryArn()}, nil),
				statement("ReadTheSigningProfile", []string{"signer:GetSigningProfile"}, []string{signingProfileARN(pl.Construct, pl.props.SigningProfile)}, nil),
			},
		})
		pl.projects["verify-signature"] = project
	}
	return awscodepipelineactions.NewCodeBuildAction(&awscodepipelineactions.CodeBuildActionProps{
		ActionName: jsii.String("VerifySignature"), RunOrder: jsii.Number(1),
		Project: project, Input: pl.artifacts.deploy,
		EnvironmentVariables: &map[string]*awscodebuild.BuildEnvironmentVariable{"ENVIRONMENT": plain(t.Environment)},
	})
}
