package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// A failing rule test quotes the rule's reason in the command's language
// (--lang, else SIMRISK_LANG), not the rule file's first language.
func TestTestFailureReasonInCommandLanguage(t *testing.T) {
	p := filepath.Join(t.TempDir(), "t.yaml")
	require.NoError(t, os.WriteFile(p, []byte(`bands: [{min: 0, level: low, outcome: pass}]
rules:
  - {id: alerts, when: alerts_30d >= 3, score: 30, outcome: monitor, reason: {zh: "预警 {alerts_30d} 次", en: "{alerts_30d} alerts"}}
tests:
  - {name: wrong, as_of: 2026-11-01, card: {alerts_30d: 3}, expect: {not_fires: [alerts]}}
`), 0o600))
	code, out, _ := runCLI("test", p) // SIMRISK_LANG=en (TestMain)
	require.Equal(t, 1, code)
	require.Contains(t, out, `rule "alerts" fired, want it silent: 3 alerts`)
	require.NotContains(t, out, "预警")
	_, out, _ = runCLI("test", "--lang", "en", p)
	require.Contains(t, out, "want it silent: 3 alerts")
	_, out, _ = runCLI("test", "--lang", "zh", p)
	require.Contains(t, out, "：预警 3 次")
}
