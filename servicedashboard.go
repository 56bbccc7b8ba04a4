package ecsdelivery

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// newServiceDashboard shows the health of one environment's service: the same load-balancer
// metrics the rollback alarms watch, and the tasks' CPU and memory. It lives in the
// environment's own account, where the metrics are: a dashboard in the pipeline account could
// only show them after CloudWatch cross-account observability is set up for the organisation,
// which is not ours to impose.
func newServiceDashboard(scope constructs.Construct, t *deployTarget, cluster awsecs.ICluster, alarms []awscloudwatch.Alarm, p *EnvironmentProps) awscloudwatch.Dashboard {
	metric := func(namespace, name, statistic, label string, dims map[string]*string) awscloudwatch.IMetric {
		return perMinute(namespace, name, statistic, dims).With(&awscloudwatch.MetricOptions{Label: jsii.String(label)})
	}
	lb, group := t.loadBalancerDimensions(), t.targetGroupDimensions
	ecs := map[string]*string{"ClusterName": cluster.ClusterName(), "ServiceName": jsii.String(t.serviceName)}
	d := &p.Deployment
	return awscloudwatch.NewDashboard(scope, jsii.String("Dashboard"), &awscloudwatch.DashboardProps{
		DashboardName: jsii.String(dashboardName(p.Name)),
		Widgets: &[]*[]awscloudwatch.IWidget{
			{
				awscloudwatch.NewTextWidget(&awscloudwatch.TextWidgetProps{
					Markdown: jsii.String(fmt.Sprintf("# %s\nService health. A deployment rolls back while an alarm on the right fires "+
						"(5xx ≥ %d/min, unhealthy hosts ≥ %d, p99 ≥ %d ms).", p.Name, d.Target5xxPerMinute, d.UnhealthyHosts, d.LatencyP99Milliseconds)),
					Width: jsii.Number(12), Height: jsii.Number(3),
				}),
				awscloudwatch.NewAlarmStatusWidget(&awscloudwatch.AlarmStatusWidgetProps{
					Title: jsii.String("Rollback alarms"), Alarms: alarmRefs(alarms), Width: jsii.Number(12), Height: jsii.Number(3),
				}),
			},
			{
				graph("Requests", metric("AWS/ApplicationELB", "RequestCount", "Sum", "requests", lb)),
				graph("Target 5xx", metric("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "Sum", "5xx", lb)),
				graph("p99 latency (s)", metric("AWS/ApplicationELB", "TargetResponseTime", "p99", "p99", lb)),
			},
			{
				graph("Healthy hosts",
					metric("AWS/ApplicationELB", "HealthyHostCount", "Minimum", "blue", group(0)),
					metric("AWS/ApplicationELB", "HealthyHostCount", "Minimum", "green", group(1))),
				graph("CPU (%)", metric("AWS/ECS", "CPUUtilization", "Average", "cpu", ecs)),
				graph("Memory (%)", metric("AWS/ECS", "MemoryUtilization", "Average", "memory", ecs)),
			},
		},
	})
}
