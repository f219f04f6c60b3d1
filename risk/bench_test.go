package risk_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/rules"
)

// benchCards makes n varied, valid cards and their population.
func benchCards(b *testing.B, n int) ([]*risk.Record, *risk.Population) {
	b.Helper()
	recs := make([]*risk.Record, n)
	pop := risk.NewPopulation()
	for i := range recs {
		c := &risk.Record{
			MSISDN: fmt.Sprintf("138%08d", i), Holder: fmt.Sprintf("h%d", i/3), OpenedAt: risk.Date(2024, 1, 1+i%28),
			LastVoiceAt: risk.Date(2026, 10, 1+i%30), Alerts30d: i % 4, OpenRegion: []string{"110105", "KH", "530902", "310115"}[i%4],
		}
		if i%5 == 0 {
			c.Roaming = []risk.Roaming{{Region: "TH", LastSeen: risk.Date(2026, 9, 1)}}
		}
		if err := c.Validate(asOf); err != nil {
			b.Fatal(err)
		}
		pop.Add(c)
		recs[i] = c
	}
	return recs, pop
}

func packEngine(b *testing.B, name string) *risk.Engine {
	rs, err := rules.Pack(name)
	if err != nil {
		b.Fatal(err)
	}
	eng, err := risk.Compile(rs)
	if err != nil {
		b.Fatal(err)
	}
	return eng
}

var benchPacks = []struct{ lang, pack string }{{"expr", "default"}, {"cel", "default-cel"}}

// BenchmarkScore scores one card at a time with a reused Scorer and
// Decision: the per-card hot path, for the default pack in each language.
func BenchmarkScore(b *testing.B) {
	recs, pop := benchCards(b, 1024)
	for _, p := range benchPacks {
		b.Run(p.lang, func(b *testing.B) {
			eng := packEngine(b, p.pack)
			s := eng.NewScorer(risk.AsOfTime(asOf), risk.WithPopulation(pop))
			var d risk.Decision
			b.ReportAllocs()
			b.ResetTimer()
			hits := 0
			for i := 0; i < b.N; i++ {
				if err := s.ScoreInto(recs[i%len(recs)], &d); err != nil {
					b.Fatal(err)
				}
				hits += len(d.Hits)
			}
			b.StopTimer()
			if hits == 0 {
				b.Fatal("no rule fired: the benchmark measures nothing")
			}
		})
	}
}

// BenchmarkScoreParallel scores on one shared Engine from all cores.
func BenchmarkScoreParallel(b *testing.B) {
	eng := defaultEngine(b)
	recs, pop := benchCards(b, 1024)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		s := eng.NewScorer(risk.AsOfTime(asOf), risk.WithPopulation(pop))
		var d risk.Decision
		i := 0
		for pb.Next() {
			if err := s.ScoreInto(recs[i%len(recs)], &d); err != nil {
				b.Error(err)
				return
			}
			i++
		}
	})
}

// BenchmarkScoreBatch scores a batch of 10,000 cards with the worker pool.
// ns/op is per batch; cards/s is reported.
func BenchmarkScoreBatch(b *testing.B) {
	recs, pop := benchCards(b, 10000)
	for _, p := range benchPacks {
		eng := packEngine(b, p.pack)
		for _, w := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/workers-%d", p.lang, w), func(b *testing.B) {
				b.ReportAllocs()
				for i := 0; i < b.N; i++ {
					res := eng.ScoreBatch(context.Background(), recs, risk.AsOfTime(asOf), risk.WithPopulation(pop), risk.Workers(w))
					if res[len(res)-1].Err != nil {
						b.Fatal(res[len(res)-1].Err)
					}
				}
				b.ReportMetric(float64(len(recs)*b.N)/b.Elapsed().Seconds(), "cards/s")
			})
		}
	}
}

// BenchmarkPopulation builds the population features of 100,000 cards.
func BenchmarkPopulation(b *testing.B) {
	recs, _ := benchCards(b, 100000)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p := risk.NewPopulation()
		for _, r := range recs {
			p.Add(r)
		}
		if p.Holders() == 0 {
			b.Fatal("empty")
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(recs)), "ns/card")
}
