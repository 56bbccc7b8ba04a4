#!/usr/bin/env bash
# make bench: synthesis of the demo against the floor (a one-bucket CDK Go app), the warm test
# suite, and synthesis of 1, 10 and 30 apps in one CDK app. Both apps are compiled binaries run
# with the same context (cdk.json's flags, cdk.context.json) and the same Node, as `cdk synth`
# would run them, minus the CLI.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-9}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

go build -o "$work/ecsdelivery" ./cmd/ecsdelivery
go build -o "$work/floor" ./bench/floor
context() { # the context the CDK CLI would pass, plus config=$1
  node -e '
    const fs = require("fs");
    const ctx = Object.assign({}, JSON.parse(fs.readFileSync("cdk.json")).context,
      JSON.parse(fs.readFileSync("cdk.context.json")), {config: process.argv[1]});
    process.stdout.write(JSON.stringify(ctx));' "$1"
}
seconds_since() { awk -v s="$1" -v e="$(date +%s%N)" 'BEGIN { printf "%.2f\n", (e - s) / 1e9 }'; }
# synth_seconds BINARY CONFIG: wall time of one synthesis into a fresh folder.
synth_seconds() {
  local out start
  out=$(mktemp -d "$work/out.XXXX")
  start=$(date +%s%N)
  CDK_OUTDIR=$out CDK_CONTEXT_JSON=$(context "$2") "$1" >/dev/null 2>"$out.log" || { cat "$out.log" >&2; exit 1; }
  seconds_since "$start"
  echo "$out" > "$work/last"
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

floor=$(for _ in $(seq "$runs"); do synth_seconds "$work/floor" none; done | median)
demo=$(for _ in $(seq "$runs"); do synth_seconds "$work/ecsdelivery" delivery.yaml; done | median)

start=$(date +%s%N)
go test -count=1 ./... >/dev/null
tests=$(seconds_since "$start")

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
  let best = {n: 0};
  for (const f of fs.readdirSync(dir).filter(f => f.endsWith(".template.json"))) {
    const size = fs.statSync(dir + "/" + f).size, n = Object.keys(JSON.parse(fs.readFileSync(dir + "/" + f)).Resources).length;
    if (n > best.n) best = {f, n, size};
  }
  console.log(`${best.f}: ${best.n} resources, ${best.size} bytes`);' "$(cat "$work/last")")

ratio=$(awk -v d="$demo" -v f="$floor" 'BEGIN { printf "%.2f", d / f }')
marginal=$(awk -v a="$thirty" -v b="$one" 'BEGIN { printf "%.2f", (a - b) / 29 }')
cat <<TABLE
| measure | result | goal |
|---|---|---|
| floor synthesis (one bucket), median of $runs | ${floor} s | |
| demo synthesis, median of $runs | ${demo} s | |
| demo / floor | ${ratio}× | ≤ 1.5× |
| warm test suite (\`go test -count=1 ./...\`) | ${tests} s | ≤ 60 s |
| 1 / 10 / 30 apps in one CDK app | ${one} / ${ten} / ${thirty} s | |
| marginal cost per extra app | ${marginal} s | ≤ 0.5 s |
| largest template (30 apps) | ${largest} | < 500 resources, < 1 MB |
TABLE
