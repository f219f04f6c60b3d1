package rules_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"io/fs"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/simrisk/simrisk/rules"
)

var update = flag.Bool("update", false, "rewrite rules/schema.json")

// rules/schema.json is what rules.Schema generates from the Go types; run
// go test ./rules -run TestSchemaUpToDate -update after changing them.
func TestSchemaUpToDate(t *testing.T) {
	got := rules.Schema()
	if *update {
		require.NoError(t, os.WriteFile("schema.json", got, 0o644))
	}
	want, err := os.ReadFile("schema.json")
	require.NoError(t, err)
	require.Equal(t, string(want), string(got), "rules/schema.json is stale: go test ./rules -run TestSchemaUpToDate -update")
}

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	var doc any
	require.NoError(t, json.Unmarshal(rules.Schema(), &doc))
	c := jsonschema.NewCompiler()
	require.NoError(t, c.AddResource("schema.json", doc))
	s, err := c.Compile("schema.json")
	require.NoError(t, err)
	return s
}

// yamlValue decodes YAML as JSON would see it (dates stay text).
func yamlValue(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	require.NoError(t, yaml.Unmarshal(b, &v))
	var fix func(any) any
	fix = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				x[k] = fix(e)
			}
		case []any:
			for i, e := range x {
				x[i] = fix(e)
			}
		case time.Time:
			return x.Format("2006-01-02")
		case int:
			return json.Number(strings.TrimSpace(string(must(json.Marshal(x)))))
		}
		return v
	}
	return fix(v)
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

// The schema accepts every file of the embedded packs and the README's
// examples' shapes, and rejects broken files with the reason.
func TestSchemaValidates(t *testing.T) {
	s := compileSchema(t)
	n := 0
	require.NoError(t, fs.WalkDir(rules.PacksFS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yaml") {
			return err
		}
		b, err := fs.ReadFile(rules.PacksFS(), p)
		require.NoError(t, err)
		require.NoError(t, s.Validate(yamlValue(t, b)), p)
		n++
		return nil
	}))
	require.Equal(t, 4, n)

	for _, c := range []struct{ src, want string }{
		{"rules: [{id: r, when: valid}]", "missing property 'outcome'"},
		{"rules: [{id: r, when: valid, outcome: maybe}]", "at '/rules/0/outcome': value must be one of"},
		{"rules: [{id: r, when: valid, outcome: pass, colour: red}]", "'colour'"},
		{"rules: [{id: R!, when: valid, outcome: pass}]", "at '/rules/0/id'"},
		{"rules: [{id: r, when: valid, outcome: pass, score: 500}]", "at '/rules/0/score'"},
		{"rules: [{id: r, when: valid, outcome: pass, title: {fr: non}}]", "at '/rules/0/title'"},
		{"bands: [{min: 0, level: huge, outcome: pass}]", "at '/bands/0/level'"},
		{"lists: {hot: {type: colour, items: [a]}}", "at '/lists/hot'"},
		{"params: {Bad-Name: 1}", "Bad-Name"},
		{"tests: [{name: t, as_of: 2026-11-01, card: {}, expect: {score: {least: 1}}}]", "at '/tests/0/expect/score'"},
	} {
		err := s.Validate(yamlValue(t, []byte(c.src)))
		require.Error(t, err, c.src)
		var buf bytes.Buffer
		buf.WriteString(err.Error())
		require.Contains(t, buf.String(), c.want, c.src)
	}
}

// Every key the schema lists is one the loader accepts: a file using all of
// them loads without an unknown-key error.
func TestSchemaMatchesLoader(t *testing.T) {
	src := `
name: all
version: "1"
description: every key
language: expr
params: {n: 1, s: text, b: true}
lists:
  short: [a, b]
  long: {type: region, description: d, items: [KH]}
macros:
  m1: valid
  m2: {when: valid, description: d}
bands: [{min: 0, level: low, outcome: pass}]
rules:
  - id: r
    title: {zh: 中, en: en}
    description: d
    tags: [x]
    language: expr
    when: m1 && m2
    score: 1
    outcome: pass
    reason: {zh: "中 {complaints}", en: "en"}
    enabled: true
    mode: enforce
tests:
  - name: t
    as_of: 2026-11-01
    card: {}
    others: [{}]
    expect: {fires: [r], not_fires: [], outcome: pass, level: low, score: {min: 0, max: 5}}
`
	require.NoError(t, compileSchema(t).Validate(yamlValue(t, []byte(src))))
	_, err := rules.Parse(rules.Source{Name: "all.yaml", Data: []byte(src)})
	require.NoError(t, err)
	// and the schema's property lists cover the loader's keys: a key the
	// schema lacks would fail the validation above or here
	var doc map[string]any
	require.NoError(t, json.Unmarshal(rules.Schema(), &doc))
	props := doc["properties"].(map[string]any)
	for _, k := range []string{"name", "version", "description", "language", "params", "lists", "macros", "bands", "rules", "tests"} {
		require.Contains(t, props, k)
	}
}
