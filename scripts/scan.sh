#!/usr/bin/env bash
# Scan stage: Trivy, pinned and verified, scans the pushed image by digest and fails on the
# configured severities. Runs in CodeBuild with the source as primary input (for .trivyignore)
# and the build's deploy artifact as a secondary input (for imageDetail.json).
#
# Inputs (environment):
#   IMAGE_DETAIL          path of imageDetail.json
#   FAIL_ON               severities that fail the scan, comma separated, such as CRITICAL,HIGH
#   IGNORE_UNFIXED        "true" to skip findings without a fixed version
#   TRIVY_CACHE_DIR       cached between builds: the verified binary and the vulnerability DB
#   REPORT_DIR            where the JSON and JUnit reports go; default reports
#   TRIVY_DB_REPOSITORIES DB sources tried in order; default the three public mirrors
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
cache=${TRIVY_CACHE_DIR:-$HOME/.cache/ecsdelivery-trivy}
reports=${REPORT_DIR:-reports}
db_repositories=${TRIVY_DB_REPOSITORIES:-public.ecr.aws/aquasecurity/trivy-db:2 mirror.gcr.io/aquasec/trivy-db:2 ghcr.io/aquasecurity/trivy-db:2}
mkdir -p "$cache" "$reports"

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

# 2. The vulnerability DB, from the first repository that answers (one may rate-limit).
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

# 3. The image exactly as built: by digest.
image=$(sed -n 's/.*"ImageURI"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$IMAGE_DETAIL")
[[ $image == *@sha256:* ]] || die "$IMAGE_DETAIL holds no image digest (got '$image')"
# Findings get their own exit status: trivy uses 1 for its own errors.
findings_status=5
flags=(--cache-dir "$cache" --skip-db-update --no-progress --severity "$FAIL_ON" --exit-code "$findings_status")
[[ ${IGNORE_UNFIXED:-false} == true ]] && flags+=(--ignore-unfixed)
[[ -f .trivyignore ]] && flags+=(--ignorefile .trivyignore)

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
