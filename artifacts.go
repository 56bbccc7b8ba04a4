package ecsdelivery

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// scanCachePrefix is where the scan project caches the verified Trivy and its vulnerability DB.
const scanCachePrefix = "trivy-cache"

func newArtifactKey(scope constructs.Construct, name string) awskms.IKey {
	return awskms.NewKey(scope, jsii.String("ArtifactKey"), &awskms.KeyProps{
		Alias:             jsii.String(artifactKeyAlias(name)),
		Description:       jsii.String("Encrypts the pipeline artifacts and images of " + name),
		EnableKeyRotation: jsii.Bool(true),
	})
}

// newArtifactBucket keeps the deploy artifacts (a few KB each) for releaseDays: a stage rollback
// redeploys the last release that succeeded there, and needs its artifact. Everything else
// (source archives, scan reports, the scan cache) goes after retentionDays.
func newArtifactBucket(scope constructs.Construct, name string, key awskms.IKey, retentionDays, releaseDays int) awss3.IBucket {
	days := func(n int) awscdk.Duration { return awscdk.Duration_Days(jsii.Number(n)) }
	rules := []*awss3.LifecycleRule{{
		Id:                                  jsii.String("ExpireReleases"),
		Expiration:                          days(releaseDays),
		NoncurrentVersionExpiration:         days(1),
		AbortIncompleteMultipartUploadAfter: days(1),
	}}
	for _, r := range []struct{ id, prefix string }{
		{"ExpireSources", artifactPrefix(name, sourceArtifact)},
		{"ExpireScanReports", artifactPrefix(name, reportArtifact)},
		{"ExpireScanCache", scanCachePrefix + "/"},
	} {
		rules = append(rules, &awss3.LifecycleRule{Id: jsii.String(r.id), Prefix: jsii.String(r.prefix), Expiration: days(retentionDays)})
	}
	bucket := awss3.NewBucket(scope, jsii.String("ArtifactBucket"), &awss3.BucketProps{
		BucketName: jsii.String(artifactBucketName(name, *awscdk.Stack_Of(scope).Account())),
		// Fixed names: a failed first create must not leave them taken for the retry.
		RemovalPolicy:     awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE,
		Encryption:        awss3.BucketEncryption_KMS,
		EncryptionKey:     key,
		BucketKeyEnabled:  jsii.Bool(true),
		EnforceSSL:        jsii.Bool(true),
		Versioned:         jsii.Bool(true),
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		ObjectOwnership:   awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED,
		LifecycleRules:    &rules,
	})
	suppress(bucket, "AwsSolutions-S1", "Only the roles of the pipeline "+name+" and its deploy roles touch its artifacts, "+
		"through this bucket's policy; an audit trail of their reads and writes belongs in CloudTrail data events, which "+
		"organisations configure centrally, rather than in a second bucket per pipeline")
	return bucket
}

// reserveScanCache lets only the scan role write or delete the scan cache: a planted Trivy
// database (one whose next update lies years ahead) would otherwise silence every later scan.
// The build role can write elsewhere in the bucket (its deploy artifact), so the bucket policy,
// not the roles' own policies, is what keeps the cache the scan's.
func reserveScanCache(bucket awss3.IBucket, scanRole awsiam.IRole) {
	bucket.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("OnlyTheScanWritesItsCache"),
		Effect:     awsiam.Effect_DENY,
		Principals: &[]awsiam.IPrincipal{awsiam.NewAnyPrincipal()},
		Actions: jsii.Strings("s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutObjectTagging",
			"s3:PutObjectVersionTagging", "s3:RestoreObject", "s3:PutObjectRetention", "s3:PutObjectLegalHold"),
		Resources:  jsii.Strings(*bucket.ArnForObjects(jsii.String(scanCachePrefix + "*"))),
		Conditions: &map[string]any{"ArnNotEquals": map[string]any{"aws:PrincipalArn": *scanRole.RoleArn()}},
	}))
}

// confineToDeployArtifacts keeps the deploy roles out of every object but the deploy artifacts,
// whatever grants name them (CDK's CodeDeploy action grants its role the whole bucket) or their
// own policies say (an imported role may hold more): the source archives hold the code and stay
// in the pipeline account.
func confineToDeployArtifacts(bucket awss3.IBucket, deployRoles []string, prefix string) {
	principals := make([]awsiam.IPrincipal, len(deployRoles))
	for i, arn := range deployRoles {
		principals[i] = awsiam.NewArnPrincipal(jsii.String(arn))
	}
	bucket.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:          jsii.String("DeployRolesReadOnlyDeployArtifacts"),
		Effect:       awsiam.Effect_DENY,
		Principals:   &principals,
		Actions:      jsii.Strings("s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectAttributes", "s3:GetObjectVersionAttributes"),
		NotResources: jsii.Strings(*bucket.ArnForObjects(jsii.String(prefix + "*"))),
	}))
}
