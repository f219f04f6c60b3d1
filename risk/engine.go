package risk

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/expr-lang/expr/conf"

	"github.com/simrisk/simrisk/risk/ref"
	"github.com/simrisk/simrisk/rules"
)

// Engine is a compiled rule set. It is immutable and safe for concurrent
// use: any number of goroutines may score with one Engine.
type Engine struct {
	name, version, digest string
	lang                  string          // of titles and reasons (WithLanguage)
	rules                 []*compiledRule // enabled rules, in file order
	plan                  []step          // how a card is tested against rules (plan.go)
	planKeys              []string        // the plan's guards, by step
	code                  []inst          // the plan as branch code (branch.go)
	all                   []*compiledRule // every rule, disabled ones included
	bands                 []*rules.Band
	bandTab               []band // the bands, flat, for scoring
	band0                 band   // the band of score 0: of a card no rule fires on
	verifyHours           int
	pool                  sync.Pool          // *Scorer
	celMacros             []program          // CEL macros, evaluated once per card on first use
	celMacroIdx           map[string]int     // CEL macro name -> index
	exprMacros            map[string]program // expr macros on their own, for Explain
	personalMacros        map[string]string  // macros that read personal data -> the field, withheld by Explain
	maxReason             int                // max_rendered_reason_bytes
	packCost              uint64             // the sum of the rules' cost estimates (max_pack_cost)
	vmBudget              uint               // expr's VM memory budget per run of a rule: max_cost
}

type band struct {
	Min     float64
	Level   rules.Level
	Outcome rules.Outcome
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
	// fallback names the evaluator the condition runs on when it could not
	// be compiled to closures; empty for compiled rules.
	fallback string
	// why is what kept the condition on the reference evaluator, and
	// where (nil when compiling was not tried: WithReferenceEvaluator)
	why *fallbackNote
	// for Explain: the names the condition reads (vocabulary terms and
	// macros), and its int comparisons
	reads  []string
	probes []probe
	// fast is the condition's closure when it compiled to one (no interface
	// call, no boxing of the result)
	fast boolFn
}

type tmplPart struct {
	text string
	prog program  // nil for plain text
	app  appendFn // for compiled placeholders: appends the value, unboxed
	num  intFn    // for compiled int placeholders: the value (render writes it as app would)
	// of plain text: how many of its digits a number spelled across parts
	// may hold (spanDigits; render)
	digits int
}

// finishTemplate readies compiled reason parts for rendering: constant
// placeholders become text, neighbouring texts are joined, and compiled
// placeholders get their append function.
func finishTemplate(parts []tmplPart) []tmplPart {
	var out []tmplPart
	for _, p := range parts {
		switch x := p.prog.(type) {
		case constProgram:
			p = tmplPart{text: string(appendValue(nil, x.v))}
		case loweredProgram:
			p.app = x.appendFn()
			if l := x.x; l.a == nil && !l.isBool() && l.i != nil {
				p.num = l.i
			}
		}
		if n := len(out); p.prog == nil && n > 0 && out[n-1].prog == nil {
			out[n-1].text += p.text
			continue
		}
		out = append(out, p)
	}
	for i := range out {
		if out[i].prog == nil {
			out[i].digits = spanDigits(spanOf([]byte(out[i].text)))
		}
	}
	return out
}

type compileConfig struct {
	lang         string
	reference    bool
	limits       rules.Limits
	maxCELSize   int
	celCostLimit uint64 // 0: limits.MaxCost
	runBudget    uint64 // the run-time budget; 0: the limit the estimate is checked against (tests lower it)
}

func defaultCompileConfig() compileConfig {
	return compileConfig{lang: rules.LangZh, limits: rules.DefaultLimits(), maxCELSize: 4000}
}

// CompileOption configures Compile and Check. An option with a bad value is
// a bad_option error (rules.CodeBadOption) from both.
type CompileOption func(*compileConfig) error

