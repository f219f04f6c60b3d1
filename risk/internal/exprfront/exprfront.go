// Package exprfront is the expr front end: it turns a checked expr syntax
// tree (params and lists already constants, macros inlined, as package
// risk's rewriter leaves it) into the condition IR of package cond, or gives
// up on the first construct the IR has no node for, with its position and a
// note in expr's words.
//
// Stage: after expr's parser and checker, before cond's folding and the
// back end (package risk). Imports: expr's ast, cond, internal/vocab (through
// cond) and the standard library; nothing of package risk (a region list is
// any constant with Items() []string).
package exprfront

import (
	"fmt"
	"reflect"
	"sort"

	"github.com/expr-lang/expr/ast"

	"github.com/simrisk/simrisk/risk/internal/cond"
)

// Condition translates a checked boolean expression.
func Condition(root ast.Node) (cond.Node, *cond.GiveUp) {
	t := translator{origins: new([]origin)}
	x, g := t.node(root)
	if g != nil {
		return nil, g
	}
	return x, nil
}

// Value translates a checked expression of any simple type (a reason's
// placeholder).
func Value(root ast.Node) (cond.Node, *cond.GiveUp) { return Condition(root) }

// origin is an expr node as a cond.Origin: notes in expr's words.
type origin struct{ n ast.Node }

func (o *origin) Note(why cond.Why) string {
	text := cond.Clip(o.n.String())
	switch why {
	case cond.LoopInLoop:
		return "the loop " + text + " inside another loop's body"
	case cond.ListInLoop:
		return "the list " + text + " inside a loop's body"
	case cond.ListOfMapped:
		return "filter or map of a mapped list in " + text
	case cond.JoinOfEntries:
		return "join of roaming entries (map them to text first) in " + text
	case cond.JoinSep:
		return "join with a separator that is not a string literal in " + text
	case cond.NoStaticType:
		return "a condition of no static type: " + text
	}
	return Construct(o.n)
}

// at is where n is: its position, and n as the origin of a note (origins
// are allocated in blocks: one per node would cost the compile a malloc
// each).
func (t *translator) at(n ast.Node) cond.At {
	s := *t.origins
	if len(s) == cap(s) {
		s = make([]origin, 0, 32)
	}
	s = append(s, origin{n})
	*t.origins = s
	return cond.At{Pos: n.Location().From, Orig: &s[len(s)-1]}
}

// translator carries what a predicate body may read: the element of the
// loop it is in (roaming entries or strings), and the lets in scope.
type translator struct {
	elem    cond.Type // Entries or Strings inside a loop's body; Invalid outside
	scope   map[string]*cond.Let
	origins *[]origin // the block origins are allocated from (at)
}

func (t *translator) giveUp(n ast.Node, why cond.Why) (cond.Node, *cond.GiveUp) {
	return nil, &cond.GiveUp{At: t.at(n), Why: why}
}

func (t *translator) node(n ast.Node) (cond.Node, *cond.GiveUp) {
	x, g := t.node0(n)
	if x == nil && g == nil {
		return t.giveUp(n, cond.Itself)
	}
	return x, g
}

