package risk

import "github.com/simrisk/simrisk/risk/ref"

// MaskMSISDN hides the middle of a number for display: 13800138000 becomes
// 138****8000. Short or odd input keeps at most its first 3 characters.
func MaskMSISDN(s string) string { return ref.MaskNumber(s) }

// MaskID hides the birth date of a resident ID number for display:
// 11010519491231002X becomes 110105********002X.
func MaskID(s string) string { return ref.MaskID(s) }

// maskText masks every number of 11 or more digits (with a trailing X for
// ID numbers) in s, in any spelling (spaces, dashes, full-width digits,
// +86), so that no full number or ID can leave the library in a reason or
// message. It is ref.MaskText: the one masking path of simrisk.
func maskText(s string) string { return ref.MaskText(s) }

// maskTail masks b[start:] in place as maskText would. Text without a
// number (ref.HasNumber samples every 11th byte) is left untouched without
// copying; otherwise the masked text goes through scratch, which is
// returned for reuse.
func maskTail(b []byte, start int, scratch []byte) ([]byte, []byte) {
	if !ref.HasNumber(b[start:]) {
		return b, scratch
	}
	scratch = ref.AppendMaskedText(scratch[:0], b[start:])
	return append(b[:start], scratch...), scratch
}

// textSpan is what a piece of a reason adds to a number spelled across
// its pieces (ref.Span): a reason whose pieces' spans, joined, say it holds
// no number is not masked.
type textSpan = ref.Span

// spanOf is the textSpan of b.
func spanOf(b []byte) textSpan { return ref.SpanOf(b) }

// maskDigits is the digit count from which the masker hides a number (a
// textSpan with a run that long may hold one).
const maskDigits = 11

// spanDigits is how many digits of a piece of text with Span sp a number
// spelled across pieces may hold: its digits before its first stop and
// after its last (all of them when it has no stop); maskDigits when it
// may hold a number of its own. A text whose pieces' spanDigits add up to
// fewer than maskDigits holds no number the masker would hide: a number
// spelled across pieces is made of the digits some of them lead or end
// with.
func spanDigits(sp textSpan) int {
	switch {
	case sp.Inner:
		return maskDigits
	case sp.Stopped:
		return sp.Lead + sp.Trail
	}
	return sp.Lead
}
