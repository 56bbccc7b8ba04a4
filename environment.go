package ecsdelivery

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// EnvironmentProps configures NewEnvironment.
type EnvironmentProps struct {
	// Name is the physical-name prefix of the environment's resources (app, environment and
	// suffix, such as "orders-api-staging-dev"). Required.
	Name string
	// VPC to run in, with private subnets for the tasks. Default: a new VPC over 2 AZs.
	VPC awsec2.IVpc
	// TaskSubnets are where tasks run. Default: the VPC's private subnets.
	TaskSubnets *awsec2.SubnetSelection
	// Cluster to run in; it must be in VPC. Default: a new cluster with Container Insights.
	Cluster awsecs.ICluster
	// NATGateways of a new VPC. With 0, the VPC gets the endpoints Fargate needs instead.
	// Default: 1. Ignored when VPC is given.
	NATGateways *int
}

// Environment is one deployment target of an app, in its own account and region.
type Environment interface {
	constructs.Construct
	VPC() awsec2.IVpc
	Cluster() awsecs.ICluster
	// TaskSubnets are the private subnets tasks run in.
	TaskSubnets() *awsec2.SubnetSelection
	// TestTaskSecurityGroup is for the temporary integration-test task.
	TestTaskSecurityGroup() awsec2.ISecurityGroup
}

type environment struct {
	constructs.Construct
	vpc        awsec2.IVpc
	cluster    awsecs.ICluster
	subnets    *awsec2.SubnetSelection
	testTaskSG awsec2.ISecurityGroup
}

func (e *environment) VPC() awsec2.IVpc                             { return e.vpc }
func (e *environment) Cluster() awsecs.ICluster                     { return e.cluster }
func (e *environment) TaskSubnets() *awsec2.SubnetSelection         { return e.subnets }
func (e *environment) TestTaskSecurityGroup() awsec2.ISecurityGroup { return e.testTaskSG }

const defaultNATGateways = 1

// NewEnvironment creates one deployment target, or wraps the existing pieces given in props.
func NewEnvironment(scope constructs.Construct, id string, props *EnvironmentProps) (Environment, error) {
	p := *props
	if p.Name == "" {
		return nil, fmt.Errorf("environment %s: Name is required", id)
	}
	if p.Cluster != nil && p.VPC == nil {
		return nil, fmt.Errorf("environment %s: an existing Cluster needs its VPC", id)
	}
	nat := defaultNATGateways
	if p.NATGateways != nil {
		nat = *p.NATGateways
	}
	if nat < 0 || nat > 2 {
		return nil, fmt.Errorf("environment %s: NATGateways must be 0, 1 or 2, got %d", id, nat)
	}
	self := &environment{Construct: constructs.NewConstruct(scope, jsii.String(id))}
	self.vpc, self.subnets = p.VPC, p.TaskSubnets
	if self.vpc == nil {
		self.vpc, self.subnets = newNetwork(self.Construct, nat)
	}
	if self.subnets == nil {
		self.subnets = &awsec2.SubnetSelection{SubnetType: awsec2.SubnetType_PRIVATE_WITH_EGRESS}
	}
	self.cluster = p.Cluster
	if self.cluster == nil {
		self.cluster = awsecs.NewCluster(self.Construct, jsii.String("Cluster"), &awsecs.ClusterProps{
			ClusterName:                    jsii.String(p.Name),
			Vpc:                            self.vpc,
			ContainerInsightsV2:            awsecs.ContainerInsights_ENABLED,
			EnableFargateCapacityProviders: jsii.Bool(true),
		})
	}
	self.testTaskSG = awsec2.NewSecurityGroup(self.Construct, jsii.String("TestTaskSecurityGroup"), &awsec2.SecurityGroupProps{
		Vpc:         self.vpc,
		Description: jsii.String("Temporary integration-test task of " + p.Name + ": no inbound traffic"),
		// The test container pulls images and reaches AWS APIs; it accepts no connections.
		AllowAllOutbound: jsii.Bool(true),
	})
	return self, nil
}
