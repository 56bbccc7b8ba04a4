package preflight

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/codeconnections"
	cctypes "github.com/aws/aws-sdk-go-v2/service/codeconnections/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/servicequotas"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ecsdelivery/ecsdelivery/config"
)

// MinBootstrapVersion is the lowest CDK bootstrap version the templates accept: their
// CheckBootstrapVersion rule requires /cdk-bootstrap/hnb659fds/version >= 6.
const MinBootstrapVersion = 6

// BootstrapVersionParameter holds the bootstrap version of an account and region.
const BootstrapVersionParameter = "/cdk-bootstrap/hnb659fds/version"

// Quotas the creation of an environment needs, and the defaults AWS sets for them.
const (
	elasticIPQuota = "L-0263D0A3" // EC2-VPC Elastic IPs, service ec2
	vpcQuota       = "L-F678F1CE" // VPCs per region, service vpc
	defaultQuota   = 5
)

// checks lists every check of the config, in report order.
func (r *run) checks() []check {
	var cs []check
	pipe := target{r.pipeline, r.cfg.Pipeline.Region}
	// Bootstrap and trust, once per account and region.
	seen := map[target]bool{}
	for _, t := range append([]target{pipe}, r.envTargets()...) {
		if seen[t] {
			continue
		}
		seen[t] = true
		cs = append(cs, r.bootstrap(t))
		if t.account != r.pipeline {
			cs = append(cs, r.trust(t))
		}
	}
	cs = append(cs, r.source(pipe)...)
	cs = append(cs, r.parameters()...)
	cs = append(cs, r.keys()...)
	for i := range r.cfg.Environments {
		if e := &r.cfg.Environments[i]; e.Import != nil {
			cs = append(cs, r.imports(e)...)
		}
	}
	cs = append(cs, r.names()...)
	cs = append(cs, r.quotas()...)
	cs = append(cs, r.emails())
	return cs
}

func (r *run) envTarget(e *config.Environment) target {
	region := e.Region
	if region == "" {
		region = r.cfg.Pipeline.Region
	}
	return target{r.accountOf(e), region}
}

func (r *run) envTargets() []target {
	ts := make([]target, len(r.cfg.Environments))
	for i := range r.cfg.Environments {
		ts[i] = r.envTarget(&r.cfg.Environments[i])
	}
	return ts
}

// bootstrapCommand is how to (re)bootstrap t; other accounts than the pipeline's trust it.
func (r *run) bootstrapCommand(t target) string {
	cmd := fmt.Sprintf("cdk bootstrap aws://%s/%s", t.account, t.region)
	if t.account != r.pipeline {
		cmd += fmt.Sprintf(" --trust %s --cloudformation-execution-policies arn:%s:iam::aws:policy/AdministratorAccess", r.pipeline, regionPartition(t.region))
	}
	return cmd
}

func (r *run) bootstrap(t target) check {
	return check{t.account, func(ctx context.Context) []Result {
		subject := "cdk bootstrap " + t.String()
		out, err := ssm.NewFromConfig(r.awsCfg(t)).GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(BootstrapVersionParameter)})
		if code(err) == "ParameterNotFound" {
			return []Result{{Fail, subject, fmt.Sprintf("not bootstrapped (no parameter %s): run %s", BootstrapVersionParameter, r.bootstrapCommand(t))}}
		}
		if err != nil {
			return []Result{{Fail, subject, fmt.Sprintf("cannot read %s: %s", BootstrapVersionParameter, short(err))}}
		}
		if out.Parameter == nil {
			return []Result{{Fail, subject, "empty answer for " + BootstrapVersionParameter}}
		}
		value := aws.ToString(out.Parameter.Value)
		v, err := strconv.Atoi(strings.TrimSpace(value))
		if err != nil {
			return []Result{{Fail, subject, fmt.Sprintf("%s holds %q, not a version: run %s", BootstrapVersionParameter, value, r.bootstrapCommand(t))}}
		}
		if v < MinBootstrapVersion {
			return []Result{{Fail, subject, fmt.Sprintf("version %d, the templates need at least %d: run %s", v, MinBootstrapVersion, r.bootstrapCommand(t))}}
		}
		return []Result{{OK, subject, fmt.Sprintf("version %d (at least %d)", v, MinBootstrapVersion)}}
	}}
}

