package preflight

import "strings"

// The physical names the stacks create. They MUST match the library's names.go (the root
// package ecsdelivery: Name, PipelineStackName, EnvironmentStackName, artifactBucketName,
// repositoryName, logGroupName, notificationTopicName). They are copied, not imported, because
// the root package pulls in the CDK, which preflight must not need; a cross-check test keeps
// the two in step.

// name joins the non-empty parts with '-', as the library's Name.
func name(parts ...string) string {
	kept := make([]string, 0, len(parts))
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, "-")
}

// PipelineName is the pipeline's physical-name prefix: app[-suffix].
func PipelineName(app, suffix string) string { return name(app, suffix) }

// EnvironmentName is one environment's physical-name prefix: app-env[-suffix].
func EnvironmentName(app, env, suffix string) string { return name(app, env, suffix) }

// PipelineStackName is the stack holding the pipeline: app-pipeline[-suffix].
func PipelineStackName(app, suffix string) string { return name(app, "pipeline", suffix) }

// EnvironmentStackName is the stack holding one environment: app-env[-suffix].
func EnvironmentStackName(app, env, suffix string) string { return name(app, env, suffix) }

// ArtifactBucketName is the pipeline's artifact bucket: <pipeline>-artifacts-<account>.
func ArtifactBucketName(pipeline, account string) string { return name(pipeline, "artifacts", account) }

// RepositoryName is the ECR repository of the app's images: <pipeline>.
func RepositoryName(pipeline string) string { return pipeline }

// LogGroupName is the log group of a stack's name prefix: /ecsdelivery/<name>. The
// environment's service log group is retained when its stack is deleted, so it can block a
// later creation.
func LogGroupName(name string) string { return "/ecsdelivery/" + name }

// NotificationTopicName is the SNS topic of one stack (pipeline or environment).
func NotificationTopicName(name string) string { return name + "-notifications" }
