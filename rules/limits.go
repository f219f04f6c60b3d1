package rules

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Limits bound what a rule set may ask of the process that loads and runs
// it. Rule files are written by analysts and hot-reloaded by host services,
// so nothing in a rule file may crash, hang or exhaust the host: every limit
// below is checked before the work it bounds is done, and going over one is
// an error that names the limit (code too_complex, too_large or too_costly)
// at the position of the offending item.
//
// The defaults (DefaultLimits) are far above anything a real pack needs:
// the default pack is 16 KB, its longest list has 14 items and its largest
// expression about 60 syntax-tree nodes. A host overrides them with
// WithLimits (loading) and risk.WithLimits (compiling, by default the
// limits the RuleSet was loaded with); `simrisk lint`, `test`, `score` and
// `explain` with --limit NAME=VALUE. The names are the yaml-style
// names Limits.Set accepts (max_file_bytes, ...). rules/README.md has the
// table.
type Limits struct {
	// MaxFileBytes is the largest rule or test file read, in bytes
	// (default 4 MiB). Checked on the file's size before it is read.
	MaxFileBytes int64
	// MaxFiles is the most rule files one load reads (default 1,000).
	MaxFiles int
	// MaxTotalBytes is the most bytes one load reads over all its rule and
	// test files (default 16 MiB). Checked on the files' sizes before any
	// is read (Parse: on the sources' lengths), and again as they are read.
	MaxTotalBytes int64
	// MaxRules is the most rules in one rule set, all files together
	// (default 5,000). Checked at load, before any compile work: the first
	// rule past it is the error and later ones are not read.
	MaxRules int
	// MaxTextBytes is the longest short text, in bytes (default 1 KiB): a
	// rule id, title (each language), tag, name, list item, parameter
	// value, test name and a string in a test card. Descriptions may be as
	// long as max_reason_bytes.
	MaxTextBytes int
	// MaxListItems is the most items of one list (default 10,000).
	MaxListItems int
	// MaxTags is the most tags on one rule (default 32).
	MaxTags int
	// MaxExprBytes is the longest expression text (a when, a macro, one
	// reason placeholder), in bytes (default 16 KiB). Checked on the text,
	// before any expression parser sees it.
	MaxExprBytes int
	// MaxExprDepth is the deepest nesting of an expression: brackets,
	// parentheses, braces and runs of prefix operators (-, !, not) counted
	// on the text before parsing (default 64).
	MaxExprDepth int
	// MaxExprNodes is the most syntax-tree nodes of one expression,
	// measured after macros are expanded (default 500).
	MaxExprNodes int
	// MaxReasonBytes is the longest reason template, and the longest
	// description, in bytes (default 2 KiB).
	MaxReasonBytes int
	// MaxRenderedReasonBytes is the longest reason a decision shows, in
	// bytes, once its placeholders are filled in on a card (default 4 KiB):
	// a longer one is cut at a UTF-8 character boundary and ends with "…".
	// It is enforced at run time; a placeholder's value is bounded by
	// max_cost before that.
	MaxRenderedReasonBytes int
	// MaxReasonPlaceholders is the most {placeholders} in one reason
	// template (default 32).
	MaxReasonPlaceholders int
	// MaxCost is the most a rule may cost on one card, in cost units of the
	// static estimate (default 1,000,000): a loop multiplies its body's cost
	// by its list's largest allowed length. A rule whose estimate is over it
	// is a too_costly load error; the same budget bounds every rule on every
	// card at run time.
	MaxCost uint64
	// MaxPackCost is the most all rules of a rule set may cost on one card
	// together, the sum of their estimates (each a rule's condition and its
	// reasons' placeholders), in the units of MaxCost (default 20,000,000).
	// The rule whose estimate takes the sum over it gets a too_costly load
	// error naming the sum. It is never taken below MaxCost: a rule set of
	// one rule within MaxCost is within it.
	MaxPackCost uint64
	// MaxFixtureBytes is the largest record file a rule test may name as its
	// population (default 64 MiB). A fixture must be a regular file inside
	// the rule directory.
	MaxFixtureBytes int64
	// MaxTests is the most rule tests one load reads (default 10,000).
	MaxTests int
}

