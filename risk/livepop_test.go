package risk_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/risk"
)

// holderCard is a card of holder h with number 1380000xxxx (cmcc).
func holderCard(i int, h string) *risk.Record {
	return &risk.Record{MSISDN: fmt.Sprintf("1380000%04d", i), OpenedAt: risk.Date(2025, 1, 1), Holder: h,
		LastVoiceAt: risk.Date(2026, 10, 30)}
}

// The same card upserted six times is one card: 一证五卡 does not fire.
func TestLiveSameCardSixTimes(t *testing.T) {
	eng := defaultEngine(t)
	pop := risk.NewLivePopulation()
	c := holderCard(1, "h-1")
	for range 6 {
		_, err := pop.Upsert(c, asOf)
		require.NoError(t, err)
	}
	// other spellings of the same number are the same card
	c2 := *c
	c2.MSISDN = "+86 138-0000-0001"
	_, err := pop.Upsert(&c2, asOf)
	require.NoError(t, err)
	require.Equal(t, 1, pop.Len())
	require.Equal(t, risk.Features{CardsOnOperator: 1, CardsTotal: 1, CardsSameDay: 1, Operators: 1}, pop.Features(c))
	stored, ok := pop.Lookup("13800000001")
	require.True(t, ok)
	d, err := eng.Score(stored, risk.AsOfTime(asOf), risk.WithPopulation(pop))
	require.NoError(t, err)
	require.False(t, d.Fired("multi_card_id"))
}

// Six cmcc cards not validated before they enter count under cmcc (the
// operator is derived as they enter): 一证五卡 fires on each.
func TestLiveUnvalidatedCardsCountUnderTheirOperator(t *testing.T) {
	eng := defaultEngine(t)
	pop := risk.NewLivePopulation()
	for i := range 6 {
		c := holderCard(i, "h-1")
		require.Empty(t, c.Operator)
		_, err := pop.Upsert(c, asOf)
		require.NoError(t, err)
		require.Empty(t, c.Operator, "the caller's record is not changed")
	}
	for i := range 6 {
		r, ok := pop.Lookup(fmt.Sprintf("1380000%04d", i))
		require.True(t, ok)
		require.Equal(t, "cmcc", r.Operator)
		require.Equal(t, 6, pop.Features(r).CardsOnOperator)
		d, err := eng.Score(r, risk.AsOfTime(asOf), risk.WithPopulation(pop))
		require.NoError(t, err)
		require.True(t, d.Fired("multi_card_id"))
	}
}

// Cancelling, removing and moving a card change its holders' counts at
// once; an invalid record is refused and changes nothing.
func TestLiveCancelRemoveMove(t *testing.T) {
	pop := risk.NewLivePopulation()
	for i := range 6 {
		_, err := pop.Upsert(holderCard(i, "h-1"), asOf)
		require.NoError(t, err)
	}
	first := holderCard(0, "h-1")
	require.Equal(t, 6, pop.Features(first).CardsTotal)

	cancelled := holderCard(5, "h-1")
	cancelled.Status = "cancelled"
	_, err := pop.Upsert(cancelled, asOf)
	require.NoError(t, err)
	require.Equal(t, 5, pop.Features(first).CardsTotal)
	require.Equal(t, 6, pop.Len(), "a cancelled card is stored, not counted")

	removed, err := pop.Remove("13800000004")
	require.NoError(t, err)
	require.True(t, removed)
	removed, err = pop.Remove("13800000004")
	require.NoError(t, err)
	require.False(t, removed)
	_, err = pop.Remove("12")
	require.Error(t, err)
	require.Equal(t, 4, pop.Features(first).CardsTotal)

	moved := holderCard(3, "h-2")
	_, err = pop.Upsert(moved, asOf)
	require.NoError(t, err)
	require.Equal(t, 3, pop.Features(first).CardsTotal)
	require.Equal(t, 1, pop.Features(moved).CardsTotal)
	require.Equal(t, 2, pop.Holders())

	bad := holderCard(0, "h-9")
	bad.OpenedAt = 0
	_, err = pop.Upsert(bad, asOf)
	require.ErrorIs(t, err, risk.ErrInvalidRecord)
	_, err = pop.Upsert(holderCard(0, "h-9"), 0)
	require.Error(t, err)
	require.Equal(t, 3, pop.Features(first).CardsTotal, "a refused record changes nothing")
}

