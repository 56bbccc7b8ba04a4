package ecsdelivery

import (
	"encoding/json"
	"strconv"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodebuild"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodepipeline"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodepipelineactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"

	"github.com/ecsdelivery/ecsdelivery/scripts"
	"github.com/ecsdelivery/ecsdelivery/spec"
)

// ecsDeployStage marks the image it deploys, then releases it on ECS's engine with the release
// project, which waits for ECS's verdict: CodePipeline's own ECS action gives up after an hour,
// and canaries, linear steps and bakes can take longer. A failure rolls the stage back.
func (pl *pipeline) ecsDeployStage(i int, marker awslambda.IFunction) *awscodepipeline.StageProps {
	t := &pl.props.Targets[i]
	project := pl.releaseProject(t)
	stage := &awscodepipeline.StageProps{
		StageName: jsii.String(deployStageName(t.Environment)),
		Actions: pl.guarded(t, marker, func(runOrder int) awscodepipeline.IAction {
			return awscodepipelineactions.NewCodeBuildAction(&awscodepipelineactions.CodeBuildActionProps{
				ActionName: jsii.String(deployActionName(t)), RunOrder: jsii.Number(runOrder),
				Project: project, Input: pl.artifacts.deploy,
			})
		}),
		OnFailure: &awscodepipeline.FailureConditions{Result: awscodepipeline.Result_ROLLBACK},
	}
	if w := t.Window; w != nil {
		stage.BeforeEntry = windowCondition(w)
	}
	// No bake condition: ECS bakes, with the same alarms, and the release waits through it.
	return stage
}

// releaseProject is the project that releases to one environment on ECS's engine. Each
// environment has its own, whose role may assume that environment's deploy role only: a build
// started on staging's project, with any buildspec, cannot reach production.
func (pl *pipeline) releaseProject(t *PipelineTargetOptions) awscodebuild.IProject {
	partition := *awscdk.Stack_Of(pl.Construct).Partition()
	shift, _ := spec.ParseStrategy(t.Strategy)
	wait := spec.ReleaseMinutes(shift, t.BakeMinutes)
	name := "release-" + t.Environment
	project, _ := pl.newScriptProject(scriptProject{
		id: "Release" + pascal(t.Environment), name: name, rolePurpose: releaseRolePurpose(t.Name),
		description: "Releases an image to " + t.Environment + " on ECS's own blue/green engine and waits for ECS's verdict",
		script:      scripts.ECSDeploy, scriptName: "ecs-deploy.sh",
		environment: &awscodebuild.BuildEnvironment{
			BuildImage: awscodebuild.LinuxBuildImage_STANDARD_7_0(), ComputeType: awscodebuild.ComputeType_SMALL,
		},
		variables: pl.releaseVariables(t, wait),
		// The script's own deadlines decide: a stack still busy (a cdk deploy, or the rollback of
		// the release before) for up to the release's time, then the release. This only catches a
		// stuck script.
		timeoutMinutes: min(spec.MaxReleaseMinutes, 2*wait+5),
		policy: []awsiam.PolicyStatement{awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid: jsii.String("AssumeTheDeployRole"), Actions: jsii.Strings("sts:AssumeRole"), Resources: jsii.Strings(arnsOf(t, partition).deployRole),
		})},
	})
	pl.projects[name] = project
	return project
}

// releaseVariables are one environment's settings for ecs-deploy.sh. The release waits up to
// wait minutes for ECS's verdict, and as long for a stack someone else is updating (a cdk deploy,
// or CloudFormation rolling back the release before, which can be a whole deployment again).
func (pl *pipeline) releaseVariables(t *PipelineTargetOptions, wait int) map[string]*awscodebuild.BuildEnvironmentVariable {
	partition := *awscdk.Stack_Of(pl.Construct).Partition()
	v := map[string]*awscodebuild.BuildEnvironmentVariable{
		"IMAGE_DETAIL":      plain("imageDetail.json"),
		"ENVIRONMENT":       plain(t.Environment),
		"DEPLOY_ROLE_ARN":   plain(arnsOf(t, partition).deployRole),
		"ENV_REGION":        plain(t.Region),
		"CLUSTER":           plain(t.ClusterName),
		"SERVICE":           plain(t.Name),
		"WAIT_SECONDS":      plain(strconv.Itoa(wait * 60)),
		"BUSY_WAIT_SECONDS": plain(strconv.Itoa(wait * 60)),
	}
	if t.Existing == nil {
		v["MODE"] = plain("stack")
		v["STACK_NAME"] = plain(t.StackName)
		v["IMAGE_PARAMETER"] = plain(releaseImageParameter(t.Name))
		v["RELEASE_ROLE_ARN"] = plain(arn(partition, "iam", "", t.Account, "role/"+releaseRoleName(t.Name)))
		return v
	}
	v["MODE"] = plain("service")
	v["SERVICE"] = plain(t.Existing.ServiceName)
	v["TASKDEF"] = plain("taskdef-" + t.Environment + ".json")
	v["SERVICE_UPDATE"] = plain(serviceUpdateJSON(t, partition))
	return v
}

// serviceUpdateJSON is what the release sets on an existing service besides its task
// definition: ECS's engine with the environment's strategy, bake, alarms and hook, and the
// alternate target group, rules and role of its load balancer. The first release is what moves
// a rolling service onto ECS's engine, in place.
func serviceUpdateJSON(t *PipelineTargetOptions, partition string) string {
	role := func(name string) string { return arn(partition, "iam", "", t.Account, "role/"+name) }
	hook, hookRole := "", ""
	if !t.NoTestTraffic {
		hook = arn(partition, "lambda", t.Region, t.Account, "function:"+testTrafficFunctionName(t.Name))
		hookRole = role(hookRoleName(t.Name))
	}
	alarms := rollbackAlarmNames(t.Name)
	d := DeploymentOptions{Strategy: t.Strategy, BakeMinutes: t.BakeMinutes}
	e := t.Existing
	update := map[string]any{
		"deploymentConfiguration": ecsDeploymentConfiguration(&d, alarms[:], hook, hookRole),
		"loadBalancers": []any{map[string]any{
			"targetGroupArn": e.TargetGroupARNs[0], "containerName": containerName, "containerPort": t.Service.ContainerPort,
			"advancedConfiguration": map[string]any{
				"alternateTargetGroupArn": e.TargetGroupARNs[1],
				"productionListenerRule":  e.ListenerRuleARN,
				"testListenerRule":        e.TestListenerRuleARN,
				"roleArn":                 role(shiftRoleName(t.Name)),
			},
		}},
	}
	out, _ := json.Marshal(update)
	return string(out)
}
