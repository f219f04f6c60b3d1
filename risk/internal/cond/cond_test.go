package cond

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

func name(t *testing.T, n string) Node {
	t.Helper()
	x, ok := Name(n, At{Pos: -1})
	require.True(t, ok, n)
	return x
}

type regions []string

func (r regions) Items() []string { return r }

// Fold gives both languages the same constants: parameters in place, a
// rule switched off by its parameter is false, checked arithmetic that
// overflows is left to fail at run time, a let of a constant disappears.
func TestFold(t *testing.T) {
	at := At{Pos: -1}
	cap0 := &Param{Name: "cap", Value: IntConst(0, at)}
	valid := name(t, "valid")
	complaints := name(t, "complaints")

	off := &And{X: valid, Y: &Compare{Op: ">", X: cap0, Y: IntConst(0, at)}}
	require.Equal(t, "false", Key(Fold(off, nil)))

	on := &And{X: &Compare{Op: "==", X: cap0, Y: IntConst(0, at)}, Y: valid}
	require.Equal(t, "valid", Key(Fold(on, nil)))

	sum := &Arith{Op: "*", X: IntConst(72, at), Y: IntConst(3600, at)}
	require.Equal(t, "259200", Key(Fold(sum, nil)))
	big := &Arith{Op: "*", X: IntConst(math.MaxInt64, at), Y: IntConst(2, at), Checked: true}
	require.IsType(t, &Arith{}, Fold(big, nil), "overflow fails at run time")
	require.True(t, MayFail(Fold(big, nil)))
	wrapped := &Arith{Op: "*", X: IntConst(math.MaxInt64, at), Y: IntConst(2, at)}
	require.Equal(t, "-2", Key(Fold(wrapped, nil)), "unchecked arithmetic wraps")

	l := &Let{Name: "d", Value: IntConst(90, at)}
	l.Body = &Compare{Op: ">=", X: complaints, Y: &Ref{Let: l}}
	require.Equal(t, "complaints >= 90", Key(Fold(l, nil)))

	ternary := &Cond{C: &Compare{Op: "<", X: IntConst(1, at), Y: IntConst(2, at)}, Then: StringConst("a", at), Else: StringConst("b", at)}
	require.Equal(t, `"a"`, Key(Fold(ternary, nil)))
}

// in_region(x, A) || in_region(x, B) is one test of the union; another
// subject, or a let's value, does not merge.
func TestFoldRegionUnion(t *testing.T) {
	a, b := regions{"KH"}, regions{"MM"}
	open := name(t, "open_region")
	or := &Or{X: &InRegion{X: open, Lists: []RegionList{a}}, Y: &InRegion{X: open, Lists: []RegionList{b}}}
	r, ok := Fold(or, nil).(*InRegion)
	require.True(t, ok)
	require.Len(t, r.Lists, 2)

	other := &Or{X: &InRegion{X: open, Lists: []RegionList{a}}, Y: &InRegion{X: name(t, "id_region"), Lists: []RegionList{b}}}
	require.IsType(t, &Or{}, Fold(other, nil))
}

// Keys are the same text whoever wrote the condition, and differ where
// the conditions do.
func TestKey(t *testing.T) {
	at := At{Pos: -1}
	kind := &In{X: name(t, "kind"), Set: []string{"data_card", "iot"}}
	require.Equal(t, `kind in ["data_card", "iot"]`, Key(kind))
	require.Equal(t, `!iot.test_plan`, Key(&Not{X: name(t, "iot.test_plan")}))
	require.Equal(t, `segment == "149"`, Key(&Compare{Op: "==", X: name(t, "segment"), Y: StringConst("149", at)}))
	x, y, z := name(t, "recycled"), name(t, "renewed"), name(t, "valid")
	require.NotEqual(t, Key(&Compare{Op: "==", X: &Compare{Op: "==", X: x, Y: y}, Y: z}),
		Key(&Compare{Op: "==", X: x, Y: &Compare{Op: "==", X: y, Y: z}}))
	require.NotEqual(t, Key(&Arith{Op: "+", X: x, Y: y}), Key(&Arith{Op: "+", X: x, Y: y, Checked: true}))
	l1 := &Let{Name: "v", Value: z}
	l2 := &Let{Name: "v", Value: z}
	require.NotEqual(t, Key(&Ref{Let: l1}), Key(&Ref{Let: l2}))
	require.Len(t, Conjuncts(&And{X: &And{X: x, Y: y}, Y: z}), 3)
}

// MayFail finds checked int arithmetic wherever it is, and nothing else.
func TestMayFail(t *testing.T) {
	at := At{Pos: -1}
	c := name(t, "complaints")
	sum := &Arith{Op: "+", X: c, Y: IntConst(1, at), Checked: true}
	l := &Let{Name: "s", Value: sum}
	l.Body = &Compare{Op: ">", X: &Ref{Let: l}, Y: IntConst(3, at)}
	cases := map[Node]bool{
		&Compare{Op: ">", X: sum, Y: IntConst(3, at)}:                                       true,
		&Compare{Op: ">", X: &Arith{Op: "+", X: c, Y: IntConst(1, at)}, Y: IntConst(3, at)}: false,
		&Quant{Op: "any", List: name(t, "roaming"), Body: &Compare{Op: ">", X: sum, Y: c}}:  true,
		&Arith{Op: "+", X: FloatConst(1, at), Y: FloatConst(2, at), Checked: true}:          false,
		l.Body:                    true,
		&Not{X: name(t, "valid")}: false,
	}
	for n, want := range cases {
		require.Equal(t, want, MayFail(n), Key(n))
	}
}
