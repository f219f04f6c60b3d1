package risk_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/rules"
)

// Compile refuses a RuleSet whose load reported errors: what such a set
// holds is only what could be read.
func TestCompileRefusesAFailedLoad(t *testing.T) {
	cases := map[string]struct {
		src  string
		code rules.Code
	}{
		// without the refusal the rule would compile and score as pass
		"rule without outcome": {"rules:\n  - {id: a, when: valid}\n" + bands, rules.CodeMissingKey},
		// without it both rules would compile
		"duplicate ids": {"rules:\n  - {id: a, when: valid, outcome: pass}\n  - {id: a, when: valid, outcome: suspend}\n" + bands, rules.CodeDuplicate},
		"NaN score":     {"rules:\n  - {id: a, when: valid, outcome: pass, score: .nan}\n" + bands, rules.CodeBadNumber},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			rs, loadErr := rules.Parse(rules.Source{Name: "t.yaml", Data: []byte(c.src)})
			require.ErrorIs(t, loadErr, c.code)
			require.NotEmpty(t, rs.Rules, "the set holds what could be read")
			eng, err := risk.Compile(rs)
			require.Nil(t, eng)
			require.Equal(t, loadErr, err)
			_, err = risk.RunTests(rs)
			require.ErrorIs(t, err, c.code)
		})
	}
}

// Check (the linter's path) goes on checking the expressions of a set whose
// load failed, and does not add what only the failed file would have given.
func TestCheckAfterAFailedLoad(t *testing.T) {
	rs, err := rules.Parse(rules.Source{Name: "t.yaml", Data: []byte(
		"rules:\n  - {id: a, when: nope > 1}\n" + bands)})
	require.ErrorIs(t, err, rules.CodeMissingKey)
	errs := risk.Check(rs)
	require.Len(t, errs, 1)
	require.Equal(t, rules.CodeUndefinedName, errs[0].Code)

	// a file that did not parse may be the one with the bands
	rs, err = rules.Parse(
		rules.Source{Name: "r.yaml", Data: []byte("rules:\n  - {id: a, when: nope > 1, outcome: pass}\n")},
		rules.Source{Name: "bands.yaml", Data: []byte("bands:\n\t- {min: 0, level: low, outcome: pass}\n")})
	require.ErrorIs(t, err, rules.CodeSyntax)
	errs = risk.Check(rs)
	require.Len(t, errs, 1, "%v", errs)
	require.Equal(t, rules.CodeUndefinedName, errs[0].Code)
}

// Compile and Check use the limits the rule set was loaded with, unless
// WithLimits says otherwise.
func TestCompileUsesTheLoadLimits(t *testing.T) {
	lim := rules.DefaultLimits()
	lim.MaxExprNodes = 3
	ld, err := rules.NewLoader(rules.WithLimits(lim))
	require.NoError(t, err)
	rs, err := ld.Parse(rules.Source{Name: "t.yaml", Data: []byte("rules:\n  - {id: a, when: alerts_30d > 1 && valid, outcome: pass}\n" + bands)})
	require.NoError(t, err)
	_, err = risk.Compile(rs)
	require.ErrorIs(t, err, rules.CodeTooComplex)
	require.ErrorIs(t, risk.Check(rs).Err(), rules.CodeTooComplex)
	_, err = risk.Compile(rs, risk.WithLimits(rules.DefaultLimits()))
	require.NoError(t, err)
}

// A rule test's population file is checked again where it is read: one
// replaced by a link to /dev/zero after loading fails that test, and one
// over max_fixture_bytes too, with either record loader.
func TestRuleTestPopulationCheckedWhenRead(t *testing.T) {
	dir := t.TempDir()
	pop := filepath.Join(dir, "p.jsonl")
	require.NoError(t, os.WriteFile(pop, []byte(`{"msisdn":"13800138001","opened_at":"2024-01-01"}`+"\n"), 0o644))
	f := filepath.Join(dir, "r.yaml")
	require.NoError(t, os.WriteFile(f, []byte(bands+"rules: [{id: a, when: valid, outcome: monitor}]\n"+
		"tests:\n  - {name: t, as_of: 2026-11-01, card: {}, population: p.jsonl, expect: {fires: [a]}}\n"), 0o644))
	lim := rules.DefaultLimits()
	lim.MaxFixtureBytes = 100
	ld, err := rules.NewLoader(rules.WithLimits(lim))
	require.NoError(t, err)
	rs, err := ld.Load(f)
	require.NoError(t, err)
	eng, err := risk.Compile(rs)
	require.NoError(t, err)
	csvLoader := risk.WithRecordLoader(func(string, risk.Time) ([]*risk.Record, error) { return nil, nil })
	for _, opts := range [][]risk.TestOption{nil, {csvLoader}} {
		require.Equal(t, 1, eng.RunTests(rs.Tests, opts...).Passed)
	}

	require.NoError(t, os.WriteFile(pop, []byte(strings.Repeat(" ", 101)), 0o644))
	for _, opts := range [][]risk.TestOption{nil, {csvLoader}} {
		rep := eng.RunTests(rs.Tests, opts...)
		require.Equal(t, 1, rep.Failed)
		require.Contains(t, rep.Results[0].Failures[0], "over the limit max_fixture_bytes=100")
	}

	require.NoError(t, os.Remove(pop))
	require.NoError(t, os.Symlink("/dev/zero", pop))
	for _, opts := range [][]risk.TestOption{nil, {csvLoader}} {
		rep := eng.RunTests(rs.Tests, opts...)
		require.Equal(t, 1, rep.Failed)
		require.Contains(t, rep.Results[0].Failures[0], "leads outside the directory of the test file")
	}
}
