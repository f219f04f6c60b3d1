package risk

import (
	"fmt"
	"math"
	"strconv"
	"sync/atomic"

	"cel.dev/cel-go/cel"
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/traits"
	"cel.dev/cel-go/parser"

	"github.com/simrisk/simrisk/risk/internal/cond"
	rref "github.com/simrisk/simrisk/risk/ref"
	"github.com/simrisk/simrisk/rules"
)

// Lowering of checked CEL expressions into the same Go closures as expr's.
// CEL differs from expr in one way that matters here: integer overflow is an
// error. Lowered CEL arithmetic checks it and fails the rule for the card,
// as cel-go does: the closure marks the overflow in the Scorer (ovf) and
// goes on with a value nobody reads; the program (celClosureProgram) turns
// the mark into errOverflow, and CEL's && and || (celAnd, celOr), which
// absorb an error when the other side decides, look at the mark of each
// side. No panic, no recover on the hot path.

// uniqueKeys numbers conjuncts that have no text to share by.
var uniqueKeys atomic.Int64

type celLowerer struct {
	a       *celast.AST
	macros  map[string]closureProgram // lowered CEL macros, by name
	iter    string                    // the comprehension variable in scope, if any
	inRoam  bool
	inStr   bool
	overflo bool // uses checked arithmetic: recover in the program
	// the names cel.bind binds in scope, and their lowered values
	scope map[string]lowered
	// once counts the binds around that bindOnce wrote out twice
	once int
	// gu notes the construct the lowering gave up on (giveup.go)
	gu *giveUp
}

// fail gives up on the expression id for the reason what ("": the
// construct itself).
func (l *celLowerer) fail(id int64, what string) (lowered, bool) {
	if l.gu == nil || l.gu.set {
		return lowered{}, false
	}
	if what == "" {
		what = l.construct(id)
	}
	l.gu.noteCEL(id, what)
	return lowered{}, false
}

// text is the source text of e, cut for a note.
func (l *celLowerer) text(e celast.Expr) string {
	t, err := parser.Unparse(e, l.a.SourceInfo())
	if err != nil {
		return "an expression"
	}
	return clip(t)
}

// celOperators are CEL's operator functions as written.
var celOperators = map[string]string{"_+_": "+", "_-_": "-", "_*_": "*", "_/_": "/", "_%_": "%",
	"_==_": "==", "_!=_": "!=", "_<_": "<", "_<=_": "<=", "_>_": ">", "_>=_": ">=", "_&&_": "&&",
	"_||_": "||", "!_": "!", "-_": "-", "_?_:_": "?:", "_[_]": "indexing", "@in": "in"}

// byID is the expression id of the lowering's tree (nil if none).
func (l *celLowerer) byID(id int64) celast.Expr {
	var e celast.Expr
	celast.PostOrderVisit(l.a.Expr(), celast.NewExprVisitor(func(x celast.Expr) {
		if x.ID() == id {
			e = x
		}
	}))
	return e
}

// construct names what the CEL expression id is, for a note.
func (l *celLowerer) construct(id int64) string {
	e := l.byID(id)
	if e == nil {
		return "an expression"
	}
	text := l.text(e)
	switch e.Kind() {
	case celast.CallKind:
		fn := e.AsCall().FunctionName()
		if op, ok := celOperators[fn]; ok {
			if op == "indexing" {
				return "indexing (" + text + ")"
			}
			return fmt.Sprintf("the operator %s in %s", op, text)
		}
		return fmt.Sprintf("the function %s() in %s", fn, text)
	case celast.SelectKind:
		if e.AsSelect().IsTestOnly() {
			return "has() in " + text
		}
		return "the field " + text
	case celast.ComprehensionKind:
		return "the macro " + text
	case celast.ListKind:
		return "the list " + text
	case celast.MapKind, celast.StructKind:
		return "the map " + text
	case celast.IdentKind:
		return "the name " + text
	case celast.LiteralKind:
		return "the constant " + text
	}
	return text
}

