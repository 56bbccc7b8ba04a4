package app

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/ecsdelivery/ecsdelivery/internal/cdktest"
)

// The demo's staging stack: everything is created.
func TestServiceIsDeployedByCodeDeployOnly(t *testing.T) {
	tmpl := synth(t, "delivery.yaml").templates["orders-api-staging"]
	var taskDefID string
	for id, r := range resources(t, tmpl, "AWS::ECS::TaskDefinition") {
		if r["Properties"].(obj)["Family"] == "orders-api-staging" {
			taskDefID = id
		}
	}
	if taskDefID == "" {
		t.Fatal("no task definition of family orders-api-staging")
	}
	cdktest.Assert(t, func() {
		tmpl.HasResource(jsii.String("AWS::ECS::Service"), obj{
			// The family, not a revision: the template's value never changes, so CloudFormation
			// never tries to update the task definition of a CODE_DEPLOY service.
			"Properties": like(obj{
				"ServiceName":          "orders-api-staging",
				"TaskDefinition":       "orders-api-staging",
				"DeploymentController": obj{"Type": "CODE_DEPLOY"},
				"DesiredCount":         1,
				"NetworkConfiguration": obj{"AwsvpcConfiguration": like(obj{"AssignPublicIp": "DISABLED"})},
				"LoadBalancers":        []any{like(obj{"ContainerName": "app", "ContainerPort": 8080})},
			}),
			"DependsOn": arrayWith(taskDefID),
		})
		tmpl.HasResourceProperties(jsii.String("AWS::ECS::TaskDefinition"), obj{
			"Family": "orders-api-staging", "Cpu": "512", "Memory": "1024",
			"RequiresCompatibilities": []any{"FARGATE"},
			"RuntimePlatform":         obj{"CpuArchitecture": "X86_64", "OperatingSystemFamily": "LINUX"},
			"ContainerDefinitions": []any{like(obj{
				"Name":         "app",
				"Image":        "public.ecr.aws/docker/library/busybox:1.37",
				"PortMappings": []any{obj{"ContainerPort": 8080, "Protocol": "tcp"}},
				"Environment": arrayWith( // in key order, as jsii renders maps
					obj{"Name": "BOOTSTRAP_HEALTH_PATH", "Value": "/health"},
					obj{"Name": "LOG_LEVEL", "Value": "info"},
				),
				"Secrets": []any{obj{"Name": "DB_PASSWORD", "ValueFrom": like(obj{
					"Fn::Join": arrayWith(arrayWith(stringLike(`:parameter/orders-api/db-password$`))),
				})}},
				"LogConfiguration": like(obj{"LogDriver": "awslogs"}),
			})},
		})
		tmpl.HasResourceProperties(jsii.String("AWS::Logs::LogGroup"), obj{
			"LogGroupName": "/ecsdelivery/orders-api-staging", "RetentionInDays": 30,
		})
	})
}

func TestTargetGroupsDecideFast(t *testing.T) {
	tmpl := synth(t, "delivery.yaml").templates["orders-api-staging"]
	groups := resources(t, tmpl, "AWS::ElasticLoadBalancingV2::TargetGroup")
	if len(groups) != 2 {
		t.Fatalf("%d target groups; want blue and green", len(groups))
	}
	cdktest.Assert(t, func() {
		tmpl.AllResourcesProperties(jsii.String("AWS::ElasticLoadBalancingV2::TargetGroup"), obj{
			"TargetType": "ip", "Port": 8080, "Protocol": "HTTP",
			"HealthCheckPath": "/health", "HealthCheckIntervalSeconds": 10, "HealthyThresholdCount": 2,
			"TargetGroupAttributes": arrayWith(obj{"Key": "deregistration_delay.timeout_seconds", "Value": "30"}),
		})
	})
}

