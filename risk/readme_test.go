package risk_test

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/rules"
)

// The annotated example of rules/README.md is a working rule set whose own
// tests pass.
func TestRulesREADMEExample(t *testing.T) {
	doc, err := os.ReadFile("../rules/README.md")
	require.NoError(t, err)
	s := string(doc)
	start := strings.Index(s, "```yaml\n# my-rules/cards.yaml\n")
	require.GreaterOrEqual(t, start, 0, "annotated example not found")
	body := s[start+len("```yaml\n"):]
	body = body[:strings.Index(body, "```")]
	rs, err := rules.Parse(rules.Source{Name: "cards.yaml", Data: []byte(body)})
	require.NoError(t, err)
	rep, err := risk.RunTests(rs)
	require.NoError(t, err)
	require.Equal(t, 2, rep.Passed)
	require.Zero(t, rep.Failed)
	require.Equal(t, rules.Shadow, rs.Rule("risky_roaming").Mode)
}
