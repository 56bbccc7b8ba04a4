package ecsdelivery

import (
	"encoding/json"
	"fmt"
	"maps"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/ecsdelivery/ecsdelivery/notifier"
)

// metricsNamespace holds the pipeline metrics the notifier publishes: CodePipeline and
// CodeDeploy publish none of their own.
const metricsNamespace = "ecsdelivery"

// newNotifier creates the function that turns the pipeline's state changes into metrics
// (executions, their duration, deployments per environment, the four DORA measures) and into
// messages on the topic:
// a stage failed, or a release reached the last environment. Approval requests reach the topic
// from the approval action itself. A person reads these, so they are text naming the app,
// stage, commit and execution, not event JSON, which is why a function sits between the events
// and the topic.
func (pl *pipeline) newNotifier() *notifierParts {
	scope, p, ops := pl.Construct, pl.props, pl.ops
	name := Name(p.Name, "notifier")
	role, logs := pl.newNotifierRole(name)
	deployStages := map[string]string{}
	for _, t := range p.Targets {
		deployStages[deployStageName(t.Environment)] = t.Environment
	}
	stages, _ := json.Marshal(deployStages)
	dlq := pl.newNotifierDeadLetters()
	settings := pl.doraSettings()
	maps.Copy(settings, map[string]*string{
		"APP":                 jsii.String(p.App),
		"PIPELINE":            jsii.String(p.Name),
		"TOPIC_ARN":           ops.topic.TopicArn(),
		"RELEASE_ENVIRONMENT": jsii.String(p.Targets[len(p.Targets)-1].Environment),
		"DEPLOY_STAGES":       jsii.String(string(stages)),
	})
	pl.newDoraState(role)
	fn := nodeFunction(scope, "Notifier", notifier.Code, awslambda.FunctionProps{
		DeadLetterQueue: dlq,
		FunctionName:    jsii.String(name),
		Description:     jsii.String("Metrics and readable notifications of the pipeline " + p.Name),
		Role:            role,
		LogGroup:        logs,
		Timeout:         awscdk.Duration_Seconds(jsii.Number(30)),
		// A retry would repeat the metrics and messages that did go out; a failure fires the
		// errors alarm instead.
		RetryAttempts: jsii.Number(0),
		Environment:   &settings,
	})
	awsevents.NewRule(scope, jsii.String("PipelineStateChanges"), &awsevents.RuleProps{
		Description: jsii.String("Outcomes of the pipeline " + p.Name + ", its stages and actions"),
		EventPattern: &awsevents.EventPattern{
			Source: jsii.Strings("aws.codepipeline"),
			DetailType: jsii.Strings("CodePipeline Pipeline Execution State Change", "CodePipeline Stage Execution State Change",
				"CodePipeline Action Execution State Change"),
			Detail: &map[string]any{"pipeline": []string{p.Name}, "state": []string{"SUCCEEDED", "FAILED"}},
		},
		Targets: &[]awsevents.IRuleTarget{awseventstargets.NewLambdaFunction(fn, &awseventstargets.LambdaFunctionProps{
			RetryAttempts: jsii.Number(2), MaxEventAge: awscdk.Duration_Hours(jsii.Number(1)), DeadLetterQueue: dlq,
		})},
	})
	return &notifierParts{fn: fn, deadLetters: dlq}
}

// newNotifierRole may read this pipeline's executions and their actions, publish its metrics
// and messages, and write its log group.
func (pl *pipeline) newNotifierRole(name string) (awsiam.Role, awslogs.LogGroup) {
	scope, p, ops := pl.Construct, pl.props, pl.ops
	role := awsiam.NewRole(scope, jsii.String("NotifierRole"), &awsiam.RoleProps{
		RoleName:    jsii.String(name),
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		Description: jsii.String("Publishes the metrics and notifications of the pipeline " + p.Name),
	})
	pipelineARN := stackARN(scope, "codepipeline", p.Name)
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("ReadTheExecutions"),
		Actions:   jsii.Strings("codepipeline:GetPipelineExecution", "codepipeline:ListPipelineExecutions", "codepipeline:ListActionExecutions"),
		Resources: jsii.Strings(pipelineARN),
	}))
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:     jsii.String("PublishPipelineMetrics"),
		Actions: jsii.Strings("cloudwatch:PutMetricData"),
		// PutMetricData has no resource-level permissions; the namespace condition scopes it.
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]any{"StringEquals": map[string]any{"cloudwatch:namespace": metricsNamespace}},
	}))
	ops.topic.GrantPublish(role)
	suppress(role, "AwsSolutions-IAM5", "The notifier of "+p.Name+": cloudwatch:PutMetricData has no resource-level "+
		"permissions (the namespace condition scopes it); publishing to the encrypted topic needs its key's data keys",
		"Resource::*", "Action::kms:GenerateDataKey*")
	logs := ops.logGroup(scope, "NotifierLogs", "notifier", 30, awscdk.RemovalPolicy_DESTROY)
	logs.GrantWrite(role)
	return role, logs
}

