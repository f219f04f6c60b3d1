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
	t := stripSeparators(dropIDLabel(nfkc(s)))
	if LooksLikeID(t) {
		return upperX(t), true
	}
	return s, false
}

// maybeIDText is false for ASCII text that cannot be an ID number in any
// spelling: from its first digit on, it holds something other than digits,
// spaces, dashes and a final x (a key such as hk-7f3a…). It spares keys
// the allocating normalisation.
func maybeIDText(s string) bool {
	first := -1
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return true
		}
		if first < 0 && isDigit(c) {
			first = i
		}
	}
	if first < 0 {
		return false
	}
	for i := first; i < len(s); i++ {
		switch c := s[i]; {
		case isDigit(c), c == ' ', c == '-', c == '\t':
		case (c == 'x' || c == 'X') && strings.TrimSpace(s[i+1:]) == "":
		default:
			return false
		}
	}
	return true
}

func upperX(s string) string {
	if len(s) == 18 && s[17] == 'x' {
		return s[:17] + "X"
	}
	return s
}

// IsSciNotation reports whether s is a number written in scientific
// notation (1.10105E+17, 1.38001e10), as spreadsheets save long numbers
// they took for amounts.
func IsSciNotation(s string) bool {
	s = strings.TrimSpace(nfkc(s))
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	mant := 0
	for i < len(s) && isDigit(s[i]) {
		i, mant = i+1, mant+1
	}
	if i < len(s) && s[i] == '.' {
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

// ErrMSISDN is returned by NormalizeMSISDN for text that is not a phone or
// IoT number in any accepted spelling.
var ErrMSISDN = errors.New("is not an 11- or 13-digit number")

// NormalizeMSISDN returns the canonical form of a phone or IoT number: its
// 11 or 13 ASCII digits. It accepts full-width digits (NFKC), spaces and
// dashes between digits, and the country code written +86, 86 or 0086
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
	t := stripSeparators(strings.TrimSpace(nfkc(s)))
	plus := strings.HasPrefix(t, "+")
	if plus {
		t = t[1:]
	}
	if !digits(t) {
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
