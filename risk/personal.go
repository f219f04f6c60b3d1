package risk

import (
	"fmt"
	"sort"
	"strings"

	"cel.dev/cel-go/cel"
	celast "cel.dev/cel-go/common/ast"
	"github.com/expr-lang/expr/ast"

	"github.com/simrisk/simrisk/internal/vocab"
	"github.com/simrisk/simrisk/rules"
)

// Personal data in reasons. A reason reaches logs, case files and people
// who must not see a card's number, SIM serial or holder, so a reason
// placeholder may read msisdn, iccid and holder only as mask(NAME): the
// masked form, 138****8000. Any other read (sliced, indexed, split,
// concatenated, passed to another function, bound by let or cel.bind, or
// through a macro that reads them) is a personal_data error at the
// placeholder. A placeholder that is only {msisdn} or {iccid} means
// {mask(msisdn)} and {mask(iccid)}. Conditions may read these fields
// freely: they print nothing.

// personalFields are the vocabulary terms that hold personal data.
var personalFields = func() map[string]bool {
	m := map[string]bool{}
	for _, f := range vocab.Fields() {
		if f.Personal {
			m[f.Name] = true
		}
	}
	return m
}()

// personalError is the error of a reason placeholder that reads field
// other than through mask.
func personalError(src rules.Expr, owner, field, via string) *rules.Error {
	msg := fmt.Sprintf("a reason may print %s only as mask(%s): reasons reach logs and people who must not see personal data", field, field)
	if field == "$env" {
		msg = "a reason may not read $env: it can reach msisdn, iccid and holder unmasked"
	}
	if via != "" {
		msg = fmt.Sprintf("a reason may not print macro %q: it reads %s, which reasons may print only as mask(%s)", via, field, field)
	}
	return &rules.Error{Pos: src.PosAt(0), Rule: owner, Field: src.Key, Code: rules.CodePersonalData, Msg: msg}
}

// exprPersonalReads lists the personal fields an expr placeholder (macros
// inlined) reads other than through mask, sorted; "$env" when it reads the
// environment with a computed key.
func exprPersonalReads(root *ast.Node) []string {
	masked := map[ast.Node]bool{}
	bad := map[string]bool{}
	ast.Walk(root, visitFunc(func(n *ast.Node) {
		switch x := (*n).(type) {
		case *ast.CallNode:
			if id, ok := x.Callee.(*ast.IdentifierNode); ok && id.Value == "mask" && len(x.Arguments) == 1 {
				if arg, ok := x.Arguments[0].(*ast.IdentifierNode); ok && personalFields[arg.Value] {
					masked[arg] = true
				}
			}
		case *ast.MemberNode:
			if id, ok := x.Node.(*ast.IdentifierNode); ok && id.Value == "$env" {
				if prop, ok := x.Property.(*ast.StringNode); ok {
					masked[id] = true // a fixed name: judged by the name
					if personalFields[prop.Value] {
						bad[prop.Value] = true
					}
				}
			}
		}
	}))
	ast.Walk(root, visitFunc(func(n *ast.Node) {
		if id, ok := (*n).(*ast.IdentifierNode); ok && !masked[id] && (personalFields[id.Value] || id.Value == "$env") {
			bad[id.Value] = true
		}
	}))
	return sortedKeys(bad)
}

type visitFunc func(*ast.Node)

func (f visitFunc) Visit(n *ast.Node) { f(n) }

// celPersonalReads lists the personal fields a checked CEL placeholder reads
// other than through mask, sorted.
func celPersonalReads(a *cel.Ast) []string {
	root := a.NativeRep().Expr()
	masked := map[int64]bool{}
	bad := map[string]bool{}
	celast.PostOrderVisit(root, celast.NewExprVisitor(func(e celast.Expr) {
		if e.Kind() != celast.CallKind {
			return
		}
		c := e.AsCall()
		if c.FunctionName() == "mask" && !c.IsMemberFunction() && len(c.Args()) == 1 {
			if arg := c.Args()[0]; arg.Kind() == celast.IdentKind && personalFields[arg.AsIdent()] {
				masked[arg.ID()] = true
			}
		}
	}))
	celast.PostOrderVisit(root, celast.NewExprVisitor(func(e celast.Expr) {
		if e.Kind() == celast.IdentKind && personalFields[e.AsIdent()] && !masked[e.ID()] {
			bad[e.AsIdent()] = true
		}
	}))
	return sortedKeys(bad)
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// personalMacros finds the macros that read a personal field, directly or
// through other macros: for each, the first such field (sorted). reads are
// each macro's direct reads.
func personalMacros(reads map[string]map[string]bool) map[string]string {
	out := map[string]string{}
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(m string) string
	visit = func(m string) string {
		switch state[m] {
		case 1:
			return "" // a loop, reported elsewhere
		case 2:
			return out[m]
		}
		state[m] = 1
		var found []string
		for n := range reads[m] {
			if personalFields[n] {
				found = append(found, n)
			} else if _, ok := reads[n]; ok && n != m {
				if f := visit(n); f != "" {
					found = append(found, f)
				}
			}
		}
		state[m] = 2
		if len(found) > 0 {
			sort.Strings(found)
			out[m] = found[0]
		}
		return out[m]
	}
	for m := range reads {
		visit(m)
	}
	return out
}

// readsPersonal says whether an explained comparison's text reads a
// personal field or a macro that does: its values are withheld.
func readsPersonal(text string, macros map[string]string) bool {
	for _, w := range strings.FieldsFunc(text, func(r rune) bool {
		return !(r == '_' || r == '$' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	}) {
		if personalFields[w] || w == "$env" || macros[w] != "" {
			return true
		}
	}
	return false
}
