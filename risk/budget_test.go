package risk_test

import (
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/rules"
)

// The string- and list-growing calls that ran the host out of memory
// (testdata/attack13/h3, h5, h6 and their kin).
var growingConditions = []string{
	`len(repeat({a: repeat("x", 10000)}.a, 1000000)) > 0`,
	`len(repeat([repeat([repeat("x", 100)][0], 7000)][0], 7000)) > 0`,
	`let s = {a: repeat("x", 2000)}.a; len(replace(replace(s, "x", s), "x", s)) > 0`,
	`len(repeat(true ? {a: repeat("x",10000)}.a : "", 1000000)) > 0`,
	`let s = {a: repeat("x", 100000)}.a; len(join(map(1..1000, s), "")) > 0`,
	`let s = {a: repeat("x", 3000)}.a; len(split(replace(s, "x", s), "")) > 0`,
	`let s = {a: repeat("x", 1000)}.a; let t = s + s + s + s; let u = t + t + t + t; let v = u + u + u + u; len(v + v + v + v + v + v + v + v) > 0`,
	`len(concat(map(1..1000, 1..1000), map(1..1000, 1..1000))) > 0`,
}

// Lint refuses every attacker's growing call by its estimate (too_costly
// naming max_cost).
func TestGrowingCallsRefusedAtLoad(t *testing.T) {
	for _, dir := range []string{"h3", "h5", "h6"} {
		data, err := os.ReadFile("testdata/attack13/" + dir + "/rules.yaml")
		require.NoError(t, err)
		requireLimitErr(t, string(data), rules.CodeTooCostly, "max_cost")
	}
	for _, c := range growingConditions {
		requireLimitErr(t, "rules:\n  - {id: g, when: '"+c+"', outcome: monitor, score: 1}\n"+bands, rules.CodeTooCostly, "max_cost")
	}
}

// With the estimate out of the way (max_cost at its top), the same calls
// fail at run time by the budget before they allocate: the rule's error is
// the budget's, and the process lives.
func TestGrowingCallsBudgetedAtRunTime(t *testing.T) {
	lim := rules.DefaultLimits()
	lim.MaxCost = 1 << 62
	for _, c := range growingConditions {
		eng, err := compileSrc(t, "rules:\n  - {id: g, when: '"+c+"', outcome: monitor, score: 1}\n"+bands,
			risk.WithLimits(lim), risk.WithRunBudget(1_000_000))
		require.NoError(t, err, c)
		d, err := eng.Score(card(), risk.AsOfTime(asOf))
		require.NoError(t, err)
		require.Len(t, d.Errors, 1, c)
		require.Contains(t, d.Errors[0].Message, "run-time cost budget", c)
		require.False(t, d.Fired("g"))
	}
}

// Within the budget the budgeted twins give what expr's builtins give.
func TestBudgetedCallsKeepTheirResults(t *testing.T) {
	eng, err := compileSrc(t, `
rules:
  - {id: r, when: 'repeat("ab", 3) == "ababab" && replace("a-b-c", "-", "+") == "a+b+c" && join(["a", "b"], ",") == "a,b"', outcome: monitor, score: 1}
  - {id: s, when: 'split("a,b,c", ",")[2] == "c" && len(concat([1], [2, 3])) == 3 && upper("ab") + "c" == "ABc"', outcome: monitor, score: 1}
  - {id: u, when: 'replace("abc", "", "-") == "-a-b-c-" && len(splitAfter("a,b", ",")) == 2', outcome: monitor, score: 1}
`+bands)
	require.NoError(t, err)
	d, err := eng.Score(card(), risk.AsOfTime(asOf))
	require.NoError(t, err)
	require.Empty(t, d.Errors)
	require.True(t, d.Fired("r"))
	require.True(t, d.Fired("s"))
	require.True(t, d.Fired("u"))
}

// The CEL forms of the growing calls (testdata/attack13/cel1 and kin):
// refused by the estimate at load, and, with the estimate out of the way,
// failed by the run-time budget before the result is built (cel-go's own
// cost limit is checked only after a call has allocated its result).
func TestGrowingCELCallsBudgetedAtRunTime(t *testing.T) {
	conds := []string{
		`cel.bind(a, "` + strings.Repeat("x", 200) + `", cel.bind(b, a.replace("x", a), cel.bind(c, b.replace("x", b), c.size() > 0)))`,
		`cel.bind(a, "` + strings.Repeat("x", 2000) + `", cel.bind(b, a.replace("x", a), b.split("").size() > 0))`,
		`cel.bind(a, "` + strings.Repeat("x", 2000) + `", cel.bind(b, a.replace("x", a), [b, b, b, b].join(",").size() > 0))`,
	}
	lim := rules.DefaultLimits()
	lim.MaxCost = 1 << 62
	for _, c := range conds {
		src := "language: cel\nrules:\n  - {id: g, when: '" + c + "', outcome: monitor, score: 1}\n" + bands
		requireLimitErr(t, src, rules.CodeTooCostly, "max_cost")
		eng, err := compileSrc(t, src, risk.WithLimits(lim), risk.WithRunBudget(1_000_000))
		require.NoError(t, err, c)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		d, err := eng.Score(card(), risk.AsOfTime(asOf))
		runtime.ReadMemStats(&after)
		require.NoError(t, err)
		require.Len(t, d.Errors, 1, c)
		require.Contains(t, d.Errors[0].Message, "run-time cost budget", c)
		// refused before the result was built: cel-go's own limit let
		// replace build 1.6 GB first
		require.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(64<<20), c)
	}
	// within the budget they give what cel-go's give
	eng, err := compileSrc(t, `
language: cel
rules:
  - {id: r, when: '"a-b-c".replace("-", "+") == "a+b+c" && "a-b-c".replace("-", "+", 1) == "a+b-c" && "abc".replace("", "-") == "-a-b-c-"', outcome: monitor, score: 1}
  - {id: s, when: '"a,b,c".split(",")[2] == "c" && "a,b,c".split(",", 2) == ["a", "b,c"] && ["a", "b"].join(",") == "a,b" && ["a", "b"].join() == "ab" && "a" + "b" == "ab"', outcome: monitor, score: 1}
`+bands)
	require.NoError(t, err)
	d, err := eng.Score(card(), risk.AsOfTime(asOf))
	require.NoError(t, err)
	require.Empty(t, d.Errors)
	require.True(t, d.Fired("r"))
	require.True(t, d.Fired("s"))
}
