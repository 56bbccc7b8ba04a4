package diagram

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ecsdelivery/ecsdelivery/config"
)

// wantStages are the stages a config's pipeline has, in order.
func wantStages(cfg *config.Config) []string {
	stages := []string{"Source", "Build", "Scan"}
	if cfg.IntegrationTestEnabled() {
		stages = append(stages, "IntegrationTest")
	}
	for _, e := range cfg.Environments {
		if e.Approval {
			stages = append(stages, "Approve-"+e.Name)
		}
		stages = append(stages, "Deploy-"+e.Name)
	}
	return stages
}

// envFacts are what the diagram must say about an environment.
type envFacts struct {
	Name, Account, Region, DeployRole string
}

// wantEnvironments are a config's environments as the diagram must show them: the account,
// or "pipeline account" in an environment-agnostic synthesis; the created deploy role
// <app>-<env>[-suffix]-deploy, or the imported one by its name and path.
func wantEnvironments(cfg *config.Config) []envFacts {
	var envs []envFacts
	for _, e := range cfg.Environments {
		f := envFacts{Name: e.Name, Account: e.Account, Region: e.Region, DeployRole: cfg.App + "-" + e.Name + suffix(cfg) + "-deploy"}
		if f.Account == "" {
			f.Account = "pipeline account"
		}
		if e.Import != nil && e.Import.DeployRoleARN != "" {
			_, f.DeployRole, _ = strings.Cut(e.Import.DeployRoleARN, ":role/")
		}
		envs = append(envs, f)
	}
	return envs
}

func gotEnvironments(p *Pipeline) []envFacts {
	var envs []envFacts
	for _, e := range p.Environments() {
		envs = append(envs, envFacts{e.Name, e.AccountLabel(), e.Region, e.DeployRoleName()})
	}
	return envs
}

func stageNames(p *Pipeline) []string {
	var names []string
	for _, s := range p.Stages {
		names = append(names, s.Name)
	}
	return names
}

// loadGolden loads the golden assembly of dir, which must hold one pipeline.
func loadGolden(t *testing.T, dir string, cfg *config.Config, skip ...string) *Pipeline {
	t.Helper()
	ps, err := Load(goldenAssembly(t, dir, cfg, skip...))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if len(ps) != 1 {
		t.Fatalf("Load gave %d pipelines; want 1", len(ps))
	}
	return ps[0]
}

func TestLoadModelsTheConfigsPipeline(t *testing.T) {
	for _, dir := range goldenDirs(t) {
		t.Run(dir, func(t *testing.T) {
			cfg := goldenConfig(t, dir)
			p := loadGolden(t, dir, cfg)
			if diff := cmp.Diff(wantStages(cfg), stageNames(p)); diff != "" {
				t.Errorf("stages (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(wantEnvironments(cfg), gotEnvironments(p)); diff != "" {
				t.Errorf("environments (-want +got):\n%s", diff)
			}
			if want := cfg.App + "-pipeline" + suffix(cfg); p.Stack != want {
				t.Errorf("Stack = %q; want %q", p.Stack, want)
			}
		})
	}
}

// stageGates are the kinds of gate of each stage, the environment's included.
func stageGates(s *Stage) map[GateKind]string {
	kinds := map[GateKind]string{}
	add := func(g Gate) { kinds[g.Kind] = g.Detail }
	for _, g := range s.Entry {
		add(g)
	}
	for _, g := range s.Success {
		add(g)
	}
	for _, a := range s.Actions {
		if a.Gate != nil {
			add(*a.Gate)
		}
	}
	if s.Failure != nil {
		add(*s.Failure)
	}
	if s.Environment != nil {
		for _, g := range s.Environment.Gates {
			add(g)
		}
	}
	return kinds
}

// wantGates are the gates a config asks for, by stage.
func wantGates(cfg *config.Config) map[string][]GateKind {
	want := map[string][]GateKind{"Build": {Retry}, "Scan": {Scan, Retry}}
	if cfg.Build.UnitTestCommand != "" {
		want["Build"] = append(want["Build"], UnitTests)
	}
	if cfg.IntegrationTestEnabled() {
		want["IntegrationTest"] = []GateKind{IntegrationTest}
	}
	for _, e := range cfg.Environments {
		if e.Approval {
			want["Approve-"+e.Name] = []GateKind{Approval}
		}
		deploy := []GateKind{Rollback, AlarmRollback}
		if cfg.Pipeline.Signing {
			deploy = append(deploy, Signature)
		}
		if e.Deployment.Window != nil {
			deploy = append(deploy, Window)
		}
		if e.Deployment.BakeMinutes > 0 {
			deploy = append(deploy, Bake)
		}
		if e.Deployment.TestTraffic.Enabled {
			deploy = append(deploy, TestTraffic)
		}
		want["Deploy-"+e.Name] = deploy
	}
	return want
}

func TestLoadFindsEveryGate(t *testing.T) {
	for _, dir := range goldenDirs(t) {
		t.Run(dir, func(t *testing.T) {
			cfg := goldenConfig(t, dir)
			p := loadGolden(t, dir, cfg)
			want := wantGates(cfg)
			for i := range p.Stages {
				s := &p.Stages[i]
				got := stageGates(s)
				var kinds []GateKind
				for _, k := range Kinds {
					if _, ok := got[k.Kind]; ok {
						kinds = append(kinds, k.Kind)
					}
				}
				var wantKinds []GateKind
				for _, k := range Kinds {
					if contains(kindNames(want[s.Name]), string(k.Kind)) {
						wantKinds = append(wantKinds, k.Kind)
					}
				}
				if diff := cmp.Diff(wantKinds, kinds); diff != "" {
					t.Errorf("gates of %s (-want +got):\n%s", s.Name, diff)
				}
			}
		})
	}
}

func kindNames(kinds []GateKind) []string {
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = string(k)
	}
	return names
}

