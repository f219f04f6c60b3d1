package risk_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/datasets"
	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/rules"
)

// The default pack in expr and in CEL decide every generated card the same:
// score, level, outcome, deadline and every hit with its reason.
func TestDifferentialExprCEL(t *testing.T) {
	n := 100000
	if testing.Short() {
		n = 20000
	}
	load := func(name string) *risk.Engine {
		rs, err := rules.Pack(name)
		require.NoError(t, err)
		eng, err := risk.Compile(rs)
		require.NoError(t, err)
		return eng
	}
	ex, ce := load("default"), load("default-cel")
	recs := datasets.Generate(datasets.GenOptions{Cards: n, Seed: 21, AsOf: asOf})
	pop := risk.NewPopulation()
	for _, r := range recs {
		require.NoError(t, r.Validate(asOf))
		pop.Add(r)
	}
	opts := []risk.ScoreOption{risk.AsOfTime(asOf), risk.WithPopulation(pop)}
	se, sc := ex.NewScorer(opts...), ce.NewScorer(opts...)
	var de, dc risk.Decision
	hits := 0
	for i, r := range recs {
		require.NoError(t, se.ScoreInto(r, &de))
		require.NoError(t, sc.ScoreInto(r, &dc))
		require.Empty(t, de.Errors)
		require.Empty(t, dc.Errors)
		dc.RuleSet, dc.Pack = de.RuleSet, de.Pack // the digests and names differ: the files differ
		a, b := de.AppendJSON(nil), dc.AppendJSON(nil)
		if !bytes.Equal(a, b) {
			t.Fatalf("card %d decided differently:\nexpr %s\ncel  %s", i, a, b)
		}
		hits += len(de.Hits)
	}
	require.Greater(t, hits, n/10, "the comparison means something only if rules fire")
}

// The two packs' rule tests are one file, kept equal.
func TestPackTestsShared(t *testing.T) {
	a, err := rules.Pack("default")
	require.NoError(t, err)
	b, err := rules.Pack("default-cel")
	require.NoError(t, err)
	require.Equal(t, len(a.Tests), len(b.Tests))
	for i := range a.Tests {
		require.Equal(t, a.Tests[i].Name, b.Tests[i].Name)
		require.Equal(t, a.Tests[i].Card, b.Tests[i].Card)
		require.Equal(t, a.Tests[i].Expect.Fires, b.Tests[i].Expect.Fires)
	}
	rep, err := risk.RunTests(b)
	require.NoError(t, err)
	require.Zero(t, rep.Failed)
	require.Equal(t, len(b.Tests), rep.Passed)
}
