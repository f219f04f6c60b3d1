package risk

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unsafe"

	"github.com/expr-lang/expr/ast"

	"github.com/simrisk/simrisk/risk/ref"
)

// The compiled evaluator: a type-checked expr expression is lowered into Go
// closures over the typed environment — field reads without boxing,
// parameters folded as constants, constant lists as hash sets,
// short-circuiting && and ||. A construct the lowering does not handle (or
// one that could fail at run time, such as indexing or division) makes the
// whole expression fall back to expr's VM, the reference evaluator: both give
// the same answers, as a differential fuzz test checks.

type (
	appendFn func(*env, []byte) []byte
	boolFn   func(*env) bool
	intFn    func(*env) int
	floatFn  func(*env) float64
	stringFn func(*env) string
)

// lowered is one compiled sub-expression: exactly one of its functions is
// set. k marks a constant: its function does not read the card (literals,
// folded parameters and what is computed from them alone), so it may be
// called with a nil env and folded away.
type lowered struct {
	b boolFn
	i intFn
	f floatFn
	s stringFn
	k bool

	// a appends a string value to a buffer without building it (reasons
	// render this way); set for strings built by +, join, string(int)
	a appendFn
	// lst is a list of roaming entries or linked platforms, filtered and
	// mapped: it exists only to be counted or joined
	lst *listX
	// rgn is set for in_region(subject, list): || of two with the same
	// subject tests the union of their lists at once
	rgn *regionTest
	// dir is set for a plain Record field: comparisons with constants read
	// it in place (fields.go)
	dir *directField
	rf  rfKind
	// node is the shape of a boolean that cannot fail, for the plan's
	// branch code (branch.go); nil for one test calling b
	node *bnode
	// val is set for a derived int the branch code computes in place
	val *valRef
	// loop: the value runs a loop over a list (a quantifier), so a let
	// naming it computes it once (see bindOnce)
	loop bool

	// for explanations: the expression's text when it is a name, a number
	// or sums of them; whether it is a time; the comparisons inside it
	text   string
	time   bool
	probes []probe
}

// probe is one int comparison inside a condition, kept so that Explain can
// show how near a rule that did not fire came to firing.
type probe struct {
	text     string // "days_since_last_activity >= 90"
	op       string
	lhs, rhs intFn
	ltext    string
	time     bool // the operands are Unix times
}

// konst evaluates a constant expression once, at compile time. Lowered
// code cannot fail (constructs that can fall back), so folding is safe.
func konst(x lowered) lowered {
	switch {
	case x.b != nil:
		v := x.b(nil)
		return lowered{b: func(*env) bool { return v }, k: true}
	case x.i != nil:
		v := x.i(nil)
		return lowered{i: func(*env) int { return v }, k: true, text: strconv.Itoa(v)}
	case x.f != nil:
		v := x.f(nil)
		return lowered{f: func(*env) float64 { return v }, k: true}
	case x.s != nil:
		v := x.s(nil)
		return lowered{s: func(*env) string { return v }, k: true}
	}
	return x
}

// fold makes r a constant when all its operands are.
func fold(r lowered, ok bool, operands ...lowered) (lowered, bool) {
	if !ok {
		return r, ok
	}
	for _, o := range operands {
		if !o.k {
			return r, ok
		}
	}
	return konst(r), true
}

// and, or and not short-circuit on constants: a rule whose parameters turn
// it off (x && params.cap > 0 with cap 0) costs nothing.
func and(x, y lowered) lowered {
	r := and0(x, y)
	r.probes = append(append(r.probes[:len(r.probes):len(r.probes)], x.probes...), y.probes...)
	return r
}

func or(x, y lowered) lowered {
	r := or0(x, y)
	r.probes = append(append(r.probes[:len(r.probes):len(r.probes)], x.probes...), y.probes...)
	return r
}

func and0(x, y lowered) lowered {
	switch {
	case x.k && !x.b(nil), y.k && !y.b(nil):
		return konst(lowered{b: func(*env) bool { return false }})
	case x.k:
		return y
	case y.k:
		return x
	}
	a, b := x.b, y.b
	return lowered{b: func(e *env) bool { return a(e) && b(e) }, node: &bnode{op: bAnd, x: nodeOf(x), y: nodeOf(y)}, loop: x.loop || y.loop}
}

func or0(x, y lowered) lowered {
	switch {
	case x.k && x.b(nil), y.k && y.b(nil):
		return konst(lowered{b: func(*env) bool { return true }})
	case x.k:
		return y
	case y.k:
		return x
	case x.rgn != nil && y.rgn != nil && x.rgn.key == y.rgn.key:
		// in_region(c, A) || in_region(c, B) is in_region(c, A ∪ B)
		return inRegion(x.rgn.key, x.rgn.x, NewRegionSet(append(x.rgn.set.Items(), y.rgn.set.items...)))
	}
	a, b := x.b, y.b
	return lowered{b: func(e *env) bool { return a(e) || b(e) }, node: &bnode{op: bOr, x: nodeOf(x), y: nodeOf(y)}, loop: x.loop || y.loop}
}

type regionTest struct {
	key string // the subject's text: equal keys, equal subjects
	x   lowered
	set *RegionSet
}