func TestLoadReadsTheGatesDetails(t *testing.T) {
	for _, dir := range goldenDirs(t) {
		cfg := goldenConfig(t, dir)
		p := loadGolden(t, dir, cfg)
		for i, e := range cfg.Environments {
			t.Run(dir+"/"+e.Name, func(t *testing.T) {
				s := deployStage(t, p, e.Name)
				gates := stageGates(s)
				if w := e.Deployment.Window; w != nil {
					if want := w.Cron + ", " + w.Timezone; gates[Window] != want {
						t.Errorf("window = %q; want %q", gates[Window], want)
					}
				}
				if b := e.Deployment.BakeMinutes; b > 0 {
					if want := fmt.Sprintf("%d min", b); !strings.HasPrefix(gates[Bake], want) {
						t.Errorf("bake = %q; want it to start %q", gates[Bake], want)
					}
				}
				if tt := e.Deployment.TestTraffic; tt.Enabled {
					for _, path := range tt.Paths {
						if !strings.Contains(gates[TestTraffic], path) {
							t.Errorf("test traffic = %q; want it to name %s", gates[TestTraffic], path)
						}
					}
					if want := fmt.Sprintf("×%d → %d within %d ms", tt.Requests, tt.ExpectStatus, tt.MaxLatencyMilliseconds); !strings.Contains(gates[TestTraffic], want) {
						t.Errorf("test traffic = %q; want %q", gates[TestTraffic], want)
					}
				}
				if got, want := s.Environment.Stack, cfg.App+"-"+e.Name+suffix(cfg); got != want {
					t.Errorf("environment %d: Stack = %q; want %q", i, got, want)
				}
			})
		}
	}
}

// deployStage is the Deploy-<env> stage of p.
func deployStage(t *testing.T, p *Pipeline, env string) *Stage {
	t.Helper()
	for i := range p.Stages {
		if p.Stages[i].Name == "Deploy-"+env {
			if p.Stages[i].Environment == nil {
				t.Fatalf("stage Deploy-%s has no environment", env)
			}
			return &p.Stages[i]
		}
	}
	t.Fatalf("no stage Deploy-%s", env)
	return nil
}

func TestLoadInventsNothingTheAssemblyDoesNotHold(t *testing.T) {
	for _, dir := range goldenDirs(t) {
		t.Run(dir, func(t *testing.T) {
			cfg := goldenConfig(t, dir)
			var skip []string
			for _, e := range cfg.Environments {
				skip = append(skip, cfg.App+"-"+e.Name+suffix(cfg))
			}
			p := loadGolden(t, dir, cfg, skip...)
			// Without the environment stacks, the account comes from the deploy role's ARN and
			// the region from the action or the pipeline: the same answers.
			if diff := cmp.Diff(wantEnvironments(cfg), gotEnvironments(p)); diff != "" {
				t.Errorf("environments (-want +got):\n%s", diff)
			}
			for _, e := range p.Environments() {
				if e.Stack != "" {
					t.Errorf("environment %s: Stack = %q; want none", e.Name, e.Stack)
				}
				for _, g := range e.Gates {
					if g.Kind == TestTraffic {
						t.Errorf("environment %s: test traffic %q drawn, but its function is in no stack of the assembly", e.Name, g.Detail)
					}
				}
			}
		})
	}
}

func TestRenderingsNameEverything(t *testing.T) {
	for _, dir := range goldenDirs(t) {
		cfg := goldenConfig(t, dir)
		p := loadGolden(t, dir, cfg)
		renderings := map[string]func(t *testing.T) rendering{
			"mermaid": func(*testing.T) rendering { return mermaidRendering(Mermaid(p)) },
			"svg":     func(t *testing.T) rendering { return svgRendering(t, SVG(p)) },
		}
		for name, render := range renderings {
			t.Run(dir+"/"+name, func(t *testing.T) {
				r := render(t)
				if diff := cmp.Diff(wantStages(cfg), r.order); diff != "" {
					t.Errorf("stages drawn (-want +got):\n%s", diff)
				}
				for _, e := range wantEnvironments(cfg) {
					box := "Environment " + e.Name
					r.mustHave(t, box, "account "+e.Account)
					r.mustHave(t, box, "region "+e.Region)
					r.mustHave(t, box, "deploy role "+e.DeployRole)
				}
				for stage, kinds := range wantGates(cfg) {
					for _, k := range kinds {
						r.mustHaveIn(t, stage, k.Info().Tag)
						if k == Signature {
							r.mustHaveIn(t, stage, "VerifySignature")
						}
					}
				}
				for _, e := range cfg.Environments {
					if w := e.Deployment.Window; w != nil {
						r.mustHaveIn(t, "Deploy-"+e.Name, "before entry: "+w.Cron+", "+w.Timezone)
					}
					if b := e.Deployment.BakeMinutes; b > 0 && e.Deployment.Engine == "codedeploy" {
						r.mustHaveIn(t, "Deploy-"+e.Name, fmt.Sprintf("after success: %d min", b))
					}
				}
			})
		}
	}
}
