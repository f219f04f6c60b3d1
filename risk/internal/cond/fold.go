package cond

import (
	"math"
	"strconv"
	"strings"
)

// Eval computes a domain function of constant arguments at compile time
// (region_name("KH"), say), or returns false to leave the call.
type Eval func(c *Call, args []*Const) (*Const, bool)

// Fold folds constants and simplifies n, once for both languages:
// parameters become their values; an operator, conversion, set test or
// string test of constants becomes its value (checked int arithmetic that
// overflows stays, to fail at run time); && and || drop a constant side
// (a rule whose parameters switch it off folds to false); a conditional
// on a constant is its branch; a let whose value is a constant is its
// body with the constant in place; in_region(x, A) || in_region(x, B) is
// one in_region(x, A ∪ B). eval, when not nil, folds domain functions of
// constants. n is not changed: the nodes that change are new.
func Fold(n Node, eval Eval) Node {
	f := folder{eval: eval, lets: map[*Let]*Let{}}
	return f.fold(n)
}

type folder struct {
	eval Eval
	lets map[*Let]*Let // a let folded: the new node its refs use
}

func isConst(n Node) (*Const, bool) {
	c, ok := n.(*Const)
	return c, ok
}

func (f *folder) fold(n Node) Node {
	switch n := n.(type) {
	case *Param:
		c := *n.Value
		c.At = n.At
		return &c
	case *Not:
		x := f.fold(n.X)
		if c, ok := isConst(x); ok {
			return BoolConst(!c.B, n.At)
		}
		if nn, ok := x.(*Not); ok {
			return nn.X
		}
		if x == n.X {
			return n
		}
		return &Not{At: n.At, X: x}
	case *And:
		x, y := f.fold(n.X), f.fold(n.Y)
		cx, kx := isConst(x)
		cy, ky := isConst(y)
		switch {
		case kx && !cx.B:
			return x
		case ky && !cy.B:
			return y
		case kx:
			return y
		case ky:
			return x
		}
		if x == n.X && y == n.Y {
			return n
		}
		return &And{At: n.At, X: x, Y: y}
	case *Or:
		x, y := f.fold(n.X), f.fold(n.Y)
		cx, kx := isConst(x)
		cy, ky := isConst(y)
		switch {
		case kx && cx.B:
			return x
		case ky && cy.B:
			return y
		case kx:
			return y
		case ky:
			return x
		}
		rx, okx := x.(*InRegion)
		ry, oky := y.(*InRegion)
		if okx && oky && Key(rx.X) == Key(ry.X) {
			lists := append(append([]RegionList(nil), rx.Lists...), ry.Lists...)
			return &InRegion{At: rx.At, X: rx.X, Lists: lists}
		}
		if x == n.X && y == n.Y {
			return n
		}
		return &Or{At: n.At, X: x, Y: y}
	case *Compare:
		x, y := f.fold(n.X), f.fold(n.Y)
		if cx, ok := isConst(x); ok {
			if cy, ok := isConst(y); ok {
				if v, ok := compareConst(n.Op, cx, cy); ok {
					return BoolConst(v, n.At)
				}
			}
		}
		if x == n.X && y == n.Y {
			return n
		}
		return &Compare{At: n.At, Op: n.Op, X: x, Y: y}
	case *Arith:
		x, y := f.fold(n.X), f.fold(n.Y)
		if cx, ok := isConst(x); ok {
			if cy, ok := isConst(y); ok {
				if c, ok := arithConst(n.Op, cx, cy, n.Checked); ok {
					c.At = n.At
					return c
				}
			}
		}
		if x == n.X && y == n.Y {
			return n
		}
		return &Arith{At: n.At, Op: n.Op, X: x, Y: y, Checked: n.Checked}
	case *Neg:
		x := f.fold(n.X)
		if c, ok := isConst(x); ok {
			switch {
			case c.T == Float:
				return FloatConst(-c.F, n.At)
			case !n.Checked || c.I != math.MinInt:
				return IntConst(-c.I, n.At)
			}
		}
		if x == n.X {
			return n
		}
		return &Neg{At: n.At, X: x, Checked: n.Checked}
	case *Concat:
		x, y := f.fold(n.X), f.fold(n.Y)
		if cx, ok := isConst(x); ok {
			if cy, ok := isConst(y); ok {
				return StringConst(cx.S+cy.S, n.At)
			}
		}
		if x == n.X && y == n.Y {
			return n
		}
		return &Concat{At: n.At, X: x, Y: y}
	case *Conv:
		x := f.fold(n.X)
		if c, ok := isConst(x); ok && c.T == Int {
			if n.To == Float {
				return FloatConst(float64(c.I), n.At)
			}
			return StringConst(strconv.Itoa(c.I), n.At)
		}
		if x == n.X {
			return n
		}
		return &Conv{At: n.At, To: n.To, X: x}
	case *In:
		x := f.fold(n.X)
		if c, ok := isConst(x); ok {
			for _, s := range n.Set {
				if s == c.S {
					return BoolConst(true, n.At)
				}
			}
			return BoolConst(false, n.At)
		}
		if x == n.X {
			return n
		}
		return &In{At: n.At, X: x, Set: n.Set}
	case *InRegion:
		if x := f.fold(n.X); x != n.X {
			return &InRegion{At: n.At, X: x, Lists: n.Lists}
		}
		return n
	case *StrTest:
		x, y := f.fold(n.X), f.fold(n.Y)
		if cx, ok := isConst(x); ok {
			if cy, ok := isConst(y); ok {
				return BoolConst(StringTest(n.Op, cx.S, cy.S), n.At)
			}
		}
		if x == n.X && y == n.Y {
			return n
		}
		return &StrTest{At: n.At, Op: n.Op, X: x, Y: y}
	case *Quant:
		l, b := f.fold(n.List), f.fold(n.Body)
		if l == n.List && b == n.Body {
			return n
		}
		return &Quant{At: n.At, Op: n.Op, List: l, Body: b}
	case *Filter:
		l, p := f.fold(n.List), f.fold(n.Pred)
		if l == n.List && p == n.Pred {
			return n
		}
		return &Filter{At: n.At, List: l, Pred: p}
	case *Map:
		l, it := f.fold(n.List), f.fold(n.Item)
		if l == n.List && it == n.Item {
			return n
		}
		return &Map{At: n.At, List: l, Item: it}
	case *Count:
		if l := f.fold(n.List); l != n.List {
			return &Count{At: n.At, List: l}
		}
		return n
	case *Join:
		l, s := f.fold(n.List), f.fold(n.Sep)
		if l == n.List && s == n.Sep {
			return n
		}
		return &Join{At: n.At, List: l, Sep: s}
	case *Call:
		args := make([]Node, len(n.Args))
		consts := make([]*Const, 0, len(n.Args))
		for i, a := range n.Args {
			args[i] = f.fold(a)
			if c, ok := isConst(args[i]); ok {
				consts = append(consts, c)
			}
		}
		c := &Call{At: n.At, Func: n.Func, Args: args, T: n.T}
		if f.eval != nil && len(consts) == len(args) {
			if v, ok := f.eval(c, consts); ok {
				v.At = n.At
				return v
			}
		}
		return c
	case *Let:
		v := f.fold(n.Value)
		l := &Let{At: n.At, Name: n.Name, Value: v}
		f.lets[n] = l
		l.Body = f.fold(n.Body)
		if _, ok := isConst(v); ok {
			return l.Body // its refs are the constant
		}
		return l
	case *Ref:
		l := f.lets[n.Let]
		if l == nil {
			l = n.Let // bound outside what is folded
		}
		if c, ok := isConst(l.Value); ok {
			k := *c
			k.At = n.At
			return &k
		}
		return &Ref{At: n.At, Let: l}
	case *Cond:
		c := f.fold(n.C)
		if k, ok := isConst(c); ok {
			if k.B {
				return f.fold(n.Then)
			}
			return f.fold(n.Else)
		}
		return &Cond{At: n.At, C: c, Then: f.fold(n.Then), Else: f.fold(n.Else)}
	}
	return n // leaves
}