func TestListenersAndSecurityGroups(t *testing.T) {
	tmpl := synth(t, "delivery.yaml").templates["orders-api-staging"]
	for _, attribute := range []string{"access_logs.s3.enabled", "routing.http.drop_invalid_header_fields.enabled"} {
		t.Run(attribute, func(t *testing.T) {
			cdktest.Assert(t, func() {
				tmpl.HasResourceProperties(jsii.String("AWS::ElasticLoadBalancingV2::LoadBalancer"), obj{
					"Scheme": "internet-facing", "LoadBalancerAttributes": arrayWith(obj{"Key": attribute, "Value": "true"}),
				})
			})
		})
	}
	cdktest.Assert(t, func() {
		tmpl.HasResourceProperties(jsii.String("AWS::ElasticLoadBalancingV2::Listener"), obj{"Port": 80, "Protocol": "HTTP"})
		tmpl.HasResourceProperties(jsii.String("AWS::ElasticLoadBalancingV2::Listener"), obj{"Port": 9000, "Protocol": "HTTP"})
		tmpl.ResourceCountIs(jsii.String("AWS::ElasticLoadBalancingV2::Listener"), jsii.Number(2))
		// The access logs bucket is encrypted (ALB delivery supports only S3-managed keys).
		tmpl.HasResourceProperties(jsii.String("AWS::S3::Bucket"), obj{
			"BucketEncryption": obj{"ServerSideEncryptionConfiguration": []any{obj{"ServerSideEncryptionByDefault": obj{"SSEAlgorithm": "AES256"}}}},
		})
	})
	lbSG, tasksSG := securityGroup(t, tmpl, "Load balancer of"), securityGroup(t, tmpl, "Tasks of")
	ingress := resources(t, tmpl, "AWS::EC2::SecurityGroup")[lbSG]["Properties"].(obj)["SecurityGroupIngress"].([]any)
	var rules []string
	for _, r := range ingress {
		r := r.(obj)
		cidr := r["CidrIp"]
		if _, literal := cidr.(string); !literal {
			data, _ := json.Marshal(cidr)
			switch {
			case strings.Contains(string(data), `"PublicIp"`) && strings.Contains(string(data), "PublicSubnet1EIP"):
				cidr = "nat"
			case strings.Contains(string(data), `"CidrBlock"`):
				cidr = "vpc"
			}
		}
		rules = append(rules, fmt.Sprintf("%v:%v", cidr, r["FromPort"]))
	}
	sort.Strings(rules)
	// The test port admits the VPC, which reaches an internet-facing load balancer through its
	// NAT gateway (one in the demo).
	if want := []string{"0.0.0.0/0:80", "nat:9000", "vpc:9000"}; strings.Join(rules, " ") != strings.Join(want, " ") {
		t.Errorf("load balancer ingress %v; want %v (test port from the VPC only)", rules, want)
	}
	cdktest.Assert(t, func() {
		// Tasks accept the container port from the load balancer and nothing else.
		tmpl.ResourceCountIs(jsii.String("AWS::EC2::SecurityGroupIngress"), jsii.Number(1))
		tmpl.HasResourceProperties(jsii.String("AWS::EC2::SecurityGroupIngress"), obj{
			"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080,
			"GroupId":               obj{"Fn::GetAtt": []any{tasksSG, "GroupId"}},
			"SourceSecurityGroupId": obj{"Fn::GetAtt": []any{lbSG, "GroupId"}},
		})
		tmpl.ResourceCountIs(jsii.String("AWS::EC2::SecurityGroupEgress"), jsii.Number(1))
		tmpl.HasResourceProperties(jsii.String("AWS::EC2::SecurityGroupEgress"), obj{
			"GroupId": obj{"Fn::GetAtt": []any{lbSG, "GroupId"}}, "FromPort": 8080, "ToPort": 8080,
		})
	})
}

