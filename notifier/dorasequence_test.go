package notifier

import (
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// sequenceHarness feeds events through handle() one after the other, in one process, with fake
// AWS calls whose pipeline executions, action executions and SSM parameters persist across the
// events; a step may make some of the calls fail. It prints each step's result, calls and logs,
// the parameters at the end, and the metric data CloudWatch would not take as a measurement.
const sequenceHarness = `
const n = require(process.argv[2]);
const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const parameters = Object.assign({}, input.parameters);
const invalid = [];
let calls, logs, fail;
console.log = console.info = console.warn = console.error = (...a) => logs.push(a.join(' '));
const call = (name, args) => {
  calls.push({name, args});
  if (fail.includes(name)) throw Object.assign(new Error('injected'), {name: 'Throttling'});
};
const aws = {
  getExecution: async (p, id) => { call('getExecution', [p, id]); return input.executions[id]; },
  executionStart: async (p, id) => { call('executionStart', [p, id]); return null; },
  listActionExecutions: async (p, id) => { call('listActionExecutions', [p, id]); return input.actions[id] || []; },
  readState: async (name) => { call('readState', [name]); return name in parameters ? parameters[name] : null; },
  writeState: async (name, value) => { call('writeState', [name, value]); parameters[name] = value; },
  putMetrics: async (m) => {
    for (const d of m.MetricData) {
      if (!Number.isFinite(d.Value) || d.Value < 0) invalid.push(d.MetricName + ' = ' + d.Value);
      if (!(d.Timestamp instanceof Date && Number.isFinite(d.Timestamp.getTime()))) invalid.push(d.MetricName + ' at ' + d.Timestamp);
    }
    call('putMetrics', [m]);
  },
  publish: async (m) => { call('publish', [m]); },
};
(async () => {
  const steps = [];
  for (const step of input.steps) {
    calls = []; logs = []; fail = step.fail || [];
    let result;
    try {
      result = await n.handle(step.event, aws, n.settings(step.env || input.env));
    } catch (e) {
      result = {error: e.message};
    }
    steps.push({result, calls, logs});
  }
  process.stdout.write(JSON.stringify({steps, parameters, invalid}));
})();
`

const (
	staging    = "Deploy-staging"
	production = "Deploy-production"
	statePath  = "/ecsdelivery/orders-api-dev/dora/"
)

// doraEnv is the notifier's settings with DORA on.
var doraEnv = settings(map[string]string{
	"DORA_STATE_PREFIX": statePath,
	"DEPLOY_ACTIONS":    `{"Deploy-staging":"BlueGreen","Deploy-production":"BlueGreen"}`,
})

type sequence struct {
	Env        map[string]string           `json:"env"`
	Executions map[string]map[string]any   `json:"executions"`
	Actions    map[string][]map[string]any `json:"actions"`
	Parameters map[string]string           `json:"parameters"`
	Steps      []step                      `json:"steps"`
}

type step struct {
	Event map[string]any    `json:"event"`
	Fail  []string          `json:"fail,omitempty"` // the fake calls that fail in this step
	Env   map[string]string `json:"env,omitempty"`  // settings of this step, if not the sequence's
}

type played struct {
	Steps []struct {
		Result map[string]any
		Calls  []struct {
			Name string
			Args []json.RawMessage
		}
		Logs []string
	}
	Parameters map[string]string
	Invalid    []string
}

// play runs a sequence and fails the test if a metric datum was no measurement.
func play(t *testing.T, seq sequence) played {
	t.Helper()
	if seq.Env == nil {
		seq.Env = doraEnv
	}
	var out played
	runNode(t, sequenceHarness, seq, &out)
	if len(out.Invalid) != 0 {
		t.Errorf("published metric data that are no measurement: %v", out.Invalid)
	}
	return out
}

// stageEvent is a deploy stage's state change in an execution.
func stageEvent(at, stage, state, execution string) step {
	return step{Event: map[string]any{
		"detail-type": "CodePipeline Stage Execution State Change", "source": "aws.codepipeline", "time": at,
		"detail": map[string]any{"pipeline": "orders-api-dev", "execution-id": execution, "stage": stage, "state": state},
	}}
}

// standard is a normal execution; rollback a stage's rollback, by CodePipeline or by a person.
func standard() map[string]any {
	return map[string]any{"executionType": "STANDARD", "artifactRevisions": execution["artifactRevisions"]}
}

func rollback(automatic bool) map[string]any {
	trigger := "ManualRollback"
	if automatic {
		trigger = "AutomatedRollback"
	}
	return map[string]any{"executionType": "ROLLBACK", "trigger": map[string]any{"triggerType": trigger}}
}

func action(stage, name, status string, variables map[string]string) map[string]any {
	a := map[string]any{
		"stageName": stage, "actionName": name, "status": status,
		"startTime": "2026-11-16T00:00:00Z", "lastUpdateTime": "2026-11-16T00:05:00Z",
	}
	if variables != nil {
		a["output"] = map[string]any{"outputVariables": variables}
	}
	return a
}

// actions are an execution's action executions: a build that exported commitTime, a staging
// deploy that succeeded, and production's actions as given.
func actions(commitTime string, productionActions ...map[string]any) []map[string]any {
	return append([]map[string]any{
		action("Source", "Source", "Succeeded", map[string]string{"CommitId": "0123456789abcdef"}),
		action("Build", "Image", "Succeeded", map[string]string{"BUILD_ID": "orders-api-dev-build:1", "COMMIT_TIME": commitTime}),
		action(staging, "MarkDeployed", "Succeeded", nil),
		action(staging, "BlueGreen", "Succeeded", nil),
	}, productionActions...)
}

// point is a DORA datum as CloudWatch keeps it.
type point struct {
	metric, environment string
	at                  time.Time
	value               float64
}

// doraMetrics are the names and units of the DORA metrics.
var doraMetrics = map[string]string{
	"DeploymentFrequency": "Count", "Deployments": "Count", "ChangeFailures": "Count",
	"LeadTimeForChanges": "Seconds", "TimeToRestore": "Seconds",
}

// pointsOf are the DORA data a sequence published, checked as CloudWatch would take them: the
// namespace, the Pipeline and Environment dimensions, each metric's unit, and the time of the
// event that made them, or for a deploy charged with a later failure (backDated, by step
// number) the time of that deploy.
func pointsOf(t *testing.T, seq sequence, out played, backDated map[int]string) []point {
	t.Helper()
	var points []point
	for i, s := range out.Steps {
		for _, c := range s.Calls {
			if c.Name != "putMetrics" {
				continue
			}
			var m struct {
				Namespace  string
				MetricData []struct {
					MetricName string
					Value      float64
					Unit       string
					Timestamp  time.Time
					Dimensions []struct{ Name, Value string }
				}
			}
			if err := json.Unmarshal(c.Args[0], &m); err != nil {
				t.Fatal(err)
			}
			if m.Namespace != "ecsdelivery" {
				t.Errorf("step %d: namespace %q; want ecsdelivery", i+1, m.Namespace)
			}
			eventTime, _ := time.Parse(time.RFC3339, seq.Steps[i].Event["time"].(string))
			for _, d := range m.MetricData {
				unit, ok := doraMetrics[d.MetricName]
				if !ok {
					continue
				}
				if d.Unit != unit {
					t.Errorf("step %d: %s in %s; want %s", i+1, d.MetricName, d.Unit, unit)
				}
				if charged, ok := backDated[i+1]; ok && d.MetricName == "ChangeFailures" && !d.Timestamp.Equal(eventTime) {
					if want, _ := time.Parse(time.RFC3339, charged); !d.Timestamp.Equal(want) {
						t.Errorf("step %d: the charged deploy's ChangeFailures at %v; want its deploy's time %v", i+1, d.Timestamp, want)
					}
				} else if !d.Timestamp.Equal(eventTime) {
					t.Errorf("step %d: %s at %v; want the event's time %v", i+1, d.MetricName, d.Timestamp, eventTime)
				}
				dims := map[string]string{}
				for _, dim := range d.Dimensions {
					dims[dim.Name] = dim.Value
				}
				if len(dims) != 2 || dims["Pipeline"] != "orders-api-dev" || dims["Environment"] == "" {
					t.Errorf("step %d: %s dimensions %v; want Pipeline orders-api-dev and Environment", i+1, d.MetricName, d.Dimensions)
				}
				points = append(points, point{d.MetricName, dims["Environment"], d.Timestamp, d.Value})
			}
		}
	}
	return points
}

// day and week are CloudWatch periods of a day and of a week (from Monday, UTC).
func day(at time.Time) string { return at.UTC().Format("2006-01-02") }

func week(at time.Time) string {
	at = at.UTC()
	return at.AddDate(0, 0, -(int(at.Weekday())+6)%7).Format("2006-01-02")
}

// sums is what CloudWatch shows as the Sum of a metric of one environment per period.
func sums(points []point, metric, environment string, period func(time.Time) string) map[string]float64 {
	out := map[string]float64{}
	for _, p := range points {
		if p.metric == metric && p.environment == environment {
			out[period(p.at)] += p.value
		}
	}
	return out
}

// all is one period that holds everything.
func all(time.Time) string { return "all" }

// values are a metric's data of one environment, in the order they were published.
func values(points []point, metric, environment string) []float64 {
	var out []float64
	for _, p := range points {
		if p.metric == metric && p.environment == environment {
			out = append(out, p.value)
		}
	}
	return out
}

func average(v []float64) float64 {
	total := 0.0
	for _, x := range v {
		total += x
	}
	return total / float64(len(v))
}

// ratio is sum(numerator)/sum(denominator) per period, as the dashboard divides them.
func ratio(points []point, numerator, denominator, environment string, period func(time.Time) string) map[string]float64 {
	n, d := sums(points, numerator, environment, period), sums(points, denominator, environment, period)
	out := map[string]float64{}
	for k, v := range d {
		out[k] = n[k] / v
	}
	return out
}

// approx compares floats to a millionth: averages and rates are divisions.
var approx = cmp.Comparer(func(a, b float64) bool { return math.Abs(a-b) < 1e-6 })

// Two weeks of a pipeline with staging and production, recorded as events, with what the
// dashboard should show worked out by hand.
//
// Production, week of 16 Nov: e1 and e2 go out (lead times 2 h and 1.5 h); e2's event comes
// twice. e3 fails in CodeDeploy 27 h after e2 (outside the 24 h window: only e3 fails) and the
// stage's rollback restores 20 min later. e4 goes out (1 h); e5, 6 h later, deploys and fails
// its bake: e5 and e4 both count as change failures; the rollback restores 30 min later.
// Week of 23 Nov: e6 fails the signature check (no outcome), and CodePipeline's automatic
// rollback after it restores nothing. e7 goes out (1 h); e8 fails in CodeDeploy 27 h later,
// its rollback fails, and e9 restores 2 h after the failure (1 h lead time); e8's failure is
// delivered again, late. The next morning a person rolls e9 back, 19 h after it went out: a
// change failure of e9, restored 19 h after it went out.
func TestDORAOfARecordedSequence(t *testing.T) {
	const (
		ok   = "SUCCEEDED"
		fail = "FAILED"
	)
	seq := sequence{
		Executions: map[string]map[string]any{
			"e1": standard(), "e2": standard(), "e3": standard(), "e4": standard(), "e5": standard(),
			"e6": standard(), "e7": standard(), "e8": standard(), "e9": standard(),
			"r1": rollback(true), "r2": rollback(true), "r3": rollback(true), "r4": rollback(true), "r5": rollback(false),
		},
		Actions: map[string][]map[string]any{
			"e1": actions("2026-11-16T08:00:00Z", action(production, "BlueGreen", "Succeeded", nil)),
			"e2": actions("2026-11-17T09:30:00Z", action(production, "BlueGreen", "Succeeded", nil)),
			"e3": actions("2026-11-18T12:00:00Z", action(production, "BlueGreen", "Failed", nil)),
			"e4": actions("2026-11-19T09:00:00Z", action(production, "BlueGreen", "Succeeded", nil)),
			// The deployment succeeded; the bake after it failed the stage.
			"e5": actions("2026-11-19T14:00:00Z", action(production, "BlueGreen", "Succeeded", nil)),
			"e6": actions("2026-11-23T10:00:00Z", action(production, "VerifySignature", "Failed", nil)),
			"e7": actions("2026-11-24T08:00:00Z", action(production, "BlueGreen", "Succeeded", nil)),
			"e8": actions("2026-11-25T10:00:00+00:00", action(production, "BlueGreen", "Failed", nil)),
			"e9": actions("2026-11-25T14:00:00+01:00", action(production, "BlueGreen", "Succeeded", nil)),
		},
		// The stack creates each state as {}; staging's is missing here, as if deleted.
		Parameters: map[string]string{statePath + "production": "{}"},
		Steps: []step{
			stageEvent("2026-11-16T09:00:00Z", staging, ok, "e1"),      // 1: staging 1 h
			stageEvent("2026-11-16T10:00:00Z", production, ok, "e1"),   // 2: 2 h
			stageEvent("2026-11-17T10:00:00Z", staging, ok, "e2"),      // 3: staging 0.5 h
			stageEvent("2026-11-17T11:00:00Z", production, ok, "e2"),   // 4: 1.5 h
			stageEvent("2026-11-17T11:00:00Z", production, ok, "e2"),   // 5: the same event again
			stageEvent("2026-11-18T13:00:00Z", staging, ok, "e3"),      // 6: staging 1 h
			stageEvent("2026-11-18T14:00:00Z", production, fail, "e3"), // 7: CodeDeploy rolled back
			stageEvent("2026-11-18T14:20:00Z", production, ok, "r1"),   // 8: restored in 20 min
			stageEvent("2026-11-19T09:30:00Z", staging, ok, "e4"),      // 9: staging 0.5 h
			stageEvent("2026-11-19T10:00:00Z", production, ok, "e4"),   // 10: 1 h
			stageEvent("2026-11-19T14:30:00Z", staging, ok, "e5"),      // 11: staging 0.5 h
			stageEvent("2026-11-19T16:00:00Z", production, fail, "e5"), // 12: the bake failed, 6 h after e4
			stageEvent("2026-11-19T16:30:00Z", production, ok, "r2"),   // 13: restored in 30 min
			stageEvent("2026-11-23T10:30:00Z", staging, ok, "e6"),      // 14: staging 0.5 h
			stageEvent("2026-11-23T11:00:00Z", production, fail, "e6"), // 15: the signature check failed
			stageEvent("2026-11-23T11:15:00Z", production, ok, "r3"),   // 16: its rollback
			stageEvent("2026-11-24T08:30:00Z", staging, ok, "e7"),      // 17: staging 0.5 h
			stageEvent("2026-11-24T09:00:00Z", production, ok, "e7"),   // 18: 1 h
			stageEvent("2026-11-25T10:30:00Z", staging, ok, "e8"),      // 19: staging 0.5 h
			stageEvent("2026-11-25T12:00:00Z", production, fail, "e8"), // 20: CodeDeploy rolled back, 27 h after e7
			stageEvent("2026-11-25T12:30:00Z", production, fail, "r4"), // 21: its rollback failed
			stageEvent("2026-11-25T13:30:00Z", staging, ok, "e9"),      // 22: staging 0.5 h
			stageEvent("2026-11-25T14:00:00Z", production, ok, "e9"),   // 23: 1 h, restores e8's failure in 2 h
			stageEvent("2026-11-25T12:00:00Z", production, fail, "e8"), // 24: step 20 again, late
			stageEvent("2026-11-26T09:00:00Z", production, ok, "r5"),   // 25: a person rolls e9 back
		},
	}
	out := play(t, seq)
	// e4's failure is counted when e4 went out, and so is e9's.
	points := pointsOf(t, seq, out, map[int]string{12: "2026-11-19T10:00:00Z", 25: "2026-11-25T14:00:00Z"})

	for i, s := range out.Steps {
		if s.Result["error"] != nil {
			t.Errorf("step %d failed: %v", i+1, s.Result["error"])
		}
		published, reads := 0, 0
		for _, c := range s.Calls {
			switch c.Name {
			case "publish":
				published++
			case "getExecution":
				reads++
			}
		}
		if reads != 1 {
			t.Errorf("step %d read the execution %d times; want once", i+1, reads)
		}
		if want := map[string]int{ok: 0, fail: 1}[seq.Steps[i].Event["detail"].(map[string]any)["state"].(string)]; published != want {
			t.Errorf("step %d published %d messages; want %d, as before DORA", i+1, published, want)
		}
	}
	// Steps that count nothing publish no metric data and say why in the log; a duplicate
	// leaves the state as it is, and no outcome, no state is read.
	for stepNumber, c := range map[int]struct {
		why   string
		calls []string // calls the step must not make
	}{
		5:  {"deployed:e2 seen before", []string{"putMetrics", "writeState"}},
		15: {"no DORA outcome", []string{"putMetrics", "readState"}},
		16: {"no failure on record", []string{"putMetrics"}},
		21: {"", []string{"putMetrics", "readState"}},
		24: {"failed:e8 seen before", []string{"putMetrics", "writeState"}},
	} {
		s := out.Steps[stepNumber-1]
		for _, call := range s.Calls {
			if slices.Contains(c.calls, call.Name) {
				t.Errorf("step %d called %s: %s", stepNumber, call.Name, call.Args)
			}
		}
		if !strings.Contains(strings.Join(s.Logs, "\n"), c.why) {
			t.Errorf("step %d logged %q; want %q", stepNumber, s.Logs, c.why)
		}
	}

	check := func(what string, want, got any) {
		t.Helper()
		if diff := cmp.Diff(want, got, approx); diff != "" {
			t.Errorf("%s (-want +got):\n%s", what, diff)
		}
	}
	// Deployment frequency: the sum of DeploymentFrequency per day and per week.
	check("production deploys per day", map[string]float64{
		"2026-11-16": 1, "2026-11-17": 1, "2026-11-19": 1, "2026-11-24": 1, "2026-11-25": 1,
	}, sums(points, "DeploymentFrequency", "production", day))
	check("production deploys per week", map[string]float64{"2026-11-16": 3, "2026-11-23": 2},
		sums(points, "DeploymentFrequency", "production", week))
	check("staging deploys per week", map[string]float64{"2026-11-16": 5, "2026-11-23": 4},
		sums(points, "DeploymentFrequency", "staging", week))
	// Lead time for changes: the average of LeadTimeForChanges.
	check("production lead times", []float64{7200, 5400, 3600, 3600, 3600}, values(points, "LeadTimeForChanges", "production"))
	check("production average lead time", 4680.0, average(values(points, "LeadTimeForChanges", "production")))
	check("staging average lead time", 2200.0, average(values(points, "LeadTimeForChanges", "staging")))
	// Change failure rate: sum(ChangeFailures) / sum(Deployments). Production deployed 8
	// times (e1-e5, e7-e9); the failures are e3, e5 and e4 (in the window before e5's), e8,
	// and e9 (rolled back by a person), each counted in the week it went out.
	check("production deployments", map[string]float64{"all": 8}, sums(points, "Deployments", "production", all))
	check("production change failures", map[string]float64{"all": 5}, sums(points, "ChangeFailures", "production", all))
	check("production change failure rate", map[string]float64{"all": 0.625}, ratio(points, "ChangeFailures", "Deployments", "production", all))
	check("production change failure rate per week", map[string]float64{"2026-11-16": 3.0 / 5, "2026-11-23": 2.0 / 3},
		ratio(points, "ChangeFailures", "Deployments", "production", week))
	check("staging change failure rate", map[string]float64{"all": 0}, ratio(points, "ChangeFailures", "Deployments", "staging", all))
	// Time to restore: each restore's TimeToRestore.
	check("production times to restore", []float64{1200, 1800, 7200, 68400}, values(points, "TimeToRestore", "production"))
	check("staging times to restore", []float64(nil), values(points, "TimeToRestore", "staging"))

	// The state after the person's rollback: nothing failing, no deploy to charge.
	var final doraState
	if err := json.Unmarshal([]byte(out.Parameters[statePath+"production"]), &final); err != nil {
		t.Fatalf("production state: %v", err)
	}
	if final.LastSuccess != nil || final.FailingSince != nil {
		t.Errorf("production state %+v; want no last success and nothing failing", final)
	}
	if _, ok := out.Parameters[statePath+"staging"]; !ok {
		t.Errorf("staging's state was not written: %v", out.Parameters)
	}
}
