package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/simrisk/simrisk/datasets"
	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/risk/backtest"
	"github.com/simrisk/simrisk/rules"
)

// loadPack loads a rule set named on the command line: "pack:NAME" is
// always the embedded pack; anything else is a rule file or directory,
// except a bare embedded pack's name ("default") that names no file here,
// which is the embedded pack too. A bare name that is both is refused: the
// analyst's copy and the embedded pack would be one click apart. source is
// how reports name where the rules came from: pack:NAME or the path.
func loadPack(name string) (rs *rules.RuleSet, source string, err error) {
	if name == "" {
		return nil, "", errors.New("no rules named: give pack:NAME (an embedded pack) or a rule file or directory")
	}
	if n, ok := strings.CutPrefix(name, "pack:"); ok {
		if err := knownPack(n); err != nil {
			return nil, "", err
		}
		rs, err = rules.Pack(n)
		return rs, name, err
	}
	_, statErr := os.Stat(name)
	if slices.Contains(rules.Packs(), name) {
		if statErr == nil {
			return nil, "", fmt.Errorf("%q is both an embedded pack and a file or directory here: write pack:%s for the embedded pack, ./%s for the local one", name, name, name)
		}
		rs, err = rules.Pack(name)
		return rs, "pack:" + name, err
	}
	rs, err = rules.Load(name)
	return rs, name, err
}

// packClash refuses (on stderr, true) a bare embedded pack's name that is
// also a file or directory here ("default" with ./default present): every
// command that takes a pack name says the same, a usage mistake (exit 2).
func packClash(cmd, flagName, name string, stderr io.Writer) bool {
	if strings.HasPrefix(name, "pack:") || !slices.Contains(rules.Packs(), name) {
		return false
	}
	if _, err := os.Stat(name); err != nil {
		return false
	}
	m := msgsOf(stderr)
	m.f(stderr, "simrisk %s: %s %s: %s\n", cmd, flagName, name, m.lib(fmt.Sprintf("%q is both an embedded pack and a file or directory here: write pack:%s for the embedded pack, ./%s for the local one", name, name, name)))
	return true
}

// compilePack loads (loadPack) and compiles a rule set named by a flag;
// problems go to stderr. code is 0, 2 for a pack name that is also a
// folder here (packClash), or 1 when the rules cannot be used.
func compilePack(cmd, flagName, name, lang string, stderr io.Writer) (*rules.RuleSet, string, *risk.Engine, int) {
	if packClash(cmd, flagName, name, stderr) {
		return nil, "", nil, 2
	}
	rs, source, err := loadPack(name)
	if err == nil {
		var eng *risk.Engine
		if eng, err = risk.Compile(rs, risk.WithLanguage(lang)); err == nil {
			return rs, source, eng, 0
		}
	}
	msgsOf(stderr).f(stderr, "simrisk %s: %s %s cannot be used:\n", cmd, flagName, name)
	printErrors(stderr, err)
	return nil, "", nil, 1
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
		fmt.Fprintf(w, "\r%s [%s%s] %3d%% %d/%d", msgsOf(w).s(what), strings.Repeat("#", n), strings.Repeat(".", 30-n), pct, done, total)
	}
	finish = func() {
		if last >= 0 {
			fmt.Fprintln(w)
		}
	}
	return update, finish
}

// perCard turns backtest's progress, which counts each card once per rule
// set (both sides), into cards: 100,000 cards read 100000, not 200000.
func perCard(update func(done, total int)) func(done, total int) {
	if update == nil {
		return nil
	}
	return func(done, total int) { update(done/2, total/2) }
}

