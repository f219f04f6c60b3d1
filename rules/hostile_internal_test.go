package rules

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// 200,000 repeated regions on one line (the list limit raised to take
// them): every repeat is a duplicate error, but only the errors that are
// kept get a snippet, each a copy of the 1.4 MB line. Counted, not timed.
func TestRepeatedItemsBuildFewSnippets(t *testing.T) {
	var b strings.Builder
	b.WriteString("lists:\n  far: {type: region, items: [")
	for i := range 200_000 {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("KH")
	}
	b.WriteString("]}\n")
	lim := DefaultLimits()
	lim.MaxListItems = 1_000_000
	ld, err := NewLoader(WithLimits(lim))
	require.NoError(t, err)
	before := snippetsBuilt.Load()
	_, err = ld.Parse(Source{Name: "f.yaml", Data: []byte(b.String())})
	built := snippetsBuilt.Load() - before
	l := AsList(err)
	require.Len(t, l, MaxErrors+1)
	require.Equal(t, CodeDuplicate, l[0].Code)
	require.Equal(t, CodeTooManyErrors, l[MaxErrors].Code)
	require.Contains(t, l[MaxErrors].Msg, fmt.Sprintf("%d more errors", 199_999-MaxErrors))
	require.LessOrEqual(t, built, int64(MaxErrors+1))
	require.NotEmpty(t, l[0].Snippet)
}

// A 10,000-macro chain on one line: loading steps over the line (to find
// where each expression starts, for its positions) once, not once per macro.
func TestMacroChainOnOneLineIsLinear(t *testing.T) {
	var b strings.Builder
	b.WriteString("macros: {")
	for i := range 10_000 {
		fmt.Fprintf(&b, "m%d: 'm%d && valid', ", i, i+1)
	}
	b.WriteString("m10000: valid}\n")
	before := lineBytesScanned.Load()
	rs, err := Parse(Source{Name: "f.yaml", Data: []byte(b.String())})
	require.NoError(t, err)
	require.Len(t, rs.Macros, 10_001)
	require.Equal(t, Pos{File: "f.yaml", Line: 1, Column: 15}, rs.Macro("m0").Expr.PosAt(0))
	require.LessOrEqual(t, lineBytesScanned.Load()-before, int64(b.Len()))
	require.Equal(t, Pos{File: "f.yaml", Line: 1, Column: 15 + 4}, rs.Macro("m0").Expr.PosAt(4))
	last := rs.Macro("m9999").Expr
	require.Equal(t, last.Pos.Column+5, last.PosAt(5).Column)
	require.Same(t, rs.Macros[9_999], rs.Macro("m9999"))
}
