package ecsdelivery

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/aws-cdk-go/awscdk/v2/interfaces/interfacesawscloudwatch"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// operations is what every stack of an app uses to be watched: a key for its logs and its topic,
// and the topic its alarms and notifications go to. CloudWatch alarms can only notify a topic in
// their own account, so each account the app runs in has one, with the same subscribers.
type operations struct {
	key   awskms.Key
	topic awssns.Topic
	name  string
}

// newOperations creates the key and topic of one stack; name is its physical-name prefix.
func newOperations(scope constructs.Construct, name string, emails []string) *operations {
	stack := awscdk.Stack_Of(scope)
	key := awskms.NewKey(scope, jsii.String("OperationsKey"), &awskms.KeyProps{
		Alias:             jsii.String("alias/" + name + "-operations"),
		Description:       jsii.String("Encrypts the logs and notifications of " + name),
		EnableKeyRotation: jsii.Bool(true),
	})
	// CloudWatch Logs may use the key for this stack's log groups only; the condition is the one
	// the service documents for key policies.
	key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("EncryptThisStacksLogs"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("logs."+*stack.Region()+"."+*stack.UrlSuffix()), nil)},
		Actions:    jsii.Strings("kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"),
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]any{"ArnLike": map[string]any{"kms:EncryptionContext:aws:logs:arn": []string{
			logGroupARN(stack, logGroupName(name)), logGroupARN(stack, logGroupName(name)+"/*"),
		}}},
	}), jsii.Bool(true))
	// Alarms publish to the encrypted topic as CloudWatch, which needs the data key. The
	// statement is the one CloudWatch documents: a condition here makes alarms fail silently.
	key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("CloudWatchAlarmsNotify"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("cloudwatch.amazonaws.com"), nil)},
		Actions:    jsii.Strings("kms:Decrypt", "kms:GenerateDataKey*"),
		Resources:  jsii.Strings("*"),
	}), jsii.Bool(true))
	topic := awssns.NewTopic(scope, jsii.String("NotificationTopic"), &awssns.TopicProps{
		TopicName:   jsii.String(notificationTopicName(name)),
		DisplayName: jsii.String("ecsdelivery " + name),
		MasterKey:   key,
		EnforceSSL:  jsii.Bool(true),
	})
	// Only this account's alarms may publish as CloudWatch.
	topic.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("AlarmsOfThisAccount"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("cloudwatch.amazonaws.com"), nil)},
		Actions:    jsii.Strings("sns:Publish"),
		Resources:  jsii.Strings(*topic.TopicArn()),
		Conditions: &map[string]any{"ArnLike": map[string]any{"aws:SourceArn": arn(*stack.Partition(), "cloudwatch", *stack.Region(), *stack.Account(), "alarm:*")}},
	}))
	for _, email := range emails {
		topic.AddSubscription(awssnssubscriptions.NewEmailSubscription(jsii.String(email), nil))
	}
	return &operations{key: key, topic: topic, name: name}
}

// alarmRefs is alarms as the references CodeDeploy and dashboard widgets take.
func alarmRefs(alarms []awscloudwatch.Alarm) *[]interfacesawscloudwatch.IAlarmRef {
	refs := make([]interfacesawscloudwatch.IAlarmRef, len(alarms))
	for i, a := range alarms {
		refs[i] = a
	}
	return &refs
}

// graph is a dashboard line graph, a third of the dashboard wide.
func graph(title string, metrics ...awscloudwatch.IMetric) awscloudwatch.IWidget {
	return awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{
		Title: jsii.String(title), Left: &metrics, Width: jsii.Number(8), Height: jsii.Number(6),
	})
}

func logGroupARN(stack awscdk.Stack, name string) string {
	return arn(*stack.Partition(), "logs", *stack.Region(), *stack.Account(), "log-group:"+name)
}

// logGroup creates a log group under this stack's name, encrypted with its key: every log here
// can hold application data (build output, test output, the service's own logs).
func (o *operations) logGroup(scope constructs.Construct, id, suffix string, retentionDays int, removal awscdk.RemovalPolicy) awslogs.LogGroup {
	name := logGroupName(o.name)
	if suffix != "" {
		name += "/" + suffix
	}
	logs := awslogs.NewLogGroup(scope, jsii.String(id), &awslogs.LogGroupProps{
		LogGroupName:  jsii.String(name),
		EncryptionKey: o.key,
		RemovalPolicy: removal,
	})
	// Any retention CloudWatch accepts, not only the enum's values; the config checked it.
	logs.Node().DefaultChild().(awslogs.CfnLogGroup).SetRetentionInDays(jsii.Number(retentionDays))
	return logs
}

// notify makes an alarm tell the topic when it fires. Not when it clears: most of these count
// events, and would send an "OK" five minutes after every failure.
func (o *operations) notify(alarm awscloudwatch.Alarm) awscloudwatch.Alarm {
	alarm.AddAlarmAction(awscloudwatchactions.NewSnsAction(o.topic))
	return alarm
}

// asIAlarms hands alarms out as the interface CDK's consumers take.
func asIAlarms(alarms []awscloudwatch.Alarm) []awscloudwatch.IAlarm {
	out := make([]awscloudwatch.IAlarm, len(alarms))
	for i, a := range alarms {
		out[i] = a
	}
	return out
}
