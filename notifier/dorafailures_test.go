package notifier

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// oneRelease is a sequence of e1, whose production deploy ended with status (the commit came
// at 08:00, the stage's event at 10:00), and the rollback r1; production's state is {}.
func oneRelease(status string, steps ...step) sequence {
	return sequence{
		Executions: map[string]map[string]any{"e1": standard(), "r1": rollback(true)},
		Actions:    map[string][]map[string]any{"e1": actions("2026-11-16T08:00:00Z", action(production, "BlueGreen", status, nil))},
		Parameters: map[string]string{statePath + "production": "{}"},
		Steps:      steps,
	}
}

var (
	e1Deployed = stageEvent("2026-11-16T10:00:00Z", production, "SUCCEEDED", "e1")
	e1Failed   = stageEvent("2026-11-16T10:00:00Z", production, "FAILED", "e1")
)

// failing is s, in which the named fake calls fail.
func failing(s step, calls ...string) step {
	s.Fail = calls
	return s
}

// withEnv is s, run with settings changed from doraEnv's.
func withEnv(s step, changes map[string]string) step {
	s.Env = map[string]string{}
	for k, v := range doraEnv {
		s.Env[k] = v
	}
	for k, v := range changes {
		if v == "" {
			delete(s.Env, k)
		} else {
			s.Env[k] = v
		}
	}
	return s
}

// stepView is what one step did, in the terms the tests compare.
type stepView struct {
	Error     string
	Metrics   []datum // the DORA metric data published
	Published int     // messages
	Logs      string
}

func views(t *testing.T, out played) []stepView {
	t.Helper()
	var vs []stepView
	for _, s := range out.Steps {
		v := stepView{Logs: strings.Join(s.Logs, "\n")}
		if e, ok := s.Result["error"].(string); ok {
			v.Error = e
		}
		for _, c := range s.Calls {
			switch c.Name {
			case "publish":
				v.Published++
			case "putMetrics":
				var m struct{ MetricData []datum }
				if err := json.Unmarshal(c.Args[0], &m); err != nil {
					t.Fatal(err)
				}
				for _, d := range m.MetricData {
					if _, ok := doraMetrics[d.MetricName]; ok {
						v.Metrics = append(v.Metrics, d)
					}
				}
			}
		}
		vs = append(vs, v)
	}
	return vs
}

var (
	deployData = []datum{count("DeploymentFrequency", 1), count("Deployments", 1), seconds("LeadTimeForChanges", 7200)}
	failData   = []datum{count("Deployments", 1), count("ChangeFailures", 1)}
)

// When AWS fails the notifier, the DORA measures stay right: a state that cannot be read or
// written fails the invocation without DORA data (the message still goes out), and a redrive
// of the event from the dead-letter queue then counts it once. A missing lead time leaves the
// lead time out, and only that.
func TestDORAWhenAWSFails(t *testing.T) {
	state := statePath + "production"
	for _, c := range []struct {
		name string
		seq  sequence
		want []stepView // Logs: a part of the log
	}{
		{
			name: "the state cannot be read", seq: oneRelease("Failed", failing(e1Failed, "readState"), e1Failed),
			want: []stepView{
				{Error: "notifier: GetParameter " + state + " failed: Throttling: injected (DORA data of this event left out)", Published: 1},
				{Metrics: failData, Published: 1},
			},
		},
		{
			name: "the state cannot be written", seq: oneRelease("Succeeded", failing(e1Deployed, "writeState"), e1Deployed),
			want: []stepView{
				{Error: "notifier: PutParameter " + state + " failed: Throttling: injected (DORA data of this event left out)"},
				{Metrics: deployData},
			},
		},
		{
			// A warning, not a problem: a redrive would find the deploy counted, and could not
			// add its lead time.
			name: "a deploy's action executions cannot be listed", seq: oneRelease("Succeeded", failing(e1Deployed, "listActionExecutions"), e1Deployed),
			want: []stepView{
				{Metrics: deployData[:2], Logs: "LeadTimeForChanges left out: ListActionExecutions failed: Throttling: injected"},
				{Logs: "deployed:e1 seen before"},
			},
		},
		{
			name: "a failed stage's action executions cannot be listed", seq: oneRelease("Failed", failing(e1Failed, "listActionExecutions"), e1Failed),
			want: []stepView{
				{Error: "notifier: DORA: ListActionExecutions failed: Throttling: injected, so whether the failed Deploy-production deployed is unknown", Published: 1},
				{Metrics: failData, Published: 1},
			},
		},
		{
			name: "the execution cannot be read", seq: oneRelease("Succeeded", failing(e1Deployed, "getExecution"), e1Deployed),
			want: []stepView{
				{Error: "notifier: DORA: execution e1 unreadable, so neither a release nor a rollback: Throttling: injected"},
				{Metrics: deployData},
			},
		},
		{
			// The state was written before PutMetricData failed: a redrive finds the outcome
			// seen, and its data stay lost (a blind spot the README names).
			name: "the metric data cannot be published", seq: oneRelease("Succeeded", failing(e1Deployed, "putMetrics"), e1Deployed),
			want: []stepView{
				{Error: "notifier: PutMetricData failed: Throttling: injected", Metrics: deployData},
				{Logs: "deployed:e1 seen before"},
			},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := play(t, c.seq)
			got := views(t, out)
			for i := range got {
				if c.want[i].Logs != "" && !strings.Contains(got[i].Logs, c.want[i].Logs) {
					t.Errorf("step %d logged %q; want %q", i+1, got[i].Logs, c.want[i].Logs)
				}
				got[i].Logs = c.want[i].Logs
			}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("steps (-want +got):\n%s", diff)
			}
		})
	}
}