// celNote places a give-up in the rule file: a CEL expression by its
// start location in src.
func (g *giveUp) celNote(a *cel.Ast, src rules.Expr) *fallbackNote {
	if g == nil || !g.set {
		return nil
	}
	loc := a.NativeRep().SourceInfo().GetStartLocation(g.id)
	return &fallbackNote{what: g.what, pos: src.PosAt(celOffset(src.Src, loc.Line(), loc.Column()))}
}

// local reports whether name is a variable of the expression itself (the
// comprehension's, or one cel.bind binds), which hides a vocabulary term or
// a macro of the same name.
func (l *celLowerer) local(name string) bool {
	_, ok := l.scope[name]
	return ok || (name != "" && name == l.iter)
}

// localRef lowers a reference to a local variable: a bound value, or the
// linked platform in scope (a roaming entry is read only through its
// fields).
func (l *celLowerer) localRef(name string) (lowered, bool) {
	if v, ok := l.scope[name]; ok {
		return v, true
	}
	if name == l.iter && l.inStr {
		return lowered{s: func(e *env) string { return e.curStr }}, true
	}
	return lowered{}, false
}

// lowerCEL lowers a checked boolean CEL expression, or returns false. The
// closureProgram is for macros that other expressions inline (its f is nil
// when it needs overflow recovery, which only a whole program gives).
func lowerCEL(a *cel.Ast, macros map[string]closureProgram, gu *giveUp) (program, closureProgram, bool) {
	l := &celLowerer{a: a.NativeRep(), macros: macros, gu: gu}
	var cs []conj
	var probes []probe
	for _, p := range l.flattenAnd(l.a.Expr(), nil) {
		// a macro's own conjuncts are conjuncts of the expression using it
		if m, ok := l.macroRef(p); ok && len(m.conj) > 0 {
			cs = append(cs, m.conj...)
			continue
		}
		l.overflo = false
		x, ok := l.lower(p)
		if ok && !x.isBool() {
			l.fail(p.ID(), "a condition of no static type: "+l.text(p))
		}
		if !ok || !x.isBool() {
			return nil, closureProgram{}, false
		}
		probes = append(probes, x.probes...)
		key, err := parser.Unparse(p, l.a.SourceInfo())
		if err != nil {
			key = fmt.Sprintf("cel#%d", uniqueKeys.Add(1)) // no text: shared with nothing
		} else {
			key = "cel:" + key
		}
		cs = append(cs, conj{key: key, b: x.fn(), k: x.k, fails: l.overflo, n: nodeOf(x)})
	}
	f, fails := celAndAll(cs)
	if fails {
		return celClosureProgram{f, probes, cs}, closureProgram{}, true
	}
	p := closureProgram{f, probes, cs}
	return p, p, true
}

// flattenAnd appends the top-level conjuncts of a CEL condition.
func (l *celLowerer) flattenAnd(e celast.Expr, parts []celast.Expr) []celast.Expr {
	if e.Kind() == celast.CallKind {
		if c := e.AsCall(); c.FunctionName() == "_&&_" && !c.IsMemberFunction() && len(c.Args()) == 2 {
			return l.flattenAnd(c.Args()[1], l.flattenAnd(c.Args()[0], parts))
		}
	}
	return append(parts, e)
}

// macroRef reports whether e names a lowered CEL macro.
func (l *celLowerer) macroRef(e celast.Expr) (closureProgram, bool) {
	if ref, ok := l.a.ReferenceMap()[e.ID()]; ok && ref.Name != "" && ref.Value == nil && e.Kind() == celast.IdentKind && !l.local(ref.Name) {
		m, ok := l.macros[ref.Name]
		return m, ok
	}
	return closureProgram{}, false
}

