package ecsdelivery

import (
	"encoding/base64"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodebuild"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/ecsdelivery/ecsdelivery/scripts"
)

var computeTypes = map[string]awscodebuild.ComputeType{
	"small": awscodebuild.ComputeType_SMALL, "medium": awscodebuild.ComputeType_MEDIUM,
	"large": awscodebuild.ComputeType_LARGE, "xlarge": awscodebuild.ComputeType_X_LARGE,
}

// trivyCacheDir is cached between scans (in the artifact bucket): the verified Trivy and its DB.
const trivyCacheDir = "/root/.cache/ecsdelivery-trivy"

// runScript is a buildspec command that runs an embedded script. The script travels as base64
// so no character of it can be read as buildspec or CloudFormation syntax.
func runScript(name, script, env string) string {
	encoded := base64.StdEncoding.EncodeToString([]byte(script))
	return fmt.Sprintf("echo %s | base64 -d > /tmp/%s && %s bash /tmp/%s", encoded, name, env, name)
}

func plain(value string) *awscodebuild.BuildEnvironmentVariable {
	return &awscodebuild.BuildEnvironmentVariable{Type: awscodebuild.BuildEnvironmentVariableType_PLAINTEXT, Value: jsii.String(value)}
}

// projectRole is a CodeBuild role named with the pipeline's prefix, which CodeBuild may assume
// for this project only.
func projectRole(scope constructs.Construct, id, name, purpose, project string) awsiam.Role {
	return awsiam.NewRole(scope, jsii.String(id), &awsiam.RoleProps{
		RoleName:    jsii.String(pipelineRolePrefix(name) + purpose),
		AssumedBy:   servicePrincipal(scope, "codebuild.amazonaws.com", stackARN(scope, "codebuild", "project/"+project)),
		Description: jsii.String("CodeBuild " + purpose + " project of the pipeline " + name),
	})
}

// scriptProject is what sets one of the pipeline's CodeBuild projects apart; each runs one of
// the scripts in scripts/.
type scriptProject struct {
	id                string // construct ids: <id>Role, <id>Logs, <id>Project
	name, rolePurpose string // project name <pipeline>-<name>, role <pipeline>-pipeline-<rolePurpose>
	description       string
	script            string // the script, run as /tmp/<scriptName>
	scriptName        string
	scriptEnv         string // variables set on the script's command line
	environment       *awscodebuild.BuildEnvironment
	variables         map[string]*awscodebuild.BuildEnvironmentVariable
	timeoutMinutes    int
	cache             awscodebuild.Cache
	policy            []awsiam.PolicyStatement // added to the role before the project's own grants
	buildspec         map[string]any           // sections besides version and phases; env is merged
	// exports are commands run before the script that set variables the action exports
	// besides the build's id: name → command.
	exports map[string]string
	// lockedRole keeps every grant CDK would make (the action's on the whole artifact bucket,
	// the project's on its key) off the role: it gets its logs, its reports and policy only.
	lockedRole bool
}

