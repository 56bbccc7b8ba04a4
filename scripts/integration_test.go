package scripts

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fakeECS acts out one scenario (FAKE_SCENARIO): pass, testfail, nostart (no capacity, twice),
// nocapacityonce (no capacity, then a start), badnetwork (a failure capacity does not explain),
// pullfail (the task starts, then stops because its image cannot be pulled) or hang. The tasks
// of the family already running are the lines "<arn> <started>" of $STATE/running, which
// list-tasks fails to list with FAKE_LIST_FAIL set. The run's own task is abc123.
const fakeECS = fakeAWSStart + `case "$1 $2" in
  "ecs list-tasks")
    [[ -z ${FAKE_LIST_FAIL:-} ]] || { echo "An error occurred (AccessDeniedException) when calling the ListTasks operation" >&2; exit 254; }
    if [[ -f $STATE/running ]]; then cut -d' ' -f1 "$STATE/running" | paste -sd '\t'; fi ;;
  "sts assume-role") printf 'AKIAFAKE\tfake-secret\tfake-token\n' ;;
  "ssm get-parameter") echo "subnet-1,subnet-2 sg-1" ;;
  "ecs describe-task-definition")
    echo '{"family":"orders-api-staging-it","taskDefinitionArn":"arn:aws:ecs:us-east-1:222222222222:task-definition/orders-api-staging-it:1","revision":1,"status":"ACTIVE","networkMode":"awsvpc","cpu":"512","memory":"1024","executionRoleArn":"arn:aws:iam::222222222222:role/x-execution","containerDefinitions":[{"name":"app","image":"bootstrap"},{"name":"test","image":"bootstrap","command":["npm","test"]}]}' ;;
  "ecs register-task-definition")
    printf '%s\n' "$4" > "$STATE/registered.json"
    echo "arn:aws:ecs:us-east-1:222222222222:task-definition/orders-api-staging-it:7" ;;
  "ecs run-task")
    runs=$(( $(cat "$STATE/runs" 2>/dev/null || echo 0) + 1 )); echo "$runs" > "$STATE/runs"
    if [[ $FAKE_SCENARIO == nostart || ( $FAKE_SCENARIO == nocapacityonce && $runs == 1 ) ]]; then printf 'None\tRESOURCE:MEMORY\n'
    elif [[ $FAKE_SCENARIO == badnetwork ]]; then printf 'None\tMISSING\n'
    else printf 'arn:aws:ecs:us-east-1:222222222222:task/staging/abc123\tNone\n'; fi ;;
  "ecs describe-tasks")
    if [[ " $* " == *startedBy* ]]; then tr ' ' '\t' < "$STATE/running"
    elif [[ " $* " == *exitCode* ]]; then
      case $FAKE_SCENARIO in pass | nocapacityonce) echo 0 ;; testfail) echo 1 ;; *) echo None ;; esac
    else
      n=$(( $(cat "$STATE/polls" 2>/dev/null || echo 0) + 1 )); echo "$n" > "$STATE/polls"
      if [[ $FAKE_SCENARIO == hang || $n -lt 2 ]]; then printf 'RUNNING\tNone\n'
      elif [[ $FAKE_SCENARIO == pullfail ]]; then printf 'STOPPED\tCannotPullContainerError: pull image manifest has been retried 5 time(s)\n'
      else printf 'STOPPED\tEssential container in task exited\n'; fi
    fi ;;
  "ecs stop-task") [[ " $* " == *"/abc123 "* ]] && touch "$STATE/stopped" ;;
  "ecs deregister-task-definition") touch "$STATE/deregistered" ;;
  *) echo "fake aws: unexpected $*" >&2; exit 2 ;;
esac
`

func integrationRun(t *testing.T, scenario string) (*run, []string) {
	t.Helper()
	r := newRun(t)
	write(t, filepath.Join(r.dir, "bin", "aws"), fakeECS, 0o755)
	detail := filepath.Join(r.dir, "imageDetail.json")
	image := "111111111111.dkr.ecr.us-east-1.amazonaws.com/orders-api@sha256:" + strings.Repeat("cd", 32)
	write(t, detail, `{"ImageURI": "`+image+`"}`, 0o644)
	return r, []string{
		"FAKE_SCENARIO=" + scenario, "IMAGE_DETAIL=" + detail,
		"DEPLOY_ROLE_ARN=arn:aws:iam::222222222222:role/orders-api-staging-deploy", "ENV_REGION=us-east-1",
		"CLUSTER=orders-api-staging", "NETWORK_PARAMETER=/ecsdelivery/orders-api-staging/integration-test",
		"FAMILY=orders-api-staging-it", "LOG_GROUP=/ecsdelivery/orders-api-staging",
		"POLL_SECONDS=0", "TIMEOUT_SECONDS=5", "RETRY_SECONDS=0",
	}
}

