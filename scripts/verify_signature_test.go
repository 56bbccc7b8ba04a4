package scripts

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fakeSigning acts out AWS Signer and ECR managed signing for verify-signature.sh, as botocore's
// models have them (GetSigningProfile; DescribeImageSigningStatus), on a clock of its own
// ($STATE/clock, epoch seconds, told to the script by fakeDate) that moves on FAKE_TICK seconds
// (default 10) with every call: a wait of minutes takes a few dozen calls, and no sleeping.
//
// The registry is 111111111111's in FAKE_REGION (default us-east-1), whose repository
// orders-api holds the image FAKE_PUSHED (a digest); a call anywhere else, or not asking for
// JSON, fails. The signing profile is ecsdelivery, in that account and region, of platform
// FAKE_PLATFORM (default Notation-OCI-SHA384-ECDSA) and status FAKE_PROFILE_STATUS (default
// Active; "missing" for none). The image's signing statuses are the lines of $STATE/statuses,
// one a describe call, the last one again once they run out. FAKE_DENIED names operations
// ("get-signing-profile", "describe-image-signing-status") the caller may not call;
// FAKE_OLD_CLI makes the CLI one that predates ECR managed signing, version FAKE_CLI_VERSION.
const fakeSigning = fakeAWSStart + `read -r clock < "$STATE/clock"; echo $((clock + ${FAKE_TICK:-10})) > "$STATE/clock"
arg() { local var=$1 want=$2; shift 2; printf -v "$var" ''; while [[ $# -gt 0 ]]; do [[ $1 == "$want" ]] && { printf -v "$var" '%s' "$2"; return; }; shift; done; }
fail() { printf '\nAn error occurred (%s) when calling the %s operation: %s\n' "$1" "$2" "$3" >&2; exit 254; }
if [[ $* == --version ]]; then
  echo "aws-cli/${FAKE_CLI_VERSION:-2.32.9} Python/3.13.9 Linux/5.10.244-240.965.amzn2.x86_64 exe/x86_64.amzn.2"; exit 0
fi
if [[ -n ${FAKE_OLD_CLI:-} && "$1 $2" == "ecr describe-image-signing-status" ]]; then
  cat >&2 <<'EOF'

usage: aws [options] <command> <subcommand> [<subcommand> ...] [parameters]
To see help text, you can run:

  aws help
  aws <command> help
  aws <command> <subcommand> help

aws: error: argument operation: Invalid choice, valid choices are:

batch-check-layer-availability           | batch-delete-image
batch-get-image                          | describe-images
EOF
  exit 252
fi
region=${FAKE_REGION:-us-east-1} partition=aws account=111111111111
[[ $region != cn-* ]] || partition=aws-cn
arg at --region "$@"; arg output --output "$@"
[[ $at == "$region" && $output == json ]] || { echo "fake aws: called in region '$at' for output '$output'" >&2; exit 2; }
profile_arn=arn:$partition:signer:$region:$account:/signing-profiles/ecsdelivery
denied() { # <operation> <action>
  [[ " ${FAKE_DENIED:-} " != *" $2 "* ]] ||
    fail AccessDeniedException "$1" "User: arn:$partition:sts::$account:assumed-role/orders-api-pipeline-verify/AWSCodeBuild-1 is not authorized to perform: $3 because no identity-based policy allows the $3 action"
}
case "$1 $2" in
  "signer get-signing-profile")
    denied GetSigningProfile "$2" signer:GetSigningProfile
    arg name --profile-name "$@"
    status=${FAKE_PROFILE_STATUS:-Active}
    [[ $name == ecsdelivery && $status != missing ]] || fail ResourceNotFoundException GetSigningProfile "Signing profile $name not found."
    revocation=
    [[ $status != Revoked ]] || revocation=',"revocationRecord":{"revocationEffectiveFrom":"2026-01-10T00:00:00+00:00","revokedAt":"2026-01-12T09:30:00+00:00","revokedBy":"arn:'$partition':iam::'$account':user/security"}'
    printf '{"profileName":"ecsdelivery","profileVersion":"a1B2c3D4e5","profileVersionArn":"%s/a1B2c3D4e5","platformId":"%s","platformDisplayName":"Notation for container registries","signatureValidityPeriod":{"value":135,"type":"MONTHS"},"status":"%s"%s,"arn":"%s","tags":{}}\n' \
      "$profile_arn" "${FAKE_PLATFORM:-Notation-OCI-SHA384-ECDSA}" "$status" "$revocation" "$profile_arn" ;;
  "ecr describe-image-signing-status")
    denied DescribeImageSigningStatus "$2" ecr:DescribeImageSigningStatus
    arg registry --registry-id "$@"; arg repository --repository-name "$@"; arg id --image-id "$@"
    [[ $registry == "$account" && $repository == orders-api ]] ||
      fail RepositoryNotFoundException DescribeImageSigningStatus "The repository with name '$repository' does not exist in the registry with id '$registry'"
    [[ $id == "imageDigest=$FAKE_PUSHED" ]] ||
      fail ImageNotFoundException DescribeImageSigningStatus "The image with imageId {imageDigest:'${id#imageDigest=}', imageTag:'null'} does not exist within the repository with name '$repository' in the registry with id '$registry'"
    n=0; read -r n < "$STATE/polls" || true; n=$((n + 1)); echo "$n" > "$STATE/polls"
    mapfile -t polls < "$STATE/statuses"; statuses=${polls[n - 1]:-${polls[-1]}}
    printf '{"repositoryName":"%s","imageId":{"imageDigest":"%s"},"registryId":"%s","signingStatuses":%s}\n' \
      "$repository" "$FAKE_PUSHED" "$registry" "$statuses" ;;
  *) echo "fake aws: unexpected $*" >&2; exit 2 ;;
esac
`

