package ecsdelivery

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodebuild"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodedeploy"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodepipeline"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodepipelineactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"

	"github.com/ecsdelivery/ecsdelivery/scripts"
	"github.com/ecsdelivery/ecsdelivery/spec"
)

// The variable namespaces of the actions whose values approvals quote: the commit, and the ids
// of the build and scan builds.
const (
	sourceVariables   = "SourceVariables"
	buildVariables    = "BuildVariables"
	unitTestVariables = "UnitTestVariables"
	scanVariables     = "ScanVariables"
)

// buildIDVariable is exported by every CodeBuild project of the pipeline: the build's id.
const buildIDVariable = "BUILD_ID"

// maxApprovalMessage is CodePipeline's limit on an approval's custom data.
const maxApprovalMessage = 500

// approvalTexts are an approval's message and link: the commit, and the results an approver
// decides on, the scan's at the link and the build's (with any unit tests) in the message. The
// message must stay within maxApprovalMessage once the variables are resolved, so it names the
// commit by id: a commit message can be of any length.
func approvalTexts(p *PipelineProps, environment, region string) (message, link string) {
	results := func(project, namespace string) string {
		return fmt.Sprintf("%s/codesuite/codebuild/projects/%s/build/#{%s.%s}/?region=%s",
			consoleURL(region), project, namespace, buildIDVariable, region)
	}
	passed, build, project, namespace := "the build", "build", Name(p.Name, "build"), buildVariables
	if p.Build.UnitTestCommand != "" {
		passed, build, project, namespace = "the build, unit tests", "unit tests", Name(p.Name, "unit-test"), unitTestVariables
	}
	if p.IntegrationTest != nil {
		passed += ", scan and integration tests"
	} else {
		passed += " and scan"
	}
	message = fmt.Sprintf("Release commit #{%s.CommitId} of %s to %s? It passed %s. Scan report and SBOM at the link; %s: %s",
		sourceVariables, p.Name, environment, passed, build, results(project, namespace))
	return message, results(Name(p.Name, "scan"), scanVariables)
}

// consoleURL is the AWS console of a region's partition (China and GovCloud have their own).
func consoleURL(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "https://console.amazonaws.cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "https://console.amazonaws-us-gov.com"
	}
	return "https://" + region + ".console.aws.amazon.com"
}

// targetARNs are the physical ARNs of one target's resources, known at synthesis in any account.
type targetARNs struct {
	deployRole, executionRole, application string
}

func arnsOf(t *PipelineTargetOptions, partition string) targetARNs {
	deployRole := t.DeployRoleARN
	if deployRole == "" {
		deployRole = arn(partition, "iam", "", t.Account, "role/"+deployRoleName(t.Name))
	}
	return targetARNs{
		deployRole:    deployRole,
		executionRole: arn(partition, "iam", "", t.Account, "role/"+executionRoleName(t.Name)),
		application:   arn(partition, "codedeploy", t.Region, t.Account, "application:"+t.Name),
	}
}

// newIntegrationTestStage runs integration-test.sh against the chosen target, as its deploy role.
func (pl *pipeline) integrationTestStage() *awscodepipeline.StageProps {
	scope, p, deploy := pl.Construct, pl.props, pl.artifacts.deploy
	it := p.IntegrationTest
	var t *PipelineTargetOptions
	for i := range p.Targets {
		if p.Targets[i].Environment == it.Environment {
			t = &p.Targets[i]
		}
	}
	arns := arnsOf(t, *awscdk.Stack_Of(scope).Partition())
	variables := map[string]*awscodebuild.BuildEnvironmentVariable{
		"IMAGE_DETAIL":      plain("imageDetail.json"),
		"DEPLOY_ROLE_ARN":   plain(arns.deployRole),
		"ENV_REGION":        plain(t.Region),
		"CLUSTER":           plain(t.ClusterName),
		"FAMILY":            plain(testTaskFamily(t.Name)),
		"NETWORK_PARAMETER": plain(integrationTestParameter(t.Name)),
		"LOG_GROUP":         plain(logGroupName(t.Name)),
		"TIMEOUT_SECONDS":   plain(strconv.Itoa(it.TimeoutMinutes * 60)),
	}
	if it.Image != nil {
		// The build writes it beside imageDetail.json; the test container runs that image.
		variables["TEST_IMAGE_DETAIL"] = plain("testImageDetail.json")
	}
	project, _ := pl.newScriptProject(scriptProject{
		id: "IntegrationTest", name: "integration-test", rolePurpose: integrationTestRolePurpose,
		description: "Runs the new image and the integration tests in a temporary task in " + t.Environment,
		script:      scripts.IntegrationTest, scriptName: "integration-test.sh",
		environment: &awscodebuild.BuildEnvironment{
			BuildImage: awscodebuild.LinuxBuildImage_STANDARD_7_0(), ComputeType: awscodebuild.ComputeType_SMALL,
		},
		variables: variables,
		// The task's own timeout decides; this only catches a stuck script.
		timeoutMinutes: it.TimeoutMinutes + 15,
		policy: []awsiam.PolicyStatement{awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid: jsii.String("AssumeTheTargetDeployRole"), Actions: jsii.Strings("sts:AssumeRole"), Resources: jsii.Strings(arns.deployRole),
		})},
	})
	pl.projects["integration-test"] = project
	return &awscodepipeline.StageProps{
		StageName: jsii.String(stageIntegrationTest),
		Actions: &[]awscodepipeline.IAction{awscodepipelineactions.NewCodeBuildAction(&awscodepipelineactions.CodeBuildActionProps{
			ActionName: jsii.String("TemporaryTask"), Project: project, Input: deploy,
		})},
	}
}

