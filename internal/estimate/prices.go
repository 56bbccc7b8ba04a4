package estimate

import "fmt"

// PriceTableDate is the day the table below was compiled. AWS changes prices without notice:
// check the pages in priceSources before relying on a figure, and move the date when the table is
// read again.
const PriceTableDate = "2026-11-27"

// fallbackRegion's prices stand in for a region the table lacks, with a warning.
const fallbackRegion = "us-east-1"

// The pricing pages the table was compiled from, all USD, on-demand, Linux.
const (
	pageCodeBuild      = "https://aws.amazon.com/codebuild/pricing/"
	pageCodePipeline   = "https://aws.amazon.com/codepipeline/pricing/"
	pageFargate        = "https://aws.amazon.com/fargate/pricing/"
	pageVPC            = "https://aws.amazon.com/vpc/pricing/"
	pageELB            = "https://aws.amazon.com/elasticloadbalancing/pricing/"
	pagePrivateLink    = "https://aws.amazon.com/privatelink/pricing/"
	pageKMS            = "https://aws.amazon.com/kms/pricing/"
	pageCloudWatch     = "https://aws.amazon.com/cloudwatch/pricing/"
	pageSecretsManager = "https://aws.amazon.com/secrets-manager/pricing/"
)

// priceSources are the table's sources, as the output lists them.
var priceSources = []string{pageCodeBuild, pageCodePipeline, pageFargate, pageVPC, pageELB, pagePrivateLink, pageKMS, pageCloudWatch, pageSecretsManager}

// Prices that are the same in every region of the table.
const (
	// CodePipeline V2: per action execution minute, each action rounded up to a whole minute;
	// manual approvals and custom actions are not charged; 100 free minutes a month per account.
	pipelineActionMinute = 0.002
	pipelineFreeMinutes  = 100
	// CodeBuild's free tier: 100 build minutes a month of general1.small or arm1.small per account.
	codeBuildFreeMinutes = 100
	// A public IPv4 address (a NAT gateway's Elastic IP, an internet-facing load balancer's node
	// in each AZ), per hour.
	ipv4Hour = 0.005
	// A customer-managed KMS key, per month (each automatic rotation adds $1 a month for the
	// first two rotations: not counted, the figure is a first year's).
	kmsKeyMonth = 1.00
	// A standard-resolution CloudWatch alarm, per month; 10 free per account.
	alarmMonth = 0.10
	freeAlarms = 10
	// A CloudWatch dashboard, per month; 3 free per account, of up to 50 metrics each.
	dashboardMonth       = 3.00
	freeDashboards       = 3
	freeDashboardMetrics = 50
	// CloudWatch custom metrics: 10 metric-months free per account (from a public copy of the
	// page, as is the price per metric-month in the table). "All custom metrics charges are
	// prorated by the hour and metered only when you send metrics to CloudWatch."
	freeCustomMetrics = 10
	// A Secrets Manager secret, per month.
	secretMonth = 0.40
	// hoursPerMonth is AWS's month for hourly prices.
	hoursPerMonth = 730
	// lcusPerHour is the load balancer capacity a created, lightly used load balancer is
	// charged for: one LCU is 25 new connections a second, 3,000 active connections, 1 GB an
	// hour or 1,000 rule evaluations a second.
	lcusPerHour = 1
)

// provenance is how a price of the table was reached.
type provenance int

const (
	read       provenance = iota // read from the pricing page
	publicCopy                   // from a public copy of the page, not checked against the page
	derived                      // computed from other prices of the table
	assumed                      // assumed equal to another region's
)

// price is one figure of the table and how it was reached.
type price struct {
	usd float64
	how provenance
	// basis is what a derived or assumed price comes from: "ap-northeast-1's × 0.8".
	basis string
}

// caveat is what the output says after a price that was not read from its page: "" for one
// that was, otherwise such as ", derived (ap-northeast-1's × 0.8), not read from the page".
func (p price) caveat() string {
	switch p.how {
	case publicCopy:
		return ", from a public copy of the page, not checked against the page"
	case derived:
		return ", derived (" + p.basis + "), not read from the page"
	case assumed:
		return ", assumed (" + p.basis + "), not read from the page"
	}
	return ""
}