// readLabelled reads a record file with its labels, when it has them.
// format is --format ("" for the file name's: .csv is CSV).
func readLabelled(m msgs, cmd, path, format string, asOf risk.Time, stderr io.Writer, opts ...datasets.ReadOption) (*datasets.Loaded, []bool, bool) {
	f := datasets.FormatOf(path)
	if format != "" {
		var err error
		if f, err = datasets.ParseFormat(format); err != nil {
			msgsOf(stderr).f(stderr, "simrisk %s: --format: %v\n", cmd, err)
			return nil, nil, false
		}
	}
	loaded, err := readRecords(path, f, asOf, append(opts, datasets.WithLabels())...)
	if err != nil {
		msgsOf(stderr).f(stderr, "simrisk %s: %s\n", cmd, inputErrText(msgsOf(stderr), path, err))
		return nil, nil, false
	}
	printRejected(m, stderr, cmd, path, loaded.Rejects)
	printDuplicates(m, stderr, loaded.Duplicates, loaded.Superseded)
	if len(loaded.Records) == 0 {
		// nothing to compare or fit: fail as score does (exit 1)
		if n := len(loaded.Rejects); n > 0 {
			m.f(stderr, "simrisk %s: every record (%d) was rejected: nothing was scored\n", cmd, n)
		} else {
			m.f(stderr, "simrisk %s: no records in %s (an empty file, a CSV header alone or blank lines); nothing was scored\n", cmd, path)
		}
		return nil, nil, false
	}
	for _, l := range loaded.Labels {
		if l.Fraud || l.Scenario != "" { // the file carries labels
			return loaded, datasets.Fraud(loaded.Labels), true
		}
	}
	return loaded, nil, true
}

// readRecords reads a record file (or standard input, "-") in format f.
func readRecords(path string, f datasets.Format, asOf risk.Time, opts ...datasets.ReadOption) (*datasets.Loaded, error) {
	if path == "-" {
		return datasets.Read(os.Stdin, f, asOf, opts...)
	}
	in, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	return datasets.Read(in, f, asOf, opts...)
}

// printRejected says which records of path were rejected: the first
// datasets.MaxFirstRejects with their line and reason, then how many more
// (a file with thousands of bad lines does not bury the run's output).
func printRejected(m msgs, w io.Writer, cmd, path string, rejects []*datasets.Reject) {
	hint := m.sf(" (simrisk score --in %s --rejects FILE lists every one)", path)
	if path == "-" {
		path, hint = m.s("standard input"), ""
	}
	for i, rej := range rejects {
		if i == datasets.MaxFirstRejects {
			m.f(w, "simrisk %s: %s: ... and %d more rejected records%s\n", cmd, path, len(rejects)-i, hint)
			break
		}
		m.f(w, "simrisk %s: %s: record rejected: %v\n", cmd, path, rej)
	}
}

