package app

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"

	"github.com/ecsdelivery/ecsdelivery/config"
	"github.com/ecsdelivery/ecsdelivery/internal/cdktest"
)

// The registry's signing stack: a Notation profile that outlives the stack, and one rule that
// signs every repository's pushes with it.
func TestRegistrySigningStack(t *testing.T) {
	s := synth(t, "examples/cross-account.yaml")
	tmpl := cdktest.Template(t, s.delivery.Signing)
	_, profile := oneResource(t, tmpl, "AWS::Signer::SigningProfile")
	if profile["PlatformId"] != "Notation-OCI-SHA384-ECDSA" || profile["ProfileName"] != "ecsdelivery" {
		t.Errorf("profile %s", asJSON(profile))
	}
	for id, r := range resources(t, tmpl, "AWS::Signer::SigningProfile") {
		if r["DeletionPolicy"] != "Retain" {
			t.Errorf("%s is deleted with the stack; a cancelled profile's name can never be used again", id)
		}
	}
	id, _ := oneResource(t, tmpl, "AWS::Signer::SigningProfile")
	_, registry := oneResource(t, tmpl, "AWS::ECR::SigningConfiguration")
	want := asJSON([]any{obj{"RepositoryFilters": []any{obj{"Filter": "*", "FilterType": "WILDCARD_MATCH"}},
		"SigningProfileArn": obj{"Fn::GetAtt": []any{id, "Arn"}}}})
	if got := asJSON(registry["Rules"]); got != want {
		t.Errorf("signing rules %s; want %s", got, want)
	}
	if got := *s.delivery.Signing.StackName(); got != "ecsdelivery-registry-signing-111111111111-us-east-1" {
		t.Errorf("signing stack %s", got)
	}
	if deps := s.delivery.Pipeline.Dependencies(); deps == nil || !strings.Contains(fmt.Sprint(*(*deps)[len(*deps)-1].StackName()), "registry-signing") {
		t.Error("the pipeline stack does not depend on the signing stack")
	}
}

// Three apps of one pipeline account in one CDK app (a config folder) share one signing
// stack: the registry has exactly one signing configuration.
func TestAppsInOneAccountShareTheRegistrysSigning(t *testing.T) {
	app := cdktest.NewSharedApp(t)
	var signing []awscdk.Stack
	for _, name := range []string{"orders-api", "billing", "catalog"} {
		cfg, err := config.Parse(name+".yaml", []byte("app: "+name+"\npipeline: {account: \"111111111111\"}\nsource: {owner: acme, repo: "+name+"}\nenvironments: [{name: staging}]\n"))
		if err != nil {
			t.Fatal(err)
		}
		d, err := Build(app, cfg, "")
		if err != nil {
			t.Fatal(err)
		}
		signing = append(signing, d.Signing)
	}
	configurations := 0
	for _, stack := range *app.Node().Children() {
		if s, ok := stack.(awscdk.Stack); ok {
			configurations += len(resources(t, cdktest.Template(t, s), "AWS::ECR::SigningConfiguration"))
		}
	}
	if configurations != 1 || *signing[0].StackName() != *signing[2].StackName() {
		t.Errorf("%d signing configurations in three apps of one account; want one, shared", configurations)
	}
}

// Before anything of a release is marked or deployed, its image's signature is checked in the
// pipeline account, by a role that may read the signing statuses of this repository and the
// profile, nothing else.
func TestSignatureIsVerifiedBeforeEveryDeployStage(t *testing.T) {
	for _, file := range shipped {
		_, pipe := oneResource(t, pipelineTemplate(t, file), "AWS::CodePipeline::Pipeline")
		deploys := 0
		for _, st := range pipe["Stages"].([]any) {
			stage := st.(obj)
			if !strings.HasPrefix(stage["Name"].(string), "Deploy-") {
				continue
			}
			deploys++
			first := stage["Actions"].([]any)[0].(obj)
			if first["Name"] != "VerifySignature" || first["RunOrder"] != 1.0 {
				t.Errorf("%s %s starts with %s; want VerifySignature", file, stage["Name"], first["Name"])
			}
			for _, a := range stage["Actions"].([]any)[1:] {
				if a.(obj)["RunOrder"].(float64) <= 1 {
					t.Errorf("%s %s: %s runs beside the signature check", file, stage["Name"], a.(obj)["Name"])
				}
			}
		}
		if deploys == 0 {
			t.Errorf("%s: no deploy stage", file)
		}
	}
	tmpl := pipelineTemplate(t, "examples/ecs-engine.yaml")
	statements, _ := roleStatements(t, tmpl, "payments-prod-pipeline-verify-signature")
	var granted []string
	for _, s := range statements {
		if sid := s["Sid"]; sid == "ReadSigningStatuses" || sid == "ReadTheSigningProfile" {
			granted = append(granted, asJSON(s["Action"])+" "+asJSON(s["Resource"]))
		}
	}
	if len(granted) != 2 || !strings.Contains(granted[1], `"arn:aws:signer:us-east-1:111111111111:/signing-profiles/ecsdelivery"`) ||
		!strings.Contains(granted[0], `"ecr:DescribeImageSigningStatus" {"Fn::GetAtt":["PipelineRepository`) {
		t.Errorf("the signature check may %v", granted)
	}
}

// pipeline.signing: false leaves the registry alone and verifies nothing.
func TestSigningCanBeTurnedOff(t *testing.T) {
	yaml := strings.Replace(readShipped(t, "delivery.yaml"), "app: orders-api\n", "app: orders-api\npipeline: {signing: false}\n", 1)
	s := synthYAML(t, "unsigned.yaml", yaml)
	if s.delivery.Signing != nil {
		t.Errorf("a signing stack without signing: %s", *s.delivery.Signing.StackName())
	}
	if got := asJSON(s.templates["orders-api-pipeline"].ToJSON()); strings.Contains(got, "VerifySignature") {
		t.Error("a signature check without signing")
	}
}

// ECR signs a push as whoever pushes: the build may sign with the pipeline's profile, and only
// the build.
func TestOnlyTheBuildSigns(t *testing.T) {
	for _, file := range shipped {
		for _, st := range statements(t, synth(t, file)) {
			for _, a := range st.actions {
				if strings.HasPrefix(a, "signer:SignPayload") && st.sid != "SignWhatItPushes" {
					t.Errorf("%s %s: statement %s may sign", file, st.stack, st.sid)
				}
			}
		}
	}
	tmpl := pipelineTemplate(t, "examples/cross-account.yaml")
	statements, _ := roleStatements(t, tmpl, "orders-api-prod-pipeline-build")
	found := false
	for _, s := range statements {
		if s["Sid"] == "SignWhatItPushes" {
			found = asJSON(s["Resource"]) == `"arn:aws:signer:us-east-1:111111111111:/signing-profiles/ecsdelivery"`
		}
	}
	if !found {
		t.Error("the build cannot sign what it pushes with the pipeline's profile")
	}
}
