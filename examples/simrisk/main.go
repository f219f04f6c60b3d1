// Command simrisk is the analysts' command line for simrisk rule files:
//
//	simrisk score [--pack NAME | --rules PATH ...] --as-of DATE --in FILE.jsonl [--out FILE.jsonl|FILE.csv] [--only-flagged] [--rejects FILE]
//	simrisk lint [--format text|json|sarif] [--strict] [--pack NAME] [--limit NAME=VALUE ...] PATH...
//	simrisk test [--coverage] [--junit FILE] [--limit NAME=VALUE ...] PATH...
//	simrisk explain [--pack NAME | --rules PATH] --as-of DATE [--in FILE (--msisdn N | --ref LINE)] [--format jsonl|csv] [--json] [--lang zh|en]
//	simrisk backtest [--baseline PACK] --candidate PACK --in FILE --as-of DATE [--report FILE.html] [--changes FILE.csv]
//	simrisk fit --pack PACK --in LABELLED --as-of DATE --out SUGGESTED.yaml [--force]
//	simrisk gen --cards N --seed S --as-of DATE [--out FILE] [--format jsonl|csv]
//	simrisk gen --stats FILE
//	simrisk version
//
// Every subcommand takes --help (usage on standard output, exit 0); a flag
// or argument it does not take is a usage error (exit 2). A card's
// reference in score's decisions ("line") and backtest's output is its
// line in the input file: explain --in FILE --ref LINE explains it.
//
// score writes one decision per good record (JSON Lines, input order) and
// one reject per bad record with its line number (a card listed twice is
// scored once, in its last record's state; the earlier records are
// rejected as superseded); it exits 0 when the run completed, 1 when the
// input holds no records, when every
// record was rejected or more than --max-reject-ratio of them (default 1),
// when the rules are unusable or input/output fails, and 2 for a usage
// mistake, such as an output that is an input or another output. Outputs
// that are regular files are written through a temporary file renamed when
// the run completed (SIGINT and SIGTERM remove it); an output that is not
// one (/dev/stdout, a FIFO, a device) is written in place. lint prints every problem of the rule files as
// file:line:col: rule "id": [code] message with the source line and a caret
// under it, then its warnings (unused parameters, lists and macros,
// conditions that never hold, a copy named like a pack) as ...: warning
// [code] message; it exits 1 when there is any problem, 0 on warnings alone
// unless --strict.
// test runs the rule files' tests, prints each failure, ends with
// "N passed, N failed" and exits 1 when any failed.
// backtest and fit, like score, exit 1 when the input holds no records or
// every record was rejected: there is nothing to compare or fit.
//
// Every command but packs and version speaks one language: --lang zh|en,
// else the environment variable SIMRISK_LANG, else zh (msg.go, libmsg.go).
//
// score, explain, lint and test take --limit NAME=VALUE (repeatable) to
// change a limit of rules.Limits (max_list_items, max_file_bytes, ...; the
// table is in rules/README.md); an unknown name is a usage error that lists
// them. score and explain load rules without their tests.
package main

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/simrisk/simrisk/datasets"
	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/risk/ref"
	"github.com/simrisk/simrisk/rules"
)

const usage = `simrisk: fraud-risk rules for Chinese phone and IoT cards

usage:
  simrisk score [--pack NAME | --rules PATH ...] --as-of DATE --in FILE.jsonl|FILE.csv [--format jsonl|csv]
                [--out FILE.jsonl|FILE.csv] [--only-flagged] [--rejects FILE] [--id-key-file FILE]
                [--encoding utf-8|gb18030|gbk|utf-16] [--segments FILE] [--max-reject-ratio R] [--strict] [--aliases FILE]
                                score every record; decisions carry their input line (the card's reference)
  simrisk lint [--format text|json|sarif] [--strict] [--limit NAME=VALUE ...] PATH...
                                check rule files; every problem as file:line:col
  simrisk test [--coverage] [--junit FILE] [--limit NAME=VALUE ...] PATH...
                                run the rule files' tests (no tests: exit 1)
  simrisk explain [--pack NAME | --rules PATH] --as-of DATE [--in FILE (--msisdn N | --ref LINE)] [--format jsonl|csv] [--json]
                                every rule's verdict on one card (stdin without --in), with near misses
  simrisk backtest [--baseline PACK] --candidate PACK --in FILE --as-of DATE [--report FILE.html] [--changes FILE.csv]
                                compare two rule sets on a (labelled) population
  simrisk fit --pack PACK --in LABELLED --as-of DATE --out SUGGESTED.yaml [--force]
                                fit rule scores to labels; writes a suggested rule file
  simrisk gen --cards N --seed S --as-of DATE [--out FILE] [--format jsonl|csv]
                                write a synthetic population with ground-truth labels
  simrisk gen --stats FILE [--as-of DATE] [--id-key-file FILE]
                                print a population's statistics
  simrisk packs                 list the embedded rule packs
  simrisk version               module version, Go version, the embedded packs' digests

  language: every command but packs and version takes --lang zh|en; without it, the environment
  variable SIMRISK_LANG; without that, zh. Titles, reasons, explain, the report, summaries, messages,
  lint's problems, test failures, reject reasons and --help all follow it; machine formats (JSON, CSV,
  JUnit, SARIF, the rejects file), flag names, rule ids, codes, paths and digests are never translated.
  score, explain, backtest and fit take --format jsonl|csv for an input whose name does not say (.csv is CSV).
  score, explain, backtest and fit read records with --encoding utf-8|gb18030|gbk|utf-16|utf-16le|utf-16be,
  --strict (refuse unknown columns and keys), --aliases FILE (datasets/README.md) and
  --id-key-file FILE (raw ID numbers in holder become pseudonymous keys; gen --stats too).
  score, explain, lint and test take --limit NAME=VALUE (repeatable) to change a limit
  on what rules may ask (max_list_items, max_file_bytes, ...: rules/README.md, Limits).

PACK is pack:NAME (an embedded pack, always) or a rule file or directory; a bare pack name that
is also a directory here is refused. "simrisk CMD --help" shows a command's flags.
`