// An outcome without a readable time cannot be placed among the others: the invocation fails
// without DORA data, and the message still goes out.
func TestDORANeedsTheEventTime(t *testing.T) {
	e := e1Failed
	e.Event = map[string]any{}
	for k, v := range e1Failed.Event {
		e.Event[k] = v
	}
	e.Event["time"] = "half past ten"
	want := stepView{Error: "notifier: DORA: a Deploy-production outcome without a readable event time", Published: 1}
	if diff := cmp.Diff(want, views(t, play(t, oneRelease("Failed", e)))[0], cmpopts.IgnoreFields(stepView{}, "Logs")); diff != "" {
		t.Errorf("step (-want +got):\n%s", diff)
	}
}

// A missing state parameter, and one that cannot be read, start the measures afresh; the
// unreadable one is logged and replaced.
func TestDORAStateStartsAfresh(t *testing.T) {
	for name, stored := range map[string]*string{"missing": nil, "{}": ptr("{}"), "not JSON": ptr("not json"), "a wrong shape": ptr(`{"seen":"e1"}`)} {
		t.Run(name, func(t *testing.T) {
			seq := oneRelease("Failed", e1Failed)
			delete(seq.Parameters, statePath+"production")
			if stored != nil {
				seq.Parameters[statePath+"production"] = *stored
			}
			out := play(t, seq)
			v := views(t, out)[0]
			if v.Error != "" {
				t.Errorf("error %q; want none", v.Error)
			}
			if diff := cmp.Diff(failData, v.Metrics); diff != "" {
				t.Errorf("metric data (-want +got):\n%s", diff)
			}
			unreadable := strings.Contains(v.Logs, "unreadable")
			if want := name == "not JSON" || name == "a wrong shape"; unreadable != want {
				t.Errorf("logged %q; want unreadable logged: %v", v.Logs, want)
			}
			var written doraState
			if err := json.Unmarshal([]byte(out.Parameters[statePath+"production"]), &written); err != nil {
				t.Fatalf("written state: %v", err)
			}
			want := doraState{FailingSince: ptr(ms("2026-11-16T10:00:00Z")), Seen: []string{"failed:e1"}}
			if diff := cmp.Diff(want, written); diff != "" {
				t.Errorf("written state (-want +got):\n%s", diff)
			}
		})
	}
}

