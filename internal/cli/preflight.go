package cli

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/ecsdelivery/ecsdelivery/config"
	"github.com/ecsdelivery/ecsdelivery/internal/preflight"
)

var accountID = regexp.MustCompile(`^[0-9]{12}$`)

// preflightArgs are the parsed arguments of "preflight [FILE] [--profile NAME]
// [--account-profile ACCOUNT=PROFILE]...".
type preflightArgs struct {
	file string
	opts preflight.Options
}

func parsePreflightArgs(args []string) (*preflightArgs, error) {
	p := &preflightArgs{file: DefaultConfigFile}
	fileSet := false
	for i := 0; i < len(args); i++ {
		arg := args[i]
		flag, value, hasValue := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		if !strings.HasPrefix(arg, "-") {
			if fileSet {
				return nil, fmt.Errorf("preflight takes one config file, got %q and %q", p.file, arg)
			}
			p.file, fileSet = arg, true
			continue
		}
		if flag != "profile" && flag != "account-profile" {
			return nil, fmt.Errorf("preflight: unknown flag %s", arg)
		}
		if !hasValue {
			if i+1 >= len(args) {
				return nil, fmt.Errorf("preflight: %s needs a value", arg)
			}
			i++
			value = args[i]
		}
		if value == "" || strings.HasPrefix(value, "-") {
			return nil, fmt.Errorf("preflight: %s needs a value, got %q", "--"+flag, value)
		}
		switch flag {
		case "profile":
			if p.opts.Profile != "" && p.opts.Profile != value {
				return nil, fmt.Errorf("preflight: --profile given twice (%s, %s)", p.opts.Profile, value)
			}
			p.opts.Profile = value
		case "account-profile":
			account, profile, ok := strings.Cut(value, "=")
			if !ok || !accountID.MatchString(account) || profile == "" {
				return nil, fmt.Errorf("preflight: --account-profile wants ACCOUNT=PROFILE (a 12-digit account id), got %q", value)
			}
			if p.opts.AccountProfiles == nil {
				p.opts.AccountProfiles = map[string]string{}
			}
			if earlier, ok := p.opts.AccountProfiles[account]; ok && earlier != profile {
				return nil, fmt.Errorf("preflight: account %s given two profiles (%s, %s)", account, earlier, profile)
			}
			p.opts.AccountProfiles[account] = profile
		}
	}
	return p, nil
}

// runPreflight loads the config and checks the accounts it names; 1 when a check failed.
func runPreflight(args []string, stdout, stderr io.Writer) int {
	p, err := parsePreflightArgs(args)
	if err != nil {
		fmt.Fprintf(stderr, "ecsdelivery: %s\n%s", err, usage)
		return 2
	}
	cfg, err := config.Load(p.file)
	if err != nil {
		report(stderr, err)
		return 1
	}
	// A mistyped account would otherwise fall back to the default credentials in silence.
	for account := range p.opts.AccountProfiles {
		if !namesAccount(cfg, account) {
			fmt.Fprintf(stderr, "ecsdelivery: preflight: --account-profile names account %s, which %s does not use\n", account, p.file)
			return 2
		}
	}
	return preflight.Run(context.Background(), cfg, p.opts, stdout)
}

// namesAccount reports whether the config deploys into an account.
func namesAccount(cfg *config.Config, account string) bool {
	if cfg.Pipeline.Account == account {
		return true
	}
	for _, e := range cfg.Environments {
		if e.Account == account {
			return true
		}
	}
	return false
}
