package estimate

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/ecsdelivery/ecsdelivery/config"
)

// monthlyCosts prices a month of opts.Releases releases of r and the stacks' standing resources.
// Free allowances are applied per account as if nothing else in the account used them.
func monthlyCosts(cfg *config.Config, opts Options, r *release, p *pricer) []Cost {
	n := opts.Releases
	var costs []Cost
	costs = append(costs, codeBuildCosts(cfg, n, r, p)...)
	costs = append(costs, pipelineCost(n, r))
	if r.task != nil {
		costs = append(costs, taskCost(n, r.task, p))
	}
	costs = append(costs, logsCost(cfg, n, r, p))
	all := stacks(cfg)
	for _, s := range all[1:] {
		costs = append(costs, networkCosts(s, p)...)
	}
	return append(costs, accountCosts(all, n, p.region(cfg.Pipeline.Region).customMetricMonth)...)
}

func perRelease(name string, usdValue float64, why string) Cost {
	c := cents(usdValue)
	return Cost{Name: name, USD: float64(c) / 100, Why: why, perRelease: true, cents: c}
}

func fixed(name string, usdValue float64, why string) Cost {
	c := cents(usdValue)
	return Cost{Name: name, USD: float64(c) / 100, Why: why, cents: c}
}

// billedMinutes is a run's charge: CodeBuild and CodePipeline round each build or action up to
// a whole minute.
func billedMinutes(tenths int) int { return (tenths + 9) / 10 }

// hundredths rounds to two decimals.
func hundredths(f float64) float64 { return math.Round(f*100) / 100 }

// codeBuildCosts are one line per project (the signature check's runs together) and the free
// tier of small builds.
func codeBuildCosts(cfg *config.Config, n int, r *release, p *pricer) []Cost {
	region := cfg.Pipeline.Region
	type project struct {
		b             build
		runs, minutes int
		parts         []string
		price         price
	}
	var order []string
	projects := map[string]*project{}
	for _, b := range r.builds {
		pr, ok := projects[b.project]
		if !ok {
			pr = &project{b: b, price: p.codeBuild(region, b.architecture, b.computeType)}
			projects[b.project] = pr
			order = append(order, b.project)
		}
		pr.runs++
		pr.minutes += billedMinutes(b.tenths)
		pr.parts = append(pr.parts, fmt.Sprintf("%s → %d", minutes(b.tenths), billedMinutes(b.tenths)))
	}
	var costs []Cost
	// The free tier's 100 minutes go to small builds, x86 first, in pipeline order.
	free := codeBuildFreeMinutes
	var freeUSD float64
	var freeParts []string
	for _, name := range order {
		pr := projects[name]
		inst := instanceName(pr.b.architecture, pr.b.computeType)
		runs := ""
		if pr.runs > 1 {
			runs = fmt.Sprintf(" ×%d", pr.runs)
		}
		costs = append(costs, perRelease(fmt.Sprintf("CodeBuild %s%s (%s)", name, runs, inst), float64(n*pr.minutes)*pr.price.usd,
			fmt.Sprintf("%d releases × %d min (%s min, each build rounded up to a minute) × %s/min %s in %s%s (%s)",
				n, pr.minutes, strings.Join(pr.parts, ", "), usd(pr.price.usd), inst, region, pr.price.caveat(), pageCodeBuild)))
	}
	for _, arch := range []string{x86, "arm64"} {
		for _, name := range order {
			pr := projects[name]
			if pr.b.computeType != smallCompute || pr.b.architecture != arch || free == 0 {
				continue
			}
			used := min(free, n*pr.minutes)
			free -= used
			freeUSD += float64(used) * pr.price.usd
			freeParts = append(freeParts, fmt.Sprintf("%d min of %s", used, name))
		}
	}
	if len(freeParts) > 0 {
		costs = append(costs, fixed("CodeBuild free tier", -freeUSD,
			fmt.Sprintf("the %d free minutes a month of general1.small or arm1.small (%s), as if the account ran no other build: %s",
				codeBuildFreeMinutes, pageCodeBuild, strings.Join(freeParts, ", "))))
	}
	return costs
}

// pipelineCost is CodePipeline V2's charge: every action but manual approvals, each rounded up
// to a minute; stage conditions (the window, the bake's alarm rules) are not actions.
func pipelineCost(n int, r *release) Cost {
	total := 0
	var parts []string
	for _, a := range r.actions {
		m := billedMinutes(a.tenths)
		total += m
		parts = append(parts, fmt.Sprintf("%s %d", a.name, m))
	}
	billed := max(0, n*total-pipelineFreeMinutes)
	c := perRelease("CodePipeline V2 action minutes", float64(billed)*pipelineActionMinute,
		fmt.Sprintf("(%d releases × %d min (%s; approvals free) − %d free) × %s/min (%s)",
			n, total, strings.Join(parts, " + "), pipelineFreeMinutes, usd(pipelineActionMinute), pageCodePipeline))
	return c
}

