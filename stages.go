package ecsdelivery

import "github.com/ecsdelivery/ecsdelivery/spec"

// Stage names of the pipeline, in the order they run.
const (
	stageSource          = "Source"
	stageBuild           = "Build"
	stageScan            = "Scan"
	stageIntegrationTest = "IntegrationTest"
)

// approveStageName names the approval stage before one environment.
func approveStageName(environment string) string { return "Approve-" + environment }

// deployStageName names the deployment stage of one environment.
func deployStageName(environment string) string { return "Deploy-" + environment }

// buildActionName is the Build stage's image build, whose output variables carry the commit's
// time (commitTimeVariable).
const buildActionName = "Image"

// deployActionName names the action of a deploy stage that changes what runs: CodeDeploy's
// blue/green deployment, or on ECS's engine the release, named for what ECS does.
func deployActionName(t *PipelineTargetOptions) string {
	if t.Engine == spec.EngineECS {
		shift, _ := spec.ParseStrategy(t.Strategy)
		return shift.ReleaseAction()
	}
	return "BlueGreen"
}
