package ecsdelivery

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodebuild"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodepipeline"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodepipelineactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecr"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/ecsdelivery/ecsdelivery/spec"
)

// PipelineProps configures NewPipeline.
type PipelineProps struct {
	// Name prefixes the physical names of the pipeline's resources (app and suffix, such as
	// "orders-api-dev"). Required.
	Name string
	// App names the application in notifications. Default: Name.
	App string
	// ImagesToKeep is how many images the repository keeps; older ones expire. Default: 30.
	ImagesToKeep int
	// ArtifactRetentionDays is how long source archives, scan reports and the scan cache are
	// kept. Default: 30.
	ArtifactRetentionDays int
	// ReleaseRetentionDays is how long the deploy artifacts (a few KB each) are kept: a stage can
	// roll back to a release deployed within this many days. At least ArtifactRetentionDays.
	// Default: 365.
	ReleaseRetentionDays int
	// Source is the GitHub repository. Owner and Repo are required.
	Source SourceOptions
	// Build is the Docker build with unit tests.
	Build BuildOptions
	// Scan is the Trivy gate.
	Scan ScanOptions
	// Targets are the environments, in pipeline order. At least one is required.
	Targets []PipelineTargetOptions
	// IntegrationTest runs the new image and a test command in a temporary task in one target
	// before any deployment. Default: no IntegrationTest stage.
	IntegrationTest *PipelineIntegrationTestOptions
	// Emails receive approval requests, failures and releases. Default: none.
	Emails []string
	// ChangeFailureWindowHours: a deploy followed within this many hours by a rollback or a
	// failed deploy counts as a failed change in the DORA change failure rate, 1 to 720.
	// Default: 24.
	ChangeFailureWindowHours int
	// SigningProfile names the AWS Signer profile that signs every image the repository receives
	// (see NewRegistrySigning): every deploy stage first verifies the release's signature.
	// Default: none, and no verification.
	SigningProfile string
}

// PipelineIntegrationTestOptions chooses where the integration test runs and for how long.
type PipelineIntegrationTestOptions struct {
	// Environment names the target whose cluster and network run the task. Required.
	Environment string
	// TimeoutMinutes after which the task is stopped and the stage fails. Default: 15.
	TimeoutMinutes int
	// AllowGatedEnvironment lets the test run in an environment behind an approval, where it
	// runs code nobody approved with that environment's network, task role and secrets.
	// Default: false, and such an environment is an error.
	AllowGatedEnvironment bool
	// Image builds the test container's own image. Default: none; the test container runs the
	// app image.
	Image *IntegrationTestImageOptions
}

// IntegrationTestImageOptions is the integration test's own image: pushed as it-<commit> beside
// the app image, run only by the test container, never scanned for release nor deployed.
type IntegrationTestImageOptions struct {
	// Dockerfile, relative to the repository. Default: Build.Dockerfile.
	Dockerfile string
	// Target is the build stage to stop at. Default: the Dockerfile's last stage.
	Target string
}

// SourceOptions is the GitHub repository the pipeline builds.
type SourceOptions struct {
	Owner, Repo string
	// Branch whose pushes start the pipeline. Default: main.
	Branch string
	// ConnectionARN of a CodeConnections connection. Default: a new connection, which a person
	// authorises once in the console.
	ConnectionARN string
	// OAuthTokenSecret names the Secrets Manager secret of the legacy OAuth webhook source.
	// Excludes ConnectionARN. Default: none.
	OAuthTokenSecret string
	// FilePaths limits which pushes start the pipeline (CodeConnections only). Default: all.
	FilePaths []string
}

// BuildOptions is the Docker build.
type BuildOptions struct {
	Dockerfile string // Default: Dockerfile
	Context    string // Default: .
	// UnitTestCommand runs in a project of its own, beside the image build, with errexit and
	// pipefail; JUnit XML it leaves in test-results/ is published as a report. Its project can
	// read the source and nothing else of the pipeline's. Default: none.
	UnitTestCommand string
	// BuilderImage is the BuildKit image the build runs, pinned by digest. Default:
	// spec.DefaultBuilderImage (moby/buildkit from Docker Hub).
	BuilderImage string
	// ComputeType is small, medium, large or xlarge. Default: medium.
	ComputeType string
	// Architecture is x86_64 or arm64. Default: x86_64.
	Architecture string
	// Secrets maps variable names to SecureString parameter names: the unit-test project sees
	// them as variables, the image build hands them to the Dockerfile as BuildKit secrets of the
	// same ids. Default: none.
	Secrets map[string]string
	// SecretsKeyARN is the customer-managed KMS key that encrypts the Secrets. Default: the
	// AWS-managed key aws/ssm.
	SecretsKeyARN string
}

