package spec

import (
	"regexp"
	"testing"
)

func TestReservedVariable(t *testing.T) {
	for _, tc := range []struct {
		name, why, prefix string
		reserved          bool
	}{
		{"PATH", "the shell reads it", "", true},
		{"BASH_ENV", "the shell reads it", "", true},
		{"NODE_OPTIONS", "Node.js reads it", "", true},
		{"REPOSITORY_URI", "an input of the build scripts", "", true},
		{"BUILDER_IMAGE", "an input of the build scripts", "", true},
		{"APP_URL", "the integration test's address of the app", "", true},
		{"TASKDEF_0", "an input of the build scripts", "TASKDEF_", true},
		{"PORT_12", "an input of the build scripts", "PORT_", true},
		{"LD_PRELOAD", "the dynamic linker's", "LD_", true},
		{"AWS_REGION", "AWS SDKs and CLI read it", "AWS_", true},
		{"AWS_", "AWS SDKs and CLI read it", "AWS_", true},
		{"ECS_CONTAINER_METADATA_URI_V4", "ECS sets and reads it", "ECS_", true},
		{"CODEBUILD_BUILD_ID", "CodeBuild sets it", "CODEBUILD_", true},
		{"TRIVY_DB_REPOSITORY", "Trivy reads it", "TRIVY_", true},
		{"DOCKER_HOST", "the docker CLI reads it", "DOCKER_", true},
		{"BUILDKIT_PROGRESS", "BuildKit reads it", "BUILDKIT_", true},
		{"BASH_FUNC_ls%%", "bash imports it as a function", "BASH_FUNC_", true},
		{"ECSDELIVERY_ANYTHING", "ecsdelivery reserves it", "ECSDELIVERY_", true},
		// Free: the shipped configs' names, near misses, and other cases (names are case-sensitive).
		{"LOG_LEVEL", "", "", false},
		{"NODE_ENV", "", "", false},
		{"DB_PASSWORD", "", "", false},
		{"NPM_TOKEN", "", "", false},
		{"PATHS", "", "", false},
		{"MY_PATH", "", "", false},
		{"AWS", "", "", false},
		{"PORT", "", "", false},
		{"aws_region", "", "", false},
		{"Path", "", "", false},
		{"", "", "", false},
	} {
		name := tc.name
		if name == "" {
			name = "empty"
		}
		t.Run(name, func(t *testing.T) {
			why, reserved := ReservedVariable(tc.name)
			if why != tc.why {
				t.Errorf("ReservedVariable(%q) says why %q; want %q", tc.name, why, tc.why)
			}
			if reserved != tc.reserved {
				t.Errorf("ReservedVariable(%q) reserved = %v; want %v", tc.name, reserved, tc.reserved)
			}
			if got := ReservedPrefix(tc.name); got != tc.prefix {
				t.Errorf("ReservedPrefix(%q) = %q; want %q", tc.name, got, tc.prefix)
			}
		})
	}
}

// Every entry must be a name a config could otherwise use, or the check would never fire, and
// must say why in a few words, since the words end up in a config error.
func TestReservedTableIsWellFormed(t *testing.T) {
	name, prefix := regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`), regexp.MustCompile(`^[A-Z][A-Z0-9_]*_$`)
	for n, why := range reservedNames {
		t.Run(n, func(t *testing.T) {
			if !name.MatchString(n) {
				t.Errorf("reserved name %q is not a variable name", n)
			}
			if why == "" {
				t.Errorf("reserved name %q says no why", n)
			}
			if len(why) > 60 {
				t.Errorf("reserved name %q says why in %d characters (%q); want at most 60", n, len(why), why)
			}
			if p := ReservedPrefix(n); p != "" {
				t.Errorf("reserved name %q is also covered by the prefix %s", n, p)
			}
		})
	}
	for i, r := range reservedPrefixes {
		t.Run(r.prefix, func(t *testing.T) {
			if !prefix.MatchString(r.prefix) {
				t.Errorf("reserved prefix %q is not upper case ending in _", r.prefix)
			}
			if r.why == "" {
				t.Errorf("reserved prefix %q says no why", r.prefix)
			}
			if len(r.why) > 60 {
				t.Errorf("reserved prefix %q says why in %d characters (%q); want at most 60", r.prefix, len(r.why), r.why)
			}
			// A prefix listed after a shorter one it extends would never be the one reported.
			for _, earlier := range reservedPrefixes[:i] {
				if len(r.prefix) > len(earlier.prefix) && r.prefix[:len(earlier.prefix)] == earlier.prefix {
					t.Errorf("prefix %s is shadowed by the earlier %s", r.prefix, earlier.prefix)
				}
			}
		})
	}
}

func TestDefaultBuilderImageIsPinned(t *testing.T) {
	if !regexp.MustCompile(`^[a-z0-9./_-]+:[A-Za-z0-9_.-]+@sha256:[0-9a-f]{64}$`).MatchString(DefaultBuilderImage) {
		t.Errorf("DefaultBuilderImage %q is not NAME:TAG@sha256:DIGEST", DefaultBuilderImage)
	}
}
