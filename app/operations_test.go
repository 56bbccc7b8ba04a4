package app

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"

	"github.com/ecsdelivery/ecsdelivery/internal/cdktest"
)

// The app's dashboard, in the pipeline account: executions, their duration, each CodeBuild
// project's duration and failures, deployments per environment, the alarms, and links to the
// environments' own dashboards.
func TestPipelineDashboard(t *testing.T) {
	tmpl := pipelineTemplate(t, "examples/cross-account.yaml")
	cdktest.Assert(t, func() {
		tmpl.HasResourceProperties(jsii.String("AWS::CloudWatch::Dashboard"), obj{"DashboardName": "orders-api-prod"})
	})
	body := dashboardBody(t, tmpl)
	containsAll(t, "the pipeline dashboard", body,
		`"ecsdelivery","ExecutionsSucceeded","Pipeline","orders-api-prod"`, `"ecsdelivery","ExecutionsFailed"`,
		`"ExecutionDuration","Pipeline","orders-api-prod",{"label":"average (s)"`, `{"label":"longest (s)","period":3600,"stat":"Maximum"}`,
		`"AWS/CodeBuild","Duration","ProjectName"`, `"AWS/CodeBuild","FailedBuilds","ProjectName"`,
		`{"label":"build"`, `{"label":"scan"`, `{"label":"integration-test"`,
		`"DeploymentsSucceeded","Environment","staging"`, `"DeploymentsSucceeded","Environment","production"`,
		`"DeploymentsRolledBack","Environment","staging"`, `"DeploymentsRolledBack","Environment","production"`,
		`"type":"alarm"`, `"PipelinePipelineFailedAlarm`,
		`[production](https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards/dashboard/orders-api-production-prod) (account 333333333333, us-east-1)`)
}

// Each environment's dashboard, in its own account: requests, 5xx, p99 latency, healthy hosts,
// CPU and memory, and the rollback alarms.
func TestServiceDashboard(t *testing.T) {
	for _, tc := range []struct{ file, stack string }{
		{"delivery.yaml", "orders-api-staging"}, {"examples/import-existing.yaml", "orders-api-production"},
	} {
		t.Run(tc.stack, func(t *testing.T) {
			tmpl := synth(t, tc.file).templates[tc.stack]
			cdktest.Assert(t, func() {
				tmpl.HasResourceProperties(jsii.String("AWS::CloudWatch::Dashboard"), obj{"DashboardName": tc.stack})
			})
			containsAll(t, tc.stack+"'s dashboard", dashboardBody(t, tmpl),
				`"AWS/ApplicationELB","RequestCount","LoadBalancer"`, `"AWS/ApplicationELB","HTTPCode_Target_5XX_Count","LoadBalancer"`,
				`"AWS/ApplicationELB","TargetResponseTime","LoadBalancer"`, `"stat":"p99"`,
				`"HealthyHostCount","LoadBalancer"`, `{"label":"blue"`, `{"label":"green"`,
				`"AWS/ECS","CPUUtilization","ClusterName"`, `"AWS/ECS","MemoryUtilization","ClusterName"`,
				`"ServiceName","`+map[string]string{"delivery.yaml": "orders-api-staging", "examples/import-existing.yaml": "orders-api"}[tc.file]+`"`,
				`"type":"alarm"`, `LatencyAlarm`)
		})
	}
}

