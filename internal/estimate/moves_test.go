package estimate

import (
	"strings"
	"testing"

	"github.com/ecsdelivery/ecsdelivery/config"
)

// Each setting moves the estimate by the amount the model says, and nothing else moves.
func TestLeadTimeMovesWithEachSetting(t *testing.T) {
	base := estimate(t, demo(t), DefaultOptions()).LeadTimeMinutes
	cases := []struct {
		name   string
		change func(*config.Config, *Options)
		delta  float64
	}{
		{"terminationWaitMinutes +10", func(c *config.Config, _ *Options) { c.Environments[1].Deployment.TerminationWaitMinutes += 10 }, 10},
		{"bakeMinutes 15", func(c *config.Config, _ *Options) { c.Environments[1].Deployment.BakeMinutes = 15 }, 15},
		// staging: AllAtOnce → a 15-minute canary.
		{"strategy Canary10Percent15Minutes", func(c *config.Config, _ *Options) {
			c.Environments[0].Deployment.Strategy = "Canary10Percent15Minutes"
		}, 15},
		// (⌈100/10⌉ − 1) × 3 = 27.
		{"strategy Linear10PercentEvery3Minutes", func(c *config.Config, _ *Options) {
			c.Environments[0].Deployment.Strategy = "Linear10PercentEvery3Minutes"
		}, 27},
		// production's canary (5) → all at once.
		{"strategy AllAtOnce", func(c *config.Config, _ *Options) { c.Environments[1].Deployment.Strategy = "AllAtOnce" }, -5},
		// staging: 10 s × 2 = 20 s (0.3) → 30 s × 3 = 90 s (1.5).
		{"health check 30 s × 3", func(c *config.Config, _ *Options) {
			c.Environments[0].Service.HealthCheckIntervalSeconds, c.Environments[0].Service.HealthyThresholdCount = 30, 3
		}, 1.2},
		// Image is on the path (7.0 against UnitTests' 6.5).
		{"--build-minutes +3", func(_ *config.Config, o *Options) { o.BuildMinutes += 3 }, 3},
		// The integration test +2, and UnitTests (6.5 → 8.5) overtake Image (7.0): Build +1.5.
		{"--test-minutes +2", func(_ *config.Config, o *Options) { o.TestMinutes += 2 }, 3.5},
		{"integration test off", func(c *config.Config, _ *Options) { c.IntegrationTest.Command = nil }, -8.5},
		// Two signature checks of 90 s start + 12 s check = 1.7 each.
		{"signing off", func(c *config.Config, _ *Options) { c.Pipeline.Signing = false }, -3.4},
		// CodeBuild's start is 90 s whatever the compute type.
		{"computeType xlarge", func(c *config.Config, _ *Options) { c.Build.ComputeType = "xlarge" }, 0},
		{"computeType small", func(c *config.Config, _ *Options) { c.Build.ComputeType = "small" }, 0},
		{"approval off", func(c *config.Config, _ *Options) { c.Environments[1].Approval = false }, 0},
		{"approval on", func(c *config.Config, _ *Options) { c.Environments[0].Approval = true }, 0},
		// The test image: one more build of 5 minutes and its push.
		{"integrationTest.image", func(c *config.Config, _ *Options) {
			c.IntegrationTest.Image = &config.IntegrationTestImage{Dockerfile: "Dockerfile", Target: "test"}
		}, 5.5},
		{"releases 300", func(_ *config.Config, o *Options) { o.Releases = 300 }, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg, opts := demo(t), DefaultOptions()
			c.change(cfg, &opts)
			got := estimate(t, cfg, opts).LeadTimeMinutes - base
			if !near(got, c.delta) {
				t.Errorf("lead time moved %+.1f; want %+.1f", got, c.delta)
			}
		})
	}
}

