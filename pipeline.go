package ecsdelivery

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecr"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// PipelineProps configures NewPipeline.
type PipelineProps struct {
	// Name prefixes the physical names of the pipeline's resources (app and suffix, such as
	// "orders-api-dev"). Required.
	Name string
	// ImagesToKeep is how many images the repository keeps; older ones expire. Default: 30.
	ImagesToKeep int
	// ArtifactRetentionDays is how long pipeline artifacts are kept. Default: 30.
	ArtifactRetentionDays int
}

// Pipeline is the delivery pipeline of one app and everything it owns, in the tools account.
type Pipeline interface {
	constructs.Construct
	// ArtifactKey encrypts the artifacts and images; cross-account readers need it.
	ArtifactKey() awskms.IKey
	ArtifactBucket() awss3.IBucket
	// Repository holds the images, tagged with the source commit.
	Repository() awsecr.IRepository
}

type pipeline struct {
	constructs.Construct
	key        awskms.IKey
	bucket     awss3.IBucket
	repository awsecr.IRepository
}

func (p *pipeline) ArtifactKey() awskms.IKey       { return p.key }
func (p *pipeline) ArtifactBucket() awss3.IBucket  { return p.bucket }
func (p *pipeline) Repository() awsecr.IRepository { return p.repository }

const (
	defaultImagesToKeep          = 30
	defaultArtifactRetentionDays = 30
	// cacheTagPrefix marks the BuildKit cache image, the one tag a build may overwrite.
	cacheTagPrefix = "buildcache"
)

// NewPipeline creates the pipeline of one app in the tools account.
func NewPipeline(scope constructs.Construct, id string, props *PipelineProps) (Pipeline, error) {
	p := *props
	if p.Name == "" {
		return nil, fmt.Errorf("pipeline %s: Name is required", id)
	}
	if p.ImagesToKeep == 0 {
		p.ImagesToKeep = defaultImagesToKeep
	}
	if p.ArtifactRetentionDays == 0 {
		p.ArtifactRetentionDays = defaultArtifactRetentionDays
	}
	if p.ImagesToKeep < 1 || p.ArtifactRetentionDays < 1 {
		return nil, fmt.Errorf("pipeline %s: ImagesToKeep and ArtifactRetentionDays must be positive", id)
	}
	self := &pipeline{Construct: constructs.NewConstruct(scope, jsii.String(id))}
	self.key = newArtifactKey(self.Construct, p.Name)
	self.bucket = newArtifactBucket(self.Construct, p.Name, self.key, p.ArtifactRetentionDays)
	self.repository = newRepository(self.Construct, p.Name, self.key, p.ImagesToKeep)
	return self, nil
}

func newArtifactKey(scope constructs.Construct, name string) awskms.IKey {
	return awskms.NewKey(scope, jsii.String("ArtifactKey"), &awskms.KeyProps{
		Alias:             jsii.String(ArtifactKeyAlias(name)),
		Description:       jsii.String("Encrypts the pipeline artifacts and images of " + name),
		EnableKeyRotation: jsii.Bool(true),
	})
}

func newArtifactBucket(scope constructs.Construct, name string, key awskms.IKey, retentionDays int) awss3.IBucket {
	return awss3.NewBucket(scope, jsii.String("ArtifactBucket"), &awss3.BucketProps{
		BucketName:        jsii.String(ArtifactBucketName(name, *awscdk.Stack_Of(scope).Account())),
		Encryption:        awss3.BucketEncryption_KMS,
		EncryptionKey:     key,
		BucketKeyEnabled:  jsii.Bool(true),
		EnforceSSL:        jsii.Bool(true),
		Versioned:         jsii.Bool(true),
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		ObjectOwnership:   awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED,
		LifecycleRules: &[]*awss3.LifecycleRule{{
			Id:                                  jsii.String("ExpireOldArtifacts"),
			Expiration:                          awscdk.Duration_Days(jsii.Number(retentionDays)),
			NoncurrentVersionExpiration:         awscdk.Duration_Days(jsii.Number(1)),
			AbortIncompleteMultipartUploadAfter: awscdk.Duration_Days(jsii.Number(1)),
		}},
	})
}

func newRepository(scope constructs.Construct, name string, key awskms.IKey, imagesToKeep int) awsecr.IRepository {
	return awsecr.NewRepository(scope, jsii.String("Repository"), &awsecr.RepositoryProps{
		RepositoryName:     jsii.String(RepositoryName(name)),
		ImageScanOnPush:    jsii.Bool(true),
		Encryption:         awsecr.RepositoryEncryption_KMS(),
		EncryptionKey:      key,
		ImageTagMutability: awsecr.TagMutability_IMMUTABLE_WITH_EXCLUSION,
		// Release tags (the commit id) never move; only the build cache is rewritten.
		ImageTagMutabilityExclusionFilters: &[]awsecr.ImageTagMutabilityExclusionFilter{
			awsecr.ImageTagMutabilityExclusionFilter_Wildcard(jsii.String(cacheTagPrefix + "*")),
		},
		LifecycleRules: &[]*awsecr.LifecycleRule{{
			Description:   jsii.String(fmt.Sprintf("Keep the last %d images", imagesToKeep)),
			MaxImageCount: jsii.Number(imagesToKeep),
		}},
	})
}
