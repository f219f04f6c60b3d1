package risk

import (
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common"
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/cost"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/common/types/traits"
	"cel.dev/cel-go/ext"
	"cel.dev/cel-go/interpreter"

	"github.com/simrisk/simrisk/internal/vocab"
	"github.com/simrisk/simrisk/risk/internal/celfront"
	"github.com/simrisk/simrisk/risk/internal/cond"
	"github.com/simrisk/simrisk/rules"
)

// The CEL adapter: the same vocabulary, functions and missing-value
// semantics as the expr adapter, behind the same program interface.

var (
	celRegionSetType = cel.OpaqueType("simrisk.RegionSet")
	celRoamType      = cel.ObjectType("risk.roamEnv")
)

// celRegionSet is a RegionSet as a CEL value.
type celRegionSet struct{ set *RegionSet }

func (v celRegionSet) ConvertToNative(t reflect.Type) (any, error) {
	if t == reflect.TypeOf(v.set) {
		return v.set, nil
	}
	return nil, fmt.Errorf("a region list cannot become %v", t)
}
func (v celRegionSet) ConvertToType(t ref.Type) ref.Val {
	if t == types.TypeType {
		return celRegionSetType
	}
	return types.NewErr("a region list cannot become %s", t.TypeName())
}
func (v celRegionSet) Equal(o ref.Val) ref.Val {
	w, ok := o.(celRegionSet)
	return types.Bool(ok && w.set == v.set)
}
func (v celRegionSet) Type() ref.Type { return celRegionSetType }
func (v celRegionSet) Value() any     { return v.set }

// celVarType maps a vocabulary type to a CEL type.
func celVarType(t Term) *cel.Type {
	switch t.Name {
	case "roaming":
		return cel.ListType(celRoamType)
	case "linked_platforms":
		return cel.ListType(cel.StringType)
	}
	switch t.Type {
	case "string":
		return cel.StringType
	case "int":
		return cel.IntType
	case "bool":
		return cel.BoolType
	}
	panic("risk: no CEL type for " + t.Name)
}

// celBaseOptions declares the vocabulary and the domain functions.
func celBaseOptions() []cel.EnvOption {
	opts := []cel.EnvOption{
		ext.NativeTypes(reflect.TypeOf(roamEnv{}), ext.ParseStructTag("expr")),
		ext.Strings(),
		ext.Bindings(),
		// string(timestamp) in CST: what cstTimes rewrites it to
		cel.Function(cstTextFunc,
			cel.Overload("cst_rfc3339_timestamp", []*cel.Type{cel.TimestampType}, cel.StringType,
				cel.UnaryBinding(func(a ref.Val) ref.Val {
					t, ok := a.Value().(time.Time)
					if !ok {
						return types.NewErr("no such overload")
					}
					return types.String(t.In(CST).Format(time.RFC3339))
				}))),
	}
	if v := stringFormatValidator(); v != nil {
		opts = append(opts, cel.ASTValidators(formatOnly{v}))
	}
	opts = append(opts, celDomainFuncs()...)
	for _, t := range vocabulary {
		opts = append(opts, cel.Variable(t.Name, celVarType(t)))
	}
	return opts
}

// stringFormatValidator is the validator of string.format calls that
// ext.Strings installs (nil if it installs none by that name).
var stringFormatValidator = sync.OnceValue(func() cel.ASTValidator {
	env, err := cel.NewEnv(ext.Strings())
	if err != nil {
		return nil
	}
	for _, v := range env.Validators() {
		if v.Name() == formatValidatorName {
			return v
		}
	}
	return nil
})

const formatValidatorName = "cel.validator.string_format"

// formatOnly stands in for ext.Strings' validator of string.format calls
// (a validator of the same name replaces it): it runs that validator on an
// expression with a member call named format, the only calls it looks at,
// and skips the others, on which it would walk a navigable copy of the
// whole tree to find none.
type formatOnly struct{ cel.ASTValidator }

func (v formatOnly) Configure(c cel.MutableValidatorConfig) error {
	if cv, ok := v.ASTValidator.(cel.ASTValidatorConfigurer); ok {
		return cv.Configure(c)
	}
	return nil
}

