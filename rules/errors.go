package rules

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Code is a stable error code. Codes never change meaning between versions,
// so tools and tests can match them with errors.Is:
//
//	if errors.Is(err, rules.CodeUndefinedName) { ... }
//
// Every code is explained in rules/README.md.
type Code string

// Error implements error so that a Code can be the target of errors.Is.
func (c Code) Error() string { return string(c) }

// Stable error codes reported by the loader and by the compiler in package risk.
const (
	CodeSyntax         Code = "yaml_syntax"     // the file is not valid YAML
	CodeIO             Code = "io"              // the file could not be read
	CodeUnknownKey     Code = "unknown_key"     // a key the format does not define
	CodeMissingKey     Code = "missing_key"     // a required key is absent
	CodeBadValue       Code = "bad_value"       // a value of the wrong type or out of range
	CodeDuplicate      Code = "duplicate"       // a second rule id, parameter, list, macro or test name
	CodeBadOutcome     Code = "bad_outcome"     // not pass, monitor, verify, restrict or suspend
	CodeBadLevel       Code = "bad_level"       // not low, medium, high or critical
	CodeBadMode        Code = "bad_mode"        // not enforce or shadow
	CodeBadLanguage    Code = "bad_language"    // an expression language simrisk does not know
	CodeBadRegion      Code = "bad_region"      // a region list entry that is not a region code
	CodeConflict       Code = "conflict"        // files of one rule set disagree (name, version, bands)
	CodeExprSyntax     Code = "expr_syntax"     // the expression does not parse
	CodeUndefinedParam Code = "undefined_param" // params.X where X is not declared
	CodeUndefinedList  Code = "undefined_list"  // lists.X where X is not declared
	CodeUndefinedName  Code = "undefined_name"  // a name that is no field, derived value, macro or function
	CodeType           Code = "type"            // a type error inside an expression
	CodeNotBoolean     Code = "not_boolean"     // a when or macro that is not boolean
	CodeMacroCycle     Code = "macro_cycle"     // macros that refer to each other in a loop
	CodeTooComplex     Code = "too_complex"     // an expression over the node or nesting-depth limit (after macro expansion)
	CodeTooLarge       Code = "too_large"       // a file, list, tag set, text or test fixture over its size limit
	CodeTooCostly      Code = "too_costly"      // a rule whose estimated cost per card is over the cost limit
	CodeBadNumber      Code = "bad_number"      // NaN or an infinity where a number is expected
	CodePersonalData   Code = "personal_data"   // a reason template that would print personal data
	CodeBadTemplate    Code = "bad_template"    // a reason template that does not parse
	CodeBadTest        Code = "bad_test"        // a rule test that cannot run (bad card, unknown rule)
	CodeTooManyErrors  Code = "too_many_errors" // the error cap was reached; later errors were dropped
	CodeBadOption      Code = "bad_option"      // a compile option out of range (risk.WithLanguage("fr")); no position

	// Warning codes: lint's advice (risk.Lint); a rule set with warnings
	// still loads and compiles.
	CodeUnusedParam Code = "unused_param" // a parameter no expression reads
	CodeUnusedList  Code = "unused_list"  // a list no expression reads
	CodeUnusedMacro Code = "unused_macro" // a macro no rule, reason or other macro uses
	CodeNeverHolds  Code = "never_holds"  // comparisons joined by && that no value satisfies (x <= 7 && x > 30)
)

// Severity says how much a problem weighs. An error makes the rule set
// unusable (Load and Compile fail); a warning is advice that lint shows
// (and that simrisk lint --strict treats as an error).
type Severity string

// Severities. The zero value reads as an error.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
)

// Pos is a position in a rule file. Line and Column are 1-based; Column
// counts characters (runes), as editors do.
type Pos struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
}

func (p Pos) String() string {
	switch {
	case p.File == "" && p.Line == 0:
		return "-"
	case p.Line == 0:
		return p.File
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column)
}