// stdin is the standard input commands read (tests replace it).
var stdin io.Reader = os.Stdin

func main() {
	ctx, stop := signalContext()
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// signalContext is cancelled by SIGINT (Ctrl-C) or SIGTERM (kill, a job
// scheduler's stop): either way a run stops and removes its temporary
// outputs, leaving the old ones as they were.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	m := langInArgs(args)
	usage := usage
	if m == rules.LangZh {
		usage = usageZh
	}
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "score":
		return cmdScore(ctx, args[1:], stdout, stderr)
	case "lint":
		return cmdLint(args[1:], stdout, stderr)
	case "explain":
		return cmdExplain(args[1:], stdin, stdout, stderr)
	case "backtest":
		return cmdBacktest(ctx, args[1:], stdout, stderr)
	case "fit":
		return cmdFit(ctx, args[1:], stdout, stderr)
	case "test":
		return cmdTest(args[1:], stdout, stderr)
	case "gen":
		return cmdGen(args[1:], stdout, stderr)
	case "packs":
		return cmdPacks(args[1:], stdout, stderr)
	case "version", "--version":
		return cmdVersion(args[1:], stdout, stderr)
	case "-h", "--help", "help":
		// --lang (said by m) is taken anywhere
		var rest []string
		for i := 0; i < len(args); i++ {
			switch {
			case (args[i] == "--lang" || args[i] == "-lang") && i+1 < len(args):
				i++
			case strings.HasPrefix(args[i], "--lang=") || strings.HasPrefix(args[i], "-lang="):
			default:
				rest = append(rest, args[i])
			}
		}
		args = rest
		if len(args) == 2 && synopses[args[1]] != "" {
			// simrisk help CMD is simrisk CMD --help
			return run(context.Background(), []string{args[1], "--help", "--lang", string(m)}, stdout, stderr)
		}
		if len(args) == 2 && (args[1] == "help" || args[1] == "-h" || args[1] == "--help") {
			args = args[:1] // help help, help --help: the help
		}
		if len(args) > 1 {
			m.f(stderr, "simrisk help: unknown command %q\n\n%s", args[1], usage)
			return 2
		}
		fmt.Fprint(stdout, usage)
		return 0
	}
	m.f(stderr, "simrisk: unknown command %q\n\n%s", args[0], usage)
	return 2
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// limitFlag is --limit NAME=VALUE (repeatable): the limits rules are
// loaded and compiled with, DefaultLimits unless changed.
type limitFlag struct{ lim rules.Limits }

func newLimitFlag() *limitFlag { return &limitFlag{lim: rules.DefaultLimits()} }

func (f *limitFlag) String() string {
	if f == nil || f.lim == (rules.Limits{}) {
		return ""
	}
	var set []string
	def := rules.DefaultLimits()
	for _, n := range rules.LimitNames() {
		v, _ := f.lim.Get(n)
		if d, _ := def.Get(n); v != d {
			set = append(set, fmt.Sprintf("%s=%d", n, v))
		}
	}
	return strings.Join(set, ",")
}

func (f *limitFlag) Set(v string) error {
	name, value, ok := strings.Cut(v, "=")
	if !ok {
		return fmt.Errorf("want NAME=VALUE, where NAME is one of %s", strings.Join(rules.LimitNames(), ", "))
	}
	return f.lim.Set(strings.TrimSpace(name), value)
}

const limitUsage = "a limit on what the rules may ask, NAME=VALUE (repeatable); names as in rules/README.md, section Limits"

// knownPack says, when name is not an embedded pack, which ones there are.
func knownPack(name string) error {
	if slices.Contains(rules.Packs(), name) {
		return nil
	}
	have := make([]string, 0, len(rules.Packs()))
	for _, p := range rules.Packs() {
		have = append(have, "pack:"+p)
	}
	return fmt.Errorf("no embedded pack %q: the embedded packs are %s (simrisk packs); a rule file or directory is given by its path", name, strings.Join(have, ", "))
}

// loadRules loads rule paths; "pack:NAME" is an embedded pack.
func loadRules(paths []string, opts ...rules.LoadOption) (*rules.RuleSet, error) {
	ld, err := rules.NewLoader(opts...)
	if err != nil {
		return nil, err
	}
	if len(paths) == 1 && strings.HasPrefix(paths[0], "pack:") {
		name := strings.TrimPrefix(paths[0], "pack:")
		if err := knownPack(name); err != nil {
			return nil, err
		}
		return ld.Pack(name)
	}
	for _, p := range paths {
		if strings.HasPrefix(p, "pack:") {
			return nil, fmt.Errorf("an embedded pack (%s) cannot be mixed with rule files", p)
		}
	}
	return ld.Load(paths...)
}

// compileOptions are opts and the limits.
func compileOptions(lim rules.Limits, opts ...risk.CompileOption) []risk.CompileOption {
	return append([]risk.CompileOption{risk.WithLimits(lim)}, opts...)
}

// maskedRuleError is e's text with its message masked and its position (a
// rule file's path, the user's own) as it is: a path such as
// /tmp/run3697098128/001 would otherwise read as a number.
func maskedRuleError(e *rules.Error) string {
	msg, pos := e.Error(), e.Pos.String()
	if !strings.HasPrefix(msg, pos) {
		pos = ""
	}
	return pos + maskKeepingDigests(msg[len(pos):])
}

// digestRE is a rule set's digest as messages write it.
var digestRE = regexp.MustCompile(`sha256:[0-9a-f]{16,64}`)

