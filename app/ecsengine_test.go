package app

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"

	"github.com/ecsdelivery/ecsdelivery/internal/cdktest"
	"github.com/ecsdelivery/ecsdelivery/scripts"
)

// oneResource is the only resource of a type in a template.
func oneResource(t *testing.T, tmpl assertions.Template, typ string) (string, obj) {
	t.Helper()
	rs := resources(t, tmpl, typ)
	if len(rs) != 1 {
		t.Fatalf("%d resources of type %s; want 1", len(rs), typ)
	}
	for id, r := range rs {
		return id, r["Properties"].(obj)
	}
	return "", nil
}

// noneOfService fails if a template holds any resource of an AWS service, such as CodeDeploy.
func noneOfService(t *testing.T, tmpl assertions.Template, prefix string) {
	t.Helper()
	data, _ := json.Marshal(tmpl.ToJSON())
	var doc struct {
		Resources map[string]struct{ Type string }
	}
	_ = json.Unmarshal(data, &doc)
	for id, r := range doc.Resources {
		if strings.HasPrefix(r.Type, prefix) {
			t.Errorf("%s is a %s; want no %s resources on ECS's engine", id, r.Type, prefix)
		}
	}
}

func TestECSEngineServiceShiftsThroughRulesWithHookBakeAndAlarms(t *testing.T) {
	s := synth(t, "examples/ecs-engine.yaml")
	cases := []struct {
		stack, strategy string
		bake            float64
		shift           obj
	}{
		{"payments-staging-prod", "BLUE_GREEN", 5, nil},
		{"payments-production-prod", "CANARY", 15, obj{"CanaryConfiguration": obj{"CanaryPercent": 10.0, "CanaryBakeTimeInMinutes": 5.0}}},
	}
	for _, c := range cases {
		tmpl := s.templates[c.stack]
		noneOfService(t, tmpl, "AWS::CodeDeploy::")
		_, svc := oneResource(t, tmpl, "AWS::ECS::Service")
		if got := asJSON(svc["DeploymentController"]); got != `{"Type":"ECS"}` {
			t.Errorf("%s: controller %s; want ECS", c.stack, got)
		}
		dc := svc["DeploymentConfiguration"].(obj)
		if dc["Strategy"] != c.strategy || dc["BakeTimeInMinutes"] != c.bake {
			t.Errorf("%s: strategy %v, bake %v; want %s, %v", c.stack, dc["Strategy"], dc["BakeTimeInMinutes"], c.strategy, c.bake)
		}
		for k, v := range c.shift {
			if asJSON(dc[k]) != asJSON(v) {
				t.Errorf("%s: %s is %s; want %s", c.stack, k, asJSON(dc[k]), asJSON(v))
			}
		}
		if _, ok := dc["LinearConfiguration"]; ok {
			t.Errorf("%s: a linear configuration beside %s", c.stack, c.strategy)
		}
		alarms := dc["Alarms"].(obj)
		if alarms["Enable"] != true || alarms["Rollback"] != true || len(alarms["AlarmNames"].([]any)) != 4 {
			t.Errorf("%s: alarms %s; want the 4 rollback alarms, enabled, rolling back", c.stack, asJSON(alarms))
		}
		for _, name := range alarms["AlarmNames"].([]any) {
			if ref, ok := name.(map[string]any)["Ref"].(string); !ok || resources(t, tmpl, "AWS::CloudWatch::Alarm")[ref] == nil {
				t.Errorf("%s: alarm name %s is not one of the stack's alarms", c.stack, asJSON(name))
			}
		}
		hooks := dc["LifecycleHooks"].([]any)
		hook := hooks[0].(obj)
		fn := logicalID(t, tmpl, "AWS::Lambda::Function", "FunctionName", c.stack+"-test-hook")
		hookRole := logicalID(t, tmpl, "AWS::IAM::Role", "RoleName", c.stack+"-hook")
		if len(hooks) != 1 || asJSON(hook["LifecycleStages"]) != `["POST_TEST_TRAFFIC_SHIFT"]` ||
			asJSON(hook["HookTargetArn"]) != asJSON(obj{"Fn::GetAtt": []any{fn, "Arn"}}) ||
			asJSON(hook["RoleArn"]) != asJSON(obj{"Fn::GetAtt": []any{hookRole, "Arn"}}) {
			t.Errorf("%s: hooks %s; want the test-traffic check after test traffic, invoked as the hook role", c.stack, asJSON(hooks))
		}
		hookStatements, _ := roleStatements(t, tmpl, c.stack+"-hook")
		if asJSON(hookStatements) != asJSON([]obj{{"Action": "lambda:InvokeFunction", "Effect": "Allow",
			"Resource": obj{"Fn::GetAtt": []any{fn, "Arn"}}, "Sid": "InvokeTheTestTrafficCheck"}}) {
			t.Errorf("%s: hook role may %s; want to invoke the check only", c.stack, asJSON(hookStatements))
		}
		lb := svc["LoadBalancers"].([]any)[0].(obj)
		adv := lb["AdvancedConfiguration"].(obj)
		rules := resources(t, tmpl, "AWS::ElasticLoadBalancingV2::ListenerRule")
		if len(rules) != 2 {
			t.Fatalf("%s: %d listener rules; want the production and the test rule", c.stack, len(rules))
		}
		for _, key := range []string{"ProductionListenerRule", "TestListenerRule"} {
			ref := adv[key].(map[string]any)["Ref"].(string)
			rule := rules[ref]["Properties"].(obj)
			groups := rule["Actions"].([]any)[0].(obj)["ForwardConfig"].(obj)["TargetGroups"].([]any)
			if len(groups) != 2 || asJSON(groups[0].(obj)["TargetGroupArn"]) != asJSON(lb["TargetGroupArn"]) ||
				asJSON(groups[1].(obj)["TargetGroupArn"]) != asJSON(adv["AlternateTargetGroupArn"]) {
				t.Errorf("%s: %s forwards to %s; want the service's group and the alternate", c.stack, key, asJSON(groups))
			}
		}
		shift := logicalID(t, tmpl, "AWS::IAM::Role", "RoleName", c.stack+"-shift")
		if asJSON(adv["RoleArn"]) != asJSON(obj{"Fn::GetAtt": []any{shift, "Arn"}}) {
			t.Errorf("%s: ECS shifts the rules as %s; want the shift role", c.stack, asJSON(adv["RoleArn"]))
		}
		shiftStatements, managed := roleStatements(t, tmpl, c.stack+"-shift")
		if len(managed) != 0 {
			t.Errorf("%s: shift role has managed policies %s; want its own, scoped to this environment", c.stack, asJSON(managed))
		}
		for _, st := range shiftStatements {
			res := asJSON(st["Resource"])
			switch st["Sid"] {
			case "ShiftTheseRules":
				if res != asJSON([]any{adv["ProductionListenerRule"], adv["TestListenerRule"]}) {
					t.Errorf("%s: ECS may modify rules %s; want the two rules only", c.stack, res)
				}
			case "RegisterTasksInTheseGroups":
				if res != asJSON([]any{lb["TargetGroupArn"], adv["AlternateTargetGroupArn"]}) {
					t.Errorf("%s: ECS may register targets in %s; want the two groups only", c.stack, res)
				}
			case "ShiftTheseListeners":
				if strings.Contains(res, "*") || len(st["Resource"].([]any)) != 2 {
					t.Errorf("%s: ECS may modify listeners %s; want the two listeners only", c.stack, res)
				}
			case "ReadLoadBalancers":
				if !strings.HasPrefix(asJSON(st["Action"]), `["elasticloadbalancing:Describe`) {
					t.Errorf("%s: %s on *", c.stack, asJSON(st["Action"]))
				}
			default:
				t.Errorf("%s: shift role statement %s", c.stack, st["Sid"])
			}
		}
	}
}

