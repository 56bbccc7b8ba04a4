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
	// A CloudWatch dashboard, per month; 3 free per account (up to 50 metrics each).
	dashboardMonth = 3.00
	freeDashboards = 3
	// A Secrets Manager secret, per month.
	secretMonth = 0.40
	// hoursPerMonth is AWS's month for hourly prices.
	hoursPerMonth = 730
	// lcusPerHour is the load balancer capacity a created, lightly used load balancer is
	// charged for: one LCU is 25 new connections a second, 3,000 active connections, 1 GB an
	// hour or 1,000 rule evaluations a second.
	lcusPerHour = 1
)

// regionPrices are one region's prices.
type regionPrices struct {
	// Fargate per vCPU-hour and per GB-hour, by architecture.
	fargateVCPUHour, fargateGBHour map[string]float64
	natHour                        float64 // a NAT gateway, per hour (data processing excluded)
	albHour                        float64 // an Application Load Balancer, per hour
	lcuHour                        float64 // per LCU-hour
	endpointAZHour                 float64 // an interface VPC endpoint, per AZ and hour (data processing excluded)
	logsIngestGB                   float64 // CloudWatch Logs standard ingestion, per GB
	// codeBuild is the on-demand EC2 price per build minute, by "architecture/computeType"; a
	// missing entry falls back to fallbackRegion's, with a warning.
	codeBuild map[string]float64
}

func fargate(vcpuX86, gbX86, vcpuArm, gbArm float64) (map[string]float64, map[string]float64) {
	return map[string]float64{"x86_64": vcpuX86, "arm64": vcpuArm}, map[string]float64{"x86_64": gbX86, "arm64": gbArm}
}

// codeBuildX86 are general1.small, medium and large, the same in every region of the table
// (as read for us-east-1, us-east-2, eu-west-1 and ap-northeast-1).
func codeBuildX86(extra map[string]float64) map[string]float64 {
	m := map[string]float64{"x86_64/small": 0.005, "x86_64/medium": 0.01, "x86_64/large": 0.02}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

// usEast are the prices of us-east-1, which us-east-2 and us-west-2 share.
func usEast() regionPrices {
	vcpu, gb := fargate(0.04048, 0.004445, 0.03238, 0.00356)
	return regionPrices{
		fargateVCPUHour: vcpu, fargateGBHour: gb,
		natHour: 0.045, albHour: 0.0225, lcuHour: 0.008, endpointAZHour: 0.01, logsIngestGB: 0.50,
		codeBuild: codeBuildX86(map[string]float64{
			"x86_64/xlarge": 0.0798,
			"arm64/small":   0.0034,
			// arm1.medium and arm1.xlarge: derived, not read: ap-northeast-1's price × 0.8, the
			// ratio of arm1.small's prices in the two regions.
			"arm64/medium": 0.0072,
			"arm64/large":  0.015,
			"arm64/xlarge": 0.064,
		}),
	}
}

// priceTable holds the regions the estimate prices itself; others use fallbackRegion's.
var priceTable = map[string]regionPrices{
	"us-east-1": usEast(),
	"us-east-2": usEast(),
	"us-west-2": usEast(),
	"eu-west-1": func() regionPrices {
		vcpu, gb := fargate(0.04048, 0.004445, 0.03238, 0.00356)
		return regionPrices{fargateVCPUHour: vcpu, fargateGBHour: gb,
			natHour: 0.048, albHour: 0.0252, lcuHour: 0.008, endpointAZHour: 0.011, logsIngestGB: 0.57,
			codeBuild: codeBuildX86(nil)}
	}(),
	"eu-central-1": func() regionPrices {
		vcpu, gb := fargate(0.04656, 0.00511, 0.03725, 0.00409)
		return regionPrices{fargateVCPUHour: vcpu, fargateGBHour: gb,
			natHour: 0.052, albHour: 0.027, lcuHour: 0.008, endpointAZHour: 0.012, logsIngestGB: 0.63,
			codeBuild: codeBuildX86(nil)}
	}(),
	"ap-southeast-2": func() regionPrices {
		vcpu, gb := fargate(0.04856, 0.00532, 0.03885, 0.00426)
		return regionPrices{fargateVCPUHour: vcpu, fargateGBHour: gb,
			natHour: 0.059, albHour: 0.0252, lcuHour: 0.008, endpointAZHour: 0.013, logsIngestGB: 0.57,
			codeBuild: codeBuildX86(nil)}
	}(),
	"ap-northeast-1": func() regionPrices {
		vcpu, gb := fargate(0.05056, 0.00553, 0.04045, 0.00442)
		return regionPrices{fargateVCPUHour: vcpu, fargateGBHour: gb,
			natHour: 0.062, albHour: 0.0243, lcuHour: 0.008, endpointAZHour: 0.014, logsIngestGB: 0.76,
			codeBuild: codeBuildX86(map[string]float64{
				"x86_64/xlarge": 0.1002,
				"arm64/small":   0.00425, "arm64/medium": 0.009, "arm64/large": 0.02, "arm64/xlarge": 0.08,
			})}
	}(),
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
func (p *pricer) codeBuild(region, architecture, computeType string) float64 {
	key := architecture + "/" + computeType
	if v, ok := p.region(region).codeBuild[key]; ok {
		return v
	}
	if _, known := priceTable[region]; known {
		p.warn("no CodeBuild price for %s in %s in the table: %s's is used", instanceName(architecture, computeType), region, fallbackRegion)
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
