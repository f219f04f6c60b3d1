// Package cond is the condition IR: one target-independent form of a rule's
// condition (or a reason's placeholder), whatever language it was written
// in.
//
// Stage: between the front ends and the back end.
//
//	expr text ─ expr's parser and checker ─ exprfront ─┐
//	                                                   ├─ cond (fold, share) ─ back end (package risk)
//	CEL text ── cel-go's parser and checker ─ celfront ┘
//
// A front end turns a checked syntax tree into typed nodes (Node), or gives
// up on a construct (GiveUp, with the construct's position); Fold folds
// constants and simplifies once, for both languages; Conjuncts and Key give
// the plan the top-level conjuncts and the text by which rules share one
// (the plan's common-prefix keys). The back end (package risk, backend.go)
// turns the nodes into what a Scorer runs.
//
// Imports: the standard library and internal/vocab only. Nothing here knows
// expr, cel-go or package risk: a region list is an opaque value
// (RegionList), a node's source construct an Origin the front end gives.
//
// # Meaning
//
// Every node has a static type (Bool, Int, Float, String, or a list:
// Entries, Strings). Evaluation is pure: nothing a node computes changes
// the card, so a value may be computed where it is used, or once. The only
// run-time failure is checked integer arithmetic (Arith.Checked, CEL's
// overflow), which fails the condition for the card; &&, || absorb it the
// way CEL's do (false && error is false, in either order).
//
// Let is the one form of a named value: expr's let, CEL's cel.bind and a
// macro the front end names all become a Let. CHOICE: a Let's value means
// "computed at most once per card, when first used" (lazily); since values
// are pure a back end may as well compute a cheap value at each use, and
// must compute a loop's value (a quantifier) once, not once per element of
// a loop it is used in. A front end that inlines a macro's tree instead of
// binding it gives the same answers.
//
// Loops: Quant, Filter, Map, Count and Join run over a List (roaming, the
// roaming entries; linked_platforms, strings) or over what Filter and Map
// make of one. Inside a body, Elem is the element in scope (a string) and
// ElemField a field of the roaming entry in scope: the element of the
// innermost loop (an outer loop's element cannot be named).
package cond