// taskCost is the integration test's task, billed per second with a one-minute minimum from
// the image pull to the task's end.
func taskCost(n int, t *testTask, p *pricer) Cost {
	rp := p.region(t.region)
	vcpu, gb := float64(t.cpu)/1024, float64(t.memoryMiB)/1024
	mins := max(1, float64(t.tenths)/10)
	cpuPrice, gbPrice := rp.fargateVCPUHour[t.architecture], rp.fargateGBHour[t.architecture]
	hourly := vcpu*cpuPrice.usd + gb*gbPrice.usd
	return perRelease("Fargate integration-test task", float64(n)*mins/60*hourly,
		fmt.Sprintf("%d releases × %s min × (%s vCPU × %s + %s GB × %s per hour, %s, %s%s) (%s)",
			n, number(mins), number(vcpu), usd(cpuPrice.usd), number(gb), usd(gbPrice.usd),
			t.architecture, t.region, caveats(cpuPrice, gbPrice), pageFargate))
}

// logsCost is the CloudWatch Logs ingestion of a month's build and test logs. The account's
// 5 GB free allowance is left to the service's and flow logs, which use it first.
func logsCost(cfg *config.Config, n int, r *release, p *pricer) Cost {
	runs := len(r.builds)
	if r.task != nil {
		runs++
	}
	gb := float64(n*runs) * logMBPerRun / 1024
	price := p.region(cfg.Pipeline.Region).logsIngestGB
	return perRelease("CloudWatch Logs: build and test logs", gb*price.usd,
		fmt.Sprintf("%d releases × %d runs × %s MB (%s) = %.3f GB × %s/GB%s (%s)",
			n, runs, number(logMBPerRun), logAssumption, gb, usd(price.usd), price.caveat(), pageCloudWatch))
}

// networkCosts are a created environment's NAT gateways, load balancer, public addresses and
// endpoints, for a 730-hour month.
func networkCosts(s stack, p *pricer) []Cost {
	if s.environment.Import != nil {
		return nil
	}
	rp := p.region(s.region)
	var costs []Cost
	if s.natGateways > 0 {
		costs = append(costs, fixed(fmt.Sprintf("%s: NAT gateway ×%d", s.name, s.natGateways), float64(s.natGateways)*rp.natHour.usd*hoursPerMonth,
			fmt.Sprintf("%d × %s/h × %d h in %s%s, data processing excluded (%s)",
				s.natGateways, usd(rp.natHour.usd), hoursPerMonth, s.region, rp.natHour.caveat(), pageVPC)))
	}
	costs = append(costs, fixed(s.name+": load balancer", (rp.albHour.usd+lcusPerHour*rp.lcuHour.usd)*hoursPerMonth,
		fmt.Sprintf("(%s/h + %d LCU × %s/LCU-h, assumption: a lightly used load balancer) × %d h in %s%s (%s)",
			usd(rp.albHour.usd), lcusPerHour, usd(rp.lcuHour.usd), hoursPerMonth, s.region, caveats(rp.albHour, rp.lcuHour), pageELB)))
	if s.publicIPs > 0 {
		var what []string
		if s.natGateways > 0 {
			what = append(what, fmt.Sprintf("%d NAT Elastic IP", s.natGateways))
		}
		if s.publicIPs > s.natGateways {
			what = append(what, fmt.Sprintf("%d for the internet-facing load balancer (one per AZ)", s.publicIPs-s.natGateways))
		}
		costs = append(costs, fixed(fmt.Sprintf("%s: public IPv4 ×%d", s.name, s.publicIPs), float64(s.publicIPs)*ipv4Hour*hoursPerMonth,
			fmt.Sprintf("%s: %d × %s/h × %d h (%s)", strings.Join(what, " + "), s.publicIPs, usd(ipv4Hour), hoursPerMonth, pageVPC)))
	}
	if s.interfaceEndpoints > 0 {
		costs = append(costs, fixed(fmt.Sprintf("%s: VPC interface endpoints ×%d", s.name, s.interfaceEndpoints),
			float64(s.interfaceEndpoints*azs)*rp.endpointAZHour.usd*hoursPerMonth,
			fmt.Sprintf("natGateways 0: %d endpoints × %d AZs × %s/h × %d h in %s%s, data processing excluded (%s)",
				s.interfaceEndpoints, azs, usd(rp.endpointAZHour.usd), hoursPerMonth, s.region, rp.endpointAZHour.caveat(), pagePrivateLink)))
	}
	return costs
}

