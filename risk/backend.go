package risk

import (
	"errors"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unsafe"

	"github.com/simrisk/simrisk/risk/internal/cond"
)

// The back end of the compiled evaluator: a condition of the IR
// (risk/internal/cond), from either language's front end, is lowered into
// Go closures over the typed environment and, for the plan's branch code,
// the shape of each boolean (bnode) — field reads without boxing,
// parameters folded as constants, constant lists as hash sets,
// short-circuiting && and ||. A construct the back end does not handle
// makes the whole expression fall back to the language's reference
// evaluator (expr's VM, cel-go), with the construct and its position
// (cond.GiveUp): both give the same answers, as differential fuzz tests
// check.

type (
	appendFn func(*env, []byte) []byte
	boolFn   func(*env) bool
	intFn    func(*env) int
	floatFn  func(*env) float64
	stringFn func(*env) string
)

// lowered is one compiled sub-expression: exactly one of its functions is
// set, or, for a boolean, its branch node alone (node; fn gives its closure
// when one is needed). k marks a constant: its function (b for a boolean,
// always set) does not read the card (literals, folded parameters and what
// is computed from them alone), so it may be called with a nil env and
// folded away.
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

// isBool reports whether x is a boolean: a closure, or a branch node.
func (x lowered) isBool() bool { return x.b != nil || x.node != nil }

// fn is x's closure: its own, or, for a boolean built as a branch node
// only, the node's branch code run as sub-code. A boolean is built once:
// as the node the plan runs where it can be one, and a closure only for
// what calls one (a closure built from it, a rule evaluated on its own).
func (x lowered) fn() boolFn {
	if x.b != nil || x.node == nil {
		return x.b
	}
	code := boolCode(x.node)
	return func(e *env) bool { return e.run(code, unsafe.Pointer(e.cur)) }
}

// lazyCode is a boolean's branch code, written when first run.
type lazyCode struct {
	once sync.Once
	n    *bnode
	code []inst
}

func (l *lazyCode) run(e *env) bool {
	l.once.Do(func() { l.code = boolCode(l.n) })
	return e.run(l.code, unsafe.Pointer(e.cur))
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
	case x.isBool():
		v := x.fn()(nil)
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
	return lowered{node: &bnode{op: bAnd, x: nodeOf(x), y: nodeOf(y)}, loop: x.loop || y.loop}
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
	return lowered{node: &bnode{op: bOr, x: nodeOf(x), y: nodeOf(y)}, loop: x.loop || y.loop}
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
		r.node = &bnode{op: bTest, test: test{op: opRegion, off: unsafe.Offsetof(Roaming{}.Region), cur: true, p: unsafe.Pointer(set)}}
	case x.dir != nil && x.dir.kind == dirString:
		r.node = &bnode{op: bTest, test: test{op: opRegion, off: x.dir.off, p: unsafe.Pointer(set)}}
	default:
		f := x.s
		r.b = func(e *env) bool { return regionIn(f(e), set) }
	}
	if key != "" {
		r.rgn = &regionTest{key, x, set}
	}
	return r
}

