// Package spec holds the facts that the config checks, the constructs and the pipeline's scripts
// must agree on, written once: every default of the config contract and the constructs' props,
// the AWS tables (Fargate task sizes, CodeBuild compute types, CodeDeploy strategies), the
// patterns of health paths, pinned images and key ARNs, the variable names the platform and the
// scripts reserve, and the pinned builder image. It depends on neither the config nor CDK, so
// every side can import it cheaply.
package spec
