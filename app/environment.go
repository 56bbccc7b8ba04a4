package app

import (
	"github.com/ecsdelivery/ecsdelivery"
	"github.com/ecsdelivery/ecsdelivery/config"
)

// environmentProps maps one environment of the config onto the construct's props.
func environmentProps(cfg *config.Config, e *config.Environment, suffix string) *ecsdelivery.EnvironmentProps {
	s := e.Service
	terminationWait := e.Deployment.TerminationWaitMinutes
	return &ecsdelivery.EnvironmentProps{
		Name:            ecsdelivery.Name(cfg.App, e.Name, suffix),
		Pipeline:        ecsdelivery.Name(cfg.App, suffix),
		PipelineAccount: cfg.Pipeline.Account,
		PipelineRegion:  cfg.Pipeline.Region,
		Service: ecsdelivery.ServiceOptions{
			ContainerPort:   s.ContainerPort,
			HealthCheckPath: s.HealthCheckPath,
			CPU:             s.CPU,
			MemoryMiB:       s.MemoryMiB,
			DesiredCount:    s.DesiredCount,
			Environment:     s.Environment,
			Secrets:         s.Secrets,
			Architecture:    cfg.Build.Architecture,
		},
		Deployment: ecsdelivery.DeploymentOptions{
			Strategy:               e.Deployment.Strategy,
			TerminationWaitMinutes: &terminationWait,
		},
	}
}
