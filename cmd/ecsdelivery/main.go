// Command ecsdelivery synthesises the delivery pipeline of an app from its config file, or
// validates that file. See the README.
package main

import (
	"os"

	"github.com/ecsdelivery/ecsdelivery/internal/cli"
)

func main() { os.Exit(cli.Run(os.Args[1:], os.Stdout, os.Stderr)) }
