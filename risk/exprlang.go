package risk

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/checker"
	"github.com/expr-lang/expr/compiler"
	"github.com/expr-lang/expr/conf"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/optimizer"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/vm"

	"github.com/simrisk/simrisk/internal/vocab"
	"github.com/simrisk/simrisk/risk/internal/cond"
	"github.com/simrisk/simrisk/risk/internal/exprfront"
	"github.com/simrisk/simrisk/rules"
)

// program is one compiled expression. The expr adapter below is the only
// implementation today; callers of package risk never see it.
type program interface {
	eval(s *Scorer) (any, error)
}

type exprProgram struct {
	p *vm.Program
	// why says what the lowering gave up on, and where (nil: it was not
	// tried)
	why *fallbackNote
}

func (p exprProgram) eval(s *Scorer) (any, error) {
	s.spent = 0 // each rule's budget on each card
	return s.vm.Run(p.p, s.env.fillAll())
}

// stepFunc is the function meterLoops calls in every loop body on expr's VM:
// step(env, k, body) charges k (the body's estimated cost) to the rule's
// budget on the card, and fails the rule once it is spent. Its name cannot
// be written in an expression.
const stepFunc = "step budget"

// errBudget is the error of a rule over its run-time budget on a card.
var errBudget = errors.New("run-time cost budget spent")

// meterLoops wraps the body of every predicate (the body of a loop) in a
// call of stepFunc, after type checking: expr's VM counts memory, not
// steps, and a loop that allocates nothing would go unmetered.
type meterLoops struct{}

func (meterLoops) Visit(node *ast.Node) {
	pn, ok := (*node).(*ast.PredicateNode)
	if !ok || pn.Node == nil {
		return
	}
	k, _ := (&costEstimator{vars: map[string]size{}, shallow: true}).est(pn.Node)
	body := pn.Node
	callee := &ast.IdentifierNode{Value: stepFunc}
	callee.SetType(anyType)
	envArg := &ast.IdentifierNode{Value: "$env"}
	envArg.SetType(anyType)
	cost := &ast.IntegerNode{Value: int(min(addSat(k, 2), 1<<40))}
	cost.SetType(reflect.TypeOf(0))
	call := &ast.CallNode{Callee: callee, Arguments: []ast.Node{envArg, cost, body}}
	call.SetType(body.Type())
	call.SetLocation(body.Location())
	pn.Node = call
}

var anyType = reflect.TypeOf((*any)(nil)).Elem()

// exprOptions are the expr settings every simrisk expression compiles with:
// the typed vocabulary as environment and the domain functions.
func exprConfig(maxNodes uint) *conf.Config {
	cfg := conf.CreateNew()
	for _, op := range append([]expr.Option{
		expr.Env(env{}),
		// date, now and timezone: expr's own, with the vocabulary's times
		// and CST (cst.go)
		expr.Function("date", exprDate,
			new(func(int) time.Time), new(func(string) time.Time), new(func(string, string) time.Time),
			new(func(string, string, string) time.Time), new(func(*time.Location, int) time.Time),
			new(func(*time.Location, string) time.Time), new(func(*time.Location, string, string) time.Time)),
		expr.Function("now", func(params ...any) (any, error) {
			return time.Now().In(CST), nil // now(zone) too: every time a rule sees is in CST
		}, new(func() time.Time), new(func(*time.Location) time.Time)),
		expr.Function("timezone", func(params ...any) (any, error) {
			name, _ := params[0].(string)
			return zoneOf(name)
		}, new(func(string) *time.Location)),
		expr.MaxNodes(maxNodes),
		expr.Function(stepFunc, func(params ...any) (any, error) {
			e, _ := params[0].(*env)
			k, _ := params[1].(int)
			if e != nil && e.s != nil {
				if e.s.spent += uint64(k); e.s.spent > uint64(e.s.e.vmBudget) {
					return nil, errBudget
				}
			}
			return params[2], nil
		}, new(func(any, int, any) any)),
	}, append(append(exprDomainFuncs(), budgetedOptions()...), testExprOptions...)...) {
		op(cfg)
	}
	cfg.Check()
	return cfg
}

