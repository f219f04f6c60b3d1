package risk_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/rules"
)

// A bad option is a bad_option error from Compile and from Check, which
// used to drop it and check under the defaults without a word. Check goes on
// to check the expressions under the good options.
func TestBadOptionReported(t *testing.T) {
	rs, err := rules.Parse(rules.Source{Name: "t.yaml", Data: []byte(`
rules:
  - id: r
    when: alerts_30d > "x"
    outcome: monitor
` + bands)})
	require.NoError(t, err)
	bad := []risk.CompileOption{risk.WithLanguage("fr"), risk.WithMaxNodes(0)}

	_, err = risk.Compile(rs, bad...)
	require.ErrorIs(t, err, rules.CodeBadOption)
	require.ErrorContains(t, err, `WithLanguage("fr")`)
	require.ErrorContains(t, err, `WithMaxNodes(0)`)

	errs := risk.Check(rs, append(bad, risk.WithMaxCELSize(10))...)
	require.Len(t, errs, 3, "%v", errs)
	require.Equal(t, rules.CodeBadOption, errs[0].Code)
	require.Contains(t, errs[0].Msg, `WithLanguage("fr")`)
	require.Zero(t, errs[0].Line, "an option has no place in a file")
	require.Equal(t, rules.CodeBadOption, errs[1].Code)
	require.Contains(t, errs[1].Msg, `WithMaxNodes(0)`)
	require.Equal(t, rules.CodeType, errs[2].Code, "the rule is still checked")

	errs = risk.Check(rs, risk.WithLanguage("en"))
	require.Len(t, errs, 1, "good options add nothing: %v", errs)
	require.Equal(t, rules.CodeType, errs[0].Code)
}

// The enumerations are copies: changing what a caller got back changes
// neither the next copy nor what Validate accepts.
func TestEnumerationsAreCopies(t *testing.T) {
	for name, get := range map[string]func() []string{
		"Operators": risk.Operators, "Kinds": risk.Kinds, "Statuses": risk.Statuses,
		"FraudFlags": risk.FraudFlags, "Businesses": risk.Businesses, "rules.Languages": rules.Languages,
	} {
		got := get()
		require.NotEmpty(t, got, name)
		first := got[0]
		got[0] = "changed"
		require.Equal(t, first, get()[0], name)
	}
	ops := risk.Operators()
	ops[0] = "mine"
	asOf := risk.Date(2026, 11, 1)
	r := risk.Record{MSISDN: "13800138000", Operator: "cmcc", Kind: "mobile", Status: "active", OpenedAt: risk.Date(2024, 1, 1)}
	require.NoError(t, r.Validate(asOf))
	r = risk.Record{MSISDN: "13800138000", Operator: "mine", Kind: "mobile", Status: "active", OpenedAt: risk.Date(2024, 1, 1)}
	require.ErrorIs(t, r.Validate(asOf), risk.ErrInvalidRecord)

	fns := risk.Functions()
	fns[0].Name = "changed"
	require.NotEqual(t, "changed", risk.Functions()[0].Name)

	langs := rules.Languages()
	langs[0] = "fr"
	rs, err := rules.Pack("default")
	require.NoError(t, err)
	_, err = risk.Compile(rs, risk.WithLanguage("fr"))
	require.ErrorIs(t, err, rules.CodeBadOption)
}

// Every option that can be wrong (and a nil one) is a bad_option entry,
// named, from each entry point that takes compile options: Compile, Check,
// Lint and RunTests; none panics, and Check and Lint still check the rules.
// A nil score or test option is no option.
func TestEveryBadOptionReported(t *testing.T) {
	rs, err := rules.Parse(rules.Source{Name: "t.yaml", Data: []byte(`
rules:
  - id: r
    when: alerts_30d > 3
    outcome: monitor
` + bands)})
	require.NoError(t, err)
	for _, c := range []struct {
		opt  risk.CompileOption
		want string
	}{
		{risk.WithLanguage("fr"), `WithLanguage("fr")`},
		{risk.WithMaxNodes(0), "WithMaxNodes(0)"},
		{risk.WithCELCostLimit(0), "WithCELCostLimit(0)"},
		{risk.WithMaxCELSize(-1), "WithMaxCELSize(-1)"},
		{risk.WithLimits(rules.Limits{MaxCost: 1, MaxRules: -5}), "WithLimits"},
		{nil, "compile option 2 of 2 is nil"},
	} {
		opts := []risk.CompileOption{risk.WithLanguage("en"), c.opt}
		_, err := risk.Compile(rs, opts...)
		require.ErrorIs(t, err, rules.CodeBadOption, c.want)
		require.ErrorContains(t, err, c.want)
		_, err = risk.RunTests(rs, opts...)
		require.ErrorIs(t, err, rules.CodeBadOption, c.want)
		for name, check := range map[string]func(*rules.RuleSet, ...risk.CompileOption) rules.ErrorList{"Check": risk.Check, "Lint": risk.Lint} {
			errs := check(rs, opts...)
			require.NotEmpty(t, errs, "%s %s", name, c.want)
			require.Equal(t, rules.CodeBadOption, errs[0].Code, "%s %s", name, c.want)
			require.Contains(t, errs[0].Msg, c.want, name)
			for _, e := range errs[1:] {
				require.NotEqual(t, rules.CodeBadOption, e.Code, "%s: only the bad option: %v", name, errs)
			}
		}
	}

	eng, err := risk.Compile(rs)
	require.NoError(t, err)
	d, err := eng.Score(&risk.Record{MSISDN: "13800138000", OpenedAt: risk.Date(2024, 1, 1), Alerts30d: 4}, nil, risk.AsOfTime(risk.Date(2026, 11, 1)), nil)
	require.NoError(t, err)
	require.True(t, d.Fired("r"))
	require.NotNil(t, eng.RunTests(nil, nil))
}
