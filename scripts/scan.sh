#!/usr/bin/env bash
# Scan stage: Trivy, pinned and verified, scans the pushed image by digest and fails on the
# configured severities. Runs in CodeBuild with the source as primary input (for .trivyignore)
# and the build's deploy artifact as a secondary input (for imageDetail.json).
#
# Trivy reads no configuration from the repository: it runs in an empty directory of its own,
# so a trivy.yaml (which could set the severities or the exit code) or any other file in the
# source is never read. The one input the repository has is a .trivyignore (a regular file at
# its root), passed explicitly: its suppressions are reviewed with the code.
#
# Inputs (environment):
#   IMAGE_DETAIL          path of imageDetail.json
#   FAIL_ON               severities that fail the scan, comma separated, such as CRITICAL,HIGH
#   IGNORE_UNFIXED        "true" to skip findings without a fixed version
#   TRIVY_CACHE_DIR       cached between builds: the verified binary and the vulnerability DB
#   REPORT_DIR            where the JSON and JUnit reports and the CycloneDX SBOM (sbom.cdx.json)
#                         go; default reports
#   PLATFORM              optional; linux/amd64 or linux/arm64, the platform of the image's index
#                         to scan
#   TRIVY_DB_REPOSITORIES DB sources tried in order; default the three public mirrors
#   TRIVY_DB_MAX_AGE_HOURS  a DB last updated longer ago is refreshed, and refused if a fresh
#                         download is no newer; default 72
set -euo pipefail

# Releases were tampered with in March 2026 (CVE-2026-33634): only this archive, checked
# against this digest, is ever run.
TRIVY_VERSION=0.69.3
TRIVY_SHA256=1816b632dfe529869c740c0913e36bd1629cb7688bd5634f4a858c1d57c88b75
TRIVY_URL="https://github.com/aquasecurity/trivy/releases/download/v${TRIVY_VERSION}/trivy_${TRIVY_VERSION}_Linux-64bit.tar.gz"

