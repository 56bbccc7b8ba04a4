package estimate

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ecsdelivery/ecsdelivery/config"
)

// withEnvironments gives cfg n environments, copies of its first named env0, env1, ….
func withEnvironments(cfg *config.Config, n int) *config.Config {
	first := cfg.Environments[0]
	cfg.Environments = nil
	for i := range n {
		e := first
		e.Name = fmt.Sprintf("env%d", i)
		cfg.Environments = append(cfg.Environments, e)
	}
	return cfg
}

// The notifier's metrics are billed by the metric-month, metered by the hour they are sent in:
// at most one hour a release each, and the account's 10 free metric-months first.
func TestCustomMetrics(t *testing.T) {
	cases := []struct {
		name         string
		environments int
		releases     int
		line         string
		usd          float64
	}{
		// 3 + 7 × 2 = 17 metrics × 30 h / 730 h = 0.7 metric-months, under the free 10.
		{"demo, 30 releases", 2, 30, "CloudWatch custom metrics ×17", 0},
		// A release every hour: 17 metric-months − 10 free = 7 × $0.30.
		{"demo, 730 releases", 2, 730, "CloudWatch custom metrics ×17", 2.10},
		// More releases than hours: still at most every hour.
		{"demo, 10000 releases", 2, 10000, "CloudWatch custom metrics ×17", 2.10},
		// One more environment, 7 more metrics: 24 − 10 = 14 × $0.30.
		{"3 environments, 730 releases", 3, 730, "CloudWatch custom metrics ×24", 4.20},
		// 3 + 7 = 10: the free 10 exactly.
		{"1 environment, 730 releases", 1, 730, "CloudWatch custom metrics ×10", 0},
		// 365 h: 17 × 365 / 730 = 8.5 metric-months, under the free 10.
		{"demo, 365 releases", 2, 365, "CloudWatch custom metrics ×17", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opts := DefaultOptions()
			opts.Releases = c.releases
			e := estimate(t, withEnvironments(demo(t), c.environments), opts)
			got := cost(t, e, "CloudWatch custom metrics")
			if got.Name != c.line || !near(got.USD, c.usd) {
				t.Errorf("got %s %.2f; want %s %.2f (%s)", got.Name, got.USD, c.line, c.usd, got.Why)
			}
			for _, want := range []string{"(10 free", "$0.30 a metric-month, from a public copy of the page", pageCloudWatch} {
				if !strings.Contains(got.Why, want) {
					t.Errorf("the why does not say %q: %s", want, got.Why)
				}
			}
		})
	}
}

// A dashboard of more than 50 metrics is not among the free 3: with its environments in another
// account, the pipeline's dashboard is its account's only one, free up to 50 metrics.
func TestDashboardOverFiftyMetricsIsBilled(t *testing.T) {
	cases := []struct {
		environments int
		metrics      int // the pipeline dashboard's: 10 fixed (build, scan, integration test) + 10 an environment
		usd          float64
	}{
		// Pipeline account: 1 dashboard of 50, free; the other: 4, 1 billed.
		{4, 50, 3},
		// Pipeline account: 1 of 60, billed; the other: 5, 2 billed.
		{5, 60, 9},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%d environments", c.environments), func(t *testing.T) {
			cfg := withEnvironments(demo(t), c.environments)
			cfg.Pipeline.Account = "111111111111"
			for i := range cfg.Environments {
				cfg.Environments[i].Account = "222222222222"
			}
			got := cost(t, estimate(t, cfg, DefaultOptions()), "CloudWatch dashboards")
			if !near(got.USD, c.usd) {
				t.Errorf("got %.2f; want %.2f (%s)", got.USD, c.usd, got.Why)
			}
			if want := fmt.Sprintf("metrics: pipeline %d;", c.metrics); !strings.Contains(got.Why, want) {
				t.Errorf("the why does not say %q: %s", want, got.Why)
			}
			over := strings.Contains(got.Why, "pipeline's is not free")
			if over != (c.metrics > freeDashboardMetrics) {
				t.Errorf("%d metrics: the why says the dashboard is not free: %v; want %v (%s)", c.metrics, over, !over, got.Why)
			}
		})
	}
}

// Every CodeBuild run starts in 90 s, whatever its compute type, and says it is an assumption
// and why that figure.
func TestCodeBuildStartIsNinetySecondsForEverySize(t *testing.T) {
	for _, size := range []string{"small", "medium", "large", "xlarge"} {
		t.Run(size, func(t *testing.T) {
			cfg := demo(t)
			cfg.Build.ComputeType = size
			e := estimate(t, cfg, DefaultOptions())
			const why = "90 s (assumption: AWS publishes no provisioning time; 90–240 s is the range observed for on-demand builds; the low end)"
			n := 0
			for _, s := range e.Stages {
				for _, it := range s.Items {
					switch {
					case strings.HasSuffix(it.Name, "CodeBuild start"):
						n++
						if it.Minutes != 1.5 || it.Why != why {
							t.Errorf("%s: %v min, %q; want 1.5 min, %q", it.Name, it.Minutes, it.Why, why)
						}
					case it.Name == "VerifySignature":
						// 90 s start + 12 s check = 102 s.
						if it.Minutes != 1.7 || !strings.Contains(it.Why, "start "+why) {
							t.Errorf("%s: %v min, %q; want 1.7 min from a start of %q", it.Name, it.Minutes, it.Why, why)
						}
					}
				}
			}
			if n != 3 { // Image, Trivy, TemporaryTask (UnitTests runs beside Image, off the path)
				t.Errorf("found %d CodeBuild starts; want 3", n)
			}
		})
	}
}

// A price that was not read from its page says so where it is used: derived, assumed or taken
// from a public copy; one that was read says nothing more.
func TestPricesSayHowTheyWereReached(t *testing.T) {
	cfg := demo(t)
	cfg.Pipeline.Region = "eu-central-1"
	for i := range cfg.Environments {
		cfg.Environments[i].Region = "eu-central-1"
	}
	e := estimate(t, cfg, DefaultOptions())
	for prefix, want := range map[string]string{
		"CodeBuild build":               "$0.01/min general1.medium in eu-central-1, assumed (us-east-1's), not read from the page (",
		"Fargate integration-test task": "eu-central-1, from a public copy of the page, not checked against the page) (",
		"staging: NAT gateway":          "in eu-central-1, from a public copy of the page, not checked against the page, data processing excluded",
		"staging: load balancer":        "in eu-central-1, from a public copy of the page, not checked against the page (",
		"CloudWatch custom metrics":     "$0.30 a metric-month, assumed (us-east-1's, itself from a public copy), not read from the page (",
	} {
		if c := cost(t, e, prefix); !strings.Contains(c.Why, want) {
			t.Errorf("%s: %s; want it to say %q", prefix, c.Why, want)
		}
	}
	// us-east-1's x86 CodeBuild, Fargate and network prices were read from the pages.
	for _, c := range estimate(t, demo(t), DefaultOptions()).Costs {
		if strings.Contains(c.Why, "not read from the page") || (strings.Contains(c.Why, "public copy") && !strings.HasPrefix(c.Name, "CloudWatch custom metrics")) {
			t.Errorf("%s: a read price with a caveat: %s", c.Name, c.Why)
		}
	}
}