// Every alarm of every stack notifies its stack's topic, and only that.
func TestEveryAlarmNotifiesTheTopic(t *testing.T) {
	for _, file := range shipped {
		t.Run(file, func(t *testing.T) {
			for stack, tmpl := range synth(t, file).templates {
				t.Run(stack, func(t *testing.T) {
					topics := resources(t, tmpl, "AWS::SNS::Topic")
					if strings.HasPrefix(stack, "ecsdelivery-registry-signing") && len(resources(t, tmpl, "AWS::CloudWatch::Alarm")) == 0 {
						return // the shared signing stack: a profile and a registry setting, nothing to watch
					}
					if len(topics) != 1 {
						t.Fatalf("%s %s: %d topics; want 1", file, stack, len(topics))
					}
					var topic string
					for id := range topics {
						topic = id
					}
					alarms := resources(t, tmpl, "AWS::CloudWatch::Alarm")
					if len(alarms) == 0 {
						t.Errorf("%s %s: no alarms", file, stack)
					}
					for id, a := range alarms {
						actions := fmt.Sprint(a["Properties"].(obj)["AlarmActions"])
						if actions != fmt.Sprint([]any{obj{"Ref": topic}}) {
							t.Errorf("%s %s: alarm %s notifies %s; want its stack's topic %s", file, stack, id, actions, topic)
						}
					}
				})
			}
		})
	}
}

// The pipeline alarms: a failed release, a rolled-back deployment per environment, a failing
// notifier. Each fires on the first event.
func TestPipelineAlarms(t *testing.T) {
	tmpl := pipelineTemplate(t, "delivery.yaml")
	for _, tc := range []struct {
		name string
		m    obj
	}{
		{"failed releases", obj{"MetricName": "ExecutionsFailed", "Dimensions": []any{obj{"Name": "Pipeline", "Value": "orders-api"}}}},
		{"staging rollbacks", obj{"MetricName": "DeploymentsRolledBack", "Dimensions": arrayWith(obj{"Name": "Environment", "Value": "staging"})}},
		{"production rollbacks", obj{"MetricName": "DeploymentsRolledBack", "Dimensions": arrayWith(obj{"Name": "Environment", "Value": "production"})}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := tc.m
			m["Namespace"], m["Statistic"], m["Period"], m["Threshold"] = "ecsdelivery", "Sum", 300, 1
			m["ComparisonOperator"], m["EvaluationPeriods"], m["TreatMissingData"] = "GreaterThanOrEqualToThreshold", 1, "notBreaching"
			cdktest.Assert(t, func() { tmpl.HasResourceProperties(jsii.String("AWS::CloudWatch::Alarm"), m) })
		})
	}
	cdktest.Assert(t, func() {
		tmpl.HasResourceProperties(jsii.String("AWS::CloudWatch::Alarm"), obj{"Namespace": "AWS/Lambda", "MetricName": "Errors", "Threshold": 1})
	})
	if ids := alarmIDs(t, tmpl); len(ids) != 5 {
		t.Errorf("pipeline alarms %v; want 5 (failed releases, two rollbacks, notifier errors and dead letters)", ids)
	}
}

// The 5xx, unhealthy-host and latency alarms that notify are the ones CodeDeploy rolls back on,
// not copies: each alarm of an environment is named in its deployment group.
func TestRollbackAlarmsAreTheNotifyingAlarms(t *testing.T) {
	for _, file := range shipped {
		t.Run(file, func(t *testing.T) {
			s := synth(t, file)
			for _, env := range s.delivery.Environments {
				t.Run(*env.StackName(), func(t *testing.T) {
					tmpl := s.templates[*env.StackName()]
					var inGroup []string
					for _, g := range resources(t, tmpl, "AWS::CodeDeploy::DeploymentGroup") {
						for _, a := range g["Properties"].(obj)["AlarmConfiguration"].(obj)["Alarms"].([]any) {
							inGroup = append(inGroup, a.(obj)["Name"].(obj)["Ref"].(string))
						}
					}
					// ECS's engine: the service's deployment configuration names them.
					for _, svc := range resources(t, tmpl, "AWS::ECS::Service") {
						if dc, ok := svc["Properties"].(obj)["DeploymentConfiguration"].(obj)["Alarms"].(obj); ok {
							for _, a := range dc["AlarmNames"].([]any) {
								inGroup = append(inGroup, a.(obj)["Ref"].(string))
							}
						}
					}
					if len(inGroup) == 0 && strings.Contains(file, "adopt") {
						return // an existing service on ECS's engine: the release names them (TestECSEngineAdopts…)
					}
					sort.Strings(inGroup)
					if got, want := strings.Join(inGroup, " "), strings.Join(alarmIDs(t, tmpl), " "); got != want {
						t.Errorf("%s %s: deployment group alarms %s; want the stack's alarms %s", file, *env.StackName(), got, want)
					}
					if len(inGroup) != 4 {
						t.Errorf("%s %s: %d alarms in the deployment group; want 4", file, *env.StackName(), len(inGroup))
					}
				})
			}
		})
	}
}

