package ecsdelivery

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/ecsdelivery/ecsdelivery/internal/cdktest"
)

// A profile name Signer would refuse is an error at synthesis, not at deploy time.
func TestSigningNamesAreChecked(t *testing.T) {
	app := cdktest.NewSharedApp(t)
	stack := awscdk.NewStack(app, jsii.String("SigningNames"), nil)
	if _, err := NewRegistrySigning(stack, "Bad", &RegistrySigningProps{ProfileName: "orders-api"}); err == nil ||
		!strings.Contains(err.Error(), `ProfileName "orders-api" is not a Signer profile name`) {
		t.Errorf("a profile name with '-': %v", err)
	}
	signing, err := NewRegistrySigning(stack, "Custom", &RegistrySigningProps{ProfileName: "team_a"})
	if err != nil || signing.ProfileName() != "team_a" {
		t.Errorf("a custom profile name: %v", err)
	}
	if err := withTarget(func(*PipelineTargetOptions) {}); err != nil {
		t.Fatal(err)
	}
	p := PipelineProps{Name: "x", Source: SourceOptions{Owner: "o", Repo: "r"}, SigningProfile: "x-y",
		Targets: []PipelineTargetOptions{{Environment: "production", Name: "x-production"}}}
	if _, err := pipelineDefaults("Pipeline", p); err == nil || !strings.Contains(err.Error(), `SigningProfile "x-y" is not a Signer profile name`) {
		t.Errorf("a pipeline's profile name with '-': %v", err)
	}
}
