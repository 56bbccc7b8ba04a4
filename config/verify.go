package config

import (
	"fmt"

	"github.com/ecsdelivery/ecsdelivery/spec"
)

// releaseChecks validates what an environment verifies of a release beyond CodeDeploy's
// alarms: the test traffic, the deployment window and the bake. p is "environments[i]".
func (v *validator) releaseChecks(p string, e *Environment) {
	d := &e.Deployment
	v.testTraffic(p+".deployment.testTraffic", e)
	if w := d.Window; w != nil {
		if v.require(p+".deployment.window.cron", w.Cron, "a cron expression such as \"0 0 9-17 ? * MON-FRI\"") {
			if msg := spec.CheckCron(w.Cron); msg != "" {
				v.add(p+".deployment.window.cron", "%q %s", w.Cron, msg)
			}
		}
		if msg := spec.CheckTimezone(w.Timezone); msg != "" {
			v.add(p+".deployment.window.timezone", "%s", msg)
		}
	}
}

func (v *validator) testTraffic(p string, e *Environment) {
	t := &e.Deployment.TestTraffic
	if !t.Enabled {
		for _, f := range testTrafficSettings {
			if v.given(p + "." + f) {
				v.add(p+"."+f, "set, but testTraffic.enabled is false; expected the check's settings with the check on, or neither")
			}
		}
		return
	}
	if v.given(p+".paths") && len(t.Paths) == 0 {
		v.add(p+".paths", "empty; expected at least one path, such as [/health]")
	}
	if len(t.Paths) > spec.MaxTestTrafficPaths {
		v.add(p+".paths", "%d paths; expected at most %d", len(t.Paths), spec.MaxTestTrafficPaths)
	}
	// A defaulted path is the health check path, checked where it is given.
	for i, path := range t.Paths {
		if !v.given(p + ".paths") {
			break
		}
		if !spec.HealthCheckPath.MatchString(path) || len(path) > spec.MaxHealthCheckPath {
			v.add(fmt.Sprintf("%s.paths[%d]", p, i), "%q is not a URL path; expected /PATH with letters, digits and . _ ~ %% / : @ + , = - and an optional ?QUERY", path)
		}
	}
	v.in(p+".expectStatus", t.ExpectStatus, expectStatusLimit)
	v.in(p+".requests", t.Requests, requestsLimit)
	v.in(p+".maxLatencyMilliseconds", t.MaxLatencyMilliseconds, maxLatencyLimit)
	if e.Import == nil && e.NATGateways == 0 && !e.LoadBalancer.Internal && v.usable(p) {
		// The check runs in the private subnets; an internet-facing load balancer's name resolves
		// to public addresses, which only a NAT gateway reaches from there.
		v.add(p, "on, but with natGateways 0 the check inside the VPC cannot reach the internet-facing load balancer's test listener; expected loadBalancer.internal: true, a NAT gateway, or enabled: false")
	}
	if t.URL != "" {
		if _, msg := spec.ListenerPort(t.URL); msg != "" {
			v.add(p+".url", "%q %s", t.URL, msg)
		}
	} else if e.Import != nil && v.usable(p) {
		// The imported load balancer's name is not in the file, and nothing is looked up.
		v.add(p, "on, but an imported environment's test listener has no known address; expected url: http://HOST:PORT of import.testListenerArn's load balancer, or enabled: false")
	}
}