// DefaultLimits returns the limits used when none are given.
func DefaultLimits() Limits {
	return Limits{
		MaxFileBytes:           4 << 20,
		MaxFiles:               1000,
		MaxTotalBytes:          16 << 20,
		MaxRules:               5000,
		MaxTextBytes:           1 << 10,
		MaxListItems:           10_000,
		MaxTags:                32,
		MaxExprBytes:           16 << 10,
		MaxExprDepth:           64,
		MaxExprNodes:           500,
		MaxReasonBytes:         2 << 10,
		MaxReasonPlaceholders:  32,
		MaxRenderedReasonBytes: 4 << 10,
		MaxCost:                1_000_000,
		MaxPackCost:            20_000_000,
		MaxFixtureBytes:        64 << 20,
		MaxTests:               10_000,
	}
}

// limitFields maps each limit's name to its field, in one place, for Set,
// Names and the docs.
func (l *Limits) fields() map[string]any {
	return map[string]any{
		"max_file_bytes":            &l.MaxFileBytes,
		"max_files":                 &l.MaxFiles,
		"max_total_bytes":           &l.MaxTotalBytes,
		"max_rules":                 &l.MaxRules,
		"max_text_bytes":            &l.MaxTextBytes,
		"max_list_items":            &l.MaxListItems,
		"max_tags":                  &l.MaxTags,
		"max_expr_bytes":            &l.MaxExprBytes,
		"max_expr_depth":            &l.MaxExprDepth,
		"max_expr_nodes":            &l.MaxExprNodes,
		"max_reason_bytes":          &l.MaxReasonBytes,
		"max_reason_placeholders":   &l.MaxReasonPlaceholders,
		"max_rendered_reason_bytes": &l.MaxRenderedReasonBytes,
		"max_cost":                  &l.MaxCost,
		"max_pack_cost":             &l.MaxPackCost,
		"max_fixture_bytes":         &l.MaxFixtureBytes,
		"max_tests":                 &l.MaxTests,
	}
}

// LimitNames lists the names Limits.Set accepts, sorted.
func LimitNames() []string {
	var l Limits
	names := make([]string, 0, 16)
	for n := range l.fields() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Get returns the value of the limit called name, and whether there is one.
func (l *Limits) Get(name string) (uint64, bool) {
	switch p := l.fields()[name].(type) {
	case *int:
		return uint64(*p), true
	case *int64:
		return uint64(*p), true
	case *uint64:
		return *p, true
	}
	return 0, false
}

// Set sets one limit from its name and a decimal value of at least 1, as
// `simrisk lint --limit max_list_items=50000` does. An unknown name or a
// value that is not a positive integer is an error that names the choices.
func (l *Limits) Set(name, value string) error {
	p, ok := l.fields()[name]
	if !ok {
		return fmt.Errorf("rules: unknown limit %q (want one of %s)", name, strings.Join(LimitNames(), ", "))
	}
	v, err := strconv.ParseUint(strings.TrimSpace(value), 10, 63)
	if err != nil || v < 1 {
		return fmt.Errorf("rules: limit %s=%q: want a whole number of at least 1", name, value)
	}
	switch p := p.(type) {
	case *int:
		if v > uint64(int(^uint(0)>>1)) {
			return fmt.Errorf("rules: limit %s=%q: too large", name, value)
		}
		*p = int(v)
	case *int64:
		*p = int64(v)
	case *uint64:
		*p = v
	}
	return nil
}

// Validate reports a limit that is zero or negative (an unset field of a
// Limits built by hand): start from DefaultLimits and change what you need.
func (l Limits) Validate() error {
	for _, n := range LimitNames() {
		v, _ := l.Get(n)
		if v == 0 || int64(v) < 0 {
			return fmt.Errorf("rules: limit %s is %d: want at least 1 (start from DefaultLimits)", n, int64(v))
		}
	}
	return nil
}
