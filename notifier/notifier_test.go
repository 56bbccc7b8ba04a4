package notifier

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// harness runs handle() on one event with fake AWS calls and prints what it called.
const harness = `
const n = require(process.argv[2]);
const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const calls = [];
const aws = {
  getExecution: async (p, id) => { calls.push(['getExecution', p, id]); if (input.executionFails) throw Object.assign(new Error('denied'), {name: 'AccessDenied'}); return input.execution; },
  executionStart: async (p, id) => { calls.push(['executionStart', p, id]); if (input.listFails) throw new Error('throttled'); return input.started ? Date.parse(input.started) : null; },
  putMetrics: async (m) => { calls.push(['putMetrics', m]); },
  publish: async (m) => { calls.push(['publish', m]); if (input.publishFails) throw Object.assign(new Error('down'), {name: 'InternalError'}); },
};
n.handle(input.event, aws, n.settings(input.env)).then(
  (r) => console.log(JSON.stringify({result: r, calls})),
  (e) => console.log(JSON.stringify({result: {error: e.message}, calls})));
`

var env = map[string]string{
	"APP": "orders-api", "PIPELINE": "orders-api-dev", "TOPIC_ARN": "arn:aws:sns:us-east-1:111111111111:orders-api-dev-notifications",
	"AWS_REGION": "us-east-1", "RELEASE_ENVIRONMENT": "production",
	"DEPLOY_STAGES": `{"Deploy-staging":"staging","Deploy-production":"production"}`,
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

func run(t *testing.T, event map[string]any, extra map[string]any) (map[string]any, []call) {
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
		Result map[string]any
		Calls  [][]json.RawMessage
	}
	if err := json.Unmarshal(out, &raw); err != nil {
		t.Fatalf("%v: %s", err, out)
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
	return raw.Result, calls
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
	if m.Subject != "[orders-api] Scan failed" || m.TopicArn != env["TOPIC_ARN"] {
		t.Errorf("subject %q to %s", m.Subject, m.TopicArn)
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
	if strings.Contains(m.Message, "{") || strings.Contains(m.Message, "Longer body") {
		t.Errorf("message holds JSON or the whole commit message:\n%s", m.Message)
	}
}

// A finished execution counts as succeeded or failed with its duration; success means the
// release reached the last environment, and says so.
func TestExecutionOutcomesAreMetricsAndReleasesAreAnnounced(t *testing.T) {
	_, calls := run(t, event("CodePipeline Pipeline Execution State Change", map[string]any{"state": "SUCCEEDED"}), nil)
	metrics := only(t, calls, "putMetrics")
	if len(metrics) != 1 || metrics[0].Metric.Namespace != "ecsdelivery" {
		t.Fatalf("metrics: %+v", calls)
	}
	data := metrics[0].Metric.MetricData
	if len(data) != 2 || data[0].MetricName != "ExecutionsSucceeded" || data[0].Value != 1 ||
		data[1].MetricName != "ExecutionDuration" || data[1].Value != 750 || data[1].Unit != "Seconds" ||
		data[0].Dimensions[0].Name != "Pipeline" || data[0].Dimensions[0].Value != "orders-api-dev" {
		t.Errorf("metric data: %+v", data)
	}
	published := only(t, calls, "publish")
	if len(published) != 1 || published[0].Message.Subject != "[orders-api] released to production" {
		t.Errorf("release message: %+v", published)
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
	if len(published) != 1 || published[0].Message.Subject != "[orders-api] rolled back: the release before runs again" {
		t.Errorf("rollback message: %+v", published)
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
	if len(metrics) != 1 || len(metrics[0].Metric.MetricData) != 1 || metrics[0].Metric.MetricData[0].MetricName != "ExecutionsSucceeded" {
		t.Errorf("metrics after a failed lookup: %+v", metrics)
	}
	if len(only(t, calls, "publish")) != 1 || result["error"] != "notifier: Publish failed: InternalError: down" {
		t.Errorf("result %v, calls %+v", result, calls)
	}
	// An execution that cannot be read is announced without claiming a release.
	_, calls = run(t, event("CodePipeline Pipeline Execution State Change", map[string]any{"state": "SUCCEEDED"}),
		map[string]any{"executionFails": true})
	if p := only(t, calls, "publish"); len(p) != 1 || !strings.Contains(p[0].Message.Subject, "release or rollback") {
		t.Errorf("unread execution: %+v", p)
	}
}

// A blue/green action's outcome counts per environment; a failure is a rollback.
func TestDeploymentsAreCountedPerEnvironment(t *testing.T) {
	for state, metric := range map[string]string{"SUCCEEDED": "DeploymentsSucceeded", "FAILED": "DeploymentsRolledBack"} {
		_, calls := run(t, event("CodePipeline Action Execution State Change", map[string]any{
			"stage": "Deploy-production", "action": "BlueGreen", "state": state, "type": map[string]any{"category": "Deploy"},
		}), nil)
		metrics := only(t, calls, "putMetrics")
		if len(metrics) != 1 {
			t.Fatalf("%s: %+v", state, calls)
		}
		d := metrics[0].Metric.MetricData[0]
		if d.MetricName != metric || len(d.Dimensions) != 2 || d.Dimensions[1].Name != "Environment" || d.Dimensions[1].Value != "production" {
			t.Errorf("%s: %+v", state, d)
		}
	}
	// Other actions, and other pipelines' events, are neither counted nor announced.
	_, calls := run(t, event("CodePipeline Action Execution State Change", map[string]any{"stage": "Build", "state": "FAILED"}), nil)
	if len(calls) != 0 {
		t.Errorf("a build action's outcome made calls: %+v", calls)
	}
	other := event("CodePipeline Stage Execution State Change", map[string]any{"stage": "Build", "state": "FAILED"})
	other["detail"].(map[string]any)["pipeline"] = "someone-else"
	if result, calls := run(t, other, nil); len(calls) != 0 || result["ignored"] != true {
		t.Errorf("another pipeline's event: %v %+v", result, calls)
	}
}

// When the commit cannot be read, the message still goes out and says why.
func TestAMessageGoesOutWithoutTheCommit(t *testing.T) {
	_, calls := run(t, event("CodePipeline Stage Execution State Change", map[string]any{"stage": "Deploy-staging", "state": "FAILED"}),
		map[string]any{"executionFails": true})
	published := only(t, calls, "publish")
	if len(published) != 1 || !strings.Contains(published[0].Message.Message, "Commit:    unknown (AccessDenied: denied)") {
		t.Errorf("published: %+v", published)
	}
}
