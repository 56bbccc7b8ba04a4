package estimate

import (
	"github.com/ecsdelivery/ecsdelivery/config"
	"github.com/ecsdelivery/ecsdelivery/spec"
)

// stack is what one of the config's stacks creates that is billed by the month, counted as the
// constructs create it. TestInventoryMatchesGoldenTemplates holds these counts to the
// synthesised templates of every shipped config.
type stack struct {
	name            string
	account, region string
	// keys: awskms.NewKey, the artifact key (artifacts.go) and each stack's operations key
	// (operations.go).
	keys int
	// alarms: the pipeline's failed, notifier-errors and dead-letters alarms and one
	// rolled-back alarm per environment (notifier.go); each environment's four rollback alarms
	// (deployment.go).
	alarms int
	// dashboards: one per stack (pipelinedashboard.go, servicedashboard.go), holding
	// dashboardMetrics metrics.
	dashboards, dashboardMetrics int
	// customMetrics: the metrics the notifier publishes in the namespace ecsdelivery
	// (notifier.go, notifier/notify.js), each name and dimension set one metric: with the
	// dimension Pipeline, ExecutionsSucceeded, ExecutionsFailed and ExecutionDuration; with
	// Pipeline and Environment, for each environment, DeploymentsSucceeded,
	// DeploymentsRolledBack, DeploymentFrequency, LeadTimeForChanges, Deployments,
	// ChangeFailures and TimeToRestore.
	customMetrics int
	// secrets: the legacy OAuth source's webhook secret (source.go).
	secrets int
	// projects: the pipeline's CodeBuild projects (codebuild.go, unittest.go,
	// deploystages.go, verifysignature.go, ecsreleasestage.go).
	projects int
	// In a created environment (network.go, loadbalancer.go): NAT gateways, one Application
	// Load Balancer, interface VPC endpoints (2 AZs each) without NAT gateways, and public IPv4
	// addresses: each NAT gateway's Elastic IP and an internet-facing load balancer's node in
	// each of the 2 AZs.
	natGateways, loadBalancers, interfaceEndpoints, publicIPs int
	environment                                               *config.Environment
}

// azs is how many availability zones a created VPC spans (network.go: MaxAzs 2).
const azs = 2

// The notifier's custom metrics: 3 per pipeline, 7 per environment.
const (
	pipelineCustomMetrics    = 3
	environmentCustomMetrics = 7
)

// The metrics each dashboard graphs, a metric a math expression reads included, the expression
// not (it is no metric).
const (
	// The pipeline's (pipelinedashboard.go): executions succeeded and failed, their average and
	// longest duration.
	pipelineDashboardMetrics = 4
	// With each of the build, scan and integration-test projects: its duration and failures.
	projectDashboardMetrics = 2
	// With each environment: deployments succeeded and rolled back, and from dora.go deployment
	// frequency per day and per week, lead time for changes and time to restore (average and
	// longest each), deployments and change failures (the failure rate's two).
	environmentDashboardMetrics = 10
	// An environment's own (servicedashboard.go): requests, target 5xx, p99 latency, healthy
	// hosts of each target group, CPU and memory.
	serviceDashboardMetrics = 7
)

// stacks lists the pipeline stack, then one stack per environment. (The shared signing stack
// holds a Signer profile and the registry's signing configuration, billed per signature: see
// excluded.)
func stacks(cfg *config.Config) []stack {
	envs := len(cfg.Environments)
	pipeline := stack{
		name: "pipeline", account: cfg.Pipeline.Account, region: cfg.Pipeline.Region,
		keys: 2, alarms: 3 + envs, dashboards: 1, projects: 2,
		customMetrics: pipelineCustomMetrics + environmentCustomMetrics*envs,
		// The build and scan projects always, the integration test's below.
		dashboardMetrics: pipelineDashboardMetrics + 2*projectDashboardMetrics + environmentDashboardMetrics*envs,
	}
	if cfg.Source.OAuthTokenSecret != "" {
		pipeline.secrets = 1
	}
	if cfg.Build.UnitTestCommand != "" {
		pipeline.projects++
	}
	if cfg.IntegrationTestEnabled() {
		pipeline.projects++
		pipeline.dashboardMetrics += projectDashboardMetrics
	}
	if cfg.Pipeline.Signing {
		pipeline.projects++ // one project, shared by every deploy stage
	}
	out := []stack{pipeline}
	for i := range cfg.Environments {
		e := &cfg.Environments[i]
		if e.Deployment.Engine == spec.EngineECS {
			out[0].projects++ // a release project per environment
		}
		s := stack{name: e.Name, account: e.Account, region: e.Region, keys: 1, alarms: 4, dashboards: 1,
			dashboardMetrics: serviceDashboardMetrics, environment: e}
		if e.Import == nil {
			s.natGateways, s.loadBalancers, s.publicIPs = e.NATGateways, 1, e.NATGateways
			if !e.LoadBalancer.Internal {
				s.publicIPs += azs
			}
			if e.NATGateways == 0 {
				s.interfaceEndpoints = 5 // ECR api and dkr, CloudWatch Logs, SSM, Secrets Manager
				if e.Deployment.TestTraffic.Enabled {
					s.interfaceEndpoints += 2 // CodeDeploy and SNS, for the test-traffic check
				}
			}
		}
		out = append(out, s)
	}
	return out
}
