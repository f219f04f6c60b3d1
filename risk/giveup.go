package risk

import (
	"strings"

	"github.com/simrisk/simrisk/risk/internal/cond"
	"github.com/simrisk/simrisk/rules"
)

// Why a condition runs on the reference evaluator. A front end
// (risk/internal/exprfront, risk/internal/celfront) or the back end
// (backend.go) gives up on a construct with a *cond.GiveUp: the first such
// construct, which is the innermost: a node whose operands translated but
// which did not, or which a site names with its reason (a loop inside a
// loop, checked arithmetic in a loop's body). Lowering that is only tried
// (a let computed once) puts the note back when it falls through to
// another way. The note ends up in RuleInfo (FallbackReason, FallbackPos)
// and `simrisk lint` prints it at its position.

// irNote places a give-up of a front end or the back end in the rule
// file. Nil when there is none.
func irNote(g *cond.GiveUp, src rules.Expr) *fallbackNote {
	if g == nil {
		return nil
	}
	pos := g.At.Pos
	if pos < 0 {
		pos = 0 // unknown: the expression's start
	}
	return &fallbackNote{what: g.Note(), pos: src.PosAt(pos)}
}

// fallbackNote is a give-up placed in the rule file.
type fallbackNote struct {
	what string
	pos  rules.Pos
}

// text is the construct, as lint prints it after "runs on the reference
// evaluator (...) because of".
func (n *fallbackNote) text() string {
	if n == nil {
		return ""
	}
	return strings.TrimSpace(n.what)
}
