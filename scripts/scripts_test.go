package scripts

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// The fakes record every call in $CALLS and act out what the test asks through FAKE_ variables.
const fakeAWS = `#!/usr/bin/env bash
printf 'aws %s\n' "$*" >> "$CALLS"
exists() { [[ -f $STATE/pushed || -n ${FAKE_IMAGE_EXISTS:-} ]]; }
case "$1 $2" in
  "ecr get-login-password") printf '%s\n' "$FAKE_ECR_PASSWORD" ;;
  "ecr describe-images")
    exists || { echo "An error occurred (ImageNotFoundException)" >&2; exit 254; }
    if [[ " $* " == *" --query "* ]]; then echo "sha256:$(printf '%064d' 7)"; else echo '{"imageDetails": [{}]}'; fi ;;
  *) echo "fake aws: unexpected $*" >&2; exit 2 ;;
esac
`

const fakeDocker = `#!/usr/bin/env bash
printf 'docker %s\n' "$*" >> "$CALLS"
case "$1" in
  login) cat > "$STATE/login-stdin" ;;
  buildx) [[ $2 == build && " $* " == *" --push "* ]] && touch "$STATE/pushed" ;;
esac
exit 0
`

const fakeCurl = `#!/usr/bin/env bash
printf 'curl %s\n' "$*" >> "$CALLS"
out=
while [[ $# -gt 0 ]]; do [[ $1 == --output ]] && out=$2; shift; done
cp "$FAKE_TRIVY_ARCHIVE" "$out"
`

// fakeTrivy goes inside the archive the fake curl "downloads".
const fakeTrivy = `#!/usr/bin/env bash
printf 'trivy %s\n' "$*" >> "$CALLS"
arg() { local want=$1; shift; while [[ $# -gt 0 ]]; do [[ $1 == "$want" ]] && { echo "$2"; return; }; shift; done; }
if [[ " $* " == *" --download-db-only "* ]]; then
  repo=$(arg --db-repository "$@")
  [[ " ${FAKE_DB_FAIL:-} " == *" $repo "* ]] && { echo "TOOMANYREQUESTS: retry-after 3600" >&2; exit 1; }
  exit 0
fi
out=$(arg --output "$@")
if [[ $1 == convert ]]; then echo '<testsuites/>' > "$out"; exit 0; fi
severities=",$(arg --severity "$@"),"
found=
for f in ${FAKE_FINDINGS//,/ }; do [[ $severities == *",$f,"* ]] && found="$found $f"; done
echo "{\"Results\": \"${found# }\"}" > "$out"
[[ -n $found ]] && exit "$(arg --exit-code "$@")"
exit 0
`

type run struct {
	dir, calls, state string
	env               []string
}

// newRun prepares a working directory with the fakes first on PATH.
func newRun(t *testing.T) *run {
	t.Helper()
	r := &run{dir: t.TempDir()}
	bin := filepath.Join(r.dir, "bin")
	r.calls, r.state = filepath.Join(r.dir, "calls.log"), filepath.Join(r.dir, "state")
	for _, d := range []string{bin, r.state, filepath.Join(r.dir, "src")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for name, body := range map[string]string{"aws": fakeAWS, "docker": fakeDocker, "curl": fakeCurl} {
		write(t, filepath.Join(bin, name), body, 0o755)
	}
	r.env = []string{"PATH=" + bin + ":" + os.Getenv("PATH"), "HOME=" + r.dir, "CALLS=" + r.calls, "STATE=" + r.state}
	return r
}

func write(t *testing.T, path, body string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), mode); err != nil {
		t.Fatal(err)
	}
}

