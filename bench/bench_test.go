package bench_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/bench"
	"github.com/simrisk/simrisk/datasets"
	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/rules"
)

var asOf = risk.Date(2026, 11, 1)

type fixture struct {
	eng   *risk.Engine // default pack, compiled evaluator
	ref   *risk.Engine // default pack on expr's VM
	cel   *risk.Engine // default-cel pack on cel-go's interpreter
	celc  *risk.Engine // default-cel pack, compiled
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
	crs, err := rules.Pack("default-cel")
	require.NoError(t, err)
	cel, err := risk.Compile(crs, risk.WithReferenceEvaluator())
	require.NoError(t, err)
	celc, err := risk.Compile(crs)
	require.NoError(t, err)
	ref, err := risk.Compile(rs, risk.WithReferenceEvaluator())
	require.NoError(t, err)
	return &fixture{eng, ref, cel, celc, recs, feats, pop}
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
			for j, id := range bench.RuleIDs() {
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
		var reasons strings.Builder
		for _, h := range d.Hits {
			reasons.WriteString(h.Reason + "\n")
		}
		require.Equal(t, reasons.String(), string(bench.AppendReasons(nil, r, fx.feats[i], asOf, want)), "card %d: reasons", i)
	}
	// the comparison means something only if the rules fire
	for _, id := range bench.RuleIDs() {
		if id != "multi_card_id_total" {
			require.Positive(t, fired[id], "no generated card fires %s", id)
		}
	}
}

// BenchmarkDefaultPack scores the same generated cards with the hand-written
// baseline (handwritten: the verdict; handwritten-reasons: the verdict and
// the reasons' text, what the engine returns), the engine's compiled evaluator on the expr and CEL packs, and
// the reference evaluators (expr's VM, cel-go's interpreter with a typed
// activation and OptOptimize); compare ns/op between sub-benchmarks. Every
// variant gets the cards' population features: the baseline precomputed,
// the engine from the population's counters.
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
	b.Run("handwritten-reasons", func(b *testing.B) {
		b.ReportAllocs()
		var sink float64
		var buf []byte
		for i := 0; i < b.N; i++ {
			j := i % len(fx.recs)
			res := bench.Handwritten(fx.recs[j], fx.feats[j], asOf)
			buf = bench.AppendReasons(buf[:0], fx.recs[j], fx.feats[j], asOf, res)
			sink += res.Score
		}
		if sink < 0 {
			b.Fatal(sink)
		}
	})
	for _, e := range []struct {
		name string
		eng  *risk.Engine
	}{{"compiled", fx.eng}, {"compiled-cel", fx.celc}, {"expr-vm", fx.ref}, {"cel", fx.cel}} {
		b.Run(e.name, func(b *testing.B) {
			s := e.eng.NewScorer(risk.AsOfTime(asOf), risk.WithPopulation(fx.pop))
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
}

// BenchmarkBatch scores 1,000,000 generated cards with 1 and 2 workers.
// workers-N is the steady state of a job that rescores its card base batch
// after batch (Engine.ScoreBatchInto, decisions reused: no garbage);
// fresh-workers-N returns a million new decisions each time (ScoreBatch),
// which the garbage collector, running on the same two cores, then has to
// walk through a heap of a million records.
func BenchmarkBatch(b *testing.B) {
	fx := setup(b, 1_000_000)
	for _, w := range []int{1, 2} {
		opts := []risk.ScoreOption{risk.AsOfTime(asOf), risk.WithPopulation(fx.pop), risk.Workers(w)}
		b.Run(fmt.Sprintf("workers-%d", w), func(b *testing.B) {
			out := fx.eng.ScoreBatchInto(b.Context(), fx.recs, nil, opts...)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				out = fx.eng.ScoreBatchInto(b.Context(), fx.recs, out, opts...)
			}
			b.ReportMetric(float64(len(fx.recs)*b.N)/b.Elapsed().Seconds(), "cards/s")
		})
	}
	for _, w := range []int{1, 2} {
		b.Run(fmt.Sprintf("fresh-workers-%d", w), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				fx.eng.ScoreBatch(b.Context(), fx.recs, risk.AsOfTime(asOf), risk.WithPopulation(fx.pop), risk.Workers(w))
			}
			b.ReportMetric(float64(len(fx.recs)*b.N)/b.Elapsed().Seconds(), "cards/s")
		})
	}
}

