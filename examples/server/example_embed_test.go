package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/simrisk/simrisk/datasets"
	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/risk/live"
)

// outcomes is a host's Hooks: it counts decisions by outcome (a host would
// feed its metrics library here; metrics.go and live.go do it for
// Prometheus).
type outcomes struct {
	live.NopHooks
	verify, total atomic.Int64
}

func (o *outcomes) Decided(d *risk.Decision, _ time.Duration) {
	o.total.Add(1)
	if d.Outcome.String() == "verify" {
		o.verify.Add(1)
	}
}

// The server's parts without the server: a live population built from a
// snapshot on all cores, a Service over it with hot reload, hooks and a
// masked, rotated decision log, then cards stored, scored and removed.
func Example_embed() {
	ctx := context.Background()
	asOf := risk.Date(2026, 11, 1)

	// the population, from a snapshot (here the committed sample)
	loaded, err := datasets.Read(datasets.Sample(), datasets.JSONL, asOf)
	if err != nil {
		panic(err)
	}
	pop := risk.NewLivePopulation()
	for _, err := range pop.UpsertBatch(loaded.Records, asOf) {
		if err != nil {
			fmt.Println("rejected:", err)
		}
	}

	// the Service: rules loaded, compiled and tested; Reload swaps them only
	// when all passed
	logPath := filepath.Join(os.TempDir(), "simrisk-example-decisions.jsonl")
	defer os.Remove(logPath)
	dlog, err := live.OpenDecisionLog(logPath, live.LogOptions{MaxBytes: 64 << 20, MaxFiles: 3})
	if err != nil {
		panic(err)
	}
	defer dlog.Close()
	hooks := &outcomes{}
	svc, err := live.New(ctx, live.PackSource("default"),
		live.WithPopulation(pop), live.WithHooks(hooks), live.WithDecisionLog(dlog))
	if err != nil {
		panic(err) // a *live.ReloadError lists every problem
	}

	// a card arrives: stored in its new state, then scored
	card := &risk.Record{MSISDN: "13800138000", Holder: "h-7f3a", OpenedAt: risk.Date(2024, 3, 1),
		FraudFlag: "police", LastVoiceAt: risk.Date(2026, 10, 30)}
	d, err := svc.Score(ctx, card, asOf)
	if err != nil {
		panic(err)
	}
	fmt.Println(d.Outcome, d.Pack, d.Version, d.AsOf)

	// the analysts shipped new rules: reload under traffic
	if _, err := svc.Reload(ctx); err != nil {
		fmt.Println("kept the old pack:", err)
	}

	// the card is cancelled: removed from the population
	removed, _ := svc.Remove("13800138000")
	_, err = svc.ScoreStored(ctx, "13800138000", asOf)
	fmt.Println(svc.Len(), removed, err == live.ErrUnknownCard, hooks.verify.Load(), hooks.total.Load())
	// Output:
	// verify default 1.1.0 2026-11-01
	// 2000 true true 1 1
}
