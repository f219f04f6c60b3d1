package rules_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/rules"
)

const head = "name: x\nversion: 1.0.0\nbands: [{min: 0, level: low, outcome: pass}]\n"

// Many files each under max_file_bytes (the attack: 12 × 4,194,000 bytes)
// are refused together by max_total_bytes on their sizes, before any is
// read: the files are sparse, so reading them would give zeros, not rules.
func TestMaxTotalBytesBeforeReading(t *testing.T) {
	dir := t.TempDir()
	for i := range 12 {
		f := filepath.Join(dir, fmt.Sprintf("r%02d.yaml", i))
		require.NoError(t, os.WriteFile(f, nil, 0o644))
		require.NoError(t, os.Truncate(f, 4_194_000))
	}
	rs, err := rules.Load(dir)
	e := requireLimit(t, err, "max_total_bytes", 16<<20)
	require.Equal(t, filepath.Join(dir, "r04.yaml"), e.File, "the file that crosses the limit")
	require.Empty(t, rs.Rules)
	require.Len(t, rules.AsList(err), 1, "no follow-on errors: %v", err)

	// the limit is overridable, and within it the same files are read
	ld := loader(t, rules.WithLimits(small("max_total_bytes", 13*4_194_000)))
	_, err = ld.Load(dir)
	require.NotErrorIs(t, err, rules.CodeTooLarge)

	// Parse counts the sources' lengths
	ld = loader(t, rules.WithLimits(small("max_total_bytes", 100)))
	src := []byte(head)
	_, err = ld.Parse(rules.Source{Name: "a.yaml", Data: src}, rules.Source{Name: "b.yaml", Data: src})
	e = requireLimit(t, err, "max_total_bytes", 100)
	require.Equal(t, "b.yaml", e.File)
}

func manyRules(from, n int) string {
	var b strings.Builder
	b.WriteString("rules:\n")
	for i := from; i < from+n; i++ {
		fmt.Fprintf(&b, "  - {id: r%d, when: 'valid && alerts_30d > %d', outcome: monitor}\n", i, i)
	}
	return b.String()
}

// max_rules counts the rules of all files: the first past it is the error,
// at its position, and later ones are not read.
func TestMaxRules(t *testing.T) {
	rs, err := rules.Parse(rules.Source{Name: "a.yaml", Data: []byte(head + manyRules(0, 5001))})
	e := requireLimit(t, err, "max_rules", 5000)
	require.Equal(t, 5004+1, e.Line, "at rule 5001")
	require.Len(t, rs.Rules, 5000)

	ld := loader(t, rules.WithLimits(small("max_rules", 3)))
	_, err = ld.Parse(rules.Source{Name: "a.yaml", Data: []byte(head + manyRules(0, 2))},
		rules.Source{Name: "b.yaml", Data: []byte(manyRules(2, 2))})
	e = requireLimit(t, err, "max_rules", 3)
	require.Equal(t, rules.Pos{File: "b.yaml", Line: 3, Column: 5}, e.Pos)
	require.Equal(t, "rule 4 of the rule set: over the limit max_rules=3", e.Msg)
}

// A rule file is one YAML document: a second one (attack cases docs,
// docs2) is a yaml_syntax error at its ---, not silently ignored; a broken
// trailing document is its syntax error. Empty trailing documents are fine.
func TestOneDocumentPerFile(t *testing.T) {
	_, err := rules.Load("testdata/attack13/docs/rules.yaml")
	require.ErrorIs(t, err, rules.CodeSyntax)
	l := rules.AsList(err)
	require.Len(t, l, 1)
	require.Equal(t, 8, l[0].Line)
	require.Contains(t, l[0].Msg, "one YAML document")

	_, err = rules.Load("testdata/attack13/docs2/rules.yaml")
	require.ErrorIs(t, err, rules.CodeSyntax)
	require.Equal(t, 9, rules.AsList(err)[0].Line, "the first non-empty document after the first")

	base := head + "rules:\n  - {id: a, when: valid, outcome: monitor}\n"
	_, err = rules.Parse(rules.Source{Name: "r.yaml", Data: []byte(base + "--- [1, 2\n")})
	require.ErrorIs(t, err, rules.CodeSyntax)

	for _, tail := range []string{"---\n", "...\n", "---\n# nothing\n...\n", "--- \n---\n"} {
		rs, err := rules.Parse(rules.Source{Name: "r.yaml", Data: []byte(base + tail)})
		require.NoError(t, err, "%q", tail)
		require.Len(t, rs.Rules, 1)
	}
}