// maskKeepingDigests is ref.MaskText for everything but rule-set digests,
// which are hashes, not numbers: a digest whose hex digits happen to hold
// eleven digits in a row stays whole, so it matches the one in decisions.
func maskKeepingDigests(s string) string {
	var b strings.Builder
	last := 0
	for _, loc := range digestRE.FindAllStringIndex(s, -1) {
		b.WriteString(ref.MaskText(s[last:loc[0]]))
		b.WriteString(s[loc[0]:loc[1]])
		last = loc[1]
	}
	b.WriteString(ref.MaskText(s[last:]))
	return b.String()
}

// ruleError is maskedRuleError in m's language.
func (m msgs) ruleError(e *rules.Error) string {
	if m != rules.LangZh {
		return maskedRuleError(e)
	}
	var b strings.Builder
	b.WriteString(e.Pos.String())
	b.WriteString(": ")
	if e.Rule != "" {
		fmt.Fprintf(&b, "规则 %s：", ref.MaskText(strconv.Quote(e.Rule)))
	}
	if e.Warning() {
		b.WriteString("警告 ")
	}
	fmt.Fprintf(&b, "[%s] %s", e.Code, maskKeepingDigests(m.lib(e.Msg)))
	return b.String()
}

// printErrors writes err's problems, one a line, in the language w carries.
func printErrors(w io.Writer, err error) {
	m := msgsOf(w)
	if l := rules.AsList(err); l != nil {
		for _, e := range l {
			fmt.Fprintln(w, m.ruleError(e))
		}
		return
	}
	fmt.Fprintln(w, ref.MaskText(m.libErr(err)))
}

func cmdScore(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("score")
	rf := addRuleFlags(fs)
	asOfS := fs.String("as-of", "", "the time dates are judged against: YYYY-MM-DD (CST) or RFC 3339 (default: now)")
	in := fs.String("in", "", "input records, JSON Lines or CSV (- for standard input)")
	format := fs.String("format", "", "input format: jsonl or csv (default: from the file name; .csv is CSV)")
	rd := addReadFlags(fs)
	out := fs.String("out", "", "decisions: JSON Lines, or CSV when the name ends in .csv (columns: datasets.DecisionColumns, README); default standard output, JSON Lines")
	onlyFlagged := fs.Bool("only-flagged", false, "write only the decisions that are not pass (the summary still counts every card)")
	rejects := fs.String("rejects", "", "rejected records as {\"line\",\"reason\"} JSON Lines (- for standard output when --out is a file; default: counted, the first few reasons on stderr)")
	maxRejects := fs.Float64("max-reject-ratio", 1, "fail (exit 1) when more than this share of the records (0 to 1) is rejected; a run that rejects every record always fails")
	if _, code, done := parseFlags(fs, args, "", stdout, stderr); done {
		return code
	}
	if !checkLang(fs, *rf.lang, stderr) {
		return 2
	}
	stderr = msgLang(fs, *rf.lang).with(stderr)
	if *in == "" {
		msgLang(fs, *rf.lang).f(stderr, "simrisk score: --in is required\n")
		return 2
	}
	if !(*maxRejects >= 0 && *maxRejects <= 1) {
		msgsOf(stderr).f(stderr, "simrisk score: --max-reject-ratio %g: want a share from 0 to 1\n", *maxRejects)
		return 2
	}
	if !checkOutputs("score", append([]string{*in, *rd.idKey, *rf.segs, *rd.aliases}, rf.paths...), []string{*out, *rejects}, stderr) {
		return 2
	}
	if (*out == "" || *out == "-") && refuseDash("score", "--rejects", *rejects, "the decisions (--out FILE frees it)", stderr) {
		return 2
	}
	decFormat, err := outputFormat("--out", *out)
	if err == nil {
		_, err = nameSays("--rejects", *rejects, "JSON Lines")
	}
	if err != nil {
		msgsOf(stderr).f(stderr, "simrisk score: %v\n", err)
		return 2
	}
	rs, eng, code := rf.engine("score", stderr)
	if code != 0 {
		return code
	}
	asOf, ok := parseAsOf(msgLang(fs, *rf.lang), "score", *asOfS, stderr)
	if !ok {
		return 2
	}
	opts := datasets.ScoreOptions{AsOf: asOf, Format: datasets.FormatOf(*in)}
	if *format != "" {
		if opts.Format, err = datasets.ParseFormat(*format); err != nil {
			msgsOf(stderr).f(stderr, "simrisk score: --format: %v\n", err)
			return 2
		}
	}
	if opts.Read, code = rd.options("score", *in, stderr); code != 0 {
		return code
	}
	open := func() (io.ReadCloser, error) { return os.Open(*in) }
	if st, err := os.Stat(*in); *in == "-" || err == nil && !st.Mode().IsRegular() && !st.IsDir() {
		// two passes need the input twice: keep standard input, a pipe
		// (<(cmd), a FIFO) or a device, which can be read only once, in a
		// temporary file
		var src io.Reader = os.Stdin
		if *in != "-" {
			f, err := os.Open(*in)
			if err != nil {
				msgsOf(stderr).f(stderr, "simrisk score: %v\n", err)
				return 1
			}
			defer f.Close()
			src = f
		}
		tmp, err := os.CreateTemp("", "simrisk-stdin-*.jsonl")
		if err != nil {
			msgsOf(stderr).f(stderr, "simrisk score: %v\n", err)
			return 1
		}
		defer os.Remove(tmp.Name())
		if _, err := io.Copy(tmp, struct{ io.Reader }{src}); err != nil { // a read error is the input's
			tmp.Close()
			if *in != "-" {
				msgsOf(stderr).f(stderr, "simrisk score: %v\n", err) // names the path
			} else {
				msgsOf(stderr).f(stderr, "simrisk score: reading standard input: %v\n", err)
			}
			return 1
		}
		tmp.Close()
		name := tmp.Name()
		open = func() (io.ReadCloser, error) { return os.Open(name) }
		if *format == "" {
			if f, err := os.Open(name); err == nil {
				head := make([]byte, 4096)
				n, _ := io.ReadFull(f, head)
				f.Close()
				csvHeaderHint("score", head[:n], stderr)
			}
		}
	}
	decW := stdout
	var outs []*datasets.OutputFile
	abort := func() {
		for _, f := range outs {
			f.Abort()
		}
	}
	if *out != "" && *out != "-" {
		f, err := datasets.CreateOutput(*out)
		if err != nil {
			msgsOf(stderr).f(stderr, "simrisk score: %v\n", err)
			return 1
		}
		outs = append(outs, f)
		decW = f
	}
	var rejW io.Writer
	if *rejects == "-" {
		rejW = stdout // the decisions go to a file
	} else if *rejects != "" {
		f, err := datasets.CreateOutput(*rejects)
		if err != nil {
			abort()
			msgsOf(stderr).f(stderr, "simrisk score: %v\n", err)
			return 1
		}
		outs = append(outs, f)
		rejW = f
	}
	start := time.Now()
	opts.Decisions, opts.Rejects = decW, rejW
	opts.Lines, opts.OnlyFlagged = true, *onlyFlagged
	opts.DecisionFormat = decFormat
	if pct, ok := scoreGCPercent(os.Getenv("GOGC")); ok {
		defer debug.SetGCPercent(debug.SetGCPercent(pct))
	}
	if bar := newScoreProgress(stderr, stdout, decW == stdout, inputSize(open)); bar != nil {
		opts.Progress = bar.update
		defer bar.done()
	}
	sum, err := datasets.ScoreFile(ctx, eng, open, opts)
	if err != nil {
		abort()
		m := msgsOf(stderr)
		m.f(stderr, "simrisk score: %s\n", inputErrText(m, *in, err))
		return 1
	}
	if sum.Records == 0 {
		// an empty file, a header alone, blank lines: most likely an export that failed
		abort()
		name := *in
		if name == "-" {
			name = "standard input"
		}
		msgLang(fs, *rf.lang).f(stderr, "simrisk %s: no records in %s (an empty file, a CSV header alone or blank lines); nothing was scored\n", "score", name)
		return 1
	}
	for _, f := range outs {
		if err := f.Commit(); err != nil {
			abort()
			msgsOf(stderr).f(stderr, "simrisk score: %v\n", err)
			return 1
		}
	}
	m := msgLang(fs, *rf.lang)
	printSummary(m, stderr, rs, rf.source(), sum, time.Since(start))
	return rejectsVerdict(m, "score", sum.Records, sum.Rejects, sum.FirstRejects, *rejects != "", *maxRejects, stderr)
}

