package diagram

import (
	"encoding/json"
	"fmt"
	"strings"
)

// shift reads how an environment's deployment moves traffic and what rolls it back: the
// CodeDeploy deployment group the action names, or the ECS deployment configuration the release
// passes (an imported service) or the environment's stack gives its service.
func (t *template) shift(d deployment, stack *template, others []*template) (string, []Gate) {
	switch {
	case d.action == nil:
		return "", nil
	case d.action.Provider == "CodeDeployToECS":
		group := t.name(get(d.config, "DeploymentGroupName"))
		owner, id := findResource(stack, others, "AWS::CodeDeploy::DeploymentGroup", "DeploymentGroupName", group)
		if owner == nil {
			return "CodeDeploy blue/green", nil
		}
		return owner.codeDeployShift(owner.props(id))
	case d.pr.vars["SERVICE_UPDATE"] != nil:
		var u any
		if json.Unmarshal([]byte(t.render(d.pr.vars["SERVICE_UPDATE"])), &u) != nil {
			return "", nil
		}
		return t.ecsShift(get(u, "deploymentConfiguration"))
	case stack != nil:
		if id := stack.service(t.render(d.pr.vars["SERVICE"])); id != "" {
			return stack.ecsShift(get(stack.props(id), "DeploymentConfiguration"))
		}
	}
	return "", nil
}

// findResource finds a resource of a type whose name property is value: in the stack first,
// then in the others.
func findResource(stack *template, others []*template, typ, prop, value string) (*template, string) {
	if value == "" {
		return nil, ""
	}
	for _, s := range append([]*template{stack}, others...) {
		if s == nil {
			continue
		}
		for _, id := range s.ofType(typ) {
			if s.render(get(s.props(id), prop)) == value {
				return s, id
			}
		}
	}
	return nil, ""
}

// codeDeployShift reads a CodeDeploy deployment group.
func (t *template) codeDeployShift(g any) (string, []Gate) {
	shift := "CodeDeploy blue/green"
	if c := t.render(get(g, "DeploymentConfigName")); c != "" {
		c = strings.TrimPrefix(strings.TrimPrefix(c, "CodeDeployDefault."), "ECS")
		shift += ", " + c
	}
	if w := t.render(get(g, "BlueGreenDeploymentConfiguration", "TerminateBlueInstancesOnDeploymentSuccess", "TerminationWaitTimeInMinutes")); w != "" {
		shift += ", old tasks kept " + w + " min"
	}
	var gates []Gate
	onAlarm := false
	for _, e := range list(get(g, "AutoRollbackConfiguration", "Events")) {
		onAlarm = onAlarm || str(e) == "DEPLOYMENT_STOP_ON_ALARM"
	}
	if get(g, "AutoRollbackConfiguration", "Enabled") == true && onAlarm && get(g, "AlarmConfiguration", "Enabled") == true {
		var alarms []string
		for _, a := range list(get(g, "AlarmConfiguration", "Alarms")) {
			alarms = append(alarms, t.name(get(a, "Name")))
		}
		gates = append(gates, Gate{Kind: AlarmRollback, Detail: count(len(alarms), "alarm") + ", by CodeDeploy", Items: alarms})
	}
	return shift, gates
}

// service is the ECS service of the template named name, or else its one service deployed by
// ECS's blue/green, canary or linear strategy; "" when there is none.
func (t *template) service(name string) string {
	var deployed []string
	for _, id := range t.ofType("AWS::ECS::Service") {
		if name != "" && t.render(get(t.props(id), "ServiceName")) == name {
			return id
		}
		if get(t.props(id), "DeploymentConfiguration", "Strategy") != nil {
			deployed = append(deployed, id)
		}
	}
	if len(deployed) == 1 {
		return deployed[0]
	}
	return ""
}

// ecsShift reads an ECS deployment configuration, as a template's (PascalCase) or as ECS's API
// takes it (camelCase).
func (t *template) ecsShift(c any) (string, []Gate) {
	var shift string
	switch strategy := str(get(c, "Strategy")); strategy {
	case "":
		return "", nil
	case "BLUE_GREEN":
		shift = "ECS blue/green"
	case "CANARY":
		shift = fmt.Sprintf("ECS canary %s%% for %s min",
			t.render(get(c, "CanaryConfiguration", "CanaryPercent")), t.render(get(c, "CanaryConfiguration", "CanaryBakeTimeInMinutes")))
	case "LINEAR":
		shift = fmt.Sprintf("ECS linear %s%% every %s min",
			t.render(get(c, "LinearConfiguration", "StepPercent")), t.render(get(c, "LinearConfiguration", "StepBakeTimeInMinutes")))
	default:
		shift = "ECS " + strings.ToLower(strings.ReplaceAll(strategy, "_", " "))
	}
	var gates []Gate
	if get(c, "Alarms", "Enable") == true && get(c, "Alarms", "Rollback") == true {
		var alarms []string
		for _, a := range list(get(c, "Alarms", "AlarmNames")) {
			alarms = append(alarms, t.name(a))
		}
		gates = append(gates, Gate{Kind: AlarmRollback, Detail: count(len(alarms), "alarm") + ", by ECS", Items: alarms})
	}
	if b, ok := number(get(c, "BakeTimeInMinutes")); ok && b > 0 {
		gates = append(gates, Gate{Kind: Bake, Detail: fmt.Sprintf("%d min, by ECS: old tasks kept, an alarm rolls back", b)})
	}
	return shift, gates
}

// testTraffic is the test-traffic check of an environment, when a stack of the assembly holds
// its function: the one the pipeline names (hook), else the one the environment's ECS service
// calls as a lifecycle hook.
func testTraffic(h hook, stack *template, others []*template) *Gate {
	owner, id := findResource(stack, others, "AWS::Lambda::Function", "FunctionName", h.function)
	if owner == nil && stack != nil {
		owner = stack
		id, h.via = stack.lifecycleHook()
	}
	if id == "" {
		return nil
	}
	vars := get(owner.props(id), "Environment", "Variables")
	var paths []string
	_ = json.Unmarshal([]byte(owner.render(get(vars, "PATHS"))), &paths)
	detail := "function " + owner.name(map[string]any{"Ref": id})
	if len(paths) > 0 {
		detail = strings.Join(paths, ", ")
		if n := owner.render(get(vars, "REQUESTS")); n != "" {
			detail += " ×" + n
		}
		if status := owner.render(get(vars, "EXPECT_STATUS")); status != "" {
			detail += " → " + status
		}
		if ms := owner.render(get(vars, "MAX_LATENCY_MS")); ms != "" {
			detail += " within " + ms + " ms"
		}
	}
	if h.via != "" {
		detail += " (" + h.via + ")"
	}
	return &Gate{Kind: TestTraffic, Detail: detail, Items: paths}
}

// lifecycleHook is the function an ECS service of the template calls as a lifecycle hook, and
// how; "" when none.
func (t *template) lifecycleHook() (id, via string) {
	for _, s := range t.ofType("AWS::ECS::Service") {
		for _, h := range list(get(t.props(s), "DeploymentConfiguration", "LifecycleHooks")) {
			if f := refID(get(h, "HookTargetArn")); t.typeOf(f) == "AWS::Lambda::Function" {
				return f, ecsHookVia(get(h, "LifecycleStages"))
			}
		}
	}
	return "", ""
}

// count is "1 alarm", "4 alarms".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
