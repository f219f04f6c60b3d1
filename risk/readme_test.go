package risk_test

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/rules"
)

// The annotated examples of rules/README.md, in expr and in CEL, are
// working rule sets whose own tests pass.
func TestRulesREADMEExample(t *testing.T) {
	doc, err := os.ReadFile("../rules/README.md")
	require.NoError(t, err)
	s := string(doc)
	for _, name := range []string{"cards.yaml", "cards-cel.yaml"} {
		start := strings.Index(s, "```yaml\n# my-rules/"+name+"\n")
		require.GreaterOrEqual(t, start, 0, "annotated example %s not found", name)
		body := s[start+len("```yaml\n"):]
		body = body[:strings.Index(body, "```")]
		rs, err := rules.Parse(rules.Source{Name: name, Data: []byte(body)})
		require.NoError(t, err)
		rep, err := risk.RunTests(rs)
		require.NoError(t, err, name)
		require.Equal(t, 2, rep.Passed)
		require.Zero(t, rep.Failed)
		require.Equal(t, rules.Shadow, rs.Rule("risky_roaming").Mode)
	}
}

// Every example of the side-by-side table compiles in its language.
func TestRulesREADMESideBySide(t *testing.T) {
	doc, err := os.ReadFile("../rules/README.md")
	require.NoError(t, err)
	rows := 0
	for _, line := range strings.Split(string(doc), "\n") {
		cells := strings.Split(strings.ReplaceAll(line, "\\|", "\x00"), " | ")
		if len(cells) != 3 || !strings.HasPrefix(cells[1], "`") || !strings.HasPrefix(cells[2], "`") {
			continue
		}
		rows++
		for i, lang := range []string{"expr", "cel"} {
			code := strings.ReplaceAll(strings.Trim(strings.TrimSuffix(cells[i+1], " |"), "`"), "\x00", "|")
			when, reason := code, ""
			if strings.HasPrefix(code, "{") {
				when, reason = "valid", code
			}
			src := "language: " + lang + "\nparams: {dormant_days: 90, verify_hours: 24}\n" +
				"lists: {hot: {type: region, items: [KH]}, domestic_key_areas: {type: region, items: [\"350802\"]}, handler_businesses: [new]}\n" +
				"bands: [{min: 0, level: low, outcome: pass}]\nrules:\n  - id: r\n    when: " + strconvQuote(when) +
				"\n    outcome: pass\n    reason: " + strconvQuote(reason) + "\n"
			rs, err := rules.Parse(rules.Source{Name: lang + ".yaml", Data: []byte(src)})
			require.NoError(t, err, code)
			_, err = risk.Compile(rs)
			require.NoError(t, err, "%s: %s", lang, code)
		}
	}
	require.GreaterOrEqual(t, rows, 10)
}
