package cond

import (
	"github.com/simrisk/simrisk/internal/vocab"
)

// Type is a node's static type.
type Type uint8

// The types. Entries and Strings are lists: roaming, linked_platforms and
// what Filter and Map make of them; they exist only to be looped over,
// counted or joined.
const (
	Invalid Type = iota
	Bool
	Int
	Float
	String
	Entries // roaming entries
	Strings // strings (linked platforms, or mapped entries)
)

func (t Type) String() string {
	return [...]string{"invalid", "bool", "int", "float", "string", "list of roaming entries", "list of strings"}[t]
}

// At is where a node came from: its position, and its construct in the
// source language for give-up notes.
type At struct {
	// Pos is the construct's offset in its expression's text, as
	// rules.Expr.PosAt takes it (-1 when unknown).
	Pos int
	// Orig names the construct for a give-up note (nil: none).
	Orig Origin
}

// Origin is a node's construct in its source language, which a front end
// gives so that a give-up, wherever it happens, is said in the words of the
// language the rule is written in.
type Origin interface {
	// Note is the give-up note for the construct: why is Itself for the
	// construct alone ("the operator / in complaints / 2"), or a reason the
	// back end (or Fold) found.
	Note(why Why) string
}

// Why is the reason a construct is not compiled.
type Why uint8

// The reasons.
const (
	Itself         Why = iota // the construct itself is not compiled
	LoopInLoop                // a loop inside another loop's body
	ListInLoop                // a list (filter, map, join) inside a loop's body
	ListOfMapped              // filter or map of a mapped list
	JoinOfEntries             // join of roaming entries (not mapped to text)
	JoinSep                   // join with a separator that is not constant
	OverflowInLoop            // checked int arithmetic in a loop's body
	OverflowInLet             // a let value whose checked arithmetic may overflow
	NoStaticType              // a condition whose type is not known
	LetShadows                // a let name that hides a name the back end needs
)

// GiveUp is the construct a front end or the back end did not compile, and
// why. Its note is the Origin's; Pos places it.
type GiveUp struct {
	At  At
	Why Why
}

// Note is the text a rule's fallback reason shows.
func (g *GiveUp) Note() string {
	if g == nil {
		return ""
	}
	if g.At.Orig == nil {
		return "an expression"
	}
	return g.At.Orig.Note(g.Why)
}

func (g *GiveUp) Error() string { return "not compiled: " + g.Note() }

// Node is one node of a condition. The concrete types below are all the
// kinds there are; a back end switches on them.
type Node interface {
	// Type is the node's static type.
	Type() Type
	// Where is the node's position and origin.
	Where() *At
}

func (a *At) Where() *At { return a }

// RegionList is a region list (lists.NAME of type region): the back end's
// value, opaque here. Items are its entries, for the union of two lists.
type RegionList interface {
	Items() []string
}

type (
	// Const is a constant of type T (Bool, Int, Float or String): a
	// literal, a folded parameter, or what Fold made of constants.
	Const struct {
		At
		T Type
		B bool
		I int
		F float64
		S string
	}

	// Param is params.Name, a constant Fold replaces with its value.
	Param struct {
		At
		Name  string
		Value *Const
	}

	// Field is a plain field of the card record (vocab.Field.Record set):
	// a string, int, bool or date (an int of Unix seconds).
	Field struct {
		At
		F vocab.Field
	}

	// Derived is a value computed from the card: as_of, days_since_*,
	// verification_pending, freeze_days, segment*, valid, never.
	Derived struct {
		At
		F vocab.Field
	}

	// Feature is a population feature (pop.*), an int.
	Feature struct {
		At
		F vocab.Field
	}

	// List is roaming (Entries) or linked_platforms (Strings).
	List struct {
		At
		Name string
	}

	// Elem is the element of the innermost loop in scope when it is a
	// string (a linked platform).
	Elem struct{ At }

	// ElemField is a field of the roaming entry in scope (region,
	// last_seen, days_ago).
	ElemField struct {
		At
		F vocab.Field
	}

	// Not is !X.
	Not struct {
		At
		X Node
	}

	// And is X && Y, Or is X || Y: short-circuit, left to right; with
	// checked arithmetic, an error on one side is absorbed when the other
	// decides (CEL).
	And struct {
		At
		X, Y Node
	}
	Or struct {
		At
		X, Y Node
	}

	// Compare is X Op Y, Op one of == != < <= > >=, X and Y of one type
	// (ints, floats, strings; bools for == and != only).
	Compare struct {
		At
		Op   string
		X, Y Node
	}

	// Arith is X Op Y over two ints or two floats, Op one of + - *. Checked
	// int arithmetic fails on overflow (CEL); unchecked wraps (expr).
	Arith struct {
		At
		Op      string
		X, Y    Node
		Checked bool
	}

	// Neg is -X of an int or a float (checked as Arith).
	Neg struct {
		At
		X       Node
		Checked bool
	}

	// Concat is X + Y of two strings.
	Concat struct {
		At
		X, Y Node
	}

	// Conv converts X: an int To Float, or an int To String (its decimal
	// text).
	Conv struct {
		At
		To Type
		X  Node
	}

	// In is X in Set: a string in a constant set (sorted, no duplicates).
	In struct {
		At
		X   Node
		Set []string
	}

	// InRegion is in_region(X, list) for any of Lists: the union of the
	// lists (Fold merges in_region(x, A) || in_region(x, B)).
	InRegion struct {
		At
		X     Node
		Lists []RegionList
	}

	// StrTest is X.Op(Y), Op one of startsWith, endsWith, contains.
	StrTest struct {
		At
		Op   string
		X, Y Node
	}

	// Quant is Op(List, Body) with Op one of any, all, none, one: whether
	// Body holds for some, every, no, exactly one element.
	Quant struct {
		At
		Op   string
		List Node
		Body Node
	}

	// Filter is the elements of List for which Pred holds.
	Filter struct {
		At
		List Node
		Pred Node
	}

	// Map is Item (a string) of each element of List: Strings.
	Map struct {
		At
		List Node
		Item Node
	}

	// Count is the number of elements of List (len, size).
	Count struct {
		At
		List Node
	}

	// Join is the elements of List (Strings) joined with Sep.
	Join struct {
		At
		List Node
		Sep  Node
	}

	// Call is a domain function (vocab.Funcs) other than in_region, by
	// name, of type T: days_between, region_name, display, mask. A front
	// end may pass a function it does not know; the back end gives up on
	// one it does not implement.
	Call struct {
		At
		Func string
		Args []Node
		T    Type
	}

	// Let is Body with Name standing for Value (see the package doc for
	// when Value is computed). Ref is a use of the name.
	Let struct {
		At
		Name        string
		Value, Body Node
	}
	Ref struct {
		At
		Let *Let
	}

	// Cond is C ? Then : Else, Then and Else of one type.
	Cond struct {
		At
		C, Then, Else Node
	}
)

