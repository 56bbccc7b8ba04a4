// Package preflight checks, before a first deploy, that the AWS accounts a delivery config
// names are ready for it: CDK bootstrap and trust, the source connection or token, the secret
// parameters, imported infrastructure, names the stacks will take, quotas, and the e-mail
// subscriptions someone must confirm. It reads only; it never changes an account and never
// prints a secret's value.
package preflight

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	"github.com/aws/aws-sdk-go-v2/service/codeconnections"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/ecsdelivery/ecsdelivery/config"
)

// Status of one check.
type Status string

const (
	OK   Status = "ok"
	Fail Status = "FAIL"
	Warn Status = "warn"
)

// Result is one line of the report: a status, the resource checked and what was found (for a
// failure, also what to do).
type Result struct {
	Status  Status
	Subject string
	Detail  string
}

func (r Result) String() string { return fmt.Sprintf("%-4s %s: %s", r.Status, r.Subject, r.Detail) }

// ConnectionGetter is the one CodeConnections call preflight makes; an interface so tests can
// stub it (moto has no CodeConnections).
type ConnectionGetter interface {
	GetConnection(ctx context.Context, in *codeconnections.GetConnectionInput, opts ...func(*codeconnections.Options)) (*codeconnections.GetConnectionOutput, error)
}

// Options shape one run.
type Options struct {
	// Profile names the shared-config profile of the default credentials. Default: the standard
	// chain (environment, AWS_PROFILE, SSO, …; never the EC2 instance metadata endpoint).
	Profile string
	// AccountProfiles maps an account id to the profile whose credentials reach it; other
	// accounts use the default credentials.
	AccountProfiles map[string]string
	// Connections makes the CodeConnections client of an account and region. Default: the AWS API.
	Connections func(aws.Config) ConnectionGetter
	// CallTimeout bounds each check. Default: 20 seconds.
	CallTimeout time.Duration
	// CredentialTimeout bounds finding and proving credentials for one account. Default: 10 seconds.
	CredentialTimeout time.Duration
}

// Run checks cfg, prints one line per check to out, and returns the exit code: 1 when any
// check failed (or an account could not be reached), else 0.
func Run(ctx context.Context, cfg *config.Config, opts Options, out io.Writer) int {
	results := Check(ctx, cfg, opts)
	code := 0
	for _, r := range results {
		fmt.Fprintln(out, r)
		if r.Status == Fail {
			code = 1
		}
	}
	return code
}

// account is the credentials of one account, or why there are none.
type account struct {
	id      string
	profile string // "" for the default credentials
	cfg     aws.Config
	err     error // set when the account cannot be reached
}

// run is the state of one preflight.
type run struct {
	cfg      *config.Config
	opts     Options
	pipeline string // the pipeline account
	suffix   string
	accounts map[string]*account

	stacksMu sync.Mutex
	stacks   map[string]*stackLookup // by account/region/name
}

// target is where a check runs.
type target struct{ account, region string }

func (t target) String() string { return t.account + "/" + t.region }

// check is one independent check in one account.
type check struct {
	account string
	run     func(ctx context.Context) []Result
}

// Check runs every check and returns the report's lines in a stable order.
func Check(ctx context.Context, cfg *config.Config, opts Options) []Result {
	if opts.CallTimeout == 0 {
		opts.CallTimeout = 20 * time.Second
	}
	if opts.CredentialTimeout == 0 {
		opts.CredentialTimeout = 10 * time.Second
	}
	r := &run{cfg: cfg, opts: opts, suffix: cfg.EnvironmentSuffix, accounts: map[string]*account{}, stacks: map[string]*stackLookup{}}
	var results []Result

	// The default credentials' account stands in for the account of an environment-agnostic
	// config (no account named).
	r.pipeline = cfg.Pipeline.Account
	if r.pipeline == "" {
		a := r.connect(ctx, "", opts.Profile)
		if a.err != nil {
			return []Result{{Fail, "credentials", a.err.Error()}}
		}
		r.pipeline = a.id
		r.accounts[a.id] = a
	}
	for _, id := range r.accountIDs() {
		if r.accounts[id] != nil {
			continue
		}
		profile := opts.Profile
		if p, ok := opts.AccountProfiles[id]; ok {
			profile = p
		}
		a := r.connect(ctx, id, profile)
		r.accounts[id] = a
		if a.err != nil {
			results = append(results, Result{Fail, "account " + id, a.err.Error() + "; its checks are skipped"})
		}
	}

	checks := r.checks()
	out := make([][]Result, len(checks))
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for i, c := range checks {
		if a := r.accounts[c.account]; c.account != "" && (a == nil || a.err != nil) {
			continue // reported once, as the account's failure
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			// A bug in one check is that check's failure: the other lines still print, and no
			// stack trace escapes the goroutine.
			defer func() {
				if p := recover(); p != nil {
					out[i] = []Result{{Fail, "preflight", fmt.Sprintf("a check failed unexpectedly (please report it): %v", p)}}
				}
			}()
			cctx, cancel := context.WithTimeout(ctx, opts.CallTimeout)
			defer cancel()
			out[i] = c.run(cctx)
		}()
	}
	wg.Wait()
	for _, o := range out {
		results = append(results, o...)
	}
	return results
}

