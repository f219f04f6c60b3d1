// Package celfront is the CEL front end: it turns a checked CEL syntax tree
// (cel-go's, with parameters and lists as constants in its reference map)
// into the condition IR of package cond, or gives up on the first construct
// the IR has no node for, with its position and a note in CEL's words.
//
// Stage: after cel-go's parser and checker (and package risk's CST rewrite
// of timestamp parts), before cond's folding and the back end (package
// risk). Imports: cel-go's ast, types and parser (for a construct's text),
// cond, internal/vocab and the standard library; nothing of package risk (a
// region list is any constant whose Go value has Items() []string).
//
// CEL's meaning, as the IR carries it: int + - * and unary - are checked
// (Arith.Checked, Neg.Checked: an overflow fails the condition for the
// card); comparisons are of one type (no int with double); cel.bind is a
// Let; a macro of the rule set (macros:) is inlined where it is a top-level
// conjunct of a rule or its conjunct's only use outside loops, and a Let
// elsewhere: around the conjunct, or around the outermost loop that uses
// it, so that its value is computed once per card, not once per element.
package celfront

import (
	"fmt"
	"sort"
	"strings"

	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/traits"
	"cel.dev/cel-go/parser"

	"github.com/simrisk/simrisk/internal/vocab"
	"github.com/simrisk/simrisk/risk/internal/cond"
)

// Config is what a translation needs besides the checked tree.
type Config struct {
	// Macros are the rule set's CEL macros the back end compiles, by name:
	// their IR. A name the checker resolved that is neither a vocabulary
	// name nor one of these (a macro that runs on cel-go) is given up on.
	Macros map[string]cond.Node
}

// Condition translates a checked boolean CEL expression.
func Condition(a *celast.AST, cfg Config) (cond.Node, *cond.GiveUp) {
	t := newTranslator(a, cfg)
	var parts []cond.Node
	for _, p := range flattenAnd(a.Expr(), nil) {
		// a macro that is a conjunct: its tree, whose conjuncts are the
		// rule's (the plan shares them)
		if m, ok := t.macroRef(p); ok {
			parts = append(parts, m)
			continue
		}
		x, g := t.conjunct(p)
		if g != nil {
			return nil, g
		}
		parts = append(parts, x)
	}
	all := parts[0]
	for _, p := range parts[1:] {
		all = &cond.And{At: *all.Where(), X: all, Y: p}
	}
	return all, nil
}

// Value translates a checked CEL expression of any simple type (a reason's
// placeholder).
func Value(a *celast.AST, cfg Config) (cond.Node, *cond.GiveUp) {
	t := newTranslator(a, cfg)
	return t.conjunct(a.Expr())
}

// conjunct translates a top-level conjunct of a condition (or a whole
// placeholder): the macros it uses more than once outside loops are lets
// around it.
func (t *translator) conjunct(e celast.Expr) (cond.Node, *cond.GiveUp) {
	t.uses = t.macroUses(e)
	t.conj = &macroLets{}
	x, g := t.node(e)
	if g != nil {
		return nil, g
	}
	return t.conj.around(x), nil
}

// macroUses counts the names of macros e reads (a name a loop variable or
// cel.bind hides counted too: a let where an inlined tree would do).
func (t *translator) macroUses(e celast.Expr) map[string]int {
	var uses map[string]int
	if len(t.src.cfg.Macros) == 0 {
		return uses // no macro to count (and no walk)
	}
	refs := t.src.a.ReferenceMap()
	celast.PostOrderVisit(e, celast.NewExprVisitor(func(x celast.Expr) {
		if x.Kind() != celast.IdentKind {
			return
		}
		if r, ok := refs[x.ID()]; ok && r.Value == nil {
			if _, isMacro := t.src.cfg.Macros[r.Name]; isMacro {
				if uses == nil {
					uses = map[string]int{}
				}
				uses[r.Name]++
			}
		}
	}))
	return uses
}

