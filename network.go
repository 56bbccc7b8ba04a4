package ecsdelivery

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// newNetwork creates a VPC over two AZs, public subnets for the load balancer and private ones
// for tasks, with flow logs of all its traffic. Without NAT gateways the private subnets are
// isolated and reach AWS through endpoints, which is all Fargate needs to pull images, read
// secrets and write logs; and, with testTraffic, what the test-traffic check needs to report to
// CodeDeploy and notify.
func newNetwork(scope constructs.Construct, ops *operations, natGateways, retentionDays int, testTraffic bool) (awsec2.IVpc, *awsec2.SubnetSelection) {
	private := awsec2.SubnetType_PRIVATE_WITH_EGRESS
	if natGateways == 0 {
		private = awsec2.SubnetType_PRIVATE_ISOLATED
	}
	vpc := awsec2.NewVpc(scope, jsii.String("Vpc"), &awsec2.VpcProps{
		MaxAzs:      jsii.Number(2),
		NatGateways: jsii.Number(natGateways),
		SubnetConfiguration: &[]*awsec2.SubnetConfiguration{
			// Only the load balancer and the NAT gateway live here, and neither needs an address
			// assigned at launch.
			{Name: jsii.String("Public"), SubnetType: awsec2.SubnetType_PUBLIC, CidrMask: jsii.Number(24), MapPublicIpOnLaunch: jsii.Bool(false)},
			{Name: jsii.String("Private"), SubnetType: private, CidrMask: jsii.Number(22)},
		},
	})
	// The role CDK would make trusts the flow-logs service for any customer's flow log.
	flowLogRole := awsiam.NewRole(scope, jsii.String("FlowLogRole"), &awsiam.RoleProps{
		AssumedBy: servicePrincipal(scope, "vpc-flow-logs.amazonaws.com", stackARN(scope, "ec2", "vpc-flow-log/*")),
	})
	vpc.AddFlowLog(jsii.String("FlowLog"), &awsec2.FlowLogOptions{
		Destination: awsec2.FlowLogDestination_ToCloudWatchLogs(
			ops.logGroup(scope, "FlowLogs", "vpc-flow-logs", retentionDays, awscdk.RemovalPolicy_DESTROY), flowLogRole),
		TrafficType: awsec2.FlowLogTrafficType_ALL,
	})
	subnets := &awsec2.SubnetSelection{SubnetType: private}
	retainProviderLogs(ops, vpc, retentionDays)
	if natGateways == 0 {
		vpc.AddGatewayEndpoint(jsii.String("S3"), &awsec2.GatewayVpcEndpointOptions{
			Service: awsec2.GatewayVpcEndpointAwsService_S3(),
			Subnets: &[]*awsec2.SubnetSelection{subnets},
		})
		type endpoint struct {
			id      string
			service awsec2.InterfaceVpcEndpointAwsService
		}
		endpoints := []endpoint{
			{"EcrApi", awsec2.InterfaceVpcEndpointAwsService_ECR()},
			{"EcrDocker", awsec2.InterfaceVpcEndpointAwsService_ECR_DOCKER()},
			{"Logs", awsec2.InterfaceVpcEndpointAwsService_CLOUDWATCH_LOGS()},
			{"Ssm", awsec2.InterfaceVpcEndpointAwsService_SSM()},
			{"SecretsManager", awsec2.InterfaceVpcEndpointAwsService_SECRETS_MANAGER()},
		}
		if testTraffic {
			endpoints = append(endpoints, endpoint{"CodeDeploy", awsec2.InterfaceVpcEndpointAwsService_CODEDEPLOY()},
				endpoint{"Sns", awsec2.InterfaceVpcEndpointAwsService_SNS()})
		}
		for _, e := range endpoints {
			vpc.AddInterfaceEndpoint(jsii.String(e.id), &awsec2.InterfaceVpcEndpointOptions{
				Service: e.service,
				Subnets: subnets,
			})
		}
	}
	return vpc, subnets
}

// retainProviderLogs sends the logs of CDK's function that empties the VPC's default security
// group to a log group of the stack, with retention and the stack's key: left alone, Lambda
// creates /aws/lambda/<function> on first run, unencrypted and kept forever. (A stack deployed
// before this keeps that group, so the stack must not try to create a group of that name.) The
// function is shared by the stack, so its log group is made once.
func retainProviderLogs(ops *operations, vpc awsec2.Vpc, retentionDays int) {
	stack := awscdk.Stack_Of(vpc)
	provider := stack.Node().TryFindChild(jsii.String("Custom::VpcRestrictDefaultSGCustomResourceProvider"))
	if provider == nil || stack.Node().TryFindChild(jsii.String("VpcDefaultSecurityGroupProviderLogs")) != nil {
		return // the feature flag that adds the function is off, or its logs are routed already
	}
	logs := ops.logGroup(stack, "VpcDefaultSecurityGroupProviderLogs", "vpc-default-security-group", retentionDays, awscdk.RemovalPolicy_DESTROY)
	handler := provider.Node().FindChild(jsii.String("Handler")).(awscdk.CfnResource)
	handler.AddPropertyOverride(jsii.String("LoggingConfig.LogGroup"), logs.LogGroupName())
	// Created before the function first runs, deleted after it last runs.
	handler.AddResourceDependency(logs.Node().DefaultChild().(awscdk.CfnResource), jsii.String("the function logs to this group"))
	// In the app cdk-nag skips this plain CloudFormation role; read from the template it does not.
	suppress(provider.Node().FindChild(jsii.String("Role")), "AwsSolutions-IAM4", "CDK's provider of the VPC's "+
		"default-security-group restriction: its role holds AWSLambdaBasicExecutionRole (log streams of its own function), "+
		"which CDK attaches and offers no option to replace", "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
}
