package live_test

import (
	"context"
	"fmt"

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
	// verify true default 1.0.0 2026-11-01
	// 6 default
}