// A failed stage is a failed deploy only when its deploy action finished; a stage stopped
// before (the signature check, the window, the marking) reached no environment.
func TestDORAFailedStages(t *testing.T) {
	for status, want := range map[string][]datum{
		"Succeeded": failData, "Failed": failData, "InProgress": nil, "Abandoned": nil, "": nil,
	} {
		t.Run("deploy action "+status, func(t *testing.T) {
			seq := oneRelease(status, e1Failed)
			if status == "" {
				seq.Actions["e1"] = actions("2026-11-16T08:00:00Z", action(production, "VerifySignature", "Failed", nil))
			}
			v := views(t, play(t, seq))[0]
			if diff := cmp.Diff(want, v.Metrics); diff != "" {
				t.Errorf("metric data (-want +got):\n%s", diff)
			}
			if want == nil && !strings.Contains(v.Logs, "no DORA outcome") {
				t.Errorf("logged %q; want it to say there is no DORA outcome", v.Logs)
			}
		})
	}
	// A retried stage runs its deploy action again: the newest run decides.
	seq := oneRelease("Failed", e1Failed)
	retry := action(production, "BlueGreen", "Abandoned", nil)
	retry["startTime"] = "2026-11-16T09:00:00Z"
	seq.Actions["e1"] = append(seq.Actions["e1"], retry)
	if v := views(t, play(t, seq))[0]; v.Metrics != nil {
		t.Errorf("a retry that never deployed counted: %+v", v.Metrics)
	}
}

// The lead time needs the build's COMMIT_TIME in ISO 8601 with a zone; without one, the deploy
// counts and the lead time is left out, logged.
func TestDORALeadTimeNeedsACommitTime(t *testing.T) {
	for _, commit := range []string{"", "yesterday", "11/16/2026 08:00", "2026-11-16 08:00:00", "2026-11-16T08:00:00"} {
		t.Run(commit, func(t *testing.T) {
			seq := oneRelease("Succeeded", e1Deployed)
			seq.Actions["e1"] = actions(commit, action(production, "BlueGreen", "Succeeded", nil))
			if commit == "" {
				delete(seq.Actions["e1"][1]["output"].(map[string]any)["outputVariables"].(map[string]string), "COMMIT_TIME")
			}
			v := views(t, play(t, seq))[0]
			if diff := cmp.Diff(deployData[:2], v.Metrics); diff != "" {
				t.Errorf("metric data (-want +got):\n%s", diff)
			}
			if !strings.Contains(v.Logs, "LeadTimeForChanges left out: COMMIT_TIME of Build/Image") {
				t.Errorf("logged %q; want the lead time left out", v.Logs)
			}
		})
	}
}

