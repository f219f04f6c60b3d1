// Package live is the core of a host service that scores a live card base:
// a Service keeps a risk.LivePopulation that follows the cards (upserts and
// removals while others score), the rule pack's compiled Engine, hot
// reloads that swap the engine in one step only when the new pack loaded,
// compiled and passed its own tests, an optional shadow pack scored beside
// the live one, observability hooks the host implements (Hooks) and a
// decision log (DecisionLog: JSON Lines, personal data masked, rotated by
// size).
//
// It depends on nothing beyond the core module: a host wires Hooks to its
// metrics library (examples/server does it for Prometheus) and serves the
// Service over its own transport.
//
// Every method of a Service is safe for concurrent use. A score runs on the
// engine current when it started, to the end, whatever reloads happen
// meanwhile.
//
// Limits: the population's (risk.MaxLiveCards, risk.MaxLiveOperators,
// and Record.Validate's on each card), a reload's errors (MaxReloadErrors),
// a decision log's file size and count (MinLogBytes, MaxLogFiles), each an
// error that names it. Personal data: reload errors, decision-log lines and
// hook events never carry a full number, ID number or holder key; a
// decision's msisdn is the card's number, for the host to act on.
package live

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/risk/ref"
	"github.com/simrisk/simrisk/rules"
)

// Source loads a rule pack: at New and at every Reload. It returns the rule
// set, or the load's error (a rules.ErrorList for positioned problems).
type Source func(ctx context.Context) (*rules.RuleSet, error)

// DirSource loads rule files and directories from disk (rules.Load), with
// their tests.
func DirSource(paths ...string) Source {
	paths = slices.Clone(paths)
	return func(context.Context) (*rules.RuleSet, error) { return rules.Load(paths...) }
}

// PackSource loads an embedded pack by name (rules.Pack), with its tests.
func PackSource(name string) Source {
	return func(context.Context) (*rules.RuleSet, error) { return rules.Pack(name) }
}

// ErrUnknownCard is returned by ScoreStored for a number the population
// does not hold.
var ErrUnknownCard = errors.New("live: unknown card")

// MaxReloadErrors is the most errors a failed reload reports (the rest are
// counted in a last line).
const MaxReloadErrors = 100

// Option configures a Service at New. Options that can be wrong return an
// error from New.
type Option func(*config) error

type config struct {
	pop         *risk.LivePopulation
	shadow      Source
	hooks       Hooks
	log         *DecisionLog
	compileOpts []risk.CompileOption
	now         func() time.Time
}

// WithPopulation makes the Service score against p (for instance one built
// from a snapshot before New). Without it the Service starts empty.
func WithPopulation(p *risk.LivePopulation) Option {
	return func(c *config) error {
		if p == nil {
			return errors.New("live: WithPopulation(nil)")
		}
		c.pop = p
		return nil
	}
}

// WithShadow scores a candidate pack beside the live one on every card, on
// the same stored card and population: its decision never changes the
// answer; a decision that differs (outcome, level, score, deadline or the
// rules that fired) is counted (Service.ShadowDifferences), passed to
// Hooks.ShadowDiffered and written to the decision log with the live
// decision. A card the shadow fails on (its Score returned an error or
// panicked, or one of its rules failed: Decision.Errors) is counted apart
// (Service.ShadowFailures), passed to Hooks.ShadowFailed and logged the same
// way, so a shadow that fails on every card does not look like one that
// agrees. Reload reloads it too; a shadow pack that fails keeps the last
// good shadow engine (and never blocks the live swap).
func WithShadow(src Source) Option {
	return func(c *config) error {
		if src == nil {
			return errors.New("live: WithShadow(nil)")
		}
		c.shadow = src
		return nil
	}
}

// WithHooks sends the Service's events to h (metrics, logs).
func WithHooks(h Hooks) Option {
	return func(c *config) error {
		if h == nil {
			return errors.New("live: WithHooks(nil)")
		}
		c.hooks = h
		return nil
	}
}

