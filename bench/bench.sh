#!/usr/bin/env bash
# make bench: synthesis of the demo against the floor (a one-bucket CDK Go app), the warm test
# suite, synthesis of 1, 10 and 30 apps in one CDK app, and where a synthesis spends its time.
# Both apps are compiled binaries run with the same context (cdk.json's flags, cdk.context.json)
# and the same Node, as `cdk synth` would run them, minus the CLI.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-9}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

go build -o "$work/ecsdelivery" ./cmd/ecsdelivery
go build -o "$work/floor" ./bench/floor
context() { # the context the CDK CLI would pass, plus config=$1 and any further JSON in $2
  node -e '
    const fs = require("fs");
    const ctx = Object.assign({}, JSON.parse(fs.readFileSync("cdk.json")).context,
      JSON.parse(fs.readFileSync("cdk.context.json")), {config: process.argv[1]}, JSON.parse(process.argv[2]));
    process.stdout.write(JSON.stringify(ctx));' "$1" "${2:-{\}}"
}
seconds_since() { awk -v s="$1" -v e="$(date +%s%N)" 'BEGIN { printf "%.2f\n", (e - s) / 1e9 }'; }
# synthesise OUT BINARY CONFIG [CONTEXT]: one synthesis into the folder OUT.
synthesise() {
  CDK_OUTDIR=$1 CDK_CONTEXT_JSON=$(context "$3" "${4:-{\}}") "$2" >/dev/null 2>"$1.log" || { cat "$1.log" >&2; exit 1; }
}
# synth_seconds BINARY CONFIG: wall time of one synthesis into a fresh folder.
synth_seconds() {
  local out start
  out=$(mktemp -d "$work/out.XXXX")
  start=$(date +%s%N)
  synthesise "$out" "$1" "$2"
  seconds_since "$start"
  echo "$out" > "$work/last"
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

# Floor and demo alternate, so a slow spell of the machine weighs on both alike.
for _ in $(seq "$runs"); do
  synth_seconds "$work/floor" none >>"$work/floor.times"
  synth_seconds "$work/ecsdelivery" delivery.yaml >>"$work/demo.times"
done
floor=$(median <"$work/floor.times") demo=$(median <"$work/demo.times")

# The warm test suite: make test, after a run that compiles the test binaries (TEST_RUNS=3).
go test -count=1 -run '^$' -coverpkg="${COVERPKG:?run this through make bench}" ./... >/dev/null
test_runs=${TEST_RUNS:-3}
tests=$(for _ in $(seq "$test_runs"); do
  start=$(date +%s%N)
  make --no-print-directory test >/dev/null
  seconds_since "$start"
done | median)

# phases BINARY CONFIG: where one synthesis spends its time, from aws-cdk-lib's own performance
# counters (written when a synthesis is slower than the threshold, here 0). Node waits on its
# standard input while the Go side works between two jsii calls: most of its synchronous reads.
phases() {
  local out counters
  out=$(mktemp -d "$work/out.XXXX") counters="$out.counters.json"
  CDK_PERF_COUNTERS_FILE=$counters synthesise "$out" "$1" "$2" '{"@aws-cdk/core.slowSynthThreshold": 0}'
  node -e '
    const c = JSON.parse(require("fs").readFileSync(process.argv[1])).counters, s = ms => (ms / 1000).toFixed(2);
    console.log([s(c["phase:Load"]), s(c["phase:Construction"]), s(c["fs.readSync"] || 0),
      s(c["validateTemplates"] || 0), s(c["phase:Synthesis"] - (c["validateTemplates"] || 0))].join(" "));' "$counters"
}
read -r floor_load floor_build floor_go floor_validate floor_write < <(phases "$work/floor" none)
read -r demo_load demo_build demo_go demo_validate demo_write < <(phases "$work/ecsdelivery" delivery.yaml)

# n apps: copies of the demo under distinct names.
scale() {
  local dir="$work/apps$1"
  mkdir -p "$dir"
  for i in $(seq -w 1 "$1"); do sed "s/^app: orders-api$/app: app$i/" delivery.yaml > "$dir/app$i.yaml"; done
  synth_seconds "$work/ecsdelivery" "$dir"
}
one=$(scale 1); ten=$(scale 10); thirty=$(scale 30)
# shellcheck disable=SC2016 # JavaScript, not shell
largest=$(node -e '
  const fs = require("fs"), dir = process.argv[1];
  let most = {n: 0}, biggest = {size: 0};
  for (const f of fs.readdirSync(dir).filter(f => f.endsWith(".template.json"))) {
    const size = fs.statSync(dir + "/" + f).size, n = Object.keys(JSON.parse(fs.readFileSync(dir + "/" + f)).Resources).length;
    if (n > most.n) most = {f, n};
    if (size > biggest.size) biggest = {f, size};
  }
  console.log(`most resources: ${most.f}, ${most.n}; largest: ${biggest.f}, ${biggest.size} bytes`);' "$(cat "$work/last")")

read -r -a phases1 < <(phases "$work/ecsdelivery" "$work/apps1")
read -r -a phases30 < <(phases "$work/ecsdelivery" "$work/apps30")
per_app() { awk -v a="${phases30[$1]}" -v b="${phases1[$1]}" 'BEGIN { printf "%.2f", (a - b) / 29 }'; }

ratio=$(awk -v d="$demo" -v f="$floor" 'BEGIN { printf "%.2f", d / f }')
marginal=$(awk -v a="$thirty" -v b="$one" 'BEGIN { printf "%.2f", (a - b) / 29 }')
cat <<TABLE
| measure | result | goal |
|---|---|---|
| floor synthesis (one bucket), median of $runs | ${floor} s | |
| demo synthesis, median of $runs | ${demo} s | |
| demo / floor | ${ratio}× | ≤ 1.5× |
| warm test suite (\`make test\`), median of $test_runs | ${tests} s | ≤ 60 s |
| 1 / 10 / 30 apps in one CDK app | ${one} / ${ten} / ${thirty} s | |
| marginal cost per extra app | ${marginal} s | ≤ 0.5 s |
| templates of the 30 apps | ${largest} | < 500 resources, < 1 MB |
TABLE
cat <<PHASES

Where one synthesis spends its time (aws-cdk-lib's performance counters, one run each):

| phase | floor | demo | per extra app (30 apps against 1) |
|---|---|---|---|
| Node and aws-cdk-lib loaded | ${floor_load} s | ${demo_load} s | $(per_app 0) s |
| constructs built | ${floor_build} s | ${demo_build} s | $(per_app 1) s |
| Node in synchronous reads: mostly waiting on the Go side between jsii calls | ${floor_go} s | ${demo_go} s | $(per_app 2) s |
| CDK's template validator | ${floor_validate} s | ${demo_validate} s | $(per_app 3) s |
| rest of synthesis (resolve, write) | ${floor_write} s | ${demo_write} s | $(per_app 4) s |
PHASES
