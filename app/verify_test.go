package app

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"

	"github.com/ecsdelivery/ecsdelivery/internal/cdktest"
)

// function is the one Lambda function of a template with the given name.
func function(t *testing.T, s *synthesised, stack, name string) obj {
	t.Helper()
	for _, fn := range resources(t, s.templates[stack], "AWS::Lambda::Function") {
		if dig(fn, "Properties", "FunctionName") == name {
			return fn["Properties"].(obj)
		}
	}
	t.Fatalf("%s has no function %s", stack, name)
	return nil
}

// Every deployment of the demo sends test traffic to the new tasks before production traffic:
// the build names each environment's check in its appspec, and the check runs in the VPC with
// the defaults (the health path, 10 requests, 200, the latency alarm's bound).
func TestTestTrafficGatesEveryDeployment(t *testing.T) {
	s := synth(t, "delivery.yaml")
	build := buildProjectVariables(t, s)
	for i, env := range []string{"staging", "production"} {
		t.Run(env, func(t *testing.T) {
			name := "orders-api-" + env + "-test-hook"
			if got := build[fmt.Sprintf("HOOK_%d", i)]; got != name {
				t.Errorf("build variable HOOK_%d = %q; want %s (the appspec's AfterAllowTestTraffic)", i, got, name)
			}
			stack := "orders-api-" + env
			fn := function(t, s, stack, name)
			vars := dig(fn, "Environment", "Variables").(obj)
			want := obj{"PATHS": `["/health"]`, "EXPECT_STATUS": "200", "REQUESTS": "10", "MAX_LATENCY_MS": "2000", "ENVIRONMENT": stack}
			for k, v := range want {
				if vars[k] != v {
					t.Errorf("%s=%v; want %v", k, vars[k], v)
				}
			}
			if url := asJSON(vars["TARGET_URL"]); !strings.Contains(url, `"http://",{"Fn::GetAtt":["EnvironmentLoadBalancer`) || !strings.Contains(url, `":9000"`) {
				t.Errorf("TARGET_URL %s; want http://<the load balancer's name>:9000, the test listener", url)
			}
			if dig(fn, "VpcConfig", "SubnetIds") == nil {
				t.Errorf("the check runs outside the VPC; the test listener admits only the VPC")
			}
			tmpl := s.templates[stack]
			sg := resources(t, tmpl, "AWS::EC2::SecurityGroup")[securityGroup(t, tmpl, "Test-traffic check of")]
			var egress []string
			for _, rule := range dig(sg, "Properties", "SecurityGroupEgress").([]any) {
				egress = append(egress, fmt.Sprintf("%v %v-%v", dig(rule, "IpProtocol"), dig(rule, "FromPort"), dig(rule, "ToPort")))
			}
			if fmt.Sprint(egress) != "[tcp 9000-9000 tcp 443-443]" {
				t.Errorf("the check may send %v; want only the test listener's port and HTTPS", egress)
			}
			if dig(sg, "Properties", "SecurityGroupIngress") != nil {
				t.Errorf("the check accepts connections: %v", dig(sg, "Properties", "SecurityGroupIngress"))
			}
			// What the check could do if its code were hostile: report on this environment's
			// deployments, publish to its topic, write its logs.
			statements, _ := roleStatements(t, tmpl, name)
			var got []string
			for _, st := range statements {
				got = append(got, fmt.Sprintf("%v %v", st["Action"], asJSON(st["Resource"])))
			}
			wantStatements := []string{
				`codedeploy:PutLifecycleEventHookExecutionStatus {"Fn::Join":["",["arn:aws:codedeploy:us-east-1:",{"Ref":"AWS::AccountId"},":deploymentgroup:` + stack + `/` + stack + `"]]}`,
				`sns:Publish {"Ref":"EnvironmentNotificationTopic`,
				`[kms:Decrypt kms:GenerateDataKey] {"Fn::GetAtt":["EnvironmentOperationsKey`,
				`[logs:CreateLogStream logs:PutLogEvents] {"Fn::GetAtt":["EnvironmentTestTrafficLogs`,
			}
			if len(got) != len(wantStatements) {
				t.Fatalf("the check's role holds %d statements; want %d:\n%s", len(got), len(wantStatements), strings.Join(got, "\n"))
			}
			for i, w := range wantStatements {
				if !strings.HasPrefix(got[i], w) {
					t.Errorf("statement %d: %s\nwant %s", i, got[i], w)
				}
			}
			if kms := statements[2]; asJSON(kms["Condition"]) != `{"StringEquals":{"kms:ViaService":"sns.us-east-1.amazonaws.com"}}` {
				t.Errorf("the check may use the key outside SNS: %s", asJSON(kms["Condition"]))
			}
			// CodeDeploy's role may invoke exactly this function.
			cdktest.Assert(t, func() {
				tmpl.HasResourceProperties(jsii.String("AWS::IAM::Policy"), obj{"PolicyDocument": obj{"Statement": []any{obj{
					"Sid": "InvokeTheTestTrafficCheck", "Action": "lambda:InvokeFunction", "Effect": "Allow",
					"Resource": obj{"Fn::GetAtt": []any{logicalID(t, tmpl, "AWS::Lambda::Function", "FunctionName", name), "Arn"}},
				}}}, "Roles": []any{obj{"Ref": stringLike("^EnvironmentDeploymentGroupServiceRole")}}})
			})
		})
	}
}

