package risk_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/rules"
)

// Error codes come from the node an expr error or a cel-go issue is about,
// from simrisk's own declarations (the roaming entry's fields, the rule
// set's region lists), and from parsing again without expr's node limit or
// with cel-go's recursion limit raised; never from an upstream message's
// text, which neither promises to keep. Each rule file here produces one
// such code: when an upgrade changes what the code is derived from, this
// test fails instead of the code changing under the analysts' tools.
func TestUpstreamCodesPinned(t *testing.T) {
	deep := rules.DefaultLimits()
	deep.MaxExprDepth = 1000
	for file, want := range map[string]struct {
		code rules.Code
		msg  string
		opts []risk.CompileOption
	}{
		// expr: the node at the error's position; the node limit by parsing
		// again without it (exprErr, overNodeLimit)
		"expr-unknown-name.yaml":   {rules.CodeUndefinedName, "alerts_3d is not a field, derived value, population feature or macro", nil},
		"expr-no-field.yaml":       {rules.CodeUndefinedName, "has no field handler_ok", nil},
		"expr-too-many-nodes.yaml": {rules.CodeTooComplex, "max_expr_nodes=500", nil},
		// cel-go: the node
		"cel-unknown-name.yaml":     {rules.CodeUndefinedName, "alerts_3d is not a field, derived value, population feature or macro", nil},
		"cel-unknown-param.yaml":    {rules.CodeUndefinedParam, `parameter "zzz" is not declared under params`, nil},
		"cel-unknown-list.yaml":     {rules.CodeUndefinedList, `list "zzz" is not declared under lists`, nil},
		"cel-unknown-function.yaml": {rules.CodeUndefinedName, "unknown function in_regions: not a function of simrisk or of the language; did you mean in_region?", nil},
		// cel-go: the node, a selection near a declared name
		"cel-unknown-param-near.yaml": {rules.CodeUndefinedParam, `parameter "max_alerts" is not declared under params`, nil},
		"cel-unknown-list-near.yaml":  {rules.CodeUndefinedList, `list "fraud_region" is not declared under lists`, nil},
		"cel-unknown-name-near.yaml":  {rules.CodeUndefinedName, `pop.cards_on_operatr is not a field`, nil},
		// cel-go: a selection from a roaming entry (its type has fields)
		"cel-no-field.yaml": {rules.CodeUndefinedName, "undefined field 'regio'", nil},
		// cel-go: parsing again with the recursion limit raised
		"cel-parser-recursion.yaml": {rules.CodeTooComplex, "recursion", []risk.CompileOption{risk.WithLimits(deep)}},
		// cel-go: the node, x in lists.NAME of a region list
		"cel-region-list-in.yaml": {rules.CodeType, "a region list: write in_region(x, lists.NAME)", nil},
	} {
		t.Run(file, func(t *testing.T) {
			rs, err := rules.Load(filepath.Join("testdata", "upstream-codes", file))
			require.NoError(t, err)
			errs := risk.Check(rs, want.opts...)
			require.Len(t, errs, 1, "%v", errs)
			require.Equal(t, want.code, errs[0].Code, "%v", errs[0])
			require.Contains(t, errs[0].Msg, want.msg)
			require.Equal(t, "r", errs[0].Rule)
			if file != "cel-parser-recursion.yaml" { // cel-go places it past the end of the text
				require.Equal(t, 11, errs[0].Line, "the when line")
			}
		})
	}
}

// expr's errors at a call, a name or a field selection get their code from
// the node: a call of a declared function with wrong arguments is a type
// error (the call and its callee start at one position), an undeclared
// function or name is undefined_name.
func TestExprErrorCodesByNode(t *testing.T) {
	for when, want := range map[string]rules.Code{
		`in_region(open_region)`:   rules.CodeType,
		`days_between(1) > 0`:      rules.CodeType,
		`upper(1) == ""`:           rules.CodeType,
		`len(1) > 0`:               rules.CodeType,
		`complaints + "a" > 0`:     rules.CodeType,
		`!complaints`:              rules.CodeType,
		`foo(1) > 0`:               rules.CodeUndefinedName,
		`alerts_3d > 1`:            rules.CodeUndefinedName,
		`iot.nope`:                 rules.CodeUndefinedName,
		`complaints.x > 0`:         rules.CodeUndefinedName,
		`valid && (complaints > 1`: rules.CodeExprSyntax,
	} {
		rs, err := rules.Parse(rules.Source{Name: "t.yaml", Data: []byte("bands: [{min: 0, level: low, outcome: pass}]\nrules:\n  - {id: r, outcome: monitor, when: '" + when + "'}\n")})
		require.NoError(t, err)
		errs := risk.Check(rs)
		require.Len(t, errs, 1, "%s: %v", when, errs)
		require.Equal(t, want, errs[0].Code, "%s: %v", when, errs[0])
	}
}