// exec runs script from the source folder and returns its exit code and combined output.
func (r *run) exec(t *testing.T, script string, env ...string) (int, string) {
	t.Helper()
	path := filepath.Join(r.dir, "script.sh")
	write(t, path, script, 0o755)
	cmd := exec.Command("bash", path)
	cmd.Dir = filepath.Join(r.dir, "src")
	cmd.Env = append(append([]string{}, r.env...), env...)
	out, err := cmd.CombinedOutput()
	if exit, ok := err.(*exec.ExitError); ok {
		return exit.ExitCode(), string(out)
	} else if err != nil {
		t.Fatal(err)
	}
	return 0, string(out)
}

func (r *run) callLog(t *testing.T) string {
	data, err := os.ReadFile(r.calls)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return string(data)
}

const password = "eyJwYXlsb2FkIjoiU0VDUkVULUVDUi1QQVNTV09SRCJ9"

var taskdefs = map[string]string{
	"staging":    `{"family":"orders-api-staging","containerDefinitions":[{"name":"app","image":"<IMAGE1_NAME>","portMappings":[{"containerPort":8080}]}]}`,
	"production": `{"family":"orders-api-production","containerDefinitions":[{"name":"app","image":"<IMAGE1_NAME>","portMappings":[{"containerPort":8080}]}]}`,
}

func buildEnv(extra ...string) []string {
	return append([]string{
		"REPOSITORY_URI=111111111111.dkr.ecr.us-east-1.amazonaws.com/orders-api",
		"AWS_DEFAULT_REGION=us-east-1",
		"CODEBUILD_RESOLVED_SOURCE_VERSION=0123456789abcdef0123456789abcdef01234567",
		"CONTAINER_NAME=app", "PORT_0=8080", "PORT_1=3000",
		"DEPLOY_ENVIRONMENTS=staging production",
		"TASKDEF_0=" + base64.StdEncoding.EncodeToString([]byte(taskdefs["staging"])),
		"TASKDEF_1=" + base64.StdEncoding.EncodeToString([]byte(taskdefs["production"])),
		"FAKE_ECR_PASSWORD=" + password,
	}, extra...)
}

// Success: tests run first, the image is built with the registry cache and pushed by commit, and
// the artifact holds exactly the files CodeDeploy reads, well-formed and matching the config.
func TestBuildWritesTheDeployArtifact(t *testing.T) {
	r := newRun(t)
	code, out := r.exec(t, Build, buildEnv(`UNIT_TEST_COMMAND=echo unit-tests >> "$CALLS"`)...)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	deploy := filepath.Join(r.dir, "src", "deploy")
	entries, _ := os.ReadDir(deploy)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if got := strings.Join(names, " "); got != "appspec-production.yaml appspec-staging.yaml commit.txt imageDetail.json taskdef-production.json taskdef-staging.json" {
		t.Errorf("artifact files: %s", got)
	}
	var detail map[string]string
	if err := json.Unmarshal(read(t, deploy, "imageDetail.json"), &detail); err != nil {
		t.Fatalf("imageDetail.json: %v", err)
	}
	if want := "111111111111.dkr.ecr.us-east-1.amazonaws.com/orders-api@sha256:" + strings.Repeat("0", 63) + "7"; detail["ImageURI"] != want || len(detail) != 1 {
		t.Errorf("imageDetail.json = %v; want only ImageURI %s", detail, want)
	}
	for env, port := range map[string]int{"staging": 8080, "production": 3000} {
		var appspec struct {
			Version   any `yaml:"version"`
			Resources []map[string]struct {
				Type       string `yaml:"Type"`
				Properties struct {
					TaskDefinition   string `yaml:"TaskDefinition"`
					LoadBalancerInfo struct {
						ContainerName string `yaml:"ContainerName"`
						ContainerPort int    `yaml:"ContainerPort"`
					} `yaml:"LoadBalancerInfo"`
				} `yaml:"Properties"`
			} `yaml:"Resources"`
		}
		if err := yaml.Unmarshal(read(t, deploy, "appspec-"+env+".yaml"), &appspec); err != nil || len(appspec.Resources) != 1 {
			t.Fatalf("appspec-%s.yaml: %v, %+v", env, err, appspec)
		}
		target := appspec.Resources[0]["TargetService"]
		if target.Type != "AWS::ECS::Service" || target.Properties.TaskDefinition != "<TASK_DEFINITION>" ||
			target.Properties.LoadBalancerInfo.ContainerName != "app" || target.Properties.LoadBalancerInfo.ContainerPort != port {
			t.Errorf("appspec-%s.yaml = %+v; want container app on %d", env, target, port)
		}
	}
	for env, want := range taskdefs {
		got := read(t, deploy, "taskdef-"+env+".json")
		var v map[string]any
		if err := json.Unmarshal(got, &v); err != nil || string(got) != want {
			t.Errorf("taskdef-%s.json = %s (%v); want %s", env, got, err, want)
		}
	}
	calls := r.callLog(t)
	// The two halves of the login pipe run at once, so only the docker half has a place in order.
	if !strings.Contains(calls, "aws ecr get-login-password --region us-east-1") {
		t.Errorf("no registry password requested:\n%s", calls)
	}
	order := []string{"unit-tests",
		"docker login --username AWS --password-stdin 111111111111.dkr.ecr.us-east-1.amazonaws.com",
		"docker buildx build", "--tag 111111111111.dkr.ecr.us-east-1.amazonaws.com/orders-api:0123456789abcdef0123456789abcdef01234567",
		"image-manifest=true,oci-mediatypes=true", "--push"}
	at := 0
	for _, step := range order {
		i := strings.Index(calls[at:], step)
		if i < 0 {
			t.Fatalf("%q missing or out of order in calls:\n%s", step, calls)
		}
		at += i
	}
	if stdin, _ := os.ReadFile(filepath.Join(r.state, "login-stdin")); strings.TrimSpace(string(stdin)) != password {
		t.Errorf("docker login did not get the password on stdin")
	}
	assertNoSecret(t, out, calls)
}

