package estimate

import (
	"fmt"
	"strings"

	"github.com/ecsdelivery/ecsdelivery/config"
	"github.com/ecsdelivery/ecsdelivery/spec"
)

// release is one release's path through the pipeline: its stages, and what it runs that costs
// money (CodeBuild runs, CodePipeline actions, the integration test's task).
type release struct {
	stages  []Stage
	builds  []build
	actions []action
	task    *testTask
}

// build is one CodeBuild run of a release.
type build struct {
	project      string // the project, as the pipeline names it: build, unit-test, scan, …
	computeType  string
	architecture string
	tenths       int
}

// action is one charged CodePipeline action of a release (manual approvals are not charged).
type action struct {
	name   string
	tenths int
}

// testTask is the integration test's temporary Fargate task.
type testTask struct {
	region, architecture string
	cpu, memoryMiB       int
	tenths               int
}

// smallX86 is the compute of the projects the pipeline sizes itself: scan, integration test,
// signature check and ECS release all run BUILD_GENERAL1_SMALL on the x86 standard image
// (codebuild.go, deploystages.go, verifysignature.go, ecsreleasestage.go).
const (
	smallCompute = "small"
	x86          = "x86_64"
)

func newRelease(cfg *config.Config, opts Options) *release {
	r := &release{}
	r.source(cfg)
	r.build(cfg, opts)
	r.scan()
	if cfg.IntegrationTestEnabled() {
		r.integrationTest(cfg, opts)
	}
	for i := range cfg.Environments {
		e := &cfg.Environments[i]
		if e.Approval {
			r.stages = append(r.stages, newStage("Approve-"+e.Name, "a manual approval: the release waits for a person",
				newItem("manual approval", 0, "0: the wait for a person is excluded ("+docApproval+")",
					fmt.Sprintf("environments[%d].approval", i), e.Name+"'s approval")))
		}
		r.deploy(cfg, i)
	}
	return r
}

// sum adds items' tenths.
func sum(items []Item) int {
	t := 0
	for _, it := range items {
		t += it.tenths
	}
	return t
}

// summary is a stage's why: what it is, and its items added up.
func summary(what string, items []Item) string {
	var parts []string
	for _, it := range items {
		if it.tenths > 0 {
			// "Image: push" reads "push" once the stage's why has named Image.
			_, name, found := strings.Cut(it.Name, ": ")
			if !found {
				name = it.Name
			}
			parts = append(parts, name+" "+minutes(it.tenths))
		}
	}
	if len(parts) == 0 {
		return what
	}
	return what + ": " + strings.Join(parts, " + ")
}

func (r *release) source(cfg *config.Config) {
	start, what := triggerStart, "CodeConnections starts the pipeline on the push"
	if cfg.Source.OAuthTokenSecret != "" {
		start, what = webhookStart, "GitHub's webhook starts the pipeline on the push (legacy OAuth source)"
	}
	items := []Item{
		newItem("push to pipeline start", tenthsOfSeconds(start.seconds), start.String(), "", ""),
		newItem("source action", tenthsOfSeconds(sourceAction.seconds), sourceAction.String(), "", ""),
	}
	r.actions = append(r.actions, action{"Source", items[1].tenths})
	r.stages = append(r.stages, newStage("Source", summary(what, items), items...))
}

// codeBuildStart is a CodeBuild run's overhead, the same for every compute type.
func codeBuildStart(name string) Item {
	return newItem(name+": CodeBuild start", tenthsOfSeconds(provisioning.seconds), provisioning.String(), "", "")
}

