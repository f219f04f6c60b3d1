package datasets_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/datasets"
	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/rules"
)

type scenarioScore struct {
	cards, flagged int
	fraud          bool
}

// measure scores a generated population with the default pack and counts,
// per scenario, the cards flagged (any outcome above pass: a fired enforce
// rule or a band asking for action).
func measure(t *testing.T, n int, seed uint64) map[string]*scenarioScore {
	var buf bytes.Buffer
	require.NoError(t, datasets.GenerateTo(&buf, datasets.JSONL, datasets.GenOptions{Cards: n, Seed: seed, AsOf: asOf}, nil))
	data := buf.Bytes()
	// labels in input order
	var labels []datasets.Label
	rd := datasets.NewReader(bytes.NewReader(data), asOf, datasets.WithLabels())
	for {
		_, err := rd.Read()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		labels = append(labels, rd.Label())
	}
	rs, err := rules.Pack("default")
	require.NoError(t, err)
	eng, err := risk.Compile(rs)
	require.NoError(t, err)
	var dec bytes.Buffer
	open := func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
	sum, err := datasets.ScoreFile(context.Background(), eng, open, datasets.ScoreOptions{AsOf: asOf, Decisions: &dec})
	require.NoError(t, err)
	require.Equal(t, n, sum.Decisions)
	out := map[string]*scenarioScore{}
	for i, line := range strings.Split(strings.TrimSpace(dec.String()), "\n") {
		l := labels[i]
		s := out[l.Scenario]
		if s == nil {
			s = &scenarioScore{fraud: l.Fraud}
			out[l.Scenario] = s
		}
		s.cards++
		if !strings.Contains(line, `"outcome":"pass"`) {
			s.flagged++
		}
	}
	return out
}

// The default pack catches most planted fraud and few ordinary cards or
// benign look-alikes. The measured table is in datasets/README.md; run with
// -v to print it.
func TestDefaultPackOnGeneratedPopulation(t *testing.T) {
	n := 100000
	if testing.Short() {
		n = 30000
	}
	res := measure(t, n, 11)
	names := make([]string, 0, len(res))
	var tp, fp, fn int
	for name, s := range res {
		names = append(names, name)
		if s.fraud {
			tp += s.flagged
			fn += s.cards - s.flagged
		} else {
			fp += s.flagged
		}
	}
	sort.Strings(names)
	var b strings.Builder
	fmt.Fprintf(&b, "| scenario | fraud | cards | flagged (outcome above pass) |\n|---|---|---|---|\n")
	for _, name := range names {
		s := res[name]
		fmt.Fprintf(&b, "| %s | %v | %d | %.1f%% |\n", name, s.fraud, s.cards, 100*float64(s.flagged)/float64(s.cards))
	}
	precision := float64(tp) / float64(tp+fp)
	recall := float64(tp) / float64(tp+fn)
	fmt.Fprintf(&b, "\nprecision %.3f, recall %.3f over %d cards\n", precision, recall, n)
	t.Log("\n" + b.String())

	for name, s := range res {
		rate := float64(s.flagged) / float64(s.cards)
		if s.fraud {
			require.Greater(t, rate, 0.6, "planted %s is mostly missed", name)
		}
	}
	require.Greater(t, recall, 0.85)
	require.Less(t, float64(res[datasets.ScenarioNormal].flagged)/float64(res[datasets.ScenarioNormal].cards), 0.05)
	require.Less(t, float64(res[datasets.ScenarioFamily5].flagged)/float64(res[datasets.ScenarioFamily5].cards), 0.05)
}