const (
	signingProfileARN = "arn:aws:signer:us-east-1:111111111111:/signing-profiles/ecsdelivery"
	signedDigest      = "sha256:cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd"
	signedImage       = "111111111111.dkr.ecr.us-east-1.amazonaws.com/orders-api@" + signedDigest
	signedProfileCall = "aws signer get-signing-profile --profile-name ecsdelivery --region us-east-1 --output json\n"
	signedStatusCall  = "aws ecr describe-image-signing-status --registry-id 111111111111 --repository-name orders-api --image-id imageDigest=" +
		signedDigest + " --region us-east-1 --output json\n"
)

// signature is one of DescribeImageSigningStatus's signingStatuses; more is the rest of it.
func signature(arn, status string, more ...string) string {
	return fmt.Sprintf(`{"signingProfileArn":%q,"status":%q%s}`, arn, status, strings.Join(more, ""))
}

// signatures is the signingStatuses of one describe call.
func signatures(s ...string) string { return "[" + strings.Join(s, ",") + "]" }

// signingRun prepares a run whose describe calls answer the polls, one a call, the last one
// again after; the image is signedImage, pushed. CodeBuild's region is another than the
// repository's: every call must go to the repository's.
func signingRun(t *testing.T, polls ...string) (*run, []string) {
	t.Helper()
	r := newRun(t)
	write(t, filepath.Join(r.dir, "bin", "aws"), fakeSigning, 0o755)
	write(t, filepath.Join(r.dir, "bin", "date"), fakeDate, 0o755)
	r.set(t, "clock", strconv.FormatInt(time.Now().Unix(), 10))
	r.set(t, "polls", "0")
	r.set(t, "statuses", strings.Join(polls, "\n")+"\n")
	detail := filepath.Join(r.dir, "imageDetail.json")
	write(t, detail, `{"ImageURI": "`+signedImage+`"}`, 0o644)
	tmp := filepath.Join(r.dir, "tmp")
	if err := os.Mkdir(tmp, 0o755); err != nil {
		t.Fatal(err)
	}
	return r, []string{
		"IMAGE_DETAIL=" + detail, "SIGNING_PROFILE=ecsdelivery", "ENVIRONMENT=staging", "POLL_SECONDS=0",
		"FAKE_PUSHED=" + signedDigest, "AWS_REGION=eu-west-1", "AWS_DEFAULT_REGION=eu-west-1", "TMPDIR=" + tmp,
	}
}

