package ecsdelivery

import (
	"fmt"
	"maps"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/ecsdelivery/ecsdelivery/spec"
)

// checkVariables refuses variable names that would shadow the scripts' inputs or what the
// platform reads (PATH, LD_*, AWS_*, …): a secret named AWS_REGION would redirect every call.
func checkVariables(field string, vars map[string]string) error {
	for _, name := range slices.Sorted(maps.Keys(vars)) {
		if why, reserved := spec.ReservedVariable(name); reserved {
			return fmt.Errorf("%s: %q is reserved (%s)", field, name, why)
		}
	}
	return nil
}

// checkService refuses what would reach a shell or the platform as anything but data: variable
// names that shadow reserved ones, and a health-check path that is not a plain URL path.
func checkService(s *ServiceOptions) error {
	if err := checkVariables("Service.Environment", s.Environment); err != nil {
		return err
	}
	if err := checkVariables("Service.Secrets", s.Secrets); err != nil {
		return err
	}
	if !unresolved(s.HealthCheckPath) && !spec.HealthCheckPath.MatchString(s.HealthCheckPath) {
		return fmt.Errorf("Service.HealthCheckPath %q is not a URL path with an optional query", s.HealthCheckPath)
	}
	return nil
}

// unresolved reports whether a value is a CDK token, resolved only at deployment: a library user
// may pass one, and no pattern can judge it at synthesis.
func unresolved(value string) bool { return *awscdk.Token_IsUnresolved(jsii.String(value)) }
