// Package cli is the ecsdelivery command: run by cdk.json with no verb it synthesises the app
// from the config file; with a verb it does offline work that needs no AWS account.
package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ecsdelivery/ecsdelivery/config"
)

// DefaultConfigFile is read when neither the command line nor the CDK context names one.
const DefaultConfigFile = "delivery.yaml"

const usage = `usage: ecsdelivery [synth [PATH] | validate [FILE] | preflight [FILE] [FLAGS] | schema |
                   estimate [FILE] [FLAGS] | diagram [FILE] [--format mermaid|svg]]

  (no verb)        synthesise the CDK app from the file or folder named by the CDK context
                   value "config" (default delivery.yaml); run through cdk.json by "cdk synth"
  synth [PATH]     the same, from PATH: a config file, or a folder of them (one app each)
  validate [FILE]  check a config file (default delivery.yaml) and list every problem
  preflight [FILE] [--profile NAME] [--account-profile ACCOUNT=PROFILE]...
                   check that the file's AWS accounts are ready to deploy: one line per check,
                   ok, FAIL or warn; exit 1 if any failed
  schema           print the config's JSON Schema (schema/delivery.schema.json)
  estimate [FILE] [--releases N] [--build-minutes M] [--test-minutes M] [--json]
                   the lead time of one release from push to production, stage by stage, and
                   the pipeline's monthly cost at N releases a month, each figure with its source
  diagram [FILE] [--format mermaid|svg]
                   the pipeline drawn from the synthesised templates: stages and actions in
                   order, each environment's account, region and deploy role, and the gates
`

// Run executes one command and returns the process exit code: 0 success, 1 a problem with the
// input, 2 a usage error. It never lets a panic escape as a stack trace.
func Run(args []string, stdout, stderr io.Writer) (code int) {
	defer func() {
		if r := recover(); r != nil {
			// CDK reports through panics: a failed template validation, or a bug of ours.
			// Either way the user gets one line, not a Go and JavaScript stack trace.
			msg := firstLine(fmt.Sprint(r))
			if strings.HasPrefix(msg, "ValidationFailed") {
				fmt.Fprintf(stderr, "ecsdelivery: the templates fail CDK's validation (findings above): %s\n", msg)
			} else {
				fmt.Fprintf(stderr, "ecsdelivery: internal error: %s\n", msg)
			}
			code = 1
		}
	}()
	if len(args) == 0 {
		return synth("", stderr)
	}
	switch args[0] {
	case "synth":
		if len(args) > 2 {
			fmt.Fprint(stderr, usage)
			return 2
		}
		path := ""
		if len(args) == 2 {
			path = args[1]
		}
		return synth(path, stderr)
	case "validate":
		if len(args) > 2 {
			fmt.Fprint(stderr, usage)
			return 2
		}
		file := DefaultConfigFile
		if len(args) == 2 {
			file = args[1]
		}
		return validate(file, stdout, stderr)
	case "preflight":
		return runPreflight(args[1:], stdout, stderr)
	case "estimate":
		return runEstimate(args[1:], stdout, stderr)
	case "diagram":
		return runDiagram(args[1:], stdout, stderr)
	case "schema":
		if len(args) > 1 {
			fmt.Fprint(stderr, usage)
			return 2
		}
		return schema(stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "ecsdelivery: unknown verb %q\n%s", args[0], usage)
		return 2
	}
}

func validate(file string, stdout, stderr io.Writer) int {
	cfg, err := config.Load(file)
	if err != nil {
		report(stderr, err)
		return 1
	}
	fmt.Fprintf(stdout, "%s: valid: app %s, %s\n", file, cfg.App, describeEnvironments(cfg))
	return 0
}

// report prints config problems one per line, or any other error as one line.
func report(w io.Writer, err error) {
	var problems config.Problems
	if errors.As(err, &problems) {
		fmt.Fprintln(w, problems.Error())
		fmt.Fprintf(w, "%d problem(s) found\n", len(problems))
		return
	}
	fmt.Fprintf(w, "ecsdelivery: %s\n", err)
}

func describeEnvironments(cfg *config.Config) string {
	names := make([]string, len(cfg.Environments))
	for i, e := range cfg.Environments {
		names[i] = e.Name
		if e.Approval {
			names[i] += " (after approval)"
		}
	}
	return fmt.Sprintf("%d environment(s): %s", len(names), strings.Join(names, ", "))
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return line
}