// trust checks that t's CDK deploy role trusts the pipeline account.
func (r *run) trust(t target) check {
	return check{t.account, func(ctx context.Context) []Result {
		role := fmt.Sprintf("cdk-hnb659fds-deploy-role-%s-%s", t.account, t.region)
		subject := "cdk trust " + t.String()
		out, err := iam.NewFromConfig(r.awsCfg(t)).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(role)})
		if code(err) == "NoSuchEntity" {
			return []Result{{Fail, subject, fmt.Sprintf("no role %s: run %s", role, r.bootstrapCommand(t))}}
		}
		if err != nil {
			return []Result{{Fail, subject, fmt.Sprintf("cannot read role %s: %s", role, short(err))}}
		}
		if out.Role == nil {
			return []Result{{Fail, subject, "empty answer for role " + role}}
		}
		principals, err := trustedPrincipals(aws.ToString(out.Role.AssumeRolePolicyDocument))
		if err != nil {
			return []Result{{Fail, subject, fmt.Sprintf("cannot read the trust policy of %s: %v", role, err)}}
		}
		root := fmt.Sprintf("arn:%s:iam::%s:root", regionPartition(t.region), r.pipeline)
		for _, p := range principals {
			if p == r.pipeline || p == root {
				return []Result{{OK, subject, fmt.Sprintf("%s trusts the pipeline account %s", role, r.pipeline)}}
			}
		}
		return []Result{{Fail, subject, fmt.Sprintf("%s does not trust the pipeline account %s: run %s", role, r.pipeline, r.bootstrapCommand(t))}}
	}}
}

// trustedPrincipals are the AWS principals an Allow statement of a trust policy names.
func trustedPrincipals(doc string) ([]string, error) {
	if !strings.HasPrefix(strings.TrimSpace(doc), "{") {
		unescaped, err := url.QueryUnescape(doc)
		if err != nil {
			return nil, err
		}
		doc = unescaped
	}
	var policy struct {
		Statement json.RawMessage
	}
	if err := json.Unmarshal([]byte(doc), &policy); err != nil {
		return nil, err
	}
	type statement struct {
		Effect    string
		Principal json.RawMessage
	}
	var statements []statement
	if err := json.Unmarshal(policy.Statement, &statements); err != nil {
		var one statement
		if err := json.Unmarshal(policy.Statement, &one); err != nil {
			return nil, err
		}
		statements = []statement{one}
	}
	var out []string
	for _, s := range statements {
		if s.Effect != "Allow" || len(s.Principal) == 0 {
			continue
		}
		var principal map[string]json.RawMessage
		if json.Unmarshal(s.Principal, &principal) != nil {
			continue // "*": not a trust of the pipeline account in particular
		}
		out = append(out, stringOrList(principal["AWS"])...)
	}
	return out, nil
}

func stringOrList(raw json.RawMessage) []string {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}
	}
	var list []string
	_ = json.Unmarshal(raw, &list)
	return list
}

// arnRegion is the region field of an ARN, or "".
func arnRegion(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[3]
}

