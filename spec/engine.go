package spec

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Deployment engines: who shifts production traffic in a blue/green deployment. CodeDeploy
// (a CODE_DEPLOY-controlled service and a deployment group), or ECS itself (the ECS controller
// with a BLUE_GREEN, CANARY or LINEAR strategy).
const (
	EngineCodeDeploy = "codedeploy"
	EngineECS        = "ecs"
	DefaultEngine    = EngineCodeDeploy
)

// Engines lists the engines' config names.
var Engines = []string{EngineCodeDeploy, EngineECS}

// Limits of ECS's own engine (CloudFormation's AWS::ECS::Service schema) and of the step that
// waits for it.
const (
	// MaxECSBakeMinutes bounds BakeTimeInMinutes and the canary's and linear steps' bake times.
	MaxECSBakeMinutes = 1440
	// MinECSLinearPercent is the smallest linear step ECS takes (StepPercent).
	MinECSLinearPercent = 3
	// MaxReleaseMinutes is how long the ECS engine's deploy step can wait: it is a CodeBuild
	// build, which runs for at most 8 hours.
	MaxReleaseMinutes = 480
	// ReleaseOverheadMinutes covers what a release takes besides shifting and baking: the stack
	// update, new tasks starting and passing health checks, and the test traffic.
	ReleaseOverheadMinutes = 30
)

// Shift is how a strategy moves production traffic: all at once, a canary share for some
// minutes then the rest, or equal steps some minutes apart.
type Shift struct {
	// Kind is ECS's strategy: BLUE_GREEN, CANARY or LINEAR.
	Kind string
	// Percent is the canary's share, or each linear step's.
	Percent int
	// Minutes the canary runs, or between linear steps.
	Minutes int
}

// ReleaseAction names the pipeline action that releases on ECS's engine for what ECS does:
// Canary, Linear or BlueGreen.
func (s Shift) ReleaseAction() string {
	switch s.Kind {
	case "CANARY":
		return "Canary"
	case "LINEAR":
		return "Linear"
	}
	return "BlueGreen"
}

// TotalMinutes is how long shifting takes at most: the canary's time, or one wait per linear step.
func (s Shift) TotalMinutes() int {
	switch s.Kind {
	case "CANARY":
		return s.Minutes
	case "LINEAR":
		return (100 + s.Percent - 1) / s.Percent * s.Minutes
	}
	return 0
}

var strategyPattern = regexp.MustCompile(`^(?:Canary([0-9]{1,3})Percent([0-9]{1,5})Minutes?|Linear([0-9]{1,3})PercentEvery([0-9]{1,5})Minutes?)$`)

// strategyForms is what a strategy name may look like, for messages.
const strategyForms = "AllAtOnce, Canary<PERCENT>Percent<MINUTES>Minutes or Linear<PERCENT>PercentEvery<MINUTES>Minutes"

// ParseStrategy reads a strategy name on ECS's engine, which takes any canary share or linear
// step: AllAtOnce, Canary<P>Percent<M>Minutes, Linear<P>PercentEvery<M>Minute(s). The message
// says what is wrong, or is "".
func ParseStrategy(name string) (Shift, string) {
	if name == "AllAtOnce" {
		return Shift{Kind: "BLUE_GREEN"}, ""
	}
	m := strategyPattern.FindStringSubmatch(name)
	if m == nil {
		return Shift{}, fmt.Sprintf("is not a strategy; expected %s, such as Canary10Percent5Minutes", strategyForms)
	}
	kind, p, mins, lo := "CANARY", m[1], m[2], 1
	if m[3] != "" {
		kind, p, mins, lo = "LINEAR", m[3], m[4], MinECSLinearPercent
	}
	percent, _ := strconv.Atoi(p)
	minutes, _ := strconv.Atoi(mins)
	switch {
	case percent < lo || percent > 99:
		what := "a canary share"
		if kind == "LINEAR" {
			what = "linear steps (ECS's smallest step is 3 percent)"
		}
		return Shift{}, fmt.Sprintf("shifts %d percent; expected %s from %d to 99 percent", percent, what, lo)
	case minutes < 1 || minutes > MaxECSBakeMinutes:
		return Shift{}, fmt.Sprintf("waits %d minutes; expected 1 to %d minutes (ECS's limit)", minutes, MaxECSBakeMinutes)
	}
	return Shift{Kind: kind, Percent: percent, Minutes: minutes}, ""
}

// CheckStrategy says what is wrong with a strategy name on an engine, or "". CodeDeploy takes
// its predefined configurations only; ECS any share or step within its limits.
func CheckStrategy(engine, name string) string {
	if engine == EngineECS {
		_, msg := ParseStrategy(name)
		return msg
	}
	if _, ok := StrategyNamed(name); ok {
		return ""
	}
	if _, msg := ParseStrategy(name); msg == "" {
		return fmt.Sprintf("is not one of CodeDeploy's predefined configurations; expected one of %s, or engine: ecs, which shifts any share or step", strings.Join(StrategyNames(), ", "))
	}
	return fmt.Sprintf("is not a strategy; expected one of %s (or, with engine: ecs, any Canary<PERCENT>Percent<MINUTES>Minutes or Linear<PERCENT>PercentEvery<MINUTES>Minutes)", strings.Join(StrategyNames(), ", "))
}

// ReleaseMinutes is how long an ECS-engine release may take: shifting, the bake and the
// overhead. The deploy step waits this long.
func ReleaseMinutes(s Shift, bakeMinutes int) int {
	return s.TotalMinutes() + bakeMinutes + ReleaseOverheadMinutes
}
