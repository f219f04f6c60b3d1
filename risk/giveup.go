package risk

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/expr-lang/expr/ast"

	"github.com/simrisk/simrisk/rules"
)

// Why a condition runs on the reference evaluator. The lowering (lower.go,
// lowercel.go) gives up on a construct it does not compile; it notes the
// first such construct, which is the innermost: a node whose operands
// lowered but which did not, or which a site names with its reason (a loop
// inside a loop, checked arithmetic in a loop's body). Lowering that is
// only tried (a let computed once, len of a list) puts the note back when
// it falls through to another way. The note ends up in RuleInfo
// (FallbackReason, FallbackPos) and `simrisk lint` prints it at its
// position.

// giveUp is the first construct a lowering did not compile: an expr node
// or a CEL expression id, and the reason ("" for the construct alone).
type giveUp struct {
	set  bool
	n    ast.Node // expr
	id   int64    // CEL
	what string
}

// fallbackNote is a giveUp placed in the rule file.
type fallbackNote struct {
	what string
	pos  rules.Pos
}

// note records n as the construct given up on, unless one is recorded.
func (g *giveUp) note(n ast.Node, what string) {
	if g == nil || g.set {
		return
	}
	if what == "" {
		what = exprConstruct(n)
	}
	*g = giveUp{set: true, n: n, what: what}
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

// exprConstruct names what an expr node is, for a note.
func exprConstruct(n ast.Node) string {
	text := clip(n.String())
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

// note places a give-up in the rule file: an expr node by its location in
// src. Nil when nothing was noted.
func (g *giveUp) exprNote(src rules.Expr) *fallbackNote {
	if g == nil || !g.set || g.n == nil {
		return nil
	}
	return &fallbackNote{what: g.what, pos: src.PosAt(g.n.Location().From)}
}

// text is the construct, as lint prints it after "runs on the reference
// evaluator (...) because of".
func (n *fallbackNote) text() string {
	if n == nil {
		return ""
	}
	return strings.TrimSpace(n.what)
}
