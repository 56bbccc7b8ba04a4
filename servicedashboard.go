package ecsdelivery

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecs"
	"github.com/aws/aws-cdk-go/awscdk/v2/interfaces/interfacesawscloudwatch"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// newServiceDashboard shows the health of one environment's service: the same load-balancer
// metrics the rollback alarms watch, and the tasks' CPU and memory. It lives in the
// environment's own account, where the metrics are: a dashboard in the pipeline account could
// only show them after CloudWatch cross-account observability is set up for the organisation,
// which is not ours to impose.
func newServiceDashboard(scope constructs.Construct, t *deployTarget, cluster awsecs.ICluster, alarms []awscloudwatch.Alarm, p *EnvironmentProps) awscloudwatch.Dashboard {
	minute := awscdk.Duration_Minutes(jsii.Number(1))
	metric := func(namespace, name, statistic, label string, dims map[string]*string) awscloudwatch.IMetric {
		return awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
			Namespace: jsii.String(namespace), MetricName: jsii.String(name), DimensionsMap: &dims,
			Statistic: jsii.String(statistic), Period: minute, Label: jsii.String(label),
		})
	}
	lb := map[string]*string{"LoadBalancer": jsii.String(t.loadBalancerName)}
	group := func(i int) map[string]*string {
		return map[string]*string{"LoadBalancer": jsii.String(t.loadBalancerName), "TargetGroup": jsii.String(t.targetGroupNames[i])}
	}
	ecs := map[string]*string{"ClusterName": cluster.ClusterName(), "ServiceName": jsii.String(t.serviceName)}
	graph := func(title string, metrics ...awscloudwatch.IMetric) awscloudwatch.IWidget {
		return awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{
			Title: jsii.String(title), Left: &metrics, Width: jsii.Number(8), Height: jsii.Number(6),
		})
	}
	alarmRefs := make([]interfacesawscloudwatch.IAlarmRef, len(alarms))
	for i, a := range alarms {
		alarmRefs[i] = a
	}
	d := &p.Deployment
	return awscloudwatch.NewDashboard(scope, jsii.String("Dashboard"), &awscloudwatch.DashboardProps{
		DashboardName: jsii.String(DashboardName(p.Name)),
		Widgets: &[]*[]awscloudwatch.IWidget{
			{
				awscloudwatch.NewTextWidget(&awscloudwatch.TextWidgetProps{
					Markdown: jsii.String(fmt.Sprintf("# %s\nService health. A deployment rolls back while an alarm on the right fires "+
						"(5xx ≥ %d/min, unhealthy hosts ≥ %d, p99 ≥ %d ms).", p.Name, d.Target5xxPerMinute, d.UnhealthyHosts, d.LatencyP99Milliseconds)),
					Width: jsii.Number(12), Height: jsii.Number(3),
				}),
				awscloudwatch.NewAlarmStatusWidget(&awscloudwatch.AlarmStatusWidgetProps{
					Title: jsii.String("Rollback alarms"), Alarms: &alarmRefs, Width: jsii.Number(12), Height: jsii.Number(3),
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
