package diagram

import (
	"fmt"
	"sort"
	"strings"
)

// FromTemplate models the one pipeline of a pipeline stack's template. stackEnv is where that
// stack deploys (its account resolves {"Ref": "AWS::AccountId"}); others are the assembly's
// other stacks, where the environments' own stacks are found (their account and region, the
// test-traffic check, the traffic shift). Stacks whose templates are not JSON are an error.
func FromTemplate(template []byte, stackEnv Env, others ...Stack) (*Pipeline, error) {
	rest, err := parseAll(others)
	if err != nil {
		return nil, err
	}
	t, err := parseTemplate(Stack{Env: stackEnv, Template: template})
	if err != nil {
		return nil, err
	}
	ps, err := t.pipelines(rest)
	switch {
	case err != nil:
		return nil, err
	case len(ps) == 0:
		return nil, fmt.Errorf("the template holds no AWS::CodePipeline::Pipeline")
	case len(ps) > 1:
		return nil, fmt.Errorf("the template holds %d pipelines; FromTemplate models one (Load models them all)", len(ps))
	}
	return ps[0], nil
}

// parseAll parses the templates of stacks.
func parseAll(stacks []Stack) ([]*template, error) {
	ts := make([]*template, 0, len(stacks))
	for _, s := range stacks {
		t, err := parseTemplate(s)
		if err != nil {
			return nil, err
		}
		ts = append(ts, t)
	}
	return ts, nil
}

// pipelines models every pipeline of the template, in logical-ID order.
func (t *template) pipelines(others []*template) ([]*Pipeline, error) {
	var ps []*Pipeline
	for _, id := range t.ofType("AWS::CodePipeline::Pipeline") {
		p, err := t.pipeline(id, others)
		if err != nil {
			return nil, err
		}
		ps = append(ps, p)
	}
	return ps, nil
}

// pipeline models the pipeline resource id.
func (t *template) pipeline(id string, others []*template) (*Pipeline, error) {
	props := t.props(id)
	p := &Pipeline{Name: t.render(get(props, "Name")), Stack: t.stack, Env: t.env}
	if p.Name == "" {
		p.Name = id
	}
	stages, _ := get(props, "Stages").([]any)
	if len(stages) == 0 {
		return nil, fmt.Errorf("pipeline %s of %s has no stages", id, stackLabel(t.stack))
	}
	for i, raw := range stages {
		s := t.stage(raw, i)
		if p.Source == "" && len(s.Actions) > 0 && s.Actions[0].Category == "Source" {
			p.Source = s.Actions[0].Target
		}
		if env, ok := strings.CutPrefix(s.Name, "Deploy-"); ok && env != "" {
			s.Environment = t.environment(env, raw, &s, p, others)
		}
		p.Stages = append(p.Stages, s)
	}
	return p, nil
}

// stage models one entry of the pipeline's Stages.
func (t *template) stage(v any, index int) Stage {
	s := Stage{Name: str(get(v, "Name"))}
	if s.Name == "" {
		s.Name = fmt.Sprintf("stage %d", index+1)
	}
	for _, a := range list(get(v, "Actions")) {
		s.Actions = append(s.Actions, t.action(a, s.Name))
	}
	sort.SliceStable(s.Actions, func(i, j int) bool { return s.Actions[i].RunOrder < s.Actions[j].RunOrder })
	s.Entry = t.conditions(get(v, "BeforeEntry"))
	s.Success = t.conditions(get(v, "OnSuccess"))
	s.Failure = failure(get(v, "OnFailure"))
	return s
}