// scoreGCPercent is the garbage collector's target score runs with: what
// a run keeps is the population and a constant window, and the rest is
// garbage soon (each block's text), so the heap may grow by half its live
// size between collections instead of all of it: a million cards peak at
// about 105 MB instead of 130 MB, for about the same CPU time. A GOGC in
// the environment is left to rule (ok is false).
func scoreGCPercent(env string) (pct int, ok bool) {
	if env != "" {
		return 0, false
	}
	return 50, true
}

// printDuplicates says which cards a file holds twice (masked) and that
// each counts once, in its last record's state.
func printDuplicates(m msgs, w io.Writer, dups []datasets.Duplicate, superseded int) {
	if superseded == 0 {
		return
	}
	m.f(w, "duplicates: %d records superseded by a later record of the same card (counted and scored once, in its last record's state; the earlier records are rejected):\n", superseded)
	for _, d := range dups {
		lines := make([]string, len(d.Lines))
		for i, l := range d.Lines {
			lines[i] = fmt.Sprint(l)
		}
		m.f(w, "  card %s on lines %s\n", d.MSISDN, strings.Join(lines, ", "))
	}
	if superseded > len(dups) {
		fmt.Fprintln(w, "  ...")
	}
}

// rejectsVerdict makes rejected records visible: without a rejects file
// the first reasons and a hint go to stderr; a run in which every record
// was rejected, or more than maxRatio of them, fails (1). It returns the
// exit code.
func rejectsVerdict(m msgs, cmd string, records, rejects int, first []datasets.Reject, haveFile bool, maxRatio float64, stderr io.Writer) int {
	if rejects > 0 && !haveFile {
		m.f(stderr, "first rejected records:\n")
		for _, r := range first {
			m.f(stderr, "  line %d: %s\n", r.Line, m.lib(r.Reason))
		}
		if rejects > len(first) {
			m.f(stderr, "  ... and %d more\n", rejects-len(first))
		}
		m.f(stderr, "hint: --rejects FILE writes every rejected record with its line and reason\n")
	}
	switch {
	case records > 0 && rejects == records:
		m.f(stderr, "simrisk %s: every record (%d) was rejected: nothing was scored\n", cmd, records)
		return 1
	case records > 0 && float64(rejects)/float64(records) > maxRatio:
		m.f(stderr, "simrisk %s: %d of %d records rejected (%.1f%%), more than --max-reject-ratio %g allows\n",
			cmd, rejects, records, 100*float64(rejects)/float64(records), maxRatio)
		return 1
	}
	return 0
}

// checkOutputs refuses (on stderr) outputs that are inputs or one another,
// before anything is opened for writing.
func checkOutputs(cmd string, inputs, outputs []string, stderr io.Writer) bool {
	if err := datasets.CheckOutputs(inputs, outputs); err != nil {
		msgsOf(stderr).f(stderr, "simrisk %s: %v\n", cmd, err)
		return false
	}
	return true
}

