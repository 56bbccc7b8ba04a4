package diagram

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

// maxNesting bounds how deeply Load follows nested cloud assemblies (CDK stages).
const maxNesting = 4

// manifest is the part of a cloud assembly's manifest.json that Load reads.
type manifest struct {
	Artifacts map[string]struct {
		Type        string `json:"type"`
		Environment string `json:"environment"`
		Properties  struct {
			TemplateFile  string `json:"templateFile"`
			StackName     string `json:"stackName"`
			DirectoryName string `json:"directoryName"`
		} `json:"properties"`
	} `json:"artifacts"`
}

// Load reads the cloud assembly in dir (a cdk.out: manifest.json and the templates it names)
// and models every pipeline its stacks hold, in stack-name order. The other stacks give the
// environments' accounts, regions and checks.
func Load(dir string) ([]*Pipeline, error) {
	stacks, err := readAssembly(dir, 0)
	if err != nil {
		return nil, err
	}
	templates, err := parseAll(stacks)
	if err != nil {
		return nil, err
	}
	var pipelines []*Pipeline
	for i, t := range templates {
		others := append(append([]*template{}, templates[:i]...), templates[i+1:]...)
		ps, err := t.pipelines(others)
		if err != nil {
			return nil, err
		}
		pipelines = append(pipelines, ps...)
	}
	if len(pipelines) == 0 {
		return nil, fmt.Errorf("manifest.json of %s has no pipeline stack: none of its %d stack templates holds an AWS::CodePipeline::Pipeline", dir, len(stacks))
	}
	return pipelines, nil
}

// readAssembly reads the stacks of the assembly in dir and of the assemblies nested in it.
func readAssembly(dir string, depth int) ([]Stack, error) {
	data, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s has no manifest.json: expected a cloud assembly, the directory cdk synth writes (cdk.out)", dir)
	}
	if err != nil {
		return nil, fmt.Errorf("reading the cloud assembly: %w", err)
	}
	var m manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("manifest.json of %s is not a cloud assembly manifest: %w", dir, err)
	}
	ids := make([]string, 0, len(m.Artifacts))
	for id := range m.Artifacts {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var stacks []Stack
	for _, id := range ids {
		a := m.Artifacts[id]
		switch a.Type {
		case "aws:cloudformation:stack":
			s, err := readStack(dir, id, a.Environment, a.Properties.StackName, a.Properties.TemplateFile)
			if err != nil {
				return nil, err
			}
			stacks = append(stacks, s)
		case "cdk:cloud-assembly":
			if depth >= maxNesting || a.Properties.DirectoryName == "" {
				continue
			}
			nested, err := readAssembly(filepath.Join(dir, a.Properties.DirectoryName), depth+1)
			if err != nil {
				return nil, err
			}
			stacks = append(stacks, nested...)
		}
	}
	return stacks, nil
}

// readStack reads one stack artifact.
func readStack(dir, id, environment, stackName, templateFile string) (Stack, error) {
	s := Stack{Name: id}
	if stackName != "" {
		s.Name = stackName
	}
	env, err := ParseEnv(environment)
	if err != nil {
		return Stack{}, fmt.Errorf("stack %s in manifest.json of %s: %w", s.Name, dir, err)
	}
	s.Env = env
	if templateFile == "" {
		return Stack{}, fmt.Errorf("stack %s in manifest.json of %s names no templateFile", s.Name, dir)
	}
	if s.Template, err = os.ReadFile(filepath.Join(dir, templateFile)); err != nil {
		return Stack{}, fmt.Errorf("reading the template of stack %s: %w", s.Name, err)
	}
	return s, nil
}
