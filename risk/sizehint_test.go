package risk_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/risk"
)

// A size hint of any value makes a working population: negative is none,
// a huge one is not allocated (it would panic or exhaust memory).
func TestNewPopulationSizeAnyHint(t *testing.T) {
	for _, n := range []int{-1 << 62, -1, 0, 1, 3, 1 << 62} {
		pop := risk.NewPopulationSize(n)
		a := &risk.Record{MSISDN: "13800138000", OpenedAt: risk.Date(2025, 1, 1), Holder: "h1"}
		b := &risk.Record{MSISDN: "13800138001", OpenedAt: risk.Date(2025, 1, 1), Holder: "h1"}
		for _, r := range []*risk.Record{a, b} {
			require.NoError(t, r.Validate(asOf))
			pop.Add(r)
		}
		require.Equal(t, 2, pop.Features(a).CardsOnOperator, "hint %d", n)
	}
}
