package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/simrisk/simrisk/datasets"
	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/risk/backtest"
	"github.com/simrisk/simrisk/rules"
)

// loadPack loads a rule set named on the command line: an embedded pack
// ("default", "pack:default") or a rule file or directory.
func loadPack(name string) (*rules.RuleSet, error) {
	if n, ok := strings.CutPrefix(name, "pack:"); ok {
		return rules.Pack(n)
	}
	if _, err := os.Stat(name); err != nil {
		for _, p := range rules.Packs() {
			if p == name {
				return rules.Pack(name)
			}
		}
	}
	return rules.Load(name)
}

// compilePack loads (loadPack) and compiles a rule set named by a flag;
// problems go to stderr.
func compilePack(cmd, flagName, name, lang string, stderr io.Writer) (*rules.RuleSet, *risk.Engine, bool) {
	rs, err := loadPack(name)
	if err == nil {
		var eng *risk.Engine
		if eng, err = risk.Compile(rs, risk.WithLanguage(lang)); err == nil {
			return rs, eng, true
		}
	}
	fmt.Fprintf(stderr, "simrisk %s: %s %s cannot be used:\n", cmd, flagName, name)
	printErrors(stderr, err)
	return nil, nil, false
}

// progressBar draws a progress bar on w, redrawn when the percentage
// changes, only when w is a terminal (isTerminal): a file gets no \r bars.
func progressBar(w io.Writer, what string) (update func(done, total int), finish func()) {
	if !isTerminal(w) {
		return nil, func() {}
	}
	last := -1
	update = func(done, total int) {
		pct := 100
		if total > 0 {
			pct = done * 100 / total
		}
		if pct == last {
			return
		}
		last = pct
		n := pct * 30 / 100
		fmt.Fprintf(w, "\r%s [%s%s] %3d%% %d/%d", what, strings.Repeat("#", n), strings.Repeat(".", 30-n), pct, done, total)
	}
	finish = func() {
		if last >= 0 {
			fmt.Fprintln(w)
		}
	}
	return update, finish
}

// readLabelled reads a record file with its labels, when it has them.
func readLabelled(cmd, path string, asOf risk.Time, stderr io.Writer, opts ...datasets.ReadOption) (*datasets.Loaded, []bool, bool) {
	loaded, err := datasets.ReadFile(path, asOf, append(opts, datasets.WithLabels())...)
	if err != nil {
		fmt.Fprintf(stderr, "simrisk %s: %v\n", cmd, err)
		return nil, nil, false
	}
	for _, rej := range loaded.Rejects {
		fmt.Fprintf(stderr, "simrisk %s: %s: record rejected: %v\n", cmd, path, rej)
	}
	printDuplicates(stderr, loaded.Duplicates, loaded.Superseded)
	for _, l := range loaded.Labels {
		if l.Fraud || l.Scenario != "" { // the file carries labels
			return loaded, datasets.Fraud(loaded.Labels), true
		}
	}
	return loaded, nil, true
}

func cmdBacktest(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("backtest")
	baseline := fs.String("baseline", "default", "the rules in force: an embedded pack name or a rule file or directory")
	candidate := fs.String("candidate", "", "the proposed rules: an embedded pack name or a rule file or directory")
	in := fs.String("in", "", "records, JSON Lines or CSV; with labels (as simrisk gen writes them) for quality figures")
	asOfS := fs.String("as-of", "", "the time dates are judged against: YYYY-MM-DD (CST) or RFC 3339 (default: now)")
	report := fs.String("report", "", "write an HTML report with charts to this file")
	sample := fs.Int("sample", 20, "cards that change outcome to list")
	lang := addLangFlag(fs)
	segs := addSegmentsFlag(fs)
	rd := addReadFlags(fs)
	if _, code, done := parseFlags(fs, args, "", stdout, stderr); done {
		return code
	}
	if !checkLang("backtest", *lang, stderr) {
		return 2
	}
	if *candidate == "" || *in == "" {
		fmt.Fprintln(stderr, "simrisk backtest: --candidate and --in are required")
		return 2
	}
	if !checkOutputs("backtest", []string{*in, *baseline, *candidate, *segs, *rd.aliases, *rd.idKey}, []string{*report}, stderr) {
		return 2
	}
	if code := loadSegments("backtest", *segs, stderr); code != 0 {
		return code
	}
	_, base, ok := compilePack("backtest", "--baseline", *baseline, *lang, stderr)
	if !ok {
		return 1
	}
	_, cand, ok := compilePack("backtest", "--candidate", *candidate, *lang, stderr)
	if !ok {
		return 1
	}
	asOf, ok := parseAsOf("backtest", *asOfS, stderr)
	if !ok {
		return 2
	}
	ropts, code := rd.options("backtest", *in, stderr)
	if code != 0 {
		return code
	}
	loaded, labels, ok := readLabelled("backtest", *in, asOf, stderr, ropts...)
	if !ok {
		return 1
	}
	update, finish := progressBar(stderr, "scoring")
	rep, err := backtest.Run(ctx, base, cand, backtest.Input{Records: loaded.Records, Labels: labels, AsOf: asOf},
		backtest.WithProgress(update), backtest.WithSample(*sample))
	finish()
	if err != nil {
		fmt.Fprintf(stderr, "simrisk backtest: %v\n", err)
		return 1
	}
	rep.Rejected += len(loaded.Rejects)
	printBacktest(stdout, rep)
	if *report != "" {
		if err := writeOutput(*report, rep.WriteHTML); err != nil {
			fmt.Fprintf(stderr, "simrisk backtest: --report: %v\n", err)
			return 1
		}
		fmt.Fprintf(stderr, "report written to %s\n", *report)
	}
	return 0
}