// leftovers fails the test if the run left a temporary file behind.
func (r *run) leftovers(t *testing.T) {
	t.Helper()
	if left, _ := os.ReadDir(filepath.Join(r.dir, "tmp")); len(left) > 0 {
		t.Errorf("the run left %d temporary files", len(left))
	}
}

// lastLine is the output's last line: the reason a run failed, or that it passed.
func lastLine(out string) string {
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	return lines[len(lines)-1]
}

// A COMPLETE signature of our profile, by the profile's ARN or its current version's, passes,
// whatever other profiles say; the calls are the profile's and the image's status, by digest, in
// the repository's registry and region.
func TestVerifySignaturePassesACompleteSignature(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, statuses, arn string
	}{
		{"the profile's ARN", signatures(signature(signingProfileARN, "COMPLETE")), signingProfileARN},
		{"its current version's ARN", signatures(signature(signingProfileARN+"/a1B2c3D4e5", "COMPLETE")), signingProfileARN + "/a1B2c3D4e5"},
		{"beside other profiles", signatures(
			signature("arn:aws:signer:us-east-1:111111111111:/signing-profiles/other_team", "FAILED", `,"failureCode":"AccessDenied","failureReason":"denied"`),
			signature(signingProfileARN, "COMPLETE")), signingProfileARN},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, env := signingRun(t, tc.statuses)
			code, out := r.exec(t, VerifySignature, env...)
			if code != 0 {
				t.Fatalf("exit %d\n%s", code, out)
			}
			if calls := r.callLog(t); calls != signedProfileCall+signedStatusCall {
				t.Errorf("calls:\n%s\nwant:\n%s%s", calls, signedProfileCall, signedStatusCall)
			}
			want := "verify-signature: image " + signedImage + " carries a complete signature of profile ecsdelivery (" + tc.arn + "); deploying to staging"
			if got := lastLine(out); got != want {
				t.Errorf("last line %q; want %q\n%s", got, want, out)
			}
			r.leftovers(t)
		})
	}
	// In China's partition: the profile's ARN is aws-cn's, as GetSigningProfile gives it.
	r, env := signingRun(t, signatures(signature("arn:aws-cn:signer:cn-north-1:111111111111:/signing-profiles/ecsdelivery", "COMPLETE")))
	write(t, filepath.Join(r.dir, "imageDetail.json"), `{"ImageURI": "111111111111.dkr.ecr.cn-north-1.amazonaws.com.cn/orders-api@`+signedDigest+`"}`, 0o644)
	if code, out := r.exec(t, VerifySignature, append(env, "FAKE_REGION=cn-north-1")...); code != 0 {
		t.Errorf("cn-north-1: exit %d\n%s", code, out)
	}
}