func TestDeploymentGroupRollsBack(t *testing.T) {
	s := synth(t, "delivery.yaml")
	for _, tc := range []struct {
		stack, config string
		wait          int
	}{
		{"orders-api-staging", "CodeDeployDefault.ECSAllAtOnce", 5},
		{"orders-api-production", "CodeDeployDefault.ECSCanary10Percent5Minutes", 30},
	} {
		t.Run(tc.stack, func(t *testing.T) {
			tmpl := s.templates[tc.stack]
			cdktest.Assert(t, func() {
				tmpl.HasResourceProperties(jsii.String("AWS::CodeDeploy::Application"), obj{"ApplicationName": tc.stack, "ComputePlatform": "ECS"})
				tmpl.HasResourceProperties(jsii.String("AWS::CodeDeploy::DeploymentGroup"), obj{
					"DeploymentGroupName":  tc.stack,
					"DeploymentConfigName": tc.config,
					"AutoRollbackConfiguration": obj{"Enabled": true, "Events": []any{
						"DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_REQUEST", "DEPLOYMENT_STOP_ON_ALARM"}},
					"BlueGreenDeploymentConfiguration": like(obj{"TerminateBlueInstancesOnDeploymentSuccess": obj{
						"Action": "TERMINATE", "TerminationWaitTimeInMinutes": tc.wait}}),
					"AlarmConfiguration": like(obj{"Enabled": true, "Alarms": assertions.Match_AnyValue()}),
					"LoadBalancerInfo": obj{"TargetGroupPairInfoList": []any{like(obj{
						"ProdTrafficRoute": assertions.Match_AnyValue(), "TestTrafficRoute": assertions.Match_AnyValue(),
					})}},
				})
			})
			groups := resources(t, tmpl, "AWS::CodeDeploy::DeploymentGroup")
			for _, g := range groups {
				if n := len(g["Properties"].(obj)["AlarmConfiguration"].(obj)["Alarms"].([]any)); n != 4 {
					t.Errorf("%s: %d alarms in the deployment group; want 4", tc.stack, n)
				}
			}
		})
	}
	tmpl := s.templates["orders-api-staging"]
	for metric, threshold := range map[string]float64{"HTTPCode_Target_5XX_Count": 10, "UnHealthyHostCount": 1, "TargetResponseTime": 2} {
		t.Run(metric, func(t *testing.T) {
			cdktest.Assert(t, func() {
				tmpl.HasResourceProperties(jsii.String("AWS::CloudWatch::Alarm"), obj{
					"MetricName": metric, "Namespace": "AWS/ApplicationELB", "Threshold": threshold,
					"ComparisonOperator": "GreaterThanOrEqualToThreshold", "TreatMissingData": "notBreaching",
				})
			})
		})
	}
}

func TestDeployRoleInOneAccountIsPinnedToTheArtifactKey(t *testing.T) {
	tmpl := synth(t, "delivery.yaml").templates["orders-api-staging"]
	cdktest.Assert(t, func() {
		tmpl.HasResourceProperties(jsii.String("AWS::IAM::Policy"), obj{"PolicyDocument": like(obj{"Statement": arrayWith(like(obj{
			"Sid": "DecryptArtifacts", "Condition": obj{"ForAnyValue:StringEquals": obj{"kms:ResourceAliases": "alias/orders-api-artifacts"}},
		}))})})
	})
}

// The deploy role's grants, each scoped to this environment: its CodeDeploy group, its two
// task roles, its test family and cluster; the execution role pulls from the pipeline's
// repository; and the temporary test task accepts no connections.
func TestDeployRoleIsScopedToItsEnvironment(t *testing.T) {
	tmpl := synth(t, "examples/cross-account.yaml").templates["orders-api-staging-prod"]
	region, account, name := "us-east-1", "222222222222", "orders-api-staging-prod"
	arn := func(service, resource string) string {
		return "arn:aws:" + service + ":" + region + ":" + account + ":" + resource
	}
	getAtt := func(id, attribute string) obj { return obj{"Fn::GetAtt": []any{id, attribute}} }
	clusterID := logicalID(t, tmpl, "AWS::ECS::Cluster", "ClusterName", name)
	cluster := obj{"ArnEquals": obj{"ecs:cluster": getAtt(clusterID, "Arn")}}
	cdktest.Assert(t, func() {
		tmpl.HasResourceProperties(jsii.String("AWS::IAM::Policy"), obj{"PolicyDocument": like(obj{"Statement": arrayWith(
			like(obj{"Sid": "DeployThisService", "Resource": arrayWith(
				arn("codedeploy", "application:"+name), arn("codedeploy", "deploymentgroup:"+name+"/"+name))}),
			like(obj{"Sid": "PassTaskRoles", "Action": "iam:PassRole", "Resource": []any{
				getAtt(logicalID(t, tmpl, "AWS::IAM::Role", "RoleName", name+"-execution"), "Arn"),
				getAtt(logicalID(t, tmpl, "AWS::IAM::Role", "RoleName", name+"-task"), "Arn")}}),
			like(obj{"Sid": "RunIntegrationTestTask", "Action": "ecs:RunTask",
				"Resource": arn("ecs", "task-definition/"+name+"-it:*"), "Condition": cluster}),
			// Only tasks that carry the integration test's tag, which only RunTask can set: never
			// the service's tasks.
			like(obj{"Sid": "TagIntegrationTestTask", "Action": "ecs:TagResource", "Condition": obj{"StringEquals": obj{
				"ecs:CreateAction": "RunTask", "aws:RequestTag/ecsdelivery:purpose": "integration-test"}}}),
			like(obj{"Sid": "WatchTasks", "Action": "ecs:DescribeTasks",
				"Resource": obj{"Fn::Join": []any{"", []any{arn("ecs", "task/"), obj{"Ref": clusterID}, "/*"}}}, "Condition": cluster}),
			like(obj{"Sid": "StopIntegrationTestTask", "Action": "ecs:StopTask",
				"Resource": obj{"Fn::Join": []any{"", []any{arn("ecs", "task/"), obj{"Ref": clusterID}, "/*"}}},
				"Condition": obj{"ArnEquals": obj{"ecs:cluster": getAtt(clusterID, "Arn")},
					"StringEquals": obj{"aws:ResourceTag/ecsdelivery:purpose": "integration-test"}}}),
		)})})
		// No other statement lets the role stop a task.
		for _, st := range statements(t, &synthesised{templates: map[string]assertions.Template{name: tmpl}}) {
			for _, a := range st.actions {
				if (a == "ecs:StopTask" || a == "ecs:*") && st.sid != "StopIntegrationTestTask" {
					t.Errorf("statement %s also allows %s", st.sid, a)
				}
			}
		}
		tmpl.HasResourceProperties(jsii.String("AWS::IAM::Policy"), obj{"PolicyDocument": like(obj{"Statement": arrayWith(
			like(obj{"Sid": "PullReleaseImages", "Resource": "arn:aws:ecr:us-east-1:111111111111:repository/orders-api-prod"}),
		)})})
	})
	// No rule admits anything to the test task: none inline, none as a resource of its own.
	testSG := securityGroup(t, tmpl, "Temporary integration-test task of")
	if rules := resources(t, tmpl, "AWS::EC2::SecurityGroup")[testSG]["Properties"].(obj)["SecurityGroupIngress"]; rules != nil {
		t.Errorf("the test task's security group admits %v", rules)
	}
	for id, r := range resources(t, tmpl, "AWS::EC2::SecurityGroupIngress") {
		if group, _ := json.Marshal(r["Properties"].(obj)["GroupId"]); strings.Contains(string(group), `"`+testSG+`"`) {
			t.Errorf("ingress %s admits traffic to the test task", id)
		}
	}
}

