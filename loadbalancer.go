package ecsdelivery

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	elb "github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// loadBalancer is the created load balancer with the two listeners and two target groups that
// CodeDeploy swaps between.
type loadBalancer struct {
	alb                    elb.ApplicationLoadBalancer
	securityGroup          awsec2.SecurityGroup
	listener, testListener elb.ApplicationListener
	blue, green            elb.ApplicationTargetGroup
}

func newLoadBalancer(scope constructs.Construct, vpc awsec2.IVpc, p *EnvironmentProps) *loadBalancer {
	lb := &loadBalancer{}
	lb.securityGroup = awsec2.NewSecurityGroup(scope, jsii.String("LoadBalancerSecurityGroup"), &awsec2.SecurityGroupProps{
		Vpc:         vpc,
		Description: jsii.String("Load balancer of " + p.Name + ": listener ports in, task port out"),
		// Outbound is opened only towards the tasks, by the service.
		AllowAllOutbound: jsii.Bool(false),
	})
	subnets := &awsec2.SubnetSelection{SubnetType: awsec2.SubnetType_PUBLIC}
	if p.LoadBalancer.Internal {
		subnets = &awsec2.SubnetSelection{SubnetGroupName: jsii.String("Private")}
	}
	lb.alb = elb.NewApplicationLoadBalancer(scope, jsii.String("LoadBalancer"), &elb.ApplicationLoadBalancerProps{
		Vpc:                     vpc,
		InternetFacing:          jsii.Bool(!p.LoadBalancer.Internal),
		SecurityGroup:           lb.securityGroup,
		VpcSubnets:              subnets,
		DropInvalidHeaderFields: jsii.Bool(true),
	})
	logs := newAccessLogBucket(scope)
	suppress(logs, "AwsSolutions-S1", "This bucket holds the access logs of the load balancer of "+p.Name+
		"; logging access to the access logs would need yet another bucket, without end")
	lb.alb.LogAccessLogs(logs, jsii.String(p.Name))

	lb.blue = newTargetGroup(scope, "BlueTargetGroup", vpc, &p.Service)
	lb.green = newTargetGroup(scope, "GreenTargetGroup", vpc, &p.Service)

	clients := awsec2.Peer_AnyIpv4()
	if p.LoadBalancer.Internal {
		clients = awsec2.Peer_Ipv4(vpc.VpcCidrBlock())
	} else {
		suppress(lb.securityGroup, "AwsSolutions-EC23", "The internet-facing load balancer of "+p.Name+
			" serves its production listener (80, or 443 with 80 redirecting) to anyone; the test listener admits the VPC only (its range and its NAT gateways' addresses)")
	}
	lb.addProductionListeners(scope, clients, p)
	lb.addTestListener(vpc, p)
	return lb
}

// addProductionListeners serves clients on 80, or HTTPS on 443 with a certificate (80 then
// redirects), forwarding to blue until CodeDeploy takes the listener over.
func (lb *loadBalancer) addProductionListeners(scope constructs.Construct, clients awsec2.IPeer, p *EnvironmentProps) {
	if arn := p.LoadBalancer.CertificateARN; arn != "" {
		lb.listener = lb.alb.AddListener(jsii.String("HttpsListener"), &elb.BaseApplicationListenerProps{
			Port: jsii.Number(443), Protocol: elb.ApplicationProtocol_HTTPS, Open: jsii.Bool(false),
			Certificates:  &[]elb.IListenerCertificate{elb.ListenerCertificate_FromArn(jsii.String(arn))},
			SslPolicy:     elb.SslPolicy_RECOMMENDED_TLS,
			DefaultAction: elb.ListenerAction_Forward(&[]elb.IApplicationTargetGroup{lb.blue}, nil),
		})
		lb.alb.AddListener(jsii.String("HttpRedirect"), &elb.BaseApplicationListenerProps{
			Port: jsii.Number(80), Protocol: elb.ApplicationProtocol_HTTP, Open: jsii.Bool(false),
			DefaultAction: elb.ListenerAction_Redirect(&elb.RedirectOptions{
				Protocol: jsii.String("HTTPS"), Port: jsii.String("443"), Permanent: jsii.Bool(true),
			}),
		})
		lb.securityGroup.AddIngressRule(clients, awsec2.Port_Tcp(jsii.Number(443)), jsii.String("HTTPS from clients"), nil)
	} else {
		lb.listener = lb.alb.AddListener(jsii.String("HttpListener"), &elb.BaseApplicationListenerProps{
			Port: jsii.Number(80), Protocol: elb.ApplicationProtocol_HTTP, Open: jsii.Bool(false),
			DefaultAction: elb.ListenerAction_Forward(&[]elb.IApplicationTargetGroup{lb.blue}, nil),
		})
	}
	lb.securityGroup.AddIngressRule(clients, awsec2.Port_Tcp(jsii.Number(80)), jsii.String("HTTP from clients"), nil)
}