// node0 returns nil, nil when n itself is not translated.
func (t *translator) node0(n ast.Node) (cond.Node, *cond.GiveUp) {
	switch n := n.(type) {
	case *ast.BoolNode:
		return cond.BoolConst(n.Value, t.at(n)), nil
	case *ast.IntegerNode:
		return cond.IntConst(n.Value, t.at(n)), nil
	case *ast.FloatNode:
		return cond.FloatConst(n.Value, t.at(n)), nil
	case *ast.StringNode:
		return cond.StringConst(n.Value, t.at(n)), nil
	case *ast.IdentifierNode:
		if l, ok := t.scope[n.Value]; ok {
			return &cond.Ref{At: t.at(n), Let: l}, nil
		}
		if x, ok := cond.Name(n.Value, t.at(n)); ok {
			return x, nil
		}
		return nil, nil
	case *ast.VariableDeclaratorNode:
		v, g := t.node(n.Value)
		if g != nil {
			return nil, g
		}
		l := &cond.Let{At: t.at(n), Name: n.Name, Value: v}
		inner := *t
		inner.scope = make(map[string]*cond.Let, len(t.scope)+1)
		for k, x := range t.scope {
			inner.scope[k] = x
		}
		inner.scope[n.Name] = l
		body, g := inner.node(n.Expr)
		if g != nil {
			return nil, g
		}
		l.Body = body
		return l, nil
	case *ast.MemberNode:
		return t.member(n)
	case *ast.PointerNode:
		if n.Name == "" && t.elem == cond.Strings {
			return &cond.Elem{At: t.at(n)}, nil
		}
		return nil, nil
	case *ast.UnaryNode:
		x, g := t.node(n.Node)
		if g != nil {
			return nil, g
		}
		switch tx := x.Type(); {
		case (n.Operator == "!" || n.Operator == "not") && tx == cond.Bool:
			return &cond.Not{At: t.at(n), X: x}, nil
		case n.Operator == "-" && (tx == cond.Int || tx == cond.Float):
			return &cond.Neg{At: t.at(n), X: x}, nil
		case n.Operator == "+" && (tx == cond.Int || tx == cond.Float):
			return x, nil
		}
		return nil, nil
	case *ast.BinaryNode:
		return t.binary(n)
	case *ast.ConditionalNode:
		c, g := t.node(n.Cond)
		if g != nil {
			return nil, g
		}
		a, g := t.node(n.Exp1)
		if g != nil {
			return nil, g
		}
		b, g := t.node(n.Exp2)
		if g != nil {
			return nil, g
		}
		if c.Type() != cond.Bool || a.Type() != b.Type() || !scalar(a.Type()) {
			return nil, nil
		}
		return &cond.Cond{At: t.at(n), C: c, Then: a, Else: b}, nil
	case *ast.CallNode:
		return t.call(n)
	case *ast.BuiltinNode:
		return t.builtin(n)
	}
	return nil, nil
}

func scalar(t cond.Type) bool { return t >= cond.Bool && t <= cond.String }

func (t *translator) member(n *ast.MemberNode) (cond.Node, *cond.GiveUp) {
	prop, ok := n.Property.(*ast.StringNode)
	if !ok || n.Optional || n.Method {
		return nil, nil
	}
	switch base := n.Node.(type) {
	case *ast.IdentifierNode:
		if _, local := t.scope[base.Value]; local {
			return nil, nil
		}
		if x, ok := cond.Name(base.Value+"."+prop.Value, t.at(n)); ok {
			return x, nil
		}
	case *ast.PointerNode:
		if base.Name != "" || t.elem != cond.Entries {
			return nil, nil
		}
		if x, ok := cond.EntryField(prop.Value, t.at(n)); ok {
			return x, nil
		}
	}
	return nil, nil
}

func (t *translator) binary(n *ast.BinaryNode) (cond.Node, *cond.GiveUp) {
	op := n.Operator
	if op == "in" || op == "not in" {
		return t.in(n)
	}
	a, g := t.node(n.Left)
	if g != nil {
		return nil, g
	}
	b, g := t.node(n.Right)
	if g != nil {
		return nil, g
	}
	ta, tb := a.Type(), b.Type()
	num := func(t cond.Type) bool { return t == cond.Int || t == cond.Float }
	// an int with a float: both floats
	toFloat := func() {
		if ta == cond.Int {
			a, ta = &cond.Conv{At: *a.Where(), To: cond.Float, X: a}, cond.Float
		}
		if tb == cond.Int {
			b, tb = &cond.Conv{At: *b.Where(), To: cond.Float, X: b}, cond.Float
		}
	}
	switch op {
	case "&&", "and":
		if ta == cond.Bool && tb == cond.Bool {
			return &cond.And{At: t.at(n), X: a, Y: b}, nil
		}
	case "||", "or":
		if ta == cond.Bool && tb == cond.Bool {
			return &cond.Or{At: t.at(n), X: a, Y: b}, nil
		}
	case "==", "!=", "<", "<=", ">", ">=":
		switch {
		case ta == tb && (ta == cond.Int || ta == cond.Float || ta == cond.String):
		case ta == cond.Bool && tb == cond.Bool && (op == "==" || op == "!="):
		case num(ta) && num(tb):
			toFloat()
		default:
			return nil, nil
		}
		return &cond.Compare{At: t.at(n), Op: op, X: a, Y: b}, nil
	case "+", "-", "*":
		switch {
		case ta == cond.Int && tb == cond.Int:
		case op == "+" && ta == cond.String && tb == cond.String:
			return &cond.Concat{At: t.at(n), X: a, Y: b}, nil
		case num(ta) && num(tb):
			toFloat()
		default:
			return nil, nil
		}
		return &cond.Arith{At: t.at(n), Op: op, X: a, Y: b}, nil
	case "startsWith", "endsWith", "contains":
		if ta == cond.String && tb == cond.String {
			return &cond.StrTest{At: t.at(n), Op: op, X: a, Y: b}, nil
		}
	}
	return nil, nil
}

