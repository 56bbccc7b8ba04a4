package ecsdelivery

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"

	"github.com/ecsdelivery/ecsdelivery/spec"
	"github.com/ecsdelivery/ecsdelivery/testtraffic"
)

// TestTrafficOptions is the check that, in every blue/green deployment, sends requests through
// the test listener to the new tasks before any production traffic moves to them; a wrong or
// slow answer fails the deployment, which rolls back.
type TestTrafficOptions struct {
	// Disabled leaves the check out. Set PipelineTargetOptions.NoTestTraffic to match.
	Disabled bool
	// Paths requested, each /PATH with an optional ?QUERY. Default: Service.HealthCheckPath.
	Paths []string
	// ExpectStatus every answer must have. Default: 200.
	ExpectStatus int
	// Requests per path, 1 to 1000. Default: 10.
	Requests int
	// MaxLatencyMilliseconds an answer may take, up to 60000. Default: LatencyP99Milliseconds.
	MaxLatencyMilliseconds int
	// URL of the test listener, http(s)://HOST[:PORT]. Default: the test listener created here;
	// required with Existing.
	URL string
}

// checkConcurrency is the check's requests in flight (check.js's CONCURRENCY); with its
// reporting margin it sizes the function's timeout.
const (
	checkConcurrency   = 4
	checkReportSeconds = 10
	maxLambdaSeconds   = 900
)

func testTrafficDefaults(t *TestTrafficOptions, s *ServiceOptions, d *DeploymentOptions, existing bool) error {
	if t.Disabled {
		return nil
	}
	if len(t.Paths) == 0 {
		t.Paths = []string{s.HealthCheckPath}
	}
	orInt(&t.ExpectStatus, spec.DefaultTestTrafficStatus)
	orInt(&t.Requests, spec.DefaultTestTrafficRequests)
	orInt(&t.MaxLatencyMilliseconds, d.LatencyP99Milliseconds)
	for _, p := range t.Paths {
		if !unresolved(p) && !spec.HealthCheckPath.MatchString(p) {
			return fmt.Errorf("TestTraffic.Paths: %q is not a URL path (/PATH with an optional ?QUERY)", p)
		}
	}
	switch {
	case len(t.Paths) > spec.MaxTestTrafficPaths:
		return fmt.Errorf("TestTraffic.Paths: %d paths, at most %d", len(t.Paths), spec.MaxTestTrafficPaths)
	case t.ExpectStatus < 100 || t.ExpectStatus > 599:
		return fmt.Errorf("TestTraffic.ExpectStatus %d is not an HTTP status (100 to 599)", t.ExpectStatus)
	case t.Requests < 1 || t.Requests > spec.MaxTestTrafficRequests:
		return fmt.Errorf("TestTraffic.Requests %d must be 1 to %d", t.Requests, spec.MaxTestTrafficRequests)
	case t.MaxLatencyMilliseconds < 1 || t.MaxLatencyMilliseconds > spec.MaxTestTrafficLatencyMilli:
		return fmt.Errorf("TestTraffic.MaxLatencyMilliseconds %d must be 1 to %d", t.MaxLatencyMilliseconds, spec.MaxTestTrafficLatencyMilli)
	case t.URL == "" && existing:
		return fmt.Errorf("TestTraffic.URL is required with an Existing service (its load balancer's address is not looked up), or set TestTraffic.Disabled")
	case t.URL != "" && !unresolved(t.URL) && listenerPort(t.URL) == 0:
		return fmt.Errorf("TestTraffic.URL %q is not http(s)://HOST[:PORT]", t.URL)
	}
	return nil
}

// listenerPort is the port of a listener's address, or 0 if it is not one.
func listenerPort(s string) int {
	port, _ := spec.ListenerPort(s)
	return port
}

// checkTimeout lets every request of the check take its whole latency bound and still report.
func checkTimeout(t *TestTrafficOptions) int {
	rounds := (len(t.Paths)*t.Requests + checkConcurrency - 1) / checkConcurrency
	seconds := (rounds*t.MaxLatencyMilliseconds+999)/1000 + checkReportSeconds + 5
	return min(max(seconds, 30), maxLambdaSeconds)
}

