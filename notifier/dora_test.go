package notifier

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// runNode runs a JS harness with node: the harness gets notify.js's path as its argument and
// input as JSON on stdin, and writes JSON, which is decoded into out.
func runNode(t *testing.T, harness string, input, out any) {
	t.Helper()
	node := os.Getenv("JSII_NODE")
	if node == "" {
		node = "node"
	}
	path := filepath.Join(t.TempDir(), "harness.js")
	if err := os.WriteFile(path, []byte(harness), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _ := filepath.Abs("notify.js")
	data, err := json.Marshal(input)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, path, code)
	cmd.Stdin = bytes.NewReader(data)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s%s", err, stdout, stderr.Bytes())
	}
	if err := json.Unmarshal(stdout, out); err != nil {
		t.Fatalf("%v: %s", err, stdout)
	}
}

// ms is a time in milliseconds since the epoch, as the notifier keeps times.
func ms(t string) int64 {
	v, err := time.Parse(time.RFC3339Nano, t)
	if err != nil {
		panic(err)
	}
	return v.UnixMilli()
}

func ptr[T any](v T) *T { return &v }

// The state of one environment, as doraStep keeps it.
type doraState struct {
	LastSuccess    *lastSuccess `json:"lastSuccess"`
	FailingSince   *int64       `json:"failingSince"`
	RestoredAt     *int64       `json:"restoredAt"`
	AutoRollbackAt *int64       `json:"autoRollbackAt"`
	Seen           []string     `json:"seen"`
}

type lastSuccess struct {
	At        int64  `json:"at"`
	Execution string `json:"execution"`
	Counted   bool   `json:"counted"`
}

type outcome struct {
	Kind       string `json:"kind"`
	At         int64  `json:"at"`
	Execution  string `json:"execution"`
	CommitTime *int64 `json:"commitTime"`
	Automatic  bool   `json:"automatic,omitempty"`
}

// datum is a metric datum without its dimensions; At is set when it belongs to another time
// than the outcome's (a charged deploy's failure, a late restore).
type datum struct {
	MetricName string
	Value      float64
	Unit       string
	At         *int64 `json:"at"`
}

func count(name string, v float64) datum   { return datum{name, v, "Count", nil} }
func seconds(name string, v float64) datum { return datum{name, v, "Seconds", nil} }

// at dates a datum to another time than the outcome's.
func (d datum) at(t string) datum { d.At = ptr(ms(t)); return d }

func deployed(at, execution, commit string) outcome {
	o := outcome{Kind: "deployed", At: ms(at), Execution: execution}
	if commit != "" {
		o.CommitTime = ptr(ms(commit))
	}
	return o
}

func failed(at, execution string) outcome {
	return outcome{Kind: "failed", At: ms(at), Execution: execution}
}

func rolledBack(at, execution string, automatic bool) outcome {
	return outcome{Kind: "rolledBack", At: ms(at), Execution: execution, Automatic: automatic}
}

// stepHarness runs doraStep over each case's outcomes in turn, from the case's state, and says
// whether a call changed the state it was given (doraStep is to be pure).
const stepHarness = `
const n = require(process.argv[2]);
const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));
process.stdout.write(JSON.stringify(cases.map((c) => {
  let state = c.state;
  return c.outcomes.map((o) => {
    const before = JSON.stringify(state);
    const r = n.doraStep(state, o, c.windowMs);
    const mutated = JSON.stringify(state) !== before;
    state = r.state;
    return Object.assign(r, {mutated});
  });
})));
`

type stepResult struct {
	State   doraState
	Metrics []datum
	Notes   []string
	Mutated bool
}

const (
	t0     = "2026-11-16T10:00:00Z"
	window = 24 * 3600 * 1000 // CHANGE_FAILURE_WINDOW_HOURS' default, in milliseconds
)

// deployedAtT0 is the state after e1 went out at t0.
func deployedAtT0(counted bool) doraState {
	return doraState{LastSuccess: &lastSuccess{ms(t0), "e1", counted}, RestoredAt: ptr(ms(t0)), Seen: []string{"deployed:e1"}}
}

// stepCase is outcomes fed to doraStep in turn, from a state.
type stepCase struct {
	name     string
	state    any // as stored: nil, a doraState, or JSON of an unreadable one
	outcomes []outcome
	want     [][]datum  // per outcome
	final    *doraState // the state after the last outcome, when checked
	note     string     // a note doraStep should give
}