// The image is a stack parameter the pipeline sets at each release and cdk deploy keeps: the
// template itself never changes between releases, and the bootstrap command runs only with the
// bootstrap image.
func TestECSEngineImageIsTheStacksReleaseParameter(t *testing.T) {
	tmpl := synth(t, "examples/ecs-engine.yaml").templates["payments-production-prod"]
	id, def := oneResource(t, tmpl, "AWS::ECS::TaskDefinition")
	container := def["ContainerDefinitions"].([]any)[0].(obj)
	if asJSON(container["Image"]) != `{"Ref":"ReleaseImagePaymentsProductionProd"}` {
		t.Errorf("image %s; want the release parameter", asJSON(container["Image"]))
	}
	if !strings.HasPrefix(asJSON(container["Command"]), `{"Fn::If":["ReleaseImagePaymentsProductionProdIsBootstrap",["sh","-c",`) ||
		!strings.HasSuffix(asJSON(container["Command"]), `{"Ref":"AWS::NoValue"}]}`) {
		t.Errorf("command %s; want the bootstrap server's only while the image is the bootstrap image", asJSON(container["Command"]))
	}
	whole := tmpl.ToJSON()
	param := (*whole)["Parameters"].(map[string]any)["ReleaseImagePaymentsProductionProd"]
	if asJSON(param.(map[string]any)["Default"]) != `"public.ecr.aws/docker/library/busybox:1.37"` {
		t.Errorf("parameter %s; want the bootstrap image as its default", asJSON(param))
	}
	if r := resources(t, tmpl, "AWS::ECS::TaskDefinition")[id]; r["UpdateReplacePolicy"] != "Retain" {
		t.Errorf("task definition's replace policy %v; want old revisions kept for rollbacks", r["UpdateReplacePolicy"])
	}
}

