// Package fit tunes a rule set's score contributions to labelled data: a
// regularised logistic regression (gonum/optimize) of the labels on which
// rules fired, fitted on a training split, turned back into rule scores and
// judged against the current scores on a held-out split.
//
// Scores decide a card's level and band; the band whose outcome is verify
// or stronger starts at a threshold (50 in the default pack). Fit chooses
// scores so that "score >= threshold" separates the labels as well as the
// fitted model does, and reports precision, recall and F1 of that rule on
// the held-out split for the current and the fitted scores. Rules' own
// outcomes are policy and are not changed. The analysts' command is
// `simrisk fit`.
package fit

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/optimize"

	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/rules"
)

// Options configure Fit.
type Options struct {
	AsOf      risk.Time
	Seed      uint64  // of the train/held-out split
	HoldOut   float64 // share of cards held out (default 0.3)
	L2        float64 // ridge penalty on the weights, on the mean log-loss (default 0.001)
	Threshold float64 // the score from which cards are flagged (default: the lowest band with outcome verify or above)
}

// Weight is one rule's current and fitted score.
type Weight struct {
	ID      string
	Current float64
	Fitted  float64
	Coef    float64 // the logistic regression coefficient
	Hits    int     // on the training split
}

// Quality is how well "score >= threshold" finds the positives.
type Quality struct {
	Flagged, TruePos, Positives int
	Precision, Recall, F1       float64
}

// Result is a fit.
type Result struct {
	Weights        []Weight
	Intercept      float64
	Threshold      float64
	Train, HeldOut int
	Current        Quality // current scores, on the held-out split
	Fitted         Quality // fitted scores, on the held-out split
	Improved       bool    // Fitted.F1 > Current.F1
	Note           string  // why the fit cannot improve, when it does not
}

// Fit scores the records with eng (population features from the records),
// fits the rule scores to the labels and compares on a held-out split.
func Fit(ctx context.Context, eng *risk.Engine, recs []*risk.Record, labels []bool, o Options) (*Result, error) {
	if len(labels) != len(recs) {
		return nil, fmt.Errorf("fit: %d labels for %d records", len(labels), len(recs))
	}
	if o.HoldOut == 0 {
		o.HoldOut = 0.3
	}
	if o.HoldOut <= 0 || o.HoldOut >= 1 {
		return nil, fmt.Errorf("fit: held-out share %v must be between 0 and 1", o.HoldOut)
	}
	if o.Threshold == 0 {
		o.Threshold = verifyThreshold(eng)
	}
	pop := risk.NewPopulation()
	var valid []*risk.Record
	var ys []bool
	for i, r := range recs {
		if r.Validate(o.AsOf) == nil {
			pop.Add(r)
			valid = append(valid, r)
			ys = append(ys, labels[i])
		}
	}
	infos := eng.Rules()
	var cols []int // enforce rules that are enabled: the model's features
	for j, ri := range infos {
		if ri.Enabled && !ri.Shadow {
			cols = append(cols, j)
		}
	}
	index := map[string]int{}
	for k, j := range cols {
		index[infos[j].ID] = k
	}
	res := eng.ScoreBatch(ctx, valid, risk.AsOfTime(o.AsOf), risk.WithPopulation(pop))
	x := make([][]int, len(valid)) // per card, the feature columns that fired
	for i, r := range res {
		if r.Err != nil {
			return nil, r.Err
		}
		for _, h := range r.Decision.Hits {
			if k, ok := index[h.Rule]; ok {
				x[i] = append(x[i], k)
			}
		}
	}
	// seeded split
	perm := rand.New(rand.NewPCG(o.Seed, 0x5eed)).Perm(len(valid))
	nHold := int(float64(len(valid)) * o.HoldOut)
	hold, train := perm[:nHold], perm[nHold:]
	out := &Result{Threshold: o.Threshold, Train: len(train), HeldOut: len(hold)}
	pos := 0
	for _, i := range train {
		if ys[i] {
			pos++
		}
	}
	current := make([]float64, len(cols))
	for k, j := range cols {
		current[k] = infos[j].Score
	}
	out.Current = quality(x, ys, hold, current, o.Threshold)
	for k, j := range cols {
		out.Weights = append(out.Weights, Weight{ID: infos[j].ID, Current: current[k], Fitted: current[k]})
	}
	if pos == 0 || pos == len(train) {
		out.Note = "the training split has only one class of label: nothing to fit"
		out.Fitted = out.Current
		return out, nil
	}
	for _, i := range train {
		for _, k := range x[i] {
			out.Weights[k].Hits++
		}
	}
	l2 := o.L2
	if l2 == 0 {
		l2 = 1e-3
	}
	w, b, err := logistic(x, ys, train, len(cols), l2)
	if err != nil {
		return nil, err
	}
	out.Intercept = b
	for k := range w {
		out.Weights[k].Coef = w[k]
	}
	// the cut on the linear score that best separates the training split
	cut := bestCut(x, ys, train, w)
	fitted := make([]float64, len(cols))
	for k := range w {
		switch {
		case out.Weights[k].Hits == 0:
			fitted[k] = current[k] // no evidence: keep the current score
		case cut <= 0:
			fitted[k] = current[k]
		default:
			fitted[k] = math.Max(-100, math.Min(100, math.Round(w[k]/cut*o.Threshold))) + 0 // + 0: no "-0"
		}
		out.Weights[k].Fitted = fitted[k]
	}
	if cut <= 0 {
		out.Note = "the best cut flags cards on which no rule fired; scores cannot express that"
	}
	out.Fitted = quality(x, ys, hold, fitted, o.Threshold)
	out.Improved = out.Fitted.F1 > out.Current.F1+1e-12
	if !out.Improved && out.Note == "" {
		out.Note = fmt.Sprintf("the fitted scores do not raise F1 on the held-out split (%.4f, current %.4f): the current scores already separate the labels as well as these rules can", out.Fitted.F1, out.Current.F1)
	}
	return out, nil
}