func TestBuildStopsOnFailingUnitTests(t *testing.T) {
	r := newRun(t)
	code, out := r.exec(t, Build, buildEnv("UNIT_TEST_COMMAND=echo running; exit 3")...)
	if code == 0 {
		t.Fatalf("exit 0 after failing tests\n%s", out)
	}
	if calls := r.callLog(t); strings.Contains(calls, "docker") || strings.Contains(calls, "aws") {
		t.Errorf("called out after failing tests:\n%s", calls)
	}
	if _, err := os.Stat(filepath.Join(r.dir, "src", "deploy")); err == nil {
		t.Error("wrote a deploy artifact after failing tests")
	}
	if !strings.Contains(out, "unit tests failed; nothing was built or pushed") {
		t.Errorf("output does not say why:\n%s", out)
	}
}

// Build secrets from Parameter Store reach the unit tests as variables and the Dockerfile as
// BuildKit secrets, by name only: the value is in no argument and no log.
func TestBuildPassesSecretsByNameOnly(t *testing.T) {
	const value = "npm-token-value-5f3a"
	r := newRun(t)
	code, out := r.exec(t, Build, buildEnv("PARAMETER_VARIABLES=NPM_TOKEN", "NPM_TOKEN="+value,
		`UNIT_TEST_COMMAND=[ "${#NPM_TOKEN}" = 20 ] && echo tests-saw-the-token >> "$CALLS"`)...)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	calls := r.callLog(t)
	for _, want := range []string{"tests-saw-the-token", "--secret id=NPM_TOKEN,env=NPM_TOKEN"} {
		if !strings.Contains(calls, want) {
			t.Errorf("%q missing from calls:\n%s", want, calls)
		}
	}
	if strings.Contains(calls, value) || strings.Contains(out, value) {
		t.Errorf("the secret's value appears in arguments or output:\n%s\n%s", calls, out)
	}
	code, out = newRun(t).exec(t, Build, buildEnv("PARAMETER_VARIABLES=NPM_TOKEN")...)
	if code == 0 || !strings.Contains(out, "build secret NPM_TOKEN is empty") {
		t.Errorf("an unreadable secret: exit %d\n%s", code, out)
	}
}

