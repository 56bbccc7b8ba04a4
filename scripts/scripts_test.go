package scripts

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// The fakes record every call in $CALLS and act out what the test asks through FAKE_ variables.

// fakeAWSStart begins every fake aws. FAKE_THROTTLED names a call ("ecr describe-images") that
// is throttled for longer than the CLI's default three attempts last: like the real CLI, the fake
// rides it out only when told to retry in adaptive mode, 10 times.
const fakeAWSStart = `#!/usr/bin/env bash
printf 'aws %s\n' "$*" >> "$CALLS"
if [[ "$1 $2" == "${FAKE_THROTTLED:-}" && ( ${AWS_RETRY_MODE:-} != adaptive || ${AWS_MAX_ATTEMPTS:-3} -lt 10 ) ]]; then
  echo "An error occurred (ThrottlingException) when calling the $2 operation (reached max retries: 2): Rate exceeded" >&2
  exit 254
fi
`

const fakeAWS = fakeAWSStart + `tag=; for a in "$@"; do [[ $a == imageTag=* ]] && tag=${a#imageTag=}; done
exists() { [[ -f $STATE/pushed-$tag || -n ${FAKE_IMAGE_EXISTS:-} ]]; }
case "$1 $2" in
  "ecr get-login-password") printf '%s\n' "$FAKE_ECR_PASSWORD" ;;
  "ecr describe-images")
    [[ -z ${FAKE_DESCRIBE_ERROR:-} ]] || { echo "An error occurred ($FAKE_DESCRIBE_ERROR) when calling the DescribeImages operation" >&2; exit 254; }
    exists || { echo "An error occurred (ImageNotFoundException) when calling the DescribeImages operation" >&2; exit 254; }
    # The release is digest ...7, the integration test's image (it-<commit>) ...8.
    if [[ " $* " == *" --query "* ]]; then echo "sha256:$(printf '%064d' "$([[ $tag == it-* ]] && echo 8 || echo 7)")"; else echo '{"imageDetails": [{}]}'; fi ;;
  *) echo "fake aws: unexpected $*" >&2; exit 2 ;;
esac
`

// fakeDocker keeps each registry's login password in $STATE/login-<registry>, and answers an
// image's revision label with FAKE_IMAGE_REVISION.
const fakeDocker = `#!/usr/bin/env bash
printf 'docker %s\n' "$*" >> "$CALLS"
case "$1 $2" in
  "login "*) cat > "$STATE/login-${*: -1}" ;;
  "buildx build") tag=; prev=
    for a in "$@"; do [[ $prev == --tag ]] && tag=${a##*:}; prev=$a; done
    [[ " $* " == *" --push "* ]] && touch "$STATE/pushed" "$STATE/pushed-$tag" ;;
  "buildx imagetools")
    # As an index with provenance renders it: one image per platform (FAKE_IMAGE_INDEX), or the
    # one image.
    if [[ -n ${FAKE_IMAGE_INDEX:-} ]]; then
      printf '{"linux/amd64": {"config": {"Labels": {"org.opencontainers.image.revision": "%s"}}}}\n' "${FAKE_IMAGE_REVISION-}"
    else
      printf '{"config": {"Labels": {"org.opencontainers.image.revision": "%s"}}}\n' "${FAKE_IMAGE_REVISION-}"
    fi ;;
esac
exit 0
`

const fakeCurl = `#!/usr/bin/env bash
printf 'curl %s\n' "$*" >> "$CALLS"
out=
while [[ $# -gt 0 ]]; do [[ $1 == --output ]] && out=$2; shift; done
cp "$FAKE_TRIVY_ARCHIVE" "$out"
`

