package celfront

import (
	"strings"
	"testing"

	"cel.dev/cel-go/cel"
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/ext"
	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/risk/internal/cond"
)

// env declares a few vocabulary names the way package risk does (a
// roaming entry as a map here: the front end reads the checker's
// references, not its types), and the macros m and slow.
func env(t *testing.T) *cel.Env {
	e, err := cel.NewEnv(ext.Bindings(), ext.Strings(),
		cel.Variable("valid", cel.BoolType), cel.Variable("recycled", cel.BoolType),
		cel.Variable("complaints", cel.IntType), cel.Variable("kind", cel.StringType),
		cel.Variable("roaming", cel.ListType(cel.MapType(cel.StringType, cel.DynType))),
		cel.Variable("linked_platforms", cel.ListType(cel.StringType)),
		cel.Variable("m", cel.BoolType), cel.Variable("slow", cel.BoolType))
	require.NoError(t, err)
	return e
}

func check(t *testing.T, e *cel.Env, src string) *celast.AST {
	a, iss := e.Compile(src)
	require.NoError(t, iss.Err(), src)
	return a.NativeRep()
}

// keys are the folded condition's conjuncts by cond.Key.
func keys(n cond.Node) []string {
	var out []string
	for _, c := range cond.Conjuncts(cond.Fold(n, nil)) {
		out = append(out, cond.Key(c))
	}
	return out
}

// CEL's constructs become the IR's nodes, with CEL's meaning: int
// arithmetic checked, float arithmetic not, sets sorted, quantifiers and
// list macros over the vocabulary's lists.
func TestConditionNodes(t *testing.T) {
	e := env(t)
	for src, want := range map[string][]string{
		`valid && complaints >= 3`:                                 {"valid", "complaints >= 3"},
		`complaints + 1 > 2 || recycled`:                           {"(((complaints +! 1) > 2) || recycled)"},
		`-complaints < 0`:                                          {"-!complaints < 0"},
		`1.5 * 2.0 > 2.0 && valid`:                                 {"valid"},
		`9223372036854775807 + 1 > 0`:                              {"(9223372036854775807 +! 1) > 0"},
		`kind in ["iot", "data_card", "iot"]`:                      {`kind in ["data_card", "iot"]`},
		`roaming.exists(r, r.days_ago < 7)`:                        {"any(roaming, (.days_ago < 7))"},
		`roaming.all(r, r.region != "KH")`:                         {`all(roaming, (.region != "KH"))`},
		`linked_platforms.filter(p, p.startsWith("j")).size() > 0`: {`len(filter(linked_platforms, (# startsWith "j"))) > 0`},
		`linked_platforms.map(p, p + "!").join(",") != ""`:         {`join(map(linked_platforms, (# + "!")), ",") != ""`},
		`string(complaints) == "3"`:                                {`string(complaints) == "3"`},
		`double(complaints) > 1.5`:                                 {"float(complaints) > 1.5f"},
		`(valid ? complaints : 0) > 1`:                             {"(valid ? complaints : 0) > 1"},
	} {
		n, g := Condition(check(t, e, src), Config{})
		require.Nil(t, g, "%s: %s", src, g.Note())
		require.Equal(t, want, keys(n), src)
	}
}

