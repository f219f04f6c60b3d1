package risk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp/syntax"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
	"unsafe"

	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/vm"

	"github.com/simrisk/simrisk/internal/jsonenc"
	"github.com/simrisk/simrisk/rules"
)

// Decision is the verdict on one card (card-schema "Decision format", v1).
type Decision struct {
	MSISDN   string        `json:"msisdn"`             // the card's number, as given
	Score    float64       `json:"score"`              // 0 to 100
	Level    rules.Level   `json:"level"`              // low, medium, high, critical
	Outcome  rules.Outcome `json:"outcome"`            // pass, monitor, verify, restrict, suspend
	Deadline Time          `json:"deadline,omitempty"` // for verify: when verification must be done (written as RFC 3339)
	Hits     []Hit         `json:"hits"`               // the rules that fired, in rule order
	Errors   []RuleError   `json:"errors,omitempty"`   // rules that failed on this card; the others still decided
	RuleSet  string        `json:"ruleset"`            // digest of the rule set that decided
	AsOf     Time          `json:"as_of"`              // the as-of time the card was judged against (written as RFC 3339)
	Pack     string        `json:"pack"`               // the rule pack's name (rules.RuleSet.Name), "" when it has none
	Version  string        `json:"version"`            // the rule pack's version, "" when it has none

	// reasons holds the text of every hit's reason; the hits' Reason strings
	// point into it, so that scoring into a reused Decision allocates nothing.
	reasons []byte
}

// Hit is one rule that fired.
type Hit struct {
	Rule   string   `json:"rule"`
	Tags   []string `json:"tags"`
	Score  float64  `json:"score"`            // contribution to the decision's score; 0 for shadow rules
	Reason string   `json:"reason"`           // rendered reason; personal data masked
	Shadow bool     `json:"shadow,omitempty"` // a shadow rule: reported, not acted on
}

// RuleError is a rule that could not be evaluated on a card. The rule counts
// as not fired; the message holds no personal data.
type RuleError struct {
	Rule    string `json:"rule"`
	Message string `json:"message"`
}

// Fired reports whether the rule with the given id is among the hits.
func (d *Decision) Fired(id string) bool {
	for i := range d.Hits {
		if d.Hits[i].Rule == id {
			return true
		}
	}
	return false
}

type scoreConfig struct {
	asOf    Time
	validAt Time // asOf when it is within MinAsOf .. MaxAsOf, else 0 (no record is valid at it)
	pop     FeatureSource
	workers int
}

// ScoreOption configures one scoring call (or a Scorer). They are distinct
// from the CompileOptions that build an Engine.
type ScoreOption func(*scoreConfig)

// AsOf sets the time every date is judged against. Without it the wall
// clock is used; set it to replay a snapshot and get the same answers. A
// time outside MinAsOf .. MaxAsOf (1980 to 9999) scores nothing: every
// card's error matches ErrAsOfRange and names the limits.
func AsOf(t time.Time) ScoreOption { return func(c *scoreConfig) { c.asOf = TimeOf(t) } }

// AsOfTime is AsOf for a risk.Time.
func AsOfTime(t Time) ScoreOption { return func(c *scoreConfig) { c.asOf = t } }

// WithPopulation gives the population whose features (cards per holder, ...)
// the rules see: a sealed batch *Population or a *LivePopulation. Without
// it (or with nil) each card is scored as its holder's only card.
func WithPopulation(p FeatureSource) ScoreOption {
	return func(c *scoreConfig) {
		switch q := p.(type) {
		case *Population:
			if q == nil {
				p = nil
			}
		case *LivePopulation:
			if q == nil {
				p = nil
			}
		}
		c.pop = p
	}
}

// FeatureSource is what scoring reads population features from: a batch
// *Population (built with Add, sealed on first read) or a *LivePopulation
// (upserts and removals while others score). Only this package implements
// it.
type FeatureSource interface {
	featuresInto(r *Record, f *Features, fp uint64)
}

// Workers sets how many goroutines ScoreBatch uses (default GOMAXPROCS).
func Workers(n int) ScoreOption { return func(c *scoreConfig) { c.workers = n } }

func (e *Engine) config(opts []ScoreOption) scoreConfig {
	c := scoreConfig{}
	for _, o := range opts {
		if o != nil { // a nil option is no option
			o(&c)
		}
	}
	if c.asOf == 0 {
		c.asOf = TimeOf(time.Now())
	}
	if CheckAsOf(c.asOf) == nil {
		c.validAt = c.asOf
	}
	if c.workers <= 0 {
		c.workers = runtime.GOMAXPROCS(0)
	}
	return c
}

