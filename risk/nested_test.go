package risk_test

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/rules"
)

// readCards reads a JSON Lines file of cards, each valid at asOf.
func readCards(t *testing.T, path string) []*risk.Record {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	var out []*risk.Record
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var r risk.Record
		require.NoError(t, json.Unmarshal(sc.Bytes(), &r))
		require.NoError(t, r.Validate(asOf))
		out = append(out, &r)
	}
	require.NoError(t, sc.Err())
	require.NotEmpty(t, out)
	return out
}

// A quantifier bound by expr's let or a CEL macro, used inside another
// quantifier over the same list, gives the reference evaluators' answer
// compiled (cases/rules/README.md: it panicked out of Score, or gave the
// opposite answer). The rules run compiled, not on a fallback.
func TestNestedQuantifierCases(t *testing.T) {
	dir := "testdata/cases/nested-quantifiers"
	cards := readCards(t, filepath.Join(dir, "card.jsonl"))
	// what each file's comment says the reference evaluators answer
	want := map[string]map[string]bool{
		"cel-macro-roaming.yaml":  {"c1": true},
		"expr-let-platforms.yaml": {"b3": false, "b3b": true},
		"expr-let-roaming.yaml":   {"b1": false},
	}
	for file, fires := range want {
		t.Run(file, func(t *testing.T) {
			rs, err := rules.Load(filepath.Join(dir, file))
			require.NoError(t, err)
			fast, err := risk.Compile(rs)
			require.NoError(t, err)
			ref, err := risk.Compile(rs, risk.WithReferenceEvaluator())
			require.NoError(t, err)
			for _, r := range fast.Rules() {
				require.Empty(t, r.Fallback, "rule %s should run compiled", r.ID)
			}
			for _, c := range cards {
				df, err := fast.Score(c, risk.AsOfTime(asOf))
				require.NoError(t, err)
				dr, err := ref.Score(c, risk.AsOfTime(asOf))
				require.NoError(t, err)
				require.Empty(t, df.Errors)
				require.Empty(t, dr.Errors)
				for id, w := range fires {
					require.Equal(t, w, dr.Fired(id), "reference, rule %s", id)
					require.Equal(t, w, df.Fired(id), "compiled, rule %s", id)
				}
				require.Equal(t, dr.Hits, df.Hits)
			}
		})
	}
}

