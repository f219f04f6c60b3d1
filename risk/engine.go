package risk

import (
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/expr-lang/expr/conf"

	"github.com/simrisk/simrisk/risk/ref"
	"github.com/simrisk/simrisk/rules"
)

// Engine is a compiled rule set. It is immutable and safe for concurrent
// use: any number of goroutines may score with one Engine.
type Engine struct {
	name, version, digest string
	rules                 []*compiledRule // enabled rules, in file order
	all                   []*compiledRule // every rule, disabled ones included
	bands                 []*rules.Band
	verifyHours           int
	pool                  sync.Pool // *Scorer
}

type compiledRule struct {
	id      string
	title   string
	tags    []string
	score   float64
	outcome rules.Outcome
	shadow  bool
	enabled bool
	when    program
	reason  []tmplPart
	lang    string
}

type tmplPart struct {
	text string
	prog program // nil for plain text
}

type compileConfig struct {
	maxNodes uint
}

// CompileOption configures Compile. Options that can fail return an error
// from Compile.
type CompileOption func(*compileConfig) error

// WithMaxNodes sets the size limit of one expression in syntax-tree nodes
// (default 500). A rule over the limit is a too_complex error at its position.
func WithMaxNodes(n int) CompileOption {
	return func(c *compileConfig) error {
		if n < 1 {
			return fmt.Errorf("risk: WithMaxNodes(%d): want at least 1", n)
		}
		c.maxNodes = uint(n)
		return nil
	}
}

// DefaultVerifyHours is the verification deadline used when a rule set
// declares no verify_hours parameter.
const DefaultVerifyHours = 24

// Compile type-checks and compiles every expression of a rule set into an
// Engine. All problems are returned together as a rules.ErrorList of
// positioned errors (file:line:column, rule id, stable code); on error the
// Engine is nil. Disabled rules are checked too, but never evaluated.
func Compile(rs *rules.RuleSet, opts ...CompileOption) (*Engine, error) {
	cc := compileConfig{maxNodes: 500}
	for _, o := range opts {
		if err := o(&cc); err != nil {
			return nil, err
		}
	}
	var c rules.Collector
	e := check(rs, cc, &c)
	if errs := withSnippets(rs, c.List()); len(errs) > 0 {
		return nil, errs
	}
	return e, nil
}

// Check loads nothing and compiles nothing for use: it returns every
// problem Compile would report, for linters that already hold load errors.
func Check(rs *rules.RuleSet, opts ...CompileOption) rules.ErrorList {
	cc := compileConfig{maxNodes: 500}
	for _, o := range opts {
		_ = o(&cc)
	}
	var c rules.Collector
	check(rs, cc, &c)
	return withSnippets(rs, c.List())
}

// withSnippets adds the source line and caret to errors that lack them.
func withSnippets(rs *rules.RuleSet, errs rules.ErrorList) rules.ErrorList {
	for _, e := range errs {
		if e.Snippet == "" && e.Line > 0 {
			e.Snippet = rs.Snippet(e.Pos)
		}
	}
	return errs
}

func check(rs *rules.RuleSet, cc compileConfig, c *rules.Collector) *Engine {
	x := &exprCompiler{
		rs:       rs,
		cfg:      func() *conf.Config { return exprConfig(cc.maxNodes) },
		lists:    map[string]any{},
		macros:   map[string]*rules.Macro{},
		badMacro: map[string]bool{},
		c:        c,
	}
	top := vocabTop()
	for _, l := range rs.Lists {
		if l.Type == rules.ListRegion {
			for i, it := range l.Items {
				if rules.IsRegionCode(it) && !ref.KnownRegion(it) {
					what := "a GB/T 2260 division code of any revision since 2002"
					if len(it) == 2 {
						what = "an ISO 3166 country code"
					}
					c.Add(&rules.Error{Pos: l.ItemPos(i), Field: "items", Code: rules.CodeBadRegion,
						Msg: fmt.Sprintf("list %q: %s is not %s", l.Name, it, what)})
				}
			}
			x.lists[l.Name] = NewRegionSet(l.Items)
		} else {
			set := make(map[string]struct{}, len(l.Items))
			for _, it := range l.Items {
				set[it] = struct{}{}
			}
			x.lists[l.Name] = set
		}
	}
	for _, m := range rs.Macros {
		if top[m.Name] || reservedNames[m.Name] {
			c.Add(&rules.Error{Pos: m.Pos, Rule: m.Name, Field: "macros", Code: rules.CodeDuplicate,
				Msg: fmt.Sprintf("macro %q has the name of a vocabulary term or function; choose another", m.Name)})
			x.badMacro[m.Name] = true
			continue
		}
		x.macros[m.Name] = m
	}
	// Each macro is checked on its own, so its errors point into its own text.
	for _, m := range rs.Macros {
		if x.badMacro[m.Name] {
			continue
		}
		if _, _, errs := x.compile(m.Expr, m.Name, true, []string{m.Name}); len(errs) > 0 {
			for _, e := range errs {
				c.Add(e)
			}
			x.badMacro[m.Name] = true
		}
	}
	e := &Engine{name: rs.Name, version: rs.Version, digest: rs.Digest, verifyHours: DefaultVerifyHours}
	if p := rs.Param("verify_hours"); p != nil {
		if v, ok := p.Value.(int64); ok && v > 0 {
			e.verifyHours = int(v)
		} else {
			c.Add(&rules.Error{Pos: p.Pos, Field: "params", Code: rules.CodeBadValue,
				Msg: "parameter verify_hours (the verification deadline) must be a positive whole number of hours"})
		}
	}
	if len(rs.Bands) == 0 {
		file := ""
		if len(rs.Files) > 0 {
			file = rs.Files[0]
		}
		c.Add(&rules.Error{Pos: rules.Pos{File: file}, Field: "bands", Code: rules.CodeMissingKey,
			Msg: "the rule set has no score bands; one file must give bands (score -> level -> minimum outcome)"})
	}
	e.bands = rs.Bands
	for _, r := range rs.Rules {
		cr := &compiledRule{id: r.ID, title: r.Title, tags: r.Tags, score: r.Score, outcome: r.Outcome,
			shadow: r.Mode == rules.Shadow, enabled: r.Enabled, lang: r.Language}
		if cr.tags == nil {
			cr.tags = []string{}
		}
		if r.Language == rules.LangCEL {
			c.Add(&rules.Error{Pos: r.Pos, Rule: r.ID, Field: "language", Code: rules.CodeBadLanguage,
				Msg: "CEL rules are not supported by this version of simrisk yet; write the rule in expr"})
			continue
		}
		if r.When.Src == "" && r.When.Pos.Line == 0 {
			continue // reported by the loader
		}
		prog, _, errs := x.compile(r.When, r.ID, true, nil)
		for _, er := range errs {
			c.Add(er)
		}
		cr.when = prog
		if r.Reason.Src != "" {
			parts, errs := x.template(r.Reason, r.ID)
			for _, er := range errs {
				c.Add(er)
			}
			cr.reason = parts
		}
		e.all = append(e.all, cr)
		if cr.enabled && cr.when != nil {
			e.rules = append(e.rules, cr)
		}
	}
	return e
}