// Scorer scores cards one after another with reused buffers and a reused
// virtual machine. It is not safe for concurrent use: give each goroutine
// its own (Engine.NewScorer), or call Engine.Score, which pools them.
type Scorer struct {
	e     *Engine
	cfg   scoreConfig
	vm    vm.VM
	spent uint64 // of the budget of the rule on expr's VM (stepFunc)
	env   env
	fired []firing // the rules the plan fired (or that failed) on the card

	celAct     celActivation
	card       uint64 // counts cards, to know which macro values are current
	macroVal   []ref.Val
	macroStamp []uint64
	maskBuf    []byte // scratch for masking a reason that holds a number
	// ovf marks an integer overflow in lowered CEL code (see backend.go)
	ovf     bool
	copyRec Record // a stored record scored at an earlier as-of time than it was validated at
}

func newScorer(e *Engine, cfg scoreConfig) *Scorer {
	s := &Scorer{e: e}
	s.setConfig(cfg)
	s.vm.MemoryBudget = e.vmBudget // per run of a rule on a card
	s.celAct.s = s
	s.env.s = s
	if n := len(e.celMacros); n > 0 {
		s.macroVal, s.macroStamp = make([]ref.Val, n), make([]uint64, n)
	}
	return s
}

// setConfig sets the scorer's options, and the context of the cards it
// scores from them.
func (s *Scorer) setConfig(cfg scoreConfig) {
	s.cfg = cfg
	s.env.setContext(cfg.asOf, cfg.pop)
}

// macroValue evaluates CEL macro i for the current card, once.
func (s *Scorer) macroValue(i int) ref.Val {
	if s.macroStamp[i] == s.card {
		return s.macroVal[i]
	}
	var v ref.Val
	if p := s.e.celMacros[i]; p == nil {
		v = types.NewErr("macro could not be compiled")
	} else if out, err := p.eval(s); err != nil {
		v = types.WrapErr(err)
	} else if b, ok := out.(bool); ok {
		v = types.Bool(b)
	} else {
		v = types.NewErr("macro is not true or false")
	}
	s.macroVal[i], s.macroStamp[i] = v, s.card
	return v
}

// NewScorer returns a Scorer with its options fixed.
func (e *Engine) NewScorer(opts ...ScoreOption) *Scorer {
	return newScorer(e, e.config(opts))
}

// Score validates and scores one card. A record that fails validation is an
// error (errors.Is(err, ErrInvalidRecord)), as is an as-of time outside
// MinAsOf .. MaxAsOf (errors.Is(err, ErrAsOfRange)); it is safe for
// concurrent use. A record not yet valid at the as-of time (never
// validated, validated at a later time, or changed since) is validated in
// place, which writes it: one *Record scored by two goroutines at once
// must be validated first (Record.Validate at this as-of time or an
// earlier one), after which scoring only reads it.
func (e *Engine) Score(r *Record, opts ...ScoreOption) (*Decision, error) {
	s, _ := e.pool.Get().(*Scorer)
	if s == nil {
		s = newScorer(e, scoreConfig{})
	}
	s.setConfig(e.config(opts))
	d := new(Decision)
	err := s.ScoreInto(r, d)
	e.pool.Put(s)
	if err != nil {
		return nil, err
	}
	return d, nil
}

// Score validates and scores one card into a new Decision.
func (s *Scorer) Score(r *Record) (*Decision, error) {
	d := new(Decision)
	if err := s.ScoreInto(r, d); err != nil {
		return nil, err
	}
	return d, nil
}

// ScoreInto validates and scores one card into d, reusing d's hit slice and
// reason buffer: scoring into a reused Decision allocates nothing, and the
// previous hits' Reason strings change with it (copy them first to keep
// them). A record that already passed Validate at the scorer's as-of time,
// or at an earlier one (only dates after the as-of time depend on it), and
// has not changed since is not validated again. A LivePopulation's stored
// record scored at an earlier as-of time than it was stored at is validated
// and scored as a copy: stored records are never written. With an as-of
// time outside MinAsOf .. MaxAsOf the error matches ErrAsOfRange.
func (s *Scorer) ScoreInto(r *Record, d *Decision) error {
	fp := r.fingerprint()
	if !r.validFor(s.cfg.validAt, fp) {
		var err error
		if r, fp, err = s.revalidate(r); err != nil {
			return err
		}
	}
	// The panic boundary of scoring: the card is decided under one
	// deferred recover, with no recover of its own. A card on which
	// anything panicked (a rule's condition, a reason) is decided again
	// from the start the careful way (decide with safe set): the branch
	// code runs under its own recover and, when it panics, every rule is
	// evaluated on its own (attribute), and each reason renders under its
	// own recover; the rules that panic get an error on the card, the
	// others decide as usual. Deciding is a function of the card, so the
	// second pass decides what the first would have. recover is called
	// only when deciding did not return (it walks the stack): a panic, or
	// runtime.Goexit, for which it returns nil as it would have anyway.
	done := false
	defer func() {
		if !done && recover() != nil {
			// the card and its fingerprint are the env's (beginCard is
			// the first thing deciding does: nothing before it panics)
			en := &s.env
			en.cur, en.curStr = nil, "" // the panic may have left a loop's element in scope
			s.decide(en.r, d, en.fp, true)
		}
	}()
	// decide(r, d, fp, false), written out
	s.beginCard(r, fp)
	s.env.run(s.e.code, nil)
	s.conclude(r, d, false)
	done = true
	return nil
}

