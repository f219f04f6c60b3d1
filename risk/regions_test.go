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