// build is the Image action and, with unit tests, the UnitTests action beside it: the stage
// takes the longer of the two.
func (r *release) build(cfg *config.Config, opts Options) {
	b := &cfg.Build
	work := tenthsOfMinutes(opts.BuildMinutes)
	image := []Item{
		codeBuildStart("Image"),
		newItem("Image: your build", work, fmt.Sprintf("--build-minutes %s: the Dockerfile's own steps in BuildKit", minutes(work)), "", ""),
		newItem("Image: push", tenthsOfSeconds(imagePush.seconds), imagePush.String(), "", ""),
	}
	if cfg.IntegrationTest.Image != nil {
		t := work + tenthsOfSeconds(imagePush.seconds)
		image = append(image, newItem("Image: test image", t,
			fmt.Sprintf("integrationTest.image: one more image build, --build-minutes %s + push %s (assumption: it shares no layer with the app image; shared stages make it shorter)",
				minutes(work), seconds(imagePush.seconds)), "integrationTest.image", "the integration test's own image"))
	}
	imageTenths := sum(image)
	r.builds = append(r.builds, build{"build", b.ComputeType, b.Architecture, imageTenths})
	r.actions = append(r.actions, action{"Image", imageTenths})
	if b.UnitTestCommand == "" {
		r.stages = append(r.stages, newStage("Build", summary("the privileged Image project builds and pushes the image", image), image...))
		return
	}
	tests := tenthsOfMinutes(opts.TestMinutes)
	unit := []Item{
		codeBuildStart("UnitTests"),
		newItem("UnitTests: your tests", tests, fmt.Sprintf("--test-minutes %s: build.unitTestCommand", minutes(tests)), "", ""),
	}
	unitTenths := sum(unit)
	r.builds = append(r.builds, build{"unit-test", b.ComputeType, b.Architecture, unitTenths})
	r.actions = append(r.actions, action{"UnitTests", unitTenths})
	path, beside, pathName, besideName := image, unit, "Image", "UnitTests"
	if unitTenths > imageTenths {
		path, beside, pathName, besideName = unit, image, "UnitTests", "Image"
	}
	items := append(append([]Item(nil), path...), newItem(besideName+" (side by side)", 0,
		fmt.Sprintf("runs beside %s in the same run order, off the path: %s", pathName, summary(minutes(sum(beside))+" min", beside)), "", ""))
	r.stages = append(r.stages, newStage("Build", summary("Image and UnitTests run side by side; the stage takes the longer ("+pathName+")", path), items...))
}

func (r *release) scan() {
	items := []Item{
		codeBuildStart("Trivy"),
		newItem("Trivy: binary and DB", tenthsOfSeconds(trivyDB.seconds), trivyDB.String(), "", ""),
		newItem("Trivy: scan", tenthsOfSeconds(trivyScan.seconds), trivyScan.String(), "", ""),
	}
	t := sum(items)
	r.builds = append(r.builds, build{"scan", smallCompute, x86, t})
	r.actions = append(r.actions, action{"Trivy", t})
	r.stages = append(r.stages, newStage("Scan", summary("Trivy scans the pushed image by digest (small project)", items), items...))
}

// integrationTest runs the new image and the test command in a temporary task; the CodeBuild
// run waits for it.
func (r *release) integrationTest(cfg *config.Config, opts Options) {
	it := &cfg.IntegrationTest
	tests := tenthsOfMinutes(opts.TestMinutes)
	items := []Item{
		codeBuildStart("TemporaryTask"),
		newItem("test task start", tenthsOfSeconds(taskStart.seconds), taskStart.String(), "", ""),
		newItem("app healthy", tenthsOfSeconds(testHealthy.seconds), testHealthy.String(), "", ""),
		newItem("your integration test", tests, fmt.Sprintf("--test-minutes %s: integrationTest.command %s (timeout %d min)",
			minutes(tests), strings.Join(it.Command, " "), it.TimeoutMinutes), "", ""),
		newItem("task stop and clean-up", tenthsOfSeconds(testStop.seconds), testStop.String(), "", ""),
	}
	t := sum(items)
	r.builds = append(r.builds, build{"integration-test", smallCompute, x86, t})
	r.actions = append(r.actions, action{"TemporaryTask", t})
	env := environment(cfg, it.Environment)
	// The test task holds the app as the service runs it and at least 512 MiB for the test
	// container, in the smallest Fargate size that fits both (testtask.go).
	cpu, memory := spec.FargateSizeAtLeast(max(env.Service.CPU, 512), env.Service.MemoryMiB+512)
	r.task = &testTask{region: env.Region, architecture: cfg.Build.Architecture, cpu: cpu, memoryMiB: memory, tenths: t - items[0].tenths}
	r.stages = append(r.stages, newStage("IntegrationTest",
		summary(fmt.Sprintf("a temporary task (%d CPU, %d MiB) in %s runs the new image and the test command", cpu, memory, env.Name), items), items...))
}

func environment(cfg *config.Config, name string) *config.Environment {
	for i := range cfg.Environments {
		if cfg.Environments[i].Name == name {
			return &cfg.Environments[i]
		}
	}
	return &cfg.Environments[0]
}

