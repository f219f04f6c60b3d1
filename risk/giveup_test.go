package risk_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/rules"
)

// A rule the compiler does not handle runs on the reference evaluator, and
// says which construct kept it there and where it is in the rule file
// (RuleInfo.FallbackReason and FallbackPos; simrisk lint prints them).
func TestFallbackReasons(t *testing.T) {
	cases := []struct {
		lang, when string
		reason     string
		col        int // of the construct in the condition, from 1
	}{
		{"expr", `valid && linked_platforms[0] == "jd"`, "indexing (linked_platforms[0])", 26},
		{"expr", `valid && complaints / 2 > 1`, "the operator / in complaints / 2", 21},
		{"expr", `complaints % 3 == 1`, "the operator % in complaints % 3", 12},
		{"expr", `any(roaming, any(linked_platforms, # == "jd"))`, `the loop any(linked_platforms, # == "jd") inside another loop's body`, 14},
		{"expr", `upper(open_region) == "X"`, "the builtin upper() in upper(open_region)", 1},
		{"expr", `len(filter(map(linked_platforms, # + "x"), # == "j")) > 0`, `filter or map of a mapped list in filter(map(linked_platforms, # + "x"), # == "j")`, 5},
		{"cel", `valid && linked_platforms[0] == "jd"`, "indexing (linked_platforms[0])", 26},
		{"cel", `valid && complaints / 2 > 1`, "the operator / in complaints / 2", 21},
		{"cel", `roaming.exists(r, linked_platforms.exists(p, p == "jd"))`, "a loop over linked_platforms inside another loop's body", 42},
		{"cel", `valid && recycled < renewed`, "the operator < in recycled < renewed", 19},
		{"cel", `roaming.exists(r, r.days_ago + complaints > 3)`, "int arithmetic that may overflow in a loop's body (r.days_ago + complaints > 3)", 43},
		{"cel", `has(roaming.region)`, "", 0}, // not a valid rule: the checker refuses it
	}
	for _, c := range cases {
		t.Run(c.lang+" "+c.when, func(t *testing.T) {
			src := fmt.Sprintf("language: %s\nbands: [{min: 0, level: low, outcome: pass}]\nrules:\n  - {id: r, outcome: monitor, when: '%s'}\n", c.lang, c.when)
			rs, err := rules.Parse(rules.Source{Name: "t.yaml", Data: []byte(src)})
			require.NoError(t, err)
			eng, err := risk.Compile(rs)
			if c.reason == "" {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			r := eng.Rules()[0]
			require.NotEmpty(t, r.Fallback)
			require.Equal(t, c.reason, r.FallbackReason)
			// the when text starts at column 38 of line 4
			require.Equal(t, rules.Pos{File: "t.yaml", Line: 4, Column: 37 + c.col}, r.FallbackPos)

			// compiled only to the reference evaluator: no reason to give
			ref, err := risk.Compile(rs, risk.WithReferenceEvaluator())
			require.NoError(t, err)
			require.Empty(t, ref.Rules()[0].FallbackReason)
		})
	}
}

// A CEL rule that uses a macro the compiler does not handle names the macro
// where the rule uses it.
func TestFallbackReasonCELMacro(t *testing.T) {
	src := `language: cel
bands: [{min: 0, level: low, outcome: pass}]
macros:
  odd: {when: 'complaints % 2 == 1'}
rules:
  - {id: r, outcome: monitor, when: 'valid && odd'}
`
	rs, err := rules.Parse(rules.Source{Name: "t.yaml", Data: []byte(src)})
	require.NoError(t, err)
	eng, err := risk.Compile(rs)
	require.NoError(t, err)
	r := eng.Rules()[0]
	require.Equal(t, "the macro odd, which runs there itself", r.FallbackReason)
	require.Equal(t, rules.Pos{File: "t.yaml", Line: 6, Column: 47}, r.FallbackPos)
}