// newScriptProject creates the role, log group and project of one script. The project is
// encrypted with the artifact key, its logs (which show test output) with the operations key.
func (pl *pipeline) newScriptProject(s scriptProject) (awscodebuild.IProject, awsiam.Role) {
	scope, p, ops, key := pl.Construct, pl.props, pl.ops, pl.key
	projectName := Name(p.Name, s.name)
	role := projectRole(scope, s.id+"Role", p.Name, s.rolePurpose, projectName)
	for _, statement := range s.policy {
		role.AddToPolicy(statement)
	}
	spec := s.buildspecObject()
	var projectRole awsiam.IRole = role
	if s.lockedRole {
		projectRole = role.WithoutPolicyUpdates(nil)
	}
	logs := ops.logGroup(scope, s.id+"Logs", s.name, 30, awscdk.RemovalPolicy_DESTROY)
	project := awscodebuild.NewPipelineProject(scope, jsii.String(s.id+"Project"), &awscodebuild.PipelineProjectProps{
		ProjectName:          jsii.String(projectName),
		Description:          jsii.String(s.description),
		Role:                 projectRole,
		EncryptionKey:        key,
		Timeout:              awscdk.Duration_Minutes(jsii.Number(s.timeoutMinutes)),
		Environment:          s.environment,
		EnvironmentVariables: &s.variables,
		Cache:                s.cache,
		Logging:              &awscodebuild.LoggingOptions{CloudWatch: &awscodebuild.CloudWatchLoggingOptions{LogGroup: logs}},
		BuildSpec:            awscodebuild.BuildSpec_FromObjectToYaml(&spec),
	})
	if s.lockedRole {
		role.AddToPolicy(statement("WriteItsLogs", []string{"logs:CreateLogStream", "logs:PutLogEvents"},
			[]string{*logs.LogGroupArn(), *logs.LogGroupArn() + ":log-stream:*"}, nil))
		role.AddToPolicy(statement("WriteItsReports",
			[]string{"codebuild:CreateReportGroup", "codebuild:CreateReport", "codebuild:UpdateReport",
				"codebuild:BatchPutTestCases", "codebuild:BatchPutCodeCoverages"},
			[]string{stackARN(scope, "codebuild", "report-group/"+projectName+"-*")}, nil))
	}
	if s.lockedRole {
		return project, role
	}
	suppress(role, "AwsSolutions-IAM5", "The CodeBuild "+s.rolePurpose+" role of "+p.Name+": CDK's grants of the pipeline's "+
		"artifact bucket and key; the project's report groups (created at run time, named after the project) and its "+
		"default /aws/codebuild log streams",
		append([]string{`/^Resource::arn:[^:]+:codebuild:[^:]+:.+:report-group\/<[A-Za-z0-9]+Project[A-Za-z0-9]+>-\*$/`,
			`/^Resource::arn:[^:]+:logs:[^:]+:.+:log-group:\/aws\/codebuild\/<[A-Za-z0-9]+Project[A-Za-z0-9]+>:\*$/`},
			artifactGrantFindings...)...)
	return project, role
}

// buildspecObject runs the script, exports the build's id (for links to its results, which an
// approval quotes) and adds the project's own sections.
func (s *scriptProject) buildspecObject() map[string]any {
	commands := []string{"export " + buildIDVariable + `="$CODEBUILD_BUILD_ID"`}
	exported := []string{buildIDVariable}
	for _, name := range slices.Sorted(maps.Keys(s.exports)) {
		commands = append(commands, s.exports[name])
		exported = append(exported, name)
	}
	spec := map[string]any{
		"version": "0.2",
		"phases": map[string]any{"build": map[string]any{"commands": append(commands,
			runScript(s.scriptName, s.script, s.scriptEnv))}},
	}
	env := map[string]any{}
	for k, v := range s.buildspec {
		if k == "env" {
			env = v.(map[string]any)
			continue
		}
		spec[k] = v
	}
	env["exported-variables"] = exported
	spec["env"] = env
	return spec
}

