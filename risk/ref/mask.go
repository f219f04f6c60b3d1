package ref

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// This file is simrisk's one masking path for free text: reasons, rejects,
// errors, logs and reports all pass through MaskText (or AppendMaskedText),
// and a value that is not what its field expects is shown only as Quote.

// minMasked is the digit count from which a number in text is masked: 11,
// a mobile number's length (IoT numbers have 13, ID numbers 15 or 18).
const minMasked = 11

// maxSepRun is how many separators in a row may stand between two digits
// of one number: "138 - 0013 - 8000", "138.0013.8000", "138。0013。8000"
// and "138\u200b0013\u200b8000" are one number each. A separator is any
// character that is neither a letter nor a digit (isTextSep).
const maxSepRun = 3

// digitOf returns the ASCII digits r stands for under NFKC (full-width １,
// mathematical 𝟏, circled ①), or "" when r is not a digit.
func digitOf(r rune) string {
	switch {
	case r >= '0' && r <= '9':
		return asciiDigits[r-'0' : r-'0'+1]
	case r >= '０' && r <= '９':
		return asciiDigits[r-'０' : r-'０'+1]
	case r < utf8.RuneSelf, r >= 0x3400 && r <= 0x9fff, r >= 0xac00 && r <= 0xd7a3:
		return "" // ASCII, CJK ideographs, Hangul: no digit
	}
	return compatDigits[r]
}

// compatDigits maps each number character that NFKC folds to ASCII digits
// (① to "1", ⑩ to "10", 𝟏 to "1") to those digits: built once from
// Unicode's number table, so that masking never normalises per character.
var compatDigits = func() map[rune]string {
	m := map[rune]string{}
	for _, rt := range []*unicode.RangeTable{unicode.Nd, unicode.No, unicode.Nl} {
		for _, r16 := range rt.R16 {
			for r := rune(r16.Lo); r <= rune(r16.Hi); r += rune(r16.Stride) {
				addCompatDigit(m, r)
			}
		}
		for _, r32 := range rt.R32 {
			for r := rune(r32.Lo); r <= rune(r32.Hi); r += rune(r32.Stride) {
				addCompatDigit(m, r)
			}
		}
	}
	return m
}()

func addCompatDigit(m map[rune]string, r rune) {
	if r < utf8.RuneSelf {
		return
	}
	if s := norm.NFKC.String(string(r)); digits(s) {
		m[r] = s
	}
}

const asciiDigits = "0123456789"

// isCheckX reports whether r may be an ID number's check character: X, x
// (either width) or ×, which Excel users type for X.
func isCheckX(r rune) bool { return r == 'X' || r == 'x' || r == 'Ｘ' || r == 'ｘ' || r == '×' }

// isTextSep reports whether r may stand between the digit groups of a
// number in free text: anything that is neither a letter nor a digit
// (punctuation, symbols, spaces of any kind, zero-width and other format
// characters, control characters). Only maxSepRun of them in a row join
// two groups.
func isTextSep(r rune) bool {
	if r < utf8.RuneSelf {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	}
	if r >= 0x3400 && r <= 0x9fff || r >= 0xac00 && r <= 0xd7a3 {
		return false // CJK ideographs, Hangul: letters
	}
	return !unicode.IsLetter(r) && digitOf(r) == ""
}

// numberish reports whether r can be part of a spelled number.
func numberish(r rune) bool {
	return digitOf(r) != "" || isTextSep(r) || isCheckX(r)
}

// numberRun is one number found in text: bytes [lo, hi) spell n digits
// (an ID's check character X counted), plus says it starts with "+".
type numberRun struct {
	lo, hi, n int
	plus      bool
}

