package risk

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/simrisk/simrisk/rules"
)

// Lint returns every problem Check reports, then lint's warnings
// (Severity rules.SeverityWarning): parameters, lists and macros that
// nothing uses, and conditions that can never hold because comparisons
// joined by && leave no value (alerts_30d <= 7 && alerts_30d > 30, with
// parameters read as their values). Warnings do not keep a rule set from
// compiling. The warnings are sorted by position; errors come first, as
// Check gives them.
func Lint(rs *rules.RuleSet, opts ...CompileOption) rules.ErrorList {
	errs := Check(rs, opts...)
	if rs == nil {
		return errs
	}
	warns := withSnippets(rs, lintWarnings(rs))
	warns.Sort()
	return append(errs, warns...)
}

// lintWarnings finds unused parameters, lists and macros, and conditions
// that never hold.
func lintWarnings(rs *rules.RuleSet) rules.ErrorList {
	var out rules.ErrorList
	warn := func(pos rules.Pos, owner, field string, code rules.Code, format string, args ...any) {
		out = append(out, &rules.Error{Pos: pos, Rule: owner, Field: field, Code: code,
			Msg: fmt.Sprintf(format, args...), Severity: rules.SeverityWarning})
	}

	// what each expression reads: from rules (conditions and every
	// language's reason) and macros
	params, lists := map[string]bool{}, map[string]bool{}
	macroUsers := map[string]int{} // macro -> uses outside its own body
	scan := func(src, self string) {
		for _, t := range lintTokens(src) {
			switch {
			case t.kind != tokIdent:
			case strings.HasPrefix(t.text, "params."):
				params[strings.TrimPrefix(t.text, "params.")] = true
			case strings.HasPrefix(t.text, "lists."):
				lists[strings.TrimPrefix(t.text, "lists.")] = true
			case t.text != self && !t.member:
				name, _, _ := strings.Cut(t.text, ".")
				macroUsers[name]++
			}
		}
	}
	for _, r := range rs.Rules {
		if r == nil {
			continue
		}
		scan(r.When.Src, "")
		for _, reason := range reasonsOf(r) {
			for _, ph := range placeholders(reason.Src) {
				scan(ph, "")
			}
		}
	}
	for _, m := range rs.Macros {
		if m != nil {
			scan(m.Expr.Src, m.Name)
		}
	}
	for _, p := range rs.Params {
		if p == nil || params[p.Name] || p.Name == "verify_hours" { // the engine reads verify_hours for deadlines
			continue
		}
		warn(p.Pos, "", "params", rules.CodeUnusedParam, "parameter %q is not used by any rule, reason or macro", p.Name)
	}
	for _, l := range rs.Lists {
		if l == nil || lists[l.Name] {
			continue
		}
		warn(l.Pos, "", "lists", rules.CodeUnusedList, "list %q is not used by any rule, reason or macro", l.Name)
	}
	for _, m := range rs.Macros {
		if m == nil || macroUsers[m.Name] > 0 {
			continue
		}
		warn(m.Pos, "", "macros", rules.CodeUnusedMacro, "macro %q is not used by any rule, reason or other macro", m.Name)
	}

	// conditions that can never hold
	for _, r := range rs.Rules {
		if r != nil {
			if w := neverHolds(rs, r.When); w != nil {
				warn(r.When.PosAt(w.off), r.ID, "when", rules.CodeNeverHolds, "%s", w.msg)
			}
		}
	}
	for _, m := range rs.Macros {
		if m != nil {
			if w := neverHolds(rs, m.Expr); w != nil {
				warn(m.Expr.PosAt(w.off), m.Name, "when", rules.CodeNeverHolds, "%s", w.msg)
			}
		}
	}
	return out
}

// reasonsOf is every reason template of r, in every language it gives.
func reasonsOf(r *rules.Rule) []rules.Expr {
	out := []rules.Expr{r.Reason}
	for _, lang := range rules.Languages() {
		if e, ok := r.Reasons[lang]; ok {
			out = append(out, e)
		}
	}
	return out
}

// placeholders are the expressions inside a reason template's {...}, as
// template reads them ({{ and }} are literal braces).
func placeholders(s string) []string {
	var out []string
	for i := 0; i < len(s); {
		switch {
		case strings.HasPrefix(s[i:], "{{"), strings.HasPrefix(s[i:], "}}"):
			i += 2
		case s[i] == '{':
			end := strings.IndexByte(s[i+1:], '}')
			if end < 0 {
				return out
			}
			out = append(out, s[i+1:i+1+end])
			i += end + 2
		default:
			i++
		}
	}
	return out
}

type tokKind uint8

