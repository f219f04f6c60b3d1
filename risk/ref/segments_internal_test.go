package ref

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The quick table answers LookupSegment as the search by every prefix
// length does: for every four leading digits of 11- and 13-digit numbers,
// with the embedded table and with segments added on top (a five-digit
// prefix inside a four-digit one, a four-digit one inside a three-digit
// one, a three-digit one replaced).
func TestLookupSegmentQuickSameAsSearch(t *testing.T) {
	check := func() {
		tab := segs.Load()
		for _, length := range []int{11, 13} {
			for v := 0; v < 10000; v++ {
				for _, tail := range []string{"0000000000", "9999999999", "5555555555"} {
					n := fmt.Sprintf("%04d%s", v, tail)[:length]
					got, ok := LookupSegment(n)
					want, wok := tab.lookup(n)
					require.Equal(t, wok, ok, n)
					require.Equal(t, want, got, n)
				}
			}
		}
		for _, odd := range []string{"", "1", "138", "1380", "13800138000x", "+8613800138000", "1x800138000", "13800138000123"} {
			got, ok := LookupSegment(odd)
			want, wok := tab.lookup(odd)
			require.Equal(t, wok, ok, odd)
			require.Equal(t, want, got, odd)
		}
	}
	check()
	old := segs.Load()
	defer segs.Store(old)
	require.NoError(t, AddSegments(strings.NewReader("prefix,length,operator,kind,mvno\n13801,11,telecom,mobile,false\n1390,11,unicom,mobile,false\n138,11,broadnet,mobile,false\n199,13,cmcc,iot,false\n")))
	check()
	s, ok := LookupSegment("13801000000")
	require.True(t, ok)
	require.Equal(t, "telecom", s.Operator)
	s, ok = LookupSegment("13802000000")
	require.True(t, ok)
	require.Equal(t, "broadnet", s.Operator)
}

// KnownRegion's bit per six-digit code says what the division table says,
// for every six-digit code; other spellings go to the table.
func TestKnownRegionSameAsTable(t *testing.T) {
	for v := 0; v < 1000000; v++ {
		code := fmt.Sprintf("%06d", v)
		_, ok := divisions[code]
		if KnownRegion(code) != ok {
			t.Fatalf("%s: bit %v, table %v", code, !ok, ok)
		}
	}
	for _, code := range []string{"", "KH", "kh", "11010x", "1101011", "１１０１０１"} {
		_, div := divisions[code]
		_, country := countries[code]
		require.Equal(t, div || country, KnownRegion(code), code)
	}
}
