package risk_test

import (
	"fmt"

	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/rules"
)

// A live population follows the card base: cards are stored (validated,
// keyed by number), replaced, cancelled and removed while others score.
func ExampleLivePopulation() {
	rs, _ := rules.Pack("default")
	eng, _ := risk.Compile(rs)
	asOf := risk.Date(2026, 11, 1)
	pop := risk.NewLivePopulation()
	for i := range 6 { // six cmcc cards on one ID
		c := &risk.Record{MSISDN: fmt.Sprintf("1380000%04d", i), Holder: "h-7f3a",
			OpenedAt: risk.Date(2025, 1, 1), LastVoiceAt: risk.Date(2026, 10, 30)}
		if _, err := pop.Upsert(c, asOf); err != nil {
			fmt.Println(err)
		}
	}
	first, _ := pop.Lookup("13800000000")
	d, _ := eng.Score(first, risk.AsOfTime(asOf), risk.WithPopulation(pop))
	fmt.Println(pop.Features(first).CardsOnOperator, d.Fired("multi_card_id"))

	// the sixth card is cancelled: five remain, 一证五卡 no longer fires
	sixth := &risk.Record{MSISDN: "13800000005", Holder: "h-7f3a", Status: "cancelled", OpenedAt: risk.Date(2025, 1, 1)}
	if _, err := pop.Upsert(sixth, asOf); err != nil {
		fmt.Println(err)
	}
	d, _ = eng.Score(first, risk.AsOfTime(asOf), risk.WithPopulation(pop))
	fmt.Println(pop.Features(first).CardsOnOperator, d.Fired("multi_card_id"))

	removed, _ := pop.Remove("+86 138 0000 0005")
	fmt.Println(removed, pop.Len())
	// Output:
	// 6 true
	// 5 false
	// true 5
}