const (
	tokIdent  tokKind = iota + 1 // a name, with .field parts joined: pop.cards_total, params.x
	tokNumber                    // 12, 1.5
	tokString                    // a quoted text (its content is not kept)
	tokOp                        // an operator or punctuation: && || <= ( ) ...
)

// token is one lexical token of an expression, in either language (the
// subset lint needs: both languages write names, numbers, texts and
// operators alike).
type token struct {
	kind   tokKind
	text   string
	off    int  // rune offset in the expression
	member bool // an identifier after a "." (a field of something else: r.region, .days_ago)
}

// lintTokens splits an expression into tokens; what it does not know
// becomes a one-character operator token.
func lintTokens(src string) []token {
	var out []token
	rs := []rune(src)
	for i := 0; i < len(rs); {
		c := rs[i]
		switch {
		case unicode.IsSpace(c):
			i++
		case c == '"' || c == '\'' || c == '`':
			j := i + 1
			for j < len(rs) && rs[j] != c {
				if rs[j] == '\\' && c != '`' {
					j++
				}
				j++
			}
			out = append(out, token{kind: tokString, off: i})
			i = j + 1
		case c == '_' || unicode.IsLetter(c):
			j := i
			for j < len(rs) && (rs[j] == '_' || unicode.IsLetter(rs[j]) || unicode.IsDigit(rs[j]) ||
				(rs[j] == '.' && j+1 < len(rs) && (rs[j+1] == '_' || unicode.IsLetter(rs[j+1])))) {
				j++
			}
			member := i > 0 && rs[i-1] == '.'
			out = append(out, token{kind: tokIdent, text: string(rs[i:j]), off: i, member: member})
			i = j
		case unicode.IsDigit(c):
			j := i
			for j < len(rs) && (unicode.IsDigit(rs[j]) || rs[j] == '.' || rs[j] == '_' || rs[j] == 'e' || rs[j] == 'E' ||
				((rs[j] == '+' || rs[j] == '-') && (rs[j-1] == 'e' || rs[j-1] == 'E'))) {
				j++
			}
			out = append(out, token{kind: tokNumber, text: string(rs[i:j]), off: i})
			i = j
		default:
			op := string(c)
			if i+1 < len(rs) {
				if two := string(rs[i : i+2]); two == "&&" || two == "||" || two == "<=" || two == ">=" || two == "==" || two == "!=" {
					op = two
				}
			}
			out = append(out, token{kind: tokOp, text: op, off: i})
			i += utf8.RuneCountInString(op)
		}
	}
	return out
}

// bound is what the comparisons seen so far allow of one integer value:
// lo <= x <= hi, with the comparison that set each end.
type bound struct {
	lo, hi     float64
	loBy, hiBy string
}

type neverWarning struct {
	off int
	msg string
}

// neverHolds finds, in the conjunction at the top of e (parenthesised
// conjunctions included), two comparisons of one whole-number vocabulary
// term with constants (numbers, or parameters read as their values) that
// no value satisfies together. It looks no further: comparisons under ||,
// !, a function or a macro are not combined.
func neverHolds(rs *rules.RuleSet, e rules.Expr) *neverWarning {
	toks := lintTokens(e.Src)
	for _, t := range toks {
		if t.kind == tokIdent && (t.text == "let" || t.text == "or" || t.text == "not") {
			return nil // expr's word operators and let: not worth a second grammar
		}
	}
	bounds := map[string]*bound{}
	for _, c := range conjuncts(toks) {
		name, op, val, text, ok := comparison(rs, c)
		if !ok {
			continue
		}
		b := bounds[name]
		if b == nil {
			b = &bound{lo: math.Inf(-1), hi: math.Inf(1)}
			bounds[name] = b
		}
		// whole numbers: x > 7.5 is x >= 8, x < 7 is x <= 6
		lo, hi := math.Inf(-1), math.Inf(1)
		switch op {
		case ">":
			lo = math.Floor(val) + 1
		case ">=":
			lo = math.Ceil(val)
		case "<":
			hi = math.Ceil(val) - 1
		case "<=":
			hi = math.Floor(val)
		case "==":
			lo, hi = val, val
			if val != math.Trunc(val) {
				lo, hi = 1, 0 // a whole number never equals 7.5
			}
		default:
			continue
		}
		if lo > b.lo {
			b.lo, b.loBy = lo, text
		}
		if hi < b.hi {
			b.hi, b.hiBy = hi, text
		}
		if b.lo > b.hi {
			other := b.loBy
			if other == text {
				other = b.hiBy
			}
			msg := fmt.Sprintf("this condition can never hold: %s and %s cannot both be true", other, text)
			if other == text {
				msg = fmt.Sprintf("this condition can never hold: no whole number makes %s true", text)
			}
			return &neverWarning{off: c[0].off, msg: msg}
		}
	}
	return nil
}