// revalidate validates r, which is not valid at the scorer's as-of time
// as it is, and returns the record to score (a copy of a LivePopulation's
// stored record: stored records are never written) and its fingerprint.
func (s *Scorer) revalidate(r *Record) (*Record, uint64, error) {
	if err := CheckAsOf(s.cfg.asOf); err != nil {
		return nil, 0, err // every card: the as-of time is out of range
	}
	if r.stored() {
		// a LivePopulation's record, shared with other goroutines and
		// validated at a later as-of time: validate and score a copy
		s.copyRec = *r
		r = &s.copyRec
	}
	if err := r.Validate(s.cfg.asOf); err != nil {
		return nil, 0, err
	}
	return r, r.validFP, nil
}

// beginCard makes r, a valid record whose fingerprint is fp, the card
// being decided.
func (s *Scorer) beginCard(r *Record, fp uint64) {
	s.card++
	s.env.beginCard(r, fp)
	s.fired = s.fired[:0]
}

// decide scores a valid record whose fingerprint is fp; safe says to
// catch panics rule by rule (see ScoreInto).
func (s *Scorer) decide(r *Record, d *Decision, fp uint64, safe bool) {
	s.beginCard(r, fp)
	if !safe {
		s.env.run(s.e.code, nil)
	} else if p := s.runCode(); p != nil {
		s.attribute()
	}
	s.conclude(r, d, safe)
}

// conclude writes the decision on the card the plan ran on (the rules in
// fired) into d; safe renders each reason under its own recover.
func (s *Scorer) conclude(r *Record, d *Decision, safe bool) {
	e := s.e
	// d is already the decision of a card no rule fires on, but for its
	// number: the same rule set, pack and as-of time, score +0 (by its
	// bits: a host's -0 is written as -0, so it is rewritten) in e's
	// first band, no hits, no errors, no deadline
	if len(s.fired) == 0 && len(d.Hits) == 0 && d.Hits != nil && d.Errors == nil && len(d.reasons) == 0 &&
		math.Float64bits(d.Score) == 0 && d.Level == e.band0.Level && d.Outcome == e.band0.Outcome && d.Deadline == 0 && d.AsOf == s.cfg.asOf &&
		sameString(d.RuleSet, e.digest) && sameString(d.Pack, e.name) && sameString(d.Version, e.version) {
		// most cards: nothing fired, and the decision already says so (the
		// last card's, scored into the same Decision, or in a batch
		// rescored into the last batch's results, this card's): only its
		// number is written, when it is another (the same number string is
		// left as it is, so rescoring a batch writes nothing back to
		// memory)
		if !sameString(d.MSISDN, r.MSISDN) {
			d.MSISDN = r.MSISDN
		}
		// no deadline unless the first band says verify or a verification
		// is pending
		if d.Outcome == rules.Verify || verificationPending(r) {
			s.deadline(r, d, d.Outcome)
		}
		return
	}
	// field by field: cheaper than writing a whole new Decision
	d.MSISDN, d.RuleSet, d.AsOf, d.Pack, d.Version = r.MSISDN, e.digest, s.cfg.asOf, e.name, e.version
	d.Score, d.Level, d.Outcome, d.Deadline = 0, 0, 0, 0
	d.Hits, d.Errors, d.reasons = d.Hits[:0], d.Errors[:0], d.reasons[:0]
	if d.Hits == nil {
		d.Hits = []Hit{}
	}
	outcome := e.band0.Outcome
	if len(s.fired) == 0 {
		d.Level, d.Outcome = e.band0.Level, outcome
	} else {
		outcome = s.collect(d, safe)
	}
	s.deadline(r, d, outcome)
	if len(d.Errors) == 0 && d.Errors != nil {
		d.Errors = nil
	}
}