// inRegion lowers in_region(subject, set); key is the subject's text, or ""
// when it has none (then it merges with nothing). A plain field, or the
// region of the roaming entry in scope, is read in place.
func inRegion(key string, x lowered, set *RegionSet) lowered {
	var r lowered
	switch {
	case x.rf == rfRegion:
		r.b = func(e *env) bool { return set.Contains(e.cur.Region) }
		r.node = &bnode{op: bTest, test: test{op: opRegion, off: unsafe.Offsetof(Roaming{}.Region), cur: true, p: unsafe.Pointer(set)}}
	case x.dir != nil && x.dir.kind == dirString:
		off := x.dir.off
		r.b = func(e *env) bool { return set.Contains(*(*string)(unsafe.Add(unsafe.Pointer(e.r), off))) }
		r.node = &bnode{op: bTest, test: test{op: opRegion, off: off, p: unsafe.Pointer(set)}}
	default:
		f := x.s
		r.b = func(e *env) bool { return set.Contains(f(e)) }
	}
	if key != "" {
		r.rgn = &regionTest{key, x, set}
	}
	return r
}

func not(x lowered) lowered {
	if x.dir != nil && x.dir.kind == dirBool {
		return lowered{b: directBool(*x.dir, true), node: notNode(nodeOf(x))}
	}
	f := x.b
	return lowered{b: func(e *env) bool { return !f(e) }, k: x.k, node: notNode(nodeOf(x)), loop: x.loop}
}

type closureProgram struct {
	f      boolFn
	probes []probe
	// conj are the top-level conjuncts of f (a && b && c has three), for
	// the engine's plan: a conjunct that consecutive rules share is
	// evaluated once per card.
	conj []conj
}

// conj is one top-level conjunct of a compiled condition. Equal keys mean
// equal expressions (the key is the expression's canonical text, prefixed
// with its language); a conjunct that cannot be written as text gets a key
// of its own.
type conj struct {
	key   string
	b     boolFn
	k     bool // constant
	fails bool // may panic with errOverflow (CEL's checked arithmetic)
	n     *bnode
}

// andAll joins lowered conjuncts with && (constants folded, probes kept).
func andAll(xs []lowered) lowered {
	all := xs[0]
	for _, x := range xs[1:] {
		all = and(all, x)
	}
	return all
}

// flattenAnd appends the top-level conjuncts of an expr condition.
func flattenAnd(n ast.Node, parts []ast.Node) []ast.Node {
	if b, ok := n.(*ast.BinaryNode); ok && (b.Operator == "&&" || b.Operator == "and") {
		return flattenAnd(b.Right, flattenAnd(b.Left, parts))
	}
	return append(parts, n)
}

func (p closureProgram) eval(s *Scorer) (any, error) { return p.f(&s.env), nil }

// lowerer carries what a predicate body may read: the element of roaming or
// of linked_platforms it is looking at.
type lowerer struct {
	inRoam bool // inside any(roaming, ...): .field reads e.cur
	inStr  bool // inside any(linked_platforms, ...): # reads e.curStr
	// let variables in scope
	scope map[string]lowered
	// once counts the lets around that bindOnce wrote out twice
	once int
	// gu notes the construct the lowering gave up on (giveup.go)
	gu *giveUp
}

// fail gives up on n for the reason what ("": the construct itself).
func (l *lowerer) fail(n ast.Node, what string) (lowered, bool) {
	l.gu.note(n, what)
	return lowered{}, false
}

// listName reports whether n names roaming or linked_platforms: lists that
// lower only as what a construct around them does with them (a loop, len,
// join), so that construct is what a note names.
func (l *lowerer) listName(n ast.Node) bool {
	id, ok := n.(*ast.IdentifierNode)
	if !ok || (id.Value != "roaming" && id.Value != "linked_platforms") {
		return false
	}
	_, local := l.scope[id.Value]
	return !local
}

// key is the text of an expression for comparing it with another in the
// same condition; inside a predicate "." and "#" are its element.
func (l *lowerer) key(n ast.Node) string {
	if len(l.scope) > 0 {
		return "" // a let variable's name means what it was bound to
	}
	return fmt.Sprintf("expr:%v/%v:%s", l.inRoam, l.inStr, n.String())
}

// lowerBool lowers a checked boolean expression, or returns false and
// notes in gu what it gave up on.
func lowerBool(n ast.Node, gu *giveUp) (closureProgram, bool) {
	l := lowerer{gu: gu}
	parts := flattenAnd(n, nil)
	xs := make([]lowered, len(parts))
	cs := make([]conj, len(parts))
	for i, p := range parts {
		x, ok := l.lower(p)
		if ok && x.b == nil {
			l.fail(p, "a condition of no static type: "+clip(p.String()))
		}
		if !ok || x.b == nil {
			return closureProgram{}, false
		}
		xs[i] = x
		cs[i] = conj{key: "expr:" + p.String(), b: x.b, k: x.k, n: nodeOf(x)}
	}
	all := andAll(xs)
	return closureProgram{all.b, all.probes, cs}, true
}

// lower lowers n, or notes what it gave up on: n itself when nothing
// inside it was noted.
func (l *lowerer) lower(n ast.Node) (lowered, bool) {
	x, ok := l.lower0(n)
	if !ok {
		l.gu.note(n, "")
	}
	return x, ok
}