// personalNames may not be printed by a reason template.
var personalNames = map[string]bool{"holder": true}

// template compiles a reason: text with {expression} placeholders; {{ and }}
// stand for literal braces.
func (x *exprCompiler) template(src rules.Expr, owner string) ([]tmplPart, []*rules.Error) {
	var parts []tmplPart
	var errs []*rules.Error
	s := src.Src
	var text strings.Builder
	runeOff := func(byteOff int) int { return utf8.RuneCountInString(s[:byteOff]) }
	for i := 0; i < len(s); {
		switch {
		case strings.HasPrefix(s[i:], "{{"):
			text.WriteByte('{')
			i += 2
		case strings.HasPrefix(s[i:], "}}"):
			text.WriteByte('}')
			i += 2
		case s[i] == '}':
			errs = append(errs, &rules.Error{Pos: src.PosAt(runeOff(i)), Rule: owner, Field: src.Key, Code: rules.CodeBadTemplate,
				Msg: "a } with no { before it (write }} for a literal brace)"})
			i++
		case s[i] == '{':
			end := strings.IndexByte(s[i+1:], '}')
			if end < 0 {
				errs = append(errs, &rules.Error{Pos: src.PosAt(runeOff(i)), Rule: owner, Field: src.Key, Code: rules.CodeBadTemplate,
					Msg: "a { that is never closed (write {{ for a literal brace)"})
				i = len(s)
				continue
			}
			if text.Len() > 0 {
				parts = append(parts, tmplPart{text: text.String()})
				text.Reset()
			}
			inner := s[i+1 : i+1+end]
			sub := subExpr(src, runeOff(i+1), inner)
			if strings.TrimSpace(inner) == "" {
				errs = append(errs, &rules.Error{Pos: sub.Pos, Rule: owner, Field: src.Key, Code: rules.CodeBadTemplate,
					Msg: "an empty {} placeholder"})
			} else {
				prog, used, es := x.compile(sub, owner, false, nil)
				errs = append(errs, es...)
				for n := range used {
					if personalNames[n] {
						errs = append(errs, &rules.Error{Pos: sub.Pos, Rule: owner, Field: src.Key, Code: rules.CodePersonalData,
							Msg: fmt.Sprintf("a reason may not print %s: reasons reach logs and people who must not see personal data", n)})
					}
				}
				if prog != nil {
					parts = append(parts, tmplPart{text: inner, prog: prog})
				}
			}
			i += end + 2
		default:
			_, size := utf8.DecodeRuneInString(s[i:])
			text.WriteString(s[i : i+size])
			i += size
		}
	}
	if text.Len() > 0 {
		parts = append(parts, tmplPart{text: text.String()})
	}
	return parts, errs
}

// subExpr is the part of a template at rune offset off, positioned.
func subExpr(e rules.Expr, off int, src string) rules.Expr {
	return rules.SubExpr(e, off, src)
}

// Name is the rule set's name.
func (e *Engine) Name() string { return e.name }

// Version is the rule set's version.
func (e *Engine) Version() string { return e.version }

// Digest identifies the rule set's exact contents; every Decision carries it.
func (e *Engine) Digest() string { return e.digest }

// RuleInfo describes one compiled rule.
type RuleInfo struct {
	ID      string
	Title   string
	Tags    []string
	Score   float64
	Outcome rules.Outcome
	Shadow  bool
	Enabled bool
}

// Rules lists the rule set's rules in order, disabled ones included.
func (e *Engine) Rules() []RuleInfo {
	out := make([]RuleInfo, len(e.all))
	for i, r := range e.all {
		out[i] = RuleInfo{ID: r.id, Title: r.title, Tags: append([]string(nil), r.tags...), Score: r.score,
			Outcome: r.outcome, Shadow: r.shadow, Enabled: r.enabled}
	}
	return out
}
