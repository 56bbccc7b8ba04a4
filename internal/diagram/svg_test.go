package diagram

import (
	"encoding/xml"
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
)

// svgPipelines are the pipelines of every golden assembly, and one with odd names.
func svgPipelines(t *testing.T) map[string][]*Pipeline {
	t.Helper()
	cases := map[string][]*Pipeline{"odd names": {oddPipeline()}}
	var all []*Pipeline
	for _, dir := range goldenDirs(t) {
		p := loadGolden(t, dir, goldenConfig(t, dir))
		cases[dir] = []*Pipeline{p}
		all = append(all, p)
	}
	cases["all in one"] = all
	return cases
}

func TestSVGIsSelfContained(t *testing.T) {
	for name, ps := range svgPipelines(t) {
		t.Run(name, func(t *testing.T) {
			doc := SVG(ps...)
			svgRendering(t, doc) // parses it
			if !strings.HasPrefix(doc, `<svg xmlns="http://www.w3.org/2000/svg" width="`) {
				t.Errorf("document starts %.80q; want an <svg> root with its namespace and size", doc)
			}
			for _, bad := range []string{"<script", "href", "<image", "<foreignObject", "<style", "@import", "@font-face", "http://", "https://"} {
				rest := strings.Replace(doc, `xmlns="http://www.w3.org/2000/svg"`, "", 1)
				if strings.Contains(rest, bad) {
					t.Errorf("the SVG holds %q; want nothing loaded from elsewhere", bad)
				}
			}
			if n := strings.Count(doc, "url("); n != strings.Count(doc, "url(#arrow)") {
				t.Errorf("the SVG refers to something other than its own arrow marker")
			}
		})
	}
}

// element is an SVG element's name and attributes, with its text.
type element struct {
	name  string
	attrs map[string]string
	text  string
	depth int
}

func (e element) num(t *testing.T, attr string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(e.attrs[attr], 64)
	if err != nil {
		t.Fatalf("<%s %s=%q>: %v", e.name, attr, e.attrs[attr], err)
	}
	return f
}

// elements lists the rect, text and g elements of an SVG document in order.
func elements(t *testing.T, doc string) []element {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(doc))
	var out []element
	depth := 0
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("the SVG is not XML: %v", err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			depth++
			el := element{name: e.Name.Local, attrs: map[string]string{}, depth: depth}
			for _, a := range e.Attr {
				el.attrs[a.Name.Local] = a.Value
			}
			out = append(out, el)
		case xml.EndElement:
			depth--
			out = append(out, element{name: "/" + e.Name.Local, depth: depth})
		case xml.CharData:
			if len(out) > 0 && out[len(out)-1].name == "text" {
				out[len(out)-1].text += string(e)
			}
		}
	}
}

func TestSVGTextStaysInsideItsBoxes(t *testing.T) {
	for name, ps := range svgPipelines(t) {
		t.Run(name, func(t *testing.T) {
			els := elements(t, SVG(ps...))
			canvasW, canvasH := els[0].num(t, "width"), els[0].num(t, "height")
			var box, last *element // the box of the current group; the last rect
			groups := 0
			for i := range els {
				e := &els[i]
				switch e.name {
				case "g":
					groups++
					box = nil
				case "/g":
					groups--
					box = nil
				case "rect":
					if e.attrs["width"] == "100%" {
						continue
					}
					x, y, w, h := e.num(t, "x"), e.num(t, "y"), e.num(t, "width"), e.num(t, "height")
					if x < 0 || y < 0 || x+w > canvasW || y+h > canvasH {
						t.Errorf("rect at (%.0f, %.0f) %.0f×%.0f is outside the canvas %.0f×%.0f", x, y, w, h, canvasW, canvasH)
					}
					if box == nil && groups > 0 {
						box = e
					}
					last = e
				case "text":
					size := e.num(t, "font-size")
					width := textWidth(e.text, size, e.attrs["font-weight"] == "bold")
					if size == tagFontSize {
						width = tagWidth(&KindInfo{Tag: e.text}) - 5 // the tag's text, from its left padding
					}
					x, y := e.num(t, "x"), e.num(t, "y")
					within := box
					if size == tagFontSize {
						within = last
					}
					if within == nil { // a title, or the legend's text
						if x+width > canvasW {
							t.Errorf("text %q ends at %.0f, past the canvas's %.0f", e.text, x+width, canvasW)
						}
						continue
					}
					bx, by, bw, bh := within.num(t, "x"), within.num(t, "y"), within.num(t, "width"), within.num(t, "height")
					if x < bx || x+width > bx+bw+0.5 || y-size < by-0.5 || y > by+bh {
						t.Errorf("text %q at (%.0f, %.0f), %.0f wide, is not inside its box at (%.0f, %.0f) %.0f×%.0f", e.text, x, y, width, bx, by, bw, bh)
					}
				}
			}
		})
	}
}

func TestSVGDrawsSeveralPipelinesInOneDocument(t *testing.T) {
	ps := svgPipelines(t)["all in one"]
	doc := SVG(ps...)
	r := svgRendering(t, doc)
	want := 0
	for _, p := range ps {
		want += len(p.Stages)
		if !strings.Contains(doc, ">"+strings.ReplaceAll(p.Title(), "&", "&amp;")+"<") {
			t.Errorf("no title %q", p.Title())
		}
	}
	if len(r.order) != want {
		t.Errorf("%d stages drawn; want %d", len(r.order), want)
	}
	if strings.Count(doc, "<svg") != 1 {
		t.Error("want one SVG document")
	}
}

func TestSVGLegendNamesTheGatesDrawn(t *testing.T) {
	texts := map[string]bool{}
	for _, e := range elements(t, SVG(oddPipeline())) {
		texts[e.text] = true
	}
	for _, k := range []GateKind{Window, Signature, Bake, Rollback, TestTraffic} {
		if !texts[k.Info().Meaning] || !texts[k.Info().Tag] {
			t.Errorf("the legend does not explain %s", k)
		}
	}
	if texts[UnitTests.Info().Meaning] {
		t.Error("the legend explains unit tests, which the pipeline has none of")
	}
}

func TestWrap(t *testing.T) {
	cases := []struct {
		in    string
		width float64
		want  []string
	}{
		{"short", 100, []string{"short"}},
		{"", 100, []string{""}},
		{"one two three four", 60, []string{"one two", "three", "four"}},
		{"deploy role orders-api-production-prod-deploy", 150, []string{"deploy role", "orders-api-", "production-prod-", "deploy"}},
		{"abcdefghij", 30, []string{"abcd", "efgh", "ij"}},
		{"x", 1, []string{"x"}},
	}
	for _, c := range cases {
		got := wrap(c.in, c.width, false)
		if strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("wrap(%q, %.0f) = %q; want %q", c.in, c.width, got, c.want)
		}
	}
}