// Pipeline state changes reach the notifier, which reads the execution and publishes text to
// the topic; approval requests go to the same topic from the approval action.
func TestNotifications(t *testing.T) {
	tmpl := pipelineTemplate(t, "examples/cross-account.yaml")
	cdktest.Assert(t, func() {
		tmpl.HasResourceProperties(jsii.String("AWS::Events::Rule"), obj{
			"EventPattern": obj{
				"source": []any{"aws.codepipeline"},
				"detail-type": []any{"CodePipeline Pipeline Execution State Change", "CodePipeline Stage Execution State Change",
					"CodePipeline Action Execution State Change"},
				"detail": obj{"pipeline": []any{"orders-api-prod"}, "state": []any{"SUCCEEDED", "FAILED"}},
			},
			"Targets": []any{like(obj{"Arn": obj{"Fn::GetAtt": []any{stringLike("^PipelineNotifier"), "Arn"}}})},
		})
		tmpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), obj{
			"FunctionName": "orders-api-prod-notifier", "Runtime": "nodejs24.x", "Handler": "index.handler",
			"Code": obj{"ZipFile": stringLike(`exports\.handler = async \(event\) => handle\(event, awsCalls\(\)`)},
			"Environment": obj{"Variables": obj{
				"APP": "orders-api", "PIPELINE": "orders-api-prod", "RELEASE_ENVIRONMENT": "production",
				"TOPIC_ARN":     obj{"Ref": stringLike("^PipelineNotificationTopic")},
				"DEPLOY_STAGES": `{"Deploy-production":"production","Deploy-staging":"staging"}`,
			}},
		})
		tmpl.HasResourceProperties(jsii.String("AWS::IAM::Policy"), obj{
			"Roles": []any{obj{"Ref": stringLike("^PipelineNotifierRole")}},
			// arrayWith matches in order: the grants appear as they were made.
			"PolicyDocument": like(obj{"Statement": arrayWith(
				like(obj{"Action": []any{"codepipeline:GetPipelineExecution", "codepipeline:ListActionExecutions", "codepipeline:ListPipelineExecutions"},
					"Resource": "arn:aws:codepipeline:us-east-1:111111111111:orders-api-prod"}),
				like(obj{"Action": "cloudwatch:PutMetricData", "Resource": "*",
					"Condition": obj{"StringEquals": obj{"cloudwatch:namespace": "ecsdelivery"}}}),
				like(obj{"Action": "sns:Publish", "Resource": obj{"Ref": stringLike("^PipelineNotificationTopic")}}),
			)}),
		})
		tmpl.HasResourceProperties(jsii.String("AWS::SNS::Subscription"), obj{"Protocol": "email", "Endpoint": "release-managers@acme.example"})
	})
	for _, env := range []string{"orders-api-staging-prod", "orders-api-production-prod"} {
		t.Run(env, func(t *testing.T) {
			envTmpl := synth(t, "examples/cross-account.yaml").templates[env]
			cdktest.Assert(t, func() {
				envTmpl.HasResourceProperties(jsii.String("AWS::SNS::Topic"), obj{"TopicName": env + "-notifications",
					"KmsMasterKeyId": obj{"Fn::GetAtt": []any{stringLike("^EnvironmentOperationsKey"), "Arn"}}})
				envTmpl.HasResourceProperties(jsii.String("AWS::SNS::Subscription"), obj{"Protocol": "email", "Endpoint": "ops@acme.example"})
				// Alarms publish as CloudWatch: its key use and its publishing are allowed, the
				// latter for this account's alarms only.
				envTmpl.HasResourceProperties(jsii.String("AWS::KMS::Key"), obj{"KeyPolicy": like(obj{"Statement": arrayWith(like(obj{
					"Principal": obj{"Service": "cloudwatch.amazonaws.com"}, "Action": []any{"kms:Decrypt", "kms:GenerateDataKey*"},
				}))})})
				envTmpl.HasResourceProperties(jsii.String("AWS::SNS::TopicPolicy"), obj{"PolicyDocument": like(obj{"Statement": arrayWith(like(obj{
					"Principal": obj{"Service": "cloudwatch.amazonaws.com"}, "Action": "sns:Publish",
					"Condition": obj{"ArnLike": obj{"aws:SourceArn": "arn:aws:cloudwatch:us-east-1:" + map[string]string{
						"orders-api-staging-prod": "222222222222", "orders-api-production-prod": "333333333333"}[env] + ":alarm:*"}},
				}))})})
			})
		})
	}
}