// action models one action; its gate is recognised here.
func (t *template) action(v any, stage string) Action {
	a := Action{
		Name:     str(get(v, "Name")),
		Category: str(get(v, "ActionTypeId", "Category")),
		Provider: str(get(v, "ActionTypeId", "Provider")),
		Region:   str(get(v, "Region")),
		RunOrder: 1,
	}
	if n, ok := number(get(v, "RunOrder")); ok {
		a.RunOrder = n
	}
	if a.Name == "" {
		a.Name = "(unnamed action)"
	}
	if r := get(v, "RoleArn"); r != nil {
		a.Role = t.render(r)
	}
	config := get(v, "Configuration")
	var description string
	switch a.Provider {
	case "CodeBuild":
		pr := t.project(get(config, "ProjectName"))
		a.Target, description = pr.name, pr.description
		if a.Role == "" && pr.assumes != "" {
			a.Role, a.Assumed = pr.assumes, true
		}
	default:
		a.Target = t.target(a.Provider, config)
	}
	a.Gate = actionGate(&a, stage, description)
	return a
}

// target is what a non-CodeBuild action runs or reads.
func (t *template) target(provider string, config any) string {
	c := func(key string) string { return t.name(get(config, key)) }
	switch provider {
	case "CodeStarSourceConnection":
		return branch(c("FullRepositoryId"), c("BranchName"))
	case "GitHub":
		return branch(c("Owner")+"/"+c("Repo"), c("Branch"))
	case "CodeCommit":
		return branch(c("RepositoryName"), c("BranchName"))
	case "S3":
		return c("S3Bucket") + "/" + c("S3ObjectKey")
	case "ECR":
		return c("RepositoryName")
	case "Lambda":
		return c("FunctionName")
	case "CodeDeployToECS", "CodeDeploy":
		return c("DeploymentGroupName")
	case "ECS":
		return c("ServiceName")
	case "Manual":
		return c("NotificationArn")
	case "CloudFormation":
		return c("StackName")
	}
	return ""
}

// branch is repository@branch, or the repository alone.
func branch(repo, b string) string {
	if b == "" {
		return repo
	}
	return repo + "@" + b
}

// conditions models a stage's BeforeEntry or OnSuccess: a window, a bake, or another rule.
func (t *template) conditions(v any) []Gate {
	var gates []Gate
	for _, c := range list(get(v, "Conditions")) {
		result := str(get(c, "Result"))
		var alarms []string
		wait := ""
		for _, r := range list(get(c, "Rules")) {
			config := get(r, "Configuration")
			switch provider := str(get(r, "RuleTypeId", "Provider")); provider {
			case "DeploymentWindow":
				detail := t.render(get(config, "Cron"))
				if tz := t.render(get(config, "TimeZone")); tz != "" {
					detail += ", " + tz
				}
				gates = append(gates, Gate{Kind: Window, Detail: detail})
			case "CloudWatchAlarm":
				alarms = append(alarms, t.name(get(config, "AlarmName")))
				if w := t.render(get(config, "WaitTime")); w != "" {
					wait = w
				}
			default:
				gates = append(gates, Gate{Kind: Condition, Detail: strings.TrimSpace(provider + " rule " + str(get(r, "Name")) + ", " + strings.ToLower(result))})
			}
		}
		if len(alarms) > 0 {
			gates = append(gates, Gate{Kind: Bake, Detail: bakeDetail(wait, len(alarms), result), Items: alarms})
		}
	}
	return gates
}

// bakeDetail is "20 min, 4 alarms, then roll back".
func bakeDetail(wait string, alarms int, result string) string {
	d := fmt.Sprintf("%d alarm", alarms)
	if alarms != 1 {
		d += "s"
	}
	if wait != "" {
		d = wait + " min, " + d
	}
	if result != "" {
		d += "; " + strings.ToLower(result) + " on alarm"
	}
	return d
}

// failure models a stage's OnFailure.
func failure(v any) *Gate {
	switch result := str(get(v, "Result")); result {
	case "", "FAIL":
		return nil
	case "RETRY":
		mode := strings.ToLower(strings.ReplaceAll(str(get(v, "RetryConfiguration", "RetryMode")), "_", " "))
		if mode == "" {
			mode = "failed actions"
		}
		return &Gate{Kind: Retry, Detail: "retries its " + mode}
	case "ROLLBACK":
		return &Gate{Kind: Rollback, Detail: "rolls back on failure"}
	default:
		return &Gate{Kind: Condition, Detail: "on failure: " + strings.ToLower(result)}
	}
}
