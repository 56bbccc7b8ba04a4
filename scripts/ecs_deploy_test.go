package scripts

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fakeRelease acts out CloudFormation and ECS's engine for ecs-deploy.sh, on a clock of its own
// ($STATE/clock, epoch seconds) that moves on FAKE_TICK seconds (default 60) with every call: a
// release of hours takes a few dozen calls, and no sleeping.
//
// The deploy role's credentials it hands out last an hour of that clock; a call with none, with
// expired ones, or outside ENV_REGION fails, and so does an assume-role made with them.
//
// The world is in $STATE: stack-status and stack-image (the stack; busy holds how many more
// describe-stacks calls see an update under way, or "forever"), service-image (what the
// service's task definition runs), deployments (lines "<created> <arn> <status>") and live (the
// deployment the update started, or an earlier run left under way). FAKE_SCENARIO says how
// the live deployment goes, by its describe calls: success (IN_PROGRESS through a canary's
// stages for FAKE_POLLS calls, default 3, then SUCCESSFUL), alarm, hook, stopped, hang;
// otherdigest (SUCCESSFUL, but the revision runs FAKE_TARGET_IMAGE); stackfail (the stack rolls
// back before ECS deploys); nodeploy (the update starts no deployment).
const fakeRelease = fakeAWSStart + `read -r clock < "$STATE/clock"; clock=$((clock + ${FAKE_TICK:-60})); echo "$clock" > "$STATE/clock"
# arg VAR OPTION "$@" sets VAR to the option's value, without a process: this fake runs hundreds
# of times a test.
arg() { local var=$1 want=$2; shift 2; printf -v "$var" ''; while [[ $# -gt 0 ]]; do [[ $1 == "$want" ]] && { printf -v "$var" '%s' "$2"; return; }; shift; done; }
fail() { echo "An error occurred ($1) when calling the $2 operation: $3" >&2; exit 254; }
if [[ "$1 $2" == "sts assume-role" ]]; then
  [[ -z ${AWS_SESSION_TOKEN:-} ]] || fail AccessDenied AssumeRole "the deploy role's session may not assume a role"
  n=0; read -r n < "$STATE/assumed"; echo $((n + 1)) > "$STATE/assumed"
  printf 'AKIAFAKE\tfake-secret\tfake-token-%s\n' "$clock"
  exit 0
fi
[[ ${AWS_ACCESS_KEY_ID:-} == AKIAFAKE && ${AWS_SESSION_TOKEN:-} == fake-token-* ]] || fail AccessDenied "$2" "not the deploy role"
(( clock - ${AWS_SESSION_TOKEN#fake-token-} < 3600 )) || fail ExpiredTokenException "$2" "The security token included in the request is expired"
[[ ${AWS_REGION:-} == "$ENV_REGION" && ${AWS_DEFAULT_REGION:-} == "$ENV_REGION" ]] || { echo "fake aws: called outside $ENV_REGION" >&2; exit 2; }

# get VAR FILE reads a line of $STATE.
get() { read -r "$1" < "$STATE/$2" || true; }
get live live; get stack_status stack-status; get stack_image stack-image; get busy busy
account=222222222222
deploy() { # a deployment of the service to the image $1
  local arn=arn:aws:ecs:us-east-1:$account:service-deployment/orders-api-staging/orders-api/new$clock
  echo "$clock $arn PENDING" >> "$STATE/deployments"
  echo "$arn" > "$STATE/live"
  echo "${FAKE_TARGET_IMAGE:-$1}" > "$STATE/target"
  echo "$1" > "$STATE/service-image"
}
settle() { # the live deployment ended $1; a stack update waiting on it ends too
  sed -i "s| $live [A-Z_]*\$| $live $1|" "$STATE/deployments"
  [[ $stack_status == UPDATE_IN_PROGRESS ]] || return 0
  if [[ $1 == SUCCESSFUL ]]; then echo UPDATE_COMPLETE_CLEANUP_IN_PROGRESS; else echo UPDATE_ROLLBACK_COMPLETE; fi > "$STATE/stack-status"
}
case "$1 $2" in
  "cloudformation describe-stacks")
    status=$stack_status
    if [[ $busy == forever ]]; then status=UPDATE_IN_PROGRESS
    elif [[ ${busy:-0} -gt 0 ]]; then status=UPDATE_IN_PROGRESS; echo $((busy - 1)) > "$STATE/busy"; fi
    [[ $status == UPDATE_COMPLETE_CLEANUP_IN_PROGRESS ]] && echo UPDATE_COMPLETE > "$STATE/stack-status"
    [[ " $* " != *" --output text "* ]] || { echo "$status"; exit 0; }
    parameters='{"ParameterKey":"BootstrapVersion","ParameterValue":"/cdk-bootstrap/hnb659fds/version","ResolvedValue":"21"}'
    [[ -n ${FAKE_NO_PARAMETER:-} ]] || parameters+=',{"ParameterKey":"ImageUri","ParameterValue":"'"$stack_image"'"}'
    parameters+=',{"ParameterKey":"DesiredCount","ParameterValue":"2"}'
    arg name --stack-name "$@"
    printf '{"StackName":"%s","StackStatus":"%s","Parameters":[%s]}\n' "$name" "$status" "$parameters" ;;
  "cloudformation update-stack")
    new=; for a in "$@"; do [[ $a == ParameterKey=ImageUri,ParameterValue=* ]] && new=${a#*ParameterValue=}; done
    [[ $stack_status != *_IN_PROGRESS && $busy != forever && $busy -eq 0 ]] || fail ValidationError UpdateStack "Stack:arn:aws:cloudformation:us-east-1:$account:stack/orders-api-staging/1a2b is in UPDATE_IN_PROGRESS state and can not be updated."
    [[ $new != "$stack_image" ]] || fail ValidationError UpdateStack "No updates are to be performed."
    echo "$new" > "$STATE/stack-image"
    if [[ $FAKE_SCENARIO == stackfail ]]; then echo UPDATE_ROLLBACK_COMPLETE > "$STATE/stack-status"
    else echo UPDATE_IN_PROGRESS > "$STATE/stack-status"; deploy "$new"; fi
    echo "arn:aws:cloudformation:us-east-1:$account:stack/orders-api-staging/1a2b" ;;
  "cloudformation describe-stack-events")
    # Newest first; the failure to name is this update's first, not the cancellation after it
    # nor an older update's.
    if [[ $FAKE_SCENARIO == stackfail ]]; then cat <<'EOF'
{"StackEvents": [
 {"LogicalResourceId": "orders-api-staging", "ResourceType": "AWS::CloudFormation::Stack", "ResourceStatus": "UPDATE_ROLLBACK_COMPLETE"},
 {"LogicalResourceId": "Service", "ResourceType": "AWS::ECS::Service", "ResourceStatus": "UPDATE_FAILED", "ResourceStatusReason": "Resource update cancelled"},
 {"LogicalResourceId": "orders-api-staging", "ResourceType": "AWS::CloudFormation::Stack", "ResourceStatus": "UPDATE_ROLLBACK_IN_PROGRESS", "ResourceStatusReason": "The following resource(s) failed to update: [TaskDefinition]."},
 {"LogicalResourceId": "TaskDefinition", "ResourceType": "AWS::ECS::TaskDefinition", "ResourceStatus": "UPDATE_FAILED", "ResourceStatusReason": "User is not authorized to perform: iam:PassRole on resource orders-api-staging-task"},
 {"LogicalResourceId": "orders-api-staging", "ResourceType": "AWS::CloudFormation::Stack", "ResourceStatus": "UPDATE_IN_PROGRESS", "ResourceStatusReason": "User Initiated"},
 {"LogicalResourceId": "Listener", "ResourceType": "AWS::ElasticLoadBalancingV2::Listener", "ResourceStatus": "UPDATE_FAILED", "ResourceStatusReason": "an older update's failure"}
], "NextToken": "t"}
EOF
    else echo '{"StackEvents": []}'; fi ;;
  "ecs describe-services")
    printf 'ACTIVE\tarn:aws:ecs:us-east-1:%s:task-definition/orders-api-staging:41\t%s\n' "$account" "${FAKE_CONTROLLER:-ECS}" ;;
  "ecs describe-task-definition")
    get image service-image
    printf '%s\tpublic.ecr.aws/xray/aws-xray-daemon:3.3\n' "$image" ;;
  "ecs register-task-definition")
    arg input --cli-input-json "$@"; echo "$input" > "$STATE/registered.json"
    echo "arn:aws:ecs:us-east-1:$account:task-definition/orders-api-staging:42" ;;
  "ecs update-service")
    arg input --cli-input-json "$@"; echo "$input" > "$STATE/update.json"
    [[ $FAKE_SCENARIO == nodeploy ]] || deploy "$(jq -r '.containerDefinitions[0].image' "$STATE/registered.json")"
    echo "arn:aws:ecs:us-east-1:$account:service/orders-api-staging/orders-api" ;;
  "ecs list-service-deployments")
    arg after --created-at "$@"; after=${after#after=}
    want=; on=; for a in "$@"; do if [[ $a == --* ]]; then on=; [[ $a == --status ]] && on=1; elif [[ -n $on ]]; then want+=" $a"; fi; done
    # The newest that passes the filters, as the script's query picks it.
    newest=None latest=0
    while read -r created arn status; do
      TZ=UTC printf -v at '%(%Y-%m-%dT%H:%M:%SZ)T' "$created"
      [[ -z $after || $at > $after ]] || continue
      [[ -z $want || " $want " == *" $status "* ]] || continue
      (( created < latest )) || { newest=$arn latest=$created; }
    done < "$STATE/deployments"
    echo "$newest" ;;
  "ecs describe-service-deployments")
    arg arn --service-deployment-arns "$@"
    [[ $arn == "$live" ]] || { echo "fake aws: $arn is not the deployment under way" >&2; exit 2; }
    get n polls; n=$((n + 1)); echo "$n" > "$STATE/polls"
    stages=(SCALE_UP TEST_TRAFFIC_SHIFT POST_TEST_TRAFFIC_SHIFT PRODUCTION_TRAFFIC_SHIFT BAKE_TIME)
    polls=${FAKE_POLLS:-3} status=IN_PROGRESS stage= extra=
    case $FAKE_SCENARIO in
      success | otherdigest)
        if (( n < polls )); then stage=${stages[$(( (n - 1) * ${#stages[@]} / (polls - 1) ))]}; else status=SUCCESSFUL stage=CLEAN_UP; fi ;;
      alarm)
        case $n in 1) stage=SCALE_UP ;; 2) stage=PRODUCTION_TRAFFIC_SHIFT ;; 3) status=ROLLBACK_IN_PROGRESS stage=PRODUCTION_TRAFFIC_SHIFT ;;
          *) status=ROLLBACK_SUCCESSFUL stage=CLEAN_UP ;; esac
        (( n < 3 )) || extra=',"statusReason":"Service deployment rolled back because the deployment alarms were triggered.","rollback":{"reason":"Deployment alarm triggered","startedAt":"2025-01-01T00:00:00Z","serviceRevisionArn":"arn:aws:ecs:us-east-1:222222222222:service-revision/orders-api-staging/orders-api/1"},"alarms":{"status":"TRIGGERED","alarmNames":["orders-api-staging-5xx","orders-api-staging-latency"],"triggeredAlarmNames":["orders-api-staging-5xx"]}' ;;
      hook)
        case $n in 1) stage=SCALE_UP ;; 2) stage=TEST_TRAFFIC_SHIFT ;; 3) stage=POST_TEST_TRAFFIC_SHIFT ;; 4) status=ROLLBACK_IN_PROGRESS stage=POST_TEST_TRAFFIC_SHIFT ;;
          *) status=ROLLBACK_SUCCESSFUL ;; esac
        (( n < 4 )) || extra=',"statusReason":"Service deployment rolled back because a lifecycle hook failed.","rollback":{"reason":"Lifecycle hook returned FAILED"},"lifecycleHookDetails":[{"hookId":"h1","targetType":"AWS_LAMBDA","targetArn":"arn:aws:lambda:us-east-1:222222222222:function:orders-api-staging-test-hook","status":"FAILED"}]' ;;
      stopped)
        if (( n < 2 )); then stage=SCALE_UP; else status=STOPPED extra=',"statusReason":"A newer deployment of the service started."'; fi ;;
      hang) stage=BAKE_TIME ;;
    esac
    [[ $status == *_IN_PROGRESS || $status == IN_PROGRESS ]] || settle "$status"
    revision=arn:aws:ecs:us-east-1:$account:service-revision/orders-api-staging/orders-api/2
    if [[ " $* " == *" --output text "* ]]; then printf '%s\t%s\t%s\n' "$status" "${stage:-None}" "$revision"; exit 0; fi
    printf '{"serviceDeploymentArn":"%s","status":"%s"%s,"targetServiceRevision":{"arn":"%s"}%s}\n' \
      "$arn" "$status" "${stage:+,\"lifecycleStage\":\"$stage\"}" "$revision" "$extra" ;;
  "ecs describe-service-revisions")
    get target target
    printf '%s\t%s\nNone\tpublic.ecr.aws/xray/aws-xray-daemon:3.3\n' "${target#*@}" "$target" ;;
  *) echo "fake aws: unexpected $*" >&2; exit 2 ;;
esac
`

