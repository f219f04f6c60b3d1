package risk_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/datasets"
	"github.com/simrisk/simrisk/risk"
)

// TestMarkValidSameAsValidate: on every record Validate finds valid,
// markValid (the scoring pass's mark for a record its population pass
// validated) leaves the record exactly as Validate does (canonical
// number, segment, derived operator and kind, the mark), so that scoring
// decides the same; on a record it declines, Validate is what runs.
func TestMarkValidSameAsValidate(t *testing.T) {
	asOf := risk.Date(2026, 11, 1)
	recs := datasets.Generate(datasets.GenOptions{Cards: 3000, Seed: 9, AsOf: asOf})
	opened := risk.Date(2024, 1, 2)
	for _, r := range []risk.Record{
		{MSISDN: "+86 138 0013 8000", OpenedAt: opened, Holder: "hk-1"},
		{MSISDN: "１３８００１３８０００", OpenedAt: opened},
		{MSISDN: "13800138000", Operator: "unicom", Kind: "data_card", OpenedAt: opened},
		{MSISDN: "19990138000", Operator: "cmcc", OpenedAt: opened},   // a segment the table may not know
		{MSISDN: "1999013800012", Operator: "cmcc", OpenedAt: opened}, // 13 digits
		{MSISDN: "10000138000", OpenedAt: opened},                     // no segment, no operator
		{MSISDN: "13800138000"}, // no opened_at
		{MSISDN: "", OpenedAt: opened},
		{MSISDN: "12", OpenedAt: opened},
		{MSISDN: "13800138000", OpenedAt: opened, Roaming: make([]risk.Roaming, risk.MaxRoaming+1)},
		{MSISDN: "13800138000", OpenedAt: opened, LinkedPlatforms: []string{string(make([]byte, risk.MaxTextBytes+1))}},
	} {
		recs = append(recs, &r)
	}
	valid := 0
	for _, r := range recs {
		byValidate, byMark := *r, *r
		err := byValidate.Validate(asOf)
		ok := risk.MarkValid(&byMark, asOf)
		if err == nil {
			valid++
			require.True(t, ok, "valid, declined: %+v", r)
			require.True(t, risk.DropValidMark(&byValidate, asOf))
			require.True(t, risk.DropValidMark(&byMark, asOf))
			require.Equal(t, byValidate, byMark)
		} else {
			require.False(t, ok && r.MSISDN == "", "marked without a number")
		}
	}
	require.Greater(t, valid, 3000)
}