// newBuildProject is the only privileged project: it runs Docker. It runs build.sh on the
// source and leaves the deploy artifact. No code of the repository runs here outside the
// Dockerfile's own steps, which run inside BuildKit without the role's credentials.
func (pl *pipeline) newBuildProject() (awscodebuild.IProject, awsiam.Role) {
	scope, p, repo := pl.Construct, pl.props, pl.repository
	b := &p.Build
	project, role := pl.newScriptProject(scriptProject{
		id: "Build", name: "build", rolePurpose: "build",
		description: "Docker build and push, deploy artifact",
		script:      scripts.Build, scriptName: "build.sh",
		environment: &awscodebuild.BuildEnvironment{
			BuildImage:  buildImage(b.Architecture),
			ComputeType: computeTypes[b.ComputeType],
			Privileged:  jsii.Bool(true), // docker buildx needs the daemon
		},
		variables:      pl.buildVariables(),
		exports:        map[string]string{commitTimeVariable: commitTimeCommand},
		timeoutMinutes: 60,
		buildspec: map[string]any{
			"artifacts": map[string]any{"base-directory": "deploy", "files": []string{"**/*"}},
		},
	})
	repo.GrantPullPush(role)
	repo.Grant(role, jsii.String("ecr:DescribeImages"))
	if p.SigningProfile != "" {
		// ECR's managed signing signs a push as whoever pushes it: the build signs what it
		// pushes, with this profile only.
		role.AddToPolicy(statement("SignWhatItPushes", []string{"signer:SignPayload"}, []string{signingProfileARN(scope, p.SigningProfile)}, nil))
	}
	if m := ecrImage.FindStringSubmatch(b.BuilderImage); m != nil {
		// A builder mirrored into ECR: the build pulls it with its own role.
		role.AddToPolicy(statement("PullTheBuilder",
			[]string{"ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"},
			[]string{arn(*awscdk.Stack_Of(scope).Partition(), "ecr", m[2], m[1], "repository/"+m[3])}, nil))
	}
	suppress(role, "AwsSolutions-IAM5", "ecr:GetAuthorizationToken, the registry login of the build of "+p.Name+
		", has no resource-level permissions; pushes and pulls name the repository", "Resource::*")
	grantBuildSecrets(scope, role, b, false)
	return project, role
}

// buildVariables are build.sh's inputs: the repository, the builder, and per target its
// taskdef.json and port; the build secrets come from Parameter Store when the build starts.
func (pl *pipeline) buildVariables() map[string]*awscodebuild.BuildEnvironmentVariable {
	p, b := pl.props, &pl.props.Build
	env := map[string]*awscodebuild.BuildEnvironmentVariable{
		"REPOSITORY_URI": plain(*pl.repository.RepositoryUri()),
		"CONTAINER_NAME": plain(containerName),
		"DOCKERFILE":     plain(b.Dockerfile),
		"BUILD_CONTEXT":  plain(b.Context),
		"CACHE_TAG":      plain(cacheTagPrefix),
		"BUILDER_IMAGE":  plain(b.BuilderImage),
		// The image's source label, which its provenance records.
		"SOURCE_URL": plain("https://github.com/" + p.Source.Owner + "/" + p.Source.Repo),
	}
	partition := *awscdk.Stack_Of(pl.Construct).Partition()
	names := make([]string, len(p.Targets))
	for i := range p.Targets {
		t := &p.Targets[i]
		names[i] = t.Environment
		// Fn::Base64 resolves the account and partition tokens at deploy time.
		env["TASKDEF_"+strconv.Itoa(i)] = plain(*awscdk.Fn_Base64(jsii.String(taskDefinitionJSON(t, partition))))
		env["PORT_"+strconv.Itoa(i)] = plain(strconv.Itoa(t.Service.ContainerPort))
		if !t.NoTestTraffic {
			env["HOOK_"+strconv.Itoa(i)] = plain(testTrafficFunctionName(t.Name))
		}
	}
	env["DEPLOY_ENVIRONMENTS"] = plain(strings.Join(names, " "))
	if it := p.IntegrationTest; it != nil && it.Image != nil {
		env["TEST_DOCKERFILE"] = plain(it.Image.Dockerfile)
		if it.Image.Target != "" {
			env["TEST_TARGET"] = plain(it.Image.Target)
		}
	}
	secretNames := slices.Sorted(maps.Keys(b.Secrets))
	for _, name := range secretNames {
		// CodeBuild reads the parameter when the build starts; the console shows only its name.
		env[name] = &awscodebuild.BuildEnvironmentVariable{
			Type: awscodebuild.BuildEnvironmentVariableType_PARAMETER_STORE, Value: jsii.String(b.Secrets[name]),
		}
	}
	if len(secretNames) > 0 {
		env["PARAMETER_VARIABLES"] = plain(strings.Join(secretNames, " "))
	}
	return env
}