func (v formatOnly) Validate(env *cel.Env, c cel.ValidatorConfig, a *celast.AST, iss *cel.Issues) {
	found := false
	celast.PostOrderVisit(a.Expr(), celast.NewExprVisitor(func(e celast.Expr) {
		if e.Kind() == celast.CallKind && e.AsCall().IsMemberFunction() && e.AsCall().FunctionName() == "format" {
			found = true
		}
	}))
	if found {
		v.ASTValidator.Validate(env, c, a, iss)
	}
}

// celDomainFuncs declare the domain functions to CEL: each overload's
// types from the vocab table (its name from them: region_name_string_string),
// calling its implementation (funcs.go).
func celDomainFuncs() []cel.EnvOption {
	var opts []cel.EnvOption
	for _, f := range vocab.Funcs() {
		var ovs []cel.FunctionOpt
		for i, args := range f.Overloads {
			id, types := f.Name, make([]*cel.Type, len(args))
			for j, k := range args {
				types[j] = celKindType(k)
				id += "_" + celKindName(k)
			}
			ovs = append(ovs, cel.Overload(id, types, celKindType(f.Result), celBinding(domainImpls[f.Name][i])))
		}
		opts = append(opts, cel.Function(f.Name, ovs...))
	}
	return opts
}

func celKindType(k vocab.Kind) *cel.Type {
	switch k {
	case vocab.String:
		return cel.StringType
	case vocab.Int, vocab.Time:
		return cel.IntType
	case vocab.Bool:
		return cel.BoolType
	case vocab.Regions:
		return celRegionSetType
	}
	return cel.DynType
}

func celKindName(k vocab.Kind) string {
	if k == vocab.Regions {
		return "regionset"
	}
	return celKindType(k).String()
}

// celBinding calls a domain function's implementation with CEL values.
func celBinding(impl any) cel.OverloadOpt {
	str := func(v ref.Val) string { s, _ := v.Value().(string); return s }
	switch f := impl.(type) {
	case func(string) string:
		return cel.UnaryBinding(func(a ref.Val) ref.Val { return types.String(f(str(a))) })
	case func(string, string) string:
		return cel.BinaryBinding(func(a, b ref.Val) ref.Val { return types.String(f(str(a), str(b))) })
	case func(bool, string) string:
		return cel.BinaryBinding(func(a, b ref.Val) ref.Val {
			v, _ := a.Value().(bool)
			return types.String(f(v, str(b)))
		})
	case func(int, int) int:
		return cel.BinaryBinding(func(a, b ref.Val) ref.Val {
			x, _ := a.Value().(int64)
			y, _ := b.Value().(int64)
			return types.Int(f(int(x), int(y)))
		})
	case func(string, *RegionSet) bool:
		return cel.BinaryBinding(func(a, b ref.Val) ref.Val {
			set, _ := b.(celRegionSet)
			return types.Bool(f(str(a), set.set))
		})
	}
	// a type no case above knows (TestDomainFuncsInBothLanguages fails)
	return cel.FunctionBinding(func(...ref.Val) ref.Val {
		return types.NewErr("no CEL binding for a domain function of type %T", impl)
	})
}

// celCompiler compiles the CEL expressions of one rule set.
type celCompiler struct {
	rs        *rules.RuleSet // for lint's suggestions
	lastCost  uint64         // the estimate of the last expression compiled (0 if none)
	reference bool           // no lowering: every expression on cel-go's interpreter
	env       *cel.Env
	costLimit uint64
	runBudget uint64 // the run-time cost limit: costLimit unless a test lowers it
	maxSize   int
	limits    rules.Limits
	// macroSize are the compiled macros' sizes in nodes once the lowering
	// inlines the macros they use; written as macros compile, one after
	// another, only read after.
	macroSize map[string]uint64
	measuring string         // the macro being compiled, whose size compile records
	macros    map[string]int // CEL macro name -> index into Engine.celMacros
	listSizes map[string]uint64
	// macroIR are the CEL macros the back end compiled, and that cannot
	// fail, as the IR (a rule using one gets a let of it): filled while the
	// macros compile (one after another) and only read after.
	macroIR map[string]cond.Node
	// personal are the CEL macros that read personal data (macro -> the
	// field), which reasons may not print; filled before reasons compile.
	personal map[string]string
	opts     []cel.EnvOption // to build a worker's own environment
	raised   *celRaised      // to tell the parser's limit errors (overParserLimits)
}