// A macro that is a conjunct of a rule is its tree: its conjuncts are the
// rule's; so is its only use in a conjunct. Used twice in a conjunct, it is
// a let around the conjunct; used in a loop, a let around the outermost
// loop, so that its value is computed once per card, not once per element.
// A macro the back end does not compile is given up on where it is used.
func TestMacros(t *testing.T) {
	e := env(t)
	mTree, g := Condition(check(t, e, `roaming.exists(r, r.days_ago < 7) && recycled`), Config{})
	require.Nil(t, g)
	cfg := Config{Macros: map[string]cond.Node{"m": mTree}}

	n, g := Condition(check(t, e, `valid && m`), cfg)
	require.Nil(t, g)
	require.Equal(t, []string{"valid", "any(roaming, (.days_ago < 7))", "recycled"}, keys(n))

	// its one use in a conjunct: its tree in place
	n, g = Condition(check(t, e, `(valid || m) && (kind == "iot" || !m)`), cfg)
	require.Nil(t, g)
	require.Equal(t, []string{
		"(valid || (any(roaming, (.days_ago < 7)) && recycled))",
		`((kind == "iot") || !(any(roaming, (.days_ago < 7)) && recycled))`}, keys(n))

	// used twice in a conjunct: a let around it, computed once
	n, g = Condition(check(t, e, `valid && (m == recycled || !m)`), cfg)
	require.Nil(t, g)
	parts := cond.Conjuncts(n)
	require.Len(t, parts, 2)
	let, ok := parts[1].(*cond.Let)
	require.True(t, ok, "%T", parts[1])
	require.Equal(t, "m", let.Name)
	require.Same(t, mTree, let.Value)
	or, ok := let.Body.(*cond.Or)
	require.True(t, ok, "%T", let.Body)
	require.Equal(t, let, or.Y.(*cond.Not).X.(*cond.Ref).Let)

	n, g = Condition(check(t, e, `linked_platforms.exists(p, m && p == "jd" || !m)`), cfg)
	require.Nil(t, g)
	let, ok = n.(*cond.Let)
	require.True(t, ok, "the let is around the loop: %T", n)
	q, ok := let.Body.(*cond.Quant)
	require.True(t, ok, "%T", let.Body)
	refs := 0
	cond.Walk(q.Body, func(x cond.Node) bool {
		if r, ok := x.(*cond.Ref); ok {
			require.Same(t, let, r.Let, "one let for both uses")
			refs++
		}
		return true
	})
	require.Equal(t, 2, refs)

	// a cel.bind of a macro's name hides the macro in its body
	n, g = Condition(check(t, e, `cel.bind(m, valid, m && recycled) || m`), cfg)
	require.Nil(t, g)
	refs = 0
	cond.Walk(n, func(x cond.Node) bool {
		if r, ok := x.(*cond.Ref); ok {
			refs++
			if r.Let.Value == mTree {
				return true // the macro, outside the bind
			}
			require.Equal(t, "valid", cond.Key(r.Let.Value), "the bound name inside the bind")
		}
		return true
	})
	require.Equal(t, 2, refs)

	_, g = Condition(check(t, e, `valid && slow`), cfg)
	require.NotNil(t, g)
	require.Equal(t, "the macro slow, which runs there itself", g.Note())
	require.Equal(t, 9, g.At.Pos)
}

// What the IR has no node for is given up on, innermost first, in CEL's
// words and at its position.
func TestGiveUps(t *testing.T) {
	e := env(t)
	for src, want := range map[string]struct {
		note string
		pos  int
	}{
		`valid && complaints / 2 > 1`:                                     {"the operator / in complaints / 2", 20},
		`valid && linked_platforms[0] == "jd"`:                            {"indexing (linked_platforms[0])", 25},
		`roaming.exists(r, linked_platforms.exists(p, p == "jd"))`:        {"a loop over linked_platforms inside another loop's body", 41},
		`roaming.exists(r, r.days_ago + complaints > 3)`:                  {"int arithmetic that may overflow in a loop's body (r.days_ago + complaints > 3)", 42},
		`cel.bind(x, 1, roaming.exists(x, x.days_ago > 0))`:               {"the loop variable x, which hides a cel.bind name", 29},
		`cel.bind(kind, 1, kind > 0)`:                                     {"cel.bind of kind, a name of the vocabulary or the loop variable", 8},
		`cel.bind(x, complaints * 2, x > 1)`:                              {"a cel.bind value whose int arithmetic may overflow (complaints * 2)", 23},
		`linked_platforms.map(p, p + "x").filter(q, q == "j").size() > 0`: {"filter or map of a mapped list", 39},
		`valid && recycled < true`:                                        {"the operator < in recycled < true", 18},
	} {
		_, g := Condition(check(t, e, src), Config{})
		require.NotNil(t, g, src)
		require.Equal(t, want.note, g.Note(), src)
		require.Equal(t, want.pos, g.At.Pos, "%s: at %q", src, src[g.At.Pos:])
	}
}

// A placeholder of any simple type translates; a list does not.
func TestValue(t *testing.T) {
	e := env(t)
	n, g := Value(check(t, e, `linked_platforms.join("、")`), Config{})
	require.Nil(t, g)
	require.Equal(t, cond.String, n.Type())
	_, g = Value(check(t, e, `linked_platforms`), Config{})
	require.Nil(t, g, "a list is a node; the back end refuses it as a value")
	n, g = Value(check(t, e, `complaints + 1`), Config{})
	require.Nil(t, g)
	require.True(t, cond.MayFail(n))
	require.False(t, strings.Contains(cond.Key(n), "?"))
}
