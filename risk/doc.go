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
