# Two commands matter (see README): `make synth` installs the pinned tools and synthesises the
# demo; `make test` runs every check. Both work on a fresh machine with Go, Node and npm.

TOOLS   := _tools/node_modules
# jsii starts this Node for every CDK process; the machine's Node may be past end of life.
export JSII_NODE := $(CURDIR)/$(TOOLS)/.bin/node
export CDK_DISABLE_CLI_TELEMETRY := true

GO_FILES = $(shell find . -name '*.go' -not -path './_tools/*')

.PHONY: synth test tools vet fuzz update-golden bench clean

synth: tools
	./cdk synth

# Coverage counts what any package's tests run in the library, config, app, command, estimate and
# diagram packages; the library and config packages must stay at MIN_COVERAGE percent or more.
COVERPKG = .,./config,./app,./internal/cli,./internal/estimate,./internal/diagram
MIN_COVERAGE = 90

# A deprecated CDK API fails the tests instead of printing a warning at every synthesis.
test: export JSII_DEPRECATED := fail
test: tools vet
	go test -count=1 -coverpkg=$(COVERPKG) -coverprofile=cover.out ./...
	@awk -F'[: ]' 'NR > 1 { key = $$1 ":" $$2; n[key] = $$3; if ($$4 > 0) hit[key] = 1 } \
	  END { for (k in n) { p = k; sub(/\/[^\/]*:.*/, "", p); t[p] += n[k]; if (hit[k]) c[p] += n[k] } \
	    for (p in t) printf "coverage: %5.1f%% of statements in %s\n", 100 * c[p] / t[p], p }' cover.out | sort -k4 | tee cover.txt
	@awk -v min=$(MIN_COVERAGE) '$$6 == "github.com/ecsdelivery/ecsdelivery" || $$6 == "github.com/ecsdelivery/ecsdelivery/config" { \
	    seen++; if ($$2 + 0 < min) { printf "coverage of %s is %s, below %d%%\n", $$6, $$2, min; bad = 1 } } \
	  END { if (seen != 2) { print "coverage of the library or config package is missing"; bad = 1 } exit bad }' cover.txt
	@command -v cfn-lint >/dev/null || echo "cfn-lint not installed: templates not linted here (policy/lint_test.go; with CI=true that fails)"

tools: $(TOOLS)/.installed

$(TOOLS)/.installed: _tools/package.json _tools/package-lock.json
	cd _tools && npm ci --no-audit --no-fund --loglevel=error --update-notifier=false
	touch $@

vet:
	@unformatted=$$(gofmt -l $(GO_FILES)); \
	  if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi
	go vet ./...
	@if command -v shellcheck >/dev/null; then shellcheck scripts/*.sh bench/*.sh cdk .ci/run && echo "shellcheck: scripts clean"; \
	  elif [ "$$CI" = true ]; then echo "shellcheck not installed, and CI=true: install it (apt-get install shellcheck)"; exit 1; \
	  else echo "shellcheck not installed: scripts not linted here (CI installs it)"; fi

# Fuzz the config loader (FUZZTIME=5m for a longer run).
FUZZTIME ?= 60s
fuzz:
	go test ./config -run '^$$' -fuzz FuzzParse -fuzztime $(FUZZTIME)

# Rewrite the golden templates, and the README's diagram of the demo, after an intended change;
# review the diff before committing.
update-golden: tools
	go test ./app -count=1 -update
	go test ./internal/cli -count=1 -run ReadmeDiagram -update

# Synthesis against the floor (RUNS=9), the warm test suite (TEST_RUNS=3), scale, and phases.
bench: export COVERPKG := $(COVERPKG)
bench: tools
	bench/bench.sh

clean:
	rm -rf cdk.out
