package ecsdelivery

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodebuild"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// newPipelineDashboard shows whether releases flow: executions and their duration, each
// CodeBuild project's duration and failures, deployments per environment, the alarms, and the
// four DORA measures. Each
// environment's service health is on that environment's own dashboard, in its own account;
// this one links to them.
func newPipelineDashboard(scope constructs.Construct, p *PipelineProps, projects map[string]awscodebuild.IProject, alarms []awscloudwatch.Alarm) awscloudwatch.Dashboard {
	hour := awscdk.Duration_Hours(jsii.Number(1))
	labelled := func(m awscloudwatch.Metric, label string) awscloudwatch.IMetric {
		return m.With(&awscloudwatch.MetricOptions{Label: jsii.String(label)})
	}
	executions := []awscloudwatch.IMetric{
		labelled(pipelineMetric(p, "ExecutionsSucceeded", "Sum", hour, nil), "succeeded"),
		labelled(pipelineMetric(p, "ExecutionsFailed", "Sum", hour, nil), "failed"),
	}
	duration := []awscloudwatch.IMetric{
		labelled(pipelineMetric(p, "ExecutionDuration", "Average", hour, nil), "average (s)"),
		labelled(pipelineMetric(p, "ExecutionDuration", "Maximum", hour, nil), "longest (s)"),
	}
	var buildDuration, buildFailures []awscloudwatch.IMetric
	for _, id := range []string{"build", "scan", "integration-test"} {
		project, ok := projects[id]
		if !ok {
			continue
		}
		buildDuration = append(buildDuration, project.MetricDuration(&awscloudwatch.MetricOptions{Period: hour, Statistic: jsii.String("Average"), Label: jsii.String(id)}))
		buildFailures = append(buildFailures, project.MetricFailedBuilds(&awscloudwatch.MetricOptions{Period: hour, Statistic: jsii.String("Sum"), Label: jsii.String(id)}))
	}
	var succeeded, rolledBack []awscloudwatch.IMetric
	links := []string{"# " + p.Name, "Releases of " + p.App + ". Service health, per environment, is on each environment's dashboard:", ""}
	for _, t := range p.Targets {
		env := map[string]string{"Environment": t.Environment}
		succeeded = append(succeeded, labelled(pipelineMetric(p, "DeploymentsSucceeded", "Sum", hour, env), t.Environment))
		rolledBack = append(rolledBack, labelled(pipelineMetric(p, "DeploymentsRolledBack", "Sum", hour, env), t.Environment))
		links = append(links, fmt.Sprintf("- [%s](%s/cloudwatch/home?region=%s#dashboards/dashboard/%s) (account %s, %s)",
			t.Environment, consoleURL(t.Region), t.Region, url.PathEscape(dashboardName(t.Name)), t.Account, t.Region))
	}
	dora := doraWidgets(p)
	doraRow1, doraRow2 := dora[:3], dora[3:]
	return awscloudwatch.NewDashboard(scope, jsii.String("Dashboard"), &awscloudwatch.DashboardProps{
		DashboardName: jsii.String(dashboardName(p.Name)),
		Widgets: &[]*[]awscloudwatch.IWidget{
			{
				awscloudwatch.NewTextWidget(&awscloudwatch.TextWidgetProps{
					Markdown: jsii.String(strings.Join(links, "\n")), Width: jsii.Number(12), Height: jsii.Number(4),
				}),
				awscloudwatch.NewAlarmStatusWidget(&awscloudwatch.AlarmStatusWidgetProps{
					Title: jsii.String("Alarms"), Alarms: alarmRefs(alarms), Width: jsii.Number(12), Height: jsii.Number(4),
				}),
			},
			{graph("Pipeline executions", executions...), graph("Pipeline duration", duration...), graph("Build duration (s)", buildDuration...)},
			{graph("Build failures", buildFailures...), graph("Deployments succeeded", succeeded...), graph("Deployments rolled back", rolledBack...)},
			&doraRow1, &doraRow2,
		},
	})
}