// fakeDate tells the fake aws's time to a script that asks for the time in seconds; any other
// use of date is the real one's.
const fakeDate = `#!/usr/bin/env bash
if [[ $* == "-u +%s" ]]; then read -r clock < "$STATE/clock"; echo "$clock"; exit; fi
PATH=${PATH#*:} exec date "$@"
`

const (
	releaseRepo = "111111111111.dkr.ecr.us-east-1.amazonaws.com/orders-api@sha256:"
	releaseLink = "https://us-east-1.console.aws.amazon.com/ecs/v2/clusters/orders-api-staging/services/orders-api/deployments?region=us-east-1"
	releaseOld  = "arn:aws:ecs:us-east-1:222222222222:service-deployment/orders-api-staging/orders-api/old"
	releaseRole = "arn:aws:iam::222222222222:role/orders-api-staging-release"
)

var (
	newImage      = releaseRepo + strings.Repeat("cd", 32)
	oldImage      = releaseRepo + strings.Repeat("ab", 32)
	serviceUpdate = `{"deploymentConfiguration":{"strategy":"CANARY","canaryConfiguration":{"canaryPercent":10,"canaryBakeTimeInMinutes":15},` +
		`"bakeTimeInMinutes":60,"alarms":{"alarmNames":["orders-api-staging-5xx"],"enable":true,"rollback":true},` +
		`"lifecycleHooks":[{"hookTargetArn":"arn:aws:lambda:us-east-1:222222222222:function:orders-api-staging-test-hook","roleArn":"arn:aws:iam::222222222222:role/hook","lifecycleStages":["POST_TEST_TRAFFIC_SHIFT"]}]},` +
		`"loadBalancers":[{"targetGroupArn":"arn:aws:elasticloadbalancing:us-east-1:222222222222:targetgroup/blue/1","containerName":"app","containerPort":8080,` +
		`"advancedConfiguration":{"alternateTargetGroupArn":"arn:aws:elasticloadbalancing:us-east-1:222222222222:targetgroup/green/2","productionListenerRule":"rule/1","testListenerRule":"rule/2","roleArn":"arn:aws:iam::222222222222:role/shift"}}]}`
)

