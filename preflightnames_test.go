package ecsdelivery

import (
	"testing"

	"github.com/ecsdelivery/ecsdelivery/internal/preflight"
)

// Preflight copies the physical names rather than importing this package (which brings the
// CDK); they must be the names the stacks create.
func TestPreflightKnowsTheNamesTheStacksCreate(t *testing.T) {
	for _, c := range []struct{ app, env, suffix, account string }{
		{"orders-api", "staging", "", "111111111111"}, {"orders-api", "production", "prod", "222222222222"},
	} {
		pipeline, env := Name(c.app, c.suffix), Name(c.app, c.env, c.suffix)
		pairs := [][2]string{
			{preflight.PipelineName(c.app, c.suffix), pipeline},
			{preflight.EnvironmentName(c.app, c.env, c.suffix), env},
			{preflight.PipelineStackName(c.app, c.suffix), PipelineStackName(c.app, c.suffix)},
			{preflight.EnvironmentStackName(c.app, c.env, c.suffix), EnvironmentStackName(c.app, c.env, c.suffix)},
			{preflight.ArtifactBucketName(pipeline, c.account), artifactBucketName(pipeline, c.account)},
			{preflight.RepositoryName(pipeline), repositoryName(pipeline)},
			{preflight.LogGroupName(env), logGroupName(env)},
			{preflight.NotificationTopicName(env), notificationTopicName(env)},
		}
		for _, p := range pairs {
			if p[0] != p[1] {
				t.Errorf("preflight derives %q where the library creates %q", p[0], p[1])
			}
		}
	}
}