// Holder keys are compared, not hashed: keys that differ in one byte are
// different holders.
func TestLiveHoldersExact(t *testing.T) {
	pop := risk.NewLivePopulation()
	for i := range 3000 {
		_, err := pop.Upsert(holderCard(i, fmt.Sprintf("h-%d", i%1000)), asOf)
		require.NoError(t, err)
	}
	require.Equal(t, 1000, pop.Holders())
	for i := range 3000 {
		require.Equal(t, 3, pop.Features(holderCard(i, fmt.Sprintf("h-%d", i%1000))).CardsTotal)
	}
}

// A live population, after any sequence of upserts and removals, gives
// every stored card the features a batch Population built from the stored
// cards gives; and a record that is not stored gets the features it would
// have once stored.
func TestLiveMatchesBatch(t *testing.T) {
	// 60 holders: a few cards each; 6: many each (counts kept per holder)
	for _, holders := range []int{60, 6} {
		t.Run(fmt.Sprint(holders), func(t *testing.T) { testLiveMatchesBatch(t, holders) })
	}
}

func testLiveMatchesBatch(t *testing.T, holders int) {
	rng := rand.New(rand.NewPCG(1, uint64(holders)))
	ops := []string{"", "", "cmcc", "unicom", "telecom"}
	mvnos := []string{"", "", "", "brand-a", "brand-b"}
	mk := func() *risk.Record {
		r := &risk.Record{MSISDN: fmt.Sprintf("1380000%04d", rng.IntN(400)), Holder: fmt.Sprintf("h-%d", rng.IntN(holders)),
			OpenedAt: risk.Date(2025, 1, 1+rng.IntN(3)), Operator: ops[rng.IntN(len(ops))], MVNO: mvnos[rng.IntN(len(mvnos))]}
		switch rng.IntN(10) {
		case 0:
			r.Status = "cancelled"
		case 1:
			r.Holder = ""
		}
		return r
	}
	pop := risk.NewLivePopulation()
	for step := range 3000 {
		if rng.IntN(5) == 0 {
			_, err := pop.Remove(fmt.Sprintf("1380000%04d", rng.IntN(400)))
			require.NoError(t, err)
		} else {
			_, err := pop.Upsert(mk(), asOf)
			require.NoError(t, err)
		}
		if step%500 != 499 {
			continue
		}
		batch := risk.NewPopulation()
		var stored []*risk.Record
		for i := range 400 {
			if r, ok := pop.Lookup(fmt.Sprintf("1380000%04d", i)); ok {
				cp := *r
				stored = append(stored, &cp)
				batch.Add(&cp)
			}
		}
		require.Equal(t, len(stored), pop.Len())
		for _, r := range stored {
			s, _ := pop.Lookup(r.MSISDN)
			require.Equal(t, batch.Features(r), pop.Features(s), "stored card, step %d", step)
			require.Equal(t, batch.Features(r), pop.Features(r), "a copy, step %d", step)
		}
		// a record not stored: the features it gets now are those it has once stored
		for range 50 {
			r := mk()
			require.NoError(t, r.Validate(asOf))
			want := pop.Features(r)
			clone := risk.NewLivePopulation()
			for _, s := range stored {
				if s.MSISDN != r.MSISDN {
					_, err := clone.Upsert(s, asOf)
					require.NoError(t, err)
				}
			}
			got, err := clone.Upsert(r, asOf)
			require.NoError(t, err)
			require.Equal(t, clone.Features(got), want, "as if stored, step %d", step)
		}
	}
}