// flattenAnd appends the top-level conjuncts of a condition.
func flattenAnd(e celast.Expr, parts []celast.Expr) []celast.Expr {
	if e.Kind() == celast.CallKind {
		if c := e.AsCall(); c.FunctionName() == "_&&_" && !c.IsMemberFunction() && len(c.Args()) == 2 {
			return flattenAnd(c.Args()[1], flattenAnd(c.Args()[0], parts))
		}
	}
	return append(parts, e)
}

// source is what every node of one translation shares: the tree, for
// the references and a construct's text.
type source struct {
	a    *celast.AST
	cfg  Config
	slab []origin
}

// translator carries the scope of the expression being translated.
type translator struct {
	src *source
	// iter is the loop variable in scope ("" outside loops), elem the type
	// of its list's elements (cond.Entries or cond.Strings)
	iter string
	elem cond.Type
	// scope are the names cel.bind binds in scope
	scope map[string]*cond.Let
	// loop collects the macros used inside the outermost loop being
	// translated: their lets go around that loop (nil outside loops)
	loop *macroLets
	// conj collects the macros the conjunct being translated uses more
	// than once outside loops (uses counts them): their lets go around it
	conj *macroLets
	uses map[string]int
}

// macroLets are the lets of the macros a loop's body (or a conjunct) uses,
// by name, in the order of first use.
type macroLets struct {
	byName map[string]*cond.Let
	order  []*cond.Let
}

// ref is a use of the macro name (tree m): a ref to its let, made on first
// use.
func (ls *macroLets) ref(name string, m cond.Node, at cond.At) cond.Node {
	l, ok := ls.byName[name]
	if !ok {
		l = &cond.Let{At: at, Name: name, Value: m}
		if ls.byName == nil {
			ls.byName = map[string]*cond.Let{}
		}
		ls.byName[name] = l
		ls.order = append(ls.order, l)
	}
	return &cond.Ref{At: at, Let: l}
}

// around puts the lets around x, the first used outermost.
func (ls *macroLets) around(x cond.Node) cond.Node {
	for i := len(ls.order) - 1; i >= 0; i-- {
		ls.order[i].Body = x
		x = ls.order[i]
	}
	return x
}

func newTranslator(a *celast.AST, cfg Config) *translator {
	return &translator{src: &source{a: a, cfg: cfg}}
}

// origin is a CEL expression as a cond.Origin: notes in CEL's words.
type origin struct {
	src  *source
	e    celast.Expr
	note string // a note of the front end's own, for any why
}

func (o *origin) Note(why cond.Why) string {
	if o.note != "" {
		return o.note
	}
	text := o.src.text(o.e)
	switch why {
	case cond.LoopInLoop, cond.ListInLoop:
		if o.e.Kind() == celast.ComprehensionKind {
			return "a loop over " + o.src.text(o.e.AsComprehension().IterRange()) + " inside another loop's body"
		}
		return "a loop inside another loop's body: " + text
	case cond.ListOfMapped:
		return "filter or map of a mapped list"
	case cond.OverflowInLoop:
		return "int arithmetic that may overflow in a loop's body (" + text + ")"
	case cond.OverflowInLet:
		return "a cel.bind value whose int arithmetic may overflow (" + text + ")"
	case cond.NoStaticType:
		return "a condition of no static type: " + text
	}
	return o.src.construct(o.e)
}

// at is e's place and origin.
func (t *translator) at(e celast.Expr) cond.At {
	return t.src.at(e, "")
}

// at is e's place: the offset of its start in code points, which is what
// rules.Expr.PosAt takes (cel-go's start location, without turning it into
// a line and column and back), and its origin.
func (s *source) at(e celast.Expr, note string) cond.At {
	pos := -1
	if r, ok := s.a.SourceInfo().GetOffsetRange(e.ID()); ok {
		pos = int(r.Start)
	}
	// origins come from a slab: one allocation for many nodes
	if len(s.slab) == cap(s.slab) {
		s.slab = make([]origin, 0, 32)
	}
	s.slab = append(s.slab, origin{src: s, e: e, note: note})
	return cond.At{Pos: pos, Orig: &s.slab[len(s.slab)-1]}
}