// ScanOptions is the Trivy gate.
type ScanOptions struct {
	// FailOn are the severities that fail the scan. Default: CRITICAL and HIGH.
	FailOn []string
	// IgnoreUnfixed skips findings without a fixed version.
	IgnoreUnfixed bool
}

// Pipeline is the delivery pipeline of one app and everything it owns, in the tools account.
type Pipeline interface {
	constructs.Construct
	// ArtifactKey encrypts the artifacts and images; cross-account readers need it.
	ArtifactKey() awskms.IKey
	ArtifactBucket() awss3.IBucket
	// Repository holds the images, tagged with the source commit.
	Repository() awsecr.IRepository
	Pipeline() awscodepipeline.IPipeline
	// StageNames are the pipeline's stages, in the order they run.
	StageNames() []string
	// BuildProject, UnitTestProject (nil without a unit-test command) and ScanProject are the
	// pipeline's CodeBuild projects.
	BuildProject() awscodebuild.IProject
	UnitTestProject() awscodebuild.IProject
	ScanProject() awscodebuild.IProject
	// Topic receives approval requests, failures, releases and the alarms.
	Topic() awssns.ITopic
	// Alarms fire on a failed release, a rolled-back deployment and a failing notifier.
	Alarms() []awscloudwatch.IAlarm
	Dashboard() awscloudwatch.Dashboard
}

type pipeline struct {
	constructs.Construct
	props      *PipelineProps // with every default filled in
	artifacts  pipelineArtifacts
	projects   map[string]awscodebuild.IProject // by the name the dashboard shows
	buildRole  awsiam.Role
	key        awskms.IKey
	bucket     awss3.IBucket
	repository awsecr.IRepository
	pipeline   awscodepipeline.Pipeline
	build      awscodebuild.IProject
	unitTest   awscodebuild.IProject
	scan       awscodebuild.IProject
	ops        *operations
	alarms     []awscloudwatch.Alarm
	dashboard  awscloudwatch.Dashboard
	bakeRoles  map[string]string // deploy stage name → the role its bake reads alarms as
}

func (p *pipeline) ArtifactKey() awskms.IKey            { return p.key }
func (p *pipeline) ArtifactBucket() awss3.IBucket       { return p.bucket }
func (p *pipeline) Repository() awsecr.IRepository      { return p.repository }
func (p *pipeline) Pipeline() awscodepipeline.IPipeline { return p.pipeline }
func (p *pipeline) BuildProject() awscodebuild.IProject { return p.build }
func (p *pipeline) ScanProject() awscodebuild.IProject  { return p.scan }
func (p *pipeline) StageNames() []string {
	var names []string
	for _, stage := range *p.pipeline.Stages() {
		names = append(names, *stage.StageName())
	}
	return names
}
func (p *pipeline) UnitTestProject() awscodebuild.IProject {
	return p.unitTest
}
func (p *pipeline) Topic() awssns.ITopic               { return p.ops.topic }
func (p *pipeline) Alarms() []awscloudwatch.IAlarm     { return asIAlarms(p.alarms) }
func (p *pipeline) Dashboard() awscloudwatch.Dashboard { return p.dashboard }

// pipelineArtifacts are what the stages hand each other.
type pipelineArtifacts struct{ source, deploy, report awscodepipeline.Artifact }