// eachNumber calls fn for every number of at least minMasked digits in s,
// in any spelling: ASCII or full-width digits, up to maxSepRun separators
// (isTextSep) between digits, a leading +, an ID number's check character
// X (or ×) after 17 digits. fn returning false stops the scan.
func eachNumber(s []byte, fn func(numberRun) bool) {
	var cur numberRun
	in := false
	seps := 0
	lastEnd := 0 // end of the run's last digit
	flush := func() bool {
		ok := true
		if in && cur.n >= minMasked {
			cur.hi = lastEnd
			ok = fn(cur)
		}
		in, seps = false, 0
		return ok
	}
	for i := 0; i < len(s); {
		r, size := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRune(s[i:])
		}
		switch d := digitOf(r); {
		case d != "":
			if in && seps > maxSepRun {
				if !flush() {
					return
				}
			}
			if !in {
				cur = numberRun{lo: i}
				in = true
			}
			cur.n += len(d)
			seps = 0
			lastEnd = i + size
		case isCheckX(r) && in && cur.n == 17:
			cur.n++
			seps = 0
			lastEnd = i + size
			if !flush() {
				return
			}
		case (r == '+' || r == '＋') && !in:
			cur = numberRun{lo: i, plus: true}
			in, seps = true, 0
			lastEnd = i // a lone + is no number
		case isTextSep(r):
			if in {
				seps++
			}
		default:
			if !flush() {
				return
			}
			if r == '+' || r == '＋' {
				cur = numberRun{lo: i, plus: true}
				in = true
				lastEnd = i
			}
		}
		i += size
	}
	flush()
}

// HasNumber reports whether s holds a number or ID number, in any
// spelling, that MaskText would mask. It looks at every 11th byte first (a
// number spans at least 11 bytes), so text without one is checked at a
// fraction of its length.
func HasNumber(s []byte) bool {
	for i := minMasked - 1; i < len(s); i += minMasked {
		c := s[i]
		if c < utf8.RuneSelf && !numberish(rune(c)) {
			continue
		}
		lo := i
		for lo > 0 && !utf8.RuneStart(s[lo]) {
			lo--
		}
		if b := s[lo]; b >= 0xe4 && b <= 0xe9 && lo+2 < len(s) && s[lo+1]&0xc0 == 0x80 && s[lo+2]&0xc0 == 0x80 {
			// a CJK ideograph (U+4000 to U+9FFF, what most of a Chinese
			// reason is), read without decoding: no part of a number
			continue
		}
		if r, _ := utf8.DecodeRune(s[lo:]); !numberish(r) || digitOf(r) == "" && !digitNear(s, lo) {
			// a separator inside a number has a digit within maxSepRun+1
			// characters on some side (the runs between digits are at most
			// maxSepRun long, a leading + is followed by one): most
			// punctuation and spaces of a reason do not, and cost no scan
			continue
		}
		hi := lo
		for hi < len(s) {
			r, size := utf8.DecodeRune(s[hi:])
			if !numberish(r) {
				break
			}
			hi += size
		}
		for lo > 0 {
			r, size := utf8.DecodeLastRune(s[:lo])
			if !numberish(r) {
				break
			}
			lo -= size
		}
		found := false
		eachNumber(s[lo:hi], func(numberRun) bool { found = true; return false })
		if found {
			return true
		}
		for i+minMasked < hi {
			i += minMasked
		}
	}
	return false
}

// digitNear reports whether a digit (any spelling) stands within
// maxSepRun+1 characters before or after the character at s[i].
func digitNear(s []byte, i int) bool {
	_, size := utf8.DecodeRune(s[i:])
	hi := i + size
	for k := 0; k <= maxSepRun && hi < len(s); k++ {
		r, n := utf8.DecodeRune(s[hi:])
		if digitOf(r) != "" {
			return true
		}
		hi += n
	}
	lo := i
	for k := 0; k <= maxSepRun && lo > 0; k++ {
		r, n := utf8.DecodeLastRune(s[:lo])
		if digitOf(r) != "" {
			return true
		}
		lo -= n
	}
	return false
}