// A config that sets every field: the check's own paths, status, count and bound; a deployment
// window before production and a bake after it that reads production's alarms as its deploy
// role; staging, which sets none, gets neither condition.
func TestEveryReleaseGateIsWired(t *testing.T) {
	s := synth(t, "examples/cross-account.yaml")
	fn := function(t, s, "orders-api-production-prod", "orders-api-production-prod-test-hook")
	vars := dig(fn, "Environment", "Variables").(obj)
	if vars["PATHS"] != `["/health","/orders?limit=1"]` || vars["REQUESTS"] != "20" || vars["MAX_LATENCY_MS"] != "1500" || vars["EXPECT_STATUS"] != "200" {
		t.Errorf("production's check: %v", vars)
	}
	// 40 requests, 4 at a time, each up to 1.5 s, and 15 s to report: the 30 s floor.
	if fn["Timeout"] != float64(30) {
		t.Errorf("timeout %v; want 30", fn["Timeout"])
	}
	stages := pipelineStages(t, s)
	prod, staging := stages["Deploy-production"], stages["Deploy-staging"]
	window := asJSON(dig(prod, "BeforeEntry"))
	if window != `{"Conditions":[{"Result":"FAIL","Rules":[{"Configuration":{"Cron":"0 * 9-16 ? * MON-FRI","TimeZone":"Europe/Berlin"},"Name":"DeploymentWindow","RuleTypeId":{"Category":"Rule","Owner":"AWS","Provider":"DeploymentWindow","Version":"1"}}]}]}` {
		t.Errorf("production's entry condition: %s", window)
	}
	bake := dig(prod, "OnSuccess", "Conditions").([]any)[0].(obj)
	if bake["Result"] != "ROLLBACK" {
		t.Errorf("the bake's result is %v; want ROLLBACK", bake["Result"])
	}
	var alarms []string
	for _, r := range bake["Rules"].([]any) {
		rule := r.(obj)
		alarms = append(alarms, dig(rule, "Configuration", "AlarmName").(string))
		if dig(rule, "Configuration", "WaitTime") != "20" || dig(rule, "Configuration", "AlarmStates") != "ALARM" ||
			dig(rule, "RuleTypeId", "Provider") != "CloudWatchAlarm" || rule["Region"] != "us-east-1" ||
			rule["RoleArn"] != "arn:aws:iam::333333333333:role/orders-api-production-prod-deploy" {
			t.Errorf("bake rule %s", asJSON(rule))
		}
	}
	// The names the environment gives its rollback alarms.
	prodTmpl := s.templates["orders-api-production-prod"]
	var named []string
	for _, a := range resources(t, prodTmpl, "AWS::CloudWatch::Alarm") {
		if n, _ := dig(a, "Properties", "AlarmName").(string); n != "" && strings.Contains(asJSON(a), "rolls back a deployment") {
			named = append(named, n)
		}
	}
	slices.Sort(named)
	sorted := slices.Sorted(slices.Values(alarms))
	if fmt.Sprint(named) != fmt.Sprint(sorted) || len(sorted) != 4 {
		t.Errorf("the bake watches %v; production's rollback alarms are %v", sorted, named)
	}
	for _, c := range []string{"BeforeEntry", "OnSuccess"} {
		if staging[c] != nil {
			t.Errorf("staging has %s %s; want none", c, asJSON(staging[c]))
		}
	}
	// The deploy role may read exactly those alarms.
	statements, _ := roleStatements(t, prodTmpl, "orders-api-production-prod-deploy")
	var watch obj
	for _, st := range statements {
		if st["Sid"] == "WatchRollbackAlarms" {
			watch = st
		}
	}
	if watch == nil || watch["Action"] != "cloudwatch:DescribeAlarms" || len(watch["Resource"].([]any)) != 4 ||
		!strings.Contains(asJSON(watch["Resource"]), ":alarm:orders-api-production-prod-latency-p99") {
		t.Errorf("the deploy role's alarm statement: %s", asJSON(watch))
	}
}

// With the check off there is no function, no hook in the appspec, and no endpoint for it.
func TestTestTrafficCanBeTurnedOff(t *testing.T) {
	s := synthYAML(t, "no-test-traffic.yaml", "app: shop\nsource: {owner: acme, repo: shop}\nenvironments:\n"+
		"  - name: staging\n    deployment: {testTraffic: {enabled: false}}\n  - name: production\n")
	if vars := buildProjectVariables(t, s); vars["HOOK_0"] != "" || vars["HOOK_1"] != "shop-production-test-hook" {
		t.Errorf("hooks HOOK_0=%q HOOK_1=%q; want none for staging and production's check", vars["HOOK_0"], vars["HOOK_1"])
	}
	for _, fn := range resources(t, s.templates["shop-staging"], "AWS::Lambda::Function") {
		if strings.Contains(asJSON(fn), "test-hook") {
			t.Errorf("staging has a test-traffic function although the check is off")
		}
	}
}

// buildProjectVariables are the build project's plain variables by name.
func buildProjectVariables(t *testing.T, s *synthesised) map[string]string {
	t.Helper()
	vars := map[string]string{}
	for _, p := range resources(t, s.templates[*s.delivery.Pipeline.StackName()], "AWS::CodeBuild::Project") {
		if !strings.HasSuffix(fmt.Sprint(dig(p, "Properties", "Name")), "-build") {
			continue
		}
		for _, v := range dig(p, "Properties", "Environment", "EnvironmentVariables").([]any) {
			if value, ok := dig(v, "Value").(string); ok {
				vars[dig(v, "Name").(string)] = value
			}
		}
	}
	return vars
}

// pipelineStages are the pipeline's stages by name.
func pipelineStages(t *testing.T, s *synthesised) map[string]obj {
	t.Helper()
	stages := map[string]obj{}
	for _, p := range resources(t, s.templates[*s.delivery.Pipeline.StackName()], "AWS::CodePipeline::Pipeline") {
		for _, st := range dig(p, "Properties", "Stages").([]any) {
			stages[dig(st, "Name").(string)] = st.(obj)
		}
	}
	return stages
}
