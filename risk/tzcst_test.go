package risk_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/rules"
)

// Every time a rule sees is in CST, whatever zone a text names and
// whatever the machine's (testdata/attack13/tz1, tz2, tz3): hours and days
// of texts with Z or another offset, "Local" zone names, CEL parts of a dyn
// timestamp, and times printed in reasons.
func TestTimesOfDayInCST(t *testing.T) {
	rec := card()
	rec.OpenedAt = risk.Date(2024, 3, 3) + 10*3600 // 10:00 CST
	exprRules := `
rules:
  - {id: z_day, when: 'date("2024-03-03T20:00:00Z").Day() == 4', outcome: monitor, score: 1}
  - {id: z_hour, when: 'date("2024-03-03T10:00:00Z").Hour() == 18', outcome: monitor, score: 1}
  - {id: plus5, when: 'date("2024-03-03T10:00:00+05:00").Hour() == 13', outcome: monitor, score: 1}
  - {id: layout_zone, when: 'date("2024-03-03 10:00 +0000", "2006-01-02 15:04 -0700").Hour() == 18', outcome: monitor, score: 1}
  - {id: named_zone, when: 'date("10:00", "15:04", "UTC").Hour() == 18', outcome: monitor, score: 1}
  - {id: local_zone, when: 'date(opened_at).In(timezone("Local")).Hour() == 10', outcome: monitor, score: 1}
  - {id: printed, when: 'true', outcome: monitor, score: 1, reason: 'opened {date(opened_at)}'}
` + bands
	eng, err := compileSrc(t, exprRules)
	require.NoError(t, err)
	d, err := eng.Score(rec, risk.AsOfTime(asOf))
	require.NoError(t, err)
	require.Empty(t, d.Errors)
	for _, id := range []string{"z_day", "z_hour", "plus5", "layout_zone", "named_zone", "local_zone"} {
		require.True(t, d.Fired(id), id)
	}
	require.Equal(t, "opened 2024-03-03T10:00:00+08:00", d.Hits[len(d.Hits)-1].Reason)

	_, err = compileSrc(t, "rules:\n  - {id: l, when: 'date(opened_at).Local().Hour() == 10', outcome: monitor, score: 1}\n"+bands)
	require.ErrorIs(t, err, rules.CodeType)
	e := rules.AsList(err)[0]
	require.Contains(t, e.Msg, "drop .Local()")
	require.Equal(t, 2, e.Pos.Line)

	celRules := `
language: cel
rules:
  - {id: dyn, when: 'dyn(timestamp(opened_at)).getHours() == 10', outcome: monitor, score: 1}
  - {id: local, when: 'timestamp(opened_at).getHours("Local") == 10', outcome: monitor, score: 1}
  - {id: listed, when: '[timestamp(opened_at)].exists(t, t.getHours() == 10)', outcome: monitor, score: 1}
  - {id: printed, when: 'true', outcome: monitor, score: 1, reason: '{timestamp(opened_at)} and {string(timestamp(opened_at))}'}
` + bands
	eng, err = compileSrc(t, celRules)
	require.NoError(t, err)
	d, err = eng.Score(rec, risk.AsOfTime(asOf))
	require.NoError(t, err)
	require.Empty(t, d.Errors)
	for _, id := range []string{"dyn", "local", "listed"} {
		require.True(t, d.Fired(id), id)
	}
	require.Equal(t, "2024-03-03T10:00:00+08:00 and 2024-03-03T10:00:00+08:00", d.Hits[len(d.Hits)-1].Reason)
}
