package app

import (
	"github.com/ecsdelivery/ecsdelivery"
	"github.com/ecsdelivery/ecsdelivery/config"
	"github.com/ecsdelivery/ecsdelivery/spec"
)

// environmentProps maps one environment of the config onto the construct's props.
func environmentProps(cfg *config.Config, e *config.Environment, suffix string) *ecsdelivery.EnvironmentProps {
	s := e.Service
	nat, terminationWait, deregistration := e.NATGateways, e.Deployment.TerminationWaitMinutes, s.DeregistrationDelaySeconds
	props := &ecsdelivery.EnvironmentProps{
		Name:            ecsdelivery.Name(cfg.App, e.Name, suffix),
		Pipeline:        ecsdelivery.Name(cfg.App, suffix),
		PipelineAccount: cfg.Pipeline.Account,
		PipelineRegion:  cfg.Pipeline.Region,
		NATGateways:     &nat,
		Emails:          cfg.Notifications.Emails,
		LoadBalancer: ecsdelivery.LoadBalancerOptions{
			Internal:         e.LoadBalancer.Internal,
			CertificateARN:   e.LoadBalancer.CertificateARN,
			TestListenerPort: e.LoadBalancer.TestListenerPort,
		},
		Service: ecsdelivery.ServiceOptions{
			ContainerPort:              s.ContainerPort,
			HealthCheckPath:            s.HealthCheckPath,
			CPU:                        s.CPU,
			MemoryMiB:                  s.MemoryMiB,
			DesiredCount:               s.DesiredCount,
			Environment:                s.Environment,
			Secrets:                    s.Secrets,
			SecretsKeyARN:              s.SecretsKeyARN,
			HealthCheckIntervalSeconds: s.HealthCheckIntervalSeconds,
			HealthyThresholdCount:      s.HealthyThresholdCount,
			DeregistrationDelaySeconds: &deregistration,
			BootstrapImage:             s.BootstrapImage,
			LogRetentionDays:           s.LogRetentionDays,
			Architecture:               cfg.Build.Architecture,
		},
		Deployment: ecsdelivery.DeploymentOptions{
			Engine:                 e.Deployment.Engine,
			Strategy:               e.Deployment.Strategy,
			TerminationWaitMinutes: &terminationWait,
			Target5xxPerMinute:     e.Alarms.Target5xxPerMinute,
			UnhealthyHosts:         e.Alarms.UnhealthyHosts,
			LatencyP99Milliseconds: e.Alarms.LatencyP99Milliseconds,
			TestTraffic:            testTraffic(&e.Deployment.TestTraffic),
		},
	}
	if e.Deployment.Engine == spec.EngineECS {
		// ECS bakes in place of CodeDeploy's termination wait.
		props.Deployment.TerminationWaitMinutes, props.Deployment.BakeMinutes = nil, e.Deployment.BakeMinutes
	}
	return props
}

// testTraffic maps the config's check onto the construct's; the loader filled its defaults.
func testTraffic(t *config.TestTraffic) ecsdelivery.TestTrafficOptions {
	if !t.Enabled {
		return ecsdelivery.TestTrafficOptions{Disabled: true}
	}
	return ecsdelivery.TestTrafficOptions{
		Paths: t.Paths, ExpectStatus: t.ExpectStatus, Requests: t.Requests,
		MaxLatencyMilliseconds: t.MaxLatencyMilliseconds, URL: t.URL,
	}
}
