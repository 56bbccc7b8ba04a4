package ecsdelivery

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodeconnections"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodepipeline"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodepipelineactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// sourceActionName names the source action; the legacy webhook targets it by name.
const sourceActionName = "GitHub"

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
			ActionName: jsii.String("GitHub"),
			Owner:      jsii.String(s.Owner),
			Repo:       jsii.String(s.Repo),
			Branch:     jsii.String(s.Branch),
			OauthToken: awscdk.SecretValue_SecretsManager(jsii.String(s.OAuthTokenSecret), nil),
			Output:     output,
			// CDK's own webhook would sign with the OAuth token itself; newLegacyWebhook signs
			// with a secret of its own.
			Trigger:            awscodepipelineactions.GitHubTrigger_NONE,
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
		ActionName:         jsii.String(sourceActionName),
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

// newLegacyWebhook starts the pipeline on pushes to the branch for the legacy OAuth source.
// GitHub signs each delivery with a secret CodePipeline checks; that secret is generated in
// Secrets Manager, because AWS warns against reusing one's own credentials there, and the
// template holds only its dynamic reference. CodePipeline registers the webhook in GitHub with
// the OAuth token when the stack is deployed.
func newLegacyWebhook(scope constructs.Construct, p *PipelineProps, pipeline awscodepipeline.Pipeline, key awskms.IKey) {
	secret := awssecretsmanager.NewSecret(scope, jsii.String("WebhookSecret"), &awssecretsmanager.SecretProps{
		Description:   jsii.String("Signs GitHub's push deliveries to the pipeline " + p.Name),
		EncryptionKey: key,
		GenerateSecretString: &awssecretsmanager.SecretStringGenerator{
			PasswordLength: jsii.Number(64), ExcludePunctuation: jsii.Bool(true),
		},
	})
	suppress(secret, "AwsSolutions-SMG4", "GitHub keeps a copy of the webhook secret of "+p.Name+
		" from when the webhook was registered; a rotated value would reject every push until the webhook is registered again")
	awscodepipeline.NewCfnWebhook(scope, jsii.String("Webhook"), &awscodepipeline.CfnWebhookProps{
		Authentication:              jsii.String("GITHUB_HMAC"),
		AuthenticationConfiguration: &awscodepipeline.CfnWebhook_WebhookAuthConfigurationProperty{SecretToken: secret.SecretValue().UnsafeUnwrap()},
		// CodePipeline puts the action's branch in place of {Branch}.
		Filters:                []interface{}{&awscodepipeline.CfnWebhook_WebhookFilterRuleProperty{JsonPath: jsii.String("$.ref"), MatchEquals: jsii.String("refs/heads/{Branch}")}},
		TargetAction:           jsii.String(sourceActionName),
		TargetPipeline:         pipeline.PipelineName(),
		TargetPipelineVersion:  jsii.Number(1),
		RegisterWithThirdParty: jsii.Bool(true),
	})
}