func (r *run) did(name string) bool {
	_, err := os.Stat(filepath.Join(r.state, name))
	return err == nil
}

func TestIntegrationTestPasses(t *testing.T) {
	r, env := integrationRun(t, "pass")
	code, out := r.exec(t, IntegrationTest, env...)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	registered, _ := os.ReadFile(filepath.Join(r.state, "registered.json"))
	image := "orders-api@sha256:" + strings.Repeat("cd", 32)
	if n := strings.Count(string(registered), image); n != 2 {
		t.Errorf("registered definition names the new image %d times; want both containers on it: %s", n, registered)
	}
	if strings.Contains(string(registered), "taskDefinitionArn") {
		t.Errorf("registered definition keeps the read-only taskDefinitionArn: %s", registered)
	}
	if strings.Contains(string(registered), "bootstrap") {
		t.Errorf("registered definition keeps the bootstrap image: %s", registered)
	}
	if !strings.Contains(string(registered), `"command":["npm","test"]`) {
		t.Errorf("registered definition lost the test command: %s", registered)
	}
	calls := r.callLog(t)
	for _, want := range []string{"sts assume-role --role-arn arn:aws:iam::222222222222:role/orders-api-staging-deploy",
		"--network-configuration awsvpcConfiguration={subnets=[subnet-1,subnet-2],securityGroups=[sg-1],assignPublicIp=DISABLED}",
		"--launch-type FARGATE",
		// The tag is what lets the deploy role stop this task and no task of the service.
		"--tags key=ecsdelivery:purpose,value=integration-test"} {
		if !strings.Contains(calls, want) {
			t.Errorf("missing %q in calls:\n%s", want, calls)
		}
	}
	if !r.did("stopped") {
		t.Error("the task was not stopped after a pass")
	}
	if !r.did("deregistered") {
		t.Error("the revision was not deregistered after a pass")
	}
	if !strings.Contains(out, "logs: CloudWatch log group /ecsdelivery/orders-api-staging") {
		t.Errorf("does not say where the logs are:\n%s", out)
	}
	// The deploy role's credentials travel in the environment, never in arguments or output.
	for _, secret := range []string{"fake-secret", "fake-token"} {
		if strings.Contains(out, secret) {
			t.Errorf("the assumed role's %s appears in the output", secret)
		}
		if strings.Contains(calls, secret) {
			t.Errorf("the assumed role's %s appears in the calls", secret)
		}
	}
}

// A failing test, a task that cannot start and a task whose image cannot be pulled each fail
// the stage with their reason, and leave no task running and no revision registered.
func TestIntegrationTestFailuresFailTheStage(t *testing.T) {
	for _, tc := range []struct {
		scenario, want string
		started        bool // a task ran, so it must be stopped
	}{
		{"testfail", "integration tests failed (exit 1)", true},
		{"nostart", "could not start: RESOURCE:MEMORY", false},
		{"badnetwork", "could not start: MISSING", false},
		{"pullfail", "the test container did not run: CannotPullContainerError: pull image manifest has been retried 5 time(s)", true},
	} {
		t.Run(tc.scenario, func(t *testing.T) {
			r, env := integrationRun(t, tc.scenario)
			code, out := r.exec(t, IntegrationTest, env...)
			if code == 0 {
				t.Errorf("%s: exit 0; want a failure\n%s", tc.scenario, out)
			}
			if !strings.Contains(out, tc.want) {
				t.Errorf("%s: output lacks %q\n%s", tc.scenario, tc.want, out)
			}
			if tc.started && !r.did("stopped") {
				t.Errorf("%s: the task that ran was not stopped", tc.scenario)
			}
			if !r.did("deregistered") {
				t.Errorf("%s: the revision was not deregistered", tc.scenario)
			}
		})
	}
}