// The DORA settings: off without DORA_STATE_PREFIX (no new calls), a bad value fails every
// invocation, and the window and the build's stage and action are taken as given.
func TestDORASettings(t *testing.T) {
	off := oneRelease("Failed", withEnv(e1Deployed, map[string]string{"DORA_STATE_PREFIX": ""}), withEnv(e1Failed, map[string]string{"DORA_STATE_PREFIX": ""}))
	out := play(t, off)
	if calls := out.Steps[0].Calls; len(calls) != 0 {
		t.Errorf("DORA off: a succeeded stage made calls %+v; want none, as before", calls)
	}
	var names []string
	for _, c := range out.Steps[1].Calls {
		names = append(names, c.Name)
	}
	if diff := cmp.Diff([]string{"getExecution", "publish"}, names); diff != "" {
		t.Errorf("DORA off: a failed stage's calls (-want +got):\n%s", diff)
	}

	for value, want := range map[string]string{
		"CHANGE_FAILURE_WINDOW_HOURS=abc":               `notifier: CHANGE_FAILURE_WINDOW_HOURS "abc" is no number of hours above 0`,
		"CHANGE_FAILURE_WINDOW_HOURS=24h":               `notifier: CHANGE_FAILURE_WINDOW_HOURS "24h" is no number of hours above 0`,
		"CHANGE_FAILURE_WINDOW_HOURS=0":                 `notifier: CHANGE_FAILURE_WINDOW_HOURS "0" is no number of hours above 0`,
		"CHANGE_FAILURE_WINDOW_HOURS=-1":                `notifier: CHANGE_FAILURE_WINDOW_HOURS "-1" is no number of hours above 0`,
		"CHANGE_FAILURE_WINDOW_HOURS=Infinity":          `notifier: CHANGE_FAILURE_WINDOW_HOURS "Infinity" is no number of hours above 0`,
		`DEPLOY_ACTIONS=BlueGreen`:                      "notifier: DEPLOY_ACTIONS is no JSON object of stage names and action names",
		`DEPLOY_ACTIONS=["BlueGreen"]`:                  "notifier: DEPLOY_ACTIONS is no JSON object of stage names and action names",
		`DEPLOY_ACTIONS={"Deploy-staging":"BlueGreen"}`: "notifier: DEPLOY_ACTIONS names no deploy action of Deploy-production",
	} {
		t.Run(value, func(t *testing.T) {
			k, v, _ := strings.Cut(value, "=")
			out := play(t, oneRelease("Succeeded", withEnv(e1Deployed, map[string]string{k: v})))
			if got := views(t, out)[0]; got.Error != want || len(out.Steps[0].Calls) != 0 {
				t.Errorf("error %q and calls %+v; want the error %q and no calls", got.Error, out.Steps[0].Calls, want)
			}
		})
	}

	// A 48-hour window charges e1 with e2's failure 27 hours later (a second ChangeFailures
	// datum, at e1's time); the default does not.
	for hours, want := range map[string][]datum{
		"":   {count("Deployments", 1), count("ChangeFailures", 1)},
		"48": {count("Deployments", 1), count("ChangeFailures", 1), count("ChangeFailures", 1)},
	} {
		seq := oneRelease("Succeeded", withEnv(e1Deployed, map[string]string{"CHANGE_FAILURE_WINDOW_HOURS": hours}),
			withEnv(stageEvent("2026-11-17T13:00:00Z", production, "FAILED", "e2"), map[string]string{"CHANGE_FAILURE_WINDOW_HOURS": hours}))
		seq.Executions["e2"] = standard()
		seq.Actions["e2"] = actions("2026-11-17T12:00:00Z", action(production, "BlueGreen", "Failed", nil))
		got := views(t, play(t, seq))[1].Metrics
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("window %q hours: metric data (-want +got):\n%s", hours, diff)
		}
	}

	// The build's stage and action are settings.
	seq := oneRelease("Succeeded", withEnv(e1Deployed, map[string]string{"BUILD_STAGE": "Compile", "BUILD_ACTION": "Docker"}))
	seq.Actions["e1"] = []map[string]any{action("Compile", "Docker", "Succeeded", map[string]string{"COMMIT_TIME": "2026-11-16T09:00:00Z"})}
	if diff := cmp.Diff([]datum{count("DeploymentFrequency", 1), count("Deployments", 1), seconds("LeadTimeForChanges", 3600)},
		views(t, play(t, seq))[0].Metrics); diff != "" {
		t.Errorf("build in Compile/Docker: metric data (-want +got):\n%s", diff)
	}
}

// sdkHarness runs the new AWS calls of awsCalls() on fake SDK modules and prints the commands
// sent and what the calls returned: the function's own SDK is not installed here.
const sdkHarness = `
const n = require(process.argv[2]);
const sent = [];
class Command { constructor(input) { this.input = input; } }
class ListActionExecutionsCommand extends Command {}
class GetParameterCommand extends Command {}
class PutParameterCommand extends Command {}
const stored = new Map();
const pages = {'': {actionExecutionDetails: [{actionName: 'Image'}], nextToken: 'page2'}, page2: {actionExecutionDetails: [{actionName: 'BlueGreen'}]}};
class Client {
  async send(c) {
    sent.push({command: c.constructor.name, input: c.input});
    if (c instanceof ListActionExecutionsCommand) return pages[c.input.nextToken || ''];
    if (c instanceof PutParameterCommand) { stored.set(c.input.Name, c.input.Value); return {}; }
    if (c.input.Name === 'denied') throw Object.assign(new Error('no'), {name: 'AccessDeniedException'});
    if (!stored.has(c.input.Name)) throw Object.assign(new Error('not found'), {name: 'ParameterNotFound'});
    return {Parameter: {Name: c.input.Name, Type: 'String', Value: stored.get(c.input.Name)}};
  }
}
const aws = n.awsCalls({
  codepipeline: {CodePipelineClient: Client, ListActionExecutionsCommand},
  cloudwatch: {CloudWatchClient: Client}, sns: {SNSClient: Client},
  ssm: {SSMClient: Client, GetParameterCommand, PutParameterCommand},
});
(async () => {
  const out = {};
  out.actions = (await aws.listActionExecutions('orders-api-dev', 'e1')).map((a) => a.actionName);
  out.missing = await aws.readState('/dora/staging');
  await aws.writeState('/dora/staging', '{"seen":[]}');
  out.written = await aws.readState('/dora/staging');
  out.denied = await aws.readState('denied').then(() => 'read', (e) => e.name);
  out.sent = sent;
  process.stdout.write(JSON.stringify(out));
})();
`

