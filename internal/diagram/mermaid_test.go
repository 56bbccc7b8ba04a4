package diagram

import (
	"regexp"
	"strings"
	"testing"
)

// oddPipeline has names with every character that could break a Mermaid label or SVG text.
func oddPipeline() *Pipeline {
	name := `Deploy-"prod" <b>#1</b> & (eu) [x] {y} |z| ;%% ` + "`code`\n'q'"
	return &Pipeline{
		Name: `p"1"`, Stack: "s<1>", Env: Env{Region: "us-east-1"}, Source: "o/r@main#1",
		Stages: []Stage{
			{Name: "Source", Actions: []Action{{Name: `Git"Hub"`, Category: "Source", Provider: "GitHub", RunOrder: 1, Target: "a&b/c<d>"}}},
			{
				Name:    name,
				Entry:   []Gate{{Kind: Window, Detail: `cron "x" <y>`}},
				Success: []Gate{{Kind: Bake, Detail: "5 min & #2", Items: []string{"<alarm>"}}},
				Failure: &Gate{Kind: Rollback},
				Actions: []Action{
					{Name: "A]\"; click A call alert()", Category: "Build", Provider: "CodeBuild", RunOrder: 1, Gate: &Gate{Kind: Signature, Detail: `"sig"`}},
					{Name: "B", Category: "Deploy", Provider: "X<Y>", RunOrder: 1, Role: "arn:aws:iam::1:role/r\"ole"},
					{Name: "C\u0000\u202e", Category: "Deploy", Provider: "CodeDeployToECS", RunOrder: 2, Role: "arn:aws:iam::222222222222:role/d<e>ploy"},
				},
				Environment: &Environment{Name: `"prod"`, Account: "222222222222", Region: "us-east-1", DeployRole: "arn:aws:iam::222222222222:role/d<e>ploy",
					Gates: []Gate{{Kind: TestTraffic, Detail: `/a?b="c"&d=<e>`}}},
			},
		},
	}
}

var (
	mermaidID       = regexp.MustCompile(`^p\d+s\d+(a\d+|w\d+|b\d+|env(g\d+)?)?$`)
	mermaidDeclared = regexp.MustCompile(`^\s*(?:subgraph )?([^\s\["{/:]+)\s*(?:\[|\{\{)`)
)

func TestMermaidEscapesNamesAndGeneratesIDs(t *testing.T) {
	src := Mermaid(oddPipeline())
	lines := strings.Split(src, "\n")
	for i, l := range lines {
		if i < 3 { // the front matter's title is YAML, quoted with \"
			continue
		}
		if strings.Count(l, `"`)%2 != 0 {
			t.Errorf("line %d has an unbalanced quote: %s", i+1, l)
		}
		if m := mermaidDeclared.FindStringSubmatch(l); m != nil && !strings.HasPrefix(strings.TrimSpace(l), "classDef") {
			if !mermaidID.MatchString(m[1]) {
				t.Errorf("line %d declares id %q; want a generated id", i+1, m[1])
			}
		}
		// Inside a label only our own <b> and <br/> may appear; everything else is escaped.
		if rest := mermaidMarkup.ReplaceAllString(l, ""); strings.ContainsAny(l, `[{`) && strings.ContainsAny(rest, "<>`") {
			t.Errorf("line %d has raw markup: %s", i+1, l)
		}
	}
	r := mermaidRendering(src)
	if want := strings.ReplaceAll(oddPipeline().Stages[1].Name, "\n", " "); len(r.order) != 2 || r.order[1] != want {
		t.Errorf("stages drawn = %q; want Source and %q (the line break a space)", r.order, want)
	}
	r.mustHave(t, "", `A]"; click A call alert()`)
	r.mustHave(t, "", `cron "x" <y>`)
	r.mustHave(t, "Environment \"prod\"", "deploy role d<e>ploy")
	r.mustHave(t, "", `/a?b="c"&d=<e>`)
	if strings.Contains(src, `"prod" <b>`) || strings.Contains(src, "#1<") {
		t.Error("a name reached the output unescaped")
	}
}

func TestMermaidSeveralPipelines(t *testing.T) {
	a, b := oddPipeline(), oddPipeline()
	b.Name = "second"
	src := Mermaid(a, b)
	if strings.HasPrefix(src, "---") {
		t.Error("several pipelines have a front matter title; want each titled by its subgraph")
	}
	for _, want := range []string{"subgraph p0 [", "subgraph p1 [", "p1s0 --> p1s1", "p0s0 --> p0s1", "pipeline second"} {
		if !strings.Contains(src, want) {
			t.Errorf("Mermaid(a, b) has no %q", want)
		}
	}
}

func TestMermaidClassesComeFromTheGateKinds(t *testing.T) {
	src := Mermaid(oddPipeline())
	for _, k := range Kinds {
		if want := "classDef " + string(k.Kind) + " fill:" + k.Fill + ",stroke:" + k.Stroke; !strings.Contains(src, want) {
			t.Errorf("no %q", want)
		}
	}
	for _, want := range []string{":::signature", ":::window", ":::bake", ":::testTraffic", ":::environment", ":::action"} {
		if !strings.Contains(src, want) {
			t.Errorf("no node styled %q", want)
		}
	}
}