// verifyThreshold is the lowest band minimum whose outcome is verify or
// stronger (50 in the default pack).
func verifyThreshold(eng *risk.Engine) float64 {
	t := math.Inf(1)
	for _, b := range eng.Bands() {
		if b.Outcome >= rules.Verify && b.Min < t {
			t = b.Min
		}
	}
	if math.IsInf(t, 1) {
		return 50
	}
	return t
}

// quality flags the cards of idx whose summed scores (clamped to 0..100, as
// the engine does) reach the threshold.
func quality(x [][]int, ys []bool, idx []int, scores []float64, threshold float64) Quality {
	var q Quality
	for _, i := range idx {
		s := 0.0
		for _, k := range x[i] {
			s += scores[k]
		}
		s = math.Max(0, math.Min(100, s))
		if ys[i] {
			q.Positives++
		}
		if s >= threshold {
			q.Flagged++
			if ys[i] {
				q.TruePos++
			}
		}
	}
	if q.Flagged > 0 {
		q.Precision = float64(q.TruePos) / float64(q.Flagged)
	}
	if q.Positives > 0 {
		q.Recall = float64(q.TruePos) / float64(q.Positives)
	}
	if q.Precision+q.Recall > 0 {
		q.F1 = 2 * q.Precision * q.Recall / (q.Precision + q.Recall)
	}
	return q
}

// logistic fits P(y) = sigmoid(b + w·x) on the rows idx by minimising the
// mean negative log-likelihood plus l2/2·|w|² with BFGS.
func logistic(x [][]int, ys []bool, idx []int, nf int, l2 float64) ([]float64, float64, error) {
	n := float64(len(idx))
	f := func(p []float64) float64 {
		b, w := p[0], p[1:]
		loss := 0.0
		for _, i := range idx {
			z := b
			for _, k := range x[i] {
				z += w[k]
			}
			// log(1+e^z) - y z, computed stably
			l := math.Max(z, 0) + math.Log1p(math.Exp(-math.Abs(z)))
			if ys[i] {
				l -= z
			}
			loss += l
		}
		reg := 0.0
		for _, v := range w {
			reg += v * v
		}
		return loss/n + l2/2*reg
	}
	grad := func(g, p []float64) {
		b, w := p[0], p[1:]
		for k := range g {
			g[k] = 0
		}
		for _, i := range idx {
			z := b
			for _, k := range x[i] {
				z += w[k]
			}
			d := 1 / (1 + math.Exp(-z))
			if ys[i] {
				d--
			}
			g[0] += d
			for _, k := range x[i] {
				g[1+k] += d
			}
		}
		for k := range g {
			g[k] /= n
		}
		for k, v := range w {
			g[1+k] += l2 * v
		}
	}
	p0 := make([]float64, nf+1)
	r, err := optimize.Minimize(optimize.Problem{Func: f, Grad: grad}, p0, &optimize.Settings{GradientThreshold: 1e-7}, &optimize.BFGS{})
	if err != nil && r == nil {
		return nil, 0, fmt.Errorf("fit: %w", err)
	}
	if r.Status != optimize.GradientThreshold && r.Status != optimize.FunctionConvergence && err != nil {
		return nil, 0, fmt.Errorf("fit: the optimiser stopped (%v): %w", r.Status, err)
	}
	return r.X[1:], r.X[0], nil
}