func newCELCompiler(rs *rules.RuleSet, lists map[string]any, macroNames []string, cc compileConfig) (*celCompiler, error) {
	opts := celBaseOptions()
	opts = append(opts, cel.ParserExpressionSizeLimit(cc.maxCELSize), cel.ParserRecursionLimit(100))
	for _, p := range rs.Params {
		var v ref.Val
		var t *cel.Type
		switch x := p.Value.(type) {
		case int64:
			v, t = types.Int(x), cel.IntType
		case float64:
			v, t = types.Double(x), cel.DoubleType
		case string:
			v, t = types.String(x), cel.StringType
		case bool:
			v, t = types.Bool(x), cel.BoolType
		default:
			continue
		}
		opts = append(opts, cel.Constant("params."+p.Name, t, v))
	}
	for name, l := range lists {
		switch x := l.(type) {
		case *RegionSet:
			opts = append(opts, cel.Constant("lists."+name, celRegionSetType, celRegionSet{x}))
		case map[string]struct{}:
			items := rs.List(name).Items
			opts = append(opts, cel.Constant("lists."+name, cel.ListType(cel.StringType), types.NewStringList(types.DefaultTypeAdapter, items)))
		}
	}
	costLimit := cc.celCostLimit
	if costLimit == 0 {
		costLimit = cc.limits.MaxCost
	}
	runBudget := costLimit
	if cc.runBudget > 0 {
		runBudget = cc.runBudget
	}
	c := &celCompiler{rs: rs, reference: cc.reference, costLimit: costLimit, runBudget: runBudget, maxSize: cc.maxCELSize, limits: cc.limits, macroSize: map[string]uint64{}, macros: map[string]int{}, listSizes: map[string]uint64{}, macroIR: map[string]cond.Node{}, raised: &celRaised{}}
	for _, l := range rs.Lists {
		c.listSizes["lists."+l.Name] = uint64(len(l.Items))
	}
	for i, m := range macroNames {
		opts = append(opts, cel.Variable(m, cel.BoolType))
		c.macros[m] = i
	}
	opts = append(opts, celBudgetOptions(runBudget)...)
	env, err := cel.NewEnv(opts...)
	if err != nil {
		return nil, err
	}
	c.env, c.opts = env, opts
	return c, nil
}

// worker returns a compiler with an environment of its own, for compiling on
// another goroutine: cel-go's checker is not safe for concurrent use (its
// scopes race on comprehensions).
func (c *celCompiler) worker() (*celCompiler, error) {
	env, err := cel.NewEnv(c.opts...)
	if err != nil {
		return nil, err
	}
	w := &celCompiler{rs: c.rs, reference: c.reference, env: env, opts: c.opts, costLimit: c.costLimit, runBudget: c.runBudget, maxSize: c.maxSize, limits: c.limits, macroSize: c.macroSize,
		macros: c.macros, listSizes: c.listSizes, macroIR: c.macroIR, raised: c.raised}
	return w, nil
}

type celProgram struct {
	prg cel.Program
	// why says what the lowering gave up on, and where (nil: it was not
	// tried)
	why *fallbackNote
}

func (p celProgram) eval(s *Scorer) (any, error) {
	v, _, err := p.prg.Eval(&s.celAct)
	if err != nil {
		return nil, err
	}
	return celNative(v)
}

// celNative turns a CEL result into the Go values the renderer and the
// engine use (the same as expr's: int64 for ints, []any for lists).
func celNative(v ref.Val) (any, error) {
	switch x := v.(type) {
	case types.Bool:
		return bool(x), nil
	case types.Int:
		return int64(x), nil
	case types.String:
		return string(x), nil
	case types.Double:
		return float64(x), nil
	case *types.Err:
		return nil, x
	case types.Null:
		return nil, nil
	}
	if l, ok := v.(traits.Lister); ok {
		n, _ := l.Size().Value().(int64)
		out := make([]any, 0, n)
		for i := int64(0); i < n; i++ {
			e, err := celNative(l.Get(types.Int(i)))
			if err != nil {
				return nil, err
			}
			out = append(out, e)
		}
		return out, nil
	}
	return v.Value(), nil
}

// celEstimator bounds the sizes CEL cannot know by the record limits
// (MaxRoaming, MaxLinkedPlatforms, MaxTextBytes), and constant lists have
// the size they have.
type celEstimator struct{ lists map[string]uint64 }