func (r *run) source(pipe target) []check {
	var cs []check
	src := r.cfg.Source
	switch {
	case src.ConnectionARN != "":
		cs = append(cs, check{pipe.account, func(ctx context.Context) []Result {
			subject := "source connection " + src.ConnectionARN
			t := pipe
			if region := arnRegion(src.ConnectionARN); region != "" {
				t.region = region
			}
			var client ConnectionGetter
			if r.opts.Connections != nil {
				client = r.opts.Connections(r.awsCfg(t))
			} else {
				client = codeconnections.NewFromConfig(r.awsCfg(t))
			}
			out, err := client.GetConnection(ctx, &codeconnections.GetConnectionInput{ConnectionArn: aws.String(src.ConnectionARN)})
			if code(err) == "ResourceNotFoundException" {
				return []Result{{Fail, subject, "not found in account " + t.account + ": create it (and authorise it), or remove source.connectionArn to have the stack create one"}}
			}
			if err != nil {
				return []Result{{Fail, subject, "cannot read: " + short(err)}}
			}
			if out.Connection == nil {
				return []Result{{Fail, subject, "empty answer for the connection"}}
			}
			switch status := out.Connection.ConnectionStatus; status {
			case cctypes.ConnectionStatusAvailable:
				return []Result{{OK, subject, "AVAILABLE"}}
			case cctypes.ConnectionStatusPending:
				return []Result{{Fail, subject, "PENDING: authorise it in the console (Developer Tools → Settings → Connections → Update pending connection)"}}
			default:
				return []Result{{Fail, subject, string(status) + ": update or recreate it in the console until it is AVAILABLE"}}
			}
		}})
	case src.OAuthTokenSecret == "":
		cs = append(cs, check{"", func(context.Context) []Result {
			return []Result{{Warn, "source connection", "a connection will be created; authorise it once in the console after the first deploy"}}
		}})
	}
	if secret := src.OAuthTokenSecret; secret != "" {
		cs = append(cs, check{pipe.account, func(ctx context.Context) []Result {
			subject := fmt.Sprintf("secret %s (%s)", secret, pipe)
			out, err := secretsmanager.NewFromConfig(r.awsCfg(pipe)).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(secret)})
			switch {
			case code(err) == "ResourceNotFoundException":
				return []Result{{Fail, subject, "missing: create it with the GitHub token as its plain string (aws secretsmanager create-secret --name " + secret + " --secret-string …)"}}
			case err != nil:
				return []Result{{Fail, subject, "cannot be read: " + short(err)}}
			case aws.ToString(out.SecretString) == "":
				return []Result{{Fail, subject, "holds no string: store the GitHub token as the secret's plain string"}}
			}
			return []Result{{OK, subject, "exists and is readable"}}
		}})
	}
	return cs
}

// paramUse is one Parameter Store parameter in one place, and who reads it.
type paramUse struct {
	t     target
	name  string
	users []string
}

func (r *run) parameters() []check {
	byKey := map[string]*paramUse{}
	var order []string
	add := func(t target, name, user string) {
		key := t.String() + " " + name
		if byKey[key] == nil {
			byKey[key] = &paramUse{t: t, name: name}
			order = append(order, key)
		}
		byKey[key].users = append(byKey[key].users, user)
	}
	pipe := target{r.pipeline, r.cfg.Pipeline.Region}
	for _, v := range sortedKeys(r.cfg.Build.Secrets) {
		add(pipe, r.cfg.Build.Secrets[v], "build "+v)
	}
	for i := range r.cfg.Environments {
		e := &r.cfg.Environments[i]
		for _, v := range sortedKeys(e.Service.Secrets) {
			add(r.envTarget(e), e.Service.Secrets[v], e.Name+" "+v)
		}
	}
	cs := make([]check, len(order))
	for i, key := range order {
		p := byKey[key]
		cs[i] = check{p.t.account, func(ctx context.Context) []Result {
			subject := fmt.Sprintf("ssm parameter %s (%s)", p.name, p.t)
			users := "read by " + strings.Join(p.users, ", ")
			out, err := ssm.NewFromConfig(r.awsCfg(p.t)).GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(p.name), WithDecryption: aws.Bool(true)})
			if code(err) == "ParameterNotFound" {
				return []Result{{Fail, subject, fmt.Sprintf("missing (%s): aws ssm put-parameter --name %s --type SecureString --value '…' in account %s, region %s", users, p.name, p.t.account, p.t.region)}}
			}
			if err != nil {
				return []Result{{Fail, subject, fmt.Sprintf("cannot be read with decryption (%s): %s", users, short(err))}}
			}
			if out.Parameter == nil {
				return []Result{{Fail, subject, "empty answer (" + users + ")"}}
			}
			if typ := out.Parameter.Type; typ != ssmtypes.ParameterTypeSecureString {
				return []Result{{Fail, subject, fmt.Sprintf("is a %s, not a SecureString (%s): recreate it with aws ssm put-parameter --name %s --type SecureString --overwrite --value '…'", typ, users, p.name)}}
			}
			return []Result{{OK, subject, "SecureString, readable with decryption (" + users + ")"}}
		}}
	}
	return cs
}

