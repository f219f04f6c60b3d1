package risk

import "github.com/simrisk/simrisk/risk/ref"

// MaskMSISDN hides the middle of a number for display: 13800138000 becomes
// 138****8000. Short or odd input keeps at most its first 3 characters.
func MaskMSISDN(s string) string { return ref.MaskNumber(s) }

// MaskID hides the birth date of a resident ID number for display:
// 11010519491231002X becomes 110105********002X.
func MaskID(s string) string { return ref.MaskID(s) }

// maskText masks every run of 11 or more digits (with a trailing X for ID
// numbers) in s, so that no full number or ID can leave the library in a
// reason or message.
func maskText(s string) string {
	run := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			if run++; run >= 11 {
				return string(appendMasked(nil, []byte(s)))
			}
		} else {
			run = 0
		}
	}
	return s
}

// appendMasked appends s to dst with every run of 11 or more digits masked,
// as maskText does, without allocating.
func appendMasked(dst, s []byte) []byte {
	last := 0
	for i := 0; i < len(s); {
		if s[i] < '0' || s[i] > '9' {
			i++
			continue
		}
		j := i
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j < len(s) && (s[j] == 'X' || s[j] == 'x') && j-i == 17 {
			j++
		}
		if n := j - i; n >= 11 {
			dst = append(dst, s[last:i]...)
			keepHead, keepTail := maskKeeps(n)
			dst = append(dst, s[i:i+keepHead]...)
			for k := i + keepHead; k < j-keepTail; k++ {
				dst = append(dst, '*')
			}
			dst = append(dst, s[j-keepTail:j]...)
			last = j
		}
		i = j
	}
	return append(dst, s[last:]...)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// maskInPlace masks b as appendMasked would (masks keep the length). It
// looks at every 11th byte only: a run of 11 digits must cover one of them,
// so text without long numbers is scanned at a fraction of its length.
func maskInPlace(b []byte) {
	for i := 10; i < len(b); i += 11 {
		if !isDigit(b[i]) {
			continue
		}
		lo, hi := i, i+1
		for lo > 0 && isDigit(b[lo-1]) {
			lo--
		}
		for hi < len(b) && isDigit(b[hi]) {
			hi++
		}
		if hi-lo == 17 && hi < len(b) && (b[hi] == 'X' || b[hi] == 'x') {
			hi++
		}
		if n := hi - lo; n >= 11 {
			keepHead, keepTail := maskKeeps(n)
			for k := lo + keepHead; k < hi-keepTail; k++ {
				b[k] = '*'
			}
		}
		for i+11 < hi { // the next sample after this run
			i += 11
		}
	}
}

// maskKeeps is how many characters of a masked run of n stay visible at
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
