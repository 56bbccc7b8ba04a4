package ecsdelivery

import "strings"

// Name joins the non-empty parts of a physical name with '-': Name("orders-api", "staging", "dev")
// is "orders-api-staging-dev". Physical names are how the pipeline account refers to resources
// in another account, so both sides must derive them with this one function.
func Name(parts ...string) string {
	kept := make([]string, 0, len(parts))
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, "-")
}

// PipelineStackName is the name of the stack that holds an app's pipeline.
func PipelineStackName(app, suffix string) string { return Name(app, "pipeline", suffix) }

// EnvironmentStackName is the name of the stack that holds one environment of an app.
func EnvironmentStackName(app, environment, suffix string) string {
	return Name(app, environment, suffix)
}
