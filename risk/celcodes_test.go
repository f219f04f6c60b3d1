package risk

import (
	"testing"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common"
	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/rules"
)

// The codes of cel-go's checker issues do not depend on cel-go's wording:
// with every message replaced, each issue gets the code (and simrisk's own
// message, where it has one) it gets with cel-go's text.
func TestCELCodesIgnoreMessageText(t *testing.T) {
	rs, err := rules.Parse(rules.Source{Name: "t.yaml", Data: []byte(`language: cel
params: {max_alert: 3}
lists: {fraud_regions: {type: region, items: [KH]}}
bands: [{min: 0, level: low, outcome: pass}]
rules: [{id: r, outcome: monitor, when: valid}]
`)})
	require.NoError(t, err)
	c, err := newCELCompiler(rs, map[string]any{"fraud_regions": NewRegionSet([]string{"KH"})}, nil, defaultCompileConfig())
	require.NoError(t, err)
	errAt := func(line, col int, code rules.Code, msg string) *rules.Error {
		return &rules.Error{Code: code, Msg: msg}
	}
	for when, want := range map[string]struct {
		code rules.Code
		msg  string // "": cel-go's (reworded) message, or simrisk's own unchanged
	}{
		`roaming.exists(r, r.regio == "KH")`:         {rules.CodeUndefinedName, ""},
		`roaming[0].regio == "KH"`:                   {rules.CodeUndefinedName, ""},
		`risk.roamEnv{regio: "x"}.region == ""`:      {rules.CodeUndefinedName, ""},
		`complaints.x > 0`:                           {rules.CodeType, ""},
		`id_region in lists.fraud_regions`:           {rules.CodeType, "a region list: write in_region(x, lists.NAME)"},
		`alerts_3d > 1`:                              {rules.CodeUndefinedName, "alerts_3d is not a field, derived value, population feature or macro; did you mean alerts_30d?"},
		`in_regions(id_region, lists.fraud_regions)`: {rules.CodeUndefinedName, "unknown function in_regions: not a function of simrisk or of the language; did you mean in_region?"},
		`alerts_30d > params.zzz`:                    {rules.CodeUndefinedParam, `parameter "zzz" is not declared under params`},
		`in_region(id_region, lists.fraud_region)`:   {rules.CodeUndefinedList, ""},
		`pop.cards_on_operatr > 1`:                   {rules.CodeUndefinedName, ""},
		`in_region(id_region)`:                       {rules.CodeType, ""},
	} {
		parsed, iss := c.env.Parse(when)
		require.NoError(t, iss.Err(), when)
		_, iss = c.env.Check(parsed)
		require.Error(t, iss.Err(), when)
		errs := common.NewErrors(parsed.Source())
		for _, e := range iss.Errors() {
			errs.ReportErrorAtID(e.ExprID, e.Location, "reworded by an upgrade")
		}
		got := c.issues(when, cel.NewIssues(errs), parsed, errAt, rules.CodeType)
		orig := c.issues(when, iss, parsed, errAt, rules.CodeType)
		require.Len(t, got, 1, when)
		require.Equal(t, want.code, got[0].Code, when)
		require.Equal(t, orig[0].Code, got[0].Code, when)
		switch {
		case want.msg != "":
			require.Equal(t, want.msg, got[0].Msg, when)
		case orig[0].Msg == iss.Errors()[0].Message: // cel-go's text is shown
			require.Equal(t, "reworded by an upgrade", got[0].Msg, when)
		default: // simrisk's own
			require.Equal(t, orig[0].Msg, got[0].Msg, when)
		}
	}
}
