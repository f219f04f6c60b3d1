package main

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/simrisk/simrisk/datasets"
	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/risk/ref"
	"github.com/simrisk/simrisk/rules"
)

// cmdGen writes a synthetic population (simrisk gen --cards N ...) or prints
// a population's statistics (simrisk gen --stats FILE).
func cmdGen(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("gen")
	cards := fs.Int("cards", 0, "how many cards to generate")
	seed := fs.Uint64("seed", 1, "random seed: the same seed and options give the same bytes")
	asOfS := fs.String("as-of", "", "snapshot date: no date in the population lies after it (with --stats: judge dormancy at it; default the file's latest date)")
	out := fs.String("out", "", "output file (default standard output)")
	format := fs.String("format", "", "jsonl or csv (default: from --out's name; .csv is CSV)")
	stats := fs.String("stats", "", "print the statistics of this population file instead of generating")
	idKey := addIDKeyFlag(fs)
	lang := addLangFlag(fs)
	if _, code, done := parseFlags(fs, args, "", stdout, stderr); done {
		return code
	}
	if !checkLang(fs, *lang, stderr) {
		return 2
	}
	stderr = msgLang(fs, *lang).with(stderr)
	var asOf risk.Time
	if *asOfS != "" {
		var err error
		if asOf, err = risk.ParseTime(*asOfS); err != nil {
			msgsOf(stderr).f(stderr, "simrisk gen: --as-of: %v\n", err)
			return 2
		}
	}
	if *stats != "" {
		return genStats(*stats, *format, *idKey, asOf, stdout, stderr)
	}
	if *cards <= 0 || asOf == 0 {
		msgLang(fs, *lang).f(stderr, "simrisk gen: --cards N (N > 0) and --as-of DATE are required\n")
		return 2
	}
	f, err := outputFormat("--out", *out)
	if *format != "" && err == nil { // --format says what a name need not, never the contrary
		if f, err = datasets.ParseFormat(*format); err != nil {
			err = fmt.Errorf("--format: %v", err)
		} else {
			_, err = nameSays("--out", *out, map[datasets.Format]string{datasets.CSV: "CSV", datasets.JSONL: "JSON Lines"}[f])
		}
	}
	if err != nil {
		msgsOf(stderr).f(stderr, "simrisk gen: %v\n", err)
		return 2
	}
	w := stdout
	var file *datasets.OutputFile
	if *out != "" && *out != "-" {
		if file, err = datasets.CreateOutput(*out); err != nil {
			msgsOf(stderr).f(stderr, "simrisk gen: %v\n", err)
			return 1
		}
		w = file
	}
	bar := newProgress(stderr, *cards, "cards")
	err = datasets.GenerateTo(w, f, datasets.GenOptions{Cards: *cards, Seed: *seed, AsOf: asOf}, bar.update)
	bar.done()
	if file != nil {
		if err == nil {
			err = file.Commit()
		} else {
			file.Abort()
		}
	}
	if err != nil {
		msgsOf(stderr).f(stderr, "simrisk gen: %v\n", err)
		return 1
	}
	return 0
}

func genStats(path, format, idKeyFile string, asOf risk.Time, stdout, stderr io.Writer) int {
	keyOpts, code := idKeyOption("gen", idKeyFile, stderr)
	if code != 0 {
		return code
	}
	f := datasets.FormatOf(path)
	if format != "" {
		var err error
		if f, err = datasets.ParseFormat(format); err != nil {
			msgsOf(stderr).f(stderr, "simrisk gen: --format: %v\n", err)
			return 2
		}
	}
	in, err := os.Open(path)
	if err != nil {
		msgsOf(stderr).f(stderr, "simrisk gen: %v\n", err)
		return 1
	}
	defer in.Close()
	rd, err := datasets.NewRecordReader(in, f, 0, append(keyOpts, datasets.WithLabels())...)
	if err != nil {
		msgsOf(stderr).f(stderr, "simrisk gen: %v\n", err)
		return 1
	}
	st, err := datasets.ComputeStats(rd, asOf)
	if err != nil {
		msgsOf(stderr).f(stderr, "simrisk gen: %v\n", err)
		return 1
	}
	if m := msgsOf(stderr); m == rules.LangZh {
		formatStatsZh(stdout, st)
	} else {
		st.Format(stdout)
	}
	return 0
}

