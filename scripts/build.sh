#!/usr/bin/env bash
# Build stage: Docker build with a registry cache, push tagged with the commit, and the slim
# deploy artifact CodeDeploy reads: imageDetail.json, and per environment taskdef-<env>.json and
# appspec-<env>.yaml. Runs in CodeBuild, privileged and with push rights, from the source
# checkout.
#
# Trust boundary: this script runs no code from the repository except through the Docker build,
# inside a BuildKit container pinned by digest. The unit tests, and with them the repository's
# test dependencies, run in the unprivileged UnitTest project (unit-test.sh), never here.
#
# Inputs (environment):
#   REPOSITORY_URI        ECR repository, such as 111111111111.dkr.ecr.us-east-1.amazonaws.com/orders-api
#   AWS_REGION            region of the repository (CodeBuild sets AWS_DEFAULT_REGION)
#   CODEBUILD_RESOLVED_SOURCE_VERSION  the commit id, the image tag and its revision label
#   BUILDER_IMAGE         the BuildKit image, pinned by digest (<image>@sha256:<64 hex>), such as
#                         moby/buildkit:v0.29.0@sha256:…; an ECR mirror of it in another registry
#                         is logged in to as well
#   DOCKERFILE, BUILD_CONTEXT          default Dockerfile and .
#   CONTAINER_NAME        the service's container, for the appspecs
#   DEPLOY_ENVIRONMENTS   environment names, space separated, in pipeline order
#   TASKDEF_<i>           base64 of environment i's taskdef.json, image as <IMAGE1_NAME>
#   PORT_<i>              environment i's container port (environments may differ)
#   HOOK_<i>              optional; the function environment i's appspec names as its
#                         AfterAllowTestTraffic hook (the test-traffic check)
#   OUTPUT_DIR            where the deploy artifact goes; default deploy
#   CACHE_TAG             default buildcache: the one tag the repository lets a build overwrite
#   TEST_DOCKERFILE, TEST_TARGET       optional; the integration test's own image (another Dockerfile,
#                         a build stage, or both), pushed as it-<commit> and written to
#                         testImageDetail.json
#   PARAMETER_VARIABLES   optional; names of the variables CodeBuild filled from Parameter Store,
#                         handed to the Docker build as BuildKit secrets of the same ids, never
#                         as build args
#   SOURCE_URL            optional; the repository's URL, as the image's source label
#   CODEBUILD_BUILD_ARN   set by CodeBuild; the build, as the image's dev.ecsdelivery.build label
#   AWS_RETRY_MODE, AWS_MAX_ATTEMPTS   default adaptive and 10 (see below)
#
# Provenance: BuildKit records SLSA provenance in mode=max (the Dockerfile, every build
# parameter and label, the materials) as an attestation beside the image, so the tag names an
# OCI image index of the image and its attestation. Its digest is what imageDetail.json, the
# scan, ECS and the signature all use.
set -euo pipefail

