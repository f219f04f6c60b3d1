package risk

import (
	"reflect"
	"sort"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/common/types/traits"

	"github.com/expr-lang/expr"
	"strings"
	"unicode/utf8"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/builtin"
	"github.com/expr-lang/expr/vm/runtime"
)

// The run-time byte budget of expr's string- and list-building functions.
//
// The static estimate (cost.go) refuses what it can prove too big, but an
// estimate can be wrong, and expr's builtins allocate their whole result
// before its VM counts a byte of it: repeat of a long string a million times
// ran the host out of memory. So on expr's VM every call that can grow a
// value more than linearly (repeat, replace, join, split, splitAfter,
// concat, and + of strings or lists) is rewritten after type checking into a
// call of a budgeted twin (meterAllocs). The twin computes the size of the
// result from its arguments first, charges it to the rule's run-time budget
// on the card (the same budget as the loops' steps, max_cost units: one a
// byte, or sixteen a list element) and fails the rule with errBudget before
// allocating anything once that is spent. The functions that grow a value at
// most a constant factor (upper, toJSON, string, ...) are charged after the
// call, by the size of their result.

// budgetPrefix starts the names of the budgeted twins: a space, so no
// expression can call them.
const budgetPrefix = "budget "

// grows lists the builtins charged before they run; linear lists those
// charged after.
var (
	grows  = map[string]bool{"repeat": true, "replace": true, "join": true, "split": true, "splitAfter": true, "concat": true}
	linear = map[string]bool{"toJSON": true, "string": true, "upper": true, "lower": true, "trim": true, "trimPrefix": true,
		"trimSuffix": true, "flatten": true, "sort": true, "keys": true, "values": true, "reverse": true, "uniq": true}
)

// elemBytes is what one list element is charged.
const elemBytes = 16

// charge adds n to the rule's spent budget on the card; errBudget once over.
func charge(e *env, n uint64) error {
	if e == nil || e.s == nil {
		return nil
	}
	e.s.spent = addSat(e.s.spent, n)
	if e.s.spent > uint64(e.s.e.vmBudget) {
		return errBudget
	}
	return nil
}

func count(s, sep string) uint64 {
	if sep == "" {
		return uint64(utf8.RuneCountInString(s)) + 1
	}
	return uint64(strings.Count(s, sep))
}

func listLen(v any) uint64 {
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Slice || rv.Kind() == reflect.Array {
		return uint64(rv.Len())
	}
	return 0
}

// resultBytes bounds the size of what builtin name builds from args, from
// the arguments alone (0 where an argument is not what the builtin takes:
// it fails on its own).
func resultBytes(name string, args []any) uint64 {
	str := func(i int) string {
		if i < len(args) {
			s, _ := args[i].(string)
			return s
		}
		return ""
	}
	limit := func(n uint64) uint64 {
		if len(args) == 4 || (len(args) == 3 && (name == "split" || name == "splitAfter")) {
			if k := runtime.ToInt(args[len(args)-1]); k >= 0 {
				return min(n, uint64(k))
			}
		}
		return n
	}
	switch name {
	case "repeat":
		if len(args) != 2 {
			return 0
		}
		n := runtime.ToInt(args[1])
		if n <= 0 {
			return 0
		}
		return mulSat(uint64(len(str(0))), uint64(n))
	case "replace":
		if len(args) < 3 {
			return 0
		}
		m := limit(count(str(0), str(1)))
		return addSat(uint64(len(str(0))), mulSat(m, uint64(len(str(2)))))
	case "join":
		glue := uint64(len(str(1)))
		var n uint64
		rv := reflect.ValueOf(args[0])
		if rv.Kind() != reflect.Slice {
			return 0
		}
		for i := 0; i < rv.Len(); i++ {
			if s, ok := rv.Index(i).Interface().(string); ok {
				n = addSat(n, uint64(len(s)))
			}
			n = addSat(n, glue)
		}
		return n
	case "split", "splitAfter":
		if len(args) < 2 {
			return 0
		}
		return mulSat(limit(addSat(count(str(0), str(1)), 1)), elemBytes)
	case "concat":
		var n uint64
		for _, a := range args {
			n = addSat(n, listLen(a))
		}
		return mulSat(n, elemBytes)
	}
	return 0
}

// valueBytes is what a result is charged after the call.
func valueBytes(v any) uint64 {
	if s, ok := v.(string); ok {
		return uint64(len(s))
	}
	return mulSat(listLen(v), elemBytes)
}

// budgeted is the twin of builtin name: params are the environment, then
// the builtin's arguments.
func budgeted(name string) func(params ...any) (any, error) {
	b := builtin.Builtins[builtin.Index[name]]
	return func(params ...any) (any, error) {
		e, _ := params[0].(*env)
		args := params[1:]
		if grows[name] {
			if err := charge(e, resultBytes(name, args)); err != nil {
				return nil, err
			}
		}
		var v any
		var err error
		switch {
		case b.Safe != nil:
			v, _, err = b.Safe(args...)
		case b.Fast != nil && len(args) == 1:
			v = b.Fast(args[0])
		default:
			v, err = b.Func(args...)
		}
		if err == nil && linear[name] {
			err = charge(e, valueBytes(v))
		}
		return v, err
	}
}

// budgetedAdd is + of strings or lists, charged before it runs; other
// operands are expr's own +.
func budgetedAdd(params ...any) (any, error) {
	e, _ := params[0].(*env)
	a, b := params[1], params[2]
	if sa, ok := a.(string); ok {
		if sb, ok := b.(string); ok {
			if err := charge(e, uint64(len(sa))+uint64(len(sb))); err != nil {
				return nil, err
			}
			return sa + sb, nil
		}
	}
	if n := listLen(a) + listLen(b); n > 0 {
		if err := charge(e, mulSat(n, elemBytes)); err != nil {
			return nil, err
		}
	}
	return runtime.Add(a, b), nil
}

