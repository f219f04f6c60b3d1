package risk_test

import (
	"fmt"
	"testing"

	"github.com/simrisk/simrisk/risk"
)

// FuzzLivePopulation runs a sequence of upserts and removals read from the
// input (3 bytes an operation: the number, the holder, the state) and then
// requires every stored card's features, and those of records not stored,
// to be what a batch Population of the stored cards gives, and Len and
// Holders to match the cards stored.
func FuzzLivePopulation(f *testing.F) {
	f.Add([]byte{0, 0, 0, 1, 0, 0, 2, 0, 0, 3, 0, 0, 4, 0, 0, 5, 0, 0})
	f.Add([]byte{0, 0, 0, 0, 0, 1, 0, 1, 2, 0, 0, 255})
	many := make([]byte, 0, 3*40)
	for i := range 40 { // a holder past 16 cards, then cards leaving it
		many = append(many, byte(i), 1, byte(i%3))
	}
	for i := range 30 {
		many = append(many, byte(i), byte(2+i%2), 0xf0)
	}
	f.Add(many)
	ops := []string{"", "cmcc", "unicom", "telecom"}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 3*2000 {
			return
		}
		pop := risk.NewLivePopulation()
		mk := func(n, h, st byte) *risk.Record {
			r := &risk.Record{MSISDN: fmt.Sprintf("138%08d", n%64), Holder: fmt.Sprintf("h-%d", h%5),
				OpenedAt: risk.Date(2025, 1, 1+int(st%3)), Operator: ops[st>>2%4]}
			if st>>4&3 == 1 {
				r.MVNO = "brand"
			}
			switch st >> 6 {
			case 1:
				r.Status = "cancelled"
			case 2:
				r.Holder = ""
			}
			return r
		}
		for i := 0; i+3 <= len(data); i += 3 {
			if data[i+2] == 0xf0 {
				if _, err := pop.Remove(fmt.Sprintf("138%08d", data[i]%64)); err != nil {
					t.Fatal(err)
				}
				continue
			}
			if _, err := pop.Upsert(mk(data[i], data[i+1], data[i+2]), asOf); err != nil {
				t.Fatal(err)
			}
		}
		batch := risk.NewPopulation()
		var stored []*risk.Record
		holders := map[string]bool{}
		for n := range 64 {
			if r, ok := pop.Lookup(fmt.Sprintf("138%08d", n)); ok {
				cp := *r
				stored = append(stored, &cp)
				batch.Add(&cp)
				if r.Valid() && r.Holder != "" {
					holders[r.Holder] = true
				}
			}
		}
		if pop.Len() != len(stored) || pop.Holders() != len(holders) {
			t.Fatalf("Len %d Holders %d, want %d and %d", pop.Len(), pop.Holders(), len(stored), len(holders))
		}
		for _, r := range stored {
			s, _ := pop.Lookup(r.MSISDN)
			if got, want := pop.Features(s), batch.Features(r); got != want {
				t.Fatalf("card %s: %+v, want %+v", risk.MaskMSISDN(r.MSISDN), got, want)
			}
			if got, want := pop.Features(r), batch.Features(r); got != want {
				t.Fatalf("copy of card %s: %+v, want %+v", risk.MaskMSISDN(r.MSISDN), got, want)
			}
		}
		// a record not stored: what it would have once stored
		for _, st := range []byte{0, 5, 0x40, 0x80} {
			r := mk(63, 1, st)
			if _, ok := pop.Lookup(r.MSISDN); ok {
				continue
			}
			want := pop.Features(r)
			got, err := pop.Upsert(r, asOf)
			if err != nil {
				t.Fatal(err)
			}
			if f := pop.Features(got); f != want {
				t.Fatalf("as if stored: %+v, once stored %+v", want, f)
			}
			if _, err := pop.Remove(r.MSISDN); err != nil {
				t.Fatal(err)
			}
		}
	})
}