// exprDomainFuncs declare the domain functions to expr: each overload's
// types from the vocab table, calling its implementation (funcs.go).
func exprDomainFuncs() []expr.Option {
	var opts []expr.Option
	for _, f := range vocab.Funcs() {
		impls := domainImpls[f.Name]
		types := make([]any, len(f.Overloads))
		for i, args := range f.Overloads {
			types[i] = reflect.New(domainFuncType(f, args)).Interface() // new(func(...) ...)
		}
		opts = append(opts, expr.Function(f.Name, func(params ...any) (any, error) {
			for _, strict := range [2]bool{true, false} {
				for _, impl := range impls {
					if v, ok := callDomain(impl, params, strict); ok {
						return v, nil
					}
				}
			}
			return nil, fmt.Errorf("%s: no overload for %d arguments", f.Name, len(params))
		}, types...))
	}
	return opts
}

// testExprOptions lets tests add functions to the language, and
// callTestHook (backend.go) lower them (to inject a construct that panics,
// say); nil outside tests.
var testExprOptions []expr.Option

// Functions returns the domain functions expressions may call, besides the
// expression language's own, the same in both languages: one Term per form
// a function is written in (region_name(code) and region_name(code, lang)
// are two), with its call syntax as Name, its result type and its meaning
// (Markdown, as rules/README.md's functions table has it); a new slice on
// each call.
func Functions() []Term { return slices.Clone(functions) }

var functions = func() []Term {
	var ts []Term
	for _, f := range vocab.Funcs() {
		for _, d := range f.Docs {
			ts = append(ts, Term{d.Call, f.Result.RuleType(), d.Meaning})
		}
	}
	return ts
}()

// reservedNames are the names no macro may take: the functions' and
// params, lists.
var reservedNames = func() map[string]bool {
	m := map[string]bool{}
	for _, n := range vocab.Reserved() {
		m[n] = true
	}
	for _, f := range vocab.Funcs() {
		m[f.Name] = true
	}
	return m
}()

func vocabTop() map[string]bool {
	m := map[string]bool{}
	for _, t := range vocabulary {
		m[strings.SplitN(t.Name, ".", 2)[0]] = true
	}
	return m
}

// exprCompiler compiles the expressions of one rule set.
type exprCompiler struct {
	lastCost  uint64 // the estimate of the last expression compiled (0 if none)
	rs        *rules.RuleSet
	reference bool // no lowering: every expression on expr's VM
	cfg       func() *conf.Config
	lists     map[string]any
	macros    map[string]*rules.Macro
	badMacro  map[string]bool   // macros with errors of their own
	personal  map[string]string // macros that read personal data -> the field; filled before reasons compile
	c         *rules.Collector
	limits    rules.Limits
	macroSize map[string]uint64 // macros' sizes after expansion, in nodes (limits.go)
	sizing    map[string]bool   // macros being measured, for loops
}

func (x *exprCompiler) constNode(name string) (ast.Node, bool) {
	p := x.rs.Param(name)
	if p == nil {
		return nil, false
	}
	switch v := p.Value.(type) {
	case int64:
		return &ast.IntegerNode{Value: int(v)}, true
	case float64:
		return &ast.FloatNode{Value: v}, true
	case string:
		return &ast.StringNode{Value: v}, true
	case bool:
		return &ast.BoolNode{Value: v}, true
	}
	return nil, false
}

// rewriter replaces params.X and lists.X with constants and macro names with
// their (rewritten) bodies, collecting positioned errors.
type rewriter struct {
	x        *exprCompiler
	src      rules.Expr
	owner    string   // rule id or macro name, for errors
	stack    []string // macros being inlined, for cycles
	owned    map[*ast.IdentifierNode]bool
	loose    []*ast.IdentifierNode
	errs     []*rules.Error
	usesName map[string]bool
	// listNames remembers which list a constant came from, for messages
	listNames map[*ast.ConstantNode]string
}

func (w *rewriter) errAt(loc file.Location, code rules.Code, format string, args ...any) {
	w.errs = append(w.errs, &rules.Error{Pos: w.src.PosAt(loc.From), Rule: w.owner, Field: w.src.Key,
		Code: code, Msg: fmt.Sprintf(format, args...)})
}

