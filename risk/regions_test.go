package risk

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// splitCode reads every 6-digit code as the digit-by-digit reader does, and
// rejects a code with any byte that is not a digit, wherever it is.
func TestSplitCodeMatchesDigits(t *testing.T) {
	for n := 0; n < 1_000_000; n++ {
		code := fmt.Sprintf("%06d", n)
		prov, pref, last, ok := splitCode(code)
		if !ok || prov != n/10000 || pref != n/100 || last != n%100 {
			t.Fatalf("%s: %d %d %d %v", code, prov, pref, last, ok)
		}
	}
	for i := 0; i < 6; i++ {
		for c := 0; c < 256; c++ {
			b := []byte("530902")
			b[i] = byte(c)
			_, _, _, ok := splitCode(string(b))
			require.Equal(t, sixDigits(string(b)) >= 0, ok, "%q", b)
			require.Equal(t, c >= '0' && c <= '9', ok, "%q", b)
		}
	}
}

// A county is found whatever other counties share its prefecture, and a
// code under a prefecture without listed counties is not.
func TestRegionSetCounties(t *testing.T) {
	s := NewRegionSet([]string{"350802", "350803", "440904", "110000", "530900"})
	for code, want := range map[string]bool{
		"350802": true, "350803": true, "350804": false, "440904": true, "440900": false,
		"110105": true, "530999": true, "350899": false, "440994": false, "000000": false,
	} {
		require.Equal(t, want, s.Contains(code), code)
	}
}

// regionSpec is in_region by its definition (domain.md §3): code is one of
// the region codes of items, or under one of its provinces (NN0000) or
// prefectures (NNNN00).
func regionSpec(code string, items []string) bool {
	if !isRegion(code) {
		return false
	}
	for _, it := range items {
		switch {
		case !isRegion(it):
		case it == code:
			return true
		case len(it) == 6 && len(code) == 6 && it[2:] == "0000" && it[:2] == code[:2]:
			return true
		case len(it) == 6 && len(code) == 6 && it[4:] == "00" && it[:4] == code[:4]:
			return true
		}
	}
	return false
}

// Contains answers as the definition does for every 6-digit code, every
// 2-letter code and codes with a byte that is not a digit or letter, on sets
// of provinces, prefectures, counties and countries (its quick test of a
// code's first four digits, mayHave6, included).
func TestRegionSetMatchesDefinition(t *testing.T) {
	sets := [][]string{
		{"KH", "MM", "350000", "530900", "350802", "440904", "361127"},
		{"110101", "110102", "990000", "012345", "460400", "AE", "kh", "53090"},
		{"440000", "450000", "451400", "450126"},
		nil,
	}
	for _, items := range sets {
		s := NewRegionSet(items)
		for n := 0; n < 1_000_000; n++ {
			code := fmt.Sprintf("%06d", n)
			if got := s.Contains(code); got != regionSpec(code, items) {
				t.Fatalf("%v: %s: %v", items, code, got)
			}
		}
		for a := 0; a < 256; a++ {
			for b := 0; b < 256; b++ {
				code := string([]byte{byte(a), byte(b)})
				require.Equal(t, regionSpec(code, items), s.Contains(code), "%v: %q", items, code)
			}
		}
		for _, base := range []string{"350802", "440904", "530901", "110101", "460400"} {
			for i := 0; i < 6; i++ {
				for c := 0; c < 256; c++ {
					b := []byte(base)
					b[i] = byte(c)
					require.Equal(t, regionSpec(string(b), items), s.Contains(string(b)), "%v: %q", items, b)
				}
			}
		}
	}
}
