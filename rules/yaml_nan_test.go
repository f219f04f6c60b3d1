package rules_test

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/rules"
)

// ../shared/cases/rules/yaml-tab: the tab on line 8 is reported at line 8,
// column 1, saying that tabs cannot indent, and nothing else.
func TestCaseYAMLTab(t *testing.T) {
	_, err := rules.Load("testdata/cases/yaml-tab")
	l := rules.AsList(err)
	require.Len(t, l, 1, "%v", err)
	require.Equal(t, rules.CodeSyntax, l[0].Code)
	require.Equal(t, rules.Pos{File: "testdata/cases/yaml-tab/rules.yaml", Line: 8, Column: 1}, l[0].Pos)
	require.Equal(t, "a tab cannot indent YAML: indent with spaces", l[0].Msg)
	require.Equal(t, "\tscore: 10\n^", strings.Replace(l[0].Snippet, " score", "\tscore", 1))
}

// YAML errors are placed at the line that is wrong: a tab at its own line
// and column, an indentation error at the line that breaks it (the parser
// says the enclosing block's first line).
func TestYAMLErrorPositions(t *testing.T) {
	rule := "rules:\n  - id: a\n    when: valid\n"
	cases := []struct {
		name, src string
		line, col int
		msg       string
	}{
		{"tab after a key line", rule + "\toutcome: pass\n", 4, 1, "a tab cannot indent YAML: indent with spaces"},
		{"tab after spaces", rule + "  \toutcome: pass\n", 4, 3, "a tab cannot indent YAML: indent with spaces"},
		{"tab before a list item", "rules:\n\t- id: a\n", 2, 1, "a tab cannot indent YAML: indent with spaces"},
		{"tab in a block scalar", "rules:\n  - id: a\n    when: |\n      valid\n\t&& x\n    outcome: pass\n", 5, 1,
			"a tab cannot indent YAML: indent with spaces"},
		{"tab deep in a file", "name: x\n" + strings.Repeat("# c\n", 50) + "params:\n  a: 1\n\tb: 2\n", 54, 1,
			"a tab cannot indent YAML: indent with spaces"},
		{"key indented too little", rule + "   outcome: pass\n", 4, 4, "did not find expected '-' indicator"},
		{"key indented back to the list", rule + "  outcome: pass\n", 4, 3, "did not find expected '-' indicator"},
		{"key dedented to nothing", "params:\n  a: 1\n  b: 2\n c: 3\n", 4, 2, "did not find expected key"},
		{"key indented too far", rule + "      outcome: pass\n", 4, 7, "mapping values are not allowed in this context"},
		{"unclosed quote", "rules:\n  - id: a\n    when: \"x\n    outcome: pass\n", 3, 5, "found unexpected end of stream"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := rules.Parse(rules.Source{Name: "f.yaml", Data: []byte(c.src)})
			l := rules.AsList(err)
			require.Len(t, l, 1, "%v", err)
			require.Equal(t, rules.CodeSyntax, l[0].Code)
			require.Equal(t, c.msg, l[0].Msg)
			require.Equal(t, rules.Pos{File: "f.yaml", Line: c.line, Column: c.col}, l[0].Pos)
		})
	}
}

// A rule file that does not parse gives its one error: its _test file's
// tests naming its rules are not reported as naming unknown rules.
func TestBrokenFileHasNoFollowOnErrors(t *testing.T) {
	var tests strings.Builder
	tests.WriteString("tests:\n")
	for i := range 30 {
		fmt.Fprintf(&tests, "  - {name: t%d, as_of: 2026-11-01, card: {}, expect: {fires: [a]}}\n", i)
	}
	fsys := fstest.MapFS{
		"set/r.yaml":      {Data: []byte("bands: [{min: 0, level: low, outcome: pass}]\nrules:\n  - id: a\n    when: valid\n\toutcome: pass\n")},
		"set/r_test.yaml": {Data: []byte(tests.String())},
	}
	_, err := rules.LoadFS(fsys, "set/r.yaml")
	l := rules.AsList(err)
	require.Len(t, l, 1, "%v", err)
	require.Equal(t, "set/r.yaml:5:1: [yaml_syntax] a tab cannot indent YAML: indent with spaces", l[0].Error())

	// fixed, the tests are checked again
	fsys["set/r.yaml"] = &fstest.MapFile{Data: []byte("rules:\n  - id: b\n    when: valid\n    outcome: pass\n")}
	_, err = rules.LoadFS(fsys, "set/r.yaml")
	require.ErrorIs(t, err, rules.CodeBadTest)
}