// lowerCELValue lowers a checked CEL placeholder of any simple type.
func lowerCELValue(a *cel.Ast, macros map[string]closureProgram, gu *giveUp) (program, bool) {
	l := &celLowerer{a: a.NativeRep(), macros: macros, gu: gu}
	x, ok := l.lower(l.a.Expr())
	if !ok || l.overflo || (!x.isBool() && x.i == nil && x.f == nil && x.s == nil) {
		return nil, false
	}
	return loweredProgram{x}, true
}

// lower lowers e, or notes what it gave up on: e itself when nothing
// inside it was noted.
func (l *celLowerer) lower(e celast.Expr) (lowered, bool) {
	x, ok := l.lower0(e)
	if !ok && !l.listName(e) {
		l.fail(e.ID(), "")
	}
	return x, ok
}

// listName reports whether e names roaming or linked_platforms: lists that
// lower only as what a construct around them does with them (a loop, size,
// join), so that construct is what a note names.
func (l *celLowerer) listName(e celast.Expr) bool {
	ref, ok := l.a.ReferenceMap()[e.ID()]
	return ok && e.Kind() == celast.IdentKind && !l.local(ref.Name) && (ref.Name == "roaming" || ref.Name == "linked_platforms")
}

func (l *celLowerer) lower0(e celast.Expr) (lowered, bool) {
	// a name the checker resolved: a variable, or a constant with its value
	if ref, ok := l.a.ReferenceMap()[e.ID()]; ok && ref.Name != "" && (e.Kind() == celast.IdentKind || e.Kind() == celast.SelectKind) {
		if ref.Value != nil {
			return celConst(ref.Value)
		}
		if l.local(ref.Name) {
			if e.Kind() != celast.IdentKind {
				return lowered{}, false
			}
			return l.localRef(ref.Name)
		}
		if m, ok := l.macros[ref.Name]; ok {
			return lowered{b: m.f}, true
		}
		if x, ok := field(ref.Name); ok {
			return x, true
		}
		if l.listName(e) || e.Kind() != celast.IdentKind {
			return lowered{}, false
		}
		return l.fail(e.ID(), "the macro "+ref.Name+", which runs there itself")
	}
	switch e.Kind() {
	case celast.LiteralKind:
		return celConst(e.AsLiteral())
	case celast.IdentKind:
		if l.local(e.AsIdent()) {
			return l.localRef(e.AsIdent())
		}
	case celast.SelectKind:
		sel := e.AsSelect()
		if sel.IsTestOnly() {
			return lowered{}, false
		}
		if op := sel.Operand(); op.Kind() == celast.IdentKind && op.AsIdent() == l.iter && l.inRoam {
			if x, ok := roamField(sel.FieldName()); ok {
				return x, true
			}
		}
	case celast.CallKind:
		return l.call(e.AsCall())
	case celast.ComprehensionKind:
		return l.comprehension(e.ID(), e.AsComprehension())
	}
	return lowered{}, false
}

func celConst(v any) (lowered, bool) {
	switch x := v.(type) {
	case types.Bool:
		b := bool(x)
		return lowered{b: func(*env) bool { return b }, k: true}, true
	case types.Int:
		i := int(x)
		return lowered{i: func(*env) int { return i }, k: true, text: strconv.Itoa(i)}, true
	case types.Double:
		f := float64(x)
		return lowered{f: func(*env) float64 { return f }, k: true}, true
	case types.String:
		s := string(x)
		return lowered{s: func(*env) string { return s }, k: true}, true
	}
	return lowered{}, false
}

