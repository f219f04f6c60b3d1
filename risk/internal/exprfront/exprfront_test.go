package exprfront

import (
	"testing"

	"github.com/expr-lang/expr/parser"
	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/risk/internal/cond"
)

func translate(t *testing.T, src string) (cond.Node, *cond.GiveUp) {
	t.Helper()
	tree, err := parser.Parse(src)
	require.NoError(t, err)
	return Condition(tree.Node)
}

// The front end writes what expr means in the IR's typed nodes: an int
// compared with a float becomes a float, a let's uses refer to it, a
// predicate's # and .field are the loop's element.
func TestCondition(t *testing.T) {
	cases := []struct{ src, key string }{
		{`valid && complaints >= 3`, `(valid && (complaints >= 3))`},
		{`complaints > 1.5`, `complaints > 1.5`}, // as floats, below
		{`kind not in ["iot", "data_card", "iot"]`, `!kind in ["data_card", "iot"]`},
		{`any(roaming, .days_ago <= 30)`, `any(roaming, (.days_ago <= 30))`},
		{`len(filter(linked_platforms, # startsWith "j")) > 0`, `len(filter(linked_platforms, (# startsWith "j"))) > 0`},
		{`string(complaints) + "x" == "1x"`, `(string(complaints) + "x") == "1x"`},
	}
	for _, c := range cases {
		n, g := translate(t, c.src)
		require.Nil(t, g, c.src)
		require.Equal(t, cond.Bool, n.Type(), c.src)
		k := cond.Key(n)
		if c.src == `complaints > 1.5` {
			require.Equal(t, `float(complaints) > 1.5f`, k)
			continue
		}
		require.Equal(t, c.key, k, c.src)
	}

	n, g := translate(t, `let d = days_since_opened; d < 30 || d > 300`)
	require.Nil(t, g)
	l, ok := n.(*cond.Let)
	require.True(t, ok)
	or := l.Body.(*cond.Or)
	require.Same(t, l, or.X.(*cond.Compare).X.(*cond.Ref).Let)
}

// What the IR has no node for is given up on, innermost first, at its
// position, in expr's words.
func TestGiveUp(t *testing.T) {
	cases := []struct {
		src, note string
		pos       int
	}{
		{`valid && complaints / 2 > 1`, "the operator / in complaints / 2", 20},
		{`upper(open_region) == "X"`, "the builtin upper() in upper(open_region)", 0},
		{`valid && linked_platforms[0] == "jd"`, "indexing (linked_platforms[0])", 25},
		{`complaints == "3"`, `the operator == in complaints == "3"`, 11},
		{`join(linked_platforms, kind) == ""`, `join with a separator that is not a string literal in join(linked_platforms, kind)`, 0},
	}
	for _, c := range cases {
		_, g := translate(t, c.src)
		require.NotNil(t, g, c.src)
		require.Equal(t, c.note, g.Note(), c.src)
		require.Equal(t, c.pos, g.At.Pos, c.src)
	}
}
