package ref

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// The quick test never says no to a text the full reading takes for
// scientific notation: random texts from the characters that matter
// (digits, e and E, signs, separators, quotes, labels, letters), and the
// spellings the loose test lists.
func TestSciTailNeverRefusesScientific(t *testing.T) {
	parts := []string{"0", "1", "7", "9", ".", ",", "e", "E", "+", "-", " ", "\t", "\"", "'", "=", ":", "ID", "id no", "身份证", "：", "x", "a", "f", "(18位)", "\u3000", "１", "Ｅ", "hk-", "c", "sfz", "ID no."}
	rng := rand.New(rand.NewPCG(1, 2))
	positives := 0
	for n := 0; n < 300000; n++ {
		var b []byte
		for k := rng.IntN(12); k >= 0; k-- {
			b = append(b, parts[rng.IntN(len(parts))]...)
		}
		s := string(b)
		if sciFull(s) {
			positives++
			require.True(t, sciTail(s), "%q", s)
		}
	}
	for _, s := range []string{"1.10105E+17", " 1.10105 E+17 ", "ID:1.10105E+17", `="1.38001E+10"`, "'1.38E+10", "1,38E10", "1.1e-5", "1E - 5", "身份证：1.1E17"} {
		require.True(t, sciTail(s), "%q", s)
		require.True(t, IsSciNotation(s), "%q", s)
	}
	require.Greater(t, positives, 100, "the random texts hold scientific notation")
	for _, s := range []string{"hk-66c5a710333f08d50000000000000001", "h-7f3a", "13800138000", "", "abc e", "hk-ea99dfbde19232d9012345678901234e9", "hk-c5e9", "hk-1.5e+10", "key 15e9"} {
		require.False(t, sciTail(s), "%q", s)
	}
}