// writeOutput writes path through a temporary file renamed when write
// succeeded, so a failure leaves no half file.
func writeOutput(path string, write func(io.Writer) error) error {
	f, err := datasets.CreateOutput(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Abort()
		return err
	}
	return f.Commit()
}

// readFlags are how the commands that read records read them.
type readFlags struct {
	encoding, aliases, idKey *string
	strict                   *bool
}

// addIDKeyFlag is --id-key-file, which every command that reads holders
// takes (score, explain, backtest, fit, gen --stats).
func addIDKeyFlag(fs *flag.FlagSet) *string {
	return fs.String("id-key-file", "", "file holding the secret key that turns raw ID numbers in holder into pseudonymous keys")
}

// idKeyOption reads the --id-key-file path (none when ""); code is 1 (and
// said on stderr) when the file is unusable.
func idKeyOption(cmd, path string, stderr io.Writer) (opts []datasets.ReadOption, code int) {
	if path == "" {
		return nil, 0
	}
	key, err := ref.ReadKeyFile(path)
	if err != nil {
		msgsOf(stderr).f(stderr, "simrisk %s: --id-key-file: %v\n", cmd, err)
		return nil, 1
	}
	return []datasets.ReadOption{datasets.WithIDKey(key)}, 0
}

func addReadFlags(fs *flag.FlagSet) *readFlags {
	return &readFlags{
		idKey:    addIDKeyFlag(fs),
		encoding: fs.String("encoding", "utf-8", "input encoding: utf-8, gb18030 or gbk (what Chinese Excel saves CSV in), utf-16, utf-16le or utf-16be (Excel's Unicode text; a UTF-16 file with a byte order mark is recognised without it)"),
		strict:   fs.Bool("strict", false, "refuse a file with a column or key card-schema v1 does not have (default: warn once per file and ignore it)"),
		aliases:  fs.String("aliases", "", "YAML file of more spellings of enumerated values, field: {alias: value} (datasets/README.md)"),
	}
}

// options are the reader options the flags ask for, warnings printed on
// stderr; code is non-zero (and said on stderr) when a flag is wrong.
func (f *readFlags) options(cmd, in string, stderr io.Writer) (opts []datasets.ReadOption, code int) {
	enc, err := datasets.ParseEncoding(*f.encoding)
	if err != nil {
		msgsOf(stderr).f(stderr, "simrisk %s: --encoding: %v\n", cmd, err)
		return nil, 2
	}
	opts = append(opts, datasets.WithEncoding(enc),
		datasets.WithWarnings(func(w datasets.Warning) {
			m, name := msgsOf(stderr), in
			if name == "-" {
				name = m.s("standard input")
			}
			m.f(stderr, "simrisk %s: %s: %s\n", cmd, name, m.lib(w.String()))
		}))
	if *f.strict {
		opts = append(opts, datasets.WithStrict())
	}
	if *f.aliases != "" {
		a, err := loadAliases(*f.aliases)
		if err != nil {
			msgsOf(stderr).f(stderr, "simrisk %s: --aliases: %v\n", cmd, err)
			return nil, 2
		}
		opts = append(opts, datasets.WithAliases(a))
	}
	key, code := idKeyOption(cmd, *f.idKey, stderr)
	return append(opts, key...), code
}

// loadAliases reads an aliases file over the built-in table.
func loadAliases(path string) (*datasets.Aliases, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	a := datasets.DefaultAliases()
	if err := a.Load(f); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return a, nil
}

func printSummary(m msgs, w io.Writer, rs *rules.RuleSet, source string, sum *datasets.Summary, took time.Duration) {
	m.f(w, "rule set %s %s from %s (%s)\n", rs.Name, rs.Version, source, rs.Digest)
	if sum.Holders == 1 {
		m.f(w, "records %d = decisions %d + rejected %d; 1 holder; %s\n",
			sum.Records, sum.Decisions, sum.Rejects, took.Round(time.Millisecond))
	} else {
		m.f(w, "records %d = decisions %d + rejected %d; %d holders; %s\n",
			sum.Records, sum.Decisions, sum.Rejects, sum.Holders, took.Round(time.Millisecond))
	}
	printDuplicates(m, w, sum.Duplicates, sum.Superseded)
	fmt.Fprint(w, m.s("outcomes:"))
	for _, o := range []string{"pass", "monitor", "verify", "restrict", "suspend"} {
		fmt.Fprintf(w, " %s %d", m.name(o), sum.ByOutcome[o])
	}
	fmt.Fprint(w, m.s("\nlevels:  "))
	for _, l := range []string{"low", "medium", "high", "critical"} {
		fmt.Fprintf(w, " %s %d", m.name(l), sum.ByLevel[l])
	}
	fmt.Fprintln(w)
	ids := make([]string, 0, len(sum.ByRule))
	for id := range sum.ByRule {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		return sum.ByRule[ids[i]] > sum.ByRule[ids[j]] || sum.ByRule[ids[i]] == sum.ByRule[ids[j]] && ids[i] < ids[j]
	})
	for _, id := range ids {
		if sum.ByRule[id] == 1 {
			m.f(w, "  %-26s %d hit\n", id, 1)
		} else {
			m.f(w, "  %-26s %d hits\n", id, sum.ByRule[id])
		}
	}
	eids := make([]string, 0, len(sum.Errors))
	for id := range sum.Errors {
		eids = append(eids, id)
	}
	sort.Strings(eids)
	for _, id := range eids {
		if n := sum.Errors[id]; n == 1 {
			m.f(w, "  rule %s failed on %d card\n", id, 1)
		} else {
			m.f(w, "  rule %s failed on %d cards\n", id, n)
		}
	}
}