// NewPipeline creates the pipeline of one app in the tools account.
func NewPipeline(scope constructs.Construct, id string, props *PipelineProps) (Pipeline, error) {
	p, err := pipelineDefaults(id, *props)
	if err != nil {
		return nil, err
	}
	self := &pipeline{Construct: constructs.NewConstruct(scope, jsii.String(id)), props: &p,
		projects: map[string]awscodebuild.IProject{}, bakeRoles: map[string]string{}}
	self.targetDefaults()
	self.ops = newOperations(self.Construct, p.Name, p.Emails)
	self.key = newArtifactKey(self.Construct, p.Name)
	self.bucket = newArtifactBucket(self.Construct, p.Name, self.key, p.ArtifactRetentionDays, p.ReleaseRetentionDays)
	repository := newRepository(self.Construct, p.Name, self.key, p.ImagesToKeep,
		p.IntegrationTest != nil && p.IntegrationTest.Image != nil)
	self.repository = repository
	self.artifacts = pipelineArtifacts{
		source: awscodepipeline.NewArtifact(jsii.String(sourceArtifact), nil),
		deploy: awscodepipeline.NewArtifact(jsii.String(deployArtifact), nil),
		report: awscodepipeline.NewArtifact(jsii.String(reportArtifact), nil),
	}
	sourceAction, trigger, connection := newSourceAction(self.Construct, &p, self.artifacts.source)
	stages := []*awscodepipeline.StageProps{
		{StageName: jsii.String(stageSource), Actions: &[]awscodepipeline.IAction{sourceAction}},
		self.buildStage(), self.scanStage(),
	}
	if p.IntegrationTest != nil {
		stages = append(stages, self.integrationTestStage())
	}
	marker := self.newDeployMarker()
	pushOnlyBy(repository, self.buildRole, marker.Role())
	stages = append(stages, self.deployStages(marker)...)
	self.grantPulls()
	self.pipeline = self.newCodePipeline(stages, trigger, connection)
	self.assumeForBakes(stages)
	if p.Source.OAuthTokenSecret != "" {
		newLegacyWebhook(self.Construct, &p, self.pipeline, self.key)
	}
	notifier := self.newNotifier()
	self.alarms = newPipelineAlarms(self.Construct, &p, self.ops, notifier)
	self.dashboard = newPipelineDashboard(self.Construct, &p, self.projects, self.alarms)
	return self, nil
}

// targetDefaults fills what each target leaves to the pipeline: its account, region, cluster
// and the service settings the task definitions need.
func (pl *pipeline) targetDefaults() {
	stack := awscdk.Stack_Of(pl.Construct)
	for i := range pl.props.Targets {
		t := &pl.props.Targets[i]
		orString(&t.Account, *stack.Account())
		orString(&t.Region, *stack.Region())
		orString(&t.ClusterName, t.Name)
		serviceDefaults(&t.Service)
		orString(&t.Service.Architecture, pl.props.Build.Architecture)
	}
}

// buildStage builds the image and runs the unit tests side by side (the same run order): the
// stage, and so the release, fails if either fails, and nothing downstream consumes an image
// whose commit failed its tests.
func (pl *pipeline) buildStage() *awscodepipeline.StageProps {
	pl.build, pl.buildRole = pl.newBuildProject()
	pl.projects["build"] = pl.build
	actions := []awscodepipeline.IAction{awscodepipelineactions.NewCodeBuildAction(&awscodepipelineactions.CodeBuildActionProps{
		ActionName: jsii.String(buildActionName), Project: pl.build, Input: pl.artifacts.source, RunOrder: jsii.Number(1),
		VariablesNamespace: jsii.String(buildVariables),
		// The commit's time, which the build exports for the notifier's lead time.
		EnvironmentVariables: &map[string]*awscodebuild.BuildEnvironmentVariable{
			commitAuthorDateVariable: plain("#{" + sourceVariables + ".AuthorDate}"),
		},
		Outputs: &[]awscodepipeline.Artifact{pl.artifacts.deploy},
	})}
	if pl.props.Build.UnitTestCommand != "" {
		pl.unitTest = pl.newUnitTestProject()
		pl.projects["unit-test"] = pl.unitTest
		actions = append(actions, awscodepipelineactions.NewCodeBuildAction(&awscodepipelineactions.CodeBuildActionProps{
			ActionName: jsii.String("UnitTests"), Project: pl.unitTest, Input: pl.artifacts.source, RunOrder: jsii.Number(1),
			VariablesNamespace: jsii.String(unitTestVariables),
		}))
	}
	return &awscodepipeline.StageProps{StageName: jsii.String(stageBuild), Actions: &actions, OnFailure: retryOnce()}
}