// bestCut is the cut c > 0 on w·x (over the distinct values it takes) that
// maximises F1 of "w·x >= c" on the rows idx; 0 when none beats flagging
// nothing.
func bestCut(x [][]int, ys []bool, idx []int, w []float64) float64 {
	type pt struct {
		v   float64
		pos bool
	}
	pts := make([]pt, len(idx))
	positives := 0
	for n, i := range idx {
		s := 0.0
		for _, k := range x[i] {
			s += w[k]
		}
		pts[n] = pt{s, ys[i]}
		if ys[i] {
			positives++
		}
	}
	sort.Slice(pts, func(a, b int) bool { return pts[a].v > pts[b].v })
	best, bestF1 := 0.0, 0.0
	tp, flagged := 0, 0
	for n := 0; n < len(pts); n++ {
		flagged++
		if pts[n].pos {
			tp++
		}
		if n+1 < len(pts) && pts[n+1].v == pts[n].v {
			continue // cut only between distinct values
		}
		if pts[n].v <= 1e-9 {
			break // a cut at or below 0 would flag cards no rule fired on
		}
		f1 := 2 * float64(tp) / float64(flagged+positives)
		if f1 > bestF1 {
			best, bestF1 = pts[n].v, f1
		}
	}
	return best
}

var scoreLine = regexp.MustCompile(`^(\s*)score:\s*[-+0-9.eE]+\s*(#.*)?$`)
var idLine = regexp.MustCompile(`^(\s*)-\s+id:\s*["']?([a-z][a-z0-9_.-]*)["']?\s*(#.*)?$`)

// Rewrite returns a rule file's source with the given rules' scores
// replaced (or added after the id when the rule has none), keeping every
// other line, comment and layout. Rules must be written in block style
// ("- id: NAME" on its own line).
func Rewrite(src []byte, scores map[string]float64) ([]byte, error) {
	lines := strings.Split(string(src), "\n")
	done := map[string]bool{}
	var out []string
	cur, indent := "", ""
	flush := func() {
		if cur != "" && !done[cur] {
			if s, ok := scores[cur]; ok {
				// the rule had no score line: add one after its id
				for k := len(out) - 1; k >= 0; k-- {
					if m := idLine.FindStringSubmatch(out[k]); m != nil && m[2] == cur {
						line := indent + "score: " + strconv.FormatFloat(s, 'f', -1, 64)
						out = append(out[:k+1], append([]string{line}, out[k+1:]...)...)
						break
					}
				}
				done[cur] = true
			}
		}
	}
	for _, ln := range lines {
		if m := idLine.FindStringSubmatch(ln); m != nil {
			flush()
			cur, indent = m[2], m[1]+"  "
		} else if m := scoreLine.FindStringSubmatch(ln); m != nil && cur != "" && !done[cur] && len(m[1]) == len(indent) {
			if s, ok := scores[cur]; ok {
				ln = m[1] + "score: " + strconv.FormatFloat(s, 'f', -1, 64)
				if m[2] != "" {
					ln += " " + m[2]
				}
				done[cur] = true
			}
		}
		out = append(out, ln)
	}
	flush()
	var missing []string
	for id := range scores {
		if !done[id] {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, errors.New("fit: cannot find these rules in block style (- id: NAME) to rewrite: " + strings.Join(missing, ", "))
	}
	return []byte(strings.Join(out, "\n")), nil
}
