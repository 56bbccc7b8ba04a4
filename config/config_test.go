package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ecsdelivery/ecsdelivery/spec"
)

const minimal = "app: orders-api\nsource: {owner: acme, repo: orders-api}\nenvironments: [{name: staging}]\n"

func mustParse(t *testing.T, yaml string) *Config {
	t.Helper()
	c, err := Parse("test.yaml", []byte(yaml))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return c
}

func TestShippedConfigsAreValid(t *testing.T) {
	files, _ := filepath.Glob("../examples/*.yaml")
	files = append(files, "../delivery.yaml")
	if len(files) < 3 {
		t.Fatalf("found %d configs; want the demo and both examples", len(files))
	}
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			if _, err := Load(f); err != nil {
				t.Errorf("%s: %v", f, err)
			}
		})
	}
}

func TestDefaults(t *testing.T) {
	c := mustParse(t, minimal)
	service := Service{ContainerPort: 8080, HealthCheckPath: "/health", CPU: 512, MemoryMiB: 1024, DesiredCount: 2,
		HealthCheckIntervalSeconds: 10, HealthyThresholdCount: 2, DeregistrationDelaySeconds: 30, LogRetentionDays: 30}
	want := Config{
		Version:         1,
		App:             "orders-api",
		Pipeline:        Pipeline{Region: "us-east-1", Signing: true, ChangeFailureWindowHours: 24},
		Source:          Source{Owner: "acme", Repo: "orders-api", Branch: "main"},
		Build:           Build{Dockerfile: "Dockerfile", Context: ".", ComputeType: "medium", Architecture: "x86_64", BuilderImage: spec.DefaultBuilderImage},
		Scan:            Scan{FailOn: []string{"CRITICAL", "HIGH"}},
		IntegrationTest: IntegrationTest{TimeoutMinutes: 15, Environment: "staging"},
		Service:         service,
		Environments: []Environment{{
			Name: "staging", Region: "us-east-1",
			Deployment: Deployment{Engine: "codedeploy", Strategy: "AllAtOnce", TerminationWaitMinutes: 5, TestTraffic: TestTraffic{
				Enabled: true, Paths: []string{"/health"}, ExpectStatus: 200, Requests: 10, MaxLatencyMilliseconds: 2000,
			}},
			Service:      service,
			NATGateways:  1,
			LoadBalancer: LoadBalancer{TestListenerPort: 9000},
			Alarms:       Alarms{Target5xxPerMinute: 10, UnhealthyHosts: 1, LatencyP99Milliseconds: 2000},
		}},
	}
	if !reflect.DeepEqual(*c, want) {
		t.Errorf("got  %+v\nwant %+v", *c, want)
	}
	if c.IntegrationTestEnabled() {
		t.Error("IntegrationTestEnabled true; want false")
	}
	if !c.Agnostic() {
		t.Error("Agnostic false; want true")
	}
}

