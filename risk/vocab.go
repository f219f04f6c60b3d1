package risk

import (
	"github.com/simrisk/simrisk/internal/vocab"
	"github.com/simrisk/simrisk/risk/ref"
)

// Never is the value of a days_since_* count for something that never
// happened (or whose date is unknown): about 2,700 years, so "never" reads
// as "longer ago than any threshold". Reasons print it as "never".
const Never = 1_000_000

//go:generate go run ../internal/vocab/gen/genvocab

// The vocabulary is one table, internal/vocab; vocab_gen.go holds what is
// generated from it (the env struct the reference evaluators see, its fill
// code, the CEL activation's values, the compiled evaluator's readers, the
// JSON codec's fields). Times are Unix seconds (0 when absent), day counts
// are CST calendar days.

// envState is the card being scored and its context, in the env struct
// (vocab_gen.go). Compiled rules read the card through these (the readers
// of vocab_gen.go), computing derived values on demand; the vocabulary
// fields of env are filled, once per card, only when a reference
// evaluator needs them (full).
type envState struct {
	r      *Record
	asOf   Time
	asOfDy int // asOf.Day()
	pop    FeatureSource
	fp     uint64 // r's fingerprint (Record.fingerprint)
	full   bool

	// pop when it is a batch *Population (else nil), and its id (else an
	// id no population has), for the usual case of features
	bpop   *Population
	bpopID uint64

	// the days tests of branch code (opDaysLT, opActLT): asOfDy*86400,
	// and the times t with uint64(t-1) < dayHi they test against it
	// (none when the as-of time is too far out: daysBase)
	dayStart int64
	dayHi    uint64

	featOK bool
	feat   Features
	segOK  byte // 0: not looked up, 1: found, 2: none
	seg    ref.Segment

	s *Scorer // whose env this is

	// the element a compiled predicate (any, all, ...) is looking at
	cur    *Roaming
	curStr string
}

func daysSince(t, asOf Time) int {
	if t == 0 {
		return Never
	}
	return DaysBetween(t, asOf)
}

// begin makes r the card being scored at asOf with the population pop:
// nothing is computed yet.
func (e *env) begin(r *Record, asOf Time, pop FeatureSource, fp uint64) {
	e.setContext(asOf, pop)
	e.cur, e.curStr = nil, ""
	e.beginCard(r, fp)
}

// setContext sets the as-of time and population of the cards scored next
// (beginCard), once per Scorer configuration.
func (e *env) setContext(asOf Time, pop FeatureSource) {
	if asOf != e.asOf {
		e.asOfDy = asOf.Day()
		e.dayStart, e.dayHi = daysBase(e.asOfDy)
	}
	e.asOf, e.pop = asOf, pop
	e.bpop, e.bpopID = nil, noPopID
	if p, ok := pop.(*Population); ok {
		e.bpop, e.bpopID = p, p.id
	}
}

// noPopID is an id no Population has.
const noPopID = ^uint64(0)

// beginCard makes r, whose fingerprint is fp, the card being scored in the
// context setContext set: nothing is computed yet. The element in scope
// (cur, curStr) is nil, as every loop leaves it, or reset where a panic was
// caught.
func (e *env) beginCard(r *Record, fp uint64) {
	e.r, e.fp = r, fp
	e.full, e.featOK, e.segOK = false, false, 0
}

// features are the card's population features, looked up once per card
// (loadFeatures).
func (e *env) features() *Features {
	if !e.featOK {
		e.loadFeatures()
	}
	return &e.feat
}

// loadFeatures looks the card's population features up. The usual case, a
// card of the batch Population being scored, unchanged since it was added
// or bound (its fingerprint), is read here from the entry the card
// remembers, as Population.featuresInto would; anything else is the
// source's featuresInto.
func (e *env) loadFeatures() {
	e.featOK = true
	r := e.r
	if p := e.bpop; r.popID == e.bpopID && r.popFP == e.fp && p.sealed.Load() {
		// a card with a place had a holder and was valid when added or
		// bound, and its fingerprint, which covers both, says it still has
		if i := uint(r.popIdx); i < uint(len(p.feats)) {
			f := &p.feats[i]
			e.feat = Features{CardsOnOperator: int(f.onOp), CardsTotal: int(f.total), CardsSameDay: int(f.sameDay), Operators: int(f.ops)}
			return
		}
	}
	e.lookFeatures()
}

// lookFeatures is loadFeatures but for its usual case.
func (e *env) lookFeatures() {
	if e.pop == nil {
		e.feat = selfFeatures(e.r)
	} else {
		e.pop.featuresInto(e.r, &e.feat, e.fp)
	}
}

// segment is the card's number segment (zero when unknown), once per card.
func (e *env) segment() *ref.Segment {
	if e.segOK == 0 {
		r := e.r
		seg, ok := r.seg, r.segOK
		if !ok || seg.Prefix == "" || len(r.MSISDN) < len(seg.Prefix) || r.MSISDN[:len(seg.Prefix)] != seg.Prefix {
			seg, ok = ref.LookupSegment(r.MSISDN) // not validated, or changed since
		}
		e.seg, e.segOK = seg, 2
		if ok {
			e.segOK = 1
		} else {
			e.seg = ref.Segment{}
		}
	}
	return &e.seg
}

func verificationPending(r *Record) bool {
	return r.VerifyRequiredAt != 0 && r.VerifiedAt < r.VerifyRequiredAt
}

// daysSinceLastActivity is days_since_last_activity of the card in e.
func (e *env) daysSinceLastActivity() int {
	if last := e.r.LastActivity(); last != 0 {
		return e.days(last)
	}
	return e.days(e.r.OpenedAt)
}

// days is daysSince(t, e.asOf), from the as-of day begin computed.
func (e *env) days(t Time) int {
	if t != 0 {
		return e.asOfDy - t.Day()
	}
	return Never
}

func freezeDays(r *Record) int {
	if r.Recycled && r.ReleasedAt != 0 && r.OpenedAt != 0 {
		return DaysBetween(r.ReleasedAt, r.OpenedAt)
	}
	return Never
}

// fillAll loads the whole vocabulary of the current card into the struct,
// for the reference evaluators; once per card.
func (e *env) fillAll() *env {
	if e.full {
		return e
	}
	e.fillVocab()
	e.full = true
	return e
}

// Term is one name of the expression vocabulary, for documentation and
// editors.
type Term struct {
	Name string
	Type string
	Doc  string
}

// Vocabulary lists every name expressions can read, besides params.NAME,
// lists.NAME, macros and functions.
func Vocabulary() []Term { return append([]Term(nil), vocabulary...) }

var vocabulary = func() []Term {
	var ts []Term
	for _, f := range vocab.Fields() {
		ts = append(ts, Term{f.Name, f.Kind.RuleType(), f.Doc})
	}
	return ts
}()
