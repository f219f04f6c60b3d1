package risk

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"cel.dev/cel-go/cel"
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/types"
)

// Times of day in China Standard Time. Every time of the vocabulary is an
// instant (Unix seconds) and every day count is in CST calendar days, so a
// rule that asks for an hour, a weekday or a day of the month gets it in
// CST too, in both languages, whatever the machine's time zone and whether
// or not it has a time zone database:
//
//   - CEL: timestamp(t).getHours() and the other timestamp parts without a
//     time zone argument are compiled as getHours("+08:00"); a zone named
//     Asia/Shanghai (or PRC, Asia/Chongqing, Asia/Harbin) is read as the
//     fixed +08:00 the vocabulary uses (China has had no daylight saving
//     time since 1991).
//   - expr: date(t) of a vocabulary time (Unix seconds) is that instant in
//     CST; date("2024-03-03") and date(s, layout) read text without an
//     offset as CST; now() is the wall clock in CST; timezone(name) and
//     date(s, layout, name) read China's zone names and ±HH:MM offsets
//     without a zone database.

// cstOffsetText is CST as a CEL time zone argument.
const cstOffsetText = "+08:00"

// celTimeParts are CEL's timestamp accessors that take a time zone.
var celTimeParts = map[string]bool{
	"getFullYear": true, "getMonth": true, "getDayOfYear": true, "getDayOfMonth": true, "getDate": true,
	"getDayOfWeek": true, "getHours": true, "getMinutes": true, "getSeconds": true, "getMilliseconds": true,
}

// chinaZones are zone names that mean CST for the vocabulary.
var chinaZones = map[string]bool{"Asia/Shanghai": true, "PRC": true, "Asia/Chongqing": true, "Asia/Chungking": true, "Asia/Harbin": true}

// cstTimes rewrites a checked CEL expression so that timestamp parts are
// read in CST: a cel.ASTOptimizer.
type cstTimes struct{}

func (cstTimes) Optimize(ctx *cel.OptimizerContext, a *celast.AST) *celast.AST {
	for _, e := range celast.MatchDescendants(celast.NavigateAST(a), celast.KindMatcher(celast.CallKind)) {
		c := e.AsCall()
		if isTimestampString(a, c) {
			arg := ctx.CopyASTAndMetadata(ctx.NewAST(c.Args()[0]))
			ctx.UpdateExpr(e, ctx.NewCall(cstTextFunc, arg))
			continue
		}
		if !c.IsMemberFunction() || !celTimeParts[c.FunctionName()] {
			continue
		}
		// a timestamp's parts, or a dyn value's (a timestamp behind dyn(),
		// or out of a map or list of mixed values): read in CST. A
		// duration behind dyn then has no such overload: the rule fails on
		// the card instead of reading a part in UTC.
		if t := a.GetType(c.Target().ID()); t == nil || (t.Kind() != types.TimestampKind && t.Kind() != types.DynKind) {
			continue // getHours() of a duration takes no zone
		}
		switch args := c.Args(); len(args) {
		case 0:
			target := ctx.CopyASTAndMetadata(ctx.NewAST(c.Target()))
			ctx.UpdateExpr(e, ctx.NewMemberCall(c.FunctionName(), target, ctx.NewLiteral(types.String(cstOffsetText))))
		case 1:
			if args[0].Kind() == celast.LiteralKind {
				if s, ok := args[0].AsLiteral().(types.String); ok && (chinaZones[string(s)] || s == "Local") {
					ctx.UpdateExpr(args[0], ctx.NewLiteral(types.String(cstOffsetText)))
				}
			}
		}
	}
	return a
}

// cstTextFunc is string() of a timestamp in CST (RFC 3339 with +08:00).
const cstTextFunc = "cst_rfc3339"

