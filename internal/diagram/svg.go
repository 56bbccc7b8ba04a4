package diagram

import (
	"encoding/xml"
	"fmt"
	"strings"
)

// Colours of what is not a gate.
const (
	ink          = "#212121"
	muted        = "#546e7a"
	plainFill    = "#ffffff"
	plainStroke  = "#9e9e9e"
	headerFill   = "#eceff1"
	headerStroke = "#607d8b"
	envFill      = "#fafafa"
	envStroke    = "#424242"
)

// SVG draws pipelines as one self-contained SVG document (no scripts, fonts, style sheets or
// images from elsewhere): for each pipeline a title and a column per stage, left to right, with
// its actions top to bottom in run order and parallel actions side by side; a stage's window
// above its actions and its bake below; under each deploy stage the environment's account,
// region, deploy role and checks. Gates are coloured and tagged by name; a legend explains the
// tags used.
func SVG(pipelines ...*Pipeline) string {
	var blocks []*block
	width, y := 0.0, float64(margin)
	used := map[GateKind]bool{}
	for _, p := range pipelines {
		b := newBlock(p, y, used)
		blocks = append(blocks, b)
		width = max(width, b.width)
		y += b.height + 2*margin
	}
	width = max(width, 760)
	legend := newLegend(used, width)
	height := y + legend.height + margin

	var w svgWriter
	fmt.Fprintf(&w.b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" font-family="Helvetica, Arial, sans-serif" font-size="%d" role="img">`+"\n",
		width+2*margin, height, width+2*margin, height, fontSize)
	w.element("title", documentTitle(pipelines))
	fmt.Fprintf(&w.b, `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="%s"/></marker></defs>`+"\n", muted)
	w.b.WriteString(`<rect x="0" y="0" width="100%" height="100%" fill="#ffffff"/>` + "\n")
	for _, b := range blocks {
		b.draw(&w)
	}
	legend.draw(&w, margin, y)
	w.b.WriteString("</svg>\n")
	return w.b.String()
}

// documentTitle names the document.
func documentTitle(pipelines []*Pipeline) string {
	if len(pipelines) == 1 {
		return pipelines[0].Title()
	}
	return fmt.Sprintf("%d delivery pipelines", len(pipelines))
}

// block is one pipeline's drawing.
type block struct {
	title, subtitle string
	top             float64
	columns         []*column
	width, height   float64
}

// newBlock lays out a pipeline from top, noting the kinds of gate it uses.
func newBlock(p *Pipeline, top float64, used map[GateKind]bool) *block {
	b := &block{title: p.Title(), top: top}
	b.subtitle = "stages left to right; in a stage, actions top to bottom in run order, side by side when parallel"
	if p.Source != "" {
		b.subtitle = "source " + p.Source + " · " + b.subtitle
	}
	headerHeight := 0.0
	for i := range p.Stages {
		c := newColumn(p, &p.Stages[i], used)
		b.columns = append(b.columns, c)
		headerHeight = max(headerHeight, c.header.h)
	}
	x, bottom := float64(margin), top
	columnsTop := top + titleSize + lineHeight + 16
	for _, c := range b.columns {
		c.x = x
		bottom = max(bottom, c.place(columnsTop, headerHeight))
		x += c.w + columnGap
	}
	b.width = max(x-columnGap-margin, textWidth(b.title, titleSize, true), textWidth(b.subtitle, fontSize, false))
	b.height = bottom - top
	return b
}

// newColumn lays out one stage.
func newColumn(p *Pipeline, s *Stage, used map[GateKind]bool) *column {
	header := []line{{text: s.Name, bold: true}}
	if s.Failure != nil {
		header = append(header, gateLines(*s.Failure, "")...)
		used[s.Failure.Kind] = true
	}
	c := &column{stage: s.Name, header: newBox(headerFill, headerStroke, header)}
	for _, g := range s.Entry {
		c.add(row{gateBox(g, "before entry:", used)}, true)
	}
	groups := s.RunGroups()
	for i, group := range groups {
		var r row
		for _, a := range group {
			r = append(r, actionBox(p, &a, used))
		}
		c.add(r, i < len(groups)-1 || len(s.Success) > 0)
	}
	for _, g := range s.Success {
		c.add(row{gateBox(g, "after success:", used)}, false)
	}
	if e := s.Environment; e != nil {
		c.add(row{environmentBox(e, used)}, false)
	}
	c.w = c.header.w
	for _, r := range c.rows {
		c.w = max(c.w, r.width())
	}
	return c
}

