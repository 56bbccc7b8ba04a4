package ecsdelivery

// Stage names of the pipeline, in the order they run.
const (
	StageSource          = "Source"
	StageBuild           = "Build"
	StageScan            = "Scan"
	StageIntegrationTest = "IntegrationTest"
)

// DeployTarget is one environment as the pipeline sees it.
type DeployTarget struct {
	// Name of the environment, such as staging.
	Name string
	// Approval puts a manual approval stage before the deployment.
	Approval bool
}

// ApproveStageName and DeployStageName name the stages of one environment.
func ApproveStageName(environment string) string { return "Approve-" + environment }

// DeployStageName names the deployment stage of one environment.
func DeployStageName(environment string) string { return "Deploy-" + environment }

// StageNames lists the pipeline's stages in order: the build and its gates, then each target
// with its approval first.
func StageNames(integrationTest bool, targets []DeployTarget) []string {
	names := []string{StageSource, StageBuild, StageScan}
	if integrationTest {
		names = append(names, StageIntegrationTest)
	}
	for _, t := range targets {
		if t.Approval {
			names = append(names, ApproveStageName(t.Name))
		}
		names = append(names, DeployStageName(t.Name))
	}
	return names
}