func TestIntegrationTestTimeoutStopsTheTask(t *testing.T) {
	r, env := integrationRun(t, "hang")
	start := time.Now()
	code, out := r.exec(t, IntegrationTest, append(env, "TIMEOUT_SECONDS=1")...)
	if code == 0 {
		t.Fatalf("exit 0; want a timeout\n%s", out)
	}
	if !strings.Contains(out, "did not finish within 1 s") {
		t.Fatalf("output does not say the test timed out\n%s", out)
	}
	if !r.did("stopped") {
		t.Error("a task that never stops was not stopped")
	}
	if !r.did("deregistered") {
		t.Error("the revision of a task that never stops was not deregistered")
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("the timeout took %v; want at most 20s", d)
	}
}

// SIGTERM (CodeBuild stopping the build) mid-run, while the script waits between polls: the
// task is stopped and the script exits at once, not after the wait.
func TestIntegrationTestStopsTheTaskWhenCancelled(t *testing.T) {
	r, env := integrationRun(t, "hang")
	path := filepath.Join(r.dir, "it.sh")
	write(t, path, IntegrationTest, 0o755)
	cmd := exec.Command("bash", path)
	cmd.Dir = filepath.Join(r.dir, "src")
	cmd.Env = append(append([]string{}, r.env...), append(env, "TIMEOUT_SECONDS=600", "POLL_SECONDS=60")...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 100 && !strings.Contains(r.callLog(t), "describe-tasks"); i++ {
		time.Sleep(50 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err == nil {
			t.Error("exit 0 after SIGTERM")
		}
	case <-time.After(5 * time.Second): // well within the 60 s between polls
		cmd.Process.Kill()
		t.Fatal("still running 5 s after SIGTERM")
	}
	if !r.did("stopped") {
		t.Error("after SIGTERM: the task was not stopped")
	}
	if !r.did("deregistered") {
		t.Error("after SIGTERM: the revision was not deregistered")
	}
}

// A test task of the family older than the timeout is an orphan of an earlier run and is
// stopped before the run starts its own; a younger one may be another run's and is left alone.
// The clean-up failing does not stop the run.
func TestIntegrationTestStopsOrphans(t *testing.T) {
	const arn = "arn:aws:ecs:us-east-1:222222222222:task/staging/"
	now := time.Now()
	for _, tc := range []struct {
		name, running string // running: the lines of $STATE/running
		stopped       []string
		env           []string
		says          string
	}{
		{"an orphan (ISO 8601 times)", arn + "old1 " + now.Add(-2*time.Hour).UTC().Format("2006-01-02T15:04:05.000000-07:00"), []string{"old1"}, nil, "stopping " + arn + "old1"},
		{"an orphan (epoch seconds)", arn + "old2 " + fmt.Sprintf("%d.123", now.Add(-time.Hour).Unix()), []string{"old2"}, nil, "stopping " + arn + "old2"},
		{"a young task and an orphan", arn + "young " + now.Add(-time.Minute).UTC().Format(time.RFC3339) + "\n" +
			arn + "old3 " + now.Add(-11*time.Minute).UTC().Format(time.RFC3339), []string{"old3"}, nil, "stopping " + arn + "old3"},
		{"an unreadable start", arn + "odd None", nil, nil, "cannot read when " + arn + "odd started ('None'); leaving it"},
		{"ListTasks denied", "", nil, []string{"FAKE_LIST_FAIL=1"}, "could not clean up orphaned test tasks; continuing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, env := integrationRun(t, "pass")
			write(t, filepath.Join(r.state, "running"), tc.running+"\n", 0o644)
			code, out := r.exec(t, IntegrationTest, append(append(env, "TIMEOUT_SECONDS=600"), tc.env...)...)
			calls := r.callLog(t)
			if code != 0 {
				t.Errorf("%s: exit %d; want the run to pass\n%s", tc.name, code, out)
			}
			if !strings.Contains(out, tc.says) {
				t.Errorf("%s: output lacks %q\n%s", tc.name, tc.says, out)
			}
			if !strings.Contains(calls, "ecs run-task") {
				t.Errorf("%s: the test task was not run\n%s", tc.name, calls)
			}
			var stopped []string
			for _, line := range strings.Split(calls, "\n") {
				if task, ok := strings.CutPrefix(line, "aws ecs stop-task --cluster orders-api-staging --task "+arn); ok {
					if id, reason, _ := strings.Cut(task, " "); id != "abc123" {
						stopped = append(stopped, id)
						if reason != "--reason orphaned integration test (older than the timeout)" {
							t.Errorf("%s: %s stopped with %q", tc.name, id, reason)
						}
					}
				}
			}
			if fmt.Sprint(stopped) != fmt.Sprint(tc.stopped) {
				t.Errorf("%s: stopped %v; want %v\n%s", tc.name, stopped, tc.stopped, calls)
			}
			list := strings.Index(calls, "ecs list-tasks --cluster orders-api-staging --family orders-api-staging-it --desired-status RUNNING")
			if list < 0 {
				t.Errorf("%s: orphans not looked for:\n%s", tc.name, calls)
			}
			if list > strings.Index(calls, "ecs run-task") {
				t.Errorf("%s: orphans looked for after the run:\n%s", tc.name, calls)
			}
		})
	}
}

// Fargate out of capacity for a moment: the task is started once more, and only then; any other
// failure to start, and any failing test, is final (TestIntegrationTestFailuresFailTheStage).
func TestIntegrationTestRetriesOnlyMissingCapacity(t *testing.T) {
	r, env := integrationRun(t, "nocapacityonce")
	code, out := r.exec(t, IntegrationTest, env...)
	if code != 0 {
		t.Fatalf("exit %d; want 0 once the second start succeeds\n%s", code, out)
	}
	if n := strings.Count(r.callLog(t), "ecs run-task"); n != 2 {
		t.Errorf("%d run-task calls; want 2", n)
	}
	for _, scenario := range []string{"nostart", "badnetwork"} {
		t.Run(scenario, func(t *testing.T) {
			r, env := integrationRun(t, scenario)
			r.exec(t, IntegrationTest, env...)
			want := map[string]int{"nostart": 2, "badnetwork": 1}[scenario]
			if n := strings.Count(r.callLog(t), "ecs run-task"); n != want {
				t.Errorf("%d run-task calls; want %d", n, want)
			}
		})
	}
}

// With the integration test's own image, the test container runs it and the app container the
// release; without it, both run the release (TestIntegrationTestPasses).
func TestIntegrationTestRunsTheTestImage(t *testing.T) {
	r, env := integrationRun(t, "pass")
	testImage := "111111111111.dkr.ecr.us-east-1.amazonaws.com/orders-api@sha256:" + strings.Repeat("ef", 32)
	detail := filepath.Join(r.dir, "testImageDetail.json")
	write(t, detail, `{"ImageURI": "`+testImage+`"}`, 0o644)
	code, out := r.exec(t, IntegrationTest, append(env, "TEST_IMAGE_DETAIL="+detail)...)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	var registered struct {
		ContainerDefinitions []struct{ Name, Image string }
	}
	data, _ := os.ReadFile(filepath.Join(r.state, "registered.json"))
	if err := json.Unmarshal(data, &registered); err != nil {
		t.Fatalf("registered definition: %v\n%s", err, data)
	}
	want := map[string]string{"app": "orders-api@sha256:" + strings.Repeat("cd", 32), "test": testImage}
	for _, c := range registered.ContainerDefinitions {
		if !strings.HasSuffix(c.Image, want[c.Name]) {
			t.Errorf("container %s runs %s; want %s", c.Name, c.Image, want[c.Name])
		}
	}
	if len(registered.ContainerDefinitions) != 2 {
		t.Errorf("%d containers registered; want app and test", len(registered.ContainerDefinitions))
	}
	// A detail without a digest is refused before anything runs.
	write(t, detail, `{"ImageURI": "orders-api:latest"}`, 0o644)
	r2, env2 := integrationRun(t, "pass")
	code, out = r2.exec(t, IntegrationTest, append(env2, "TEST_IMAGE_DETAIL="+detail)...)
	if code == 0 {
		t.Errorf("a test image by tag: exit 0; want a refusal\n%s", out)
	}
	if !strings.Contains(out, "holds no image digest") {
		t.Errorf("a test image by tag: the refusal does not say why\n%s", out)
	}
}
