package diagram

import (
	"fmt"
	"strings"
)

// Pipeline is one CodePipeline as its stack's template describes it.
type Pipeline struct {
	// Name is the pipeline's Name property, or its logical ID when it has none.
	Name string
	// Stack is the name of the stack that holds it; empty when modelled from a bare template.
	Stack string
	// Env is where the pipeline stack deploys.
	Env Env
	// Source is the repository and branch the source action reads, when the template names them.
	Source string
	Stages []Stage
}

// Stage is one stage of a pipeline, with its conditions.
type Stage struct {
	Name string
	// Actions in run order; actions with the same RunOrder run in parallel.
	Actions []Action
	// Entry holds the gates checked before the stage starts (the deployment window).
	Entry []Gate
	// Success holds the gates checked after its actions succeed (the bake).
	Success []Gate
	// Failure is what a failed stage does (retry or roll back); nil when it just fails.
	Failure *Gate
	// Environment is the environment a Deploy-<name> stage deploys to; nil for other stages.
	Environment *Environment
}

// Action is one action of a stage.
type Action struct {
	Name string
	// Category and Provider are the action's ActionTypeId (Build and CodeBuild, say).
	Category, Provider string
	RunOrder           int
	// Region is set on a cross-region action; empty means the pipeline's region.
	Region string
	// Target is what the action runs: a CodeBuild project, a function, a CodeDeploy group, the
	// repository of a source action, the topic an approval notifies.
	Target string
	// Role is the ARN of the role the action runs as (its RoleArn) or that its project assumes
	// (a deploy by CodeBuild); empty when it runs as the pipeline's role.
	Role string
	// Assumed says Role is one the action's project assumes, not the one it runs as.
	Assumed bool
	// Gate is set when the action can stop a release by itself (tests, scan, approval,
	// signature check).
	Gate *Gate
}

// Environment is what a Deploy-<name> stage deploys to.
type Environment struct {
	Name string
	// Account is the 12-digit account, or empty when the assembly does not say (an
	// environment-agnostic synthesis); AccountLabel renders it.
	Account string
	// InPipelineAccount is set when the deploy role is named in the pipeline stack's own
	// account ({"Ref": "AWS::AccountId"}).
	InPipelineAccount bool
	Region            string
	// DeployRole is the ARN of the role the deployment runs as or assumes.
	DeployRole string
	// Stack is the environment's own stack when the assembly holds it.
	Stack string
	// Shift is how traffic moves to the new tasks, from the environment's stack
	// (CodeDeploy's deployment configuration or ECS's strategy); empty when unknown.
	Shift string
	// Gates are the environment's own checks: the test-traffic check, alarm rollback and
	// ECS's bake, each only when a template in the assembly holds it.
	Gates []Gate
}

// AccountLabel is the environment's account as a reader wants it: the account id, or "pipeline
// account" when it is the pipeline's unnamed account, or "unknown account".
func (e *Environment) AccountLabel() string {
	switch {
	case e.Account != "":
		return e.Account
	case e.InPipelineAccount:
		return "pipeline account"
	default:
		return "unknown account"
	}
}

// DeployRoleName is the deploy role's name with its path, from its ARN; the ARN itself when
// it is not a role ARN.
func (e *Environment) DeployRoleName() string { return roleName(e.DeployRole) }

// Env is the account and region a stack deploys into. Account is empty when the assembly says
// "unknown-account" (an environment-agnostic stack); Region likewise.
type Env struct {
	Account, Region string
}

// ParseEnv reads a cloud assembly environment, "aws://ACCOUNT/REGION".
func ParseEnv(s string) (Env, error) {
	rest, ok := strings.CutPrefix(s, "aws://")
	account, region, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 || strings.Contains(region, "/") {
		return Env{}, fmt.Errorf("environment %q is not aws://ACCOUNT/REGION", s)
	}
	if account == "unknown-account" {
		account = ""
	}
	if region == "unknown-region" {
		region = ""
	}
	return Env{Account: account, Region: region}, nil
}

// AccountLabel is the account id, or "pipeline account" when the assembly does not name it.
func (e Env) AccountLabel() string {
	if e.Account == "" {
		return "pipeline account"
	}
	return e.Account
}

// Stack is one stack of a cloud assembly.
type Stack struct {
	Name     string
	Env      Env
	Template []byte
}

// Title is the pipeline's heading: its name, stack, account and region.
func (p *Pipeline) Title() string {
	t := "pipeline " + p.Name
	var where []string
	if p.Stack != "" {
		where = append(where, "stack "+p.Stack)
	}
	where = append(where, p.Env.AccountLabel())
	if p.Env.Region != "" {
		where = append(where, p.Env.Region)
	}
	return t + " (" + strings.Join(where, ", ") + ")"
}

// Environments are the environments of the pipeline's deploy stages, in order.
func (p *Pipeline) Environments() []*Environment {
	var envs []*Environment
	for i := range p.Stages {
		if e := p.Stages[i].Environment; e != nil {
			envs = append(envs, e)
		}
	}
	return envs
}

// RunGroups are the stage's actions grouped by run order: each group runs in parallel, the
// groups one after the other.
func (s *Stage) RunGroups() [][]Action {
	var groups [][]Action
	for i, a := range s.Actions {
		if i == 0 || a.RunOrder != s.Actions[i-1].RunOrder {
			groups = append(groups, nil)
		}
		groups[len(groups)-1] = append(groups[len(groups)-1], a)
	}
	return groups
}

// roleName is the name (with its path) of an IAM role ARN, or the string itself when it is not
// one.
func roleName(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) == 6 && parts[0] == "arn" && parts[2] == "iam" {
		if name, ok := strings.CutPrefix(parts[5], "role/"); ok && name != "" {
			return name
		}
	}
	return arn
}

// roleAccount is the account of an IAM role ARN, or empty.
func roleAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) == 6 && parts[0] == "arn" && parts[2] == "iam" {
		return parts[4]
	}
	return ""
}
