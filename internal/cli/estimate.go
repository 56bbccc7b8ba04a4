package cli

import (
	"fmt"
	"io"
)

// runEstimate is the estimate verb (to be written).
func runEstimate(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "ecsdelivery: estimate: not written yet")
	return 1
}