// releaseRun prepares a release in MODE mode: the stack and the service run oldImage, one old
// deployment of it is SUCCESSFUL, and the fakes' clock starts now. Each run has its folders and
// clock to itself, so the tests run in parallel: a release takes a few hundred processes.
func releaseRun(t *testing.T, mode, scenario string) (*run, []string) {
	t.Helper()
	r := newRun(t)
	write(t, filepath.Join(r.dir, "bin", "aws"), fakeRelease, 0o755)
	write(t, filepath.Join(r.dir, "bin", "date"), fakeDate, 0o755)
	now := time.Now().Unix()
	for name, body := range map[string]string{
		"clock": strconv.FormatInt(now, 10), "stack-status": "UPDATE_COMPLETE", "stack-image": oldImage,
		"service-image": oldImage, "deployments": fmt.Sprintf("%d %s SUCCESSFUL\n", now-86400, releaseOld),
		"live": "", "polls": "0", "busy": "0", "target": "", "assumed": "0",
	} {
		r.set(t, name, body)
	}
	detail := filepath.Join(r.dir, "imageDetail.json")
	write(t, detail, `{"ImageURI": "`+newImage+`"}`, 0o644)
	env := []string{
		"FAKE_SCENARIO=" + scenario, "IMAGE_DETAIL=" + detail, "MODE=" + mode,
		"DEPLOY_ROLE_ARN=arn:aws:iam::222222222222:role/orders-api-staging-deploy", "ENV_REGION=us-east-1",
		"ENVIRONMENT=staging", "CLUSTER=orders-api-staging", "SERVICE=orders-api", "POLL_SECONDS=0",
	}
	if mode == "stack" {
		env = append(env, "STACK_NAME=orders-api-staging", "IMAGE_PARAMETER=ImageUri", "RELEASE_ROLE_ARN="+releaseRole)
	} else {
		taskdef := filepath.Join(r.dir, "taskdef-staging.json")
		write(t, taskdef, taskdefs["staging"], 0o644)
		env = append(env, "TASKDEF="+taskdef, "SERVICE_UPDATE="+serviceUpdate)
	}
	return r, env
}

