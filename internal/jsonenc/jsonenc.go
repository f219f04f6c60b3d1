// Package jsonenc writes the JSON pieces of a decision (strings, numbers,
// times at +08:00) the one way both risk's Decision.AppendJSON and
// datasets' per-worker decision encoder write them, fast: a string with
// nothing to escape is copied whole (eight bytes tested at a time), a
// whole number by its digits, a time by hand.
//
// Stage: output encoding, below package risk and package datasets.
// Imports: the standard library only.
package jsonenc

import (
	"encoding/binary"
	"math"
	"strconv"
	"time"
	"unicode/utf8"
	"unsafe"
)

// cst is risk.CST: China Standard Time, +08:00, no daylight saving.
var cst = time.FixedZone("CST", 8*3600)

// stdTime is risk.Time.Std: the zero time.Time for 0.
func stdTime(t int64) time.Time {
	if t == 0 {
		return time.Time{}
	}
	return time.Unix(t, 0).In(cst)
}

// String appends s quoted as JSON: quotes, backslashes
// and control characters escaped (\n, \r, \t or \u00XX), valid UTF-8 kept
// as it is, each byte that is not part of valid UTF-8 written as \ufffd.
func String(b []byte, s string) []byte {
	b = append(b, '"')
	if plain, ascii := plain(s); plain && (ascii || utf8.ValidString(s)) {
		b = append(b, s...)
		return append(b, '"')
	}
	last := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r != utf8.RuneError || size != 1 {
				i += size
				continue
			}
			b = append(append(b, s[last:i]...), `\ufffd`...)
			i++
			last = i
			continue
		}
		b = append(b, s[last:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			const hex = "0123456789abcdef"
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		i++
		last = i
	}
	b = append(b, s[last:]...)
	return append(b, '"')
}

// Number appends f as a JSON number (the shortest decimal,
// no exponent; NaN as 0, the infinities as the largest finite values): a
// whole number below 2^53 by its digits.
func Number(b []byte, f float64) []byte {
	if f >= 0 && f < 1<<53 && f == float64(int64(f)) && (f != 0 || !math.Signbit(f)) {
		return strconv.AppendInt(b, int64(f), 10)
	}
	switch {
	case f != f:
		f = 0
	case f > math.MaxFloat64:
		f = math.MaxFloat64
	case f < -math.MaxFloat64:
		f = -math.MaxFloat64
	}
	return strconv.AppendFloat(b, f, 'f', -1, 64)
}

// Time appends t (Unix seconds, 0 for no time: the zero time.Time) as RFC
// 3339 at +08:00, as risk.Time.Std().AppendFormat(b, time.RFC3339) does: years 0 to 9999 by hand, others by package time.
func Time(b []byte, t int64) []byte {
	const day = 86400
	s := t + 8*3600
	if t == 0 || s < -62167219200 || s >= 253402300800 { // 0000-01-01 to 9999-12-31 (at +08:00)
		return stdTime(t).AppendFormat(b, time.RFC3339)
	}
	days := s / day
	if s%day < 0 {
		days--
	}
	sec := int(s - days*day)
	// the civil date of a day number (days since 1970-01-01)
	z := days + 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
		y++
	}
	two := func(b []byte, v int) []byte { return append(b, byte('0'+v/10), byte('0'+v%10)) }
	b = two(b, int(y/100))
	b = two(b, int(y%100))
	b = append(b, '-')
	b = two(b, int(m))
	b = append(b, '-')
	b = two(b, int(d))
	b = append(b, 'T')
	b = two(b, sec/3600)
	b = append(b, ':')
	b = two(b, sec/60%60)
	b = append(b, ':')
	b = two(b, sec%60)
	return append(b, "+08:00"...)
}

// plain reports whether s holds no byte JSON must escape (a quote, a
// backslash, a control character), eight bytes at a time, and whether it
// is all ASCII.
func plain(s string) (plain, ascii bool) {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	var all uint64 // the bytes' bits, or'ed
	i := 0
	if len(s) >= 8 {
		p := unsafe.Slice(unsafe.StringData(s), len(s))
		for ; i+8 <= len(s); i += 8 {
			x := binary.LittleEndian.Uint64(p[i:])
			// a byte's high bit in m is set where it is a quote, a
			// backslash or below 0x20 (bytes of 0x80 and up are not: x's
			// own high bits are masked out)
			q := x ^ ('"' * ones)
			k := x ^ ('\\' * ones)
			if ((q-ones)&^q|(k-ones)&^k|(x-0x20*ones)&^x)&highs != 0 {
				return false, false
			}
			all |= x
		}
	}
	for ; i < len(s); i++ {
		c := s[i]
		if c == '"' || c == '\\' || c < 0x20 {
			return false, false
		}
		all |= uint64(c)
	}
	return true, all&highs == 0
}

// Cache keeps, for one encoder writing many decisions (a worker of
// datasets.ScoreFile; not for concurrent use), the texts a run's decisions
// share: the fragment after the hits and errors (rule set digest, as-of
// time, pack, version) and the last deadline. A nil *Cache keeps nothing.
type Cache struct {
	ruleSet, pack, version string
	asOf                   int64
	tail                   []byte // `,"ruleset":…,"as_of":"…","pack":…,"version":…`
	deadline               int64
	deadlineText           []byte // `,"deadline":"…"`
}

// Deadline appends `,"deadline":"T"`, T the time t (Unix seconds) as Time
// writes it.
func (c *Cache) Deadline(b []byte, t int64) []byte {
	if c == nil {
		b = Time(append(b, `,"deadline":"`...), t)
		return append(b, '"')
	}
	if t != c.deadline || c.deadlineText == nil {
		c.deadline = t
		c.deadlineText = (*Cache)(nil).Deadline(c.deadlineText[:0], t)
	}
	return append(b, c.deadlineText...)
}

// Tail appends a decision's last members: `,"ruleset":…`, `,"as_of":"…"`
// (when asOf is not 0), `,"pack":…,"version":…`.
func (c *Cache) Tail(b []byte, ruleSet string, asOf int64, pack, version string) []byte {
	if c == nil {
		b = String(append(b, `,"ruleset":`...), ruleSet)
		if asOf != 0 {
			b = Time(append(b, `,"as_of":"`...), asOf)
			b = append(b, '"')
		}
		b = String(append(b, `,"pack":`...), pack)
		return String(append(b, `,"version":`...), version)
	}
	if c.tail == nil || ruleSet != c.ruleSet || asOf != c.asOf || pack != c.pack || version != c.version {
		c.ruleSet, c.asOf, c.pack, c.version = ruleSet, asOf, pack, version
		c.tail = (*Cache)(nil).Tail(c.tail[:0], ruleSet, asOf, pack, version)
	}
	return append(b, c.tail...)
}

// AppendDecision appends d's JSON object (d a *risk.Decision; exactly
// Decision.AppendJSON's bytes) to b, keeping shared texts in c. Package
// risk sets it; it is not part of any public API.
var AppendDecision func(b []byte, d any, c *Cache) []byte