// deadline sets the deadline of d, a decision on r with the given outcome
// and no deadline yet.
func (s *Scorer) deadline(r *Record, d *Decision, outcome rules.Outcome) {
	hours := Time(s.e.verifyHours * 3600) // at most a year (compile checks verify_hours)
	switch pending := verificationPending(r); {
	case outcome == rules.Verify && pending && addTime(r.VerifyRequiredAt, hours) >= s.cfg.asOf:
		d.Deadline = addTime(r.VerifyRequiredAt, hours)
	case outcome == rules.Verify:
		d.Deadline = addTime(s.cfg.asOf, hours)
	case pending:
		// a verification already demanded keeps its deadline whatever
		// the outcome (restrict or suspend by score, say), passed or not
		d.Deadline = addTime(r.VerifyRequiredAt, hours)
	}
}

// sameString reports whether a and b are the same string in memory.
func sameString(a, b string) bool {
	return len(a) == len(b) && unsafe.StringData(a) == unsafe.StringData(b)
}

// collect builds the hits, reasons, score, level and outcome of the rules
// that fired (and the errors of those that failed), and returns the
// outcome; safe renders each reason under its own recover.
func (s *Scorer) collect(d *Decision, safe bool) rules.Outcome {
	score := 0.0
	outcome := rules.Pass
	for _, fr := range s.fired {
		cr := fr.rule
		if fr.err != nil {
			d.Errors = append(d.Errors, RuleError{Rule: cr.id, Message: errMessage(fr.err)})
			continue
		}
		h := Hit{Rule: cr.id, Tags: cr.tags, Score: cr.score, Shadow: cr.shadow}
		if cr.shadow {
			h.Score = 0
		} else {
			score += cr.score
			if cr.outcome > outcome {
				outcome = cr.outcome
			}
		}
		start := len(d.reasons)
		if safe {
			d.reasons = s.renderSafe(d.reasons, cr, d)
		} else {
			d.reasons = s.render(d.reasons, cr, d)
		}
		if end := len(d.reasons); end > start {
			// a string over the decision's own buffer (valid until the
			// Decision is scored into again); when the buffer grows
			// later, the reasons before stay in the old one, which is
			// not written again
			h.Reason = unsafe.String(&d.reasons[start], end-start)
		}
		d.Hits = append(d.Hits, h)
	}
	// clamp to 0..100 and round to cents (sums start at +0, so no -0; a
	// sum that is not a number, which Compile's finite scores cannot give,
	// is 0)
	if !(score >= 0) {
		score = 0
	} else if score > 100 {
		score = 100
	}
	if score != math.Trunc(score) {
		score = math.Round(score*100) / 100
	}
	d.Score = score
	var bandOutcome rules.Outcome
	d.Level, bandOutcome = s.e.band(d.Score)
	outcome = max(outcome, bandOutcome)
	d.Outcome = outcome
	return outcome
}

// band finds the level and minimum outcome of a score: the band with the
// largest Min not above it (bands are sorted by Min).
func (e *Engine) band(score float64) (rules.Level, rules.Outcome) {
	lv, out := rules.Low, rules.Pass
	for _, b := range e.bandTab {
		if b.Min <= score {
			lv, out = b.Level, b.Outcome
		}
	}
	return lv, out
}

// The messages a rule's run-time error may carry in a decision. They are
// fixed texts, one per kind of failure: the evaluators' own messages can
// quote the card's values (a holder key in "cannot convert ..."), and
// decisions reach logs and people who must not see personal data.
const (
	msgOverflow   = "integer overflow"
	msgDivZero    = "division by zero"
	msgIndex      = "index out of range"
	msgConversion = "a value of the wrong type, or one that cannot be converted"
	msgMissing    = "a value that is missing on this card"
	msgDate       = "a value that cannot be parsed as a date or time"
	msgDuration   = "a value that cannot be parsed as a duration"
	msgJSON       = "a value that cannot be parsed as JSON"
	msgPattern    = "a pattern that cannot be compiled as a regular expression"
	msgBudget     = "over the run-time cost budget on this card (max_cost)"
	msgPanic      = "the rule failed inside the evaluator (an internal error; report it with the rule)"
	msgCancelled  = "evaluation was cancelled"
)