func TestEnvironmentInheritsAndOverrides(t *testing.T) {
	c := mustParse(t, `app: orders-api
pipeline: {account: "111111111111", region: eu-west-1}
source: {owner: acme, repo: orders-api}
service:
  cpu: 1024
  memoryMiB: 2048
  environment: {LOG_LEVEL: info, MODE: shared}
  secrets: {DB_PASSWORD: /orders/db}
environments:
  - name: staging
    deployment: {terminationWaitMinutes: 0}
    service: {desiredCount: 1, environment: {LOG_LEVEL: debug}}
  - name: production
    account: "333333333333"
    region: eu-west-1
    service: {cpu: 2048, memoryMiB: 4096, secrets: {API_KEY: /orders/api-key}}
`)
	staging, production := c.Environments[0], c.Environments[1]
	if staging.Account != "111111111111" {
		t.Errorf("staging is in account %s; want the pipeline's 111111111111", staging.Account)
	}
	if staging.Region != "eu-west-1" {
		t.Errorf("staging is in region %s; want the pipeline's eu-west-1", staging.Region)
	}
	if staging.Deployment.TerminationWaitMinutes != 0 {
		t.Errorf("explicit terminationWaitMinutes 0 became %d", staging.Deployment.TerminationWaitMinutes)
	}
	if got := staging.Service.DesiredCount; got != 1 {
		t.Errorf("staging desiredCount %d; want its own 1", got)
	}
	if got := staging.Service.CPU; got != 1024 {
		t.Errorf("staging cpu %d; want the shared 1024", got)
	}
	if got, want := staging.Service.Environment, map[string]string{"LOG_LEVEL": "debug", "MODE": "shared"}; !reflect.DeepEqual(got, want) {
		t.Errorf("staging environment %v; want %v (LOG_LEVEL overridden, MODE kept)", got, want)
	}
	if got := production.Service.CPU; got != 2048 {
		t.Errorf("production cpu %d; want its own 2048", got)
	}
	if got := production.Service.MemoryMiB; got != 4096 {
		t.Errorf("production memoryMiB %d; want its own 4096", got)
	}
	if got := production.Service.DesiredCount; got != 2 {
		t.Errorf("production desiredCount %d; want the shared 2", got)
	}
	if got, want := production.Service.Secrets, map[string]string{"DB_PASSWORD": "/orders/db", "API_KEY": "/orders/api-key"}; !reflect.DeepEqual(got, want) {
		t.Errorf("production secrets %v; want both %v", got, want)
	}
	if got := c.Service.Environment["LOG_LEVEL"]; got != "info" {
		t.Errorf("an override changed the shared settings: LOG_LEVEL %q", got)
	}
}

func TestAliasesAreResolved(t *testing.T) {
	c := mustParse(t, `app: orders-api
source: {owner: acme, repo: orders-api}
notifications: {emails: &ops [ops@acme.example]}
environments:
  - &env {name: staging, approval: true}
`)
	if !c.Environments[0].Approval {
		t.Errorf("aliased environment lost its approval: %+v", c.Environments[0])
	}
	if got := c.Notifications.Emails; len(got) != 1 || got[0] != "ops@acme.example" {
		t.Errorf("aliased emails %v; want [ops@acme.example]", got)
	}
}

func TestLoadUnreadableFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "missing.yaml"))
	if err == nil {
		t.Fatal("no error; want a read error naming the file")
	}
	var problems Problems
	if errors.As(err, &problems) {
		t.Errorf("got problems %v; want a read error", err)
	}
	if !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("got %v; want an error naming missing.yaml", err)
	}
}

func TestTooLargeFile(t *testing.T) {
	_, err := Parse("big.yaml", []byte(strings.Repeat("#", maxFileBytes+1)))
	if err == nil || !strings.HasPrefix(err.Error(), "big.yaml: the file is 1048577 bytes") {
		t.Errorf("got %v; want a size problem", err)
	}
}

func TestNameHelpers(t *testing.T) {
	if got := CheckSuffix("pr-42"); got != "" {
		t.Errorf("CheckSuffix(pr-42) = %q; want valid", got)
	}
	p, ok := Partition("cn-north-1")
	if !ok {
		t.Error("Partition(cn-north-1) not found; want aws-cn")
	}
	if p != "aws-cn" {
		t.Errorf("Partition(cn-north-1) = %q; want aws-cn", p)
	}
	if _, err := os.Stat("../delivery.yaml"); err != nil {
		t.Fatal(err)
	}
}

// A deeply nested file must not reach the second YAML parser, whose cost grows with the square
// of the depth: the first parser's message (no position) shows it did not.
func TestDeepNestingSkipsTheSecondParser(t *testing.T) {
	for _, tc := range []struct {
		depth int
		want  string
	}{
		{5000, "deep.yaml: invalid YAML: did not find expected node content"},
		{20000, "deep.yaml: invalid YAML: exceeded max depth of 10000"},
	} {
		t.Run(fmt.Sprint(tc.depth), func(t *testing.T) {
			_, err := Parse("deep.yaml", []byte(strings.Repeat("[", tc.depth)))
			if err == nil || err.Error() != tc.want {
				t.Errorf("depth %d: got %v; want %q", tc.depth, err, tc.want)
			}
		})
	}
	_, err := Parse("shallow.yaml", []byte("app: [orders"))
	if err == nil || err.Error() != "shallow.yaml:1:6: invalid YAML: sequence end token ']' not found" {
		t.Errorf("shallow: got %v; want the second parser's position", err)
	}
}