// A retried run finds its commit's image and does not try to overwrite an immutable tag.
func TestBuildRetryReusesTheImage(t *testing.T) {
	r := newRun(t)
	code, out := r.exec(t, Build, buildEnv("FAKE_IMAGE_EXISTS=1")...)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	if calls := r.callLog(t); strings.Contains(calls, "buildx build") {
		t.Errorf("rebuilt an existing image:\n%s", calls)
	}
}

func TestBuildRejectsBadInput(t *testing.T) {
	for name, env := range map[string][]string{
		"missing taskdef": buildEnv("DEPLOY_ENVIRONMENTS=staging production qa"),
		"bad commit":      buildEnv("CODEBUILD_RESOLVED_SOURCE_VERSION=latest"),
		"no placeholder":  buildEnv("TASKDEF_0=" + base64.StdEncoding.EncodeToString([]byte(`{"image":"nginx"}`))),
	} {
		r := newRun(t)
		if code, out := r.exec(t, Build, env...); code == 0 {
			t.Errorf("%s: exit 0\n%s", name, out)
		}
	}
}

func assertNoSecret(t *testing.T, texts ...string) {
	t.Helper()
	for _, text := range texts {
		if strings.Contains(text, password) || strings.Contains(text, "SECRET-ECR-PASSWORD") {
			t.Errorf("the registry password appears in output or arguments:\n%s", text)
		}
	}
}

func read(t *testing.T, dir, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// trivyArchive builds a release-shaped archive around the fake trivy and returns its path and
// sha256.
func trivyArchive(t *testing.T, dir string) (string, string) {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for name, body := range map[string]string{"trivy": fakeTrivy, "contrib/junit.tpl": "{{ junit }}", "README.md": "trivy"} {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o755, Size: int64(len(body))}); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(body))
	}
	tw.Close()
	gz.Close()
	path := filepath.Join(dir, "trivy.tar.gz")
	write(t, path, buf.String(), 0o644)
	sum := sha256.Sum256(buf.Bytes())
	return path, hex.EncodeToString(sum[:])
}

var pinnedSHA = regexp.MustCompile(`(?m)^TRIVY_SHA256=[0-9a-f]{64}$`)

// scanWith returns scan.sh pinned to the fake archive's digest instead of the real release's;
// everything else is the script as shipped.
func scanWith(t *testing.T, sha string) string {
	t.Helper()
	if !pinnedSHA.MatchString(Scan) {
		t.Fatal("scan.sh pins no TRIVY_SHA256")
	}
	return pinnedSHA.ReplaceAllString(Scan, "TRIVY_SHA256="+sha)
}

func scanRun(t *testing.T) (*run, string, []string) {
	t.Helper()
	r := newRun(t)
	archive, sha := trivyArchive(t, r.dir)
	detail := filepath.Join(r.dir, "imageDetail.json")
	write(t, detail, `{"ImageURI": "111111111111.dkr.ecr.us-east-1.amazonaws.com/orders-api@sha256:`+strings.Repeat("ab", 32)+`"}`+"\n", 0o644)
	return r, sha, []string{"IMAGE_DETAIL=" + detail, "FAIL_ON=CRITICAL,HIGH", "FAKE_TRIVY_ARCHIVE=" + archive}
}

