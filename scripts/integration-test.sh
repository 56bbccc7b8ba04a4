#!/usr/bin/env bash
# IntegrationTest stage: runs the new image and the integration-test command side by side in a
# temporary Fargate task in an environment's cluster, and fails unless the test passes.
#
# ECS cannot override a container image at run time, so this registers a revision of the test
# task definition (family <environment>-it, owned by the environment stack: both containers,
# logging, ports, health check, roles) with the new image, runs it, and deregisters it after.
# It never creates IAM or logging resources. The task is stopped on every exit path.
#
# Inputs (environment):
#   IMAGE_DETAIL      path of imageDetail.json (the new image, by digest)
#   TEST_IMAGE_DETAIL optional; path of testImageDetail.json, the test container's own image
#   DEPLOY_ROLE_ARN   the environment's deploy role, assumed for every ECS call
#   ENV_REGION        the environment's region
#   CLUSTER, FAMILY   where and what to run
#   NETWORK_PARAMETER Parameter Store name holding "<subnet ids, comma separated> <security group>"
#                     (ids are not physical names, so the environment stack publishes them)
#   LOG_GROUP         where the test task logs, for the message at the end
#   TIMEOUT_SECONDS   after which the task is stopped and the stage fails; default 900
#   POLL_SECONDS      between status checks; default 15
#   AWS_RETRY_MODE, AWS_MAX_ATTEMPTS   default adaptive and 10 (see below)
#
# A test task older than the timeout that an earlier run left running (its build was killed
# before it could stop it) is stopped at the start.
set -euo pipefail

