#!/usr/bin/env bash
# Build stage: unit tests, Docker build with a registry cache, push tagged with the commit, and
# the slim deploy artifact CodeDeploy reads: imageDetail.json, and per environment
# taskdef-<env>.json and appspec-<env>.yaml. Runs in CodeBuild from the source checkout.
#
# Inputs (environment):
#   REPOSITORY_URI        ECR repository, such as 111111111111.dkr.ecr.us-east-1.amazonaws.com/orders-api
#   AWS_REGION            region of the repository (CodeBuild sets AWS_DEFAULT_REGION)
#   CODEBUILD_RESOLVED_SOURCE_VERSION  the commit id, the image tag
#   DOCKERFILE, BUILD_CONTEXT          default Dockerfile and .
#   UNIT_TEST_COMMAND     optional; JUnit XML left in test-results/ is published
#   CONTAINER_NAME        the service's container, for the appspecs
#   DEPLOY_ENVIRONMENTS   environment names, space separated, in pipeline order
#   TASKDEF_<i>           base64 of environment i's taskdef.json, image as <IMAGE1_NAME>
#   PORT_<i>              environment i's container port (environments may differ)
#   OUTPUT_DIR            where the deploy artifact goes; default deploy
#   CACHE_TAG             default buildcache: the one tag the repository lets a build overwrite
#   PARAMETER_VARIABLES   optional; names of the variables CodeBuild filled from Parameter Store,
#                         handed to the Docker build as BuildKit secrets of the same ids, never
#                         as build args
set -euo pipefail

log() { printf 'build: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

: "${REPOSITORY_URI:?REPOSITORY_URI is required}"
: "${CONTAINER_NAME:?CONTAINER_NAME is required}"
: "${DEPLOY_ENVIRONMENTS:?DEPLOY_ENVIRONMENTS is required}"
region=${AWS_REGION:-${AWS_DEFAULT_REGION:?AWS_REGION or AWS_DEFAULT_REGION is required}}
commit=${CODEBUILD_RESOLVED_SOURCE_VERSION:?CODEBUILD_RESOLVED_SOURCE_VERSION is required}
[[ $commit =~ ^[0-9a-f]{7,64}$ ]] || die "commit id '$commit' is not a git hash; refusing to tag with it"
dockerfile=${DOCKERFILE:-Dockerfile}
context=${BUILD_CONTEXT:-.}
out=${OUTPUT_DIR:-deploy}
cache_tag=${CACHE_TAG:-buildcache}
registry=${REPOSITORY_URI%%/*}
repository=${REPOSITORY_URI#*/}
image="$REPOSITORY_URI:$commit"

# 1. Unit tests, before anything is built or pushed.
if [[ -n ${UNIT_TEST_COMMAND:-} ]]; then
  log "running unit tests: $UNIT_TEST_COMMAND"
  mkdir -p test-results
  if ! bash -c "$UNIT_TEST_COMMAND"; then
    die "unit tests failed; nothing was built or pushed"
  fi
fi

# 2. Log in to ECR; the password goes through a pipe, never an argument or the log.
aws ecr get-login-password --region "$region" | docker login --username AWS --password-stdin "$registry" >/dev/null
log "logged in to $registry"

# 3. Build and push, unless this commit's image exists (a retried run): tags are immutable.
if aws ecr describe-images --region "$region" --repository-name "$repository" \
    --image-ids "imageTag=$commit" >/dev/null 2>&1; then
  log "$image exists already; not rebuilding"
else
  log "building $image"
  # A secret reaches the Dockerfile only through RUN --mount=type=secret: it stays out of the
  # image layers, the build cache and this log.
  secrets=()
  for name in ${PARAMETER_VARIABLES:-}; do
    [[ $name =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || die "PARAMETER_VARIABLES: '$name' is not a variable name"
    [[ -n ${!name:-} ]] || die "build secret $name is empty; is its parameter readable?"
    secrets+=(--secret "id=$name,env=$name")
  done
  docker buildx create --name ecsdelivery --driver docker-container --use >/dev/null 2>&1 ||
    docker buildx use ecsdelivery
  # ECR accepts a registry cache only as an OCI image manifest.
  docker buildx build \
    --file "$dockerfile" \
    --tag "$image" \
    --cache-from "type=registry,ref=$REPOSITORY_URI:$cache_tag" \
    --cache-to "type=registry,ref=$REPOSITORY_URI:$cache_tag,mode=max,image-manifest=true,oci-mediatypes=true" \
    --provenance=false \
    "${secrets[@]}" \
    --push \
    "$context"
fi
digest=$(aws ecr describe-images --region "$region" --repository-name "$repository" \
  --image-ids "imageTag=$commit" --query 'imageDetails[0].imageDigest' --output text)
[[ $digest =~ ^sha256:[0-9a-f]{64}$ ]] || die "no digest for $image (got '$digest')"

# 4. The deploy artifact: the image by digest, so what was scanned is what is deployed.
mkdir -p "$out"
printf '{"ImageURI": "%s@%s"}\n' "$REPOSITORY_URI" "$digest" > "$out/imageDetail.json"
i=0
for env in $DEPLOY_ENVIRONMENTS; do
  var="TASKDEF_$i" port_var="PORT_$i"
  [[ -n ${!var:-} ]] || die "$var (the task definition of $env) is missing"
  [[ ${!port_var:-} =~ ^[0-9]+$ ]] || die "$port_var (the container port of $env) is missing"
  printf '%s' "${!var}" | base64 -d > "$out/taskdef-$env.json" || die "$var is not base64"
  grep -q '<IMAGE1_NAME>' "$out/taskdef-$env.json" || die "the task definition of $env has no <IMAGE1_NAME>"
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
  i=$((i + 1))
done
printf '%s\n' "$commit" > "$out/commit.txt"
log "deploy artifact: $(cd "$out" && echo *)"
