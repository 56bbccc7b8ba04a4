package config

import (
	"strings"

	"github.com/ecsdelivery/ecsdelivery/spec"
)

// engine validates the choice of engine and what depends on it: the strategy each engine can
// express, the termination wait (CodeDeploy's) and the bake's range. p is "environments[i]".
func (v *validator) engine(p string, e *Environment) {
	d := &e.Deployment
	v.oneOf(p+".deployment.engine", d.Engine, spec.Engines)
	if !contains(spec.Engines, d.Engine) {
		return
	}
	if msg := spec.CheckStrategy(d.Engine, d.Strategy); msg != "" {
		v.add(p+".deployment.strategy", "%q %s", d.Strategy, ours(msg))
	}
	if d.Engine != spec.EngineECS {
		v.in(p+".deployment.terminationWaitMinutes", d.TerminationWaitMinutes, terminationWaitLimit)
		v.in(p+".deployment.bakeMinutes", d.BakeMinutes, bakeLimit)
		return
	}
	if v.given(p + ".deployment.terminationWaitMinutes") {
		v.add(p+".deployment.terminationWaitMinutes", "set, but engine ecs has no termination wait: the old tasks stay until the bake ends; expected bakeMinutes instead")
	}
	v.in(p+".deployment.bakeMinutes", d.BakeMinutes, ecsBakeLimit)
	shift, msg := spec.ParseStrategy(d.Strategy)
	if msg != "" || d.BakeMinutes > spec.MaxECSBakeMinutes {
		return
	}
	if total := spec.ReleaseMinutes(shift, d.BakeMinutes); total > spec.MaxReleaseMinutes {
		v.add(p+".deployment.bakeMinutes", "%d, but with strategy %s (%d minutes of shifting) and %d minutes for the release itself the deploy step would wait %d minutes, longer than the %d a CodeBuild build runs; expected at most %d",
			d.BakeMinutes, d.Strategy, shift.TotalMinutes(), spec.ReleaseOverheadMinutes, total, spec.MaxReleaseMinutes,
			max(0, spec.MaxReleaseMinutes-spec.ReleaseOverheadMinutes-shift.TotalMinutes()))
	}
}

// importedRules checks the listener rules ECS shifts in an imported environment, and that each
// engine is given what it shifts: listeners for CodeDeploy, listener rules for ECS.
func (v *validator) importedRules(p string, e *Environment) {
	im := e.Import
	env := strings.TrimSuffix(p, ".import")
	w := v.where(e.Account, e.Region, env+".account", env+".region", "the environment's account and region")
	if e.Deployment.Engine != spec.EngineECS {
		for _, f := range []struct{ field, value string }{{"listenerRuleArn", im.ListenerRuleARN}, {"testListenerRuleArn", im.TestListenerRuleARN}} {
			if f.value != "" {
				v.add(p+"."+f.field, "set, but engine codedeploy shifts whole listeners; expected listenerArn and testListenerArn, or deployment.engine: ecs")
			}
		}
		for _, f := range []struct{ field, value string }{{"listenerArn", im.ListenerARN}, {"testListenerArn", im.TestListenerARN}} {
			if f.value != "" && checkARN(f.value, listenerRuleRule, w) == "" {
				v.add(p+"."+f.field, "%q is a listener rule ARN; expected the listener's ARN (listener/app/NAME/LB-ID/LISTENER-ID), which CodeDeploy shifts, or deployment.engine: ecs with import.listenerRuleArn", f.value)
			}
		}
		return
	}
	for _, f := range []struct{ field, value, instead string }{{"listenerArn", im.ListenerARN, "listenerRuleArn"}, {"testListenerArn", im.TestListenerARN, "testListenerRuleArn"}} {
		if f.value != "" {
			v.add(p+"."+f.field, "set, but engine ecs shifts listener rules, not listeners; expected %s, the ARN of a rule on that listener", f.instead)
		}
	}
	rules := []struct{ field, value string }{{"listenerRuleArn", im.ListenerRuleARN}, {"testListenerRuleArn", im.TestListenerRuleARN}}
	ok := true
	for _, r := range rules {
		if r.value == "" {
			ok = false
			continue
		}
		if checkARN(r.value, listenerRule, w) == "" {
			v.add(p+"."+r.field, "%q is a listener ARN; expected the ARN of a rule on it (listener-rule/app/NAME/LB-ID/LISTENER-ID/RULE-ID), which ECS shifts", r.value)
			ok = false
		} else if msg := checkARN(r.value, listenerRuleRule, w); msg != "" {
			v.add(p+"."+r.field, "%s", msg)
			ok = false
		}
	}
	if !ok {
		return
	}
	switch lb, tlb := loadBalancerOf(im.ListenerRuleARN), loadBalancerOf(im.TestListenerRuleARN); {
	case im.ListenerRuleARN == im.TestListenerRuleARN || listenerOf(im.ListenerRuleARN) == listenerOf(im.TestListenerRuleARN):
		v.add(p+".testListenerRuleArn", "is on the production rule's listener; expected a rule on the test listener, on its own port")
	case lb != tlb:
		v.add(p+".testListenerRuleArn", "belongs to load balancer %s but listenerRuleArn to %s; expected both rules on one load balancer", tlb, lb)
	}
}
