package cli

import (
	"fmt"
	"io"

	"github.com/ecsdelivery/ecsdelivery/config"
)

// schema prints the config's JSON Schema, the one the repository keeps in
// schema/delivery.schema.json for editors.
func schema(stdout, stderr io.Writer) int {
	data, err := config.Schema()
	if err != nil {
		fmt.Fprintf(stderr, "ecsdelivery: %v\n", err)
		return 1
	}
	if _, err := stdout.Write(data); err != nil {
		fmt.Fprintf(stderr, "ecsdelivery: %v\n", err)
		return 1
	}
	return 0
}
