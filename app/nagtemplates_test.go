package app

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/cloudformationinclude"
	"github.com/aws/aws-cdk-go/awscdk/v2/cxapi"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/ecsdelivery/ecsdelivery/internal/cdktest"
)

// TestAwsSolutionsOnTheTemplates runs cdk-nag's AwsSolutions pack over the synthesised
// templates themselves, read back with cloudformation-include. In the app, cdk-nag skips what
// CDK creates as plain CloudFormation resources (the VPC's default-security-group provider and
// its role); read from the template, every resource is one, and the suppressions travel in its
// metadata.
func TestAwsSolutionsOnTheTemplates(t *testing.T) {
	ctx := cdktest.Context(t)
	// Findings are read below, one by one, rather than failing the synthesis.
	delete(ctx, "@aws-cdk/core:validateAgainstDefaultRules")
	dir := t.TempDir()
	// One app holds every template, so the pack and CDK's validator start once.
	app := awscdk.NewApp(&awscdk.AppProps{Context: &ctx, Outdir: jsii.String(filepath.Join(dir, "out"))})
	included := map[string]awscdk.Stack{}
	for _, file := range shipped {
		for name, tmpl := range synth(t, file).templates {
			doc := tmpl.ToJSON()
			// The including stack brings its own bootstrap check.
			delete(*doc, "Rules")
			if params, ok := (*doc)["Parameters"].(map[string]any); ok {
				delete(params, "BootstrapVersion")
			}
			data, err := json.Marshal(doc)
			if err != nil {
				t.Fatal(err)
			}
			id := fmt.Sprintf("Included%d", len(included))
			path := filepath.Join(dir, id+".template.json")
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			stack := awscdk.NewStack(app, jsii.String(id), nil)
			cloudformationinclude.NewCfnInclude(stack, jsii.String("Template"), &cloudformationinclude.CfnIncludeProps{TemplateFile: jsii.String(path)})
			included[file+" "+name] = stack
		}
	}
	if len(included) != 19 {
		t.Fatalf("%d templates; want the 19 of the shipped configs", len(included))
	}
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true), Reports: jsii.Bool(false)}), nil)
	var assembly cxapi.CloudAssembly
	cdktest.Assert(t, func() { assembly = app.Synth(nil) })
	for name, stack := range included {
		t.Run(name, func(t *testing.T) {
			for _, m := range *assembly.GetStackArtifact(stack.ArtifactId()).Messages() {
				text := fmt.Sprint(m.Entry.Data)
				if strings.Contains(text, "AwsSolutions-") && m.Level != cxapi.SynthesisMessageLevel_INFO {
					t.Errorf("%s: %s at %s: %s", name, m.Level, *m.Id, firstLine(text))
				}
			}
		})
	}
}
