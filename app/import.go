package app

import (
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecs"
	"github.com/aws/jsii-runtime-go"

	"github.com/ecsdelivery/ecsdelivery"
	"github.com/ecsdelivery/ecsdelivery/config"
)

// imported fills props with the existing pieces an import block names. Nothing is looked up:
// ids and ARNs from the file are enough, so synthesis needs no credentials.
func imported(stack awscdk.Stack, im *config.Import, props *ecsdelivery.EnvironmentProps) {
	azs := make([]*string, len(im.SubnetIDs))
	for i := range azs {
		// The subnets' zones are not in the file and only matter for selecting subnets by
		// zone, which nothing here does; the region's zones stand in, without a look-up.
		azs[i] = awscdk.Fn_Select(jsii.Number(i), awscdk.Fn_GetAzs(nil))
	}
	props.VPC = awsec2.Vpc_FromVpcAttributes(stack, jsii.String("ImportedVpc"), &awsec2.VpcAttributes{
		VpcId:             jsii.String(im.VPCID),
		AvailabilityZones: &azs,
		PrivateSubnetIds:  jsii.Strings(im.SubnetIDs...),
	})
	// Route tables matter only to code that adds routes, and nothing here does.
	awscdk.Annotations_Of(props.VPC).AcknowledgeWarning(jsii.String("@aws-cdk/aws-ec2:noSubnetRouteTableId"),
		jsii.String("imported subnets are only used to place tasks; no routes are added"))
	props.TaskSubnets = &awsec2.SubnetSelection{SubnetType: awsec2.SubnetType_PRIVATE_WITH_EGRESS}
	props.Cluster = awsecs.Cluster_FromClusterAttributes(stack, jsii.String("ImportedCluster"), &awsecs.ClusterAttributes{
		ClusterArn:  jsii.String(im.ClusterARN),
		ClusterName: jsii.String(clusterName(im.ClusterARN)),
		Vpc:         props.VPC,
	})
	props.Existing = &ecsdelivery.ExistingServiceOptions{
		ServiceName:         im.ServiceName,
		ListenerARN:         im.ListenerARN,
		TestListenerARN:     im.TestListenerARN,
		ListenerRuleARN:     im.ListenerRuleARN,
		TestListenerRuleARN: im.TestListenerRuleARN,
		TargetGroupARNs:     [2]string{im.TargetGroupARNs[0], im.TargetGroupARNs[1]},
		DeployRoleARN:       im.DeployRoleARN,
	}
}

// clusterName is the last part of a cluster ARN (arn:…:cluster/NAME).
func clusterName(arn string) string { return arn[strings.LastIndex(arn, "/")+1:] }
