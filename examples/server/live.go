package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/simrisk/simrisk/datasets"
	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/risk/live"
	"github.com/simrisk/simrisk/risk/ref"
)

// liveBase adapts the library's live.Service (population, engine, reload,
// shadow, decision log) to what the handlers ask. It keeps no card and no
// rule of its own: only the last reload's outcome, for GET /v1/rules.
type liveBase struct {
	svc *live.Service
	log *live.DecisionLog // nil without --decision-log

	mu   sync.Mutex
	last *reloadAt
}

// openBase builds the population from --snapshot (all cores), then the
// Service over it with the rule source, the shadow source, the decision log
// and m as its hooks. It fails when the rules (or the shadow rules) do not
// load, compile and pass their tests.
func openBase(c *config, readOpts []datasets.ReadOption, m *metrics, log *slog.Logger) (*liveBase, error) {
	src := live.PackSource(c.pack)
	if c.rules != "" {
		src = live.DirSource(c.rules)
	}
	pop := risk.NewLivePopulation()
	if c.snapshot != "" {
		if err := loadSnapshot(pop, c, readOpts, m, log); err != nil {
			return nil, fmt.Errorf("--snapshot: %w", err)
		}
	}
	opts := []live.Option{live.WithPopulation(pop), live.WithHooks(&hooks{m: m, log: log, logPath: c.decisionLog})}
	if c.shadow != "" {
		opts = append(opts, live.WithShadow(live.DirSource(c.shadow)))
	}
	b := &liveBase{}
	if c.decisionLog != "" {
		dl, err := live.OpenDecisionLog(c.decisionLog, live.LogOptions{MaxBytes: c.decisionLogMaxBytes, MaxFiles: c.decisionLogKeep})
		if err != nil {
			return nil, fmt.Errorf("--decision-log: %w", err)
		}
		b.log = dl
		opts = append(opts, live.WithDecisionLog(dl))
	}
	svc, err := live.New(context.Background(), src, opts...)
	if err != nil {
		if b.log != nil {
			b.log.Close()
		}
		var re *live.ReloadError
		if errors.As(err, &re) {
			what := "the rules"
			if re.Shadow {
				what = "the shadow rules (--shadow)"
			}
			return nil, fmt.Errorf("%s did not load, compile and pass their tests: %d errors, the first: %s", what, len(re.Errors), re.Errors[0])
		}
		return nil, err
	}
	b.svc = svc
	return b, nil
}

// snapshotChunk is how many records are validated together (on all cores)
// and stored.
const snapshotChunk = 64 << 10

// loadSnapshot upserts every card of the snapshot file at the time of start;
// a bad record is counted and logged (masked), not fatal.
func loadSnapshot(pop *risk.LivePopulation, c *config, readOpts []datasets.ReadOption, m *metrics, log *slog.Logger) error {
	f, err := os.Open(c.snapshot)
	if err != nil {
		return err
	}
	defer f.Close()
	format := datasets.FormatOf(c.snapshot)
	if c.snapshotFormat != "" {
		format = datasets.Format(c.snapshotFormat)
	}
	asOf := risk.TimeOf(time.Now())
	enc, err := datasets.ParseEncoding(c.encoding)
	if err != nil {
		return err
	}
	opts := append(readOpts[:len(readOpts):len(readOpts)], datasets.WithEncoding(enc), datasets.WithWarnings(func(w datasets.Warning) {
		log.Warn("snapshot", "warning", ref.MaskText(w.String()))
	}))
	rd, err := datasets.NewRecordReader(f, format, asOf, opts...)
	if err != nil {
		return err
	}
	start := time.Now()
	chunk := make([]*risk.Record, 0, snapshotChunk)
	lines := make([]int, 0, snapshotChunk)
	rejected := 0
	reject := func(line int, reason string) {
		rejected++
		m.rejects.Inc()
		if rejected <= 10 {
			log.Warn("snapshot: record rejected", "line", line, "reason", ref.MaskText(reason))
		}
	}
	flush := func() {
		for i, err := range pop.UpsertBatch(chunk, asOf) {
			if err != nil {
				reject(lines[i], err.Error())
			}
		}
		chunk, lines = chunk[:0], lines[:0]
	}
	err = eachRecord(rd, func(rec *risk.Record, line int) bool {
		chunk = append(chunk, rec)
		lines = append(lines, line)
		if len(chunk) == snapshotChunk {
			flush()
		}
		return true
	}, func(line int, reason string) bool {
		reject(line, reason)
		return true
	})
	if err != nil {
		return err
	}
	flush()
	log.Info("snapshot loaded", "cards", pop.Len(), "holders", pop.Holders(), "rejected", rejected,
		"took", time.Since(start).Round(time.Millisecond).String())
	return nil
}

