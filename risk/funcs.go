package risk

import (
	"reflect"

	"github.com/simrisk/simrisk/internal/vocab"
	"github.com/simrisk/simrisk/risk/internal/cond"
	"github.com/simrisk/simrisk/risk/ref"
)

// The domain functions (internal/vocab's Funcs: in_region, days_between,
// region_name, display, mask), each implemented once, here or in the
// package named, as plain typed Go functions, one per overload. The expr
// environment (exprlang.go), the CEL environment (cellang.go) and the
// compiled evaluator call these; the declarations both languages see
// (argument and result types, overload names, cost, a text result's bound)
// come from the vocab table, and TestDomainFuncsMatchVocab checks each
// implementation's Go type against it. Adding a function is one vocab.Func
// entry, its implementation and its line in domainImpls.

// domainImpls are the implementations of each domain function, one per
// overload, in the order of vocab.Func.Overloads.
var domainImpls = map[string][]any{
	"in_region":    {regionIn},
	"days_between": {daysBetweenOrNever},
	"region_name":  {ref.RegionName, ref.RegionNameIn},
	"display":      {DisplayName, displayBool},
	"mask":         {maskValue},
}

// domainFuncs are the vocab table's domain functions by name.
var domainFuncs = func() map[string]vocab.Func {
	m := map[string]vocab.Func{}
	for _, f := range vocab.Funcs() {
		m[f.Name] = f
	}
	return m
}()

// domainFunc returns the implementation of the domain function name whose
// Go type is F: domainFunc[func(string, string) string]("region_name") is
// region_name(code, lang); ok is false when name has no overload of that
// type. A back end looks it up once, when it compiles the call, and calls
// the result per card.
func domainFunc[F any](name string) (f F, ok bool) {
	for _, impl := range domainImpls[name] {
		if f, ok = impl.(F); ok {
			return f, true
		}
	}
	return f, false
}

// foldDomainCall is the cond.Eval a back end gives cond.Fold: a domain
// function of constant arguments (region_name("KH", "zh"), mask of a
// constant) computed once at compile time by its implementation.
func foldDomainCall(c *cond.Call, args []*cond.Const) (*cond.Const, bool) {
	vals := make([]any, len(args))
	for i, a := range args {
		switch a.T {
		case cond.Bool:
			vals[i] = a.B
		case cond.Int:
			vals[i] = a.I
		case cond.String:
			vals[i] = a.S
		default:
			return nil, false
		}
	}
	for _, impl := range domainImpls[c.Func] {
		v, ok := callDomain(impl, vals, true)
		if !ok {
			continue
		}
		switch v := v.(type) {
		case bool:
			return &cond.Const{T: cond.Bool, B: v}, true
		case int:
			return &cond.Const{T: cond.Int, I: v}, true
		case string:
			return &cond.Const{T: cond.String, S: v}, true
		}
	}
	return nil, false
}

// regionIn is in_region(code, set).
func regionIn(code string, set *RegionSet) bool { return set.Contains(code) }

// daysBetweenOrNever is days_between of the rule vocabulary: Unix seconds
// in, CST calendar days out, Never when either time is absent (0).
func daysBetweenOrNever(a, b int) int {
	if a == 0 || b == 0 {
		return Never
	}
	return DaysBetween(Time(a), Time(b))
}

// displayBool is display(b, lang) of a boolean.
func displayBool(b bool, lang string) string {
	if b {
		return DisplayName("true", lang)
	}
	return DisplayName("false", lang)
}

// maskValue is the vocabulary's mask function: the middle of a number
// hidden, as reasons show it. An 18-character ID number keeps its first 6
// and last 4 characters (110105********002X), a 15-character one its first
// 6 and last 3, anything of 11 or more its first 3 and last 4
// (138****8000), shorter text at most its first 3. It counts characters, not
// bytes, so it never splits one.
func maskValue(s string) string {
	r := []rune(s)
	head, tail := 0, 0
	switch n := len(r); {
	case n == 18:
		head, tail = 6, 4
	case n == 15:
		head, tail = 6, 3
	case n >= 11:
		head, tail = 3, 4
	case n > 3:
		head = 3
	}
	for i := head; i < len(r)-tail; i++ {
		r[i] = '*'
	}
	return string(r)
}

// kindGoType is the Go type a domain function's implementation takes or
// returns for a vocab kind.
func kindGoType(k vocab.Kind) reflect.Type {
	switch k {
	case vocab.String:
		return reflect.TypeFor[string]()
	case vocab.Int, vocab.Time:
		return reflect.TypeFor[int]()
	case vocab.Bool:
		return reflect.TypeFor[bool]()
	case vocab.Regions:
		return reflect.TypeFor[*RegionSet]()
	}
	return nil
}

// domainFuncType is the Go type the vocab table declares for an overload of
// f: func(string, *RegionSet) bool for in_region.
func domainFuncType(f vocab.Func, args []vocab.Kind) reflect.Type {
	in := make([]reflect.Type, len(args))
	for i, k := range args {
		in[i] = kindGoType(k)
	}
	return reflect.FuncOf(in, []reflect.Type{kindGoType(f.Result)}, false)
}

// callDomain calls a domain function's implementation with arguments of
// any type (expr's calling convention). strict: ok is false unless their
// number and types are the implementation's; otherwise an argument of
// another type (nil, say) is its type's zero value and only the number
// must match.
func callDomain(impl any, args []any, strict bool) (v any, ok bool) {
	switch f := impl.(type) {
	case func(string) string:
		if len(args) == 1 {
			a, ok := args[0].(string)
			if ok || !strict {
				return f(a), true
			}
		}
	case func(string, string) string:
		if len(args) == 2 {
			a, ok1 := args[0].(string)
			b, ok2 := args[1].(string)
			if ok1 && ok2 || !strict {
				return f(a, b), true
			}
		}
	case func(bool, string) string:
		if len(args) == 2 {
			a, ok1 := args[0].(bool)
			b, ok2 := args[1].(string)
			if ok1 && ok2 || !strict {
				return f(a, b), true
			}
		}
	case func(int, int) int:
		if len(args) == 2 {
			a, ok1 := args[0].(int)
			b, ok2 := args[1].(int)
			if ok1 && ok2 || !strict {
				return f(a, b), true
			}
		}
	case func(string, *RegionSet) bool:
		if len(args) == 2 {
			a, ok1 := args[0].(string)
			b, ok2 := args[1].(*RegionSet)
			if ok1 && ok2 || !strict {
				return f(a, b), true
			}
		}
	}
	return nil, false
}
