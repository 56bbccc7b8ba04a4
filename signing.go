package ecsdelivery

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecr"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssigner"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/ecsdelivery/ecsdelivery/spec"
)

// RegistrySigningProps configures NewRegistrySigning.
type RegistrySigningProps struct {
	// ProfileName of the AWS Signer profile. Default: spec.DefaultSigningProfile ("ecsdelivery").
	ProfileName string
}

// RegistrySigning is ECR managed signing in one account and region: an AWS Signer profile
// (Notation-OCI-SHA384-ECDSA) and the registry's signing configuration, which has ECR sign every
// image pushed to any repository there with it.
type RegistrySigning interface {
	constructs.Construct
	// ProfileName is what PipelineProps.SigningProfile names.
	ProfileName() string
}

type registrySigning struct {
	constructs.Construct
	profile string
}

func (r *registrySigning) ProfileName() string { return r.profile }

// NewRegistrySigning creates the account-wide part of signing. The registry has exactly one
// signing configuration, so create this once per account and region, in a stack of its own that
// every pipeline there depends on. Its content depends on nothing but the profile's name: every
// app that synthesises it produces the same template, and deploying it again, from any app, in
// any order, changes nothing and overwrites no app's rule.
func NewRegistrySigning(scope constructs.Construct, id string, props *RegistrySigningProps) (RegistrySigning, error) {
	name := spec.DefaultSigningProfile
	if props != nil && props.ProfileName != "" {
		name = props.ProfileName
	}
	if !spec.SigningProfileName.MatchString(name) {
		return nil, fmt.Errorf("registry signing %s: ProfileName %q is not a Signer profile name (2 to 64 letters, digits and _)", id, name)
	}
	self := &registrySigning{Construct: constructs.NewConstruct(scope, jsii.String(id)), profile: name}
	profile := awssigner.NewSigningProfile(self.Construct, jsii.String("Profile"), &awssigner.SigningProfileProps{
		Platform:           awssigner.Platform_NOTATION_OCI_SHA384_ECDSA(),
		SigningProfileName: jsii.String(name),
		// Notation's signatures carry their own expiry; a deployed image must stay verifiable
		// for as long as a stage may roll back to it.
		SignatureValidity: awscdk.Duration_Days(jsii.Number(spec.SignatureValidityDays)),
	})
	// A cancelled profile's name can never be used again: deleting the stack must not cancel it.
	profile.ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN)
	awsecr.NewCfnSigningConfiguration(self.Construct, jsii.String("Registry"), &awsecr.CfnSigningConfigurationProps{
		Rules: []any{&awsecr.CfnSigningConfiguration_RuleProperty{
			SigningProfileArn: profile.SigningProfileArn(),
			RepositoryFilters: []any{&awsecr.CfnSigningConfiguration_RepositoryFilterProperty{
				Filter: jsii.String("*"), FilterType: jsii.String("WILDCARD_MATCH"),
			}},
		}},
	})
	return self, nil
}

// signingProfileARN is the ARN of a Signer profile in the pipeline's account and region.
func signingProfileARN(scope constructs.Construct, name string) string {
	return stackARN(scope, "signer", "/signing-profiles/"+name)
}