log() { printf 'integration-test: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# ECS throttles its API per account and region, which pipelines and services share; the CLI's
# default of three attempts turns a throttled poll into a failed release, while adaptive mode
# backs off and waits.
export AWS_RETRY_MODE=${AWS_RETRY_MODE:-adaptive} AWS_MAX_ATTEMPTS=${AWS_MAX_ATTEMPTS:-10}

: "${IMAGE_DETAIL:?IMAGE_DETAIL is required}"
: "${DEPLOY_ROLE_ARN:?DEPLOY_ROLE_ARN is required}"
: "${ENV_REGION:?ENV_REGION is required}"
: "${CLUSTER:?CLUSTER is required}"
: "${NETWORK_PARAMETER:?NETWORK_PARAMETER is required}"
: "${FAMILY:?FAMILY is required}"
timeout=${TIMEOUT_SECONDS:-900}
poll=${POLL_SECONDS:-15}

image=$(sed -n 's/.*"ImageURI"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$IMAGE_DETAIL")
[[ $image == *@sha256:* ]] || die "$IMAGE_DETAIL holds no image digest (got '$image')"
# The test container runs the integration test's own image when the build made one, else the
# app image: test tools need not ship in production's image.
test_image=$image
if [[ -n ${TEST_IMAGE_DETAIL:-} && -f $TEST_IMAGE_DETAIL ]]; then
  test_image=$(sed -n 's/.*"ImageURI"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$TEST_IMAGE_DETAIL")
  [[ $test_image == *@sha256:* ]] || die "$TEST_IMAGE_DETAIL holds no image digest (got '$test_image')"
fi

# Every ECS call runs as the environment's deploy role, in the environment's region.
read -r key secret token < <(aws sts assume-role --role-arn "$DEPLOY_ROLE_ARN" \
  --role-session-name "integration-test-$$" --duration-seconds 3600 \
  --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text)
[[ -n ${token:-} ]] || die "could not assume $DEPLOY_ROLE_ARN"
export AWS_ACCESS_KEY_ID=$key AWS_SECRET_ACCESS_KEY=$secret AWS_SESSION_TOKEN=$token
export AWS_DEFAULT_REGION=$ENV_REGION AWS_REGION=$ENV_REGION

# 0. Orphans first: a build killed outright (no trap runs on SIGKILL or a lost host) leaves its test
# task running, holding capacity and, for a hung test, running until someone notices. Any of
# this family's test tasks older than the timeout is such an orphan; a younger one may belong to
# a run still in progress, and is left alone.
# ListTasks takes startedBy only as its sole filter, so the family is filtered there and the
# starter here.
stop_orphans() {
  local listed arns=() rows arn started_at started now
  listed=$(aws ecs list-tasks --cluster "$CLUSTER" --family "$FAMILY" --desired-status RUNNING \
    --query taskArns --output text) || return 1
  # One line per page of results; read -d '' takes them all, and ends with status 1 at the end.
  read -r -d '' -a arns <<<"${listed//None/}" || true
  now=$(date -u +%s)
  while ((${#arns[@]} > 0)); do
    # DescribeTasks takes 100 tasks at a time.
    rows=$(aws ecs describe-tasks --cluster "$CLUSTER" --tasks "${arns[@]:0:100}" \
      --query "tasks[?startedBy=='ecsdelivery-integration-test'].[taskArn, startedAt || createdAt]" \
      --output text) || return 1
    arns=("${arns[@]:100}")
    while read -r arn started_at; do
      [[ -n $arn ]] || continue
      # The CLI prints times in ISO 8601 (v2) or as epoch seconds (v1's "none" format); date -d
      # would take "" as today's midnight, so the form is checked first.
      if [[ $started_at =~ ^[0-9]+(\.[0-9]+)?$ ]]; then
        started=${started_at%.*}
      elif [[ $started_at =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T ]] && started=$(date -u -d "$started_at" +%s); then
        :
      else
        log "cannot read when $arn started ('$started_at'); leaving it"
        continue
      fi
      ((now - started > timeout)) || continue
      log "stopping $arn, started $((now - started)) s ago: an orphan of an earlier run"
      aws ecs stop-task --cluster "$CLUSTER" --task "$arn" \
        --reason "orphaned integration test (older than the timeout)" >/dev/null || return 1
    done <<<"$rows"
  done
}
# Called in a condition, so errexit is off inside: stop_orphans returns on each failure itself.
stop_orphans || log "could not clean up orphaned test tasks; continuing"

read -r subnets security_group < <(aws ssm get-parameter --name "$NETWORK_PARAMETER" \
  --query Parameter.Value --output text)
[[ -n ${security_group:-} ]] || die "$NETWORK_PARAMETER does not name the subnets and security group"

revision="" task="" sleeper=""
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  [[ -z $sleeper ]] || kill "$sleeper" 2>/dev/null || true
  if [[ -n $task ]]; then
    # Stopping a stopped task is harmless; a running one must not outlive the stage.
    aws ecs stop-task --cluster "$CLUSTER" --task "$task" --reason "integration test ended" >/dev/null 2>&1 ||
      log "could not stop $task"
  fi
  if [[ -n $revision ]]; then
    aws ecs deregister-task-definition --task-definition "$revision" >/dev/null 2>&1 ||
      log "could not deregister $revision"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 143' INT TERM

# 1. A revision of the test task definition with the new image in both containers.
template=$(aws ecs describe-task-definition --task-definition "$FAMILY" --query taskDefinition --output json)
definition=$(IMAGE="$image" TEST_IMAGE="$test_image" node -e '
  let s = ""; process.stdin.on("data", d => s += d).on("end", () => {
    const t = JSON.parse(s);
    const keep = ["family", "taskRoleArn", "executionRoleArn", "networkMode", "containerDefinitions",
      "volumes", "requiresCompatibilities", "cpu", "memory", "runtimePlatform"];
    const out = {};
    for (const k of keep) if (t[k] !== undefined) out[k] = t[k];
    for (const c of out.containerDefinitions) c.image = c.name === "test" ? process.env.TEST_IMAGE : process.env.IMAGE;
    process.stdout.write(JSON.stringify(out));
  });' <<<"$template")
revision=$(aws ecs register-task-definition --cli-input-json "$definition" \
  --query taskDefinition.taskDefinitionArn --output text)
log "registered $revision with $image$([[ $test_image == "$image" ]] || echo " (test container: $test_image)")"

# 2. Run it in the environment's private subnets.
network="awsvpcConfiguration={subnets=[$subnets],securityGroups=[$security_group],assignPublicIp=DISABLED}"
# Fargate may lack capacity for a moment (RESOURCE:*, "Capacity is unavailable"): that, and only
# that, is tried once more, after a pause. A test that fails is never run twice, so a flaky
# test cannot pass on its second try.
for attempt in 1 2; do
  read -r task failure < <(aws ecs run-task --cluster "$CLUSTER" --task-definition "$revision" \
    --launch-type FARGATE --network-configuration "$network" --started-by ecsdelivery-integration-test \
    --tags key=ecsdelivery:purpose,value=integration-test \
    --query '[tasks[0].taskArn, failures[0].reason]' --output text)
  [[ -n $task && $task != None ]] && break
  task=""
  if [[ $attempt == 1 && ( $failure == RESOURCE:* || $failure == *[Cc]apacity* ) ]]; then
    log "the test task could not start ($failure); trying once more in ${RETRY_SECONDS:-30} s"
    sleep "${RETRY_SECONDS:-30}" &
    sleeper=$!
    wait "$sleeper"
    continue
  fi
  die "the test task could not start: ${failure:-unknown reason}"
done
log "started $task"

# 3. Wait for it to stop, within the timeout.
deadline=$((SECONDS + timeout))
while :; do
  read -r status stop_reason < <(aws ecs describe-tasks --cluster "$CLUSTER" --tasks "$task" \
    --query 'tasks[0].[lastStatus, stoppedReason]' --output text)
  [[ $status == STOPPED ]] && break
  ((SECONDS < deadline)) || die "the test task did not finish within $timeout s; stopping it"
  # In the background: bash runs a trap only between commands, so a TERM during a foreground
  # sleep would wait for it.
  sleep "$poll" &
  sleeper=$!
  wait "$sleeper"
done

log "logs: CloudWatch log group ${LOG_GROUP:-?}, streams it/test/${task##*/} and it/app/${task##*/}"
test_exit=$(aws ecs describe-tasks --cluster "$CLUSTER" --tasks "$task" \
  --query "tasks[0].containers[?name=='test'].exitCode | [0]" --output text)
case $test_exit in
  0) log "integration tests passed" ;;
  None | "") die "the test container did not run: $stop_reason" ;;
  *) die "integration tests failed (exit $test_exit)" ;;
esac
