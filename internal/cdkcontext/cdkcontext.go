// Package cdkcontext reads what the CDK CLI hands an app from a project folder: cdk.json's
// context (the feature flags) and cdk.context.json's look-ups. An app synthesised without the
// CDK CLI (a test, the diagram command) needs both to write the templates `cdk synth` writes
// and to need no credentials for look-ups.
package cdkcontext

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
)

// Read returns the context of the project in dir, and which of the two files it lacks. A file
// that exists but cannot be read as JSON is an error: skipping it would synthesise other
// templates without a word.
func Read(dir string) (ctx map[string]any, missing []string, err error) {
	ctx = map[string]any{}
	var cdkJSON struct {
		Context map[string]any `json:"context"`
	}
	var lookups map[string]any
	for _, f := range []struct {
		name string
		into any
	}{{"cdk.json", &cdkJSON}, {"cdk.context.json", &lookups}} {
		data, err := os.ReadFile(filepath.Join(dir, f.name))
		if errors.Is(err, fs.ErrNotExist) {
			missing = append(missing, f.name)
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		if err := json.Unmarshal(data, f.into); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", filepath.Join(dir, f.name), err)
		}
	}
	maps.Copy(ctx, cdkJSON.Context)
	maps.Copy(ctx, lookups)
	return ctx, missing, nil
}
