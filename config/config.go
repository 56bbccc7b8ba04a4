// Package config reads and validates the delivery config file (contract version 1, see the
// README's configuration reference) into typed settings with every default filled in.
package config

// Config is a whole delivery config file. After Load, every optional field holds its default
// and every environment's Service holds its effective settings.
type Config struct {
	// Version of the contract. Default: 1, the only version.
	Version int `yaml:"version"`
	// App names stacks and resources: lowercase letters, digits and '-'. Required.
	App string `yaml:"app"`
	// EnvironmentSuffix is appended to stack and resource names. Default: none.
	// The CDK context value environmentSuffix overrides it.
	EnvironmentSuffix string          `yaml:"environmentSuffix"`
	Pipeline          Pipeline        `yaml:"pipeline"`
	Source            Source          `yaml:"source"`
	Build             Build           `yaml:"build"`
	Scan              Scan            `yaml:"scan"`
	IntegrationTest   IntegrationTest `yaml:"integrationTest"`
	// Service holds the settings every environment starts from.
	Service Service `yaml:"service"`
	// Environments in pipeline order. At least one is required.
	Environments  []Environment `yaml:"environments"`
	Notifications Notifications `yaml:"notifications"`
}

// Pipeline is where the pipeline lives (the tools account).
type Pipeline struct {
	// Account as a quoted 12-digit string. Default: none, an environment-agnostic
	// single-account synthesis deployed wherever the CLI's credentials point.
	Account string `yaml:"account" config:"quoted"`
	// Region. Default: us-east-1.
	Region string `yaml:"region"`
	// Signing has ECR sign every image pushed in the pipeline's account and region with the
	// AWS Signer profile "ecsdelivery", and verifies the signature before every deploy stage.
	// Default: true.
	Signing bool `yaml:"signing"`
	// ChangeFailureWindowHours: a deploy followed within this many hours by a rollback or a
	// failed deploy counts as a failed change in the DORA change failure rate, 1 to 720.
	// Default: 24.
	ChangeFailureWindowHours int `yaml:"changeFailureWindowHours"`
}

// Source is the GitHub repository the pipeline builds.
type Source struct {
	Owner string `yaml:"owner"` // required
	Repo  string `yaml:"repo"`  // required
	// Branch whose pushes start the pipeline. Default: main.
	Branch string `yaml:"branch"`
	// ConnectionARN of an existing CodeConnections connection. Default: the stack creates one,
	// which a person authorises once in the console.
	ConnectionARN string `yaml:"connectionArn"`
	// OAuthTokenSecret names a Secrets Manager secret holding a GitHub token, for the legacy
	// OAuth webhook source. Excludes ConnectionARN. Default: none (CodeConnections is used).
	OAuthTokenSecret string `yaml:"oauthTokenSecret"`
	// FilePaths limits which changes start the pipeline (at most 8 patterns). Default: any change.
	FilePaths []string `yaml:"filePaths"`
}

// Build is the Docker build with unit tests.
type Build struct {
	Dockerfile string `yaml:"dockerfile"` // Default: Dockerfile
	Context    string `yaml:"context"`    // Default: .
	// UnitTestCommand runs in its own project beside the image build, with errexit and pipefail;
	// a failure fails the Build stage, and nothing is deployed.
	// Default: none.
	UnitTestCommand string `yaml:"unitTestCommand"`
	// ComputeType is small, medium, large or xlarge. Default: medium.
	ComputeType string `yaml:"computeType"`
	// Architecture is x86_64 or arm64. Default: x86_64.
	Architecture string `yaml:"architecture"`
	// Secrets maps variable names to SecureString parameter names the build reads: the unit
	// tests see them as variables, the Dockerfile as BuildKit secrets of the same ids
	// (RUN --mount=type=secret,id=NAME). Default: none.
	Secrets map[string]string `yaml:"secrets"`
	// SecretsKeyARN is the customer-managed KMS key that encrypts the build's secrets, in the
	// pipeline region. Default: the AWS-managed key aws/ssm.
	SecretsKeyARN string `yaml:"secretsKeyArn"`
	// BuilderImage is the BuildKit image that builds the application, pinned by digest
	// ([REGISTRY/]NAME[:TAG]@sha256:DIGEST): it runs privileged with the build's secrets, so a
	// tag someone can move must not decide what it is. Default: spec.DefaultBuilderImage.
	BuilderImage string `yaml:"builderImage"`
}

// Scan is the Trivy security gate.
type Scan struct {
	// FailOn lists the severities that fail the stage. Default: [CRITICAL, HIGH].
	FailOn []string `yaml:"failOn"`
	// IgnoreUnfixed skips findings that have no fixed version yet. Default: false, so every
	// finding at a FailOn severity stops the release.
	IgnoreUnfixed bool `yaml:"ignoreUnfixed"`
}

