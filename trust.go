package ecsdelivery

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// servicePrincipal is an AWS service that may assume a role only on behalf of this account's
// own resources (sourceARN, which may end in a wildcard): a role's trust names the service, and
// without aws:SourceAccount and aws:SourceArn any customer's resource of that service could be
// made to act with it (the confused deputy). Only services that document setting both keys
// when they assume a role are given here; for the others (Lambda, CodePipeline) a condition
// could lock the service out, so they are trusted by name alone.
func servicePrincipal(scope constructs.Construct, service, sourceARN string) awsiam.IPrincipal {
	return awsiam.NewServicePrincipal(jsii.String(service), nil).WithConditions(&map[string]any{
		"StringEquals": map[string]any{"aws:SourceAccount": *awscdk.Stack_Of(scope).Account()},
		"ArnLike":      map[string]any{"aws:SourceArn": sourceARN},
	})
}

// arn is the one way an ARN is written: arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE (region
// and account empty where the service has none, as IAM and S3). Any part may be a token.
func arn(partition, service, region, account, resource string) string {
	return fmt.Sprintf("arn:%s:%s:%s:%s:%s", partition, service, region, account, resource)
}

// stackARN is an ARN of a resource in the scope's own account and region.
func stackARN(scope constructs.Construct, service, resource string) string {
	s := awscdk.Stack_Of(scope)
	return arn(*s.Partition(), service, *s.Region(), *s.Account(), resource)
}

// statement is one Allow statement of an identity policy.
func statement(sid string, actions, resources []string, conditions map[string]any) awsiam.PolicyStatement {
	s := &awsiam.PolicyStatementProps{Sid: jsii.String(sid), Actions: jsii.Strings(actions...), Resources: jsii.Strings(resources...)}
	if conditions != nil {
		s.Conditions = &conditions
	}
	return awsiam.NewPolicyStatement(s)
}

// viaService limits a key's use to what a service (s3, ssm) does for the caller in this region,
// never a direct call.
func viaService(scope constructs.Construct, service string) map[string]any {
	return map[string]any{"StringEquals": map[string]any{"kms:ViaService": service + "." + *awscdk.Stack_Of(scope).Region() + ".amazonaws.com"}}
}
