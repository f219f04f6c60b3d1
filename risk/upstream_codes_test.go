package risk_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/rules"
)

// Some codes come from reading expr's and cel-go's error messages, which
// neither library promises to keep (exprCodeByText, celCodeByText); others
// from the node a cel-go issue is about. Each rule file here produces one
// such code: when an upgrade rewords a message, this test fails instead of
// the code changing under the analysts' tools.
func TestUpstreamCodesPinned(t *testing.T) {
	deep := rules.DefaultLimits()
	deep.MaxExprDepth = 1000
	for file, want := range map[string]struct {
		code rules.Code
		msg  string
		opts []risk.CompileOption
	}{
		// expr: message text (exprCodeByText)
		"expr-unknown-name.yaml":   {rules.CodeUndefinedName, "alerts_3d is not a field, derived value, population feature or macro", nil},
		"expr-no-field.yaml":       {rules.CodeUndefinedName, "has no field handler_ok", nil},
		"expr-too-many-nodes.yaml": {rules.CodeTooComplex, "max_expr_nodes=500", nil},
		// cel-go: the node
		"cel-unknown-name.yaml":     {rules.CodeUndefinedName, "alerts_3d is not a field, derived value, population feature or macro", nil},
		"cel-unknown-param.yaml":    {rules.CodeUndefinedParam, `parameter "zzz" is not declared under params`, nil},
		"cel-unknown-list.yaml":     {rules.CodeUndefinedList, `list "zzz" is not declared under lists`, nil},
		"cel-unknown-function.yaml": {rules.CodeUndefinedName, "in_regions is not a field", nil},
		// cel-go: message text (celCodeByText)
		"cel-unknown-param-near.yaml": {rules.CodeUndefinedParam, `parameter "max_alerts" is not declared under params`, nil},
		"cel-unknown-list-near.yaml":  {rules.CodeUndefinedList, `list "fraud_region" is not declared under lists`, nil},
		"cel-no-field.yaml":           {rules.CodeUndefinedName, "undefined field 'regio'", nil},
		"cel-parser-recursion.yaml":   {rules.CodeTooComplex, "recursion", []risk.CompileOption{risk.WithLimits(deep)}},
		"cel-region-list-in.yaml":     {rules.CodeType, "a region list: write in_region(x, lists.NAME)", nil},
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
