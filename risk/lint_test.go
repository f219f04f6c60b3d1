package risk_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/rules"
)

// lintLines is every entry of risk.Lint on the files, as printed, without
// the file name.
func lintLines(t *testing.T, paths ...string) []string {
	t.Helper()
	rs, err := rules.Load(paths...)
	var out []string
	for _, e := range rules.AsList(err) {
		out = append(out, e.Error())
	}
	require.NotNil(t, rs)
	for _, e := range risk.Lint(rs) {
		out = append(out, e.Error())
	}
	for i, l := range out {
		_, l, _ = strings.Cut(l, ".yaml:")
		out[i] = l
	}
	return out
}

// The mistakes of issue 18's analyst, in both languages: a misspelt name,
// function, parameter and key get a "did you mean", an unknown function is
// called one, a quoted number points at the parameter's definition, and
// unused parameters, lists and macros and conditions that never hold are
// warnings.
func TestLintTeaches(t *testing.T) {
	for _, lang := range []string{"", "-cel"} {
		t.Run("teach"+lang, func(t *testing.T) {
			got := lintLines(t, "testdata/lint/teach"+lang+".yaml")
			typeMsg := "invalid operation: > (mismatched types int and string)"
			if lang != "" {
				typeMsg = "found no matching overload for '_>_' applied to '(int, string)'"
			}
			col := func(expr, cel int) int {
				if lang == "" {
					return expr
				}
				return cel
			}
			want := []string{
				`62:5: rule "can_hold": [unknown_key] unknown key "outcom": did you mean "outcome"?`,
				`24:11: rule "typo_name": [undefined_name] alert_30d is not a field, derived value, population feature or macro; did you mean alerts_30d?`,
				fmt.Sprintf(`29:%d: rule "typo_function": [undefined_name] unknown function in_regions: not a function of simrisk or of the language; did you mean in_region?`, col(11, 21)),
				fmt.Sprintf(`34:%d: rule "no_function": [undefined_name] unknown function foo: not a function of simrisk or of the language`, col(11, 14)),
				`39:22: rule "quoted_param": [type] ` + typeMsg + `: params.days is the text "7" (declared at testdata/lint/teach` + lang + `.yaml:6:3); write it without quotes (days: 7) to make it a number`,
				`44:31: rule "typo_param": [undefined_param] parameter "dais" is not declared under params; did you mean params.days?`,
				`7:3: warning [unused_param] parameter "unused_p" is not used by any rule, reason or macro`,
				`11:3: warning [unused_list] list "unused_l" is not used by any rule, reason or macro`,
				`13:3: warning [unused_macro] macro "m_unused" is not used by any rule, reason or other macro`,
				`49:60: rule "never": warning [never_holds] this condition can never hold: alerts_30d <= 7 and alerts_30d > params.lo (30) cannot both be true`,
				`54:38: rule "never_flipped": warning [never_holds] this condition can never hold: 90 <= days_since_opened and days_since_opened < 90 cannot both be true`,
			}
			require.Equal(t, want, got)
		})
	}
}

// A warning does not keep a rule set from compiling, and prints as one.
func TestLintWarningsDoNotStopCompile(t *testing.T) {
	rs, err := rules.Parse(rules.Source{Name: "w.yaml", Data: []byte(`
name: w
version: 1.0.0
params: {spare: 1}
bands: [{min: 0, level: low, outcome: pass}]
rules:
  - {id: r, title: r, when: "alerts_30d > 3 && alerts_30d < 2", outcome: verify, reason: r}
`)})
	require.NoError(t, err)
	_, err = risk.Compile(rs)
	require.NoError(t, err)
	require.Empty(t, risk.Check(rs))
	warns := risk.Lint(rs)
	require.Len(t, warns, 2)
	for _, w := range warns {
		require.True(t, w.Warning())
		require.Contains(t, w.Error(), ": warning [")
		require.NotEmpty(t, w.Snippet)
	}
	require.ErrorIs(t, warns[0], rules.CodeUnusedParam)
	require.ErrorIs(t, warns[1], rules.CodeNeverHolds)
}

// The default packs lint clean: no error, no warning.
func TestLintDefaultPacks(t *testing.T) {
	for _, name := range []string{"default", "default-cel"} {
		rs, err := rules.Pack(name)
		require.NoError(t, err)
		require.Empty(t, risk.Lint(rs), name)
	}
}