func (w *rewriter) Visit(node *ast.Node) {
	switch n := (*node).(type) {
	case *ast.IdentifierNode:
		w.usesName[n.Value] = true
		if n.Value == "params" || n.Value == "lists" {
			w.loose = append(w.loose, n)
			return
		}
		if m, ok := w.x.macros[n.Value]; ok {
			w.inlineMacro(node, n, m)
		}
	case *ast.BinaryNode:
		if n.Operator != "in" && n.Operator != "not in" {
			return
		}
		if c, ok := n.Right.(*ast.ConstantNode); ok {
			if _, ok := c.Value.(*RegionSet); ok {
				name := w.listNames[c]
				w.errAt(n.Location(), rules.CodeType, "lists.%s is a region list: write in_region(x, lists.%s)", name, name)
			}
		}
	case *ast.MemberNode:
		id, ok := n.Node.(*ast.IdentifierNode)
		if ok && (id.Value == "pop" || id.Value == "iot") {
			if prop, ok := n.Property.(*ast.StringNode); ok {
				w.usesName[id.Value+"."+prop.Value] = true
			}
		}
		if !ok || (id.Value != "params" && id.Value != "lists") {
			return
		}
		w.owned[id] = true
		prop, ok := n.Property.(*ast.StringNode)
		if !ok {
			w.errAt(n.Location(), rules.CodeType, "write %s.NAME with a fixed name", id.Value)
			return
		}
		if id.Value == "params" {
			c, ok := w.x.constNode(prop.Value)
			if !ok {
				w.errAt(n.Property.Location(), rules.CodeUndefinedParam, "%s", undeclaredMsg(w.x.rs, "params", prop.Value))
				c = &ast.NilNode{}
			}
			ast.Patch(node, c)
			return
		}
		v, ok := w.x.lists[prop.Value]
		if !ok {
			w.errAt(n.Property.Location(), rules.CodeUndefinedList, "%s", undeclaredMsg(w.x.rs, "lists", prop.Value))
			ast.Patch(node, &ast.NilNode{})
			return
		}
		c := &ast.ConstantNode{Value: v}
		if w.listNames == nil {
			w.listNames = map[*ast.ConstantNode]string{}
		}
		w.listNames[c] = prop.Value
		ast.Patch(node, c)
	}
}

func (w *rewriter) inlineMacro(node *ast.Node, id *ast.IdentifierNode, m *rules.Macro) {
	for i, s := range w.stack {
		if s == m.Name {
			cycle := append(append([]string(nil), w.stack[i:]...), m.Name)
			w.errAt(id.Location(), rules.CodeMacroCycle, "macros refer to each other in a loop: %s", strings.Join(cycle, " → "))
			ast.Patch(node, &ast.BoolNode{Value: false})
			return
		}
	}
	if w.x.badMacro[m.Name] {
		// its own errors are reported at the macro; keep this expression checkable
		ast.Patch(node, &ast.BoolNode{Value: false})
		return
	}
	if checkText(m.Expr, m.Name, w.x.limits) != nil {
		ast.Patch(node, &ast.BoolNode{Value: false}) // reported at the macro
		return
	}
	tree, err := parser.ParseWithConfig(m.Expr.Src, w.x.cfg())
	if err != nil {
		ast.Patch(node, &ast.BoolNode{Value: false})
		return
	}
	sub := &rewriter{x: w.x, src: m.Expr, owner: m.Name, stack: append(w.stack, m.Name),
		owned: map[*ast.IdentifierNode]bool{}, usesName: w.usesName}
	sub.walk(&tree.Node)
	if len(sub.errs) > 0 {
		// cycles found through this macro are reported once, at the rule's use
		for _, e := range sub.errs {
			if e.Code == rules.CodeMacroCycle {
				e.Pos, e.Rule, e.Field = w.src.PosAt(id.Location().From), w.owner, w.src.Key
				w.errs = append(w.errs, e)
			}
		}
		ast.Patch(node, &ast.BoolNode{Value: false})
		return
	}
	loc := id.Location()
	ast.Walk(&tree.Node, locSetter{loc})
	*node = tree.Node
}

type locSetter struct{ loc file.Location }

func (s locSetter) Visit(n *ast.Node) { (*n).SetLocation(s.loc) }

func (w *rewriter) walk(root *ast.Node) {
	ast.Walk(root, w)
	for _, id := range w.loose {
		if !w.owned[id] {
			w.errAt(id.Location(), rules.CodeType, "%s is not a value: write %s.NAME", id.Value, id.Value)
		}
	}
}

