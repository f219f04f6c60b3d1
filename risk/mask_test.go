package risk

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMaskInPlace(t *testing.T) {
	for in, want := range map[string]string{
		"13800138000":                  "138****8000",
		"号码13800138000已停机":             "号码138****8000已停机",
		"1380013800":                   "1380013800", // 10 digits: not a number we know
		"11010519491231002X":           "110105********002X",
		"11010519491231002x, 2 cards":  "110105********002x, 2 cards",
		"110105491231002":              "110105******002",
		"a 138001380001 b 13900139000": "a 138*****0001 b 139****9000",
		"":                             "",
		"1234567890":                   "1234567890",
	} {
		b := []byte(in)
		maskInPlace(b)
		require.Equal(t, want, string(b), in)
		require.Equal(t, string(appendMasked(nil, []byte(in))), string(b), in)
	}
}

// FuzzMaskInPlace: masking in place, looking at every 11th byte, masks
// exactly what appendMasked (which looks at every byte) does.
func FuzzMaskInPlace(f *testing.F) {
	for _, s := range []string{"13800138000", "x11010519491231002X", "1 22 333 4444 55555 666666 7777777 88888888 13800138000138",
		"12345678901234567X12345678901", "年13800138000年"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		want := appendMasked(nil, in)
		b := append([]byte(nil), in...)
		maskInPlace(b)
		if string(b) != string(want) {
			t.Fatalf("%q: in place %q, appendMasked %q", in, b, want)
		}
	})
}