// in translates membership in a constant string set (lists.NAME) or in a
// literal array of string constants.
func (t *translator) in(n *ast.BinaryNode) (cond.Node, *cond.GiveUp) {
	a, g := t.node(n.Left)
	if g != nil {
		return nil, g
	}
	if a.Type() != cond.String {
		return nil, nil
	}
	var set []string
	switch r := n.Right.(type) {
	case *ast.ConstantNode:
		m, ok := r.Value.(map[string]struct{})
		if !ok {
			return nil, nil
		}
		for k := range m {
			set = append(set, k)
		}
	case *ast.ArrayNode:
		for _, it := range r.Nodes {
			sn, ok := it.(*ast.StringNode)
			if !ok {
				return nil, nil
			}
			set = append(set, sn.Value)
		}
	default:
		return nil, nil
	}
	var x cond.Node = &cond.In{At: t.at(n), X: a, Set: sortedSet(set)}
	if n.Operator == "not in" {
		x = &cond.Not{At: t.at(n), X: x}
	}
	return x, nil
}

// sortedSet is set sorted, without duplicates.
func sortedSet(set []string) []string {
	sort.Strings(set)
	out := set[:0]
	for i, s := range set {
		if i == 0 || s != set[i-1] {
			out = append(out, s)
		}
	}
	return out
}

// typeOf is the cond type of a checked node's Go type.
func typeOf(n ast.Node) cond.Type {
	t := n.Type()
	if t == nil {
		return cond.Invalid
	}
	switch t.Kind() {
	case reflect.Bool:
		return cond.Bool
	case reflect.Int:
		return cond.Int
	case reflect.Float64:
		return cond.Float
	case reflect.String:
		return cond.String
	}
	return cond.Invalid
}

func (t *translator) args(ns []ast.Node) ([]cond.Node, *cond.GiveUp) {
	out := make([]cond.Node, len(ns))
	for i, a := range ns {
		x, g := t.node(a)
		if g != nil {
			return nil, g
		}
		out[i] = x
	}
	return out, nil
}

func (t *translator) call(n *ast.CallNode) (cond.Node, *cond.GiveUp) {
	id, ok := n.Callee.(*ast.IdentifierNode)
	if !ok {
		return nil, nil
	}
	if id.Value == "in_region" {
		if len(n.Arguments) != 2 {
			return nil, nil
		}
		a, g := t.node(n.Arguments[0])
		if g != nil {
			return nil, g
		}
		c, isConst := n.Arguments[1].(*ast.ConstantNode)
		if !isConst || a.Type() != cond.String {
			return nil, nil
		}
		set, ok := c.Value.(cond.RegionList)
		if !ok {
			return nil, nil
		}
		return &cond.InRegion{At: t.at(n), X: a, Lists: []cond.RegionList{set}}, nil
	}
	args, g := t.args(n.Arguments)
	if g != nil {
		return nil, g
	}
	types := make([]cond.Type, len(args))
	for i, a := range args {
		types[i] = a.Type()
	}
	want := func(ts ...cond.Type) bool { return fmt.Sprint(ts) == fmt.Sprint(types) }
	var res cond.Type
	switch id.Value {
	case "region_name":
		if !want(cond.String) && !want(cond.String, cond.String) {
			return nil, nil
		}
		res = cond.String
	case "display":
		if !want(cond.String, cond.String) && !want(cond.Bool, cond.String) {
			return nil, nil
		}
		res = cond.String
	case "mask":
		if !want(cond.String) {
			return nil, nil
		}
		res = cond.String
	case "days_between":
		if !want(cond.Int, cond.Int) {
			return nil, nil
		}
		res = cond.Int
	default:
		// a function the back end may know (a test's); its type as checked
		res = typeOf(n)
		if res == cond.Invalid {
			return nil, nil
		}
	}
	return &cond.Call{At: t.at(n), Func: id.Value, Args: args, T: res}, nil
}

