package ref

import (
	"testing"
	"unicode/utf8"
)

// FuzzHasNumber: the sampled HasNumber agrees with a full scan of the
// masker (eachNumber) on every input, whatever separators it holds.
func FuzzHasNumber(f *testing.F) {
	for _, s := range []string{"138.0013.8001", "a 138/0013/8002 b", "138_0013_8003", "138\u200b0013\u200b8004", "138·0013·8010",
		"138。0013。8012", "ID 110105/19491231/002X", "11010519491231002×", "2026-10-29", "x1.2.3.4.5.6.7.8.9.1.2.3", "\xe3\x80138\xe3\x800013\xe3\x808000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		full := false
		eachNumber([]byte(s), func(numberRun) bool { full = true; return false })
		if got := HasNumber([]byte(s)); got != full {
			t.Fatalf("%q: HasNumber %v, full scan %v", s, got, full)
		}
	})
}

// spanFold joins the Spans of s cut at the given byte offsets.
func spanFold(s string, cuts []int) Span {
	var sp Span
	last := 0
	for _, c := range cuts {
		if c > last && c <= len(s) {
			sp = sp.Then(SpanOf([]byte(s[last:c])))
			last = c
		}
	}
	return sp.Then(SpanOf([]byte(s[last:])))
}

// FuzzSpanFold: text cut into pieces anywhere (inside a UTF-8 character
// too) whose Spans say it holds no number is left as it is by the masker,
// so that a reason built from such pieces need not be masked.
func FuzzSpanFold(f *testing.F) {
	for _, s := range []string{"138.0013.8001", "a 138/0013/8002 b", "１３８００１３８０００", "138\u200b0013\u200b8004",
		"ID 110105/19491231/002X", "11010519491231002×", "2026-10-29", "+86 138 0013 8000", "\xef\xbc\x91\xef\xbc\x93\xef\xbc\x98",
		"泰国（3 天前）、缅甸（10 天前）", "①②③④⑤⑥⑦⑧⑨⑩", "１３８－００１３－８０００", "138。0013。8000", "\xed\xa0\x80138", "核实的涉诈投诉 13800138000 件"} {
		f.Add(s, uint16(3), uint16(7))
	}
	f.Fuzz(func(t *testing.T, s string, a, b uint16) {
		cuts := []int{int(a) % (len(s) + 1), int(b) % (len(s) + 1)}
		if cuts[0] > cuts[1] {
			cuts[0], cuts[1] = cuts[1], cuts[0]
		}
		sp := spanFold(s, cuts)
		if whole := SpanOf([]byte(s)); whole.MayHoldNumber() && !sp.MayHoldNumber() {
			t.Fatalf("%q cut at %v: the pieces say no number, the whole text may hold one", s, cuts)
		}
		if sp.MayHoldNumber() {
			return
		}
		if HasNumber([]byte(s)) {
			t.Fatalf("%q cut at %v: Spans say no number, HasNumber finds one", s, cuts)
		}
		if got := string(AppendMaskedText(nil, []byte(s))); got != s {
			t.Fatalf("%q cut at %v: Spans say no number, masked to %q", s, cuts, got)
		}
	})
}

// SpanOf's shortcuts (ASCII, ideographs, CJK punctuation and full-width
// forms read without decoding) classify every character as spanKind does.
func TestSpanOfEveryCharacter(t *testing.T) {
	for r := rune(0); r <= utf8.MaxRune; r++ {
		if !utf8.ValidRune(r) {
			continue
		}
		b := []byte("a" + string(r) + "a") // between two stops
		want := Span{Stopped: true}
		switch k := spanKind(r); k {
		case spanStop:
		default:
			if k >= minMasked {
				want.Inner = true
			}
		}
		if got := SpanOf(b); got != want {
			t.Fatalf("%U: SpanOf %+v, want %+v", r, got, want)
		}
		if got, k := SpanOf([]byte(string(r))), spanKind(r); k != spanStop && (got.Stopped || got.Lead != int(k)) || k == spanStop && !got.Stopped {
			t.Fatalf("%U alone: SpanOf %+v, kind %d", r, got, k)
		}
	}
}

// spanDecoded is SpanOf the plain way: every character decoded and
// classified by spanKind, a stop ending the digits before it.
func spanDecoded(s []byte) Span {
	var sp Span
	cur := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && size == 1 {
			return Span{Stopped: true, Inner: true}
		}
		i += size
		if k := spanKind(r); k != spanStop {
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

// FuzzSpanOfDecoded: SpanOf's shortcuts (ASCII, runs of ideographs, CJK
// punctuation and full-width forms read without decoding) give the Span
// that decoding every character gives, on any text.
func FuzzSpanOfDecoded(f *testing.F) {
	for _, s := range []string{"泰国（3 天前）、缅甸（10 天前）", "持卡人证件在中国移动名下有 6 张有效卡", "１３８００１３８０００",
		"核实的涉诈投诉 13800138000 件", "中国13800138000移动", "中\xe4\xb8", "中国\xe4", "①②③④⑤⑥⑦⑧⑨⑩", "", "天天天天1234567890123天"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := SpanOf([]byte(s)), spanDecoded([]byte(s)); got != want {
			t.Fatalf("%q: SpanOf %+v, decoded %+v", s, got, want)
		}
	})
}

// thenCases is Then case by case, as it was first written.
func thenCases(a, b Span) Span {
	switch {
	case !a.Stopped && !b.Stopped:
		d := a.Lead + b.Lead
		return Span{Lead: d, Trail: d}
	case !a.Stopped:
		return Span{Lead: a.Lead + b.Lead, Trail: b.Trail, Stopped: true, Inner: b.Inner}
	case !b.Stopped:
		return Span{Lead: a.Lead, Trail: a.Trail + b.Lead, Stopped: true, Inner: a.Inner}
	}
	return Span{Lead: a.Lead, Trail: b.Trail, Stopped: true, Inner: a.Inner || b.Inner || a.Trail+b.Lead >= minMasked}
}

// TestThenCases: Then joins every pair of Spans text can have (without a
// stop: Lead == Trail, not Inner) as the case-by-case definition does.
func TestThenCases(t *testing.T) {
	var spans []Span
	for lead := 0; lead <= 12; lead++ {
		spans = append(spans, Span{Lead: lead, Trail: lead})
		for trail := 0; trail <= 12; trail++ {
			spans = append(spans, Span{Lead: lead, Trail: trail, Stopped: true}, Span{Lead: lead, Trail: trail, Stopped: true, Inner: true})
		}
	}
	for _, a := range spans {
		for _, b := range spans {
			if got, want := a.Then(b), thenCases(a, b); got != want {
				t.Fatalf("%+v.Then(%+v) = %+v, want %+v", a, b, got, want)
			}
		}
	}
}