// Anything but a COMPLETE signature of our Active profile stops the stage, with one line that
// says why; nothing is taken for ours by its name alone.
func TestVerifySignatureRefusesAnythingElse(t *testing.T) {
	t.Parallel()
	const other = "arn:aws:signer:us-east-1:111111111111:/signing-profiles/other_team"
	image := "image " + signedImage
	for _, tc := range []struct {
		name  string
		polls []string
		env   []string
		want  string
		calls int // describe calls made: 0 when the profile already failed
	}{
		{"unsigned", []string{"[]"}, nil, image + " is unsigned: it has no signing status at all. Is ECR managed signing on for this repository? " +
			"(the registry's signing configuration: aws ecr get-signing-configuration --region us-east-1, a rule with profile " + signingProfileARN + " whose filters match orders-api)", 1},
		{"no statuses in the answer", []string{"null"}, nil, image + " is unsigned", 1},
		{"signed by another profile only", []string{signatures(signature(other, "COMPLETE"))}, nil,
			image + " is signed by " + other + " (COMPLETE) only, not by profile ecsdelivery (" + signingProfileARN + ")", 1},
		{"the same name in another account", []string{signatures(signature("arn:aws:signer:us-east-1:222222222222:/signing-profiles/ecsdelivery", "COMPLETE"))}, nil,
			image + " is signed by arn:aws:signer:us-east-1:222222222222:/signing-profiles/ecsdelivery (COMPLETE) only, not by profile ecsdelivery (" + signingProfileARN + ")", 1},
		{"the same name in another region", []string{signatures(signature("arn:aws:signer:us-west-2:111111111111:/signing-profiles/ecsdelivery", "COMPLETE"))}, nil,
			image + " is signed by arn:aws:signer:us-west-2:111111111111:/signing-profiles/ecsdelivery (COMPLETE) only", 1},
		{"a name that starts with ours", []string{signatures(signature(signingProfileARN+"_old", "COMPLETE"))}, nil,
			image + " is signed by " + signingProfileARN + "_old (COMPLETE) only", 1},
		{"another version of our profile", []string{signatures(signature(signingProfileARN+"/Zz9Yy8Xx7W", "COMPLETE"))}, nil,
			image + " is signed by " + signingProfileARN + "/Zz9Yy8Xx7W (COMPLETE) only", 1},
		{"signing failed", []string{signatures(signature(signingProfileARN, "FAILED",
			`,"failureCode":"AccessDenied","failureReason":"The pushing principal may not call signer:SignPayload on the profile."`), signature(other, "COMPLETE"))}, nil,
			"signing " + image + " with profile ecsdelivery FAILED: AccessDenied: The pushing principal may not call signer:SignPayload on the profile.", 1},
		{"signing failed after a while", []string{signatures(signature(signingProfileARN, "IN_PROGRESS")), signatures(signature(signingProfileARN, "FAILED"))}, nil,
			"signing " + image + " with profile ecsdelivery FAILED: no failure code: no reason given", 2},
		{"a status the model does not have", []string{signatures(signature(signingProfileARN, "PENDING"))}, nil,
			"the signature of " + image + " by profile ecsdelivery is PENDING, not COMPLETE", 1},
		{"the profile revoked", []string{signatures(signature(signingProfileARN, "COMPLETE"))}, []string{"FAKE_PROFILE_STATUS=Revoked"},
			"signing profile ecsdelivery is Revoked (revoked at 2026-01-12T09:30:00+00:00 by arn:aws:iam::111111111111:user/security, " +
				"effective from 2026-01-10T00:00:00+00:00): images it signed are no longer trusted", 0},
		{"the profile canceled", []string{signatures(signature(signingProfileARN, "COMPLETE"))}, []string{"FAKE_PROFILE_STATUS=Canceled"},
			"signing profile ecsdelivery is Canceled: it signs nothing any more", 0},
		{"no such profile", []string{"[]"}, []string{"SIGNING_PROFILE=ecs_delivery"},
			"signing profile ecs_delivery does not exist in us-east-1 in the pipeline's account: An error occurred (ResourceNotFoundException) when calling the GetSigningProfile operation", 0},
		{"a profile for Lambda", []string{signatures(signature(signingProfileARN, "COMPLETE"))}, []string{"FAKE_PLATFORM=AWSLambda-SHA384-ECDSA"},
			"signing profile ecsdelivery is for platform AWSLambda-SHA384-ECDSA; ECR managed signing needs Notation-OCI-SHA384-ECDSA", 0},
		{"image not found", []string{"[]"}, []string{"FAKE_PUSHED=sha256:" + strings.Repeat("ab", 32)},
			"image not found: repository orders-api of registry 111111111111 in us-east-1 holds no image " + signedDigest + " (An error occurred (ImageNotFoundException)", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, env := signingRun(t, tc.polls...)
			code, out := r.exec(t, VerifySignature, append(env, tc.env...)...)
			if code != 1 {
				t.Errorf("exit %d; want 1\n%s", code, out)
			}
			wants(t, "the last line", lastLine(out), "verify-signature: not deploying to staging: "+tc.want)
			lacks(t, "output", out, "carries a complete signature")
			if n := strings.Count(r.callLog(t), "describe-image-signing-status"); n != tc.calls {
				t.Errorf("%d describe calls; want %d\n%s", n, tc.calls, r.callLog(t))
			}
			r.leftovers(t)
		})
	}
}