func (r *run) set(t *testing.T, name, body string) {
	t.Helper()
	write(t, filepath.Join(r.state, name), body, 0o644)
}

func (r *run) get(t *testing.T, name string) string {
	t.Helper()
	data, _ := os.ReadFile(filepath.Join(r.state, name))
	return strings.TrimSpace(string(data))
}

// underWay leaves a deployment of the new image under way, as a run stopped mid-release does.
func (r *run) underWay(t *testing.T) string {
	t.Helper()
	arn := "arn:aws:ecs:us-east-1:222222222222:service-deployment/orders-api-staging/orders-api/earlier"
	clock, _ := strconv.ParseInt(r.get(t, "clock"), 10, 64)
	deployments := r.get(t, "deployments") + fmt.Sprintf("\n%d %s IN_PROGRESS\n", clock-600, arn)
	for name, body := range map[string]string{"deployments": deployments, "live": arn, "target": newImage, "service-image": newImage} {
		r.set(t, name, body)
	}
	return arn
}

// minutes is how far the fakes' clock moved during the run.
func (r *run) minutes(t *testing.T, start int64) int64 {
	clock, _ := strconv.ParseInt(r.get(t, "clock"), 10, 64)
	return (clock - start) / 60
}

func wants(t *testing.T, what, text string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, text)
		}
	}
}

func lacks(t *testing.T, what, text string, unwanted ...string) {
	t.Helper()
	for _, u := range unwanted {
		if strings.Contains(text, u) {
			t.Errorf("%s has %q:\n%s", what, u, text)
		}
	}
}

// A stack release: the previous template, the new image, every other parameter as it was, as the
// release role; ECS's deployment of it is followed to SUCCESSFUL and the stack to UPDATE_COMPLETE.
func TestECSDeployStackRelease(t *testing.T) {
	t.Parallel()
	r, env := releaseRun(t, "stack", "success")
	code, out := r.exec(t, ECSDeploy, env...)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	calls := r.callLog(t)
	wants(t, "calls", calls,
		"aws sts assume-role --role-arn arn:aws:iam::222222222222:role/orders-api-staging-deploy ",
		"aws cloudformation update-stack --stack-name orders-api-staging --use-previous-template --role-arn "+releaseRole+
			" --capabilities CAPABILITY_IAM CAPABILITY_NAMED_IAM --parameters ParameterKey=ImageUri,ParameterValue="+newImage+
			" ParameterKey=BootstrapVersion,UsePreviousValue=true ParameterKey=DesiredCount,UsePreviousValue=true --query StackId --output text\n")
	live := r.get(t, "live")
	inOrder(t, calls, "cloudformation describe-stacks", "cloudformation update-stack", "ecs list-service-deployments --cluster orders-api-staging --service orders-api --created-at after=",
		"ecs describe-service-deployments --service-deployment-arns "+live, "ecs describe-service-revisions", "cloudformation describe-stacks")
	lacks(t, "calls", calls, releaseOld)
	if got := r.get(t, "stack-status"); got != "UPDATE_COMPLETE" {
		t.Errorf("the run ended with the stack %s; want it to wait for UPDATE_COMPLETE", got)
	}
	wants(t, "output", out, "ecs-deploy: staging: deployed "+newImage+": deployment "+live+" SUCCESSFUL", releaseLink,
		"deployment new", "IN_PROGRESS, stage SCALE_UP", "IN_PROGRESS, stage POST_TEST_TRAFFIC_SHIFT")
	lacks(t, "output", out, "fake-secret", "fake-token")
	lacks(t, "calls", calls, "fake-secret", "fake-token")
}