func (n *Const) Type() Type     { return n.T }
func (n *Param) Type() Type     { return n.Value.T }
func (n *Field) Type() Type     { return ruleType(n.F.Kind) }
func (n *Derived) Type() Type   { return ruleType(n.F.Kind) }
func (n *Feature) Type() Type   { return Int }
func (n *Elem) Type() Type      { return String }
func (n *ElemField) Type() Type { return ruleType(n.F.Kind) }
func (n *Not) Type() Type       { return Bool }
func (n *And) Type() Type       { return Bool }
func (n *Or) Type() Type        { return Bool }
func (n *Compare) Type() Type   { return Bool }
func (n *Arith) Type() Type     { return n.X.Type() }
func (n *Neg) Type() Type       { return n.X.Type() }
func (n *Concat) Type() Type    { return String }
func (n *Conv) Type() Type      { return n.To }
func (n *In) Type() Type        { return Bool }
func (n *InRegion) Type() Type  { return Bool }
func (n *StrTest) Type() Type   { return Bool }
func (n *Quant) Type() Type     { return Bool }
func (n *Count) Type() Type     { return Int }
func (n *Join) Type() Type      { return String }
func (n *Call) Type() Type      { return n.T }
func (n *Let) Type() Type       { return n.Body.Type() }
func (n *Ref) Type() Type       { return n.Let.Value.Type() }
func (n *Cond) Type() Type      { return n.Then.Type() }
func (n *Map) Type() Type       { return Strings }
func (n *Filter) Type() Type    { return n.List.Type() }

func (n *List) Type() Type {
	if n.Name == "roaming" {
		return Entries
	}
	return Strings
}

// ruleType is the type a rule sees a vocabulary kind as.
func ruleType(k vocab.Kind) Type {
	switch k {
	case vocab.String:
		return String
	case vocab.Int, vocab.Time:
		return Int
	case vocab.Bool:
		return Bool
	case vocab.Strings:
		return Strings
	case vocab.Roaming:
		return Entries
	}
	return Invalid
}

// Name returns the node for a vocabulary name (a record field, a derived
// value, a population feature, roaming or linked_platforms), or false.
func Name(name string, at At) (Node, bool) {
	f, ok := byName[name]
	if !ok {
		return nil, false
	}
	switch {
	case f.Kind == vocab.Roaming || f.Kind == vocab.Strings:
		return &List{At: at, Name: name}, true
	case f.Group() == "pop":
		return &Feature{At: at, F: f}, true
	case f.Record != "":
		return &Field{At: at, F: f}, true
	}
	return &Derived{At: at, F: f}, true
}

// byName is the vocabulary by name.
var byName = func() map[string]vocab.Field {
	m := map[string]vocab.Field{}
	for _, f := range vocab.Fields() {
		m[f.Name] = f
	}
	return m
}()

// EntryField returns the node for a field of the roaming entry in scope,
// or false.
func EntryField(name string, at At) (Node, bool) {
	for _, f := range vocab.RoamingFields() {
		if f.Name == name {
			return &ElemField{At: at, F: f}, true
		}
	}
	return nil, false
}

// Constants.
func BoolConst(v bool, at At) *Const     { return &Const{At: at, T: Bool, B: v} }
func IntConst(v int, at At) *Const       { return &Const{At: at, T: Int, I: v} }
func FloatConst(v float64, at At) *Const { return &Const{At: at, T: Float, F: v} }
func StringConst(v string, at At) *Const { return &Const{At: at, T: String, S: v} }