// An AWS error is never taken for a pass: the stage fails with the CLI's error.
func TestVerifySignatureFailsOnAWSErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, repository string // repository: the image's, when not orders-api
		env              []string
		want             string
	}{
		{"ECR denied", "", []string{"FAKE_DENIED=describe-image-signing-status"}, "verify-signature: cannot read the signing status of " + signedImage +
			", so it is not deployed to staging: An error occurred (AccessDeniedException) when calling the DescribeImageSigningStatus operation: " +
			"User: arn:aws:sts::111111111111:assumed-role/orders-api-pipeline-verify/AWSCodeBuild-1 is not authorized to perform: ecr:DescribeImageSigningStatus"},
		{"Signer denied", "", []string{"FAKE_DENIED=get-signing-profile"}, "verify-signature: cannot read signing profile ecsdelivery in us-east-1, so the signature cannot be verified: " +
			"An error occurred (AccessDeniedException) when calling the GetSigningProfile operation"},
		{"another repository", "orders-web", nil, "verify-signature: not deploying to staging: repository not found: registry 111111111111 in us-east-1 has no repository orders-web " +
			"(An error occurred (RepositoryNotFoundException)"},
		{"throttled beyond the retries", "", []string{"FAKE_THROTTLED=ecr describe-image-signing-status", "AWS_MAX_ATTEMPTS=3"},
			"verify-signature: cannot read the signing status of " + signedImage + ", so it is not deployed to staging: An error occurred (ThrottlingException)"},
		{"a CLI that predates managed signing", "", []string{"FAKE_OLD_CLI=1", "FAKE_CLI_VERSION=2.15.30"},
			"verify-signature: the AWS CLI in the build image (aws-cli/2.15.30 Python/3.13.9 Linux/5.10.244-240.965.amzn2.x86_64 exe/x86_64.amzn.2) is too old: " +
				"it does not know 'aws ecr describe-image-signing-status' (exit 252, \"Invalid choice\"); use a build image whose CLI is newer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, env := signingRun(t, signatures(signature(signingProfileARN, "COMPLETE")))
			if tc.repository != "" {
				write(t, filepath.Join(r.dir, "imageDetail.json"), `{"ImageURI": "111111111111.dkr.ecr.us-east-1.amazonaws.com/`+tc.repository+`@`+signedDigest+`"}`, 0o644)
			}
			code, out := r.exec(t, VerifySignature, append(env, tc.env...)...)
			if code != 1 {
				t.Errorf("exit %d; want 1\n%s", code, out)
			}
			wants(t, "the last line", lastLine(out), tc.want)
			lacks(t, "output", out, "carries a complete signature", "batch-get-image")
			r.leftovers(t)
		})
	}
}

