#!/usr/bin/env bash
# Deploy stage on ECS's own engine: releases an image to an ECS service whose deployment
# controller is ECS and whose strategy is BLUE_GREEN, CANARY or LINEAR, and waits for ECS's own
# verdict on that service deployment (its stages, alarms, lifecycle hooks and bake time). The
# stage passes only when the deployment is SUCCESSFUL and the revision it deployed runs this
# image; a rollback fails it, with ECS's reasons.
#
# Two ways in:
#   MODE=stack    the environment stack owns the service and takes the image as a parameter: the
#                 stack is updated with the new image, its previous template and every other
#                 parameter as it was, as the release role. CloudFormation registers the task
#                 definition and updates the service; ECS deploys.
#   MODE=service  an imported service the stack does not own: the task definition is registered
#                 here, and the service updated with it and its deployment configuration.
#
# Inputs (environment):
#   IMAGE_DETAIL      path of imageDetail.json (the new image, by digest)
#   DEPLOY_ROLE_ARN   the environment's deploy role, assumed for every later call (again before
#                     its credentials expire: a release can outlast them)
#   ENV_REGION        the environment's region
#   ENVIRONMENT       the environment's name, for messages
#   CLUSTER, SERVICE  the ECS service
#   MODE              stack or service
#   with MODE=stack:
#     STACK_NAME        the environment stack
#     IMAGE_PARAMETER   the stack parameter that holds the image
#     RELEASE_ROLE_ARN  the role CloudFormation acts as
#     BUSY_WAIT_SECONDS how long an update of the stack already under way (cdk deploy) may take
#                       to end before this one starts; default 900
#   with MODE=service:
#     TASKDEF         path of the task definition (RegisterTaskDefinition's input), whose
#                     container image is <IMAGE1_NAME>
#     SERVICE_UPDATE  a JSON object: the service's deploymentConfiguration and loadBalancers
#                     (UpdateService's input)
#   WAIT_SECONDS      how long to follow the deployment; default 3600. ECS carries on past it.
#   POLL_SECONDS      between status checks; default 15
#   AWS_RETRY_MODE, AWS_MAX_ATTEMPTS   default adaptive and 10 (see below)
#
# Exit status: 0 deployed, or already deployed; 1 not deployed, or the outcome is not known in
# time (the message says which); 143 on SIGTERM and 130 on SIGINT, when the release carries on
# in ECS and a retried run follows it to its end.
#
# The deployment followed is the newest ECS lists as created after the update (less a minute,
# for the clocks); none within 5 minutes fails the stage. The stage never stops or cancels a
# deployment: ECS rolls back on its own alarms and hooks, and one still running when the stage
# gives up is left to finish.
set -euo pipefail
shopt -s inherit_errexit

log() { printf 'ecs-deploy: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# ECS throttles its API per account and region, which pipelines and services share; the CLI's
# default of three attempts turns a throttled poll into a failed release, while adaptive mode
# backs off and waits.
export AWS_RETRY_MODE=${AWS_RETRY_MODE:-adaptive} AWS_MAX_ATTEMPTS=${AWS_MAX_ATTEMPTS:-10}

# --- Inputs, all checked before the first call.
required=(IMAGE_DETAIL DEPLOY_ROLE_ARN ENV_REGION ENVIRONMENT CLUSTER SERVICE MODE)
case ${MODE:-} in
  stack) required+=(STACK_NAME IMAGE_PARAMETER RELEASE_ROLE_ARN) ;;
  service) required+=(TASKDEF SERVICE_UPDATE) ;;
  "") ;;
  *) die "MODE is '$MODE'; expected stack (the environment stack owns the service) or service (an imported service)" ;;
esac
for name in "${required[@]}"; do
  [[ -n ${!name:-} ]] || die "$name is required${MODE:+ with MODE=$MODE}"
done
wait_seconds=${WAIT_SECONDS:-3600} poll=${POLL_SECONDS:-15} busy_wait=${BUSY_WAIT_SECONDS:-900}
for name in WAIT_SECONDS POLL_SECONDS BUSY_WAIT_SECONDS; do
  value=${!name:-0}
  [[ $value =~ ^[0-9]+$ ]] || die "$name is '$value'; expected a whole number of seconds"
done
# A deployment that has not appeared this long after the update never will.
appear_seconds=300