func (l *lowerer) lower0(n ast.Node) (lowered, bool) {
	switch n := n.(type) {
	case *ast.BoolNode:
		v := n.Value
		return lowered{b: func(*env) bool { return v }, k: true}, true
	case *ast.IntegerNode:
		v := n.Value
		return lowered{i: func(*env) int { return v }, k: true, text: strconv.Itoa(v)}, true
	case *ast.FloatNode:
		v := n.Value
		return lowered{f: func(*env) float64 { return v }, k: true}, true
	case *ast.StringNode:
		v := n.Value
		return lowered{s: func(*env) string { return v }, k: true, text: strconv.Quote(v)}, true
	case *ast.IdentifierNode:
		if v, ok := l.scope[n.Value]; ok {
			return v, true
		}
		return field(n.Value)
	case *ast.VariableDeclaratorNode:
		v, ok := l.lower(n.Value)
		if !ok {
			return lowered{}, false
		}
		bodyWith := func(v lowered, once int) (lowered, bool) {
			inner := *l
			inner.once = once
			inner.scope = map[string]lowered{n.Name: v}
			for k, x := range l.scope {
				if k != n.Name {
					inner.scope[k] = x
				}
			}
			body, ok := inner.lower(n.Expr)
			body.rgn = nil // its subject may name the variable: never merge it outside
			return body, ok
		}
		if r, ok := bindOnce(v, l.once, l.gu, bodyWith); ok {
			return r, true
		}
		return bodyWith(v, l.once)
	case *ast.MemberNode:
		return l.member(n)
	case *ast.PointerNode:
		if n.Name == "" && l.inStr {
			return lowered{s: func(e *env) string { return e.curStr }}, true
		}
		return lowered{}, false
	case *ast.UnaryNode:
		x, ok := l.lower(n.Node)
		if !ok {
			return lowered{}, false
		}
		switch {
		case (n.Operator == "!" || n.Operator == "not") && x.b != nil:
			return not(x), true
		case n.Operator == "-" && x.i != nil:
			f := x.i
			return fold(lowered{i: func(e *env) int { return -f(e) }}, true, x)
		case n.Operator == "-" && x.f != nil:
			f := x.f
			return fold(lowered{f: func(e *env) float64 { return -f(e) }}, true, x)
		case n.Operator == "+" && (x.i != nil || x.f != nil):
			return x, true
		}
		return lowered{}, false
	case *ast.BinaryNode:
		return l.binary(n)
	case *ast.ConditionalNode:
		c, ok1 := l.lower(n.Cond)
		a, ok2 := l.lower(n.Exp1)
		b, ok3 := l.lower(n.Exp2)
		if !ok1 || !ok2 || !ok3 || c.b == nil {
			return lowered{}, false
		}
		if c.k {
			r, ok := ternary(c.b, a, b) // same result type check either way
			if !ok {
				return r, ok
			}
			if c.b(nil) {
				return ternary(c.b, a, a)
			}
			return ternary(c.b, b, b)
		}
		return ternary(c.b, a, b)
	case *ast.CallNode:
		return l.call(n)
	case *ast.BuiltinNode:
		return l.builtin(n)
	}
	return lowered{}, false
}

func field(name string) (lowered, bool) {
	var dir *directField
	if d, ok := directFields[name]; ok {
		dir = &d
	}
	if f, ok := boolFields[name]; ok {
		x := lowered{b: f, dir: dir}
		switch name {
		case "valid": // status != "cancelled"
			x.node = strEqNode(directFields["status"], "cancelled", true)
		case "verification_pending": // verify_required_at != 0 && verified_at < verify_required_at
			req, done := directFields["verify_required_at"], directFields["verified_at"]
			x.node = &bnode{op: bAnd, x: intCmpNode(req, "!=", 0),
				y: &bnode{op: bTest, test: test{op: opTimeLTF, off: done.off, c: int64(req.off)}}}
		}
		return x, true
	}
	if f, ok := intFields[name]; ok {
		x := lowered{i: f, text: name, time: name == "as_of" || strings.HasSuffix(name, "_at"), dir: dir}
		if v, ok := derivedInts[name]; ok {
			x.val = &v
		}
		return x, true
	}
	if f, ok := stringFields[name]; ok {
		return lowered{s: f, dir: dir}, true
	}
	return lowered{}, false
}

func (l *lowerer) member(n *ast.MemberNode) (lowered, bool) {
	prop, ok := n.Property.(*ast.StringNode)
	if !ok || n.Optional || n.Method {
		return lowered{}, false
	}
	switch base := n.Node.(type) {
	case *ast.IdentifierNode:
		return field(base.Value + "." + prop.Value)
	case *ast.PointerNode:
		if base.Name != "" || !l.inRoam {
			return lowered{}, false
		}
		return roamField(prop.Value)
	}
	return lowered{}, false
}

// rf marks a field of the roaming entry in scope, which comparisons with
// constants and in_region read in place.
type rfKind uint8

const (
	rfDaysAgo rfKind = iota + 1
	rfRegion
)