// AppendMaskedText appends s to dst with every number of 11 or more digits
// masked, in whatever spelling it was written (ASCII or full-width digits,
// up to 3 separators of any kind between digit groups: spaces, dashes,
// dots, slashes, underscores, commas, 。, ·, zero-width characters; +86
// before them, an ID number's X or ×). Digit groups joined so that make
// fewer than 11 digits (a date such as 2026-10-29, a count) stay as they
// are. A
// masked number is written in ASCII without its separators: a number keeps
// its first 3 and last 4 digits (138****8000), an 18-character ID number
// its first 6 and last 4 (110105********002X), a 15-digit one its first 6
// and last 3. Other text is copied as it is; no UTF-8 character is split.
func AppendMaskedText(dst, s []byte) []byte {
	last := 0
	eachNumber(s, func(run numberRun) bool {
		lo, hi, n := trimRun(s[run.lo:run.hi], run.n)
		dst = append(dst, s[last:run.lo+lo]...)
		dst = appendMaskedRun(dst, s[run.lo+lo:run.lo+hi], n)
		last = run.lo + hi
		return true
	})
	return append(dst, s[last:]...)
}

// knownLength reports whether n digits make a number simrisk knows: a
// mobile (11), IoT or +86 mobile (13), ID (15, 18) number.
func knownLength(n int) bool { return n == 11 || n == 13 || n == 15 || n == 18 }

// trimRun narrows a run of digit groups of n digits whose count is no
// known length by leaving short groups at its ends out, while 11 or more
// digits remain: in "1.5 13800138000" the 5 stays as it is. The digits left
// out at an end, with those the mask keeps beside them, are fewer than 11,
// so no number is left unmasked.
func trimRun(s []byte, n int) (lo, hi, m int) {
	type group struct{ lo, hi, n int }
	var gs [32]group
	k := 0
	in := false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRune(s[i:])
		if digitOf(r) == "" && !(isCheckX(r) && i+size == len(s)) {
			in = false // a separator (a run ends at a digit or its check X)
		} else {
			if !in {
				if k == len(gs) {
					return 0, len(s), n
				}
				gs[k] = group{lo: i}
				k++
				in = true
			}
			gs[k-1].n += len(digitOf(r))
			if isCheckX(r) {
				gs[k-1].n++
			}
			gs[k-1].hi = i + size
		}
		i += size
	}
	// one group that is a number of its own, among short ones: in
	// "1.5 13800138000" the 13800138000
	for g := 0; g < k; g++ {
		if gs[g].n < minMasked || gs[g].n == n {
			continue
		}
		left := 0
		for _, h := range gs[:g] {
			left += h.n
		}
		if left+6 < minMasked && n-left-gs[g].n+4 < minMasked {
			return gs[g].lo, gs[g].hi, gs[g].n
		}
		break
	}
	if knownLength(n) {
		return 0, len(s), n
	}
	// what is left out at each end, with the digits the mask keeps next
	// to it (at most 6 at the head, 4 at the tail), stays under 11 digits:
	// the masked text holds no number of its own
	i, j := 0, k-1
	m = n
	left, right := 0, 0
	for !knownLength(m) && i < j {
		switch {
		case left+gs[i].n+6 < minMasked && m-gs[i].n >= minMasked:
			m -= gs[i].n
			left += gs[i].n
			i++
		case right+gs[j].n+4 < minMasked && m-gs[j].n >= minMasked:
			m -= gs[j].n
			right += gs[j].n
			j--
		default:
			return gs[i].lo, gs[j].hi, m
		}
	}
	return gs[i].lo, gs[j].hi, m
}

func appendMaskedRun(dst, s []byte, n int) []byte {
	head, tail := maskKeeps(n)
	k := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRune(s[i:])
		i += size
		if (r == '+' || r == '＋') && i == size {
			dst = append(dst, '+')
			continue
		}
		d := digitOf(r)
		if d == "" && isCheckX(r) && i == len(s) {
			d = "X"
		}
		for j := 0; j < len(d); j++ {
			if k < head || k >= n-tail {
				dst = append(dst, d[j])
			} else {
				dst = append(dst, '*')
			}
			k++
		}
	}
	return dst
}

// maskKeeps is how many characters of a masked number of n stay visible at
// its head and its tail.
func maskKeeps(n int) (head, tail int) {
	switch n {
	case 18: // an ID number: 110105********002X
		return 6, 4
	case 15: // an old ID number: 110105******002
		return 6, 3
	}
	return 3, 4 // a number: 138****5678
}