func (c celEstimator) EstimateSize(n cost.AstNode) *cost.SizeEstimate {
	if p := n.Path(); len(p) == 1 {
		switch p[0] {
		case "roaming":
			return &cost.SizeEstimate{Min: 0, Max: MaxRoaming}
		case "linked_platforms":
			return &cost.SizeEstimate{Min: 0, Max: MaxLinkedPlatforms}
		}
		if size, ok := c.lists[p[0]]; ok {
			return &cost.SizeEstimate{Min: size, Max: size}
		}
	}
	if n.Type() != nil && n.Type().Kind() == types.StringKind {
		name := ""
		if e := n.Expr(); e != nil {
			switch e.Kind() {
			case celast.IdentKind:
				name = e.AsIdent()
			case celast.SelectKind:
				name = e.AsSelect().FieldName()
			case celast.CallKind:
				name = e.AsCall().FunctionName()
			}
		}
		return &cost.SizeEstimate{Min: 0, Max: textBytes(name)}
	}
	return nil
}

func (c celEstimator) EstimateCallCost(function, overloadID string, target *cost.AstNode, args []cost.AstNode) *cost.CallEstimate {
	if f, ok := domainFuncs[function]; ok {
		return cost.NewCallEstimate(cost.Estimate{Min: 1, Max: uint64(f.Cost)}, nil)
	}
	return nil
}

// nodesAfterExpansion counts the nodes of a checked expression with the
// lowered macros it names counted at their own expanded size: the lowering
// inlines those (a macro that is not lowered is evaluated once per card).
func (c *celCompiler) nodesAfterExpansion(a *cel.Ast) uint64 {
	refs := a.NativeRep().ReferenceMap()
	var n uint64
	celast.PostOrderVisit(a.NativeRep().Expr(), celast.NewExprVisitor(func(e celast.Expr) {
		n = addSat(n, 1)
		if e.Kind() != celast.IdentKind {
			return
		}
		if r, ok := refs[e.ID()]; ok && r.Name != "" && r.Value == nil {
			if _, lowered := c.macroIR[r.Name]; lowered {
				n = addSat(n, c.macroSize[r.Name])
			}
		}
	}))
	return n
}

