package ecsdelivery

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// Findings of CDK's own grants on the pipeline's artifact bucket and key: reading and writing
// every artifact object, and the key's data-key operations. They name one bucket and one key.
var artifactGrantFindings = []string{
	"Action::s3:GetObject*", "Action::s3:GetBucket*", "Action::s3:List*", "Action::s3:DeleteObject*", "Action::s3:Abort*",
	`/^Resource::<[A-Za-z0-9]*ArtifactBucket[A-Za-z0-9]*\.Arn>\/\*$/`,
	"Action::kms:ReEncrypt*", "Action::kms:GenerateDataKey*",
}

// suppress records that a cdk-nag rule does not apply to the CloudFormation resources under
// scope, and why, in the metadata cdk-nag reads ("cdk_nag"). appliesTo narrows a granular rule
// such as AwsSolutions-IAM5 to the findings named ("Resource::*", "Action::s3:GetObject*"); an
// entry written /like this/ is a regular expression over the finding, for ARNs whose account,
// region and logical ids are only known at synthesis.
//
// Policies receive statements after their role is created (grants made later by other
// constructs), so the metadata is written by an aspect when the app is synthesised, before any
// checking aspect reads it. The library does not depend on cdk-nag: the metadata is its format.
func suppress(scope constructs.IConstruct, rule, reason string, appliesTo ...string) {
	entry := map[string]any{"id": rule, "reason": reason}
	if len(appliesTo) > 0 {
		applies := make([]any, len(appliesTo))
		for i, a := range appliesTo {
			applies[i] = a
			if len(a) > 2 && a[0] == '/' && a[len(a)-1] == '/' {
				applies[i] = map[string]any{"regex": a}
			}
		}
		entry["applies_to"] = applies
	}
	awscdk.Aspects_Of(scope).Add(&nagSuppression{entry: entry}, &awscdk.AspectOptions{Priority: awscdk.AspectPriority_MUTATING()})
}

type nagSuppression struct{ entry map[string]any }

func (s *nagSuppression) Visit(node constructs.IConstruct) {
	// jsii hands the node over as its own class, so a type assertion tells a CloudFormation
	// resource without another call into Node.
	resource, ok := node.(awscdk.CfnResource)
	if !ok {
		return
	}
	var rules []any
	if existing, ok := resource.GetMetadata(jsii.String("cdk_nag")).(map[string]any); ok {
		rules, _ = existing["rules_to_suppress"].([]any)
	}
	for _, r := range rules {
		if m, ok := r.(map[string]any); ok && m["id"] == s.entry["id"] && m["reason"] == s.entry["reason"] && fmt.Sprint(m["applies_to"]) == fmt.Sprint(s.entry["applies_to"]) {
			return // an aspect can visit a node twice
		}
	}
	resource.AddMetadata(jsii.String("cdk_nag"), map[string]any{"rules_to_suppress": append(rules, s.entry)})
}