// accountOf is an environment's account (the pipeline's when none is named).
func (r *run) accountOf(e *config.Environment) string {
	if e.Account == "" {
		return r.pipeline
	}
	return e.Account
}

// accountIDs lists the accounts the config names, the pipeline's first.
func (r *run) accountIDs() []string {
	ids := []string{r.pipeline}
	seen := map[string]bool{r.pipeline: true}
	for i := range r.cfg.Environments {
		if id := r.accountOf(&r.cfg.Environments[i]); !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids
}

// connect loads the credentials of profile and proves they reach account id (any account when
// id is empty), within the credential timeout.
func (r *run) connect(ctx context.Context, id, profile string) *account {
	a := &account{id: id, profile: profile}
	ctx, cancel := context.WithTimeout(ctx, r.opts.CredentialTimeout)
	defer cancel()
	via := "the default credentials"
	if profile != "" {
		via = "profile " + profile
	}
	httpClient := awshttp.NewBuildableClient().
		WithTimeout(15 * time.Second).
		WithDialerOptions(func(d *net.Dialer) { d.Timeout = 3 * time.Second }).
		WithTransportOptions(func(t *http.Transport) {
			t.TLSHandshakeTimeout = 5 * time.Second
			t.ResponseHeaderTimeout = 10 * time.Second
		})
	loads := []func(*awsconfig.LoadOptions) error{
		awsconfig.WithEC2IMDSClientEnableState(imds.ClientDisabled),
		awsconfig.WithRegion(r.cfg.Pipeline.Region),
		awsconfig.WithHTTPClient(httpClient),
		awsconfig.WithRetryMaxAttempts(2),
	}
	if profile != "" {
		loads = append(loads, awsconfig.WithSharedConfigProfile(profile))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, loads...)
	if err != nil {
		a.err = fmt.Errorf("cannot load the AWS configuration of %s: %s", via, firstLine(err.Error()))
		return a
	}
	ident, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		a.err = fmt.Errorf("cannot reach AWS with %s: %s", via, credentialProblem(err))
		return a
	}
	got := aws.ToString(ident.Account)
	if id != "" && got != id {
		a.err = fmt.Errorf("%s reach account %s, not %s; pass --account-profile %s=PROFILE", via, got, id, id)
		return a
	}
	a.id, a.cfg = got, cfg
	return a
}

// credentialProblem says in one line why credentials did not work.
func credentialProblem(err error) string {
	msg := err.Error()
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "timed out (no network, or a proxy or endpoint that does not answer)"
	case strings.Contains(msg, "no EC2 IMDS role found") || strings.Contains(msg, "failed to retrieve credentials") ||
		strings.Contains(msg, "failed to refresh cached credentials") && !strings.Contains(msg, "api error"):
		if strings.Contains(msg, "SSO") || strings.Contains(msg, "sso") {
			return "the SSO session is missing or expired; run aws sso login"
		}
		if strings.Contains(msg, "no EC2 IMDS role found") {
			return "no AWS credentials found; set AWS_PROFILE or AWS_ACCESS_KEY_ID, run aws sso login, or pass --profile"
		}
	}
	return short(err)
}

// short is an AWS error as one line: the API's code and message when there is one.
func short(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		if m := api.ErrorMessage(); m != "" {
			return api.ErrorCode() + ": " + firstLine(m)
		}
		return api.ErrorCode()
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timed out"
	}
	var netErr net.Error
	if errors.As(err, &netErr) {
		return "network error: " + firstLine(netErr.Error())
	}
	msg := firstLine(err.Error())
	// The SDK wraps: "operation error S: Op, ...: cause"; the cause is what helps.
	if i := strings.LastIndex(msg, ", "); i >= 0 && strings.HasPrefix(msg, "operation error") {
		msg = msg[i+2:]
	}
	return msg
}

// code is an AWS error's code, or "".
func code(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return ""
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return line
}

// awsCfg is the account's configuration in region.
func (r *run) awsCfg(t target) aws.Config {
	c := r.accounts[t.account].cfg.Copy()
	c.Region = t.region
	return c
}

// sortedKeys of a set of strings.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