// aws/aws-cdk#36649: a stack update that touches the listener rules resets ECS's weights. Their
// properties must not depend on anything a release or a settings change touches.
func TestECSEngineRulesDoNotChangeWithReleasesOrSettings(t *testing.T) {
	base := readShipped(t, "examples/ecs-engine.yaml")
	changed := strings.NewReplacer(
		"environment: {LOG_LEVEL: info}", "environment: {LOG_LEVEL: debug, FEATURE: x}\n  cpu: 1024\n  memoryMiB: 2048",
		"bakeMinutes: 15", "bakeMinutes: 30",
		"strategy: Canary10Percent5Minutes", "strategy: Linear10PercentEvery3Minutes",
		"service: {desiredCount: 3}", "service: {desiredCount: 6}\n    alarms: {latencyP99Milliseconds: 900}",
	).Replace(base)
	if changed == base {
		t.Fatal("the variant changes nothing")
	}
	rules := func(s *synthesised) string {
		return asJSON(resources(t, s.templates["payments-production-prod"], "AWS::ElasticLoadBalancingV2::ListenerRule"))
	}
	before, after := rules(synth(t, "examples/ecs-engine.yaml")), rules(synthYAML(t, "ecs-engine-changed.yaml", changed))
	if before != after {
		t.Errorf("the listener rules change with the service's settings:\n%s\n%s", before, after)
	}
	if strings.Contains(before, "ReleaseImage") {
		t.Errorf("the listener rules depend on the release image: %s", before)
	}
}

func TestECSEnginePipelineReleasesThroughTheStackAndWaits(t *testing.T) {
	tmpl := pipelineTemplate(t, "examples/ecs-engine.yaml")
	_, pipe := oneResource(t, tmpl, "AWS::CodePipeline::Pipeline")
	var deploy obj
	for _, st := range pipe["Stages"].([]any) {
		if st.(obj)["Name"] == "Deploy-production" {
			deploy = st.(obj)
		}
	}
	if deploy == nil {
		t.Fatal("no Deploy-production stage")
	}
	if _, ok := deploy["OnSuccess"]; ok {
		t.Errorf("Deploy-production has a pipeline bake %s; ECS bakes on its engine", asJSON(deploy["OnSuccess"]))
	}
	actions := deploy["Actions"].([]any)
	action := actions[len(actions)-1].(obj)
	if action["Name"] != "Canary" || action["ActionTypeId"].(obj)["Provider"] != "CodeBuild" ||
		asJSON(action["Configuration"].(obj)["ProjectName"]) != asJSON(obj{"Ref": logicalID(t, tmpl, "AWS::CodeBuild::Project", "Name", "payments-prod-release-production")}) {
		t.Fatalf("release action %s; want production's release project, named for the strategy", asJSON(action))
	}
	got := releaseVariables(t, tmpl, "payments-prod-release-production")
	want := map[string]string{
		"MODE": "stack", "STACK_NAME": "payments-production-prod", "IMAGE_PARAMETER": "ReleaseImagePaymentsProductionProd",
		"RELEASE_ROLE_ARN": "arn:aws:iam::333333333333:role/payments-production-prod-release",
		"DEPLOY_ROLE_ARN":  "arn:aws:iam::333333333333:role/payments-production-prod-deploy",
		"CLUSTER":          "payments-production-prod", "SERVICE": "payments-production-prod", "ENV_REGION": "us-east-1",
		// 5 minutes of canary, a 15-minute bake and 30 for the release itself; as long for a
		// stack someone else is updating.
		"WAIT_SECONDS": "3000", "BUSY_WAIT_SECONDS": "3000",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q; want %q", k, got[k], v)
		}
	}
	for env, role := range map[string]string{"staging": "payments-staging-prod", "production": "payments-production-prod"} {
		project := resources(t, tmpl, "AWS::CodeBuild::Project")[logicalID(t, tmpl, "AWS::CodeBuild::Project", "Name", "payments-prod-release-"+env)]
		// Twice the release's time (a busy stack, then the release) and 5 minutes.
		if wantTimeout := map[string]float64{"staging": 75, "production": 105}[env]; project["Properties"].(obj)["TimeoutInMinutes"] != wantTimeout {
			t.Errorf("%s's release project times out after %v minutes; want %v", env, project["Properties"].(obj)["TimeoutInMinutes"], wantTimeout)
		}
		roleRef := project["Properties"].(obj)["ServiceRole"]
		var assumes []string
		for id, r := range resources(t, tmpl, "AWS::IAM::Role") {
			if asJSON(roleRef) != asJSON(obj{"Fn::GetAtt": []any{id, "Arn"}}) {
				continue
			}
			statements, _ := roleStatements(t, tmpl, r["Properties"].(obj)["RoleName"].(string))
			for _, s := range statements {
				if s["Action"] == "sts:AssumeRole" {
					assumes = append(assumes, asJSON(s["Resource"]))
				}
			}
		}
		if wantRole := `"arn:aws:iam::` + map[string]string{"staging": "222222222222", "production": "333333333333"}[env] + `:role/` + role + `-deploy"`; asJSON(assumes) != asJSON([]string{wantRole}) {
			t.Errorf("%s's release role assumes %v; want exactly %s", env, assumes, wantRole)
		}
	}
}

