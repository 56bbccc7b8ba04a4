package estimate

import (
	"fmt"
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
	return append(costs, accountCosts(all)...)
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

// codeBuildCosts are one line per project (the signature check's runs together) and the free
// tier of small builds.
func codeBuildCosts(cfg *config.Config, n int, r *release, p *pricer) []Cost {
	region := cfg.Pipeline.Region
	type project struct {
		b             build
		runs, minutes int
		parts         []string
		price         float64
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
		costs = append(costs, perRelease(fmt.Sprintf("CodeBuild %s%s (%s)", name, runs, inst), float64(n*pr.minutes)*pr.price,
			fmt.Sprintf("%d releases × %d min (%s min, each build rounded up to a minute) × %s/min %s in %s (%s)",
				n, pr.minutes, strings.Join(pr.parts, ", "), usd(pr.price), inst, region, pageCodeBuild)))
	}
	for _, arch := range []string{x86, "arm64"} {
		for _, name := range order {
			pr := projects[name]
			if pr.b.computeType != smallCompute || pr.b.architecture != arch || free == 0 {
				continue
			}
			used := min(free, n*pr.minutes)
			free -= used
			freeUSD += float64(used) * pr.price
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
	hourly := vcpu*rp.fargateVCPUHour[t.architecture] + gb*rp.fargateGBHour[t.architecture]
	return perRelease("Fargate integration-test task", float64(n)*mins/60*hourly,
		fmt.Sprintf("%d releases × %s min × (%s vCPU × %s + %s GB × %s per hour, %s, %s) (%s)",
			n, number(mins), number(vcpu), usd(rp.fargateVCPUHour[t.architecture]), number(gb), usd(rp.fargateGBHour[t.architecture]),
			t.architecture, t.region, pageFargate))
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
	return perRelease("CloudWatch Logs: build and test logs", gb*price,
		fmt.Sprintf("%d releases × %d runs × %s MB (%s) = %.3f GB × %s/GB (%s)",
			n, runs, number(logMBPerRun), logAssumption, gb, usd(price), pageCloudWatch))
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
		costs = append(costs, fixed(fmt.Sprintf("%s: NAT gateway ×%d", s.name, s.natGateways), float64(s.natGateways)*rp.natHour*hoursPerMonth,
			fmt.Sprintf("%d × %s/h × %d h in %s, data processing excluded (%s)", s.natGateways, usd(rp.natHour), hoursPerMonth, s.region, pageVPC)))
	}
	costs = append(costs, fixed(s.name+": load balancer", (rp.albHour+lcusPerHour*rp.lcuHour)*hoursPerMonth,
		fmt.Sprintf("(%s/h + %d LCU × %s/LCU-h, assumption: a lightly used load balancer) × %d h in %s (%s)",
			usd(rp.albHour), lcusPerHour, usd(rp.lcuHour), hoursPerMonth, s.region, pageELB)))
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
			float64(s.interfaceEndpoints*azs)*rp.endpointAZHour*hoursPerMonth,
			fmt.Sprintf("natGateways 0: %d endpoints × %d AZs × %s/h × %d h in %s, data processing excluded (%s)",
				s.interfaceEndpoints, azs, usd(rp.endpointAZHour), hoursPerMonth, s.region, pagePrivateLink)))
	}
	return costs
}

// accountCosts are the keys, alarms, dashboards and secrets of every stack, with CloudWatch's
// free alarms and dashboards applied per account.
func accountCosts(all []stack) []Cost {
	keys, secrets := 0, 0
	type account struct{ alarms, dashboards int }
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
		a.dashboards += s.dashboards
	}
	sort.Strings(names)
	var alarms, dashboards, billedAlarms, billedDashboards int
	var alarmParts, dashboardParts []string
	for _, name := range names {
		a := accounts[name]
		label := "account " + name
		if name == "" {
			label = "the one account"
		}
		alarms += a.alarms
		dashboards += a.dashboards
		billedAlarms += max(0, a.alarms-freeAlarms)
		billedDashboards += max(0, a.dashboards-freeDashboards)
		alarmParts = append(alarmParts, fmt.Sprintf("%s: %d (%d free)", label, a.alarms, freeAlarms))
		dashboardParts = append(dashboardParts, fmt.Sprintf("%s: %d (%d free)", label, a.dashboards, freeDashboards))
	}
	costs := []Cost{
		fixed(fmt.Sprintf("KMS keys ×%d", keys), float64(keys)*kmsKeyMonth,
			fmt.Sprintf("the artifact key and each stack's operations key: %d × %s a month, the first year's (each yearly rotation adds $1 for two years) (%s)", keys, usd(kmsKeyMonth), pageKMS)),
		fixed(fmt.Sprintf("CloudWatch alarms ×%d", alarms), float64(billedAlarms)*alarmMonth,
			fmt.Sprintf("%s: %d billed × %s a month (%s)", strings.Join(alarmParts, "; "), billedAlarms, usd(alarmMonth), pageCloudWatch)),
		fixed(fmt.Sprintf("CloudWatch dashboards ×%d", dashboards), float64(billedDashboards)*dashboardMonth,
			fmt.Sprintf("%s: %d billed × %s a month (%s)", strings.Join(dashboardParts, "; "), billedDashboards, usd(dashboardMonth), pageCloudWatch)),
	}
	if secrets > 0 {
		costs = append(costs, fixed("Secrets Manager: webhook secret", float64(secrets)*secretMonth,
			fmt.Sprintf("source.oauthTokenSecret: the webhook's signing secret, %d × %s a month (%s)", secrets, usd(secretMonth), pageSecretsManager)))
	}
	return costs
}
