package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"

	"golang.org/x/term"

	"github.com/simrisk/simrisk/datasets"
	"github.com/simrisk/simrisk/rules"
)

// The command line's conventions, one place for every subcommand:
//
//   - flags are written GNU-style, --name VALUE or --name=VALUE (the
//     standard library's flag package also accepts -name; help and docs
//     show --name);
//   - --help (-h) prints the subcommand's usage on standard output and
//     exits 0;
//   - a flag or argument the subcommand does not take is a usage error
//     (exit 2) that names it;
//   - flags may follow positional arguments (lint PATH --format json);
//     "--" ends the flags.

// synopses are each subcommand's usage lines and what it does.
var synopses = map[string]string{
	"score": `simrisk score [--pack NAME | --rules PATH ...] --as-of DATE --in FILE [--out FILE.jsonl|FILE.csv] [--only-flagged]
              [--rejects FILE] [flags]
score every record of a file: decisions (JSON Lines, or CSV when --out ends in .csv), rejects, a summary on stderr`,
	"lint": `simrisk lint [--format text|json|sarif] [--pack NAME] [--limit NAME=VALUE ...] PATH...
check rule files; every problem as file:line:col: rule "id": [code] message`,
	"test": `simrisk test [--coverage] [--junit FILE] [--limit NAME=VALUE ...] PATH...
run the rule files' tests; exits 1 when one fails or when there are none`,
	"explain": `simrisk explain [--pack NAME | --rules PATH] --as-of DATE [--in FILE (--msisdn N | --ref LINE)] [--format jsonl|csv] [--json] [--lang zh|en]
every rule's verdict on one card (standard input without --in), with near misses`,
	"backtest": `simrisk backtest [--baseline PACK] --candidate PACK --in FILE --as-of DATE [--report FILE.html] [--changes FILE.csv]
compare two rule sets on a (labelled) population; PACK is pack:NAME (embedded) or a rule file or directory`,
	"fit": `simrisk fit --pack PACK --in LABELLED --as-of DATE --out SUGGESTED.yaml [--force]
fit rule scores to labels; writes a suggested rule file (never over an existing file without --force)`,
	"gen": `simrisk gen --cards N --seed S --as-of DATE [--out FILE] [--format jsonl|csv]
simrisk gen --stats FILE [--as-of DATE] [--id-key-file FILE]
write a synthetic population with ground-truth labels, or print a population's statistics`,
	"packs":   "simrisk packs\nlist the embedded rule packs",
	"version": "simrisk version\nthe command's module version, the Go version it was built with and the embedded packs' digests",
}

// newFlags is a flag set for a subcommand; its errors are printed by
// parseFlags, not by the flag package.
func newFlags(cmd string) *flag.FlagSet {
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// printUsage writes cmd's synopsis and its flags, GNU-style, in m's
// language.
func printUsage(w io.Writer, fs *flag.FlagSet, m msgs) {
	syn := synopses[fs.Name()]
	if z, ok := zhSynopses[fs.Name()]; ok && m == rules.LangZh {
		syn = z
	}
	m.f(w, "usage: %s\n", syn)
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n == 0 {
		return
	}
	m.f(w, "\nflags:\n")
	fs.VisitAll(func(f *flag.Flag) {
		typ, use := flag.UnquoteUsage(f)
		if z, ok := zhFlagUsage[f.Usage]; ok && m == rules.LangZh {
			use = z
		}
		line := "  --" + f.Name
		if typ != "" {
			line += " " + metavar(fs.Name(), f.Name, typ)
		}
		fmt.Fprintln(w, line)
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" {
			use += m.sf(" (default %s)", f.DefValue)
		}
		fmt.Fprintf(w, "      %s\n", use)
	})
}

// metavars name a flag's value in help by what it is, not by its Go type.
var metavars = map[string]string{
	"as-of": "DATE", "in": "FILE", "out": "FILE", "rejects": "FILE", "report": "FILE.html", "changes": "FILE",
	"aliases": "FILE", "id-key-file": "FILE", "segments": "FILE", "junit": "FILE", "stats": "FILE",
	"baseline": "PACK", "candidate": "PACK", "pack": "NAME", "rules": "PATH", "lang": "zh|en",
	"encoding": "ENCODING", "msisdn": "NUMBER", "ref": "LINE", "limit": "NAME=VALUE",
	"max-reject-ratio": "SHARE", "holdout": "SHARE", "sample": "N", "cards": "N", "seed": "N",
}