// The deploy roles trust exactly the pipeline roles that act on them, compared as whole ARNs:
// the pipeline's role everywhere, the integration test's role only where the test runs.
func TestDeployRoleTrustsOnlyPipelineRoles(t *testing.T) {
	s := synth(t, "examples/cross-account.yaml")
	tmpl := s.templates["orders-api-production-prod"]
	trust := func(roles ...any) obj {
		return obj{"Version": "2012-10-17", "Statement": []any{obj{
			"Action": "sts:AssumeRole", "Effect": "Allow",
			"Principal": obj{"AWS": "arn:aws:iam::111111111111:root"},
			"Condition": obj{"ArnEquals": obj{"aws:PrincipalArn": roles}},
		}}}
	}
	cdktest.Assert(t, func() {
		tmpl.HasResourceProperties(jsii.String("AWS::IAM::Role"), obj{
			"RoleName":                 "orders-api-production-prod-deploy",
			"MaxSessionDuration":       3600,
			"AssumeRolePolicyDocument": trust("arn:aws:iam::111111111111:role/orders-api-prod-pipeline-codepipeline"),
		})
		s.templates["orders-api-staging-prod"].HasResourceProperties(jsii.String("AWS::IAM::Role"), obj{
			"RoleName": "orders-api-staging-prod-deploy",
			"AssumeRolePolicyDocument": trust("arn:aws:iam::111111111111:role/orders-api-prod-pipeline-codepipeline",
				"arn:aws:iam::111111111111:role/orders-api-prod-pipeline-it"),
		})
		tmpl.HasResourceProperties(jsii.String("AWS::IAM::Policy"), obj{"PolicyDocument": like(obj{"Statement": arrayWith(
			like(obj{"Sid": "PassTaskRoles", "Condition": obj{"StringEquals": obj{"iam:PassedToService": "ecs-tasks.amazonaws.com"}}}),
			// The deploy artifacts only, not the source archives.
			like(obj{"Sid": "ReadDeployArtifacts", "Resource": "arn:aws:s3:::orders-api-prod-artifacts-111111111111/orders-api-prod/Deploy/*"}),
			// Another account: the pipeline's key policy names this role; no alias condition.
			like(obj{"Sid": "DecryptArtifacts", "Resource": "arn:aws:kms:us-east-1:111111111111:key/*", "Condition": assertions.Match_Absent()}),
		)})})
	})
}

