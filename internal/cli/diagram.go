package cli

import (
	"fmt"
	"io"
)

// runDiagram is the diagram verb (to be written).
func runDiagram(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "ecsdelivery: diagram: not written yet")
	return 1
}