// retryOnce retries a failed stage's failed actions once, automatically (CodePipeline allows one
// automatic retry): a transient failure (a registry or network hiccup, a throttled call) does
// not cost a release. A real failure fails again at the same cost once more: a failing unit
// test runs twice, a scan finding is found twice, and the image build reuses the image its first
// attempt pushed (build.sh checks it was built for the commit). Neither loops.
func retryOnce() *awscodepipeline.FailureConditions {
	return &awscodepipeline.FailureConditions{Result: awscodepipeline.Result_RETRY, RetryMode: awscodepipeline.RetryMode_FAILED_ACTIONS}
}

// scanStage scans the pushed image; only the scan role may write the scan's cache.
func (pl *pipeline) scanStage() *awscodepipeline.StageProps {
	var role awsiam.Role
	pl.scan, role = pl.newScanProject()
	pl.projects["scan"] = pl.scan
	reserveScanCache(pl.bucket, role)
	return &awscodepipeline.StageProps{StageName: jsii.String(stageScan), Actions: &[]awscodepipeline.IAction{
		awscodepipelineactions.NewCodeBuildAction(&awscodepipelineactions.CodeBuildActionProps{
			ActionName: jsii.String("Trivy"), Project: pl.scan, Input: pl.artifacts.source,
			VariablesNamespace: jsii.String(scanVariables),
			ExtraInputs:        &[]awscodepipeline.Artifact{pl.artifacts.deploy}, Outputs: &[]awscodepipeline.Artifact{pl.artifacts.report},
		}),
	}, OnFailure: retryOnce()}
}

// newCodePipeline creates the pipeline itself and its role: V2, QUEUED, no restart on update.
func (pl *pipeline) newCodePipeline(stages []*awscodepipeline.StageProps, trigger *awscodepipeline.TriggerProps, connection string) awscodepipeline.Pipeline {
	p := pl.props
	role := awsiam.NewRole(pl.Construct, jsii.String("Role"), &awsiam.RoleProps{
		RoleName: jsii.String(pipelineRolePrefix(p.Name) + pipelineRolePurpose),
		// CodePipeline documents no aws:SourceAccount or aws:SourceArn when it assumes its role;
		// a condition on them could lock the pipeline out of its own role.
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("codepipeline.amazonaws.com"), nil),
	})
	suppress(role, "AwsSolutions-IAM5", "The pipeline role of "+p.Name+" reads and writes the artifacts of its own bucket "+
		"under its own key (CDK's grants); it invokes the deploy marker (any version of that one function) and lists "+
		"functions, which has no resource-level permissions (CDK's grants for a Lambda invoke action)",
		append([]string{"Resource::*", `/^Resource::<[A-Za-z0-9]*DeployMarker[A-Za-z0-9]*\.Arn>:\*$/`}, artifactGrantFindings...)...)
	if connection != "" {
		// CDK grants codestar-connections:UseConnection; a codeconnections ARN wants the new
		// prefix as well.
		role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid: jsii.String("UseTheConnection"), Actions: jsii.Strings("codeconnections:UseConnection", "codestar-connections:UseConnection"),
			Resources: jsii.Strings(connection),
		}))
	}
	props := &awscodepipeline.PipelineProps{
		PipelineName:             jsii.String(p.Name),
		PipelineType:             awscodepipeline.PipelineType_V2,
		ExecutionMode:            awscodepipeline.ExecutionMode_QUEUED,
		ArtifactBucket:           pl.bucket,
		Role:                     role,
		RestartExecutionOnUpdate: jsii.Bool(false),
		// One role, named with the prefix environments trust, for every action without its own.
		UsePipelineRoleForActions: jsii.Bool(true),
		Stages:                    &stages,
	}
	if trigger != nil {
		props.Triggers = &[]*awscodepipeline.TriggerProps{trigger}
	}
	return awscodepipeline.NewPipeline(pl.Construct, jsii.String("Pipeline"), props)
}