// deploy is one environment's Deploy stage: the window, the signature check, the marker and
// the deployment on the environment's engine.
func (r *release) deploy(cfg *config.Config, i int) {
	e := &cfg.Environments[i]
	d := &e.Deployment
	p := fmt.Sprintf("environments[%d].", i)
	var items []Item
	if d.Window != nil {
		items = append(items, newItem("deployment window", 0,
			fmt.Sprintf("0 inside the window (%s, %s); outside it the wait until it opens is excluded (%s)", d.Window.Cron, d.Window.Timezone, docWindow),
			p+"deployment.window", e.Name+"'s deployment window"))
	}
	if cfg.Pipeline.Signing {
		t := tenthsOfSeconds(provisioning.seconds + signCheck.seconds)
		items = append(items, newItem("VerifySignature", t,
			fmt.Sprintf("a small CodeBuild run: start %s (%s) + check %s (%s)", seconds(provisioning.seconds), provisioning.source, seconds(signCheck.seconds), signCheck.source),
			"pipeline.signing", "the signature check before "+e.Name))
		r.builds = append(r.builds, build{"verify-signature", smallCompute, x86, t})
		r.actions = append(r.actions, action{"VerifySignature", t})
	}
	mark := newItem("MarkDeployed", tenthsOfSeconds(markDeployed.seconds), markDeployed.String(), "", "")
	items = append(items, mark)
	r.actions = append(r.actions, action{"MarkDeployed", mark.tenths})
	shift, _ := spec.ParseStrategy(d.Strategy)
	if d.Engine == spec.EngineECS {
		release := r.ecsRelease(e, p, shift)
		items = append(items, release...)
		t := sum(release)
		r.builds = append(r.builds, build{"release-" + e.Name, smallCompute, x86, t})
		r.actions = append(r.actions, action{shift.ReleaseAction(), t})
		r.stages = append(r.stages, newStage("Deploy-"+e.Name,
			summary(fmt.Sprintf("ECS's own %s deployment (engine ecs), which the release project waits through", d.Strategy), items), items...))
		return
	}
	deployment := r.codeDeploy(e, p, shift)
	items = append(items, deployment...)
	r.actions = append(r.actions, action{"BlueGreen", sum(deployment)})
	if d.BakeMinutes > 0 {
		b := d.BakeMinutes * 10
		items = append(items, newItem("bake", b,
			fmt.Sprintf("bakeMinutes %d: an on-success condition watches the four rollback alarms this long after the deployment (%s)", d.BakeMinutes, docPipelineBake),
			p+"deployment.bakeMinutes", e.Name+"'s bake"))
	}
	r.stages = append(r.stages, newStage("Deploy-"+e.Name,
		summary(fmt.Sprintf("CodeDeploy blue/green, %s", d.Strategy), items), items...))
}

// traffic are the steps both engines share: new tasks start and pass the target group's health
// check, the test traffic, the engine's own steps and the production shift.
func traffic(e *config.Environment, p string, shift spec.Shift, steps timing, shiftDoc string) []Item {
	s, d := &e.Service, &e.Deployment
	health := float64(s.HealthCheckIntervalSeconds * s.HealthyThresholdCount)
	items := []Item{
		newItem("new tasks start", tenthsOfSeconds(taskStart.seconds), taskStart.String(), "", ""),
		newItem("health check", tenthsOfSeconds(health),
			fmt.Sprintf("healthCheckIntervalSeconds %d × healthyThresholdCount %d = %s (%s)", s.HealthCheckIntervalSeconds, s.HealthyThresholdCount, seconds(health), docHealthCheck),
			p+"service.healthCheckIntervalSeconds × healthyThresholdCount", e.Name+"'s health check"),
	}
	if tt := d.TestTraffic; tt.Enabled {
		trips := (len(tt.Paths)*tt.Requests + testTrafficConcurrency - 1) / testTrafficConcurrency
		secs := hookStart.seconds + float64(trips)*roundTrip.seconds
		items = append(items, newItem("test traffic", tenthsOfSeconds(secs),
			fmt.Sprintf("function start %s (%s) + ⌈%d paths × %d requests / %d at once⌉ = %d round trips × %s (%s) = %s",
				seconds(hookStart.seconds), hookStart.source, len(tt.Paths), tt.Requests, testTrafficConcurrency, trips,
				seconds(roundTrip.seconds), roundTrip.source, seconds(secs)),
			p+"deployment.testTraffic", e.Name+"'s test traffic"))
	}
	items = append(items, newItem("engine steps", tenthsOfSeconds(steps.seconds), steps.String(), "", ""))
	if m, why := shiftMinutes(shift); m > 0 {
		items = append(items, newItem("traffic shift", m*10, fmt.Sprintf("%s: %s (%s)", d.Strategy, why, shiftDoc),
			p+"deployment.strategy", e.Name+"'s traffic shift ("+d.Strategy+")"))
	}
	return items
}

