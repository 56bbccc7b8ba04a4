package ecsdelivery

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsssm"
	"github.com/aws/jsii-runtime-go"
)

// The four DORA measures are computed by the notifier from the pipeline's own events (see
// notifier/notify.js and the README's "DORA metrics"): it needs the commit's time, which the
// build exports, and a little state per environment (the last successful deploy, the start of a
// failure), which lives in one Parameter Store parameter each.

const (
	// commitAuthorDateVariable hands the source action's AuthorDate (ISO 8601, the commit's
	// author time as GitHub reports it) to the build.
	commitAuthorDateVariable = "COMMIT_AUTHOR_DATE"
	// commitTimeVariable is the build's exported variable: that time in UTC, or "unknown".
	commitTimeVariable = "COMMIT_TIME"
	// commitTimeCommand sets commitTimeVariable. It runs in the buildspec's own shell, since
	// only that shell's variables can be exported, and never fails the build: a time it cannot
	// read is "unknown" (the lead time is then left out), never today's date, which is what
	// `date -d ""` would give. (Both source actions always emit AuthorDate; CodePipeline itself
	// fails an action whose variable cannot be resolved.)
	commitTimeCommand = `if [ -n "${COMMIT_AUTHOR_DATE:-}" ] && t=$(date -u -d "$COMMIT_AUTHOR_DATE" +%Y-%m-%dT%H:%M:%SZ 2>/dev/null); ` +
		`then export COMMIT_TIME="$t"; else export COMMIT_TIME=unknown; fi`
)

// doraStatePrefix is where the notifier keeps each environment's state: <prefix><environment>.
func doraStatePrefix(pipeline string) string { return "/ecsdelivery/" + pipeline + "/dora/" }

// newDoraState creates each environment's state parameter, starting empty, and lets the
// notifier read and write those parameters only. (It reads the commit's time, and whether a
// failed stage's deployment ran, from this pipeline's action executions: newNotifierRole.)
func (pl *pipeline) newDoraState(role awsiam.Role) {
	scope, p := pl.Construct, pl.props
	arns := make([]string, len(p.Targets))
	for i, t := range p.Targets {
		name := doraStatePrefix(p.Name) + t.Environment
		// The notifier overwrites the value; CloudFormation writes it only when the resource
		// itself changes, which would restart the measures from an empty state, nothing worse.
		// Named by its environment, not its place: adding or reordering environments must not
		// move a parameter's name under another logical id (a replacement that collides).
		awsssm.NewStringParameter(scope, jsii.String("DoraState"+pascal(t.Environment)), &awsssm.StringParameterProps{
			ParameterName: jsii.String(name),
			StringValue:   jsii.String("{}"),
			Description:   jsii.String("DORA state of " + p.Name + " in " + t.Environment + ", kept by the notifier"),
		})
		arns[i] = stackARN(scope, "ssm", "parameter"+name)
	}
	role.AddToPolicy(statement("KeepTheDoraState", []string{"ssm:GetParameter", "ssm:PutParameter"}, arns, nil))
}

// doraSettings are the notifier's DORA settings.
func (pl *pipeline) doraSettings() map[string]*string {
	p := pl.props
	actions := map[string]string{}
	for i := range p.Targets {
		t := &p.Targets[i]
		actions[deployStageName(t.Environment)] = deployActionName(t)
	}
	actionsJSON, _ := json.Marshal(actions) // a map of strings always marshals
	return map[string]*string{
		"DEPLOY_ACTIONS":              jsii.String(string(actionsJSON)),
		"BUILD_STAGE":                 jsii.String(stageBuild),
		"BUILD_ACTION":                jsii.String(buildActionName),
		"DORA_STATE_PREFIX":           jsii.String(doraStatePrefix(p.Name)),
		"CHANGE_FAILURE_WINDOW_HOURS": jsii.String(strconv.Itoa(p.ChangeFailureWindowHours)),
	}
}

// doraWidgets show the four measures, one line per environment: deployment frequency per day
// and per week, lead time for changes and time to restore in hours, and the change failure rate
// over each week.
func doraWidgets(p *PipelineProps) []awscloudwatch.IWidget {
	day, week := awscdk.Duration_Days(jsii.Number(1)), awscdk.Duration_Days(jsii.Number(7))
	var perDay, perWeek, leadTime, failureRate, restore []awscloudwatch.IMetric
	for i, t := range p.Targets {
		env := map[string]string{"Environment": t.Environment}
		metric := func(name, statistic string, period awscdk.Duration) awscloudwatch.Metric {
			return pipelineMetric(p, name, statistic, period, env)
		}
		n := strconv.Itoa(i)
		// The notifier publishes seconds; a week's lead times read better in hours.
		hours := func(name, id, statistic, label string) awscloudwatch.IMetric {
			return awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
				Expression:   jsii.String(id + n + " / 3600"),
				UsingMetrics: &map[string]awscloudwatch.IMetric{id + n: metric(name, statistic, week)},
				Label:        jsii.String(t.Environment + " " + label), Period: week,
			})
		}
		perDay = append(perDay, metric("DeploymentFrequency", "Sum", day).With(&awscloudwatch.MetricOptions{Label: jsii.String(t.Environment)}))
		perWeek = append(perWeek, metric("DeploymentFrequency", "Sum", week).With(&awscloudwatch.MetricOptions{Label: jsii.String(t.Environment)}))
		leadTime = append(leadTime, hours("LeadTimeForChanges", "la", "Average", "average"), hours("LeadTimeForChanges", "lm", "Maximum", "longest"))
		restore = append(restore, hours("TimeToRestore", "ra", "Average", "average"), hours("TimeToRestore", "rm", "Maximum", "longest"))
		failureRate = append(failureRate, awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
			// No deploys in a week is no rate, not 0 %: the division then yields no point.
			Expression: jsii.String(fmt.Sprintf("100 * FILL(f%s, 0) / d%s", n, n)),
			UsingMetrics: &map[string]awscloudwatch.IMetric{
				"f" + n: metric("ChangeFailures", "Sum", week), "d" + n: metric("Deployments", "Sum", week),
			},
			Label: jsii.String(t.Environment), Period: week,
		}))
	}
	about := awscloudwatch.NewTextWidget(&awscloudwatch.TextWidgetProps{
		Markdown: jsii.String("## DORA measures\nFrom this pipeline's own events, per environment: a deploy is a " +
			"Deploy stage that ran its deployment; a failed change one rolled back, or followed within " +
			strconv.Itoa(p.ChangeFailureWindowHours) + " h by a rollback or a failed deploy. How each is computed, and " +
			"what it cannot see: the ecsdelivery README, \"DORA metrics\"."),
		Width: jsii.Number(8), Height: jsii.Number(6),
	})
	return []awscloudwatch.IWidget{
		about,
		doraGraph("Deployment frequency (deploys per day)", "-P30D", perDay),
		doraGraph("Deployment frequency (deploys per week)", "-P12W", perWeek),
		doraGraph("Lead time for changes (hours, weekly)", "-P12W", leadTime),
		doraGraph("Change failure rate (%, weekly)", "-P12W", failureRate),
		doraGraph("Time to restore (hours, weekly)", "-P12W", restore),
	}
}

// doraGraph shows weeks or days whatever the dashboard's range: the measures are trends, and
// the dashboard opens on its last three hours.
func doraGraph(title, start string, metrics []awscloudwatch.IMetric) awscloudwatch.IWidget {
	return awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{
		Title: jsii.String(title), Left: &metrics, Width: jsii.Number(8), Height: jsii.Number(6), Start: jsii.String(start),
	})
}
