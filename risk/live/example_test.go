package live_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/risk/live"
)

// A host service: the default pack (loaded, compiled and its tests run),
// cards stored and scored as they change, a reload between.
func ExampleService() {
	ctx := context.Background()
	svc, err := live.New(ctx, live.PackSource("default"))
	if err != nil {
		fmt.Println(err)
		return
	}
	asOf := risk.Date(2026, 11, 1)
	for i := range 6 {
		c := &risk.Record{MSISDN: fmt.Sprintf("1380000%04d", i), Holder: "h-7f3a",
			OpenedAt: risk.Date(2025, 1, 1), LastVoiceAt: risk.Date(2026, 10, 30)}
		if _, err := svc.Score(ctx, c, asOf); err != nil {
			fmt.Println(err)
		}
	}
	d, _ := svc.ScoreStored(ctx, "13800000000", asOf)
	fmt.Println(d.Outcome, d.Fired("multi_card_id"), d.Pack, d.Version, d.AsOf)
	if _, err := svc.Reload(ctx); err != nil {
		fmt.Println(err)
	}
	fmt.Println(svc.Len(), svc.Rules().Name)
	// Output:
	// verify true default 1.1.0 2026-11-01
	// 6 default
}

// A decision log: one JSON object a line, the number masked, rotated by
// size.
func ExampleOpenDecisionLog() {
	dir, _ := os.MkdirTemp("", "decisions")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "decisions.jsonl")
	l, err := live.OpenDecisionLog(path, live.LogOptions{MaxBytes: 64 << 20, MaxFiles: 3,
		Now: func() time.Time { return time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC) }})
	if err != nil {
		fmt.Println(err)
		return
	}
	d := &risk.Decision{MSISDN: "13800138000", Hits: []risk.Hit{}, RuleSet: "sha256:…", AsOf: risk.Date(2026, 11, 1), Pack: "default", Version: "1.1.0"}
	if err := l.Write(d, nil); err != nil {
		fmt.Println(err)
	}
	l.Close()
	b, _ := os.ReadFile(path)
	fmt.Print(string(b))
	// Output:
	// {"logged_at":"2026-11-01T09:00:00Z","decision":{"msisdn":"138****8000","score":0,"level":"low","outcome":"pass","hits":[],"ruleset":"sha256:…","as_of":"2026-11-01T00:00:00+08:00","pack":"default","version":"1.1.0"}}
}

// A shadow pack whose rule fails at run time on a card: the live answer is
// unchanged, and the failure is counted apart from the differences.
func ExampleService_ShadowFailures() {
	dir, _ := os.MkdirTemp("", "shadow")
	defer os.RemoveAll(dir)
	_ = os.WriteFile(filepath.Join(dir, "candidate.yaml"), []byte(`name: candidate
version: 0.1.0
bands:
  - {min: 0, level: low, outcome: pass}
rules:
  - {id: fourth_platform, when: 'linked_platforms[3] == "jd"', score: 10, outcome: monitor}
`), 0o644)
	ctx := context.Background()
	svc, err := live.New(ctx, live.PackSource("default"), live.WithShadow(live.DirSource(dir)))
	if err != nil {
		fmt.Println(err)
		return
	}
	c := &risk.Record{MSISDN: "13800138000", Holder: "h-7f3a", OpenedAt: risk.Date(2025, 1, 1), LastVoiceAt: risk.Date(2026, 10, 30)}
	d, _ := svc.Score(ctx, c, risk.Date(2026, 11, 1))
	fmt.Println(d.Outcome, len(d.Errors), svc.ShadowFailures(), svc.ShadowDifferences())
	// Output:
	// pass 0 1 0
}