log() { printf 'build: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# ECR throttles, and many pipelines building at once hit its limits; the CLI's default of three
# attempts turns a throttled call into a failed release, while adaptive mode backs off and waits.
export AWS_RETRY_MODE=${AWS_RETRY_MODE:-adaptive} AWS_MAX_ATTEMPTS=${AWS_MAX_ATTEMPTS:-10}

: "${REPOSITORY_URI:?REPOSITORY_URI is required}"
: "${CONTAINER_NAME:?CONTAINER_NAME is required}"
: "${DEPLOY_ENVIRONMENTS:?DEPLOY_ENVIRONMENTS is required}"
: "${BUILDER_IMAGE:?BUILDER_IMAGE is required}"
region=${AWS_REGION:-${AWS_DEFAULT_REGION:?AWS_REGION or AWS_DEFAULT_REGION is required}}
commit=${CODEBUILD_RESOLVED_SOURCE_VERSION:?CODEBUILD_RESOLVED_SOURCE_VERSION is required}
[[ $commit =~ ^[0-9a-f]{7,64}$ ]] || die "commit id '$commit' is not a git hash; refusing to tag with it"
# A tag can be moved to other content; only a digest names exactly the builder that was reviewed.
[[ $BUILDER_IMAGE =~ ^[^[:space:]@]+@sha256:[0-9a-f]{64}$ ]] ||
  die "BUILDER_IMAGE '$BUILDER_IMAGE' is not pinned by digest (<image>@sha256:<64 hex>); refusing to build with it"
dockerfile=${DOCKERFILE:-Dockerfile}
context=${BUILD_CONTEXT:-.}
# Either would be read as an option (DOCKERFILE - even as "the Dockerfile on stdin").
[[ $dockerfile != -* ]] || die "DOCKERFILE '$dockerfile' starts with '-'; refusing it"
[[ $context != -* ]] || die "BUILD_CONTEXT '$context' starts with '-'; refusing it"
out=${OUTPUT_DIR:-deploy}
cache_tag=${CACHE_TAG:-buildcache}
registry=${REPOSITORY_URI%%/*}
repository=${REPOSITORY_URI#*/}
revision_label=org.opencontainers.image.revision
source_label=org.opencontainers.image.source
build_label=dev.ecsdelivery.build

# 1. Log in to ECR; the password goes through a pipe, never an argument or the log.
aws ecr get-login-password --region "$region" | docker login --username AWS --password-stdin "$registry" >/dev/null
log "logged in to $registry"
# A builder mirrored into another ECR registry (another account or region) needs its own login,
# with that registry's region, before the builder container is pulled.
builder_registry=${BUILDER_IMAGE%%/*}
if [[ $builder_registry =~ ^[0-9]{12}\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$ && $builder_registry != "$registry" ]]; then
  aws ecr get-login-password --region "${BASH_REMATCH[1]}" |
    docker login --username AWS --password-stdin "$builder_registry" >/dev/null
  log "logged in to $builder_registry for the builder"
fi

# 2. Build and push, unless this commit's image exists (a retried run): tags are immutable.
# Only ImageNotFoundException means absent: an access, throttling or repository error taken for
# "absent" would build over an existing tag, and taken for "present" would deploy what is there.
# A secret reaches the Dockerfile only through RUN --mount=type=secret: it stays out of the image
# layers, the build cache and this log.
secrets=()
for name in ${PARAMETER_VARIABLES:-}; do
  [[ $name =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || die "PARAMETER_VARIABLES: '$name' is not a variable name"
  [[ -n ${!name:-} ]] || die "build secret $name is empty; is its parameter readable?"
  secrets+=(--secret "id=$name,env=$name")
done
builder_ready=false
# build_and_push TAG DOCKERFILE [TARGET]: builds and pushes REPOSITORY_URI:TAG, or checks that an
# image already there was built for this commit, and sets $digest to the tag's digest.
build_and_push() {
  local tag=$1 file=$2 target=${3:-} err built_for
  local ref="$REPOSITORY_URI:$tag"
  if err=$(aws ecr describe-images --region "$region" --repository-name "$repository" \
      --image-ids "imageTag=$tag" 2>&1 >/dev/null); then
    # The tag exists. Only the build role may push (the repository policy), and the label says
    # the image was built from this commit: anything else was planted, or is a tag clash, and is
    # never deployed.
    # With provenance the tag names an image index: .Image is then the image per platform (the
    # attestation is not an image), else the one image.
    built_for=$(docker buildx imagetools inspect "$ref" --format '{{ json .Image }}' |
      jq -r --arg name "$revision_label" \
        'if has("config") then .config.Labels[$name] else ([.[] | .config.Labels[$name]] | map(select(.)) | first) end // ""') ||
      die "cannot read the revision label of $ref; refusing to deploy it"
    [[ $built_for == "$commit" ]] ||
      die "$ref exists but was not built for $commit (revision label '$built_for'); refusing to deploy it; delete the tag after investigating"
    log "$ref exists already, built for $commit; not rebuilding"
  elif [[ $err == *"(ImageNotFoundException)"* ]]; then
    log "building $ref${target:+ (target $target)}"
    if ! $builder_ready; then
      # A builder left by an earlier build in this environment could run another BuildKit image.
      docker buildx rm ecsdelivery >/dev/null 2>&1 || true
      docker buildx create --name ecsdelivery --driver docker-container \
        --driver-opt "image=$BUILDER_IMAGE" --use >/dev/null
      builder_ready=true
    fi
    local build=(--file "$file" --tag "$ref" --label "$revision_label=$commit")
    # The build that made the image, beside the commit: both are in the image and, with every
    # other build parameter, in its SLSA provenance.
    [[ -z ${CODEBUILD_BUILD_ARN:-} ]] || build+=(--label "$build_label=$CODEBUILD_BUILD_ARN")
    [[ -z ${SOURCE_URL:-} ]] || build+=(--label "$source_label=$SOURCE_URL")
    [[ -z $target ]] || build+=(--target "$target")
    # ECR accepts a registry cache only as an OCI image manifest. The context comes after "--",
    # so nothing in it is read as an option.
    docker buildx build "${build[@]}" \
      --cache-from "type=registry,ref=$REPOSITORY_URI:$cache_tag" \
      --cache-to "type=registry,ref=$REPOSITORY_URI:$cache_tag,mode=max,image-manifest=true,oci-mediatypes=true" \
      --provenance=mode=max \
      "${secrets[@]}" \
      --push \
      -- "$context"
  else
    die "cannot tell whether $ref exists: $err"
  fi
  digest=$(aws ecr describe-images --region "$region" --repository-name "$repository" \
    --image-ids "imageTag=$tag" --query 'imageDetails[0].imageDigest' --output text)
  [[ $digest =~ ^sha256:[0-9a-f]{64}$ ]] || die "no digest for $ref (got '$digest')"
}
build_and_push "$commit" "$dockerfile"
app_digest=$digest
# The integration test's own image (test tools need not ship in production's): tagged it-<commit>,
# never scanned for release nor deployed; the test task runs it beside the app image.
if [[ -n ${TEST_DOCKERFILE:-}${TEST_TARGET:-} ]]; then
  test_dockerfile=${TEST_DOCKERFILE:-$dockerfile}
  [[ $test_dockerfile != -* ]] || die "TEST_DOCKERFILE '$test_dockerfile' starts with '-'; refusing it"
  [[ -z ${TEST_TARGET:-} || $TEST_TARGET =~ ^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$ ]] ||
    die "TEST_TARGET '$TEST_TARGET' is not a build stage name"
  build_and_push "it-$commit" "$test_dockerfile" "${TEST_TARGET:-}"
  test_digest=$digest
fi

# 3. The deploy artifact: the image by digest, so what was scanned is what is deployed.
mkdir -p "$out"
printf '{"ImageURI": "%s@%s"}\n' "$REPOSITORY_URI" "$app_digest" > "$out/imageDetail.json"
[[ -z ${test_digest:-} ]] || printf '{"ImageURI": "%s@%s"}\n' "$REPOSITORY_URI" "$test_digest" > "$out/testImageDetail.json"
i=0
for env in $DEPLOY_ENVIRONMENTS; do
  var="TASKDEF_$i" port_var="PORT_$i"
  [[ -n ${!var:-} ]] || die "$var (the task definition of $env) is missing"
  [[ ${!port_var:-} =~ ^[0-9]+$ ]] || die "$port_var (the container port of $env) is missing"
  printf '%s' "${!var}" | base64 -d > "$out/taskdef-$env.json" || die "$var is not base64"
  grep -q '<IMAGE1_NAME>' "$out/taskdef-$env.json" || die "the task definition of $env has no <IMAGE1_NAME>"
  hook_var="HOOK_$i"
  # A Lambda function name; anything else would be YAML or another function's ARN.
  [[ -z ${!hook_var:-} || ${!hook_var} =~ ^[A-Za-z0-9_-]{1,64}$ ]] || die "$hook_var '${!hook_var}' is not a function name"
  cat > "$out/appspec-$env.yaml" <<APPSPEC
version: 0.0
Resources:
  - TargetService:
      Type: AWS::ECS::Service
      Properties:
        TaskDefinition: <TASK_DEFINITION>
        LoadBalancerInfo:
          ContainerName: "$CONTAINER_NAME"
          ContainerPort: ${!port_var}
APPSPEC
  if [[ -n ${!hook_var:-} ]]; then
    # CodeDeploy calls it once the new tasks are behind the test listener, before any
    # production traffic moves; its failure rolls the deployment back.
    printf 'Hooks:\n  - AfterAllowTestTraffic: "%s"\n' "${!hook_var}" >> "$out/appspec-$env.yaml"
  fi
  i=$((i + 1))
done
printf '%s\n' "$commit" > "$out/commit.txt"
log "deploy artifact: $(cd "$out" && echo *)"
