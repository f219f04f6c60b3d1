package rules

import (
	"math"
	"sync/atomic"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// expr records an expression scalar with a map from each of its runes to
// its place in the file. YAML changes text on the way in (quotes, escapes,
// block indentation, folded line breaks), so the value is aligned with the
// raw source: walking both, each value rune is matched with the next source
// rune equal to it. Positions come from the node tree; the text is read only
// to follow the scalar's own lines.
func (l *loader) expr(n *yaml.Node, value, key string) Expr {
	e := Expr{Src: value, Pos: l.pos(n), Key: key}
	line, col := n.Line, n.Column // 1-based; col counts runes
	if line < 1 || line > len(l.lines) {
		return e
	}
	switch n.Style {
	case yaml.LiteralStyle, yaml.FoldedStyle:
		// The header (| or >) is on the node's line; the text starts below.
		line, col = line+1, 1
	case yaml.DoubleQuotedStyle, yaml.SingleQuotedStyle:
		col++
	}
	e.pos = make([]lineCol, 0, utf8.RuneCountInString(value))
	// cursor over the source: line index and rune column
	src := l.lineRunes(line)
	ci := col - 1
	advance := func() bool {
		ci++
		for ci >= len(src) {
			line++
			if line > len(l.lines) {
				return false
			}
			src = l.lineRunes(line)
			ci = 0
			if len(src) > 0 {
				// a line break in the source: let a value '\n' or ' ' match it
				ci = -1
				return true
			}
		}
		return true
	}
	cur := func() rune {
		if ci < 0 {
			return '\n'
		}
		return src[ci]
	}
	for _, r := range value {
		// look ahead a bounded distance for the rune; escapes and indentation
		// are short, so a long search means the text moved (stop mapping).
		found := false
		for step := 0; step < 256; step++ {
			if ci >= 0 && ci < len(src) || ci == -1 {
				c := cur()
				if c == r || (r == ' ' && c == '\n') || (r == '\n' && c == '\n') {
					found = true
					break
				}
			}
			if !advance() {
				break
			}
		}
		if !found {
			break
		}
		pl, pc := line, ci+1
		if ci < 0 { // matched a line break: point at the end of the previous line
			pl, pc = line-1, utf8.RuneCountInString(lineAt(l.lines, line-1))+1
		}
		if pl > math.MaxInt32 || pc > math.MaxInt32 {
			break // past what a lineCol holds (a host's limits allow a 2 GB line)
		}
		e.pos = append(e.pos, lineCol{int32(pl), int32(pc)})
		if !advance() {
			break
		}
	}
	if len(e.pos) > 0 {
		e.Pos = e.PosAt(0)
	}
	return e
}

// lineRunes is source line (1-based) as runes, kept for the next call:
// the expressions of a flow mapping may share one long line.
func (l *loader) lineRunes(line int) []rune {
	if l.runeLine != line || l.runes == nil {
		lineRunesBuilt.Add(1)
		l.runeLine, l.runes = line, []rune(lineAt(l.lines, line))
	}
	return l.runes
}

// lineRunesBuilt counts lineRunes conversions, for a test that loading
// converts a long line once.
var lineRunesBuilt atomic.Int64

func lineAt(lines []string, line int) string {
	if line < 1 || line > len(lines) {
		return ""
	}
	s := lines[line-1]
	if len(s) > 0 && s[len(s)-1] == '\r' {
		s = s[:len(s)-1]
	}
	return s
}

// Snippet returns the source line at p and a caret under p's column, from
// the rule set's files, or "" when the file is not one of them.
func (rs *RuleSet) Snippet(p Pos) string { return snippet(rs.lines[p.File], p.Line, p.Column) }