// Service secrets are read from exactly their parameters and decrypted with exactly their key,
// through SSM only; build secrets arrive as PARAMETER_STORE variables with the same scoping.
func TestParameterStoreSecrets(t *testing.T) {
	s := synth(t, "examples/cross-account.yaml")
	parameter := func(account, name string) string { return "arn:aws:ssm:us-east-1:" + account + ":parameter" + name }
	ssmRead := []any{"ssm:DescribeParameters", "ssm:GetParameter", "ssm:GetParameterHistory", "ssm:GetParameters"}
	viaSSM := obj{"StringEquals": obj{"kms:ViaService": "ssm.us-east-1.amazonaws.com"}}
	production := s.templates["orders-api-production-prod"]
	cdktest.Assert(t, func() {
		production.HasResourceProperties(jsii.String("AWS::IAM::Policy"), obj{
			"Roles": []any{obj{"Ref": stringLike("^EnvironmentExecutionRole")}},
			"PolicyDocument": like(obj{"Statement": arrayWith(
				obj{"Sid": "DecryptSecrets", "Effect": "Allow", "Action": "kms:Decrypt", "Condition": viaSSM,
					"Resource": "arn:aws:kms:us-east-1:333333333333:key/7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d"},
				like(obj{"Action": ssmRead, "Resource": parameter("333333333333", "/orders-api/db-password")}),
			)}),
		})
		production.HasResourceProperties(jsii.String("AWS::ECS::TaskDefinition"), obj{"ContainerDefinitions": arrayWith(like(obj{
			"Secrets": []any{obj{"Name": "DB_PASSWORD", "ValueFrom": parameter("333333333333", "/orders-api/db-password")}},
		}))})
	})
	// Staging names no key: the AWS-managed key's own policy serves, and no KMS grant is made.
	for _, st := range statements(t, s) {
		if st.stack == "orders-api-staging-prod" && st.sid == "DecryptSecrets" {
			t.Error("staging, with no secrets key, grants kms:Decrypt")
		}
	}
	pipeline := s.templates["orders-api-pipeline-prod"]
	cdktest.Assert(t, func() {
		pipeline.HasResourceProperties(jsii.String("AWS::CodeBuild::Project"), obj{
			"Name": "orders-api-prod-build",
			"Environment": like(obj{"EnvironmentVariables": arrayWith(
				obj{"Name": "NPM_TOKEN", "Type": "PARAMETER_STORE", "Value": "/orders-api/npm-token"},
				obj{"Name": "PARAMETER_VARIABLES", "Type": "PLAINTEXT", "Value": "NPM_TOKEN"},
			)}),
		})
		pipeline.HasResourceProperties(jsii.String("AWS::IAM::Policy"), obj{
			"Roles": []any{obj{"Ref": stringLike("^PipelineBuildRole")}},
			"PolicyDocument": like(obj{"Statement": arrayWith(
				like(obj{"Action": "ssm:GetParameters", "Resource": parameter("111111111111", "/orders-api/npm-token")}),
				obj{"Sid": "DecryptBuildSecrets", "Effect": "Allow", "Action": "kms:Decrypt", "Condition": viaSSM,
					"Resource": "arn:aws:kms:us-east-1:111111111111:key/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"},
			)}),
		})
	})
}

