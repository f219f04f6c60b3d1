// Package risk is the simrisk engine: card records (card-schema v1),
// population features (cards per holder per operator, in total, opened the
// same day), the compiled Engine and its decisions.
//
// Build once, score many. Compile a rules.RuleSet into an immutable Engine,
// safe for concurrent use, then score cards at an explicit as-of time:
//
//	eng, err := risk.Compile(rs)
//	d, err := eng.Score(card, risk.AsOfTime(asOf), risk.WithPopulation(pop))
//
// Populations. Rules read population features (pop.cards_on_operator, ...)
// from WithPopulation: a Population for a batch (built with Add, sealed by
// one sort, compact: 32 bytes a card) or a LivePopulation for a card base
// that changes while it is scored (Upsert keyed by canonical MSISDN,
// Remove, exact holder keys, lock-free reads of stored cards; package
// risk/live builds a host service's core on it: hot reload, shadow pack,
// hooks and a decision log). Every decision names its rule set's digest,
// the pack's name and version and the as-of time: with the card, all a
// replay needs.
//
// Engine.ScoreBatch scores many cards with a worker pool, results in input
// order; Engine.ScoreBatchInto does the same into the results of the
// previous batch, reusing them (no garbage once warm); Engine.NewScorer
// gives one goroutine a scorer that reuses its buffers. Consecutive rules
// that start with the same conjunct (valid && ..., iot_scope && ...) have
// it tested once per card. Rules are written in expr or CEL over one
// vocabulary (Vocabulary, documented in rules/README.md). Each checked
// condition is compiled to Go closures over a typed environment (no map per
// record; for expr rules and a reused Decision, no allocation per record
// either), and the engine's plan to branch code: a flat list of tests with
// where to go on when each holds or not, in which a record field compared
// with a constant, a derived count of days, a population feature, a region
// list and a quantifier over the roaming list are tested in the scorer's
// own loop, not called. What the compiler does not handle runs on the
// language's own reference evaluator (expr's VM, cel-go's interpreter), with
// the same answers.
//
// Limits and cost. Rule files come from analysts and are reloaded while a
// host scores, so nothing in one may crash, hang or exhaust it. Compile
// checks the limits of rules.Limits (WithLimits; by default those the rule
// set was loaded with): each expression's nesting depth and size on its
// text before expr's or cel-go's parser sees it (max_expr_depth,
// max_expr_bytes), its syntax-tree nodes once its macros are expanded
// (max_expr_nodes, measured from memoised macro sizes without expanding),
// the placeholders of a reason, and a static estimate of what each rule
// costs on one card (max_cost): a loop costs its body times its list's
// longest length, which the record limits give (MaxRoaming,
// MaxLinkedPlatforms, MaxTextBytes, enforced by Record.Validate); a string
// or list that is built costs its length; a size that cannot be bounded
// (repeat or a range with a count read from the card, a string grown in
// reduce) is refused. Each is a positioned error naming the limit
// (too_complex, too_large, too_costly). At run time max_cost is also every
// rule's budget on every card: on expr's VM every loop body is charged its
// estimated cost, the calls that grow a string or list more than linearly
// (repeat, replace, join, split, concat, + of strings) are charged the size
// of their result before they allocate it, and memory is counted; cel-go's
// interpreter has it as its cost limit, and compiled closures loop only over
// record lists, within the estimate. A rule's estimate is its condition's
// plus every reason placeholder's (every language), held to max_cost; the
// rules' estimates together are held to max_pack_cost. A reason rendered on
// a card longer than max_rendered_reason_bytes is cut at a UTF-8 boundary
// and ends with "…". A rule that fails on a card, its budget spent or anything inside
// it panicking, is that rule's error on that card (Decision.Errors, a fixed
// message by kind that quotes no card value); the other rules still decide.
// Score, ScoreInto, ScoreBatch, ScoreBatchInto, Explain, RunTests and
// whatever scores through them recover: no rule takes the process down.
//
// Personal data: reasons and error messages never carry a holder key, an ID
// number or a full MSISDN, in any spelling: one masker (ref.MaskText) masks
// every run of 11 or more digits, written with spaces, dashes, full-width
// digits or +86 too, and a value that is not what its field expects is
// quoted only by its first and last two characters (ref.Quote).
//
// Record.Validate reads msisdn with +86/86/0086, spaces, dashes and
// full-width digits and keeps its canonical 11 or 13 digits; it refuses a
// holder that is a raw ID number in any spelling (ref.NormalizeIDText) or a
// number in scientific notation, and scores a card whose segment the table
// does not know when the record states its operator (ref.AddSegments
// extends the table).
package risk
