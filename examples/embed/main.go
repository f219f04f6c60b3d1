// Command embed shows a host service's use of simrisk: compile the embedded
// default rule pack once, then score cards against an explicit as-of time.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"

	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/rules"
)

func main() {
	// Build once: load the rule pack and compile it into an immutable Engine,
	// safe for concurrent use.
	rs, err := rules.Pack("default")
	if err != nil {
		log.Fatal(err)
	}
	eng, err := risk.Compile(rs)
	if err != nil {
		log.Fatal(err) // every problem, each as file:line:col: rule "id": [code] message
	}

	// Cards scored together share population features (cards per ID).
	asOf := risk.Date(2026, 11, 1)
	cards := []*risk.Record{
		{MSISDN: "13800138000", Holder: "h-7f3a", OpenedAt: risk.Date(2024, 3, 1),
			LastVoiceAt: risk.Date(2026, 6, 1), LastSMSAt: risk.Date(2026, 5, 20),
			OpenRegion: "110105", Alerts30d: 4,
			Roaming: []risk.Roaming{{Region: "KH", LastSeen: risk.Date(2026, 10, 30)}}},
		{MSISDN: "14900000000", Holder: "h-9c21", OpenedAt: risk.Date(2025, 1, 10),
			LastDataAt: risk.Date(2026, 10, 31),
			IoT:        risk.IoT{NondirectedVoice: true}},
	}
	pop := risk.NewPopulation()
	for _, c := range cards {
		if err := c.Validate(asOf); err != nil {
			log.Fatal(err)
		}
		pop.Add(c)
	}

	// Score many: a worker pool over all cores, results in input order.
	for _, res := range eng.ScoreBatch(context.Background(), cards, risk.AsOfTime(asOf), risk.WithPopulation(pop)) {
		if res.Err != nil {
			log.Println("rejected:", res.Err)
			continue
		}
		out, _ := json.Marshal(res.Decision)
		fmt.Println(string(out))
	}
}