// stringSet reads a constant list of strings (lists.NAME or a literal).
func (l *celLowerer) stringSet(e celast.Expr) (map[string]struct{}, bool) {
	set := map[string]struct{}{}
	if ref, ok := l.a.ReferenceMap()[e.ID()]; ok && ref.Value != nil {
		lister, ok := ref.Value.(traits.Lister)
		if !ok {
			return nil, false
		}
		n, _ := lister.Size().Value().(int64)
		for i := int64(0); i < n; i++ {
			s, ok := lister.Get(types.Int(i)).(types.String)
			if !ok {
				return nil, false
			}
			set[string(s)] = struct{}{}
		}
		return set, true
	}
	if e.Kind() != celast.ListKind {
		return nil, false
	}
	for _, it := range e.AsList().Elements() {
		if it.Kind() != celast.LiteralKind {
			return nil, false
		}
		s, ok := it.AsLiteral().(types.String)
		if !ok {
			return nil, false
		}
		set[string(s)] = struct{}{}
	}
	return set, true
}

func (l *celLowerer) call(c celast.CallExpr) (lowered, bool) {
	args := c.Args()
	fn := c.FunctionName()
	leftFails := false // the first argument may overflow
	lowerArgs := func() ([]lowered, bool) {
		out := make([]lowered, len(args))
		for i, a := range args {
			before := l.overflo
			l.overflo = false
			x, ok := l.lower(a)
			if i == 0 {
				leftFails = l.overflo
			}
			l.overflo = l.overflo || before
			if !ok {
				return nil, false
			}
			out[i] = x
		}
		return out, true
	}
	switch fn {
	case "@in":
		if len(args) != 2 {
			return lowered{}, false
		}
		a, ok := l.lower(args[0])
		set, ok2 := l.stringSet(args[1])
		if !ok || !ok2 || a.s == nil {
			return lowered{}, false
		}
		return memberOf(a, set, false), true
	case "in_region":
		if len(args) != 2 {
			return lowered{}, false
		}
		a, ok := l.lower(args[0])
		ref, isRef := l.a.ReferenceMap()[args[1].ID()]
		if !ok || a.s == nil || !isRef || ref.Value == nil {
			return lowered{}, false
		}
		rs, ok := ref.Value.(celRegionSet)
		if !ok {
			return lowered{}, false
		}
		key := ""
		if text, err := parser.Unparse(args[0], l.a.SourceInfo()); err == nil {
			key = "cel:" + l.iter + ":" + text
		}
		return inRegion(key, a, rs.set), true
	case "size":
		var target celast.Expr
		if c.IsMemberFunction() {
			target = c.Target()
		} else if len(args) == 1 {
			target = args[0]
		}
		if target == nil {
			return lowered{}, false
		}
		if ref, ok := l.a.ReferenceMap()[target.ID()]; ok && !l.local(ref.Name) {
			switch ref.Name {
			case "roaming":
				return lowered{i: func(e *env) int { return len(e.r.Roaming) }}, true
			case "linked_platforms":
				return lowered{i: func(e *env) int { return len(e.r.LinkedPlatforms) }}, true
			}
		}
		// a filtered or mapped list (or a bound name holding one)
		if x, ok := l.lower(target); ok && x.lst != nil {
			lst := x.lst
			return lowered{i: func(e *env) int { return lst.count(e) }}, true
		}
		return lowered{}, false
	case "join":
		// list.join(sep) of a filtered or mapped list of strings, sep a constant
		if !c.IsMemberFunction() || len(args) > 1 {
			return lowered{}, false
		}
		lst, ok := l.listOf(c.Target())
		if !ok || (lst.roam && lst.item == nil) {
			return lowered{}, false
		}
		sep := ""
		if len(args) == 1 {
			a, ok := l.lower(args[0])
			if !ok || !a.k || a.s == nil {
				return lowered{}, false
			}
			sep = a.s(nil)
		}
		return lowered{s: func(e *env) string { return string(lst.join(e, nil, sep)) },
			a: func(e *env, b []byte) []byte { return lst.join(e, b, sep) }}, true
	case "startsWith", "endsWith", "contains":
		if !c.IsMemberFunction() || len(args) != 1 {
			return lowered{}, false
		}
		t, ok1 := l.lower(c.Target())
		a, ok2 := l.lower(args[0])
		if !ok1 || !ok2 || t.s == nil || a.s == nil {
			return lowered{}, false
		}
		return stringTest(fn, t.s, a.s), true
	}
	if c.IsMemberFunction() {
		return lowered{}, false
	}
	xs, ok := lowerArgs()
	if !ok {
		return lowered{}, false
	}
	switch fn {
	case "mask":
		if len(xs) == 1 && xs[0].s != nil {
			x := xs[0].s
			return lowered{s: func(e *env) string { return maskValue(x(e)) }}, true
		}
	case "region_name":
		if len(xs) == 1 && xs[0].s != nil {
			x := xs[0].s
			return fold(lowered{s: func(e *env) string { return rref.RegionName(x(e)) }}, true, xs[0])
		}
		if len(xs) == 2 && xs[0].s != nil && xs[1].s != nil && xs[1].k {
			x, lang := xs[0].s, xs[1].s(nil)
			return fold(lowered{s: func(e *env) string { return rref.RegionNameIn(x(e), lang) }}, true, xs[0])
		}
	case "display":
		if len(xs) == 2 && xs[1].s != nil && xs[1].k {
			return displayOf(xs[0], xs[1].s(nil))
		}
	case "string":
		// string(int): decimal, as cel-go writes it
		if len(xs) == 1 && xs[0].i != nil {
			return stringOfInt(xs[0]), true
		}
	case "_&&_", "_||_":
		if len(xs) != 2 || !xs[0].isBool() || !xs[1].isBool() {
			return lowered{}, false
		}
		if leftFails {
			// CEL's && and || are commutative: error && false is false
			if fn == "_&&_" {
				return celAnd(xs[0], xs[1]), true
			}
			return celOr(xs[0], xs[1]), true
		}
		if fn == "_&&_" {
			return and(xs[0], xs[1]), true
		}
		return or(xs[0], xs[1]), true
	case "!_":
		if len(xs) == 1 && xs[0].isBool() {
			return not(xs[0]), true
		}
	case "-_":
		if len(xs) == 1 && xs[0].i != nil {
			x := xs[0].i
			l.overflo = true
			return lowered{i: func(e *env) int {
				v := x(e)
				return checked(e, -v, v != math.MinInt64)
			}}, true
		}
		if len(xs) == 1 && xs[0].f != nil {
			x := xs[0].f
			return lowered{f: func(e *env) float64 { return -x(e) }}, true
		}
	case "_?_:_":
		if len(xs) == 3 && xs[0].isBool() {
			// the expr lowering's ternary, over already lowered parts
			return ternary(xs[0].fn(), xs[1], xs[2])
		}
	case "_==_", "_!=_", "_<_", "_<=_", "_>_", "_>=_":
		if len(xs) != 2 {
			return lowered{}, false
		}
		// homogeneous types only: CEL does not compare int with double here
		if (xs[0].i == nil) != (xs[1].i == nil) || (xs[0].f == nil) != (xs[1].f == nil) ||
			(xs[0].s == nil) != (xs[1].s == nil) || (!xs[0].isBool()) != (!xs[1].isBool()) {
			return lowered{}, false
		}
		if xs[0].isBool() && fn != "_==_" && fn != "_!=_" {
			return lowered{}, false // bool ordering: left to cel-go
		}
		op := map[string]string{"_==_": "==", "_!=_": "!=", "_<_": "<", "_<=_": "<=", "_>_": ">", "_>=_": ">="}[fn]
		r, ok := compare(op, xs[0], xs[1])
		return fold(r, ok, xs[0], xs[1])
	case "_+_", "_-_", "_*_":
		if len(xs) != 2 {
			return lowered{}, false
		}
		a, b := xs[0], xs[1]
		switch {
		case a.i != nil && b.i != nil:
			x, y := a.i, b.i
			opOK := map[string]func(int, int) (int, bool){"_+_": cond.AddOK, "_-_": cond.SubOK, "_*_": cond.MulOK}[fn]
			if a.k && b.k {
				// constants fold (params.verify_hours * 3600), unless they
				// overflow: then the rule fails on every card, at run time
				if v, ok := opOK(x(nil), y(nil)); ok {
					return konst(lowered{i: func(*env) int { return v }}), true
				}
			}
			l.overflo = true
			switch fn {
			case "_+_":
				return lowered{i: func(e *env) int { r, ok := cond.AddOK(x(e), y(e)); return checked(e, r, ok) }, text: sumText("+", a, b), time: a.time != b.time}, true
			case "_-_":
				return lowered{i: func(e *env) int { r, ok := cond.SubOK(x(e), y(e)); return checked(e, r, ok) }, text: sumText("-", a, b), time: a.time != b.time}, true
			}
			return lowered{i: func(e *env) int { r, ok := cond.MulOK(x(e), y(e)); return checked(e, r, ok) }, text: sumText("*", a, b)}, true
		case a.f != nil && b.f != nil:
			x, y := a.f, b.f
			switch fn {
			case "_+_":
				return lowered{f: func(e *env) float64 { return x(e) + y(e) }}, true
			case "_-_":
				return lowered{f: func(e *env) float64 { return x(e) - y(e) }}, true
			}
			return lowered{f: func(e *env) float64 { return x(e) * y(e) }}, true
		case fn == "_+_" && a.s != nil && b.s != nil:
			x, y := a.s, b.s
			ax, ay := appenderOf(a), appenderOf(b)
			return fold(lowered{s: func(e *env) string { return x(e) + y(e) },
				a: func(e *env, buf []byte) []byte { return ay(e, ax(e, buf)) }}, true, a, b)
		}
	case "days_between":
		if len(xs) == 2 && xs[0].i != nil && xs[1].i != nil {
			x, y := xs[0].i, xs[1].i
			return lowered{i: func(e *env) int { return daysBetweenOrNever(x(e), y(e)) }}, true
		}
	}
	return lowered{}, false
}