// Readers score while writers upsert and remove: every read of a holder's
// counts is a state before or after an update, never half of one (the
// holder's cards are all on one operator and day, so the four counts move
// together).
func TestLiveConcurrentReadersSeeWholeUpdates(t *testing.T) {
	for _, base := range []int{4, 30} { // a holder with few cards, with many
		t.Run(fmt.Sprint(base), func(t *testing.T) { testLiveConcurrent(t, base) })
	}
}

func testLiveConcurrent(t *testing.T, base int) {
	eng := defaultEngine(t)
	pop := risk.NewLivePopulation()
	for i := range base {
		_, err := pop.Upsert(holderCard(i, "h-1"), asOf)
		require.NoError(t, err)
	}
	var stop atomic.Bool
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // writer: adds and removes a fifth card, moves a sixth in and out
		defer wg.Done()
		for i := 0; !stop.Load(); i++ {
			if i%2 == 0 {
				_, _ = pop.Upsert(holderCard(base, "h-1"), asOf)
				_, _ = pop.Upsert(holderCard(base+1, "h-1"), asOf)
			} else {
				_, _ = pop.Remove(holderCard(base, "h-1").MSISDN)
				_, _ = pop.Upsert(holderCard(base+1, "h-2"), asOf)
			}
		}
	}()
	var reads atomic.Int64
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := eng.NewScorer(risk.AsOfTime(asOf), risk.WithPopulation(pop))
			var d risk.Decision
			for i := 0; i < 3000; i++ {
				r, ok := pop.Lookup(holderCard(i%base, "h-1").MSISDN)
				if !ok {
					panic("stored card missing")
				}
				f := pop.Features(r)
				if f.CardsTotal < base || f.CardsTotal > base+2 || f.CardsOnOperator != f.CardsTotal || f.CardsSameDay != f.CardsTotal || f.Operators != 1 {
					panic(fmt.Sprintf("half an update: %+v", f))
				}
				if err := s.ScoreInto(r, &d); err != nil {
					panic(err)
				}
				nf := pop.Features(holderCard(999, "h-1")) // a record not stored: under the shard's read lock
				if nf.CardsTotal < base+1 || nf.CardsTotal > base+3 || nf.CardsOnOperator != nf.CardsTotal {
					panic(fmt.Sprintf("half an update (as if): %+v", nf))
				}
				reads.Add(1)
			}
		}()
	}
	for reads.Load() < 6000 {
		runtime.Gosched()
	}
	stop.Store(true)
	wg.Wait()
}

// The batch Population: a card added again replaces its earlier state, and
// a card added before Validate counts under its segment's operator.
func TestPopulationAddAgainAndUnvalidated(t *testing.T) {
	pop := risk.NewPopulation()
	c := holderCard(1, "h-1")
	for range 6 {
		pop.Add(c)
	}
	require.Equal(t, 1, pop.Len())
	require.Equal(t, 1, pop.Features(c).CardsOnOperator)

	cards := make([]*risk.Record, 6)
	pop = risk.NewPopulation()
	for i := range cards {
		cards[i] = holderCard(i, "h-1")
		pop.Add(cards[i]) // before Validate: no operator yet
	}
	for i, c := range cards {
		require.NoError(t, c.Validate(asOf))
		require.Equal(t, 6, pop.Features(c).CardsOnOperator, "card %d", i)
	}
	cards[5].Status = "cancelled"
	pop.Add(cards[5])
	require.Equal(t, 5, pop.Features(cards[0]).CardsOnOperator)
	require.Equal(t, 6, pop.Len())
	cards[4].Holder = "h-2"
	pop.Add(cards[4])
	require.Equal(t, 4, pop.Features(cards[0]).CardsOnOperator)
	require.Equal(t, 1, pop.Features(cards[4]).CardsOnOperator)
}