// isTimestampString reports whether c is string(t) of a timestamp, which
// cel-go writes in UTC.
func isTimestampString(a *celast.AST, c celast.CallExpr) bool {
	if c.IsMemberFunction() || c.FunctionName() != "string" || len(c.Args()) != 1 {
		return false
	}
	t := a.GetType(c.Args()[0].ID())
	return t != nil && t.Kind() == types.TimestampKind
}

// needsCST says whether a checked CEL expression reads a timestamp part
// that cstTimes rewrites, so that others skip the optimizer.
func needsCST(a *cel.Ast) bool {
	found := false
	celast.PostOrderVisit(a.NativeRep().Expr(), celast.NewExprVisitor(func(e celast.Expr) {
		if e.Kind() == celast.CallKind && (e.AsCall().IsMemberFunction() && celTimeParts[e.AsCall().FunctionName()] ||
			isTimestampString(a.NativeRep(), e.AsCall())) {
			found = true
		}
	}))
	return found
}

// zoneOf reads a time zone name for expr's date and timezone: China's zone
// names and "Local"-free fixed offsets (+08:00, -05:30, UTC, Z) need no
// zone database; other names are looked up in it.
func zoneOf(name string) (*time.Location, error) {
	switch {
	case chinaZones[name]:
		return CST, nil
	case name == "UTC" || name == "Z":
		return time.UTC, nil
	case len(name) == 6 && (name[0] == '+' || name[0] == '-') && name[3] == ':':
		h, err1 := strconv.Atoi(name[1:3])
		m, err2 := strconv.Atoi(name[4:6])
		if err1 != nil || err2 != nil || h > 23 || m > 59 {
			return nil, fmt.Errorf("time zone %q: want ±HH:MM", name)
		}
		off := h*3600 + m*60
		if name[0] == '-' {
			off = -off
		}
		return time.FixedZone(name, off), nil
	case name == "Local":
		return CST, nil // the vocabulary's local time is CST, whatever the machine's zone
	case name == "":
		return nil, fmt.Errorf("time zone %q: name one (Asia/Shanghai)", name)
	}
	return time.LoadLocation(name)
}

// dateLayouts are the layouts date(text) tries, as expr's own date does.
var dateLayouts = []string{"2006-01-02", "15:04:05", "2006-01-02 15:04:05", time.RFC3339, time.RFC822, time.RFC850, time.RFC1123}

// exprDate is expr's date(), with vocabulary times and CST: date(t) of Unix
// seconds, date(text), date(text, layout), date(text, layout, zone); a
// leading *time.Location (from timezone()) is the zone of text without one.
func exprDate(params ...any) (any, error) {
	loc := CST
	if l, ok := params[0].(*time.Location); ok {
		loc, params = l, params[1:]
	}
	switch v := params[0].(type) {
	case int:
		return time.Unix(int64(v), 0).In(CST), nil
	case int64:
		return time.Unix(v, 0).In(CST), nil
	case string:
		switch len(params) {
		case 1:
			for _, layout := range dateLayouts {
				if t, err := time.ParseInLocation(layout, v, loc); err == nil {
					return t.In(CST), nil // a text with its own offset: that instant in CST
				}
			}
			return nil, dateTextError{}
		case 2, 3:
			layout, _ := params[1].(string)
			if len(params) == 3 {
				name, _ := params[2].(string)
				l, err := zoneOf(name)
				if err != nil {
					return nil, err
				}
				loc = l
			}
			t, err := time.ParseInLocation(layout, v, loc)
			if err != nil {
				return nil, err
			}
			return t.In(CST), nil // read in the zone named, seen in CST
		}
	}
	return nil, fmt.Errorf("date(%s): want a time (Unix seconds) or a text", strings.TrimSuffix(fmt.Sprintf("%T", params[0]), "{}"))
}

// dateTextError is date(text) of a text in none of the layouts it reads;
// it quotes no text (a card's value).
type dateTextError struct{}

func (dateTextError) Error() string { return "invalid date: the text is in none of date's layouts" }
