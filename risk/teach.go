package risk

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/expr-lang/expr/builtin"

	"github.com/simrisk/simrisk/internal/suggest"
	"github.com/simrisk/simrisk/internal/vocab"
	"github.com/simrisk/simrisk/rules"
)

// This file holds what lint says to teach, shared by both languages: the
// "did you mean" of an unknown name, the message for an unknown function,
// and the pointer from a type error to a quoted parameter's definition.

// unknownNameMsg is the message for a name the checker does not know: a
// call of a function that does not exist ("unknown function"), or a name
// that is no field, derived value, population feature or macro, each with
// the nearest known name when one is close. builtins are the language's
// own functions.
func unknownNameMsg(rs *rules.RuleSet, name string, call bool, builtins []string) string {
	if call {
		names := domainFunctionNames()
		names = append(names, builtins...)
		msg := fmt.Sprintf("unknown function %s: not a function of simrisk or of the language", name)
		if near := suggest.Nearest(name, names); near != "" {
			msg += fmt.Sprintf("; did you mean %s?", near)
		}
		return msg
	}
	msg := fmt.Sprintf("%s is not a field, derived value, population feature or macro", name)
	if rs != nil {
		for _, p := range rs.Params {
			if p.Name == name { // a parameter written without its prefix
				return msg + fmt.Sprintf("; did you mean params.%s?", name)
			}
		}
		for _, l := range rs.Lists {
			if l.Name == name {
				return msg + fmt.Sprintf("; did you mean lists.%s?", name)
			}
		}
	}
	if near := suggest.Nearest(name, knownNames(rs)); near != "" {
		msg += fmt.Sprintf("; did you mean %s?", near)
	}
	return msg
}

// undeclaredMsg is the message for params.NAME or lists.NAME (what is
// "params" or "lists") that the rule set does not declare, with the
// nearest declared name when one is close.
func undeclaredMsg(rs *rules.RuleSet, what, name string) string {
	var names []string
	noun := "parameter"
	if what == "lists" {
		noun = "list"
		if rs != nil {
			for _, l := range rs.Lists {
				names = append(names, l.Name)
			}
		}
	} else if rs != nil {
		for _, p := range rs.Params {
			names = append(names, p.Name)
		}
	}
	msg := fmt.Sprintf("%s %q is not declared under %s", noun, name, what)
	if near := suggest.Nearest(name, names); near != "" {
		msg += fmt.Sprintf("; did you mean %s.%s?", what, near)
	}
	return msg
}

// knownNames are the names an expression may read: the vocabulary (pop.X
// and iot.X in full), and the rule set's macros.
func knownNames(rs *rules.RuleSet) []string {
	names := make([]string, 0, len(vocabulary)+8)
	for _, t := range vocabulary {
		names = append(names, t.Name)
	}
	if rs != nil {
		for _, m := range rs.Macros {
			names = append(names, m.Name)
		}
	}
	return names
}

// domainFunctionNames are simrisk's own functions, by name.
func domainFunctionNames() []string {
	var names []string
	for _, f := range vocab.Funcs() {
		names = append(names, f.Name)
	}
	return names
}

// exprBuiltinNames are expr's built-in functions, by name.
var exprBuiltinNames = func() []string {
	names := make([]string, 0, len(builtin.Builtins))
	for _, f := range builtin.Builtins {
		if f.Name != "" && !strings.HasPrefix(f.Name, "$") {
			names = append(names, f.Name)
		}
	}
	return names
}()

// calledAt says whether the name starting at rune offset off of src is
// called: followed (after blanks) by "(".
func calledAt(src string, off int, name string) bool {
	rs := []rune(src)
	if off < 0 || off > len(rs) {
		return false
	}
	rest := string(rs[off:])
	if !strings.HasPrefix(rest, name) {
		// the position may be at the "(" itself or past the name
		i := strings.Index(rest, "(")
		return i >= 0 && strings.TrimSpace(rest[:i]) == ""
	}
	rest = strings.TrimLeft(rest[len(name):], " \t\r\n")
	return strings.HasPrefix(rest, "(")
}

var paramUseRE = regexp.MustCompile(`\bparams\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)`)

// quotedParamHint is what a type error adds when the expression src reads
// a parameter whose value is a text: where that parameter is declared, and
// that a number in quotes is a text ("7" is not 7). It is "" when src reads
// no such parameter, or when msg is no mismatch involving a string.
func quotedParamHint(rs *rules.RuleSet, src, msg string) string {
	if rs == nil || !strings.Contains(msg, "string") {
		return ""
	}
	var parts []string
	var seen []string
	for _, m := range paramUseRE.FindAllStringSubmatch(src, -1) {
		p := rs.Param(m[1])
		if p == nil || slices.Contains(seen, p.Name) {
			continue
		}
		seen = append(seen, p.Name)
		s, ok := p.Value.(string)
		if !ok {
			continue
		}
		part := fmt.Sprintf("params.%s is the text %q (declared at %s)", p.Name, s, p.Pos)
		if _, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil {
			part += fmt.Sprintf("; write it without quotes (%s: %s) to make it a number", p.Name, strings.TrimSpace(s))
		}
		parts = append(parts, part)
	}
	if len(parts) == 0 {
		return ""
	}
	return ": " + strings.Join(parts, "; ")
}