// WithDecisionLog writes every decision to l. The Service does not close
// it.
func WithDecisionLog(l *DecisionLog) Option {
	return func(c *config) error {
		if l == nil {
			return errors.New("live: WithDecisionLog(nil)")
		}
		c.log = l
		return nil
	}
}

// WithCompileOptions compiles every pack (live and shadow) with opts.
func WithCompileOptions(opts ...risk.CompileOption) Option {
	return func(c *config) error {
		c.compileOpts = append(c.compileOpts, opts...)
		return nil
	}
}

// WithClock sets the clock that gives the as-of time when a call passes the
// zero risk.Time, and the times of loads (default time.Now).
func WithClock(now func() time.Time) Option {
	return func(c *config) error {
		if now == nil {
			return errors.New("live: WithClock(nil)")
		}
		c.now = now
		return nil
	}
}

// Service scores a live card base with a reloadable rule pack. Build it
// with New.
type Service struct {
	cfg    config
	src    Source
	pop    *risk.LivePopulation
	cur    atomic.Pointer[engines]
	reload sync.Mutex // one reload at a time
	diffs  atomic.Int64
	fails  atomic.Int64
}

// engines is what a score reads, swapped in one step.
type engines struct {
	live, shadow     *risk.Engine
	loadedAt         time.Time
	shadowLoadedAt   time.Time
	lastErrors       []string // the last reload's errors (live pack), nil when it succeeded
	lastShadowErrors []string
}

// New loads src (with its tests), compiles it and runs its tests; it fails
// with a *ReloadError listing every problem when any step does. A shadow
// source given by WithShadow must load and pass the same way.
func New(ctx context.Context, src Source, opts ...Option) (*Service, error) {
	if src == nil {
		return nil, errors.New("live: New needs a rule Source")
	}
	s := &Service{src: src, cfg: config{hooks: NopHooks{}, now: time.Now}}
	for _, o := range opts {
		if err := o(&s.cfg); err != nil {
			return nil, err
		}
	}
	s.pop = s.cfg.pop
	if s.pop == nil {
		s.pop = risk.NewLivePopulation()
	}
	eng, errs := s.load(ctx, src)
	if errs != nil {
		return nil, &ReloadError{Errors: errs}
	}
	st := &engines{live: eng, loadedAt: s.cfg.now()}
	if s.cfg.shadow != nil {
		sh, errs := s.load(ctx, s.cfg.shadow)
		if errs != nil {
			return nil, &ReloadError{Shadow: true, Errors: errs}
		}
		st.shadow, st.shadowLoadedAt = sh, st.loadedAt
	}
	s.cur.Store(st)
	return s, nil
}

// ReloadError is a failed load: every error of the pack's load, compile
// and tests, at most MaxReloadErrors, each masked (no full number) with
// the rule files' paths kept readable: in a path only a run of digits
// that is a phone or ID number is masked (ref.MaskTextKeepingPaths).
type ReloadError struct {
	Shadow bool // the shadow pack failed (the live one may have been swapped in)
	Errors []string
}

func (e *ReloadError) Error() string {
	which := "rule pack"
	if e.Shadow {
		which = "shadow rule pack"
	}
	return fmt.Sprintf("live: %s not loaded (%d errors): %s", which, len(e.Errors), strings.Join(e.Errors, "; "))
}