// The deploy role may update its stack only as the release role, and holds no CodeDeploy rights.
func TestECSEngineDeployRoleUpdatesTheStackOnlyAsTheReleaseRole(t *testing.T) {
	tmpl := synth(t, "examples/ecs-engine.yaml").templates["payments-production-prod"]
	statements, _ := roleStatements(t, tmpl, "payments-production-prod-deploy")
	release := logicalID(t, tmpl, "AWS::IAM::Role", "RoleName", "payments-production-prod-release")
	found := false
	for _, s := range statements {
		actions := asJSON(s["Action"])
		if strings.Contains(actions, "codedeploy:") {
			t.Errorf("deploy role statement %s grants CodeDeploy on ECS's engine", s["Sid"])
		}
		if strings.Contains(actions, "cloudformation:UpdateStack") {
			found = true
			want := asJSON(obj{"StringEquals": obj{"cloudformation:RoleArn": obj{"Fn::GetAtt": []any{release, "Arn"}}}})
			if asJSON(s["Condition"]) != want {
				t.Errorf("UpdateStack condition %s; want %s", asJSON(s["Condition"]), want)
			}
		}
		if strings.Contains(actions, "iam:PassRole") && strings.Contains(asJSON(s["Resource"]), "TaskRole") {
			t.Errorf("the deploy role passes the task roles itself (%s); CloudFormation does, as the release role", s["Sid"])
		}
	}
	if !found {
		t.Error("the deploy role cannot update its stack")
	}
	trust := resources(t, tmpl, "AWS::IAM::Role")[logicalID(t, tmpl, "AWS::IAM::Role", "RoleName", "payments-production-prod-deploy")]
	if got := asJSON(trust["Properties"].(obj)["AssumeRolePolicyDocument"]); !strings.Contains(got, "payments-prod-pipeline-release") ||
		strings.Contains(got, "pipeline-codepipeline") {
		t.Errorf("deploy role trust %s; want the release project's role, not the pipeline's", got)
	}
}

