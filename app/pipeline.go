package app

import (
	"github.com/ecsdelivery/ecsdelivery"
	"github.com/ecsdelivery/ecsdelivery/config"
)

// pipelineProps maps the config's source, build and scan onto the pipeline construct.
func pipelineProps(cfg *config.Config, suffix string, targets []ecsdelivery.PipelineTargetOptions) *ecsdelivery.PipelineProps {
	props := &ecsdelivery.PipelineProps{
		Name: ecsdelivery.Name(cfg.App, suffix),
		App:  cfg.App,
		Source: ecsdelivery.SourceOptions{
			Owner: cfg.Source.Owner, Repo: cfg.Source.Repo, Branch: cfg.Source.Branch,
			ConnectionARN: cfg.Source.ConnectionARN, OAuthTokenSecret: cfg.Source.OAuthTokenSecret,
			FilePaths: cfg.Source.FilePaths,
		},
		Build: ecsdelivery.BuildOptions{
			Dockerfile: cfg.Build.Dockerfile, Context: cfg.Build.Context, UnitTestCommand: cfg.Build.UnitTestCommand,
			BuilderImage: cfg.Build.BuilderImage,
			ComputeType:  cfg.Build.ComputeType, Architecture: cfg.Build.Architecture,
			Secrets: cfg.Build.Secrets, SecretsKeyARN: cfg.Build.SecretsKeyARN,
		},
		Scan:    ecsdelivery.ScanOptions{FailOn: cfg.Scan.FailOn, IgnoreUnfixed: cfg.Scan.IgnoreUnfixed},
		Targets: targets,
		Emails:  cfg.Notifications.Emails,
		// DORA's change failure rate, which the notifier computes.
		ChangeFailureWindowHours: cfg.Pipeline.ChangeFailureWindowHours,
	}
	if cfg.IntegrationTestEnabled() {
		props.IntegrationTest = &ecsdelivery.PipelineIntegrationTestOptions{
			Environment: cfg.IntegrationTest.Environment, TimeoutMinutes: cfg.IntegrationTest.TimeoutMinutes,
			AllowGatedEnvironment: cfg.IntegrationTest.AllowGatedEnvironment,
		}
		if img := cfg.IntegrationTest.Image; img != nil {
			props.IntegrationTest.Image = &ecsdelivery.IntegrationTestImageOptions{Dockerfile: img.Dockerfile, Target: img.Target}
		}
	}
	return props
}
