package config

import (
	"fmt"
	"maps"
	"reflect"

	"github.com/ecsdelivery/ecsdelivery/spec"
)

// applyDefaults fills what the file left out. It asks the decoder whether a field was given,
// so an explicit zero (terminationWaitMinutes: 0) is kept rather than replaced.
func applyDefaults(c *Config, d *decoder) {
	set := func(path string) bool { _, ok := d.values[path]; return ok }
	if !set("version") {
		c.Version = 1
	}
	orString(&c.Pipeline.Region, spec.DefaultRegion)
	if !set("pipeline.signing") {
		c.Pipeline.Signing = true
	}
	orInt(set, "pipeline.changeFailureWindowHours", &c.Pipeline.ChangeFailureWindowHours, spec.DefaultChangeFailureWindowHours)
	orString(&c.Source.Branch, spec.DefaultBranch)
	orString(&c.Build.Dockerfile, spec.DefaultDockerfile)
	orString(&c.Build.Context, spec.DefaultContext)
	orString(&c.Build.ComputeType, spec.DefaultComputeType)
	orString(&c.Build.Architecture, spec.DefaultArchitecture)
	orString(&c.Build.BuilderImage, spec.DefaultBuilderImage)
	if !set("scan.failOn") {
		c.Scan.FailOn = spec.DefaultFailOn()
	}
	orInt(set, "integrationTest.timeoutMinutes", &c.IntegrationTest.TimeoutMinutes, spec.DefaultTimeoutMinutes)
	// integrationTest.allowGatedEnvironment stays false unless given: the test never runs
	// unapproved code past an approval by default.
	if img := c.IntegrationTest.Image; img != nil {
		orString(&img.Dockerfile, c.Build.Dockerfile)
	}
	if c.IntegrationTest.Environment == "" && len(c.Environments) > 0 {
		c.IntegrationTest.Environment = c.Environments[0].Name
	}
	shared := Service{
		ContainerPort: spec.DefaultContainerPort, HealthCheckPath: spec.DefaultHealthCheckPath,
		CPU: spec.DefaultCPU, MemoryMiB: spec.DefaultMemoryMiB, DesiredCount: spec.DefaultDesiredCount,
		HealthCheckIntervalSeconds: spec.DefaultHealthCheckInterval, HealthyThresholdCount: spec.DefaultHealthyThreshold,
		DeregistrationDelaySeconds: spec.DefaultDeregistrationDelay, LogRetentionDays: spec.DefaultLogRetentionDays,
	}
	overlay(&shared, c.Service, "service", set)
	c.Service = shared
	for i := range c.Environments {
		e := &c.Environments[i]
		orString(&e.Account, c.Pipeline.Account)
		orString(&e.Region, c.Pipeline.Region)
		orString(&e.Deployment.Strategy, spec.DefaultStrategy)
		orString(&e.Deployment.Engine, spec.DefaultEngine)
		p := fmt.Sprintf("environments[%d].", i)
		orInt(set, p+"deployment.terminationWaitMinutes", &e.Deployment.TerminationWaitMinutes, spec.DefaultTerminationWaitMinutes)
		orInt(set, p+"natGateways", &e.NATGateways, spec.DefaultNATGateways)
		orInt(set, p+"loadBalancer.testListenerPort", &e.LoadBalancer.TestListenerPort, spec.DefaultTestListenerPort)
		orInt(set, p+"alarms.target5xxPerMinute", &e.Alarms.Target5xxPerMinute, spec.DefaultTarget5xxPerMinute)
		orInt(set, p+"alarms.unhealthyHosts", &e.Alarms.UnhealthyHosts, spec.DefaultUnhealthyHosts)
		orInt(set, p+"alarms.latencyP99Milliseconds", &e.Alarms.LatencyP99Milliseconds, spec.DefaultLatencyP99Milliseconds)
		testTrafficDefaults(&e.Deployment.TestTraffic, p+"deployment.testTraffic.", set, e.Alarms.LatencyP99Milliseconds)
		if w := e.Deployment.Window; w != nil {
			orString(&w.Timezone, spec.DefaultWindowTimezone)
		}
		effective := c.Service
		effective.Environment = maps.Clone(c.Service.Environment)
		effective.Secrets = maps.Clone(c.Service.Secrets)
		overlay(&effective, e.Service, fmt.Sprintf("environments[%d].service", i), set)
		e.Service = effective
		if !set(p + "deployment.testTraffic.paths") {
			e.Deployment.TestTraffic.Paths = []string{e.Service.HealthCheckPath}
		}
	}
}

// testTrafficDefaults turns the check on unless the file turned it off; its latency bound is
// the latency alarm's threshold, so a release the check passes does not trip the alarm at once.
func testTrafficDefaults(t *TestTraffic, p string, set func(string) bool, latency int) {
	if !set(p + "enabled") {
		t.Enabled = true
	}
	orInt(set, p+"expectStatus", &t.ExpectStatus, spec.DefaultTestTrafficStatus)
	orInt(set, p+"requests", &t.Requests, spec.DefaultTestTrafficRequests)
	orInt(set, p+"maxLatencyMilliseconds", &t.MaxLatencyMilliseconds, latency)
}

// orInt fills a number the file did not give; a given 0 stays, to be kept or rejected.
func orInt(set func(string) bool, path string, v *int, def int) {
	if !set(path) {
		*v = def
	}
}

func orString(s *string, def string) {
	if *s == "" {
		*s = def
	}
}

// overlay copies onto dst each field of src that the file gave under prefix; maps are merged
// key by key, so an environment can add one variable without repeating the shared ones.
func overlay(dst *Service, src Service, prefix string, set func(string) bool) {
	dv, sv := reflect.ValueOf(dst).Elem(), reflect.ValueOf(src)
	for i := 0; i < dv.NumField(); i++ {
		if !set(prefix + "." + yamlName(dv.Type().Field(i))) {
			continue
		}
		if dv.Field(i).Kind() == reflect.Map {
			if dv.Field(i).IsNil() {
				dv.Field(i).Set(reflect.MakeMap(dv.Field(i).Type()))
			}
			iter := sv.Field(i).MapRange()
			for iter.Next() {
				dv.Field(i).SetMapIndex(iter.Key(), iter.Value())
			}
			continue
		}
		dv.Field(i).Set(sv.Field(i))
	}
}