// rules1000 writes a rule file of 1,000 varied rules in one language.
func rules1000(lang string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "name: gen1000\nversion: \"1\"\nlanguage: %s\nparams: {days: 90, alerts: 3}\n", lang)
	b.WriteString("lists:\n  hot: {type: region, items: [KH, MM, \"530900\", \"350802\"]}\n  plats: [jd, tencent, alipay]\n")
	b.WriteString("bands: [{min: 0, level: low, outcome: pass}, {min: 50, level: high, outcome: verify}]\nrules:\n")
	for i := 0; i < 1000; i++ {
		var when string
		switch i % 4 {
		case 0:
			when = fmt.Sprintf("valid && alerts_30d >= params.alerts + %d && days_since_last_activity > %d", i%5, i)
		case 1:
			when = fmt.Sprintf("valid && (in_region(open_region, lists.hot) || complaints > %d) && kind == 'mobile'", i%7)
		case 2:
			if lang == "cel" {
				when = fmt.Sprintf("roaming.exists(r, r.days_ago <= %d && in_region(r.region, lists.hot))", i)
			} else {
				when = fmt.Sprintf("any(roaming, .days_ago <= %d && in_region(.region, lists.hot))", i)
			}
		case 3:
			if lang == "cel" {
				when = fmt.Sprintf("recycled && !renewed && linked_platforms.exists(p, p in lists.plats) && freeze_days < %d", i)
			} else {
				when = fmt.Sprintf("recycled && !renewed && any(linked_platforms, # in lists.plats) && freeze_days < %d", i)
			}
		}
		fmt.Fprintf(&b, "  - id: r%04d\n    when: %q\n    score: %d\n    outcome: monitor\n    reason: \"rule %d: {alerts_30d} alerts\"\n", i, when, i%20, i)
	}
	return []byte(b.String())
}

// BenchmarkCompile1000 loads and compiles a generated 1,000-rule file
// (parse, type-check, cost-estimate and plan every rule).
func BenchmarkCompile1000(b *testing.B) {
	for _, lang := range []string{"expr", "cel"} {
		src := rules1000(lang)
		b.Run(lang, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				rs, err := rules.Parse(rules.Source{Name: "gen.yaml", Data: src})
				if err != nil {
					b.Fatal(err)
				}
				eng, err := risk.Compile(rs)
				if err != nil {
					b.Fatal(err)
				}
				if len(eng.Rules()) != 1000 {
					b.Fatal("not all rules compiled")
				}
			}
		})
	}
}

// The generated 1,000-rule files compile in both languages (the benchmark
// would otherwise measure an error path).
func TestRules1000Compile(t *testing.T) {
	for _, lang := range []string{"expr", "cel"} {
		rs, err := rules.Parse(rules.Source{Name: "gen.yaml", Data: rules1000(lang)})
		require.NoError(t, err)
		_, err = risk.Compile(rs)
		require.NoError(t, err, lang)
	}
}

// BenchmarkPopulation builds the population features of 1M generated cards.
func BenchmarkPopulation(b *testing.B) {
	recs := datasets.Generate(datasets.GenOptions{Cards: 1_000_000, Seed: 42, AsOf: asOf})
	for _, r := range recs {
		if err := r.Validate(asOf); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("1M", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			p := risk.NewPopulation()
			for _, r := range recs {
				p.Add(r)
			}
			if p.Holders() == 0 {
				b.Fatal("no holders")
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(recs)), "ns/card")
	})
	// 10M-memory: the population's own memory for 10 million cards (10% of
	// holders with several cards), sealed, measured as live heap after a
	// GC, records and holder keys not counted.
	b.Run("10M-memory", func(b *testing.B) {
		const n = 10_000_000
		holders := make([]string, n)
		for i := range holders {
			h := i
			if i%10 == 0 {
				h = i / 3 // some holders have several cards
			}
			holders[i] = fmt.Sprintf("hk-%032x", h)
		}
		ops := []string{"cmcc", "unicom", "telecom", "broadnet"}
		var perCard float64
		for i := 0; i < b.N; i++ {
			r := &risk.Record{Status: "active", OpenedAt: risk.Date(2025, 1, 1)}
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			p := risk.NewPopulation()
			for k, h := range holders {
				r.Holder, r.Operator = h, ops[k%4]
				p.Add(r)
			}
			if p.Holders() == 0 {
				b.Fatal("no holders")
			}
			runtime.GC()
			runtime.ReadMemStats(&after)
			perCard = float64(after.HeapAlloc-before.HeapAlloc) / n
			runtime.KeepAlive(p)
		}
		b.ReportMetric(perCard, "B/card")
	})
}

// BenchmarkPipelineJSONL runs the whole JSON Lines path on 50,000 generated
// records: decode, population features, score, encode decisions. Its
// sub-benchmark decode-only reads the same bytes without scoring, the floor
// the pipeline is compared to.
func BenchmarkPipelineJSONL(b *testing.B) {
	var buf bytes.Buffer
	require.NoError(b, datasets.GenerateTo(&buf, datasets.JSONL, datasets.GenOptions{Cards: 50000, Seed: 42, AsOf: asOf}, nil))
	data := buf.Bytes()
	rs, err := rules.Pack("default")
	require.NoError(b, err)
	eng, err := risk.Compile(rs)
	require.NoError(b, err)
	open := func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
	b.Run("pipeline", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			sum, err := datasets.ScoreFile(context.Background(), eng, open, datasets.ScoreOptions{AsOf: asOf, Decisions: io.Discard})
			if err != nil || sum.Decisions != 50000 {
				b.Fatal(err)
			}
		}
	})
	b.Run("decode-only", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			rd := datasets.NewReader(bytes.NewReader(data), asOf)
			for {
				if _, err := rd.Read(); err == io.EOF {
					break
				} else if err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
