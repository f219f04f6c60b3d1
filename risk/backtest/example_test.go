package backtest_test

import (
	"fmt"

	"github.com/simrisk/simrisk/risk/backtest"
	"github.com/simrisk/simrisk/rules"
)

// Compare lists what an analyst changed between two rule sets, for the
// report's "what changed" section.
func ExampleCompare() {
	base, err := rules.Parse(rules.Source{Name: "base.yaml", Data: []byte(`name: mine
version: 1.0.0
params: {alert_threshold: 3}
bands: [{min: 0, level: low, outcome: pass}]
rules:
  - {id: alerts, title: many alerts, when: alerts_30d >= params.alert_threshold, score: 30, outcome: verify}
`)})
	if err != nil {
		panic(err)
	}
	cand, err := rules.Parse(rules.Source{Name: "cand.yaml", Data: []byte(`name: mine
version: 1.1.0
params: {alert_threshold: 2}
bands: [{min: 0, level: low, outcome: pass}]
rules:
  - {id: alerts, title: many alerts, when: alerts_30d >= params.alert_threshold, score: 40, outcome: verify}
  - {id: young, title: new card, when: days_since_opened < 30, score: 10, outcome: monitor}
`)})
	if err != nil {
		panic(err)
	}
	c := backtest.Compare(base, cand, rules.LangEn)
	for _, p := range c.Params {
		fmt.Printf("param %s: %s -> %s\n", p.Name, p.Before, p.After)
	}
	for _, r := range c.Added {
		fmt.Printf("rule %s added (%s)\n", r.ID, r.Title)
	}
	for _, r := range c.Changed {
		for _, f := range r.Fields {
			fmt.Printf("rule %s %s: %s -> %s\n", r.ID, f.Name, f.Before, f.After)
		}
	}
	// Output:
	// param alert_threshold: 3 -> 2
	// rule young added (new card)
	// rule alerts score: 30 -> 40
}