// grantPulls lets every target's execution role pull the images: the repository policy names
// each role in another account (nothing is granted to a whole account).
func (pl *pipeline) grantPulls() {
	p, stack := pl.props, awscdk.Stack_Of(pl.Construct)
	for i := range p.Targets {
		t := &p.Targets[i]
		if t.Account == *stack.Account() {
			continue // same account: the role's own policy allows the pull
		}
		role := awsiam.Role_FromRoleArn(pl.Construct, jsii.String("Target"+strconv.Itoa(i)+"ExecutionRole"),
			jsii.String(arnsOf(t, *stack.Partition()).executionRole), &awsiam.FromRoleArnOptions{Mutable: jsii.Bool(false)})
		pl.repository.GrantPull(role)
	}
}

// pipelineDefaults fills the documented defaults of a copy of the props and checks them; an
// error names the construct and the field.
func pipelineDefaults(id string, p PipelineProps) (PipelineProps, error) {
	orString(&p.App, p.Name)
	orInt(&p.ImagesToKeep, spec.DefaultImagesToKeep)
	orInt(&p.ArtifactRetentionDays, spec.DefaultArtifactRetentionDays)
	orInt(&p.ReleaseRetentionDays, max(spec.DefaultReleaseRetentionDays, p.ArtifactRetentionDays))
	orString(&p.Source.Branch, spec.DefaultBranch)
	orString(&p.Build.Dockerfile, spec.DefaultDockerfile)
	orString(&p.Build.Context, spec.DefaultContext)
	orString(&p.Build.ComputeType, spec.DefaultComputeType)
	orString(&p.Build.Architecture, spec.DefaultArchitecture)
	orString(&p.Build.BuilderImage, spec.DefaultBuilderImage)
	orInt(&p.ChangeFailureWindowHours, spec.DefaultChangeFailureWindowHours)
	if len(p.Scan.FailOn) == 0 {
		p.Scan.FailOn = spec.DefaultFailOn()
	}
	if it := p.IntegrationTest; it != nil {
		copied := *it
		orInt(&copied.TimeoutMinutes, spec.DefaultTimeoutMinutes)
		if copied.Image != nil {
			img := *copied.Image
			orString(&img.Dockerfile, p.Build.Dockerfile)
			copied.Image = &img
		}
		p.IntegrationTest = &copied
	}
	p.Targets = append([]PipelineTargetOptions(nil), p.Targets...)
	for i := range p.Targets {
		orString(&p.Targets[i].Engine, spec.DefaultEngine)
		orString(&p.Targets[i].Strategy, spec.DefaultStrategy)
		if w := p.Targets[i].Window; w != nil {
			copied := *w
			orString(&copied.Timezone, spec.DefaultWindowTimezone)
			p.Targets[i].Window = &copied
		}
	}
	if p.SigningProfile != "" && !unresolved(p.SigningProfile) && !spec.SigningProfileName.MatchString(p.SigningProfile) {
		return PipelineProps{}, fmt.Errorf("pipeline %s: SigningProfile %q is not a Signer profile name (2 to 64 letters, digits and _)", id, p.SigningProfile)
	}
	for _, check := range []func(*PipelineProps) error{checkPipelineProps, checkBuild, checkIntegrationTest, checkReleaseGates} {
		if err := check(&p); err != nil {
			return PipelineProps{}, fmt.Errorf("pipeline %s: %w", id, err)
		}
	}
	return p, nil
}

func checkPipelineProps(p *PipelineProps) error {
	switch {
	case p.Name == "":
		return errors.New("Name is required")
	case p.ImagesToKeep < 1 || p.ArtifactRetentionDays < 1:
		return errors.New("ImagesToKeep and ArtifactRetentionDays must be positive")
	case p.ReleaseRetentionDays < p.ArtifactRetentionDays:
		return fmt.Errorf("ReleaseRetentionDays (%d) must be at least ArtifactRetentionDays (%d)", p.ReleaseRetentionDays, p.ArtifactRetentionDays)
	case p.Source.Owner == "" || p.Source.Repo == "":
		return errors.New("Source.Owner and Source.Repo are required")
	case p.Source.ConnectionARN != "" && p.Source.OAuthTokenSecret != "":
		return errors.New("Source.ConnectionARN and Source.OAuthTokenSecret exclude each other")
	case len(p.Targets) == 0:
		return errors.New("at least one target is required")
	case p.ChangeFailureWindowHours < 1 || p.ChangeFailureWindowHours > spec.MaxChangeFailureWindowHours:
		return fmt.Errorf("ChangeFailureWindowHours is %d; it must be 1 to %d", p.ChangeFailureWindowHours, spec.MaxChangeFailureWindowHours)
	}
	for _, t := range p.Targets {
		if err := checkVariables("Targets["+t.Environment+"].Service.Environment", t.Service.Environment); err != nil {
			return err
		}
		if err := checkVariables("Targets["+t.Environment+"].Service.Secrets", t.Service.Secrets); err != nil {
			return err
		}
	}
	return nil
}