// ECS rolls back on an alarm or a lifecycle hook, or a newer deployment stops this one: the stage
// fails with one message saying why, where, and where to look.
func TestECSDeployRollbacksFailTheStage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		scenario string
		want     []string
	}{
		{"alarm", []string{"ended ROLLBACK_SUCCESSFUL at stage PRODUCTION_TRAFFIC_SHIFT",
			"reason: Service deployment rolled back because the deployment alarms were triggered.",
			"rollback: Deployment alarm triggered", "alarms triggered: orders-api-staging-5xx;"}},
		{"hook", []string{"ended ROLLBACK_SUCCESSFUL at stage POST_TEST_TRAFFIC_SHIFT",
			"reason: Service deployment rolled back because a lifecycle hook failed.",
			"rollback: Lifecycle hook returned FAILED", "lifecycle hooks: orders-api-staging-test-hook FAILED"}},
		{"stopped", []string{"ended STOPPED at stage SCALE_UP", "reason: A newer deployment of the service started."}},
	} {
		t.Run(tc.scenario, func(t *testing.T) {
			t.Parallel()
			r, env := releaseRun(t, "stack", tc.scenario)
			code, out := r.exec(t, ECSDeploy, env...)
			if code != 1 {
				t.Errorf("exit %d; want 1\n%s", code, out)
			}
			failure := ""
			for _, l := range strings.Split(out, "\n") {
				if strings.Contains(l, "failed: deployment") {
					failure = l
				}
			}
			want := append([]string{"ecs-deploy: staging: the release of " + newImage + " failed: deployment " + r.get(t, "live")}, tc.want...)
			wants(t, "the failure line", failure, append(want, "; see "+releaseLink)...)
			lacks(t, "the failure line", failure, "orders-api-staging-latency")
			// Each status and stage is said once, not at every poll.
			if n := strings.Count(out, "ROLLBACK_IN_PROGRESS"); tc.scenario != "stopped" && n != 1 {
				t.Errorf("ROLLBACK_IN_PROGRESS said %d times; want once\n%s", n, out)
			}
			lacks(t, "calls", r.callLog(t), "stop-service-deployment", "update-service")
		})
	}
}

// A canary with a long bake outlasts an hour, and the deploy role's one-hour session: with
// WAIT_SECONDS long enough, the run follows it to the end on renewed credentials.
func TestECSDeployWaitsOutALongRelease(t *testing.T) {
	t.Parallel()
	r, env := releaseRun(t, "stack", "success")
	start, _ := strconv.ParseInt(r.get(t, "clock"), 10, 64)
	// Five minutes a poll: 20 polls are over an hour and a half.
	code, out := r.exec(t, ECSDeploy, append(env, "FAKE_POLLS=20", "FAKE_TICK=300", "WAIT_SECONDS=14400")...)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	if m := r.minutes(t, start); m < 100 {
		t.Errorf("the release took %d minutes of the fakes' clock; want over an hour and a half", m)
	}
	if n := strings.Count(r.callLog(t), "describe-service-deployments"); n != 20 {
		t.Errorf("%d polls; want 20", n)
	}
	if n, _ := strconv.Atoi(r.get(t, "assumed")); n < 3 {
		t.Errorf("the deploy role was assumed %d times in over an hour and a half; want its credentials renewed", n)
	}
	if n := strings.Count(out, "stage BAKE_TIME"); n != 1 {
		t.Errorf("the bake was announced %d times; want once\n%s", n, out)
	}
	if m := regexp.MustCompile(`SUCCESSFUL after (\d+) minutes`).FindStringSubmatch(out); m == nil || len(m[1]) < 3 {
		t.Errorf("output does not say the release took over 100 minutes\n%s", out)
	}
}

// Past WAIT_SECONDS the run fails and says so, and leaves the deployment to ECS. The default is
// an hour.
func TestECSDeployGivesUpAtTheDeadline(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, wait, want string
	}{
		{"WAIT_SECONDS=300", "300", "still IN_PROGRESS at stage BAKE_TIME after 5 minutes (WAIT_SECONDS=300); ECS carries on (" + releaseLink + ")"},
		{"default", "", "still IN_PROGRESS at stage BAKE_TIME after 60 minutes (WAIT_SECONDS=3600); ECS carries on (" + releaseLink + ")"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, env := releaseRun(t, "service", "hang")
			env = append(env, "WAIT_SECONDS="+tc.wait)
			if tc.wait == "" {
				env = append(env, "FAKE_TICK=300") // five minutes a poll
			}
			code, out := r.exec(t, ECSDeploy, env...)
			if code != 1 {
				t.Errorf("exit %d; want 1\n%s", code, out)
			}
			wants(t, "output", out, "ecs-deploy: staging: deployment "+r.get(t, "live")+" "+tc.want)
			calls := r.callLog(t)
			lacks(t, "calls", calls, "stop", "cancel", "continue-service-deployment")
			if n := strings.Count(calls, "update-service"); n != 1 {
				t.Errorf("%d service updates; want the release's alone\n%s", n, calls)
			}
		})
	}
}

// A stack that holds the image already ("No updates are to be performed") with the service
// running it: already deployed. With a deployment of it under way (a run stopped mid-release,
// retried), that deployment is followed to its end.
func TestECSDeployStackAlreadyHoldsTheImage(t *testing.T) {
	t.Parallel()
	r, env := releaseRun(t, "stack", "success")
	r.set(t, "stack-image", newImage)
	r.set(t, "service-image", newImage)
	code, out := r.exec(t, ECSDeploy, env...)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	wants(t, "output", out, "staging: "+newImage+" is already deployed", releaseLink)
	calls := r.callLog(t)
	if n := strings.Count(calls, "update-stack"); n != 1 {
		t.Errorf("%d stack updates; want the one that said no updates", n)
	}
	lacks(t, "calls", calls, "describe-service-deployments")

	r, env = releaseRun(t, "stack", "success")
	r.set(t, "stack-image", newImage)
	earlier := r.underWay(t)
	code, out = r.exec(t, ECSDeploy, env...)
	if code != 0 {
		t.Fatalf("a deployment under way: exit %d\n%s", code, out)
	}
	wants(t, "a deployment under way: output", out, "following deployment "+earlier, "deployed "+newImage+": deployment "+earlier+" SUCCESSFUL")
	wants(t, "a deployment under way: calls", r.callLog(t),
		"ecs list-service-deployments --cluster orders-api-staging --service orders-api --status PENDING IN_PROGRESS STOP_REQUESTED ROLLBACK_REQUESTED ROLLBACK_IN_PROGRESS")
}