// comprehension lowers cel.bind, and the exists and all macros over roaming
// or linked_platforms (one level deep; a macro or a bound name holding one
// may be used in the body).
func (l *celLowerer) comprehension(id int64, c celast.ComprehensionExpr) (lowered, bool) {
	if isBind(c) {
		return l.bind(id, c)
	}
	if x, ok, isList := l.listMacro(id, c); isList {
		return x, ok
	}
	if l.iter != "" {
		return l.fail(id, "a loop over "+l.text(c.IterRange())+" inside another loop's body")
	}
	if c.IterVar2() != "" {
		return l.fail(id, "a comprehension of two variables")
	}
	ref, ok := l.a.ReferenceMap()[c.IterRange().ID()]
	if !ok || l.local(ref.Name) || (ref.Name != "roaming" && ref.Name != "linked_platforms") {
		return lowered{}, false
	}
	init := c.AccuInit()
	if init.Kind() != celast.LiteralKind {
		return lowered{}, false
	}
	start, ok := init.AsLiteral().(types.Bool)
	if !ok {
		return lowered{}, false
	}
	step := c.LoopStep()
	if step.Kind() != celast.CallKind {
		return lowered{}, false
	}
	call := step.AsCall()
	want := "_||_"
	if start {
		want = "_&&_"
	}
	if call.FunctionName() != want || len(call.Args()) != 2 {
		return lowered{}, false
	}
	acc, pred := call.Args()[0], call.Args()[1]
	if acc.Kind() != celast.IdentKind || acc.AsIdent() != c.AccuVar() {
		return lowered{}, false
	}
	if r := c.Result(); r.Kind() != celast.IdentKind || r.AsIdent() != c.AccuVar() {
		return lowered{}, false
	}
	inner := &celLowerer{a: l.a, macros: l.macros, iter: c.IterVar(), inRoam: ref.Name == "roaming", inStr: ref.Name != "roaming", once: l.once, gu: l.gu}
	if _, hidden := l.scope[c.IterVar()]; hidden {
		return l.fail(id, "the loop variable "+c.IterVar()+", which hides a cel.bind name")
	}
	inner.scope = l.scope
	body, ok := inner.lower(pred)
	if ok && inner.overflo {
		return l.fail(pred.ID(), "int arithmetic that may overflow in a loop's body ("+l.text(pred)+")")
	}
	if !ok || !body.isBool() {
		return lowered{}, false
	}
	// exists: stop at the first true; all: stop at the first false
	stop, empty := true, false
	if start {
		stop, empty = false, true
	}
	return predicate(ref.Name == "roaming", body, stop, empty), true
}