// cel-go's issues on a selection: a qualified vocabulary, parameter or list
// name that is not declared is undefined; a field of a value that has none
// is a type error.
func TestCELSelectionCodesByNode(t *testing.T) {
	for when, want := range map[string]rules.Code{
		`pop.cards_on_operatr > 1`: rules.CodeUndefinedName,
		`iot.handler_ok`:           rules.CodeUndefinedName,
		`complaints.x > 0`:         rules.CodeType,
		`iot.handler_verified.x`:   rules.CodeType,
		`params.nope > 0`:          rules.CodeUndefinedParam,
	} {
		rs, err := rules.Parse(rules.Source{Name: "t.yaml", Data: []byte("language: cel\nbands: [{min: 0, level: low, outcome: pass}]\nrules:\n  - {id: r, outcome: monitor, when: '" + when + "'}\n")})
		require.NoError(t, err)
		errs := risk.Check(rs)
		require.Len(t, errs, 1, "%s: %v", when, errs)
		require.Equal(t, want, errs[0].Code, "%s: %v", when, errs[0])
	}
}

// cel-go's parser and checker issues that no simrisk name explains: a
// selection is undefined when the value has fields (a roaming entry,
// however it is reached) and a type error when it has none; a struct
// literal's unknown field is undefined; nesting over the parser's
// recursion limit is too_complex, other parse errors are syntax errors,
// even when both are in one expression.
func TestCELCodesFromDeclarations(t *testing.T) {
	deep := rules.DefaultLimits()
	deep.MaxExprDepth = 1000
	nest := func(open, inner, close string) string {
		return strings.Repeat(open, 150) + inner + strings.Repeat(close, 150)
	}
	for when, want := range map[string]rules.Code{
		`roaming.exists(r, r.regio == "KH")`:           rules.CodeUndefinedName,
		`roaming.exists(r, has(r.regio))`:              rules.CodeUndefinedName,
		`roaming[0].regio == "KH"`:                     rules.CodeUndefinedName,
		`cel.bind(x, roaming[0], x.regio == "")`:       rules.CodeUndefinedName,
		`roaming.map(r, r).exists(q, q.regio == "")`:   rules.CodeUndefinedName,
		`risk.roamEnv{regio: "x"}.region == ""`:        rules.CodeUndefinedName,
		`risk.roamEnv{region: "x"}.regio == ""`:        rules.CodeUndefinedName,
		`complaints.x > 0`:                             rules.CodeType,
		`roaming.exists(r, r.region.x)`:                rules.CodeType,
		`has(roaming.x)`:                               rules.CodeType,
		`timestamp(1).x == 1`:                          rules.CodeType,
		`id_region in [lists.fraud_regions]`:           rules.CodeType,
		`id_region in lists.fraud_regions || valid`:    rules.CodeType,
		nest("(", "1", ")") + ` == 1`:                  rules.CodeTooComplex,
		nest("(", "1 +", ")"):                          rules.CodeTooComplex,
		strings.Repeat("roaming.", 150) + "size() > 0": rules.CodeTooComplex,
		`valid && (complaints > 1`:                     rules.CodeExprSyntax,
		`1 +`:                                          rules.CodeExprSyntax,
	} {
		src := "language: cel\nlists: {fraud_regions: {type: region, items: [KH]}}\nbands: [{min: 0, level: low, outcome: pass}]\nrules:\n  - {id: r, outcome: monitor, when: '" + when + "'}\n"
		rs, err := rules.Parse(rules.Source{Name: "t.yaml", Data: []byte(src)})
		require.NoError(t, err)
		errs := risk.Check(rs, risk.WithLimits(deep))
		require.NotEmpty(t, errs, when)
		require.Equal(t, want, errs[0].Code, "%.60s: %v", when, errs[0])
		if want == rules.CodeType && strings.Contains(when, " in lists.") {
			require.Equal(t, "a region list: write in_region(x, lists.NAME)", errs[0].Msg)
		}
	}
}
