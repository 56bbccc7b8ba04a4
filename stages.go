package ecsdelivery

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