func cmdLint(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("lint")
	format := fs.String("format", "text", "output: text (file:line:col: ...), json (one array) or sarif (SARIF 2.1.0, for code review)")
	pack := fs.String("pack", "", "lint an embedded pack instead of files")
	strict := fs.Bool("strict", false, "treat warnings (unused parameters, lists, macros; conditions that never hold; a copy named like a pack) as errors")
	limits := newLimitFlag()
	fs.Var(limits, "limit", limitUsage)
	lang := addLangFlag(fs)
	paths, code, done := parseFlags(fs, args, "PATH...", stdout, stderr)
	if done {
		return code
	}
	if !checkLang(fs, *lang, stderr) {
		return 2
	}
	stderr = msgLang(fs, *lang).with(stderr)
	m := msgLang(fs, *lang)
	if packClash("lint", "--pack", *pack, stderr) {
		return 2
	}
	if *pack != "" {
		paths = append(paths, "pack:"+strings.TrimPrefix(*pack, "pack:"))
	}
	if len(paths) == 0 {
		m.f(stderr, "simrisk lint: give rule files or directories (or --pack NAME)\n")
		return 2
	}
	if *format != "text" && *format != "json" && *format != "sarif" {
		msgsOf(stderr).f(stderr, "simrisk lint: --format %q: want text, json or sarif\n", *format)
		return 2
	}
	all, err := lint(paths, limits.lim)
	if err != nil {
		msgsOf(stderr).f(stderr, "simrisk lint: %v\n", err)
		return 2
	}
	var errs, warns []*rules.Error
	for _, e := range all {
		if e.Warning() {
			warns = append(warns, e)
		} else {
			errs = append(errs, e)
		}
	}
	// rules the compiled evaluator does not handle run on the reference
	// evaluator: slower, same answers. Say which (notes, not problems).
	var notes []*rules.Error
	if len(errs) == 0 {
		if rs, err := loadRules(paths, rules.WithLimits(limits.lim)); err == nil {
			warns = append(warns, packCopyWarnings(paths, rs)...)
			if eng, err := risk.Compile(rs, compileOptions(limits.lim)...); err == nil {
				for _, r := range eng.Rules() {
					switch {
					case r.Fallback == "":
					case r.FallbackReason != "":
						notes = append(notes, &rules.Error{Pos: r.FallbackPos, Rule: r.ID, Code: "note", Msg: "runs on " + r.Fallback + " because of " + r.FallbackReason})
					default:
						notes = append(notes, &rules.Error{Pos: rs.Rule(r.ID).Pos, Rule: r.ID, Code: "note", Msg: "runs on " + r.Fallback})
					}
				}
			}
		}
	}
	if *strict {
		// warnings are errors: printed and counted as such
		for _, w := range warns {
			c := *w
			c.Severity = rules.SeverityError
			errs = append(errs, &c)
		}
		warns = nil
	}
	switch *format {
	case "json":
		// level is error, warning or note (with --strict, warnings are
		// errors); severity is its older name, kept for existing readers
		type item struct {
			*rules.Error
			Level    string `json:"level"`
			Severity string `json:"severity"`
		}
		items := []item{}
		for _, e := range errs {
			items = append(items, item{maskedError(e), "error", "error"})
		}
		for _, e := range warns {
			items = append(items, item{maskedError(e), "warning", "warning"})
		}
		for _, e := range notes {
			items = append(items, item{maskedError(e), "note", "note"})
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(items); err != nil {
			msgsOf(stderr).f(stderr, "simrisk lint: %v\n", err)
			return 2
		}
	case "sarif":
		if err := writeSARIF(stdout, errs, warns, notes); err != nil {
			msgsOf(stderr).f(stderr, "simrisk lint: %v\n", err)
			return 2
		}
	default:
		for _, e := range append(append([]*rules.Error{}, errs...), warns...) {
			fmt.Fprintln(stdout, m.ruleError(e))
			if e.Snippet != "" {
				fmt.Fprintln(stdout, indent(ref.MaskText(e.Snippet), "    "))
			}
		}
		for _, n := range notes {
			m.f(stderr, "%s: rule %q: [note] %s\n", n.Pos, n.Rule, m.lib(n.Msg))
		}
	}
	switch {
	case len(errs) > 0:
		fmt.Fprintln(stderr, plural(m, len(errs), "problem"))
		return 1
	case len(warns) > 0:
		m.f(stderr, "no errors, %s (--strict makes them errors)\n", plural(m, len(warns), "warning"))
		return 0
	}
	m.f(stderr, "no problems\n")
	return 0
}

// indent puts prefix before every line of s.
func indent(s, prefix string) string {
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix)
}

// plural is "1 problem", "2 problems".
func plural(m msgs, n int, noun string) string {
	if n == 1 {
		return m.s("1 " + noun)
	}
	return m.sf("%d "+noun+"s", n)
}

// codePackCopy is lint's warning for a rule set that keeps an embedded
// pack's name and version, changed or not: reports, summaries and
// decisions would name two rule sets alike (an unchanged cp -r copy is
// where that starts).
const codePackCopy rules.Code = "pack_copy"