func not(x lowered) lowered {
	if x.k {
		v := !x.b(nil)
		return konst(lowered{b: func(*env) bool { return v }})
	}
	return lowered{node: notNode(nodeOf(x)), loop: x.loop}
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

func (p closureProgram) eval(s *Scorer) (any, error) { return p.f(&s.env), nil }

// directFieldPtr and derivedIntPtr hold directFields' and derivedInts'
// entries by pointer, so that lowering a field allocates no copy of them
// (lowered values only read through these pointers).
var directFieldPtr, derivedIntPtr = func() (map[string]*directField, map[string]*valRef) {
	d := make(map[string]*directField, len(directFields))
	for k, v := range directFields {
		d[k] = &v
	}
	v := make(map[string]*valRef, len(derivedInts))
	for k, r := range derivedInts {
		v[k] = &r
	}
	return d, v
}()

func field(name string) (lowered, bool) {
	dir := directFieldPtr[name]
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
		x.val = derivedIntPtr[name]
		return x, true
	}
	if f, ok := stringFields[name]; ok {
		return lowered{s: f, dir: dir}, true
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
		return lowered{node: strEqNode(*x.dir, items[0], neg)}
	case len(items) == 2 && x.dir != nil:
		// one test of both
		second := items[1]
		node := &bnode{op: bTest, test: test{op: opStrIn2, off: x.dir.off, s: items[0], p: unsafe.Pointer(&second)}}
		if neg {
			return lowered{node: notNode(node)}
		}
		return lowered{node: node}
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
	if roam {
		return lowered{loop: true, node: anyNode(nodeOf(body), stop, empty)}
	}
	f := body.fn()
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

// checkpointer notes what a lowering gives up on: checkpoint returns a
// function that forgets what was noted since.
type checkpointer interface{ checkpoint() func() }

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
func bindOnce(v lowered, once int, gu checkpointer, lowerBody func(v lowered, once int) (lowered, bool)) (lowered, bool) {
	if !v.isBool() || v.k || !v.loop || once >= maxOnce {
		return lowered{}, false
	}
	if gu != nil {
		defer gu.checkpoint()()
	}
	t, ok1 := lowerBody(konst(lowered{b: func(*env) bool { return true }}), once+1)
	f, ok2 := lowerBody(konst(lowered{b: func(*env) bool { return false }}), once+1)
	if !ok1 || !ok2 {
		return lowered{}, false
	}
	r, ok := ternary(v.fn(), t, f)
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
	case a.isBool() && b.isBool():
		return lowered{b: pick(cond, a.fn(), b.fn())}, true
	case a.i != nil && b.i != nil:
		return lowered{i: pick(cond, a.i, b.i)}, true
	case a.f != nil && b.f != nil:
		return lowered{f: pick(cond, a.f, b.f)}, true
	case a.s != nil && b.s != nil:
		r := lowered{s: pick(cond, a.s, b.s)}
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

// pick is cond ? x : y for one card.
func pick[T any](cond boolFn, x, y func(*env) T) func(*env) T {
	return func(e *env) T {
		if cond(e) {
			return x(e)
		}
		return y(e)
	}
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
		case a.isBool() && b.isBool():
			x, y := a.fn(), b.fn()
			eq = func(e *env) bool { return x(e) == y(e) }
		case a.s != nil && b.s != nil && (a.k || b.k) && !(a.k && b.k):
			x, k, dir := a.s, b.s, a.dir
			if a.k {
				x, k, dir = b.s, a.s, b.dir
			}
			c := k(nil)
			if dir != nil {
				return lowered{node: strEqNode(*dir, c, op == "!=")}, true
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
				return lowered{node: intCmpNode(*dir, op, c)}, true
			}
			if val != nil {
				return lowered{node: valCmpNode(*val, op, c)}, true
			}
			if op == "!=" {
				return lowered{b: func(e *env) bool { return x(e) != c }}, true
			}
			return lowered{b: func(e *env) bool { return x(e) == c }}, true
		case a.i != nil && b.i != nil:
			x, y := a.i, b.i
			eq = func(e *env) bool { return x(e) == y(e) }
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
			return lowered{node: intCmpNode(*a.dir, op, b.i(nil))}, true
		}
		if a.val != nil {
			return lowered{node: valCmpNode(*a.val, op, b.i(nil))}, true
		}
		return lowered{b: orderConst(op, a.i, b.i(nil))}, true
	case a.i != nil && b.i != nil && a.k && !b.k:
		if b.dir != nil {
			return lowered{node: intCmpNode(*b.dir, flip[op], a.i(nil))}, true
		}
		if b.val != nil {
			return lowered{node: valCmpNode(*b.val, flip[op], a.i(nil))}, true
		}
		return lowered{b: orderConst(flip[op], b.i, a.i(nil))}, true
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

// CEL's run-time semantics, which the back end gives checked arithmetic
// (cond.Arith.Checked) and the && and || around it.

var errOverflow = errors.New("integer overflow")

// celClosureProgram runs a lowered CEL condition, turning overflow panics
// into errors.
type celClosureProgram struct {
	f      boolFn
	probes []probe
	conj   []conj // as closureProgram's
}

func (p celClosureProgram) eval(s *Scorer) (any, error) {
	s.ovf = false
	v := p.f(&s.env)
	if s.ovf {
		s.ovf = false
		return nil, errOverflow
	}
	return v, nil
}

// celAndAll joins conjuncts with CEL's &&, and says whether the result may
// fail (overflow).
func celAndAll(cs []conj) (boolFn, bool) {
	all := lowered{b: cs[0].b, k: cs[0].k}
	fails := cs[0].fails
	for _, c := range cs[1:] {
		x := lowered{b: c.b, k: c.k}
		if fails {
			all = celAnd(all, x)
		} else {
			all = and(all, x)
		}
		fails = fails || c.fails
	}
	return all.fn(), fails
}

// checked is an int operation of lowered CEL code: its result, noting an
// overflow in the scorer (see celClosureProgram).
func checked(e *env, r int, ok bool) int {
	if !ok {
		e.s.ovf = true
	}
	return r
}

// celAnd is CEL's && when its left side may fail: false && error and
// error && false are both false; otherwise an error stays an error. Each
// side is evaluated with the overflow mark cleared, and the mark is set
// again after when the result is an error.
func celAnd(x, y lowered) lowered {
	if y.k && !y.b(nil) {
		return y
	}
	a, b := x.fn(), y.fn()
	return lowered{b: func(e *env) bool {
		s := e.s
		outer := s.ovf
		s.ovf = false
		av := a(e)
		af := s.ovf
		s.ovf = false
		if !af && !av {
			s.ovf = outer
			return false
		}
		if !b(e) && !s.ovf {
			s.ovf = outer
			return false
		}
		s.ovf = s.ovf || af || outer
		return true
	}, probes: append(append([]probe(nil), x.probes...), y.probes...)}
}

// celOr is CEL's || when its left side may fail: true || error and
// error || true are both true.
func celOr(x, y lowered) lowered {
	if y.k && y.b(nil) {
		return y
	}
	a, b := x.fn(), y.fn()
	return lowered{b: func(e *env) bool {
		s := e.s
		outer := s.ovf
		s.ovf = false
		av := a(e)
		af := s.ovf
		s.ovf = false
		if !af && av {
			s.ovf = outer
			return true
		}
		if b(e) && !s.ovf {
			s.ovf = outer
			return true
		}
		s.ovf = s.ovf || af || outer
		return false
	}, probes: append(append([]probe(nil), x.probes...), y.probes...)}
}

// The back end proper: a folded condition of the IR (risk/internal/cond)
// into lowered code. Both languages' conditions come here; what differs
// between them (CEL's checked arithmetic, its && and || around an error)
// is in the nodes.

// backend lowers one condition or placeholder.
type backend struct {
	// gu is the first construct given up on (nil: none)
	gu *cond.GiveUp
	// lets are the lowered values of the lets in scope
	lets map[*cond.Let]lowered
	// elem is the element type of the loop whose body is being lowered
	// (Entries, Strings), Invalid outside loops
	elem cond.Type
	// once counts the lets around that bindOnce wrote out twice
	once int
	// checked: the condition has checked arithmetic somewhere (else
	// nothing in it may fail, and cond.MayFail need not look)
	checked bool
}

// mayFail is cond.MayFail(n), known false without looking when the
// condition has no checked arithmetic.
func (b *backend) mayFail(n cond.Node) bool { return b.checked && cond.MayFail(n) }

// callTestHook lets tests lower a function of their own (boom); nil
// outside tests.
var callTestHook func(name string, args []lowered) (lowered, bool)

// fail gives up on n for the reason why.
func (b *backend) fail(n cond.Node, why cond.Why) (lowered, bool) {
	if b.gu == nil {
		b.gu = &cond.GiveUp{At: *n.Where(), Why: why}
	}
	return lowered{}, false
}

// checkpoint returns a function that forgets what was given up on since:
// for a way of lowering that is only tried (bindOnce).
func (b *backend) checkpoint() func() {
	if b.gu != nil {
		return func() {}
	}
	return func() { b.gu = nil }
}

// lowerCond lowers a condition of the IR: folded, split into its
// top-level conjuncts (keyed for the plan by cond.Key), each lowered once.
// A condition that may fail (CEL's checked arithmetic) is a
// celClosureProgram, any other a closureProgram.
func lowerCond(n cond.Node) (program, *cond.GiveUp) {
	n = cond.Fold(n, foldDomainCall)
	parts := cond.Conjuncts(n)
	cs := make([]conj, len(parts))
	xs := make([]lowered, len(parts))
	var probes []probe
	fails := false
	checked := cond.MayFail(n)
	for i, p := range parts {
		b := backend{checked: checked}
		if p.Type() != cond.Bool {
			b.fail(p, cond.NoStaticType)
			return nil, b.gu
		}
		x, ok := b.lower(p)
		if !ok {
			if b.gu == nil {
				b.fail(p, cond.Itself)
			}
			return nil, b.gu
		}
		probes = append(probes, x.probes...)
		f := b.mayFail(p)
		fails = fails || f
		xs[i] = x
		cs[i] = conj{key: cond.Key(p), k: x.k, fails: f, n: nodeOf(x)}
		if x.k {
			cs[i].b = x.b // the plan reads a constant
		}
	}
	if fails {
		// CEL's && over conjuncts that may fail: closures
		for i := range cs {
			cs[i].b = xs[i].fn()
		}
		f, _ := celAndAll(cs)
		return celClosureProgram{f, probes, cs}, nil
	}
	// the closure of a rule evaluated on its own (rarely: Scorer.attribute):
	// the conjuncts' branch code, written when first run
	all := xs[0]
	for _, x := range xs[1:] {
		all = and0(all, x)
	}
	f := all.b
	if f == nil {
		f = (&lazyCode{n: all.node}).run
	}
	return closureProgram{f, probes, cs}, nil
}

// lowerValue lowers a placeholder of the IR of a simple type.
func lowerValue(n cond.Node) (program, *cond.GiveUp) {
	n = cond.Fold(n, foldDomainCall)
	b := backend{checked: true}
	if cond.MayFail(n) {
		b.fail(n, cond.Itself)
		return nil, b.gu
	}
	x, ok := b.lower(n)
	if !ok || (!x.isBool() && x.i == nil && x.f == nil && x.s == nil) {
		if b.gu == nil {
			b.fail(n, cond.Itself)
		}
		return nil, b.gu
	}
	return loweredProgram{x}, nil
}

// lower lowers n, or notes what it gave up on: n itself when nothing
// inside it was noted.
func (b *backend) lower(n cond.Node) (lowered, bool) {
	x, ok := b.lower0(n)
	if !ok {
		b.fail(n, cond.Itself)
	}
	return x, ok
}

func (b *backend) lower0(n cond.Node) (lowered, bool) {
	switch n := n.(type) {
	case *cond.Const:
		switch n.T {
		case cond.Bool:
			v := n.B
			return lowered{b: func(*env) bool { return v }, k: true}, true
		case cond.Int:
			v := n.I
			return lowered{i: func(*env) int { return v }, k: true, text: strconv.Itoa(v)}, true
		case cond.Float:
			v := n.F
			return lowered{f: func(*env) float64 { return v }, k: true}, true
		case cond.String:
			v := n.S
			return lowered{s: func(*env) string { return v }, k: true, text: strconv.Quote(v)}, true
		}
	case *cond.Field:
		return field(n.F.Name)
	case *cond.Derived:
		return field(n.F.Name)
	case *cond.Feature:
		return field(n.F.Name)
	case *cond.List:
		return lowered{lst: &listX{roam: n.Name == "roaming"}}, true
	case *cond.Elem:
		if b.elem == cond.Strings {
			return lowered{s: func(e *env) string { return e.curStr }}, true
		}
	case *cond.ElemField:
		if b.elem == cond.Entries {
			return roamField(n.F.Name)
		}
	case *cond.Not:
		if in, isIn := n.X.(*cond.In); isIn {
			return b.in(in, true) // x not in set
		}
		x, ok := b.lower(n.X)
		if !ok || !x.isBool() {
			return lowered{}, false
		}
		return not(x), true
	case *cond.And, *cond.Or:
		var l, r cond.Node
		a, isAnd := n.(*cond.And)
		if isAnd {
			l, r = a.X, a.Y
		} else {
			o := n.(*cond.Or)
			l, r = o.X, o.Y
		}
		x, y, ok := b.two(l, r)
		if !ok || !x.isBool() || !y.isBool() {
			return lowered{}, false
		}
		if b.mayFail(l) {
			// CEL's && and || are commutative: error && false is false
			if isAnd {
				return celAnd(x, y), true
			}
			return celOr(x, y), true
		}
		if isAnd {
			return and(x, y), true
		}
		return or(x, y), true
	case *cond.Compare:
		x, y, ok := b.two(n.X, n.Y)
		if !ok {
			return lowered{}, false
		}
		r, ok := compare(n.Op, x, y)
		return fold(r, ok, x, y)
	case *cond.Arith:
		x, y, ok := b.two(n.X, n.Y)
		if !ok {
			return lowered{}, false
		}
		if n.Checked && n.X.Type() == cond.Int {
			return checkedArith(n.Op, x, y), true
		}
		r, ok := arith(n.Op, x, y)
		return fold(r, ok, x, y)
	case *cond.Neg:
		x, ok := b.lower(n.X)
		if !ok {
			return lowered{}, false
		}
		switch {
		case x.i != nil && n.Checked:
			f := x.i
			return lowered{i: func(e *env) int {
				v := f(e)
				return checked(e, -v, v != math.MinInt64)
			}}, true
		case x.i != nil:
			f := x.i
			return fold(lowered{i: func(e *env) int { return -f(e) }}, true, x)
		case x.f != nil:
			f := x.f
			return fold(lowered{f: func(e *env) float64 { return -f(e) }}, true, x)
		}
	case *cond.Concat:
		x, y, ok := b.two(n.X, n.Y)
		if !ok || x.s == nil || y.s == nil {
			return lowered{}, false
		}
		r, ok := arith("+", x, y)
		return fold(r, ok, x, y)
	case *cond.Conv:
		x, ok := b.lower(n.X)
		if !ok || x.i == nil {
			return lowered{}, false
		}
		if n.To == cond.String {
			return stringOfInt(x), true
		}
		return fold(lowered{f: toFloat(x)}, true, x)
	case *cond.In:
		return b.in(n, false)
	case *cond.InRegion:
		x, ok := b.lower(n.X)
		if !ok || x.s == nil {
			return lowered{}, false
		}
		set, ok := regionUnion(n.Lists)
		if !ok {
			return lowered{}, false
		}
		return inRegion("", x, set), true
	case *cond.StrTest:
		x, y, ok := b.two(n.X, n.Y)
		if !ok || x.s == nil || y.s == nil {
			return lowered{}, false
		}
		return stringTest(n.Op, x.s, y.s), true
	case *cond.Quant:
		return b.quant(n)
	case *cond.Filter:
		return b.list(n, n.List, n.Pred, true)
	case *cond.Map:
		return b.list(n, n.List, n.Item, false)
	case *cond.Count:
		if l, ok := n.List.(*cond.List); ok {
			if l.Name == "roaming" {
				return lowered{i: func(e *env) int { return len(e.r.Roaming) }}, true
			}
			return lowered{i: func(e *env) int { return len(e.r.LinkedPlatforms) }}, true
		}
		x, ok := b.lower(n.List)
		if !ok || x.lst == nil {
			return lowered{}, false
		}
		lst := x.lst
		return lowered{i: func(e *env) int { return lst.count(e) }}, true
	case *cond.Join:
		return b.join(n)
	case *cond.Call:
		return b.call(n)
	case *cond.Let:
		return b.let(n)
	case *cond.Ref:
		v, ok := b.lets[n.Let]
		return v, ok
	case *cond.Cond:
		c, ok := b.lower(n.C)
		if !ok || !c.isBool() {
			return lowered{}, false
		}
		x, y, ok := b.two(n.Then, n.Else)
		if !ok {
			return lowered{}, false
		}
		return ternary(c.fn(), x, y)
	}
	return lowered{}, false
}

// two lowers two operands, left to right.
func (b *backend) two(x, y cond.Node) (lowered, lowered, bool) {
	a, ok := b.lower(x)
	if !ok {
		return lowered{}, lowered{}, false
	}
	c, ok := b.lower(y)
	return a, c, ok
}

// checkedArith is CEL's int + - *: an overflow fails the condition for the
// card (checked, celClosureProgram).
func checkedArith(op string, a, b lowered) lowered {
	x, y := a.i, b.i
	switch op {
	case "+":
		return lowered{i: func(e *env) int { r, ok := cond.AddOK(x(e), y(e)); return checked(e, r, ok) }, text: sumText("+", a, b), time: a.time != b.time}
	case "-":
		return lowered{i: func(e *env) int { r, ok := cond.SubOK(x(e), y(e)); return checked(e, r, ok) }, text: sumText("-", a, b), time: a.time != b.time}
	}
	return lowered{i: func(e *env) int { r, ok := cond.MulOK(x(e), y(e)); return checked(e, r, ok) }, text: sumText("*", a, b)}
}

// in lowers x in set, or x not in set (neg).
func (b *backend) in(n *cond.In, neg bool) (lowered, bool) {
	x, ok := b.lower(n.X)
	if !ok || x.s == nil {
		return lowered{}, false
	}
	set := make(map[string]struct{}, len(n.Set))
	for _, s := range n.Set {
		set[s] = struct{}{}
	}
	return memberOf(x, set, neg), true
}

// regionUnion is the union of region lists: the list itself when there is
// one.
func regionUnion(lists []cond.RegionList) (*RegionSet, bool) {
	if len(lists) == 1 {
		set, ok := lists[0].(*RegionSet)
		return set, ok
	}
	var items []string
	for _, l := range lists {
		items = append(items, l.Items()...)
	}
	return NewRegionSet(items), true
}

// body lowers the body of a loop over a list of element type elem.
func (b *backend) body(n cond.Node, elem cond.Type) (lowered, bool) {
	if b.mayFail(n) {
		return b.fail(n, cond.OverflowInLoop)
	}
	inner := *b
	inner.elem = elem
	x, ok := inner.lower(n)
	b.gu = inner.gu
	return x, ok
}

// quant lowers any, all and none over roaming or linked_platforms (one
// level deep).
func (b *backend) quant(n *cond.Quant) (lowered, bool) {
	if b.elem != cond.Invalid {
		return b.fail(n, cond.LoopInLoop)
	}
	l, ok := n.List.(*cond.List)
	if !ok {
		return lowered{}, false
	}
	var want, empty bool // stop when f(item) == want; result when it never does
	switch n.Op {
	case "any":
		want, empty = true, false
	case "all":
		want, empty = false, true
	case "none":
		want, empty = true, true
	default:
		return lowered{}, false
	}
	body, ok := b.body(n.Body, l.Type())
	if !ok || !body.isBool() {
		return lowered{}, false
	}
	return predicate(l.Name == "roaming", body, want, empty), true
}

// list lowers filter (pred) and map over roaming and linked_platforms, and
// over what filter and a let give of them: a listX.
func (b *backend) list(n, list, fn cond.Node, filter bool) (lowered, bool) {
	if b.elem != cond.Invalid {
		return b.fail(n, cond.ListInLoop)
	}
	x, ok := b.lower(list)
	if !ok || x.lst == nil {
		return lowered{}, false
	}
	base := *x.lst
	if base.item != nil {
		return b.fail(n, cond.ListOfMapped)
	}
	elem := cond.Strings
	if base.roam {
		elem = cond.Entries
	}
	body, ok := b.body(fn, elem)
	if !ok {
		return lowered{}, false
	}
	switch {
	case filter && body.isBool():
		if prev := base.pred; prev != nil {
			f := body.fn()
			base.pred = func(e *env) bool { return prev(e) && f(e) }
		} else {
			base.pred = body.fn()
		}
	case !filter && body.s != nil:
		base.item = appenderOf(body)
	default:
		return lowered{}, false
	}
	return lowered{lst: &base}, true
}

// join lowers join(list, sep) of linked_platforms or of a mapped list, sep
// a constant.
func (b *backend) join(n *cond.Join) (lowered, bool) {
	if b.elem != cond.Invalid {
		return b.fail(n, cond.ListInLoop)
	}
	x, ok := b.lower(n.List)
	if !ok || x.lst == nil {
		return lowered{}, false
	}
	sep, ok := n.Sep.(*cond.Const)
	if !ok || sep.T != cond.String {
		return b.fail(n, cond.JoinSep)
	}
	if x.lst.roam && x.lst.item == nil {
		return b.fail(n, cond.JoinOfEntries)
	}
	lst, sv := x.lst, sep.S
	return lowered{s: func(e *env) string { return string(lst.join(e, nil, sv)) },
		a: func(e *env, b []byte) []byte { return lst.join(e, b, sv) }}, true
}

// call lowers a domain function (in_region is a node of its own) by its
// one implementation (funcs.go), looked up here by the types of the
// arguments; a constant argument of the two-argument forms (lang) is
// passed as it is.
func (b *backend) call(n *cond.Call) (lowered, bool) {
	xs := make([]lowered, len(n.Args))
	for i, a := range n.Args {
		x, ok := b.lower(a)
		if !ok {
			return lowered{}, false
		}
		xs[i] = x
	}
	if callTestHook != nil {
		if r, ok := callTestHook(n.Func, xs); ok {
			return r, true
		}
	}
	types := make([]cond.Type, len(n.Args))
	for i, a := range n.Args {
		types[i] = a.Type()
	}
	is := func(ts ...cond.Type) bool { return slices.Equal(types, ts) }
	switch {
	case is(cond.String) && n.T == cond.String:
		if f, ok := domainFunc[func(string) string](n.Func); ok {
			x := xs[0].s
			return fold(lowered{s: func(e *env) string { return f(x(e)) }}, true, xs[0])
		}
	case is(cond.String, cond.String) && n.T == cond.String && xs[1].k:
		if f, ok := domainFunc[func(string, string) string](n.Func); ok {
			x, c := xs[0].s, xs[1].s(nil)
			return fold(lowered{s: func(e *env) string { return f(x(e), c) }}, true, xs[0])
		}
	case is(cond.Bool, cond.String) && n.T == cond.String && xs[1].k:
		if f, ok := domainFunc[func(bool, string) string](n.Func); ok {
			x, c := xs[0].fn(), xs[1].s(nil)
			return fold(lowered{s: func(e *env) string { return f(x(e), c) }}, true, xs[0])
		}
	case is(cond.Int, cond.Int) && n.T == cond.Int:
		if f, ok := domainFunc[func(int, int) int](n.Func); ok {
			x, y := xs[0].i, xs[1].i
			return fold(lowered{i: func(e *env) int { return f(x(e), y(e)) }}, true, xs[0], xs[1])
		}
	}
	return lowered{}, false
}

// let lowers a let: its body with the name standing for the lowered value
// (computed where it is used; pure, so the same as once), or, for a value
// that runs a loop, computed once (bindOnce).
func (b *backend) let(n *cond.Let) (lowered, bool) {
	if b.mayFail(n.Value) {
		return b.fail(n.Value, cond.OverflowInLet)
	}
	v, ok := b.lower(n.Value)
	if !ok {
		return lowered{}, false
	}
	if !v.isBool() && v.i == nil && v.f == nil && v.s == nil && v.lst == nil {
		return b.fail(n.Value, cond.Itself)
	}
	bodyWith := func(v lowered, once int) (lowered, bool) {
		inner := *b
		inner.once = once
		inner.lets = make(map[*cond.Let]lowered, len(b.lets)+1)
		for k, x := range b.lets {
			inner.lets[k] = x
		}
		inner.lets[n] = v
		body, ok := inner.lower(n.Body)
		b.gu = inner.gu
		body.rgn = nil // its subject may name the variable: never merge it outside
		return body, ok
	}
	if r, ok := bindOnce(v, b.once, b, bodyWith); ok {
		return r, true
	}
	return bodyWith(v, b.once)
}
