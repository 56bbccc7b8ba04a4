package notifier

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// harness runs handle() on one event with fake AWS calls and prints what it called, what it
// logged, and which metric data CloudWatch would not take as a measurement (a value that is not
// a finite, non-negative number, or an invalid timestamp).
const harness = `
const n = require(process.argv[2]);
const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const calls = [];
const logs = [];
const invalid = [];
console.log = console.info = console.warn = console.error = (...a) => logs.push(a.join(' '));
const aws = {
  getExecution: async (p, id) => { calls.push(['getExecution', p, id]); if (input.executionFails) throw Object.assign(new Error('denied'), {name: 'AccessDenied'}); return input.execution; },
  executionStart: async (p, id) => { calls.push(['executionStart', p, id]); if (input.listFails) throw new Error('throttled'); return input.started ? Date.parse(input.started) : null; },
  putMetrics: async (m) => {
    calls.push(['putMetrics', m]);
    for (const d of m.MetricData) {
      if (!Number.isFinite(d.Value) || d.Value < 0) invalid.push(d.MetricName + ' = ' + d.Value);
      if ('Timestamp' in d && !(d.Timestamp instanceof Date && Number.isFinite(d.Timestamp.getTime()))) invalid.push(d.MetricName + ' at ' + d.Timestamp);
    }
    if (input.metricsFail) throw Object.assign(new Error('throttled'), {name: 'Throttling'});
  },
  publish: async (m) => { calls.push(['publish', m]); if (input.publishFails) throw Object.assign(new Error('down'), {name: 'InternalError'}); },
};
const print = (result) => process.stdout.write(JSON.stringify({result, calls, logs, invalid}));
Promise.resolve().then(() => n.handle(input.event, aws, n.settings(input.env))).then(print, (e) => print({error: e.message}));
`

var env = map[string]string{
	"APP": "orders-api", "PIPELINE": "orders-api-dev", "TOPIC_ARN": "arn:aws:sns:us-east-1:111111111111:orders-api-dev-notifications",
	"AWS_REGION": "us-east-1", "RELEASE_ENVIRONMENT": "production",
	"DEPLOY_STAGES":  `{"Deploy-staging":"staging","Deploy-production":"production"}`,
	"DEPLOY_ACTIONS": `{"Deploy-staging":"BlueGreen","Deploy-production":"BlueGreen"}`,
}

var execution = map[string]any{"artifactRevisions": []map[string]string{{
	"revisionId": "0123456789abcdef0123456789abcdef01234567", "revisionSummary": `{"ProviderType":"GitHub","CommitMessage":"Fix the checkout total\n\nLonger body"}`,
	"revisionUrl": "https://github.com/acme/orders-api/commit/0123456789abcdef0123456789abcdef01234567",
}}}

type call struct {
	Name   string
	Metric struct {
		Namespace  string
		MetricData []struct {
			MetricName string
			Value      float64
			Unit       string
			Dimensions []struct{ Name, Value string }
		}
	}
	Message struct{ TopicArn, Subject, Message string }
}

// run runs one event and fails the test if a metric datum was no measurement.
func run(t *testing.T, event map[string]any, extra map[string]any) (map[string]any, []call) {
	t.Helper()
	result, calls, _ := runLogged(t, event, extra)
	return result, calls
}

