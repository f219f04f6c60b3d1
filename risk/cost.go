package risk

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"

	"github.com/expr-lang/expr/ast"

	"github.com/simrisk/simrisk/internal/vocab"
	"github.com/simrisk/simrisk/rules"
)

// The static cost estimate of an expr expression, checked at load against
// max_cost (CEL's comes from cel-go's estimator, with celEstimator giving
// the same record bounds).
//
// A cost unit is about one evaluation step: each node costs 1, a string or
// list that is built costs its length, and a loop (a predicate over a list
// or a range, reduce, ...) costs its body times the list's largest length.
// Lengths come from the record limits (MaxRoaming, MaxLinkedPlatforms,
// MaxTextBytes), the literal and constant lists, and constant range bounds;
// a length that cannot be bounded (a range or repeat count read from the
// card, a string grown in reduce's accumulator) makes the cost unbounded,
// and the rule is refused.

// unbounded is a cost or length that cannot be bounded statically.
const unbounded = math.MaxUint64

func mulSat(a, b uint64) uint64 {
	if a == 0 || b == 0 {
		return 0
	}
	if a > unbounded/b {
		return unbounded
	}
	return a * b
}

// size bounds a value: n is the length of a string (bytes) or of a list
// (elements), el the length of a list's elements.
type size struct{ n, el uint64 }

type costEstimator struct {
	scopes []size          // the lists the enclosing predicates loop over
	accs   []size          // reduce's accumulators, innermost last
	vars   map[string]size // let variables in scope
	// shallow leaves out the bodies of loops (their own meter counts them)
	shallow bool
}

// exprCost estimates the cost of a checked expr expression on one card.
func exprCost(n ast.Node) uint64 {
	c := &costEstimator{vars: map[string]size{}}
	cost, _ := c.est(n)
	return cost
}

// costError is the too_costly error of an expression whose estimate is over
// the limit.
func costError(src rules.Expr, owner string, est, limit uint64) *rules.Error {
	msg := fmt.Sprintf("estimated cost per card up to %s is over the limit max_cost=%s; a loop costs its body times its list's longest length (roaming %d entries, linked_platforms %d, a range its length)",
		numText(est), numText(limit), MaxRoaming, MaxLinkedPlatforms)
	if est == unbounded {
		msg = fmt.Sprintf("its cost per card cannot be bounded (a range or repeat count that is not a constant, a string or list grown in reduce's accumulator, or sizes that multiply past every bound), so it is over the limit max_cost=%s", numText(limit))
	}
	return &rules.Error{Pos: src.PosAt(0), Rule: owner, Field: src.Key, Code: rules.CodeTooCostly, Msg: msg}
}

// numText writes a count or size of the engine's own (an estimate, a
// limit) for a message: in digits below ten digits, else as "about 1.8e12",
// so no masker of phone and ID numbers in a lint report takes it for one.
func numText(n uint64) string {
	if n < 1e9 {
		return strconv.FormatUint(n, 10)
	}
	if n == unbounded {
		return "more than 1.8e19"
	}
	m := strconv.FormatFloat(float64(n), 'e', 1, 64) // 1.8e+12
	mant, exp, _ := strings.Cut(m, "e+")
	return "about " + mant + "e" + strings.TrimLeft(exp, "0")
}

func isStringType(n ast.Node) bool {
	t := n.Type()
	return t != nil && t.Kind() == reflect.String
}

// textBytes bounds the length of a string field of the vocabulary (or of a
// roaming entry) by what Validate accepts: codes and enumerations are
// short, free texts MaxTextBytes.
func textBytes(name string) uint64 {
	if n, ok := maxTextBytes[name]; ok {
		return n
	}
	return MaxTextBytes
}

// maxTextBytes are the bounds of the vocabulary's texts (vocab.Field's
// MaxBytes), by name and by last part (a CEL selection names only the
// field: business of iot.business), and the domain functions' results
// (vocab.Func's MaxBytes).
var maxTextBytes = func() map[string]uint64 {
	m := map[string]uint64{}
	for _, f := range vocab.Funcs() {
		if f.MaxBytes > 0 {
			m[f.Name] = uint64(f.MaxBytes)
		}
	}
	for _, f := range append(vocab.Fields(), vocab.RoamingFields()...) {
		if f.MaxBytes > 0 {
			m[f.Name] = uint64(f.MaxBytes)
			m[f.Key()] = uint64(f.MaxBytes)
		}
	}
	return m
}()