// StringTest is startsWith, endsWith or contains of s and t.
func StringTest(op, s, t string) bool {
	switch op {
	case "startsWith":
		return strings.HasPrefix(s, t)
	case "endsWith":
		return strings.HasSuffix(s, t)
	}
	return strings.Contains(s, t)
}

func compareConst(op string, x, y *Const) (bool, bool) {
	switch {
	case x.T == Int && y.T == Int:
		return ordered(op, x.I, y.I), true
	case x.T == Float && y.T == Float:
		return ordered(op, x.F, y.F), true
	case x.T == String && y.T == String:
		return ordered(op, x.S, y.S), true
	case x.T == Bool && y.T == Bool && (op == "==" || op == "!="):
		return (x.B == y.B) == (op == "=="), true
	}
	return false, false
}

func ordered[T int | float64 | string](op string, x, y T) bool {
	switch op {
	case "==":
		return x == y
	case "!=":
		return x != y
	case "<":
		return x < y
	case "<=":
		return x <= y
	case ">":
		return x > y
	}
	return x >= y
}

func arithConst(op string, x, y *Const, checked bool) (*Const, bool) {
	if x.T == Float && y.T == Float {
		switch op {
		case "+":
			return &Const{T: Float, F: x.F + y.F}, true
		case "-":
			return &Const{T: Float, F: x.F - y.F}, true
		}
		return &Const{T: Float, F: x.F * y.F}, true
	}
	if x.T != Int || y.T != Int {
		return nil, false
	}
	var r int
	ok := true
	switch op {
	case "+":
		r, ok = AddOK(x.I, y.I)
	case "-":
		r, ok = SubOK(x.I, y.I)
	default:
		r, ok = MulOK(x.I, y.I)
	}
	if !ok && checked {
		return nil, false // fails on every card, at run time
	}
	return &Const{T: Int, I: r}, true
}