// An update of the stack under way (cdk deploy) is waited out before the release, up to
// BUSY_WAIT_SECONDS.
func TestECSDeployWaitsForABusyStack(t *testing.T) {
	t.Parallel()
	r, env := releaseRun(t, "stack", "success")
	r.set(t, "busy", "4")
	code, out := r.exec(t, ECSDeploy, env...)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	wants(t, "output", out, "stack orders-api-staging is UPDATE_IN_PROGRESS; waiting for it to end", "SUCCESSFUL")
	if n := strings.Count(out, "waiting for it to end"); n != 1 {
		t.Errorf("the wait was announced %d times; want once", n)
	}
	inOrder(t, r.callLog(t), "describe-stacks", "describe-stacks", "describe-stacks", "describe-stacks", "describe-stacks", "update-stack")

	r, env = releaseRun(t, "stack", "success")
	r.set(t, "busy", "forever")
	code, out = r.exec(t, ECSDeploy, append(env, "BUSY_WAIT_SECONDS=600", "FAKE_TICK=300")...)
	if code != 1 {
		t.Errorf("a stack busy for good: exit %d; want 1\n%s", code, out)
	}
	wants(t, "a stack busy for good: output", out, "stack orders-api-staging is still UPDATE_IN_PROGRESS after 10 minutes (BUSY_WAIT_SECONDS=600)")
	lacks(t, "a stack busy for good: calls", r.callLog(t), "update-stack")
}

// A retried run while the stack is still releasing this image (the first run was stopped): it
// follows the deployment under way, not waits for the stack, and updates nothing.
func TestECSDeployRetriedWhileTheStackReleases(t *testing.T) {
	t.Parallel()
	r, env := releaseRun(t, "stack", "success")
	r.set(t, "stack-image", newImage)
	r.set(t, "stack-status", "UPDATE_IN_PROGRESS")
	earlier := r.underWay(t)
	code, out := r.exec(t, ECSDeploy, append(env, "BUSY_WAIT_SECONDS=0")...)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	wants(t, "output", out, "already releasing "+newImage, "deployed "+newImage+": deployment "+earlier+" SUCCESSFUL")
	lacks(t, "calls", r.callLog(t), "update-stack")
	if got := r.get(t, "stack-status"); got != "UPDATE_COMPLETE" {
		t.Errorf("the run ended with the stack %s; want it to wait for UPDATE_COMPLETE", got)
	}
}

// A stack that cannot take the release is refused, with what to do, before any update.
func TestECSDeployRefusesAStackItCannotRelease(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, status, env, want string
	}{
		{"no image parameter", "UPDATE_COMPLETE", "FAKE_NO_PARAMETER=1", "stack orders-api-staging has no parameter ImageUri: deploy the environment stack with engine ecs first"},
		{"rollback failed", "UPDATE_ROLLBACK_FAILED", "", "stack orders-api-staging is UPDATE_ROLLBACK_FAILED and cannot be updated: continue its rollback"},
		{"creation rolled back", "ROLLBACK_COMPLETE", "", "stack orders-api-staging is ROLLBACK_COMPLETE and cannot be updated"},
		{"never created", "REVIEW_IN_PROGRESS", "", "stack orders-api-staging is REVIEW_IN_PROGRESS and cannot be updated"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, env := releaseRun(t, "stack", "success")
			r.set(t, "stack-status", tc.status)
			code, out := r.exec(t, ECSDeploy, append(env, tc.env)...)
			if code != 1 {
				t.Errorf("exit %d; want 1\n%s", code, out)
			}
			wants(t, "output", out, "ecs-deploy: staging: "+tc.want)
			lacks(t, "calls", r.callLog(t), "update-stack")
		})
	}
}

// The stack rolls back before ECS deploys anything: the first failure of the update says why.
func TestECSDeployReportsAStackRollback(t *testing.T) {
	t.Parallel()
	r, env := releaseRun(t, "stack", "stackfail")
	code, out := r.exec(t, ECSDeploy, env...)
	if code != 1 {
		t.Errorf("exit %d; want 1\n%s", code, out)
	}
	wants(t, "output", out, "stack orders-api-staging ended UPDATE_ROLLBACK_COMPLETE before ECS started a deployment: "+
		"TaskDefinition UPDATE_FAILED: User is not authorized to perform: iam:PassRole on resource orders-api-staging-task")
	lacks(t, "output", out, "cancelled", "older update")
}

