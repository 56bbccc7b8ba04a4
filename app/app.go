// Package app turns a validated delivery config into the CDK stacks of one app: a pipeline
// stack in the tools account and one stack per environment.
package app

import (
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/ecsdelivery/ecsdelivery"
	"github.com/ecsdelivery/ecsdelivery/config"
	"github.com/ecsdelivery/ecsdelivery/spec"
)

// Delivery is what Build created for one app.
type Delivery struct {
	App      string
	Pipeline awscdk.Stack
	// Signing is the registry's signing stack the pipeline depends on, shared by every app in its
	// account and region; nil with pipeline.signing false.
	Signing      awscdk.Stack
	Environments []awscdk.Stack
	// Stages of the pipeline, in order.
	Stages []string
}

// Build adds the stacks of cfg to scope. suffix is the environment suffix in effect (the CDK
// context's, else the config's).
func Build(scope constructs.Construct, cfg *config.Config, suffix string) (*Delivery, error) {
	d := &Delivery{App: cfg.App}
	pipelineName := ecsdelivery.PipelineStackName(cfg.App, suffix)
	d.Pipeline = awscdk.NewStack(scope, jsii.String(pipelineName), &awscdk.StackProps{
		Env:         stackEnv(cfg.Pipeline.Account, cfg.Pipeline.Region),
		Description: jsii.String(fmt.Sprintf("ecsdelivery: delivery pipeline of %s", cfg.App)),
	})
	pipelineTargets := make([]ecsdelivery.PipelineTargetOptions, len(cfg.Environments))
	for i := range cfg.Environments {
		e := &cfg.Environments[i]
		stack, props, err := environmentStack(scope, cfg, e, suffix)
		if err != nil {
			return nil, err
		}
		d.Environments = append(d.Environments, stack)
		pipelineTargets[i] = ecsdelivery.PipelineTargetOptions{
			Environment: e.Name, Name: props.Name, Account: e.Account, Region: e.Region,
			Approval: e.Approval, Service: props.Service,
			NoTestTraffic: !e.Deployment.TestTraffic.Enabled, BakeMinutes: e.Deployment.BakeMinutes,
			Engine: e.Deployment.Engine, Strategy: e.Deployment.Strategy, StackName: *stack.StackName(),
			Existing: props.Existing,
		}
		if w := e.Deployment.Window; w != nil {
			pipelineTargets[i].Window = &ecsdelivery.DeploymentWindowOptions{Cron: w.Cron, Timezone: w.Timezone}
		}
		if e.Import != nil {
			pipelineTargets[i].ClusterName = clusterName(e.Import.ClusterARN)
			pipelineTargets[i].DeployRoleARN = e.Import.DeployRoleARN
		}
	}
	for _, env := range d.Environments {
		// The pipeline's key, bucket and repository policies name the environments' roles, and
		// AWS rejects a policy that names a role that does not exist yet.
		d.Pipeline.AddStackDependency(env, jsii.String("its resource policies name the environment's roles"))
	}
	props := pipelineProps(cfg, suffix, pipelineTargets)
	if cfg.Pipeline.Signing {
		signing, profile, err := registrySigning(scope, cfg)
		if err != nil {
			return nil, err
		}
		d.Signing = signing
		d.Pipeline.AddStackDependency(d.Signing, jsii.String("the registry signs the pipeline's images with its profile"))
		props.SigningProfile = profile
	}
	pipeline, err := ecsdelivery.NewPipeline(d.Pipeline, "Pipeline", props)
	if err != nil {
		return nil, err
	}
	d.Stages = pipeline.StageNames()
	return d, nil
}

func environmentStack(scope constructs.Construct, cfg *config.Config, e *config.Environment, suffix string) (awscdk.Stack, *ecsdelivery.EnvironmentProps, error) {
	stack := awscdk.NewStack(scope, jsii.String(ecsdelivery.EnvironmentStackName(cfg.App, e.Name, suffix)), &awscdk.StackProps{
		Env:         stackEnv(e.Account, e.Region),
		Description: jsii.String(fmt.Sprintf("ecsdelivery: %s environment of %s", e.Name, cfg.App)),
	})
	props := environmentProps(cfg, e, suffix)
	if cfg.IntegrationTestEnabled() && cfg.IntegrationTest.Environment == e.Name {
		props.IntegrationTest = &ecsdelivery.IntegrationTestOptions{
			Command: cfg.IntegrationTest.Command, TimeoutMinutes: cfg.IntegrationTest.TimeoutMinutes,
		}
	}
	if e.Import != nil {
		imported(stack, e.Import, props)
	}
	_, err := ecsdelivery.NewEnvironment(stack, "Environment", props)
	return stack, props, err
}

// registrySigning is the signing stack of the pipeline's account and region: created by the
// first app of a synthesis that needs it, and found by the others, so a folder of apps in one
// account has one. Apps synthesised apart produce the same stack, which deploys as a no-op.
func registrySigning(scope constructs.Construct, cfg *config.Config) (awscdk.Stack, string, error) {
	name := ecsdelivery.Name("ecsdelivery-registry-signing", cfg.Pipeline.Account, cfg.Pipeline.Region)
	if existing, ok := scope.Node().TryFindChild(jsii.String(name)).(awscdk.Stack); ok {
		return existing, spec.DefaultSigningProfile, nil
	}
	stack := awscdk.NewStack(scope, jsii.String(name), &awscdk.StackProps{
		Env:         stackEnv(cfg.Pipeline.Account, cfg.Pipeline.Region),
		Description: jsii.String("ecsdelivery: ECR managed signing of every image pushed in this account and region"),
	})
	signing, err := ecsdelivery.NewRegistrySigning(stack, "Signing", nil)
	if err != nil {
		return nil, "", err
	}
	return stack, signing.ProfileName(), nil
}

// stackEnv binds a stack to its region always, and to its account when one is named: without an
// account the stack stays deployable by any credentials (the single-account demo).
func stackEnv(account, region string) *awscdk.Environment {
	env := &awscdk.Environment{Region: jsii.String(region)}
	if account != "" {
		env.Account = jsii.String(account)
	}
	return env
}

// Summary is a short, human description of what was synthesised.
func (d *Delivery) Summary() string {
	var b strings.Builder
	b.WriteString("stacks:   ")
	if d.Signing != nil {
		// Shared by every pipeline of the account and region; the pipeline stack depends on it.
		fmt.Fprintf(&b, "%s, ", strings.Replace(stackLine(d.Signing), ")", "; shared)", 1))
	}
	b.WriteString(stackLine(d.Pipeline))
	for _, s := range d.Environments {
		fmt.Fprintf(&b, ", %s", stackLine(s))
	}
	fmt.Fprintf(&b, "\npipeline: %s\n", strings.Join(d.Stages, " → "))
	return b.String()
}

func stackLine(s awscdk.Stack) string {
	where := *s.Region()
	if !*awscdk.Token_IsUnresolved(s.Account()) {
		where = *s.Account() + "/" + where
	}
	return fmt.Sprintf("%s (%s)", *s.StackName(), where)
}
