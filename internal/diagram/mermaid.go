package diagram

import (
	"fmt"
	"strings"
)

// Mermaid draws pipelines as one Mermaid flowchart, left to right: a subgraph per stage with its
// actions in run order (parallel actions side by side), the stage's window before them and its
// bake after them, and each environment with its account, region, deploy role and checks.
// Gates are styled by class and named in their labels. Several pipelines each get a subgraph
// of their own. Node ids are generated, never taken from names.
func Mermaid(pipelines ...*Pipeline) string {
	var b strings.Builder
	if len(pipelines) == 1 {
		fmt.Fprintf(&b, "---\ntitle: %q\n---\n", mermaidTitle.Replace(printable(pipelines[0].Title())))
	}
	b.WriteString("flowchart LR\n")
	for i, p := range pipelines {
		indent := "  "
		if len(pipelines) > 1 {
			fmt.Fprintf(&b, "  subgraph p%d [\"%s\"]\n    direction LR\n", i, mermaidText(p.Title()))
			indent = "    "
		}
		mermaidPipeline(&b, p, fmt.Sprintf("p%d", i), indent)
		if len(pipelines) > 1 {
			b.WriteString("  end\n")
		}
	}
	for _, k := range Kinds {
		fmt.Fprintf(&b, "  classDef %s fill:%s,stroke:%s,stroke-width:2px,color:#212121\n", k.Kind, k.Fill, k.Stroke)
	}
	b.WriteString("  classDef action fill:#ffffff,stroke:#9e9e9e,color:#212121\n")
	b.WriteString("  classDef environment fill:#fafafa,stroke:#424242,stroke-dasharray:5 3,color:#212121\n")
	return b.String()
}

// mermaidPipeline writes one pipeline's stages and the arrows between them.
func mermaidPipeline(b *strings.Builder, p *Pipeline, id, indent string) {
	stageIDs := make([]string, len(p.Stages))
	for i := range p.Stages {
		stageIDs[i] = fmt.Sprintf("%ss%d", id, i)
		mermaidStage(b, p, &p.Stages[i], stageIDs[i], indent)
	}
	if len(stageIDs) > 1 {
		fmt.Fprintf(b, "%s%s\n", indent, strings.Join(stageIDs, " --> "))
	}
}

// mermaidStage writes one stage as a subgraph.
func mermaidStage(b *strings.Builder, p *Pipeline, s *Stage, id, indent string) {
	title := s.Name
	if s.Failure != nil {
		title += " · " + failureLabel(s.Failure)
	}
	fmt.Fprintf(b, "%ssubgraph %s [\"%s\"]\n%s  direction LR\n", indent, id, mermaidText(title), indent)
	in := indent + "  "
	var prev []string
	link := func(next []string) {
		if len(prev) > 0 && len(next) > 0 {
			fmt.Fprintf(b, "%s%s --> %s\n", in, strings.Join(prev, " & "), strings.Join(next, " & "))
		}
		prev = next
	}
	for i, g := range s.Entry {
		n := fmt.Sprintf("%sw%d", id, i)
		fmt.Fprintf(b, "%s%s{{\"%s\"}}:::%s\n", in, n, mermaidLines(g.Kind.Info().Tag, caption(g, "before entry:")), g.Kind)
		link([]string{n})
	}
	deploy := ""
	index := 0
	for _, group := range s.RunGroups() {
		var ids []string
		for _, a := range group {
			n := fmt.Sprintf("%sa%d", id, index)
			index++
			ids = append(ids, n)
			mermaidAction(b, p, &a, n, in)
			if s.Environment != nil && a.Role != "" && roleName(a.Role) == s.Environment.DeployRoleName() {
				deploy = n
			}
		}
		link(ids)
	}
	for i, g := range s.Success {
		n := fmt.Sprintf("%sb%d", id, i)
		fmt.Fprintf(b, "%s%s{{\"%s\"}}:::%s\n", in, n, mermaidLines(g.Kind.Info().Tag, caption(g, "after success:")), g.Kind)
		link([]string{n})
	}
	if e := s.Environment; e != nil {
		mermaidEnvironment(b, e, id, deploy, in)
	}
	fmt.Fprintf(b, "%send\n", indent)
}

// mermaidAction writes one action node, styled by its gate.
func mermaidAction(b *strings.Builder, p *Pipeline, a *Action, id, indent string) {
	lines := append([]string{"<b>" + mermaidText(a.Name) + "</b>"}, escapeAll(actionLines(a, p))...)
	class := "action"
	if a.Gate != nil {
		lines = append(lines, escapeAll([]string{"gate " + a.Gate.Text()})...)
		class = string(a.Gate.Kind)
	}
	fmt.Fprintf(b, "%s%s[\"%s\"]:::%s\n", indent, id, strings.Join(lines, "<br/>"), class)
}

// mermaidEnvironment writes an environment node and its gates, linked from the deploy action.
func mermaidEnvironment(b *strings.Builder, e *Environment, stage, deploy, indent string) {
	n := stage + "env"
	lines := append([]string{"<b>" + mermaidText(envTitle(e)) + "</b>"}, escapeAll(envLines(e))...)
	fmt.Fprintf(b, "%s%s[/\"%s\"/]:::environment\n", indent, n, strings.Join(lines, "<br/>"))
	if deploy != "" {
		fmt.Fprintf(b, "%s%s -. deploys as .-> %s\n", indent, deploy, n)
	}
	for i, g := range e.Gates {
		gn := fmt.Sprintf("%sg%d", n, i)
		fmt.Fprintf(b, "%s%s{{\"%s\"}}:::%s\n", indent, gn, mermaidLines(g.Kind.Info().Tag, caption(g, "")), g.Kind)
		fmt.Fprintf(b, "%s%s -.- %s\n", indent, n, gn)
	}
}

// mermaidLines joins escaped lines, skipping empty ones.
func mermaidLines(lines ...string) string {
	var out []string
	for _, l := range lines {
		if l != "" {
			out = append(out, mermaidText(l))
		}
	}
	return strings.Join(out, "<br/>")
}

func escapeAll(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = mermaidText(l)
	}
	return out
}

// mermaidEntities replaces what would end a quoted label or be read as markup or an entity:
// Mermaid's entity codes, in decimal.
var mermaidEntities = strings.NewReplacer(
	`"`, "#34;", "#", "#35;", "&", "#38;", "<", "#60;", ">", "#62;", "`", "#96;",
	"%", "#37;", "\n", " ", "\r", " ", "\t", " ",
)

// mermaidTitle keeps markup out of the front matter's title, which Mermaid shows with its
// entities escaped once more (stack and pipeline names never hold these characters).
var mermaidTitle = strings.NewReplacer("<", "‹", ">", "›", "&", "+")

// mermaidText escapes text for a quoted Mermaid label.
func mermaidText(s string) string { return printable(mermaidEntities.Replace(s)) }