// load loads, compiles and tests a pack off the scoring path.
func (s *Service) load(ctx context.Context, src Source) (eng *risk.Engine, errs []string) {
	defer func() {
		if p := recover(); p != nil {
			eng, errs = nil, []string{ref.MaskText(fmt.Sprintf("panic while loading: %v", p))}
		}
		if len(errs) > MaxReloadErrors {
			errs = append(errs[:MaxReloadErrors-1], fmt.Sprintf("and %d more errors", len(errs)-MaxReloadErrors+1))
		}
	}()
	if err := ctx.Err(); err != nil {
		return nil, []string{ref.MaskText(err.Error())}
	}
	rs, err := src(ctx)
	if err == nil && rs == nil {
		err = errors.New("the source returned no rule set")
	}
	if err != nil {
		return nil, errorStrings(err)
	}
	eng, err = risk.Compile(rs, s.cfg.compileOpts...)
	if err != nil {
		return nil, errorStrings(err)
	}
	if err := ctx.Err(); err != nil {
		return nil, []string{ref.MaskText(err.Error())}
	}
	rep := eng.RunTests(rs.Tests)
	for _, r := range rep.Results {
		for _, f := range r.Failures {
			errs = append(errs, ref.MaskTextKeepingPaths(fmt.Sprintf("%s: test %q: %s", r.Pos, r.Name, f), r.Pos.File))
		}
	}
	if errs != nil {
		return nil, errs
	}
	return eng, nil
}

// errorStrings is err's text, one entry per rule error, masked by
// ref.MaskTextKeepingPaths: the rule files' paths stay readable.
func errorStrings(err error) []string {
	if l := rules.AsList(err); len(l) > 0 {
		out := make([]string, len(l))
		for i, e := range l {
			out[i] = ref.MaskTextKeepingPaths(e.Error(), e.File)
		}
		return out
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return []string{ref.MaskTextKeepingPaths(err.Error(), pe.Path)}
	}
	return []string{ref.MaskText(err.Error())}
}

// Reload loads the Service's source again (and the shadow's), compiles it
// and runs its tests, all off the scoring path, then swaps the new engine
// in at once; scores already running finish on the engine they started
// with. When any step fails the last good engine keeps serving and the
// error is a *ReloadError listing every problem (also kept for Rules). The
// returned RulesInfo describes what serves after the call. Reloads run one
// at a time.
func (s *Service) Reload(ctx context.Context) (RulesInfo, error) {
	s.reload.Lock()
	defer s.reload.Unlock()
	start := time.Now()
	eng, errs := s.load(ctx, s.src)
	old := s.cur.Load()
	next := *old
	next.lastErrors = errs
	if errs == nil {
		next.live, next.loadedAt = eng, s.cfg.now()
	}
	var shErrs []string
	if s.cfg.shadow != nil {
		var sh *risk.Engine
		if sh, shErrs = s.load(ctx, s.cfg.shadow); shErrs == nil {
			next.shadow, next.shadowLoadedAt = sh, s.cfg.now()
		}
		next.lastShadowErrors = shErrs
	}
	s.cur.Store(&next)
	took := time.Since(start)
	s.cfg.hooks.Reloaded(ReloadEvent{OK: errs == nil, Digest: next.live.Digest(), Errors: errs, Duration: took})
	if s.cfg.shadow != nil {
		s.cfg.hooks.Reloaded(ReloadEvent{Shadow: true, OK: shErrs == nil, Digest: next.shadow.Digest(), Errors: shErrs, Duration: took})
	}
	info := s.info(&next)
	switch {
	case errs != nil:
		return info, &ReloadError{Errors: errs}
	case shErrs != nil:
		return info, &ReloadError{Shadow: true, Errors: shErrs}
	}
	return info, nil
}

// RulesInfo describes the pack that serves.
type RulesInfo struct {
	Name, Version, Digest string
	LoadedAt              time.Time
	Rules                 []risk.RuleInfo
	LastErrors            []string // the last reload's errors, nil when it succeeded (or none happened)

	// the shadow pack, when there is one
	ShadowName, ShadowVersion, ShadowDigest string
	ShadowLoadedAt                          time.Time
	LastShadowErrors                        []string
}

// Rules describes the pack that serves now and the last reload's errors.
func (s *Service) Rules() RulesInfo { return s.info(s.cur.Load()) }

