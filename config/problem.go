package config

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Problem is one thing wrong with a config file, located at the value (or key) it concerns.
type Problem struct {
	File   string
	Line   int // 0 when the problem concerns the whole file
	Column int // 0 when the parser gives no column
	// Path is the field path as the file spells it, map keys included; String prints it with
	// any unprintable segment quoted.
	Path    string
	Message string
}

func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
		if p.Column > 0 {
			fmt.Fprintf(&b, ":%d", p.Column)
		}
	}
	b.WriteString(": ")
	if p.Path != "" {
		b.WriteString(printablePath(p.Path))
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// Problems is every problem found in one file. It is the error Load returns, so a caller can
// print all of them at once instead of fixing one mistake per run.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// sorted orders problems as they appear in the file, so the output reads top to bottom.
func (ps Problems) sorted() Problems {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].Line != ps[j].Line {
			return ps[i].Line < ps[j].Line
		}
		return ps[i].Column < ps[j].Column
	})
	return ps
}

// printablePath quotes, as Go does, the part of a field path that holds a character a terminal
// acts on or cannot show (a newline, an escape sequence, a bidirectional override, invalid
// UTF-8): map keys and unknown field names come from the file, and a problem line must not let a
// config forge further lines or recolour the output. The quoting runs from the first segment
// holding such a character to the end, because the name from the file is always a path's last
// part and may itself hold dots. A printable path is returned as it is, so printing a printed
// path again changes nothing.
func printablePath(path string) string {
	if printable(path) {
		return path
	}
	segments := strings.Split(path, ".")
	for i, s := range segments {
		if !printable(s) {
			return strings.Join(append(segments[:i:i], strconv.Quote(strings.Join(segments[i:], "."))), ".")
		}
	}
	return strconv.Quote(path) // unreachable: some segment holds what made the path unprintable
}

func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !strconv.IsPrint(r) {
			return false
		}
	}
	return true
}
