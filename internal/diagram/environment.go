package diagram

import (
	"encoding/json"
	"path"
	"strconv"
	"strings"
)

// deployment is what the template says about one deploy stage's deploy action.
type deployment struct {
	action *Action
	config any
	pr     project
}

// environment models the environment of a Deploy-<name> stage: the deploy action's role and
// region, then what the environment's own stack adds when the assembly holds it.
func (t *template) environment(name string, raw any, s *Stage, p *Pipeline, others []*template) *Environment {
	e := &Environment{Name: name, Region: p.Env.Region}
	d := t.deployment(raw, s)
	if d.action != nil {
		e.DeployRole = d.action.Role
		if r := t.render(d.pr.vars["ENV_REGION"]); r != "" {
			e.Region = r
		}
		if d.action.Region != "" {
			e.Region = d.action.Region
		}
	}
	switch account := roleAccount(e.DeployRole); {
	case account == pipelineAccount:
		e.InPipelineAccount = true
	case account != "":
		e.Account = account
		e.InPipelineAccount = account == p.Env.Account
	}
	hook := t.hookName(name, d)
	stack := findStack(others, t.stackCandidates(name, p, d, hook))
	if stack != nil {
		e.Stack = stack.stack
		if stack.env.Account != "" {
			e.Account = stack.env.Account
		}
		if stack.env.Region != "" {
			e.Region = stack.env.Region
		}
	}
	e.Shift, e.Gates = t.shift(d, stack, others)
	if g := testTraffic(hook, stack, others); g != nil {
		e.Gates = append([]Gate{*g}, e.Gates...)
	}
	return e
}

// deployment finds the stage's deploy action: a Deploy action, else the last action that runs
// as or assumes a role.
func (t *template) deployment(raw any, s *Stage) deployment {
	index := -1
	for i, a := range s.Actions {
		if a.Category == "Deploy" || (a.Role != "" && (index < 0 || s.Actions[index].Category != "Deploy")) {
			index = i
		}
	}
	if index < 0 {
		return deployment{}
	}
	d := deployment{action: &s.Actions[index]}
	for _, a := range list(get(raw, "Actions")) {
		if str(get(a, "Name")) == d.action.Name {
			d.config = get(a, "Configuration")
		}
	}
	if d.action.Provider == "CodeBuild" {
		d.pr = t.project(get(d.config, "ProjectName"))
	}
	return d
}

// hook is an environment's test-traffic function as the pipeline template wires it.
type hook struct {
	function string // the function's name, or "" when the template does not name one
	via      string // how it is called
}

// hookName finds the hook: in the lifecycle hooks of the ECS deployment configuration the
// release passes (an imported service on ECS's engine), or for a CodeDeploy deployment the
// build's HOOK_<i> for the i-th of DEPLOY_ENVIRONMENTS (the appspec's AfterAllowTestTraffic).
// A service the environment's stack creates names its hook there (see testTraffic).
func (t *template) hookName(env string, d deployment) hook {
	if update := str(d.pr.vars["SERVICE_UPDATE"]); update != "" {
		var u any
		if json.Unmarshal([]byte(update), &u) == nil {
			for _, h := range list(get(u, "deploymentConfiguration", "lifecycleHooks")) {
				arn := str(get(h, "hookTargetArn"))
				if i := strings.LastIndex(arn, ":function:"); i >= 0 {
					return hook{function: arn[i+len(":function:"):], via: ecsHookVia(get(h, "lifecycleStages"))}
				}
			}
		}
	}
	if d.action == nil || !strings.HasPrefix(d.action.Provider, "CodeDeploy") {
		return hook{}
	}
	build, ok := t.projectByVariable("DEPLOY_ENVIRONMENTS")
	if !ok {
		return hook{}
	}
	for i, name := range strings.Fields(t.render(build.vars["DEPLOY_ENVIRONMENTS"])) {
		if name == env {
			if f := t.render(build.vars["HOOK_"+strconv.Itoa(i)]); f != "" {
				return hook{function: f, via: "CodeDeploy AfterAllowTestTraffic"}
			}
		}
	}
	return hook{}
}

// ecsHookVia names an ECS lifecycle hook by its stages.
func ecsHookVia(stages any) string {
	var names []string
	for _, s := range list(stages) {
		names = append(names, str(s))
	}
	return strings.TrimSpace("ECS " + strings.Join(names, ", "))
}

// stackCandidates are the names the environment's stack may have: <app>-<env>[-suffix] beside
// the pipeline stack <app>-pipeline[-suffix], the CodeDeploy application, the release's stack,
// and the deploy role and hook function named after the stack.
func (t *template) stackCandidates(env string, p *Pipeline, d deployment, h hook) []string {
	var names []string
	if i := strings.LastIndex(p.Stack, "-pipeline"); i > 0 {
		names = append(names, p.Stack[:i]+"-"+env+p.Stack[i+len("-pipeline"):])
	}
	names = append(names,
		t.name(get(d.config, "ApplicationName")),
		t.name(get(d.config, "DeploymentGroupName")),
		t.render(d.pr.vars["STACK_NAME"]))
	if d.action != nil {
		if n, ok := strings.CutSuffix(path.Base(roleName(d.action.Role)), "-deploy"); ok {
			names = append(names, n)
		}
	}
	if n, ok := strings.CutSuffix(h.function, "-test-hook"); ok {
		names = append(names, n)
	}
	return names
}

// findStack is the first stack named by one of the candidates.
func findStack(stacks []*template, candidates []string) *template {
	for _, c := range candidates {
		for _, s := range stacks {
			if c != "" && s.stack == c {
				return s
			}
		}
	}
	return nil
}