// Limits are errors naming them, not panics.
func TestLivePopulationNilAndErrors(t *testing.T) {
	var pop *risk.LivePopulation
	_, err := pop.Upsert(holderCard(1, "h"), asOf)
	require.Error(t, err)
	require.Equal(t, 0, pop.Len())
	_, ok := pop.Lookup("13800138000")
	require.False(t, ok)
	require.Equal(t, risk.Features{CardsOnOperator: 1, CardsTotal: 1, CardsSameDay: 1, Operators: 1}, pop.Features(holderCard(1, "h")))
	_, err = risk.NewLivePopulation().Upsert(nil, asOf)
	require.ErrorIs(t, err, risk.ErrInvalidRecord)
	require.False(t, errors.Is(err, risk.ErrPopulationLimit))
	eng := defaultEngine(t)
	_, err = eng.Score(holderCard(1, "h"), risk.AsOfTime(asOf), risk.WithPopulation(pop))
	require.NoError(t, err, "a nil population is no population")
}

// UpsertBatch stores in input order (the last state of a number wins),
// reports each bad record at its index, and builds what Upserts one by one
// build.
func TestLiveUpsertBatch(t *testing.T) {
	var recs []*risk.Record
	for i := range 3000 {
		recs = append(recs, holderCard(i%2500, fmt.Sprintf("h-%d", i%700)))
	}
	recs[10].OpenedAt = 0
	recs[2600].Status = "cancelled" // the second state of card 100: cancelled
	pop, one := risk.NewLivePopulation(), risk.NewLivePopulation()
	errs := pop.UpsertBatch(recs, asOf)
	require.Len(t, errs, len(recs))
	for i, err := range errs {
		_, err1 := one.Upsert(recs[i], asOf)
		if i == 10 {
			require.ErrorIs(t, err, risk.ErrInvalidRecord)
			require.ErrorIs(t, err1, risk.ErrInvalidRecord)
			continue
		}
		require.NoError(t, err, "record %d", i)
		require.NoError(t, err1)
	}
	require.Equal(t, 2500, pop.Len(), "card 10 is stored by its second record")
	for i := range 2500 {
		a, okA := pop.Lookup(holderCard(i, "").MSISDN)
		b, okB := one.Lookup(holderCard(i, "").MSISDN)
		require.Equal(t, okB, okA)
		if okA {
			require.Equal(t, b.Status, a.Status)
			require.Equal(t, one.Features(b), pop.Features(a), "card %d", i)
		}
	}
	r, _ := pop.Lookup(holderCard(100, "").MSISDN)
	require.Equal(t, "cancelled", r.Status)
	require.Nil(t, pop.UpsertBatch(recs[:5], asOf))
	var nilPop *risk.LivePopulation
	require.Len(t, nilPop.UpsertBatch(recs[:2], asOf), 2)
}

// More distinct operators and MVNO brands than the limit: the Upsert that
// would pass it fails with ErrPopulationLimit, naming it, and stores nothing.
func TestLiveOperatorLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("65,535 upserts")
	}
	pop := risk.NewLivePopulation()
	recs := make([]*risk.Record, risk.MaxLiveOperators)
	for i := range recs {
		recs[i] = &risk.Record{MSISDN: strconv.Itoa(13800000000 + i), Holder: "h-" + strconv.Itoa(i%1000), MVNO: "b" + strconv.Itoa(i), OpenedAt: risk.Date(2025, 1, 1)}
	}
	require.Nil(t, pop.UpsertBatch(recs, asOf)) // 65,535 brands
	r := &risk.Record{MSISDN: "13900000000", Holder: "h-2", MVNO: "one-too-many", OpenedAt: risk.Date(2025, 1, 1)}
	_, err := pop.Upsert(r, asOf)
	require.ErrorIs(t, err, risk.ErrPopulationLimit)
	require.ErrorContains(t, err, "risk.MaxLiveOperators")
	_, ok := pop.Lookup("13900000000")
	require.False(t, ok)
	require.Equal(t, risk.MaxLiveOperators, pop.Len())
	// a known brand still enters
	r.MVNO, r.Holder = "b7", "h-7"
	_, err = pop.Upsert(r, asOf)
	require.NoError(t, err)
	require.Equal(t, 2, pop.Features(r).CardsOnOperator)
}
