package estimate

import "fmt"

// timing is a duration the lead-time model uses, written once with where it comes from: an AWS
// documentation page, or "assumption: …" where AWS publishes no figure.
type timing struct {
	seconds float64
	source  string
}

func (t timing) String() string { return fmt.Sprintf("%s (%s)", seconds(t.seconds), t.source) }

// Documentation the model's formulas follow.
const (
	docHealthCheck     = "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html"
	docDeregistration  = "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-target-groups.html#deregistration-delay"
	docCodeDeployShift = "https://docs.aws.amazon.com/codedeploy/latest/userguide/deployment-configurations.html"
	docTerminationWait = "https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_BlueInstanceTerminationOption.html"
	docPipelineBake    = "https://docs.aws.amazon.com/codepipeline/latest/userguide/rule-reference-CloudWatchAlarm.html"
	docWindow          = "https://docs.aws.amazon.com/codepipeline/latest/userguide/rule-reference-DeploymentWindow.html"
	docApproval        = "https://docs.aws.amazon.com/codepipeline/latest/userguide/approvals.html"
	docECSCanary       = "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CanaryConfiguration.html"
	docECSLinear       = "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_LinearConfiguration.html"
	docECSBake         = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-blue-green.html"
)

// provisioning is a CodeBuild run's overhead besides its commands, whatever its compute type:
// queueing, provisioning the host and container, downloading the input artifact, uploading the
// output. On-demand builds are observed to take 90–240 s to start, whatever the size; the
// estimate takes the low end.
var provisioning = timing{90, "assumption: AWS publishes no provisioning time; 90–240 s is the range observed for on-demand builds; the low end"}

// The pipeline's steps that AWS publishes no duration for.
var (
	triggerStart  = timing{12, "assumption: a push reaches CodeConnections' trigger and starts the V2 pipeline within seconds"}
	webhookStart  = timing{12, "assumption: GitHub's webhook reaches CodePipeline and starts the pipeline within seconds"}
	sourceAction  = timing{30, "assumption: the source action downloads and zips a repository of a few MB"}
	imagePush     = timing{30, "assumption: BuildKit pushes the new layers, the registry cache and the provenance to ECR in the same region"}
	trivyDB       = timing{30, "assumption: Trivy and its DB come from the scan's S3 cache (scripts/scan.sh); a stale DB (72 h) is downloaded again"}
	trivyScan     = timing{30, "assumption: Trivy reads an image of a few hundred MB by digest and writes the report and SBOM"}
	taskStart     = timing{60, "assumption: Fargate places the task, attaches its network interface and pulls an image of a few hundred MB; AWS publishes no start time"}
	testHealthy   = timing{30, "assumption: the test task's app container passes its health check (every 5 s after a 10 s start period, testtask.go) within 30 s"}
	testStop      = timing{30, "assumption: the script polls every 15 s (POLL_SECONDS), ECS stops the task, the script deregisters the revision"}
	signCheck     = timing{12, "assumption: ECR signs within seconds of the push; verify-signature.sh reads the signing status and the profile"}
	markDeployed  = timing{6, "assumption: one Lambda invocation that re-tags the image"}
	hookStart     = timing{5, "assumption: the test-traffic function starts in the VPC within seconds"}
	roundTrip     = timing{0.1, "assumption: one request through the test listener inside the VPC"}
	deploySteps   = timing{30, "assumption: CodeDeploy's lifecycle events (install, test listener, reroute, clean-up) and the pipeline action's polling"}
	ecsSteps      = timing{30, "assumption: ECS's lifecycle stages and ecs-deploy.sh's polling (every 15 s) of the verdict"}
	stackUpdate   = timing{30, "assumption: CloudFormation's update of the image parameter until ECS starts the deployment, and its completion after"}
	serviceUpdate = timing{30, "assumption: ecs-deploy.sh registers the revision and updates the existing service (MODE service) until ECS starts the deployment"}
)

// testTrafficConcurrency is how many requests the test-traffic check sends at once (see the
// README's lead-time table).
const testTrafficConcurrency = 4

// logMBPerRun is what one CodeBuild run or the test task writes to CloudWatch Logs.
const logMBPerRun = 1.0

const logAssumption = "assumption: 1 MB of log output per CodeBuild run and per test task"