func checkBuild(p *PipelineProps) error {
	b := &p.Build
	if k := b.SecretsKeyARN; k != "" && !unresolved(k) && !spec.KMSKeyARN.MatchString(k) {
		return fmt.Errorf("Build.SecretsKeyARN %q is not a KMS key ARN (arn:PARTITION:kms:REGION:ACCOUNT:key/ID)", k)
	}
	if !unresolved(b.BuilderImage) && !spec.PinnedImage.MatchString(b.BuilderImage) {
		return fmt.Errorf("Build.BuilderImage %q is not pinned by digest (NAME[:TAG]@sha256:DIGEST)", b.BuilderImage)
	}
	if _, ok := computeTypes[b.ComputeType]; !ok {
		return fmt.Errorf("unknown compute type %q", b.ComputeType)
	}
	return checkVariables("Build.Secrets", b.Secrets)
}

// checkReleaseGates checks each target's engine, deployment window and bake.
func checkReleaseGates(p *PipelineProps) error {
	for _, t := range p.Targets {
		if t.Engine == spec.EngineECS {
			d := DeploymentOptions{Engine: t.Engine, Strategy: t.Strategy, BakeMinutes: t.BakeMinutes}
			if err := engineDefaults(&d, t.Existing); err != nil {
				return fmt.Errorf("Targets[%s]: %w", t.Environment, err)
			}
			if t.Existing == nil && t.StackName == "" {
				return fmt.Errorf("Targets[%s].StackName is required on ECS's engine: the pipeline releases by updating that stack", t.Environment)
			}
		} else if t.Engine != "" && t.Engine != spec.EngineCodeDeploy {
			return fmt.Errorf("Targets[%s].Engine %q is not an engine; expected %s or %s", t.Environment, t.Engine, spec.EngineCodeDeploy, spec.EngineECS)
		} else if t.BakeMinutes < 0 || t.BakeMinutes > spec.MaxBakeMinutes {
			return fmt.Errorf("Targets[%s].BakeMinutes %d must be 0 to %d (CodePipeline's alarm rule waits at most an hour)", t.Environment, t.BakeMinutes, spec.MaxBakeMinutes)
		}
		w := t.Window
		if w == nil {
			continue
		}
		if msg := spec.CheckCron(w.Cron); msg != "" && !unresolved(w.Cron) {
			return fmt.Errorf("Targets[%s].Window.Cron %q %s", t.Environment, w.Cron, msg)
		}
		if msg := spec.CheckTimezone(w.Timezone); msg != "" && !unresolved(w.Timezone) {
			return fmt.Errorf("Targets[%s].Window.Timezone: %s", t.Environment, msg)
		}
	}
	return nil
}

// checkIntegrationTest refuses a test environment that is not a target, or that is deployed only
// after an approval, unless the props say so: the test task runs code nobody approved.
func checkIntegrationTest(p *PipelineProps) error {
	it := p.IntegrationTest
	if it == nil {
		return nil
	}
	gate := ""
	for _, t := range p.Targets {
		if t.Approval && gate == "" {
			gate = t.Environment
		}
		if t.Environment != it.Environment {
			continue
		}
		if gate != "" && !it.AllowGatedEnvironment {
			return fmt.Errorf("IntegrationTest.Environment %q is deployed only after the approval of %q: the test task would run "+
				"unapproved code with its network, task role and secrets; test in an environment before the first approval, "+
				"or set AllowGatedEnvironment", it.Environment, gate)
		}
		return nil
	}
	return fmt.Errorf("IntegrationTest.Environment %q is not a target", it.Environment)
}
