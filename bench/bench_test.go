package bench_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/bench"
	"github.com/simrisk/simrisk/datasets"
	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/rules"
)

var asOf = risk.Date(2026, 11, 1)

type fixture struct {
	eng   *risk.Engine
	recs  []*risk.Record
	feats []risk.Features
	pop   *risk.Population
}

func setup(t testing.TB, n int) *fixture {
	t.Helper()
	rs, err := rules.Pack("default")
	require.NoError(t, err)
	eng, err := risk.Compile(rs)
	require.NoError(t, err)
	recs := datasets.Generate(datasets.GenOptions{Cards: n, Seed: 42, AsOf: asOf})
	pop := risk.NewPopulation()
	for _, r := range recs {
		require.NoError(t, r.Validate(asOf))
		pop.Add(r)
	}
	feats := make([]risk.Features, len(recs))
	for i, r := range recs {
		feats[i] = pop.Features(r)
	}
	return &fixture{eng, recs, feats, pop}
}

// The hand-written baseline and the engine agree on every generated card:
// the same rules fire, with the same score, level and outcome.
func TestBaselineAgreesWithEngine(t *testing.T) {
	n := 100000
	if testing.Short() {
		n = 20000
	}
	fx := setup(t, n)
	s := fx.eng.NewScorer(risk.AsOfTime(asOf), risk.WithPopulation(fx.pop))
	fired := make(map[string]int)
	for i, r := range fx.recs {
		d, err := s.Score(r)
		require.NoError(t, err)
		want := bench.Handwritten(r, fx.feats[i], asOf)
		var got uint32
		for _, h := range d.Hits {
			for j, id := range bench.RuleIDs {
				if id == h.Rule {
					got |= 1 << j
					fired[id]++
				}
			}
		}
		if got != want.Fired || d.Score != want.Score || d.Level != want.Level || d.Outcome != want.Outcome {
			t.Fatalf("card %d (%s): engine %v/%v/%v fired %b, baseline %v/%v/%v fired %b",
				i, risk.MaskMSISDN(r.MSISDN), d.Score, d.Level, d.Outcome, got, want.Score, want.Level, want.Outcome, want.Fired)
		}
	}
	// the comparison means something only if the rules fire
	for _, id := range bench.RuleIDs {
		if id != "multi_card_id_total" {
			require.Positive(t, fired[id], "no generated card fires %s", id)
		}
	}
}

// BenchmarkDefaultPack scores the same generated cards with the hand-written
// baseline and with the engine; compare ns/op between sub-benchmarks.
func BenchmarkDefaultPack(b *testing.B) {
	fx := setup(b, 10000)
	b.Run("handwritten", func(b *testing.B) {
		b.ReportAllocs()
		var sink float64
		for i := 0; i < b.N; i++ {
			j := i % len(fx.recs)
			sink += bench.Handwritten(fx.recs[j], fx.feats[j], asOf).Score
		}
		if sink < 0 {
			b.Fatal(sink)
		}
	})
	b.Run("expr-vm", func(b *testing.B) {
		s := fx.eng.NewScorer(risk.AsOfTime(asOf), risk.WithPopulation(fx.pop))
		var d risk.Decision
		b.ReportAllocs()
		b.ResetTimer()
		var sink float64
		for i := 0; i < b.N; i++ {
			if err := s.ScoreInto(fx.recs[i%len(fx.recs)], &d); err != nil {
				b.Fatal(err)
			}
			sink += d.Score
		}
		if sink < 0 {
			b.Fatal(sink)
		}
	})
}

// BenchmarkBatch scores 10,000 generated cards with 1 and 2 workers.
func BenchmarkBatch(b *testing.B) {
	fx := setup(b, 10000)
	for _, w := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers-%d", w), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				fx.eng.ScoreBatch(b.Context(), fx.recs, risk.AsOfTime(asOf), risk.WithPopulation(fx.pop), risk.Workers(w))
			}
			b.ReportMetric(float64(len(fx.recs)*b.N)/b.Elapsed().Seconds(), "cards/s")
		})
	}
}
