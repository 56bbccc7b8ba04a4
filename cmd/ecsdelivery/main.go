// Command ecsdelivery synthesises the delivery pipeline of an app from its config file, or
// validates that file. See the README.
package main

import (
	"os"

	"github.com/aws/jsii-runtime-go"

	"github.com/ecsdelivery/ecsdelivery/internal/cli"
)

func main() {
	code := cli.Run(os.Args[1:], os.Stdout, os.Stderr)
	// Ends the Node process CDK runs in and removes its temporary files (os.Exit skips defers).
	jsii.Close()
	os.Exit(code)
}
