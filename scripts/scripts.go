// Package scripts holds the shell scripts the pipeline's CodeBuild projects run. They are real
// files, so they are shellchecked and behaviour-tested; the constructs embed them into the
// buildspecs.
package scripts

import _ "embed"

// UnitTest is unit-test.sh: the unit tests, in an unprivileged project of their own.
//
//go:embed unit-test.sh
var UnitTest string

// Build is build.sh: Docker build and push on a pinned builder, deploy artifact.
//
//go:embed build.sh
var Build string

// Scan is scan.sh: the Trivy security gate.
//
//go:embed scan.sh
var Scan string

// IntegrationTest is integration-test.sh: the new image and the test command in a temporary task.
//
//go:embed integration-test.sh
var IntegrationTest string

// ECSDeploy is ecs-deploy.sh: a release through ECS's own blue/green engine, waited for to its end.
//
//go:embed ecs-deploy.sh
var ECSDeploy string

// VerifySignature is verify-signature.sh: the release's image carries a completed signature of
// the pipeline's signing profile, or the deploy stage stops.
//
//go:embed verify-signature.sh
var VerifySignature string