func metavar(cmd, name, typ string) string {
	switch {
	case cmd == "fit" && name == "pack":
		return "PACK"
	case cmd == "lint" && name == "format":
		return "text|json|sarif"
	case name == "format":
		return "jsonl|csv"
	}
	if m, ok := metavars[name]; ok {
		return m
	}
	return strings.ToUpper(typ)
}

// parseFlags parses a subcommand's arguments: flags anywhere, "--" ending
// them. positional is what the subcommand takes besides flags ("" for
// nothing, as PATH... for lint). done is true when the caller must return
// code: 0 after --help (usage on stdout), 2 after a usage mistake (said on
// stderr).
func parseFlags(fs *flag.FlagSet, args []string, positional string, stdout, stderr io.Writer) (pos []string, code int, done bool) {
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			printUsage(stdout, fs, langInArgs(args))
			return nil, 0, true
		}
		if err != nil {
			msg := err.Error()
			if name, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
				msg = fmt.Sprintf("unknown flag --%s", strings.TrimLeft(name, "-"))
			} else {
				msg = strings.ReplaceAll(msg, "flag: -", "flag --")
				msg = strings.Replace(msg, " for flag -", " for flag --", 1)
				msg = strings.Replace(msg, " for -", " for --", 1) // invalid boolean value "x" for -strict
				msg = strings.Replace(msg, "flag needs an argument: -", "flag needs a value: --", 1)
			}
			m := langInArgs(args)
			m.f(stderr, "simrisk %s: %s\nrun 'simrisk %s --help' for usage\n", fs.Name(), m.lib(msg), fs.Name())
			return nil, 2, true
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	if positional == "" && len(pos) > 0 {
		langInArgs(args).f(stderr, "simrisk %s: unexpected argument %q (flags are written --name VALUE)\nrun 'simrisk %s --help' for usage\n", fs.Name(), pos[0], fs.Name())
		return nil, 2, true
	}
	return pos, 0, false
}

// addLangFlag is --lang, which every command but packs and version
// takes; checkLang refuses a language the texts do not come in.
func addLangFlag(fs *flag.FlagSet) *string {
	return fs.String("lang", defaultLang(), "the language of everything the command says (titles, reasons, the report, summaries, messages, --help): zh or en; the default is $SIMRISK_LANG, else zh")
}

func checkLang(fs *flag.FlagSet, lang string, stderr io.Writer) bool {
	for _, l := range rules.Languages() {
		if l == lang {
			return true
		}
	}
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == "lang" })
	m := langInArgs(nil) // the default, as far as it is a language
	if given {
		m.f(stderr, "simrisk %s: --lang %s: not a language simrisk speaks; use --lang zh (中文) or --lang en (English)\n", fs.Name(), lang)
	} else {
		m.f(stderr, "simrisk %s: %s=%s: not a language simrisk speaks; set %s to zh (中文) or en (English), or give --lang\n", fs.Name(), langEnv, lang, langEnv)
	}
	return false
}

