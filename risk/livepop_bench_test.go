package risk_test

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/simrisk/simrisk/risk"
)

// liveCards is the size of the population the live benchmarks build (once
// per process): SIMRISK_LIVE_CARDS, default 1,000,000; bench/README.md has
// figures at 10,000,000.
func liveCards() int {
	if n, err := strconv.Atoi(os.Getenv("SIMRISK_LIVE_CARDS")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

// liveNumber is card i's number: cmcc segments 138x, 139x.
func liveNumber(i int) string { return strconv.Itoa(13800000000 + i) }

// liveHolder spreads cards over holders as a card base does: most hold
// one or two cards, a few many.
func liveHolder(i int) string {
	switch {
	case i%10 < 6:
		return "h-" + strconv.Itoa(i)
	case i%10 < 9:
		return "h-" + strconv.Itoa(i-i%10)
	}
	return "h-" + strconv.Itoa(i%1000*7919) // a few holders with many cards
}

func liveRecord(r *risk.Record, i int, holder string) {
	*r = risk.Record{MSISDN: liveNumber(i), Holder: holder, OpenedAt: risk.Date(2020, 1, 1) + risk.Time(i%2000)*86400,
		LastVoiceAt: risk.Date(2026, 10, 1) + risk.Time(i%30)*86400, Alerts30d: i % 4}
}

var (
	liveOnce  sync.Once
	livePop   *risk.LivePopulation
	liveStats string
)

// builtLive builds the benchmarks' population once, reporting the time,
// the heap it takes and the index's bytes per card.
func builtLive(b *testing.B) *risk.LivePopulation {
	liveOnce.Do(func() {
		n := liveCards()
		var before runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		start := time.Now()
		pop := risk.NewLivePopulation()
		const chunk = 1 << 16
		recs := make([]risk.Record, chunk)
		ptrs := make([]*risk.Record, chunk)
		for lo := 0; lo < n; lo += chunk {
			m := min(chunk, n-lo)
			for k := range m {
				liveRecord(&recs[k], lo+k, liveHolder(lo+k))
				ptrs[k] = &recs[k]
			}
			if errs := pop.UpsertBatch(ptrs[:m], asOf); errs != nil {
				for _, err := range errs {
					if err != nil {
						panic(err)
					}
				}
			}
		}
		took := time.Since(start)
		runtime.GC()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		idx := risk.LiveIndexBytes(pop)
		liveStats = fmt.Sprintf("built %d cards (%d holders) in %v on %d cores; heap %.0f MB (%.0f B/card); index %.1f B/card",
			n, pop.Holders(), took.Round(time.Millisecond), runtime.GOMAXPROCS(0),
			float64(after.HeapAlloc-before.HeapAlloc)/1e6, float64(after.HeapAlloc-before.HeapAlloc)/float64(n),
			float64(idx)/float64(n))
		livePop = pop
	})
	b.Log(liveStats)
	return livePop
}

// BenchmarkLiveUpsert stores a new state of an existing card in the built
// population: validation, copy and index update. same-holder: new usage
// and alerts (the usual update: its holder recounted); new-holder: the
// card moves between two holders on every call (both recounted).
func BenchmarkLiveUpsert(b *testing.B) {
	pop := builtLive(b)
	n := pop.Len()
	const keys = 1 << 16
	numbers, holders := make([]string, keys), make([]string, keys)
	for k := range keys {
		i := (k * 7919) % n
		numbers[k], holders[k] = liveNumber(i), liveHolder(i)
	}
	for _, move := range []bool{false, true} {
		name := "same-holder"
		if move {
			name = "new-holder"
		}
		b.Run(name, func(b *testing.B) {
			var r risk.Record
			b.ReportAllocs()
			cpu0 := cpuTime(false)
			for i := 0; b.Loop(); i++ {
				k := i % keys
				liveRecord(&r, i, holders[k])
				r.MSISDN = numbers[k]
				if move && i/keys%2 == 0 {
					r.Holder = holders[(k+1)%keys]
				}
				if _, err := pop.Upsert(&r, asOf); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(cpuTime(false)-cpu0)/float64(b.N), "cpu-ns/op")
			b.ReportMetric(float64(risk.LiveIndexBytes(pop))/float64(pop.Len()), "index-B/card")
		})
	}
}

// BenchmarkLiveScore scores stored cards with the default pack, the
// population static, then while another goroutine streams upserts into it
// (as fast as it can).
func BenchmarkLiveScore(b *testing.B) {
	pop := builtLive(b)
	eng := defaultEngine(b)
	n := pop.Len()
	const keys = 1 << 16
	stored := make([]*risk.Record, keys)
	for k := range keys {
		r, ok := pop.Lookup(liveNumber((k * 104729) % n))
		if !ok {
			b.Fatal("missing")
		}
		stored[k] = r
	}
	run := func(b *testing.B, upserts bool) {
		var stop atomic.Bool
		var wrote atomic.Int64
		var wg sync.WaitGroup
		if upserts {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var r risk.Record
				for i := 1; !stop.Load(); i++ {
					j := (i * 7919) % n
					liveRecord(&r, j, liveHolder(j))
					r.Alerts30d = i % 5
					if _, err := pop.Upsert(&r, asOf); err != nil {
						panic(err)
					}
					wrote.Add(1)
				}
			}()
		}
		s := eng.NewScorer(risk.AsOfTime(asOf), risk.WithPopulation(pop))
		var d risk.Decision
		runtime.LockOSThread() // the thread's CPU time is the scoring's
		defer runtime.UnlockOSThread()
		b.ReportAllocs()
		cpu0 := cpuTime(true)
		for i := 0; b.Loop(); i++ {
			// a stored record replaced meanwhile is scored as it was (its
			// features then come from its holder's list)
			if err := s.ScoreInto(stored[i%keys], &d); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		b.ReportMetric(float64(cpuTime(true)-cpu0)/float64(b.N), "cpu-ns/op")
		stop.Store(true)
		wg.Wait()
		if upserts {
			b.ReportMetric(float64(wrote.Load())/b.Elapsed().Seconds(), "upserts/s")
		}
	}
	b.Run("static", func(b *testing.B) { run(b, false) })
	b.Run("with-upserts", func(b *testing.B) {
		run(b, true)
		// the stored cards were replaced: look them up again for the next run
		for k := range stored {
			stored[k], _ = pop.Lookup(stored[k].MSISDN)
		}
	})
}
