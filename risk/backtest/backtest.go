// Package backtest compares two rule sets on the same cards: what each
// flags, how decisions move from the baseline to the candidate, and — when
// the cards carry ground-truth labels — how well each finds the cards that
// truly need a second real-person verification (precision, recall, F1,
// lift, ROC AUC, a threshold sweep). Report.WriteHTML draws it as one
// self-contained HTML page with embedded charts.
//
// The analysts' command is `simrisk backtest`; this package is the API
// behind it.
package backtest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"time"

	"gonum.org/v1/gonum/integrate"
	"gonum.org/v1/gonum/stat"

	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/risk/ref"
	"github.com/simrisk/simrisk/rules"
)

// Input is the population to backtest on.
type Input struct {
	Records []*risk.Record // validated or not; invalid ones are counted in Report.Rejected
	// Labels are the ground truth, one per record: true for a card that
	// needs verification (fraud or violation). Nil when the data has none.
	Labels []bool
	AsOf   risk.Time
	// Lines, when given, are the records' input lines, one per record
	// (datasets.Loaded.Lines): each Change carries its card's line, a
	// reference that names the card without showing its number.
	Lines []int
}

// Option configures Run.
type Option func(*config)

type config struct {
	progress func(done, total int)
	sample   int
	workers  int
}

// WithProgress calls f after each chunk of cards, from the calling
// goroutine, with the number scored so far (both rule sets) and the total.
func WithProgress(f func(done, total int)) Option { return func(c *config) { c.progress = f } }

// WithSample sets how many cards that change outcome the report lists
// (default 20; a negative n lists them all).
func WithSample(n int) Option { return func(c *config) { c.sample = n } }

// WithWorkers sets the scoring workers (default GOMAXPROCS).
func WithWorkers(n int) Option { return func(c *config) { c.workers = n } }

// Report is a backtest's result.
type Report struct {
	Cards    int  // cards scored by both rule sets
	Rejected int  // records that failed validation (not scored)
	Labelled bool // metrics against ground truth are present
	Positive int  // labelled positive cards among Cards

	Baseline, Candidate *PackReport

	// Transitions[b][c] counts cards with outcome b under the baseline and
	// c under the candidate (indexed by rules.Outcome).
	Transitions [5][5]int
	// Changed is a sample of cards whose outcome differs, in input order.
	Changed []Change
	// ChangedTotal is how many cards changed outcome in all.
	ChangedTotal int

	// AsOf is the time the cards were judged at (Input.AsOf).
	AsOf risk.Time
	// The report's header and language, set by the caller before
	// WriteHTML (Run leaves them empty): the records' file, when the
	// report was made (WriteHTML uses the current time when zero), what
	// changed between the rule sets (Compare; not shown when nil) and the
	// language, "zh" (the default) or "en".
	Input     string
	Generated time.Time
	Rules     *RuleChanges
	Lang      string
}

// PackReport is one rule set's results.
type PackReport struct {
	Name, Version, Digest string
	Path                  string // where the rules came from (pack:NAME or a path): set by the caller, Run leaves it empty
	Rules                 []RuleStats
	Outcomes              [5]int     // cards per outcome (indexed by rules.Outcome)
	ByOutcome             []Metrics  // with labels: cards at or above each outcome from monitor up, as flagged
	Scores                []float64  // every card's score, in input order
	ScoreQuantiles        [5]float64 // min, p25, median, p75, max
	AUC                   float64    // with labels: ROC AUC of the score; NaN without
	ROC                   []Point    // with labels: the ROC curve of the score
	Sweep                 []Metrics  // with labels: flagged = score >= threshold, thresholds 0, 5, ... 100
	// Overlap[i][j] counts cards on which rules i and j both fired (the
	// diagonal is each rule's hits).
	Overlap [][]int
}

// RuleStats is one rule's hits, and with labels how well it finds positives.
type RuleStats struct {
	ID, Title string // Title masked (ref.MaskText) like every text of a report
	Shadow    bool
	Metrics
}

// Metrics count and rate one way of flagging cards; the quality figures are
// set when the data is labelled (else NaN).
type Metrics struct {
	Name      string  // what is flagged: a rule, "outcome >= verify", "score >= 50"
	Threshold float64 // for the sweep
	Flagged   int
	Rate      float64 // Flagged / Cards
	TruePos   int
	Precision float64
	Recall    float64
	F1        float64
	Lift      float64 // Precision / the share of positives among all cards
}

// Point is one point of a ROC curve.
type Point struct{ FPR, TPR, Threshold float64 }

// Change is one card whose outcome differs between the rule sets.
type Change struct {
	MSISDN         string // masked
	Line           int    // the record's input line (Input.Lines); 0 when not given
	Label          *bool
	Baseline       Verdict
	Candidate      Verdict
	Added, Removed []string // rules fired only by the candidate / only by the baseline
}