// isTerminal says whether w is a terminal, where progress bars may be
// drawn; files, pipes, buffers and character devices that are no terminal
// (/dev/null) get none. It asks the terminal driver (golang.org/x/term).
func isTerminal(w io.Writer) bool {
	f, ok := unwrapWriter(w).(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// cmdVersion prints the module's version, the Go version and each
// embedded pack's name, version and digest.
func cmdVersion(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("version")
	if _, code, done := parseFlags(fs, args, "", stdout, stderr); done {
		return code
	}
	mod, ver := "github.com/simrisk/simrisk", "(unknown)"
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Path != "" {
			mod = bi.Main.Path
		}
		if bi.Main.Version != "" {
			ver = bi.Main.Version
		}
	}
	fmt.Fprintf(stdout, "simrisk %s %s\n%s\n", mod, ver, runtime.Version())
	for _, p := range rules.Packs() {
		rs, err := rules.Pack(p)
		if err != nil {
			fmt.Fprintf(stdout, "pack:%s: %v\n", p, err)
			continue
		}
		fmt.Fprintf(stdout, "pack:%s %s %s\n", p, rs.Version, rs.Digest)
	}
	return 0
}

// cmdPacks lists the embedded packs.
func cmdPacks(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("packs")
	if _, code, done := parseFlags(fs, args, "", stdout, stderr); done {
		return code
	}
	for _, p := range rules.Packs() {
		fmt.Fprintln(stdout, p)
	}
	return 0
}

// formatsByExt are the formats file names say, by extension: the ones
// simrisk writes and the ones a name could wrongly promise.
var formatsByExt = map[string]string{
	".csv": "CSV", ".jsonl": "JSON Lines", ".json": "JSON", ".ndjson": "JSON Lines",
	".html": "HTML", ".htm": "HTML", ".yaml": "YAML", ".yml": "YAML",
	".tsv": "TSV", ".xlsx": "Excel", ".xls": "Excel", ".ods": "a spreadsheet", ".parquet": "Parquet",
	".xml": "XML", ".pdf": "PDF",
}

// compressed says whether ext (".gz") names a compressed file.
func compressed(ext string) bool {
	return slices.Contains([]string{".gz", ".gzip", ".zip", ".bz2", ".xz", ".zst", ".7z", ".tgz"}, strings.ToLower(ext))
}

// nameSays checks that an output's name does not promise another format
// than the ones it is written in (want, as formatsByExt names them): a
// compressed name (.gz) or one that says another format (.xlsx for CSV,
// .csv for the HTML report) is an error naming the flag. A name without
// an extension or with one that says no format (.out, .txt), "-" and what
// exists and is not a regular file (/dev/null, a FIFO) are fine. It
// returns the format the name says ("" for none).
func nameSays(flagName, name string, want ...string) (string, error) {
	if st, err := os.Stat(name); name == "" || name == "-" || err == nil && !st.Mode().IsRegular() {
		return "", nil
	}
	ext := strings.ToLower(filepath.Ext(name))
	if compressed(ext) {
		return "", fmt.Errorf("%s %s: simrisk writes uncompressed files; name it without %s and compress it afterwards", flagName, name, ext)
	}
	says, ok := formatsByExt[ext]
	if !ok || slices.Contains(want, says) {
		return says, nil
	}
	if says == "JSON" && slices.Contains(want, "JSON Lines") {
		return says, nil // a .json name for JSON Lines, as simrisk always took it
	}
	names := make([]string, len(want))
	for i, w := range want {
		for _, e := range []string{".csv", ".jsonl", ".html", ".yaml"} {
			if formatsByExt[e] == w {
				names[i] = e + " (" + w + ")"
			}
		}
	}
	if len(want) == 2 {
		return "", fmt.Errorf("%s %s: the name says %s, but it is written as %s or %s: name it %s or %s", flagName, name, says, want[0], want[1], names[0], names[1])
	}
	return "", fmt.Errorf("%s %s: the name says %s, but it is written as %s: name it %s", flagName, name, says, strings.Join(want, " or "), strings.Join(names, " or "))
}

// outputFormat is the format a record or decision output is written in,
// told by its name (nameSays): .csv (any case) is CSV; anything else
// JSON Lines, the default (a .json name too, as before: one JSON value a
// line).
func outputFormat(flagName, name string) (datasets.Format, error) {
	says, err := nameSays(flagName, name, "CSV", "JSON Lines")
	if says == "CSV" {
		return datasets.CSV, err
	}
	return datasets.JSONL, err
}

// refuseDash refuses (on stderr) an output flag given "-" where standard
// output already carries something (stdoutHolds says what): it says so
// instead of writing a file named "-".
func refuseDash(cmd, flagName, value, stdoutHolds string, stderr io.Writer) bool {
	if value != "-" {
		return false
	}
	m := msgsOf(stderr)
	m.f(stderr, "simrisk %s: %s -: standard output carries %s; give %s a file name\n", cmd, flagName, m.s(stdoutHolds), flagName)
	return true
}

// checkName is nameSays for a command: the error on stderr, false.
func checkName(cmd, flagName, name string, stderr io.Writer, want ...string) bool {
	if _, err := nameSays(flagName, name, want...); err != nil {
		msgsOf(stderr).f(stderr, "simrisk %s: %v\n", cmd, err)
		return false
	}
	return true
}
