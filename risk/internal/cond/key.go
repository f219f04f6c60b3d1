package cond

import (
	"fmt"
	"strconv"
	"strings"
)

// Key is n's canonical text, the same for both languages: equal keys mean
// equal conditions (the plan tests a leading conjunct that consecutive
// rules share once, by key). It reads like expr: valid, kind in ["data_card",
// "iot"], days_since_last_activity >= 90. A let's name is written with the
// let's identity, so two lets of one name never share.
func Key(n Node) string {
	var b strings.Builder
	if c, ok := n.(*Compare); ok { // a top-level comparison reads without parentheses
		key(&b, c.X)
		b.WriteString(" " + c.Op + " ")
		key(&b, c.Y)
		return b.String()
	}
	key(&b, n)
	return b.String()
}

func key(b *strings.Builder, n Node) {
	bin := func(op string, x, y Node) {
		b.WriteByte('(')
		key(b, x)
		b.WriteString(" " + op + " ")
		key(b, y)
		b.WriteByte(')')
	}
	call := func(name string, args ...Node) {
		b.WriteString(name + "(")
		for i, a := range args {
			if i > 0 {
				b.WriteString(", ")
			}
			key(b, a)
		}
		b.WriteByte(')')
	}
	switch n := n.(type) {
	case *Const:
		switch n.T {
		case Bool:
			b.WriteString(strconv.FormatBool(n.B))
		case Int:
			b.WriteString(strconv.Itoa(n.I))
		case Float:
			b.WriteString(strconv.FormatFloat(n.F, 'g', -1, 64) + "f")
		default:
			b.WriteString(strconv.Quote(n.S))
		}
	case *Param:
		key(b, n.Value)
	case *Field:
		b.WriteString(n.F.Name)
	case *Derived:
		b.WriteString(n.F.Name)
	case *Feature:
		b.WriteString(n.F.Name)
	case *List:
		b.WriteString(n.Name)
	case *Elem:
		b.WriteString("#")
	case *ElemField:
		b.WriteString("." + n.F.Name)
	case *Not:
		b.WriteByte('!')
		key(b, n.X)
	case *And:
		bin("&&", n.X, n.Y)
	case *Or:
		bin("||", n.X, n.Y)
	case *Compare:
		bin(n.Op, n.X, n.Y)
	case *Arith:
		op := n.Op
		if n.Checked {
			op += "!"
		}
		bin(op, n.X, n.Y)
	case *Neg:
		b.WriteString("-")
		if n.Checked {
			b.WriteString("!")
		}
		key(b, n.X)
	case *Concat:
		bin("+", n.X, n.Y)
	case *Conv:
		call(map[Type]string{Float: "float", String: "string"}[n.To], n.X)
	case *In:
		key(b, n.X)
		b.WriteString(" in [")
		for i, s := range n.Set {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(strconv.Quote(s))
		}
		b.WriteByte(']')
	case *InRegion:
		b.WriteString("in_region(")
		key(b, n.X)
		for _, l := range n.Lists {
			fmt.Fprintf(b, ", %p", l)
		}
		b.WriteByte(')')
	case *StrTest:
		bin(n.Op, n.X, n.Y)
	case *Quant:
		call(n.Op, n.List, n.Body)
	case *Filter:
		call("filter", n.List, n.Pred)
	case *Map:
		call("map", n.List, n.Item)
	case *Count:
		call("len", n.List)
	case *Join:
		call("join", n.List, n.Sep)
	case *Call:
		call(n.Func, n.Args...)
	case *Let:
		fmt.Fprintf(b, "(let %s@%p = ", n.Name, n)
		key(b, n.Value)
		b.WriteString("; ")
		key(b, n.Body)
		b.WriteByte(')')
	case *Ref:
		fmt.Fprintf(b, "%s@%p", n.Let.Name, n.Let)
	case *Cond:
		b.WriteByte('(')
		key(b, n.C)
		b.WriteString(" ? ")
		key(b, n.Then)
		b.WriteString(" : ")
		key(b, n.Else)
		b.WriteByte(')')
	default:
		fmt.Fprintf(b, "?%T", n)
	}
}