[[ -f $IMAGE_DETAIL ]] || die "IMAGE_DETAIL $IMAGE_DETAIL is not a file"
detail="" image=""
read -r -d '' detail <"$IMAGE_DETAIL" || true
if [[ $detail =~ \"ImageURI\"[[:space:]]*:[[:space:]]*\"([^\"]*)\" ]]; then image=${BASH_REMATCH[1]}; fi
[[ $image =~ ^[^[:space:]@]+@(sha256:[0-9a-f]{64})$ ]] ||
  die "$IMAGE_DETAIL holds no image digest (got '$image'); only an image by digest is deployed"
digest=${BASH_REMATCH[1]}

if [[ $MODE == service ]]; then
  [[ -f $TASKDEF ]] || die "TASKDEF $TASKDEF is not a file"
  # One jq for every check: each start of jq takes a while.
  problem=$(jq -rn --rawfile taskdef "$TASKDEF" --arg path "$TASKDEF" --arg update "$SERVICE_UPDATE" '
    (try ($taskdef | fromjson) catch null) as $t
    | (try ($update | fromjson) catch null) as $u
    | if ($t | type) != "object" then "TASKDEF \($path) is not a JSON object"
      elif any($t.containerDefinitions[]?; .image == "<IMAGE1_NAME>") | not then
        "TASKDEF \($path) has no container whose image is <IMAGE1_NAME>, where the new image goes"
      elif ($u | type) != "object" then "SERVICE_UPDATE is not a JSON object"
      elif ($u | keys - ["deploymentConfiguration", "loadBalancers"]) != [] then
        "SERVICE_UPDATE has \($u | keys - ["deploymentConfiguration", "loadBalancers"] | join(", ")); it holds only deploymentConfiguration and loadBalancers"
      elif ($u.deploymentConfiguration.strategy? // "") as $s | any("BLUE_GREEN", "CANARY", "LINEAR"; . == $s) | not then
        "SERVICE_UPDATE: deploymentConfiguration.strategy is \"\($u.deploymentConfiguration.strategy? // "")\"; this step is for ECS deployments with strategy BLUE_GREEN, CANARY or LINEAR"
      elif $u.loadBalancers != null and ($u.loadBalancers | type) != "array" then "SERVICE_UPDATE: loadBalancers is not a list"
      else "" end')
  [[ -z $problem ]] || die "$problem"
fi

case $ENV_REGION in
  cn-*) console=https://console.amazonaws.cn ;;
  us-gov-*) console=https://console.amazonaws-us-gov.com ;;
  *) console="https://$ENV_REGION.console.aws.amazon.com" ;;
esac
link="$console/ecs/v2/clusters/${CLUSTER##*/}/services/${SERVICE##*/}/deployments?region=$ENV_REGION"
export AWS_DEFAULT_REGION=$ENV_REGION AWS_REGION=$ENV_REGION

# --- Exits. released: an update was sent, so an interruption leaves a release under way;
# following: the deployment being followed, named on an unexpected exit.
released="" following="" sleeper=""
on_exit() {
  local status=$?
  trap - EXIT
  [[ -z $sleeper ]] || kill "$sleeper" 2>/dev/null || true
  if [[ $status != 0 && -n $following ]]; then
    log "$ENVIRONMENT: deployment $following carries on in ECS: $link"
  fi
  exit "$status"
}
interrupted() {
  trap - INT TERM
  if [[ -n $released ]]; then
    log "$ENVIRONMENT: interrupted ($1); the release carries on in ECS$([[ $MODE == stack ]] && echo " and CloudFormation") and a retried run follows it to its end: $link"
  else
    log "$ENVIRONMENT: interrupted ($1) before anything was released"
  fi
  following=""
  exit "$2"
}
trap on_exit EXIT
trap 'interrupted SIGTERM 143' TERM
trap 'interrupted SIGINT 130' INT

now() { date -u +%s; }

# In the background: bash runs a trap only between commands, so a signal during a foreground
# sleep would wait for it.
pause() {
  ((poll > 0)) || return 0
  sleep "$poll" &
  sleeper=$!
  wait "$sleeper"
  sleeper=""
}

# took <seconds>: in minutes, or seconds when there are few.
took() {
  local seconds=$1
  if ((seconds >= 120)); then echo "$((seconds / 60)) minutes"; else echo "$seconds s"; fi
}

# --- Credentials. Every call but the assume-role runs as the deploy role, whose session lasts an
# hour at most (role chaining): it is renewed before it ends, from the project's own credentials,
# which therefore stay in the environment untouched.
key="" secret="" token="" renew_at=0
# assume <the time now>
assume() {
  local k="" s="" t=""
  read -r k s t < <(aws sts assume-role --role-arn "$DEPLOY_ROLE_ARN" \
    --role-session-name "ecs-deploy-$$" --duration-seconds 3600 \
    --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text) || true
  [[ -n $t && $t != None ]] || die "could not assume $DEPLOY_ROLE_ARN"
  key=$k secret=$s token=$t renew_at=$(($1 + 2700))
}
# fresh [the time]: renews the credentials when they near their end. Called at every poll and
# before every update, in this shell (a command substitution could not keep them).
fresh() {
  local t=${1:-$(now)}
  ((t < renew_at)) || assume "$t"
}
as_deployer() { AWS_ACCESS_KEY_ID=$key AWS_SECRET_ACCESS_KEY=$secret AWS_SESSION_TOKEN=$token aws "$@"; }

# jq: a list of fields as one line, separated by \x1f (no field may hold it or a line break).
line='def line: map(. // "" | tostring | gsub("[\n\r\u001f]"; " ")) | join("\u001f");'

# --- ECS.

# newest [list-service-deployments filters...]: the ARN of the service's newest deployment that
# passes them, or nothing.
# The CLI keeps times as they came (v1) or as ISO 8601 text (v2): either sorts.
newest() {
  local arn
  # shellcheck disable=SC2016 # `[]` is JMESPath's literal, not a command
  arn=$(as_deployer ecs list-service-deployments --cluster "$CLUSTER" --service "$SERVICE" "$@" --max-results 100 \
    --query 'sort_by(serviceDeployments || `[]`, &createdAt)[-1].serviceDeploymentArn' --output text) ||
    die "$ENVIRONMENT: cannot list the deployments of $SERVICE"
  [[ $arn == None ]] || printf '%s\n' "$arn"
}
in_flight() { newest --status PENDING IN_PROGRESS STOP_REQUESTED ROLLBACK_REQUESTED ROLLBACK_IN_PROGRESS; }

# service_runs_image: does the service's task definition run the image? Sets runs_image and
# service_images.
runs_image="" service_images=""
service_runs_image() {
  local fields status definition controller
  fields=$(as_deployer ecs describe-services --cluster "$CLUSTER" --services "$SERVICE" \
    --query 'services[0].[status, taskDefinition, deploymentController.type]' --output text)
  read -r status definition controller <<<"$fields"
  [[ $status != None ]] || status=missing
  [[ $status == ACTIVE ]] || die "$ENVIRONMENT: service $SERVICE in cluster $CLUSTER is ${status:-missing}, not ACTIVE"
  case ${controller:-None} in
    ECS | None) ;;
    *) die "$ENVIRONMENT: service $SERVICE has the $controller deployment controller; this step is for ECS's own (ECS)" ;;
  esac
  service_images=$(as_deployer ecs describe-task-definition --task-definition "$definition" \
    --query 'taskDefinition.containerDefinitions[].image' --output text)
  service_images=${service_images//$'\t'/ }
  runs_image=""
  [[ " $service_images " != *"@$digest "* ]] || runs_image=1
}

