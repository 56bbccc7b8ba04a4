package spec

// Defaults of the config contract and of the constructs' props: written here once, filled in by
// the config loader and by the constructs alike; the README's configuration reference lists the
// same values.
const (
	DefaultRegion                 = "us-east-1"
	DefaultBranch                 = "main"
	DefaultDockerfile             = "Dockerfile"
	DefaultContext                = "."
	DefaultComputeType            = "medium"
	DefaultArchitecture           = "x86_64"
	DefaultTimeoutMinutes         = 15
	DefaultContainerPort          = 8080
	DefaultHealthCheckPath        = "/health"
	DefaultCPU                    = 512
	DefaultMemoryMiB              = 1024
	DefaultDesiredCount           = 2
	DefaultStrategy               = "AllAtOnce"
	DefaultTerminationWaitMinutes = 5
	DefaultHealthCheckInterval    = 10
	DefaultHealthyThreshold       = 2
	DefaultDeregistrationDelay    = 30
	DefaultLogRetentionDays       = 30
	DefaultNATGateways            = 1
	DefaultTestListenerPort       = 9000
	DefaultTarget5xxPerMinute     = 10
	DefaultUnhealthyHosts         = 1
	DefaultLatencyP99Milliseconds = 2000
	// DefaultTestTrafficStatus and DefaultTestTrafficRequests (per path) shape the check of the
	// new tasks through the test listener; its paths default to the health check path and its
	// latency bound to the latency alarm's threshold.
	DefaultTestTrafficStatus   = 200
	DefaultTestTrafficRequests = 10
	// DefaultWindowTimezone is the zone of a deployment window that names none (CodePipeline's).
	DefaultWindowTimezone = "UTC"
	// DefaultImagesToKeep is how many tagged images the repository keeps beyond the deployed ones.
	DefaultImagesToKeep = 30
	// DefaultArtifactRetentionDays keeps source archives, scan reports and the scan cache.
	DefaultArtifactRetentionDays = 30
	// DefaultReleaseRetentionDays keeps the deploy artifacts a stage rollback needs.
	DefaultReleaseRetentionDays = 365
	// DefaultBootstrapImage runs until the pipeline's first deployment.
	DefaultBootstrapImage = "public.ecr.aws/docker/library/busybox:1.37"
)

// DefaultFailOn is the severities that fail the scan when none are given.
func DefaultFailOn() []string { return []string{"CRITICAL", "HIGH"} }

// Image signing: ECR managed signing with an AWS Signer profile of this name, whose signatures
// stay valid for this long (Signer's limit is 135 months; a deployed image must stay verifiable
// for as long as a stage may roll back to it, the release retention's 365 days by default).
const (
	DefaultSigningProfile = "ecsdelivery"
	SignatureValidityDays = 3 * 365
)