// isBind reports whether c is what cel.bind(name, init, body) expands to: a
// fold over an empty list whose accumulator is the name.
func isBind(c celast.ComprehensionExpr) bool {
	r, cond, step := c.IterRange(), c.LoopCondition(), c.LoopStep()
	if r.Kind() != celast.ListKind || len(r.AsList().Elements()) != 0 || c.IterVar2() != "" {
		return false
	}
	if cond.Kind() != celast.LiteralKind || cond.AsLiteral() != types.False {
		return false
	}
	return step.Kind() == celast.IdentKind && step.AsIdent() == c.AccuVar()
}

// bind lowers cel.bind(name, init, body): body, with name standing for init.
// Like expr's let, the value is computed where it is used (lowered code is
// pure; an init that may overflow is left to cel-go, which computes it once
// and fails only when it is used). A name that is also a vocabulary term, a
// macro or the loop variable in scope is left to cel-go as well.
func (l *celLowerer) bind(id int64, c celast.ComprehensionExpr) (lowered, bool) {
	name := c.AccuVar()
	if _, isMacro := l.macros[name]; isMacro || name == l.iter || vocabTopNames[name] || reservedNames[name] {
		return l.fail(id, "cel.bind of "+name+", a name of the vocabulary, a macro or the loop variable")
	}
	before := l.overflo
	l.overflo = false
	v, ok := l.lower(c.AccuInit())
	fails := l.overflo
	l.overflo = before
	if ok && fails {
		return l.fail(c.AccuInit().ID(), "a cel.bind value whose int arithmetic may overflow ("+l.text(c.AccuInit())+")")
	}
	if ok && !v.isBool() && v.i == nil && v.f == nil && v.s == nil && v.lst == nil {
		return l.fail(c.AccuInit().ID(), "")
	}
	if !ok {
		return lowered{}, false
	}
	bodyWith := func(v lowered, once int) (lowered, bool) {
		inner := *l
		inner.once = once
		inner.scope = make(map[string]lowered, len(l.scope)+1)
		for k, x := range l.scope {
			inner.scope[k] = x
		}
		inner.scope[name] = v
		body, ok := inner.lower(c.Result())
		l.overflo = l.overflo || inner.overflo
		body.rgn = nil // its subject may name the variable: never merge it outside
		return body, ok
	}
	if r, ok := bindOnce(v, l.once, l.gu, bodyWith); ok {
		return r, true
	}
	return bodyWith(v, l.once)
}

