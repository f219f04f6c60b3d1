package rules

import (
	"math"
	"sync"
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
//
// Only the first rune's place (Pos) is found here; the whole map is built
// the first time a position inside the text is asked for (PosAt), which
// most expressions never are: only errors and notes point into them.
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
	m := &posMap{lines: l.lines, line: line, ci: col - 1, bi: l.byteIndex(line, col-1), value: value}
	first := m.build(1)
	if len(first) == 0 {
		return e // not even the first rune could be found: no map
	}
	e.Pos = Pos{File: e.Pos.File, Line: int(first[0].line), Column: int(first[0].col)}
	e.pos = m
	return e
}

// byteIndex is the byte offset of rune ci (0-based) of source line line,
// or, past the line's end, its length plus the runes missing. It goes on
// from the offset found last when that was on the same line at or before
// ci, so the expressions of a flow mapping sharing one long line are found
// in one pass over it.
func (l *loader) byteIndex(line, ci int) int {
	s := lineAt(l.lines, line)
	if l.curLine != line || l.curRune > ci {
		l.curLine, l.curRune, l.curByte = line, 0, 0
	}
	r, b := l.curRune, l.curByte
	for r < ci && b < len(s) {
		_, size := utf8.DecodeRuneInString(s[b:])
		lineBytesScanned.Add(int64(size))
		b += size
		r++
	}
	l.curRune, l.curByte = r, b
	return b + (ci - r)
}

// lineBytesScanned counts the bytes byteIndex steps over, for a test that
// loading reads a long line once, not once per expression on it.
var lineBytesScanned atomic.Int64

// posMap is where each rune of an expression's text is in its file, built
// when first needed: from the source lines (a loaded expression) or from
// the map of the expression it is part of (a reason's placeholder).
type posMap struct {
	// a loaded expression: the source lines, the line (1-based) its text
	// starts on and the rune and byte index of its start there, the text
	lines  []string
	line   int
	ci, bi int
	value  string
	// a part of another expression: its runes [off, off+n)
	parent *posMap
	off, n int

	once sync.Once
	at   []lineCol
}

// all is the whole map (at least one entry when the posMap exists).
func (m *posMap) all() []lineCol {
	m.once.Do(func() {
		if m.parent != nil {
			p := m.parent.all()
			m.at = make([]lineCol, m.n)
			for i := range m.at {
				m.at[i] = p[max(0, min(m.off+i, len(p)-1))]
			}
			return
		}
		m.at = m.build(-1)
	})
	return m.at
}

// build walks the text and its source together and returns the places of
// the first limit runes of the text (all of them: limit < 0), or of those
// before the first that could not be found.
func (m *posMap) build(limit int) []lineCol {
	lines, line, ci, bi := m.lines, m.line, m.ci, m.bi
	n := utf8.RuneCountInString(m.value)
	if limit >= 0 {
		n = min(n, limit)
	}
	out := make([]lineCol, 0, n)
	// cursor over the source: line, rune index ci and byte index bi in it
	// (-1 both: at the line break before it)
	src := lineAt(lines, line)
	advance := func() bool {
		switch {
		case bi == -1:
			bi = 0
		case bi < len(src):
			_, size := utf8.DecodeRuneInString(src[bi:])
			bi += size
		default:
			bi++
		}
		ci++
		for bi >= len(src) {
			line++
			if line > len(lines) {
				return false
			}
			src = lineAt(lines, line)
			ci, bi = 0, 0
			if len(src) > 0 {
				// a line break in the source: let a value '\n' or ' ' match it
				ci, bi = -1, -1
				return true
			}
		}
		return true
	}
	cur := func() rune {
		if bi < 0 {
			return '\n'
		}
		r, _ := utf8.DecodeRuneInString(src[bi:])
		return r
	}
	for _, r := range m.value {
		if len(out) == n {
			break
		}
		// look ahead a bounded distance for the rune; escapes and indentation
		// are short, so a long search means the text moved (stop mapping).
		found := false
		for step := 0; step < 256; step++ {
			if bi >= 0 && bi < len(src) || bi == -1 {
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
			pl, pc = line-1, utf8.RuneCountInString(lineAt(lines, line-1))+1
		}
		if pl > math.MaxInt32 || pc > math.MaxInt32 {
			break // past what a lineCol holds (a host's limits allow a 2 GB line)
		}
		out = append(out, lineCol{int32(pl), int32(pc)})
		if !advance() {
			break
		}
	}
	return out
}

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
