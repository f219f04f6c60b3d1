package risk

import (
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestFingerprintNumbersDoNotCancel: the numbers a host sets (opened_at,
// the lengths of roaming and linked_platforms) are folded so that no two
// changes of them cancel: a record opened 4,096 s later with one roaming
// entry more had the fingerprint it had before, and was scored unvalidated
// (opened after the as-of time) and on its old population entry.
func TestFingerprintNumbersDoNotCancel(t *testing.T) {
	base := &Record{MSISDN: "13800138000", Operator: "cmcc", Kind: "mobile", Holder: "h1", OpenedAt: Date(2026, 10, 31)}
	set := map[Time]bool{0: true}
	for k := range 40 {
		set[Time(1)<<k], set[-Time(1)<<k] = true, true
	}
	for k := 1; k < 64; k++ {
		set[Time(k)*4096], set[-Time(k)*4096], set[Time(k)*86400] = true, true, true
	}
	deltas := slices.Sorted(maps.Keys(set))
	seen := make(map[uint64]string, 70*33*len(deltas))
	roam := make([]Roaming, 70)
	plats := make([]string, 33)
	r := *base
	for i := range 70 {
		for j := range 33 {
			for _, d := range deltas {
				r.Roaming, r.LinkedPlatforms, r.OpenedAt = roam[:i], plats[:j], base.OpenedAt+d
				fp := r.fingerprint()
				if prev, ok := seen[fp]; ok {
					t.Fatalf("roaming %d, linked_platforms %d, opened_at %+d s: the fingerprint of %s", i, j, d, prev)
				}
				seen[fp] = fmt.Sprintf("roaming %d, linked_platforms %d, opened_at %+d s", i, j, d)
			}
		}
	}
	require.Len(t, seen, 70*33*len(deltas))
}