// The new AWS calls send what the SDK v3 expects: ListActionExecutions filtered by the
// execution, all pages; GetParameter, with a missing parameter read as null (a fresh state)
// and any other error thrown; PutParameter, overwriting a String.
func TestDORACallsTheSDK(t *testing.T) {
	var got struct {
		Actions []string
		Missing *string
		Written *string
		Denied  string
		Sent    []struct {
			Command string
			Input   map[string]any
		}
	}
	runNode(t, sdkHarness, struct{}{}, &got)
	if diff := cmp.Diff([]string{"Image", "BlueGreen"}, got.Actions); diff != "" {
		t.Errorf("action executions (-want +got):\n%s", diff)
	}
	if got.Missing != nil {
		t.Errorf("a missing parameter read as %q; want null", *got.Missing)
	}
	if got.Written == nil || *got.Written != `{"seen":[]}` {
		t.Errorf("read back %v; want what was written", got.Written)
	}
	if got.Denied != "AccessDeniedException" {
		t.Errorf("a denied read gave %q; want AccessDeniedException thrown", got.Denied)
	}
	filter := map[string]any{"pipelineExecutionId": "e1"}
	want := []struct {
		Command string
		Input   map[string]any
	}{
		{"ListActionExecutionsCommand", map[string]any{"pipelineName": "orders-api-dev", "filter": filter, "maxResults": 100.0}},
		{"ListActionExecutionsCommand", map[string]any{"pipelineName": "orders-api-dev", "filter": filter, "maxResults": 100.0, "nextToken": "page2"}},
		{"GetParameterCommand", map[string]any{"Name": "/dora/staging"}},
		{"PutParameterCommand", map[string]any{"Name": "/dora/staging", "Value": `{"seen":[]}`, "Type": "String", "Overwrite": true}},
		{"GetParameterCommand", map[string]any{"Name": "/dora/staging"}},
		{"GetParameterCommand", map[string]any{"Name": "denied"}},
	}
	if diff := cmp.Diff(want, got.Sent); diff != "" {
		t.Errorf("commands sent (-want +got):\n%s", diff)
	}
}

// A deploy charged with a failure is counted at its own time, but never older than CloudWatch
// takes (two weeks) relative to the event: a 30-day window's charge 20 days later lands in the
// failure's week instead.
func TestDORAChargesOlderThanCloudWatchTakes(t *testing.T) {
	window := map[string]string{"CHANGE_FAILURE_WINDOW_HOURS": "720"}
	seq := oneRelease("Succeeded", withEnv(e1Deployed, window), withEnv(stageEvent("2026-12-06T10:00:00Z", production, "FAILED", "e2"), window))
	seq.Executions["e2"] = standard()
	seq.Actions["e2"] = actions("2026-12-06T09:00:00Z", action(production, "BlueGreen", "Failed", nil))
	out := play(t, seq)
	var stamps []string
	for _, c := range out.Steps[1].Calls {
		if c.Name != "putMetrics" {
			continue
		}
		var m struct {
			MetricData []struct {
				MetricName string
				Timestamp  string
			}
		}
		if err := json.Unmarshal(c.Args[0], &m); err != nil {
			t.Fatal(err)
		}
		for _, d := range m.MetricData {
			stamps = append(stamps, d.MetricName+" "+d.Timestamp)
		}
	}
	want := []string{"Deployments 2026-12-06T10:00:00.000Z", "ChangeFailures 2026-12-06T10:00:00.000Z",
		"ChangeFailures 2026-11-22T11:00:00.000Z"} // 14 days less an hour before the event
	if diff := cmp.Diff(want, stamps); diff != "" {
		t.Errorf("the failure's data (-want +got):\n%s", diff)
	}
}
