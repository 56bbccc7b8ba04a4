package ecsdelivery

import (
	"maps"
	"regexp"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2/awscodebuild"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"

	"github.com/ecsdelivery/ecsdelivery/scripts"
)

// newUnitTestProject runs build.unitTestCommand: the repository's own code and every test
// dependency it pulls in, which the pipeline does not trust. So it runs in a project of its own,
// unprivileged, whose role reads the source artifact and writes its logs and test reports, and
// nothing else: no registry, no artifact written or deleted, no scan cache. It runs beside the
// image build, and the stage fails if either fails.
func (pl *pipeline) newUnitTestProject() awscodebuild.IProject {
	scope, p, key, bucket := pl.Construct, pl.props, pl.key, pl.bucket
	b := &p.Build
	env := map[string]*awscodebuild.BuildEnvironmentVariable{"UNIT_TEST_COMMAND": plain(b.UnitTestCommand)}
	for _, name := range slices.Sorted(maps.Keys(b.Secrets)) {
		// The tests see the build secrets as variables, read when the build starts.
		env[name] = &awscodebuild.BuildEnvironmentVariable{
			Type: awscodebuild.BuildEnvironmentVariableType_PARAMETER_STORE, Value: jsii.String(b.Secrets[name]),
		}
	}
	sourcePrefix := artifactPrefix(p.Name, sourceArtifact)
	project, role := pl.newScriptProject(scriptProject{
		id: "UnitTest", name: "unit-test", rolePurpose: "unit-test",
		description: "The repository's unit tests, with no access to the registry or the artifacts",
		script:      scripts.UnitTest, scriptName: "unit-test.sh",
		environment: &awscodebuild.BuildEnvironment{BuildImage: buildImage(b.Architecture), ComputeType: computeTypes[b.ComputeType]},
		variables:   env, timeoutMinutes: 60, lockedRole: true,
		buildspec: map[string]any{"reports": map[string]any{"unit-tests": map[string]any{
			"base-directory": "test-results", "files": []string{"**/*.xml"}, "file-format": "JUNITXML",
		}}},
		policy: []awsiam.PolicyStatement{
			statement("ReadTheSource", []string{"s3:GetObject", "s3:GetObjectVersion"},
				[]string{*bucket.ArnForObjects(jsii.String(sourcePrefix + "*"))}, nil),
			statement("DecryptTheSource", []string{"kms:Decrypt"}, []string{*key.KeyArn()}, viaService(scope, "s3")),
		},
	})
	grantBuildSecrets(scope, role, b, true)
	suppress(role, "AwsSolutions-IAM5", "The unit-test role of "+p.Name+": the source archives (one prefix of the artifact "+
		"bucket, object names chosen by CodePipeline), its own log streams, and its report groups (created at run time, "+
		"named after the project)",
		`/^Resource::<[A-Za-z0-9]*ArtifactBucket[A-Za-z0-9]*\.Arn>\/`+regexp.QuoteMeta(sourcePrefix)+`\*$/`,
		`/^Resource::<[A-Za-z0-9]*UnitTestLogs[A-Za-z0-9]*\.Arn>:log-stream:\*$/`,
		`/^Resource::arn:[^:]+:codebuild:[^:]+:.+:report-group\/`+regexp.QuoteMeta(Name(p.Name, "unit-test"))+`-\*$/`)
	return project
}