// A plain scalar written as a number that no float64 or int64 holds is
// bad_number wherever it is (attack case nan3: a parameter, test cards at
// any depth); quoted, it is a string.
func TestNumbersTooLargeAreBadNumber(t *testing.T) {
	_, err := rules.Load("testdata/attack13/nan3/rules.yaml")
	var lines []int
	for _, e := range rules.AsList(err) {
		if e.Code == rules.CodeBadNumber {
			lines = append(lines, e.Line)
		}
	}
	require.Equal(t, []int{4, 14, 18}, lines, "%v", err)

	for _, v := range []string{"1e999", "-1e400", "+1e400", "1_0e999", "0xFFFFFFFFFFFFFFFFFF", "18446744073709551615", ".NaN", "-.INF", "1" + strings.Repeat("0", 400)} {
		for where, src := range map[string]string{
			"param":     "params: {big: %s}\n",
			"list item": "lists: {l: [a, %s]}\n",
			"deep card": "tests: [{name: t, as_of: 2026-11-01, card: {roaming: [{region: KH, last_seen: %s}]}, expect: {fires: [a]}}]\n",
			"unknown":   "zzz: {a: [%s]}\n",
			"title":     "rules: [{id: b, title: %s, when: valid, outcome: pass}]\n",
		} {
			data := head + "rules: [{id: a, when: valid, outcome: pass}]\n"
			if where == "title" {
				data = head
			}
			data += fmt.Sprintf(src, v)
			_, err := rules.Parse(rules.Source{Name: "r.yaml", Data: []byte(data)})
			require.ErrorIs(t, err, rules.CodeBadNumber, "%s %s", where, v)
			n := 0
			for _, e := range rules.AsList(err) {
				if e.Code == rules.CodeBadNumber {
					n++
					require.Contains(t, e.Msg, "is not a finite number")
				}
			}
			require.Equal(t, 1, n, "reported once: %v", err)
		}
	}
	rs, err := rules.Parse(rules.Source{Name: "r.yaml", Data: []byte(head +
		"params: {big: '1e999', n: 1_000, h: 0x1F, f: 1e300}\nrules: [{id: a, when: valid, outcome: pass}]\n")})
	require.NoError(t, err)
	require.Equal(t, "1e999", rs.Param("big").Value)
	require.Equal(t, int64(1000), rs.Param("n").Value)
	require.Equal(t, int64(31), rs.Param("h").Value)
}

// Every short text is bounded by max_text_bytes, at its position (attack
// case bigtag: tags and a title of 1 MB, which became each decision's
// reason and tags); descriptions by max_reason_bytes.
func TestMaxTextBytes(t *testing.T) {
	long := strings.Repeat("a", 1025)
	for where, src := range map[string]string{
		"tag":         "rules: [{id: a, when: valid, outcome: pass, tags: [ok, %s]}]\n",
		"title":       "rules: [{id: a, when: valid, outcome: pass, title: %s}]\n",
		"title en":    "rules: [{id: a, when: valid, outcome: pass, title: {zh: ok, en: %s}}]\n",
		"id":          "rules: [{id: %s, when: valid, outcome: pass}]\n",
		"list item":   "lists: {l: [a, %s]}\nrules: [{id: a, when: valid, outcome: pass}]\n",
		"param":       "params: {p: %s}\nrules: [{id: a, when: valid, outcome: pass}]\n",
		"param name":  "params:\n  ? %s\n  : 1\nrules: [{id: a, when: valid, outcome: pass}]\n",
		"unknown key": "? %s\n: 1\nrules: [{id: a, when: valid, outcome: pass}]\n",
		"card value":  "rules: [{id: a, when: valid, outcome: pass}]\ntests: [{name: t, as_of: 2026-11-01, card: {mvno: %s}, expect: {fires: [a]}}]\n",
		"test name":   "rules: [{id: a, when: valid, outcome: pass}]\ntests: [{name: %s, as_of: 2026-11-01, card: {}, expect: {fires: [a]}}]\n",
	} {
		_, err := rules.Parse(rules.Source{Name: "r.yaml", Data: []byte(head + fmt.Sprintf(src, long))})
		require.ErrorIs(t, err, rules.CodeTooLarge, where)
		e := requireLimit(t, err, "max_text_bytes", 1024)
		require.Positive(t, e.Line, where)
		require.Less(t, len(e.Error()), 400, "the message does not quote the text")

		ld := loader(t, rules.WithLimits(small("max_text_bytes", 2000)))
		_, err = ld.Parse(rules.Source{Name: "r.yaml", Data: []byte(head + fmt.Sprintf(src, long))})
		require.NotErrorIs(t, err, rules.CodeTooLarge, where)
	}
	_, err := rules.Parse(rules.Source{Name: "r.yaml", Data: []byte(head +
		"rules: [{id: a, when: valid, outcome: pass, description: " + strings.Repeat("d", 2049) + "}]\n")})
	requireLimit(t, err, "max_reason_bytes", 2048)
}