// compile parses, type-checks, bounds and plans one CEL expression.
func (c *celCompiler) compile(src rules.Expr, owner string, wantBool bool) (prog program, used map[string]bool, errs []*rules.Error) {
	defer recoverCompile(src, owner, &prog, &errs)
	c.lastCost = 0
	errAt := func(line, col int, code rules.Code, msg string) *rules.Error {
		return &rules.Error{Pos: src.PosAt(celOffset(src.Src, line, col)), Rule: owner, Field: src.Key, Code: code, Msg: msg}
	}
	if e := checkText(src, owner, c.limits); e != nil {
		return nil, nil, []*rules.Error{e}
	}
	if c.maxSize > 0 && utf8.RuneCountInString(src.Src) > c.maxSize {
		return nil, nil, []*rules.Error{errAt(1, 0, rules.CodeTooComplex,
			fmt.Sprintf("expression is longer than %d characters; split it into macros", c.maxSize))}
	}
	parsed, iss := c.env.Parse(src.Src)
	if iss.Err() != nil {
		return nil, nil, c.issues(src.Src, iss, nil, errAt, rules.CodeExprSyntax)
	}

	checked, iss := c.env.Check(parsed)
	if iss.Err() != nil {
		return nil, usedNames(parsed), c.issues(src.Src, iss, parsed, errAt, rules.CodeType)
	}
	used, nodes, cst := c.scanChecked(checked)
	if scanHook != nil {
		scanHook(c, checked, used, nodes, cst)
	}
	if cst { // timestamp parts in CST (cst.go)
		opt, err := cel.NewStaticOptimizer(cstTimes{})
		if err == nil {
			checked, iss = opt.Optimize(c.env, checked)
		}
		if err != nil || iss.Err() != nil {
			msg := "times of day cannot be read in CST here"
			if err != nil {
				msg += ": " + err.Error()
			} else {
				msg += ": " + iss.Err().Error()
			}
			return nil, usedNames(parsed), []*rules.Error{errAt(1, 0, rules.CodeType, msg)}
		}
	}
	if cst { // the rewritten tree's names and nodes
		used, nodes = usedNames(checked), c.nodesAfterExpansion(checked)
	}
	if n := nodes; n > uint64(c.limits.MaxExprNodes) {
		return nil, used, []*rules.Error{tooManyNodes(src, owner, n, c.limits.MaxExprNodes)}
	} else if c.measuring != "" {
		c.macroSize[c.measuring] = n
	}
	if wantBool && !checked.OutputType().IsExactType(cel.BoolType) {
		return nil, used, []*rules.Error{errAt(1, 0, rules.CodeNotBoolean,
			fmt.Sprintf("condition must be true or false, but this is %s", checked.OutputType()))}
	}
	if !wantBool { // a reason placeholder: personal data only masked
		var errs []*rules.Error
		for _, f := range celPersonalReads(checked) {
			errs = append(errs, personalError(src, owner, f, ""))
		}
		for _, n := range sortedKeys(used) {
			if f := c.personal[n]; f != "" {
				errs = append(errs, personalError(src, owner, f, n))
			}
		}
		if len(errs) > 0 {
			return nil, used, errs
		}
	}
	est, err := c.env.EstimateCost(checked, celEstimator{lists: c.listSizes})
	if err != nil {
		return nil, used, []*rules.Error{errAt(1, 0, rules.CodeTooCostly, "cost cannot be estimated: "+err.Error())}
	}
	c.lastCost = est.Max
	if est.Max > c.costLimit {
		return nil, used, []*rules.Error{errAt(1, 0, rules.CodeTooCostly,
			fmt.Sprintf("estimated cost per card up to %s is over the limit max_cost=%s; simplify it", numText(est.Max), numText(c.costLimit)))}
	}
	var gu *cond.GiveUp
	if !c.reference {
		// front end, then back end (backend.go)
		cfg := celfront.Config{Macros: c.macroIR}
		var n cond.Node
		var p program
		if wantBool {
			if n, gu = celfront.Condition(checked.NativeRep(), cfg); gu == nil {
				p, gu = lowerCond(n)
			}
		} else {
			if n, gu = celfront.Value(checked.NativeRep(), cfg); gu == nil {
				p, gu = lowerValue(n)
			}
		}
		if gu == nil {
			if _, cannotFail := p.(closureProgram); cannotFail && c.measuring != "" {
				// rules and later macros use it: a let of its tree
				c.macroIR[c.measuring] = n
			}
			return p, used, nil
		}
	}
	prg, err := c.env.Program(checked, cel.EvalOptions(cel.OptOptimize), cel.CostLimit(c.runBudget))
	if err != nil {
		return nil, used, []*rules.Error{errAt(1, 0, rules.CodeType, err.Error())}
	}
	return celProgram{prg, irNote(gu, src)}, used, nil
}

// issues turns cel-go's issues into positioned errors; parsed is the parsed
// expression the checker's issues are about (nil for the parser's).
func (c *celCompiler) issues(src string, iss *cel.Issues, parsed *cel.Ast, errAt func(int, int, rules.Code, string) *rules.Error, def rules.Code) []*rules.Error {
	var nodes map[int64]celast.Expr
	var parent map[int64]celast.Expr
	var entries map[int64]celEntry
	var overLimit []bool
	if parsed != nil {
		nodes, parent, entries = map[int64]celast.Expr{}, map[int64]celast.Expr{}, map[int64]celEntry{}
		celast.PostOrderVisit(parsed.NativeRep().Expr(), celast.NewExprVisitor(func(e celast.Expr) {
			nodes[e.ID()] = e
			switch e.Kind() {
			case celast.SelectKind:
				parent[e.AsSelect().Operand().ID()] = e
			case celast.StructKind:
				for _, f := range e.AsStruct().Fields() {
					if f.Kind() == celast.StructFieldKind {
						entries[f.ID()] = celEntry{e.AsStruct().TypeName(), f.AsStructField().Name()}
					}
				}
			}
		}))
	} else {
		overLimit = c.overParserLimits(src, iss)
	}
	var out []*rules.Error
	for i, e := range iss.Errors() {
		code := def
		switch {
		case parsed == nil && overLimit[i]:
			code = rules.CodeTooComplex
		case parsed != nil && nodes[e.ExprID] == nil && c.undeclaredStructField(entries[e.ExprID]):
			code = rules.CodeUndefinedName
		}
		out = append(out, c.celError(src, e, parsed, nodes[e.ExprID], parent, errAt, code))
	}
	return out
}

