package config

import (
	"fmt"
	"regexp"
	"strings"
)

var accountPattern = regexp.MustCompile(`^[0-9]{12}$`)

// regions lists the regions that exist, with their partition. A typo such as "us-east1" is
// caught here rather than at deploy time.
var regions = map[string]string{
	"us-east-1": "aws", "us-east-2": "aws", "us-west-1": "aws", "us-west-2": "aws",
	"af-south-1": "aws", "ap-east-1": "aws", "ap-east-2": "aws", "ap-south-1": "aws", "ap-south-2": "aws",
	"ap-southeast-1": "aws", "ap-southeast-2": "aws", "ap-southeast-3": "aws", "ap-southeast-4": "aws",
	"ap-southeast-5": "aws", "ap-southeast-6": "aws", "ap-southeast-7": "aws",
	"ap-northeast-1": "aws", "ap-northeast-2": "aws", "ap-northeast-3": "aws",
	"ca-central-1": "aws", "ca-west-1": "aws",
	"eu-central-1": "aws", "eu-central-2": "aws", "eu-west-1": "aws", "eu-west-2": "aws", "eu-west-3": "aws",
	"eu-south-1": "aws", "eu-south-2": "aws", "eu-north-1": "aws",
	"il-central-1": "aws", "me-south-1": "aws", "me-central-1": "aws", "mx-central-1": "aws", "sa-east-1": "aws",
	"us-gov-east-1": "aws-us-gov", "us-gov-west-1": "aws-us-gov",
	"cn-north-1": "aws-cn", "cn-northwest-1": "aws-cn",
}

// Partition returns the partition of a known region ("aws", "aws-cn", "aws-us-gov").
func Partition(region string) (string, bool) {
	p, ok := regions[region]
	return p, ok
}

func checkRegion(region string) string {
	if _, ok := regions[region]; ok {
		return ""
	}
	best, bestDist := "", 3
	for known := range regions {
		if d := distance(region, known); d < bestDist || (d == bestDist && known < best) {
			best, bestDist = known, d
		}
	}
	if best != "" {
		return fmt.Sprintf("%q is not an AWS region; did you mean %q?", region, best)
	}
	return fmt.Sprintf("%q is not an AWS region; expected a name such as us-east-1 or eu-west-1", region)
}

func checkAccount(account string) string {
	if accountPattern.MatchString(account) {
		return ""
	}
	return fmt.Sprintf("%q is not a 12-digit AWS account id", account)
}

// arn is the parsed form of arn:partition:service:region:account:resource.
type arn struct {
	partition, service, region, account, resource string
}

func parseARN(s string) (arn, bool) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[5] == "" {
		return arn{}, false
	}
	return arn{parts[1], parts[2], parts[3], parts[4], parts[5]}, true
}

// arnRule says what an ARN field must look like.
type arnRule struct {
	what     string   // "an ECS cluster ARN"
	services []string // accepted service names
	resource *regexp.Regexp
	example  string // the resource part of a valid ARN, for the message
	global   bool   // IAM: no region in the ARN
}

// where is the account and region an ARN must sit in; empty fields are not checked.
type where struct {
	account, region, owner string // owner names the config field that fixes them, for messages
}

