package live

import (
	"time"

	"github.com/simrisk/simrisk/risk"
)

// Hooks receives a Service's events; a host implements it to feed its
// metrics and logs (embed NopHooks to implement only some). Methods are
// called on the scoring goroutine, concurrently: keep them quick and safe
// for concurrent use, and do not keep the decisions (they are the caller's).
//
// What a host counts from them: decisions by outcome (Decided: d.Outcome),
// hits by rule (d.Hits[i].Rule), latency (Decided's latency: from the call
// to the decision, storing included), reloads and their failures
// (Reloaded), population size (PopulationChanged), shadow differences
// (ShadowDiffered), cards the shadow failed on (ShadowFailed) and
// decision-log failures (LogFailed). None of them
// carries a full number or holder key: d.MSISDN is the card's number, for
// the host to act on, and must be masked (risk.MaskMSISDN) before it goes
// into a log or a label.
type Hooks interface {
	Decided(d *risk.Decision, latency time.Duration)
	Reloaded(ev ReloadEvent)
	PopulationChanged(cards int)
	ShadowDiffered(live, shadow *risk.Decision)
	// ShadowFailed is a card the shadow pack failed on: err says how (the
	// shadow's Score error, a panic, or the rules that failed; masked);
	// shadow is the shadow's decision when it decided (its Errors non-empty),
	// nil when it did not. The live decision is unchanged.
	ShadowFailed(live, shadow *risk.Decision, err error)
	LogFailed(err error)
}

// ReloadEvent is one reload (or one shadow reload) that succeeded or failed.
type ReloadEvent struct {
	Shadow   bool          // the shadow pack's reload
	OK       bool          // the new engine was swapped in
	Digest   string        // the digest serving after the reload
	Errors   []string      // every error when it failed (masked)
	Duration time.Duration // load, compile and tests
}

// NopHooks does nothing; embed it in a Hooks implementation to implement
// only some methods.
type NopHooks struct{}

func (NopHooks) Decided(*risk.Decision, time.Duration)     {}
func (NopHooks) Reloaded(ReloadEvent)                      {}
func (NopHooks) PopulationChanged(int)                     {}
func (NopHooks) ShadowDiffered(_, _ *risk.Decision)        {}
func (NopHooks) ShadowFailed(_, _ *risk.Decision, _ error) {}
func (NopHooks) LogFailed(error)                           {}