// Without a termination wait (or, on ECS, a bake) the old targets' deregistration delay lies on
// the path.
func TestDeregistrationDelayOnlyWithoutWait(t *testing.T) {
	cfg := fast(t)
	base := estimate(t, cfg, DefaultOptions()).LeadTimeMinutes
	cfg.Environments[0].Service.DeregistrationDelaySeconds = 300
	if got := estimate(t, cfg, DefaultOptions()).LeadTimeMinutes - base; !near(got, 4.5) {
		t.Errorf("deregistration 30 s → 300 s moved the lead time %+.1f; want +4.5", got)
	}
	cfg.Environments[0].Deployment.TerminationWaitMinutes = 1
	if got := estimate(t, cfg, DefaultOptions()).LeadTimeMinutes - base; !near(got, 0.5) {
		t.Errorf("a 1-minute wait instead of the drain moved the lead time %+.1f; want +0.5 (1 − 0.5)", got)
	}
}

func TestECSEngineBake(t *testing.T) {
	load := func() *config.Config {
		cfg, err := config.Load("../../examples/ecs-engine.yaml")
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	base := estimate(t, load(), DefaultOptions())
	cfg := load()
	cfg.Environments[1].Deployment.BakeMinutes += 10
	moved := estimate(t, cfg, DefaultOptions())
	if got := moved.LeadTimeMinutes - base.LeadTimeMinutes; !near(got, 10) {
		t.Errorf("bakeMinutes +10 moved the lead time %+.1f; want +10", got)
	}
	// The release project waits through the bake: 30 releases × 10 more small minutes.
	if got := cost(t, moved, "CodeBuild release-production").USD - cost(t, base, "CodeBuild release-production").USD; !near(got, 30*10*0.005) {
		t.Errorf("the release project's cost moved %+.2f; want +1.50", got)
	}
	// Production's canary and bake, and no termination wait, no CodeDeploy.
	p := stage(t, base, "Deploy-production")
	var names []string
	for _, it := range p.Items {
		names = append(names, it.Name)
	}
	joined := strings.Join(names, ", ")
	for _, want := range []string{"release: CodeBuild start", "stack update", "traffic shift", "ECS bake"} {
		if !strings.Contains(joined, want) {
			t.Errorf("Deploy-production has no %q: %s", want, joined)
		}
	}
	if strings.Contains(joined, "termination wait") {
		t.Errorf("ECS's engine has no termination wait: %s", joined)
	}
	// A custom ECS linear strategy: (⌈100/30⌉ = 4 steps − 1) × 7 = 21 minutes of shifting.
	cfg = load()
	cfg.Environments[1].Deployment.Strategy = "Linear30PercentEvery7Minutes"
	if got := estimate(t, cfg, DefaultOptions()).LeadTimeMinutes - base.LeadTimeMinutes; !near(got, 21-5) {
		t.Errorf("Linear30PercentEvery7Minutes instead of a 5-minute canary moved %+.1f; want +16", got)
	}
}

func TestCostMovesWithEachSetting(t *testing.T) {
	base := estimate(t, demo(t), DefaultOptions())

	t.Run("releases scale the per-release lines only", func(t *testing.T) {
		opts := DefaultOptions()
		opts.Releases = 60
		double := estimate(t, demo(t), opts)
		for i, c := range base.Costs {
			d := double.Costs[i]
			switch {
			case strings.HasPrefix(c.Name, "CodeBuild free tier"):
				if d.USD != c.USD {
					t.Errorf("%s: the free 100 minutes are used up either way: got %v; want %v", c.Name, d.USD, c.USD)
				}
			case strings.HasPrefix(c.Name, "CodePipeline"):
				// (60 × 77 − 100) − (30 × 77 − 100) = 30 × 77 minutes more.
				if got := d.USD - c.USD; !near(got, 30*77*0.002) {
					t.Errorf("%s moved %+.2f; want +%.2f", c.Name, got, 30*77*0.002)
				}
			case c.perRelease:
				if !near(d.USD, 2*c.USD) && d.USD-2*c.USD > 0.01 {
					t.Errorf("%s: got %v at 60 releases; want twice %v", c.Name, d.USD, c.USD)
				}
			default:
				if d.USD != c.USD {
					t.Errorf("%s is fixed: got %v at 60 releases; want %v", c.Name, d.USD, c.USD)
				}
			}
		}
	})

	t.Run("natGateways +1", func(t *testing.T) {
		cfg := demo(t)
		cfg.Environments[0].NATGateways = 2
		e := estimate(t, cfg, DefaultOptions())
		if got := cost(t, e, "staging: NAT gateway").USD - cost(t, base, "staging: NAT gateway").USD; got != 32.85 {
			t.Errorf("the NAT line moved %+.2f; want one NAT's 0.045 × 730 = 32.85", got)
		}
		// The gateway's Elastic IP comes with it: 0.005 × 730 = 3.65.
		if got := e.MonthlyCostUSD - base.MonthlyCostUSD; !near(got, 32.85+3.65) {
			t.Errorf("the total moved %+.2f; want 36.50 (a NAT and its address)", got)
		}
	})

	t.Run("natGateways 0 buys endpoints instead", func(t *testing.T) {
		cfg := demo(t)
		cfg.Environments[0].NATGateways = 0
		cfg.Environments[0].LoadBalancer.Internal = true
		e := estimate(t, cfg, DefaultOptions())
		// 7 endpoints (5, and CodeDeploy and SNS for the test traffic) × 2 AZs × 0.01 × 730.
		if got := cost(t, e, "staging: VPC interface endpoints ×7").USD; got != 102.2 {
			t.Errorf("endpoints: got %v; want 102.20", got)
		}
		for _, c := range e.Costs {
			if strings.HasPrefix(c.Name, "staging: public IPv4") || strings.HasPrefix(c.Name, "staging: NAT") {
				t.Errorf("an internal load balancer without NAT has no public address: got %s", c.Name)
			}
		}
	})

	t.Run("computeType large", func(t *testing.T) {
		cfg := demo(t)
		cfg.Build.ComputeType = "large"
		e := estimate(t, cfg, DefaultOptions())
		// Image: 1.5 start (as for any size) + 5 + 0.5 = 7.0 → 7 min; 30 × 7 × $0.02.
		c := cost(t, e, "CodeBuild build (general1.large)")
		if c.USD != 4.2 || !strings.Contains(c.Why, "$0.02/min") {
			t.Errorf("got %v (%s); want 4.20 at $0.02/min", c.USD, c.Why)
		}
	})

	t.Run("arm64", func(t *testing.T) {
		cfg := demo(t)
		cfg.Build.Architecture = "arm64"
		e := estimate(t, cfg, DefaultOptions())
		// arm1.medium's price in us-east-1 is derived, not read, and says so.
		want := "$0.0072/min arm1.medium in us-east-1, derived (ap-northeast-1's × 0.8), not read from the page (" + pageCodeBuild + ")"
		if c := cost(t, e, "CodeBuild build (arm1.medium)"); !strings.Contains(c.Why, want) {
			t.Errorf("arm1.medium: %s; want it to say %q", c.Why, want)
		}
		if c := cost(t, e, "Fargate integration-test task"); !strings.Contains(c.Why, "arm64") {
			t.Errorf("the test task runs the build's architecture: %s", c.Why)
		}
	})

	t.Run("imported environments create no network", func(t *testing.T) {
		cfg, err := config.Load("../../examples/import-existing.yaml")
		if err != nil {
			t.Fatal(err)
		}
		e := estimate(t, cfg, DefaultOptions())
		for _, c := range e.Costs {
			if strings.Contains(c.Name, "NAT") || strings.Contains(c.Name, "load balancer") || strings.Contains(c.Name, "IPv4") {
				t.Errorf("an imported environment is charged %s", c.Name)
			}
		}
		if c := cost(t, e, "Secrets Manager"); c.USD != 0.4 {
			t.Errorf("the OAuth webhook secret: got %v; want 0.40", c.USD)
		}
	})
}

func TestBiggestLever(t *testing.T) {
	cfg := fast(t)
	cfg.Environments[0].Deployment.Strategy = "Canary10Percent15Minutes"
	e := estimate(t, cfg, DefaultOptions())
	if want := "prod's traffic shift (Canary10Percent15Minutes) (environments[0].deployment.strategy): 15 of 29.4 minutes"; e.BiggestLever != want {
		t.Errorf("got %q; want %q", e.BiggestLever, want)
	}
	// Flags are not settings: a long build is never the lever.
	opts := DefaultOptions()
	opts.BuildMinutes = 600
	if got := estimate(t, fast(t), opts).BiggestLever; strings.Contains(got, "build") {
		t.Errorf("the build minutes are a flag, not a config setting: %q", got)
	}
}
