// Package ecsdelivery holds AWS CDK constructs that give a containerised application a secure
// delivery pipeline onto ECS Fargate: NewPipeline in the tools account, and NewEnvironment in
// each account the pipeline deploys to.
package ecsdelivery
