package risk

import (
	"fmt"
	"math"
	"unicode/utf8"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"

	"github.com/simrisk/simrisk/rules"
)

// WithLimits sets the limits compiling checks (rules.DefaultLimits when not
// given): max_expr_bytes and max_expr_depth on every expression's text
// before a parser sees it, max_expr_nodes after macros are expanded,
// max_reason_placeholders per reason template, max_cost on every rule's
// estimated cost per card and as the run-time budget of every rule on every
// card. The other limits are the loader's (rules.WithLimits). A limit that
// is not at least 1 is an error from Compile. WithMaxNodes changes
// MaxExprNodes of these limits, whichever option comes last wins;
// WithCELCostLimit, when given, replaces MaxCost for CEL expressions, whose
// cost cel-go estimates in its own units.
func WithLimits(l rules.Limits) CompileOption {
	return func(c *compileConfig) error {
		if err := l.Validate(); err != nil {
			return fmt.Errorf("risk: WithLimits: %w", err)
		}
		c.limits = l
		return nil
	}
}

// checkText checks an expression's text against max_expr_depth and
// max_expr_bytes (in that order: the depth error points at the place)
// before any parser sees it: a parser recurses once per
// nesting level, and half a million of them overflow the goroutine stack,
// which no recover catches.
func checkText(src rules.Expr, owner string, lim rules.Limits) *rules.Error {
	if depth, at := exprDepth(src.Src, lim.MaxExprDepth); depth > lim.MaxExprDepth {
		return &rules.Error{Pos: src.PosAt(utf8.RuneCountInString(src.Src[:at])), Rule: owner, Field: src.Key, Code: rules.CodeTooComplex,
			Msg: fmt.Sprintf("expression is nested more than %d deep here (brackets and prefix operators), over the limit max_expr_depth=%d; split it into macros", lim.MaxExprDepth, lim.MaxExprDepth)}
	}
	if len(src.Src) > lim.MaxExprBytes {
		return &rules.Error{Pos: src.PosAt(0), Rule: owner, Field: src.Key, Code: rules.CodeTooLarge,
			Msg: fmt.Sprintf("expression is %d bytes long, over the limit max_expr_bytes=%d; split it into macros", len(src.Src), lim.MaxExprBytes)}
	}
	return nil
}

// exprDepth measures the nesting of an expression on its text: open
// brackets, parentheses and braces, plus the run of prefix operators (-, +,
// !, not) just before the current operand; string literals and comments are
// skipped (expr's and CEL's quotes, raw and triple-quoted strings). It stops
// at the first place the depth goes over limit and returns that depth and
// byte offset; otherwise the greatest depth and -1. It overcounts (a binary
// minus before a unary one counts), never undercounts.
func exprDepth(s string, limit int) (int, int) {
	depth, run, most := 0, 0, 0
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
			continue
		case c == '/' && i+1 < len(s) && s[i+1] == '/':
			for i < len(s) && s[i] != '\n' {
				i++
			}
			continue
		case c == '/' && i+1 < len(s) && s[i+1] == '*':
			end := indexFrom(s, "*/", i+2)
			i = end + 2
			continue
		case c == '"' || c == '\'' || c == '`':
			i = skipString(s, i, false)
			run = 0
			continue
		case (c == 'r' || c == 'R') && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\'') && (i == 0 || !identByte(s[i-1])):
			i = skipString(s, i+1, true)
			run = 0
			continue
		case c == '(' || c == '[' || c == '{':
			depth++
			depth += run
			run = 0
		case c == ')' || c == ']' || c == '}':
			if depth > 0 {
				depth--
			}
			run = 0
		case c == '-' || c == '+' || c == '!':
			if c == '!' && i+1 < len(s) && s[i+1] == '=' {
				run = 0
				i += 2
				continue
			}
			run++
		case c == 'n' && i+3 <= len(s) && s[i:i+3] == "not" && (i == 0 || !identByte(s[i-1])) && (i+3 == len(s) || !identByte(s[i+3])):
			run++
			i += 3
		default:
			if identByte(c) {
				for i < len(s) && identByte(s[i]) {
					i++
				}
			} else {
				i++
			}
			// an operand or a binary operator ends the run, after it counted
			if d := depth + run; d > most {
				most = d
				if most > limit {
					return most, max(0, i-1)
				}
			}
			run = 0
			continue
		}
		if d := depth + run; d > most {
			most = d
			if most > limit {
				return most, i
			}
		}
		i++
	}
	return most, -1
}

