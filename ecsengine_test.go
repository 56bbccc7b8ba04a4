package ecsdelivery

import (
	"encoding/json"
	"strings"
	"testing"
)

// Each engine is given what it can express, and the library says which field is wrong.
func TestEnginePropsAreChecked(t *testing.T) {
	five := 5
	rules := &ExistingServiceOptions{ServiceName: "s", ListenerRuleARN: "r1", TestListenerRuleARN: "r2"}
	listeners := &ExistingServiceOptions{ServiceName: "s", ListenerARN: "l1", TestListenerARN: "l2"}
	deployment := func(d DeploymentOptions, existing *ExistingServiceOptions) error {
		return engineDefaults(&d, existing)
	}
	pipeline := withTarget
	for _, c := range []struct {
		name string
		err  error
		want string
	}{
		{"unknown engine", deployment(DeploymentOptions{Engine: "lambda"}, nil), `Deployment.Engine "lambda" is not an engine`},
		{"custom canary on CodeDeploy", deployment(DeploymentOptions{Strategy: "Canary20Percent5Minutes"}, nil), "engine: ecs"},
		{"ECS bake on CodeDeploy", deployment(DeploymentOptions{BakeMinutes: 5}, nil), "PipelineTargetOptions.BakeMinutes"},
		{"rules on CodeDeploy", deployment(DeploymentOptions{}, rules), "ListenerRuleARN and TestListenerRuleARN are for the ECS engine"},
		{"linear step ECS cannot take", deployment(DeploymentOptions{Engine: "ecs", Strategy: "Linear2PercentEvery1Minute"}, nil), "smallest step is 3 percent"},
		{"termination wait on ECS", deployment(DeploymentOptions{Engine: "ecs", TerminationWaitMinutes: &five}, nil), "TerminationWaitMinutes is CodeDeploy's"},
		{"bake over CloudFormation's limit", deployment(DeploymentOptions{Engine: "ecs", BakeMinutes: 1441}, nil), "BakeMinutes 1441 must be 0 to 1440"},
		{"longer than the step waits", deployment(DeploymentOptions{Engine: "ecs", Strategy: "Linear10PercentEvery40Minutes", BakeMinutes: 100}, nil), "longer than the 480 minutes"},
		{"listeners on ECS", deployment(DeploymentOptions{Engine: "ecs"}, listeners), "names ListenerRuleARN and TestListenerRuleARN"},
		{"pipeline: engine", pipeline(func(t *PipelineTargetOptions) { t.Engine = "lambda" }), `Targets[production].Engine "lambda" is not an engine`},
		{"pipeline: stack", pipeline(func(t *PipelineTargetOptions) { t.Engine = "ecs" }), "Targets[production].StackName is required"},
		{"pipeline: ECS bake", pipeline(func(t *PipelineTargetOptions) { t.Engine, t.StackName, t.BakeMinutes = "ecs", "s", 1500 }), "Targets[production]: Deployment.BakeMinutes 1500"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
				t.Errorf("got %v; want an error containing %s", c.err, c.want)
			}
		})
	}
	for _, ok := range []error{
		deployment(DeploymentOptions{Engine: "ecs", Strategy: "Canary25Percent10Minutes", BakeMinutes: 480 - 30 - 10}, nil),
		deployment(DeploymentOptions{Engine: "ecs"}, rules),
		pipeline(func(t *PipelineTargetOptions) { t.Engine, t.StackName, t.BakeMinutes = "ecs", "s", 60*7 }),
	} {
		if ok != nil {
			t.Errorf("refused: %v", ok)
		}
	}
}

func TestReleaseImageParameterIsDerivedFromTheName(t *testing.T) {
	if got := releaseImageParameter("orders-api-staging-dev"); got != "ReleaseImageOrdersApiStagingDev" {
		t.Errorf("got %s", got)
	}
}

func TestUpperCamelTurnsTheAPIShapeIntoCloudFormations(t *testing.T) {
	got := upperCamel(map[string]any{"alarms": map[string]any{"alarmNames": []any{"a"}}, "lifecycleHooks": []any{map[string]any{"roleArn": "r"}}})
	want := map[string]any{"Alarms": map[string]any{"AlarmNames": []any{"a"}}, "LifecycleHooks": []any{map[string]any{"RoleArn": "r"}}}
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if string(g) != string(w) {
		t.Errorf("got %s; want %s", g, w)
	}
}