// Close closes the decision log (after the server stopped scoring).
func (b *liveBase) Close() error {
	if b.log != nil {
		return b.log.Close()
	}
	return nil
}

func (b *liveBase) Upsert(rec *risk.Record, asOf risk.Time) error {
	return b.svc.Upsert(rec, asOf)
}

func (b *liveBase) Remove(msisdn string) (bool, error) { return b.svc.Remove(msisdn) }

func (b *liveBase) Score(ctx context.Context, rec *risk.Record, asOf risk.Time) (*risk.Decision, error) {
	return b.svc.Score(ctx, rec, asOf)
}

func (b *liveBase) ScoreStored(ctx context.Context, msisdn string, asOf risk.Time) (*risk.Decision, bool, error) {
	d, err := b.svc.ScoreStored(ctx, msisdn, asOf)
	if errors.Is(err, live.ErrUnknownCard) {
		return nil, false, nil
	}
	return d, true, err
}

func (b *liveBase) Reload(ctx context.Context) (rulesInfo, *live.ReloadError) {
	info, err := b.svc.Reload(ctx)
	var re *live.ReloadError
	if err != nil && !errors.As(err, &re) {
		re = &live.ReloadError{Errors: []string{ref.MaskText(err.Error())}}
	}
	last := &reloadAt{At: time.Now(), OK: re == nil || re.Shadow, Digest: info.Digest, Errors: []string{}}
	if re != nil && !re.Shadow {
		last.Errors = re.Errors
	}
	b.mu.Lock()
	b.last = last
	b.mu.Unlock()
	return b.describe(info), re
}

func (b *liveBase) Rules() rulesInfo { return b.describe(b.svc.Rules()) }

// describe is GET /v1/rules's answer for info.
func (b *liveBase) describe(info live.RulesInfo) rulesInfo {
	out := rulesInfo{Name: info.Name, Version: info.Version, Digest: info.Digest, LoadedAt: info.LoadedAt,
		Rules: make([]ruleRef, 0, len(info.Rules))}
	for _, r := range info.Rules {
		out.Rules = append(out.Rules, ruleRef{ID: r.ID, Title: r.Title, Outcome: r.Outcome.String()})
	}
	b.mu.Lock()
	out.LastReload = b.last
	b.mu.Unlock()
	if info.ShadowDigest != "" {
		out.Shadow = &shadowAt{Name: info.ShadowName, Version: info.ShadowVersion, Digest: info.ShadowDigest,
			LoadedAt: info.ShadowLoadedAt, Errors: info.LastShadowErrors, Differences: b.svc.ShadowDifferences(),
			Failures: b.svc.ShadowFailures()}
		if out.Shadow.Errors == nil {
			out.Shadow.Errors = []string{}
		}
	}
	return out
}

func (b *liveBase) Cards() int { return b.svc.Len() }

// hooks feeds the library's events to the Prometheus collectors and the log.
type hooks struct {
	live.NopHooks
	m       *metrics
	log     *slog.Logger
	logPath string // the decision log's path (--decision-log), kept readable in its errors
}

func (h *hooks) Decided(d *risk.Decision, latency time.Duration) {
	h.m.decisions.WithLabelValues(d.Outcome.String()).Inc()
	for i := range d.Hits {
		h.m.ruleHits.WithLabelValues(d.Hits[i].Rule).Inc()
	}
	for i := range d.Errors {
		h.m.ruleErrors.WithLabelValues(d.Errors[i].Rule).Inc()
	}
	h.m.scoreSeconds.Observe(latency.Seconds())
}

func (h *hooks) Reloaded(ev live.ReloadEvent) {
	result := "ok"
	if !ev.OK {
		result = "failed"
	}
	if ev.Shadow {
		h.m.shadowReloads.WithLabelValues(result).Inc()
		return
	}
	h.m.reloads.WithLabelValues(result).Inc()
	if ev.OK {
		h.m.rulesLoadedAt.SetToCurrentTime()
	}
}

func (h *hooks) ShadowDiffered(d, shadow *risk.Decision) {
	h.m.shadowDiffs.Inc()
	h.log.Debug("shadow pack decided otherwise", "msisdn", risk.MaskMSISDN(d.MSISDN),
		"outcome", d.Outcome.String(), "shadow_outcome", shadow.Outcome.String(),
		"score", d.Score, "shadow_score", shadow.Score)
}

func (h *hooks) ShadowFailed(d, _ *risk.Decision, err error) {
	h.m.shadowFailures.Inc()
	h.log.Warn("shadow pack failed on a card; the live answer stands", "msisdn", risk.MaskMSISDN(d.MSISDN),
		"error", ref.MaskText(err.Error()))
}

func (h *hooks) LogFailed(err error) {
	h.m.logFailures.Inc()
	h.log.Error("decision log", "error", ref.MaskTextKeepingPaths(err.Error(), h.logPath))
}