# already_deployed: the service runs the image. A deployment of it still under way (a run that
# was stopped, retried) is followed to its end; with none, the image is deployed.
already_deployed() {
  local arn
  arn=$(in_flight)
  if [[ -n $arn ]]; then
    log "$ENVIRONMENT: $SERVICE already has $image, and a deployment is under way (an earlier run's): following it"
    released=1
    follow "$arn" "$(now)" ""
  fi
  log "$ENVIRONMENT: $image is already deployed: $SERVICE runs it and no deployment is under way ($link)"
  exit 0
}

# follow_new <when the update was sent> <stack: wait for the stack too>: finds the deployment
# the update started and follows it.
follow_new() {
  local since=$1 with_stack=$2 after arn t
  # ECS's clock and this one may disagree by a little.
  TZ=UTC printf -v after '%(%Y-%m-%dT%H:%M:%SZ)T' "$((since - 60))"
  while :; do
    t=$(now)
    fresh "$t"
    arn=$(newest --created-at "after=$after")
    [[ -z $arn ]] || break
    if [[ -n $with_stack ]]; then
      stack_status=$(status_of_stack)
      case $stack_status in
        UPDATE_ROLLBACK_COMPLETE | UPDATE_ROLLBACK_FAILED)
          die "$ENVIRONMENT: stack $STACK_NAME ended $stack_status before ECS started a deployment: $(first_failure)" ;;
      esac
    fi
    if ((t - since >= appear_seconds)); then
      die "$ENVIRONMENT: ECS started no deployment of $SERVICE within $((appear_seconds / 60)) minutes of the update$([[ -n $with_stack ]] && echo " (stack $STACK_NAME is $stack_status)"); see $link"
    fi
    pause
  done
  follow "$arn" "$since" "$with_stack"
}