// formatStatsZh is datasets.Stats.Format in Chinese, the same table.
func formatStatsZh(w io.Writer, s *datasets.Stats) {
	pct := func(n, d int) string {
		if d == 0 {
			return "-"
		}
		return fmt.Sprintf("%5.1f%%", 100*float64(n)/float64(d))
	}
	// pad is s padded to n columns, a Chinese character taking two
	pad := func(s string, n int) string {
		cols := 0
		for _, r := range s {
			cols++
			if r >= 0x1100 {
				cols++
			}
		}
		return s + strings.Repeat(" ", max(0, n-cols))
	}
	asOf := "-"
	if s.AsOf != 0 {
		asOf = s.AsOf.String()
	}
	fmt.Fprintf(w, "卡 %d 张（拒收 %d），持有有效卡的持有人 %d 个，基准时间 %s\n\n", s.Cards, s.Rejected, s.Holders, asOf)
	fmt.Fprintln(w, "每个持有人的有效卡数")
	for _, b := range datasets.HolderBuckets() {
		bar := 0
		if s.Holders > 0 {
			bar = (s.HolderHist[b]*40 + s.Holders - 1) / s.Holders
		}
		fmt.Fprintf(w, "  %s %9d 人  %s  %s\n", pad(b+" 张", 8), s.HolderHist[b], pct(s.HolderHist[b], s.Holders), strings.Repeat("#", bar))
	}
	fmt.Fprintln(w, "\n各类卡的占比")
	for _, row := range []struct {
		name string
		n    int
	}{{"睡眠卡（90 天以上，有效卡）", s.Dormant}, {"物联网卡", s.ByKind["iot"]}, {"数据卡", s.ByKind["data_card"]},
		{"虚拟运营商", s.MVNO}, {"二次号码", s.Recycled}, {"有漫游记录", s.Roaming}, {"已销户", s.Cancelled},
		{"标注为涉诈", s.Fraud}} {
		fmt.Fprintf(w, "  %s %9d  %s\n", pad(row.name, 28), row.n, pct(row.n, s.Cards))
	}
	fmt.Fprintln(w, "\n各运营商的卡数")
	for _, op := range []string{"cmcc", "unicom", "telecom", "broadnet", "mvno"} {
		name := risk.DisplayName(op, rules.LangZh)
		if op == "mvno" {
			name = "虚拟运营商"
		}
		fmt.Fprintf(w, "  %s %9d  %s\n", pad(name, 28), s.ByOperator[op], pct(s.ByOperator[op], s.Cards))
	}
	if len(s.ByScenario) > 0 {
		fmt.Fprintln(w, "\n各场景的卡数")
		names := make([]string, 0, len(s.ByScenario))
		for n := range s.ByScenario {
			names = append(names, n)
		}
		sort.Slice(names, func(i, j int) bool {
			return s.ByScenario[names[i]] > s.ByScenario[names[j]] || s.ByScenario[names[i]] == s.ByScenario[names[j]] && names[i] < names[j]
		})
		for _, n := range names {
			fmt.Fprintf(w, "  %s %9d  %s\n", pad(ref.MaskText(n), 28), s.ByScenario[n], pct(s.ByScenario[n], s.Cards)) // a label is free text
		}
	}
}

// progress draws a progress bar on stderr for long runs, in place, only
// when stderr is a terminal: a redirected stderr (a log file, a pipe) gets
// none. Short runs show nothing.
type progress struct {
	w     io.Writer
	total int
	unit  string
	start time.Time
	tty   bool
	shown bool
}

func newProgress(w io.Writer, total int, unit string) *progress {
	return &progress{w: w, total: total, unit: unit, start: time.Now(), tty: isTerminal(w)}
}

func (p *progress) update(n int) {
	if p.total < 200_000 || n == 0 {
		return
	}
	frac := float64(n) / float64(p.total)
	rate := float64(n) / max(time.Since(p.start).Seconds(), 1e-9)
	m := msgsOf(p.w)
	line := fmt.Sprintf("[%-30s] %3.0f%% %d/%d %s, %.0f %s/s",
		strings.Repeat("#", int(frac*30)), frac*100, n, p.total, m.s(p.unit), rate, m.s(p.unit))
	if p.tty {
		fmt.Fprintf(p.w, "\r%s", line)
		p.shown = true
	}
}

func (p *progress) done() {
	if p.shown {
		fmt.Fprintln(p.w)
	}
}