// isScalar reports whether n is a number or a boolean, whose size does not
// grow.
func isScalar(n ast.Node) bool {
	t := n.Type()
	if t == nil {
		return false
	}
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return true
	}
	return false
}

// isContainer reports whether n is a list, a map or a value of unknown
// type (a literal's element).
func isContainer(n ast.Node) bool {
	t := n.Type()
	if t == nil {
		return true
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array, reflect.Map, reflect.Interface:
		return true
	}
	return false
}

func isListType(n ast.Node) bool {
	t := n.Type()
	return t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array)
}

// valueSize bounds a constant's length.
func valueSize(v any) size {
	switch x := v.(type) {
	case string:
		return size{n: uint64(len(x))}
	case map[string]struct{}:
		var el int
		for k := range x {
			el = max(el, len(k))
		}
		return size{n: uint64(len(x)), el: uint64(el)}
	case *RegionSet:
		return size{n: uint64(len(x.items)), el: 6}
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Slice || rv.Kind() == reflect.Array {
		return size{n: uint64(rv.Len()), el: MaxTextBytes}
	}
	return size{}
}

func (c *costEstimator) est(n ast.Node) (uint64, size) {
	switch x := n.(type) {
	case nil:
		return 0, size{}
	case *ast.NilNode, *ast.BoolNode, *ast.IntegerNode, *ast.FloatNode:
		return 1, size{}
	case *ast.StringNode:
		return 1, size{n: uint64(len(x.Value))}
	case *ast.BytesNode:
		return 1, size{n: uint64(len(x.Value))}
	case *ast.ConstantNode:
		return 1, valueSize(x.Value)
	case *ast.IdentifierNode:
		if s, ok := c.vars[x.Value]; ok {
			return 1, s
		}
		switch x.Value {
		case "roaming":
			return 1, size{n: MaxRoaming, el: MaxTextBytes}
		case "linked_platforms":
			return 1, size{n: MaxLinkedPlatforms, el: MaxTextBytes}
		}
		if isStringType(n) {
			return 1, size{n: textBytes(x.Value)}
		}
		return 1, size{}
	case *ast.PointerNode:
		switch {
		case x.Name == "acc" && len(c.accs) > 0:
			return 1, c.accs[len(c.accs)-1]
		case x.Name == "" && len(c.scopes) > 0:
			return 1, size{n: c.scopes[len(c.scopes)-1].el, el: MaxTextBytes}
		}
		return 1, size{}
	case *ast.MemberNode:
		c1, sb := c.est(x.Node)
		var c2 uint64
		s := size{}
		if p, ok := x.Property.(*ast.StringNode); ok {
			if isStringType(n) {
				s.n = textBytes(p.Value)
			}
		} else {
			c2, _ = c.est(x.Property)
			if isStringType(n) {
				s.n = MaxTextBytes
			}
		}
		if !isScalar(n) && isContainer(x.Node) {
			// an element of a list or a value of a map: as long as the
			// longest of them (el bounds every level below too)
			s = size{n: max(s.n, sb.el), el: max(s.el, sb.el)}
		}
		return addSat(addSat(c1, c2), 1), s
	case *ast.ChainNode:
		return c.est(x.Node)
	case *ast.UnaryNode:
		k, s := c.est(x.Node)
		return addSat(k, 1), s
	case *ast.BinaryNode:
		return c.binary(x)
	case *ast.ConditionalNode:
		k0, _ := c.est(x.Cond)
		k1, s1 := c.est(x.Exp1)
		k2, s2 := c.est(x.Exp2)
		return addSat(addSat(k0, max(k1, k2)), 1), size{max(s1.n, s2.n), max(s1.el, s2.el)}
	case *ast.SliceNode:
		k, s := c.est(x.Node)
		k1, _ := c.est(x.From)
		k2, _ := c.est(x.To)
		return addSat(addSat(addSat(k, k1), k2), s.n), s
	case *ast.VariableDeclaratorNode:
		kv, sv := c.est(x.Value)
		old, had := c.vars[x.Name]
		c.vars[x.Name] = sv
		ke, se := c.est(x.Expr)
		if had {
			c.vars[x.Name] = old
		} else {
			delete(c.vars, x.Name)
		}
		return addSat(kv, ke), se
	case *ast.SequenceNode:
		var k uint64
		var s size
		for _, m := range x.Nodes {
			var km uint64
			km, s = c.est(m)
			k = addSat(k, km)
		}
		return k, s
	case *ast.ArrayNode:
		k := uint64(len(x.Nodes))
		var el uint64
		for _, m := range x.Nodes {
			km, sm := c.est(m)
			k, el = addSat(k, km), max(el, sm.n, sm.el)
		}
		return k, size{n: uint64(len(x.Nodes)), el: el}
	case *ast.MapNode:
		k := uint64(len(x.Pairs))
		var el uint64
		for _, m := range x.Pairs {
			km, sm := c.est(m)
			k, el = addSat(k, km), max(el, sm.n, sm.el)
		}
		return k, size{n: uint64(len(x.Pairs)), el: el}
	case *ast.PairNode:
		k1, _ := c.est(x.Key)
		k2, s := c.est(x.Value)
		return addSat(k1, k2), s
	case *ast.PredicateNode:
		return c.est(x.Node)
	case *ast.BuiltinNode:
		return c.builtin(x.Name, x.Arguments, n)
	case *ast.CallNode:
		name := ""
		if id, ok := x.Callee.(*ast.IdentifierNode); ok {
			name = id.Value
		}
		if f, ok := domainFuncs[name]; ok {
			k := uint64(f.Cost)
			for _, a := range x.Arguments {
				ka, _ := c.est(a)
				k = addSat(k, ka)
			}
			if isStringType(n) {
				return k, size{n: textBytes(name)}
			}
			return k, size{}
		}
		return c.builtin(name, x.Arguments, n)
	}
	// a node kind this estimate does not know: its nodes, and no size
	var k uint64
	m := n // a copy to walk: taking n's address would move every call's n to the heap
	ast.Walk(&m, nodeCount{&k})
	return k, size{}
}

type nodeCount struct{ n *uint64 }

func (v nodeCount) Visit(*ast.Node) { *v.n = addSat(*v.n, 1) }

func (c *costEstimator) binary(x *ast.BinaryNode) (uint64, size) {
	kl, sl := c.est(x.Left)
	kr, sr := c.est(x.Right)
	k := addSat(addSat(kl, kr), 1)
	switch x.Operator {
	case "..":
		lo, ok1 := constInt(x.Left)
		hi, ok2 := constInt(x.Right)
		n := uint64(unbounded)
		if ok1 && ok2 {
			n = uint64(max(0, hi-lo+1))
		}
		return addSat(k, n), size{n: n}
	case "+":
		// a concatenation: of strings or lists, or of an untyped value
		// (reduce's #acc) with a sized one
		if isStringType(x) || isListType(x) || !isScalar(x) && (sl.n > 0 || sr.n > 0) {
			s := size{n: addSat(sl.n, sr.n), el: max(sl.el, sr.el)}
			return addSat(k, s.n), s
		}
	case "in", "not in":
		return addSat(k, sr.n), size{}
	case "matches":
		return addSat(k, mulSat(addSat(sl.n, 1), addSat(sr.n, 1))), size{}
	case "contains", "startsWith", "endsWith", "==", "!=", "<", "<=", ">", ">=":
		// comparing strings reads them, a tenth of a unit a byte (as cel-go counts)
		return addSat(k, min(sl.n, sr.n)/10), size{}
	case "??":
		return k, size{max(sl.n, sr.n), max(sl.el, sr.el)}
	}
	return k, size{}
}

// constInt reads an integer literal (with its signs).
func constInt(n ast.Node) (int, bool) {
	switch x := n.(type) {
	case *ast.IntegerNode:
		return x.Value, true
	case *ast.ConstantNode:
		v, ok := x.Value.(int)
		return v, ok
	case *ast.UnaryNode:
		v, ok := constInt(x.Node)
		switch x.Operator {
		case "-":
			return -v, ok
		case "+":
			return v, ok
		}
	}
	return 0, false
}

// loops are the builtins that run their second argument (a predicate) once
// per element of their first.
var loops = map[string]bool{"all": true, "none": true, "any": true, "one": true, "filter": true, "map": true,
	"find": true, "findIndex": true, "findLast": true, "findLastIndex": true, "count": true, "sum": true,
	"groupBy": true, "sortBy": true, "reduce": true}

func (c *costEstimator) builtin(name string, args []ast.Node, n ast.Node) (uint64, size) {
	if loops[name] && len(args) >= 1 {
		kl, sl := c.est(args[0])
		if len(args) == 1 { // count(list), sum(list)
			return addSat(kl, addSat(sl.n, 1)), size{}
		}
		var ki uint64
		if c.shallow {
			// the loop's own cost without its iterations; its size as the
			// full estimate has it
			if name == "reduce" && len(args) > 2 {
				ki, _ = c.est(args[2])
			}
			c.shallow = false
			_, s := c.builtin(name, args, n)
			c.shallow = true
			return addSat(kl, ki), s
		}
		acc := size{}
		if name == "reduce" {
			var si size
			if len(args) > 2 {
				ki, si = c.est(args[2])
			}
			acc = si
			if !isScalar(n) && (len(args) < 3 || !isScalar(args[2])) {
				// grown once per element by a body this estimate cannot
				// solve: bound it only when the list is empty
				acc = size{n: unbounded, el: unbounded}
				if sl.n == 0 {
					acc = si
				}
			}
		}
		c.scopes = append(c.scopes, sl)
		c.accs = append(c.accs, acc)
		kb, sb := c.est(args[1])
		c.scopes, c.accs = c.scopes[:len(c.scopes)-1], c.accs[:len(c.accs)-1]
		k := addSat(addSat(kl, ki), mulSat(sl.n, addSat(kb, 2)))
		switch name {
		case "filter", "sortBy", "groupBy":
			return addSat(k, sl.n), sl
		case "map":
			return addSat(k, sl.n), size{n: sl.n, el: max(sb.n, sb.el)}
		case "reduce":
			return k, acc
		case "find", "findLast":
			return k, size{n: sl.el}
		}
		return k, size{}
	}
	ks := make([]uint64, len(args))
	ss := make([]size, len(args))
	k := uint64(1)
	for i, a := range args {
		ks[i], ss[i] = c.est(a)
		k = addSat(k, ks[i])
	}
	arg := func(i int) size {
		if i < len(ss) {
			return ss[i]
		}
		return size{}
	}
	switch name {
	case "len", "type", "abs", "ceil", "floor", "round", "now", "bitand", "bitor", "bitxor", "bitnand", "bitnot", "bitshl", "bitshr", "bitushr":
		return k, size{}
	case "int", "float", "indexOf", "lastIndexOf", "hasPrefix", "hasSuffix", "duration", "date", "timezone":
		// read their string argument, a tenth of a unit a byte
		return addSat(k, arg(0).n/10), size{}
	case "repeat":
		times, ok := constInt(args[min(1, len(args)-1)])
		if !ok || len(args) != 2 {
			return unbounded, size{n: unbounded}
		}
		s := size{n: mulSat(arg(0).n, uint64(max(0, times)))}
		return addSat(k, s.n), s
	case "replace":
		// every match (or, for an empty old string, every gap) becomes new
		s := size{n: addSat(mulSat(addSat(arg(0).n, 1), max(arg(2).n, 1)), arg(0).n)}
		return addSat(k, s.n), s
	case "join":
		s := size{n: mulSat(arg(0).n, addSat(arg(0).el, arg(1).n))}
		return addSat(k, s.n), s
	case "split", "splitAfter":
		s := size{n: addSat(arg(0).n, 1), el: arg(0).n}
		return addSat(k, arg(0).n), s
	case "string", "toJSON":
		s := size{n: addSat(mulSat(arg(0).n, addSat(arg(0).el, 4)), 32)}
		return addSat(k, s.n), s
	case "flatten":
		s := size{n: mulSat(arg(0).n, max(arg(0).el, 1)), el: MaxTextBytes}
		return addSat(k, s.n), s
	}
	// others (upper, trim, concat, sort, keys, ...): linear in their
	// arguments, as long as the longest or all of them together
	var s size
	for _, a := range ss {
		s.n, s.el = addSat(s.n, a.n), max(s.el, a.el)
	}
	return addSat(k, s.n), s
}