// IntegrationTest runs a command beside the new image in a temporary Fargate task.
type IntegrationTest struct {
	// Command to run in the test container. Default: none, and the pipeline has no
	// integration-test stage.
	Command []string `yaml:"command"`
	// TimeoutMinutes after which the task is stopped and the stage fails. Default: 15.
	TimeoutMinutes int `yaml:"timeoutMinutes"`
	// Environment whose cluster and network run the task. Default: the first environment.
	Environment string `yaml:"environment"`
	// AllowGatedEnvironment lets Environment be one deployed only after an approval. The test
	// task runs the new, not yet approved image there, with the environment's network, task role
	// and secrets, so it must be asked for. Default: false.
	AllowGatedEnvironment bool `yaml:"allowGatedEnvironment"`
	// Image builds the test container's own image, so test tools need not ship in the
	// production image. Default: none; the test container runs the app image.
	Image *IntegrationTestImage `yaml:"image"`
}

// IntegrationTestImage is the integration test's own image: another Dockerfile, a build stage
// (a multi-stage target), or both. Pushed by digest beside the app image, never deployed.
type IntegrationTestImage struct {
	// Dockerfile, relative to the repository. Default: build.dockerfile.
	Dockerfile string `yaml:"dockerfile"`
	// Target is the build stage to stop at. Default: none, the Dockerfile's last stage.
	Target string `yaml:"target"`
}

// Service is the application as it runs in each environment.
type Service struct {
	ContainerPort   int    `yaml:"containerPort"`   // Default: 8080
	HealthCheckPath string `yaml:"healthCheckPath"` // Default: /health
	// CPU units, a Fargate size: 256, 512, 1024, 2048, 4096, 8192 or 16384. Default: 512.
	CPU int `yaml:"cpu"`
	// MemoryMiB must be a Fargate pairing with CPU. Default: 1024.
	MemoryMiB    int `yaml:"memoryMiB"`
	DesiredCount int `yaml:"desiredCount"` // Default: 2
	// Environment holds plain variables. An environment's map adds to and overrides the shared one.
	Environment map[string]string `yaml:"environment"`
	// Secrets maps variable names to SecureString parameter names in Parameter Store.
	// An environment's map adds to and overrides the shared one.
	Secrets map[string]string `yaml:"secrets"`
	// SecretsKeyARN is the customer-managed KMS key that encrypts the secrets, in the
	// environment's region. Default: the AWS-managed key aws/ssm.
	SecretsKeyARN string `yaml:"secretsKeyArn"`
	// HealthCheckIntervalSeconds between target health checks, 5 to 300. Default: 10.
	HealthCheckIntervalSeconds int `yaml:"healthCheckIntervalSeconds"`
	// HealthyThresholdCount of passed checks before a target takes traffic, 2 to 10. Default: 2.
	HealthyThresholdCount int `yaml:"healthyThresholdCount"`
	// DeregistrationDelaySeconds a leaving target keeps its connections, 0 to 3600. Default: 30.
	DeregistrationDelaySeconds int `yaml:"deregistrationDelaySeconds"`
	// BootstrapImage runs until the pipeline's first deployment; it must answer the health
	// check. Default: a busybox web server that does.
	BootstrapImage string `yaml:"bootstrapImage"`
	// LogRetentionDays of the service's logs, a value CloudWatch Logs accepts. Default: 30.
	LogRetentionDays int `yaml:"logRetentionDays"`
}

// Environment is one deployment target, in pipeline order.
type Environment struct {
	// Name: lowercase letters, digits and '-'; unique. Required.
	Name string `yaml:"name"`
	// Account as a quoted 12-digit string. Default: the pipeline account.
	Account string `yaml:"account" config:"quoted"`
	// Region. Default: the pipeline region.
	Region string `yaml:"region"`
	// Approval requests a manual approval (SNS e-mail) before deploying here. Default: false.
	Approval   bool       `yaml:"approval"`
	Deployment Deployment `yaml:"deployment"`
	// Service overrides the shared service settings field by field; after Load it holds the
	// effective settings for this environment.
	Service Service `yaml:"service"`
	// NATGateways of the created VPC, 0 to 2; with 0 the VPC gets endpoints instead. Default: 1.
	NATGateways int `yaml:"natGateways"`
	// LoadBalancer shapes the created load balancer.
	LoadBalancer LoadBalancer `yaml:"loadBalancer"`
	// Alarms are the thresholds that roll a deployment back.
	Alarms Alarms `yaml:"alarms"`
	// Import uses existing infrastructure instead of creating it. Default: none, everything
	// is created. Excludes natGateways and loadBalancer.
	Import *Import `yaml:"import"`
}

// LoadBalancer shapes the load balancer an environment creates.
type LoadBalancer struct {
	// Internal keeps the load balancer inside the VPC. Default: false (internet-facing).
	Internal bool `yaml:"internal"`
	// CertificateARN of an ACM certificate: the production listener becomes HTTPS on 443 and
	// 80 redirects to it. Default: none (HTTP on 80).
	CertificateARN string `yaml:"certificateArn"`
	// TestListenerPort receives CodeDeploy's test traffic, from inside the VPC only. Default: 9000.
	TestListenerPort int `yaml:"testListenerPort"`
}

