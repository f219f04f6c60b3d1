package scan

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func plainSlow(b []byte, i int) int {
	for ; i < len(b); i++ {
		if c := b[i]; c == '"' || c == '\\' || c < 0x20 || c >= 0x80 {
			return i
		}
	}
	return i
}

// Plain stops where a byte-at-a-time scan stops: at every special byte in
// every place of a word, after any plain bytes, from any start.
func TestPlainSameAsByteScan(t *testing.T) {
	specials := []byte{'"', '\\', 0, 0x1f, 0x80, 0xff, '\n'}
	plain := []byte{' ', '!', '#', '[', ']', 'a', 'Z', '~', 0x7f, 0x21, 0x5d}
	for n := 0; n < 20; n++ {
		for pos := 0; pos <= n; pos++ {
			for _, sp := range specials {
				for _, p := range plain {
					b := make([]byte, n)
					for k := range b {
						b[k] = p
					}
					if pos < n {
						b[pos] = sp
					}
					for start := 0; start <= n; start++ {
						require.Equal(t, plainSlow(b, start), Plain(b, start), "%q from %d", b, start)
					}
				}
			}
		}
	}
}

func FuzzPlain(f *testing.F) {
	f.Add([]byte(`hk-66c5a710333f08d5"0000`), 0)
	f.Fuzz(func(t *testing.T, b []byte, start int) {
		if start < 0 || start > len(b) {
			return
		}
		require.Equal(t, plainSlow(b, start), Plain(b, start))
	})
}

// HasUpper finds an upper-case letter in any place of a word, and only one.
func TestHasUpper(t *testing.T) {
	for c := 0x20; c < 0x80; c++ {
		for n := 1; n < 20; n++ {
			for pos := 0; pos < n; pos++ {
				b := make([]byte, n)
				for k := range b {
					b[k] = 'a'
				}
				b[pos] = byte(c)
				require.Equal(t, c >= 'A' && c <= 'Z', HasUpper(b), "%q", b)
			}
		}
	}
}
