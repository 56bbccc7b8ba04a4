package ecsdelivery

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodeconnections"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodepipeline"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodepipelineactions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// maxConnectionName is CodeConnections' limit on a connection's name.
const maxConnectionName = 32

// newSourceAction returns the source action and, for CodeConnections, the V2 trigger and the
// connection's ARN (the pipeline role's grant must name its service prefix too). The trigger
// starts the pipeline on pushes to the branch (and paths). The legacy OAuth source reads its
// token from Secrets Manager at deploy time: the template holds only a dynamic reference.
func newSourceAction(scope constructs.Construct, p *PipelineProps, output awscodepipeline.Artifact) (awscodepipeline.IAction, *awscodepipeline.TriggerProps, string) {
	s := &p.Source
	if s.OAuthTokenSecret != "" {
		return awscodepipelineactions.NewGitHubSourceAction(&awscodepipelineactions.GitHubSourceActionProps{
			ActionName:         jsii.String("GitHub"),
			Owner:              jsii.String(s.Owner),
			Repo:               jsii.String(s.Repo),
			Branch:             jsii.String(s.Branch),
			OauthToken:         awscdk.SecretValue_SecretsManager(jsii.String(s.OAuthTokenSecret), nil),
			Output:             output,
			Trigger:            awscodepipelineactions.GitHubTrigger_WEBHOOK,
			VariablesNamespace: jsii.String(sourceVariables),
		}), nil, ""
	}
	arn := s.ConnectionARN
	if arn == "" {
		name := p.Name
		if len(name) > maxConnectionName {
			name = name[:maxConnectionName]
		}
		connection := awscodeconnections.NewCfnConnection(scope, jsii.String("Connection"), &awscodeconnections.CfnConnectionProps{
			ConnectionName: jsii.String(name),
			ProviderType:   jsii.String("GitHub"),
		})
		arn = *connection.AttrConnectionArn()
	}
	action := awscodepipelineactions.NewCodeStarConnectionsSourceAction(&awscodepipelineactions.CodeStarConnectionsSourceActionProps{
		ActionName:         jsii.String("GitHub"),
		ConnectionArn:      jsii.String(arn),
		Owner:              jsii.String(s.Owner),
		Repo:               jsii.String(s.Repo),
		Branch:             jsii.String(s.Branch),
		Output:             output,
		VariablesNamespace: jsii.String(sourceVariables),
		// The pipeline-level trigger below decides; the action's own push trigger would start
		// the pipeline for every path.
		TriggerOnPush: jsii.Bool(false),
	})
	filter := &awscodepipeline.GitPushFilter{BranchesIncludes: jsii.Strings(s.Branch)}
	if len(s.FilePaths) > 0 {
		filter.FilePathsIncludes = jsii.Strings(s.FilePaths...)
	}
	return action, &awscodepipeline.TriggerProps{
		ProviderType: awscodepipeline.ProviderType_CODE_STAR_SOURCE_CONNECTION,
		GitConfiguration: &awscodepipeline.GitConfiguration{
			SourceAction: action,
			PushFilter:   &[]*awscodepipeline.GitPushFilter{filter},
		},
	}, arn
}
