package cli

import (
	"fmt"
	"io"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/ecsdelivery/ecsdelivery/app"
	"github.com/ecsdelivery/ecsdelivery/config"
)

// synth builds the CDK app from the config file the CDK context names and writes the cloud
// assembly where the CDK CLI asked (CDK_OUTDIR).
func synth(stderr io.Writer) int {
	cdkApp := awscdk.NewApp(nil)
	file := contextString(cdkApp, "config", DefaultConfigFile)
	cfg, err := config.Load(file)
	if err != nil {
		report(stderr, err)
		return 1
	}
	suffix := contextString(cdkApp, "environmentSuffix", cfg.EnvironmentSuffix)
	if msg := config.CheckSuffix(suffix); msg != "" {
		fmt.Fprintf(stderr, "ecsdelivery: context environmentSuffix: %s\n", msg)
		return 1
	}
	delivery, err := app.Build(cdkApp, cfg, suffix)
	if err != nil {
		fmt.Fprintf(stderr, "ecsdelivery: %s: %s\n", file, err)
		return 1
	}
	cdkApp.Synth(nil)
	fmt.Fprintf(stderr, "ecsdelivery: synthesised %s from %s\n%s", cfg.App, file, delivery.Summary())
	return 0
}

// contextString reads a CDK context value (cdk -c key=value), or def when it is absent.
func contextString(a awscdk.App, key, def string) string {
	v := a.Node().TryGetContext(jsii.String(key))
	if s, ok := v.(string); ok && s != "" {
		return s
	}
	return def
}
