package backtest

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/simrisk/simrisk/risk/ref"
	"github.com/simrisk/simrisk/rules"
)

// RuleChanges is what changed from one rule set to another, as the
// analyst signs it off: parameters, lists, macros and bands by name, rules
// added and removed, and each kept rule's changed fields. Compare computes
// it from the rule sets themselves (not from their effect on cards).
type RuleChanges struct {
	Params  []Edit     // parameters added, removed or given another value
	Lists   []ListEdit // lists added, removed or with other items
	Macros  []Edit     // macros added, removed or with another condition
	Bands   []Edit     // bands by their minimum score (Name, as "50"): "level, outcome"
	Added   []RuleRef  // rules only in the candidate, in its order
	Removed []RuleRef  // rules only in the baseline, in its order
	Changed []RuleEdit // rules in both that differ, in the candidate's order
}

// Edit is one named value before and after; Before is "" for something
// added, After "" for something removed.
type Edit struct {
	Name, Before, After string
}

// ListEdit is one list's change: the items added and removed (in the
// candidate's and the baseline's order), and a changed type as an Edit of
// "type".
type ListEdit struct {
	Name           string
	Type           *Edit
	Added, Removed []string
	New, Dropped   bool // the whole list is new / gone
}

// RuleRef names a rule.
type RuleRef struct {
	ID, Title string
}

// RuleEdit is one rule's changed fields: title, when, score, outcome,
// mode, enabled, tags, reason.
type RuleEdit struct {
	RuleRef
	Fields []Edit
}

// Empty says whether nothing changed.
func (c *RuleChanges) Empty() bool {
	return c == nil || len(c.Params)+len(c.Lists)+len(c.Macros)+len(c.Bands)+len(c.Added)+len(c.Removed)+len(c.Changed) == 0
}

// Compare lists what changed from base to cand. Titles are in lang ("zh"
// or "en"; a rule without a title in it has its default title). Every
// text is masked as ref.MaskText masks (a number or ID number written in a
// rule file, in a list, a parameter, a condition, a title or a reason,
// shows as 139****5678): a report shows no full number or ID number.
func Compare(base, cand *rules.RuleSet, lang string) *RuleChanges {
	c := compare(base, cand, lang)
	mask := func(es []Edit) {
		for i := range es {
			es[i] = Edit{ref.MaskText(es[i].Name), ref.MaskText(es[i].Before), ref.MaskText(es[i].After)}
		}
	}
	maskRefs := func(rs []RuleRef) {
		for i := range rs {
			rs[i] = RuleRef{ref.MaskText(rs[i].ID), ref.MaskText(rs[i].Title)}
		}
	}
	mask(c.Params)
	mask(c.Macros)
	mask(c.Bands)
	maskRefs(c.Added)
	maskRefs(c.Removed)
	for i := range c.Lists {
		l := &c.Lists[i]
		l.Name = ref.MaskText(l.Name)
		for j := range l.Added {
			l.Added[j] = ref.MaskText(l.Added[j])
		}
		for j := range l.Removed {
			l.Removed[j] = ref.MaskText(l.Removed[j])
		}
	}
	for i := range c.Changed {
		r := &c.Changed[i]
		r.RuleRef = RuleRef{ref.MaskText(r.ID), ref.MaskText(r.Title)}
		mask(r.Fields)
	}
	return c
}

