package app

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
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
	for _, file := range shipped {
		for name, tmpl := range synth(t, file).templates {
			t.Run(file+"/"+name, func(t *testing.T) {
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
				dir := t.TempDir()
				path := filepath.Join(dir, name+".template.json")
				if err := os.WriteFile(path, data, 0o600); err != nil {
					t.Fatal(err)
				}
				app := awscdk.NewApp(&awscdk.AppProps{Context: &ctx, Outdir: jsii.String(filepath.Join(dir, "out"))})
				stack := awscdk.NewStack(app, jsii.String("Included"), nil)
				cloudformationinclude.NewCfnInclude(stack, jsii.String("Template"), &cloudformationinclude.CfnIncludeProps{TemplateFile: jsii.String(path)})
				awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true), Reports: jsii.Bool(false)}), nil)
				cdktest.Assert(t, func() {
					annotations := assertions.Annotations_FromStack(stack)
					for level, found := range map[string]*[]*cxapi.SynthesisMessage{
						"error":   annotations.FindError(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-"))),
						"warning": annotations.FindWarning(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-"))),
					} {
						for _, m := range *found {
							t.Errorf("%s at %s: %s", level, *m.Id, firstLine(fmt.Sprint(m.Entry.Data)))
						}
					}
				})
			})
		}
	}
}