// An imported service: the task definition is registered with the image, and the service
// updated with it and SERVICE_UPDATE's deployment configuration and load balancers.
func TestECSDeployServiceRelease(t *testing.T) {
	t.Parallel()
	r, env := releaseRun(t, "service", "success")
	code, out := r.exec(t, ECSDeploy, env...)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	var registered map[string]any
	if err := json.Unmarshal([]byte(r.get(t, "registered.json")), &registered); err != nil {
		t.Fatalf("registered task definition: %v", err)
	}
	want := strings.Replace(taskdefs["staging"], "<IMAGE1_NAME>", newImage, 1)
	var wantRegistered map[string]any
	_ = json.Unmarshal([]byte(want), &wantRegistered)
	if fmt.Sprint(registered) != fmt.Sprint(wantRegistered) {
		t.Errorf("registered %v; want %v", registered, wantRegistered)
	}
	var update, upd map[string]any
	if err := json.Unmarshal([]byte(r.get(t, "update.json")), &update); err != nil {
		t.Fatalf("update-service input: %v", err)
	}
	_ = json.Unmarshal([]byte(serviceUpdate), &upd)
	upd["cluster"], upd["service"] = "orders-api-staging", "orders-api"
	upd["taskDefinition"] = "arn:aws:ecs:us-east-1:222222222222:task-definition/orders-api-staging:42"
	if fmt.Sprint(update) != fmt.Sprint(upd) {
		t.Errorf("update-service input %v;\nwant %v", update, upd)
	}
	inOrder(t, r.callLog(t), "ecs describe-services", "ecs register-task-definition --cli-input-json", "ecs update-service --cli-input-json",
		"ecs list-service-deployments", "ecs describe-service-deployments", "ecs describe-service-revisions")
	lacks(t, "calls", r.callLog(t), "cloudformation")
	wants(t, "output", out, "registered arn:aws:ecs:us-east-1:222222222222:task-definition/orders-api-staging:42 with "+newImage, "SUCCESSFUL", releaseLink)
}

// The service runs the image already: nothing is registered or updated. A deployment of it under
// way is followed instead.
func TestECSDeployServiceAlreadyRunsTheImage(t *testing.T) {
	t.Parallel()
	r, env := releaseRun(t, "service", "success")
	r.set(t, "service-image", newImage)
	code, out := r.exec(t, ECSDeploy, env...)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	wants(t, "output", out, "is already deployed")
	lacks(t, "calls", r.callLog(t), "register-task-definition", "update-service", "describe-service-deployments")

	r, env = releaseRun(t, "service", "hook")
	earlier := r.underWay(t)
	code, out = r.exec(t, ECSDeploy, env...)
	if code != 1 {
		t.Errorf("a deployment under way that rolls back: exit %d; want 1\n%s", code, out)
	}
	wants(t, "a deployment under way: output", out, "following deployment "+earlier, "failed: deployment "+earlier+" ended ROLLBACK_SUCCESSFUL")
	lacks(t, "a deployment under way: calls", r.callLog(t), "register-task-definition", "update-service")
}

// A service on another deployment controller (CodeDeploy's) is not ECS's engine to release with.
func TestECSDeployRefusesAnotherController(t *testing.T) {
	t.Parallel()
	r, env := releaseRun(t, "service", "success")
	code, out := r.exec(t, ECSDeploy, append(env, "FAKE_CONTROLLER=CODE_DEPLOY")...)
	if code != 1 {
		t.Errorf("exit %d; want 1\n%s", code, out)
	}
	wants(t, "output", out, "service orders-api has the CODE_DEPLOY deployment controller; this step is for ECS's own (ECS)")
	lacks(t, "calls", r.callLog(t), "register-task-definition", "update-service")
}

// A deployment SUCCESSFUL for another image (another release won the race) is not this one's.
func TestECSDeployRefusesAnotherImagesSuccess(t *testing.T) {
	t.Parallel()
	r, env := releaseRun(t, "service", "otherdigest")
	code, out := r.exec(t, ECSDeploy, append(env, "FAKE_TARGET_IMAGE="+oldImage)...)
	if code != 1 {
		t.Errorf("exit %d; want 1\n%s", code, out)
	}
	wants(t, "output", out, "SUCCESSFUL, but its revision runs "+oldImage+", public.ecr.aws/xray/aws-xray-daemon:3.3, not "+newImage+": another deployment won the race", releaseLink)
}

// An update that starts no deployment fails within five minutes, and says where to look.
func TestECSDeployNoDeploymentAppears(t *testing.T) {
	t.Parallel()
	r, env := releaseRun(t, "service", "nodeploy")
	start, _ := strconv.ParseInt(r.get(t, "clock"), 10, 64)
	code, out := r.exec(t, ECSDeploy, env...)
	if code != 1 {
		t.Errorf("exit %d; want 1\n%s", code, out)
	}
	wants(t, "output", out, "ECS started no deployment of orders-api within 5 minutes of the update; see "+releaseLink)
	if m := r.minutes(t, start); m > 10 {
		t.Errorf("gave up after %d minutes; want about 5", m)
	}
	// The old deployment, created before the update, is never taken for the new one.
	lacks(t, "calls", r.callLog(t), "describe-service-deployments")
}

// A throttled poll is ridden out by the CLI's adaptive retries, unless the caller chose otherwise.
func TestECSDeployRidesOutThrottling(t *testing.T) {
	t.Parallel()
	r, env := releaseRun(t, "stack", "success")
	env = append(env, "FAKE_THROTTLED=ecs describe-service-deployments")
	if code, out := r.exec(t, ECSDeploy, env...); code != 0 {
		t.Errorf("exit %d with describe-service-deployments throttled; want the CLI's adaptive retries to ride it out\n%s", code, out)
	}
	r, env = releaseRun(t, "stack", "success")
	code, out := r.exec(t, ECSDeploy, append(env, "FAKE_THROTTLED=ecs describe-service-deployments", "AWS_RETRY_MODE=standard")...)
	if code == 0 {
		t.Errorf("exit 0 with AWS_RETRY_MODE=standard; want the caller's setting kept, and the throttling to fail the run\n%s", out)
	}
	wants(t, "output with AWS_RETRY_MODE=standard", out, "ThrottlingException", "staging: deployment "+r.get(t, "live")+" carries on in ECS: "+releaseLink)
}