// Findings below the failOn severities pass; the image is scanned by digest, the options of the
// config reach trivy, and both reports are written.
func TestScanPassesLowerSeverities(t *testing.T) {
	r, sha, env := scanRun(t)
	write(t, filepath.Join(r.dir, "src", ".trivyignore"), "CVE-2024-0001\n", 0o644)
	code, out := r.exec(t, scanWith(t, sha), append(env, "FAKE_FINDINGS=LOW,MEDIUM", "IGNORE_UNFIXED=true")...)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	calls := r.callLog(t)
	for _, want := range []string{
		"--severity CRITICAL,HIGH", "--ignore-unfixed", "--ignorefile .trivyignore", "--skip-db-update",
		"orders-api@sha256:" + strings.Repeat("ab", 32), "trivy convert --format template",
	} {
		if !strings.Contains(calls, want) {
			t.Errorf("trivy was not called with %q:\n%s", want, calls)
		}
	}
	for _, report := range []string{"trivy.json", "trivy-junit.xml"} {
		if _, err := os.Stat(filepath.Join(r.dir, "src", "reports", report)); err != nil {
			t.Errorf("report %s: %v", report, err)
		}
	}
}

func TestScanFailsOnFailOnSeverity(t *testing.T) {
	r, sha, env := scanRun(t)
	code, out := r.exec(t, scanWith(t, sha), append(env, "FAKE_FINDINGS=LOW,HIGH")...)
	if code == 0 || !strings.Contains(out, "has CRITICAL,HIGH findings") {
		t.Fatalf("exit %d; want a failure naming the findings\n%s", code, out)
	}
	if _, err := os.Stat(filepath.Join(r.dir, "src", "reports", "trivy-junit.xml")); err != nil {
		t.Errorf("no JUnit report for the failed scan: %v", err)
	}
}

// A rate-limited first DB repository does not fail the build: the next one serves the DB.
func TestScanFallsBackWhenTheDBIsRateLimited(t *testing.T) {
	r, sha, env := scanRun(t)
	code, out := r.exec(t, scanWith(t, sha), append(env, "FAKE_DB_FAIL=public.ecr.aws/aquasecurity/trivy-db:2")...)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	calls := r.callLog(t)
	first := strings.Index(calls, "--db-repository public.ecr.aws/aquasecurity/trivy-db:2")
	second := strings.Index(calls, "--db-repository mirror.gcr.io/aquasec/trivy-db:2")
	if first < 0 || second < first || strings.Contains(calls, "ghcr.io") {
		t.Errorf("want the first repository, then the second, and no third:\n%s", calls)
	}
	all := append(env, "FAKE_DB_FAIL=public.ecr.aws/aquasecurity/trivy-db:2 mirror.gcr.io/aquasec/trivy-db:2 ghcr.io/aquasecurity/trivy-db:2")
	if code, out := r.exec(t, scanWith(t, sha), all...); code == 0 || !strings.Contains(out, "no vulnerability DB repository answered") {
		t.Errorf("every repository down: exit %d\n%s", code, out)
	}
}

// The script as shipped, pinned to the real release, refuses any other archive and never runs
// what it downloaded.
func TestScanRefusesAnArchiveWithTheWrongChecksum(t *testing.T) {
	r, _, env := scanRun(t)
	code, out := r.exec(t, Scan, append(env, "TRIVY_CACHE_DIR="+filepath.Join(r.dir, "cache"))...)
	if code == 0 || !strings.Contains(out, "does not match the pinned sha256") {
		t.Fatalf("exit %d; want a checksum failure\n%s", code, out)
	}
	if calls := r.callLog(t); strings.Contains(calls, "trivy ") {
		t.Errorf("trivy ran despite the mismatch:\n%s", calls)
	}
	if _, err := os.Stat(filepath.Join(r.dir, "cache", "trivy_0.69.3.tar.gz")); err == nil {
		t.Error("the mismatching archive stayed in the cache")
	}
}

// The verified binary and DB are cached: a second run downloads nothing.
func TestScanReusesItsCache(t *testing.T) {
	r, sha, env := scanRun(t)
	for i := 0; i < 2; i++ {
		if code, out := r.exec(t, scanWith(t, sha), env...); code != 0 {
			t.Fatalf("run %d: exit %d\n%s", i, code, out)
		}
	}
	if n := strings.Count(r.callLog(t), "curl "); n != 1 {
		t.Errorf("%d downloads in two runs; want 1", n)
	}
}