func cmdBacktest(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("backtest")
	baseline := fs.String("baseline", "pack:default", "the rules in force: pack:NAME (an embedded pack) or a rule file or directory")
	candidate := fs.String("candidate", "", "the proposed rules: pack:NAME (an embedded pack) or a rule file or directory")
	in := fs.String("in", "", "records, JSON Lines or CSV; with labels (as simrisk gen writes them) for quality figures")
	format := fs.String("format", "", "input format: jsonl or csv (default: from the file name; .csv is CSV)")
	asOfS := fs.String("as-of", "", "the time dates are judged against: YYYY-MM-DD (CST) or RFC 3339 (default: now)")
	report := fs.String("report", "", "write an HTML report with charts to this file")
	sample := fs.Int("sample", 20, "cards that change outcome to list on standard output and in the report")
	changes := fs.String("changes", "", "write every card that changes outcome to this file, CSV (.csv) or JSON Lines: its reference (input line), masked number, label, outcome and score before and after, rules that now fire and that no longer fire")
	lang := addLangFlag(fs)
	segs := addSegmentsFlag(fs)
	rd := addReadFlags(fs)
	if _, code, done := parseFlags(fs, args, "", stdout, stderr); done {
		return code
	}
	if !checkLang(fs, *lang, stderr) {
		return 2
	}
	stderr = msgLang(fs, *lang).with(stderr)
	m := msgLang(fs, *lang)
	if *candidate == "" || *in == "" {
		m.f(stderr, "simrisk backtest: --candidate and --in are required\n")
		return 2
	}
	if !checkOutputs("backtest", []string{*in, *baseline, *candidate, *segs, *rd.aliases, *rd.idKey}, []string{*report, *changes}, stderr) {
		return 2
	}
	if refuseDash("backtest", "--changes", *changes, "the backtest's summary", stderr) || refuseDash("backtest", "--report", *report, "the backtest's summary", stderr) ||
		!checkName("backtest", "--report", *report, stderr, "HTML") || !checkName("backtest", "--changes", *changes, stderr, "CSV", "JSON Lines") {
		return 2
	}
	if code := loadSegments("backtest", *segs, stderr); code != 0 {
		return code
	}
	if packClash("backtest", "--baseline", *baseline, stderr) || packClash("backtest", "--candidate", *candidate, stderr) {
		return 2
	}
	baseRS, baseSrc, base, code := compilePack("backtest", "--baseline", *baseline, *lang, stderr)
	if code != 0 {
		return code
	}
	candRS, candSrc, cand, code := compilePack("backtest", "--candidate", *candidate, *lang, stderr)
	if code != 0 {
		return code
	}
	asOf, ok := parseAsOf(m, "backtest", *asOfS, stderr)
	if !ok {
		return 2
	}
	if *format != "" {
		if _, err := datasets.ParseFormat(*format); err != nil {
			msgsOf(stderr).f(stderr, "simrisk backtest: --format: %v\n", err)
			return 2
		}
	}
	ropts, code := rd.options("backtest", *in, stderr)
	if code != 0 {
		return code
	}
	loaded, labels, ok := readLabelled(m, "backtest", *in, *format, asOf, stderr, ropts...)
	if !ok {
		return 1
	}
	update, finish := progressBar(stderr, "scoring")
	update = perCard(update)
	keep := *sample
	if *changes != "" {
		keep = -1 // every changed card, for the file
	}
	rep, err := backtest.Run(ctx, base, cand, backtest.Input{Records: loaded.Records, Labels: labels, AsOf: asOf, Lines: loaded.Lines},
		backtest.WithProgress(update), backtest.WithSample(keep))
	finish()
	if err != nil {
		msgsOf(stderr).f(stderr, "simrisk backtest: %v\n", err)
		return 1
	}
	rep.Rejected += len(loaded.Rejects)
	rep.Baseline.Path, rep.Candidate.Path = baseSrc, candSrc
	rep.Input, rep.Lang, rep.Generated = *in, *lang, time.Now()
	rep.Rules = backtest.Compare(baseRS, candRS, *lang)
	all := rep.Changed
	if *sample >= 0 && len(rep.Changed) > *sample {
		rep.Changed = rep.Changed[:*sample]
	}
	printBacktest(m, stdout, rep)
	if baseRS.Digest == candRS.Digest {
		m.f(stderr, "simrisk backtest: the baseline (%s) and the candidate (%s) are the same rules (digest %s)\n", baseSrc, candSrc, baseRS.Digest)
	}
	if *changes != "" {
		if err := writeOutput(*changes, func(w io.Writer) error { return writeChanges(w, *changes, all, rep.Labelled) }); err != nil {
			msgsOf(stderr).f(stderr, "simrisk backtest: --changes: %v\n", err)
			return 1
		}
		m.f(stderr, "%d changed cards written to %s\n", len(all), *changes)
	}
	if *report != "" {
		if err := writeOutput(*report, rep.WriteHTML); err != nil {
			msgsOf(stderr).f(stderr, "simrisk backtest: --report: %v\n", err)
			return 1
		}
		m.f(stderr, "report written to %s\n", *report)
	}
	return 0
}

func fnum(x float64) string {
	if math.IsNaN(x) {
		return "-"
	}
	return fmt.Sprintf("%.3f", x)
}

