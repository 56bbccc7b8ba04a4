package ecsdelivery

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecr"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// keepDeployed is far more images than can carry a deployed tag (two per environment): the
// rule that selects them exists to keep them from the count-based rule below it.
const keepDeployed = 1000

// testImagesToKeep integration-test images are kept: enough for a queue of releases under test.
const testImagesToKeep = 10

// newRepository holds the images. Release tags (the commit id) never move; the build cache and
// the deployed markers are the only tags that are rewritten. The lifecycle never expires an
// image an environment runs or may roll back to: in ECR "an image that matches the tagging
// requirements of a higher-priority rule cannot be expired by a rule with a lower priority", so
// the deployed markers' rule comes first, and the count of releases kept applies to the rest.
func newRepository(scope constructs.Construct, name string, key awskms.IKey, imagesToKeep int, testImages bool) awsecr.Repository {
	rules := []*awsecr.LifecycleRule{
		{
			Description:   jsii.String("Never expire what an environment runs or may roll back to (deployed-*)"),
			TagStatus:     awsecr.TagStatus_TAGGED,
			TagPrefixList: jsii.Strings(deployedTagPrefix),
			MaxImageCount: jsii.Number(keepDeployed),
		},
		{
			// Each overwritten cache tag leaves an untagged manifest; releases are never untagged.
			Description: jsii.String("Expire superseded build-cache manifests"),
			TagStatus:   awsecr.TagStatus_UNTAGGED,
			MaxImageAge: awscdk.Duration_Days(jsii.Number(7)),
		},
	}
	tagged := imagesToKeep
	if testImages {
		// The integration test's own images (it-<commit>) are needed only while their release is
		// tested. The rule below counts them too (ECR's lower rules see what higher ones select),
		// so its count makes room for them.
		rules = append(rules, &awsecr.LifecycleRule{
			Description:   jsii.String(fmt.Sprintf("Keep the last %d integration-test images", testImagesToKeep)),
			TagStatus:     awsecr.TagStatus_TAGGED,
			TagPrefixList: jsii.Strings(testImageTagPrefix),
			MaxImageCount: jsii.Number(testImagesToKeep),
		})
		tagged += testImagesToKeep
	}
	rules = append(rules, &awsecr.LifecycleRule{
		Description:    jsii.String(fmt.Sprintf("Keep the last %d releases no environment uses", imagesToKeep)),
		TagStatus:      awsecr.TagStatus_TAGGED,
		TagPatternList: jsii.Strings("*"),
		MaxImageCount:  jsii.Number(tagged),
	})
	return awsecr.NewRepository(scope, jsii.String("Repository"), &awsecr.RepositoryProps{
		RepositoryName:     jsii.String(repositoryName(name)),
		RemovalPolicy:      awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE,
		ImageScanOnPush:    jsii.Bool(true),
		Encryption:         awsecr.RepositoryEncryption_KMS(),
		EncryptionKey:      key,
		ImageTagMutability: awsecr.TagMutability_IMMUTABLE_WITH_EXCLUSION,
		ImageTagMutabilityExclusionFilters: &[]awsecr.ImageTagMutabilityExclusionFilter{
			awsecr.ImageTagMutabilityExclusionFilter_Wildcard(jsii.String(cacheTagPrefix + "*")),
			awsecr.ImageTagMutabilityExclusionFilter_Wildcard(jsii.String(deployedTagPrefix + "*")),
		},
		LifecycleRules: &rules,
	})
}

// pushOnlyBy lets no principal but the given roles write to the repository, whatever their own
// policies allow: an image tagged with a commit id was pushed by the build of that commit (or
// re-tagged by the deploy marker), which is what lets a retried build trust an existing tag.
func pushOnlyBy(repo awsecr.Repository, roles ...awsiam.IRole) {
	arns := make([]string, len(roles))
	for i, r := range roles {
		arns[i] = *r.RoleArn()
	}
	repo.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("OnlyThePipelinePushes"),
		Effect:     awsiam.Effect_DENY,
		Principals: &[]awsiam.IPrincipal{awsiam.NewAnyPrincipal()},
		// Deleting stays with whoever the account allows: it plants nothing, and it is how a
		// person removes an image the build refused to reuse.
		Actions:    jsii.Strings("ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload"),
		Conditions: &map[string]any{"ArnNotEquals": map[string]any{"aws:PrincipalArn": arns}},
	}))
}
