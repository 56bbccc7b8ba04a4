#!/usr/bin/env bash
# VerifySignature, before every deploy stage: the release's image, by digest, carries a COMPLETE
# signature of the pipeline's AWS Signer profile (ECR managed signing, Notation format), and that
# profile is Active. Anything else stops the stage, with one line saying why. It runs in the
# pipeline account and only reads: signer:GetSigningProfile and ecr:DescribeImageSigningStatus.
#
# Inputs (environment):
#   IMAGE_DETAIL      path of imageDetail.json: {"ImageURI": "<account>.dkr.ecr.<region>.amazonaws.com
#                     [.cn]/<repository>@sha256:<64 hex>"}; nothing else is taken
#   SIGNING_PROFILE   the Signer profile's name (letters, digits and _, 2 to 64 of them)
#   ENVIRONMENT       the environment about to be deployed, for messages
#   WAIT_SECONDS      how long a signature still IN_PROGRESS is waited for; default 300
#   POLL_SECONDS      between checks; default 10
#   AWS_RETRY_MODE, AWS_MAX_ATTEMPTS   default adaptive and 10 (see below)
# Every call goes to the repository's region and registry (account), both read from the image
# URI; the region CodeBuild sets (AWS_REGION, AWS_DEFAULT_REGION) is not used for them. The
# profile is looked up in that region, in the pipeline's account.
#
# A signing status is our profile's when its signingProfileArn is the profile's ARN as
# GetSigningProfile returns it (partition, region, account and name), or the ARN of its current
# version (<profile ARN>/<version>). The same name in another account or region, another
# version of the profile (a revoked one, say) or another profile is not ours.
#
# Exit status: 0 the image carries a complete signature of the Active profile; 1 it does not, or
# that cannot be told (the message says which; an AWS error never passes); 143 on SIGTERM and 130
# on SIGINT. The step changes nothing, so there is nothing to clean up.
set -euo pipefail
shopt -s inherit_errexit