func compare(base, cand *rules.RuleSet, lang string) *RuleChanges {
	c := &RuleChanges{}
	c.Params = editsByName(base.Params, cand.Params, func(p *rules.Param) string { return p.Name },
		func(p *rules.Param) string { return paramText(p.Value) })
	c.Macros = editsByName(base.Macros, cand.Macros, func(m *rules.Macro) string { return m.Name },
		func(m *rules.Macro) string { return strings.TrimSpace(m.Expr.Src) })
	c.Bands = editsByName(base.Bands, cand.Bands, func(b *rules.Band) string { return strconv.FormatFloat(b.Min, 'g', -1, 64) },
		func(b *rules.Band) string { return b.Level.String() + ", " + b.Outcome.String() })

	bl := map[string]*rules.List{}
	for _, l := range base.Lists {
		bl[l.Name] = l
	}
	cl := map[string]bool{}
	for _, l := range cand.Lists {
		cl[l.Name] = true
		b, ok := bl[l.Name]
		if !ok {
			c.Lists = append(c.Lists, ListEdit{Name: l.Name, New: true, Added: slices.Clone(l.Items)})
			continue
		}
		e := ListEdit{Name: l.Name, Added: minus(l.Items, b.Items), Removed: minus(b.Items, l.Items)}
		if b.Type != l.Type {
			e.Type = &Edit{Name: "type", Before: string(b.Type), After: string(l.Type)}
		}
		if e.Type != nil || len(e.Added)+len(e.Removed) > 0 {
			c.Lists = append(c.Lists, e)
		}
	}
	for _, l := range base.Lists {
		if !cl[l.Name] {
			c.Lists = append(c.Lists, ListEdit{Name: l.Name, Dropped: true, Removed: slices.Clone(l.Items)})
		}
	}

	br := map[string]*rules.Rule{}
	for _, r := range base.Rules {
		br[r.ID] = r
	}
	cr := map[string]bool{}
	for _, r := range cand.Rules {
		cr[r.ID] = true
		b, ok := br[r.ID]
		if !ok {
			c.Added = append(c.Added, RuleRef{r.ID, title(r, lang)})
			continue
		}
		var f []Edit
		field := func(name, before, after string) {
			if before != after {
				f = append(f, Edit{name, before, after})
			}
		}
		field("title", title(b, lang), title(r, lang))
		field("when", strings.TrimSpace(b.When.Src), strings.TrimSpace(r.When.Src))
		field("score", strconv.FormatFloat(b.Score, 'g', -1, 64), strconv.FormatFloat(r.Score, 'g', -1, 64))
		field("outcome", b.Outcome.String(), r.Outcome.String())
		field("mode", b.Mode.String(), r.Mode.String())
		field("enabled", strconv.FormatBool(b.Enabled), strconv.FormatBool(r.Enabled))
		field("tags", strings.Join(b.Tags, ", "), strings.Join(r.Tags, ", "))
		field("reason", strings.TrimSpace(reason(b, lang)), strings.TrimSpace(reason(r, lang)))
		if len(f) > 0 {
			c.Changed = append(c.Changed, RuleEdit{RuleRef{r.ID, title(r, lang)}, f})
		}
	}
	for _, r := range base.Rules {
		if !cr[r.ID] {
			c.Removed = append(c.Removed, RuleRef{r.ID, title(r, lang)})
		}
	}
	return c
}

// editsByName compares two lists of named things by name: changed values
// in cand's order, then the removed ones.
func editsByName[T any](base, cand []T, name, value func(T) string) []Edit {
	bv := map[string]string{}
	for _, x := range base {
		bv[name(x)] = value(x)
	}
	var out []Edit
	seen := map[string]bool{}
	for _, x := range cand {
		n, v := name(x), value(x)
		seen[n] = true
		if b, ok := bv[n]; !ok || b != v {
			out = append(out, Edit{Name: n, Before: b, After: v})
		}
	}
	for _, x := range base {
		if n := name(x); !seen[n] {
			out = append(out, Edit{Name: n, Before: value(x)})
		}
	}
	return out
}

func paramText(v any) string {
	switch x := v.(type) {
	case string:
		return strconv.Quote(x)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	return fmt.Sprint(v)
}

func title(r *rules.Rule, lang string) string {
	if t, ok := r.Titles[lang]; ok {
		return t
	}
	return r.Title
}

func reason(r *rules.Rule, lang string) string {
	if x, ok := r.Reasons[lang]; ok {
		return x.Src
	}
	return r.Reason.Src
}
