// Package estimate says how long one release takes from push to production and what the
// pipeline costs a month, from a loaded config, documented AWS timings and a dated price table.
// Every figure carries its formula and its source, or says it is an assumption.
package estimate

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/ecsdelivery/ecsdelivery/config"
)

// Defaults and limits of the estimate's own inputs.
const (
	DefaultReleases     = 30
	DefaultBuildMinutes = 5
	DefaultTestMinutes  = 5
	MaxReleases         = 10000
	MaxMinutes          = 1440
)

// Options are the estimate's inputs besides the config.
type Options struct {
	// Releases a month, 1 to MaxReleases.
	Releases int
	// BuildMinutes is the image build's own work (the Dockerfile's steps), 0 to MaxMinutes.
	BuildMinutes float64
	// TestMinutes is the unit tests' own work and, separately, the integration test
	// command's: the same minutes for each, 0 to MaxMinutes.
	TestMinutes float64
}

// DefaultOptions are the command's defaults: 30 releases, 5 build and 5 test minutes.
func DefaultOptions() Options {
	return Options{Releases: DefaultReleases, BuildMinutes: DefaultBuildMinutes, TestMinutes: DefaultTestMinutes}
}

// Item is one step of a stage: its minutes, how they were reached and from what source, and
// the config field that controls it, if one does.
type Item struct {
	Name    string  `json:"name"`
	Minutes float64 `json:"minutes"`
	Why     string  `json:"why"`
	Setting string  `json:"setting,omitempty"`
	tenths  int     // minutes in tenths, so sums are exact
	lever   string  // how the biggest lever names it: "production's termination wait"
}

// Stage is one pipeline stage on the path of a release; its minutes are the sum of its items'.
type Stage struct {
	Name    string  `json:"name"`
	Minutes float64 `json:"minutes"`
	Why     string  `json:"why"`
	Items   []Item  `json:"items"`
	tenths  int
}

// Cost is one line of the monthly cost.
type Cost struct {
	Name string  `json:"name"`
	USD  float64 `json:"usd"`
	Why  string  `json:"why"`
	// perRelease lines grow with the number of releases; the others do not.
	perRelease bool
	cents      int
}

// Estimate is the lead time of one release and the monthly cost of the pipeline.
type Estimate struct {
	App              string   `json:"app"`
	LeadTimeMinutes  float64  `json:"leadTimeMinutes"`
	Stages           []Stage  `json:"stages"`
	MonthlyCostUSD   float64  `json:"monthlyCostUSD"`
	Costs            []Cost   `json:"costs"`
	BiggestLever     string   `json:"biggestLever"`
	ReleasesPerMonth int      `json:"releasesPerMonth"`
	BuildMinutes     float64  `json:"buildMinutes"`
	TestMinutes      float64  `json:"testMinutes"`
	PriceTableDate   string   `json:"priceTableDate"`
	PriceRegion      string   `json:"priceRegion"`
	PriceSources     []string `json:"priceSources"`
	Warnings         []string `json:"warnings"`
	Excluded         []string `json:"excluded"`
	leadTenths       int
	costCents        int
}

// excluded is what neither the lead time nor the cost counts.
var excluded = []string{
	"waiting for a person at each Approve-<env> stage, and for a deployment window to open",
	"a retried Build or Scan action (one automatic retry each) and a stage rollback",
	"releases queued behind another: the pipeline runs one release at a time (QUEUED), so a termination wait or bake holds later releases too",
	"the application's own running tasks, their Container Insights metrics and logs, and the service's and VPC flow logs",
	"NAT gateway and VPC endpoint data processing, data transfer, and load balancer capacity beyond one LCU",
	"ECR image storage, S3 artifact storage and requests, KMS requests",
	"Lambda (notifier, deploy marker, test-traffic check), SNS, SQS, EventBridge and the notifier's PutMetricData requests at these volumes: under a cent",
	"AWS Signer's charge per signature (ECR signs every push with pipeline.signing): no price found in a stored AWS source",
	"taxes, support plans, Savings Plans and other discounts",
}

// New estimates a release and a month of the pipeline cfg describes (a config from config.Load,
// with every default filled in).
func New(cfg *config.Config, opts Options) (*Estimate, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	if len(cfg.Environments) == 0 {
		return nil, errors.New("the config names no environment")
	}
	r := newRelease(cfg, opts)
	p := &pricer{}
	costs := monthlyCosts(cfg, opts, r, p)
	e := &Estimate{
		App: cfg.App, Stages: r.stages, Costs: costs,
		ReleasesPerMonth: opts.Releases, BuildMinutes: opts.BuildMinutes, TestMinutes: opts.TestMinutes,
		PriceTableDate: PriceTableDate, PriceRegion: priceRegion(cfg.Pipeline.Region),
		PriceSources: priceSources, Warnings: p.warnings, Excluded: excluded,
	}
	if e.Warnings == nil {
		e.Warnings = []string{}
	}
	for _, s := range e.Stages {
		e.leadTenths += s.tenths
	}
	for _, c := range e.Costs {
		e.costCents += c.cents
	}
	e.LeadTimeMinutes = float64(e.leadTenths) / 10
	e.MonthlyCostUSD = float64(e.costCents) / 100
	e.BiggestLever = biggestLever(e.Stages, e.leadTenths)
	return e, nil
}

func (o Options) check() error {
	switch {
	case o.Releases < 1 || o.Releases > MaxReleases:
		return fmt.Errorf("releases: %d; expected a whole number from 1 to %d", o.Releases, MaxReleases)
	case !inMinutes(o.BuildMinutes):
		return fmt.Errorf("build minutes: %v; expected 0 to %d", o.BuildMinutes, MaxMinutes)
	case !inMinutes(o.TestMinutes):
		return fmt.Errorf("test minutes: %v; expected 0 to %d", o.TestMinutes, MaxMinutes)
	}
	return nil
}

func inMinutes(m float64) bool { return !math.IsNaN(m) && m >= 0 && m <= MaxMinutes }

// newItem is an item of t tenths of a minute.
func newItem(name string, t int, why, setting, lever string) Item {
	return Item{Name: name, Minutes: float64(t) / 10, Why: why, Setting: setting, tenths: t, lever: lever}
}

// newStage sums its items.
func newStage(name, why string, items ...Item) Stage {
	s := Stage{Name: name, Why: why, Items: items}
	for _, it := range items {
		s.tenths += it.tenths
	}
	s.Minutes = float64(s.tenths) / 10
	return s
}

// tenthsOfSeconds rounds seconds to tenths of a minute; a step that takes any time at all
// takes at least a tenth.
func tenthsOfSeconds(s float64) int {
	if s <= 0 {
		return 0
	}
	return max(1, int(math.Round(s/6)))
}

// tenthsOfMinutes rounds minutes to tenths.
func tenthsOfMinutes(m float64) int { return int(math.Round(m * 10)) }

// minutes prints tenths as minutes: "30", "64.6".
func minutes(tenths int) string { return strconv.FormatFloat(float64(tenths)/10, 'f', -1, 64) }

// number prints a float without trailing zeros.
func number(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// seconds prints a duration in seconds: "30 s", "0.1 s".
func seconds(s float64) string { return number(s) + " s" }

// usd prints a price with at least two decimals: "$0.0225", "$0.50", "$3.00".
func usd(f float64) string {
	s := number(f)
	whole, frac, _ := strings.Cut(s, ".")
	for len(frac) < 2 {
		frac += "0"
	}
	return "$" + whole + "." + frac
}

// cents rounds dollars to cents.
func cents(f float64) int { return int(math.Round(f * 100)) }
