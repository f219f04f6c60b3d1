package rules

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// Outcome is what a decision asks the operator to do, in increasing severity.
type Outcome int

// Outcomes in increasing severity. The zero value is Pass.
const (
	Pass Outcome = iota
	Monitor
	Verify
	Restrict
	Suspend
)

var outcomeNames = [...]string{"pass", "monitor", "verify", "restrict", "suspend"}

func (o Outcome) String() string {
	if o < 0 || int(o) >= len(outcomeNames) {
		return fmt.Sprintf("outcome(%d)", int(o))
	}
	return outcomeNames[o]
}

// ParseOutcome reads an outcome name.
func ParseOutcome(s string) (Outcome, bool) {
	for i, n := range outcomeNames {
		if n == s {
			return Outcome(i), true
		}
	}
	return 0, false
}

// MarshalText writes the outcome's name.
func (o Outcome) MarshalText() ([]byte, error) { return []byte(o.String()), nil }

// UnmarshalText reads an outcome's name.
func (o *Outcome) UnmarshalText(b []byte) error {
	v, ok := ParseOutcome(string(b))
	if !ok {
		return fmt.Errorf("unknown outcome %q (want %s)", b, strings.Join(outcomeNames[:], ", "))
	}
	*o = v
	return nil
}

// Level is a decision's risk level.
type Level int

// Levels in increasing risk.
const (
	Low Level = iota
	Medium
	High
	Critical
)

var levelNames = [...]string{"low", "medium", "high", "critical"}

func (l Level) String() string {
	if l < 0 || int(l) >= len(levelNames) {
		return fmt.Sprintf("level(%d)", int(l))
	}
	return levelNames[l]
}

// ParseLevel reads a level name.
func ParseLevel(s string) (Level, bool) {
	for i, n := range levelNames {
		if n == s {
			return Level(i), true
		}
	}
	return 0, false
}

// MarshalText writes the level's name.
func (l Level) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// UnmarshalText reads a level's name.
func (l *Level) UnmarshalText(b []byte) error {
	v, ok := ParseLevel(string(b))
	if !ok {
		return fmt.Errorf("unknown level %q (want %s)", b, strings.Join(levelNames[:], ", "))
	}
	*l = v
	return nil
}

// Mode says whether a rule acts on decisions.
type Mode int

const (
	// Enforce rules add their score and outcome to the decision.
	Enforce Mode = iota
	// Shadow rules are evaluated and reported in the decision's hits, but never
	// change its score, level or outcome: the way to try a rule on live traffic.
	Shadow
)

func (m Mode) String() string {
	if m == Shadow {
		return "shadow"
	}
	return "enforce"
}

// Expression languages: the values of a rule file's language key.
const (
	LangExpr = "expr"
	LangCEL  = "cel"
)

// RuleSet is a loaded, structurally valid set of rule files. It is plain
// data: package risk compiles it into an Engine, which type-checks every
// expression. A RuleSet is not modified after Load returns.
type RuleSet struct {
	Name        string
	Version     string
	Description string
	Language    string   // default expression language of the set: "expr" unless a file says otherwise
	Files       []string // the files it was loaded from, in load order
	Digest      string   // "sha256:" and 32 hex digits over the files' contents, for audit and replay

	Params []*Param
	Lists  []*List
	Macros []*Macro
	Rules  []*Rule
	Bands  []*Band
	Tests  []*TestCase

	lines  map[string][]string // source lines per file, for error snippets
	limits Limits              // the limits it was loaded with
	err    error               // the load's errors (an ErrorList), or nil

	// lookups by name, built at load; nil for a RuleSet built by hand
	rulesByID map[string]*Rule
	params    map[string]*Param
	lists     map[string]*List
	macros    map[string]*Macro
}

// Err returns the errors its load reported (an ErrorList, as Load
// returned them), or nil. A RuleSet with load errors holds only what could
// be read: risk.Compile refuses it, risk.Check still checks it.
func (rs *RuleSet) Err() error { return rs.err }