// accountCosts are the keys, alarms, dashboards, custom metrics and secrets of every stack, with
// CloudWatch's free alarms, dashboards and metrics applied per account.
func accountCosts(all []stack, n int, metricPrice price) []Cost {
	keys, secrets := 0, 0
	type account struct {
		alarms, metrics int
		dashboards      []string // "pipeline 30", one a dashboard with its metrics
		within          int      // dashboards of up to freeDashboardMetrics metrics
		over            []string // the stacks whose dashboard holds more
	}
	accounts := map[string]*account{}
	var names []string
	for _, s := range all {
		keys += s.keys
		secrets += s.secrets
		a, ok := accounts[s.account]
		if !ok {
			a = &account{}
			accounts[s.account] = a
			names = append(names, s.account)
		}
		a.alarms += s.alarms
		a.metrics += s.customMetrics
		for range s.dashboards {
			a.dashboards = append(a.dashboards, fmt.Sprintf("%s %d", s.name, s.dashboardMetrics))
			if s.dashboardMetrics > freeDashboardMetrics {
				a.over = append(a.over, s.name)
			} else {
				a.within++
			}
		}
	}
	sort.Strings(names)
	// A metric is billed for each hour it is sent in; the notifier sends each at most once a
	// release (assumption: each release in an hour of its own).
	metricHours := min(n, hoursPerMonth)
	var alarms, dashboards, metrics, billedAlarms, billedDashboards int
	var billedMetricMonths float64
	var alarmParts, dashboardParts, metricParts []string
	for _, name := range names {
		a := accounts[name]
		label := "account " + name
		if name == "" {
			label = "the one account"
		}
		alarms += a.alarms
		dashboards += len(a.dashboards)
		metrics += a.metrics
		billedAlarms += max(0, a.alarms-freeAlarms)
		billedDashboards += len(a.over) + max(0, a.within-freeDashboards)
		alarmParts = append(alarmParts, fmt.Sprintf("%s: %d (%d free)", label, a.alarms, freeAlarms))
		part := fmt.Sprintf("%s: %d (metrics: %s; %d free of up to %d metrics each", label, len(a.dashboards), strings.Join(a.dashboards, ", "), freeDashboards, freeDashboardMetrics)
		if len(a.over) > 0 {
			part += fmt.Sprintf(", so %s's is not free", strings.Join(a.over, "'s and "))
		}
		dashboardParts = append(dashboardParts, part+")")
		if a.metrics > 0 {
			months := hundredths(float64(a.metrics*metricHours) / hoursPerMonth)
			billedMetricMonths += max(0, months-freeCustomMetrics)
			metricParts = append(metricParts, fmt.Sprintf("%s: %d × %d h / %d h = %s metric-months (%d free, unless Container Insights uses them first)",
				label, a.metrics, metricHours, hoursPerMonth, number(months), freeCustomMetrics))
		}
	}
	costs := []Cost{
		fixed(fmt.Sprintf("KMS keys ×%d", keys), float64(keys)*kmsKeyMonth,
			fmt.Sprintf("the artifact key and each stack's operations key: %d × %s a month, the first year's (each yearly rotation adds $1 for two years) (%s)", keys, usd(kmsKeyMonth), pageKMS)),
		fixed(fmt.Sprintf("CloudWatch alarms ×%d", alarms), float64(billedAlarms)*alarmMonth,
			fmt.Sprintf("%s: %d billed × %s a month (%s)", strings.Join(alarmParts, "; "), billedAlarms, usd(alarmMonth), pageCloudWatch)),
		fixed(fmt.Sprintf("CloudWatch dashboards ×%d", dashboards), float64(billedDashboards)*dashboardMonth,
			fmt.Sprintf("%s: %d billed × %s a month (assumption: a metric a math expression reads counts, the expression does not) (%s)",
				strings.Join(dashboardParts, "; "), billedDashboards, usd(dashboardMonth), pageCloudWatch)),
	}
	if metrics > 0 {
		c := fixed(fmt.Sprintf("CloudWatch custom metrics ×%d", metrics), billedMetricMonths*metricPrice.usd,
			fmt.Sprintf("the notifier's, %d a pipeline + %d an environment, metered by the hour only when sent (assumption: each at most once a release, each release in an hour of its own): %s: %s billed × %s a metric-month%s (%s)",
				pipelineCustomMetrics, environmentCustomMetrics, strings.Join(metricParts, "; "), number(billedMetricMonths), usd(metricPrice.usd), metricPrice.caveat(), pageCloudWatch))
		c.perRelease = true
		costs = append(costs, c)
	}
	if secrets > 0 {
		costs = append(costs, fixed("Secrets Manager: webhook secret", float64(secrets)*secretMonth,
			fmt.Sprintf("source.oauthTokenSecret: the webhook's signing secret, %d × %s a month (%s)", secrets, usd(secretMonth), pageSecretsManager)))
	}
	return costs
}