// MaskText returns s with every number and ID number masked as
// AppendMaskedText does; text without one is returned as it is.
func MaskText(s string) string {
	if !HasNumber([]byte(s)) {
		return s
	}
	return string(AppendMaskedText(make([]byte, 0, len(s)), []byte(s)))
}

// QuoteValue is Quote for a field that holds no personal data (an
// enumeration, a date, a region code, a count): a value that could not be
// a phone or ID number (fewer than 7 digits, or a date's shape:
// YYYY-MM-DD, YYYY/MM/DD or YYYY.MM.DD with HH:MM[:SS] or not, DD/MM/YYYY,
// or YYYYMMDD with a month and day that could be a date's) of at most 40
// characters is quoted whole, so "actve" and "2026-13-20" show as typed;
// anything else is quoted as Quote does ("11…2X").
func QuoteValue(s string) string {
	digits := 0
	for _, r := range s {
		if unicode.IsDigit(r) {
			digits++
		}
	}
	if utf8.RuneCountInString(s) <= 40 && (digits < 7 || dateShape.MatchString(s)) && MaskText(s) == s {
		return quoteWhole(s)
	}
	return Quote(s)
}

// dateShape: YYYY-MM-DD, YYYY/M/D, YYYY.MM.DD (with a time or not),
// DD/MM/YYYY and DD.MM.YYYY, and a compact YYYYMMDD whose month and day
// could be a date's: the spellings of a date people type.
var dateShape = regexp.MustCompile(`^(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?|\d{1,2}[-/.]\d{1,2}[-/.]\d{4}|(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]))$`)

// Quote shows a value that is not what its field expects without showing
// it: its first and last two characters (whole characters, never a split
// UTF-8 sequence), quoted: "11…2X". A value of at most 4 characters is
// quoted whole. Control characters and invalid UTF-8 show as escapes.
func Quote(s string) string {
	n := utf8.RuneCountInString(s)
	if n > 4 {
		var head, tail int
		for i := 0; i < 2; i++ {
			_, size := utf8.DecodeRuneInString(s[head:])
			head += size
		}
		for i := 0; i < 2; i++ {
			_, size := utf8.DecodeLastRuneInString(s[:len(s)-tail])
			tail += size
		}
		s = s[:head] + "…" + s[len(s)-tail:]
	}
	return quoteWhole(s)
}