// CodeBuild stopping the build mid-release: the run exits at once (143 on SIGTERM, 130 on
// SIGINT), saying the release carries on in ECS, and stops nothing.
func TestECSDeployLeavesTheReleaseToECSWhenStopped(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		signal syscall.Signal
		code   int
	}{{syscall.SIGTERM, 143}, {syscall.SIGINT, 130}} {
		t.Run(tc.signal.String(), func(t *testing.T) {
			t.Parallel()
			r, env := releaseRun(t, "stack", "hang")
			code, out := interruptMidWait(t, r, "ecs-deploy.sh", ECSDeploy, env, "describe-service-deployments", tc.signal)
			if code != tc.code {
				t.Errorf("exit %d after %s; want %d\n%s", code, tc.signal, tc.code, out)
			}
			wants(t, "output", out, "interrupted ("+map[int]string{143: "SIGTERM", 130: "SIGINT"}[tc.code]+
				"); the release carries on in ECS and CloudFormation and a retried run follows it to its end: "+releaseLink)
			lacks(t, "calls", r.callLog(t), "stop", "cancel")
		})
	}
}

// Inputs are checked before any call, with a message that names what is wrong.
func TestECSDeployValidatesItsInputs(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, mode string
		env        []string
		detail     string // imageDetail.json, when not the release's
		want       string
	}{
		{"no cluster", "stack", []string{"CLUSTER="}, "", "CLUSTER is required with MODE=stack"},
		{"no mode", "", nil, "", "MODE is required"},
		{"a bad mode", "rolling", nil, "", "MODE is 'rolling'; expected stack"},
		{"no stack name", "stack", []string{"STACK_NAME="}, "", "STACK_NAME is required with MODE=stack"},
		{"no release role", "stack", []string{"RELEASE_ROLE_ARN="}, "", "RELEASE_ROLE_ARN is required with MODE=stack"},
		{"no service update", "service", []string{"SERVICE_UPDATE="}, "", "SERVICE_UPDATE is required with MODE=service"},
		{"an image by tag", "stack", nil, `{"ImageURI": "orders-api:latest"}`, "holds no image digest (got 'orders-api:latest')"},
		{"a short digest", "stack", nil, `{"ImageURI": "orders-api@sha256:abc"}`, "holds no image digest"},
		{"no image detail", "stack", nil, `not json`, "holds no image digest (got '')"},
		{"a bad wait", "stack", []string{"WAIT_SECONDS=1h"}, "", "WAIT_SECONDS is '1h'; expected a whole number of seconds"},
		{"no task definition", "service", []string{"TASKDEF=missing.json"}, "", "TASKDEF missing.json is not a file"},
		{"a rolling update", "service", []string{`SERVICE_UPDATE={"deploymentConfiguration":{"strategy":"ROLLING"}}`}, "", `SERVICE_UPDATE: deploymentConfiguration.strategy is "ROLLING"; this step is for ECS deployments with strategy BLUE_GREEN, CANARY or LINEAR`},
		{"a service update that is no JSON", "service", []string{`SERVICE_UPDATE={"deploymentConfiguration":`}, "", "SERVICE_UPDATE is not a JSON object"},
		{"more than it applies", "service", []string{`SERVICE_UPDATE={"deploymentConfiguration":{"strategy":"LINEAR"},"desiredCount":0}`}, "", "SERVICE_UPDATE has desiredCount"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			mode := tc.mode
			if mode == "" || mode == "rolling" {
				mode = "stack"
			}
			r, env := releaseRun(t, mode, "success")
			env = append(env, "MODE="+tc.mode)
			if tc.detail != "" {
				write(t, filepath.Join(r.dir, "imageDetail.json"), tc.detail, 0o644)
			}
			code, out := r.exec(t, ECSDeploy, append(env, tc.env...)...)
			if code != 1 {
				t.Errorf("exit %d; want 1\n%s", code, out)
			}
			wants(t, "output", out, "ecs-deploy: ", tc.want)
			if calls := r.callLog(t); calls != "" {
				t.Errorf("calls before the inputs were checked:\n%s", calls)
			}
		})
	}
	r, env := releaseRun(t, "service", "success")
	taskdef := filepath.Join(r.dir, "taskdef-staging.json")
	write(t, taskdef, strings.Replace(taskdefs["staging"], "<IMAGE1_NAME>", "orders-api:latest", 1), 0o644)
	code, out := r.exec(t, ECSDeploy, env...)
	if code != 1 || !strings.Contains(out, "has no container whose image is <IMAGE1_NAME>") {
		t.Errorf("a task definition without the placeholder: exit %d; want 1 and why\n%s", code, out)
	}
}

// The console link is the region's partition's.
func TestECSDeployLinksTheRegionsConsole(t *testing.T) {
	t.Parallel()
	for region, want := range map[string]string{
		"cn-north-1":    "https://console.amazonaws.cn/ecs/v2/clusters/orders-api-staging/services/orders-api/deployments?region=cn-north-1",
		"us-gov-west-1": "https://console.amazonaws-us-gov.com/ecs/v2/clusters/orders-api-staging/services/orders-api/deployments?region=us-gov-west-1",
	} {
		r, env := releaseRun(t, "service", "success")
		r.set(t, "service-image", newImage)
		// A cluster given by ARN links by its name.
		code, out := r.exec(t, ECSDeploy, append(env, "ENV_REGION="+region, "CLUSTER=arn:aws:ecs:"+region+":222222222222:cluster/orders-api-staging")...)
		if code != 0 {
			t.Fatalf("%s: exit %d\n%s", region, code, out)
		}
		wants(t, region+": output", out, "already deployed: orders-api runs it and no deployment is under way ("+want+")")
	}
}