// Error is the one positioned error type of rule loading, compiling and
// testing. It prints as
//
//	file:line:col: rule "id": [code] message
//
// (without the rule part when the error is not inside a rule), and a
// warning as file:line:col: rule "id": warning [code] message.
type Error struct {
	Pos
	Rule    string `json:"rule,omitempty"`  // rule id, macro name or test name the error is in
	Field   string `json:"field,omitempty"` // the key that holds the problem: "when", "score", ...
	Code    Code   `json:"code"`
	Msg     string `json:"message"`
	Snippet string `json:"snippet,omitempty"` // the source line and a caret under the column
	// Severity is SeverityWarning for lint's advice; empty (or
	// SeverityError) for an error.
	Severity Severity `json:"level,omitempty"`
}

// Warning says whether e is a warning rather than an error.
func (e *Error) Warning() bool { return e.Severity == SeverityWarning }

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Pos.String())
	b.WriteString(": ")
	if e.Rule != "" {
		fmt.Fprintf(&b, "rule %q: ", e.Rule)
	}
	if e.Warning() {
		b.WriteString("warning ")
	}
	fmt.Fprintf(&b, "[%s] %s", e.Code, e.Msg)
	return b.String()
}

// Unwrap returns the error's Code, so errors.Is(err, rules.CodeX) matches.
func (e *Error) Unwrap() error { return e.Code }

// ErrorList is every problem found in one load or compile, sorted by file and
// position. It is returned as an error only when it is not empty.
type ErrorList []*Error

// MaxErrors is how many problems one load reports before it stops with a
// too_many_errors entry.
const MaxErrors = 20

func (l ErrorList) Error() string {
	switch len(l) {
	case 0:
		return "no errors"
	case 1:
		return l[0].Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d errors:", len(l))
	for _, e := range l {
		b.WriteString("\n\t")
		b.WriteString(e.Error())
	}
	return b.String()
}

// Unwrap exposes the individual errors to errors.Is and errors.As.
func (l ErrorList) Unwrap() []error {
	out := make([]error, len(l))
	for i, e := range l {
		out[i] = e
	}
	return out
}

// Sort orders the list by file, line and column, keeping the too_many_errors
// marker last.
func (l ErrorList) Sort() {
	sort.SliceStable(l, func(i, j int) bool {
		a, b := l[i], l[j]
		if (a.Code == CodeTooManyErrors) != (b.Code == CodeTooManyErrors) {
			return b.Code == CodeTooManyErrors
		}
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
}

// Err returns the list as an error, or nil when it is empty.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

// AsList returns the positioned errors inside err: the list itself, a single
// *Error as a one-element list, or nil.
func AsList(err error) ErrorList {
	if err == nil {
		return nil
	}
	var l ErrorList
	if errors.As(err, &l) {
		return l
	}
	var e *Error
	if errors.As(err, &e) {
		return ErrorList{e}
	}
	return nil
}

// Collector gathers positioned errors up to MaxErrors. The zero value is
// ready to use. Package risk uses it so that compile errors join load errors
// under one cap.
type Collector struct {
	list    ErrorList
	dropped int
}

// Add records an error, or counts it as dropped past the cap.
func (c *Collector) Add(e *Error) {
	if len(c.list) >= MaxErrors {
		c.dropped++
		return
	}
	c.list = append(c.list, e)
}

// Addf records an error built from its parts.
func (c *Collector) Addf(pos Pos, rule, field string, code Code, format string, args ...any) {
	c.Add(&Error{Pos: pos, Rule: rule, Field: field, Code: code, Msg: fmt.Sprintf(format, args...)})
}

// AddAll records every error of l.
func (c *Collector) AddAll(l ErrorList) {
	for _, e := range l {
		if e.Code == CodeTooManyErrors {
			continue
		}
		c.Add(e)
	}
}

// Len is the number of errors seen, dropped ones included.
func (c *Collector) Len() int { return len(c.list) + c.dropped }

// List returns the sorted errors, ending with a too_many_errors entry when
// some were dropped.
func (c *Collector) List() ErrorList {
	out := append(ErrorList(nil), c.list...)
	out.Sort()
	if c.dropped > 0 {
		out = append(out, &Error{Code: CodeTooManyErrors,
			Msg: fmt.Sprintf("%d more errors not shown (the cap is %d)", c.dropped, MaxErrors)})
	}
	return out
}
