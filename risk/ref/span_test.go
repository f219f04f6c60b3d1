package ref_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/risk/ref"
)

// A number spelled across pieces (a reason's text and its placeholders'
// values) is seen by the pieces' Spans, in every spelling the masker knows;
// text with at most 10 digits in a row, or with letters between its digit
// groups, is not.
func TestSpanAcrossPieces(t *testing.T) {
	fold := func(pieces ...string) ref.Span {
		var sp ref.Span
		for _, p := range pieces {
			sp = sp.Then(ref.SpanOf([]byte(p)))
		}
		return sp
	}
	for _, pieces := range [][]string{
		{"13800138000"},
		{"号码", "138", "00138000", "已停机"},
		{"mvno ", "138 0013", " 8000"},
		{"品牌１３８", "００１３８０００"},
		{"+86 ", "138-0013-8000"},
		{"ID 110105 ", "19491231", " 002x"},
		{"\xef\xbc", "\x91\xef\xbc\x93\xef\xbc\x98"}, // full-width digits cut inside a character
		{"①②③", "④⑤⑥⑦⑧⑨⑩"},
		{"a", "138", "", "00138000", "b"},
		{"x 1380013800", "0 y"},
	} {
		require.True(t, fold(pieces...).MayHoldNumber(), "%q", pieces)
	}
	for _, pieces := range [][]string{
		{""},
		{"核实的涉诈投诉 ", "3", " 件"},
		{"2026-10-29"},
		{"近 ", "30", " 天到访：泰国（3 天前）、缅甸（10 天前）"},
		{"1380013800", "号", "1380013800"},
		{"a 12345", " b ", "123456 c"},
	} {
		require.False(t, fold(pieces...).MayHoldNumber(), "%q", pieces)
		require.False(t, ref.HasNumber([]byte(pieces[0])))
	}
}