// roamField lowers a field of the roaming entry in scope (env.cur).
func roamField(name string) (lowered, bool) {
	if f, ok := roamIntFields[name]; ok {
		x := lowered{i: f}
		if name == "days_ago" {
			x.rf = rfDaysAgo
			x.val = &valRef{kind: vDaysSince, off: unsafe.Offsetof(Roaming{}.LastSeen), cur: true}
		}
		return x, true
	}
	if f, ok := roamStringFields[name]; ok {
		x := lowered{s: f}
		if name == "region" {
			x.rf = rfRegion
		}
		return x, true
	}
	return lowered{}, false
}

// daysAgoCmp compares the roaming entry's days_ago with a constant.
func daysAgoCmp(op string, c int) boolFn {
	switch op {
	case "<":
		return func(e *env) bool { return daysSince(e.cur.LastSeen, e.asOf) < c }
	case "<=":
		return func(e *env) bool { return daysSince(e.cur.LastSeen, e.asOf) <= c }
	case ">":
		return func(e *env) bool { return daysSince(e.cur.LastSeen, e.asOf) > c }
	case ">=":
		return func(e *env) bool { return daysSince(e.cur.LastSeen, e.asOf) >= c }
	case "==":
		return func(e *env) bool { return daysSince(e.cur.LastSeen, e.asOf) == c }
	}
	return func(e *env) bool { return daysSince(e.cur.LastSeen, e.asOf) != c }
}

func toFloat(x lowered) floatFn {
	if x.f != nil {
		return x.f
	}
	if x.i != nil {
		f := x.i
		return func(e *env) float64 { return float64(f(e)) }
	}
	return nil
}

func (l *lowerer) binary(n *ast.BinaryNode) (lowered, bool) {
	op := n.Operator
	if op == "in" || op == "not in" {
		return l.in(n)
	}
	a, ok1 := l.lower(n.Left)
	b, ok2 := l.lower(n.Right)
	if !ok1 || !ok2 {
		return lowered{}, false
	}
	switch op {
	case "&&", "and":
		if a.b != nil && b.b != nil {
			return and(a, b), true
		}
		return lowered{}, false
	case "||", "or":
		if a.b != nil && b.b != nil {
			return or(a, b), true
		}
		return lowered{}, false
	}
	r, ok := arith(op, a, b)
	return fold(r, ok, a, b)
}

// arith lowers comparisons, + - * and the string tests.
func arith(op string, a, b lowered) (lowered, bool) {
	switch op {
	case "==", "!=", "<", "<=", ">", ">=":
		return compare(op, a, b)
	case "+", "-", "*":
		if a.i != nil && b.i != nil {
			x, y := a.i, b.i
			r := lowered{text: sumText(op, a, b), time: a.time != b.time}
			switch op {
			case "+":
				r.i = func(e *env) int { return x(e) + y(e) }
			case "-":
				r.i = func(e *env) int { return x(e) - y(e) }
			default:
				r.i = func(e *env) int { return x(e) * y(e) }
				r.time = false
			}
			return r, true
		}
		if op == "+" && a.s != nil && b.s != nil {
			x, y := a.s, b.s
			ax, ay := appenderOf(a), appenderOf(b)
			return lowered{s: func(e *env) string { return x(e) + y(e) },
				a: func(e *env, buf []byte) []byte { return ay(e, ax(e, buf)) }}, true
		}
		x, y := toFloat(a), toFloat(b)
		if x == nil || y == nil || a.s != nil || b.s != nil {
			return lowered{}, false
		}
		switch op {
		case "+":
			return lowered{f: func(e *env) float64 { return x(e) + y(e) }}, true
		case "-":
			return lowered{f: func(e *env) float64 { return x(e) - y(e) }}, true
		default:
			return lowered{f: func(e *env) float64 { return x(e) * y(e) }}, true
		}
	case "startsWith", "endsWith", "contains":
		if a.s != nil && b.s != nil {
			return stringTest(op, a.s, b.s), true
		}
	}
	return lowered{}, false
}

