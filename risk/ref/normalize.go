package ref

import (
	"errors"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Spellings of numbers and ID numbers that people and spreadsheets write
// and that the record readers accept (datasets/README.md lists them):
//
//   - full-width digits and letters (１３８…, ｘ), the ideographic space and
//     other compatibility forms, folded by Unicode NFKC;
//   - spaces and dashes (ASCII hyphen-minus, the Unicode hyphens and dashes
//     U+2010..U+2015, the minus sign U+2212) between the digits;
//   - for ID numbers, a lower-case check character x, and a leading label
//     such as "ID:", "ID：", "身份证：", "身份证号:" (see idLabels);
//   - for phone numbers, the country code written +86, 86 or 0086.
//
// Looser spellings, from spreadsheets and BSS exports, are read too: an
// Excel formula wrapper ="…", a leading apostrophe, surrounding brackets
// and quotes, trailing punctuation (; , .), any characters that are
// neither letters nor digits between the digit groups (dots, slashes,
// underscores, 。, ·, zero-width characters such as U+200B), × for an ID's
// check character X, a spreadsheet float's trailing ".0", and any label ending in a colon (公民身份号码：,
// 身份证号码（18位）：) or a known label with a bracketed qualifier. An ID
// number in a loose spelling counts only when it is valid (ValidateID,
// check character included); a phone number in one becomes its canonical
// 11 or 13 digits ("(+86)138.0013.8000" is 13800138000).

// ErrSciNotation is returned by NormalizeMSISDN (and named in the readers'
// reasons) for text such as 1.38001E+10: a spreadsheet showed a long number
// in scientific notation and saved it so, and its digits are lost.
var ErrSciNotation = errors.New("is a number in scientific notation (a spreadsheet rounded it and its digits are lost); export the column as text and read the file again")

// idLabels are the labels that may stand before an ID number, compared
// after NFKC and case folding; a colon (either width) may follow each.
var idLabels = []string{
	"居民身份证号码", "居民身份证号", "居民身份证", "身份证号码", "身份证号", "身份证",
	"证件号码", "证件号", "idcard", "id no.", "id no", "id", "sfz",
}

// nfkc folds compatibility forms, skipping the work for plain ASCII.
func nfkc(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return norm.NFKC.String(s)
		}
	}
	return s
}

// isSeparator reports whether r may stand between the digits of a number:
// a space (but not a line end) or a dash of any kind.
func isSeparator(r rune) bool {
	switch {
	case r == ' ' || r == '\t' || r == '-' || r == '\u00a0' || r == '\u3000' || r == '\u2212' || r == '\ufe63' || r == '\uff0d':
		return true
	case r >= '\u2000' && r <= '\u200a', r == '\u202f', r == '\u205f':
		return true
	case r >= '\u2010' && r <= '\u2015':
		return true
	}
	return false
}