// stackLookup remembers whether one stack exists.
type stackLookup struct {
	once   sync.Once
	exists bool
	err    error
}

// stackExists reports whether the stack name exists in t (in any state but deleted).
func (r *run) stackExists(ctx context.Context, t target, name string) (bool, error) {
	r.stacksMu.Lock()
	key := t.String() + " " + name
	l := r.stacks[key]
	if l == nil {
		l = &stackLookup{}
		r.stacks[key] = l
	}
	r.stacksMu.Unlock()
	l.once.Do(func() {
		out, err := cloudformation.NewFromConfig(r.awsCfg(t)).DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(name)})
		switch {
		case err != nil && code(err) == "ValidationError" && strings.Contains(err.Error(), "does not exist"):
		case err != nil:
			l.err = err
		default:
			// A stack CloudFormation will delete and create again (a failed first create) is
			// not an update: what it retained still blocks the new one.
			if len(out.Stacks) > 0 {
				switch out.Stacks[0].StackStatus {
				case "ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "REVIEW_IN_PROGRESS", "DELETE_FAILED", "DELETE_IN_PROGRESS":
				default:
					l.exists = true
				}
			}
		}
	})
	return l.exists, l.err
}

// taken reports a name that exists: fine when its stack exists (the deploy is an update).
func (r *run) taken(ctx context.Context, t target, subject, stack, remedy string) Result {
	exists, err := r.stackExists(ctx, t, stack)
	if err != nil {
		return Result{Fail, subject, fmt.Sprintf("exists, and whether stack %s exists cannot be read: %s", stack, short(err))}
	}
	if exists {
		return Result{OK, subject, fmt.Sprintf("exists, in stack %s (an update)", stack)}
	}
	return Result{Fail, subject, fmt.Sprintf("taken, and there is no stack %s: %s", stack, remedy)}
}

func (r *run) names() []check {
	pipe := target{r.pipeline, r.cfg.Pipeline.Region}
	pipeline := PipelineName(r.cfg.App, r.suffix)
	pipelineStack := PipelineStackName(r.cfg.App, r.suffix)
	cs := []check{
		{pipe.account, func(ctx context.Context) []Result {
			bucket := ArtifactBucketName(pipeline, pipe.account)
			subject := "s3 bucket " + bucket
			_, err := s3.NewFromConfig(r.awsCfg(pipe), func(o *s3.Options) { o.UsePathStyle = o.BaseEndpoint != nil }).
				HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)})
			switch c := code(err); {
			case c == "NotFound" || c == "NoSuchBucket":
				return []Result{{OK, subject, "free"}}
			case c == "Forbidden" || c == "AccessDenied":
				return []Result{{Fail, subject, "exists, but these credentials cannot read it: another account's (bucket names are global; set environmentSuffix or rename the app), or access to it is denied"}}
			case c == "MovedPermanently" || c == "PermanentRedirect" || c == "301":
				return []Result{r.taken(ctx, pipe, subject+" (in another region)", pipelineStack, "delete the bucket, or set environmentSuffix")}
			case err != nil:
				return []Result{{Fail, subject, "cannot check: " + short(err)}}
			}
			return []Result{r.taken(ctx, pipe, subject, pipelineStack, "delete the bucket (left by a deleted stack?), or set environmentSuffix")}
		}},
		{pipe.account, func(ctx context.Context) []Result {
			repo := RepositoryName(pipeline)
			subject := fmt.Sprintf("ecr repository %s (%s)", repo, pipe)
			_, err := ecr.NewFromConfig(r.awsCfg(pipe)).DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{repo}})
			switch {
			case code(err) == "RepositoryNotFoundException":
				return []Result{{OK, subject, "free"}}
			case err != nil:
				return []Result{{Fail, subject, "cannot check: " + short(err)}}
			}
			return []Result{r.taken(ctx, pipe, subject, pipelineStack, "delete the repository (left by a deleted stack?), or set environmentSuffix")}
		}},
	}
	for i := range r.cfg.Environments {
		e := &r.cfg.Environments[i]
		t := r.envTarget(e)
		group := LogGroupName(EnvironmentName(r.cfg.App, e.Name, r.suffix))
		stack := EnvironmentStackName(r.cfg.App, e.Name, r.suffix)
		cs = append(cs, check{t.account, func(ctx context.Context) []Result {
			subject := fmt.Sprintf("log group %s (%s)", group, t)
			out, err := cloudwatchlogs.NewFromConfig(r.awsCfg(t)).DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(group)})
			if err != nil {
				return []Result{{Fail, subject, "cannot check: " + short(err)}}
			}
			for _, g := range out.LogGroups {
				if aws.ToString(g.LogGroupName) == group {
					return []Result{r.taken(ctx, t, subject, stack, "delete it (a deleted environment stack retains it): aws logs delete-log-group --log-group-name "+group+", or set environmentSuffix")}
				}
			}
			return []Result{{OK, subject, "free"}}
		}})
	}
	return cs
}