// newNotifierDeadLetters keeps the events the notifier could not handle (it threw, or could not
// be invoked); an alarm says so: without them a failed release could pass in silence.
func (pl *pipeline) newNotifierDeadLetters() awssqs.Queue {
	scope, p := pl.Construct, pl.props
	dlq := awssqs.NewQueue(scope, jsii.String("NotifierDeadLetters"), &awssqs.QueueProps{
		QueueName:       jsii.String(Name(p.Name, "notifier-dead-letters")),
		Encryption:      awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL:      jsii.Bool(true),
		RetentionPeriod: awscdk.Duration_Days(jsii.Number(14)),
	})
	suppress(dlq, "AwsSolutions-SQS3", "This queue is the dead-letter queue of the notifier of "+p.Name+
		" (its function's and its event rule's), which cdk-nag cannot see from a queue's own properties")
	return dlq
}

// notifierParts are what the pipeline's alarms watch of the notifier.
type notifierParts struct {
	fn          awslambda.Function
	deadLetters awssqs.Queue
}

// newPipelineAlarms fire when a release fails, when a deployment rolls back, and when the
// notifier itself fails (then the other two go quiet). Each notifies the topic.
func newPipelineAlarms(scope constructs.Construct, p *PipelineProps, ops *operations, n *notifierParts) []awscloudwatch.Alarm {
	fiveMinutes := awscdk.Duration_Minutes(jsii.Number(5))
	alarm := func(id, description string, m awscloudwatch.IMetric) awscloudwatch.Alarm {
		return ops.notify(awscloudwatch.NewAlarm(scope, jsii.String(id), &awscloudwatch.AlarmProps{
			AlarmDescription:   jsii.String(description),
			Metric:             m,
			Threshold:          jsii.Number(1),
			EvaluationPeriods:  jsii.Number(1),
			ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
			TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
		}))
	}
	alarms := []awscloudwatch.Alarm{
		alarm("PipelineFailedAlarm", "A release of "+p.Name+" failed: a build, test, scan or deployment stopped it",
			pipelineMetric(p, "ExecutionsFailed", "Sum", fiveMinutes, nil)),
	}
	for i, t := range p.Targets {
		alarms = append(alarms, alarm(fmt.Sprintf("RolledBack%dAlarm", i), "A deployment of "+p.Name+" to "+t.Environment+" was rolled back",
			pipelineMetric(p, "DeploymentsRolledBack", "Sum", fiveMinutes, map[string]string{"Environment": t.Environment})))
	}
	alarms = append(alarms, alarm("NotifierErrorsAlarm", "The notifier of "+p.Name+" failed: pipeline metrics and messages may be missing",
		n.fn.MetricErrors(&awscloudwatch.MetricOptions{Period: fiveMinutes, Statistic: jsii.String("Sum")})),
		alarm("NotifierDeadLettersAlarm", "Pipeline events of "+p.Name+" that the notifier failed to handle wait in its "+
			"dead-letter queue "+Name(p.Name, "notifier-dead-letters")+": read them there",
			n.deadLetters.MetricApproximateNumberOfMessagesVisible(&awscloudwatch.MetricOptions{Period: fiveMinutes, Statistic: jsii.String("Maximum")})))
	return alarms
}

// pipelineMetric is one of the notifier's metrics of this pipeline.
func pipelineMetric(p *PipelineProps, name, statistic string, period awscdk.Duration, dims map[string]string) awscloudwatch.Metric {
	dimensions := map[string]*string{"Pipeline": jsii.String(p.Name)}
	for k, v := range dims {
		dimensions[k] = jsii.String(v)
	}
	return awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
		Namespace: jsii.String(metricsNamespace), MetricName: jsii.String(name), DimensionsMap: &dimensions,
		Statistic: jsii.String(statistic), Period: period,
	})
}

// nodeFunction is one of the pipeline's small functions: Node.js 24 on arm64, 256 MB, its code
// inline (index.handler), with the role, log group and settings props give.
func nodeFunction(scope constructs.Construct, id, code string, props awslambda.FunctionProps) awslambda.Function {
	props.Runtime = awslambda.Runtime_NODEJS_24_X()
	props.Architecture = awslambda.Architecture_ARM_64()
	props.Handler = jsii.String("index.handler")
	props.Code = awslambda.Code_FromInline(jsii.String(code))
	props.MemorySize = jsii.Number(256)
	return awslambda.NewFunction(scope, jsii.String(id), &props)
}