func identByte(c byte) bool {
	return c == '_' || c == '$' || c == '#' || c == '.' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c >= 0x80
}

func indexFrom(s, sub string, from int) int {
	for i := from; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return len(s)
}

// skipString returns the offset after the string literal whose opening
// quote is at i (a triple quote when there is one; raw: no escapes).
func skipString(s string, i int, raw bool) int {
	q := s[i]
	if i+2 < len(s) && s[i+1] == q && s[i+2] == q && q != '`' {
		return indexFrom(s, string([]byte{q, q, q}), i+3) + 3
	}
	for i++; i < len(s); i++ {
		switch {
		case s[i] == '\\' && !raw && q != '`':
			i++
		case s[i] == q:
			return i + 1
		}
	}
	return len(s)
}

// addSat adds without wrapping around.
func addSat(a, b uint64) uint64 {
	if a > math.MaxUint64-b {
		return math.MaxUint64
	}
	return a + b
}

// nodesAfterExpansion counts the syntax-tree nodes of tree with every macro
// it names expanded (each reference counts as a node too), from the macros'
// memoised sizes, without expanding anything: a chain of macros each using
// the next twice doubles at every link, and is measured in linear time.
func (x *exprCompiler) nodesAfterExpansion(tree *ast.Node) uint64 {
	c := &nodeCounter{x: x}
	ast.Walk(tree, c)
	return c.n
}

type nodeCounter struct {
	x *exprCompiler
	n uint64
}

func (c *nodeCounter) Visit(node *ast.Node) {
	c.n = addSat(c.n, 1)
	if id, ok := (*node).(*ast.IdentifierNode); ok {
		if _, ok := c.x.macros[id.Value]; ok {
			c.n = addSat(c.n, c.x.macroNodes(id.Value))
		}
	}
}

// macroNodes is the size of macro name after expansion, memoised. A macro
// that cannot be measured (its text over a limit, not parsing, a loop of
// macros) counts 1: its own error is reported where it is compiled.
func (x *exprCompiler) macroNodes(name string) uint64 {
	if n, ok := x.macroSize[name]; ok {
		return n
	}
	if x.sizing[name] {
		return 1 // a loop: reported as macro_cycle
	}
	m := x.macros[name]
	if checkText(m.Expr, name, x.limits) != nil {
		x.macroSize[name] = 1
		return 1
	}
	tree, err := parser.ParseWithConfig(m.Expr.Src, x.cfg())
	if err != nil {
		x.macroSize[name] = 1
		return 1
	}
	x.sizing[name] = true
	n := x.nodesAfterExpansion(&tree.Node)
	delete(x.sizing, name)
	x.macroSize[name] = n
	return n
}

// tooManyNodes is the error of an expression over max_expr_nodes after its
// macros are expanded.
func tooManyNodes(src rules.Expr, owner string, n uint64, limit int) *rules.Error {
	size := fmt.Sprint(n)
	if n == math.MaxUint64 {
		size = "more than 18446744073709551615"
	}
	return &rules.Error{Pos: src.PosAt(0), Rule: owner, Field: src.Key, Code: rules.CodeTooComplex,
		Msg: fmt.Sprintf("expression has %s syntax-tree nodes once its macros are expanded, over the limit max_expr_nodes=%d; simplify it or its macros", size, limit)}
}