# follow <deployment ARN> <start of the wait> <stack: wait for the stack too>: polls the
# deployment to its end, and exits.
follow() {
  local arn=$1 start=$2 with_stack=$3 fields shown="" reached="" t status stage revision
  following=$arn
  log "$ENVIRONMENT: following deployment $arn: $link"
  while :; do
    t=$(now)
    fresh "$t"
    # Three words, none of them ever blank: the CLI prints None for what is missing.
    fields=$(as_deployer ecs describe-service-deployments --service-deployment-arns "$arn" \
      --query 'serviceDeployments[0].[status, lifecycleStage, targetServiceRevision.arn]' --output text)
    read -r status stage revision <<<"$fields"
    [[ $status != None ]] || status=""
    [[ $stage != None ]] || stage=""
    if [[ -n $status && "$status $stage" != "$shown" ]]; then
      log "$ENVIRONMENT: deployment ${arn##*/} $status${stage:+, stage $stage}"
      shown="$status $stage"
    fi
    case $status in
      PENDING | IN_PROGRESS) reached=${stage:-$reached} ;;
      SUCCESSFUL) succeeded "$arn" "$revision" "$start" "$with_stack" ;;
      STOPPED | ROLLBACK_SUCCESSFUL | ROLLBACK_FAILED) failed "$arn" "$status" "${reached:-${stage:-unknown}}" ;;
      # ROLLBACK_REQUESTED, ROLLBACK_IN_PROGRESS and STOP_REQUESTED are on their way to an end;
      # "" is a deployment not yet described.
    esac
    if ((t - start >= wait_seconds)); then
      following=""
      die "$ENVIRONMENT: deployment $arn still ${status:-not described}${stage:+ at stage $stage} after $(took $((t - start))) (WAIT_SECONDS=$wait_seconds); ECS carries on ($link)"
    fi
    pause
  done
}

# failed <deployment ARN> <its status> <the stage it reached>: ECS rolled the deployment back or
# stopped it; one line says why, from everything ECS tells.
failed() {
  local arn=$1 json fields message reason rollback alarms hooks breaker
  following=""
  json=$(as_deployer ecs describe-service-deployments --service-deployment-arns "$arn" \
    --query 'serviceDeployments[0]' --output json)
  fields=$(jq -r "$line"'
    [.statusReason, .rollback.reason,
     (if (.alarms.triggeredAlarmNames // []) != [] then .alarms.triggeredAlarmNames | join(", ")
      elif .alarms.status == "TRIGGERED" then "TRIGGERED" else "" end),
     ([.lifecycleHookDetails[]? | select(.status == "FAILED" or .status == "TIMED_OUT")
       | "\((.targetArn // .hookId // "?") | sub(".*:function:"; "")) \(.status)"] | join(", ")),
     (if .deploymentCircuitBreaker.status == "TRIGGERED"
      then "triggered after \(.deploymentCircuitBreaker.failureCount) failed tasks (threshold \(.deploymentCircuitBreaker.threshold))"
      else "" end)] | line' <<<"$json")
  IFS=$'\x1f' read -r reason rollback alarms hooks breaker <<<"$fields"
  message="$ENVIRONMENT: the release of $image failed: deployment $arn ended $2 at stage $3"
  [[ -z $reason ]] || message+="; reason: $reason"
  [[ -z $rollback ]] || message+="; rollback: $rollback"
  [[ -z $alarms ]] || message+="; alarms triggered: $alarms"
  [[ -z $hooks ]] || message+="; lifecycle hooks: $hooks"
  [[ -z $breaker ]] || message+="; circuit breaker: $breaker"
  die "$message; see $link"
}

# succeeded <deployment ARN> <its target revision> <start of the wait> <stack>: the deployment is
# SUCCESSFUL; it is ours if its revision runs the image, and done when the stack is too.
succeeded() {
  local arn=$1 revision=$2 start=$3 with_stack=$4 images t name runs=""
  following=""
  [[ -n $revision ]] || die "$ENVIRONMENT: deployment $arn is SUCCESSFUL but names no target revision; see $link"
  # Each container's resolved digest and image, one a line.
  images=$(as_deployer ecs describe-service-revisions --service-revision-arns "$revision" \
    --query 'serviceRevisions[0].containerImages[].[imageDigest, image]' --output text)
  if [[ $images != *"$digest"* ]]; then
    while read -r _ name; do runs+="${runs:+, }$name"; done <<<"$images"
    die "$ENVIRONMENT: deployment $arn is SUCCESSFUL, but its revision runs ${runs:-no image}, not $image: another deployment won the race; see $link"
  fi
  if [[ -n $with_stack ]]; then
    while :; do
      t=$(now)
      fresh "$t"
      stack_status=$(status_of_stack)
      case $stack_status in
        UPDATE_COMPLETE) break ;;
        *_IN_PROGRESS) ;;
        *) die "$ENVIRONMENT: deployment $arn is SUCCESSFUL, but stack $STACK_NAME ended $stack_status: $(first_failure)" ;;
      esac
      if ((t - start >= wait_seconds)); then
        die "$ENVIRONMENT: deployment $arn is SUCCESSFUL, but stack $STACK_NAME is still $stack_status after $(took $((t - start))) (WAIT_SECONDS=$wait_seconds); CloudFormation carries on"
      fi
      pause
    done
  fi
  log "$ENVIRONMENT: deployed $image: deployment $arn SUCCESSFUL after $(took $(($(now) - start))): $link"
  exit 0
}

