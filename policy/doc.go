// Package policy holds the policy-as-code gate that runs on the synthesised templates: cfn-guard
// with the AWS Control Tower proactive rules, and the allowlist of the rules the templates fail
// on purpose, each with its reason. (cdk-nag's AwsSolutions pack runs in the app package's
// tests, where the stacks are synthesised.)
package policy