// conjuncts splits toks at the && (and "and") of its top level; a conjunct
// that is a parenthesised conjunction is split too.
func conjuncts(toks []token) [][]token {
	var out [][]token
	depth, start := 0, 0
	for i, t := range toks {
		if t.kind == tokOp {
			switch t.text {
			case "(", "[", "{":
				depth++
			case ")", "]", "}":
				depth--
			case "||", "?", ":", ";":
				if depth == 0 {
					return nil // not a plain conjunction
				}
			}
		}
		if depth == 0 && (t.kind == tokOp && t.text == "&&" || t.kind == tokIdent && t.text == "and") {
			out = append(out, toks[start:i])
			start = i + 1
		}
	}
	out = append(out, toks[start:])
	var flat [][]token
	for _, c := range out {
		if len(c) >= 2 && c[0].kind == tokOp && c[0].text == "(" && c[len(c)-1].kind == tokOp && c[len(c)-1].text == ")" && closes(c) {
			flat = append(flat, conjuncts(c[1:len(c)-1])...)
			continue
		}
		flat = append(flat, c)
	}
	return flat
}

// closes says whether the "(" that opens c is closed by its last token.
func closes(c []token) bool {
	depth := 0
	for i, t := range c {
		if t.kind != tokOp {
			continue
		}
		switch t.text {
		case "(", "[", "{":
			depth++
		case ")", "]", "}":
			depth--
			if depth == 0 && i < len(c)-1 {
				return false
			}
		}
	}
	return true
}

// comparison reads c as TERM OP CONSTANT or CONSTANT OP TERM, where TERM
// is a whole-number vocabulary term; op is given with TERM on the left.
func comparison(rs *rules.RuleSet, c []token) (name, op string, val float64, text string, ok bool) {
	if len(c) < 3 || len(c) > 4 {
		return
	}
	// a negative constant: "-" NUMBER
	var l, r []token
	var opTok token
	for i, t := range c {
		if t.kind == tokOp && (t.text == "<" || t.text == "<=" || t.text == ">" || t.text == ">=" || t.text == "==") {
			l, r, opTok = c[:i], c[i+1:], t
			break
		}
	}
	if opTok.text == "" {
		return
	}
	op = opTok.text
	if ln, lok := intTerm(l); lok {
		v, vtext, vok := constant(rs, r)
		if !vok {
			return
		}
		return ln, op, v, ln + " " + op + " " + vtext, true
	}
	if rn, rok := intTerm(r); rok {
		v, vtext, vok := constant(rs, l)
		if !vok {
			return
		}
		text = vtext + " " + op + " " + rn
		switch op { // c OP x is x OP' c
		case "<":
			op = ">"
		case "<=":
			op = ">="
		case ">":
			op = "<"
		case ">=":
			op = "<="
		}
		return rn, op, v, text, true
	}
	return
}

// intTerm says whether ts is one whole-number vocabulary term.
func intTerm(ts []token) (string, bool) {
	if len(ts) != 1 || ts[0].kind != tokIdent || ts[0].member {
		return "", false
	}
	for _, t := range vocabulary {
		if t.Name == ts[0].text {
			return t.Name, t.Type == "int"
		}
	}
	return "", false
}

// constant reads ts as a number, a negative number or params.NAME of a
// numeric parameter; text is how the warning shows it.
func constant(rs *rules.RuleSet, ts []token) (float64, string, bool) {
	neg := len(ts) == 2 && ts[0].kind == tokOp && ts[0].text == "-"
	if neg {
		ts = ts[1:]
	}
	if len(ts) != 1 {
		return 0, "", false
	}
	sign := 1.0
	prefix := ""
	if neg {
		sign, prefix = -1, "-"
	}
	switch t := ts[0]; {
	case t.kind == tokNumber:
		v, err := strconv.ParseFloat(strings.ReplaceAll(t.text, "_", ""), 64)
		return sign * v, prefix + t.text, err == nil
	case t.kind == tokIdent && strings.HasPrefix(t.text, "params."):
		p := rs.Param(strings.TrimPrefix(t.text, "params."))
		if p == nil {
			return 0, "", false
		}
		var v float64
		switch x := p.Value.(type) {
		case int64:
			v = float64(x)
		case float64:
			v = x
		default:
			return 0, "", false
		}
		return sign * v, fmt.Sprintf("%s%s (%v)", prefix, t.text, p.Value), true
	}
	return 0, "", false
}