// errKinds classifies an evaluator's error message (lower-cased) by the
// words the evaluators use, first match wins.
var errKinds = []struct {
	words []string
	msg   string
}{
	{[]string{"budget", "cost limit", "max_cost"}, msgBudget},
	{[]string{"overflow"}, msgOverflow},
	{[]string{"divide by zero", "division by zero", "modulus by zero", "modulo by zero"}, msgDivZero},
	{[]string{"error parsing regexp"}, msgPattern},
	{[]string{"time: invalid duration", "time: unknown unit", "time: missing unit"}, msgDuration},
	{[]string{"parsing time", "invalid date", "rfc 3339 timestamp"}, msgDate},
	{[]string{"looking for beginning of value", "unexpected end of json", "invalid character"}, msgJSON},
	{[]string{"out of range", "out of bounds", "index"}, msgIndex},
	{[]string{"nil", "no such key", "no such attribute", "cannot fetch", "missing"}, msgMissing},
	{[]string{"convert", "conversion", "invalid syntax", "parsing", "invalid operation", "mismatched",
		"no such overload", "type", "cannot use", "invalid argument", "unsupported"}, msgConversion},
	{[]string{"cancel"}, msgCancelled},
}

// errMessage is the message a rule's run-time error shows in a decision: one
// of a fixed set of texts by kind (overflow, division by zero, index out of
// range, type conversion, missing value, budget, panic), never the
// evaluator's own words, which may quote card values.
func errMessage(err error) string {
	switch {
	case err == errPanic:
		return msgPanic
	case err == errOverflow:
		return msgOverflow
	}
	var pe *time.ParseError
	var je *json.SyntaxError
	var ue *json.UnmarshalTypeError
	var re *syntax.Error
	var de dateTextError
	switch {
	case errors.As(err, &pe), errors.As(err, &de):
		return msgDate
	case errors.As(err, &je), errors.As(err, &ue):
		return msgJSON
	case errors.As(err, &re):
		return msgPattern
	}
	// the evaluator's own words, without the snippet of the expression
	// expr adds (whose text would match words of its own)
	text := err.Error()
	var fe *file.Error
	if errors.As(err, &fe) {
		text = fe.Message
		if fe.Prev != nil {
			text = fe.Prev.Error()
		}
	}
	msg := strings.ToLower(text)
	for _, k := range errKinds {
		for _, w := range k.words {
			if strings.Contains(msg, w) {
				return k.msg
			}
		}
	}
	return msgPanic
}

// runCode runs the plan's branch code on the current card and returns what
// panicked in it, or nil: on the careful pass over a card something
// panicked on (ScoreInto); the work of finding which rule panicked is done
// only when the code did (attribute).
func (s *Scorer) runCode() (p any) {
	defer func() { p = recover() }()
	s.env.run(s.e.code, nil)
	return nil
}

// attribute decides the card again rule by rule, each rule's condition on
// its own and under its own recover, after the branch code panicked: the
// rules that panic get an error on this card, the others decide as usual.
// The rare path; it allocates.
func (s *Scorer) attribute() {
	s.fired = s.fired[:0]
	for _, cr := range s.e.rules {
		fired, err := s.evalRule(cr)
		switch {
		case err != nil:
			s.fired = append(s.fired, firing{rule: cr, err: err})
		case fired:
			s.fired = append(s.fired, firing{rule: cr})
		}
	}
	s.env.cur = nil
}

// evalRule evaluates one rule's condition on the current card, a panic
// turned into the rule's error.
func (s *Scorer) evalRule(cr *compiledRule) (fired bool, err error) {
	defer func() {
		if p := recover(); p != nil {
			fired, err = false, panicError(p)
		}
	}()
	s.env.cur, s.env.curStr = nil, ""
	out, err := cr.when.eval(s)
	if err != nil {
		return false, err
	}
	b, _ := out.(bool)
	return b, nil
}

// errPanic is the error of a rule whose evaluation panicked. Its text is
// fixed: the panic's value may quote the card.
var errPanic = errors.New(msgPanic)

// panicError turns a recovered panic value into a rule's error: a budget or
// an error the evaluator raises on purpose keeps its meaning, anything else
// is errPanic.
func panicError(p any) error {
	if err, ok := p.(error); ok && err == errOverflow {
		return err
	}
	return errPanic
}

// renderSafe is render under a recover. When the reason panics, it is
// rendered again part by part, each under its own recover (the rare path):
// a placeholder that panics renders as "?" with an error for the rule, as a
// failing one does.
func (s *Scorer) renderSafe(dst []byte, cr *compiledRule, d *Decision) (out []byte) {
	start, nerr := len(dst), len(d.Errors)
	defer func() {
		if p := recover(); p != nil {
			s.env.cur = nil
			var b []byte
			for limit := s.e.maxReason; ; limit = math.MaxInt {
				// as render does
				d.Errors = d.Errors[:nerr]
				b = dst[:start]
				last, cut := start, false
				for i := range cr.reason {
					if len(b)-start > limit && !runsOn(b[last:]) {
						cut = true
						break
					}
					last = len(b)
					b = s.renderPart(b, cr, &cr.reason[i], d)
				}
				b, s.maskBuf = maskTail(b, start, s.maskBuf)
				if !cut || len(b)-start > s.e.maxReason {
					break
				}
			}
			out = cutReason(b, start, s.e.maxReason)
		}
	}()
	return s.render(dst, cr, d)
}