// stripSeparators drops spaces and dashes.
func stripSeparators(s string) string {
	if strings.IndexFunc(s, isSeparator) < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if !isSeparator(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// dropIDLabel removes a leading label such as "身份证号：" or "ID:".
func dropIDLabel(s string) string {
	t := strings.TrimSpace(s)
	lower := strings.ToLower(t)
	for _, l := range idLabels {
		if !strings.HasPrefix(lower, l) {
			continue
		}
		rest := strings.TrimSpace(t[len(l):])
		if strings.HasPrefix(rest, "(") || strings.HasPrefix(rest, "（") {
			// a qualifier: 身份证号码（18位）
			if j := strings.IndexAny(rest, ")）"); j >= 0 {
				_, n := utf8.DecodeRuneInString(rest[j:])
				rest = strings.TrimSpace(rest[j+n:])
			}
		}
		if r, n := utf8.DecodeRuneInString(rest); r == ':' || r == '：' {
			return strings.TrimSpace(rest[n:])
		} else if l != "id" && l != "sfz" && rest != "" && isDigit(rest[0]) {
			return rest // "身份证110105…": a Chinese label needs no colon
		}
	}
	return s
}

// NormalizeIDText returns s as a plain ID number (18 characters with an
// upper-case X, or 15 digits) when s is shaped like one in any of the
// accepted spellings: NFKC (full-width digits), a leading label ("ID:",
// "身份证："), spaces and dashes, a lower-case x. It reports false, and
// returns s unchanged, for anything else (a pseudonymous key, say). The
// number's validity (date, division, check character) is not checked:
// see ValidateID.
func NormalizeIDText(s string) (string, bool) {
	if LooksLikeID(s) {
		return upperX(s), true
	}
	if !maybeIDText(s) {
		return s, false
	}
	t := nfkc(s)
	if u := stripSeparators(dropIDLabel(t)); LooksLikeID(u) {
		return upperX(u), true
	}
	if id, ok := looseID(t); ok {
		return id, true
	}
	if u, ok := dropFloatZero(t); ok {
		if id, ok := looseID(u); ok {
			return id, true // 11010519491231002X.0, a spreadsheet's float
		}
	}
	return s, false
}

// dropFloatZero is t without a trailing ".0" (any number of zeros, then
// spaces), which a spreadsheet that took a number for an amount appends:
// 13800138000.0. ok is false when t has none.
func dropFloatZero(t string) (string, bool) {
	u := strings.TrimRight(strings.TrimSpace(t), "0")
	if len(u) < len(strings.TrimSpace(t)) && strings.HasSuffix(u, ".") {
		return u[:len(u)-1], true
	}
	return t, false
}

// afterLabel is t without a leading label: the text after its last colon
// (either width), or, without one, without a known label (dropIDLabel).
func afterLabel(t string) string {
	if i := strings.LastIndexAny(t, ":："); i >= 0 {
		_, n := utf8.DecodeRuneInString(t[i:])
		return t[i+n:]
	}
	return dropIDLabel(t)
}

// looseID reads t (NFKC already) as an ID number in a loose spelling:
// after a label, the digits and a final check character X (x, ×) with any
// characters that are neither letters nor digits around and between them
// (="…", '…, (…), …;, dots, slashes, U+200B). It counts only when the
// number is valid, check character included, so that text which merely
// holds 18 digits is not taken for one.
func looseID(t string) (string, bool) {
	var b [18]byte
	n := 0
	for _, r := range afterLabel(t) {
		switch {
		case r >= '0' && r <= '9':
			if n == len(b) {
				return "", false
			}
			b[n] = byte(r)
			n++
		case isCheckX(r) && n == 17:
			b[n] = 'X'
			n++
		case !isTextSep(r):
			return "", false // a letter or another digit
		}
	}
	if n != 15 && n != 18 {
		return "", false
	}
	id := string(b[:n])
	if ValidateID(id) != nil {
		return "", false
	}
	return id, true
}

// maybeIDText is false for ASCII text that cannot be an ID number in any
// spelling: from its first digit on, it holds something other than digits,
// spaces, dashes and a final x (a key such as hk-7f3a…). It spares keys
// the allocating normalisation.
func maybeIDText(s string) bool {
	if !isASCII(s) {
		return true
	}
	start := 0
	if strings.IndexByte(s, ':') >= 0 { // most keys have none: a vector scan, not LastIndexByte's byte loop
		start = strings.LastIndexByte(s, ':') + 1 // a label ends there
	}
	nd := 0
	for i := start; i < len(s); i++ {
		switch c := s[i]; {
		case isDigit(c):
			nd++
		case c == 'x' || c == 'X':
			if nd > 0 { // the check character: no letter or digit may follow
				rest, _ := dropFloatZero(s[i+1:])
				for _, c := range rest {
					if c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
						return false
					}
				}
				return true
			}
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			if nd > 0 {
				return false // a letter after the first digit: a key, hk-7f3a…
			}
		}
	}
	return nd >= 15
}

// isASCII reports whether s is all ASCII: the bytes or-ed together, no
// branch a byte (a holder key is checked several times a card).
func isASCII(s string) bool {
	var acc byte
	for i := 0; i < len(s); i++ {
		acc |= s[i]
	}
	return acc < utf8.RuneSelf
}

func upperX(s string) string {
	if len(s) == 18 && s[17] == 'x' {
		return s[:17] + "X"
	}
	return s
}

// IsSciNotation reports whether s is a number written in scientific
// notation (1.10105E+17, 1.38001e10, 1,10105E+17 with a decimal comma,
// 1.10105 E+17), as spreadsheets save long numbers they took for amounts,
// also after a label (ID:1.10105E+17) or in an Excel wrapper ="…" or
// quotes.
func IsSciNotation(s string) bool {
	return sciTail(s) && sciFull(s)
}

// sciFull is IsSciNotation without its quick test.
func sciFull(s string) bool {
	s = strings.TrimSpace(nfkc(s))
	if !strings.ContainsAny(s, "eE") {
		return false
	}
	s = strings.TrimSpace(afterLabel(s))
	s = strings.TrimLeft(s, "='\"")
	s = strings.TrimRight(s, "\"")
	s = stripSeparators(strings.TrimSpace(s)) // 1.10105 E+17
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	mant := 0
	for i < len(s) && isDigit(s[i]) {
		i, mant = i+1, mant+1
	}
	if i < len(s) && (s[i] == '.' || s[i] == ',') {
		i++
		for i < len(s) && isDigit(s[i]) {
			i, mant = i+1, mant+1
		}
	}
	if mant == 0 || i >= len(s) || (s[i] != 'e' && s[i] != 'E') {
		return false
	}
	i++
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	exp := 0
	for i < len(s) && isDigit(s[i]) {
		i, exp = i+1, exp+1
	}
	return exp > 0 && i == len(s)
}

// sciTail is IsSciNotation's quick test: false when s, plain ASCII, cannot
// end as a number in scientific notation does once labels, quotes, white
// space and separators are dropped (an exponent's digits after e or E and
// an optional sign); true when it may, or when s is not plain ASCII. Most
// texts (holder keys, names) fail it at their last characters, without the
// allocations of the full reading, and so do keys whose last characters
// happen to read 5e9 (hk-…c5e9) at the mantissa's start.
func sciTail(s string) bool {
	if !isASCII(s) {
		return true
	}
	i := len(s) - 1
	for i >= 0 && strings.IndexByte(" \t\n\v\f\r\"-", s[i]) >= 0 { // trailing white space, quotes, separators
		i--
	}
	digits := 0
	for i >= 0 && (isDigit(s[i]) || s[i] == ' ' || s[i] == '\t' || s[i] == '-') {
		if isDigit(s[i]) {
			digits++
		}
		i--
	}
	if digits == 0 {
		return false
	}
	if i >= 0 && s[i] == '+' {
		i--
		for i >= 0 && (s[i] == ' ' || s[i] == '\t' || s[i] == '-') {
			i--
		}
	}
	if i < 0 || (s[i] != 'e' && s[i] != 'E') {
		return false
	}
	// the mantissa before the e: digits, a decimal point or comma,
	// separators; before it only a sign, quotes, = and white space, or a
	// label (a colon, or text starting as an ID label does): hk-…c5e9, a
	// holder key whose hex ends so, stops here
	i--
	mant := 0
	for i >= 0 && (isDigit(s[i]) || strings.IndexByte(" \t-.,", s[i]) >= 0) {
		if isDigit(s[i]) {
			mant++
		}
		i--
	}
	if mant == 0 {
		return false
	}
	for i >= 0 && strings.IndexByte(" \t\n\v\f\r+-='\"", s[i]) >= 0 {
		i--
	}
	if i < 0 || strings.IndexByte(s, ':') >= 0 {
		return true
	}
	lower := strings.ToLower(strings.TrimSpace(s))
	return strings.HasPrefix(lower, "id") || strings.HasPrefix(lower, "sfz")
}

// ErrMSISDN is returned by NormalizeMSISDN for text that is not a phone or
// IoT number in any accepted spelling.
var ErrMSISDN = errors.New("is not an 11- or 13-digit number")

// NormalizeMSISDN returns the canonical form of a phone or IoT number: its
// 11 or 13 ASCII digits. It accepts full-width digits (NFKC), any
// characters that are neither letters nor digits around and between the
// digits (spaces, dashes, dots, slashes, brackets, an Excel wrapper ="…",
// zero-width characters: "(+86)138.0013.8000"), and the country code
// written +86, 86 or 0086
// before the number (86 only when 11 or 13 digits follow). Text already
// canonical is returned as it is, without allocating. Errors:
// ErrSciNotation for 1.38001E+10, ErrMSISDN for anything else; neither
// holds the text.
func NormalizeMSISDN(s string) (string, error) {
	if (len(s) == 11 || len(s) == 13) && s[0] == '1' && digits(s) {
		return s, nil
	}
	if IsSciNotation(s) {
		return "", ErrSciNotation
	}
	t, plus, ok := msisdnDigits(nfkc(s))
	if u, float := dropFloatZero(nfkc(s)); float && ok && len(t) != 11 && len(t) != 13 {
		t, plus, ok = msisdnDigits(u) // 13800138000.0, a spreadsheet's float
	}
	if !ok {
		return "", ErrMSISDN
	}
	switch {
	case strings.HasPrefix(t, "0086") && (len(t) == 15 || len(t) == 17):
		t = t[4:]
	case strings.HasPrefix(t, "86") && (len(t) == 13 || len(t) == 15) && t[2] == '1':
		t = t[2:]
	case plus:
		return "", ErrMSISDN // another country's number
	}
	if (len(t) != 11 && len(t) != 13) || t[0] != '1' {
		return "", ErrMSISDN
	}
	return t, nil
}

// msisdnDigits is t's digits, with plus reporting a + before the first of
// them; ok is false when t holds a letter, a + after a digit or no digit.
func msisdnDigits(t string) (d string, plus, ok bool) {
	var b strings.Builder
	b.Grow(len(t))
	for _, r := range t {
		switch {
		case r >= '0' && r <= '9':
			b.WriteByte(byte(r))
		case r == '+':
			if b.Len() > 0 || plus {
				return "", false, false
			}
			plus = true
		case !isTextSep(r):
			return "", false, false
		}
	}
	return b.String(), plus, b.Len() > 0
}