// vocabTopNames are the first parts of the vocabulary's names.
var vocabTopNames = vocabTop()

// listMacro lowers filter and map (of two or three arguments) over roaming
// and linked_platforms, and over what filter, map and cel.bind give of
// them: the lists expr's filter and map lower to (listX), which lowered
// code only counts (size) or joins. isList reports whether c has the shape
// of one of these macros: an accumulator starting as [] to which each step
// appends one element, or appends it when a predicate holds.
func (l *celLowerer) listMacro(id int64, c celast.ComprehensionExpr) (x lowered, ok, isList bool) {
	init, cond, step := c.AccuInit(), c.LoopCondition(), c.LoopStep()
	if init.Kind() != celast.ListKind || len(init.AsList().Elements()) != 0 || c.IterVar2() != "" {
		return lowered{}, false, false
	}
	if r := c.Result(); r.Kind() != celast.IdentKind || r.AsIdent() != c.AccuVar() {
		return lowered{}, false, false
	}
	if cond.Kind() != celast.LiteralKind || cond.AsLiteral() != types.True {
		return lowered{}, false, false
	}
	isAccu := func(e celast.Expr) bool { return e.Kind() == celast.IdentKind && e.AsIdent() == c.AccuVar() }
	var pred celast.Expr
	if step.Kind() == celast.CallKind {
		if sc := step.AsCall(); sc.FunctionName() == "_?_:_" && len(sc.Args()) == 3 && isAccu(sc.Args()[2]) {
			pred, step = sc.Args()[0], sc.Args()[1]
		}
	}
	if step.Kind() != celast.CallKind {
		return lowered{}, false, false
	}
	add := step.AsCall()
	if add.FunctionName() != "_+_" || len(add.Args()) != 2 || !isAccu(add.Args()[0]) ||
		add.Args()[1].Kind() != celast.ListKind || len(add.Args()[1].AsList().Elements()) != 1 {
		return lowered{}, false, false
	}
	item := add.Args()[1].AsList().Elements()[0]
	if item.Kind() == celast.IdentKind && item.AsIdent() == c.IterVar() {
		item = nil // the element itself: a filter
	}
	if l.iter != "" || l.inRoam || l.inStr {
		x, ok := l.fail(id, "a loop over "+l.text(c.IterRange())+" inside another loop's body")
		return x, ok, true
	}
	if _, hidden := l.scope[c.IterVar()]; hidden {
		x, ok := l.fail(id, "the loop variable "+c.IterVar()+", which hides a cel.bind name")
		return x, ok, true
	}
	lst, ok := l.listOf(c.IterRange())
	if !ok {
		return lowered{}, false, true
	}
	base := *lst
	if base.item != nil {
		x, ok := l.fail(id, "filter or map of a mapped list")
		return x, ok, true
	}
	inner := &celLowerer{a: l.a, macros: l.macros, iter: c.IterVar(), inRoam: base.roam, inStr: !base.roam, scope: l.scope, once: l.once, gu: l.gu}
	overflows := func(e celast.Expr) (lowered, bool, bool) {
		x, ok := l.fail(e.ID(), "int arithmetic that may overflow in a loop's body ("+l.text(e)+")")
		return x, ok, true
	}
	if pred != nil {
		body, ok := inner.lower(pred)
		if ok && inner.overflo {
			return overflows(pred)
		}
		if !ok || !body.isBool() {
			return lowered{}, false, true
		}
		if prev := base.pred; prev != nil {
			f := body.fn()
			base.pred = func(e *env) bool { return prev(e) && f(e) }
		} else {
			base.pred = body.fn()
		}
	}
	if item != nil {
		body, ok := inner.lower(item)
		if ok && inner.overflo {
			return overflows(item)
		}
		if !ok || body.s == nil {
			return lowered{}, false, true
		}
		base.item = appenderOf(body)
	}
	return lowered{lst: &base}, true, true
}

// listOf lowers e as a list lowered code can loop over: roaming,
// linked_platforms, or what filter, map and cel.bind give of them.
func (l *celLowerer) listOf(e celast.Expr) (*listX, bool) {
	if ref, ok := l.a.ReferenceMap()[e.ID()]; ok && !l.local(ref.Name) && (ref.Name == "roaming" || ref.Name == "linked_platforms") {
		return &listX{roam: ref.Name == "roaming"}, true
	}
	if x, ok := l.lower(e); ok && x.lst != nil {
		return x.lst, true
	}
	return nil, false
}
