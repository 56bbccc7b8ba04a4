package ecsdelivery

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// Name joins the non-empty parts of a physical name with '-': Name("orders-api", "staging", "dev")
// is "orders-api-staging-dev". Physical names are how the pipeline account refers to resources
// in another account, so both sides must derive them with the functions in this file.
func Name(parts ...string) string {
	kept := make([]string, 0, len(parts))
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, "-")
}

// PipelineStackName is the name of the stack that holds an app's pipeline.
func PipelineStackName(app, suffix string) string { return Name(app, "pipeline", suffix) }

// EnvironmentStackName is the name of the stack that holds one environment of an app.
func EnvironmentStackName(app, environment, suffix string) string {
	return Name(app, environment, suffix)
}

// Names of the pipeline's resources that environments in other accounts must know. pipeline is
// the pipeline's name prefix (app and suffix).

// artifactKeyAlias is the alias of the key that encrypts artifacts and images.
func artifactKeyAlias(pipeline string) string { return "alias/" + pipeline + "-artifacts" }

// artifactBucketName is the artifact bucket's name; bucket names are global, so it carries the
// pipeline account (a token when the stack is environment-agnostic).
func artifactBucketName(pipeline, account string) string { return Name(pipeline, "artifacts", account) }

// repositoryName is the ECR repository that holds the app's images.
func repositoryName(pipeline string) string { return pipeline }

// pipelineRolePrefix starts the names of the pipeline's roles; an environment trusts two of them
// by their whole ARN (pipelineRolePurpose, integrationTestRolePurpose). Environment names cannot
// start with "pipeline", so no environment's role shares the prefix.
func pipelineRolePrefix(pipeline string) string { return pipeline + "-pipeline-" }

// Names of one environment's resources. env is the environment's name prefix (app,
// environment and suffix).

// deployRoleName is the role the pipeline assumes to deploy into the environment.
func deployRoleName(env string) string { return env + "-deploy" }

// executionRoleName is the role ECS uses to pull the image, read secrets and write logs.
func executionRoleName(env string) string { return env + "-execution" }

// taskRoleName is the role the application runs as.
func taskRoleName(env string) string { return env + "-task" }

// logGroupName is where the service's containers log.
func logGroupName(env string) string { return "/ecsdelivery/" + env }

// testTaskFamily is the task definition family of the temporary integration-test task.
func testTaskFamily(env string) string { return env + "-it" }

// containerName is the application container in every task definition and in appspec.yaml.
const containerName = "app"

// notificationTopicName is the topic of one stack of an app (pipeline or environment) that its
// alarms and notifications go to.
func notificationTopicName(name string) string { return name + "-notifications" }

// dashboardName is the CloudWatch dashboard of a pipeline or an environment.
func dashboardName(name string) string { return name }

// artifactPrefix is where CodePipeline stores one artifact of a pipeline in its bucket: under
// the first 20 characters of the pipeline's name and the first 10 of the artifact's. Roles that
// need one artifact (the deploy roles need Deploy, the unit tests Source) are granted this
// prefix only.
func artifactPrefix(pipeline, artifact string) string {
	return pipeline[:min(len(pipeline), 20)] + "/" + artifact[:min(len(artifact), 10)] + "/"
}

// The pipeline's artifacts.
const (
	sourceArtifact = "Source"
	deployArtifact = "Deploy"
	reportArtifact = "ScanReport"
)

// Tags the pipeline moves in the repository; the repository lets only these and the build
// cache be rewritten.
const (
	// cacheTagPrefix marks the BuildKit cache image, the one tag a build may overwrite.
	cacheTagPrefix = "buildcache"
	// deployedTagPrefix marks what an environment runs (deployed-<env>) and what it may roll
	// back to (deployed-<env>-previous); the repository's lifecycle never expires them.
	deployedTagPrefix = "deployed-"
	// testImageTagPrefix marks the integration test's own image of a commit (it-<commit>).
	testImageTagPrefix = "it-"
)

// integrationTestTag marks the tasks the integration test starts: the deploy role may stop
// only tasks that carry it, never the service's.
var integrationTestTag = [2]string{"ecsdelivery:purpose", "integration-test"}

// The pipeline roles an environment trusts, named pipelineRolePrefix + purpose.
const (
	pipelineRolePurpose        = "codepipeline"
	integrationTestRolePurpose = "it"
)

// testTrafficFunctionName is the environment's test-traffic check, which every appspec names as
// its AfterAllowTestTraffic hook.
func testTrafficFunctionName(env string) string { return env + "-test-hook" }

// rollbackAlarmNames are the environment's rollback alarms, by name, so the pipeline's bake can
// watch them from the tools account: 5xx, unhealthy blue, unhealthy green, latency.
func rollbackAlarmNames(env string) [4]string {
	return [4]string{env + "-target-5xx", env + "-unhealthy-blue", env + "-unhealthy-green", env + "-latency-p99"}
}

// The roles of ECS's own engine in an environment: the one ECS shifts the listener rules with,
// the one it invokes the lifecycle hook with, and the one CloudFormation releases with.
func shiftRoleName(env string) string   { return env + "-shift" }
func hookRoleName(env string) string    { return env + "-hook" }
func releaseRoleName(env string) string { return env + "-release" }

// releaseRolePurpose names the role of one environment's release project (ECS's engine): each
// environment trusts only its own, so a build of staging's project cannot reach production. The
// environment's name prefix is hashed to fit IAM's 64 characters beside the longest pipeline
// name; the role's description names the environment.
func releaseRolePurpose(env string) string {
	sum := sha256.Sum256([]byte(env))
	return "release-" + hex.EncodeToString(sum[:2])
}

// releaseImageParameter is the environment stack's parameter that holds the image its service
// runs (ECS's engine): the pipeline releases by updating the stack with a new value, and the
// stack's key is derived from the environment's name so the pipeline can name it.
func releaseImageParameter(env string) string { return "ReleaseImage" + pascal(env) }

// pascal turns a dashed name into an identifier part: orders-api-staging → OrdersApiStaging.
func pascal(name string) string {
	var b strings.Builder
	for _, part := range strings.Split(name, "-") {
		if part != "" {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String()
}
