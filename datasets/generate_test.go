package datasets_test

import (
	"bytes"
	"io"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/datasets"
	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/risk/ref"
)

func gen(t testing.TB, f datasets.Format, o datasets.GenOptions) []byte {
	var buf bytes.Buffer
	require.NoError(t, datasets.GenerateTo(&buf, f, o, nil))
	return buf.Bytes()
}

// The same seed and options give byte-identical output; another seed does not.
func TestGeneratorDeterministic(t *testing.T) {
	o := datasets.GenOptions{Cards: 20000, Seed: 5, AsOf: asOf}
	for _, f := range []datasets.Format{datasets.JSONL, datasets.CSV} {
		a, b := gen(t, f, o), gen(t, f, o)
		require.True(t, bytes.Equal(a, b), "format %s", f)
	}
	o2 := o
	o2.Seed = 6
	require.False(t, bytes.Equal(gen(t, datasets.JSONL, o), gen(t, datasets.JSONL, o2)))
}

// Every generated card is a valid record at the snapshot's as-of time (no
// date after it), with a label, and numbers are unique.
func TestGeneratedCardsAreValid(t *testing.T) {
	g := datasets.NewGenerator(datasets.GenOptions{Cards: 50000, Seed: 8, AsOf: asOf})
	seen := map[string]bool{}
	n := 0
	for {
		r, l, ok := g.Next()
		if !ok {
			break
		}
		n++
		require.NoError(t, r.Validate(asOf), "card %d (%s)", n, l.Scenario)
		require.NotEmpty(t, l.Scenario)
		require.False(t, seen[r.MSISDN], "number handed out twice")
		seen[r.MSISDN] = true
		seg, ok := ref.LookupSegment(r.MSISDN)
		require.True(t, ok)
		require.Equal(t, seg.Operator, r.Operator, "segment and operator agree")
		require.Equal(t, seg.Kind, r.Kind, "segment and kind agree")
		require.Equal(t, seg.MVNO, r.MVNO != "", "MVNO brands on MVNO segments")
	}
	require.Equal(t, 50000, n)
}

// The statistics show the intended distributions.
func TestGeneratedDistributions(t *testing.T) {
	data := gen(t, datasets.JSONL, datasets.GenOptions{Cards: 100000, Seed: 12, AsOf: asOf})
	st, err := datasets.ComputeStats(datasets.NewReader(bytes.NewReader(data), 0, datasets.WithLabels()), 0)
	require.NoError(t, err)
	require.Equal(t, 100000, st.Cards)
	require.Zero(t, st.Rejected)
	require.Equal(t, asOf.Day(), st.AsOf.Day(), "the latest date is the snapshot day")
	share := func(n int) float64 { return float64(n) / float64(st.Cards) }
	holderShare := func(b string) float64 { return float64(st.HolderHist[b]) / float64(st.Holders) }
	// heavy-tailed cards per holder: most hold 1-2, a few hold many
	require.InDelta(t, 0.60, holderShare("1"), 0.05)
	require.InDelta(t, 0.20, holderShare("2"), 0.04)
	require.Greater(t, holderShare("1"), holderShare("2"))
	require.Greater(t, holderShare("2"), holderShare("3"))
	require.Positive(t, st.HolderHist["11-50"]+st.HolderHist["51+"], "enterprise fleets and rings hold many")
	// operators: cmcc largest, broadnet smallest, MVNO brands present
	require.InDelta(t, 0.55, share(st.ByOperator["cmcc"]), 0.04)
	require.Greater(t, st.ByOperator["unicom"], st.ByOperator["broadnet"])
	require.InDelta(t, 0.025, share(st.MVNO), 0.015)
	// usage and features
	require.InDelta(t, 0.03, share(st.Dormant), 0.02)
	require.InDelta(t, 0.05, share(st.ByKind["iot"]), 0.03)
	require.InDelta(t, 0.015, share(st.Recycled), 0.01)
	require.InDelta(t, 0.13, share(st.Roaming), 0.04)
	require.InDelta(t, 0.02, share(st.Fraud), 0.015)
	for _, sc := range []string{datasets.ScenarioFraudRing, datasets.ScenarioStockpile, datasets.ScenarioIoTMisuse,
		datasets.ScenarioTakeover, datasets.ScenarioFlagged, datasets.ScenarioTraveller, datasets.ScenarioFamily5, datasets.ScenarioSeasonal,
		datasets.ScenarioSilentFarm} {
		require.Positive(t, st.ByScenario[sc], sc)
	}
	var out bytes.Buffer
	st.Format(&out)
	require.Contains(t, out.String(), "valid cards per holder")
}

// BenchmarkGenerate writes 1M generated cards; BenchmarkGenerate/from-memory
// writes the same cards already in memory, the floor generation is compared to.
func BenchmarkGenerate(b *testing.B) {
	const n = 1_000_000
	o := datasets.GenOptions{Cards: n, Seed: 1, AsOf: asOf}
	b.Run("generate-1M", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			require.NoError(b, datasets.GenerateTo(io.Discard, datasets.JSONL, o, nil))
		}
		b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "cards/s")
	})
	b.Run("from-memory-1M", func(b *testing.B) {
		g := datasets.NewGenerator(o)
		var recs []*risk.Record
		var labels []datasets.Label
		for {
			r, l, ok := g.Next()
			if !ok {
				break
			}
			recs, labels = append(recs, r), append(labels, l)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			w := datasets.NewWriter(io.Discard)
			for j, r := range recs {
				if err := w.WriteLabeled(r, labels[j]); err != nil {
					b.Fatal(err)
				}
			}
			require.NoError(b, w.Flush())
		}
		b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "cards/s")
	})
}