func TestProblemsAreCapped(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 250; i++ {
		fmt.Fprintf(&b, "unknown%d: 1\n", i)
	}
	_, err := Parse("many.yaml", []byte(minimal+b.String()))
	var problems Problems
	if !errors.As(err, &problems) {
		t.Fatalf("got %T %v; want Problems", err, err)
	}
	if len(problems) != maxProblems+1 {
		t.Fatalf("got %d problems; want %d and a count of the rest", len(problems), maxProblems+1)
	}
	if last := problems[len(problems)-1].String(); last != "many.yaml: 150 more problems not shown; fix the ones above first" {
		t.Errorf("last line %q", last)
	}
}

// Inputs that once took minutes or gigabytes: many problems of two kinds at once, aliases of
// large mappings, aliases of long strings, and brackets hidden in strings.
func TestHostileInputsStayCheap(t *testing.T) {
	many := func(n int, item string) string { return strings.Repeat(item, n) }
	keys := func(n int) string {
		var b strings.Builder
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, "k%d: 1, ", i)
		}
		return b.String()
	}
	inputs := map[string]string{
		"problems of both kinds": many(50000, "kx: 1\n") + "environments: [" + many(60000, "{},") + "{}]\n",
		"aliased large mapping":  "x: &a {" + keys(2000) + "}\nenvironments: [" + many(6000, "*a, ") + "*a]\n",
		"aliased long string":    "app: &b " + strings.Repeat("a", 300000) + "\nenvironments: [" + many(3000, "{name: *b}, ") + "{}]\n",
		"brackets in a string":   `a: "` + strings.Repeat("]", 40000) + "\"\nb: " + strings.Repeat("[", 40000) + "\n",
	}
	for name, input := range inputs {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			_, err := Parse("hostile.yaml", []byte(input))
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v; want at most 5s", d)
			}
			if err == nil {
				t.Fatal("accepted; want problems")
			}
			if len(err.Error()) > 100000 {
				t.Errorf("%d bytes of problems; want at most 100000", len(err.Error()))
			}
		})
	}
}

func TestImageReferences(t *testing.T) {
	for _, image := range []string{"public.ecr.aws/docker/library/busybox:1.36-Uclibc", "registry.example:5000/team/app:V2",
		"111111111111.dkr.ecr.us-east-1.amazonaws.com/app@sha256:" + strings.Repeat("a", 64)} {
		t.Run(image, func(t *testing.T) {
			mustParse(t, minimal+"service: {bootstrapImage: \""+image+"\"}\n")
		})
	}
}

func TestLoadRefusesWhatIsNotARegularFile(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/dev/zero", t.TempDir(), fifo} {
		t.Run(path, func(t *testing.T) {
			start := time.Now()
			_, err := Load(path)
			if err == nil || !strings.Contains(err.Error(), "is not a regular file") {
				t.Fatalf("Load(%s) = %v; want an error saying it is not a regular file", path, err)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("Load(%s) took %v; want an answer at once", path, d)
			}
		})
	}
}

func TestLoadReadsNoMoreThanTheLimit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.yaml")
	if err := os.WriteFile(path, bytes.Repeat([]byte("#\n"), maxFileBytes), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("is %d bytes; expected a delivery config of at most %d", maxFileBytes+1, maxFileBytes)) {
		t.Fatalf("Load of a %d-byte file = %v; want the size problem, counted to one byte past the limit", 2*maxFileBytes, err)
	}
}