// applyOptions applies opts in order to cc and returns a bad_option error,
// with no position, for each that fails; a failing option leaves cc as it
// was.
func applyOptions(cc *compileConfig, opts []CompileOption) rules.ErrorList {
	var errs rules.ErrorList
	for i, o := range opts {
		if o == nil {
			errs = append(errs, &rules.Error{Code: rules.CodeBadOption, Msg: fmt.Sprintf("risk: compile option %d of %d is nil", i+1, len(opts))})
			continue
		}
		if err := o(cc); err != nil {
			errs = append(errs, &rules.Error{Code: rules.CodeBadOption, Msg: err.Error()})
		}
	}
	return errs
}

// WithMaxNodes sets the size limit of one expression in syntax-tree nodes,
// counted after its macros are expanded (default 500): the MaxExprNodes of
// the limits (WithLimits). A rule over the limit is a too_complex error at
// its position.
func WithMaxNodes(n int) CompileOption {
	return func(c *compileConfig) error {
		if n < 1 {
			return fmt.Errorf("risk: WithMaxNodes(%d): want at least 1", n)
		}
		c.limits.MaxExprNodes = n
		return nil
	}
}

// WithLanguage chooses the language of rule titles and reasons: "zh"
// (Chinese, the default) or "en". A rule that gives no text in that
// language uses its default one.
func WithLanguage(lang string) CompileOption {
	return func(c *compileConfig) error {
		if !slices.Contains(rules.Languages(), lang) {
			return fmt.Errorf("risk: WithLanguage(%q): want one of %s", lang, strings.Join(rules.Languages(), ", "))
		}
		c.lang = lang
		return nil
	}
}

// WithReferenceEvaluator compiles every expression for the reference
// evaluators (expr's VM, cel-go's interpreter) instead of the compiled
// evaluator. Decisions are the same; it is slower. For debugging and for
// differential tests.
func WithReferenceEvaluator() CompileOption {
	return func(c *compileConfig) error { c.reference = true; return nil }
}

// WithCELCostLimit sets the cost limit of one CEL expression, in cel-go's
// cost units (default: the max_cost limit, 1,000,000; see WithLimits):
// estimated at load with cel-go's estimator (a rule over it is a too_costly
// error at its position) and enforced at run time.
func WithCELCostLimit(n uint64) CompileOption {
	return func(c *compileConfig) error {
		if n < 1 {
			return fmt.Errorf("risk: WithCELCostLimit(%d): want at least 1", n)
		}
		c.celCostLimit = n
		return nil
	}
}

// WithMaxCELSize sets the longest CEL expression, in characters (default 4,000).
func WithMaxCELSize(n int) CompileOption {
	return func(c *compileConfig) error {
		if n < 1 {
			return fmt.Errorf("risk: WithMaxCELSize(%d): want at least 1", n)
		}
		c.maxCELSize = n
		return nil
	}
}

// DefaultVerifyHours is the verification deadline used when a rule set
// declares no verify_hours parameter.
const DefaultVerifyHours = 24

// MaxVerifyHours is the largest verify_hours parameter a rule set may
// declare: a year of hours.
const MaxVerifyHours = 8760

// Compile type-checks and compiles every expression of a rule set into an
// Engine. All problems are returned together as a rules.ErrorList of
// positioned errors (file:line:column, rule id, stable code); on error the
// Engine is nil. Disabled rules are checked too, but never evaluated. Options
// with bad values are bad_option errors without a position, returned before
// any expression is compiled.
//
// A RuleSet whose load reported errors (rs.Err() != nil) is not compiled:
// Compile returns those errors. What such a set holds is only what could be
// read (a rule without its outcome would score as pass); Check still checks
// its expressions for a linter.
func Compile(rs *rules.RuleSet, opts ...CompileOption) (*Engine, error) {
	if rs == nil {
		return nil, nilRuleSet()
	}
	if err := rs.Err(); err != nil {
		return nil, err
	}
	cc := defaultCompileConfig()
	cc.limits = rs.Limits() // the limits it was loaded with, unless WithLimits says otherwise
	if errs := applyOptions(&cc, opts); len(errs) > 0 {
		return nil, errs
	}
	var c rules.Collector
	e := checkSafe(rs, cc, &c)
	if errs := withSnippets(rs, c.List()); len(errs) > 0 {
		return nil, errs
	}
	return e, nil
}

func nilRuleSet() rules.ErrorList {
	return rules.ErrorList{{Code: rules.CodeMissingKey, Msg: "no rule set (nil)"}}
}

