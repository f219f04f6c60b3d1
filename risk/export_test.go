package risk

import (
	"fmt"

	"github.com/expr-lang/expr"
)

// Tests of package risk_test may call boom(s): a condition that panics on
// every card, quoting s in the panic (on the compiled path, in the branch
// code, and on expr's VM), to prove the panic boundary and that rule errors
// never quote card values.
func init() {
	repanicCompile = true // a panic while compiling is a bug the tests must see
	testExprOptions = append(testExprOptions, expr.Function("boom", func(params ...any) (any, error) {
		panic(fmt.Sprintf("boom on %v", params[0]))
	}, new(func(string) bool)))
	callTestHook = func(name string, args []lowered) (lowered, bool) {
		if name != "boom" || len(args) != 1 || args[0].s == nil {
			return lowered{}, false
		}
		f := args[0].s
		return lowered{b: func(e *env) bool { panic("boom on " + f(e)) }}, true
	}
}

// WithRunBudget lowers the run-time budget of every rule on every card
// below what the load-time estimate is checked against, to test that the
// budget is enforced (a record over the estimate's assumptions).
func WithRunBudget(n uint64) CompileOption {
	return func(c *compileConfig) error { c.runBudget = n; return nil }
}

// PackCost is the sum of the rules' cost estimates (max_pack_cost).
func (e *Engine) PackCost() uint64 { return e.packCost }

// LiveIndexBytes is the memory a live population holds beyond its records.
func LiveIndexBytes(p *LivePopulation) int64 { return p.indexBytes() }