// A signature IN_PROGRESS is waited for, WAIT_SECONDS at most (default 300), on the fakes'
// clock: ten seconds a poll, or a minute.
func TestVerifySignatureWaitsForSigning(t *testing.T) {
	t.Parallel()
	inProgress := signatures(signature(signingProfileARN, "IN_PROGRESS"))
	r, env := signingRun(t, inProgress, inProgress, inProgress, signatures(signature(signingProfileARN, "COMPLETE")))
	code, out := r.exec(t, VerifySignature, env...)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	if n := strings.Count(r.callLog(t), signedStatusCall); n != 4 {
		t.Errorf("%d describe calls; want 4 (three IN_PROGRESS, then COMPLETE)", n)
	}
	if n := strings.Count(out, "is in progress; waiting up to 300 s"); n != 1 {
		t.Errorf("the wait was announced %d times; want once\n%s", n, out)
	}
	wants(t, "the last line", lastLine(out), "carries a complete signature of profile ecsdelivery")

	for _, tc := range []struct {
		wait, tick, after string // after: the seconds the failure says it waited
		polls             int
	}{{"", "60", "300", 5}, {"60", "10", "60", 6}, {"0", "10", "10", 1}} {
		t.Run("WAIT_SECONDS="+tc.wait, func(t *testing.T) {
			t.Parallel()
			r, env := signingRun(t, inProgress)
			code, out := r.exec(t, VerifySignature, append(env, "WAIT_SECONDS="+tc.wait, "FAKE_TICK="+tc.tick)...)
			if code != 1 {
				t.Errorf("exit %d; want 1\n%s", code, out)
			}
			wait := tc.wait
			if wait == "" {
				wait = "300"
			}
			wants(t, "the last line", lastLine(out), "verify-signature: not deploying to staging: signing image "+signedImage+
				" with profile ecsdelivery is still in progress after "+tc.after+" s (WAIT_SECONDS="+wait+")")
			lacks(t, "output", out, "carries a complete signature")
			if n := strings.Count(r.callLog(t), signedStatusCall); n != tc.polls {
				t.Errorf("%d describe calls; want %d", n, tc.polls)
			}
		})
	}
}

// A throttled check is ridden out by the CLI's adaptive retries, unless the caller chose otherwise.
func TestVerifySignatureRidesOutThrottling(t *testing.T) {
	t.Parallel()
	complete := signatures(signature(signingProfileARN, "COMPLETE"))
	for _, call := range []string{"ecr describe-image-signing-status", "signer get-signing-profile"} {
		r, env := signingRun(t, complete)
		if code, out := r.exec(t, VerifySignature, append(env, "FAKE_THROTTLED="+call)...); code != 0 {
			t.Errorf("exit %d with %s throttled; want the CLI's adaptive retries to ride it out\n%s", code, call, out)
		}
		r, env = signingRun(t, complete)
		code, out := r.exec(t, VerifySignature, append(env, "FAKE_THROTTLED="+call, "AWS_RETRY_MODE=standard")...)
		if code != 1 {
			t.Errorf("exit %d with %s throttled and AWS_RETRY_MODE=standard; want the caller's setting kept, and 1\n%s", code, call, out)
		}
		wants(t, "the last line with AWS_RETRY_MODE=standard", lastLine(out), "(ThrottlingException)")
	}
}