// renderPart renders one part of a reason under a recover.
func (s *Scorer) renderPart(dst []byte, cr *compiledRule, p *tmplPart, d *Decision) (out []byte) {
	n := len(dst)
	defer func() {
		if r := recover(); r != nil {
			s.env.cur = nil
			d.Errors = append(d.Errors, RuleError{Rule: cr.id, Message: "reason {" + p.text + "}: " + errMessage(panicError(r))})
			out = append(dst[:n], '?')
		}
	}()
	return s.renderOne(dst, cr, p, d)
}

// render fills a rule's reason template. A placeholder that fails renders
// as "?" and the error is recorded for the rule.
func (s *Scorer) render(dst []byte, cr *compiledRule, d *Decision) []byte {
	if len(cr.reason) == 0 {
		if cr.title != "" {
			return append(dst, cr.title...)
		}
		return append(dst, cr.id...)
	}
	start, maxLen, nerr := len(dst), s.e.maxReason, len(d.Errors)
	for limit := maxLen; ; limit = math.MaxInt {
		b, cut := s.renderTo(dst, cr, d, limit)
		if !cut || len(b)-start > maxLen {
			return cutReason(b, start, maxLen)
		}
		// masking shrank the text rendered up to the cut below it (a
		// number's separators are left out): the rest is shown after all,
		// rendered again in full (rare: a reason longer than the cut)
		d.Errors = d.Errors[:nerr]
	}
}

// renderTo appends a rule's reason template, masked, stopping once the
// text is longer than limit and its last part runs into no number
// (runsOn); cut says parts were left out.
func (s *Scorer) renderTo(dst []byte, cr *compiledRule, d *Decision, limit int) (b []byte, cut bool) {
	start := len(dst)
	b = dst
	// the digits the parts may add to a number spelled across them
	// (spanDigits): the plain text's were counted at compile time, the
	// placeholders' values are looked at as they are written (an int's are
	// its digits); only a reason with maskDigits of them or more may hold
	// a number, and is masked (the masker would leave any other as it is)
	digits := 0
	last := start // where the last part rendered begins
	for i := range cr.reason {
		if len(b)-start > limit && !runsOn(b[last:]) {
			cut = true // cut below: the rest would not be shown
			break
		}
		p := &cr.reason[i]
		n := len(b)
		last = n
		switch {
		case p.prog == nil:
			b = append(b, p.text...)
			digits += p.digits
			continue
		case p.num != nil:
			if v := p.num(&s.env); v >= 0 && v != Never {
				b = strconv.AppendInt(b, int64(v), 10)
				digits += len(b) - n
				continue
			} else if v == Never {
				b = append(b, "never"...)
			} else {
				b = strconv.AppendInt(b, int64(v), 10)
			}
		case p.app != nil:
			b = p.app(&s.env, b)
		default:
			b = s.renderOne(b, cr, p, d)
		}
		digits += spanDigits(spanOf(b[n:]))
	}
	if digits >= maskDigits {
		b, s.maskBuf = maskTail(b, start, s.maskBuf)
	}
	return b, cut
}

// runsOn reports whether a reason whose last part rendered is part may
// hold a number that the next part continues: part ends in digits (and
// separators) or has no stop at all. A reason past its cut is rendered on
// while it does, so that a number spelled across the cut is masked as the
// whole text would be (its first digits are shown); the parts after are not
// rendered.
func runsOn(part []byte) bool {
	sp := spanOf(part)
	return !sp.Stopped || sp.Trail > 0
}

// reasonCut ends a rendered reason cut at max_rendered_reason_bytes.
const reasonCut = "…"

// cutReason cuts the reason b[start:] to at most max bytes and a
// reasonCut, at a UTF-8 boundary, when it is longer than max.
func cutReason(b []byte, start, max int) []byte {
	if len(b)-start <= max {
		return b
	}
	n := start + max
	for n > start && !utf8.RuneStart(b[n]) {
		n--
	}
	return append(b[:n], reasonCut...)
}