// compile parses, rewrites, type-checks and compiles one expression.
// wantBool asks for a boolean result.
func (x *exprCompiler) compile(src rules.Expr, owner string, wantBool bool, stack []string) (prog program, used map[string]bool, errs []*rules.Error) {
	defer recoverCompile(src, owner, &prog, &errs)
	x.lastCost = 0
	if e := checkText(src, owner, x.limits); e != nil {
		return nil, nil, []*rules.Error{e}
	}
	cfg := x.cfg()
	tree, err := parser.ParseWithConfig(src.Src, cfg)
	if err != nil {
		e := x.exprErr(err, src, owner, nil, nil)
		if x.overNodeLimit(src.Src, cfg) {
			e.Code, e.Msg = rules.CodeTooComplex, fmt.Sprintf("expression has more syntax-tree nodes than the limit max_expr_nodes=%d (macros count once expanded); simplify it, or split the condition across rules", x.limits.MaxExprNodes)
		} else {
			e.Code = rules.CodeExprSyntax
		}
		return nil, nil, []*rules.Error{e}
	}
	if n := x.nodesAfterExpansion(&tree.Node); n > uint64(x.limits.MaxExprNodes) {
		return nil, nil, []*rules.Error{tooManyNodes(src, owner, n, x.limits.MaxExprNodes)}
	}
	w := &rewriter{x: x, src: src, owner: owner, stack: stack, owned: map[*ast.IdentifierNode]bool{}, usesName: map[string]bool{}}
	w.walk(&tree.Node)
	if len(w.errs) > 0 {
		return nil, w.usesName, w.errs
	}
	if !wantBool { // a reason placeholder: personal data only masked
		var errs []*rules.Error
		via := map[string]bool{}
		for _, n := range sortedKeys(w.usesName) {
			if f := x.personal[n]; f != "" {
				errs = append(errs, personalError(src, owner, f, n))
				via[f] = true
			}
		}
		for _, f := range exprPersonalReads(&tree.Node) {
			if !via[f] { // read in an inlined macro: said above
				errs = append(errs, personalError(src, owner, f, ""))
			}
		}
		if len(errs) > 0 {
			return nil, w.usesName, errs
		}
	}
	t, err := checker.Check(tree, cfg)
	if err != nil {
		return nil, w.usesName, []*rules.Error{x.exprErr(err, src, owner, tree.Node, cfg)}
	}
	if e := localTimeUse(tree.Node, src, owner); e != nil {
		return nil, w.usesName, []*rules.Error{e}
	}
	cost := exprCost(tree.Node)
	x.lastCost = cost
	if cost > x.limits.MaxCost {
		return nil, w.usesName, []*rules.Error{costError(src, owner, cost, x.limits.MaxCost)}
	}
	if wantBool && t.Kind() != reflect.Bool {
		what := t.String()
		if t.Kind() == reflect.Interface {
			what = "a value of unknown type"
		}
		return nil, w.usesName, []*rules.Error{{Pos: src.PosAt(0), Rule: owner, Field: src.Key, Code: rules.CodeNotBoolean,
			Msg: fmt.Sprintf("condition must be true or false, but this is %s", what)}}
	}
	var gu *cond.GiveUp
	if !x.reference {
		// front end, then back end (backend.go)
		var n cond.Node
		var p program
		if wantBool {
			if n, gu = exprfront.Condition(tree.Node); gu == nil {
				p, gu = lowerCond(n)
			}
		} else {
			if n, gu = exprfront.Value(tree.Node); gu == nil {
				p, gu = lowerValue(n)
			}
		}
		if gu == nil {
			return p, w.usesName, nil
		}
	}
	why := irNote(gu, src) // now: the rewriting below changes the tree it quotes
	if err := optimizer.Optimize(&tree.Node, cfg); err != nil {
		return nil, w.usesName, []*rules.Error{x.exprErr(err, src, owner, nil, nil)}
	}
	ast.Walk(&tree.Node, meterLoops{})
	ast.Walk(&tree.Node, meterAllocs{})
	p, err := compiler.Compile(tree, cfg)
	if err != nil {
		return nil, w.usesName, []*rules.Error{x.exprErr(err, src, owner, nil, nil)}
	}
	return exprProgram{p, why}, w.usesName, nil
}

// repanicCompile lets tests (and fuzzing) see a compiler's panic instead of
// its error.
var repanicCompile bool

