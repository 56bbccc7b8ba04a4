package preflight

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/ecsdelivery/ecsdelivery/config"
	"github.com/ecsdelivery/ecsdelivery/spec"
)

// imports checks an environment's imported infrastructure, each piece on its own so one
// failure hides nothing else.
func (r *run) imports(e *config.Environment) []check {
	t := r.envTarget(e)
	im := e.Import
	prefix := fmt.Sprintf("import %s: ", e.Name)
	cs := []check{
		{t.account, func(ctx context.Context) []Result { return r.importNetwork(ctx, t, prefix, im) }},
		{t.account, func(ctx context.Context) []Result { return r.importCluster(ctx, t, prefix, im) }},
		{t.account, func(ctx context.Context) []Result { return r.importService(ctx, t, prefix, im, e.Deployment.Engine) }},
		{t.account, func(ctx context.Context) []Result {
			return r.importLoadBalancer(ctx, t, prefix, im, e.Deployment.Engine)
		}},
	}
	if im.DeployRoleARN != "" {
		cs = append(cs, check{t.account, func(ctx context.Context) []Result {
			subject := prefix + "deploy role " + im.DeployRoleARN
			role := im.DeployRoleARN[strings.LastIndex(im.DeployRoleARN, "/")+1:]
			_, err := iam.NewFromConfig(r.awsCfg(t)).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(role)})
			switch {
			case code(err) == "NoSuchEntity":
				return []Result{{Fail, subject, "not found in account " + t.account + ": create it, or remove import.deployRoleArn to have the stack create one"}}
			case err != nil:
				return []Result{{Fail, subject, "cannot check: " + short(err)}}
			}
			return []Result{{OK, subject, "exists"}}
		}})
	}
	return cs
}

func (r *run) importNetwork(ctx context.Context, t target, prefix string, im *config.Import) []Result {
	ec := ec2.NewFromConfig(r.awsCfg(t))
	subject := prefix + "vpc " + im.VPCID
	var out []Result
	vpcs, err := ec.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{im.VPCID}})
	switch {
	case strings.HasSuffix(code(err), ".NotFound") || err == nil && len(vpcs.Vpcs) == 0:
		out = append(out, Result{Fail, subject, fmt.Sprintf("not found in %s: correct import.vpcId", t)})
	case err != nil:
		out = append(out, Result{Fail, subject, "cannot check: " + short(err)})
	default:
		out = append(out, Result{OK, subject, "exists"})
	}
	for _, id := range im.SubnetIDs {
		subject := prefix + "subnet " + id
		subnets, err := ec.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{SubnetIds: []string{id}})
		switch {
		case strings.HasSuffix(code(err), ".NotFound") || err == nil && len(subnets.Subnets) == 0:
			out = append(out, Result{Fail, subject, fmt.Sprintf("not found in %s: correct import.subnetIds", t)})
		case err != nil:
			out = append(out, Result{Fail, subject, "cannot check: " + short(err)})
		case aws.ToString(subnets.Subnets[0].VpcId) != im.VPCID:
			out = append(out, Result{Fail, subject, fmt.Sprintf("is in vpc %s, but import.vpcId is %s: name subnets of one VPC", aws.ToString(subnets.Subnets[0].VpcId), im.VPCID)})
		default:
			out = append(out, Result{OK, subject, "in vpc " + im.VPCID})
		}
	}
	return out
}

func (r *run) importCluster(ctx context.Context, t target, prefix string, im *config.Import) []Result {
	subject := prefix + "cluster " + im.ClusterARN
	out, err := ecs.NewFromConfig(r.awsCfg(t)).DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: []string{im.ClusterARN}})
	switch {
	case err != nil && code(err) != "ClusterNotFoundException":
		return []Result{{Fail, subject, "cannot check: " + short(err)}}
	case err != nil || len(out.Clusters) == 0:
		return []Result{{Fail, subject, fmt.Sprintf("not found in %s: correct import.clusterArn", t)}}
	}
	if s := aws.ToString(out.Clusters[0].Status); s != "ACTIVE" {
		return []Result{{Fail, subject, fmt.Sprintf("is %s, not ACTIVE: name an active cluster in import.clusterArn", s)}}
	}
	return []Result{{OK, subject, "ACTIVE"}}
}

// wantController is the deployment controller an engine shifts traffic with.
func wantController(engine string) ecstypes.DeploymentControllerType {
	if engine == "ecs" {
		return ecstypes.DeploymentControllerTypeEcs
	}
	return ecstypes.DeploymentControllerTypeCodeDeploy
}

