package diagram

import (
	"strings"
	"unicode"
)

// The texts both renderings draw, written once.

// providers names action providers for a reader.
var providers = map[string]string{
	"CodeStarSourceConnection": "CodeConnections source",
	"GitHub":                   "GitHub OAuth source",
	"CodeBuild":                "CodeBuild",
	"Lambda":                   "Lambda",
	"CodeDeployToECS":          "CodeDeploy to ECS",
	"Manual":                   "manual approval",
	"ECS":                      "ECS deploy",
	"S3":                       "S3",
	"ECR":                      "ECR source",
	"CloudFormation":           "CloudFormation",
}

// actionLines are the lines that describe an action under its name: its kind and what it runs,
// the role it runs as or assumes, its region when it is not the pipeline's.
func actionLines(a *Action, p *Pipeline) []string {
	kind, ok := providers[a.Provider]
	if !ok {
		kind = a.Category + " " + a.Provider
	}
	lines := []string{kind}
	if a.Target != "" && a.Provider != "Manual" {
		lines = append(lines, a.Target)
	}
	if a.Role != "" {
		// A project that assumes a role runs as its own first: say which is meant.
		how := "as role "
		if a.Assumed {
			how = "assumes role "
		}
		lines = append(lines, how+roleName(a.Role))
	}
	if a.Region != "" && a.Region != p.Env.Region {
		lines = append(lines, "region "+a.Region)
	}
	return lines
}

// envTitle heads an environment's box.
func envTitle(e *Environment) string { return "Environment " + e.Name }

// envLines are an environment's facts, before its gates.
func envLines(e *Environment) []string {
	lines := []string{"account " + e.AccountLabel(), "region " + orUnknown(e.Region)}
	if e.DeployRole != "" {
		lines = append(lines, "deploy role "+e.DeployRoleName())
	} else {
		lines = append(lines, "deploy role: none found")
	}
	if e.Stack != "" {
		lines = append(lines, "stack "+e.Stack)
	}
	if e.Shift != "" {
		lines = append(lines, e.Shift)
	}
	return lines
}

// caption is a gate's detail under its tag, after when it is checked ("before entry:").
func caption(g Gate, when string) string { return strings.TrimSpace(when + " " + g.Detail) }

// failureLabel is a stage's failure behaviour in its header: "ROLLBACK on failure".
func failureLabel(g *Gate) string {
	if g.Kind == Condition {
		return g.Detail
	}
	return g.Kind.Info().Tag + " on failure"
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// printable replaces control characters and the bidirectional overrides, which could reorder
// what a reader sees, with U+FFFD.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
			return unicode.ReplacementChar
		}
		return r
	}, s)
}
