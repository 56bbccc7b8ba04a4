package app

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// The notifier computes the DORA measures from the pipeline's events; what it is told about the
// pipeline (which action deploys in each stage, which action exports the commit's time, where
// its state lives) must be what the pipeline is, in every shipped config, or the measures go
// silently empty.
func TestDoraSettingsMatchThePipeline(t *testing.T) {
	for _, file := range shipped {
		t.Run(file, func(t *testing.T) {
			tmpl := pipelineTemplate(t, file)
			s := synth(t, file)
			name := *s.delivery.Pipeline.StackName()
			var settings map[string]any
			for _, fn := range resources(t, tmpl, "AWS::Lambda::Function") {
				if v, ok := dig(fn, "Properties", "Environment", "Variables").(obj); ok && v["DORA_STATE_PREFIX"] != nil {
					settings = v
				}
			}
			if settings == nil {
				t.Fatalf("%s: no function has the DORA settings", name)
			}
			prefix, pipelineName := settings["DORA_STATE_PREFIX"].(string), settings["PIPELINE"].(string)
			if want := "/ecsdelivery/" + pipelineName + "/dora/"; prefix != want {
				t.Errorf("DORA_STATE_PREFIX %q; want %q", prefix, want)
			}
			if settings["CHANGE_FAILURE_WINDOW_HOURS"] != "24" {
				t.Errorf("CHANGE_FAILURE_WINDOW_HOURS %v; want the default 24", settings["CHANGE_FAILURE_WINDOW_HOURS"])
			}
			var deployActions, deployStages map[string]string
			for key, into := range map[string]*map[string]string{"DEPLOY_ACTIONS": &deployActions, "DEPLOY_STAGES": &deployStages} {
				if err := json.Unmarshal([]byte(settings[key].(string)), into); err != nil {
					t.Fatalf("%s: %v", key, err)
				}
			}
			stages := pipelineStages(t, s)
			// The build action exports COMMIT_TIME from the source's author date.
			build := actionNamed(stages[settings["BUILD_STAGE"].(string)], settings["BUILD_ACTION"].(string))
			if build == nil || build["Namespace"] != "BuildVariables" ||
				!strings.Contains(asJSON(dig(build, "Configuration", "EnvironmentVariables")), `\"name\":\"COMMIT_AUTHOR_DATE\",\"type\":\"PLAINTEXT\",\"value\":\"#{SourceVariables.AuthorDate}\"`) {
				t.Errorf("build action %v/%v: want namespace BuildVariables and COMMIT_AUTHOR_DATE from the source; got %s",
					settings["BUILD_STAGE"], settings["BUILD_ACTION"], asJSON(build))
			}
			buildspec := ""
			for _, p := range resources(t, tmpl, "AWS::CodeBuild::Project") {
				if strings.HasSuffix(fmt.Sprint(dig(p, "Properties", "Name")), "-build") {
					buildspec = fmt.Sprint(dig(p, "Properties", "Source", "BuildSpec"))
				}
			}
			containsAll(t, "the build's buildspec", buildspec, "exported-variables:\n    - BUILD_ID\n    - COMMIT_TIME\n", "export COMMIT_TIME=")
			// Each deploy stage's named action is the one that deploys: CodeDeploy, or the ECS
			// release at the same run order.
			var wantParameters []string
			for stage, env := range deployStages {
				action := actionNamed(stages[stage], deployActions[stage])
				if action == nil || dig(action, "RunOrder") != 3.0 {
					t.Errorf("%s: DEPLOY_ACTIONS names %q, which is not its deploying action (run order 3)", stage, deployActions[stage])
				}
				wantParameters = append(wantParameters, prefix+env)
			}
			if len(deployActions) != len(deployStages) {
				t.Errorf("DEPLOY_ACTIONS %v and DEPLOY_STAGES %v differ", deployActions, deployStages)
			}
			// One state parameter per environment, starting empty, and the notifier may read and
			// write those only.
			var parameters, granted []string
			for _, p := range resources(t, tmpl, "AWS::SSM::Parameter") {
				if n := fmt.Sprint(dig(p, "Properties", "Name")); strings.HasPrefix(n, prefix) {
					parameters = append(parameters, n)
					if dig(p, "Properties", "Value") != "{}" || dig(p, "Properties", "Type") != "String" {
						t.Errorf("%s: %s; want a String starting as {}", n, asJSON(p["Properties"]))
					}
				}
			}
			statements, _ := roleStatements(t, tmpl, pipelineName+"-notifier")
			for _, st := range statements {
				if actions := strs(st["Action"]); slices.Contains(actions, "ssm:PutParameter") || slices.Contains(actions, "ssm:GetParameter") {
					if st["Sid"] != "KeepTheDoraState" || strings.Join(actions, " ") != "ssm:GetParameter ssm:PutParameter" {
						t.Errorf("notifier statement %s; want KeepTheDoraState with GetParameter and PutParameter", asJSON(st))
					}
					resources, ok := st["Resource"].([]any)
					if !ok {
						resources = []any{st["Resource"]} // one environment: one resource
					}
					for _, r := range resources {
						text := asJSON(r)
						i := strings.Index(text, ":parameter")
						if i < 0 {
							t.Fatalf("resource %s is no parameter ARN", text)
						}
						granted = append(granted, strings.Trim(strings.TrimSuffix(text[i+len(":parameter"):], `"]]}`), `"`))
					}
				}
			}
			slices.Sort(wantParameters)
			slices.Sort(parameters)
			slices.Sort(granted)
			if !slices.Equal(parameters, wantParameters) || !slices.Equal(granted, wantParameters) {
				t.Errorf("state parameters %v, granted %v; want %v", parameters, granted, wantParameters)
			}
		})
	}
}

// The four measures on the pipeline dashboard, one line per environment, named as DORA names them.
func TestDoraWidgets(t *testing.T) {
	s := synth(t, "examples/cross-account.yaml")
	body := dashboardBody(t, pipelineTemplate(t, "examples/cross-account.yaml"))
	containsAll(t, "the pipeline dashboard of "+*s.delivery.Pipeline.StackName(), body,
		`"title":"Deployment frequency (deploys per day)"`, `"title":"Deployment frequency (deploys per week)"`,
		`"title":"Lead time for changes (hours, weekly)"`, `"title":"Change failure rate (%, weekly)"`,
		`"title":"Time to restore (hours, weekly)"`, `DORA measures`,
		`["ecsdelivery","DeploymentFrequency","Environment","production","Pipeline","orders-api-prod",{"label":"production","period":86400,"stat":"Sum"}]`,
		`["ecsdelivery","LeadTimeForChanges","Environment","staging","Pipeline","orders-api-prod",{"id":"lm0","visible":false,"period":604800,"stat":"Maximum"}]`,
		`{"label":"production","expression":"100 * FILL(f1, 0) / d1","period":604800}`,
		`["ecsdelivery","ChangeFailures","Environment","production","Pipeline","orders-api-prod",{"id":"f1","visible":false,"period":604800,"stat":"Sum"}]`,
		`{"label":"production average","expression":"ra1 / 3600","period":604800}`, `"start":"-P12W"`, `"start":"-P30D"`,
		`within 24 h by a rollback or a failed deploy`)
}

// actionNamed is the action of that name in a stage, or nil.
func actionNamed(stage obj, name string) obj {
	actions, _ := stage["Actions"].([]any)
	for _, a := range actions {
		if a.(obj)["Name"] == name {
			return a.(obj)
		}
	}
	return nil
}