// Verdict is a rule set's decision on a card, in short.
type Verdict struct {
	Score   float64
	Outcome rules.Outcome
	Rules   []string
}

// Run scores every record with both engines (population features from the
// records themselves) and compares. It returns ctx's error when cancelled.
func Run(ctx context.Context, baseline, candidate *risk.Engine, in Input, opts ...Option) (*Report, error) {
	cfg := config{sample: 20}
	for _, o := range opts {
		o(&cfg)
	}
	if in.Labels != nil && len(in.Labels) != len(in.Records) {
		return nil, fmt.Errorf("backtest: %d labels for %d records", len(in.Labels), len(in.Records))
	}
	if in.Lines != nil && len(in.Lines) != len(in.Records) {
		return nil, fmt.Errorf("backtest: %d lines for %d records", len(in.Lines), len(in.Records))
	}
	if baseline == nil || candidate == nil {
		return nil, errors.New("backtest: a baseline and a candidate engine are needed")
	}
	// validate once, build the population from the valid records
	recs := make([]*risk.Record, 0, len(in.Records))
	var labels []bool
	var lines []int
	rep := &Report{Labelled: in.Labels != nil, AsOf: in.AsOf}
	pop := risk.NewPopulation()
	for i, r := range in.Records {
		if r.Validate(in.AsOf) != nil {
			rep.Rejected++
			continue
		}
		pop.Add(r)
		recs = append(recs, r)
		if in.Lines != nil {
			lines = append(lines, in.Lines[i])
		}
		if in.Labels != nil {
			labels = append(labels, in.Labels[i])
			if in.Labels[i] {
				rep.Positive++
			}
		}
	}
	rep.Cards = len(recs)
	sopts := []risk.ScoreOption{risk.AsOfTime(in.AsOf), risk.WithPopulation(pop)}
	if cfg.workers > 0 {
		sopts = append(sopts, risk.Workers(cfg.workers))
	}
	b := newPack(baseline, len(recs))
	c := newPack(candidate, len(recs))
	const chunk = 20000
	total := 2 * len(recs)
	for lo := 0; lo < len(recs); lo += chunk {
		hi := min(lo+chunk, len(recs))
		for k, p := range []*packRun{b, c} {
			res := p.eng.ScoreBatch(ctx, recs[lo:hi], sopts...)
			for i, r := range res {
				if r.Err != nil {
					if ctx.Err() != nil {
						return nil, ctx.Err()
					}
					return nil, fmt.Errorf("backtest: card %s: %w", risk.MaskMSISDN(recs[lo+i].MSISDN), r.Err)
				}
				p.add(lo+i, r.Decision)
			}
			if cfg.progress != nil {
				cfg.progress(2*lo+(k+1)*(hi-lo), total)
			}
		}
	}
	rep.Baseline = b.report(labels, rep.Positive)
	rep.Candidate = c.report(labels, rep.Positive)
	for i := range recs {
		bo, co := b.outcome[i], c.outcome[i]
		rep.Transitions[bo][co]++
		if bo == co {
			continue
		}
		rep.ChangedTotal++
		if cfg.sample >= 0 && len(rep.Changed) >= cfg.sample {
			continue
		}
		ch := Change{MSISDN: risk.MaskMSISDN(recs[i].MSISDN),
			Baseline:  Verdict{Score: b.scores[i], Outcome: bo, Rules: b.fired(i)},
			Candidate: Verdict{Score: c.scores[i], Outcome: co, Rules: c.fired(i)}}
		if labels != nil {
			l := labels[i]
			ch.Label = &l
		}
		if lines != nil {
			ch.Line = lines[i]
		}
		ch.Added = minus(ch.Candidate.Rules, ch.Baseline.Rules)
		ch.Removed = minus(ch.Baseline.Rules, ch.Candidate.Rules)
		rep.Changed = append(rep.Changed, ch)
	}
	return rep, nil
}

func minus(a, b []string) []string {
	var out []string
	for _, x := range a {
		found := false
		for _, y := range b {
			found = found || x == y
		}
		if !found {
			out = append(out, x)
		}
	}
	return out
}

// packRun collects one engine's decisions compactly.
type packRun struct {
	eng     *risk.Engine
	rules   []risk.RuleInfo
	index   map[string]int
	scores  []float64
	outcome []rules.Outcome
	hits    [][]int16 // per card, the indexes of the rules that fired
}

func newPack(e *risk.Engine, n int) *packRun {
	p := &packRun{eng: e, rules: e.Rules(), index: map[string]int{},
		scores: make([]float64, n), outcome: make([]rules.Outcome, n), hits: make([][]int16, n)}
	for i, r := range p.rules {
		p.index[r.ID] = i
	}
	return p
}

