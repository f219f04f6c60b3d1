package risk_test

import (
	"context"
	"fmt"

	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/rules"
)

// Compile the embedded default pack once, then score cards with it at an
// explicit as-of time. Reasons are in Chinese unless WithLanguage asks for
// English.
func ExampleCompile() {
	rs, err := rules.Pack("default")
	if err != nil {
		panic(err)
	}
	eng, err := risk.Compile(rs, risk.WithLanguage("en"))
	if err != nil {
		panic(err)
	}
	card := &risk.Record{
		MSISDN:      "13800138000",
		OpenedAt:    risk.Date(2024, 3, 1),
		LastVoiceAt: risk.Date(2026, 7, 20),
		Roaming:     []risk.Roaming{{Region: "KH", LastSeen: risk.Date(2026, 10, 30)}},
	}
	d, err := eng.Score(card, risk.AsOfTime(risk.Date(2026, 11, 1)))
	if err != nil {
		panic(err)
	}
	fmt.Println(d.Outcome, d.Level, d.Score, d.Deadline)
	for _, h := range d.Hits {
		fmt.Printf("%s: %s\n", h.Rule, h.Reason)
	}
	// Output:
	// verify high 55 2026-11-02
	// dormant: no voice, SMS or data for 104 days (limit 90)
	// high_fraud_region: opened in an unknown region; listed regions roamed in the last 90 days: Cambodia (2 days ago)
}

// Compile reports every problem of a rule set, each with its position, rule
// id and stable code.
func ExampleCompile_errors() {
	rs, _ := rules.Parse(rules.Source{Name: "mine.yaml", Data: []byte(`
bands: [{min: 0, level: low, outcome: pass}]
rules:
  - id: dormant
    when: days_since_last_activity >= params.dormant_days
    outcome: verify
  - id: typo
    when: alerts_30 >= 3
    outcome: verify
`)})
	_, err := risk.Compile(rs)
	for _, e := range rules.AsList(err) {
		fmt.Println(e)
	}
	// Output:
	// mine.yaml:5:46: rule "dormant": [undefined_param] parameter "dormant_days" is not declared under params
	// mine.yaml:8:11: rule "typo": [undefined_name] alerts_30 is not a field, derived value, population feature or macro; did you mean alerts_30d?
}

// Score a batch with population features (cards per holder) over all
// cores; results come back in input order.
func ExampleEngine_ScoreBatch() {
	rs, _ := rules.Pack("default")
	eng, _ := risk.Compile(rs)
	asOf := risk.Date(2026, 11, 1)
	var cards []*risk.Record
	pop := risk.NewPopulation()
	for i := 0; i < 6; i++ { // one ID, six cards at cmcc: 一证五卡 exceeded
		c := &risk.Record{MSISDN: fmt.Sprintf("1380013800%d", i), Holder: "h-1", OpenedAt: risk.Date(2025, 5, 1),
			LastDataAt: risk.Date(2026, 10, 31)}
		if err := c.Validate(asOf); err != nil {
			panic(err)
		}
		pop.Add(c)
		cards = append(cards, c)
	}
	results := eng.ScoreBatch(context.Background(), cards, risk.AsOfTime(asOf), risk.WithPopulation(pop))
	fmt.Println(len(results), results[0].Decision.Outcome, results[0].Decision.Hits[0].Reason)
	// Output:
	// 6 verify 持卡人证件在 中国移动 名下有 6 张有效卡（上限 5）
}

// Rescore a card base night after night into the same results: once warm,
// a batch allocates nothing, whatever its size.
func ExampleEngine_ScoreBatchInto() {
	rs, _ := rules.Pack("default")
	eng, _ := risk.Compile(rs)
	asOf := risk.Date(2026, 11, 1)
	cards := []*risk.Record{
		{MSISDN: "13800138000", OpenedAt: risk.Date(2024, 3, 1), LastVoiceAt: risk.Date(2026, 7, 1)},
		{MSISDN: "13900139000", OpenedAt: risk.Date(2024, 3, 1), LastDataAt: risk.Date(2026, 10, 31)},
	}
	var results []risk.Result
	for night := 0; night < 3; night++ {
		for _, c := range cards {
			if err := c.Validate(asOf); err != nil {
				panic(err)
			}
		}
		results = eng.ScoreBatchInto(context.Background(), cards, results, risk.AsOfTime(asOf))
		asOf += 24 * 3600
	}
	for _, r := range results {
		fmt.Println(risk.MaskMSISDN(r.Decision.MSISDN), r.Decision.Outcome, len(r.Decision.Hits))
	}
	// Output:
	// 138****8000 verify 1
	// 139****9000 pass 0
}

// Explain shows why a card was or was not flagged: every rule, the values
// it read, and how near a threshold rule that did not fire came.
func ExampleScorer_Explain() {
	rs, _ := rules.Pack("default")
	eng, _ := risk.Compile(rs, risk.WithLanguage("en"))
	card := &risk.Record{MSISDN: "13800138000", OpenedAt: risk.Date(2024, 3, 1), LastVoiceAt: risk.Date(2026, 8, 6)}
	x, err := eng.NewScorer(risk.AsOfTime(risk.Date(2026, 11, 1))).Explain(card)
	if err != nil {
		panic(err)
	}
	for _, r := range x.Rules {
		if r.ID == "dormant" {
			fmt.Println(r.Title, r.Fired, r.NearMiss)
		}
	}
	// Output:
	// dormant card false days_since_last_activity is 87, needs >= 90 (3 short)
}

// A rule whose cost per card cannot be bounded, or is over max_cost, is
// refused at load with an error that names the limit; WithLimits raises or
// lowers the limits compiling checks.
func ExampleWithLimits() {
	rs, err := rules.Parse(rules.Source{Name: "r.yaml", Data: []byte(`
bands: [{min: 0, level: low, outcome: pass}]
rules:
  - {id: pairs, when: 'any(roaming, any(roaming, .days_ago < 3))', outcome: monitor}
`)})
	if err != nil {
		panic(err)
	}
	_, err = risk.Compile(rs)
	fmt.Println(err == nil)
	lim := rules.DefaultLimits()
	lim.MaxCost = 10_000
	_, err = risk.Compile(rs, risk.WithLimits(lim))
	fmt.Println(err)
	// Output:
	// true
	// r.yaml:4:24: rule "pairs": [too_costly] estimated cost per card up to 393985 is over the limit max_cost=10000; a loop costs its body times its list's longest length (roaming 256 entries, linked_platforms 32, a range its length)
}

// A second pass over a file decodes each card again; binding the record to
// the card's place in the population (the order the first pass added the
// counted cards in) reads its features without looking its holder up.
func ExamplePopulation_Bind() {
	asOf := risk.Date(2026, 11, 1)
	lines := []string{
		`{"msisdn":"13800138000","status":"active","opened_at":"2026-10-01","holder":"hk-1"}`,
		`{"msisdn":"13800138001","status":"active","opened_at":"2026-10-01","holder":"hk-1"}`,
	}
	pop := risk.NewPopulation()
	for _, l := range lines { // first pass: count the cards
		var r risk.Record
		if r.DecodeJSON([]byte(l), nil) == nil && r.Validate(asOf) == nil {
			pop.Add(&r)
		}
	}
	for n, l := range lines { // second pass: each card again, at its place
		var r risk.Record
		if r.DecodeJSON([]byte(l), nil) == nil && r.Validate(asOf) == nil {
			pop.Bind(&r, n)
			fmt.Println(r.MSISDN[:3], pop.Features(&r).CardsTotal)
		}
	}
	// Output:
	// 138 2
	// 138 2
}