// renderOne appends one part of a reason.
func (s *Scorer) renderOne(b []byte, cr *compiledRule, p *tmplPart, d *Decision) []byte {
	if p.app != nil {
		return p.app(&s.env, b)
	}
	if p.prog == nil {
		return append(b, p.text...)
	}
	v, err := p.prog.eval(s)
	if err != nil {
		d.Errors = append(d.Errors, RuleError{Rule: cr.id, Message: "reason {" + p.text + "}: " + errMessage(err)})
		return append(b, '?')
	}
	return appendValue(b, v)
}

func appendValue(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "none"...)
	case string:
		return append(b, x...)
	case int:
		if x == Never {
			return append(b, "never"...)
		}
		return strconv.AppendInt(b, int64(x), 10)
	case int64:
		if x == Never {
			return append(b, "never"...)
		}
		return strconv.AppendInt(b, x, 10)
	case float64:
		return strconv.AppendFloat(b, x, 'g', -1, 64)
	case bool:
		return strconv.AppendBool(b, x)
	case []string:
		return append(b, strings.Join(x, ", ")...)
	case time.Time: // a time shown in a reason: RFC 3339 in CST, whatever its zone
		return x.In(CST).AppendFormat(b, time.RFC3339)
	case []any:
		for i, it := range x {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = appendValue(b, it)
		}
		return b
	}
	return fmt.Append(b, v)
}

// Result is the outcome of scoring one record of a batch: a Decision, or the
// reason the record was rejected.
type Result struct {
	Decision *Decision
	Err      error
}

// ScoreBatch scores records with a pool of workers (Workers, default
// GOMAXPROCS) and returns one Result per record, in input order. When ctx is
// cancelled it stops early and the unscored records carry ctx's error. The
// same *Record twice in recs (or in two calls at once) is scored by two
// workers at once: validate it first, as for Engine.Score.
func (e *Engine) ScoreBatch(ctx context.Context, recs []*Record, opts ...ScoreOption) []Result {
	cfg := e.config(opts)
	out := make([]Result, len(recs))
	e.inChunks(ctx, recs, out, cfg, func(s *Scorer) func(start, end int) {
		var tmp Decision
		// slabs shared by the worker's decisions: a new one only when
		// full, growing up to 64 KiB, so a batch where few rules fire
		// allocates little beyond its decisions
		var hitSlab []Hit
		var textSlab []byte
		return func(start, end int) {
			// Score into one reused Decision, then copy each result into
			// slabs shared by the chunk: a few allocations per chunk
			// instead of several per decision with hits. Slices and
			// strings handed out keep pointing at the slab they were cut
			// from even when a slab grows, and are never written again.
			decs := make([]Decision, end-start) // per chunk: allocated and zeroed by the workers, in parallel
			for i := start; i < end; i++ {
				if err := s.ScoreInto(recs[i], &tmp); err != nil {
					out[i].Err = err
					continue
				}
				d := &decs[i-start]
				*d = tmp
				d.reasons = nil
				d.Errors = append([]RuleError(nil), tmp.Errors...)
				if len(d.Errors) == 0 {
					d.Errors = nil
				}
				if n := len(tmp.Hits); n > 0 {
					if cap(hitSlab)-len(hitSlab) < n {
						hitSlab = make([]Hit, 0, max(16, 2*n, min(2*cap(hitSlab), 1024)))
					}
					if cap(textSlab)-len(textSlab) < len(tmp.reasons) {
						textSlab = make([]byte, 0, max(1<<10, 2*len(tmp.reasons), min(2*cap(textSlab), 64<<10)))
					}
					// the reasons, one after another (they fill tmp's
					// buffer, which is at least as long)
					h0 := len(hitSlab)
					hitSlab = append(hitSlab, tmp.Hits...)
					d.Hits = hitSlab[h0 : h0+n : h0+n]
					for k := range d.Hits {
						t0 := len(textSlab)
						textSlab = append(textSlab, d.Hits[k].Reason...)
						d.Hits[k].Reason = unsafe.String(unsafe.SliceData(textSlab[t0:]), len(textSlab)-t0)
					}
				} else {
					d.Hits = []Hit{}
				}
				out[i].Decision = d
			}
		}
	})
	return out
}

// inChunks scores recs in chunks with cfg.workers workers. Each worker has
// its own Scorer, and the function newWorker makes from it scores the
// chunks the worker takes, writing out; once ctx is done the records left
// get ctx's error instead.
func (e *Engine) inChunks(ctx context.Context, recs []*Record, out []Result, cfg scoreConfig, newWorker func(s *Scorer) func(start, end int)) {
	const chunk = 256
	var next atomic.Int64
	var wg sync.WaitGroup
	workers := min(cfg.workers, (len(recs)+chunk-1)/chunk)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			work := newWorker(newScorer(e, cfg))
			for {
				start := int(next.Add(chunk)) - chunk
				if start >= len(recs) {
					return
				}
				end := min(start+chunk, len(recs))
				if err := ctx.Err(); err != nil {
					for i := start; i < end; i++ {
						out[i] = Result{Err: err}
					}
					continue
				}
				work(start, end)
			}
		}()
	}
	wg.Wait()
}