func (p *packRun) add(i int, d *risk.Decision) {
	p.scores[i] = d.Score
	p.outcome[i] = d.Outcome
	if len(d.Hits) > 0 {
		h := make([]int16, len(d.Hits))
		for k, hit := range d.Hits {
			h[k] = int16(p.index[hit.Rule])
		}
		p.hits[i] = h
	}
}

func (p *packRun) fired(i int) []string {
	out := make([]string, len(p.hits[i]))
	for k, j := range p.hits[i] {
		out[k] = p.rules[j].ID
	}
	return out
}

func (p *packRun) report(labels []bool, positives int) *PackReport {
	n := len(p.scores)
	r := &PackReport{Name: p.eng.Name(), Version: p.eng.Version(), Digest: p.eng.Digest(), Scores: p.scores, AUC: math.NaN()}
	nr := len(p.rules)
	r.Overlap = make([][]int, nr)
	for i := range r.Overlap {
		r.Overlap[i] = make([]int, nr)
	}
	ruleTP := make([]int, nr)
	for i := 0; i < n; i++ {
		r.Outcomes[p.outcome[i]]++
		for _, a := range p.hits[i] {
			for _, b := range p.hits[i] {
				r.Overlap[a][b]++
			}
			if labels != nil && labels[i] {
				ruleTP[a]++
			}
		}
	}
	for j, ri := range p.rules {
		m := metrics(ri.ID, r.Overlap[j][j], ruleTP[j], n, positives, labels != nil)
		r.Rules = append(r.Rules, RuleStats{ID: ri.ID, Title: ref.MaskText(ri.Title), Shadow: ri.Shadow, Metrics: m})
	}
	sorted := append([]float64(nil), p.scores...)
	sort.Float64s(sorted)
	if n > 0 {
		for k, q := range []float64{0, 0.25, 0.5, 0.75, 1} {
			r.ScoreQuantiles[k] = stat.Quantile(q, stat.Empirical, sorted, nil)
		}
	}
	if labels == nil || n == 0 {
		return r
	}
	for o := rules.Monitor; o <= rules.Suspend; o++ {
		flagged, tp := 0, 0
		for i := 0; i < n; i++ {
			if p.outcome[i] >= o {
				flagged++
				if labels[i] {
					tp++
				}
			}
		}
		r.ByOutcome = append(r.ByOutcome, metrics("outcome >= "+o.String(), flagged, tp, n, positives, true))
	}
	for t := 0.0; t <= 100; t += 5 {
		flagged, tp := 0, 0
		for i := 0; i < n; i++ {
			if p.scores[i] >= t {
				flagged++
				if labels[i] {
					tp++
				}
			}
		}
		m := metrics(fmt.Sprintf("score >= %g", t), flagged, tp, n, positives, true)
		m.Threshold = t
		r.Sweep = append(r.Sweep, m)
	}
	if positives > 0 && positives < n {
		r.ROC, r.AUC = roc(p.scores, labels)
	}
	return r
}

// roc computes the ROC curve of scores against labels and its area
// (gonum/stat's ROC, trapezoid rule).
func roc(scores []float64, labels []bool) ([]Point, float64) {
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return scores[idx[a]] < scores[idx[b]] })
	y := make([]float64, len(idx))
	cls := make([]bool, len(idx))
	for k, i := range idx {
		y[k], cls[k] = scores[i], labels[i]
	}
	tpr, fpr, th := stat.ROC(nil, y, cls, nil)
	pts := make([]Point, len(tpr))
	for i := range tpr {
		pts[i] = Point{FPR: fpr[i], TPR: tpr[i], Threshold: th[i]}
	}
	return pts, integrate.Trapezoidal(fpr, tpr)
}

// metrics fills the figures of one way of flagging.
func metrics(name string, flagged, tp, n, positives int, labelled bool) Metrics {
	m := Metrics{Name: name, Flagged: flagged, TruePos: tp, Precision: math.NaN(), Recall: math.NaN(), F1: math.NaN(), Lift: math.NaN()}
	if n > 0 {
		m.Rate = float64(flagged) / float64(n)
	}
	if !labelled {
		m.TruePos = 0
		return m
	}
	if flagged > 0 {
		m.Precision = float64(tp) / float64(flagged)
	}
	if positives > 0 {
		m.Recall = float64(tp) / float64(positives)
		if flagged > 0 {
			m.Lift = m.Precision / (float64(positives) / float64(n))
		}
	}
	if m.Precision+m.Recall > 0 {
		m.F1 = 2 * m.Precision * m.Recall / (m.Precision + m.Recall)
	} else if flagged > 0 || positives > 0 {
		m.F1 = 0
	}
	return m
}
