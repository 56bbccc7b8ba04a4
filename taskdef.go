package ecsdelivery

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// PipelineTargetOptions is one environment as the pipeline deploys to it.
type PipelineTargetOptions struct {
	// Environment is the environment's name, such as staging. Required.
	Environment string
	// Name is the environment's physical-name prefix (see EnvironmentProps.Name). Required.
	Name string
	// Account and Region of the environment. Default: the pipeline's.
	Account, Region string
	// Approval puts a manual approval before the deployment.
	Approval bool
	// ClusterName of the environment's cluster. Default: Name (the cluster the environment creates).
	ClusterName string
	// DeployRoleARN the pipeline assumes there. Default: the role the environment creates.
	DeployRoleARN string
	// Service is the application as it runs there; zero fields take ServiceOptions' defaults.
	Service ServiceOptions
	// NoTestTraffic leaves the test-traffic hook out of the appspec; set it when the environment's
	// DeploymentOptions.TestTraffic.Disabled is. Default: the appspec names the environment's check.
	NoTestTraffic bool
	// Window lets releases into the environment only at the times it names. Default: any time.
	Window *DeploymentWindowOptions
	// BakeMinutes after the deployment the stage watches the environment's rollback alarms and
	// rolls back if one fires, 0 to 60. Default: 0, no bake. On ECS's engine it is ECS's bake
	// time (DeploymentOptions.BakeMinutes, 0 to 1440), which the release step waits through.
	BakeMinutes int
	// Engine of the environment (DeploymentOptions.Engine). Default: codedeploy.
	Engine string
	// Strategy of the environment (DeploymentOptions.Strategy): on ECS's engine it sizes how long
	// the release step waits. Default: AllAtOnce.
	Strategy string
	// StackName of the environment's stack: on ECS's engine the pipeline releases a service the
	// stack created by updating the stack's image parameter. Required then.
	StackName string
	// Existing is the environment's existing service (EnvironmentProps.Existing): on ECS's engine
	// the pipeline updates it directly. Default: the environment created the service.
	Existing *ExistingServiceOptions
}

// DeploymentWindowOptions is when releases may enter an environment (CodePipeline's
// DeploymentWindow rule).
type DeploymentWindowOptions struct {
	// Cron has 6 or 7 fields: seconds minutes hours day-of-month month day-of-week [year], one of
	// the day fields '?', such as "0 0 9-17 ? * MON-FRI". Required.
	Cron string
	// Timezone is an IANA zone, or UTC with an offset such as UTC+05:30. Default: UTC.
	Timezone string
}

// taskDefinitionJSON renders the taskdef.json the build hands CodeDeploy for one target from the
// task's description: the same family, roles and log group the environment stack created, found
// by their physical names (the environment may be in another account), and the image left as
// <IMAGE1_NAME>. partition and the target's account and region may be CloudFormation tokens.
func taskDefinitionJSON(t *PipelineTargetOptions, partition string) string {
	task := describeTask(t.Name, &t.Service)
	env := make([]map[string]string, 0, len(task.environment))
	for _, k := range slices.Sorted(maps.Keys(task.environment)) {
		env = append(env, map[string]string{"name": k, "value": task.environment[k]})
	}
	secrets := make([]map[string]string, 0, len(task.secrets))
	for _, k := range task.secretNames() {
		secrets = append(secrets, map[string]string{"name": k,
			"valueFrom": arn(partition, "ssm", t.Region, t.Account, "parameter"+task.parameterPath(k))})
	}
	role := func(name string) string { return arn(partition, "iam", "", t.Account, "role/"+name) }
	doc := map[string]any{
		"family":                  task.family,
		"executionRoleArn":        role(task.executionRole),
		"taskRoleArn":             role(task.taskRole),
		"networkMode":             "awsvpc",
		"requiresCompatibilities": []string{"FARGATE"},
		"cpu":                     strconv.Itoa(task.cpu),
		"memory":                  strconv.Itoa(task.memory),
		"runtimePlatform":         map[string]string{"cpuArchitecture": task.cpuArchitecture, "operatingSystemFamily": "LINUX"},
		"containerDefinitions": []map[string]any{{
			"name":         task.container,
			"image":        "<IMAGE1_NAME>",
			"essential":    true,
			"memory":       task.memory,
			"portMappings": []map[string]any{{"containerPort": task.port, "protocol": "tcp"}},
			"environment":  env,
			"secrets":      secrets,
			"logConfiguration": map[string]any{"logDriver": "awslogs", "options": map[string]string{
				"awslogs-group": task.logGroup, "awslogs-region": t.Region, "awslogs-stream-prefix": task.logPrefix,
			}},
		}},
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep <IMAGE1_NAME> as CodeDeploy looks for it
	if err := enc.Encode(doc); err != nil {
		panic(err) // only maps of strings and numbers: cannot fail
	}
	return strings.TrimSpace(buf.String())
}
