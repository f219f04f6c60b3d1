package risk_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/rules"
)

// A record changed after Validate and Population.Add is scored on its new
// values: scoring does not trust the marks Validate and Add left in it
// (validated at as-of, the card's population entry) once the fields they
// depend on changed, in place or in a copy.
func TestRecordChangedAfterValidateAndAdd(t *testing.T) {
	rs, err := rules.Pack("default")
	require.NoError(t, err)
	eng, err := risk.Compile(rs)
	require.NoError(t, err)
	asOf := risk.Date(2026, 11, 1)
	day := asOf - 86400
	card := func(i int, holder string) *risk.Record {
		return &risk.Record{MSISDN: fmt.Sprintf("138001380%02d", i), Operator: "cmcc", Holder: holder,
			OpenedAt: risk.Date(2024, 3, 1), LastVoiceAt: day, LastSMSAt: day, LastDataAt: day}
	}
	// six cmcc cards on one ID: one-ID-five-cards fires for each
	pop := risk.NewPopulation()
	var recs []*risk.Record
	for i := range 6 {
		r := card(i, "h-many")
		require.NoError(t, r.Validate(asOf))
		pop.Add(r)
		recs = append(recs, r)
	}
	s := eng.NewScorer(risk.AsOfTime(asOf), risk.WithPopulation(pop))
	fired := func(r *risk.Record) []string {
		t.Helper()
		d, err := s.Score(r)
		require.NoError(t, err)
		var ids []string
		for _, h := range d.Hits {
			ids = append(ids, h.Rule)
		}
		return ids
	}
	require.Equal(t, []string{"multi_card_id"}, fired(recs[0]))

	// a copy given another holder is that holder's card: alone on its ID
	cp := *recs[0]
	cp.Holder = "h-alone"
	require.Empty(t, fired(&cp))
	require.Equal(t, 1, pop.Features(&cp).CardsOnOperator)
	require.Equal(t, []string{"multi_card_id"}, fired(recs[0]), "the original keeps its entry")

	// the same change in place
	recs[1].Holder = "h-alone"
	require.Empty(t, fired(recs[1]))

	// another operator: not counted with the five cmcc cards
	recs[2].Operator = "unicom"
	require.Empty(t, fired(recs[2]))

	// cancelled after Add: not a valid card, nothing fires
	recs[3].Status = "cancelled"
	require.Empty(t, fired(recs[3]))

	// a value Validate refuses, set after Validate: validated again, refused
	recs[4].Status = "closed"
	_, err = s.Score(recs[4])
	require.ErrorIs(t, err, risk.ErrInvalidRecord)
	require.ErrorContains(t, err, "status")

	// a number in another spelling: validated again, so normalised
	recs[5].MSISDN = "+86 138-0013-8005"
	d, err := s.Score(recs[5])
	require.NoError(t, err)
	require.Equal(t, "13800138005", d.MSISDN)

	// more roaming entries than the limit, appended after Validate
	r := card(7, "h-roam")
	require.NoError(t, r.Validate(asOf))
	for range risk.MaxRoaming + 1 {
		r.Roaming = append(r.Roaming, risk.Roaming{Region: "KH"})
	}
	_, err = s.Score(r)
	require.ErrorContains(t, err, "risk.MaxRoaming")

	// an unchanged record is not validated again: a field no mark
	// depends on, changed after Validate, is read as it is
	r = card(8, "h-ok")
	require.NoError(t, r.Validate(asOf))
	r.Alerts30d = 5
	require.Equal(t, []string{"frequent_alerts"}, fired(r))
}
