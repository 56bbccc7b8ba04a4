#!/usr/bin/env bash
# UnitTest stage: the repository's unit tests, from the source checkout, in a CodeBuild project
# of their own: unprivileged, with no push rights and no Docker. The tests run the repository's
# code and its test dependencies, which are not trusted with anything the Build project holds.
#
# Inputs (environment):
#   UNIT_TEST_COMMAND     the command, run by bash with errexit and pipefail, so a failure in a
#                         list or a pipeline fails the tests; JUnit XML it leaves in
#                         test-results/ is published as a CodeBuild report (the buildspec's part)
#   build secrets         variables CodeBuild filled from Parameter Store reach the command
#                         unchanged, as variables
set -euo pipefail

log() { printf 'unit-test: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

: "${UNIT_TEST_COMMAND:?UNIT_TEST_COMMAND is required}"

mkdir -p test-results
log "running unit tests: $UNIT_TEST_COMMAND"
status=0
# Not inherited from this script: a child bash starts without errexit and pipefail, and would
# pass "false; true" and "false | true".
bash -o errexit -o pipefail -c "$UNIT_TEST_COMMAND" || status=$?
((status == 0)) || die "unit tests failed (exit $status)"
log "unit tests passed"