// ScoreBatchInto is ScoreBatch for a job that scores batch after batch (a
// nightly rescoring in chunks, say): it writes into out, grown to len(recs),
// and scores into the Decisions out already points to, reusing their hits
// and reason buffers, so once warm it allocates nothing and leaves the
// garbage collector nothing to do. It returns out[:len(recs)]. The previous
// contents of out are overwritten: copy (Decision.Clone) what must outlive
// the next call. A rejected record gets a nil Decision. Rescoring the same
// records (a card base kept in memory), a decision that already says what a
// card no rule fires on would say is not even written, which saves memory
// traffic.
func (e *Engine) ScoreBatchInto(ctx context.Context, recs []*Record, out []Result, opts ...ScoreOption) []Result {
	cfg := e.config(opts)
	out = slices.Grow(out[:0], len(recs))[:len(recs)]
	e.inChunks(ctx, recs, out, cfg, func(s *Scorer) func(start, end int) {
		var fresh []Decision // new decisions, a chunk's at a time
		return func(start, end int) {
			for i := start; i < end; i++ {
				d := out[i].Decision
				if d == nil {
					if len(fresh) == 0 {
						fresh = make([]Decision, end-i)
					}
					d, fresh = &fresh[0], fresh[1:]
				}
				if err := s.ScoreInto(recs[i], d); err != nil {
					out[i] = Result{Err: err}
					continue
				}
				out[i] = Result{Decision: d}
			}
		}
	})
	return out
}

// MarshalJSON writes the decision as one card-schema v1 decision object.
func (d *Decision) MarshalJSON() ([]byte, error) { return d.AppendJSON(nil), nil }

// AppendJSON appends the decision's JSON (one line, no newline) to b.
func (d *Decision) AppendJSON(b []byte) []byte { return appendDecisionJSON(b, d, nil) }

func init() {
	jsonenc.AppendDecision = func(b []byte, d any, c *jsonenc.Cache) []byte {
		return appendDecisionJSON(b, d.(*Decision), c)
	}
}

// appendDecisionJSON is AppendJSON keeping in c (when not nil) the texts
// a run's decisions share (datasets.ScoreFile's workers): one writer of a
// decision's JSON for both.
func appendDecisionJSON(b []byte, d *Decision, c *jsonenc.Cache) []byte {
	b = append(b, `{"msisdn":`...)
	b = jsonenc.String(b, d.MSISDN)
	b = append(b, `,"score":`...)
	b = jsonenc.Number(b, d.Score)
	b = append(b, `,"level":"`...)
	b = append(b, d.Level.String()...)
	b = append(b, `","outcome":"`...)
	b = append(b, d.Outcome.String()...)
	b = append(b, '"')
	if d.Deadline != 0 {
		b = c.Deadline(b, int64(d.Deadline))
	}
	b = append(b, `,"hits":[`...)
	for i := range d.Hits {
		h := &d.Hits[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"rule":`...)
		b = jsonenc.String(b, h.Rule)
		b = append(b, `,"tags":[`...)
		for j, t := range h.Tags {
			if j > 0 {
				b = append(b, ',')
			}
			b = jsonenc.String(b, t)
		}
		b = append(b, `],"score":`...)
		b = jsonenc.Number(b, h.Score)
		b = append(b, `,"reason":`...)
		b = jsonenc.String(b, h.Reason)
		if h.Shadow {
			b = append(b, `,"shadow":true`...)
		}
		b = append(b, '}')
	}
	b = append(b, ']')
	if len(d.Errors) > 0 {
		b = append(b, `,"errors":[`...)
		for i, e := range d.Errors {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"rule":`...)
			b = jsonenc.String(b, e.Rule)
			b = append(b, `,"message":`...)
			b = jsonenc.String(b, e.Message)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = c.Tail(b, d.RuleSet, int64(d.AsOf), d.Pack, d.Version)
	return append(b, '}')
}

// lastDeadline is the latest deadline a decision gives: the last second RFC
// 3339 can write (9999-12-31T23:59:59+08:00).
var lastDeadline = Date(9999, 12, 31) + 86399

// addTime is t+d, never past lastDeadline (nor overflowing).
func addTime(t, d Time) Time {
	if t > lastDeadline-d {
		return lastDeadline
	}
	return t + d
}
