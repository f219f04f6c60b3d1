package risk

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMaskTail(t *testing.T) {
	for in, want := range map[string]string{
		"13800138000":                  "138****8000",
		"号码13800138000已停机":             "号码138****8000已停机",
		"1380013800":                   "1380013800", // 10 digits: not a number we know
		"11010519491231002X":           "110105********002X",
		"11010519491231002x, 2 cards":  "110105********002X, 2 cards",
		"110105491231002":              "110105******002",
		"a 138001380001 b 13900139000": "a 138*****0001 b 139****9000",
		"":                             "",
		"1234567890":                   "1234567890",
		"mvno 138 0013 8000":           "mvno 138****8000",
		"mvno 138-0013-8000!":          "mvno 138****8000!",
		"品牌１３８００１３８０００":           "品牌138****8000",
		"+86 138 0013 8000":       "+861******8000",
		"ID 110105 19491231 002x": "ID 110105********002X",
	} {
		b := []byte("prefix:" + in)
		b, _ = maskTail(b, len("prefix:"), nil)
		require.Equal(t, "prefix:"+want, string(b), in)
		require.Equal(t, want, maskText(in), in)
	}
}

// TestMaskDigits: maskDigits is where a Span starts to say it may hold a
// number (render masks a reason from that many digits on).
func TestMaskDigits(t *testing.T) {
	require.True(t, textSpan{Lead: maskDigits, Trail: maskDigits}.MayHoldNumber())
	require.False(t, textSpan{Lead: maskDigits - 1, Trail: maskDigits - 1}.MayHoldNumber())
	require.Equal(t, maskDigits, spanDigits(spanOf([]byte("ab13800138000cd"))))
	require.Equal(t, 5, spanDigits(spanOf([]byte("12天1234567天123"))))
	require.Equal(t, 4, spanDigits(spanOf([]byte("1 2-34"))))
}