// packCopyWarnings warns when rule files (not an embedded pack) carry an
// embedded pack's name and version, whether their content (digest) is the
// pack's or not.
func packCopyWarnings(paths []string, rs *rules.RuleSet) []*rules.Error {
	for _, p := range paths {
		if strings.HasPrefix(p, "pack:") {
			return nil
		}
	}
	for _, name := range rules.Packs() {
		if rs.Name != name {
			continue
		}
		pack, err := rules.Pack(name)
		if err != nil || pack.Version != rs.Version {
			return nil
		}
		pos := namePos(rs)
		if pack.Digest == rs.Digest && packSource(rs, name) {
			return nil // the pack's own sources, rules/packs/NAME
		}
		if pack.Digest == rs.Digest {
			// an unchanged copy (cp -r): the trap is the name, which its
			// first edit will keep
			return []*rules.Error{{Pos: pos, Code: codePackCopy, Severity: rules.SeverityWarning, Snippet: rs.Snippet(pos), Msg: fmt.Sprintf(
				"this rule set is named %s %s like the embedded pack pack:%s, with the same files (digest %s): give it a name or version of its own before you change it, so that reports, summaries and decisions tell the two apart",
				rs.Name, rs.Version, name, rs.Digest)}}
		}
		return []*rules.Error{{Pos: pos, Code: codePackCopy, Severity: rules.SeverityWarning, Snippet: rs.Snippet(pos), Msg: fmt.Sprintf(
			"this rule set is named %s %s like the embedded pack pack:%s but its files differ (digest %s, the pack's %s): give it a name or version of its own so that reports, summaries and decisions tell the two apart",
			rs.Name, rs.Version, name, rs.Digest, pack.Digest)}}
	}
	return nil
}

// packSource says whether rs's files are the embedded pack's own sources,
// in a directory rules/packs/NAME (the repository's, not a copy).
func packSource(rs *rules.RuleSet, name string) bool {
	for _, f := range rs.Files {
		abs, err := filepath.Abs(f)
		if err != nil || !strings.HasSuffix(filepath.ToSlash(filepath.Dir(abs)), "/rules/packs/"+name) {
			return false
		}
	}
	return len(rs.Files) > 0
}

// csvHeaderHint says (on stderr) to add --format csv when input read as
// JSON Lines (standard input, a pipe) starts with what reads as a CSV
// header: names of columns and commas, no JSON.
func csvHeaderHint(cmd string, head []byte, stderr io.Writer) {
	line, _, _ := strings.Cut(strings.TrimPrefix(string(head), "\ufeff"), "\n")
	line = strings.TrimSpace(line)
	if !strings.Contains(line, ",") {
		return
	}
	for _, col := range strings.Split(line, ",") {
		col = strings.Trim(strings.TrimSpace(col), `"`)
		if col == "" || !csvColumnName.MatchString(col) {
			return
		}
	}
	m := msgsOf(stderr)
	m.f(stderr, "simrisk %s: hint: the input is read as JSON Lines, but its first line looks like a CSV header: add --format csv\n", cmd)
}

var csvColumnName = regexp.MustCompile(`^[\p{L}_][\p{L}\p{N}_. -]*$`)

// namePos is the position of the rule set's "name:" key: the first file
// with a line that starts with it, line 1 of the first file otherwise.
func namePos(rs *rules.RuleSet) rules.Pos {
	for _, f := range rs.Files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for i, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "name:") {
				return rules.Pos{File: f, Line: i + 1, Column: 1}
			}
		}
	}
	if len(rs.Files) > 0 {
		return rules.Pos{File: rs.Files[0], Line: 1, Column: 1}
	}
	return rules.Pos{}
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation struct {
		ArtifactLocation struct {
			URI string `json:"uri"`
		} `json:"artifactLocation"`
		Region *sarifRegion `json:"region,omitempty"`
	} `json:"physicalLocation"`
}

type sarifResult struct {
	RuleID  string `json:"ruleId"`
	Level   string `json:"level"`
	Message struct {
		Text string `json:"text"`
	} `json:"message"`
	Locations []sarifLocation `json:"locations,omitempty"`
}

// maskedError is e with its message and snippet (the rule file's line)
// through the one masker: a number or ID number written in a rule file is
// not shown in full.
func maskedError(e *rules.Error) *rules.Error {
	c := *e
	c.Msg, c.Snippet = ref.MaskText(c.Msg), ref.MaskText(c.Snippet)
	return &c
}