// Adopting a rolling service: the stack creates no service and no CodeDeploy; the pipeline's
// first release moves the service onto ECS's engine with the imported rules and groups.
func TestECSEngineAdoptsAnExistingServiceInPlace(t *testing.T) {
	s := synth(t, "examples/adopt-rolling-service.yaml")
	env := s.templates["orders-api-test"]
	for _, typ := range []string{"AWS::ECS::Service", "AWS::ElasticLoadBalancingV2::ListenerRule", "AWS::ElasticLoadBalancingV2::LoadBalancer"} {
		if n := len(resources(t, env, typ)); n != 0 {
			t.Errorf("%d %s; want none: the service and its load balancer exist", n, typ)
		}
	}
	noneOfService(t, env, "AWS::CodeDeploy::")
	for _, role := range []string{"orders-api-test-shift", "orders-api-test-hook", "orders-api-test-deploy"} {
		logicalID(t, env, "AWS::IAM::Role", "RoleName", role)
	}
	if n := len(resources(t, env, "AWS::IAM::Role")); n == 0 {
		t.Fatal("no roles")
	}
	got := releaseVariables(t, pipelineTemplate(t, "examples/adopt-rolling-service.yaml"), "orders-api-release-test")
	if got["MODE"] != "service" || got["SERVICE"] != "orders-test-api-Service-AbCdEf" || got["CLUSTER"] != "orders-test-Cluster-AbCdEf" ||
		got["TASKDEF"] != "taskdef-test.json" {
		t.Errorf("release variables %v; want the existing service updated directly", got)
	}
	var update struct {
		DeploymentConfiguration map[string]any `json:"deploymentConfiguration"`
		LoadBalancers           []obj          `json:"loadBalancers"`
	}
	if err := json.Unmarshal([]byte(got["SERVICE_UPDATE"]), &update); err != nil {
		t.Fatalf("SERVICE_UPDATE %q: %v", got["SERVICE_UPDATE"], err)
	}
	dc := update.DeploymentConfiguration
	if dc["strategy"] != "BLUE_GREEN" || dc["bakeTimeInMinutes"] != 5.0 ||
		asJSON(dc["lifecycleHooks"]) != `[{"hookTargetArn":"arn:aws:lambda:us-east-1:222222222222:function:orders-api-test-test-hook","lifecycleStages":["POST_TEST_TRAFFIC_SHIFT"],"roleArn":"arn:aws:iam::222222222222:role/orders-api-test-hook"}]` {
		t.Errorf("deployment configuration %s", asJSON(dc))
	}
	want := `[{"advancedConfiguration":{"alternateTargetGroupArn":"arn:aws:elasticloadbalancing:us-east-1:222222222222:targetgroup/orders-api-green/fedcba9876543210",` +
		`"productionListenerRule":"arn:aws:elasticloadbalancing:us-east-1:222222222222:listener-rule/app/orders-test-lb/0123456789abcdef/0123456789abcdef/1a2b3c4d5e6f7a8b",` +
		`"roleArn":"arn:aws:iam::222222222222:role/orders-api-test-shift",` +
		`"testListenerRule":"arn:aws:elasticloadbalancing:us-east-1:222222222222:listener-rule/app/orders-test-lb/0123456789abcdef/fedcba9876543210/8b7a6f5e4d3c2b1a"},` +
		`"containerName":"app","containerPort":8080,"targetGroupArn":"arn:aws:elasticloadbalancing:us-east-1:222222222222:targetgroup/orders-api-serving/0123456789abcdef"}]`
	if asJSON(update.LoadBalancers) != want {
		t.Errorf("load balancers %s\nwant %s", asJSON(update.LoadBalancers), want)
	}
}

// releaseVariables are the plain variables of an environment's release project.
func releaseVariables(t *testing.T, tmpl assertions.Template, project string) map[string]string {
	t.Helper()
	p := resources(t, tmpl, "AWS::CodeBuild::Project")[logicalID(t, tmpl, "AWS::CodeBuild::Project", "Name", project)]
	got := map[string]string{}
	for _, v := range p["Properties"].(obj)["Environment"].(obj)["EnvironmentVariables"].([]any) {
		v := v.(obj)
		got[v["Name"].(string)] = fmt.Sprint(v["Value"])
	}
	return got
}

// readShipped is the text of a shipped config, to derive variants from.
func readShipped(t *testing.T, file string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(cdktest.Root(t), file))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// The demo, single-account and environment-agnostic, on ECS's engine with a linear strategy
// CodeDeploy has no configuration for.
func TestECSEngineInOneAccountWithACustomLinearStrategy(t *testing.T) {
	yaml := strings.NewReplacer(
		"    service: {desiredCount: 1}", "    service: {desiredCount: 1}\n    deployment: {engine: ecs, bakeMinutes: 2}",
		"    deployment: {strategy: Canary10Percent5Minutes, terminationWaitMinutes: 30}", "    deployment: {engine: ecs, strategy: Linear20PercentEvery2Minutes, bakeMinutes: 10}",
	).Replace(readShipped(t, "delivery.yaml"))
	s := synthYAML(t, "delivery-ecs.yaml", yaml)
	_, svc := oneResource(t, s.templates["orders-api-production"], "AWS::ECS::Service")
	dc := svc["DeploymentConfiguration"].(obj)
	if dc["Strategy"] != "LINEAR" || asJSON(dc["LinearConfiguration"]) != `{"StepBakeTimeInMinutes":2,"StepPercent":20}` || dc["BakeTimeInMinutes"] != 10.0 {
		t.Errorf("deployment configuration %s; want linear steps of 20 %% every 2 minutes and a 10-minute bake", asJSON(dc))
	}
	_, pipe := oneResource(t, s.templates["orders-api-pipeline"], "AWS::CodePipeline::Pipeline")
	stages := pipe["Stages"].([]any)
	actions := stages[len(stages)-1].(obj)["Actions"].([]any)
	if action := actions[len(actions)-1].(obj); action["Name"] != "Linear" {
		t.Errorf("release action %s", asJSON(action))
	}
	// 5 steps of 2 minutes, a 10-minute bake and 30 for the release itself.
	if got := releaseVariables(t, s.templates["orders-api-pipeline"], "orders-api-release-production"); got["WAIT_SECONDS"] != "3000" {
		t.Errorf("WAIT_SECONDS %s; want 3000", got["WAIT_SECONDS"])
	}
}