func containsStr(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

// in lowers membership in a constant string set (lists.NAME) or in a
// literal array of constants.
func (l *lowerer) in(n *ast.BinaryNode) (lowered, bool) {
	a, ok := l.lower(n.Left)
	if !ok || a.s == nil {
		return lowered{}, false
	}
	set := map[string]struct{}{}
	switch r := n.Right.(type) {
	case *ast.ConstantNode:
		m, ok := r.Value.(map[string]struct{})
		if !ok {
			return lowered{}, false
		}
		set = m
	case *ast.ArrayNode:
		for _, it := range r.Nodes {
			sn, ok := it.(*ast.StringNode)
			if !ok {
				return lowered{}, false
			}
			set[sn.Value] = struct{}{}
		}
	default:
		return lowered{}, false
	}
	return memberOf(a, set, n.Operator == "not in"), true
}

// memberOf lowers x in set (x not in set when neg). A short list is
// compared item by item (that beats hashing); a plain field is read in
// place.
func memberOf(x lowered, set map[string]struct{}, neg bool) lowered {
	items := make([]string, 0, len(set))
	for k := range set {
		items = append(items, k)
	}
	sort.Strings(items)
	var member boolFn
	switch {
	case len(items) == 1 && x.dir != nil:
		return lowered{b: directStringEq(*x.dir, items[0], neg), node: strEqNode(*x.dir, items[0], neg)}
	case len(items) == 2 && x.dir != nil:
		off, a, b := x.dir.off, items[0], items[1]
		member = func(e *env) bool {
			v := *(*string)(unsafe.Add(unsafe.Pointer(e.r), off))
			return v == a || v == b
		}
		node := &bnode{op: bOr, x: strEqNode(*x.dir, a, false), y: strEqNode(*x.dir, b, false)}
		if neg {
			return lowered{b: func(e *env) bool { return !member(e) }, node: notNode(node)}
		}
		return lowered{b: member, node: node}
	case len(items) <= 8:
		f := x.s
		member = func(e *env) bool {
			v := f(e)
			for _, it := range items {
				if len(it) == len(v) && it == v {
					return true
				}
			}
			return false
		}
	default:
		f := x.s
		member = func(e *env) bool { _, ok := set[f(e)]; return ok }
	}
	if neg {
		return lowered{b: func(e *env) bool { return !member(e) }}
	}
	return lowered{b: member}
}

func (l *lowerer) call(n *ast.CallNode) (lowered, bool) {
	id, ok := n.Callee.(*ast.IdentifierNode)
	if !ok {
		return lowered{}, false
	}
	switch id.Value {
	case "in_region":
		if len(n.Arguments) != 2 {
			return lowered{}, false
		}
		a, ok := l.lower(n.Arguments[0])
		c, isConst := n.Arguments[1].(*ast.ConstantNode)
		if !ok || a.s == nil || !isConst {
			return lowered{}, false
		}
		set, ok := c.Value.(*RegionSet)
		if !ok {
			return lowered{}, false
		}
		return inRegion(l.key(n.Arguments[0]), a, set), true
	case "region_name":
		if len(n.Arguments) == 2 {
			lang, ok := l.constString(n.Arguments[1])
			if !ok {
				return lowered{}, false
			}
			return l.stringFunc(&ast.CallNode{Callee: n.Callee, Arguments: n.Arguments[:1]}, func(code string) string { return ref.RegionNameIn(code, lang) })
		}
		return l.stringFunc(n, ref.RegionName)
	case "display":
		if len(n.Arguments) != 2 {
			return lowered{}, false
		}
		lang, ok := l.constString(n.Arguments[1])
		if !ok {
			return lowered{}, false
		}
		a, ok := l.lower(n.Arguments[0])
		if !ok {
			return lowered{}, false
		}
		return displayOf(a, lang)
	case "mask":
		return l.stringFunc(n, maskValue)
	case "days_between":
		if len(n.Arguments) != 2 {
			return lowered{}, false
		}
		a, ok1 := l.lower(n.Arguments[0])
		b, ok2 := l.lower(n.Arguments[1])
		if !ok1 || !ok2 || a.i == nil || b.i == nil {
			return lowered{}, false
		}
		x, y := a.i, b.i
		return lowered{i: func(e *env) int { return daysBetweenOrNever(x(e), y(e)) }}, true
	}
	if lowerTestHook != nil {
		return lowerTestHook(l, n)
	}
	return lowered{}, false
}

// builtin lowers len() of a list and the predicates any, all, none over
// roaming or linked_platforms (one level deep).
func (l *lowerer) builtin(n *ast.BuiltinNode) (lowered, bool) {
	if len(n.Arguments) == 0 {
		return lowered{}, false
	}
	switch n.Name {
	case "filter", "map", "join":
		return l.list(n)
	case "string":
		if len(n.Arguments) != 1 {
			return lowered{}, false
		}
		x, ok := l.lower(n.Arguments[0])
		if !ok || x.i == nil {
			return lowered{}, false
		}
		return stringOfInt(x), true
	case "len":
		if len(n.Arguments) != 1 {
			return lowered{}, false
		}
		// a filtered or mapped list (or a let variable holding one)
		if !l.listName(n.Arguments[0]) {
			x, ok := l.lower(n.Arguments[0])
			if !ok {
				return lowered{}, false
			}
			if x.lst != nil {
				lst := x.lst
				return lowered{i: func(e *env) int { return lst.count(e) }}, true
			}
		}
	}
	list, ok := n.Arguments[0].(*ast.IdentifierNode)
	if !ok || (list.Value != "roaming" && list.Value != "linked_platforms") {
		return lowered{}, false
	}
	roam := list.Value == "roaming"
	if n.Name == "len" && len(n.Arguments) == 1 {
		if roam {
			return lowered{i: func(e *env) int { return len(e.r.Roaming) }}, true
		}
		return lowered{i: func(e *env) int { return len(e.r.LinkedPlatforms) }}, true
	}
	if len(n.Arguments) != 2 {
		return lowered{}, false
	}
	if l.inRoam || l.inStr {
		return l.fail(n, "the loop "+clip(n.String())+" inside another loop's body")
	}
	pred, ok := n.Arguments[1].(*ast.PredicateNode)
	if !ok {
		return lowered{}, false
	}
	inner := lowerer{inRoam: roam, inStr: !roam, scope: l.scope, once: l.once, gu: l.gu}
	body, ok := inner.lower(pred.Node)
	if !ok || body.b == nil {
		return lowered{}, false
	}
	var want, empty bool // stop when f(item) == want; result when it never does
	switch n.Name {
	case "any":
		want, empty = true, false
	case "all":
		want, empty = false, true
	case "none":
		want, empty = true, true
	default:
		return lowered{}, false
	}
	return predicate(roam, body, want, empty), true
}

// stringOfInt lowers string(x) of an int: its decimal text.
func stringOfInt(x lowered) lowered {
	f := x.i
	r, _ := fold(lowered{s: func(e *env) string { return strconv.Itoa(f(e)) },
		a: func(e *env, b []byte) []byte { return strconv.AppendInt(b, int64(f(e)), 10) }}, true, x)
	return r
}

// listX is roaming or linked_platforms, filtered (pred) and mapped to
// strings (item; nil for linked_platforms' own names). Lowered code only
// counts or joins it, so it is never built.
type listX struct {
	roam bool
	pred boolFn
	item appendFn
}

// each calls f with each element in scope that passes the filter. Like
// every loop of lowered code it gives back the element that was in scope
// when it began (see predicate).
func (x *listX) each(e *env, f func()) {
	if x.roam {
		outer := e.cur
		for i := range e.r.Roaming {
			e.cur = &e.r.Roaming[i]
			if x.pred == nil || x.pred(e) {
				f()
			}
		}
		e.cur = outer
		return
	}
	outer := e.curStr
	for _, p := range e.r.LinkedPlatforms {
		e.curStr = p
		if x.pred == nil || x.pred(e) {
			f()
		}
	}
	e.curStr = outer
}

func (x *listX) count(e *env) int {
	n := 0
	x.each(e, func() { n++ })
	return n
}

func (x *listX) join(e *env, b []byte, sep string) []byte {
	first := true
	x.each(e, func() {
		if !first {
			b = append(b, sep...)
		}
		first = false
		if x.item != nil {
			b = x.item(e, b)
		} else {
			b = append(b, e.curStr...)
		}
	})
	return b
}

// list lowers filter(L, pred), map(L, item) and join(L, sep) over roaming
// and linked_platforms (and over what filter and let give of them).
func (l *lowerer) list(n *ast.BuiltinNode) (lowered, bool) {
	if len(n.Arguments) != 2 {
		return lowered{}, false
	}
	if l.inRoam || l.inStr {
		return l.fail(n, "the list "+clip(n.String())+" inside a loop's body")
	}
	var base listX
	switch a := n.Arguments[0].(type) {
	case *ast.IdentifierNode:
		if v, ok := l.scope[a.Value]; ok {
			if v.lst == nil {
				return lowered{}, false
			}
			base = *v.lst
		} else if a.Value == "roaming" || a.Value == "linked_platforms" {
			base.roam = a.Value == "roaming"
		} else {
			return lowered{}, false
		}
	case *ast.BuiltinNode:
		x, ok := l.lower(a)
		if !ok || x.lst == nil {
			return lowered{}, false
		}
		base = *x.lst
	default:
		return lowered{}, false
	}
	if n.Name == "join" {
		sep, ok := n.Arguments[1].(*ast.StringNode)
		if !ok {
			return l.fail(n, "join with a separator that is not a string literal in "+clip(n.String()))
		}
		if base.roam && base.item == nil {
			return l.fail(n, "join of roaming entries (map them to text first) in "+clip(n.String()))
		}
		lst, sv := &base, sep.Value
		return lowered{s: func(e *env) string { return string(lst.join(e, nil, sv)) },
			a: func(e *env, b []byte) []byte { return lst.join(e, b, sv) }}, true
	}
	pred, ok := n.Arguments[1].(*ast.PredicateNode)
	if !ok {
		return lowered{}, false
	}
	if base.item != nil {
		return l.fail(n, "filter or map of a mapped list in "+clip(n.String()))
	}
	inner := lowerer{inRoam: base.roam, inStr: !base.roam, scope: l.scope, once: l.once, gu: l.gu}
	body, ok := inner.lower(pred.Node)
	if !ok {
		return lowered{}, false
	}
	switch {
	case n.Name == "filter" && body.b != nil:
		if prev := base.pred; prev != nil {
			f := body.b
			base.pred = func(e *env) bool { return prev(e) && f(e) }
		} else {
			base.pred = body.b
		}
	case n.Name == "map" && body.s != nil:
		base.item = appenderOf(body)
	default:
		return lowered{}, false
	}
	return lowered{lst: &base}, true
}

// appenderOf appends a string value: with its appender, or its string.
func appenderOf(x lowered) appendFn {
	if x.a != nil {
		return x.a
	}
	f := x.s
	return func(e *env, b []byte) []byte { return append(b, f(e)...) }
}

// predicate loops over roaming (roam) or linked_platforms with the element in
// scope, stopping at the first f(element) == stop: then the result is
// !empty; when no element stops it, empty.
//
// The element in scope is one slot of env (cur, curStr), and a loop may run
// inside another's body: a let variable, or a CEL macro, bound to a
// quantifier and used in a loop over the same list or the other. So every
// loop of lowered code (here, listX.each, the branch code's anyRoam) gives
// back the element that was in scope when it began, and the outer body reads
// its own element after the inner loop is done, at any depth.
func predicate(roam bool, body lowered, stop, empty bool) lowered {
	f := body.b
	if roam {
		return lowered{loop: true, node: anyNode(nodeOf(body), stop, empty), b: func(e *env) bool {
			outer := e.cur
			for i := range e.r.Roaming {
				e.cur = &e.r.Roaming[i]
				if f(e) == stop {
					e.cur = outer
					return !empty
				}
			}
			e.cur = outer
			return empty
		}}
	}
	return lowered{loop: true, b: func(e *env) bool {
		outer := e.curStr
		for _, p := range e.r.LinkedPlatforms {
			e.curStr = p
			if f(e) == stop {
				e.curStr = outer
				return !empty
			}
		}
		e.curStr = outer
		return empty
	}}
}

// maxOnce is how many lets deep bindOnce writes bodies out twice (2^maxOnce
// copies at most); lets deeper are computed where they are used.
const maxOnce = 3

// bindOnce lowers a let (expr) or cel.bind whose value v is a condition
// that runs a loop: a quantifier named once and used in a loop would
// otherwise run again for every element (quadratic in the list's length,
// where the reference evaluators compute it once). The body is lowered
// twice, with the name standing for true and for false (constants fold
// away), and the value is computed once to choose between them.
// lowerBody lowers the body with the name standing for its argument, once
// being the depth to give the body's own lets. ok is false when v is not
// such a value, or the body does not lower to a value both ways.
//
// bindOnce is one way among others: what it gives up on is forgotten (gu).
func bindOnce(v lowered, once int, gu *giveUp, lowerBody func(v lowered, once int) (lowered, bool)) (lowered, bool) {
	if v.b == nil || v.k || !v.loop || once >= maxOnce {
		return lowered{}, false
	}
	if gu != nil && !gu.set {
		defer func() { *gu = giveUp{} }()
	}
	t, ok1 := lowerBody(konst(lowered{b: func(*env) bool { return true }}), once+1)
	f, ok2 := lowerBody(konst(lowered{b: func(*env) bool { return false }}), once+1)
	if !ok1 || !ok2 {
		return lowered{}, false
	}
	r, ok := ternary(v.b, t, f)
	if !ok {
		return lowered{}, false
	}
	r.probes = t.probes // the same comparisons
	r.loop = true
	return r, true
}

// stringTest lowers startsWith, endsWith and contains.
func stringTest(fn string, x, y stringFn) lowered {
	switch fn {
	case "startsWith":
		return lowered{b: func(e *env) bool { s, p := x(e), y(e); return len(s) >= len(p) && s[:len(p)] == p }}
	case "endsWith":
		return lowered{b: func(e *env) bool { s, p := x(e), y(e); return len(s) >= len(p) && s[len(s)-len(p):] == p }}
	}
	return lowered{b: func(e *env) bool { return containsStr(x(e), y(e)) }}
}

// ternary selects between two lowered values of one type.
func ternary(cond boolFn, a, b lowered) (lowered, bool) {
	switch {
	case a.b != nil && b.b != nil:
		x, y := a.b, b.b
		return lowered{b: func(e *env) bool {
			if cond(e) {
				return x(e)
			}
			return y(e)
		}}, true
	case a.i != nil && b.i != nil:
		x, y := a.i, b.i
		return lowered{i: func(e *env) int {
			if cond(e) {
				return x(e)
			}
			return y(e)
		}}, true
	case a.f != nil && b.f != nil:
		x, y := a.f, b.f
		return lowered{f: func(e *env) float64 {
			if cond(e) {
				return x(e)
			}
			return y(e)
		}}, true
	case a.s != nil && b.s != nil:
		x, y := a.s, b.s
		r := lowered{s: func(e *env) string {
			if cond(e) {
				return x(e)
			}
			return y(e)
		}}
		if a.a != nil || b.a != nil {
			ax, ay := appenderOf(a), appenderOf(b)
			r.a = func(e *env, buf []byte) []byte {
				if cond(e) {
					return ax(e, buf)
				}
				return ay(e, buf)
			}
		}
		return r, true
	}
	return lowered{}, false
}

// compare lowers a comparison of two lowered values (ints, floats, strings,
// bools for == and !=; an int and a float compare as floats).
func compare(op string, a, b lowered) (lowered, bool) {
	r, ok := compare0(op, a, b)
	if ok && a.i != nil && b.i != nil && a.text != "" && b.text != "" && !(a.k && b.k) {
		r.probes = []probe{{text: a.text + " " + op + " " + b.text, op: op, lhs: a.i, rhs: b.i, ltext: a.text, time: a.time || b.time}}
	}
	return r, ok
}

func compare0(op string, a, b lowered) (lowered, bool) {
	if op == "==" || op == "!=" {
		var eq boolFn
		switch {
		case a.b != nil && b.b != nil:
			x, y := a.b, b.b
			eq = func(e *env) bool { return x(e) == y(e) }
		case a.i != nil && b.i != nil:
			x, y := a.i, b.i
			eq = func(e *env) bool { return x(e) == y(e) }
		case a.s != nil && b.s != nil && (a.k || b.k) && !(a.k && b.k):
			x, k, dir := a.s, b.s, a.dir
			if a.k {
				x, k, dir = b.s, a.s, b.dir
			}
			c := k(nil)
			if dir != nil {
				return lowered{b: directStringEq(*dir, c, op == "!="), node: strEqNode(*dir, c, op == "!=")}, true
			}
			if op == "!=" {
				return lowered{b: func(e *env) bool { return x(e) != c }}, true
			}
			return lowered{b: func(e *env) bool { return x(e) == c }}, true
		case a.i != nil && b.i != nil && (a.k || b.k) && !(a.k && b.k):
			x, k, dir, val := a.i, b.i, a.dir, a.val
			if a.k {
				x, k, dir, val = b.i, a.i, b.dir, b.val
			}
			c := k(nil)
			if dir != nil {
				return lowered{b: directIntCmp(*dir, op, c), node: intCmpNode(*dir, op, c)}, true
			}
			var node *bnode
			if val != nil {
				node = valCmpNode(*val, op, c)
			}
			if (a.k && b.rf == rfDaysAgo) || (b.k && a.rf == rfDaysAgo) {
				return lowered{b: daysAgoCmp(op, c), node: node}, true
			}
			if op == "!=" {
				return lowered{b: func(e *env) bool { return x(e) != c }, node: node}, true
			}
			return lowered{b: func(e *env) bool { return x(e) == c }, node: node}, true
		case a.s != nil && b.s != nil:
			x, y := a.s, b.s
			eq = func(e *env) bool { return x(e) == y(e) }
		case toFloat(a) != nil && toFloat(b) != nil:
			x, y := toFloat(a), toFloat(b)
			eq = func(e *env) bool { return x(e) == y(e) }
		default:
			return lowered{}, false
		}
		if op == "!=" {
			return lowered{b: func(e *env) bool { return !eq(e) }}, true
		}
		return lowered{b: eq}, true
	}
	switch {
	case a.i != nil && b.i != nil && b.k && !a.k:
		if a.dir != nil {
			return lowered{b: directIntCmp(*a.dir, op, b.i(nil)), node: intCmpNode(*a.dir, op, b.i(nil))}, true
		}
		r := lowered{b: orderConst(op, a.i, b.i(nil))}
		if a.rf == rfDaysAgo {
			r.b = daysAgoCmp(op, b.i(nil))
		}
		if a.val != nil {
			r.node = valCmpNode(*a.val, op, b.i(nil))
		}
		return r, true
	case a.i != nil && b.i != nil && a.k && !b.k:
		if b.dir != nil {
			return lowered{b: directIntCmp(*b.dir, flip[op], a.i(nil)), node: intCmpNode(*b.dir, flip[op], a.i(nil))}, true
		}
		r := lowered{b: orderConst(flip[op], b.i, a.i(nil))}
		if b.rf == rfDaysAgo {
			r.b = daysAgoCmp(flip[op], a.i(nil))
		}
		if b.val != nil {
			r.node = valCmpNode(*b.val, flip[op], a.i(nil))
		}
		return r, true
	case a.i != nil && b.i != nil:
		return lowered{b: order(op, a.i, b.i)}, true
	case a.s != nil && b.s != nil:
		return lowered{b: order(op, a.s, b.s)}, true
	}
	x, y := toFloat(a), toFloat(b)
	if x == nil || y == nil {
		return lowered{}, false
	}
	return lowered{b: order(op, x, y)}, true
}

// sumText is the text of a + b, a - b or a * b, or "" when an operand has
// none.
func sumText(op string, a, b lowered) string {
	if a.text == "" || b.text == "" {
		return ""
	}
	return a.text + " " + op + " " + b.text
}

// flip is the comparison with its operands swapped.
var flip = map[string]string{"<": ">", "<=": ">=", ">": "<", ">=": "<="}

// orderConst compares an int with a constant.
func orderConst(op string, x intFn, c int) boolFn {
	switch op {
	case "<":
		return func(e *env) bool { return x(e) < c }
	case "<=":
		return func(e *env) bool { return x(e) <= c }
	case ">":
		return func(e *env) bool { return x(e) > c }
	}
	return func(e *env) bool { return x(e) >= c }
}

// order lowers <, <=, > and >= over two values of one ordered type.
func order[T int | float64 | string](op string, x, y func(*env) T) boolFn {
	switch op {
	case "<":
		return func(e *env) bool { return x(e) < y(e) }
	case "<=":
		return func(e *env) bool { return x(e) <= y(e) }
	case ">":
		return func(e *env) bool { return x(e) > y(e) }
	}
	return func(e *env) bool { return x(e) >= y(e) }
}

// stringFunc lowers a call of a function of one string argument to one
// string result (region_name, mask).
func (l *lowerer) stringFunc(n *ast.CallNode, f func(string) string) (lowered, bool) {
	if len(n.Arguments) != 1 {
		return lowered{}, false
	}
	a, ok := l.lower(n.Arguments[0])
	if !ok || a.s == nil {
		return lowered{}, false
	}
	x := a.s
	return fold(lowered{s: func(e *env) string { return f(x(e)) }}, true, a)
}

// constString is the value of n when it is a constant string (a literal
// or a folded parameter).
func (l *lowerer) constString(n ast.Node) (string, bool) {
	x, ok := l.lower(n)
	if !ok || x.s == nil || !x.k {
		return "", false
	}
	return x.s(nil), true
}

// displayOf lowers display(x, lang) of a string or boolean x.
func displayOf(x lowered, lang string) (lowered, bool) {
	switch {
	case x.s != nil:
		f := x.s
		return fold(lowered{s: func(e *env) string { return DisplayName(f(e), lang) }}, true, x)
	case x.b != nil:
		f := x.b
		return fold(lowered{s: func(e *env) string { return displayBool(f(e), lang) }}, true, x)
	}
	return lowered{}, false
}
