// Command quickstart scores the embedded sample population (about 2,000
// synthetic cards, as of 2026-11-01) with the embedded default rule pack and
// prints a summary: decisions per outcome and level, hits per rule, and
// three decisions explained rule by rule.
//
//	go run ./examples/quickstart
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/simrisk/simrisk/datasets"
	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/rules"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run(w io.Writer) error {
	rs, err := rules.Pack("default")
	if err != nil {
		return err
	}
	eng, err := risk.Compile(rs)
	if err != nil {
		return err
	}
	open := func() (io.ReadCloser, error) { return io.NopCloser(datasets.Sample()), nil }
	sum, err := datasets.ScoreFile(context.Background(), eng, open, datasets.ScoreOptions{AsOf: datasets.SampleAsOf})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "simrisk quickstart: %d sample cards as of %s, rule pack %q %s\n\n",
		sum.Records, datasets.SampleAsOf, rs.Name, rs.Version)
	fmt.Fprintf(w, "%d decided, %d rejected, %d holders\n\n", sum.Decisions, sum.Rejects, sum.Holders)

	fmt.Fprintln(w, "Decisions per outcome")
	for _, o := range []string{"pass", "monitor", "verify", "restrict", "suspend"} {
		fmt.Fprintf(w, "  %-9s %5d  %s\n", o, sum.ByOutcome[o], bar(sum.ByOutcome[o], sum.Decisions))
	}
	fmt.Fprintln(w, "\nDecisions per level")
	for _, l := range []string{"low", "medium", "high", "critical"} {
		fmt.Fprintf(w, "  %-9s %5d  %s\n", l, sum.ByLevel[l], bar(sum.ByLevel[l], sum.Decisions))
	}
	fmt.Fprintln(w, "\nHits per rule")
	for _, r := range eng.Rules() {
		if r.Enabled {
			fmt.Fprintf(w, "  %-26s %5d  %s\n", r.ID, sum.ByRule[r.ID], r.Title)
		}
	}
	fmt.Fprintln(w, "\nThree decisions explained")
	var shown int
	for _, o := range []string{"suspend", "restrict", "verify", "monitor"} {
		d := sum.Examples[o]
		if d == nil || shown == 3 {
			continue
		}
		shown++
		explain(w, d)
	}
	return nil
}

func explain(w io.Writer, d *risk.Decision) {
	fmt.Fprintf(w, "\n  card %s: %s (score %g, level %s)", risk.MaskMSISDN(d.MSISDN), strings.ToUpper(d.Outcome.String()), d.Score, d.Level)
	if d.Deadline != 0 {
		fmt.Fprintf(w, ", verify by %s", d.Deadline.Std().Format("2006-01-02 15:04 MST"))
	}
	fmt.Fprintln(w)
	hits := append([]risk.Hit(nil), d.Hits...)
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].Score > hits[j].Score })
	for _, h := range hits {
		fmt.Fprintf(w, "    +%-3g %-24s %s\n", h.Score, h.Rule, h.Reason)
	}
}

func bar(n, total int) string {
	if total == 0 {
		return ""
	}
	return strings.Repeat("#", (n*40+total-1)/total)
}
