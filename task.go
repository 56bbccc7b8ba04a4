package ecsdelivery

import (
	"maps"
	"slices"
	"strings"
)

// appTask is the one description of the application's task: the environment's task definition
// (CDK, in the environment stack) and the pipeline's taskdef.json (JSON that CodeDeploy
// registers) are both rendered from it, so what a release registers is what the stack created.
type appTask struct {
	family                  string // also the physical-name prefix of the roles and log group
	executionRole, taskRole string // role names
	cpu, memory             int
	cpuArchitecture         string // as ECS names it: X86_64 or ARM64
	container               string
	port                    int
	environment             map[string]string
	secrets                 map[string]string // variable → Parameter Store name
	logGroup, logPrefix     string
}

// describeTask describes the task of the environment named name (its physical-name prefix).
func describeTask(name string, s *ServiceOptions) appTask {
	arch := "X86_64"
	if s.Architecture == "arm64" {
		arch = "ARM64"
	}
	return appTask{
		family: name, executionRole: executionRoleName(name), taskRole: taskRoleName(name),
		cpu: s.CPU, memory: s.MemoryMiB, cpuArchitecture: arch,
		container: containerName, port: s.ContainerPort,
		environment: s.Environment, secrets: s.Secrets,
		logGroup: logGroupName(name), logPrefix: "app",
	}
}

// secretNames are the secrets' variables, sorted, as both renderings list them.
func (t *appTask) secretNames() []string { return slices.Sorted(maps.Keys(t.secrets)) }

// parameterPath is a secret's parameter name as it appears after "parameter" in its ARN.
func (t *appTask) parameterPath(variable string) string {
	return "/" + strings.TrimPrefix(t.secrets[variable], "/")
}