# --- CloudFormation.

# read_stack: sets stack_status, stack_image (the parameter's value), has_parameter and
# other_parameters (the other keys, in the stack's order).
stack_status="" stack_image="" has_parameter="" other_parameters=""
read_stack() {
  local json fields
  json=$(as_deployer cloudformation describe-stacks --stack-name "$STACK_NAME" --query 'Stacks[0]' \
    --output json) || die "$ENVIRONMENT: cannot read stack $STACK_NAME"
  fields=$(jq -r --arg p "$IMAGE_PARAMETER" "$line"'
    (.Parameters // []) as $all
    | [.StackStatus, ($all | map(select(.ParameterKey == $p)) | .[0].ParameterValue),
       (if any($all[]; .ParameterKey == $p) then "yes" else "" end),
       ($all | map(.ParameterKey | select(. != $p)) | join(" "))] | line' <<<"$json")
  IFS=$'\x1f' read -r stack_status stack_image has_parameter other_parameters <<<"$fields"
}

status_of_stack() {
  as_deployer cloudformation describe-stacks --stack-name "$STACK_NAME" --query 'Stacks[0].StackStatus' \
    --output text || die "$ENVIRONMENT: cannot read stack $STACK_NAME"
}

# first_failure: the first resource that failed in the stack's latest operation, and why.
first_failure() {
  local json
  json=$(as_deployer cloudformation describe-stack-events --stack-name "$STACK_NAME" --max-items 500 \
    --output json) || { echo "(its events could not be read)"; return 0; }
  jq -r --arg s "$STACK_NAME" '
    (.StackEvents // []) as $events
    # Newest first: the operation began at the stack'"'"'s latest UPDATE_IN_PROGRESS.
    | ([$events | to_entries[] | select(.value.LogicalResourceId == $s and .value.ResourceStatus == "UPDATE_IN_PROGRESS")
        | .key] | first // ($events | length)) as $begun
    | [$events[:$begun][] | select(.LogicalResourceId != $s and (.ResourceStatus // "" | endswith("_FAILED")))] | last
    | if . == null then "no resource failure in its events"
      else "\(.LogicalResourceId) \(.ResourceStatus): \(.ResourceStatusReason // "no reason given")" end' <<<"$json"
}

stack_release() {
  local start shown="" arn name t problem parameters=()
  # 1. An update under way (someone runs cdk deploy) must end first. One that is releasing this
  # very image is an earlier run's, stopped and retried: it is followed instead.
  start=$(now)
  fresh "$start"
  read_stack
  while [[ $stack_status == *_IN_PROGRESS && $stack_status != REVIEW_IN_PROGRESS && $stack_status != DELETE_IN_PROGRESS ]]; do
    if [[ $stack_image == "$image" ]]; then
      arn=$(in_flight)
      if [[ -n $arn ]]; then
        log "$ENVIRONMENT: stack $STACK_NAME is already releasing $image (an earlier run's update): following it"
        released=1
        follow "$arn" "$(now)" stack
      fi
    fi
    t=$(now)
    if ((t - start >= busy_wait)); then
      die "$ENVIRONMENT: stack $STACK_NAME is still $stack_status after $(took $((t - start))) (BUSY_WAIT_SECONDS=$busy_wait): another update of it is under way; release again once it ends"
    fi
    if [[ $stack_status != "$shown" ]]; then
      log "$ENVIRONMENT: stack $STACK_NAME is $stack_status; waiting for it to end"
      shown=$stack_status
    fi
    pause
    fresh
    read_stack
  done
  case $stack_status in
    CREATE_COMPLETE | UPDATE_COMPLETE | UPDATE_ROLLBACK_COMPLETE | IMPORT_COMPLETE | IMPORT_ROLLBACK_COMPLETE) ;;
    UPDATE_ROLLBACK_FAILED)
      die "$ENVIRONMENT: stack $STACK_NAME is UPDATE_ROLLBACK_FAILED and cannot be updated: continue its rollback (aws cloudformation continue-update-rollback) first" ;;
    *) die "$ENVIRONMENT: stack $STACK_NAME is $stack_status and cannot be updated" ;;
  esac
  [[ -n $has_parameter ]] ||
    die "$ENVIRONMENT: stack $STACK_NAME has no parameter $IMAGE_PARAMETER: deploy the environment stack with engine ecs first"

  # 2. The update: the previous template, the new image, every other parameter as it was.
  for name in $other_parameters; do
    parameters+=("ParameterKey=$name,UsePreviousValue=true")
  done
  start=$(now)
  fresh "$start"
  released=1
  if problem=$(as_deployer cloudformation update-stack --stack-name "$STACK_NAME" --use-previous-template \
    --role-arn "$RELEASE_ROLE_ARN" --capabilities CAPABILITY_IAM CAPABILITY_NAMED_IAM \
    --parameters "ParameterKey=$IMAGE_PARAMETER,ParameterValue=$image" "${parameters[@]}" \
    --query StackId --output text 2>&1 >/dev/null); then
    log "$ENVIRONMENT: updating stack $STACK_NAME to $image"
    follow_new "$start" stack
  fi
  released=""
  [[ $problem == *"No updates are to be performed"* ]] ||
    die "$ENVIRONMENT: could not update stack $STACK_NAME: $problem"
  # 3. The stack holds the image already: a retried run after the release, or the same image
  # again.
  service_runs_image
  [[ -n $runs_image ]] ||
    die "$ENVIRONMENT: stack $STACK_NAME holds $image already, but $SERVICE runs $service_images; was the service changed outside CloudFormation?"
  already_deployed
}

service_release() {
  local definition revision input start
  service_runs_image
  [[ -z $runs_image ]] || already_deployed
  # Fields describe-task-definition adds, which registration refuses, are dropped.
  definition=$(jq -c --arg image "$image" '
    del(.taskDefinitionArn, .revision, .status, .requiresAttributes, .compatibilities,
        .registeredAt, .registeredBy, .deregisteredAt)
    | .containerDefinitions |= map(if .image == "<IMAGE1_NAME>" then .image = $image else . end)' "$TASKDEF")
  revision=$(as_deployer ecs register-task-definition --cli-input-json "$definition" \
    --query taskDefinition.taskDefinitionArn --output text) || die "$ENVIRONMENT: could not register the task definition"
  [[ $revision == arn:* ]] || die "$ENVIRONMENT: registering the task definition gave no ARN ('$revision')"
  log "$ENVIRONMENT: registered $revision with $image"
  input=$(jq -c --arg cluster "$CLUSTER" --arg service "$SERVICE" --arg revision "$revision" '
    {cluster: $cluster, service: $service, taskDefinition: $revision}
    + (with_entries(select(.key == "deploymentConfiguration" or .key == "loadBalancers")))' <<<"$SERVICE_UPDATE")
  start=$(now)
  fresh "$start"
  released=1
  as_deployer ecs update-service --cli-input-json "$input" --query service.serviceArn --output text >/dev/null ||
    die "$ENVIRONMENT: could not update service $SERVICE"
  log "$ENVIRONMENT: updated $SERVICE to $revision"
  follow_new "$start" ""
}

assume "$(now)"
if [[ $MODE == stack ]]; then stack_release; else service_release; fi
