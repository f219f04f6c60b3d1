package risk

import "strings"

// The plan: the order in which a Scorer tests the enabled rules of an
// Engine on a card.
//
// Rules are tested in file order (hits come out in that order), but a
// leading conjunct that consecutive rules share is tested once: every rule
// of the default pack starts with `valid`, the four IoT rules with
// `iot_scope`, the two recycled-number rules with `recycled`, so a mobile
// card that is not recycled skips those six rules after three tests. Only
// compiled conditions take part: they read nothing but the card and cannot
// fail, so testing a shared conjunct once gives the answer testing it in
// each rule would. A rule on a reference evaluator is tested on its own,
// whole; a rule whose parameters switch it off (a conjunct folded to false)
// is not tested at all.

// step is one step of a plan. When its conjuncts hold (all of them; none
// means true), the rule (nil for a guard) is fired and the plan goes on
// with the next step; when they do not, the plan jumps to skip. Scorers run
// the plan as branch code (branch.go).
type step struct {
	conds []conj
	rule  *compiledRule
	// prog, when set, decides the rule instead of cond (which is then nil):
	// a rule on a reference evaluator, or a CEL rule's conjuncts from the
	// first that may fail on (integer overflow, CEL's && rules on errors)
	prog program
	skip int32
}

type planItem struct {
	rule *compiledRule
	rest []conj // conjuncts not yet tested; nil when prog is set
	prog program
}

// buildPlan plans the enabled rules rs (in file order). keys are the
// guards' conjuncts, by step, for describe.
func buildPlan(rs []*compiledRule) (steps []step, keys []string) {
	items := make([]planItem, 0, len(rs))
next:
	for _, cr := range rs {
		var cs []conj
		switch p := cr.when.(type) {
		case closureProgram:
			cs = p.conj
		case celClosureProgram:
			cs = p.conj
		}
		if len(cs) == 0 {
			items = append(items, planItem{rule: cr, prog: cr.when})
			continue
		}
		var rest []conj
		for _, c := range cs {
			if c.k {
				if !c.b(nil) {
					continue next // switched off by its parameters
				}
				continue // always true
			}
			rest = append(rest, c)
		}
		// the conjuncts from the first that may fail on run as one program
		for i, c := range rest {
			if c.fails {
				f, _ := celAndAll(rest[i:])
				items = append(items, planItem{rule: cr, rest: rest[:i], prog: celClosureProgram{f: f}})
				continue next
			}
		}
		items = append(items, planItem{rule: cr, rest: rest})
	}
	planItems(items, &steps, &keys)
	return steps, keys
}

func planItems(items []planItem, steps *[]step, keys *[]string) {
	shares := func(a, b planItem) bool {
		return len(a.rest) > 0 && len(b.rest) > 0 && a.rest[0].key == b.rest[0].key
	}
	for i := 0; i < len(items); {
		it := items[i]
		j := i + 1
		for j < len(items) && shares(it, items[j]) {
			j++
		}
		if j-i >= 2 {
			// a guard over items[i:j], then their other conjuncts
			g := len(*steps)
			*steps = append(*steps, step{conds: it.rest[:1]})
			*keys = append(*keys, it.rest[0].key)
			sub := make([]planItem, j-i)
			for k, x := range items[i:j] {
				sub[k] = planItem{rule: x.rule, rest: x.rest[1:], prog: x.prog}
			}
			planItems(sub, steps, keys)
			(*steps)[g].skip = int32(len(*steps))
			i = j
			continue
		}
		if it.prog != nil && len(it.rest) > 0 {
			// the safe conjuncts guard the program
			*steps = append(*steps, step{conds: it.rest, skip: int32(len(*steps) + 2)})
			*keys = append(*keys, it.rest[0].key)
			it.rest = nil
		}
		st := step{conds: it.rest, rule: it.rule, prog: it.prog, skip: int32(len(*steps) + 1)}
		*steps = append(*steps, st)
		*keys = append(*keys, "")
		i++
	}
}

// describe writes a plan as text, one step a line, a guard's rules indented
// under it: for tests and for debugging a pack's plan.
func describe(plan []step, keys []string) string {
	var b strings.Builder
	var ends []int32 // the skip of each open guard
	for i, st := range plan {
		for len(ends) > 0 && ends[len(ends)-1] <= int32(i) {
			ends = ends[:len(ends)-1]
		}
		b.WriteString(strings.Repeat("  ", len(ends)))
		if st.rule == nil {
			b.WriteString("if " + keys[i] + "\n")
			ends = append(ends, st.skip)
			continue
		}
		b.WriteString(st.rule.id)
		switch st.prog.(type) {
		case nil:
		case celClosureProgram:
			b.WriteString(" (checked arithmetic)")
		default:
			b.WriteString(" (reference evaluator)")
		}
		b.WriteString("\n")
	}
	return b.String()
}