// celEntry is a field of a struct literal: the type's name as written and
// the field's.
type celEntry struct{ typ, field string }

// undeclaredStructField reports whether f names a field that its struct
// type, one the environment declares (risk.roamEnv{regio: ...}), does not
// have.
func (c *celCompiler) undeclaredStructField(f celEntry) bool {
	if f.typ == "" {
		return false
	}
	p := c.env.CELTypeProvider()
	name := strings.TrimPrefix(f.typ, ".")
	if _, ok := p.FindStructType(name); !ok {
		return false
	}
	_, ok := p.FindStructFieldType(name, f.field)
	return !ok
}

// celRaisedRecursion is the parser's recursion limit when parsing again to
// tell its limit errors from others (overParserLimits): far over the one
// rules compile with (100), and still a bounded depth of Go calls.
const celRaisedRecursion = 10_000

// celRaised is an environment like a compiler's whose parser allows
// nesting celRaisedRecursion deep, made on first use (a syntax error) and
// shared by the compiler's workers: it only parses.
type celRaised struct {
	once sync.Once
	env  *cel.Env
	err  error
}

// overParserLimits reports, for each of the parser's issues, whether it is
// there because of the parser's recursion limit (too_complex, not a syntax
// error): parsing again with the limit raised does not report it (no issue
// of the same location and text). It reads no message for its meaning. The
// size limit is checked before the parser is called; nesting deeper than
// celRaisedRecursion (a host's max_expr_depth raised that far) stays a
// syntax error.
func (c *celCompiler) overParserLimits(src string, iss *cel.Issues) []bool {
	errs := iss.Errors()
	out := make([]bool, len(errs))
	r := c.raised
	r.once.Do(func() { r.env, r.err = c.env.Extend(cel.ParserRecursionLimit(celRaisedRecursion)) })
	if r.err != nil {
		return out
	}
	type key struct {
		line, col int
		msg       string
	}
	again := map[key]bool{}
	if _, iss2 := r.env.Parse(src); iss2 != nil {
		for _, e := range iss2.Errors() {
			again[key{e.Location.Line(), e.Location.Column(), e.Message}] = true
		}
	}
	for i, e := range errs {
		out[i] = !again[key{e.Location.Line(), e.Location.Column(), e.Message}]
	}
	return out
}

// selectsFromObject reports whether the selection id of parsed, which the
// checker refused, selects from a value of a type with fields (a roaming
// entry: r.regio): with its field renamed to one that type declares, the
// checker accepts it. Otherwise the value has no fields at all
// (complaints.x): a type error.
func (c *celCompiler) selectsFromObject(parsed *cel.Ast, id int64) bool {
	names, ok := c.env.CELTypeProvider().FindStructFieldNames(celRoamType.TypeName())
	if !ok || len(names) == 0 || parsed == nil {
		return false
	}
	pe, err := cel.AstToParsedExpr(parsed)
	if err != nil {
		return false
	}
	cp := cel.ParsedExprToAstWithSource(pe, parsed.Source())
	var sel celast.Expr
	celast.PostOrderVisit(cp.NativeRep().Expr(), celast.NewExprVisitor(func(e celast.Expr) {
		if e.ID() == id {
			sel = e
		}
	}))
	if sel == nil || sel.Kind() != celast.SelectKind {
		return false
	}
	s, fac := sel.AsSelect(), celast.NewExprFactory()
	if s.IsTestOnly() {
		sel.SetKindCase(fac.NewPresenceTest(id, s.Operand(), names[0]))
	} else {
		sel.SetKindCase(fac.NewSelect(id, s.Operand(), names[0]))
	}
	_, iss := c.env.Check(cp)
	if iss == nil {
		return true
	}
	for _, e := range iss.Errors() {
		if e.ExprID == id {
			return false
		}
	}
	return true
}

