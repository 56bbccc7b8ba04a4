package diagram

import (
	"strings"
	"unicode/utf8"
)

// Sizes of the SVG drawing, in pixels. Text widths are estimated, not measured: 0.58 em a
// character (7 px at 12 px; 0.63 em bold) is wider than the average letter of the sans-serif
// fonts a browser picks, so text stays inside its box.
const (
	titleSize   = 16
	fontSize    = 12
	tagFontSize = 10
	lineHeight  = 16
	tagHeight   = 16
	pad         = 8
	columnGap   = 40
	rowGap      = 26
	sideGap     = 12
	maxBoxWidth = 300
	minBoxWidth = 150
	margin      = 24
)

// textWidth estimates the width of text at a font size.
func textWidth(s string, size float64, bold bool) float64 {
	em := 0.58
	if bold {
		em = 0.63
	}
	return float64(utf8.RuneCountInString(s)) * size * em
}

// tagWidth is the width of a gate's tag: capitals in bold, wider than the average letter.
func tagWidth(k *KindInfo) float64 {
	return float64(utf8.RuneCountInString(k.Tag))*tagFontSize*0.72 + 10
}

// line is one line of a box: text, or a gate's tag.
type line struct {
	text string
	bold bool
	tag  *KindInfo // set for a tag line: the tag drawn as a coloured label
}

func (l line) width() float64 {
	if l.tag != nil {
		return tagWidth(l.tag)
	}
	return textWidth(l.text, fontSize, l.bold)
}

func (l line) height() float64 {
	if l.tag != nil {
		return tagHeight + 4
	}
	return lineHeight
}

// box is a rectangle of lines.
type box struct {
	x, y, w, h   float64
	fill, stroke string
	strokeWidth  float64
	dashed       bool
	lines        []line
	tooltip      string
}

// newBox sizes a box to its lines, wrapping text wider than maxBoxWidth.
func newBox(fill, stroke string, lines []line) *box {
	b := &box{fill: fill, stroke: stroke, strokeWidth: 1}
	for _, l := range lines {
		if l.tag != nil {
			b.lines = append(b.lines, l)
			continue
		}
		for _, w := range wrap(l.text, maxBoxWidth-2*pad, l.bold) {
			b.lines = append(b.lines, line{text: w, bold: l.bold})
		}
	}
	b.w = minBoxWidth
	b.h = 2*pad - 4
	for _, l := range b.lines {
		b.w = max(b.w, l.width()+2*pad)
		b.h += l.height()
	}
	return b
}

// texts makes plain lines.
func texts(s ...string) []line {
	lines := make([]line, 0, len(s))
	for _, t := range s {
		lines = append(lines, line{text: t})
	}
	return lines
}

// gateLines are a gate's tag and its detail.
func gateLines(g Gate, when string) []line {
	info := g.Kind.Info()
	lines := []line{{tag: &info}}
	if detail := caption(g, when); detail != "" {
		lines = append(lines, line{text: detail})
	}
	return lines
}

// wrap breaks text into lines no wider than width: at spaces, and inside a word too long for a
// line after a '-', '/' or ','.
func wrap(s string, width float64, bold bool) []string {
	fits := func(t string) bool { return textWidth(t, fontSize, bold) <= width }
	var lines []string
	current := ""
	for _, word := range strings.Fields(s) {
		candidate := word
		if current != "" {
			candidate = current + " " + word
		}
		if fits(candidate) {
			current = candidate
			continue
		}
		if current != "" {
			lines = append(lines, current)
		}
		current = ""
		for !fits(word) {
			cut := breakAt(word, width, bold)
			lines = append(lines, word[:cut])
			word = word[cut:]
		}
		current = word
	}
	if current != "" || len(lines) == 0 {
		lines = append(lines, current)
	}
	return lines
}

// breakAt is where to break a word too wide for a line: after the last '-', '/' or ',' that
// fits, else after the last character that fits (at least one).
func breakAt(word string, width float64, bold bool) int {
	last, soft := 0, 0
	for i, r := range word {
		end := i + utf8.RuneLen(r)
		if textWidth(word[:end], fontSize, bold) > width {
			break
		}
		last = end
		if r == '-' || r == '/' || r == ',' {
			soft = end
		}
	}
	switch {
	case soft > 0:
		return soft
	case last > 0:
		return last
	}
	_, size := utf8.DecodeRuneInString(word)
	return size
}

// row is boxes side by side: parallel actions, or one box.
type row []*box

func (r row) width() float64 {
	w := 0.0
	for i, b := range r {
		if i > 0 {
			w += sideGap
		}
		w += b.w
	}
	return w
}

func (r row) height() float64 {
	h := 0.0
	for _, b := range r {
		h = max(h, b.h)
	}
	return h
}

// column is one stage: its header, then rows top to bottom. linked says which rows are joined
// to the next by arrows (the run order).
type column struct {
	stage  string
	x, w   float64
	header *box
	rows   []row
	linked []bool
}

func (c *column) add(r row, linkedToNext bool) {
	c.rows = append(c.rows, r)
	c.linked = append(c.linked, linkedToNext)
}

// place sets the positions of the column's boxes, from top; it returns the column's bottom.
func (c *column) place(top, headerHeight float64) float64 {
	c.header.x, c.header.y, c.header.w, c.header.h = c.x, top, c.w, headerHeight
	y := top + headerHeight + rowGap
	for _, r := range c.rows {
		x := c.x + (c.w-r.width())/2
		h := r.height()
		for _, b := range r {
			b.x, b.y, b.h = x, y, h
			x += b.w + sideGap
		}
		y += h + rowGap
	}
	return y - rowGap
}