// deployStages returns, per target in order, an approval stage where asked and the deployment
// stage. The deploy roles may read the deploy artifacts and nothing else of the bucket.
func (pl *pipeline) deployStages(marker awslambda.IFunction) []*awscodepipeline.StageProps {
	p := pl.props
	var stages []*awscodepipeline.StageProps
	deployRoles := make([]string, len(p.Targets))
	for i := range p.Targets {
		t := &p.Targets[i]
		if t.Approval {
			stages = append(stages, pl.approvalStage(t))
		}
		stages = append(stages, pl.deployStage(i, marker))
		deployRoles[i] = arnsOf(t, *awscdk.Stack_Of(pl.Construct).Partition()).deployRole
	}
	confineToDeployArtifacts(pl.bucket, deployRoles, artifactPrefix(p.Name, deployArtifact))
	return stages
}

// approvalStage asks a person, through the topic, to let a release into one environment.
func (pl *pipeline) approvalStage(t *PipelineTargetOptions) *awscodepipeline.StageProps {
	message, link := approvalTexts(pl.props, t.Environment, *awscdk.Stack_Of(pl.Construct).Region())
	return &awscodepipeline.StageProps{
		StageName: jsii.String(approveStageName(t.Environment)),
		Actions: &[]awscodepipeline.IAction{awscodepipelineactions.NewManualApprovalAction(&awscodepipelineactions.ManualApprovalActionProps{
			ActionName:            jsii.String("Approve"),
			NotificationTopic:     pl.ops.topic,
			AdditionalInformation: jsii.String(message),
			ExternalEntityLink:    jsii.String(link),
		})},
	}
}

