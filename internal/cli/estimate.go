package cli

import (
	"fmt"
	"io"

	"github.com/ecsdelivery/ecsdelivery/config"
	"github.com/ecsdelivery/ecsdelivery/internal/estimate"
)

// runEstimate prints the lead time of one release and the pipeline's monthly cost: 2 for bad
// arguments, 1 for a config with problems.
func runEstimate(args []string, stdout, stderr io.Writer) int {
	a, err := estimate.ParseArgs(args, DefaultConfigFile)
	if err != nil {
		fmt.Fprintf(stderr, "ecsdelivery: %s\n%s", err, usage)
		return 2
	}
	cfg, err := config.Load(a.File)
	if err != nil {
		report(stderr, err)
		return 1
	}
	e, err := estimate.New(cfg, a.Options)
	if err != nil {
		report(stderr, err)
		return 1
	}
	if a.JSON {
		err = e.WriteJSON(stdout)
	} else {
		err = e.WriteText(stdout, a.File)
	}
	if err != nil {
		fmt.Fprintf(stderr, "ecsdelivery: %s\n", err)
		return 1
	}
	return 0
}