// buildImage is CodeBuild's standard image for the architecture.
func buildImage(architecture string) awscodebuild.IBuildImage {
	if architecture == "arm64" {
		return awscodebuild.LinuxArmBuildImage_AMAZON_LINUX_2023_STANDARD_3_0()
	}
	return awscodebuild.LinuxBuildImage_STANDARD_7_0()
}

// ecrImage matches an image reference in an ECR registry: account, region, repository.
var ecrImage = regexp.MustCompile(`^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/([^:@]+)`)

// grantBuildSecrets lets a project read the build's Parameter Store secrets when it starts.
// CDK grants the parameters itself unless the role is locked against its grants (parameters).
func grantBuildSecrets(scope constructs.Construct, role awsiam.Role, b *BuildOptions, parameters bool) {
	if len(b.Secrets) == 0 {
		return
	}
	if parameters {
		var arns []string
		for _, name := range slices.Sorted(maps.Keys(b.Secrets)) {
			arns = append(arns, stackARN(scope, "ssm", "parameter/"+strings.TrimPrefix(b.Secrets[name], "/")))
		}
		role.AddToPolicy(statement("ReadBuildSecrets", []string{"ssm:GetParameters"}, arns, nil))
	}
	if b.SecretsKeyARN != "" {
		role.AddToPolicy(statement("DecryptBuildSecrets", []string{"kms:Decrypt"}, []string{b.SecretsKeyARN}, viaService(scope, "ssm")))
	}
}

// newScanProject runs scan.sh, unprivileged: Trivy reads the image from the registry.
func (pl *pipeline) newScanProject() (awscodebuild.IProject, awsiam.Role) {
	p, bucket, repo := pl.props, pl.bucket, pl.repository
	project, role := pl.newScriptProject(scriptProject{
		id: "Scan", name: "scan", rolePurpose: "scan",
		description: "Trivy scan of the pushed image by digest",
		script:      scripts.Scan, scriptName: "scan.sh",
		scriptEnv: `IMAGE_DETAIL="$CODEBUILD_SRC_DIR_Deploy/imageDetail.json"`,
		environment: &awscodebuild.BuildEnvironment{
			BuildImage:  awscodebuild.LinuxBuildImage_STANDARD_7_0(),
			ComputeType: awscodebuild.ComputeType_SMALL,
		},
		variables: map[string]*awscodebuild.BuildEnvironmentVariable{
			"FAIL_ON":         plain(strings.Join(p.Scan.FailOn, ",")),
			"PLATFORM":        plain(scanPlatform(p.Build.Architecture)),
			"IGNORE_UNFIXED":  plain(strconv.FormatBool(p.Scan.IgnoreUnfixed)),
			"TRIVY_CACHE_DIR": plain(trivyCacheDir),
		},
		timeoutMinutes: 30,
		cache:          awscodebuild.Cache_Bucket(bucket, &awscodebuild.BucketCacheOptions{Prefix: jsii.String(scanCachePrefix)}),
		buildspec: map[string]any{
			"reports": map[string]any{"trivy": map[string]any{
				"base-directory": "reports", "files": []string{"trivy-junit.xml"}, "file-format": "JUNITXML",
			}},
			"artifacts": map[string]any{"base-directory": "reports", "files": []string{"**/*"}},
			"cache":     map[string]any{"paths": []string{trivyCacheDir + "/**/*"}},
		},
	})
	repo.GrantPull(role)
	suppress(role, "AwsSolutions-IAM5", "ecr:GetAuthorizationToken, the registry login of the scan of "+p.Name+
		", has no resource-level permissions; the pull names the repository", "Resource::*")
	return project, role
}

// scanPlatform is the platform of the image's index the scan reads: the one ECS runs.
func scanPlatform(architecture string) string {
	if architecture == "arm64" {
		return "linux/arm64"
	}
	return "linux/amd64"
}