// Every log group keeps its logs for a set time and is encrypted with its stack's key, which
// lets CloudWatch Logs use it for this stack's log groups only.
func TestLogGroupsHaveRetentionAndEncryption(t *testing.T) {
	for _, file := range shipped {
		t.Run(file, func(t *testing.T) {
			for stack, tmpl := range synth(t, file).templates {
				t.Run(stack, func(t *testing.T) {
					for id, lg := range resources(t, tmpl, "AWS::Logs::LogGroup") {
						p := lg["Properties"].(obj)
						key := fmt.Sprint(p["KmsKeyId"])
						if p["RetentionInDays"] == nil {
							t.Errorf("%s %s: log group %s has no retention; want a set time", file, stack, id)
						}
						if !strings.Contains(key, "OperationsKey") {
							t.Errorf("%s %s: log group %s is encrypted with %s; want its stack's OperationsKey", file, stack, id, key)
						}
						if name, _ := p["LogGroupName"].(string); !strings.HasPrefix(name, "/ecsdelivery/") {
							t.Errorf("%s %s: log group %s named %q, outside what the key lets CloudWatch Logs use", file, stack, id, name)
						}
					}
				})
			}
		})
	}
	// CDK's function that empties the default security group logs to the stack's group, not to
	// one Lambda would create on its first run.
	staging := synth(t, "delivery.yaml").templates["orders-api-staging"]
	cdktest.Assert(t, func() {
		staging.HasResourceProperties(jsii.String("AWS::Lambda::Function"), obj{
			"LoggingConfig": obj{"LogGroup": obj{"Ref": stringLike("^VpcDefaultSecurityGroupProviderLogs")}},
		})
		staging.HasResourceProperties(jsii.String("AWS::Logs::LogGroup"), obj{
			"LogGroupName": "/ecsdelivery/orders-api-staging/vpc-default-security-group", "RetentionInDays": 30,
		})
	})
	// Every function logs to a group of the stack (checked above), never to one of Lambda's.
	groups := resources(t, staging, "AWS::Logs::LogGroup")
	for id, fn := range resources(t, staging, "AWS::Lambda::Function") {
		ref, _ := dig(fn, "Properties", "LoggingConfig", "LogGroup", "Ref").(string)
		if _, ok := groups[ref]; !ok {
			t.Errorf("staging: function %s logs to %v; want a log group of the stack", id, ref)
		}
	}
	tmpl := pipelineTemplate(t, "delivery.yaml")
	cdktest.Assert(t, func() {
		tmpl.HasResourceProperties(jsii.String("AWS::KMS::Key"), obj{"EnableKeyRotation": true, "KeyPolicy": like(obj{"Statement": arrayWith(like(obj{
			"Principal": obj{"Service": obj{"Fn::Join": []any{"", []any{"logs.us-east-1.", obj{"Ref": "AWS::URLSuffix"}}}}},
			"Condition": obj{"ArnLike": obj{"kms:EncryptionContext:aws:logs:arn": []any{
				obj{"Fn::Join": []any{"", []any{"arn:aws:logs:us-east-1:", obj{"Ref": "AWS::AccountId"}, ":log-group:/ecsdelivery/orders-api"}}},
				obj{"Fn::Join": []any{"", []any{"arn:aws:logs:us-east-1:", obj{"Ref": "AWS::AccountId"}, ":log-group:/ecsdelivery/orders-api/*"}}},
			}}},
		}))})})
		tmpl.HasResourceProperties(jsii.String("AWS::Logs::LogGroup"), obj{"LogGroupName": "/ecsdelivery/orders-api/build", "RetentionInDays": 30})
		tmpl.HasResourceProperties(jsii.String("AWS::Logs::LogGroup"), obj{"LogGroupName": "/ecsdelivery/orders-api/notifier", "RetentionInDays": 30})
	})
}