// doraStep does the arithmetic of the measures: each kind of outcome, the window's edges,
// streaks of failures, rollbacks, duplicates and unreadable states.
func TestDORAStep(t *testing.T) {
	fiftyKeys := make([]string, 50)
	for i := range fiftyKeys {
		fiftyKeys[i] = fmt.Sprintf("deployed:old%d", i)
	}
	restoredAt := func(at string, seen ...string) *doraState { return &doraState{RestoredAt: ptr(ms(at)), Seen: seen} }
	cases := []stepCase{
		{
			name: "a deploy", state: nil,
			outcomes: []outcome{deployed(t0, "e1", "2026-11-16T09:00:00Z")},
			want:     [][]datum{{count("DeploymentFrequency", 1), count("Deployments", 1), seconds("LeadTimeForChanges", 3600)}},
			final:    ptr(deployedAtT0(false)),
		},
		{
			name: "a deploy without a commit time", state: json.RawMessage(`{}`),
			outcomes: []outcome{deployed(t0, "e1", "")},
			want:     [][]datum{{count("DeploymentFrequency", 1), count("Deployments", 1)}},
			final:    ptr(deployedAtT0(false)),
		},
		{
			name: "a deploy of a commit from the future", state: nil,
			outcomes: []outcome{deployed(t0, "e1", "2026-11-16T10:01:00Z")},
			want:     [][]datum{{count("DeploymentFrequency", 1), count("Deployments", 1)}},
			note:     "LeadTimeForChanges left out: it would end 60 s before it began",
		},
		{
			name: "a failed deploy", state: nil,
			outcomes: []outcome{failed(t0, "e1")},
			want:     [][]datum{{count("Deployments", 1), count("ChangeFailures", 1)}},
			final:    &doraState{FailingSince: ptr(ms(t0)), Seen: []string{"failed:e1"}},
		},
		{
			name: "a failure exactly at the window's end charges the deploy before", state: deployedAtT0(false),
			outcomes: []outcome{failed("2026-11-17T10:00:00Z", "e2")},
			want:     [][]datum{{count("Deployments", 1), count("ChangeFailures", 1), count("ChangeFailures", 1).at(t0)}},
			final: &doraState{LastSuccess: &lastSuccess{ms(t0), "e1", true}, FailingSince: ptr(ms("2026-11-17T10:00:00Z")),
				RestoredAt: ptr(ms(t0)), Seen: []string{"deployed:e1", "failed:e2"}},
		},
		{
			name: "a failure just past the window charges only itself", state: deployedAtT0(false),
			outcomes: []outcome{failed("2026-11-17T10:00:00.001Z", "e2")},
			want:     [][]datum{{count("Deployments", 1), count("ChangeFailures", 1)}},
			final: &doraState{LastSuccess: &lastSuccess{ms(t0), "e1", false}, FailingSince: ptr(ms("2026-11-17T10:00:00.001Z")),
				RestoredAt: ptr(ms(t0)), Seen: []string{"deployed:e1", "failed:e2"}},
		},
		{
			name: "a deploy is charged once", state: deployedAtT0(true),
			outcomes: []outcome{failed("2026-11-16T11:00:00Z", "e2")},
			want:     [][]datum{{count("Deployments", 1), count("ChangeFailures", 1)}},
		},
		{
			name: "two failures then a deploy: restored from the first", state: deployedAtT0(false),
			outcomes: []outcome{
				failed("2026-11-16T11:00:00Z", "e2"), failed("2026-11-16T12:00:00Z", "e3"),
				deployed("2026-11-16T15:00:00Z", "e4", "2026-11-16T14:00:00Z"),
			},
			want: [][]datum{
				{count("Deployments", 1), count("ChangeFailures", 1), count("ChangeFailures", 1).at(t0)},
				{count("Deployments", 1), count("ChangeFailures", 1)},
				{count("DeploymentFrequency", 1), count("Deployments", 1), seconds("LeadTimeForChanges", 3600), seconds("TimeToRestore", 4*3600)},
			},
			final: &doraState{LastSuccess: &lastSuccess{ms("2026-11-16T15:00:00Z"), "e4", false},
				RestoredAt: ptr(ms("2026-11-16T15:00:00Z")), Seen: []string{"deployed:e1", "failed:e2", "failed:e3", "deployed:e4"}},
		},
		{
			name: "a failed deploy rolled back by the stage: restored from the failure", state: deployedAtT0(false),
			outcomes: []outcome{failed("2026-11-16T12:00:00Z", "e2"), rolledBack("2026-11-16T12:20:00Z", "r1", true)},
			want: [][]datum{
				{count("Deployments", 1), count("ChangeFailures", 1), count("ChangeFailures", 1).at(t0)},
				{seconds("TimeToRestore", 1200)},
			},
			final: restoredAt("2026-11-16T12:20:00Z", "deployed:e1", "failed:e2", "rolledBack:r1"),
		},
		{
			name: "a person rolls a deploy back within the window", state: deployedAtT0(false),
			outcomes: []outcome{rolledBack("2026-11-16T13:00:00Z", "r1", false)},
			want:     [][]datum{{count("ChangeFailures", 1).at(t0), seconds("TimeToRestore", 3*3600)}},
			final:    restoredAt("2026-11-16T13:00:00Z", "deployed:e1", "rolledBack:r1"),
		},
		{
			// Rolling back says the deploy failed, whenever a person does it.
			name: "a person rolls a deploy back after the window", state: deployedAtT0(false),
			outcomes: []outcome{rolledBack("2026-11-18T10:00:00Z", "r1", false)},
			want:     [][]datum{{count("ChangeFailures", 1).at(t0), seconds("TimeToRestore", 48*3600)}},
			final:    restoredAt("2026-11-18T10:00:00Z", "deployed:e1", "rolledBack:r1"),
		},
		{
			name: "an automatic rollback after a failure that reached no environment", state: deployedAtT0(false),
			outcomes: []outcome{rolledBack("2026-11-16T11:00:00Z", "r1", true)},
			want:     [][]datum{nil},
			final: &doraState{LastSuccess: &lastSuccess{ms(t0), "e1", false}, RestoredAt: ptr(ms(t0)),
				AutoRollbackAt: ptr(ms("2026-11-16T11:00:00Z")), Seen: []string{"deployed:e1", "rolledBack:r1"}},
			note: "no failure on record",
		},
		{
			name: "a rollback with no deploy known", state: nil,
			outcomes: []outcome{rolledBack(t0, "r1", false)},
			want:     [][]datum{nil},
			final:    restoredAt(t0, "rolledBack:r1"),
		},
		{
			// The failure's event failed to be handled and was redriven after the stage's
			// automatic rollback: that rollback restored the environment.
			name: "a redriven failure after its automatic rollback", state: deployedAtT0(false),
			outcomes: []outcome{
				rolledBack("2026-11-16T13:00:00Z", "r1", true), failed("2026-11-16T12:00:00Z", "e2"),
				deployed("2026-11-20T14:00:00Z", "e3", ""),
			},
			want: [][]datum{
				nil,
				{count("Deployments", 1), count("ChangeFailures", 1), count("ChangeFailures", 1).at(t0),
					seconds("TimeToRestore", 3600).at("2026-11-16T13:00:00Z")},
				{count("DeploymentFrequency", 1), count("Deployments", 1)},
			},
			final: &doraState{LastSuccess: &lastSuccess{ms("2026-11-20T14:00:00Z"), "e3", false}, RestoredAt: ptr(ms("2026-11-20T14:00:00Z")),
				Seen: []string{"deployed:e1", "rolledBack:r1", "failed:e2", "deployed:e3"}},
		},
		{
			name: "a late deploy ends no newer failure", state: deployedAtT0(false),
			outcomes: []outcome{failed("2026-11-16T12:00:00Z", "e3"), deployed("2026-11-16T11:00:00Z", "e2", "")},
			want: [][]datum{
				{count("Deployments", 1), count("ChangeFailures", 1), count("ChangeFailures", 1).at(t0)},
				{count("DeploymentFrequency", 1), count("Deployments", 1)},
			},
			final: &doraState{LastSuccess: &lastSuccess{ms("2026-11-16T11:00:00Z"), "e2", false}, FailingSince: ptr(ms("2026-11-16T12:00:00Z")),
				RestoredAt: ptr(ms(t0)), Seen: []string{"deployed:e1", "failed:e3", "deployed:e2"}},
		},
		{
			name: "a late failure older than the last restore", state: deployedAtT0(false),
			outcomes: []outcome{
				failed("2026-11-16T12:00:00Z", "e2"), deployed("2026-11-16T14:00:00Z", "e3", ""), failed("2026-11-16T11:00:00Z", "e1b"),
			},
			want: [][]datum{
				{count("Deployments", 1), count("ChangeFailures", 1), count("ChangeFailures", 1).at(t0)},
				{count("DeploymentFrequency", 1), count("Deployments", 1), seconds("TimeToRestore", 7200)},
				{count("Deployments", 1), count("ChangeFailures", 1)},
			},
			final: &doraState{LastSuccess: &lastSuccess{ms("2026-11-16T14:00:00Z"), "e3", false}, RestoredAt: ptr(ms("2026-11-16T14:00:00Z")),
				Seen: []string{"deployed:e1", "failed:e2", "deployed:e3", "failed:e1b"}},
			note: "older than the last restore",
		},
		{
			name: "a failure after a rollback is not charged to the rolled-back deploy", state: deployedAtT0(false),
			outcomes: []outcome{rolledBack("2026-11-16T11:00:00Z", "r1", false), failed("2026-11-16T12:00:00Z", "e2")},
			want: [][]datum{
				{count("ChangeFailures", 1).at(t0), seconds("TimeToRestore", 3600)},
				{count("Deployments", 1), count("ChangeFailures", 1)},
			},
		},
		{
			name: "an outcome delivered twice counts once", state: nil,
			outcomes: []outcome{
				deployed(t0, "e1", ""), deployed(t0, "e1", ""),
				failed("2026-11-16T11:00:00Z", "e2"), failed("2026-11-16T11:00:00Z", "e2"),
			},
			want: [][]datum{
				{count("DeploymentFrequency", 1), count("Deployments", 1)}, nil,
				{count("Deployments", 1), count("ChangeFailures", 1), count("ChangeFailures", 1).at(t0)}, nil,
			},
			final: &doraState{LastSuccess: &lastSuccess{ms(t0), "e1", true}, FailingSince: ptr(ms("2026-11-16T11:00:00Z")),
				RestoredAt: ptr(ms(t0)), Seen: []string{"deployed:e1", "failed:e2"}},
			note: "failed:e2 seen before",
		},
		{
			name: "the 50 newest outcomes are remembered", state: doraState{Seen: fiftyKeys},
			outcomes: []outcome{deployed(t0, "e1", "")},
			want:     [][]datum{{count("DeploymentFrequency", 1), count("Deployments", 1)}},
			final:    &doraState{LastSuccess: &lastSuccess{ms(t0), "e1", false}, RestoredAt: ptr(ms(t0)), Seen: append(fiftyKeys[1:], "deployed:e1")},
		},
	}
	for _, unreadable := range []string{`"garbage"`, `[]`, `{"lastSuccess":"yesterday"}`, `{"seen":"deployed:e1"}`,
		`{"failingSince":"2026-11-16T10:00:00Z"}`, `{"lastSuccess":{"at":1,"execution":"e0"}}`} {
		cases = append(cases, stepCase{
			name: "an unreadable state " + unreadable + " starts afresh", state: json.RawMessage(unreadable),
			outcomes: []outcome{failed(t0, "e1")},
			want:     [][]datum{{count("Deployments", 1), count("ChangeFailures", 1)}},
			final:    &doraState{FailingSince: ptr(ms(t0)), Seen: []string{"failed:e1"}},
			note:     "DORA state unreadable",
		})
	}

	type input struct {
		State    any       `json:"state"`
		Outcomes []outcome `json:"outcomes"`
		WindowMs int64     `json:"windowMs"`
	}
	inputs := make([]input, len(cases))
	for i, c := range cases {
		inputs[i] = input{c.state, c.outcomes, window}
	}
	var results [][]stepResult
	runNode(t, stepHarness, inputs, &results)
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := results[i]
			var metrics [][]datum
			var notes []string
			for _, r := range got {
				metrics = append(metrics, r.Metrics)
				notes = append(notes, r.Notes...)
				if r.Mutated {
					t.Errorf("doraStep changed the state it was given")
				}
			}
			if diff := cmp.Diff(c.want, metrics, cmp.Transformer("nil", func(d []datum) []datum {
				if len(d) == 0 {
					return nil
				}
				return d
			})); diff != "" {
				t.Errorf("metric data per outcome (-want +got):\n%s", diff)
			}
			if c.final != nil {
				if diff := cmp.Diff(*c.final, got[len(got)-1].State); diff != "" {
					t.Errorf("final state (-want +got):\n%s", diff)
				}
			}
			if c.note != "" && !strings.Contains(strings.Join(notes, "\n"), c.note) {
				t.Errorf("notes %q; want one with %q", notes, c.note)
			}
		})
	}
}
