package ref_test

import (
	"fmt"
	"strings"

	"github.com/simrisk/simrisk/risk/ref"
)

func ExampleNormalizeMSISDN() {
	for _, s := range []string{"+86 138-0013-8000", "１３８００１３８０００", "1.38001E+10"} {
		m, err := ref.NormalizeMSISDN(s)
		fmt.Printf("%q %v\n", m, err)
	}
	// Output:
	// "13800138000" <nil>
	// "13800138000" <nil>
	// "" is a number in scientific notation (a spreadsheet rounded it and its digits are lost); export the column as text and read the file again
}

func ExampleNormalizeIDText() {
	for _, s := range []string{"身份证：110105 19491231 002x", "h-7f3a"} {
		id, ok := ref.NormalizeIDText(s)
		fmt.Println(ref.MaskID(id), ok)
	}
	// Output:
	// 110105********002X true
	// h-7*** false
}

func ExampleMaskText() {
	fmt.Println(ref.MaskText("call +86 138 0013 8000 or ID １１０１０５１９４９１２３１００２Ｘ"))
	fmt.Println(ref.Quote("11010519491231002X"))
	// Output:
	// call +861******8000 or ID 110105********002X
	// "11…2X"
}

func ExampleAddSegments() {
	err := ref.AddSegments(strings.NewReader("prefix,length,operator,kind,mvno,note\n1740,11,telecom,mobile,false,satellite\n"))
	s, ok := ref.LookupSegment("17400000001")
	fmt.Println(err, ok, s.Operator, s.Kind)
	// Output:
	// <nil> true telecom mobile
}

// An ID key file as an editor saves it, with a final newline: the newline is
// not part of the key, so the holder keys are the same either way.
func ExampleParseKey() {
	withNewline, _ := ref.ParseKey([]byte("example-id-key-0123456789\n"))
	without, _ := ref.ParseKey([]byte("example-id-key-0123456789"))
	a, _ := ref.HolderKey(withNewline, "11010519491231002X")
	b, _ := ref.HolderKey(without, "11010519491231002X")
	fmt.Println(a == b, len(withNewline))
	_, err := ref.ParseKey([]byte("too-short\n"))
	fmt.Println(err)
	// Output:
	// true 25
	// the key holds 9 bytes; an ID key needs at least 16 (random) bytes
}

// A text built piece by piece (a template's constant text judged once, the
// values as they are written) needs masking only when its pieces may spell
// a number together.
func ExampleSpan() {
	pieces := func(ps ...string) ref.Span {
		var sp ref.Span
		for _, p := range ps {
			sp = sp.Then(ref.SpanOf([]byte(p)))
		}
		return sp
	}
	fmt.Println(pieces("核实的涉诈投诉 ", "3", " 件").MayHoldNumber())
	fmt.Println(pieces("品牌 ", "138 0013", "8000").MayHoldNumber())
	fmt.Println(ref.MaskText("品牌 138 00138000"))
	// Output:
	// false
	// true
	// 品牌 138****8000
}
