package estimate

import (
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ecsdelivery/ecsdelivery/config"
)

// demo loads the shipped demo, delivery.yaml, afresh for each test that changes it.
func demo(t *testing.T) *config.Config {
	t.Helper()
	cfg, err := config.Load("../../delivery.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// fastYAML is the quickest release the pipeline allows with one environment: AllAtOnce, no
// termination wait, no bake, no unit or integration tests (signing stays on, by default).
const fastYAML = `app: fast
source: {owner: acme, repo: fast}
environments:
  - name: prod
    deployment: {strategy: AllAtOnce, terminationWaitMinutes: 0}
`

func fast(t *testing.T) *config.Config {
	t.Helper()
	cfg, err := config.Parse("fast.yaml", []byte(fastYAML))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func estimate(t *testing.T, cfg *config.Config, opts Options) *Estimate {
	t.Helper()
	e, err := New(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func stage(t *testing.T, e *Estimate, name string) Stage {
	t.Helper()
	for _, s := range e.Stages {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no stage %s in %v", name, stageNames(e))
	return Stage{}
}

func stageNames(e *Estimate) []string {
	var names []string
	for _, s := range e.Stages {
		names = append(names, s.Name)
	}
	return names
}

func cost(t *testing.T, e *Estimate, prefix string) Cost {
	t.Helper()
	for _, c := range e.Costs {
		if strings.HasPrefix(c.Name, prefix) {
			return c
		}
	}
	t.Fatalf("no cost line %q", prefix)
	return Cost{}
}

func near(a, b float64) bool { return math.Abs(a-b) < 0.005 }

// The demo by hand, 30 releases, 5 build and 5 test minutes, us-east-1 prices:
//
//	Source             0.2 trigger + 0.5 source action                                    =  0.7
//	Build              Image: 1.5 start (90 s, any size) + 5 build + 0.5 push = 7.0, beside
//	                   UnitTests: 1.5 start + 5 tests = 6.5; the longer                   =  7.0
//	Scan               1.5 start + 0.5 Trivy and DB + 0.5 scan                            =  2.5
//	IntegrationTest    1.5 start + 1.0 task start + 0.5 healthy + 5 tests + 0.5 stop      =  8.5
//	Deploy-staging     1.7 VerifySignature (90 + 12 s) + 0.1 MarkDeployed + 1.0 tasks start
//	                   + 0.3 health (10 s × 2) + 0.1 test traffic + 0.5 CodeDeploy steps
//	                   + 0 shift (AllAtOnce) + 5 termination wait (default)                =  8.7
//	Approve-production 0 (the person's wait is excluded)                                  =  0.0
//	Deploy-production  1.7 + 0.1 + 1.0 + 0.3 + 0.1 + 0.5 + 5 canary + 30 termination wait = 38.7
//	total                                                                                  = 66.1
//
// The cost, each CodeBuild run and CodePipeline action rounded up to a minute:
//
//	CodeBuild build        30 × 7 min (7.0) × $0.01                           =   2.10
//	CodeBuild unit-test    30 × 7 min (6.5) × $0.01                           =   2.10
//	CodeBuild scan         30 × 3 min (2.5) × $0.005                          =   0.45
//	CodeBuild it           30 × 9 min (8.5) × $0.005                          =   1.35
//	CodeBuild verify ×2    30 × (2 + 2) min (1.7 each) × $0.005               =   0.60
//	free tier              −100 min × $0.005 (scan's 90, the test's 10)       =  −0.50
//	CodePipeline           (30 × 77 − 100) × $0.002, 77 = 1 source + 7 image + 7 unit
//	                       + 3 scan + 9 test + (2 + 1 + 7) staging + (2 + 1 + 37) production
//	                                                                          =   4.42
//	Fargate test task      30 × 7/60 h × (0.5 × $0.04048 + 2 × $0.004445)      =   0.10
//	Logs                   30 × 7 runs × 1 MB = 0.205 GB × $0.50              =   0.10
//	per environment (2)    NAT 0.045 × 730 = 32.85; load balancer (0.0225 + 0.008) × 730
//	                       = 22.27; 3 public IPv4 × 0.005 × 730 = 10.95      = 2 × 66.07
//	KMS                    4 keys × $1                                        =   4.00
//	alarms                 13 in one account − 10 free = 3 × $0.10            =   0.30
//	dashboards             3 (30, 7 and 7 metrics, none over 50) − 3 free     =   0.00
//	custom metrics         (3 + 7 × 2) × 30 h / 730 h = 0.7 metric-months, 10 free = 0.00
//	total                                                                     = 147.16
func TestDemoByHand(t *testing.T) {
	e := estimate(t, demo(t), DefaultOptions())
	want := map[string]float64{"Source": 0.7, "Build": 7.0, "Scan": 2.5, "IntegrationTest": 8.5,
		"Deploy-staging": 8.7, "Approve-production": 0, "Deploy-production": 38.7}
	for name, m := range want {
		if got := stage(t, e, name).Minutes; !near(got, m) {
			t.Errorf("stage %s: got %v min; want %v", name, got, m)
		}
	}
	if e.LeadTimeMinutes != 66.1 {
		t.Errorf("lead time: got %v; want 66.1", e.LeadTimeMinutes)
	}
	if e.MonthlyCostUSD != 147.16 {
		t.Errorf("monthly cost: got %v; want 147.16", e.MonthlyCostUSD)
	}
	if want := "production's termination wait (environments[1].deployment.terminationWaitMinutes): 30 of 66.1 minutes"; e.BiggestLever != want {
		t.Errorf("biggest lever: got %q; want %q", e.BiggestLever, want)
	}
}

// The fast config by hand:
//
//	Source          0.2 + 0.5                                                    =  0.7
//	Build           Image only: 1.5 + 5 + 0.5                                    =  7.0
//	Scan            1.5 + 0.5 + 0.5                                              =  2.5
//	Deploy-prod     1.7 VerifySignature + 0.1 MarkDeployed + 1.0 tasks start
//	                + 0.3 health + 0.1 test traffic + 0.5 steps + 0.5 deregistration
//	                delay (30 s: no termination wait holds the old tasks out first)  =  4.2
//	total                                                                        = 14.4
//
//	CodeBuild build 30 × 7 × $0.01 = 2.10; scan 30 × 3 × $0.005 = 0.45; verify 30 × 2 × $0.005
//	= 0.30; free tier −(90 + 10) × $0.005 = −0.50; CodePipeline (30 × (1 + 7 + 3 + 2 + 1 + 3) −
//	100) × $0.002 = 0.82; logs 30 × 3 MB = 0.088 GB × $0.50 = 0.04; NAT 32.85; load balancer
//	22.27; 3 public IPv4 10.95; 3 KMS keys 3.00; 8 alarms, 2 dashboards and 10 custom metrics
//	(0.41 metric-months) free                                                    = 72.28
func TestFastByHand(t *testing.T) {
	e := estimate(t, fast(t), DefaultOptions())
	if e.LeadTimeMinutes != 14.4 {
		t.Errorf("lead time: got %v; want 14.4 (%v)", e.LeadTimeMinutes, stageNames(e))
	}
	if got := stage(t, e, "Deploy-prod").Minutes; got != 4.2 {
		t.Errorf("Deploy-prod: got %v; want 4.2", got)
	}
	if e.MonthlyCostUSD != 72.28 {
		t.Errorf("monthly cost: got %v; want 72.28", e.MonthlyCostUSD)
	}
	if want := "the signature check before prod (pipeline.signing): 1.7 of 14.4 minutes"; e.BiggestLever != want {
		t.Errorf("biggest lever: got %q; want %q", e.BiggestLever, want)
	}
}

// The lead time is exactly the sum of the printed stage minutes, and each stage the sum of its
// items; the cost exactly the sum of its lines.
func TestSumsAreExact(t *testing.T) {
	for name, cfg := range shippedConfigs(t) {
		t.Run(name, func(t *testing.T) {
			e := estimate(t, cfg, Options{Releases: 17, BuildMinutes: 3.3, TestMinutes: 7.7})
			total := 0
			for _, s := range e.Stages {
				items := 0
				for _, it := range s.Items {
					items += tenthsOfMinutes(it.Minutes)
				}
				if items != tenthsOfMinutes(s.Minutes) {
					t.Errorf("%s: items add up to %d tenths; the stage says %v", s.Name, items, s.Minutes)
				}
				total += tenthsOfMinutes(s.Minutes)
			}
			if total != tenthsOfMinutes(e.LeadTimeMinutes) {
				t.Errorf("stages add up to %d tenths; the total says %v", total, e.LeadTimeMinutes)
			}
			sum := 0
			for _, c := range e.Costs {
				sum += cents(c.USD)
			}
			if sum != cents(e.MonthlyCostUSD) {
				t.Errorf("cost lines add up to %d cents; the total says %v", sum, e.MonthlyCostUSD)
			}
		})
	}
}

// shippedConfigs are delivery.yaml and every examples/*.yaml, loaded.
func shippedConfigs(t *testing.T) map[string]*config.Config {
	t.Helper()
	files, err := filepath.Glob("../../examples/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, "../../delivery.yaml")
	out := map[string]*config.Config{}
	for _, f := range files {
		cfg, err := config.Load(f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out[strings.TrimSuffix(filepath.Base(f), ".yaml")] = cfg
	}
	if len(out) < 5 {
		t.Fatalf("found %d shipped configs; want delivery.yaml and the four examples", len(out))
	}
	return out
}

func TestEveryShippedConfigEstimates(t *testing.T) {
	for name, cfg := range shippedConfigs(t) {
		t.Run(name, func(t *testing.T) {
			e := estimate(t, cfg, DefaultOptions())
			if e.LeadTimeMinutes <= 0 || e.MonthlyCostUSD <= 0 {
				t.Errorf("got %v minutes and $%v", e.LeadTimeMinutes, e.MonthlyCostUSD)
			}
			if len(e.Warnings) != 0 {
				t.Errorf("warnings for a shipped config: %v", e.Warnings)
			}
			if !strings.Contains(e.BiggestLever, " of ") {
				t.Errorf("biggest lever: %q", e.BiggestLever)
			}
			for _, s := range e.Stages {
				for _, it := range s.Items {
					if it.Why == "" {
						t.Errorf("%s / %s has no why", s.Name, it.Name)
					}
					if it.Minutes > 0 && !strings.Contains(it.Why, "assumption") && !strings.Contains(it.Why, "https://") && !strings.HasPrefix(it.Why, "--") {
						t.Errorf("%s / %s: %q names neither a source nor an assumption nor a flag", s.Name, it.Name, it.Why)
					}
				}
			}
			for _, c := range e.Costs {
				if !strings.Contains(c.Why, "https://") {
					t.Errorf("cost %s: %q names no price page", c.Name, c.Why)
				}
			}
		})
	}
}

func TestOptionsAreChecked(t *testing.T) {
	cfg := fast(t)
	for name, opts := range map[string]Options{
		"no releases":      {Releases: 0, BuildMinutes: 5, TestMinutes: 5},
		"too many":         {Releases: MaxReleases + 1, BuildMinutes: 5, TestMinutes: 5},
		"negative build":   {Releases: 30, BuildMinutes: -1, TestMinutes: 5},
		"a day and more":   {Releases: 30, BuildMinutes: 5, TestMinutes: MaxMinutes + 1},
		"not a number":     {Releases: 30, BuildMinutes: math.NaN(), TestMinutes: 5},
		"infinite testing": {Releases: 30, BuildMinutes: 5, TestMinutes: math.Inf(1)},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := New(cfg, opts); err == nil {
				t.Errorf("New(%+v): no error", opts)
			}
		})
	}
}