func (r *run) importService(ctx context.Context, t target, prefix string, im *config.Import, engine string) []Result {
	subject := prefix + "service " + im.ServiceName
	out, err := ecs.NewFromConfig(r.awsCfg(t)).DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String(im.ClusterARN), Services: []string{im.ServiceName}})
	switch {
	case code(err) == "ClusterNotFoundException":
		return []Result{{Fail, subject, "cannot be found: its cluster " + im.ClusterARN + " does not exist"}}
	case err != nil:
		return []Result{{Fail, subject, "cannot check: " + short(err)}}
	case len(out.Services) == 0:
		return []Result{{Fail, subject, fmt.Sprintf("not found in cluster %s: correct import.serviceName", im.ClusterARN)}}
	}
	svc := out.Services[0]
	if s := aws.ToString(svc.Status); s != "ACTIVE" {
		return []Result{{Fail, subject, fmt.Sprintf("is %s in cluster %s: name an active service in import.serviceName", s, im.ClusterARN)}}
	}
	got := ecstypes.DeploymentControllerTypeEcs // ECS's default when none is set
	if svc.DeploymentController != nil && svc.DeploymentController.Type != "" {
		got = svc.DeploymentController.Type
	}
	if want := wantController(engine); got != want {
		return []Result{{Fail, subject, fmt.Sprintf("uses the %s deployment controller, but deployment.engine %s needs %s: recreate the service with deploymentController %s, or change deployment.engine", got, engine, want, want)}}
	}
	return []Result{{OK, subject, fmt.Sprintf("ACTIVE, deployment controller %s (engine %s)", got, engine)}}
}

func (r *run) importLoadBalancer(ctx context.Context, t target, prefix string, im *config.Import, engine string) []Result {
	client := elb.NewFromConfig(r.awsCfg(t))
	var out []Result
	type piece struct{ field, arn string }
	var pieces []piece
	if engine == "ecs" {
		pieces = []piece{{"import.listenerRuleArn", im.ListenerRuleARN}, {"import.testListenerRuleArn", im.TestListenerRuleARN}}
	} else {
		pieces = []piece{{"import.listenerArn", im.ListenerARN}, {"import.testListenerArn", im.TestListenerARN}}
	}
	// The load balancer of each listener (or rule) found.
	var lbs []piece
	for _, p := range pieces {
		if p.arn == "" {
			continue
		}
		kind := "listener"
		listener := p.arn
		if engine == "ecs" {
			kind = "listener rule"
			subject := prefix + kind + " " + p.arn
			rules, err := client.DescribeRules(ctx, &elb.DescribeRulesInput{RuleArns: []string{p.arn}})
			switch {
			case code(err) == "RuleNotFound" || err == nil && len(rules.Rules) == 0:
				out = append(out, Result{Fail, subject, fmt.Sprintf("not found in %s: correct %s", t, p.field)})
				continue
			case err != nil:
				out = append(out, Result{Fail, subject, "cannot check: " + short(err)})
				continue
			}
			listener = spec.ListenerOfRule(p.arn)
		}
		subject := prefix + kind + " " + p.arn
		ls, err := client.DescribeListeners(ctx, &elb.DescribeListenersInput{ListenerArns: []string{listener}})
		switch {
		case code(err) == "ListenerNotFound" || err == nil && len(ls.Listeners) == 0:
			out = append(out, Result{Fail, subject, fmt.Sprintf("not found in %s: correct %s", t, p.field)})
			continue
		case err != nil:
			out = append(out, Result{Fail, subject, "cannot check: " + short(err)})
			continue
		}
		lb := aws.ToString(ls.Listeners[0].LoadBalancerArn)
		lbs = append(lbs, piece{p.field, lb})
		out = append(out, Result{OK, subject, "exists, on load balancer " + lb})
	}
	if len(lbs) == 2 && lbs[0].arn != lbs[1].arn {
		out = append(out, Result{Fail, prefix + "load balancer", fmt.Sprintf("%s is on %s but %s is on %s: both must be on one load balancer", lbs[0].field, lbs[0].arn, lbs[1].field, lbs[1].arn)})
	}
	lb := ""
	if len(lbs) > 0 {
		lb = lbs[0].arn
	}
	for i, arn := range im.TargetGroupARNs {
		subject := prefix + "target group " + arn
		tgs, err := client.DescribeTargetGroups(ctx, &elb.DescribeTargetGroupsInput{TargetGroupArns: []string{arn}})
		switch {
		case code(err) == "TargetGroupNotFound" || err == nil && len(tgs.TargetGroups) == 0:
			out = append(out, Result{Fail, subject, fmt.Sprintf("not found in %s: correct import.targetGroupArns[%d]", t, i)})
			continue
		case err != nil:
			out = append(out, Result{Fail, subject, "cannot check: " + short(err)})
			continue
		}
		attached := unique(tgs.TargetGroups[0].LoadBalancerArns)
		switch {
		case len(attached) == 0:
			out = append(out, Result{Warn, subject, "exists but no listener forwards to it yet: attach it to a listener of " + orUnknown(lb)})
		case lb != "" && !slices.Contains(attached, lb):
			out = append(out, Result{Fail, subject, fmt.Sprintf("belongs to load balancer %s, but the listeners are on %s: name target groups of the listeners' load balancer", strings.Join(attached, ", "), lb)})
		default:
			out = append(out, Result{OK, subject, "exists, on load balancer " + strings.Join(attached, ", ")})
		}
	}
	return out
}

func orUnknown(s string) string {
	if s == "" {
		return "the listeners' load balancer"
	}
	return s
}

// unique is list without repeats, in order.
func unique(list []string) []string {
	var out []string
	for _, s := range list {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