// actionBox draws an action, in its gate's colours when it is one.
func actionBox(p *Pipeline, a *Action, used map[GateKind]bool) *box {
	lines := []line{{text: a.Name, bold: true}}
	fill, stroke := plainFill, plainStroke
	if g := a.Gate; g != nil {
		lines = append(lines, gateLines(*g, "")...)
		info := g.Kind.Info()
		fill, stroke = info.Fill, info.Stroke
		used[g.Kind] = true
	}
	b := newBox(fill, stroke, append(lines, texts(actionLines(a, p)...)...))
	if a.Gate != nil {
		b.strokeWidth = 2
	}
	b.tooltip = a.Category + " " + a.Provider + " action " + a.Name
	if a.Role != "" {
		b.tooltip += ", role " + a.Role
	}
	return b
}

// gateBox draws a stage's window or bake.
func gateBox(g Gate, when string, used map[GateKind]bool) *box {
	info := g.Kind.Info()
	used[g.Kind] = true
	b := newBox(info.Fill, info.Stroke, gateLines(g, when))
	b.strokeWidth = 2
	b.tooltip = tooltip(g)
	return b
}

// environmentBox draws an environment with its checks, dashed.
func environmentBox(e *Environment, used map[GateKind]bool) *box {
	lines := append([]line{{text: envTitle(e), bold: true}}, texts(envLines(e)...)...)
	tips := []string{envTitle(e)}
	if e.DeployRole != "" {
		tips = append(tips, "deploy role "+e.DeployRole)
	}
	for _, g := range e.Gates {
		lines = append(lines, gateLines(g, "")...)
		used[g.Kind] = true
		tips = append(tips, tooltip(g))
	}
	b := newBox(envFill, envStroke, lines)
	b.dashed = true
	b.tooltip = strings.Join(tips, "\n")
	return b
}

// tooltip is a gate in full, with what it watches.
func tooltip(g Gate) string {
	t := g.Text()
	if len(g.Items) > 0 {
		t += ": " + strings.Join(g.Items, ", ")
	}
	return t
}

// draw writes the block.
func (b *block) draw(w *svgWriter) {
	w.text(margin, b.top+titleSize, b.title, titleSize, true, ink)
	w.text(margin, b.top+titleSize+lineHeight+2, b.subtitle, fontSize, false, muted)
	for i, c := range b.columns {
		w.b.WriteString(`<g role="group" aria-label="stage `)
		w.escape(c.stage)
		w.b.WriteString("\">\n")
		w.box(c.header)
		if i > 0 {
			prev := b.columns[i-1].header
			y := c.header.y + c.header.h/2
			w.arrow(prev.x+prev.w, y, c.header.x, y)
		}
		for k, r := range c.rows {
			for _, bx := range r {
				w.box(bx)
			}
			if k+1 < len(c.rows) && c.linked[k] {
				for _, from := range r {
					for _, to := range c.rows[k+1] {
						w.arrow(from.x+from.w/2, from.y+from.h, to.x+to.w/2, to.y)
					}
				}
			}
		}
		w.b.WriteString("</g>\n")
	}
}

// legend explains the tags a document uses, and the shapes.
type legend struct {
	items  []legendItem
	height float64
}

type legendItem struct {
	x, y  float64
	kind  *KindInfo // nil for a shape
	shape string    // "plain" or "environment"
	text  string
}