// The image detail and the other inputs are checked before any call; only an image by digest in
// a private ECR registry is verified.
func TestVerifySignatureValidatesItsInputs(t *testing.T) {
	t.Parallel()
	const hex = "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd"
	uri := func(s string) string { return `{"ImageURI": "` + s + `"}` }
	for _, tc := range []struct {
		name, detail string // detail: imageDetail.json, when not signedImage's; "-" for none
		env          []string
		want         string
	}{
		{"a tag", uri("111111111111.dkr.ecr.us-east-1.amazonaws.com/orders-api:latest"), nil,
			"holds no image digest (got '111111111111.dkr.ecr.us-east-1.amazonaws.com/orders-api:latest'); only an image by digest is verified"},
		{"a tag and a digest", uri("111111111111.dkr.ecr.us-east-1.amazonaws.com/orders-api:1.2@sha256:" + hex), nil,
			"names repository 'orders-api:1.2', which is no ECR repository name"},
		{"a short digest", uri("111111111111.dkr.ecr.us-east-1.amazonaws.com/orders-api@sha256:abc"), nil, "holds no image digest"},
		{"another hash", uri("111111111111.dkr.ecr.us-east-1.amazonaws.com/orders-api@sha512:" + hex + hex), nil, "holds no image digest"},
		{"no file", "-", nil, "is not a file"},
		{"no JSON", "ImageURI=" + signedImage, nil, `holds no ImageURI (expected {"ImageURI": "<image>@sha256:<digest>"})`},
		{"no ImageURI", `{"imageUri": "` + signedImage + `"}`, nil, "holds no ImageURI"},
		{"Docker Hub", uri("docker.io/library/nginx@sha256:" + hex), nil, "names an image outside a private ECR registry (got 'docker.io/library/nginx@sha256:" + hex + "')"},
		{"ECR Public", uri("public.ecr.aws/nginx/nginx@sha256:" + hex), nil, "names an image outside a private ECR registry"},
		{"no registry", uri("orders-api@sha256:" + hex), nil, "names an image outside a private ECR registry (got 'orders-api@sha256:" + hex + "')"},
		{"a pull-through cache host", uri("111111111111.dkr.ecr.us-east-1.amazonaws.com.example.com/orders-api@sha256:" + hex), nil, "outside a private ECR registry"},
		{"China's domain elsewhere", uri("111111111111.dkr.ecr.us-east-1.amazonaws.com.cn/orders-api@sha256:" + hex), nil, "whose domain is not its region's"},
		{"China without its domain", uri("111111111111.dkr.ecr.cn-north-1.amazonaws.com/orders-api@sha256:" + hex), nil, "whose domain is not its region's"},
		{"a bad profile name", "", []string{"SIGNING_PROFILE=ecs-delivery"}, "SIGNING_PROFILE is 'ecs-delivery'; expected a Signer profile name"},
		{"a profile ARN", "", []string{"SIGNING_PROFILE=" + signingProfileARN}, "expected a Signer profile name"},
		{"no profile", "", []string{"SIGNING_PROFILE="}, "SIGNING_PROFILE is required"},
		{"no environment", "", []string{"ENVIRONMENT="}, "ENVIRONMENT is required"},
		{"a bad wait", "", []string{"WAIT_SECONDS=5m"}, "WAIT_SECONDS is '5m'; expected a whole number of seconds"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, env := signingRun(t, signatures(signature(signingProfileARN, "COMPLETE")))
			detail := filepath.Join(r.dir, "imageDetail.json")
			switch tc.detail {
			case "":
			case "-":
				if err := os.Remove(detail); err != nil {
					t.Fatal(err)
				}
			default:
				write(t, detail, tc.detail, 0o644)
			}
			code, out := r.exec(t, VerifySignature, append(env, tc.env...)...)
			if code != 1 {
				t.Errorf("exit %d; want 1\n%s", code, out)
			}
			wants(t, "the last line", lastLine(out), "verify-signature: ", tc.want)
			if calls := r.callLog(t); calls != "" {
				t.Errorf("calls before the inputs were checked:\n%s", calls)
			}
		})
	}
}

// CodeBuild stopping the build while the step waits between polls: it exits at once with 143,
// saying nothing was deployed, and leaves nothing behind.
func TestVerifySignatureStopsOnSIGTERM(t *testing.T) {
	t.Parallel()
	r, env := signingRun(t, signatures(signature(signingProfileARN, "IN_PROGRESS")))
	code, out := interruptMidWait(t, r, "verify-signature.sh", VerifySignature, append(env, "WAIT_SECONDS=600"),
		"describe-image-signing-status", syscall.SIGTERM)
	if code != 143 {
		t.Errorf("exit %d after SIGTERM; want 143\n%s", code, out)
	}
	wants(t, "the last line", lastLine(out),
		"verify-signature: interrupted (SIGTERM) while verifying the signature of "+signedImage+"; nothing was deployed to staging")
	if n := strings.Count(r.callLog(t), "describe-image-signing-status"); n != 1 {
		t.Errorf("%d describe calls; want the one before the signal", n)
	}
	r.leftovers(t)
}