// Limits returns the limits the rule set was loaded with (DefaultLimits for
// a RuleSet built by hand). risk.Compile uses them unless told otherwise.
func (rs *RuleSet) Limits() Limits {
	if rs.limits == (Limits{}) {
		return DefaultLimits()
	}
	return rs.limits
}

// index builds the lookups by name. The first of duplicates wins, as the
// linear lookups did.
func (rs *RuleSet) index() {
	rs.rulesByID = firstByName(rs.Rules, func(r *Rule) string { return r.ID })
	rs.params = firstByName(rs.Params, func(p *Param) string { return p.Name })
	rs.lists = firstByName(rs.Lists, func(l *List) string { return l.Name })
	rs.macros = firstByName(rs.Macros, func(m *Macro) string { return m.Name })
}

// firstByName maps each name to the first item of xs that has it.
func firstByName[T any](xs []T, name func(T) string) map[string]T {
	m := make(map[string]T, len(xs))
	for _, x := range xs {
		if _, ok := m[name(x)]; !ok {
			m[name(x)] = x
		}
	}
	return m
}

// Param is a named policy number (or string or switch) referred to in
// expressions as params.NAME.
type Param struct {
	Name  string
	Value any // int64, float64, string or bool
	Pos   Pos
}

// ListType says how a list's entries are read.
type ListType string

// List types.
const (
	// ListString entries are plain strings matched exactly.
	ListString ListType = "string"
	// ListRegion entries are region codes: ISO 3166 alpha-2 country codes,
	// or GB/T 2260 division codes where a province code (NN0000) covers
	// every code with its first 2 digits and a prefecture code (NNNN00)
	// every code with its first 4.
	ListRegion ListType = "region"
)

// List is a named, typed constant list, referred to as lists.NAME.
type List struct {
	Name        string
	Type        ListType
	Description string
	Items       []string
	Pos         Pos
	itemPos     []Pos
}

// ItemPos is the position of the i-th item.
func (l *List) ItemPos(i int) Pos {
	if i < len(l.itemPos) {
		return l.itemPos[i]
	}
	return l.Pos
}

// Macro is a named reusable condition, referred to by its bare name.
type Macro struct {
	Name        string
	Description string
	Language    string // the language of its file: "expr" or "cel"
	Expr        Expr
	Pos         Pos
}

// Rule is one rule of the set.
type Rule struct {
	ID          string
	Title       string            // in the default language (zh when given)
	Titles      map[string]string // per language, when the file gives several; else nil
	Description string
	Tags        []string
	Language    string // "expr" or "cel"; the file's language unless the rule overrides it
	When        Expr
	Score       float64
	Outcome     Outcome
	Reason      Expr            // a template: text with {expression} placeholders (default language)
	Reasons     map[string]Expr // per language, when the file gives several; else nil
	Enabled     bool
	Mode        Mode
	Pos         Pos // position of the rule's id
	File        string
}

// Text languages: titles and reasons may be given per language.
const (
	LangZh = "zh" // Chinese, the default
	LangEn = "en" // English
)

// Languages returns the languages titles and reasons may be given in
// (LangZh, LangEn), a new slice on each call.
func Languages() []string { return slices.Clone(languages) }

var languages = []string{LangZh, LangEn}

// TitleIn is the rule's title in lang, or in its default language when it
// has none in lang.
func (r *Rule) TitleIn(lang string) string {
	if t, ok := r.Titles[lang]; ok {
		return t
	}
	return r.Title
}

// ReasonIn is the rule's reason template in lang, or in its default
// language when it has none in lang.
func (r *Rule) ReasonIn(lang string) Expr {
	if e, ok := r.Reasons[lang]; ok {
		return e
	}
	return r.Reason
}

// Band maps a score range to a level and a minimum outcome. Bands are sorted
// by Min; a score falls in the band with the largest Min not above it.
type Band struct {
	Min     float64
	Level   Level
	Outcome Outcome
	Pos     Pos
}