// inRegionList reports whether call is x in lists.NAME, NAME a region list
// of the rule set (which in_region tests). call is of an expression the
// checker has seen: it rewrites lists.NAME into one identifier.
func (c *celCompiler) inRegionList(call celast.Expr) bool {
	if call.Kind() != celast.CallKind || call.AsCall().FunctionName() != "@in" || len(call.AsCall().Args()) != 2 || c.rs == nil {
		return false
	}
	// lists.NAME as parsed, or as the checker rewrote it (one name)
	name, l := "", call.AsCall().Args()[1]
	switch l.Kind() {
	case celast.SelectKind:
		if op := l.AsSelect().Operand(); op.Kind() == celast.IdentKind && op.AsIdent() == "lists" {
			name = l.AsSelect().FieldName()
		}
	case celast.IdentKind:
		name, _ = strings.CutPrefix(l.AsIdent(), "lists.")
	}
	list := c.rs.List(name)
	return name != "" && list != nil && list.Type == rules.ListRegion
}

var paramRefRE = regexp.MustCompile(`^(params|lists)\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)`)

// celError gives one cel-go issue its code and message. A checker issue is
// classified by the node it is about (its ExprID), never by cel-go's
// message text, which cel-go does not promise to keep: an identifier the
// checker reports on is undeclared (the checker has no other complaint
// about a bare name; params.X and lists.X with no X close to a declared
// one are reported so too), and so is a call of a function the environment
// does not declare; a selection is undefined when its value is of a type
// with fields (selectsFromObject) and a type error otherwise; x in
// lists.NAME of a region list says to use in_region. def is the code of
// anything else (issues decides it for the parser's issues and for a struct
// literal's fields, which have no node).
func (c *celCompiler) celError(src string, e *common.Error, parsed *cel.Ast, node celast.Expr, parent map[int64]celast.Expr, errAt func(int, int, rules.Code, string) *rules.Error, def rules.Code) *rules.Error {
	msg, code := e.Message, def
	line, col := e.Location.Line(), e.Location.Column()
	name := ""
	switch {
	case node == nil:
	case node.Kind() == celast.IdentKind:
		name = node.AsIdent()
		if p := parent[node.ID()]; p != nil && (name == "params" || name == "lists") {
			name += "." + p.AsSelect().FieldName()
			// point at the field: cel-go points at the root
			rs := []rune(src)
			if off := celOffset(src, line, col); off >= 0 && off < len(rs) {
				rest := string(rs[off:])
				if m := paramRefRE.FindStringSubmatchIndex(rest); m != nil {
					col += utf8.RuneCountInString(rest[:m[4]])
				}
			}
		}
	case node.Kind() == celast.CallKind && !c.env.HasFunction(node.AsCall().FunctionName()):
		name = node.AsCall().FunctionName()
	case node.Kind() == celast.SelectKind && node.AsSelect().Operand().Kind() == celast.IdentKind &&
		vocabSpaces[node.AsSelect().Operand().AsIdent()]:
		// params.X, lists.X, pop.X or iot.X with X close to a declared
		// name: cel-go reports it on the selection. It is the only
		// complaint cel-go has about such a selection: these names are
		// declared whole (pop.cards_total), their first part is no value
		name = node.AsSelect().Operand().AsIdent() + "." + node.AsSelect().FieldName()
	case node.Kind() == celast.SelectKind:
		// a field of a value: undefined if the value has fields
		// (r.regio), a type error if it has none (complaints.x)
		if c.selectsFromObject(parsed, node.ID()) {
			code = rules.CodeUndefinedName
		}
	case c.inRegionList(node):
		msg = "a region list: write in_region(x, lists.NAME)"
	}
	if strings.Contains(name, ".") {
		// reported on the selection, at its ".": point at the field
		if rs, off := []rune(src), celOffset(src, line, col); off >= 0 && off < len(rs) && rs[off] == '.' {
			col++
		}
	}
	call := name != "" && ((node != nil && node.Kind() == celast.CallKind && node.AsCall().FunctionName() == name) ||
		calledAt(src, celOffset(src, line, col), name))
	switch {
	case name == "":
		if code == rules.CodeType {
			msg += quotedParamHint(c.rs, src, msg)
		}
	case strings.HasPrefix(name, "params."):
		code, msg = rules.CodeUndefinedParam, undeclaredMsg(c.rs, "params", strings.TrimPrefix(name, "params."))
	case strings.HasPrefix(name, "lists."):
		code, msg = rules.CodeUndefinedList, undeclaredMsg(c.rs, "lists", strings.TrimPrefix(name, "lists."))
	default:
		code, msg = rules.CodeUndefinedName, unknownNameMsg(c.rs, name, call, c.builtinNames())
	}
	return errAt(line, col, code, msg)
}