// TestWildcardResources lists every identity-policy statement with a "*" resource, and fails
// when one appears that is not known to need it. iam:PassRole is never among them.
func TestWildcardResources(t *testing.T) {
	allowed := map[string]bool{
		"ecr:GetAuthorizationToken": true, // no resource-level permissions
		"ecs:RegisterTaskDefinition ecs:DeregisterTaskDefinition ecs:DescribeTaskDefinition": true, // same
		"ecs:RegisterTaskDefinition ecs:DescribeTaskDefinition":                              true, // same (ECS's engine)
		"ecs:DescribeTaskDefinition":                                                         true, // same
		// same (ECS's shift role: what it changes is named)
		"elasticloadbalancing:DescribeListeners elasticloadbalancing:DescribeRules elasticloadbalancing:DescribeTargetGroups elasticloadbalancing:DescribeTargetHealth": true,
		"cloudwatch:PutMetricData": true, // same; a namespace condition scopes it
		"ecs:ListTasks":            true, // same; a cluster condition scopes it
		"lambda:ListFunctions":     true, // same (CDK's grant to the pipeline role for a Lambda invoke action)
		"codepipeline:PutJobFailureResult codepipeline:PutJobSuccessResult": true, // same (the deploy marker's job results)
	}
	seen := map[string]bool{}
	for _, file := range shipped {
		t.Run(file, func(t *testing.T) {
			for _, st := range statements(t, synth(t, file)) {
				if st.star {
					seen[strings.Join(st.actions, " ")] = true
				}
				for _, a := range st.actions {
					if a == "iam:PassRole" && st.star {
						t.Errorf("%s %s: iam:PassRole on *", file, st.stack)
					}
				}
				if st.star {
					sorted := append([]string(nil), st.actions...)
					key := strings.Join(st.actions, " ")
					sort.Strings(sorted)
					if !allowed[key] && !allowed[strings.Join(sorted, " ")] && !allowedByOrder(allowed, sorted) {
						t.Errorf("%s %s: statement %s has resource * for %v", file, st.stack, st.sid, st.actions)
					}
				}
			}
		})
	}
	if len(seen) != len(allowed) {
		t.Errorf("statements with resource *: %v; want exactly the %d known ones", seen, len(allowed))
	}
}

func allowedByOrder(allowed map[string]bool, sorted []string) bool {
	for k := range allowed {
		parts := strings.Fields(k)
		sort.Strings(parts)
		if strings.Join(parts, " ") == strings.Join(sorted, " ") {
			return true
		}
	}
	return false
}

// An internal load balancer with a certificate, and a VPC without NAT gateways.
const privateHTTPS = `app: billing
source: {owner: acme, repo: billing}
build: {architecture: arm64}
service: {containerPort: 3000, healthCheckPath: /ready, healthCheckIntervalSeconds: 5, healthyThresholdCount: 3, deregistrationDelaySeconds: 0, logRetentionDays: 90,
  bootstrapImage: 111111111111.dkr.ecr.us-east-1.amazonaws.com/bootstrap:1}
environments:
  - name: staging
    natGateways: 0
    loadBalancer:
      internal: true
      certificateArn: arn:aws:acm:us-east-1:111111111111:certificate/0f0e0d0c-0b0a-4909-8807-060504030201
      testListenerPort: 8443
    alarms: {target5xxPerMinute: 3, unhealthyHosts: 2, latencyP99Milliseconds: 500}
`

