package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/simrisk/simrisk/datasets"
	"github.com/simrisk/simrisk/risk"
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
	lang := addMsgLangFlag(fs)
	if _, code, done := parseFlags(fs, args, "", stdout, stderr); done {
		return code
	}
	if !checkLang("gen", *lang, stderr) {
		return 2
	}
	var asOf risk.Time
	if *asOfS != "" {
		var err error
		if asOf, err = risk.ParseTime(*asOfS); err != nil {
			fmt.Fprintf(stderr, "simrisk gen: --as-of: %v\n", err)
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
		fmt.Fprintf(stderr, "simrisk gen: %v\n", err)
		return 2
	}
	w := stdout
	var file *datasets.OutputFile
	if *out != "" && *out != "-" {
		if file, err = datasets.CreateOutput(*out); err != nil {
			fmt.Fprintf(stderr, "simrisk gen: %v\n", err)
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
		fmt.Fprintf(stderr, "simrisk gen: %v\n", err)
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
			fmt.Fprintf(stderr, "simrisk gen: --format: %v\n", err)
			return 2
		}
	}
	in, err := os.Open(path)
	if err != nil {
		fmt.Fprintf(stderr, "simrisk gen: %v\n", err)
		return 1
	}
	defer in.Close()
	rd, err := datasets.NewRecordReader(in, f, 0, append(keyOpts, datasets.WithLabels())...)
	if err != nil {
		fmt.Fprintf(stderr, "simrisk gen: %v\n", err)
		return 1
	}
	st, err := datasets.ComputeStats(rd, asOf)
	if err != nil {
		fmt.Fprintf(stderr, "simrisk gen: %v\n", err)
		return 1
	}
	st.Format(stdout)
	return 0
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
	line := fmt.Sprintf("[%-30s] %3.0f%% %d/%d %s, %.0f %s/s",
		strings.Repeat("#", int(frac*30)), frac*100, n, p.total, p.unit, rate, p.unit)
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