// addTestListener is where CodeDeploy sends test traffic before shifting production; only the
// VPC reaches it.
func (lb *loadBalancer) addTestListener(vpc awsec2.IVpc, p *EnvironmentProps) {
	testPort := p.LoadBalancer.TestListenerPort
	lb.testListener = lb.alb.AddListener(jsii.String("TestListener"), &elb.BaseApplicationListenerProps{
		Port: jsii.Number(testPort), Protocol: elb.ApplicationProtocol_HTTP, Open: jsii.Bool(false),
		DefaultAction: elb.ListenerAction_Forward(&[]elb.IApplicationTargetGroup{lb.blue}, nil),
	})
	lb.securityGroup.AddIngressRule(awsec2.Peer_Ipv4(vpc.VpcCidrBlock()), awsec2.Port_Tcp(jsii.Number(testPort)),
		jsii.String("Test traffic from inside the VPC"), nil)
	if !p.LoadBalancer.Internal {
		// An internet-facing load balancer's name resolves to public addresses, so traffic from
		// the private subnets arrives from the NAT gateways' addresses, not from the VPC's range.
		for i, ip := range natAddresses(vpc) {
			lb.securityGroup.AddIngressRule(awsec2.Peer_Ipv4(awscdk.Fn_Join(jsii.String(""), &[]*string{ip, jsii.String("/32")})),
				awsec2.Port_Tcp(jsii.Number(testPort)), jsii.String(fmt.Sprintf("Test traffic from inside the VPC, through NAT gateway %d", i+1)), nil)
		}
	}
}

// natAddresses returns the public addresses of the NAT gateways CDK made in the VPC's public
// subnets (none for an imported VPC, whose gateways this stack cannot know).
func natAddresses(vpc awsec2.IVpc) []*string {
	var ips []*string
	for _, subnet := range *vpc.PublicSubnets() {
		if eip, ok := subnet.Node().TryFindChild(jsii.String("EIP")).(awscdk.CfnResource); ok {
			ips = append(ips, awscdk.Token_AsString(eip.GetAtt(jsii.String("PublicIp"), awscdk.ResolutionTypeHint_STRING), nil))
		}
	}
	return ips
}

// newTargetGroup creates one of the two target groups. Its health check decides in seconds, not
// minutes, because every deployment waits for it.
func newTargetGroup(scope constructs.Construct, id string, vpc awsec2.IVpc, s *ServiceOptions) elb.ApplicationTargetGroup {
	interval := s.HealthCheckIntervalSeconds
	timeout := max(2, min(5, interval-1)) // must be below the interval
	return elb.NewApplicationTargetGroup(scope, jsii.String(id), &elb.ApplicationTargetGroupProps{
		Vpc:        vpc,
		Port:       jsii.Number(s.ContainerPort),
		Protocol:   elb.ApplicationProtocol_HTTP,
		TargetType: elb.TargetType_IP,
		HealthCheck: &elb.HealthCheck{
			Path:                    jsii.String(s.HealthCheckPath),
			Interval:                awscdk.Duration_Seconds(jsii.Number(interval)),
			Timeout:                 awscdk.Duration_Seconds(jsii.Number(timeout)),
			HealthyThresholdCount:   jsii.Number(s.HealthyThresholdCount),
			UnhealthyThresholdCount: jsii.Number(2),
			HealthyHttpCodes:        jsii.String("200-299"),
		},
		DeregistrationDelay: awscdk.Duration_Seconds(jsii.Number(*s.DeregistrationDelaySeconds)),
	})
}

// newAccessLogBucket holds the load balancer's access logs. ALB log delivery supports only
// S3-managed encryption, not KMS.
func newAccessLogBucket(scope constructs.Construct) awss3.IBucket {
	return awss3.NewBucket(scope, jsii.String("AccessLogs"), &awss3.BucketProps{
		Encryption:        awss3.BucketEncryption_S3_MANAGED,
		EnforceSSL:        jsii.Bool(true),
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		ObjectOwnership:   awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED,
		// Versioned, so a deleted or overwritten log survives a day.
		Versioned: jsii.Bool(true),
		LifecycleRules: &[]*awss3.LifecycleRule{{
			Id:                          jsii.String("ExpireAccessLogs"),
			Expiration:                  awscdk.Duration_Days(jsii.Number(90)),
			NoncurrentVersionExpiration: awscdk.Duration_Days(jsii.Number(1)),
		}},
	})
}