func fnum(x float64) string {
	if math.IsNaN(x) {
		return "-"
	}
	return fmt.Sprintf("%.3f", x)
}

func printBacktest(w io.Writer, r *backtest.Report) {
	fmt.Fprintf(w, "baseline %s %s (%s)\ncandidate %s %s (%s)\n", r.Baseline.Name, r.Baseline.Version, r.Baseline.Digest,
		r.Candidate.Name, r.Candidate.Version, r.Candidate.Digest)
	fmt.Fprintf(w, "cards %d, rejected %d", r.Cards, r.Rejected)
	if r.Labelled {
		fmt.Fprintf(w, ", labelled positive %d", r.Positive)
	}
	fmt.Fprintf(w, "; %d change outcome\n\n", r.ChangedTotal)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := "rule\tbase hits\tcand hits\t"
	if r.Labelled {
		head += "base prec\tbase recall\tbase F1\tcand prec\tcand recall\tcand F1\t"
	}
	fmt.Fprintln(tw, head)
	stats := func(pr *backtest.PackReport, id string) *backtest.RuleStats {
		for i := range pr.Rules {
			if pr.Rules[i].ID == id {
				return &pr.Rules[i]
			}
		}
		return nil
	}
	seen := map[string]bool{}
	for _, pr := range []*backtest.PackReport{r.Baseline, r.Candidate} {
		for _, rs := range pr.Rules {
			if seen[rs.ID] {
				continue
			}
			seen[rs.ID] = true
			b, c := stats(r.Baseline, rs.ID), stats(r.Candidate, rs.ID)
			cell := func(s *backtest.RuleStats, f func(*backtest.RuleStats) string) string {
				if s == nil {
					return "-"
				}
				return f(s)
			}
			hits := func(s *backtest.RuleStats) string { return fmt.Sprint(s.Flagged) }
			line := rs.ID + "\t" + cell(b, hits) + "\t" + cell(c, hits) + "\t"
			if r.Labelled {
				for _, s := range []*backtest.RuleStats{b, c} {
					line += cell(s, func(s *backtest.RuleStats) string { return fnum(s.Precision) }) + "\t" +
						cell(s, func(s *backtest.RuleStats) string { return fnum(s.Recall) }) + "\t" +
						cell(s, func(s *backtest.RuleStats) string { return fnum(s.F1) }) + "\t"
				}
			}
			fmt.Fprintln(tw, line)
		}
	}
	tw.Flush()
	fmt.Fprintln(w, "\noutcomes (rows baseline, columns candidate):")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\tpass\tmonitor\tverify\trestrict\tsuspend\t")
	for b := rules.Pass; b <= rules.Suspend; b++ {
		line := b.String() + "\t"
		for c := rules.Pass; c <= rules.Suspend; c++ {
			line += fmt.Sprint(r.Transitions[b][c]) + "\t"
		}
		fmt.Fprintln(tw, line)
	}
	tw.Flush()
	if r.Labelled {
		fmt.Fprintln(w)
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "flagged when\tbase cards\tprecision\trecall\tF1\tlift\tcand cards\tprecision\trecall\tF1\tlift\t")
		for i, m := range r.Baseline.ByOutcome {
			c := r.Candidate.ByOutcome[i]
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t\n", m.Name, m.Flagged, fnum(m.Precision), fnum(m.Recall), fnum(m.F1), fnum(m.Lift),
				c.Flagged, fnum(c.Precision), fnum(c.Recall), fnum(c.F1), fnum(c.Lift))
		}
		tw.Flush()
		fmt.Fprintf(w, "ROC AUC of the score: baseline %s, candidate %s\n", fnum(r.Baseline.AUC), fnum(r.Candidate.AUC))
	}
	if len(r.Changed) > 0 {
		fmt.Fprintf(w, "\nsample of cards that change outcome (%d of %d):\n", len(r.Changed), r.ChangedTotal)
		for _, ch := range r.Changed {
			fmt.Fprintf(w, "  %s  %s (%g) -> %s (%g)  +%v -%v\n", ch.MSISDN, ch.Baseline.Outcome, ch.Baseline.Score,
				ch.Candidate.Outcome, ch.Candidate.Score, ch.Added, ch.Removed)
		}
	}
}
