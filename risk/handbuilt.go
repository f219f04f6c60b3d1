package risk

import (
	"fmt"

	"github.com/simrisk/simrisk/rules"
)

// A RuleSet built by hand (not by the loader) gets the loader's structural
// checks here, so Compile and Check never panic on it and never accept what
// a file could not say: nil entries, duplicate names, outcomes, levels,
// modes and languages out of their sets, a rule without a condition.

// handChecked returns rs without its nil entries (each one an error), and
// reports what the loader would have. A rule set with load errors was
// checked by its load: only its nil entries are dropped.
func handChecked(rs *rules.RuleSet, c *rules.Collector) *rules.RuleSet {
	cp := *rs
	nilAt := func(field string, i int) {
		c.Add(&rules.Error{Field: field, Code: rules.CodeMissingKey, Msg: fmt.Sprintf("%s[%d] is nil", field, i)})
	}
	cp.Rules = dropNil(rs.Rules, func(i int) { nilAt("rules", i) })
	cp.Bands = dropNil(rs.Bands, func(i int) { nilAt("bands", i) })
	cp.Params = dropNil(rs.Params, func(i int) { nilAt("params", i) })
	cp.Lists = dropNil(rs.Lists, func(i int) { nilAt("lists", i) })
	cp.Macros = dropNil(rs.Macros, func(i int) { nilAt("macros", i) })
	cp.Tests = dropNil(rs.Tests, func(i int) { nilAt("tests", i) })
	if rs.Err() != nil {
		return &cp
	}
	dup := func(kind, name string, pos rules.Pos, seen map[string]bool) {
		if seen[name] {
			c.Add(&rules.Error{Pos: pos, Field: kind, Code: rules.CodeDuplicate, Msg: fmt.Sprintf("a second %s named %q", kind, name)})
		}
		seen[name] = true
	}
	lang := func(l string, pos rules.Pos, owner string) {
		if l != "" && l != rules.LangExpr && l != rules.LangCEL {
			c.Add(&rules.Error{Pos: pos, Rule: owner, Field: "language", Code: rules.CodeBadLanguage,
				Msg: fmt.Sprintf("language %q is not expr or cel", l)})
		}
	}
	seen := map[string]bool{}
	for _, r := range cp.Rules {
		dup("rule", r.ID, r.Pos, seen)
		if r.Outcome < rules.Pass || r.Outcome > rules.Suspend {
			c.Add(&rules.Error{Pos: r.Pos, Rule: r.ID, Field: "outcome", Code: rules.CodeBadOutcome,
				Msg: fmt.Sprintf("%s is not pass, monitor, verify, restrict or suspend", r.Outcome)})
		}
		if r.Mode != rules.Enforce && r.Mode != rules.Shadow {
			c.Add(&rules.Error{Pos: r.Pos, Rule: r.ID, Field: "mode", Code: rules.CodeBadMode,
				Msg: fmt.Sprintf("mode(%d) is not enforce or shadow", int(r.Mode))})
		}
		lang(r.Language, r.Pos, r.ID)
		if r.When.Src == "" {
			c.Add(&rules.Error{Pos: r.Pos, Rule: r.ID, Field: "when", Code: rules.CodeMissingKey, Msg: "the rule has no condition (when)"})
		}
	}
	for _, b := range cp.Bands {
		if b.Level < rules.Low || b.Level > rules.Critical {
			c.Add(&rules.Error{Pos: b.Pos, Field: "bands", Code: rules.CodeBadLevel, Msg: fmt.Sprintf("%s is not low, medium, high or critical", b.Level)})
		}
		if b.Outcome < rules.Pass || b.Outcome > rules.Suspend {
			c.Add(&rules.Error{Pos: b.Pos, Field: "bands", Code: rules.CodeBadOutcome,
				Msg: fmt.Sprintf("%s is not pass, monitor, verify, restrict or suspend", b.Outcome)})
		}
	}
	seen = map[string]bool{}
	for _, p := range cp.Params {
		dup("parameter", p.Name, p.Pos, seen)
	}
	seen = map[string]bool{}
	for _, l := range cp.Lists {
		dup("list", l.Name, l.Pos, seen)
	}
	seen = map[string]bool{}
	for _, m := range cp.Macros {
		dup("macro", m.Name, m.Pos, seen)
		lang(m.Language, m.Pos, m.Name)
	}
	return &cp
}

func dropNil[T any](in []*T, report func(i int)) []*T {
	var out []*T
	some := false
	for i, x := range in {
		if x == nil {
			if !some {
				out, some = append([]*T(nil), in[:i]...), true
			}
			report(i)
		} else if some {
			out = append(out, x)
		}
	}
	if !some {
		return in
	}
	return out
}

// recoverCheck turns a panic anywhere in Compile or Check into an error
// entry: a bug that a hand-built rule set found must not crash the host.
func recoverCheck(c *rules.Collector) {
	if p := recover(); p != nil {
		c.Add(&rules.Error{Code: rules.CodeType,
			Msg: "the rule set could not be compiled (an internal error of the compiler; report it with the rule set)"})
	}
}