// quoteWhole is s quoted, control characters and invalid UTF-8 as escapes.
func quoteWhole(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == utf8.RuneError:
			b.WriteString(`\ufffd`)
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < ' ' || r == 0x7f:
			b.WriteString(`\x`)
			b.WriteByte("0123456789abcdef"[r>>4])
			b.WriteByte("0123456789abcdef"[r&15])
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// A Span sums up a piece of text for masking text built piece by piece (a
// reason rendered from constant text and placeholder values): how many
// digits it can add to a number spelled across the pieces around it. A
// character that is neither a digit, a separator (isTextSep), a + nor an
// ID number's check character X ends every number (a "stop": a letter, a
// CJK ideograph); Lead and Trail are the digits before the piece's first
// stop and after its last, Stopped says it has one (otherwise Lead ==
// Trail is all its digits), Inner that between two stops it holds 11 or
// more. The zero Span is the empty text.
//
// It over-counts (separators never split a run, an X never counts), so
// that text whose Spans, joined with Then, say MayHoldNumber false holds no
// number MaskText would mask: masking it can be skipped. Text with invalid
// UTF-8, whose characters could join across pieces, always may hold one.
type Span struct {
	Lead, Trail    int
	Stopped, Inner bool
}

// Then is the Span of the text of a followed by the text of b.
func (a Span) Then(b Span) Span {
	// written to be inlined (a reason's parts are joined with it)
	if !a.Stopped {
		// a's digits lead b's (all of them when b has no stop either)
		b.Lead += a.Lead
		if !b.Stopped {
			b.Trail = b.Lead
		}
		return b
	}
	if !b.Stopped {
		a.Trail += b.Lead
		return a
	}
	a.Inner = a.Inner || b.Inner || a.Trail+b.Lead >= minMasked
	a.Trail = b.Trail
	return a
}

// MayHoldNumber reports whether text whose Span is a may hold a number
// MaskText masks. When it reports false, MaskText leaves the text as it is.
func (a Span) MayHoldNumber() bool {
	return a.Inner || a.Lead >= minMasked || a.Trail >= minMasked
}

// spanKind classifies a character for SpanOf: its digits (1 for 7, 2 for
// ⑩), spanStop for a character that ends a number, 0 for anything else (a
// separator, +, and x and X, which end a run unless they are an ID
// number's check character: taken for separators, they over-count).
func spanKind(r rune) uint8 {
	switch d := digitOf(r); {
	case d != "":
		return uint8(len(d))
	case isTextSep(r) || isCheckX(r):
		return 0
	}
	return spanStop
}

const spanStop = 0xff

// The kinds of ASCII, of CJK punctuation (U+3000 to U+303F: 、。「」) and
// of full-width forms (U+FF00 to U+FFFF: （），：；１), computed once: the
// characters a Chinese reason's values hold besides ideographs.
var asciiKind, cjkPunctKind, fullWidthKind = func() (a [utf8.RuneSelf]uint8, p [0x40]uint8, f [0x100]uint8) {
	for c := range a {
		a[c] = spanKind(rune(c))
	}
	for i := range p {
		p[i] = spanKind(rune(0x3000 + i))
	}
	for i := range f {
		f[i] = spanKind(rune(0xff00 + i))
	}
	return
}()

// nonASCIIKind is the spanKind of the character s starts with, not ASCII,
// and its size; size 0 for invalid UTF-8. CJK punctuation and full-width
// forms are looked up without decoding.
func nonASCIIKind(s []byte) (k uint8, size int) {
	if len(s) >= 3 && s[1]&0xc0 == 0x80 && s[2]&0xc0 == 0x80 {
		switch c, c1 := s[0], s[1]; {
		case c == 0xe3 && c1 == 0x80:
			return cjkPunctKind[s[2]&0x3f], 3
		case c == 0xef && c1 >= 0xbc:
			return fullWidthKind[int(c1-0xbc)<<6|int(s[2]&0x3f)], 3
		}
	}
	r, size := utf8.DecodeRune(s)
	if r == utf8.RuneError && size == 1 {
		return 0, 0
	}
	return spanKind(r), size
}

// SpanOf is the Span of s.
func SpanOf(s []byte) Span {
	var sp Span
	cur := 0
	for i := 0; i < len(s); {
		c := s[i]
		k := uint8(spanStop)
		switch {
		case c < utf8.RuneSelf:
			i++
			if k = asciiKind[c]; k == 0 {
				continue
			}
		case c-0xe4 <= 0xe9-0xe4 && i+2 < len(s) && s[i+1]&0xc0 == 0x80 && s[i+2]&0xc0 == 0x80:
			// a CJK ideograph (U+4000 to U+9FFF), read without decoding,
			// and the ideographs right after it: a run of stops is one
			i += 3
			for i+2 < len(s) && s[i]-0xe4 <= 0xe9-0xe4 && s[i+1]&0xc0 == 0x80 && s[i+2]&0xc0 == 0x80 {
				i += 3
			}
		default:
			var size int
			if k, size = nonASCIIKind(s[i:]); size == 0 {
				// invalid UTF-8: with the bytes of a neighbouring piece it
				// may spell a digit
				return Span{Stopped: true, Inner: true}
			}
			i += size
		}
		if k != spanStop {
			cur += int(k)
			continue
		}
		if !sp.Stopped {
			sp.Lead, sp.Stopped = cur, true
		} else if cur >= minMasked {
			sp.Inner = true
		}
		cur = 0
	}
	if !sp.Stopped {
		sp.Lead = cur
	}
	sp.Trail = cur
	return sp
}