// builtinNames are the functions of c's environment named like
// identifiers (not operators), for the "did you mean" of an unknown one.
func (c *celCompiler) builtinNames() []string {
	var names []string
	for n := range c.env.Functions() {
		if n != "" && !strings.ContainsAny(n[:1], "_@!-") {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

// celOffset turns a CEL location (1-based line, 0-based column, in runes)
// into a rune offset in src.
func celOffset(src string, line, col int) int {
	off, l := 0, 1
	for _, r := range src {
		if l == line {
			break
		}
		off++
		if r == '\n' {
			l++
		}
	}
	return off + col
}

// scanChecked walks a checked expression once for what compile needs of
// it: the names it reads (usedNames), its nodes with the lowered macros it
// names counted expanded (nodesAfterExpansion), and whether it reads a
// timestamp part that cstTimes rewrites (needsCST). On a checked tree a
// reference with a name is on an identifier (the checker turns a qualified
// name into one) or a message literal, so the reference map is looked up
// at those nodes instead of being walked whole.
func (c *celCompiler) scanChecked(a *cel.Ast) (used map[string]bool, nodes uint64, cst bool) {
	native := a.NativeRep()
	refs := native.ReferenceMap()
	used = map[string]bool{}
	celast.PostOrderVisit(native.Expr(), celast.NewExprVisitor(func(e celast.Expr) {
		nodes = addSat(nodes, 1)
		switch e.Kind() {
		case celast.IdentKind:
			used[e.AsIdent()] = true
			if r, ok := refs[e.ID()]; ok && r.Name != "" {
				used[r.Name] = true
				if r.Value == nil {
					if _, lowered := c.macroIR[r.Name]; lowered {
						nodes = addSat(nodes, c.macroSize[r.Name])
					}
				}
			}
		case celast.StructKind:
			if r, ok := refs[e.ID()]; ok && r.Name != "" {
				used[r.Name] = true
			}
		case celast.CallKind:
			if call := e.AsCall(); call.IsMemberFunction() && celTimeParts[call.FunctionName()] || isTimestampString(native, call) {
				cst = true
			}
		}
	}))
	return used, nodes, cst
}

// scanHook, set by the tests, sees every scan scanChecked makes, to hold it
// to the three walks it stands for.
var scanHook func(c *celCompiler, a *cel.Ast, used map[string]bool, nodes uint64, cst bool)

// usedNames lists the identifiers an expression reads.
func usedNames(a *cel.Ast) map[string]bool {
	used := map[string]bool{}
	celast.PostOrderVisit(a.NativeRep().Expr(), celast.NewExprVisitor(func(e celast.Expr) {
		switch e.Kind() {
		case celast.IdentKind:
			used[e.AsIdent()] = true
		case celast.SelectKind:
			// a.b.c of qualified names: record the root too
			root := e
			for root.Kind() == celast.SelectKind {
				root = root.AsSelect().Operand()
			}
			if root.Kind() == celast.IdentKind {
				used[root.AsIdent()] = true
			}
		}
	}))
	if ref := a.NativeRep().ReferenceMap(); ref != nil {
		for _, r := range ref {
			if r.Name != "" {
				used[r.Name] = true
			}
		}
	}
	return used
}

// celActivation resolves vocabulary names against the scorer's current card,
// with no map per record; macros are evaluated once per card, on first use.
type celActivation struct{ s *Scorer }

func (a *celActivation) Parent() interpreter.Activation { return nil }

func (a *celActivation) ResolveName(name string) (any, bool) {
	if v, ok := a.s.env.fillAll().celValue(name); ok {
		return v, true
	}
	if i, ok := a.s.e.celMacroIdx[name]; ok {
		return a.s.macroValue(i), true
	}
	return nil, false
}

// vocabSpaces are the first parts of qualified names that are no value of
// their own: params, lists and the vocabulary's (pop, iot).
var vocabSpaces = func() map[string]bool {
	m := map[string]bool{"params": true, "lists": true}
	for _, t := range vocabulary {
		if first, _, qualified := strings.Cut(t.Name, "."); qualified {
			m[first] = true
		}
	}
	for _, t := range vocabulary {
		delete(m, t.Name)
	}
	return m
}()