// Alarms are the thresholds at which a deployment rolls back.
type Alarms struct {
	// Target5xxPerMinute responses, for 2 minutes running. Default: 10.
	Target5xxPerMinute int `yaml:"target5xxPerMinute"`
	// UnhealthyHosts in a target group, for 2 minutes running. Default: 1.
	UnhealthyHosts int `yaml:"unhealthyHosts"`
	// LatencyP99Milliseconds of target responses, for 3 minutes running. Default: 2000.
	LatencyP99Milliseconds int `yaml:"latencyP99Milliseconds"`
}

// Deployment is how a release shifts traffic in one environment.
type Deployment struct {
	// Engine shifts the traffic: codedeploy (a CodeDeploy deployment group) or ecs (ECS's own
	// blue/green, canary and linear strategies). Default: codedeploy.
	Engine string `yaml:"engine"`
	// Strategy is AllAtOnce, Canary10Percent5Minutes, Canary10Percent15Minutes,
	// Linear10PercentEvery1Minute or Linear10PercentEvery3Minutes. Default: AllAtOnce.
	Strategy string `yaml:"strategy"`
	// TerminationWaitMinutes keeps the old (blue) tasks this long after traffic moved, so a
	// rollback is instant. 0 to 2880. Default: 5. CodeDeploy only: on ECS the bake does this.
	TerminationWaitMinutes int `yaml:"terminationWaitMinutes"`
	// TestTraffic is sent to the new tasks through the test listener before any production
	// traffic moves; a wrong or slow answer rolls the deployment back. Default: on.
	TestTraffic TestTraffic `yaml:"testTraffic"`
	// Window lets releases into this environment only at the times it names. Default: any time.
	Window *DeploymentWindow `yaml:"window"`
	// BakeMinutes after the deployment ends the stage keeps watching the rollback alarms and
	// rolls the stage back if one fires. 0 to 60. Default: 0 (no bake). With engine ecs it is
	// ECS's bake time (0 to 1440): the old tasks stay until it ends, and an alarm rolls back.
	BakeMinutes int `yaml:"bakeMinutes"`
}

// TestTraffic is the check of the new tasks through the test listener.
type TestTraffic struct {
	// Enabled runs the check in every blue/green deployment. Default: true.
	Enabled bool `yaml:"enabled"`
	// Paths requested, each starting with '/' (a query is allowed). At most 10.
	// Default: [service.healthCheckPath].
	Paths []string `yaml:"paths"`
	// ExpectStatus every answer must have, 100 to 599. Default: 200.
	ExpectStatus int `yaml:"expectStatus"`
	// Requests per path, 1 to 1000. Default: 10.
	Requests int `yaml:"requests"`
	// MaxLatencyMilliseconds an answer may take, 1 to 60000. Default: alarms.latencyP99Milliseconds.
	MaxLatencyMilliseconds int `yaml:"maxLatencyMilliseconds"`
	// URL of the test listener, http(s)://HOST[:PORT]. Default: the test listener of the load
	// balancer the stack creates; required with import.
	URL string `yaml:"url"`
}

// DeploymentWindow is when releases may enter an environment (CodePipeline's DeploymentWindow
// rule): a cron expression of 6 or 7 fields (seconds, minutes, hours, day of month, month, day
// of week, optional year), one of the two day fields '?', in a time zone.
type DeploymentWindow struct {
	Cron string `yaml:"cron"` // required
	// Timezone is an IANA zone such as Europe/Berlin, or UTC with an offset such as UTC+05:30.
	// Default: UTC.
	Timezone string `yaml:"timezone"`
}

// Import names existing infrastructure of one environment. All fields but DeployRoleARN are
// required when the block is present.
type Import struct {
	VPCID       string   `yaml:"vpcId"`
	SubnetIDs   []string `yaml:"subnetIds"` // private subnets for tasks, at least one
	ClusterARN  string   `yaml:"clusterArn"`
	ServiceName string   `yaml:"serviceName"`
	// ListenerARN and TestListenerARN are the listeners CodeDeploy shifts (engine codedeploy).
	ListenerARN     string `yaml:"listenerArn"`
	TestListenerARN string `yaml:"testListenerArn"`
	// ListenerRuleARN and TestListenerRuleARN are the listener rules ECS shifts (engine ecs).
	ListenerRuleARN     string `yaml:"listenerRuleArn"`
	TestListenerRuleARN string `yaml:"testListenerRuleArn"`
	// TargetGroupARNs are exactly two: blue (serving now) then green.
	TargetGroupARNs []string `yaml:"targetGroupArns"`
	// DeployRoleARN of an existing role the pipeline assumes. Default: the environment stack
	// creates the role.
	DeployRoleARN string `yaml:"deployRoleArn"`
}

// Notifications says who hears about approvals, failures, releases and alarms.
type Notifications struct {
	Emails []string `yaml:"emails"`
}

// IntegrationTestEnabled reports whether the pipeline has an integration-test stage.
func (c *Config) IntegrationTestEnabled() bool { return len(c.IntegrationTest.Command) > 0 }

// Agnostic reports whether the stacks are environment-agnostic (no account named).
func (c *Config) Agnostic() bool { return c.Pipeline.Account == "" }