func isList(t cond.Type) bool { return t == cond.Entries || t == cond.Strings }

// builtin translates len, string, the quantifiers any, all, none, one and
// the lists filter, map, join.
func (t *translator) builtin(n *ast.BuiltinNode) (cond.Node, *cond.GiveUp) {
	switch n.Name {
	case "string", "len":
		if len(n.Arguments) != 1 {
			return nil, nil
		}
		x, g := t.node(n.Arguments[0])
		if g != nil {
			return nil, g
		}
		switch {
		case n.Name == "string" && x.Type() == cond.Int:
			return &cond.Conv{At: t.at(n), To: cond.String, X: x}, nil
		case n.Name == "len" && isList(x.Type()):
			return &cond.Count{At: t.at(n), List: x}, nil
		}
		return nil, nil
	case "join":
		if len(n.Arguments) != 2 {
			return nil, nil
		}
		args, g := t.args(n.Arguments)
		if g != nil {
			return nil, g
		}
		if !isList(args[0].Type()) || args[1].Type() != cond.String {
			return nil, nil
		}
		if _, lit := n.Arguments[1].(*ast.StringNode); !lit {
			return t.giveUp(n, cond.JoinSep)
		}
		return &cond.Join{At: t.at(n), List: args[0], Sep: args[1]}, nil
	case "any", "all", "none", "one", "filter", "map":
	default:
		return nil, nil
	}
	if len(n.Arguments) != 2 {
		return nil, nil
	}
	list, g := t.node(n.Arguments[0])
	if g != nil {
		return nil, g
	}
	pred, ok := n.Arguments[1].(*ast.PredicateNode)
	if !ok || !isList(list.Type()) {
		return nil, nil
	}
	inner := *t
	inner.elem = list.Type()
	body, g := inner.node(pred.Node)
	if g != nil {
		return nil, g
	}
	switch n.Name {
	case "filter":
		if body.Type() != cond.Bool {
			return nil, nil
		}
		return &cond.Filter{At: t.at(n), List: list, Pred: body}, nil
	case "map":
		if body.Type() != cond.String {
			return nil, nil
		}
		return &cond.Map{At: t.at(n), List: list, Item: body}, nil
	}
	if body.Type() != cond.Bool {
		return nil, nil
	}
	return &cond.Quant{At: t.at(n), Op: n.Name, List: list, Body: body}, nil
}

// Construct names what an expr node is, for a note.
func Construct(n ast.Node) string {
	text := cond.Clip(n.String())
	switch n := n.(type) {
	case *ast.MemberNode:
		switch {
		case n.Method:
			return "the method call " + text
		case n.Optional:
			return "optional chaining (?.) in " + text
		}
		if _, ok := n.Property.(*ast.StringNode); !ok {
			return "indexing (" + text + ")"
		}
		return "the field " + text
	case *ast.SliceNode:
		return "slicing (" + text + ")"
	case *ast.BinaryNode:
		return fmt.Sprintf("the operator %s in %s", n.Operator, text)
	case *ast.UnaryNode:
		return fmt.Sprintf("the operator %s in %s", n.Operator, text)
	case *ast.CallNode:
		if id, ok := n.Callee.(*ast.IdentifierNode); ok {
			return fmt.Sprintf("the function %s() in %s", id.Value, text)
		}
		return "the call " + text
	case *ast.BuiltinNode:
		return fmt.Sprintf("the builtin %s() in %s", n.Name, text)
	case *ast.ArrayNode:
		return "the array " + text
	case *ast.MapNode:
		return "the map " + text
	case *ast.ConditionalNode:
		return "the conditional " + text
	case *ast.IdentifierNode:
		return "the name " + text
	case *ast.PointerNode:
		return "the element " + text
	case *ast.VariableDeclaratorNode:
		return "the let in " + text
	}
	return text
}