// ../shared/cases/rules/nan-score and nan-band: NaN is a bad_number at its
// position.
func TestCasesNaN(t *testing.T) {
	for dir, want := range map[string]string{
		"nan-score": `testdata/cases/nan-score/rules.yaml:12:12: rule "flagged": [bad_number] score: .nan is not a finite number (NaN and infinities are not allowed)`,
		"nan-band":  `testdata/cases/nan-band/rules.yaml:5:11: [bad_number] min: .nan is not a finite number (NaN and infinities are not allowed)`,
	} {
		_, err := rules.Load("testdata/cases/" + dir)
		l := rules.AsList(err)
		require.Len(t, l, 1, "%v", err)
		require.Equal(t, want, l[0].Error())
	}
}

// Every spelling of NaN and the infinities, wherever a rule file gives a
// number.
func TestNaNAndInfinitiesAnywhere(t *testing.T) {
	places := map[string]string{
		"score":            "rules:\n  - {id: a, when: valid, outcome: pass, score: %s}\n",
		"band min":         "bands:\n  - {min: 0, level: low, outcome: pass}\n  - {min: %s, level: high, outcome: verify}\n",
		"param":            "params:\n  p: %s\n",
		"expect score":     "tests:\n  - {name: t, as_of: 2026-11-01, card: {}, expect: {score: %s}}\n",
		"expect score.min": "tests:\n  - {name: t, as_of: 2026-11-01, card: {}, expect: {score: {min: %s}}}\n",
		"expect score.max": "tests:\n  - {name: t, as_of: 2026-11-01, card: {}, expect: {score: {max: %s}}}\n",
		"card field":       "tests:\n  - {name: t, as_of: 2026-11-01, card: {alerts_30d: %s}, expect: {}}\n",
		"card list":        "tests:\n  - {name: t, as_of: 2026-11-01, card: {roaming: [{days_ago: %s}]}, expect: {}}\n",
	}
	for place, tmpl := range places {
		for _, v := range []string{".nan", ".NaN", ".NAN", ".inf", "-.inf", "+.Inf", ".INF", "!!float .nan", "1e400", "-1e999", "nan", "inf", "-Infinity"} {
			if (place == "param" || strings.HasPrefix(place, "card")) && !strings.HasPrefix(v, ".") && !strings.HasPrefix(v, "-.") && !strings.HasPrefix(v, "+.") && !strings.HasPrefix(v, "!!") {
				continue // a plain nan or 1e400 is a string there
			}
			src := fmt.Sprintf(tmpl, v)
			_, err := rules.Parse(rules.Source{Name: "f.yaml", Data: []byte(src)})
			require.ErrorIs(t, err, rules.CodeBadNumber, "%s %s: %v", place, v, err)
			var e *rules.Error
			for _, x := range rules.AsList(err) {
				if x.Code == rules.CodeBadNumber {
					e = x
				}
			}
			line := strings.Split(src, "\n")[e.Line-1]
			require.True(t, strings.HasPrefix(line[e.Column-1:], v), "%s %s: error at %v, not at the number", place, v, e.Pos)
		}
	}
	// finite numbers are fine
	_, err := rules.Parse(rules.Source{Name: "f.yaml", Data: []byte("params:\n  p: 1.5e3\nrules:\n  - {id: a, when: valid, outcome: pass, score: -1_0}\n")})
	require.NoError(t, err)
}