// AddOK, SubOK and MulOK are int arithmetic: the (wrapped) result, and
// false when it overflows.
func AddOK(x, y int) (int, bool) {
	r := x + y
	return r, (r > x) == (y > 0)
}

func SubOK(x, y int) (int, bool) {
	r := x - y
	return r, (r < x) == (y > 0)
}

func MulOK(x, y int) (int, bool) {
	if x == 0 || y == 0 {
		return 0, true
	}
	r := x * y
	return r, !(r/y != x || (x == -1 && y == math.MinInt) || (y == -1 && x == math.MinInt))
}

// Conjuncts are the top-level conjuncts of n (a && b && c has three).
func Conjuncts(n Node) []Node {
	if a, ok := n.(*And); ok {
		return append(Conjuncts(a.X), Conjuncts(a.Y)...)
	}
	return []Node{n}
}

// MayFail reports whether n may fail at run time: it holds checked int
// arithmetic (in a let's value, too). It allocates nothing.
func MayFail(n Node) bool {
	switch n := n.(type) {
	case *Arith:
		return (n.Checked && n.X.Type() == Int) || MayFail(n.X) || MayFail(n.Y)
	case *Neg:
		return (n.Checked && n.X.Type() == Int) || MayFail(n.X)
	case *Ref:
		return MayFail(n.Let.Value)
	case *Not:
		return MayFail(n.X)
	case *And:
		return MayFail(n.X) || MayFail(n.Y)
	case *Or:
		return MayFail(n.X) || MayFail(n.Y)
	case *Compare:
		return MayFail(n.X) || MayFail(n.Y)
	case *Concat:
		return MayFail(n.X) || MayFail(n.Y)
	case *StrTest:
		return MayFail(n.X) || MayFail(n.Y)
	case *Conv:
		return MayFail(n.X)
	case *In:
		return MayFail(n.X)
	case *InRegion:
		return MayFail(n.X)
	case *Quant:
		return MayFail(n.List) || MayFail(n.Body)
	case *Filter:
		return MayFail(n.List) || MayFail(n.Pred)
	case *Map:
		return MayFail(n.List) || MayFail(n.Item)
	case *Count:
		return MayFail(n.List)
	case *Join:
		return MayFail(n.List) || MayFail(n.Sep)
	case *Call:
		for _, a := range n.Args {
			if MayFail(a) {
				return true
			}
		}
	case *Let:
		return MayFail(n.Value) || MayFail(n.Body)
	case *Cond:
		return MayFail(n.C) || MayFail(n.Then) || MayFail(n.Else)
	}
	return false
}

// Walk calls f on n and, while f returns true, on its operands, depth
// first. It does not follow a Ref to its let's value.
func Walk(n Node, f func(Node) bool) {
	if !f(n) {
		return
	}
	for _, c := range Operands(n) {
		Walk(c, f)
	}
}

// Operands are n's operands, in order.
func Operands(n Node) []Node {
	switch n := n.(type) {
	case *Not:
		return []Node{n.X}
	case *And:
		return []Node{n.X, n.Y}
	case *Or:
		return []Node{n.X, n.Y}
	case *Compare:
		return []Node{n.X, n.Y}
	case *Arith:
		return []Node{n.X, n.Y}
	case *Neg:
		return []Node{n.X}
	case *Concat:
		return []Node{n.X, n.Y}
	case *Conv:
		return []Node{n.X}
	case *In:
		return []Node{n.X}
	case *InRegion:
		return []Node{n.X}
	case *StrTest:
		return []Node{n.X, n.Y}
	case *Quant:
		return []Node{n.List, n.Body}
	case *Filter:
		return []Node{n.List, n.Pred}
	case *Map:
		return []Node{n.List, n.Item}
	case *Count:
		return []Node{n.List}
	case *Join:
		return []Node{n.List, n.Sep}
	case *Call:
		return n.Args
	case *Let:
		return []Node{n.Value, n.Body}
	case *Cond:
		return []Node{n.C, n.Then, n.Else}
	}
	return nil
}

// Clip is an expression's text cut to a length a note can quote.
func Clip(s string) string {
	const max = 48
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	return string(r[:max-1]) + "…"
}
