package ecsdelivery

// Stage names of the pipeline, in the order they run.
const (
	StageSource          = "Source"
	StageBuild           = "Build"
	StageScan            = "Scan"
	StageIntegrationTest = "IntegrationTest"
)

// ApproveStageName names the approval stage before one environment.
func ApproveStageName(environment string) string { return "Approve-" + environment }

// DeployStageName names the deployment stage of one environment.
func DeployStageName(environment string) string { return "Deploy-" + environment }
