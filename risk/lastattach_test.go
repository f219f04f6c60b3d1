package risk_test

import (
	"encoding/json"
	"fmt"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/rules"
)

// last_attach_at, added to the vocabulary table alone, is read from JSON
// (both decoders), validated like every date, seen by conditions and
// reasons in both languages on both evaluators, with its derived
// days_since_last_attach, and documented in rules/README.md and the
// records' JSON Schema. (CSV: datasets' TestLastAttachAtCSV.)
func TestLastAttachAtReadableEverywhere(t *testing.T) {
	src := `{"msisdn":"13800138000","opened_at":"2024-03-01","last_attach_at":"2026-10-30"}`
	var r risk.Record
	require.NoError(t, r.UnmarshalJSON([]byte(src)))
	require.Equal(t, risk.Date(2026, 10, 30), r.LastAttachAt)
	var viaStd risk.Record
	require.NoError(t, json.Unmarshal([]byte(src), &viaStd))
	require.Equal(t, r.LastAttachAt, viaStd.LastAttachAt)
	require.Contains(t, string(r.AppendJSON(nil)), `"last_attach_at":"2026-10-30"`)

	var bad risk.Record
	require.ErrorContains(t, bad.UnmarshalJSON([]byte(`{"msisdn":"13800138000","last_attach_at":5}`)), "last_attach_at: want a string")
	late := r
	late.LastAttachAt = asOf + 86400
	require.ErrorContains(t, late.Validate(asOf), "last_attach_at: ")

	for _, lang := range []string{"expr", "cel"} {
		for _, ref := range []bool{false, true} {
			rule := fmt.Sprintf("language: %s\nbands: [{min: 0, level: low, outcome: pass}]\nrules:\n"+
				"  - {id: a, when: 'last_attach_at == %d && days_since_last_attach == 2', outcome: monitor, reason: 'attached {days_since_last_attach} days ago, at {last_attach_at}'}\n"+
				"  - {id: never, when: 'days_since_last_attach == never', outcome: monitor}\n",
				lang, int64(risk.Date(2026, 10, 30)))
			rs, err := rules.Parse(rules.Source{Name: "a.yaml", Data: []byte(rule)})
			require.NoError(t, err)
			var opts []risk.CompileOption
			if ref {
				opts = append(opts, risk.WithReferenceEvaluator())
			}
			eng, err := risk.Compile(rs, opts...)
			require.NoError(t, err)
			d, err := eng.Score(&r, risk.AsOfTime(asOf))
			require.NoError(t, err)
			require.Len(t, d.Hits, 1, "%s reference=%v", lang, ref)
			require.Equal(t, fmt.Sprintf("attached 2 days ago, at %d", int64(risk.Date(2026, 10, 30))), d.Hits[0].Reason)

			none := risk.Record{MSISDN: "13800138000", OpenedAt: risk.Date(2024, 3, 1)}
			d, err = eng.Score(&none, risk.AsOfTime(asOf))
			require.NoError(t, err)
			require.Len(t, d.Hits, 1)
			require.Equal(t, "never", d.Hits[0].Rule, "%s reference=%v", lang, ref)
		}
	}

	readme, err := os.ReadFile("../rules/README.md")
	require.NoError(t, err)
	require.Contains(t, string(readme), "| `last_attach_at` | int |")
	require.Contains(t, string(readme), "| `days_since_last_attach` | int |")
	schema, err := os.ReadFile("record.schema.json")
	require.NoError(t, err)
	var s struct {
		Properties map[string]struct{ Type any } `json:"properties"`
	}
	require.NoError(t, json.Unmarshal(schema, &s))
	require.Contains(t, s.Properties, "last_attach_at")
	var names []string
	for _, term := range risk.Vocabulary() {
		names = append(names, term.Name)
	}
	require.Contains(t, names, "last_attach_at")
	require.Contains(t, names, "days_since_last_attach")
}