// checkSafe is check of a rule set that may have been built by hand, under
// a recover: never a panic out of Compile or Check.
func checkSafe(rs *rules.RuleSet, cc compileConfig, c *rules.Collector) (e *Engine) {
	defer recoverCheck(c)
	before := c.Len()
	rs = handChecked(rs, c)
	if rs.Err() == nil && c.Len() > before {
		return nil // a hand-built set the loader would have refused
	}
	return check(rs, cc, c)
}

// Check returns every problem Compile would report, without building an
// Engine to score with: for linters that already hold load errors. An
// option with a bad value is a bad_option entry (first in the list, with no
// position) and is ignored: the expressions are still checked, under the
// other options.
func Check(rs *rules.RuleSet, opts ...CompileOption) rules.ErrorList {
	if rs == nil {
		return nilRuleSet()
	}
	cc := defaultCompileConfig()
	cc.limits = rs.Limits()
	bad := applyOptions(&cc, opts)
	var c rules.Collector
	checkSafe(rs, cc, &c)
	return append(bad, withSnippets(rs, c.List())...)
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
		rs:        rs,
		cfg:       sharedConfig(uint(cc.limits.MaxExprNodes)),
		limits:    cc.limits,
		macroSize: map[string]uint64{},
		sizing:    map[string]bool{},
		reference: cc.reference,
		lists:     map[string]any{},
		macros:    map[string]*rules.Macro{},
		badMacro:  map[string]bool{},
		c:         c,
	}
	top := vocabTop()
	for _, l := range rs.Lists {
		if l.Type == rules.ListRegion {
			for i, it := range l.Items {
				if rules.IsRegionCode(it) && !ref.KnownRegion(it) {
					msg := fmt.Sprintf("list %q: %s is not a GB/T 2260 division code of any revision since 2002", l.Name, it)
					if len(it) == 2 {
						msg = fmt.Sprintf("list %q: %s is not an ISO 3166 country code", l.Name, it)
					}
					c.Add(&rules.Error{Pos: l.ItemPos(i), Field: "items", Code: rules.CodeBadRegion, Msg: msg})
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
	var celMacroNames []string
	macroLang := map[string]string{}
	for _, m := range rs.Macros {
		if top[m.Name] || reservedNames[m.Name] {
			c.Add(&rules.Error{Pos: m.Pos, Rule: m.Name, Field: "macros", Code: rules.CodeDuplicate,
				Msg: fmt.Sprintf("macro %q has the name of a vocabulary term or function; choose another", m.Name)})
			x.badMacro[m.Name] = true
			continue
		}
		macroLang[m.Name] = m.Language
		if m.Language == rules.LangCEL {
			celMacroNames = append(celMacroNames, m.Name)
		} else {
			x.macros[m.Name] = m
		}
	}
	e := &Engine{name: rs.Name, version: rs.Version, digest: rs.Digest, lang: cc.lang, verifyHours: DefaultVerifyHours,
		celMacroIdx: map[string]int{}, exprMacros: map[string]program{}, vmBudget: uint(cc.limits.MaxCost),
		maxReason: cc.limits.MaxRenderedReasonBytes}
	if cc.runBudget > 0 {
		e.vmBudget = uint(cc.runBudget)
	}
	var cx *celCompiler
	needCEL := len(celMacroNames) > 0
	for _, r := range rs.Rules {
		needCEL = needCEL || r.Language == rules.LangCEL
	}
	if needCEL {
		var err error
		if cx, err = newCELCompiler(rs, x.lists, celMacroNames, cc); err != nil {
			c.Add(&rules.Error{Code: rules.CodeType, Msg: "CEL environment: " + err.Error()})
			return e
		}
		e.celMacros = make([]program, len(celMacroNames))
		for i, n := range celMacroNames {
			e.celMacroIdx[n] = i
		}
	}
	// Each macro is checked on its own, so its errors point into its own text.
	celDeps := map[string][]string{}
	macroReads := map[string]map[string]bool{}
	for _, m := range rs.Macros {
		if x.badMacro[m.Name] {
			continue
		}
		var errs []*rules.Error
		if m.Language == rules.LangCEL {
			var prog program
			var used map[string]bool
			cx.measuring = m.Name
			prog, used, errs = cx.compile(m.Expr, m.Name, true)
			cx.measuring = ""
			macroReads[m.Name] = used
			if prog != nil {
				e.celMacros[e.celMacroIdx[m.Name]] = prog
			}
			for n := range used {
				if _, ok := cx.macros[n]; ok {
					celDeps[m.Name] = append(celDeps[m.Name], n)
				}
				if l, ok := macroLang[n]; ok && l != rules.LangCEL {
					errs = append(errs, &rules.Error{Pos: m.Expr.Pos, Rule: m.Name, Field: "when", Code: rules.CodeBadLanguage,
						Msg: fmt.Sprintf("macro %q is written in %s; a cel macro cannot use it", n, l)})
				}
			}
		} else {
			var prog program
			prog, macroReads[m.Name], errs = x.compile(m.Expr, m.Name, true, []string{m.Name})
			if prog != nil {
				e.exprMacros[m.Name] = prog // for Explain
			}
		}
		for _, er := range errs {
			c.Add(er)
		}
		if len(errs) > 0 {
			x.badMacro[m.Name] = true
		}
	}
	e.personalMacros = personalMacros(macroReads)
	x.personal = e.personalMacros
	if cx != nil {
		cx.personal = e.personalMacros
	}
	if cyc := celCycle(celMacroNames, celDeps); cyc != nil {
		m := rs.Macro(cyc[0])
		c.Add(&rules.Error{Pos: m.Expr.Pos, Rule: m.Name, Field: "when", Code: rules.CodeMacroCycle,
			Msg: "macros refer to each other in a loop: " + strings.Join(cyc, " → ")})
	}
	if p := rs.Param("verify_hours"); p != nil {
		if v, ok := p.Value.(int64); ok && v >= 1 && v <= MaxVerifyHours {
			e.verifyHours = int(v)
		} else {
			c.Add(&rules.Error{Pos: p.Pos, Field: "params", Code: rules.CodeBadValue,
				Msg: fmt.Sprintf("parameter verify_hours (the verification deadline) must be a whole number of hours from 1 to %d (a year)", MaxVerifyHours)})
		}
	}
	// A file that did not parse, or could not be read, may be the one with
	// the bands: its error is the problem to report, not their absence.
	if len(rs.Bands) == 0 && !fileUnread(rs.Err()) {
		file := ""
		if len(rs.Files) > 0 {
			file = rs.Files[0]
		}
		c.Add(&rules.Error{Pos: rules.Pos{File: file}, Field: "bands", Code: rules.CodeMissingKey,
			Msg: "the rule set has no score bands; one file must give bands (score -> level -> minimum outcome)"})
	}
	e.bands = rs.Bands
	for _, b := range rs.Bands {
		if math.IsNaN(b.Min) || math.IsInf(b.Min, 0) {
			// the loader refuses these; a RuleSet built by hand may hold them
			c.Add(&rules.Error{Pos: b.Pos, Field: "bands", Code: rules.CodeBadNumber,
				Msg: fmt.Sprintf("a band's min must be a finite number, not %v", b.Min)})
		}
		e.bandTab = append(e.bandTab, band{b.Min, b.Level, b.Outcome})
	}
	e.band0.Level, e.band0.Outcome = e.band(0)
	// CEL's parser is the slow part of loading; cel.Env is safe for
	// concurrent use, so CEL conditions compile on all cores first.
	celWhen := make([]celResult, len(rs.Rules))
	if cx != nil {
		var wg sync.WaitGroup
		var next atomic.Int64
		for w := 0; w < runtime.GOMAXPROCS(0); w++ {
			wg.Add(1)
			wx := cx
			if w > 0 { // the first worker uses the compiler's own environment
				var err error
				if wx, err = cx.worker(); err != nil {
					wg.Done()
					continue
				}
			}
			go func() {
				defer wg.Done()
				for {
					i := int(next.Add(1)) - 1
					if i >= len(rs.Rules) {
						return
					}
					r := rs.Rules[i]
					if r.Language == rules.LangCEL && r.When.Src != "" {
						p, used, errs := wx.compile(r.When, r.ID, true)
						celWhen[i] = celResult{p, used, errs, true, wx.lastCost}
					}
				}
			}()
		}
		wg.Wait()
	}
	var packCost uint64 // the sum of the rules' estimates so far
	packOver := false
	for ri, r := range rs.Rules {
		cr := &compiledRule{id: r.ID, title: r.TitleIn(cc.lang), tags: r.Tags, score: r.Score, outcome: r.Outcome,
			shadow: r.Mode == rules.Shadow, enabled: r.Enabled, lang: r.Language}
		if cr.tags == nil {
			cr.tags = []string{}
		}
		if math.IsNaN(r.Score) || math.IsInf(r.Score, 0) {
			// the loader refuses these; a RuleSet built by hand may hold
			// them, and a decision's score must be a number JSON can hold
			c.Add(&rules.Error{Pos: r.Pos, Rule: r.ID, Field: "score", Code: rules.CodeBadNumber,
				Msg: fmt.Sprintf("score must be a finite number, not %v", r.Score)})
		}
		if r.When.Src == "" && r.When.Pos.Line == 0 {
			continue // reported by the loader
		}
		// the rule's estimate: its condition and every reason's
		// placeholders, in every language
		var ruleCost, maxPart uint64
		compile := func(src rules.Expr, owner string, wantBool bool) (program, map[string]bool, []*rules.Error) {
			p, used, errs := x.compile(src, owner, wantBool, nil)
			ruleCost, maxPart = addSat(ruleCost, x.lastCost), max(maxPart, x.lastCost)
			return p, used, errs
		}
		if r.Language == rules.LangCEL {
			compile = func(src rules.Expr, owner string, wantBool bool) (program, map[string]bool, []*rules.Error) {
				p, used, errs := cx.compile(src, owner, wantBool)
				ruleCost, maxPart = addSat(ruleCost, cx.lastCost), max(maxPart, cx.lastCost)
				return p, used, errs
			}
		}
		var prog program
		var used map[string]bool
		var errs []*rules.Error
		if celWhen[ri].done {
			prog, used, errs = celWhen[ri].prog, celWhen[ri].used, celWhen[ri].errs
			ruleCost, maxPart = celWhen[ri].cost, celWhen[ri].cost
		} else {
			prog, used, errs = compile(r.When, r.ID, true)
		}
		for n := range used {
			if l, ok := macroLang[n]; ok && l != r.Language {
				// say why the name is unknown here, instead of that it is
				kept := errs[:0]
				for _, er := range errs {
					if er.Code != rules.CodeUndefinedName || !strings.HasPrefix(er.Msg, n+" ") {
						kept = append(kept, er)
					}
				}
				errs = append(kept, &rules.Error{Pos: r.When.Pos, Rule: r.ID, Field: "when", Code: rules.CodeBadLanguage,
					Msg: fmt.Sprintf("macro %q is written in %s; a %s rule cannot use it", n, l, r.Language)})
				prog = nil
			}
		}
		for _, er := range errs {
			c.Add(er)
		}
		cr.when = prog
		if len(used) > 0 {
			cr.reads = make([]string, 0, len(used))
		}
		for n := range used {
			if n != "params" && n != "lists" {
				cr.reads = append(cr.reads, n)
			}
		}
		sort.Strings(cr.reads)
		if prog != nil {
			switch p := prog.(type) {
			case closureProgram:
				cr.probes, cr.fast = p.probes, p.f
			case celClosureProgram:
				cr.probes = p.probes
			case exprProgram:
				cr.why = p.why
			case celProgram:
				cr.why = p.why
			}
			switch prog.(type) {
			case closureProgram, celClosureProgram:
			default:
				cr.fallback = "the reference evaluator (" + map[string]string{rules.LangExpr: "expr's VM", rules.LangCEL: "cel-go's interpreter"}[r.Language] + ")"
			}
		}
		tmpl := func(src rules.Expr) []tmplPart {
			quick := func(inner string) (program, bool) {
				if name := strings.TrimSpace(inner); personalFields[name] {
					if name == "holder" {
						return nil, false // refused, at its place (below)
					}
					// {msisdn} and {iccid} mean {mask(msisdn)} and {mask(iccid)}
					read := envReaders()[name]
					return nameProgram{func(e *env) any { return maskValue(read(e).(string)) }}, true
				}
				if p, _, ok := simpleName(rs, inner); ok {
					return p, true
				}
				return nil, false
			}
			parts, errs := template(src, r.ID, cc.limits.MaxReasonPlaceholders, quick, func(src rules.Expr, owner string, wantBool bool) (program, map[string]bool, []*rules.Error) {
				if name := strings.TrimSpace(src.Src); name == "holder" {
					return nil, map[string]bool{name: true}, []*rules.Error{personalError(src, r.ID, name, "")}
				}
				return compile(src, owner, wantBool)
			})
			for _, er := range errs {
				c.Add(er)
			}
			return parts
		}
		chosen := r.ReasonIn(cc.lang)
		if chosen.Src != "" {
			cr.reason = finishTemplate(tmpl(chosen))
		}
		for _, lang := range rules.Languages() { // the other languages' reasons must compile too
			if src, ok := r.Reasons[lang]; ok && src.Src != "" && (src.Src != chosen.Src || src.Pos != chosen.Pos) {
				tmpl(src)
			}
		}
		ruleLimit := cc.limits.MaxCost
		if r.Language == rules.LangCEL && cx != nil {
			ruleLimit = cx.costLimit
		}
		if ruleCost > ruleLimit && maxPart <= ruleLimit { // a part over it is said at the part
			c.Add(&rules.Error{Pos: r.When.Pos, Rule: r.ID, Field: "when", Code: rules.CodeTooCostly,
				Msg: fmt.Sprintf("the condition and the reasons' placeholders together are estimated to cost up to %s per card, over the limit max_cost=%s; a rule's condition and reasons share one budget",
					numText(ruleCost), numText(ruleLimit))})
		}
		if !packOver && ruleCost <= ruleLimit { // a rule over its own limit is refused already
			packCost = addSat(packCost, ruleCost)
			if packCost > max(cc.limits.MaxPackCost, ruleLimit) {
				packOver = true
				c.Add(&rules.Error{Pos: r.When.Pos, Rule: r.ID, Field: "when", Code: rules.CodeTooCostly,
					Msg: fmt.Sprintf("the rules up to this one are estimated to cost up to %s per card together, over the limit max_pack_cost=%s; every card is scored by every rule",
						numText(packCost), numText(max(cc.limits.MaxPackCost, ruleLimit)))})
			}
		}
		e.packCost = packCost
		e.all = append(e.all, cr)
		if cr.enabled && cr.when != nil {
			e.rules = append(e.rules, cr)
		}
	}
	e.plan, e.planKeys = buildPlan(e.rules)
	e.code = branchCode(e.plan)
	return e
}

type celResult struct {
	prog program
	used map[string]bool
	errs []*rules.Error
	done bool
	cost uint64 // the condition's estimate
}

// sharedConfig builds the expr configuration once per compile: building it
// reflects over the whole vocabulary. Compiles of one rule set run one after
// another, so they can share it.
func sharedConfig(maxNodes uint) func() *conf.Config {
	var cfg *conf.Config
	return func() *conf.Config {
		if cfg == nil {
			cfg = exprConfig(maxNodes)
		}
		return cfg
	}
}

// template compiles a reason: text with {expression} placeholders; {{ and }}
// stand for literal braces. More than maxPlaceholders placeholders is a
// too_large error at the first one over the limit (and the rest are not
// compiled). A placeholder quick reads (a name) needs no positions;
// compile gets the others with theirs.
func template(src rules.Expr, owner string, maxPlaceholders int, quick func(inner string) (program, bool), compile func(rules.Expr, string, bool) (program, map[string]bool, []*rules.Error)) ([]tmplPart, []*rules.Error) {
	var parts []tmplPart
	var errs []*rules.Error
	s := src.Src
	var text strings.Builder
	runeOff := func(byteOff int) int { return utf8.RuneCountInString(s[:byteOff]) }
	placeholders := 0
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
			if placeholders++; placeholders > maxPlaceholders {
				errs = append(errs, &rules.Error{Pos: src.PosAt(runeOff(i)), Rule: owner, Field: src.Key, Code: rules.CodeTooLarge,
					Msg: fmt.Sprintf("the reason has more than %d {placeholders}, over the limit max_reason_placeholders=%d", maxPlaceholders, maxPlaceholders)})
				return parts, errs
			}
			inner := s[i+1 : i+1+end]
			if strings.TrimSpace(inner) == "" {
				sub := subExpr(src, runeOff(i+1), inner)
				errs = append(errs, &rules.Error{Pos: sub.Pos, Rule: owner, Field: src.Key, Code: rules.CodeBadTemplate,
					Msg: "an empty {} placeholder"})
			} else if prog, ok := quick(inner); ok {
				parts = append(parts, tmplPart{text: inner, prog: prog})
			} else {
				sub := subExpr(src, runeOff(i+1), inner)
				prog, _, es := compile(sub, owner, false)
				errs = append(errs, es...)
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
	ID       string
	Title    string
	Tags     []string
	Score    float64
	Outcome  rules.Outcome
	Shadow   bool
	Enabled  bool
	Language string
	// Fallback is empty when the rule's condition runs compiled to Go
	// closures, and otherwise names the reference evaluator it runs on.
	Fallback string
	// FallbackReason names, for a Fallback, the construct of the condition
	// the compiler does not handle ("indexing (linked_platforms[0])", "the
	// operator / in complaints / 2"), and FallbackPos says where it is in
	// the rule file (for a construct inside an expr macro: where the rule
	// names the macro). Both are empty when the engine was compiled
	// WithReferenceEvaluator.
	FallbackReason string
	FallbackPos    rules.Pos
	// ReasonFallbacks are the reason placeholders (their text) that run on
	// the reference evaluator: slower, and they allocate.
	ReasonFallbacks []string
}

// Rules lists the rule set's rules in order, disabled ones included.
func (e *Engine) Rules() []RuleInfo {
	out := make([]RuleInfo, len(e.all))
	for i, r := range e.all {
		out[i] = RuleInfo{ID: r.id, Title: r.title, Tags: append([]string(nil), r.tags...), Score: r.score,
			Outcome: r.outcome, Shadow: r.shadow, Enabled: r.enabled, Language: r.lang, Fallback: r.fallback}
		if r.fallback != "" && r.why != nil {
			out[i].FallbackReason, out[i].FallbackPos = r.why.text(), r.why.pos
		}
		for _, p := range r.reason {
			switch p.prog.(type) {
			case nil, loweredProgram, constProgram, nameProgram:
			default:
				out[i].ReasonFallbacks = append(out[i].ReasonFallbacks, p.text)
			}
		}
	}
	return out
}

// celCycle finds a loop among CEL macros, as the list of names around it.
func celCycle(names []string, deps map[string][]string) []string {
	state := map[string]int{} // 1 visiting, 2 done
	var stack []string
	var found []string
	var visit func(n string) bool
	visit = func(n string) bool {
		switch state[n] {
		case 1:
			for i, s := range stack {
				if s == n {
					found = append(append([]string(nil), stack[i:]...), n)
				}
			}
			return true
		case 2:
			return false
		}
		state[n] = 1
		stack = append(stack, n)
		for _, d := range deps[n] {
			if visit(d) {
				return true
			}
		}
		stack = stack[:len(stack)-1]
		state[n] = 2
		return false
	}
	for _, n := range names {
		if visit(n) {
			return found
		}
	}
	return nil
}

// Bands are the rule set's score bands, sorted by Min.
func (e *Engine) Bands() []rules.Band {
	out := make([]rules.Band, len(e.bands))
	for i, b := range e.bands {
		out[i] = *b
	}
	return out
}

// fileUnread reports whether a load's errors say that a whole file was not
// read or did not parse (yaml_syntax, io, or too_large for the file itself,
// which has no line): what it holds is unknown, so checks of the whole set
// would only report its absence.
func fileUnread(err error) bool {
	for _, e := range rules.AsList(err) {
		if e.Code == rules.CodeSyntax || e.Code == rules.CodeIO || (e.Code == rules.CodeTooLarge && e.Line == 0) {
			return true
		}
	}
	return false
}
