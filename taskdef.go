package ecsdelivery

import (
	"bytes"
	"encoding/json"
	"fmt"
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
}

// taskDefinitionJSON renders the taskdef.json the build hands CodeDeploy for one target: the
// same family, roles and log group the environment stack created, found by their physical
// names (the environment may be in another account), and the image left as <IMAGE1_NAME>.
// partition and the target's account and region may be CloudFormation tokens.
func taskDefinitionJSON(t *PipelineTargetOptions, partition string) string {
	s := t.Service
	env := make([]map[string]string, 0, len(s.Environment))
	for _, k := range slices.Sorted(maps.Keys(s.Environment)) {
		env = append(env, map[string]string{"name": k, "value": s.Environment[k]})
	}
	secrets := make([]map[string]string, 0, len(s.Secrets))
	for _, k := range slices.Sorted(maps.Keys(s.Secrets)) {
		param := strings.TrimPrefix(s.Secrets[k], "/")
		secrets = append(secrets, map[string]string{"name": k,
			"valueFrom": fmt.Sprintf("arn:%s:ssm:%s:%s:parameter/%s", partition, t.Region, t.Account, param)})
	}
	arch := "X86_64"
	if s.Architecture == "arm64" {
		arch = "ARM64"
	}
	role := func(name string) string { return fmt.Sprintf("arn:%s:iam::%s:role/%s", partition, t.Account, name) }
	doc := map[string]any{
		"family":                  t.Name,
		"executionRoleArn":        role(executionRoleName(t.Name)),
		"taskRoleArn":             role(taskRoleName(t.Name)),
		"networkMode":             "awsvpc",
		"requiresCompatibilities": []string{"FARGATE"},
		"cpu":                     strconv.Itoa(s.CPU),
		"memory":                  strconv.Itoa(s.MemoryMiB),
		"runtimePlatform":         map[string]string{"cpuArchitecture": arch, "operatingSystemFamily": "LINUX"},
		"containerDefinitions": []map[string]any{{
			"name":         containerName,
			"image":        "<IMAGE1_NAME>",
			"essential":    true,
			"memory":       s.MemoryMiB,
			"portMappings": []map[string]any{{"containerPort": s.ContainerPort, "protocol": "tcp"}},
			"environment":  env,
			"secrets":      secrets,
			"logConfiguration": map[string]any{"logDriver": "awslogs", "options": map[string]string{
				"awslogs-group": logGroupName(t.Name), "awslogs-region": t.Region, "awslogs-stream-prefix": "app",
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
