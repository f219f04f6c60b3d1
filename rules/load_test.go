package rules_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/rules"
)

const minimal = `
name: t
version: "1"
bands:
  - {min: 0, level: low, outcome: pass}
rules:
  - id: r1
    when: valid
    outcome: monitor
`

func parse(t *testing.T, src string) (*rules.RuleSet, rules.ErrorList) {
	t.Helper()
	rs, err := rules.Parse(rules.Source{Name: "f.yaml", Data: []byte(src)})
	return rs, rules.AsList(err)
}

func TestParseMinimal(t *testing.T) {
	rs, errs := parse(t, minimal)
	require.Empty(t, errs)
	require.Equal(t, "t", rs.Name)
	require.Equal(t, "expr", rs.Language)
	require.Len(t, rs.Rules, 1)
	r := rs.Rule("r1")
	require.NotNil(t, r)
	require.Equal(t, rules.Monitor, r.Outcome)
	require.True(t, r.Enabled)
	require.Equal(t, rules.Enforce, r.Mode)
	require.Equal(t, rules.Pos{File: "f.yaml", Line: 7, Column: 9}, r.Pos)
	require.Equal(t, rules.Pos{File: "f.yaml", Line: 8, Column: 11}, r.When.Pos)
	require.Regexp(t, `^sha256:[0-9a-f]{32}$`, rs.Digest)
}

// Each bad file gives exactly these errors, in order.
func TestParseErrors(t *testing.T) {
	cases := []struct {
		name, src string
		want      []string
	}{
		{"unknown key", "rules:\n  - id: a\n    when: valid\n    outcome: pass\n    colour: red\n",
			[]string{`f.yaml:5:5: rule "a": [unknown_key] unknown key "colour"`}},
		{"unknown top-level key", "rulez: []\n",
			[]string{`f.yaml:1:1: [unknown_key] unknown key "rulez": did you mean "rules"?`}},
		{"missing when and outcome", "rules:\n  - id: a\n",
			[]string{`f.yaml:2:5: rule "a": [missing_key] rule has no when condition`,
				`f.yaml:2:5: rule "a": [missing_key] rule has no outcome`}},
		{"bad outcome, mode, score", "rules:\n  - id: a\n    when: valid\n    outcome: ban\n    mode: dry\n    score: high\n",
			[]string{`f.yaml:4:14: rule "a": [bad_outcome] unknown outcome "ban" (want pass, monitor, verify, restrict or suspend)`,
				`f.yaml:5:11: rule "a": [bad_mode] unknown mode "dry" (want enforce or shadow)`,
				`f.yaml:6:12: rule "a": [bad_value] score: want a number, got a string`}},
		{"duplicate id", "rules:\n  - {id: a, when: valid, outcome: pass}\n  - {id: a, when: valid, outcome: pass}\n",
			[]string{`f.yaml:3:10: rule "a": [duplicate] rule id "a" is already used at f.yaml:2:10`}},
		{"duplicate key", "rules:\n  - id: a\n    when: valid\n    when: valid\n    outcome: pass\n",
			[]string{`f.yaml:4:5: rule "a": [duplicate] key "when" appears twice`}},
		{"bad language", "language: lua\n",
			[]string{`f.yaml:1:11: [bad_language] unknown expression language "lua" (want expr or cel)`}},
		{"bad region", "lists:\n  l: {type: region, items: [KH, Cambodia]}\n",
			[]string{`f.yaml:2:33: [bad_region] list "l": "Cambodia" is not a region code (ISO 3166 alpha-2 like KH, or a 6-digit GB/T 2260 code like 350802)`}},
		{"band not from 0", "bands:\n  - {min: 10, level: low, outcome: pass}\n",
			[]string{`f.yaml:2:3: [bad_value] the lowest band must start at min 0, so every score has a level`}},
		{"param without value", "params:\n  x:\n",
			[]string{`f.yaml:2:5: [bad_value] parameter "x" has no value`}},
		{"yaml syntax", "rules:\n  - id: a\n    when: \"x\n",
			[]string{`f.yaml:3:5: [yaml_syntax] found unexpected end of stream`}},
		{"test naming an unknown rule", "tests:\n  - name: t1\n    as_of: 2026-11-01\n    card: {}\n    expect: {fires: [nope]}\n",
			[]string{`f.yaml:5:13: rule "t1": [bad_test] test expects rule "nope", which the rule set does not have`}},
		{"test without card", "tests:\n  - name: t1\n    as_of: 2026-11-01\n    expect: {}\n",
			[]string{`f.yaml:2:5: rule "t1": [missing_key] test case has no card`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, errs := parse(t, c.src)
			var got []string
			for _, e := range errs {
				got = append(got, e.Error())
			}
			require.Equal(t, c.want, got)
		})
	}
}

func TestErrorsMatchCodes(t *testing.T) {
	_, err := rules.Parse(rules.Source{Name: "f.yaml", Data: []byte("rules:\n  - id: a\n    when: valid\n    outcome: ban\n")})
	require.Error(t, err)
	require.True(t, errors.Is(err, rules.CodeBadOutcome))
	require.False(t, errors.Is(err, rules.CodeUnknownKey))
	var e *rules.Error
	require.True(t, errors.As(err, &e))
	require.Equal(t, "a", e.Rule)
	require.Equal(t, "outcome", e.Field)
	require.Contains(t, e.Snippet, "outcome: ban\n             ^")
}