// checkARN returns what is wrong with s under rule r, or "".
func checkARN(s string, r arnRule, w where) string {
	a, ok := parseARN(s)
	if !ok {
		return fmt.Sprintf("%q is not an ARN; expected %s (arn:aws:%s:…:%s)", s, r.what, r.services[0], r.example)
	}
	if !contains(r.services, a.service) {
		return fmt.Sprintf("%q names service %q; expected %s (service %s)", s, a.service, r.what, strings.Join(r.services, " or "))
	}
	if !r.resource.MatchString(a.resource) {
		return fmt.Sprintf("%q has resource %q; expected %s ending in %s", s, a.resource, r.what, r.example)
	}
	if !accountPattern.MatchString(a.account) {
		return fmt.Sprintf("%q has account %q; expected a 12-digit account id", s, a.account)
	}
	if r.global {
		if a.region != "" {
			return fmt.Sprintf("%q has region %q; expected %s with an empty region", s, a.region, r.what)
		}
	} else if _, known := regions[a.region]; !known {
		return fmt.Sprintf("%q has region %q; expected an AWS region", s, a.region)
	}
	region := a.region
	if r.global {
		region = w.region
	}
	if want, ok := regions[region]; ok && a.partition != want {
		return fmt.Sprintf("%q is in partition %q; expected %q, the partition of %s", s, a.partition, want, region)
	}
	if _, ok := regions[region]; !ok && !contains([]string{"aws", "aws-cn", "aws-us-gov"}, a.partition) {
		return fmt.Sprintf("%q has partition %q; expected aws, aws-cn or aws-us-gov", s, a.partition)
	}
	if w.account != "" && a.account != w.account {
		return fmt.Sprintf("%q is in account %s; expected account %s (%s)", s, a.account, w.account, w.owner)
	}
	if !r.global && w.region != "" && a.region != w.region {
		return fmt.Sprintf("%q is in region %s; expected region %s (%s)", s, a.region, w.region, w.owner)
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

var (
	connectionRule = arnRule{what: "a CodeConnections connection ARN", services: []string{"codeconnections", "codestar-connections"},
		resource: regexp.MustCompile(`^connection/[0-9a-zA-Z-]+$`), example: "connection/ID"}
	secretRule = arnRule{what: "a Secrets Manager secret ARN", services: []string{"secretsmanager"},
		resource: regexp.MustCompile(`^secret:[A-Za-z0-9/_+=.@-]+$`), example: "secret:NAME"}
	clusterRule = arnRule{what: "an ECS cluster ARN", services: []string{"ecs"},
		resource: regexp.MustCompile(`^cluster/[A-Za-z0-9_-]{1,255}$`), example: "cluster/NAME"}
	listenerRule = arnRule{what: "an Application Load Balancer listener ARN", services: []string{"elasticloadbalancing"},
		resource: regexp.MustCompile(`^listener/app/[A-Za-z0-9-]{1,32}/[0-9a-f]{16}/[0-9a-f]{16}$`), example: "listener/app/NAME/LB-ID/LISTENER-ID"}
	listenerRuleRule = arnRule{what: "an Application Load Balancer listener rule ARN", services: []string{"elasticloadbalancing"},
		resource: regexp.MustCompile(`^listener-rule/app/[A-Za-z0-9-]{1,32}/[0-9a-f]{16}/[0-9a-f]{16}/[0-9a-f]{16}$`), example: "listener-rule/app/NAME/LB-ID/LISTENER-ID/RULE-ID"}
	targetGroupRule = arnRule{what: "a target group ARN", services: []string{"elasticloadbalancing"},
		resource: regexp.MustCompile(`^targetgroup/[A-Za-z0-9-]{1,32}/[0-9a-f]{16}$`), example: "targetgroup/NAME/ID"}
	certificateRule = arnRule{what: "an ACM certificate ARN", services: []string{"acm"},
		resource: regexp.MustCompile(`^certificate/[0-9a-f-]{36}$`), example: "certificate/ID"}
	kmsKeyRule = arnRule{what: "a KMS key ARN", services: []string{"kms"},
		resource: regexp.MustCompile(`^key/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$`), example: "key/ID"}
	roleRule = arnRule{what: "an IAM role ARN", services: []string{"iam"},
		resource: regexp.MustCompile(`^role/([\x21-\x7e]*/)?[A-Za-z0-9+=,.@_-]{1,64}$`), example: "role/NAME", global: true}
)

// loadBalancerOf returns "app/NAME/ID" of a listener or listener rule ARN, to tell whether two
// listeners share a load balancer.
func loadBalancerOf(listenerARN string) string {
	a, _ := parseARN(listenerARN)
	parts := strings.Split(a.resource, "/")
	if len(parts) != 5 && len(parts) != 6 {
		return ""
	}
	return strings.Join(parts[1:4], "/")
}

// listenerOf returns "app/NAME/LB-ID/LISTENER-ID" of a listener rule ARN.
func listenerOf(ruleARN string) string {
	a, _ := parseARN(ruleARN)
	parts := strings.Split(a.resource, "/")
	if len(parts) != 6 {
		return ""
	}
	return strings.Join(parts[1:5], "/")
}