// caveats are the caveats of a line's prices, each said once.
func caveats(prices ...price) string {
	out, seen := "", map[string]bool{}
	for _, p := range prices {
		if c := p.caveat(); c != "" && !seen[c] {
			seen[c] = true
			out += c
		}
	}
	return out
}

// sameAs is p taken for another region's price: assumed equal to region's.
func (p price) sameAs(region string) price {
	basis := region + "'s"
	switch p.how {
	case publicCopy:
		basis += ", itself from a public copy"
	case derived:
		basis += ", itself derived: " + p.basis
	case assumed:
		basis += ", itself " + p.basis
	}
	return price{usd: p.usd, how: assumed, basis: basis}
}

// regionPrices are one region's prices.
type regionPrices struct {
	// Fargate per vCPU-hour and per GB-hour, by architecture.
	fargateVCPUHour, fargateGBHour map[string]price
	natHour                        price // a NAT gateway, per hour (data processing excluded)
	albHour                        price // an Application Load Balancer, per hour
	lcuHour                        price // per LCU-hour
	endpointAZHour                 price // an interface VPC endpoint, per AZ and hour (data processing excluded)
	logsIngestGB                   price // CloudWatch Logs standard ingestion, per GB
	customMetricMonth              price // a CloudWatch custom metric, per metric-month (the first 10,000)
	// codeBuild is the on-demand EC2 price per build minute, by "architecture/computeType"; a
	// missing entry falls back to fallbackRegion's, with a warning.
	codeBuild map[string]price
}

// usEast1 are us-east-1's prices, read from the pages but where marked.
func usEast1() regionPrices {
	return regionPrices{
		fargateVCPUHour: map[string]price{"x86_64": {usd: 0.04048}, "arm64": {usd: 0.03238}},
		fargateGBHour:   map[string]price{"x86_64": {usd: 0.004445}, "arm64": {usd: 0.00356}},
		natHour:         price{usd: 0.045}, albHour: price{usd: 0.0225}, lcuHour: price{usd: 0.008},
		endpointAZHour: price{usd: 0.01}, logsIngestGB: price{usd: 0.50},
		customMetricMonth: price{usd: 0.30, how: publicCopy},
		codeBuild: map[string]price{
			"x86_64/small": {usd: 0.005}, "x86_64/medium": {usd: 0.01}, "x86_64/large": {usd: 0.02}, "x86_64/xlarge": {usd: 0.0798},
			"arm64/small": {usd: 0.0034}, "arm64/large": {usd: 0.015},
			// ap-northeast-1's × 0.8, the ratio of arm1.small's prices in the two regions.
			"arm64/medium": {0.0072, derived, "ap-northeast-1's × 0.8"},
			"arm64/xlarge": {0.064, derived, "ap-northeast-1's × 0.8"},
		},
	}
}

// sameAsUSEast1 are the prices us-east-2 and us-west-2 are assumed to share with us-east-1,
// but the x86 CodeBuild prices listed as read for the region.
func sameAsUSEast1(readCodeBuild ...string) regionPrices {
	r := usEast1()
	all := func(m map[string]price) map[string]price {
		out := map[string]price{}
		for k, v := range m {
			out[k] = v.sameAs(fallbackRegion)
		}
		return out
	}
	r.fargateVCPUHour, r.fargateGBHour, r.codeBuild = all(r.fargateVCPUHour), all(r.fargateGBHour), all(r.codeBuild)
	for _, p := range []*price{&r.natHour, &r.albHour, &r.lcuHour, &r.endpointAZHour, &r.logsIngestGB, &r.customMetricMonth} {
		*p = p.sameAs(fallbackRegion)
	}
	for _, k := range readCodeBuild {
		r.codeBuild[k] = price{usd: r.codeBuild[k].usd}
	}
	return r
}

// otherRegion are the prices of a region outside the US: Fargate (x86 vCPU and GB, then arm64
// vCPU and GB), NAT gateway, load balancer and LCU, endpoint and logs from public copies of the
// pages, not checked against them; the CodeBuild prices given; the custom metric's assumed to be
// us-east-1's.
func otherRegion(fargate [4]float64, nat, alb, lcu, endpoint, logs float64, codeBuild map[string]price) regionPrices {
	c := func(v float64) price { return price{usd: v, how: publicCopy} }
	return regionPrices{
		fargateVCPUHour: map[string]price{"x86_64": c(fargate[0]), "arm64": c(fargate[2])},
		fargateGBHour:   map[string]price{"x86_64": c(fargate[1]), "arm64": c(fargate[3])},
		natHour:         c(nat), albHour: c(alb), lcuHour: c(lcu), endpointAZHour: c(endpoint), logsIngestGB: c(logs),
		customMetricMonth: usEast1().customMetricMonth.sameAs(fallbackRegion),
		codeBuild:         codeBuild,
	}
}