// shiftMinutes is how long production traffic takes to move: a canary's wait, or one wait
// between each two linear steps (none after the last, on either engine).
func shiftMinutes(s spec.Shift) (int, string) {
	switch s.Kind {
	case "CANARY":
		return s.Minutes, fmt.Sprintf("%d%% for %d min, then the rest = %d min", s.Percent, s.Minutes, s.Minutes)
	case "LINEAR":
		steps := (100 + s.Percent - 1) / s.Percent
		return (steps - 1) * s.Minutes, fmt.Sprintf("%d%% every %d min: (⌈100/%d⌉ = %d steps − 1) × %d min = %d min, no wait after the last step",
			s.Percent, s.Minutes, s.Percent, steps, s.Minutes, (steps-1)*s.Minutes)
	}
	return 0, "all at once"
}

// deregistration is the old targets' draining where it lies on the path: only when nothing
// held them out of traffic first (no termination wait, or on ECS no bake). After a wait they
// have no requests in flight and ELB completes their deregistration at once.
func deregistration(e *config.Environment, p string, after int) []Item {
	delay := e.Service.DeregistrationDelaySeconds
	if after > 0 || delay == 0 {
		return nil
	}
	return []Item{newItem("deregistration delay", tenthsOfSeconds(float64(delay)),
		fmt.Sprintf("deregistrationDelaySeconds %d: with no wait before the old tasks go, they may still hold requests (assumption: the deployment ends after they drain; %s)", delay, docDeregistration),
		p+"service.deregistrationDelaySeconds", e.Name+"'s deregistration delay")}
}

// codeDeploy is the BlueGreen action: CodeDeploy's deployment, which ends only after the
// termination wait.
func (r *release) codeDeploy(e *config.Environment, p string, shift spec.Shift) []Item {
	d := &e.Deployment
	items := traffic(e, p, shift, deploySteps, docCodeDeployShift)
	if d.TerminationWaitMinutes > 0 {
		items = append(items, newItem("termination wait", d.TerminationWaitMinutes*10,
			fmt.Sprintf("terminationWaitMinutes %d: the old tasks stay for an instant rollback, and the deploy action waits for them to go (%s)", d.TerminationWaitMinutes, docTerminationWait),
			p+"deployment.terminationWaitMinutes", e.Name+"'s termination wait"))
	}
	return append(items, deregistration(e, p, d.TerminationWaitMinutes)...)
}

// ecsRelease is the release project's run: the stack update, then ECS's deployment and bake,
// which the project waits through.
func (r *release) ecsRelease(e *config.Environment, p string, shift spec.Shift) []Item {
	d := &e.Deployment
	items := []Item{codeBuildStart("release")}
	if e.Import != nil {
		items = append(items, newItem("service update", tenthsOfSeconds(serviceUpdate.seconds), serviceUpdate.String(), "", ""))
	} else {
		items = append(items, newItem("stack update", tenthsOfSeconds(stackUpdate.seconds), stackUpdate.String(), "", ""))
	}
	doc := docECSCanary
	if shift.Kind == "LINEAR" {
		doc = docECSLinear
	}
	items = append(items, traffic(e, p, shift, ecsSteps, doc)...)
	if d.BakeMinutes > 0 {
		items = append(items, newItem("ECS bake", d.BakeMinutes*10,
			fmt.Sprintf("bakeMinutes %d: ECS keeps the old tasks and watches the alarms this long after the shift, and the release waits (%s)", d.BakeMinutes, docECSBake),
			p+"deployment.bakeMinutes", e.Name+"'s bake"))
	}
	return append(items, deregistration(e, p, d.BakeMinutes)...)
}
