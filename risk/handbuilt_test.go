package risk_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/rules"
)

func handWhen(s string) rules.Expr { return rules.Expr{Src: s, Key: "when"} }

// A RuleSet built by hand gets the loader's structural checks from Compile
// and Check: no panic on nil entries, and each mistake is the loader's
// error code (the tester's program, /tmp/attack13/hand).
func TestHandBuiltRuleSet(t *testing.T) {
	bands := []*rules.Band{{Min: 0, Level: rules.Low, Outcome: rules.Pass}}
	rule := func(mod func(r *rules.Rule)) []*rules.Rule {
		r := &rules.Rule{ID: "a", When: handWhen("valid"), Outcome: rules.Monitor, Enabled: true}
		if mod != nil {
			mod(r)
		}
		return []*rules.Rule{r}
	}
	cases := []struct {
		name string
		rs   *rules.RuleSet
		code rules.Code
	}{
		{"nil rule set", nil, rules.CodeMissingKey},
		{"nil rule", &rules.RuleSet{Bands: bands, Rules: []*rules.Rule{nil}}, rules.CodeMissingKey},
		{"nil band", &rules.RuleSet{Bands: []*rules.Band{nil}, Rules: rule(nil)}, rules.CodeMissingKey},
		{"nil param", &rules.RuleSet{Bands: bands, Params: []*rules.Param{nil}, Rules: rule(nil)}, rules.CodeMissingKey},
		{"nil list", &rules.RuleSet{Bands: bands, Lists: []*rules.List{nil}, Rules: rule(nil)}, rules.CodeMissingKey},
		{"nil macro", &rules.RuleSet{Bands: bands, Macros: []*rules.Macro{nil}, Rules: rule(nil)}, rules.CodeMissingKey},
		{"duplicate ids", &rules.RuleSet{Bands: bands, Rules: append(rule(nil), rule(nil)...)}, rules.CodeDuplicate},
		{"duplicate params", &rules.RuleSet{Bands: bands, Params: []*rules.Param{{Name: "p", Value: int64(1)}, {Name: "p", Value: "s"}}, Rules: rule(nil)}, rules.CodeDuplicate},
		{"outcome 99", &rules.RuleSet{Bands: bands, Rules: rule(func(r *rules.Rule) { r.Outcome = 99 })}, rules.CodeBadOutcome},
		{"level -5", &rules.RuleSet{Bands: []*rules.Band{{Level: -5}}, Rules: rule(nil)}, rules.CodeBadLevel},
		{"band outcome -3", &rules.RuleSet{Bands: []*rules.Band{{Outcome: -3}}, Rules: rule(nil)}, rules.CodeBadOutcome},
		{"mode 7", &rules.RuleSet{Bands: bands, Rules: rule(func(r *rules.Rule) { r.Mode = 7 })}, rules.CodeBadMode},
		{"lua", &rules.RuleSet{Bands: bands, Rules: rule(func(r *rules.Rule) { r.Language = "lua" })}, rules.CodeBadLanguage},
		{"empty when", &rules.RuleSet{Bands: bands, Rules: rule(func(r *rules.Rule) { r.When = rules.Expr{} })}, rules.CodeMissingKey},
		{"huge verify_hours", &rules.RuleSet{Bands: bands, Params: []*rules.Param{{Name: "verify_hours", Value: int64(math.MaxInt64)}}, Rules: rule(nil)}, rules.CodeBadValue},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			eng, err := risk.Compile(c.rs)
			require.Nil(t, eng)
			require.ErrorIs(t, err, c.code)
			require.NotEmpty(t, risk.Check(c.rs))
			require.Equal(t, c.code, risk.Check(c.rs)[0].Code)
		})
	}
	// a well-formed hand-built set still compiles and scores
	eng, err := risk.Compile(&rules.RuleSet{Name: "x", Version: "1", Bands: bands, Rules: rule(nil)})
	require.NoError(t, err)
	d, err := eng.Score(card(), risk.AsOfTime(asOf))
	require.NoError(t, err)
	require.True(t, d.Fired("a"))
}

// verify_hours is bounded at compile (testdata/attack13/vh: 400,000,000
// hours gave a deadline in year 47658), at the parameter's position, naming
// the range; a year is accepted and its deadline is valid RFC 3339.
func TestVerifyHoursBounded(t *testing.T) {
	_, err := compileSrc(t, attackSrc(t, "vh"))
	require.ErrorIs(t, err, rules.CodeBadValue)
	e := rules.AsList(err)[0]
	require.Equal(t, 4, e.Pos.Line)
	require.Contains(t, e.Msg, "from 1 to 8760")
	for _, v := range []string{"0", "8761", "2562047788015216"} {
		_, err := compileSrc(t, "params: {verify_hours: "+v+"}\nrules:\n  - {id: r, when: valid, outcome: verify, score: 60}\n"+bands)
		require.ErrorIs(t, err, rules.CodeBadValue, v)
	}
	eng, err := compileSrc(t, "params: {verify_hours: 8760}\nrules:\n  - {id: r, when: 'true', outcome: verify, score: 60}\n"+bands)
	require.NoError(t, err)
	d, err := eng.Score(card(), risk.AsOfTime(asOf))
	require.NoError(t, err)
	require.Equal(t, asOf+8760*3600, d.Deadline)
	// the latest as-of there is: the deadline stops at the last second RFC 3339 writes
	d, err = eng.Score(card(), risk.AsOfTime(risk.Date(9999, 12, 31)))
	if err == nil {
		require.Equal(t, risk.Date(9999, 12, 31)+86399, d.Deadline)
	}
}