// Every call ecs-deploy.sh makes as the deploy role is granted to it: the stack calls where the
// stack owns the service, the service calls where it is imported, and nothing more is needed.
func TestECSEngineDeployRoleCoversTheReleaseScript(t *testing.T) {
	calls := regexp.MustCompile(`as_deployer (ecs|cloudformation) ([a-z-]+)`).FindAllStringSubmatch(scripts.ECSDeploy, -1)
	if len(calls) < 8 {
		t.Fatalf("found %d calls in ecs-deploy.sh; the pattern no longer reads it", len(calls))
	}
	action := func(service, op string) string {
		var b strings.Builder
		for _, part := range strings.Split(op, "-") {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
		return service + ":" + b.String()
	}
	for _, c := range []struct{ file, stack, skip string }{
		{"examples/ecs-engine.yaml", "payments-production-prod", "ecs:RegisterTaskDefinition ecs:UpdateService"},
		{"examples/adopt-rolling-service.yaml", "orders-api-test", "cloudformation:"},
	} {
		statements, _ := roleStatements(t, synth(t, c.file).templates[c.stack], c.stack+"-deploy")
		granted := asJSON(statements)
		for _, call := range calls {
			a := action(call[1], call[2])
			if strings.Contains(c.skip, a) || strings.HasPrefix(a, c.skip) {
				if strings.Contains(granted, `"`+a+`"`) {
					t.Errorf("%s: the deploy role holds %s, which its mode never calls", c.stack, a)
				}
				continue
			}
			if !strings.Contains(granted, `"`+a+`"`) {
				t.Errorf("%s: ecs-deploy.sh calls %s, which the deploy role does not hold", c.stack, a)
			}
		}
	}
}

// The release role is all CloudFormation can act as when the deploy role updates the stack:
// registering this family's revisions and updating this one service, passing only this
// environment's roles.
func TestECSEngineReleaseRoleIsScopedToTheService(t *testing.T) {
	tmpl := synth(t, "examples/ecs-engine.yaml").templates["payments-production-prod"]
	statements, managed := roleStatements(t, tmpl, "payments-production-prod-release")
	if len(managed) != 0 {
		t.Errorf("release role has managed policies %s", asJSON(managed))
	}
	var sids []string
	for _, s := range statements {
		sids = append(sids, s["Sid"].(string))
		switch s["Sid"] {
		case "PassTaskRoles", "PassEngineRoles":
			if n := len(s["Resource"].([]any)); n != 2 {
				t.Errorf("%s passes %d roles; want 2", s["Sid"], n)
			}
		case "UpdateThisService":
			if !strings.Contains(asJSON(s["Resource"]), "service/") || strings.Contains(asJSON(s["Resource"]), "*") {
				t.Errorf("UpdateThisService on %s; want the one service", asJSON(s["Resource"]))
			}
			if c := asJSON(s["Condition"]); !strings.Contains(c, `"ArnLikeIfExists":{"ecs:task-definition":"arn:aws:ecs:us-east-1:333333333333:task-definition/payments-production-prod:*"}`) ||
				!strings.Contains(c, `"BoolIfExists":{"ecs:enable-execute-command":"false"}`) {
				t.Errorf("UpdateThisService condition %s; want the service's own family and no execute-command", c)
			}
		}
	}
	want := "FollowThisServicesDeployments PassEngineRoles PassTaskRoles ReadBootstrapVersion ReadThisService RegisterTaskDefinitions TagNewRevisions UpdateThisService"
	sort.Strings(sids)
	if strings.Join(sids, " ") != want {
		t.Errorf("release role statements %v; want %s", sids, want)
	}
}