// fakeTrivy goes inside the archive the fake curl "downloads". It notes in $STATE/trivy-cwd
// each directory it ran in and what it could have read there. Like Trivy, it downloads the DB
// unless the cached one's NextUpdate is ahead; the DB it serves was updated FAKE_DB_AGE_HOURS
// (default 1) ago and is next updated 6 hours after that.
const fakeTrivy = `#!/usr/bin/env bash
printf 'trivy %s\n' "$*" >> "$CALLS"
printf '%s [%s]\n' "$PWD" "$(ls -A | tr '\n' ' ')" >> "$STATE/trivy-cwd"
arg() { local want=$1; shift; while [[ $# -gt 0 ]]; do [[ $1 == "$want" ]] && { echo "$2"; return; }; shift; done; }
if [[ " $* " == *" --download-db-only "* ]]; then
  repo=$(arg --db-repository "$@") db="$(arg --cache-dir "$@")/db"
  [[ " ${FAKE_DB_FAIL:-} " == *" $repo "* ]] && { echo "TOOMANYREQUESTS: retry-after 3600" >&2; exit 1; }
  next=$(jq -r .NextUpdate "$db/metadata.json" 2>/dev/null) && next=$(date -d "$next" +%s 2>/dev/null) &&
    ((next > $(date +%s))) && exit 0
  at() { date -u -d "$1" +%Y-%m-%dT%H:%M:%S.%7NZ; }
  age=${FAKE_DB_AGE_HOURS:-1}
  mkdir -p "$db" && echo fresh > "$db/trivy.db"
  printf '{"Version":2,"NextUpdate":"%s","UpdatedAt":"%s","DownloadedAt":"%s"}\n' \
    "$(at "$((6 - age)) hours")" "$(at "-$age hours")" "$(at now)" > "$db/metadata.json"
  echo "trivy-db downloaded from $repo" >> "$CALLS"
  exit 0
fi
out=$(arg --output "$@")
if [[ $1 == convert ]]; then
  case $(arg --format "$@") in
    cyclonedx) [[ -z ${FAKE_SBOM_FAIL:-} ]] || exit 1; echo '{"bomFormat": "CycloneDX"}' > "$out" ;;
    *) echo '<testsuites/>' > "$out" ;;
  esac
  exit 0
fi
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

const builderImage = "moby/buildkit:v0.29.0@sha256:0039c1d47e8748b5afea56f4e85f14febaf34452bd99d9552d2daa82262b5cc5"

const commit = "0123456789abcdef0123456789abcdef01234567"

func buildEnv(extra ...string) []string {
	return append([]string{
		"REPOSITORY_URI=111111111111.dkr.ecr.us-east-1.amazonaws.com/orders-api",
		"AWS_DEFAULT_REGION=us-east-1",
		"CODEBUILD_RESOLVED_SOURCE_VERSION=" + commit,
		"BUILDER_IMAGE=" + builderImage,
		"CONTAINER_NAME=app", "PORT_0=8080", "PORT_1=3000", "HOOK_0=orders-api-staging-test-hook",
		"DEPLOY_ENVIRONMENTS=staging production",
		"TASKDEF_0=" + base64.StdEncoding.EncodeToString([]byte(taskdefs["staging"])),
		"TASKDEF_1=" + base64.StdEncoding.EncodeToString([]byte(taskdefs["production"])),
		"FAKE_ECR_PASSWORD=" + password,
	}, extra...)
}

// inOrder fails the test unless every step appears in text, each after the one before.
func inOrder(t *testing.T, text string, steps ...string) {
	t.Helper()
	at := 0
	for _, step := range steps {
		i := strings.Index(text[at:], step)
		if i < 0 {
			t.Fatalf("%q missing or out of order in calls:\n%s", step, text)
		}
		at += i
	}
}

// Success: the image is built on the pinned builder with the registry cache, labelled with its
// commit and pushed by commit, and the artifact holds exactly the files CodeDeploy reads,
// well-formed and matching the config.
func TestBuildWritesTheDeployArtifact(t *testing.T) {
	r := newRun(t)
	code, out := r.exec(t, Build, buildEnv()...)
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
	if want := "111111111111.dkr.ecr.us-east-1.amazonaws.com/orders-api@sha256:" + strings.Repeat("0", 63) + "7"; detail["ImageURI"] != want {
		t.Errorf("imageDetail.json ImageURI = %q; want %s", detail["ImageURI"], want)
	}
	if len(detail) != 1 {
		t.Errorf("imageDetail.json = %v; want only ImageURI", detail)
	}
	hooks := map[string]string{"staging": "orders-api-staging-test-hook", "production": ""}
	for env, port := range map[string]int{"staging": 8080, "production": 3000} {
		t.Run(env, func(t *testing.T) {
			var appspec struct {
				Version   any                 `yaml:"version"`
				Hooks     []map[string]string `yaml:"Hooks"`
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
			if err := yaml.Unmarshal(read(t, deploy, "appspec-"+env+".yaml"), &appspec); err != nil {
				t.Fatalf("appspec-%s.yaml: %v", env, err)
			}
			if len(appspec.Resources) != 1 {
				t.Fatalf("appspec-%s.yaml: %d resources; want 1: %+v", env, len(appspec.Resources), appspec)
			}
			target := appspec.Resources[0]["TargetService"]
			if target.Type != "AWS::ECS::Service" {
				t.Errorf("appspec-%s.yaml: target type %q; want AWS::ECS::Service", env, target.Type)
			}
			if target.Properties.TaskDefinition != "<TASK_DEFINITION>" {
				t.Errorf("appspec-%s.yaml: task definition %q; want <TASK_DEFINITION>", env, target.Properties.TaskDefinition)
			}
			if got := target.Properties.LoadBalancerInfo.ContainerName; got != "app" {
				t.Errorf("appspec-%s.yaml: container %q; want app", env, got)
			}
			if got := target.Properties.LoadBalancerInfo.ContainerPort; got != port {
				t.Errorf("appspec-%s.yaml: container port %d; want %d", env, got, port)
			}
			// The test-traffic check runs once the new tasks are behind the test listener.
			want := []map[string]string(nil)
			if hooks[env] != "" {
				want = []map[string]string{{"AfterAllowTestTraffic": hooks[env]}}
			}
			if fmt.Sprint(appspec.Hooks) != fmt.Sprint(want) {
				t.Errorf("appspec-%s.yaml: hooks %v; want %v", env, appspec.Hooks, want)
			}
		})
	}
	for env, want := range taskdefs {
		t.Run(env, func(t *testing.T) {
			got := read(t, deploy, "taskdef-"+env+".json")
			var v map[string]any
			if err := json.Unmarshal(got, &v); err != nil {
				t.Errorf("taskdef-%s.json is not JSON: %v", env, err)
			}
			if string(got) != want {
				t.Errorf("taskdef-%s.json = %s; want %s", env, got, want)
			}
		})
	}
	calls := r.callLog(t)
	// The two halves of the login pipe run at once, so only the docker half has a place in order.
	if !strings.Contains(calls, "aws ecr get-login-password --region us-east-1") {
		t.Errorf("no registry password requested:\n%s", calls)
	}
	inOrder(t, calls,
		"docker login --username AWS --password-stdin 111111111111.dkr.ecr.us-east-1.amazonaws.com",
		"docker buildx create --name ecsdelivery --driver docker-container --driver-opt image="+builderImage+" --use\n",
		"docker buildx build", "--tag 111111111111.dkr.ecr.us-east-1.amazonaws.com/orders-api:"+commit,
		"--label org.opencontainers.image.revision="+commit,
		"image-manifest=true,oci-mediatypes=true", "--push -- .\n")
	if stdin, _ := os.ReadFile(filepath.Join(r.state, "login-111111111111.dkr.ecr.us-east-1.amazonaws.com")); strings.TrimSpace(string(stdin)) != password {
		t.Errorf("docker login did not get the password on stdin")
	}
	assertNoSecret(t, out, calls)
}

// The build runs in the privileged project with push rights: it runs no repository code but the
// Docker build, so a unit-test command meant for it is ignored (unit-test.sh runs it elsewhere).
func TestBuildRunsNoUnitTests(t *testing.T) {
	r := newRun(t)
	code, out := r.exec(t, Build, buildEnv(`UNIT_TEST_COMMAND=echo unit-tests-ran >> "$CALLS"`)...)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	if calls := r.callLog(t); strings.Contains(calls, "unit-tests-ran") {
		t.Errorf("the build ran the unit-test command:\n%s", calls)
	}
}

// Build secrets from Parameter Store reach the Dockerfile as BuildKit secrets, by name only: the
// value is in no argument and no log.
func TestBuildPassesSecretsByNameOnly(t *testing.T) {
	const value = "npm-token-value-5f3a"
	r := newRun(t)
	code, out := r.exec(t, Build, buildEnv("PARAMETER_VARIABLES=NPM_TOKEN", "NPM_TOKEN="+value)...)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	calls := r.callLog(t)
	if want := "--secret id=NPM_TOKEN,env=NPM_TOKEN"; !strings.Contains(calls, want) {
		t.Errorf("%q missing from calls:\n%s", want, calls)
	}
	if strings.Contains(calls, value) {
		t.Errorf("the secret's value appears in arguments:\n%s", calls)
	}
	if strings.Contains(out, value) {
		t.Errorf("the secret's value appears in output:\n%s", out)
	}
	code, out = newRun(t).exec(t, Build, buildEnv("PARAMETER_VARIABLES=NPM_TOKEN")...)
	if code == 0 {
		t.Errorf("an unreadable secret: exit 0; want a failure\n%s", out)
	}
	if want := "build secret NPM_TOKEN is empty"; !strings.Contains(out, want) {
		t.Errorf("an unreadable secret: output lacks %q\n%s", want, out)
	}
}

// A retried run finds its commit's image and does not try to overwrite an immutable tag; an
// image under that tag that was not built from this commit (planted, or a tag clash) is never
// deployed.
func TestBuildReusesOnlyItsOwnImage(t *testing.T) {
	image := "111111111111.dkr.ecr.us-east-1.amazonaws.com/orders-api:" + commit
	for _, tc := range []struct {
		name, revision string
		reused         bool
	}{
		{"a genuine retry", commit, true},
		{"a genuine retry, an index with provenance", commit + " index", true},
		{"planted, another commit's label", "fedcba9876543210fedcba9876543210fedcba98", false},
		{"planted, no label", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRun(t)
			revision, index := strings.CutSuffix(tc.revision, " index")
			env := buildEnv("FAKE_IMAGE_EXISTS=1", "FAKE_IMAGE_REVISION="+revision)
			if index {
				env = append(env, "FAKE_IMAGE_INDEX=1")
			}
			code, out := r.exec(t, Build, env...)
			calls := r.callLog(t)
			if strings.Contains(calls, "buildx build") {
				t.Errorf("%s: built over an existing tag:\n%s", tc.name, calls)
			}
			if !strings.Contains(calls, "docker buildx imagetools inspect "+image+" --format") {
				t.Errorf("%s: the existing image's label was not read:\n%s", tc.name, calls)
			}
			_, err := os.Stat(filepath.Join(r.dir, "src", "deploy", "imageDetail.json"))
			if tc.reused {
				if code != 0 {
					t.Errorf("%s: exit %d; want the image reused\n%s", tc.name, code, out)
				}
				if err != nil {
					t.Errorf("%s: imageDetail.json: %v; want it written for the reused image", tc.name, err)
				}
				return
			}
			want := image + " exists but was not built for " + commit + " (revision label '" + tc.revision + "'); refusing to deploy it"
			if code == 0 {
				t.Errorf("%s: exit 0; want a failure\n%s", tc.name, out)
			}
			if err == nil {
				t.Errorf("%s: imageDetail.json written; want none", tc.name)
			}
			if !strings.Contains(out, want) {
				t.Errorf("%s: output lacks %q\n%s", tc.name, want, out)
			}
		})
	}
}

// Only ImageNotFoundException means the image is absent: any other error from describe-images
// stops the build with the error, before anything is built.
func TestBuildStopsWhenItCannotTellWhetherTheImageExists(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  []string
		want string
	}{
		{"access denied", []string{"FAKE_DESCRIBE_ERROR=AccessDeniedException"}, "(AccessDeniedException)"},
		{"no repository", []string{"FAKE_DESCRIBE_ERROR=RepositoryNotFoundException"}, "(RepositoryNotFoundException)"},
		{"throttled beyond the retries", []string{"FAKE_THROTTLED=ecr describe-images", "AWS_MAX_ATTEMPTS=3"}, "(ThrottlingException)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRun(t)
			code, out := r.exec(t, Build, buildEnv(tc.env...)...)
			if code == 0 {
				t.Errorf("%s: exit 0; want a failure\n%s", tc.name, out)
			}
			if !strings.Contains(out, "cannot tell whether") {
				t.Errorf("%s: output does not say it cannot tell whether the image exists\n%s", tc.name, out)
			}
			if !strings.Contains(out, tc.want) {
				t.Errorf("%s: output lacks the error %s\n%s", tc.name, tc.want, out)
			}
			if calls := r.callLog(t); strings.Contains(calls, "docker buildx") {
				t.Errorf("%s: built or inspected after the error:\n%s", tc.name, calls)
			}
		})
	}
}

// The builder is the pinned BUILDER_IMAGE; one mirrored into another ECR registry is logged in
// to, with that registry's region, before the builder is created.
func TestBuildLogsInToAMirroredBuilder(t *testing.T) {
	const digest = "@sha256:0039c1d47e8748b5afea56f4e85f14febaf34452bd99d9552d2daa82262b5cc5"
	for _, tc := range []struct {
		name, builder    string
		registry, region string // of the second login; "" for none
	}{
		{"Docker Hub", builderImage, "", ""},
		{"the repository's registry", "111111111111.dkr.ecr.us-east-1.amazonaws.com/mirror/buildkit:v0.29.0" + digest, "", ""},
		{"another region", "111111111111.dkr.ecr.eu-west-1.amazonaws.com/buildkit:v0.29.0" + digest, "111111111111.dkr.ecr.eu-west-1.amazonaws.com", "eu-west-1"},
		{"another account in China", "222222222222.dkr.ecr.cn-north-1.amazonaws.com.cn/buildkit" + digest, "222222222222.dkr.ecr.cn-north-1.amazonaws.com.cn", "cn-north-1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRun(t)
			code, out := r.exec(t, Build, buildEnv("BUILDER_IMAGE="+tc.builder)...)
			if code != 0 {
				t.Fatalf("%s: exit %d\n%s", tc.name, code, out)
			}
			calls := r.callLog(t)
			if n, want := strings.Count(calls, "docker login"), map[bool]int{true: 1, false: 2}[tc.registry == ""]; n != want {
				t.Errorf("%s: %d registry logins; want %d:\n%s", tc.name, n, want, calls)
			}
			if tc.registry != "" {
				if !strings.Contains(calls, "aws ecr get-login-password --region "+tc.region+"\n") {
					t.Errorf("%s: no password requested in %s:\n%s", tc.name, tc.region, calls)
				}
				inOrder(t, calls, "docker login --username AWS --password-stdin "+tc.registry+"\n",
					"docker buildx create --name ecsdelivery --driver docker-container --driver-opt image="+tc.builder+" --use\n")
				if stdin, _ := os.ReadFile(filepath.Join(r.state, "login-"+tc.registry)); strings.TrimSpace(string(stdin)) != password {
					t.Errorf("%s: the builder's registry login did not get the password on stdin", tc.name)
				}
			}
			assertNoSecret(t, out, calls)
		})
	}
}

func TestBuildRejectsBadInput(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  []string
		want string
	}{
		{"missing taskdef", []string{"DEPLOY_ENVIRONMENTS=staging production qa"}, "TASKDEF_2 (the task definition of qa) is missing"},
		{"bad commit", []string{"CODEBUILD_RESOLVED_SOURCE_VERSION=latest"}, "is not a git hash"},
		{"no placeholder", []string{"TASKDEF_0=" + base64.StdEncoding.EncodeToString([]byte(`{"image":"nginx"}`))}, "has no <IMAGE1_NAME>"},
		{"no builder", []string{"BUILDER_IMAGE="}, "BUILDER_IMAGE is required"},
		{"builder by tag", []string{"BUILDER_IMAGE=moby/buildkit:v0.29.0"}, "is not pinned by digest"},
		{"builder by short digest", []string{"BUILDER_IMAGE=moby/buildkit@sha256:0039c1d4"}, "is not pinned by digest"},
		{"dockerfile as an option", []string{"DOCKERFILE=-"}, "DOCKERFILE '-' starts with '-'"},
		{"context as an option", []string{"BUILD_CONTEXT=--build-arg=X=1"}, "BUILD_CONTEXT '--build-arg=X=1' starts with '-'"},
		{"hook as YAML", []string{"HOOK_1=x\"\n  - BeforeInstall: \"y"}, "is not a function name"},
		{"hook as another account's function", []string{"HOOK_1=arn:aws:lambda:us-east-1:999999999999:function:x"}, "is not a function name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRun(t)
			code, out := r.exec(t, Build, buildEnv(tc.env...)...)
			if code == 0 {
				t.Errorf("%s: exit 0; want a failure\n%s", tc.name, out)
			}
			if !strings.Contains(out, tc.want) {
				t.Errorf("%s: output lacks %q\n%s", tc.name, tc.want, out)
			}
		})
	}
}

func assertNoSecret(t *testing.T, texts ...string) {
	t.Helper()
	for _, text := range texts {
		if strings.Contains(text, password) {
			t.Errorf("the registry password appears in output or arguments:\n%s", text)
		}
		if strings.Contains(text, "SECRET-ECR-PASSWORD") {
			t.Errorf("the registry password, decoded, appears in output or arguments:\n%s", text)
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
	code, out := r.exec(t, scanWith(t, sha), append(env, "FAKE_FINDINGS=LOW,MEDIUM", "IGNORE_UNFIXED=true", "PLATFORM=linux/arm64")...)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	calls := r.callLog(t)
	for _, want := range []string{
		"--severity CRITICAL,HIGH", "--ignore-unfixed", "--ignorefile " + filepath.Join(r.dir, "src", ".trivyignore"), "--skip-db-update",
		"orders-api@sha256:" + strings.Repeat("ab", 32), "trivy convert --format template",
		// The platform of the index the build pushed (image and provenance), and every package
		// for the SBOM.
		"--platform linux/arm64", "--list-all-pkgs",
		"trivy convert --format cyclonedx --output " + filepath.Join(r.dir, "src", "reports", "sbom.cdx.json"),
	} {
		if !strings.Contains(calls, want) {
			t.Errorf("trivy was not called with %q:\n%s", want, calls)
		}
	}
	if sbom, err := os.ReadFile(filepath.Join(r.dir, "src", "reports", "sbom.cdx.json")); err != nil || !strings.Contains(string(sbom), "CycloneDX") {
		t.Errorf("SBOM %q, %v; want the CycloneDX SBOM in the report artifact", sbom, err)
	}
	for _, report := range []string{"trivy.json", "trivy-junit.xml"} {
		if _, err := os.Stat(filepath.Join(r.dir, "src", "reports", report)); err != nil {
			t.Errorf("report %s: %v", report, err)
		}
	}
}

// A scan that passes but cannot write the SBOM fails: every release keeps its SBOM.
func TestScanFailsWithoutAnSBOM(t *testing.T) {
	r, sha, env := scanRun(t)
	code, out := r.exec(t, scanWith(t, sha), append(env, "FAKE_SBOM_FAIL=1")...)
	if code == 0 || !strings.Contains(out, "could not write the SBOM of") {
		t.Errorf("exit %d; want a failure naming the SBOM\n%s", code, out)
	}
}

func TestScanFailsOnFailOnSeverity(t *testing.T) {
	r, sha, env := scanRun(t)
	code, out := r.exec(t, scanWith(t, sha), append(env, "FAKE_FINDINGS=LOW,HIGH")...)
	if code == 0 {
		t.Fatalf("exit 0; want a failure\n%s", out)
	}
	if !strings.Contains(out, "has CRITICAL,HIGH findings") {
		t.Fatalf("output does not name the findings\n%s", out)
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
	if first < 0 {
		t.Errorf("the first repository was not tried:\n%s", calls)
	}
	if second < first {
		t.Errorf("the second repository was not tried after the first:\n%s", calls)
	}
	if strings.Contains(calls, "ghcr.io") {
		t.Errorf("a third repository was tried; want the second to serve:\n%s", calls)
	}
	all := append(env, "FAKE_DB_FAIL=public.ecr.aws/aquasecurity/trivy-db:2 mirror.gcr.io/aquasec/trivy-db:2 ghcr.io/aquasecurity/trivy-db:2")
	code, out = r.exec(t, scanWith(t, sha), all...)
	if code == 0 {
		t.Errorf("every repository down: exit 0; want a failure\n%s", out)
	}
	if want := "no vulnerability DB repository answered"; !strings.Contains(out, want) {
		t.Errorf("every repository down: output lacks %q\n%s", want, out)
	}
}

// The script as shipped, pinned to the real release, refuses any other archive and never runs
// what it downloaded.
func TestScanRefusesAnArchiveWithTheWrongChecksum(t *testing.T) {
	r, _, env := scanRun(t)
	code, out := r.exec(t, Scan, append(env, "TRIVY_CACHE_DIR="+filepath.Join(r.dir, "cache"))...)
	if code == 0 {
		t.Fatalf("exit 0; want a checksum failure\n%s", out)
	}
	if !strings.Contains(out, "does not match the pinned sha256") {
		t.Fatalf("output does not say the checksum differs\n%s", out)
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
	calls := r.callLog(t)
	if n := strings.Count(calls, "curl "); n != 1 {
		t.Errorf("%d downloads of trivy in two runs; want 1", n)
	}
	if n := strings.Count(calls, "trivy-db downloaded"); n != 1 {
		t.Errorf("%d downloads of the DB in two runs; want 1:\n%s", n, calls)
	}
}

// Trivy runs in an empty directory of its own, removed after: a trivy.yaml in the source (here
// one that would pass every finding) is never read, the findings still fail the scan, and the
// one input taken from the source is its .trivyignore, by its full path.
func TestScanReadsNoConfigurationFromTheSource(t *testing.T) {
	r, sha, env := scanRun(t)
	src := filepath.Join(r.dir, "src")
	write(t, filepath.Join(src, "trivy.yaml"), "severity: [UNKNOWN]\nexit-code: 0\n", 0o644)
	write(t, filepath.Join(src, ".trivyignore.yaml"), "vulnerabilities:\n  - id: CVE-2024-0002\n", 0o644)
	write(t, filepath.Join(src, ".trivyignore"), "CVE-2024-0001\n", 0o644)
	code, out := r.exec(t, scanWith(t, sha), append(env, "FAKE_FINDINGS=HIGH")...)
	if code == 0 {
		t.Errorf("exit 0; want the findings to fail the scan\n%s", out)
	}
	if !strings.Contains(out, "has CRITICAL,HIGH findings") {
		t.Errorf("output does not name the findings\n%s", out)
	}
	for _, name := range []string{"trivy.yaml", ".trivyignore.yaml"} {
		if want := "scan: ignoring " + name + " in the source: Trivy reads no configuration from the repository"; !strings.Contains(out, want) {
			t.Errorf("no warning %q:\n%s", want, out)
		}
	}
	if want := "--ignorefile " + filepath.Join(src, ".trivyignore") + " "; !strings.Contains(r.callLog(t), want) {
		t.Errorf("trivy was not called with %q:\n%s", want, r.callLog(t))
	}
	cwds := strings.Split(strings.TrimSpace(string(read(t, r.state, "trivy-cwd"))), "\n")
	for _, line := range cwds {
		dir, seen, _ := strings.Cut(line, " ")
		if dir == src {
			t.Errorf("trivy ran in the source %s; want a directory of its own", dir)
		}
		if seen != "[]" {
			t.Errorf("trivy ran in %s, where it could read %s; want an empty directory", dir, seen)
		}
		if _, err := os.Stat(dir); err == nil {
			t.Errorf("trivy's directory %s is left behind", dir)
		}
	}
	if len(cwds) < 3 { // the DB, the scan, the report
		t.Errorf("trivy ran %d times; want at least 3:\n%s", len(cwds), r.callLog(t))
	}
}

// A .trivyignore that is not a regular file, such as a link to a file elsewhere, is not read.
func TestScanReadsOnlyARegularTrivyignore(t *testing.T) {
	r, sha, env := scanRun(t)
	write(t, filepath.Join(r.dir, "ignores"), "CVE-2024-0001\n", 0o644)
	if err := os.Symlink(filepath.Join(r.dir, "ignores"), filepath.Join(r.dir, "src", ".trivyignore")); err != nil {
		t.Fatal(err)
	}
	code, out := r.exec(t, scanWith(t, sha), env...)
	if code != 0 {
		t.Errorf("exit %d; want a pass\n%s", code, out)
	}
	if strings.Contains(r.callLog(t), "--ignorefile") {
		t.Errorf("trivy was given --ignorefile; want none\n%s", r.callLog(t))
	}
	if want := "ignoring .trivyignore in the source: not a regular file"; !strings.Contains(out, want) {
		t.Errorf("output lacks %q\n%s", want, out)
	}
}

// at is a time in Trivy's metadata.json form, relative to now.
func at(d time.Duration) string {
	return time.Now().Add(d).UTC().Format("2006-01-02T15:04:05.0000000Z")
}

// metadata is a DB's metadata.json as Trivy writes it.
func metadata(version int, next, updated, downloaded string) string {
	return fmt.Sprintf(`{"Version":%d,"NextUpdate":%q,"UpdatedAt":%q,"DownloadedAt":%q}`, version, next, updated, downloaded)
}

// Trivy skips the download while the cached DB's NextUpdate is ahead, so an implausible cached
// DB is deleted first and a fresh one downloaded; a plausible one is used as it is.
func TestScanReplacesAnImplausibleCachedDB(t *testing.T) {
	const h = time.Hour
	for _, tc := range []struct {
		name, metadata, why string // why: "" for a plausible DB, kept
	}{
		{"fresh", metadata(2, at(5*h), at(-h), at(-30*time.Minute)), ""},
		{"fresh, clocks 5 minutes apart", metadata(2, at(6*h), at(5*time.Minute), at(5*time.Minute)), ""},
		{"planted, next updated in 2099", metadata(2, "2099-01-01T00:00:00Z", at(-h), at(-h)), "NextUpdate 2099-01-01T00:00:00Z is more than 48 h ahead"},
		{"updated 10 days ago", metadata(2, at(24*h), at(-240*h), at(-h)), "is more than 72 h ago"},
		{"updated in the future", metadata(2, at(30*h), at(24*h), at(-h)), "is in the future"},
		{"downloaded in the future", metadata(2, at(5*h), at(-h), at(24*h)), "is in the future"},
		{"another schema", metadata(1, at(5*h), at(-h), at(-h)), "Version is '1', not 2"},
		{"a time Trivy did not write", metadata(2, "tomorrow", at(-h), at(-h)), "NextUpdate 'tomorrow' is not a UTC time"},
		{"not JSON", "{", "is missing or not JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // each run has its own folders; a scan takes a while
			r, sha, env := scanRun(t)
			db := filepath.Join(r.dir, "cache", "db")
			if err := os.MkdirAll(db, 0o755); err != nil {
				t.Fatal(err)
			}
			write(t, filepath.Join(db, "metadata.json"), tc.metadata, 0o644)
			write(t, filepath.Join(db, "trivy.db"), "cached", 0o644)
			code, out := r.exec(t, scanWith(t, sha), append(env, "TRIVY_CACHE_DIR="+filepath.Join(r.dir, "cache"))...)
			if code != 0 {
				t.Fatalf("exit %d\n%s", code, out)
			}
			downloaded := strings.Contains(r.callLog(t), "trivy-db downloaded")
			kept := string(read(t, db, "trivy.db")) == "cached"
			if tc.why == "" {
				if downloaded {
					t.Errorf("a DB was downloaded; want the cached DB used as it is\n%s", out)
				}
				if !kept {
					t.Errorf("the cached DB was replaced; want it used as it is\n%s", out)
				}
				if strings.Contains(out, "implausible") {
					t.Errorf("the cached DB was called implausible; want it used as it is\n%s", out)
				}
				return
			}
			if !downloaded {
				t.Errorf("no DB was downloaded; want the cached one replaced\n%s", out)
			}
			if kept {
				t.Errorf("the cached DB was kept; want it replaced\n%s", out)
			}
			if want := "the cached vulnerability DB is implausible: "; !strings.Contains(out, want) {
				t.Errorf("output lacks %q\n%s", want, out)
			}
			if !strings.Contains(out, tc.why) {
				t.Errorf("output does not say why, %q\n%s", tc.why, out)
			}
		})
	}
}

// A repository that serves a stale DB fails the scan, and the DB is not kept for the next run.
func TestScanRefusesAStaleDB(t *testing.T) {
	r, sha, env := scanRun(t)
	cache := filepath.Join(r.dir, "cache")
	code, out := r.exec(t, scanWith(t, sha), append(env, "TRIVY_CACHE_DIR="+cache, "FAKE_DB_AGE_HOURS=240")...)
	want := "scan: the vulnerability DB from public.ecr.aws/aquasecurity/trivy-db:2 is implausible: UpdatedAt "
	if code == 0 {
		t.Errorf("exit 0; want a failure\n%s", out)
	}
	if !strings.Contains(out, want) {
		t.Errorf("output lacks %q…\n%s", want, out)
	}
	if why := "is more than 72 h ago; refusing to scan with it"; !strings.Contains(out, why) {
		t.Errorf("output lacks %q\n%s", why, out)
	}
	if calls := r.callLog(t); strings.Contains(calls, "--format json") {
		t.Errorf("scanned with a stale DB:\n%s", calls)
	}
	if _, err := os.Stat(filepath.Join(cache, "db")); err == nil {
		t.Error("the stale DB stayed in the cache")
	}
	// The limit is configurable: a DB 10 days old passes a limit of 11.
	r, sha, env = scanRun(t)
	if code, out := r.exec(t, scanWith(t, sha), append(env, "FAKE_DB_AGE_HOURS=240", "TRIVY_DB_MAX_AGE_HOURS=264")...); code != 0 {
		t.Errorf("TRIVY_DB_MAX_AGE_HOURS=264: exit %d\n%s", code, out)
	}
}

// ECR and ECS throttle; the scripts that call AWS have the CLI itself ride that out (adaptive
// retries, 10 attempts) unless the caller chose otherwise. The fake aws fails the throttled call
// as the CLI would with its defaults: it checks the configuration; the retrying is the CLI's own.
func TestAWSCallsRideOutThrottling(t *testing.T) {
	for _, tc := range []struct {
		name, script, call string
		setup              func(t *testing.T) (*run, []string)
	}{
		{"build.sh", Build, "ecr describe-images", func(t *testing.T) (*run, []string) { return newRun(t), buildEnv() }},
		{"integration-test.sh", IntegrationTest, "ecs run-task", func(t *testing.T) (*run, []string) { return integrationRun(t, "pass") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, env := tc.setup(t)
			if code, out := r.exec(t, tc.script, append(env, "FAKE_THROTTLED="+tc.call)...); code != 0 {
				t.Errorf("%s: exit %d with %s throttled; want the CLI's adaptive retries to ride it out\n%s", tc.name, code, tc.call, out)
			}
			r, env = tc.setup(t)
			code, out := r.exec(t, tc.script, append(env, "FAKE_THROTTLED="+tc.call, "AWS_RETRY_MODE=standard")...)
			if code == 0 {
				t.Errorf("%s: exit 0 with AWS_RETRY_MODE=standard; want the caller's setting kept, and the throttling to fail the run\n%s", tc.name, out)
			}
			if !strings.Contains(out, "ThrottlingException") {
				t.Errorf("%s: output lacks ThrottlingException with AWS_RETRY_MODE=standard\n%s", tc.name, out)
			}
		})
	}
}

// With integrationTest.image, the build also pushes the test's own image as it-<commit> (its own
// Dockerfile or build stage, the same revision label) and names it by digest in
// testImageDetail.json; the release's imageDetail.json is unchanged.
func TestBuildBuildsTheTestImage(t *testing.T) {
	for _, tc := range []struct {
		name, file, target   string
		wantFile, wantTarget string
	}{
		{"a build stage", "", "integration", "Dockerfile", "--target integration"},
		{"another Dockerfile", "test.Dockerfile", "", "test.Dockerfile", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRun(t)
			code, out := r.exec(t, Build, buildEnv("TEST_DOCKERFILE="+tc.file, "TEST_TARGET="+tc.target)...)
			if code != 0 {
				t.Fatalf("exit %d\n%s", code, out)
			}
			var builds []string
			for _, line := range strings.Split(r.callLog(t), "\n") {
				if strings.HasPrefix(line, "docker buildx build ") {
					builds = append(builds, line)
				}
			}
			if len(builds) != 2 {
				t.Fatalf("%d image builds; want the release and the test image:\n%s", len(builds), strings.Join(builds, "\n"))
			}
			test := builds[1]
			if !strings.Contains(test, "--file "+tc.wantFile+" ") {
				t.Errorf("the test image is not built from %s: %s", tc.wantFile, test)
			}
			if !strings.Contains(test, ":it-"+commit+" ") {
				t.Errorf("the test image is not tagged it-<commit>: %s", test)
			}
			if !strings.Contains(test, "--label org.opencontainers.image.revision="+commit) {
				t.Errorf("the test image carries no revision label: %s", test)
			}
			if tc.wantTarget != "" && !strings.Contains(test, tc.wantTarget) {
				t.Errorf("the test image is not built from its stage (%s): %s", tc.wantTarget, test)
			}
			if strings.Contains(builds[0], "--target") {
				t.Errorf("the release is built from a stage: %s", builds[0])
			}
			deploy := filepath.Join(r.dir, "src", "deploy")
			repo := "111111111111.dkr.ecr.us-east-1.amazonaws.com/orders-api@sha256:"
			for file, digit := range map[string]string{"imageDetail.json": "7", "testImageDetail.json": "8"} {
				var detail map[string]string
				if err := json.Unmarshal(read(t, deploy, file), &detail); err != nil {
					t.Fatalf("%s: %v", file, err)
				}
				if want := repo + strings.Repeat("0", 63) + digit; detail["ImageURI"] != want {
					t.Errorf("%s ImageURI = %q; want %s", file, detail["ImageURI"], want)
				}
			}
		})
	}
	// Without it, no second build and no testImageDetail.json.
	r := newRun(t)
	if code, out := r.exec(t, Build, buildEnv()...); code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	if n := strings.Count(r.callLog(t), "docker buildx build "); n != 1 {
		t.Errorf("%d image builds without a test image; want 1", n)
	}
	if _, err := os.Stat(filepath.Join(r.dir, "src", "deploy", "testImageDetail.json")); err == nil {
		t.Error("testImageDetail.json written without a test image")
	}
}

// The image carries SLSA provenance in mode=max, which records every build parameter; the
// labels put the source commit, the repository and the build among them.
func TestBuildRecordsProvenance(t *testing.T) {
	r := newRun(t)
	build := "arn:aws:codebuild:us-east-1:111111111111:build/orders-api-build:5f0c"
	code, out := r.exec(t, Build, buildEnv("CODEBUILD_BUILD_ARN="+build, "SOURCE_URL=https://github.com/acme/orders-api")...)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	calls := r.callLog(t)
	for _, want := range []string{"--provenance=mode=max", "--label org.opencontainers.image.revision=" + commit,
		"--label dev.ecsdelivery.build=" + build, "--label org.opencontainers.image.source=https://github.com/acme/orders-api"} {
		if !strings.Contains(calls, want) {
			t.Errorf("the build lacks %q:\n%s", want, calls)
		}
	}
	if strings.Contains(calls, "--provenance=false") {
		t.Errorf("provenance turned off:\n%s", calls)
	}
}