// Every problem of a load is reported, up to the cap, then one marker.
func TestErrorCap(t *testing.T) {
	var b strings.Builder
	b.WriteString("rules:\n")
	for i := 0; i < 30; i++ {
		fmt.Fprintf(&b, "  - {id: r%d, when: valid, outcome: nope}\n", i)
	}
	_, errs := parse(t, b.String())
	require.Len(t, errs, rules.MaxErrors+1)
	require.Equal(t, rules.CodeTooManyErrors, errs[rules.MaxErrors].Code)
	require.Contains(t, errs[rules.MaxErrors].Msg, "10 more errors")
}

func TestExprPositions(t *testing.T) {
	src := "rules:\n" +
		"  - id: plain\n    when: valid && x\n    outcome: pass\n" +
		"  - id: dq\n    when: \"valid && \\\"a\\\" == x\"\n    outcome: pass\n" +
		"  - id: block\n    when: |\n      valid &&\n        x\n    outcome: pass\n" +
		"  - id: folded\n    when: >-\n      valid\n      && x\n    outcome: pass\n"
	rs, errs := parse(t, src)
	require.Empty(t, errs)
	at := func(id string) rules.Pos {
		e := rs.Rule(id).When
		return e.PosAt(strings.LastIndex(e.Src, "x"))
	}
	require.Equal(t, rules.Pos{File: "f.yaml", Line: 3, Column: 20}, at("plain"))
	require.Equal(t, rules.Pos{File: "f.yaml", Line: 6, Column: 30}, at("dq"))
	require.Equal(t, rules.Pos{File: "f.yaml", Line: 11, Column: 9}, at("block"))
	require.Equal(t, rules.Pos{File: "f.yaml", Line: 16, Column: 10}, at("folded"))
}

func TestLoadDirectoryAndSiblingTests(t *testing.T) {
	fsys := fstest.MapFS{
		"set/a.yaml":      {Data: []byte(minimal)},
		"set/b.yaml":      {Data: []byte("rules:\n  - {id: r2, when: valid, outcome: pass}\n")},
		"set/a_test.yaml": {Data: []byte("tests:\n  - {name: t, as_of: 2026-11-01, card: {}, expect: {fires: [r1]}}\n")},
		"set/notes.txt":   {Data: []byte("not a rule file")},
	}
	rs, err := rules.LoadFS(fsys, "set")
	require.NoError(t, err)
	require.Equal(t, []string{"set/a.yaml", "set/a_test.yaml", "set/b.yaml"}, rs.Files)
	require.Len(t, rs.Rules, 2)
	require.Len(t, rs.Tests, 1)

	// a single file brings its sibling _test file
	rs, err = rules.LoadFS(fsys, "set/a.yaml")
	require.NoError(t, err)
	require.Equal(t, []string{"set/a.yaml", "set/a_test.yaml"}, rs.Files)

	// ids are unique across the files of a set
	fsys["set/c.yaml"] = &fstest.MapFile{Data: []byte("rules:\n  - {id: r1, when: valid, outcome: pass}\n")}
	_, err = rules.LoadFS(fsys, "set")
	require.ErrorIs(t, err, rules.CodeDuplicate)
	require.Contains(t, err.Error(), `set/c.yaml:2:10: rule "r1": [duplicate] rule id "r1" is already used at set/a.yaml:7:9`)
}

func TestLoadFromDisk(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "x.yaml"), []byte(minimal), 0o644))
	rs, err := rules.Load(dir)
	require.NoError(t, err)
	require.Len(t, rs.Rules, 1)

	_, err = rules.Load(filepath.Join(dir, "missing.yaml"))
	require.ErrorIs(t, err, rules.CodeIO)

	// an empty directory (a reload after a deploy that left it empty) is
	// named in the error
	empty := filepath.Join(dir, "empty")
	require.NoError(t, os.Mkdir(empty, 0o755))
	_, err = rules.Load(empty)
	require.ErrorIs(t, err, rules.CodeIO)
	require.Contains(t, err.Error(), empty+": [io] no rule files (.yaml or .yml) in this directory")
}

func TestDefaultPack(t *testing.T) {
	require.Contains(t, rules.Packs(), "default")
	rs, err := rules.Pack("default")
	require.NoError(t, err)
	require.Equal(t, "default", rs.Name)
	// every category of domain.md has a rule tagged with exactly its name
	tags := map[string]bool{}
	for _, r := range rs.Rules {
		for _, tg := range r.Tags {
			tags[tg] = true
		}
		require.NotEmpty(t, r.Description, "rule %s has no description telling where it comes from", r.ID)
	}
	for _, c := range []string{"fraud_involved", "multi_card_id", "dormant", "high_fraud_region", "frequent_alerts",
		"verification_overdue", "iot_handler_check", "iot_nondirected_data", "iot_149_nondirected", "iot_149_directed",
		"recycled_short_freeze", "recycled_bound_accounts"} {
		require.True(t, tags[c], "no rule tagged %s", c)
	}
	// every rule has a test where it fires and one where it stays silent
	fires, silent := map[string]bool{}, map[string]bool{}
	for _, tc := range rs.Tests {
		for _, id := range tc.Expect.Fires {
			fires[id] = true
		}
		for _, id := range tc.Expect.NotFires {
			silent[id] = true
		}
	}
	for _, r := range rs.Rules {
		if !r.Enabled {
			continue
		}
		require.True(t, fires[r.ID] || r.ID == "multi_card_id_total", "rule %s has no firing test", r.ID)
		require.True(t, silent[r.ID], "rule %s has no silent test", r.ID)
	}
	_, err = rules.Pack("nope")
	require.Error(t, err)
}