// Bound quantifiers (expr's let, macros in either language, cel.bind) used
// inside loops over the same list and the other, up to three deep, in
// conditions and in reasons, decide every card as the reference evaluators
// do, and most of them run compiled.
func TestNestedBoundQuantifiers(t *testing.T) {
	cards, pop := lowerCards(t)
	cards = append(cards, readCards(t, "testdata/cases/nested-quantifiers/card.jsonl")...)
	type rule struct{ when, reason string }
	tables := []struct {
		lang   string
		macros [][2]string
		rules  []rule
	}{
		{lang: "expr", rules: []rule{
			// the same list
			{`let a = all(roaming, .days_ago < 100); none(roaming, a && .region == "KH")`, "r"},
			{`let a = any(roaming, .days_ago < 30); any(roaming, a && .region == "MM")`, "r"},
			{`let a = any(linked_platforms, # == "x"); all(linked_platforms, a || # == "alipay")`, "r"},
			{`let a = none(linked_platforms, # == "jd"); any(linked_platforms, !a && # == "tencent")`, "r"},
			{`let n = len(filter(linked_platforms, # != "x")); any(linked_platforms, n > 1 && # == "tencent")`, "r"},
			{`let n = len(filter(roaming, .days_ago <= 90)); any(roaming, n >= 1 && .days_ago > 90)`, "r"},
			{`let n = len(roaming); all(roaming, n > 1 && .region != "US")`, "r"},
			{`let a = any(roaming, .days_ago < 30); any(roaming, a ? .region == "KH" : .region == "MM")`, "r"},
			{`let f = filter(roaming, .days_ago < 100); any(roaming, len(f) > 1 && .region == "MM")`, "r"},
			{`let xs = map(filter(roaming, .days_ago < 100), .region); any(roaming, len(xs) > 1 && .region == "KH")`, "r"},
			{`let j = join(linked_platforms, ","); all(linked_platforms, j contains # && j != #)`, "r"},
			{`let j = join(map(roaming, .region), "/"); any(roaming, j startsWith .region)`, "r"},
			{`let a = any(roaming, .days_ago < 10); len(filter(roaming, a && .region != "KH")) > 0`, "r"},
			// the other list
			{`let a = any(linked_platforms, # == "jd"); any(roaming, a && in_region(.region, lists.hot))`, "r"},
			{`let a = any(roaming, in_region(.region, lists.hot)); any(linked_platforms, a && # == "jd")`, "r"},
			{`let a = all(roaming, .days_ago < 400); len(filter(linked_platforms, a && # != "jd")) >= 1`, "r"},
			// three deep
			{`let a = any(roaming, .region == "KH"); let b = all(roaming, a || .days_ago > 30); none(roaming, b && .days_ago < 10)`, "r"},
			{`let a = any(linked_platforms, # == "tencent"); let b = any(roaming, a && .days_ago < 60); all(linked_platforms, b || # == "jd")`, "r"},
			{`let a = all(linked_platforms, # != "weibo"); let b = len(filter(roaming, a && .days_ago < 100)); any(linked_platforms, b > 0 && # == "alipay")`, "r"},
			// in reasons
			{`len(roaming) > 0 || len(linked_platforms) > 0`,
				`{let a = any(linked_platforms, # == "jd"); join(filter(linked_platforms, a || # == "tencent"), ",")}`},
			{`len(roaming) > 0`,
				`{let a = any(roaming, .days_ago < 30); join(map(filter(roaming, a && .days_ago < 400), .region), "/")}`},
			{`len(roaming) > 1`,
				`{let n = len(filter(roaming, .days_ago < 90)); join(map(roaming, string(n) + .region), ",")}`},
			{`len(roaming) > 0`,
				`{let a = all(roaming, .days_ago < 100); any(roaming, a && .region == "KH")} {let j = join(linked_platforms, "+"); join(map(filter(roaming, .days_ago < 400), .region + j), ",")}`},
			{`len(linked_platforms) > 1`,
				`{let a = any(roaming, .region == "KH"); let b = any(linked_platforms, a && # == "alipay"); join(filter(linked_platforms, b || # == "jd"), " ")}`},
		}},
		{lang: "expr",
			macros: [][2]string{
				{"recent_kh", `any(roaming, .days_ago < 30 && .region == "KH")`},
				{"has_jd", `any(linked_platforms, # == "jd")`},
				{"deep", `all(roaming, recent_kh || .days_ago > 5)`},
			},
			rules: []rule{
				{`any(roaming, recent_kh && .region == "MM")`, `{join(filter(linked_platforms, has_jd || # == "tencent"), ",")}`},
				{`all(linked_platforms, has_jd || # == "tencent")`, "{recent_kh}"},
				{`none(roaming, deep && .days_ago < 3)`, `{any(roaming, deep && .region == "KH")}`},
				{`let a = recent_kh; any(roaming, a && .region == "KH")`, "r"},
			}},
		{lang: "cel",
			macros: [][2]string{
				{"recent", `roaming.exists(q, q.days_ago < 5)`},
				{"plat", `linked_platforms.exists(p, p == "tencent")`},
				{"all_old", `roaming.all(q, q.days_ago > 30)`},
				{"deep", `roaming.exists(q, recent && q.region == "KH")`},
				{"deeper", `linked_platforms.all(p, deep || p == "jd")`},
			},
			rules: []rule{
				{`roaming.exists(r, recent && r.region == "MM")`, "{roaming.exists(r, recent && r.region == \"MM\")}"},
				{`roaming.all(r, plat || r.days_ago > 10)`, "r"},
				{`linked_platforms.exists(p, recent && p == "alipay")`, "r"},
				{`!roaming.exists(r, all_old && r.region == "KH")`, "r"},
				{`roaming.exists(r, deeper && r.days_ago < 400)`, "{linked_platforms.exists(p, deeper && p == \"tencent\")}"},
				{`linked_platforms.all(p, deep || p != "x")`, "r"},
				{`cel.bind(a, roaming.exists(q, q.days_ago < 30), roaming.exists(r, a && r.region == "KH"))`, "r"},
				{`cel.bind(a, roaming.all(q, q.days_ago < 100), !roaming.exists(r, a && r.region == "KH"))`, "r"},
				{`cel.bind(a, linked_platforms.exists(p, p == "x"), linked_platforms.all(p, a || p == "alipay"))`, "r"},
				{`cel.bind(n, size(linked_platforms), linked_platforms.exists(p, n > 1 && p == "tencent"))`, "r"},
				{`cel.bind(a, linked_platforms.exists(p, p == "jd"), roaming.exists(r, a && in_region(r.region, lists.hot)))`, "r"},
				{`cel.bind(a, roaming.exists(q, q.region == "KH"), cel.bind(b, roaming.all(q, a || q.days_ago > 30), !roaming.exists(r, b && r.days_ago < 10)))`, "r"},
				{`cel.bind(a, plat, roaming.exists(r, a && deep))`, "{cel.bind(a, linked_platforms.exists(p, p == \"jd\"), roaming.exists(r, a || r.region == \"KH\"))}"},
				// a local name hides the vocabulary term and the macro of that name
				{`linked_platforms.exists(roaming, size(roaming) > 6)`, "r"},
				{`cel.bind(recent, false, roaming.exists(r, recent || r.region == "MM"))`, "r"},
				{`cel.bind(roaming, linked_platforms, size(roaming) > 1)`, "r"},
				{`linked_platforms.exists(recent, recent == "tencent")`, "r"},
			}},
	}
	for _, tb := range tables {
		t.Run(tb.lang, func(t *testing.T) {
			exprs, reasons := make([]string, len(tb.rules)), make([]string, len(tb.rules))
			for i, r := range tb.rules {
				exprs[i], reasons[i] = r.when, r.reason
			}
			compiled := checkSameMacros(t, tb.lang, tb.macros, exprs, reasons, cards, pop)
			if tb.macros == nil || tb.lang == "cel" {
				// expr macros are inlined: a macro's loop in another loop is a
				// nested predicate, left to expr's VM
				require.GreaterOrEqual(t, compiled, len(exprs)*3/4, "most of these should run compiled")
			}
		})
	}
}