func (s *Service) info(st *engines) RulesInfo {
	in := RulesInfo{Name: st.live.Name(), Version: st.live.Version(), Digest: st.live.Digest(),
		LoadedAt: st.loadedAt, Rules: st.live.Rules(), LastErrors: slices.Clone(st.lastErrors)}
	if st.shadow != nil {
		in.ShadowName, in.ShadowVersion, in.ShadowDigest = st.shadow.Name(), st.shadow.Version(), st.shadow.Digest()
		in.ShadowLoadedAt, in.LastShadowErrors = st.shadowLoadedAt, slices.Clone(st.lastShadowErrors)
	}
	return in
}

// Engine is the engine that serves now.
func (s *Service) Engine() *risk.Engine { return s.cur.Load().live }

// Population is the Service's card base.
func (s *Service) Population() *risk.LivePopulation { return s.pop }

// Len is the number of cards stored.
func (s *Service) Len() int { return s.pop.Len() }

// ShadowDifferences is the number of decisions on which the shadow pack
// differed from the live one since New.
func (s *Service) ShadowDifferences() int64 { return s.diffs.Load() }

// ShadowFailures is the number of cards the shadow pack failed on since New:
// its Score returned an error or panicked, or one of its rules failed on the
// card (Decision.Errors). Such a card is counted here and, when the shadow
// decided and its decision differs, in ShadowDifferences too.
func (s *Service) ShadowFailures() int64 { return s.fails.Load() }

// asOf is t, or the clock's now when t is zero, checked by risk.CheckAsOf.
func (s *Service) asOf(t risk.Time) (risk.Time, error) {
	if t == 0 {
		t = risk.TimeOf(s.cfg.now())
	}
	if err := risk.CheckAsOf(t); err != nil {
		return 0, fmt.Errorf("live: %w", err)
	}
	return t, nil
}

// Upsert stores r's state (risk.LivePopulation.Upsert), validated at asOf
// (the clock's now when zero). The record is copied, not kept. An asOf
// outside risk.MinAsOf .. risk.MaxAsOf is an error (risk.ErrAsOfRange).
func (s *Service) Upsert(r *risk.Record, asOf risk.Time) error {
	asOf, err := s.asOf(asOf)
	if err != nil {
		return err
	}
	_, err = s.pop.Upsert(r, asOf)
	if err == nil {
		s.cfg.hooks.PopulationChanged(s.pop.Len())
	}
	return err
}

// UpsertBatch stores records on all cores (risk.LivePopulation.UpsertBatch);
// one error per record, or nil when every record was stored. An asOf
// outside risk.MinAsOf .. risk.MaxAsOf is every record's error.
func (s *Service) UpsertBatch(recs []*risk.Record, asOf risk.Time) []error {
	asOf, err := s.asOf(asOf)
	if err != nil {
		errs := make([]error, len(recs))
		for i := range errs {
			errs[i] = err
		}
		return errs
	}
	errs := s.pop.UpsertBatch(recs, asOf)
	s.cfg.hooks.PopulationChanged(s.pop.Len())
	return errs
}

// Remove drops the card with the given number; it reports whether it was
// stored. A malformed number is an error.
func (s *Service) Remove(msisdn string) (bool, error) {
	ok, err := s.pop.Remove(msisdn)
	if ok {
		s.cfg.hooks.PopulationChanged(s.pop.Len())
	}
	return ok, err
}

// Score stores r's new state, then scores it at asOf (the clock's now when
// zero) against the population. An invalid record is an error
// (errors.Is(err, risk.ErrInvalidRecord)) and is not stored; so is an asOf
// outside risk.MinAsOf .. risk.MaxAsOf (risk.ErrAsOfRange).
func (s *Service) Score(ctx context.Context, r *risk.Record, asOf risk.Time) (*risk.Decision, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	start := time.Now()
	asOf, err := s.asOf(asOf)
	if err != nil {
		return nil, err
	}
	stored, err := s.pop.Upsert(r, asOf)
	if err != nil {
		return nil, err
	}
	s.cfg.hooks.PopulationChanged(s.pop.Len())
	return s.score(stored, asOf, start)
}