// newTestTrafficCheck creates the function CodeDeploy calls once the new tasks are behind the
// test listener: it runs in the VPC (the listener admits only the VPC), may report on this
// environment's deployments and tell its topic, and reaches nothing but the listener's port and
// HTTPS.
func (e *environment) newTestTrafficCheck(target string, port int) awslambda.Function {
	scope, p := e.Construct, &e.props
	t := &p.Deployment.TestTraffic
	name := testTrafficFunctionName(p.Name)
	reportsTo := "CodeDeploy"
	if p.Deployment.Engine == spec.EngineECS {
		reportsTo = "ECS"
	}
	role := awsiam.NewRole(scope, jsii.String("TestTrafficRole"), &awsiam.RoleProps{
		RoleName: jsii.String(name),
		// Lambda does not document setting aws:SourceAccount when it assumes a function's role.
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		Description: jsii.String("Sends test traffic to the new tasks of " + p.Name + " and reports to " + reportsTo),
		// The function's network interfaces in the VPC, as Lambda manages them.
		ManagedPolicies: &[]awsiam.IManagedPolicy{
			awsiam.ManagedPolicy_FromAwsManagedPolicyName(jsii.String("service-role/AWSLambdaVPCAccessExecutionRole")),
		},
	})
	if p.Deployment.Engine != spec.EngineECS {
		// ECS reads the check's answer from its return value; CodeDeploy must be told.
		role.AddToPolicy(statement("ReportOnThisEnvironmentsDeployments", []string{"codedeploy:PutLifecycleEventHookExecutionStatus"},
			[]string{stackARN(scope, "codedeploy", "deploymentgroup:"+p.Name+"/"+p.Name)}, nil))
	}
	role.AddToPolicy(statement("TellTheTopicOfFailures", []string{"sns:Publish"}, []string{*e.ops.topic.TopicArn()}, nil))
	// The topic is encrypted: SNS encrypts the message with the key, for the publisher.
	role.AddToPolicy(statement("EncryptForTheTopic", []string{"kms:GenerateDataKey", "kms:Decrypt"}, []string{*e.ops.key.KeyArn()}, viaService(scope, "sns")))
	logs := e.ops.logGroup(scope, "TestTrafficLogs", "test-traffic", p.Service.LogRetentionDays, awscdk.RemovalPolicy_DESTROY)
	logs.GrantWrite(role)
	sg := awsec2.NewSecurityGroup(scope, jsii.String("TestTrafficSecurityGroup"), &awsec2.SecurityGroupProps{
		Vpc:         e.vpc,
		Description: jsii.String("Test-traffic check of " + p.Name + ": the test listener and AWS APIs out, nothing in"),
		// A URL that is a token has a port known only at deployment.
		AllowAllOutbound: jsii.Bool(port == 0),
	})
	if port != 0 {
		// An internet-facing listener is reached at its public addresses, through NAT.
		sg.AddEgressRule(awsec2.Peer_AnyIpv4(), awsec2.Port_Tcp(jsii.Number(port)), jsii.String("The test listener"), nil)
	}
	if port != 0 && port != 443 {
		sg.AddEgressRule(awsec2.Peer_AnyIpv4(), awsec2.Port_Tcp(jsii.Number(443)), jsii.String("CodeDeploy and SNS"), nil)
	}
	paths, _ := json.Marshal(t.Paths)
	fn := nodeFunction(scope, "TestTraffic", testtraffic.Code, awslambda.FunctionProps{
		FunctionName:   jsii.String(name),
		Description:    jsii.String("Sends test traffic to the new tasks of each deployment of " + p.Name + " before production traffic"),
		Role:           role,
		LogGroup:       logs,
		Timeout:        awscdk.Duration_Seconds(jsii.Number(checkTimeout(t))),
		Vpc:            e.vpc,
		VpcSubnets:     e.subnets,
		SecurityGroups: &[]awsec2.ISecurityGroup{sg},
		Environment: &map[string]*string{
			"TARGET_URL":     jsii.String(target),
			"PATHS":          jsii.String(string(paths)),
			"EXPECT_STATUS":  jsii.String(strconv.Itoa(t.ExpectStatus)),
			"REQUESTS":       jsii.String(strconv.Itoa(t.Requests)),
			"MAX_LATENCY_MS": jsii.String(strconv.Itoa(t.MaxLatencyMilliseconds)),
			"ENVIRONMENT":    jsii.String(p.Name),
			"TOPIC_ARN":      e.ops.topic.TopicArn(),
		},
	})
	suppress(role, "AwsSolutions-IAM4", "The test-traffic check of "+p.Name+" runs in the VPC; AWS's policy for that role manages its network interfaces",
		"Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole")
	return fn
}