// newLegend lays out the legend's items in rows no wider than width.
func newLegend(used map[GateKind]bool, width float64) *legend {
	l := &legend{}
	var items []legendItem
	items = append(items,
		legendItem{shape: "plain", text: "action that is not a gate"},
		legendItem{shape: "environment", text: "the environment a deploy stage deploys to"})
	for i := range Kinds {
		if used[Kinds[i].Kind] {
			items = append(items, legendItem{kind: &Kinds[i], text: Kinds[i].Meaning})
		}
	}
	x, y := 0.0, lineHeight+8.0
	for _, it := range items {
		w := it.width()
		if x > 0 && x+w > width {
			x, y = 0, y+tagHeight+10
		}
		it.x, it.y = x, y
		l.items = append(l.items, it)
		x += w + 24
	}
	l.height = y + tagHeight + 4
	return l
}

func (it legendItem) width() float64 {
	marker := 28.0
	if it.kind != nil {
		marker = tagWidth(it.kind)
	}
	return marker + 6 + textWidth(it.text, fontSize, false)
}

// draw writes the legend at (x, y).
func (l *legend) draw(w *svgWriter, x, y float64) {
	w.text(x, y+fontSize, "Legend", fontSize, true, ink)
	for _, it := range l.items {
		ix, iy := x+it.x, y+it.y
		marker := 28.0
		switch {
		case it.kind != nil:
			marker = w.tag(ix, iy, it.kind)
		case it.shape == "environment":
			w.rect(ix, iy, marker, tagHeight, envFill, envStroke, 1, true)
		default:
			w.rect(ix, iy, marker, tagHeight, plainFill, plainStroke, 1, false)
		}
		w.text(ix+marker+6, iy+12, it.text, fontSize, false, ink)
	}
}

// svgWriter writes SVG elements with their text escaped.
type svgWriter struct{ b strings.Builder }

// escape writes text escaped for XML content or a quoted attribute.
func (w *svgWriter) escape(s string) {
	_ = xml.EscapeText(&w.b, []byte(printable(s)))
}

func (w *svgWriter) element(name, content string) {
	fmt.Fprintf(&w.b, "<%s>", name)
	w.escape(content)
	fmt.Fprintf(&w.b, "</%s>\n", name)
}

func (w *svgWriter) text(x, y float64, s string, size int, bold bool, colour string) {
	weight := ""
	if bold {
		weight = ` font-weight="bold"`
	}
	fmt.Fprintf(&w.b, `<text x="%.1f" y="%.1f" font-size="%d"%s fill="%s">`, x, y, size, weight, colour)
	w.escape(s)
	w.b.WriteString("</text>\n")
}

func (w *svgWriter) rect(x, y, width, height float64, fill, stroke string, strokeWidth float64, dashed bool) {
	dash := ""
	if dashed {
		dash = ` stroke-dasharray="6 4"`
	}
	fmt.Fprintf(&w.b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" rx="6" fill="%s" stroke="%s" stroke-width="%.0f"%s/>`+"\n",
		x, y, width, height, fill, stroke, strokeWidth, dash)
}

// tag draws a gate's tag at (x, y) and returns its width.
func (w *svgWriter) tag(x, y float64, k *KindInfo) float64 {
	width := tagWidth(k)
	fmt.Fprintf(&w.b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%d" rx="3" fill="%s"/>`+"\n", x, y, width, tagHeight, k.Stroke)
	w.text(x+5, y+12, k.Tag, tagFontSize, true, "#ffffff")
	return width
}

func (w *svgWriter) box(b *box) {
	w.b.WriteString("<g>")
	if b.tooltip != "" {
		w.element("title", b.tooltip)
	}
	w.rect(b.x, b.y, b.w, b.h, b.fill, b.stroke, b.strokeWidth, b.dashed)
	y := b.y + pad - 2
	for _, l := range b.lines {
		if l.tag != nil {
			w.tag(b.x+pad, y+2, l.tag)
		} else {
			w.text(b.x+pad, y+12, l.text, fontSize, l.bold, ink)
		}
		y += l.height()
	}
	w.b.WriteString("</g>\n")
}

func (w *svgWriter) arrow(x1, y1, x2, y2 float64) {
	fmt.Fprintf(&w.b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="1.5" marker-end="url(#arrow)"/>`+"\n", x1, y1, x2, y2, muted)
}