// quotas checks, per account and region, that the environments to be created fit the Elastic
// IP (NAT gateways) and VPC quotas. Environments whose stack exists are updates and need none.
func (r *run) quotas() []check {
	byTarget := map[target][]*config.Environment{}
	var order []target
	for i := range r.cfg.Environments {
		e := &r.cfg.Environments[i]
		if e.Import != nil {
			continue
		}
		t := r.envTarget(e)
		if byTarget[t] == nil {
			order = append(order, t)
		}
		byTarget[t] = append(byTarget[t], e)
	}
	cs := make([]check, len(order))
	for i, t := range order {
		envs := byTarget[t]
		cs[i] = check{t.account, func(ctx context.Context) []Result {
			vpcs, eips := 0, 0
			for _, e := range envs {
				exists, err := r.stackExists(ctx, t, EnvironmentStackName(r.cfg.App, e.Name, r.suffix))
				if err == nil && exists {
					continue
				}
				vpcs++
				eips += e.NATGateways
			}
			c := r.awsCfg(t)
			quotas := servicequotas.NewFromConfig(c)
			ec := ec2.NewFromConfig(c)
			var out []Result
			assumed := map[string]bool{}
			readQuota := func(service, quotaCode, what string) int {
				q, err := quotas.GetServiceQuota(ctx, &servicequotas.GetServiceQuotaInput{ServiceCode: aws.String(service), QuotaCode: aws.String(quotaCode)})
				if err != nil || q.Quota == nil || q.Quota.Value == nil {
					why := "no value"
					if err != nil {
						why = short(err)
					}
					out = append(out, Result{Warn, fmt.Sprintf("quota %s %s (%s)", what, quotaCode, t), fmt.Sprintf("could not be read (%s); assuming the default %d", why, defaultQuota)})
					assumed[quotaCode] = true
					return defaultQuota
				}
				return int(*q.Quota.Value)
			}
			// Short of a quota that was read is a failed deploy to come; short of an assumed
			// default only may be.
			fit := func(subject string, need, used, quota int, quotaCode, remedy string) Result {
				detail := fmt.Sprintf("%d needed, %d of %d in use", need, used, quota)
				if used+need > quota {
					if assumed[quotaCode] {
						return Result{Warn, subject, detail + " (assumed quota): may not fit; " + remedy}
					}
					return Result{Fail, subject, detail + ": does not fit; " + remedy}
				}
				return Result{OK, subject, detail}
			}
			if eips > 0 {
				quota := readQuota("ec2", elasticIPQuota, "Elastic IPs")
				quotaCode := elasticIPQuota
				addrs, err := ec.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{})
				if err != nil {
					out = append(out, Result{Warn, fmt.Sprintf("elastic IPs for NAT gateways (%s)", t), "addresses in use cannot be counted: " + short(err)})
				} else {
					out = append(out, fit(fmt.Sprintf("elastic IPs for NAT gateways (%s)", t), eips, len(addrs.Addresses), quota, quotaCode,
						"release unused addresses, request more (Service Quotas: ec2 "+elasticIPQuota+"), or lower natGateways"))
				}
			}
			if vpcs > 0 {
				quota := readQuota("vpc", vpcQuota, "VPCs per region")
				quotaCode := vpcQuota
				used, err := countVPCs(ctx, ec)
				if err != nil {
					out = append(out, Result{Warn, fmt.Sprintf("VPCs (%s)", t), "VPCs in use cannot be counted: " + short(err)})
				} else {
					out = append(out, fit(fmt.Sprintf("VPCs (%s)", t), vpcs, used, quota, quotaCode,
						"delete unused VPCs or request more (Service Quotas: vpc "+vpcQuota+")"))
				}
			}
			return out
		}}
	}
	return cs
}

