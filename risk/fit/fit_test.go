package fit_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/datasets"
	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/risk/fit"
	"github.com/simrisk/simrisk/rules"
)

var asOf = risk.Date(2026, 11, 1)

func labelled(n int) ([]*risk.Record, []bool) {
	recs, labels := datasets.GenerateLabelled(datasets.GenOptions{Cards: n, Seed: 11, AsOf: asOf})
	return recs, datasets.Fraud(labels)
}

// Fitting the default pack's scores to generated labels raises F1 on the
// held-out split; the suggested file loads, and scores with the fitted
// weights.
func TestFitImprovesDefaultPack(t *testing.T) {
	rs, err := rules.Pack("default")
	require.NoError(t, err)
	eng, err := risk.Compile(rs)
	require.NoError(t, err)
	recs, labels := labelled(40000)
	res, err := fit.Fit(context.Background(), eng, recs, labels, fit.Options{AsOf: asOf, Seed: 1})
	require.NoError(t, err)
	require.Equal(t, 50.0, res.Threshold)
	require.Equal(t, 40000, res.Train+res.HeldOut)
	require.InDelta(t, 12000, res.HeldOut, 1)
	require.True(t, res.Improved, res.Note)
	require.Greater(t, res.Fitted.F1, res.Current.F1)
	require.Equal(t, res.Current.Positives, res.Fitted.Positives)

	scores := map[string]float64{}
	for _, w := range res.Weights {
		scores[w.ID] = w.Fitted
	}
	src, err := rules.PacksFS().(interface {
		ReadFile(string) ([]byte, error)
	}).ReadFile("default/default.yaml")
	if err != nil {
		t.Skip("packs FS cannot read files directly")
	}
	out, err := fit.Rewrite(src, scores)
	require.NoError(t, err)
	suggested, err := rules.Parse(rules.Source{Name: "suggested.yaml", Data: out})
	require.NoError(t, err)
	for _, r := range suggested.Rules {
		require.Equal(t, scores[r.ID], r.Score, r.ID)
	}
	// everything but the scores is kept: comments, other keys
	require.Equal(t, strings.Count(string(src), "\n"), strings.Count(string(out), "\n"))
	require.Contains(t, string(out), "# Score bands")
}

// When the current scores already separate the labels perfectly, fit says
// it cannot improve.
func TestFitCannotImprove(t *testing.T) {
	rs, err := rules.Pack("default")
	require.NoError(t, err)
	eng, err := risk.Compile(rs)
	require.NoError(t, err)
	recs, _ := labelled(10000)
	pop := risk.NewPopulation()
	for _, r := range recs {
		require.NoError(t, r.Validate(asOf))
		pop.Add(r)
	}
	labels := make([]bool, len(recs))
	s := eng.NewScorer(risk.AsOfTime(asOf), risk.WithPopulation(pop))
	for i, r := range recs {
		d, err := s.Score(r)
		require.NoError(t, err)
		labels[i] = d.Score >= 50
	}
	res, err := fit.Fit(context.Background(), eng, recs, labels, fit.Options{AsOf: asOf, Seed: 2})
	require.NoError(t, err)
	require.InDelta(t, 1, res.Current.F1, 1e-12)
	require.False(t, res.Improved)
	require.Contains(t, res.Note, "do not raise F1")
}

// Rewrite replaces score lines and adds missing ones, keeping the rest.
func TestRewrite(t *testing.T) {
	src := `rules:
  - id: a   # first
    when: valid
    score: 30  # points
    outcome: verify
  - id: b
    when: valid
    outcome: monitor
  - id: c
    score: 5
    when: valid
    outcome: pass
`
	out, err := fit.Rewrite([]byte(src), map[string]float64{"a": 12, "b": -3})
	require.NoError(t, err)
	require.Equal(t, `rules:
  - id: a   # first
    when: valid
    score: 12 # points
    outcome: verify
  - id: b
    score: -3
    when: valid
    outcome: monitor
  - id: c
    score: 5
    when: valid
    outcome: pass
`, string(out))
	_, err = fit.Rewrite([]byte("rules: [{id: a, when: valid, outcome: pass}]\n"), map[string]float64{"a": 1})
	require.ErrorContains(t, err, "cannot find these rules in block style")
}
