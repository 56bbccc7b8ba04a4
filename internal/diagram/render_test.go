package diagram

import (
	"encoding/xml"
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// rendering is the visible text of a diagram: each box's (node's) text, and all the text of
// each stage. Text is compared with its white space removed, so a line wrapped in a box still
// matches.
type rendering struct {
	boxes  []string
	stages map[string]string
	order  []string // the stages in the order drawn
}

// squeeze removes white space.
func squeeze(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// mustHave fails unless text is in a box whose text starts with box, or anywhere with box "".
func (r rendering) mustHave(t *testing.T, box, text string) {
	t.Helper()
	for _, b := range r.boxes {
		if strings.HasPrefix(b, squeeze(box)) && strings.Contains(b, squeeze(text)) {
			return
		}
	}
	if box == "" {
		t.Errorf("no box says %q", text)
	} else {
		t.Errorf("box %q does not say %q; boxes: %q", box, text, r.boxes)
	}
}

// mustHaveIn fails unless text is in the stage.
func (r rendering) mustHaveIn(t *testing.T, stage, text string) {
	t.Helper()
	got, ok := r.stages[stage]
	switch {
	case !ok:
		t.Errorf("no stage %q drawn", stage)
	case !strings.Contains(got, squeeze(text)):
		t.Errorf("stage %s does not say %q; it says %q", stage, text, got)
	}
}

var (
	mermaidSubgraph = regexp.MustCompile(`^\s*subgraph (\S+) \["(.*)"\]$`)
	mermaidNode     = regexp.MustCompile(`^\s*([A-Za-z0-9]+)(\["|\{\{"|\[/")(.*)("\]|"\}\}|"/\]):::[A-Za-z]+$`)
	mermaidEntity   = regexp.MustCompile(`#(\d+);`)
	mermaidMarkup   = regexp.MustCompile(`<br/>|</?b>`)
)

// mermaidLabel decodes a label as Mermaid shows it.
func mermaidLabel(s string) string {
	s = mermaidMarkup.ReplaceAllString(s, " ")
	return mermaidEntity.ReplaceAllStringFunc(s, func(m string) string {
		n, _ := strconv.Atoi(m[1 : len(m)-1])
		return string(rune(n))
	})
}

// mermaidRendering reads the labels of a flowchart Mermaid writes: each node's, and each
// stage subgraph's with its nodes.
func mermaidRendering(src string) rendering {
	r := rendering{stages: map[string]string{}}
	stage := ""
	for _, l := range strings.Split(src, "\n") {
		if m := mermaidSubgraph.FindStringSubmatch(l); m != nil {
			title := mermaidLabel(m[2])
			stage, _, _ = strings.Cut(title, " · ")
			r.stages[stage] = squeeze(title)
			r.order = append(r.order, stage)
			continue
		}
		if strings.TrimSpace(l) == "end" {
			stage = ""
		}
		if m := mermaidNode.FindStringSubmatch(l); m != nil {
			label := squeeze(mermaidLabel(m[3]))
			r.boxes = append(r.boxes, label)
			if stage != "" {
				r.stages[stage] += label
			}
		}
	}
	return r
}

// svgRendering parses an SVG document (failing the test if it is not XML) and reads the text
// of each box (a group of its own) and of each stage (a group labelled "stage NAME").
func svgRendering(t *testing.T, doc string) rendering {
	t.Helper()
	r := rendering{stages: map[string]string{}}
	d := xml.NewDecoder(strings.NewReader(doc))
	var groups []string // the stage of each open <g>, "" for a box
	var box strings.Builder
	inText := false
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("the SVG is not XML: %v", err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			switch e.Name.Local {
			case "g":
				stage := ""
				for _, a := range e.Attr {
					if a.Name.Local == "aria-label" {
						stage, _ = strings.CutPrefix(a.Value, "stage ")
					}
				}
				groups = append(groups, stage)
				if stage != "" {
					r.order = append(r.order, stage)
				}
				box.Reset()
			case "text":
				inText = true
			}
		case xml.EndElement:
			switch e.Name.Local {
			case "g":
				if len(groups) == 0 {
					t.Fatal("unbalanced </g>")
				}
				if groups[len(groups)-1] == "" {
					text := squeeze(box.String())
					r.boxes = append(r.boxes, text)
					for _, g := range groups {
						if g != "" {
							r.stages[g] += text
						}
					}
				}
				groups = groups[:len(groups)-1]
			case "text":
				inText = false
				box.WriteString(" ")
			}
		case xml.CharData:
			if inText {
				box.Write(e)
			}
		}
	}
	return r
}