func countVPCs(ctx context.Context, ec *ec2.Client) (int, error) {
	n := 0
	p := ec2.NewDescribeVpcsPaginator(ec, &ec2.DescribeVpcsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return 0, err
		}
		n += len(page.Vpcs)
	}
	return n, nil
}

// emails are the subscriptions someone must confirm, one per address and stack topic.
func (r *run) emails() check {
	return check{"", func(context.Context) []Result {
		var out []Result
		type topic struct {
			name string
			t    target
		}
		topics := []topic{{NotificationTopicName(PipelineName(r.cfg.App, r.suffix)), target{r.pipeline, r.cfg.Pipeline.Region}}}
		for i := range r.cfg.Environments {
			e := &r.cfg.Environments[i]
			topics = append(topics, topic{NotificationTopicName(EnvironmentName(r.cfg.App, e.Name, r.suffix)), r.envTarget(e)})
		}
		for _, email := range r.cfg.Notifications.Emails {
			for _, tp := range topics {
				out = append(out, Result{Warn, "e-mail " + email,
					fmt.Sprintf("confirm the subscription of %s to %s (%s) after deploy", email, tp.name, tp.t)})
			}
		}
		return out
	}}
}

// keys checks the customer-managed keys named to encrypt the secrets: each exists, enabled.
func (r *run) keys() []check {
	type use struct {
		t     target
		arn   string
		users []string
	}
	byKey := map[string]*use{}
	var order []string
	add := func(t target, arn, user string) {
		if arn == "" {
			return
		}
		if region := arnRegion(arn); region != "" {
			t.region = region
		}
		key := t.String() + " " + arn
		if byKey[key] == nil {
			byKey[key] = &use{t: t, arn: arn}
			order = append(order, key)
		}
		byKey[key].users = append(byKey[key].users, user)
	}
	add(target{r.pipeline, r.cfg.Pipeline.Region}, r.cfg.Build.SecretsKeyARN, "build.secretsKeyArn")
	for i := range r.cfg.Environments {
		e := &r.cfg.Environments[i]
		add(r.envTarget(e), e.Service.SecretsKeyARN, e.Name+" service.secretsKeyArn")
	}
	cs := make([]check, len(order))
	for i, key := range order {
		u := byKey[key]
		cs[i] = check{u.t.account, func(ctx context.Context) []Result {
			subject := "kms key " + u.arn
			users := strings.Join(u.users, ", ")
			out, err := kms.NewFromConfig(r.awsCfg(u.t)).DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(u.arn)})
			switch {
			case code(err) == "NotFoundException":
				return []Result{{Fail, subject, fmt.Sprintf("not found in %s (%s): correct the ARN, or leave it out to use aws/ssm", u.t, users)}}
			case err != nil:
				return []Result{{Fail, subject, fmt.Sprintf("cannot be described (%s): %s", users, short(err))}}
			}
			if out.KeyMetadata == nil {
				return []Result{{Fail, subject, "empty answer (" + users + ")"}}
			}
			if st := out.KeyMetadata.KeyState; st != kmstypes.KeyStateEnabled {
				return []Result{{Fail, subject, fmt.Sprintf("is %s, not Enabled (%s): enable it, or name another key", st, users)}}
			}
			return []Result{{OK, subject, "Enabled (" + users + ")"}}
		}}
	}
	return cs
}

// regionPartition is the partition of a region the config accepted.
func regionPartition(region string) string {
	if p, ok := config.Partition(region); ok {
		return p
	}
	return "aws"
}