func printBacktest(m msgs, w io.Writer, r *backtest.Report) {
	m.f(w, "baseline  %s %s from %s (%s)\ncandidate %s %s from %s (%s)\n", r.Baseline.Name, r.Baseline.Version, r.Baseline.Path, r.Baseline.Digest,
		r.Candidate.Name, r.Candidate.Version, r.Candidate.Path, r.Candidate.Digest)
	printRuleChanges(m, w, r.Rules)
	m.f(w, "cards %d, rejected %d", r.Cards, r.Rejected)
	if r.Labelled {
		m.f(w, ", labelled positive %d", r.Positive)
	}
	m.f(w, "; %d change outcome\n\n", r.ChangedTotal)
	tw := newTable(w, tabwriter.AlignRight)
	head := m.s("rule\tbase hits\tcand hits\t")
	if r.Labelled {
		head += m.s("base prec\tbase recall\tbase F1\tcand prec\tcand recall\tcand F1\t")
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
	m.f(w, "\noutcomes (rows baseline, columns candidate):\n")
	tw = newTable(w, tabwriter.AlignRight)
	fmt.Fprintln(tw, "\t"+m.name("pass")+"\t"+m.name("monitor")+"\t"+m.name("verify")+"\t"+m.name("restrict")+"\t"+m.name("suspend")+"\t")
	for b := rules.Pass; b <= rules.Suspend; b++ {
		line := m.name(b.String()) + "\t"
		for c := rules.Pass; c <= rules.Suspend; c++ {
			line += fmt.Sprint(r.Transitions[b][c]) + "\t"
		}
		fmt.Fprintln(tw, line)
	}
	tw.Flush()
	if r.Labelled {
		fmt.Fprintln(w)
		tw = newTable(w, tabwriter.AlignRight)
		m.f(tw, "flagged when\tbase cards\tprecision\trecall\tF1\tlift\tcand cards\tprecision\trecall\tF1\tlift\t\n")
		for i, m_ := range r.Baseline.ByOutcome {
			c := r.Candidate.ByOutcome[i]
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t\n", m.atLeast(m_.Name), m_.Flagged, fnum(m_.Precision), fnum(m_.Recall), fnum(m_.F1), fnum(m_.Lift),
				c.Flagged, fnum(c.Precision), fnum(c.Recall), fnum(c.F1), fnum(c.Lift))
		}
		tw.Flush()
		m.f(w, "ROC AUC of the score: baseline %s, candidate %s\n", fnum(r.Baseline.AUC), fnum(r.Candidate.AUC))
	}
	if len(r.Changed) > 0 {
		m.f(w, "\nsample of cards that change outcome (%d of %d; ref is the input line: explain --in FILE --ref N):\n", len(r.Changed), r.ChangedTotal)
		tw = newTable(w, 0)
		m.f(tw, "  ref\tcard\tbaseline\tcandidate\tnow fire\tno longer fire\n")
		for _, ch := range r.Changed {
			fmt.Fprintf(tw, "  %d\t%s\t%s (%g)\t%s (%g)\t%s\t%s\n", ch.Line, ch.MSISDN, m.name(ch.Baseline.Outcome.String()), ch.Baseline.Score,
				m.name(ch.Candidate.Outcome.String()), ch.Candidate.Score, orDash(strings.Join(ch.Added, " ")), orDash(strings.Join(ch.Removed, " ")))
		}
		tw.Flush()
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// printRuleChanges says in a few lines what changed between the rule sets.
func printRuleChanges(m msgs, w io.Writer, c *backtest.RuleChanges) {
	if c == nil {
		return
	}
	if c.Empty() {
		m.f(w, "rules: no change (same parameters, lists, macros, bands and rules)\n")
		return
	}
	m.f(w, "what changed in the rules:\n")
	edit := func(kind string, e backtest.Edit) {
		switch {
		case e.Before == "":
			m.f(w, "  %s %s added: %s\n", m.s(kind), e.Name, e.After)
		case e.After == "":
			m.f(w, "  %s %s removed (was %s)\n", m.s(kind), e.Name, e.Before)
		default:
			m.f(w, "  %s %s: %s -> %s\n", m.s(kind), e.Name, e.Before, e.After)
		}
	}
	for _, e := range c.Params {
		edit("param", e)
	}
	for _, l := range c.Lists {
		switch {
		case l.New:
			m.f(w, "  list %s added (%d items)\n", l.Name, len(l.Added))
		case l.Dropped:
			m.f(w, "  list %s removed (%d items)\n", l.Name, len(l.Removed))
		default:
			m.f(w, "  list %s: +%d -%d items", l.Name, len(l.Added), len(l.Removed))
			if len(l.Added) > 0 {
				m.f(w, ", added %s", strings.Join(l.Added, " "))
			}
			if len(l.Removed) > 0 {
				m.f(w, ", removed %s", strings.Join(l.Removed, " "))
			}
			if l.Type != nil {
				m.f(w, ", type %s -> %s", l.Type.Before, l.Type.After)
			}
			fmt.Fprintln(w)
		}
	}
	for _, e := range c.Macros {
		edit("macro", e)
	}
	// a band is "level, outcome": in the command's language, as the
	// report words it (严重、限制); a band whose minimum alone moved (80
	// removed, 85 added with the same level and outcome) is one edit
	band := func(v string) string {
		parts := strings.Split(v, ", ")
		for i, p := range parts {
			parts[i] = m.name(p)
		}
		return strings.Join(parts, m.s(", "))
	}
	moved := map[int]bool{}
	for i, a := range c.Bands {
		for j, r := range c.Bands {
			if a.Before == "" && r.After == "" && a.After == r.Before && !moved[i] && !moved[j] {
				moved[i], moved[j] = true, true
				m.f(w, "  band >= %s -> >= %s: %s\n", r.Name, a.Name, band(a.After))
			}
		}
	}
	for i, e := range c.Bands {
		if moved[i] {
			continue
		}
		e.Name = ">= " + e.Name
		e.Before, e.After = band(e.Before), band(e.After)
		if e.Before == "" || e.After == "" {
			edit("band", e)
		} else {
			m.f(w, "  band %s: %s -> %s\n", e.Name, e.Before, e.After)
		}
	}
	for _, r := range c.Added {
		m.f(w, "  rule %s added (%s)\n", r.ID, r.Title)
	}
	for _, r := range c.Removed {
		m.f(w, "  rule %s removed (%s)\n", r.ID, r.Title)
	}
	for _, r := range c.Changed {
		for _, f := range r.Fields {
			if f.Name == "outcome" {
				f.Before, f.After = m.name(f.Before), m.name(f.After)
			}
			m.f(w, "  rule %s %s: %s -> %s\n", r.ID, m.s(ruleFieldNames[f.Name]), oneLine(f.Before), oneLine(f.After))
		}
	}
}

// ruleFieldNames are a rule's fields as the summary names them (the
// report's words: 条件, 分数).
var ruleFieldNames = map[string]string{"title": "title", "when": "condition (when)", "score": "score", "outcome": "outcome",
	"mode": "mode", "enabled": "enabled", "tags": "tags", "reason": "reason", "type": "type"}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// changeColumns are --changes' CSV columns (and its JSON Lines keys).
var changeColumns = []string{"ref", "card", "label", "outcome_before", "score_before", "outcome_after", "score_after", "rules_now_firing", "rules_no_longer_firing"}

// writeChanges writes every changed card, as CSV when path ends in .csv,
// else as JSON Lines. ref is the card's input line; the card is masked.
func writeChanges(w io.Writer, path string, changed []backtest.Change, labelled bool) error {
	rows := make([][]string, 0, len(changed))
	for _, ch := range changed {
		label := ""
		if labelled && ch.Label != nil {
			label = "negative"
			if *ch.Label {
				label = "positive"
			}
		}
		rows = append(rows, []string{strconv.Itoa(ch.Line), ch.MSISDN, label,
			ch.Baseline.Outcome.String(), strconv.FormatFloat(ch.Baseline.Score, 'g', -1, 64),
			ch.Candidate.Outcome.String(), strconv.FormatFloat(ch.Candidate.Score, 'g', -1, 64),
			strings.Join(ch.Added, " "), strings.Join(ch.Removed, " ")})
	}
	if f, _ := outputFormat("--changes", path); f == datasets.CSV {
		cw := csv.NewWriter(w)
		cw.Write(changeColumns)
		cw.WriteAll(rows) // flushes; returns the first error
		return cw.Error()
	}
	enc := json.NewEncoder(w)
	for i, row := range rows {
		m := map[string]any{}
		for k, col := range changeColumns {
			m[col] = row[k]
		}
		m["ref"] = changed[i].Line
		m["score_before"], m["score_after"] = changed[i].Baseline.Score, changed[i].Candidate.Score
		m["rules_now_firing"], m["rules_no_longer_firing"] = nonNil(changed[i].Added), nonNil(changed[i].Removed)
		if err := enc.Encode(m); err != nil {
			return err
		}
	}
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