// deployStage marks the image it deploys, then deploys it blue/green with CodeDeploy as the
// target's deploy role; a failure rolls the stage back.
func (pl *pipeline) deployStage(i int, marker awslambda.IFunction) *awscodepipeline.StageProps {
	if pl.props.Targets[i].Engine == spec.EngineECS {
		return pl.ecsDeployStage(i, marker)
	}
	scope, t, deploy := pl.Construct, &pl.props.Targets[i], pl.artifacts.deploy
	stack := awscdk.Stack_Of(scope)
	id := "Target" + strconv.Itoa(i) // imports only: no resource takes this id
	arns := arnsOf(t, *stack.Partition())
	role := awsiam.Role_FromRoleArn(scope, jsii.String(id+"DeployRole"), jsii.String(arns.deployRole),
		&awsiam.FromRoleArnOptions{Mutable: jsii.Bool(false)})
	if t.Account != *stack.Account() {
		// Another account reads the deploy artifacts (and decrypts them: the bucket's grant
		// covers its key) and pulls the image through resource policies.
		pl.bucket.GrantRead(role, jsii.String(artifactPrefix(pl.props.Name, deployArtifact)+"*"))
	}
	group := awscodedeploy.EcsDeploymentGroup_FromEcsDeploymentGroupAttributes(scope, jsii.String(id+"DeploymentGroup"),
		&awscodedeploy.EcsDeploymentGroupAttributes{
			Application:         awscodedeploy.EcsApplication_FromEcsApplicationArn(scope, jsii.String(id+"Application"), jsii.String(arns.application)),
			DeploymentGroupName: jsii.String(t.Name),
		})
	stage := &awscodepipeline.StageProps{
		StageName: jsii.String(deployStageName(t.Environment)),
		Actions: pl.guarded(t, marker, func(runOrder int) awscodepipeline.IAction {
			return awscodepipelineactions.NewCodeDeployEcsDeployAction(&awscodepipelineactions.CodeDeployEcsDeployActionProps{
				ActionName:                 jsii.String(deployActionName(t)),
				RunOrder:                   jsii.Number(runOrder),
				DeploymentGroup:            group,
				Role:                       role,
				TaskDefinitionTemplateFile: deploy.AtPath(jsii.String("taskdef-" + t.Environment + ".json")),
				AppSpecTemplateFile:        deploy.AtPath(jsii.String("appspec-" + t.Environment + ".yaml")),
				ContainerImageInputs: &[]*awscodepipelineactions.CodeDeployEcsContainerImageInput{{
					Input: deploy, TaskDefinitionPlaceholder: jsii.String("IMAGE1_NAME"),
				}},
			})
		}),
		OnFailure: &awscodepipeline.FailureConditions{Result: awscodepipeline.Result_ROLLBACK},
	}
	if w := t.Window; w != nil {
		stage.BeforeEntry = windowCondition(w)
	}
	if t.BakeMinutes > 0 {
		stage.OnSuccess = bakeCondition(t)
		// The rules read the environment's alarms as its deploy role (see bakeRoles).
		pl.bakeRoles[*stage.StageName] = arns.deployRole
	}
	return stage
}

// windowCondition holds a release before the stage until the deployment window is open.
func windowCondition(w *DeploymentWindowOptions) *awscodepipeline.Conditions {
	return &awscodepipeline.Conditions{Conditions: &[]*awscodepipeline.Condition{{
		Result: awscodepipeline.Result_FAIL,
		Rules: &[]awscodepipeline.Rule{awscodepipeline.NewRule(&awscodepipeline.RuleProps{
			Name: jsii.String("DeploymentWindow"), Provider: jsii.String("DeploymentWindow"), Version: jsii.String("1"),
			Configuration: &map[string]any{"Cron": w.Cron, "TimeZone": w.Timezone},
		})},
	}}}
}

// bakeCondition watches the environment's rollback alarms for BakeMinutes after the deployment
// succeeded, and rolls the stage back (redeploys the previous release) if one fires. The rule
// takes one alarm, so there is one rule per alarm.
func bakeCondition(t *PipelineTargetOptions) *awscodepipeline.Conditions {
	names := rollbackAlarmNames(t.Name)
	rules := make([]awscodepipeline.Rule, len(names))
	for i, name := range names {
		rules[i] = awscodepipeline.NewRule(&awscodepipeline.RuleProps{
			Name: jsii.String(fmt.Sprintf("Bake%d", i+1)), Provider: jsii.String("CloudWatchAlarm"), Version: jsii.String("1"),
			Region: jsii.String(t.Region),
			Configuration: &map[string]any{
				"AlarmName": name, "AlarmStates": "ALARM", "WaitTime": strconv.Itoa(t.BakeMinutes),
			},
		})
	}
	return &awscodepipeline.Conditions{Conditions: &[]*awscodepipeline.Condition{{
		Result: awscodepipeline.Result_ROLLBACK, Rules: &rules,
	}}}
}

// assumeForBakes has each bake's rules read the alarms as the environment's deploy role: they
// live in the environment's account. CDK's rules take only a role the stack creates, so the
// role goes in by override.
func (pl *pipeline) assumeForBakes(stages []*awscodepipeline.StageProps) {
	cfn := pl.pipeline.Node().DefaultChild().(awscodepipeline.CfnPipeline)
	for i, s := range stages {
		role, ok := pl.bakeRoles[*s.StageName]
		if !ok {
			continue
		}
		for j := range rollbackAlarmNames("") {
			cfn.AddPropertyOverride(jsii.String(fmt.Sprintf("Stages.%d.OnSuccess.Conditions.0.Rules.%d.RoleArn", i, j)), jsii.String(role))
		}
	}
}
