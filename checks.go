package ecsdelivery

import (
	"fmt"
	"maps"
	"regexp"
	"slices"

	"github.com/ecsdelivery/ecsdelivery/spec"
)

// pinnedImage is an image reference pinned by digest: what it names cannot change.
var pinnedImage = regexp.MustCompile(`^[a-z0-9][a-z0-9._:/-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?@sha256:[0-9a-f]{64}$`)

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
	if !healthCheckPath.MatchString(s.HealthCheckPath) {
		return fmt.Errorf("Service.HealthCheckPath %q is not a URL path with an optional query", s.HealthCheckPath)
	}
	return nil
}

// healthCheckPath is a URL path of unreserved characters and percent escapes, with an optional
// query; the config states the same rule with its own message.
var healthCheckPath = regexp.MustCompile(`^/(?:[A-Za-z0-9._~/:@+,=-]|%[0-9A-Fa-f]{2})*(?:\?(?:[A-Za-z0-9._~/:@+,=&-]|%[0-9A-Fa-f]{2})*)?$`)