// runLogged is run, which also returns what the function logged.
func runLogged(t *testing.T, event map[string]any, extra map[string]any) (map[string]any, []call, []string) {
	t.Helper()
	node := os.Getenv("JSII_NODE")
	if node == "" {
		node = "node"
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "harness.js")
	if err := os.WriteFile(path, []byte(harness), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _ := filepath.Abs("notify.js")
	input := map[string]any{"event": event, "env": env, "execution": execution, "started": "2026-11-26T10:00:00Z"}
	for k, v := range extra {
		input[k] = v
	}
	data, _ := json.Marshal(input)
	cmd := exec.Command(node, path, code)
	cmd.Stdin = strings.NewReader(string(data))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	var raw struct {
		Result  map[string]any
		Calls   [][]json.RawMessage
		Logs    []string
		Invalid []string
	}
	if err := json.Unmarshal(out, &raw); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if len(raw.Invalid) != 0 {
		t.Errorf("published metric data that are no measurement: %v", raw.Invalid)
	}
	var calls []call
	for _, c := range raw.Calls {
		var k call
		_ = json.Unmarshal(c[0], &k.Name)
		switch k.Name {
		case "putMetrics":
			_ = json.Unmarshal(c[1], &k.Metric)
		case "publish":
			_ = json.Unmarshal(c[1], &k.Message)
		}
		calls = append(calls, k)
	}
	return raw.Result, calls, raw.Logs
}

func event(detailType string, detail map[string]any) map[string]any {
	detail["pipeline"] = "orders-api-dev"
	detail["execution-id"] = "e-123"
	return map[string]any{"detail-type": detailType, "source": "aws.codepipeline", "time": "2026-11-26T10:12:30Z", "detail": detail}
}

func only(t *testing.T, calls []call, name string) []call {
	t.Helper()
	var out []call
	for _, c := range calls {
		if c.Name == name {
			out = append(out, c)
		}
	}
	return out
}

// A failed stage reaches the topic as text a person reads: app, stage, commit and a link to the
// execution, with a one-line ASCII subject.
func TestAFailedStageIsAReadableMessage(t *testing.T) {
	_, calls := run(t, event("CodePipeline Stage Execution State Change", map[string]any{"stage": "Scan", "state": "FAILED"}), nil)
	published := only(t, calls, "publish")
	if len(published) != 1 {
		t.Fatalf("published %d messages; want 1: %+v", len(published), calls)
	}
	m := published[0].Message
	if want := "[orders-api] Scan failed"; m.Subject != want {
		t.Errorf("subject %q; want %q", m.Subject, want)
	}
	if m.TopicArn != env["TOPIC_ARN"] {
		t.Errorf("published to %s; want %s", m.TopicArn, env["TOPIC_ARN"])
	}
	for _, want := range []string{
		"orders-api: Scan failed", "App:       orders-api", "Pipeline:  orders-api-dev", "Stage:     Scan",
		"Commit:    0123456789ab Fix the checkout total (https://github.com/acme/orders-api/commit/0123456789abcdef0123456789abcdef01234567)",
		"Execution: https://us-east-1.console.aws.amazon.com/codesuite/codepipeline/pipelines/orders-api-dev/executions/e-123/timeline?region=us-east-1",
	} {
		if !strings.Contains(m.Message, want) {
			t.Errorf("message lacks %q:\n%s", want, m.Message)
		}
	}
	if strings.Contains(m.Message, "{") {
		t.Errorf("message holds JSON:\n%s", m.Message)
	}
	if strings.Contains(m.Message, "Longer body") {
		t.Errorf("message holds the whole commit message; want its first line:\n%s", m.Message)
	}
}

// A finished execution counts as succeeded or failed with its duration; success means the
// release reached the last environment, and says so.
func TestExecutionOutcomesAreMetricsAndReleasesAreAnnounced(t *testing.T) {
	_, calls := run(t, event("CodePipeline Pipeline Execution State Change", map[string]any{"state": "SUCCEEDED"}), nil)
	metrics := only(t, calls, "putMetrics")
	if len(metrics) != 1 {
		t.Fatalf("%d PutMetricData calls; want 1: %+v", len(metrics), calls)
	}
	if ns := metrics[0].Metric.Namespace; ns != "ecsdelivery" {
		t.Errorf("namespace %q; want ecsdelivery", ns)
	}
	data := metrics[0].Metric.MetricData
	if len(data) != 2 {
		t.Fatalf("%d metric data; want the count and the duration: %+v", len(data), data)
	}
	if data[0].MetricName != "ExecutionsSucceeded" {
		t.Errorf("first metric %q; want ExecutionsSucceeded", data[0].MetricName)
	}
	if data[0].Value != 1 {
		t.Errorf("ExecutionsSucceeded = %v; want 1", data[0].Value)
	}
	if data[1].MetricName != "ExecutionDuration" {
		t.Errorf("second metric %q; want ExecutionDuration", data[1].MetricName)
	}
	if data[1].Value != 750 {
		t.Errorf("ExecutionDuration = %v; want 750", data[1].Value)
	}
	if data[1].Unit != "Seconds" {
		t.Errorf("ExecutionDuration unit %q; want Seconds", data[1].Unit)
	}
	if len(data[0].Dimensions) == 0 {
		t.Fatalf("ExecutionsSucceeded has no dimensions; want Pipeline")
	}
	if d := data[0].Dimensions[0]; d.Name != "Pipeline" {
		t.Errorf("first dimension %q; want Pipeline", d.Name)
	}
	if d := data[0].Dimensions[0]; d.Value != "orders-api-dev" {
		t.Errorf("pipeline dimension %q; want orders-api-dev", d.Value)
	}
	published := only(t, calls, "publish")
	if len(published) != 1 {
		t.Fatalf("%d messages; want 1 release message: %+v", len(published), published)
	}
	if want := "[orders-api] released to production"; published[0].Message.Subject != want {
		t.Errorf("release message subject %q; want %q", published[0].Message.Subject, want)
	}

	_, calls = run(t, event("CodePipeline Pipeline Execution State Change", map[string]any{"state": "FAILED"}), nil)
	if data := only(t, calls, "putMetrics")[0].Metric.MetricData; data[0].MetricName != "ExecutionsFailed" {
		t.Errorf("failed execution: %+v", data)
	}
	if len(only(t, calls, "publish")) != 0 {
		t.Errorf("a failed execution was announced twice (its stage already was): %+v", calls)
	}
}

// A stage's automatic rollback runs as an execution of its own; its success is announced as a
// rollback, not as a release, and not counted as a succeeded execution.
func TestARollbackIsNoRelease(t *testing.T) {
	rollback := map[string]any{"executionType": "ROLLBACK", "artifactRevisions": execution["artifactRevisions"]}
	_, calls := run(t, event("CodePipeline Pipeline Execution State Change", map[string]any{"state": "SUCCEEDED"}),
		map[string]any{"execution": rollback})
	if len(only(t, calls, "putMetrics")) != 0 {
		t.Errorf("a rollback counted as an execution: %+v", calls)
	}
	published := only(t, calls, "publish")
	if len(published) != 1 {
		t.Fatalf("%d messages; want 1 rollback message: %+v", len(published), published)
	}
	if want := "[orders-api] rolled back: the release before runs again"; published[0].Message.Subject != want {
		t.Errorf("rollback message subject %q; want %q", published[0].Message.Subject, want)
	}
}

// A deployment re-run by a stage's rollback is no new deployment: it is not counted.
func TestARollbackDeploymentIsNotCounted(t *testing.T) {
	_, calls := run(t, event("CodePipeline Action Execution State Change", map[string]any{
		"stage": "Deploy-production", "action": "BlueGreen", "state": "SUCCEEDED", "type": map[string]any{"category": "Deploy"},
	}), map[string]any{"execution": map[string]any{"executionType": "ROLLBACK"}})
	if len(only(t, calls, "putMetrics")) != 0 {
		t.Errorf("a rollback's deployment was counted: %+v", calls)
	}
}

// A failed call does not stop the others; the invocation then fails, so the function's error
// alarm fires. A failed duration lookup only leaves the duration out.
func TestFailuresAreReportedAfterTheRest(t *testing.T) {
	result, calls := run(t, event("CodePipeline Pipeline Execution State Change", map[string]any{"state": "SUCCEEDED"}),
		map[string]any{"publishFails": true, "listFails": true})
	metrics := only(t, calls, "putMetrics")
	if len(metrics) != 1 {
		t.Fatalf("%d PutMetricData calls after a failed lookup; want 1: %+v", len(metrics), calls)
	}
	if data := metrics[0].Metric.MetricData; len(data) != 1 || data[0].MetricName != "ExecutionsSucceeded" {
		t.Errorf("metric data after a failed lookup %+v; want ExecutionsSucceeded alone", data)
	}
	if n := len(only(t, calls, "publish")); n != 1 {
		t.Errorf("%d messages; want 1: %+v", n, calls)
	}
	if want := "notifier: Publish failed: InternalError: down"; result["error"] != want {
		t.Errorf("result %v; want the error %q", result, want)
	}
	// An execution that cannot be read is announced without claiming a release.
	_, calls = run(t, event("CodePipeline Pipeline Execution State Change", map[string]any{"state": "SUCCEEDED"}),
		map[string]any{"executionFails": true})
	p := only(t, calls, "publish")
	if len(p) != 1 {
		t.Fatalf("unread execution: %d messages; want 1: %+v", len(p), p)
	}
	if !strings.Contains(p[0].Message.Subject, "release or rollback") {
		t.Errorf("unread execution: subject %q; want it to say release or rollback", p[0].Message.Subject)
	}
}

// A blue/green action's outcome counts per environment; a failure is a rollback.
func TestDeploymentsAreCountedPerEnvironment(t *testing.T) {
	for state, metric := range map[string]string{"SUCCEEDED": "DeploymentsSucceeded", "FAILED": "DeploymentsRolledBack"} {
		t.Run(state, func(t *testing.T) {
			_, calls := run(t, event("CodePipeline Action Execution State Change", map[string]any{
				"stage": "Deploy-production", "action": "BlueGreen", "state": state, "type": map[string]any{"category": "Deploy"},
			}), nil)
			metrics := only(t, calls, "putMetrics")
			if len(metrics) != 1 {
				t.Fatalf("%s: %+v", state, calls)
			}
			d := metrics[0].Metric.MetricData[0]
			if d.MetricName != metric {
				t.Errorf("%s: metric %q; want %q", state, d.MetricName, metric)
			}
			if len(d.Dimensions) != 2 {
				t.Fatalf("%s: dimensions %+v; want 2", state, d.Dimensions)
			}
			if d.Dimensions[1].Name != "Environment" {
				t.Errorf("%s: second dimension %q; want Environment", state, d.Dimensions[1].Name)
			}
			if d.Dimensions[1].Value != "production" {
				t.Errorf("%s: environment %q; want production", state, d.Dimensions[1].Value)
			}
		})
	}
	// Other actions, and other pipelines' events, are neither counted nor announced: the
	// signature check and the marking before a deployment are no deployments, and a refused
	// signature is no rollback.
	_, calls := run(t, event("CodePipeline Action Execution State Change", map[string]any{"stage": "Build", "state": "FAILED"}), nil)
	if len(calls) != 0 {
		t.Errorf("a build action's outcome made calls: %+v", calls)
	}
	for _, action := range []string{"VerifySignature", "MarkDeployed"} {
		for _, state := range []string{"SUCCEEDED", "FAILED"} {
			_, calls := run(t, event("CodePipeline Action Execution State Change", map[string]any{
				"stage": "Deploy-production", "action": action, "state": state, "type": map[string]any{"category": "Build"},
			}), nil)
			if len(calls) != 0 {
				t.Errorf("%s %s in a deploy stage made calls: %+v", action, state, calls)
			}
		}
	}
	other := event("CodePipeline Stage Execution State Change", map[string]any{"stage": "Build", "state": "FAILED"})
	other["detail"].(map[string]any)["pipeline"] = "someone-else"
	result, calls := run(t, other, nil)
	if len(calls) != 0 {
		t.Errorf("another pipeline's event made calls: %+v", calls)
	}
	if result["ignored"] != true {
		t.Errorf("another pipeline's event: result %v; want it ignored", result)
	}
}

// When the commit cannot be read, the message still goes out and says why.
func TestAMessageGoesOutWithoutTheCommit(t *testing.T) {
	_, calls := run(t, event("CodePipeline Stage Execution State Change", map[string]any{"stage": "Deploy-staging", "state": "FAILED"}),
		map[string]any{"executionFails": true})
	published := only(t, calls, "publish")
	if len(published) != 1 {
		t.Fatalf("%d messages; want 1: %+v", len(published), published)
	}
	if want := "Commit:    unknown (AccessDenied: denied)"; !strings.Contains(published[0].Message.Message, want) {
		t.Errorf("message lacks %q:\n%s", want, published[0].Message.Message)
	}
}

// settings is env with some settings changed; an empty value removes the setting.
func settings(changes map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range env {
		out[k] = v
	}
	for k, v := range changes {
		if v == "" {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	return out
}

// The link to the execution opens the console of the partition the pipeline runs in: China and
// GovCloud have consoles of their own.
func TestLinksOpenThePartitionsConsole(t *testing.T) {
	for region, want := range map[string]string{
		"cn-north-1":    "Execution: https://console.amazonaws.cn/codesuite/codepipeline/pipelines/orders-api-dev/executions/e-123/timeline?region=cn-north-1",
		"us-gov-west-1": "Execution: https://console.amazonaws-us-gov.com/codesuite/codepipeline/pipelines/orders-api-dev/executions/e-123/timeline?region=us-gov-west-1",
		"eu-west-1":     "Execution: https://eu-west-1.console.aws.amazon.com/codesuite/codepipeline/pipelines/orders-api-dev/executions/e-123/timeline?region=eu-west-1",
	} {
		t.Run(region, func(t *testing.T) {
			_, calls := run(t, event("CodePipeline Stage Execution State Change", map[string]any{"stage": "Scan", "state": "FAILED"}),
				map[string]any{"env": settings(map[string]string{"AWS_REGION": region})})
			published := only(t, calls, "publish")
			if len(published) != 1 {
				t.Fatalf("%s: %d messages; want 1: %+v", region, len(published), published)
			}
			if !strings.Contains(published[0].Message.Message, want) {
				t.Errorf("%s: message lacks %q:\n%s", region, want, published[0].Message.Message)
			}
		})
	}
}

// A duration that cannot be measured (no start found, an unreadable start or event time, a
// start after the end) is left out and logged; the count still goes out, and no datum carries
// a NaN, an infinity, a negative value or an invalid timestamp (run checks every datum).
func TestNoMetricIsPublishedThatIsNoMeasurement(t *testing.T) {
	for name, c := range map[string]struct {
		time, started string
	}{
		"start not found":       {"2026-11-26T10:12:30Z", ""},
		"start unreadable":      {"2026-11-26T10:12:30Z", "yesterday-ish"},
		"event time missing":    {"", "2026-11-26T10:00:00Z"},
		"event time unreadable": {"half past ten", "2026-11-26T10:00:00Z"},
		"start after the end":   {"2026-11-26T10:12:30Z", "2026-11-26T11:00:00Z"},
	} {
		t.Run(name, func(t *testing.T) {
			e := event("CodePipeline Pipeline Execution State Change", map[string]any{"state": "SUCCEEDED"})
			if c.time == "" {
				delete(e, "time")
			} else {
				e["time"] = c.time
			}
			result, calls, logs := runLogged(t, e, map[string]any{"started": c.started})
			metrics := only(t, calls, "putMetrics")
			if len(metrics) != 1 {
				t.Fatalf("%s: %d PutMetricData calls; want 1: %+v", name, len(metrics), calls)
			}
			if data := metrics[0].Metric.MetricData; len(data) != 1 || data[0].MetricName != "ExecutionsSucceeded" {
				t.Errorf("%s: metric data %+v; want ExecutionsSucceeded alone", name, data)
			}
			if result["error"] != nil {
				t.Errorf("%s: result %v; want no error", name, result)
			}
			if n := len(only(t, calls, "publish")); n != 1 {
				t.Errorf("%s: %d messages; want 1: %+v", name, n, calls)
			}
			if !strings.Contains(strings.Join(logs, "\n"), "ExecutionDuration left out") {
				t.Errorf("%s: nothing logged: %q", name, logs)
			}
		})
	}
}

// An event the notifier cannot handle fails the invocation, so that Lambda hands it to the
// function's dead-letter queue and the errors alarm fires, rather than vanishing.
func TestAnEventItCannotHandleFailsTheInvocation(t *testing.T) {
	// Without its settings every event would look like another pipeline's and be ignored.
	result, calls := run(t, event("CodePipeline Stage Execution State Change", map[string]any{"stage": "Scan", "state": "FAILED"}),
		map[string]any{"env": settings(map[string]string{"PIPELINE": "", "TOPIC_ARN": ""})})
	if want := "notifier: missing settings PIPELINE, TOPIC_ARN"; result["error"] != want {
		t.Errorf("without settings: result %v; want the error %q", result, want)
	}
	if len(calls) != 0 {
		t.Errorf("without settings: calls %+v; want none", calls)
	}
	// A state change of this pipeline that names no execution.
	e := event("CodePipeline Stage Execution State Change", map[string]any{"stage": "Scan", "state": "FAILED"})
	delete(e["detail"].(map[string]any), "execution-id")
	result, calls = run(t, e, nil)
	if want := "notifier: a CodePipeline Stage Execution State Change event without an execution id"; result["error"] != want {
		t.Errorf("without an execution id: result %v; want the error %q", result, want)
	}
	if len(calls) != 0 {
		t.Errorf("without an execution id: calls %+v; want none", calls)
	}
	// A failed PutMetricData still lets the message go out, then fails the invocation.
	result, calls = run(t, event("CodePipeline Pipeline Execution State Change", map[string]any{"state": "SUCCEEDED"}),
		map[string]any{"metricsFail": true})
	if n := len(only(t, calls, "publish")); n != 1 {
		t.Errorf("failed metrics: %d messages; want 1: %+v", n, calls)
	}
	if want := "notifier: PutMetricData failed: Throttling: throttled"; result["error"] != want {
		t.Errorf("failed metrics: result %v; want the error %q", result, want)
	}
}
