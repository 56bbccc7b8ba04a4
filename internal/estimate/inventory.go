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
	// dashboards: one per stack (pipelinedashboard.go, servicedashboard.go).
	dashboards int
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

// stacks lists the pipeline stack, then one stack per environment. (The shared signing stack
// holds a Signer profile and the registry's signing configuration, billed per signature: see
// excluded.)
func stacks(cfg *config.Config) []stack {
	envs := len(cfg.Environments)
	pipeline := stack{
		name: "pipeline", account: cfg.Pipeline.Account, region: cfg.Pipeline.Region,
		keys: 2, alarms: 3 + envs, dashboards: 1, projects: 2,
	}
	if cfg.Source.OAuthTokenSecret != "" {
		pipeline.secrets = 1
	}
	if cfg.Build.UnitTestCommand != "" {
		pipeline.projects++
	}
	if cfg.IntegrationTestEnabled() {
		pipeline.projects++
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
		s := stack{name: e.Name, account: e.Account, region: e.Region, keys: 1, alarms: 4, dashboards: 1, environment: e}
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