// meterAllocs rewrites the calls of the builtins in grows and linear, and +
// of strings or lists, into calls of their budgeted twins, after type
// checking (the tree keeps the builtins' result types).
type meterAllocs struct{}

func (meterAllocs) Visit(node *ast.Node) {
	var name string
	var args []ast.Node
	switch x := (*node).(type) {
	case *ast.BuiltinNode:
		name, args = x.Name, x.Arguments
	case *ast.CallNode:
		if id, ok := x.Callee.(*ast.IdentifierNode); ok {
			if _, isBuiltin := builtin.Index[id.Value]; isBuiltin {
				name, args = id.Value, x.Arguments
			}
		}
	case *ast.BinaryNode:
		if x.Operator == "+" && !isScalar(x) {
			name, args = "+", []ast.Node{x.Left, x.Right}
		}
	}
	if name == "" || !(grows[name] || linear[name] || name == "+") {
		return
	}
	callee := &ast.IdentifierNode{Value: budgetPrefix + name}
	callee.SetType(anyType)
	envArg := &ast.IdentifierNode{Value: "$env"}
	envArg.SetType(anyType)
	call := &ast.CallNode{Callee: callee, Arguments: append([]ast.Node{envArg}, args...)}
	call.SetType((*node).Type())
	call.SetLocation((*node).Location())
	ast.Patch(node, call)
}

// budgetedOptions registers the budgeted twins.
func budgetedOptions() []expr.Option {
	names := []string{}
	for n := range grows {
		names = append(names, n)
	}
	for n := range linear {
		names = append(names, n)
	}
	sort.Strings(names)
	opts := []expr.Option{expr.Function(budgetPrefix+"+", budgetedAdd, new(func(...any) any))}
	for _, n := range names {
		opts = append(opts, expr.Function(budgetPrefix+n, budgeted(n), new(func(...any) any)))
	}
	return opts
}

// celBudgetOptions re-binds the CEL string functions that grow a value more
// than linearly (ext's replace, split and join) to
// implementations that compute the size of their result first and fail
// with a budget error when it is over limit bytes (the run-time budget,
// max_cost), before allocating: cel-go's cost limit is checked only after
// a call has built its result. cel-go allows a binding to be redefined
// for the same overload signature. + of strings (a singleton binding that
// cannot be re-bound) at most doubles values that were within the budget,
// and cel-go's cost limit stops the evaluation right after it.
func celBudgetOptions(limit uint64) []cel.EnvOption {
	over := func(n uint64) ref.Val {
		if n > limit {
			return types.NewErr("run-time cost budget spent: a result of %s bytes is over max_cost", numText(n))
		}
		return nil
	}
	str := func(v ref.Val) string { s, _ := v.Value().(string); return s }
	replace := func(args ...ref.Val) ref.Val {
		s, old, repl := str(args[0]), str(args[1]), str(args[2])
		n := int64(-1)
		if len(args) == 4 {
			n, _ = args[3].Value().(int64)
		}
		m := count(s, old)
		if n >= 0 {
			m = min(m, uint64(n))
		}
		if e := over(addSat(uint64(len(s)), mulSat(m, uint64(len(repl))))); e != nil {
			return e
		}
		return types.String(strings.Replace(s, old, repl, int(n)))
	}
	split := func(args ...ref.Val) ref.Val {
		s, sep := str(args[0]), str(args[1])
		n := int64(-1)
		if len(args) == 3 {
			n, _ = args[2].Value().(int64)
		}
		m := addSat(count(s, sep), 1)
		if n >= 0 {
			m = min(m, uint64(n))
		}
		if e := over(mulSat(m, elemBytes)); e != nil {
			return e
		}
		return types.NewStringList(types.DefaultTypeAdapter, strings.SplitN(s, sep, int(n)))
	}
	join := func(args ...ref.Val) ref.Val {
		l, ok := args[0].(traits.Lister)
		if !ok {
			return types.MaybeNoSuchOverloadErr(args[0])
		}
		sep := ""
		if len(args) == 2 {
			sep = str(args[1])
		}
		size, _ := l.Size().Value().(int64)
		parts := make([]string, 0, size)
		var n uint64
		for i := int64(0); i < size; i++ {
			el, ok := l.Get(types.Int(i)).(types.String)
			if !ok {
				return types.NewErr("join: a list of strings is wanted")
			}
			parts = append(parts, string(el))
			n = addSat(n, addSat(uint64(len(el)), uint64(len(sep))))
		}
		if e := over(n); e != nil {
			return e
		}
		return types.String(strings.Join(parts, sep))
	}
	S, I, L := cel.StringType, cel.IntType, cel.ListType(cel.StringType)
	return []cel.EnvOption{
		cel.Function("replace",
			cel.MemberOverload("string_replace_string_string", []*cel.Type{S, S, S}, S, cel.FunctionBinding(replace)),
			cel.MemberOverload("string_replace_string_string_int", []*cel.Type{S, S, S, I}, S, cel.FunctionBinding(replace))),
		cel.Function("split",
			cel.MemberOverload("string_split_string", []*cel.Type{S, S}, L, cel.FunctionBinding(split)),
			cel.MemberOverload("string_split_string_int", []*cel.Type{S, S, I}, L, cel.FunctionBinding(split))),
		cel.Function("join",
			cel.MemberOverload("list_join", []*cel.Type{L}, S, cel.FunctionBinding(join)),
			cel.MemberOverload("list_join_string", []*cel.Type{L, S}, S, cel.FunctionBinding(join))),
	}
}