log() { printf 'verify-signature: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# ECR and Signer throttle per account and region, which this pipeline shares; the CLI's default
# of three attempts turns a throttled check into a failed release, while adaptive mode backs off
# and waits.
export AWS_RETRY_MODE=${AWS_RETRY_MODE:-adaptive} AWS_MAX_ATTEMPTS=${AWS_MAX_ATTEMPTS:-10}

# --- Inputs, all checked before the first call.
for name in IMAGE_DETAIL SIGNING_PROFILE ENVIRONMENT; do
  [[ -n ${!name:-} ]] || die "$name is required"
done
profile=$SIGNING_PROFILE
[[ $profile =~ ^[A-Za-z0-9_]{2,64}$ ]] ||
  die "SIGNING_PROFILE is '$profile'; expected a Signer profile name (2 to 64 letters, digits or _)"
wait_seconds=${WAIT_SECONDS:-300} poll=${POLL_SECONDS:-10}
for name in WAIT_SECONDS POLL_SECONDS; do
  value=${!name:-0}
  [[ $value =~ ^[0-9]+$ ]] || die "$name is '$value'; expected a whole number of seconds"
done

[[ -f $IMAGE_DETAIL ]] || die "IMAGE_DETAIL $IMAGE_DETAIL is not a file"
# Read without jq, as in ecs-deploy.sh: each start of jq takes a while.
detail="" image=""
read -r -d '' detail <"$IMAGE_DETAIL" || true
if [[ $detail =~ \"ImageURI\"[[:space:]]*:[[:space:]]*\"([^\"]*)\" ]]; then image=${BASH_REMATCH[1]}; fi
[[ -n $image ]] || die "$IMAGE_DETAIL holds no ImageURI (expected {\"ImageURI\": \"<image>@sha256:<digest>\"})"
form="<account>.dkr.ecr.<region>.amazonaws.com[.cn]/<repository>@sha256:<64 hex>"
[[ $image =~ ^([^@]+)@(sha256:[0-9a-f]{64})$ ]] ||
  die "$IMAGE_DETAIL holds no image digest (got '$image'); only an image by digest is verified: $form"
digest=${BASH_REMATCH[2]}
[[ ${BASH_REMATCH[1]} =~ ^([0-9]{12})\.dkr\.ecr\.([a-z]{2}(-[a-z]+)+-[0-9]+)\.amazonaws\.com(\.cn)?/(.+)$ ]] ||
  die "$IMAGE_DETAIL names an image outside a private ECR registry (got '$image'); expected $form"
account=${BASH_REMATCH[1]} region=${BASH_REMATCH[2]} china=${BASH_REMATCH[4]} repository=${BASH_REMATCH[5]}
if [[ $region == cn-* && -z $china || $region != cn-* && -n $china ]]; then
  die "$IMAGE_DETAIL names a registry whose domain is not its region's (got '$image'); expected $form"
fi
# ECR's repository names, as botocore's model has them.
name_part='[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*'
[[ $repository =~ ^$name_part(/$name_part)*$ && ${#repository} -ge 2 && ${#repository} -le 256 ]] ||
  die "$IMAGE_DETAIL names repository '$repository', which is no ECR repository name (got '$image')"

refuse() { die "not deploying to $ENVIRONMENT: $*"; }

# --- Exits.
errors="" sleeper=""
on_exit() {
  local status=$?
  trap - EXIT
  [[ -z $sleeper ]] || kill "$sleeper" 2>/dev/null || true
  [[ -z $errors ]] || rm -f "$errors"
  exit "$status"
}
interrupted() {
  trap - INT TERM
  log "interrupted ($1) while verifying the signature of $image; nothing was deployed to $ENVIRONMENT"
  exit "$2"
}
trap on_exit EXIT
trap 'interrupted SIGTERM 143' TERM
trap 'interrupted SIGINT 130' INT
errors=$(mktemp)

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

# call <aws arguments...>: the CLI's answer in $answer; on failure, status 1 and the CLI's error
# as one line in $error. A CLI too old to know the command stops the run here.
answer="" error=""
call() {
  local status=0 version
  answer=$(aws "$@" --region "$region" --output json 2>"$errors") || status=$?
  ((status != 0)) || return 0
  error=$(tr -s '[:space:]' ' ' <"$errors")
  error=${error# } error=${error% }
  if [[ $error == *"Invalid choice"* ]]; then
    version=$(aws --version 2>&1 | head -n 1) || true
    die "the AWS CLI in the build image (${version:-version unknown}) is too old: it does not know 'aws $1 $2' (exit $status, \"Invalid choice\"); use a build image whose CLI is newer than ECR managed signing (November 2025)"
  fi
  [[ -n $error ]] || error="the AWS CLI failed (exit $status) and said nothing"
  return 1
}

# jq: a list of fields as one line, separated by \x1f (no field may hold it or a line break).
line='def line: map(. // "" | tostring | gsub("[\n\r\u001f]"; " ")) | join("\u001f");'

# --- 1. The profile: Active, and its ARN, against which the statuses are compared.
call signer get-signing-profile --profile-name "$profile" || {
  case $error in
    *"(ResourceNotFoundException)"*)
      refuse "signing profile $profile does not exist in $region in the pipeline's account: $error" ;;
    *) die "cannot read signing profile $profile in $region, so the signature cannot be verified: $error" ;;
  esac
}
fields=$(jq -r "$line"'
  [.status, .arn, .profileVersionArn, .platformId, .statusReason, .revocationRecord.revokedAt,
   .revocationRecord.revokedBy, .revocationRecord.revocationEffectiveFrom] | line' <<<"$answer") ||
  die "GetSigningProfile answered no JSON: $answer"
IFS=$'\x1f' read -r status profile_arn version_arn platform reason revoked_at revoked_by effective <<<"$fields"
case $status in
  Active) ;;
  Revoked)
    refuse "signing profile $profile is Revoked (revoked at ${revoked_at:-an unknown time} by ${revoked_by:-someone unknown}${effective:+, effective from $effective}${reason:+: $reason}): images it signed are no longer trusted; sign releases with an Active profile" ;;
  Canceled)
    refuse "signing profile $profile is Canceled${reason:+ ($reason)}: it signs nothing any more, and its signatures are not taken for a release; sign releases with an Active profile" ;;
  *) refuse "signing profile $profile is ${status:-of no status}, not Active" ;;
esac
[[ $profile_arn =~ ^arn:aws(-[a-z]+)*:signer:$region:[0-9]{12}:/signing-profiles/$profile$ ]] ||
  die "GetSigningProfile gave signing profile $profile the ARN '$profile_arn'; expected arn:<partition>:signer:$region:<account>:/signing-profiles/$profile"
[[ $version_arn == "$profile_arn"/* ]] || version_arn=""
# ECR managed signing signs with Notation; a profile of another platform can sign no image.
if [[ -n $platform && $platform != Notation-OCI-SHA384-ECDSA ]]; then
  refuse "signing profile $profile is for platform $platform; ECR managed signing needs Notation-OCI-SHA384-ECDSA"
fi

# --- 2. The image's signing status, polled while our profile's signature is IN_PROGRESS.
# describe: sets verdict, the outcome for our profile and its details, as one line.
verdict=""
describe() {
  call ecr describe-image-signing-status --registry-id "$account" --repository-name "$repository" \
    --image-id "imageDigest=$digest" || {
    case $error in
      *"(ImageNotFoundException)"*)
        refuse "image not found: repository $repository of registry $account in $region holds no image $digest ($error)" ;;
      *"(RepositoryNotFoundException)"*)
        refuse "repository not found: registry $account in $region has no repository $repository ($error)" ;;
      *) die "cannot read the signing status of $image, so it is not deployed to $ENVIRONMENT: $error" ;;
    esac
  }
  # Our profile's statuses decide; other profiles' are named only when ours has none.
  verdict=$(jq -r --arg arn "$profile_arn" --arg version "$version_arn" "$line"'
    [.signingStatuses[]? | select(type == "object")] as $all
    | [$all[] | select(.signingProfileArn == $arn or ($version != "" and .signingProfileArn == $version))] as $ours
    | [$all[] | select(.signingProfileArn != $arn and ($version == "" or .signingProfileArn != $version))] as $others
    | [$ours[] | select(.status == "COMPLETE")] as $complete
    | [$ours[] | select(.status == "FAILED")] as $failed
    | if $complete != [] then ["COMPLETE", $complete[0].signingProfileArn]
      elif any($ours[]; .status == "IN_PROGRESS") then ["IN_PROGRESS"]
      elif $failed != [] then ["FAILED", ($failed[0].failureCode // "no failure code"), ($failed[0].failureReason // "no reason given")]
      elif $ours != [] then ["UNKNOWN", ($ours | map(.status // "no status") | join(", "))]
      elif $others != [] then ["OTHERS", ($others | map("\(.signingProfileArn // "an unnamed profile") (\(.status // "no status"))") | join(", "))]
      else ["NONE"] end
    | line' <<<"$answer") || die "DescribeImageSigningStatus answered no JSON: $answer"
}

start=$(now) waiting=""
while :; do
  describe
  IFS=$'\x1f' read -r outcome detail more <<<"$verdict"
  case $outcome in
    COMPLETE)
      log "image $image carries a complete signature of profile $profile ($detail); deploying to $ENVIRONMENT"
      exit 0 ;;
    FAILED) refuse "signing image $image with profile $profile FAILED: $detail: $more" ;;
    UNKNOWN) refuse "the signature of image $image by profile $profile is $detail, not COMPLETE" ;;
    OTHERS) refuse "image $image is signed by $detail only, not by profile $profile ($profile_arn)" ;;
    NONE)
      refuse "image $image is unsigned: it has no signing status at all. Is ECR managed signing on for this repository? (the registry's signing configuration: aws ecr get-signing-configuration --region $region, a rule with profile $profile_arn whose filters match $repository)" ;;
    IN_PROGRESS) ;;
    *) die "cannot read the signing status of $image: $verdict" ;;
  esac
  t=$(now)
  if ((t - start >= wait_seconds)); then
    refuse "signing image $image with profile $profile is still in progress after $((t - start)) s (WAIT_SECONDS=$wait_seconds)"
  fi
  if [[ -z $waiting ]]; then
    log "signing image $image with profile $profile is in progress; waiting up to $wait_seconds s"
    waiting=1
  fi
  pause
done
