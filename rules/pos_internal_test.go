package rules

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// eagerPositions is how expression positions were mapped before the map
// was built lazily: every rune at once, over the source line as runes. The
// lazy map must give the same position for every offset.
func eagerPositions(lines []string, n *yaml.Node, value string) (Pos, []lineCol) {
	start := Pos{File: "f.yaml", Line: n.Line, Column: n.Column}
	line, col := n.Line, n.Column
	if line < 1 || line > len(lines) {
		return start, nil
	}
	switch n.Style {
	case yaml.LiteralStyle, yaml.FoldedStyle:
		line, col = line+1, 1
	case yaml.DoubleQuotedStyle, yaml.SingleQuotedStyle:
		col++
	}
	var pos []lineCol
	src := []rune(lineAt(lines, line))
	ci := col - 1
	advance := func() bool {
		ci++
		for ci >= len(src) {
			line++
			if line > len(lines) {
				return false
			}
			src = []rune(lineAt(lines, line))
			ci = 0
			if len(src) > 0 {
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
		if ci < 0 {
			pl, pc = line-1, utf8.RuneCountInString(lineAt(lines, line-1))+1
		}
		pos = append(pos, lineCol{int32(pl), int32(pc)})
		if !advance() {
			break
		}
	}
	if len(pos) > 0 {
		start = Pos{File: "f.yaml", Line: int(pos[0].line), Column: int(pos[0].col)}
	}
	return start, pos
}

// samePositions checks the lazy map of every scalar of a YAML text (as the
// loader builds it for an expression) against eagerPositions, at every
// offset, and the SubExpr of each part against the eager map's entries.
func samePositions(t *testing.T, data string) {
	var doc yaml.Node
	if yaml.Unmarshal([]byte(data), &doc) != nil {
		return
	}
	l := &loader{file_: "f.yaml", lines: strings.Split(data, "\n")}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.ScalarNode {
			e := l.expr(n, n.Value, "when")
			wantPos, want := eagerPositions(l.lines, n, n.Value)
			require.Equal(t, wantPos, e.Pos, "%q", n.Value)
			at := func(i int) Pos {
				if len(want) == 0 {
					return wantPos
				}
				i = max(0, min(i, len(want)-1))
				return Pos{File: "f.yaml", Line: int(want[i].line), Column: int(want[i].col)}
			}
			runes := []rune(n.Value)
			for off := 0; off < len(runes); off += max(1, len(runes)/7) {
				end := min(len(runes), off+1+len(runes)/3)
				sub := SubExpr(e, off, string(runes[off:end]))
				require.Equal(t, at(off), sub.Pos, "%q at %d", n.Value, off)
				for i := -1; i <= end-off; i++ {
					require.Equal(t, at(off+max(0, min(i, end-off-1))), sub.PosAt(i), "%q at %d+%d", n.Value, off, i)
				}
			}
			for i := -1; i <= len(runes)+1; i++ {
				require.Equal(t, at(i), e.PosAt(i), "%q at %d", n.Value, i)
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(&doc)
}

// Expression positions, now mapped on first use, are where the eager map
// put them, for every scalar of every YAML file of the repository (the
// packs, the tests' rule files, the hostile cases).
func TestLazyPositionsMatchEager(t *testing.T) {
	n := 0
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".yaml") {
			return err
		}
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		samePositions(t, string(data))
		n++
		return nil
	})
	require.NoError(t, err)
	require.Greater(t, n, 20)
	samePositions(t, "a: |\n  x &&\n    y\n\n  z\nb: >\n  long\n  folded\n\n  text\nc: \"esc\\taped \\\"q\\\" \\u00e9 end\"\nd: 'it''s'\ne: {f: 省份 == '北京', g: x}\n")
	samePositions(t, "a: \"multi\n  line\n\n  quoted\"\nb: plain\n  continued\r\nc: x\r\n")
}

func FuzzLazyPositions(f *testing.F) {
	f.Add("a: |\n  x &&\n    y\nb: 'it''s'\n")
	f.Add("e: {f: 省份 == '北京', g: \"\\u00e9\\n\"}\n")
	f.Fuzz(func(t *testing.T, data string) {
		if len(data) > 4000 {
			return
		}
		samePositions(t, data)
	})
}
