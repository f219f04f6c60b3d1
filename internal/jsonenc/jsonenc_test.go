package jsonenc

import (
	"encoding/json"
	"math"
	"strconv"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// refString is String written the plain way, byte by byte (what risk's
// Decision.AppendJSON did before the fast path): the reference.
func refString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				b = append(b, `\ufffd`...)
			} else {
				b = append(b, s[i:i+size]...)
			}
			i += size
			continue
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, `\n`...)
		case c == '\r':
			b = append(b, `\r`...)
		case c == '\t':
			b = append(b, `\t`...)
		case c < 0x20:
			b = append(b, `\u00`...)
			b = append(b, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&0xf])
		default:
			b = append(b, c)
		}
		i++
	}
	return append(b, '"')
}

func checkString(t *testing.T, s string) {
	got := String([]byte("x"), s)
	require.Equal(t, string(refString([]byte("x"), s)), string(got), "%q", s)
	var back string
	require.NoError(t, json.Unmarshal(got[1:], &back), "%q", s)
	if utf8.ValidString(s) {
		require.Equal(t, s, back)
	}
}

// Strings are quoted as the byte-by-byte reference quotes them, and read
// back by encoding/json as they were (invalid UTF-8 as U+FFFD), whatever
// their length (the fast path tests eight bytes at a time).
func TestString(t *testing.T) {
	for _, s := range []string{"", "a", "plain ascii text", "13800138000", "持卡人证件在中国联通名下", `quote " here`,
		`back\slash`, "tab\tnl\ncr\r", "\x00\x1f\x7f", "\xff\xfe bad utf-8 \xc3", "\u2028\u2029", "exactly8", "sixteen bytes!!!",
		"seven b", "a long line of text with a quote at the end of it\"", "中文\"", "\xe4\xb8"} {
		checkString(t, s)
	}
}

func FuzzString(f *testing.F) {
	for _, s := range []string{"", "plain", "持卡人", "\"\\\x00", "\xff", "12345678\"", "\u2028"} {
		f.Add(s)
	}
	f.Fuzz(checkString)
}

// Times are written as risk.Time.Std().AppendFormat(RFC 3339) writes them,
// over the whole range a decision can hold and beyond (package time's
// path).
func TestTime(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	check := func(sec int64) {
		want := "0001-01-01T00:00:00Z"
		if sec != 0 {
			want = time.Unix(sec, 0).In(cst).Format(time.RFC3339)
		}
		require.Equal(t, want, string(Time(nil, sec)), "%d", sec)
	}
	for _, sec := range []int64{0, 1, -1, 86399, -28800, -28801, 951782400, 4102444799, -62167219200 - 28800, -62167219200 - 28801,
		253402300800 - 28800, 253402300800 - 28801, math.MaxInt32, math.MinInt32, 1 << 40, -(1 << 40)} {
		check(sec)
	}
	for sec := int64(-62167219200); sec < 253402300800; sec += 86400*97 + 3607 {
		check(sec)
	}
}

func FuzzTime(f *testing.F) {
	f.Add(int64(0))
	f.Add(int64(1764547200))
	f.Add(int64(-62167248000))
	cst := time.FixedZone("CST", 8*3600)
	f.Fuzz(func(t *testing.T, sec int64) {
		if sec == 0 {
			return
		}
		require.Equal(t, time.Unix(sec, 0).In(cst).Format(time.RFC3339), string(Time(nil, sec)))
	})
}

// Numbers: the shortest decimal without an exponent (strconv's 'f', -1),
// NaN as 0 and the infinities as the largest finite values.
func TestNumber(t *testing.T) {
	for _, f := range []float64{0, math.Copysign(0, -1), 1, 25, 100, -3, 0.5, 1e21, 1 << 53, 1<<53 + 2, 123.456, -1e-7, math.MaxFloat64} {
		require.Equal(t, strconv.FormatFloat(f, 'f', -1, 64), string(Number(nil, f)), "%v", f)
	}
	require.Equal(t, "0", string(Number(nil, math.NaN())))
	require.Equal(t, strconv.FormatFloat(math.MaxFloat64, 'f', -1, 64), string(Number(nil, math.Inf(1))))
	require.Equal(t, strconv.FormatFloat(-math.MaxFloat64, 'f', -1, 64), string(Number(nil, math.Inf(-1))))
}

// A Cache gives the same bytes as no cache, whatever changes between
// decisions.
func TestCacheSameAsNone(t *testing.T) {
	var c Cache
	for i, tc := range []struct {
		deadline, asOf     int64
		set, pack, version string
	}{
		{1764547200, 1764460800, "sha256:a", "default", "1.1.0"},
		{1764547200, 1764460800, "sha256:a", "default", "1.1.0"},
		{1764633600, 1764460800, "sha256:a", "default", "1.1.0"},
		{1764633600, 0, "sha256:a", "default", "1.1.0"},
		{1764633600, 0, "sha256:b", "default", "1.1.0"},
		{1764633600, 0, "sha256:b", "mine\"", "2"},
		{-1, 1, "", "", ""},
	} {
		require.Equal(t, string((*Cache)(nil).Deadline(nil, tc.deadline)), string(c.Deadline(nil, tc.deadline)), i)
		require.Equal(t, string((*Cache)(nil).Tail(nil, tc.set, tc.asOf, tc.pack, tc.version)), string(c.Tail(nil, tc.set, tc.asOf, tc.pack, tc.version)), i)
	}
	require.Equal(t, `,"deadline":"2025-12-01T08:00:00+08:00"`, string((*Cache)(nil).Deadline(nil, 1764547200)))
	require.Equal(t, `,"ruleset":"sha256:a","as_of":"2025-11-30T08:00:00+08:00","pack":"default","version":"1.1.0"`,
		string((*Cache)(nil).Tail(nil, "sha256:a", 1764460800, "default", "1.1.0")))
}