// Expr is an expression (or a reason template) with the information needed
// to place an offset inside it in the rule file.
type Expr struct {
	Src string
	Pos Pos     // position of the first character of Src in the file
	pos *posMap // position of each rune of Src in Pos.File, when it could be mapped (built on first use)
	Key string  // the YAML key it came from: when, reason, ...
}

// lineCol is a position inside an Expr's file: 8 bytes a rune, not a Pos's
// 32, since an expression's runes all share one file name.
type lineCol struct{ line, col int32 }

// PosAt returns the file position of the rune at offset (0-based, counted in
// runes) in Src. Offsets past the end map to the last character.
func (e Expr) PosAt(offset int) Pos {
	if e.pos == nil {
		return e.Pos
	}
	at := e.pos.all()
	if offset < 0 {
		offset = 0
	}
	if offset >= len(at) {
		offset = len(at) - 1
	}
	return Pos{File: e.Pos.File, Line: int(at[offset].line), Column: int(at[offset].col)}
}

// TestCase is one analyst-written rule test. The card and the other cards of
// its population are kept as decoded YAML (maps, lists, strings, numbers,
// bools, nil) so that package risk reads them with the record codec.
type TestCase struct {
	Name   string
	AsOf   string
	Card   map[string]any
	Others []map[string]any
	// Population names a record file (JSON Lines, or CSV by its .csv name)
	// whose cards join the card and its others in the test's population; the
	// path is relative to the test's file. Empty when the test has none.
	Population string
	Expect     Expect
	Pos        Pos
	File       string

	maxFixture int64 // max_fixture_bytes of its load, for OpenPopulation
}

// Expect is what a test case requires of the decision.
type Expect struct {
	Fires    []string
	NotFires []string
	Outcome  *Outcome
	Level    *Level
	ScoreMin *float64
	ScoreMax *float64
	Pos      Pos
}

// Rule returns the rule with the given id, or nil.
func (rs *RuleSet) Rule(id string) *Rule {
	if rs.rulesByID != nil && len(rs.rulesByID) == len(rs.Rules) {
		return rs.rulesByID[id]
	}
	for _, r := range rs.Rules {
		if r.ID == id {
			return r
		}
	}
	return nil
}

// Param returns the parameter with the given name, or nil.
func (rs *RuleSet) Param(name string) *Param {
	if rs.params != nil && len(rs.params) == len(rs.Params) {
		return rs.params[name]
	}
	for _, p := range rs.Params {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// List returns the list with the given name, or nil.
func (rs *RuleSet) List(name string) *List {
	if rs.lists != nil && len(rs.lists) == len(rs.Lists) {
		return rs.lists[name]
	}
	for _, l := range rs.Lists {
		if l.Name == name {
			return l
		}
	}
	return nil
}

// Macro returns the macro with the given name, or nil.
func (rs *RuleSet) Macro(name string) *Macro {
	if rs.macros != nil && len(rs.macros) == len(rs.Macros) {
		return rs.macros[name]
	}
	for _, m := range rs.Macros {
		if m.Name == name {
			return m
		}
	}
	return nil
}

// posAtPrefix is PosAt(offset), mapping only the runes up to offset when
// the whole map is not built yet: the entries a shorter walk finds are the
// whole walk's first ones, and both stop at the same rune.
func (e Expr) posAtPrefix(offset int) Pos {
	if e.pos == nil || e.pos.parent != nil || offset < 0 {
		return e.PosAt(offset)
	}
	at := e.pos.build(offset + 1)
	return Pos{File: e.Pos.File, Line: int(at[len(at)-1].line), Column: int(at[len(at)-1].col)}
}

// SubExpr returns the part of e that starts at rune offset off and holds
// src, keeping positions: package risk uses it for the {placeholders} of a
// reason template.
func SubExpr(e Expr, off int, src string) Expr {
	s := Expr{Src: src, Key: e.Key, Pos: e.posAtPrefix(off)}
	if e.pos != nil {
		if n := utf8.RuneCountInString(src); n > 0 {
			s.pos = &posMap{parent: e.pos, off: off, n: n}
		}
	}
	return s
}
