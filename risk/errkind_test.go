package risk_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/risk"
)

// A rule's run-time error says what kind of value failed, by the
// evaluator's error type where it gives one, and never quotes the card
// (the holder key h-7f3a here).
func TestRunTimeErrorKinds(t *testing.T) {
	cases := []struct{ lang, src, want string }{
		{"expr", `date(holder).Year() > 0`, "cannot be parsed as a date"},
		{"expr", `date("2024-03-03T10:00:00").Year() > 0`, "cannot be parsed as a date"},
		{"expr", `duration(holder) > duration("1h")`, "cannot be parsed as a duration"},
		{"expr", `fromJSON(holder) != nil`, "cannot be parsed as JSON"},
		{"expr", `holder matches ("(" + holder)`, "pattern that cannot be compiled"},
		{"cel", `timestamp(holder) > timestamp(0)`, "cannot be parsed as a date"},
		{"cel", `holder.matches("(" + holder)`, "pattern that cannot be compiled"},
	}
	for _, c := range cases {
		src := "rules:\n  - {id: r, when: '" + c.src + "', outcome: monitor, score: 1}\n" + bands
		if !strings.Contains(c.src, "holder") { // a reason may not read the holder
			src = "rules:\n  - {id: r, when: '" + c.src + "', outcome: monitor, score: 1}\n  - {id: s, when: 'true', outcome: monitor, score: 1, reason: '{" + c.src + "}'}\n" + bands
		}
		if c.lang == "cel" {
			src = "language: cel\n" + src
		}
		eng, err := compileSrc(t, src)
		require.NoError(t, err, c.src)
		rec := card()
		rec.Holder = "h-7f3a"
		d, err := eng.Score(rec, risk.AsOfTime(asOf))
		require.NoError(t, err)
		want := 1
		if !strings.Contains(c.src, "holder") {
			want = 2 // the condition's and the reason's
		}
		require.Len(t, d.Errors, want, c.src)
		for _, e := range d.Errors {
			require.Contains(t, e.Message, c.want, c.src)
			require.NotContains(t, e.Message, "h-7f3a")
		}
	}
}
