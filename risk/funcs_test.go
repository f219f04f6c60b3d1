package risk

import (
	"reflect"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/internal/vocab"
	"github.com/simrisk/simrisk/risk/internal/cond"
)

// Each domain function of the vocab table has one implementation per
// overload, of the Go type the table declares (the types both languages'
// declarations are derived from), and nothing else is implemented.
func TestDomainFuncsMatchVocab(t *testing.T) {
	fs := vocab.Funcs()
	require.Len(t, domainImpls, len(fs), "domainImpls has a function the vocab table does not name")
	for _, f := range fs {
		impls, ok := domainImpls[f.Name]
		require.True(t, ok, "%s has no implementation in domainImpls", f.Name)
		require.Len(t, impls, len(f.Overloads), "%s: one implementation per overload", f.Name)
		require.Contains(t, []vocab.Kind{vocab.String, vocab.Int, vocab.Bool}, f.Result, f.Name)
		require.Positive(t, f.Cost, f.Name)
		for i, args := range f.Overloads {
			require.Equal(t, domainFuncType(f, args), reflect.TypeOf(impls[i]), "%s overload %d", f.Name, i)
		}
	}
}

// domainFunc finds an implementation by its Go type, as a back end asks.
func TestDomainFuncLookup(t *testing.T) {
	name, ok := domainFunc[func(string, string) string]("region_name")
	require.True(t, ok)
	require.Equal(t, "柬埔寨", name("KH", "zh"))
	yes, ok := domainFunc[func(bool, string) string]("display")
	require.True(t, ok)
	require.Equal(t, "是", yes(true, "zh"))
	_, ok = domainFunc[func(string) string]("days_between")
	require.False(t, ok, "days_between has no func(string) string")
	_, ok = domainFunc[func(string) string]("no_such_function")
	require.False(t, ok)
}

// A domain function of constants folds to its implementation's answer; one
// of an argument that is not constant stays a call.
func TestFoldDomainCall(t *testing.T) {
	str := func(s string) *cond.Const { return &cond.Const{T: cond.String, S: s} }
	name := &cond.Call{Func: "region_name", Args: []cond.Node{str("KH"), str("zh")}, T: cond.String}
	got, ok := cond.Fold(name, foldDomainCall).(*cond.Const)
	require.True(t, ok)
	require.Equal(t, "柬埔寨", got.S)

	days := &cond.Call{Func: "days_between", Args: []cond.Node{&cond.Const{T: cond.Int, I: int(Date(2026, 1, 1))}, &cond.Const{T: cond.Int}}, T: cond.Int}
	got, ok = cond.Fold(days, foldDomainCall).(*cond.Const)
	require.True(t, ok)
	require.Equal(t, Never, got.I, "days_between of an absent time is never")

	f, _ := vocab.Lookup("msisdn")
	mask := &cond.Call{Func: "mask", Args: []cond.Node{&cond.Field{F: f}}, T: cond.String}
	_, isCall := cond.Fold(mask, foldDomainCall).(*cond.Call)
	require.True(t, isCall, "mask(msisdn) is not a constant")

	unknown := &cond.Call{Func: "no_such_function", Args: []cond.Node{str("x")}, T: cond.String}
	_, isCall = cond.Fold(unknown, foldDomainCall).(*cond.Call)
	require.True(t, isCall)
}