func TestPrivateHTTPSEnvironment(t *testing.T) {
	tmpl := synthYAML(t, "private-https.yaml", privateHTTPS).templates["billing-staging"]
	cdktest.Assert(t, func() {
		tmpl.HasResourceProperties(jsii.String("AWS::ElasticLoadBalancingV2::LoadBalancer"), obj{"Scheme": "internal"})
		tmpl.HasResourceProperties(jsii.String("AWS::ElasticLoadBalancingV2::Listener"), obj{
			"Port": 443, "Protocol": "HTTPS", "SslPolicy": assertions.Match_AnyValue(),
			"Certificates": []any{obj{"CertificateArn": "arn:aws:acm:us-east-1:111111111111:certificate/0f0e0d0c-0b0a-4909-8807-060504030201"}},
		})
		tmpl.HasResourceProperties(jsii.String("AWS::ElasticLoadBalancingV2::Listener"), obj{
			"Port": 80, "DefaultActions": []any{like(obj{"Type": "redirect", "RedirectConfig": like(obj{"Protocol": "HTTPS", "Port": "443"})})},
		})
		tmpl.HasResourceProperties(jsii.String("AWS::ElasticLoadBalancingV2::Listener"), obj{"Port": 8443, "Protocol": "HTTP"})
		tmpl.ResourceCountIs(jsii.String("AWS::EC2::NatGateway"), jsii.Number(0))
		// Fargate's six, and CodeDeploy and SNS for the test-traffic check.
		tmpl.ResourceCountIs(jsii.String("AWS::EC2::VPCEndpoint"), jsii.Number(8))
		tmpl.AllResourcesProperties(jsii.String("AWS::ElasticLoadBalancingV2::TargetGroup"), obj{
			"Port": 3000, "HealthCheckPath": "/ready", "HealthCheckIntervalSeconds": 5, "HealthCheckTimeoutSeconds": 4,
			"HealthyThresholdCount": 3,
			"TargetGroupAttributes": arrayWith(obj{"Key": "deregistration_delay.timeout_seconds", "Value": "0"}),
		})
		tmpl.HasResourceProperties(jsii.String("AWS::ECS::TaskDefinition"), obj{
			"RuntimePlatform": obj{"CpuArchitecture": "ARM64", "OperatingSystemFamily": "LINUX"},
		})
		tmpl.HasResourceProperties(jsii.String("AWS::Logs::LogGroup"), obj{"RetentionInDays": 90})
		tmpl.HasResourceProperties(jsii.String("AWS::CloudWatch::Alarm"), obj{"MetricName": "TargetResponseTime", "Threshold": 0.5})
		tmpl.HasResourceProperties(jsii.String("AWS::CloudWatch::Alarm"), obj{"MetricName": "HTTPCode_Target_5XX_Count", "Threshold": 3})
	})
	// Internal: clients come from the VPC only, on every listener port.
	lbSG := securityGroup(t, tmpl, "Load balancer of")
	for _, r := range resources(t, tmpl, "AWS::EC2::SecurityGroup")[lbSG]["Properties"].(obj)["SecurityGroupIngress"].([]any) {
		if cidr, ok := r.(obj)["CidrIp"].(string); ok {
			t.Errorf("internal load balancer open to %s on port %v", cidr, r.(obj)["FromPort"])
		}
	}
}

func TestImportedEnvironmentGetsCodeDeploy(t *testing.T) {
	tmpl := synth(t, "examples/import-existing.yaml").templates["orders-api-staging"]
	cdktest.Assert(t, func() {
		tmpl.ResourceCountIs(jsii.String("AWS::ECS::Service"), jsii.Number(0))
		tmpl.ResourceCountIs(jsii.String("AWS::ElasticLoadBalancingV2::LoadBalancer"), jsii.Number(0))
		tmpl.HasResourceProperties(jsii.String("AWS::CodeDeploy::DeploymentGroup"), obj{
			"DeploymentGroupName": "orders-api-staging",
			"ECSServices":         []any{obj{"ClusterName": "staging", "ServiceName": "orders-api"}},
			"LoadBalancerInfo": obj{"TargetGroupPairInfoList": []any{obj{
				"ProdTrafficRoute": obj{"ListenerArns": []any{"arn:aws:elasticloadbalancing:us-east-1:222222222222:listener/app/staging-alb/0123456789abcdef/0123456789abcdef"}},
				"TestTrafficRoute": obj{"ListenerArns": []any{"arn:aws:elasticloadbalancing:us-east-1:222222222222:listener/app/staging-alb/0123456789abcdef/fedcba9876543210"}},
				"TargetGroups":     []any{obj{"Name": "orders-api-blue"}, obj{"Name": "orders-api-green"}},
			}}},
		})
		tmpl.HasResourceProperties(jsii.String("AWS::CloudWatch::Alarm"), obj{
			"MetricName": "UnHealthyHostCount",
			"Dimensions": arrayWith(obj{"Name": "TargetGroup", "Value": "targetgroup/orders-api-green/fedcba9876543210"}),
		})
		// The example names an existing deploy role: none is created.
		tmpl.ResourcePropertiesCountIs(jsii.String("AWS::IAM::Role"), obj{"RoleName": "orders-api-staging-deploy"}, jsii.Number(0))
	})
}