log() { printf 'scan: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

: "${IMAGE_DETAIL:?IMAGE_DETAIL is required}"
: "${FAIL_ON:?FAIL_ON is required}"
src=$PWD
# Paths are made absolute here: Trivy runs elsewhere (see below).
absolute() { if [[ $1 == /* ]]; then printf '%s\n' "$1"; else printf '%s\n' "$src/$1"; fi; }
detail=$(absolute "$IMAGE_DETAIL")
cache=$(absolute "${TRIVY_CACHE_DIR:-$HOME/.cache/ecsdelivery-trivy}")
reports=$(absolute "${REPORT_DIR:-reports}")
db_repositories=${TRIVY_DB_REPOSITORIES:-public.ecr.aws/aquasecurity/trivy-db:2 mirror.gcr.io/aquasec/trivy-db:2 ghcr.io/aquasecurity/trivy-db:2}
max_age_hours=${TRIVY_DB_MAX_AGE_HOURS:-72}
[[ $max_age_hours =~ ^[1-9][0-9]*$ ]] || die "TRIVY_DB_MAX_AGE_HOURS '$max_age_hours' is not a whole number of hours"
mkdir -p "$cache" "$reports"

# Trivy reads trivy.yaml and .trivyignore from its working directory: it gets an empty one.
workdir=$(mktemp -d)
trap 'rm -rf "$workdir"' EXIT
cd "$workdir"
for name in trivy.yaml trivy.yml .trivyignore.yaml .trivyignore.yml; do
  if [[ -e $src/$name || -L $src/$name ]]; then
    log "ignoring $name in the source: Trivy reads no configuration from the repository"
  fi
done

# 1. Trivy: download once, verify every time (a cache can be tampered with too).
archive="$cache/trivy_${TRIVY_VERSION}.tar.gz"
if [[ ! -f $archive ]]; then
  log "downloading trivy $TRIVY_VERSION"
  curl --fail --silent --show-error --location --retry 3 --output "$archive.part" "$TRIVY_URL"
  mv "$archive.part" "$archive"
fi
if ! printf '%s  %s\n' "$TRIVY_SHA256" "$archive" | sha256sum --check --status; then
  rm -f "$archive"
  die "trivy archive does not match the pinned sha256 $TRIVY_SHA256; refusing to run it"
fi
tool="$cache/trivy-$TRIVY_VERSION"
mkdir -p "$tool"
tar -xzf "$archive" -C "$tool" trivy contrib/junit.tpl
trivy="$tool/trivy"

# 2. The vulnerability DB, plausible, from the first repository that answers (one may
# rate-limit). Trivy skips the download while the cached DB's NextUpdate is ahead, so a planted
# DB with a NextUpdate years away would silence every later scan: the cached DB's metadata is
# checked first, and the downloaded DB's after.

# seconds prints one of Trivy's RFC 3339 UTC times as epoch seconds. The form is checked first:
# date -d also takes "tomorrow", and "" as today's midnight.
seconds() {
  [[ $1 =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?Z$ ]] && date -u -d "$1" +%s
}

# db_problem prints why the DB in the cache is implausible, and nothing when it is plausible.
# Clocks may differ by 10 minutes; Trivy's DB is rebuilt every few hours, so a NextUpdate more
# than 48 h ahead was not written by its publisher.
db_problem() {
  local meta=$cache/db/metadata.json fields version next updated downloaded
  local next_s updated_s downloaded_s now skew=600
  fields=$(jq -r '[.Version, .NextUpdate, .UpdatedAt, .DownloadedAt] | map(tostring) | join(" ")' "$meta" 2>/dev/null) ||
    { echo "its metadata ($meta) is missing or not JSON"; return; }
  read -r version next updated downloaded <<<"$fields"
  [[ $version == 2 ]] || { echo "Version is '$version', not 2"; return; }
  next_s=$(seconds "$next") || { echo "NextUpdate '$next' is not a UTC time"; return; }
  updated_s=$(seconds "$updated") || { echo "UpdatedAt '$updated' is not a UTC time"; return; }
  downloaded_s=$(seconds "$downloaded") || { echo "DownloadedAt '$downloaded' is not a UTC time"; return; }
  now=$(date -u +%s)
  if ((updated_s > now + skew)); then
    echo "UpdatedAt $updated is in the future"
  elif ((downloaded_s > now + skew)); then
    echo "DownloadedAt $downloaded is in the future"
  elif ((next_s > now + 48 * 3600)); then
    echo "NextUpdate $next is more than 48 h ahead"
  elif ((updated_s < now - max_age_hours * 3600)); then
    echo "UpdatedAt $updated is more than $max_age_hours h ago"
  fi
}

if [[ -e $cache/db ]]; then
  problem=$(db_problem)
  if [[ -n $problem ]]; then
    log "the cached vulnerability DB is implausible: $problem; deleting it and downloading a fresh one"
    rm -rf "$cache/db"
  fi
fi
db_ok=false
for repository in $db_repositories; do
  if "$trivy" image --download-db-only --cache-dir "$cache" --db-repository "$repository" --no-progress; then
    db_ok=true
    log "vulnerability DB from $repository"
    break
  fi
  log "vulnerability DB from $repository failed; trying the next repository"
done
$db_ok || die "no vulnerability DB repository answered ($db_repositories)"
problem=$(db_problem)
if [[ -n $problem ]]; then
  rm -rf "$cache/db"
  die "the vulnerability DB from $repository is implausible: $problem; refusing to scan with it"
fi

# 3. The image exactly as built: by digest.
image=$(sed -n 's/.*"ImageURI"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$detail")
[[ $image == *@sha256:* ]] || die "$IMAGE_DETAIL holds no image digest (got '$image')"
# Findings get their own exit status: trivy uses 1 for its own errors.
findings_status=5
flags=(--cache-dir "$cache" --skip-db-update --no-progress --severity "$FAIL_ON" --exit-code "$findings_status" --list-all-pkgs)
# The image's tag names an index (the image and its provenance): scan the platform ECS runs.
if [[ -n ${PLATFORM:-} ]]; then
  [[ $PLATFORM =~ ^linux/(amd64|arm64)$ ]] || die "PLATFORM '$PLATFORM' is not linux/amd64 or linux/arm64"
  flags+=(--platform "$PLATFORM")
fi
[[ ${IGNORE_UNFIXED:-false} == true ]] && flags+=(--ignore-unfixed)
if [[ -f $src/.trivyignore && ! -L $src/.trivyignore ]]; then
  flags+=(--ignorefile "$src/.trivyignore")
elif [[ -e $src/.trivyignore || -L $src/.trivyignore ]]; then
  log "ignoring .trivyignore in the source: not a regular file"
fi

log "scanning $image for $FAIL_ON"
status=0
"$trivy" image "${flags[@]}" --format json --output "$reports/trivy.json" "$image" || status=$?
"$trivy" convert --format template --template "@$tool/contrib/junit.tpl" \
  --output "$reports/trivy-junit.xml" "$reports/trivy.json" ||
  log "could not write the JUnit report"
case $status in
  0) log "no $FAIL_ON findings in $image" ;;
  "$findings_status") die "$image has $FAIL_ON findings; see the Scan report" ;;
  *) die "trivy failed with status $status" ;;
esac
# The image's SBOM, CycloneDX, from the packages the scan listed: kept in the ScanReport
# artifact beside the report, and part of what an approver is pointed to.
"$trivy" convert --format cyclonedx --output "$reports/sbom.cdx.json" "$reports/trivy.json" ||
  die "could not write the SBOM of $image"
log "SBOM of $image: sbom.cdx.json in the scan's artifact"
