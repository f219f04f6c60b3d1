package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/simrisk/simrisk/datasets"
	"github.com/simrisk/simrisk/risk/fit"
	"github.com/simrisk/simrisk/rules"
)

func cmdFit(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs_ := newFlags("fit")
	pack := fs_.String("pack", "default", "the rules to tune: an embedded pack name or a rule file or directory")
	in := fs_.String("in", "", "labelled records (as simrisk gen writes them), JSON Lines or CSV")
	format := fs_.String("format", "", "input format: jsonl or csv (default: from the file name; .csv is CSV)")
	out := fs_.String("out", "", "where to write the suggested rule file (never the input)")
	asOfS := fs_.String("as-of", "", "the time dates are judged against: YYYY-MM-DD (CST) or RFC 3339 (default: now)")
	seed := fs_.Uint64("seed", 1, "seed of the train/held-out split")
	holdOut := fs_.Float64("holdout", 0.3, "share of cards held out to judge the fit")
	force := fs_.Bool("force", false, "write --out even when the file exists (default: refuse)")
	rd := addReadFlags(fs_)
	lang := addLangFlag(fs_)
	if _, code, done := parseFlags(fs_, args, "", stdout, stderr); done {
		return code
	}
	if !checkLang(fs_, *lang, stderr) {
		return 2
	}
	stderr = msgLang(fs_, *lang).with(stderr)
	m := msgLang(fs_, *lang)
	if *in == "" || *out == "" {
		m.f(stderr, "simrisk fit: --in and --out are required\n")
		return 2
	}
	rs, source, eng, code := compilePack("fit", "--pack", *pack, *lang, stderr)
	if code != 0 {
		return code
	}
	src, srcPath, err := ruleSource(*pack, rs)
	if err != nil {
		msgsOf(stderr).f(stderr, "simrisk fit: %v\n", err)
		return 1
	}
	if !checkOutputs("fit", []string{srcPath, *in, *rd.aliases, *rd.idKey}, []string{*out}, stderr) {
		return 2
	}
	if refuseDash("fit", "--out", *out, "the fit's summary", stderr) || !checkName("fit", "--out", *out, stderr, "YAML") {
		return 2
	}
	if st, err := os.Stat(*out); err == nil && (st.Mode().IsRegular() || st.IsDir()) && !*force {
		m.f(stderr, "simrisk fit: --out %s exists; nothing was fitted (--force overwrites it)\n", *out)
		return 2
	}
	asOf, ok := parseAsOf(m, "fit", *asOfS, stderr)
	if !ok {
		return 2
	}
	if *format != "" {
		if _, err := datasets.ParseFormat(*format); err != nil {
			msgsOf(stderr).f(stderr, "simrisk fit: --format: %v\n", err)
			return 2
		}
	}
	ropts, code := rd.options("fit", *in, stderr)
	if code != 0 {
		return code
	}
	loaded, labels, ok := readLabelled(m, "fit", *in, *format, asOf, stderr, ropts...)
	if !ok {
		return 1
	}
	if labels == nil {
		m.f(stderr, "simrisk fit: %s has no labels; fit needs ground truth (simrisk gen writes it)\n", *in)
		return 1
	}
	res, err := fit.Fit(ctx, eng, loaded.Records, labels, fit.Options{AsOf: asOf, Seed: *seed, HoldOut: *holdOut})
	if err != nil {
		msgsOf(stderr).f(stderr, "simrisk fit: %v\n", err)
		return 1
	}
	m.f(stdout, "rule set %s %s from %s (%s)\n", rs.Name, rs.Version, source, rs.Digest)
	m.f(stdout, "fitted on %d cards, judged on %d held out; flagged when score >= %g\n\n", res.Train, res.HeldOut, res.Threshold)
	tw := newTable(stdout, tabwriter.AlignRight)
	m.f(tw, "rule\thits (train)\tcurrent\tfitted\tcoefficient\t\n")
	for _, w := range res.Weights {
		fmt.Fprintf(tw, "%s\t%d\t%g\t%g\t%.3f\t\n", w.ID, w.Hits, w.Current, w.Fitted, w.Coef)
	}
	tw.Flush()
	m.f(stdout, "\nheld-out split:\n")
	tw = newTable(stdout, tabwriter.AlignRight)
	m.f(tw, "scores\tflagged\tprecision\trecall\tF1\t\n")
	for _, q := range []struct {
		n string
		q fit.Quality
	}{{"current", res.Current}, {"fitted", res.Fitted}} {
		fmt.Fprintf(tw, "%s\t%d\t%.3f\t%.3f\t%.3f\t\n", m.s(q.n), q.q.Flagged, q.q.Precision, q.q.Recall, q.q.F1)
	}
	tw.Flush()
	if !res.Improved {
		m.f(stdout, "\nno improvement: %s; %s not written\n", fitNote(m, res), *out)
		return 0
	}
	scores := map[string]float64{}
	for _, w := range res.Weights {
		if w.Fitted != w.Current {
			scores[w.ID] = w.Fitted
		}
	}
	b, err := fit.Rewrite(src, scores)
	if err != nil {
		msgsOf(stderr).f(stderr, "simrisk fit: %v\n", err)
		return 1
	}
	head := m.sf("# Suggested by simrisk fit on %s from %s and %s (seed %d): held-out F1 %.3f -> %.3f.\n# Review before use; rule outcomes are unchanged.\n",
		time.Now().Format("2006-01-02"), *pack, filepath.Base(*in), *seed, res.Current.F1, res.Fitted.F1)
	if err := writeOutput(*out, func(w io.Writer) error { _, err := w.Write(append([]byte(head), b...)); return err }); err != nil {
		msgsOf(stderr).f(stderr, "simrisk fit: %v\n", err)
		return 1
	}
	m.f(stdout, "\nF1 on the held-out split %.3f -> %.3f; suggested rules written to %s\n", res.Current.F1, res.Fitted.F1, *out)
	return 0
}

// ruleSource returns the text of the one file holding a rule set's rules,
// and its path on disk ("" for an embedded pack).
func ruleSource(pack string, rs *rules.RuleSet) ([]byte, string, error) {
	file := ""
	for _, r := range rs.Rules {
		if file != "" && r.File != file {
			return nil, "", fmt.Errorf("the rules are spread over %s and %s; fit rewrites one rule file", file, r.File)
		}
		file = r.File
	}
	if b, err := os.ReadFile(file); err == nil {
		return b, file, nil
	}
	b, err := fs.ReadFile(rules.PacksFS(), strings.TrimPrefix(file, "pack:"))
	return b, "", err
}

// fitNote is fit's reason for not writing a suggestion in m's language.
func fitNote(m msgs, res *fit.Result) string {
	if strings.HasPrefix(res.Note, "the fitted scores do not raise F1") {
		return m.sf("the fitted scores do not raise F1 on the held-out split (%.4f, current %.4f): the current scores already separate the labels as well as these rules can", res.Fitted.F1, res.Current.F1)
	}
	return m.s(res.Note)
}