// x86Read are general1.small, medium and large at the price read for the region (the same in
// us-east-1, us-east-2, eu-west-1 and ap-northeast-1); x86Assumed the same prices assumed for
// a region where they were not read.
func x86Read() map[string]price {
	return map[string]price{"x86_64/small": {usd: 0.005}, "x86_64/medium": {usd: 0.01}, "x86_64/large": {usd: 0.02}}
}

func x86Assumed() map[string]price {
	m := x86Read()
	for k, v := range m {
		m[k] = v.sameAs(fallbackRegion)
	}
	return m
}

// priceTable holds the regions the estimate prices itself; others use fallbackRegion's.
var priceTable = map[string]regionPrices{
	"us-east-1": usEast1(),
	"us-east-2": sameAsUSEast1("x86_64/small", "x86_64/medium", "x86_64/large"),
	"us-west-2": sameAsUSEast1(),
	"eu-west-1": otherRegion([4]float64{0.04048, 0.004445, 0.03238, 0.00356}, 0.048, 0.0252, 0.008, 0.011, 0.57, x86Read()),
	"eu-central-1": otherRegion([4]float64{0.04656, 0.00511, 0.03725, 0.00409}, 0.052, 0.027, 0.008, 0.012, 0.63,
		x86Assumed()),
	"ap-southeast-2": otherRegion([4]float64{0.04856, 0.00532, 0.03885, 0.00426}, 0.059, 0.0252, 0.008, 0.013, 0.57,
		x86Assumed()),
	"ap-northeast-1": otherRegion([4]float64{0.05056, 0.00553, 0.04045, 0.00442}, 0.062, 0.0243, 0.008, 0.014, 0.76,
		func() map[string]price {
			m := x86Read()
			for k, v := range map[string]float64{"x86_64/xlarge": 0.1002, "arm64/small": 0.00425, "arm64/medium": 0.009, "arm64/large": 0.02, "arm64/xlarge": 0.08} {
				m[k] = price{usd: v}
			}
			return m
		}()),
}

// pricer looks prices up and remembers what it had to stand in for.
type pricer struct {
	warnings []string
	warned   map[string]bool
}

func (p *pricer) warn(format string, a ...any) {
	msg := fmt.Sprintf(format, a...)
	if p.warned == nil {
		p.warned = map[string]bool{}
	}
	if !p.warned[msg] {
		p.warned[msg] = true
		p.warnings = append(p.warnings, msg)
	}
}

// region returns a region's prices, or fallbackRegion's with a warning.
func (p *pricer) region(name string) regionPrices {
	if r, ok := priceTable[name]; ok {
		return r
	}
	p.warn("no price table for %s: %s's prices are used for it", name, fallbackRegion)
	return priceTable[fallbackRegion]
}

// codeBuild returns the per-minute price of a compute type in a region.
func (p *pricer) codeBuild(region, architecture, computeType string) price {
	key := architecture + "/" + computeType
	if v, ok := p.region(region).codeBuild[key]; ok {
		return v
	}
	if _, known := priceTable[region]; known {
		p.warn("no CodeBuild price for %s in %s in the table: %s's is used", instanceName(architecture, computeType), region, fallbackRegion)
		return priceTable[fallbackRegion].codeBuild[key].sameAs(fallbackRegion)
	}
	return priceTable[fallbackRegion].codeBuild[key]
}

// instanceName is CodeBuild's pricing name of a compute type: general1.medium, arm1.small.
func instanceName(architecture, computeType string) string {
	if architecture == "arm64" {
		return "arm1." + computeType
	}
	return "general1." + computeType
}

// priceRegion is the region whose table prices the pipeline.
func priceRegion(region string) string {
	if _, ok := priceTable[region]; ok {
		return region
	}
	return fallbackRegion
}
