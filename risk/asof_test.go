package risk_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/risk"
)

// The as-of range is 1980-01-01 to the last second of 9999 in China
// Standard Time, bounds included; outside, the error names both limits.
func TestCheckAsOf(t *testing.T) {
	require.Equal(t, risk.Date(1980, 1, 1), risk.MinAsOf)
	require.Equal(t, risk.Date(9999, 12, 31)+86399, risk.MaxAsOf)
	for _, at := range []risk.Time{risk.MinAsOf, risk.MaxAsOf, risk.Date(2026, 11, 1)} {
		require.NoError(t, risk.CheckAsOf(at), "%d", at)
	}
	for at, shown := range map[risk.Time]string{
		risk.MinAsOf - 1: "1979-12-31T23:59:59+08:00",
		risk.MaxAsOf + 1: "10000-01-01T00:00:00+08:00",
		0:                "1970-01-01T08:00:00+08:00",
	} {
		err := risk.CheckAsOf(at)
		require.ErrorIs(t, err, risk.ErrAsOfRange)
		require.EqualError(t, err, "as-of time out of range: "+shown+
			" is outside 1980-01-01T00:00:00+08:00 .. 9999-12-31T23:59:59+08:00 (risk.MinAsOf .. risk.MaxAsOf)")
	}
}

func ExampleCheckAsOf() {
	fmt.Println(risk.CheckAsOf(risk.Date(2026, 11, 1)))
	err := risk.CheckAsOf(risk.Date(1979, 12, 31))
	fmt.Println(errors.Is(err, risk.ErrAsOfRange))
	fmt.Println(err)
	// Output:
	// <nil>
	// true
	// as-of time out of range: 1979-12-31T00:00:00+08:00 is outside 1980-01-01T00:00:00+08:00 .. 9999-12-31T23:59:59+08:00 (risk.MinAsOf .. risk.MaxAsOf)
}

// The engine's scoring entry points refuse an as-of time out of range on
// every card, even one validated earlier at a time in range (it was scored
// as if the dates were judged at, say, the year 12026); in range, scoring
// goes on.
func TestScoringRefusesAsOfOutOfRange(t *testing.T) {
	eng := defaultEngine(t)
	r := &risk.Record{MSISDN: "13800138000", OpenedAt: risk.Date(2024, 3, 1), LastVoiceAt: risk.Date(2026, 10, 30)}
	require.NoError(t, r.Validate(risk.Date(2026, 11, 1)))
	for _, at := range []risk.Time{risk.MaxAsOf + 1, risk.MaxAsOf + 86400*365*10000, risk.MinAsOf - 1} {
		_, err := eng.Score(r, risk.AsOfTime(at))
		require.ErrorIs(t, err, risk.ErrAsOfRange, "%d", at)
		var d risk.Decision
		require.ErrorIs(t, eng.NewScorer(risk.AsOfTime(at)).ScoreInto(r, &d), risk.ErrAsOfRange)
		res := eng.ScoreBatch(t.Context(), []*risk.Record{r, r}, risk.AsOfTime(at))
		require.Len(t, res, 2)
		for _, x := range res {
			require.ErrorIs(t, x.Err, risk.ErrAsOfRange)
			require.Nil(t, x.Decision)
		}
	}
	for _, at := range []risk.Time{risk.MaxAsOf, risk.Date(2026, 11, 1)} {
		d, err := eng.Score(r, risk.AsOfTime(at))
		require.NoError(t, err)
		require.Equal(t, at, d.AsOf)
	}
}