// recoverCompile turns a panic while compiling an expression (a bug in a
// parser, checker or estimator that a hostile text found) into a positioned
// error of the expression: loading never crashes the host.
func recoverCompile(src rules.Expr, owner string, prog *program, errs *[]*rules.Error) {
	if p := recover(); p != nil {
		if repanicCompile {
			panic(p)
		}
		*prog = nil
		*errs = append(*errs, &rules.Error{Pos: src.PosAt(0), Rule: owner, Field: src.Key, Code: rules.CodeType,
			Msg: "the expression could not be compiled (an internal error of the compiler; report it with the rule)"})
	}
}

// exprErr turns an error of expr's parser, checker or compiler into a
// positioned error. Its code comes from the node of the checked tree root
// the error is about (expr's file.Error has a position but no kind): a call
// there is about the call (a type error), unless it calls a function cfg
// does not declare; otherwise an identifier the checker reports on is an
// unknown name (the checker has no other complaint about a bare name), a
// field selection it reports on has no such field (undefined_name all
// three); anything else is a type error. The parser's node limit is found
// by parsing again without it (overNodeLimit); no code depends on expr's
// message text. TestUpstreamCodesPinned holds a rule file for each case.
func (x *exprCompiler) exprErr(err error, src rules.Expr, owner string, root ast.Node, cfg *conf.Config) *rules.Error {
	var fe *file.Error
	e := &rules.Error{Pos: src.Pos, Rule: owner, Field: src.Key, Code: rules.CodeType, Msg: err.Error()}
	if !errors.As(err, &fe) {
		return e
	}
	e.Pos = src.PosAt(fe.From)
	e.Msg = fe.Message
	if fe.Message == "" {
		e.Msg = err.Error()
	}
	if root == nil {
		return e
	}
	var call *ast.CallNode
	var id *ast.IdentifierNode
	var member *ast.MemberNode
	ast.Find(root, func(n ast.Node) bool {
		if n.Location().From != fe.From {
			return false
		}
		switch n := n.(type) {
		case *ast.CallNode:
			call = n
		case *ast.IdentifierNode:
			id = n
		case *ast.MemberNode:
			if _, named := n.Property.(*ast.StringNode); named && !n.Method && !n.Optional {
				member = n
			}
		}
		return false
	})
	undefined := func(name string, called bool) {
		e.Code, e.Msg = rules.CodeUndefinedName, unknownNameMsg(x.rs, name, called, exprBuiltinNames)
	}
	switch {
	case call != nil:
		if f, ok := call.Callee.(*ast.IdentifierNode); ok && cfg != nil && cfg.Functions[f.Value] == nil && cfg.Builtins[f.Value] == nil {
			undefined(f.Value, true)
		}
	case id != nil:
		undefined(id.Value, calledAt(src.Src, fe.From, id.Value))
	case member != nil:
		e.Code = rules.CodeUndefinedName
	}
	if e.Code == rules.CodeType {
		e.Msg += quotedParamHint(x.rs, src.Src, e.Msg)
	}
	return e
}

// overNodeLimit reports whether text failed to parse only because of
// expr's node limit: it parses without one. The text's size and depth are
// bounded before (checkText), so this parse is bounded too; it runs only
// for a text that failed.
func (x *exprCompiler) overNodeLimit(text string, cfg *conf.Config) bool {
	if cfg.MaxNodes == 0 {
		return false
	}
	unlimited := *cfg
	unlimited.MaxNodes = 0
	_, err := parser.ParseWithConfig(text, &unlimited)
	return err == nil
}

var timeType = reflect.TypeOf(time.Time{})

// localTimeUse finds t.Local() on a time: the machine's time zone, which no
// rule may read (a rule's times are in CST already); an error at the call.
func localTimeUse(n ast.Node, src rules.Expr, owner string) *rules.Error {
	var found *ast.MemberNode
	ast.Find(n, func(n ast.Node) bool {
		m, ok := n.(*ast.MemberNode)
		if !ok || found != nil {
			return false
		}
		p, ok := m.Property.(*ast.StringNode)
		if ok && p.Value == "Local" && m.Node.Type() == timeType {
			found = m
			return true
		}
		return false
	})
	if found == nil {
		return nil
	}
	return &rules.Error{Pos: src.PosAt(found.Location().From), Rule: owner, Field: src.Key, Code: rules.CodeType,
		Msg: ".Local() is the machine's time zone, which a rule never reads: times are in CST (+08:00) already; drop .Local()"}
}