// writeSARIF writes problems (level error), warnings and notes as one
// SARIF 2.1.0 run.
func writeSARIF(w io.Writer, errs, warns, notes []*rules.Error) error {
	results := []sarifResult{}
	seen := map[string]bool{}
	ruleList := []map[string]string{}
	for i, e := range append(append(append([]*rules.Error{}, errs...), warns...), notes...) {
		r := sarifResult{RuleID: string(e.Code), Level: "error"}
		if i >= len(errs)+len(warns) {
			r.Level = "note"
		} else if i >= len(errs) {
			r.Level = "warning"
		}
		r.Message.Text = ref.MaskText(e.Msg)
		if e.Rule != "" {
			r.Message.Text = ref.MaskText(fmt.Sprintf("rule %q: %s", e.Rule, e.Msg))
		}
		if e.File != "" {
			var l sarifLocation
			l.PhysicalLocation.ArtifactLocation.URI = filepath.ToSlash(e.File)
			if e.Line > 0 {
				l.PhysicalLocation.Region = &sarifRegion{e.Line, e.Column}
			}
			r.Locations = []sarifLocation{l}
		}
		results = append(results, r)
		if !seen[r.RuleID] {
			seen[r.RuleID] = true
			ruleList = append(ruleList, map[string]string{"id": r.RuleID})
		}
	}
	doc := map[string]any{
		"$schema": "https://json.schemastore.org/sarif-2.1.0.json",
		"version": "2.1.0",
		"runs": []any{map[string]any{
			"tool":    map[string]any{"driver": map[string]any{"name": "simrisk", "rules": ruleList}},
			"results": results,
		}},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// lint reports load and compile problems together, sorted, under one cap.
func lint(paths []string, lim rules.Limits) (rules.ErrorList, error) {
	rs, err := loadRules(paths, rules.WithLimits(lim))
	loadErrs := rules.AsList(err)
	if err != nil && loadErrs == nil {
		return nil, err
	}
	var c rules.Collector
	c.AddAll(loadErrs)
	var warns rules.ErrorList
	if rs != nil {
		for _, e := range risk.Lint(rs, compileOptions(lim)...) {
			if e.Warning() {
				warns = append(warns, e)
			} else {
				c.Add(e)
			}
		}
	}
	return append(c.List(), warns...), nil
}

func cmdTest(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("test")
	coverage := fs.Bool("coverage", false, "report rules with no firing or no non-firing case, and outcomes no case reaches")
	junit := fs.String("junit", "", "also write the results as JUnit XML to this file, for CI")
	limits := newLimitFlag()
	fs.Var(limits, "limit", limitUsage)
	lang := addLangFlag(fs)
	args, code, done := parseFlags(fs, args, "PATH...", stdout, stderr)
	if done {
		return code
	}
	if !checkLang(fs, *lang, stderr) {
		return 2
	}
	stderr = msgLang(fs, *lang).with(stderr)
	m := msgLang(fs, *lang)
	if len(args) == 0 {
		m.f(stderr, "simrisk test: give rule files or directories\n")
		return 2
	}
	if !checkOutputs("test", args, []string{*junit}, stderr) {
		return 2
	}
	rs, err := loadRules(args, rules.WithLimits(limits.lim))
	if err != nil {
		m.f(stderr, "simrisk test: the rules cannot be used:\n")
		printErrors(stderr, err)
		return 1
	}
	// a failure quotes a rule's reason: in the command's language
	eng, err := risk.Compile(rs, compileOptions(limits.lim, risk.WithLanguage(string(m)))...)
	if err != nil {
		m.f(stderr, "simrisk test: the rules cannot be used:\n")
		printErrors(stderr, err)
		return 1
	}
	start := time.Now()
	rep := eng.RunTests(rs.Tests, risk.WithRecordLoader(datasets.LoadRecords))
	took := time.Since(start)
	for _, r := range rep.Results {
		if r.Passed() {
			continue
		}
		m.f(stdout, "FAIL %s: %s\n", r.Pos, ref.MaskText(r.Name)) // a name may cite a real case
		for _, f := range r.Failures {
			fmt.Fprintf(stdout, "    %s\n", m.lib(f))
		}
	}
	m.f(stdout, "%d passed, %d failed\n", rep.Passed, rep.Failed)
	if len(rep.Results) == 0 {
		// a run that tested nothing must not pass for one that passed
		m.f(stderr, "simrisk test: no tests in %s: nothing was tested (a rule file's tests: section; rules/README.md)\n", strings.Join(args, " "))
		return 1
	}
	uncovered := 0
	if *coverage {
		cov := rep.Coverage(eng)
		for _, c := range cov.Rules {
			switch {
			case c.Fired == 0 && c.NotFired == 0:
				m.f(stdout, "coverage: rule %s: no case\n", c.ID)
			case c.Fired == 0:
				m.f(stdout, "coverage: rule %s: no case fires it\n", c.ID)
			case c.NotFired == 0:
				m.f(stdout, "coverage: rule %s: every case fires it (no case shows it silent)\n", c.ID)
			default:
				continue
			}
			uncovered++
		}
		for _, o := range cov.Outcomes {
			if o.Cases == 0 {
				m.f(stdout, "coverage: outcome %s: no case ends in it\n", m.name(o.Outcome.String()))
				uncovered++
			}
		}
		covered := 0
		for _, c := range cov.Rules {
			if c.Covered() {
				covered++
			}
		}
		gaps := "gaps"
		if uncovered == 1 {
			gaps = "gap"
		}
		m.f(stdout, "coverage: %d of %d rules fire and stay silent in some case; %d %s\n", covered, len(cov.Rules), uncovered, m.s(gaps))
	}
	if *junit != "" {
		if err := writeJUnit(*junit, rs.Name, rep, took); err != nil {
			msgsOf(stderr).f(stderr, "simrisk test: --junit: %v\n", err)
			return 1
		}
	}
	if rep.Failed > 0 || errors.Is(err, rules.CodeBadTest) {
		return 1
	}
	return 0
}

type junitSuites struct {
	XMLName xml.Name     `xml:"testsuites"`
	Suites  []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Line      int           `xml:"line,attr,omitempty"`
	Failure   *junitFailure `xml:"failure,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

// writeJUnit writes the rule tests as one JUnit XML test suite per rule set.
func writeJUnit(path, name string, rep *risk.TestReport, took time.Duration) error {
	s := junitSuite{Name: name, Tests: len(rep.Results), Failures: rep.Failed, Time: fmt.Sprintf("%.3f", took.Seconds())}
	for _, r := range rep.Results {
		c := junitCase{Name: ref.MaskText(r.Name), Classname: name, File: r.Pos.File, Line: r.Pos.Line}
		if !r.Passed() {
			c.Failure = &junitFailure{Message: r.Failures[0], Text: strings.Join(r.Failures, "\n")}
		}
		s.Cases = append(s.Cases, c)
	}
	b, err := xml.MarshalIndent(junitSuites{Suites: []junitSuite{s}}, "", "  ")
	if err != nil {
		return err
	}
	return writeOutput(path, func(w io.Writer) error {
		_, err := w.Write(append([]byte(xml.Header), append(b, '\n')...))
		return err
	})
}

// inputErrText is a reading error of the input file said for the command
// line: the file's name where the library names its package ("datasets: "),
// and the flag without the Go option beside it.
func inputErrText(m msgs, path string, err error) string {
	text := m.libErr(err)
	if path == "-" {
		path = m.s("standard input")
	}
	for _, p := range []string{"datasets: ", "datasets："} {
		if rest, ok := strings.CutPrefix(text, p); ok {
			text = path + p[len("datasets"):] + rest
		}
	}
	for _, goAPI := range []string{" (datasets.WithEncoding(datasets.GB18030))", "（datasets.WithEncoding(datasets.GB18030)）", " (the Encoding of that name)", "（同名的 Encoding）"} {
		text = strings.ReplaceAll(text, goAPI, "")
	}
	return text
}