// giveUp gives up on e for the reason why (a note of its own, or "").
func (t *translator) giveUp(e celast.Expr, why cond.Why, note string) (cond.Node, *cond.GiveUp) {
	return nil, &cond.GiveUp{At: t.src.at(e, note), Why: why}
}

// text is the source text of e, cut for a note.
func (s *source) text(e celast.Expr) string {
	t, err := parser.Unparse(e, s.a.SourceInfo())
	if err != nil {
		return "an expression"
	}
	return cond.Clip(t)
}

// operators are CEL's operator functions as written.
var operators = map[string]string{"_+_": "+", "_-_": "-", "_*_": "*", "_/_": "/", "_%_": "%",
	"_==_": "==", "_!=_": "!=", "_<_": "<", "_<=_": "<=", "_>_": ">", "_>=_": ">=", "_&&_": "&&",
	"_||_": "||", "!_": "!", "-_": "-", "_?_:_": "?:", "_[_]": "indexing", "@in": "in"}

// construct names what e is, for a note.
func (s *source) construct(e celast.Expr) string {
	text := s.text(e)
	switch e.Kind() {
	case celast.CallKind:
		fn := e.AsCall().FunctionName()
		if op, ok := operators[fn]; ok {
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

// local reports whether name is a variable of the expression itself (the
// loop's, or one cel.bind binds), which hides a vocabulary name or a macro
// of the same name.
func (t *translator) local(name string) bool {
	_, ok := t.scope[name]
	return ok || (name != "" && name == t.iter)
}

// reference is the checker's resolution of e, a name (nil: none).
func (t *translator) reference(e celast.Expr) *celast.ReferenceInfo {
	if e.Kind() != celast.IdentKind && e.Kind() != celast.SelectKind {
		return nil
	}
	r, ok := t.src.a.ReferenceMap()[e.ID()]
	if !ok || r.Name == "" {
		return nil
	}
	return r
}

// macroRef is the tree of the macro e names, when e is a plain use of one.
func (t *translator) macroRef(e celast.Expr) (cond.Node, bool) {
	r := t.reference(e)
	if r == nil || r.Value != nil || e.Kind() != celast.IdentKind || t.local(r.Name) {
		return nil, false
	}
	m, ok := t.src.cfg.Macros[r.Name]
	return m, ok
}

// listName reports whether e names roaming or linked_platforms: lists that
// translate only as what a construct around them does with them (a loop,
// size, join), so that construct is what a note names.
func (t *translator) listName(e celast.Expr) (string, bool) {
	r := t.reference(e)
	if r == nil || e.Kind() != celast.IdentKind || t.local(r.Name) || (r.Name != "roaming" && r.Name != "linked_platforms") {
		return "", false
	}
	return r.Name, true
}

// node translates e, or gives up: on what inside it could not be
// translated, or on e itself.
func (t *translator) node(e celast.Expr) (cond.Node, *cond.GiveUp) {
	x, g := t.node0(e)
	if x == nil && g == nil {
		return t.giveUp(e, cond.Itself, "")
	}
	return x, g
}

// node0 returns nil, nil when e itself is not translated.
func (t *translator) node0(e celast.Expr) (cond.Node, *cond.GiveUp) {
	// a name the checker resolved: a variable, or a constant with its value
	if r := t.reference(e); r != nil {
		switch {
		case r.Value != nil:
			return constant(r.Value, t.at(e)), nil
		case t.local(r.Name):
			if e.Kind() != celast.IdentKind {
				return nil, nil
			}
			return t.localRef(e, r.Name), nil
		}
		if m, ok := t.src.cfg.Macros[r.Name]; ok {
			return t.macroUse(e, r.Name, m), nil
		}
		if _, isList := t.listName(e); isList {
			return &cond.List{At: t.at(e), Name: r.Name}, nil
		}
		if x, ok := cond.Name(r.Name, t.at(e)); ok && x.Type() != cond.Entries && x.Type() != cond.Strings {
			return x, nil
		}
		if e.Kind() != celast.IdentKind {
			return nil, nil
		}
		return t.giveUp(e, cond.Itself, "the macro "+r.Name+", which runs there itself")
	}
	switch e.Kind() {
	case celast.LiteralKind:
		return constant(e.AsLiteral(), t.at(e)), nil
	case celast.IdentKind:
		if t.local(e.AsIdent()) {
			return t.localRef(e, e.AsIdent()), nil
		}
	case celast.SelectKind:
		sel := e.AsSelect()
		if sel.IsTestOnly() {
			return nil, nil
		}
		if op := sel.Operand(); op.Kind() == celast.IdentKind && op.AsIdent() == t.iter && t.elem == cond.Entries {
			if x, ok := cond.EntryField(sel.FieldName(), t.at(e)); ok {
				return x, nil
			}
		}
	case celast.CallKind:
		return t.call(e)
	case celast.ComprehensionKind:
		return t.comprehension(e)
	}
	return nil, nil
}

// constant is a CEL constant (a literal, params.X) as a node, or nil.
func constant(v any, at cond.At) cond.Node {
	switch x := v.(type) {
	case types.Bool:
		return cond.BoolConst(bool(x), at)
	case types.Int:
		return cond.IntConst(int(x), at)
	case types.Double:
		return cond.FloatConst(float64(x), at)
	case types.String:
		return cond.StringConst(string(x), at)
	}
	return nil
}

// localRef is a use of a local variable: a bound value, or the linked
// platform in scope (a roaming entry is read only through its fields).
func (t *translator) localRef(e celast.Expr, name string) cond.Node {
	if l, ok := t.scope[name]; ok {
		return &cond.Ref{At: t.at(e), Let: l}
	}
	if name == t.iter && t.elem == cond.Strings {
		return &cond.Elem{At: t.at(e)}
	}
	return nil
}

// macroUse is a use of the macro name (tree m) that is not a top-level
// conjunct. Inside a loop, a ref to a let around the outermost loop (see
// loopNode): the macro is computed once per card, not once per element.
// Elsewhere its tree in place when it is its conjunct's one use (the back
// end compiles it with what is around it, as expr's inlined macros), or a
// ref to a let around the conjunct.
func (t *translator) macroUse(e celast.Expr, name string, m cond.Node) cond.Node {
	switch {
	case t.loop != nil:
		return t.loop.ref(name, m, t.at(e))
	case t.uses[name] <= 1 || t.conj == nil:
		return m
	}
	return t.conj.ref(name, m, t.at(e))
}

// stringSet reads a constant list of strings (lists.NAME or a literal of
// string literals): sorted, without duplicates.
func (t *translator) stringSet(e celast.Expr) ([]string, bool) {
	var set []string
	if r := t.reference(e); r != nil && r.Value != nil {
		lister, ok := r.Value.(traits.Lister)
		if !ok {
			return nil, false
		}
		n, _ := lister.Size().Value().(int64)
		for i := int64(0); i < n; i++ {
			s, ok := lister.Get(types.Int(i)).(types.String)
			if !ok {
				return nil, false
			}
			set = append(set, string(s))
		}
	} else {
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
			set = append(set, string(s))
		}
	}
	sort.Strings(set)
	out := set[:0]
	for i, s := range set {
		if i == 0 || s != set[i-1] {
			out = append(out, s)
		}
	}
	return out, true
}

// regionList is the region list e names (lists.NAME of type region).
func (t *translator) regionList(e celast.Expr) (cond.RegionList, bool) {
	r, ok := t.src.a.ReferenceMap()[e.ID()]
	if !ok || r.Value == nil {
		return nil, false
	}
	if _, isList := r.Value.(traits.Lister); isList {
		return nil, false
	}
	l, ok := r.Value.Value().(cond.RegionList)
	return l, ok
}

func scalar(t cond.Type) bool { return t >= cond.Bool && t <= cond.String }

func isList(t cond.Type) bool { return t == cond.Entries || t == cond.Strings }

func (t *translator) call(e celast.Expr) (cond.Node, *cond.GiveUp) {
	c := e.AsCall()
	args := c.Args()
	fn := c.FunctionName()
	at := t.at(e)
	switch fn {
	case "@in":
		if len(args) != 2 {
			return nil, nil
		}
		x, g := t.node(args[0])
		if g != nil {
			return nil, g
		}
		set, ok := t.stringSet(args[1])
		if !ok || x.Type() != cond.String {
			return nil, nil
		}
		return &cond.In{At: at, X: x, Set: set}, nil
	case "in_region":
		if len(args) != 2 {
			return nil, nil
		}
		x, g := t.node(args[0])
		if g != nil {
			return nil, g
		}
		list, ok := t.regionList(args[1])
		if !ok || x.Type() != cond.String {
			return nil, nil
		}
		return &cond.InRegion{At: at, X: x, Lists: []cond.RegionList{list}}, nil
	case "size":
		var target celast.Expr
		if c.IsMemberFunction() {
			target = c.Target()
		} else if len(args) == 1 {
			target = args[0]
		}
		if target == nil {
			return nil, nil
		}
		// roaming, linked_platforms, a filtered or mapped list (or a bound
		// name holding one)
		x, g := t.node(target)
		if g != nil {
			return nil, g
		}
		if !isList(x.Type()) {
			return nil, nil
		}
		return &cond.Count{At: at, List: x}, nil
	case "join":
		// list.join(sep) of a filtered or mapped list of strings, sep a
		// constant
		if !c.IsMemberFunction() || len(args) > 1 {
			return nil, nil
		}
		list, g := t.listOf(c.Target())
		if g != nil {
			return nil, g
		}
		if list == nil || (list.Type() == cond.Entries) {
			return nil, nil
		}
		// a constant separator: the back end says so once folded
		var sep cond.Node = cond.StringConst("", at)
		if len(args) == 1 {
			s, g := t.node(args[0])
			if g != nil {
				return nil, g
			}
			if s.Type() != cond.String {
				return nil, nil
			}
			sep = s
		}
		return &cond.Join{At: at, List: list, Sep: sep}, nil
	case "startsWith", "endsWith", "contains":
		if !c.IsMemberFunction() || len(args) != 1 {
			return nil, nil
		}
		x, g := t.node(c.Target())
		if g != nil {
			return nil, g
		}
		y, g := t.node(args[0])
		if g != nil {
			return nil, g
		}
		if x.Type() != cond.String || y.Type() != cond.String {
			return nil, nil
		}
		return &cond.StrTest{At: at, Op: fn, X: x, Y: y}, nil
	}
	if c.IsMemberFunction() {
		return nil, nil
	}
	xs := make([]cond.Node, len(args))
	for i, a := range args {
		x, g := t.node(a)
		if g != nil {
			return nil, g
		}
		xs[i] = x
	}
	types := func(want ...cond.Type) bool {
		if len(xs) != len(want) {
			return false
		}
		for i, w := range want {
			if xs[i].Type() != w {
				return false
			}
		}
		return true
	}
	switch fn {
	case "mask":
		if types(cond.String) {
			return &cond.Call{At: at, Func: fn, Args: xs, T: cond.String}, nil
		}
	case "region_name":
		// the language a constant: the back end says so once folded
		if types(cond.String) || types(cond.String, cond.String) {
			return &cond.Call{At: at, Func: fn, Args: xs, T: cond.String}, nil
		}
	case "display":
		if types(cond.String, cond.String) || types(cond.Bool, cond.String) {
			return &cond.Call{At: at, Func: fn, Args: xs, T: cond.String}, nil
		}
	case "days_between":
		if types(cond.Int, cond.Int) {
			return &cond.Call{At: at, Func: fn, Args: xs, T: cond.Int}, nil
		}
	case "string":
		// string(int): decimal, as cel-go writes it
		if types(cond.Int) {
			return &cond.Conv{At: at, To: cond.String, X: xs[0]}, nil
		}
	case "double":
		// double(int): the nearest double, as Go converts
		if types(cond.Int) {
			return &cond.Conv{At: at, To: cond.Float, X: xs[0]}, nil
		}
	case "_&&_":
		if types(cond.Bool, cond.Bool) {
			return &cond.And{At: at, X: xs[0], Y: xs[1]}, nil
		}
	case "_||_":
		if types(cond.Bool, cond.Bool) {
			return &cond.Or{At: at, X: xs[0], Y: xs[1]}, nil
		}
	case "!_":
		if types(cond.Bool) {
			return &cond.Not{At: at, X: xs[0]}, nil
		}
	case "-_":
		if types(cond.Int) || types(cond.Float) {
			return &cond.Neg{At: at, X: xs[0], Checked: xs[0].Type() == cond.Int}, nil
		}
	case "_?_:_":
		if len(xs) == 3 && xs[0].Type() == cond.Bool && xs[1].Type() == xs[2].Type() && scalar(xs[1].Type()) {
			return &cond.Cond{At: at, C: xs[0], Then: xs[1], Else: xs[2]}, nil
		}
	case "_==_", "_!=_", "_<_", "_<=_", "_>_", "_>=_":
		// one type on both sides: CEL does not compare int with double
		// here; bools only for == and !=
		if len(xs) != 2 || xs[0].Type() != xs[1].Type() || !scalar(xs[0].Type()) {
			return nil, nil
		}
		op := operators[fn]
		if xs[0].Type() == cond.Bool && op != "==" && op != "!=" {
			return nil, nil
		}
		return &cond.Compare{At: at, Op: op, X: xs[0], Y: xs[1]}, nil
	case "_+_", "_-_", "_*_":
		op := operators[fn]
		switch {
		case types(cond.Int, cond.Int):
			return &cond.Arith{At: at, Op: op, X: xs[0], Y: xs[1], Checked: true}, nil
		case types(cond.Float, cond.Float):
			return &cond.Arith{At: at, Op: op, X: xs[0], Y: xs[1]}, nil
		case op == "+" && types(cond.String, cond.String):
			return &cond.Concat{At: at, X: xs[0], Y: xs[1]}, nil
		}
	}
	return nil, nil
}

// listOf translates e as a list a loop can run over: roaming,
// linked_platforms, or what filter, map and cel.bind give of them; nil
// when e is no list.
func (t *translator) listOf(e celast.Expr) (cond.Node, *cond.GiveUp) {
	x, g := t.node(e)
	if g != nil || !isList(x.Type()) {
		return nil, g
	}
	return x, nil
}

// mapped reports whether the list x is a mapped one (map, or filter of
// one, or a let holding one).
func mapped(x cond.Node) bool {
	switch x := x.(type) {
	case *cond.Map:
		return true
	case *cond.Filter:
		return mapped(x.List)
	case *cond.Ref:
		return mapped(x.Let.Value)
	case *cond.Let:
		return mapped(x.Body)
	}
	return false
}

// comprehension translates cel.bind, and the exists and all macros over
// roaming or linked_platforms and the filter and map macros (one level
// deep; a macro or a bound name holding a loop may be used in the body).
func (t *translator) comprehension(e celast.Expr) (cond.Node, *cond.GiveUp) {
	c := e.AsComprehension()
	if isBind(c) {
		return t.bind(e, c)
	}
	if x, g, isList := t.listMacro(e, c); isList {
		return x, g
	}
	if t.iter != "" {
		return t.giveUp(e, cond.LoopInLoop, "")
	}
	if c.IterVar2() != "" {
		return t.giveUp(e, cond.Itself, "a comprehension of two variables")
	}
	list, ok := t.listName(c.IterRange())
	if !ok {
		return nil, nil
	}
	init := c.AccuInit()
	if init.Kind() != celast.LiteralKind {
		return nil, nil
	}
	start, ok := init.AsLiteral().(types.Bool)
	if !ok {
		return nil, nil
	}
	step := c.LoopStep()
	if step.Kind() != celast.CallKind {
		return nil, nil
	}
	call := step.AsCall()
	want := "_||_"
	if start {
		want = "_&&_"
	}
	if call.FunctionName() != want || len(call.Args()) != 2 {
		return nil, nil
	}
	acc, pred := call.Args()[0], call.Args()[1]
	if acc.Kind() != celast.IdentKind || acc.AsIdent() != c.AccuVar() {
		return nil, nil
	}
	if r := c.Result(); r.Kind() != celast.IdentKind || r.AsIdent() != c.AccuVar() {
		return nil, nil
	}
	if _, hidden := t.scope[c.IterVar()]; hidden {
		return t.giveUp(e, cond.LetShadows, "the loop variable "+c.IterVar()+", which hides a cel.bind name")
	}
	listNode := &cond.List{At: t.at(c.IterRange()), Name: list}
	return t.loopNode(func(inner *translator) (cond.Node, *cond.GiveUp) {
		inner.iter, inner.elem = c.IterVar(), listNode.Type()
		body, g := inner.node(pred)
		if g != nil {
			return nil, g
		}
		if cond.MayFail(body) {
			return inner.giveUp(pred, cond.OverflowInLoop, "")
		}
		if body.Type() != cond.Bool {
			return nil, nil
		}
		op := "any"
		if start {
			op = "all"
		}
		return &cond.Quant{At: t.at(e), Op: op, List: listNode, Body: body}, nil
	})
}

// loopNode translates a loop, by build, with the loop's variable set in a
// copy of t. The macros its body uses are lets around the outermost loop.
func (t *translator) loopNode(build func(inner *translator) (cond.Node, *cond.GiveUp)) (cond.Node, *cond.GiveUp) {
	inner := *t
	outermost := t.loop == nil
	if outermost {
		inner.loop = &macroLets{}
	}
	x, g := build(&inner)
	if x == nil || g != nil || !outermost {
		return x, g
	}
	return inner.loop.around(x), nil
}

// isBind reports whether c is what cel.bind(name, init, body) expands to: a
// fold over an empty list whose accumulator is the name.
func isBind(c celast.ComprehensionExpr) bool {
	r, cond0, step := c.IterRange(), c.LoopCondition(), c.LoopStep()
	if r.Kind() != celast.ListKind || len(r.AsList().Elements()) != 0 || c.IterVar2() != "" {
		return false
	}
	if cond0.Kind() != celast.LiteralKind || cond0.AsLiteral() != types.False {
		return false
	}
	return step.Kind() == celast.IdentKind && step.AsIdent() == c.AccuVar()
}

// reserved are the names a cel.bind may not take: the first parts of the
// vocabulary's names, params, lists and the domain functions.
var reserved = func() map[string]bool {
	m := map[string]bool{}
	for _, f := range vocab.Fields() {
		first, _, _ := strings.Cut(f.Name, ".")
		m[first] = true
	}
	for _, n := range vocab.Reserved() {
		m[n] = true
	}
	for _, f := range vocab.Funcs() {
		m[f.Name] = true
	}
	return m
}()

// bind translates cel.bind(name, init, body): a let. Its name hides a
// macro of the same name in body (as cel-go's checker resolves it); a name
// that is also a first part of a vocabulary name, params, lists, a
// function or the loop variable in scope is given up on.
func (t *translator) bind(e celast.Expr, c celast.ComprehensionExpr) (cond.Node, *cond.GiveUp) {
	name := c.AccuVar()
	if name == t.iter || reserved[name] {
		return t.giveUp(e, cond.LetShadows, "cel.bind of "+name+", a name of the vocabulary or the loop variable")
	}
	v, g := t.node(c.AccuInit())
	if g != nil {
		return nil, g
	}
	if cond.MayFail(v) {
		return t.giveUp(c.AccuInit(), cond.OverflowInLet, "")
	}
	if v.Type() == cond.Invalid {
		return t.giveUp(c.AccuInit(), cond.Itself, "")
	}
	l := &cond.Let{At: t.at(e), Name: name, Value: v}
	inner := *t
	inner.scope = make(map[string]*cond.Let, len(t.scope)+1)
	for k, x := range t.scope {
		inner.scope[k] = x
	}
	inner.scope[name] = l
	body, g := inner.node(c.Result())
	if g != nil {
		return nil, g
	}
	l.Body = body
	return l, nil
}

// listMacro translates filter and map (of two or three arguments) over
// roaming and linked_platforms, and over what filter, map and cel.bind give
// of them. isList reports whether c has the shape of one of these macros:
// an accumulator starting as [] to which each step appends one element, or
// appends it when a predicate holds.
func (t *translator) listMacro(e celast.Expr, c celast.ComprehensionExpr) (x cond.Node, g *cond.GiveUp, isList bool) {
	init, loopCond, step := c.AccuInit(), c.LoopCondition(), c.LoopStep()
	if init.Kind() != celast.ListKind || len(init.AsList().Elements()) != 0 || c.IterVar2() != "" {
		return nil, nil, false
	}
	if r := c.Result(); r.Kind() != celast.IdentKind || r.AsIdent() != c.AccuVar() {
		return nil, nil, false
	}
	if loopCond.Kind() != celast.LiteralKind || loopCond.AsLiteral() != types.True {
		return nil, nil, false
	}
	isAccu := func(e celast.Expr) bool { return e.Kind() == celast.IdentKind && e.AsIdent() == c.AccuVar() }
	var pred celast.Expr
	if step.Kind() == celast.CallKind {
		if sc := step.AsCall(); sc.FunctionName() == "_?_:_" && len(sc.Args()) == 3 && isAccu(sc.Args()[2]) {
			pred, step = sc.Args()[0], sc.Args()[1]
		}
	}
	if step.Kind() != celast.CallKind {
		return nil, nil, false
	}
	add := step.AsCall()
	if add.FunctionName() != "_+_" || len(add.Args()) != 2 || !isAccu(add.Args()[0]) ||
		add.Args()[1].Kind() != celast.ListKind || len(add.Args()[1].AsList().Elements()) != 1 {
		return nil, nil, false
	}
	item := add.Args()[1].AsList().Elements()[0]
	if item.Kind() == celast.IdentKind && item.AsIdent() == c.IterVar() {
		item = nil // the element itself: a filter
	}
	if t.iter != "" {
		x, g := t.giveUp(e, cond.ListInLoop, "")
		return x, g, true
	}
	if _, hidden := t.scope[c.IterVar()]; hidden {
		x, g := t.giveUp(e, cond.LetShadows, "the loop variable "+c.IterVar()+", which hides a cel.bind name")
		return x, g, true
	}
	list, g := t.listOf(c.IterRange())
	if g != nil || list == nil {
		return nil, g, true
	}
	if mapped(list) {
		x, g := t.giveUp(e, cond.ListOfMapped, "")
		return x, g, true
	}
	x, g = t.loopNode(func(inner *translator) (cond.Node, *cond.GiveUp) {
		inner.iter, inner.elem = c.IterVar(), list.Type()
		out := list
		if pred != nil {
			body, g := inner.node(pred)
			if g != nil {
				return nil, g
			}
			if cond.MayFail(body) {
				return inner.giveUp(pred, cond.OverflowInLoop, "")
			}
			if body.Type() != cond.Bool {
				return nil, nil
			}
			out = &cond.Filter{At: t.at(e), List: out, Pred: body}
		}
		if item != nil {
			body, g := inner.node(item)
			if g != nil {
				return nil, g
			}
			if cond.MayFail(body) {
				return inner.giveUp(item, cond.OverflowInLoop, "")
			}
			if body.Type() != cond.String {
				return nil, nil
			}
			out = &cond.Map{At: t.at(e), List: out, Item: body}
		}
		return out, nil
	})
	return x, g, true
}
