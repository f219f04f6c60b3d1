package risk

import (
	"strings"
	"unicode/utf8"

	"github.com/simrisk/simrisk/risk/internal/cond"
	"github.com/simrisk/simrisk/rules"
)

// Why a condition runs on the reference evaluator. A front end
// (risk/internal/exprfront) or the back end (backend.go) gives up on a
// construct with a *cond.GiveUp; the CEL lowering (lowercel.go) notes a
// giveUp. Either notes the
// first such construct, which is the innermost: a node whose operands
// lowered but which did not, or which a site names with its reason (a loop
// inside a loop, checked arithmetic in a loop's body). Lowering that is
// only tried (a let computed once, len of a list) puts the note back when
// it falls through to another way. The note ends up in RuleInfo
// (FallbackReason, FallbackPos) and `simrisk lint` prints it at its
// position.

// giveUp is the first construct the CEL lowering did not compile: a CEL
// expression id, and the reason ("" for the construct alone).
type giveUp struct {
	set  bool
	id   int64 // CEL
	what string
}

// checkpoint returns a function that forgets what was noted since.
func (g *giveUp) checkpoint() func() {
	if g == nil || g.set {
		return func() {}
	}
	return func() { *g = giveUp{} }
}

// irNote places a give-up of a front end or the back end in the rule
// file. Nil when there is none.
func irNote(g *cond.GiveUp, src rules.Expr) *fallbackNote {
	if g == nil {
		return nil
	}
	return &fallbackNote{what: g.Note(), pos: src.PosAt(g.At.Pos)}
}

// fallbackNote is a giveUp placed in the rule file.
type fallbackNote struct {
	what string
	pos  rules.Pos
}

// noteCEL records the CEL expression id as the construct given up on.
func (g *giveUp) noteCEL(id int64, what string) {
	if g == nil || g.set {
		return
	}
	*g = giveUp{set: true, id: id, what: what}
}

// clip is an expression's text cut to a length a note can quote.
func clip(s string) string {
	const max = 48
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max-1]) + "…"
}

// text is the construct, as lint prints it after "runs on the reference
// evaluator (...) because of".
func (n *fallbackNote) text() string {
	if n == nil {
		return ""
	}
	return strings.TrimSpace(n.what)
}