// ScoreStored scores the stored card with the given number at asOf (the
// clock's now when zero, within risk.MinAsOf .. risk.MaxAsOf: outside, an
// error matching risk.ErrAsOfRange); ErrUnknownCard when there is none.
func (s *Service) ScoreStored(ctx context.Context, msisdn string, asOf risk.Time) (*risk.Decision, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	start := time.Now()
	asOf, err := s.asOf(asOf)
	if err != nil {
		return nil, err
	}
	r, ok := s.pop.Lookup(msisdn)
	if !ok {
		return nil, ErrUnknownCard
	}
	return s.score(r, asOf, start)
}

func (s *Service) score(r *risk.Record, asOf risk.Time, start time.Time) (*risk.Decision, error) {
	st := s.cur.Load() // this score's engines, whatever reloads do meanwhile
	d, err := st.live.Score(r, risk.AsOfTime(asOf), risk.WithPopulation(s.pop))
	if err != nil {
		return nil, err
	}
	var sd *risk.Decision
	var shErr error
	if st.shadow != nil {
		x, err := scoreShadow(st.shadow, r, asOf, s.pop)
		if err == nil && Differ(d, x) {
			sd = x
			s.diffs.Add(1)
			s.cfg.hooks.ShadowDiffered(d, x)
		}
		if err == nil && len(x.Errors) > 0 {
			sd, err = x, ruleErrors(x.Errors)
		}
		if err != nil {
			shErr = err
			s.fails.Add(1)
			s.cfg.hooks.ShadowFailed(d, sd, err)
		}
	}
	s.cfg.hooks.Decided(d, time.Since(start))
	if s.cfg.log != nil {
		if err := s.cfg.log.write(d, sd, shErr); err != nil {
			s.cfg.hooks.LogFailed(err)
		}
	}
	return d, nil
}

// scoreShadow scores r on the shadow engine; a panic is returned as an
// error (masked: it never quotes a full number).
func scoreShadow(e *risk.Engine, r *risk.Record, asOf risk.Time, pop risk.FeatureSource) (d *risk.Decision, err error) {
	defer func() {
		if p := recover(); p != nil {
			d, err = nil, fmt.Errorf("live: shadow pack panicked: %s", ref.MaskText(fmt.Sprint(p)))
		}
	}()
	d, err = e.Score(r, risk.AsOfTime(asOf), risk.WithPopulation(pop))
	if err != nil {
		return nil, fmt.Errorf("live: shadow pack: %s", ref.MaskText(err.Error()))
	}
	return d, nil
}

// ruleErrors is the error of a shadow decision whose rules failed: every
// rule id with its message (fixed by kind, quoting no card value).
func ruleErrors(errs []risk.RuleError) error {
	var b strings.Builder
	fmt.Fprintf(&b, "live: shadow pack: %d rule(s) failed on the card:", len(errs))
	for i, e := range errs {
		if i > 0 {
			b.WriteByte(';')
		}
		fmt.Fprintf(&b, " %s: %s", e.Rule, ref.MaskText(e.Message))
	}
	return errors.New(b.String())
}

// Differ reports whether two decisions on the same card differ in outcome,
// level, score, deadline or the rules that fired (shadow rules included).
func Differ(a, b *risk.Decision) bool {
	if a.Outcome != b.Outcome || a.Level != b.Level || a.Score != b.Score || a.Deadline != b.Deadline || len(a.Hits) != len(b.Hits) {
		return true
	}
	for i := range a.Hits {
		if a.Hits[i].Rule != b.Hits[i].Rule || a.Hits[i].Shadow != b.Hits[i].Shadow {
			return true
		}
	}
	return false
}
