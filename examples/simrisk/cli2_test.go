package main

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const sampleCards = "../../datasets/sample/cards.jsonl"

// simrisk help help (and help --help, help -h) is the help, not an unknown
// command.
func TestHelpOfHelp(t *testing.T) {
	for _, args := range [][]string{{"help", "help"}, {"help", "--help"}, {"help", "-h"}, {"--help", "--help"}, {"-h", "help"}} {
		code, stdout, stderr := runCLI(args...)
		require.Equal(t, 0, code, "%v: %s", args, stderr)
		require.Empty(t, stderr, args)
		require.Equal(t, usage, stdout, args)
	}
}

// "-" is standard output where an output may go there (score --out, gen
// --out, score --rejects when the decisions go to a file); where standard
// output carries something else, "-" is a usage error, never a file named
// "-".
func TestDashOutputs(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"score", "--as-of", "2026-11-01", "--in", sampleCards, "--rejects", "-"}, "--rejects -: standard output carries the decisions"},
		{[]string{"score", "--as-of", "2026-11-01", "--in", sampleCards, "--out", "-", "--rejects", "-"}, "--rejects -: standard output carries the decisions"},
		{[]string{"backtest", "--candidate", "pack:default-cel", "--as-of", "2026-11-01", "--in", sampleCards, "--changes", "-"}, "--changes -: standard output carries the backtest's summary"},
		{[]string{"backtest", "--candidate", "pack:default-cel", "--as-of", "2026-11-01", "--in", sampleCards, "--report", "-"}, "--report -: standard output carries the backtest's summary"},
		{[]string{"fit", "--in", sampleCards, "--as-of", "2026-11-01", "--out", "-"}, "--out -: standard output carries the fit's summary"},
	} {
		code, stdout, stderr := runCLI(tc.args...)
		require.Equal(t, 2, code, "%v: %s", tc.args, stderr)
		require.Empty(t, stdout, tc.args)
		require.Contains(t, stderr, tc.want, tc.args)
		_, err := os.Stat("-")
		require.True(t, os.IsNotExist(err), "%v wrote a file named -", tc.args)
	}
	// decisions to a file, rejects to standard output
	in := filepath.Join(dir, "in.jsonl")
	require.NoError(t, os.WriteFile(in, []byte(`{"msisdn":"13800138000","opened_at":"2024-03-01"}`+"\nnot json\n"), 0o644))
	code, stdout, stderr := runCLI("score", "--as-of", "2026-11-01", "--in", in, "--out", filepath.Join(dir, "d.jsonl"), "--rejects", "-")
	require.Equal(t, 0, code, stderr)
	require.Regexp(t, `^\{"line":2,"reason":"[^"]+"\}\n$`, stdout)
}

// An output's name says its format: .csv (any case) is CSV, anything else
// JSON Lines; a name that says another format (a compressed file, .xlsx,
// a report named .csv, a rule file named .json) is a usage error that
// names the flag, not a file in a format its name does not say.
func TestOutputNameSaysItsFormat(t *testing.T) {
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	score := func(extra ...string) []string {
		return append([]string{"score", "--as-of", "2026-11-01", "--in", sampleCards}, extra...)
	}
	backtest := func(extra ...string) []string {
		return append([]string{"backtest", "--candidate", "pack:default-cel", "--as-of", "2026-11-01", "--in", sampleCards}, extra...)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{score("--out", p("d.csv.gz")), "--out " + p("d.csv.gz") + ": simrisk writes uncompressed files; name it without .gz and compress it afterwards"},
		{score("--out", p("d.jsonl.zip")), "name it without .zip"},
		{score("--out", p("d.xlsx")), "--out " + p("d.xlsx") + ": the name says Excel, but it is written as CSV or JSON Lines: name it .csv (CSV) or .jsonl (JSON Lines)"},
		{score("--out", p("d.tsv")), "the name says TSV"},
		{score("--out", p("d.jsonl"), "--rejects", p("r.csv")), "--rejects " + p("r.csv") + ": the name says CSV, but it is written as JSON Lines: name it .jsonl (JSON Lines)"},
		{backtest("--changes", p("c.csv.gz")), "--changes " + p("c.csv.gz") + ": simrisk writes uncompressed files"},
		{backtest("--changes", p("c.html")), "--changes " + p("c.html") + ": the name says HTML"},
		{backtest("--report", p("r.csv")), "--report " + p("r.csv") + ": the name says CSV, but it is written as HTML: name it .html (HTML)"},
		{[]string{"fit", "--in", sampleCards, "--as-of", "2026-11-01", "--out", p("s.json")}, "--out " + p("s.json") + ": the name says JSON, but it is written as YAML: name it .yaml (YAML)"},
		{[]string{"gen", "--cards", "3", "--as-of", "2026-11-01", "--out", p("g.csv.gz")}, "simrisk writes uncompressed files"},
		{[]string{"gen", "--cards", "3", "--as-of", "2026-11-01", "--out", p("g.csv.gz"), "--format", "csv"}, "simrisk writes uncompressed files"},
		{[]string{"gen", "--cards", "3", "--as-of", "2026-11-01", "--out", p("g.csv"), "--format", "jsonl"}, "--out " + p("g.csv") + ": the name says CSV, but it is written as JSON Lines"},
		{[]string{"gen", "--cards", "3", "--as-of", "2026-11-01", "--out", p("g.xlsx")}, "the name says Excel"},
	} {
		code, _, stderr := runCLI(tc.args...)
		require.Equal(t, 2, code, "%v: %s", tc.args, stderr)
		require.Contains(t, stderr, tc.want, tc.args)
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Empty(t, entries, "nothing written")

	// what the name says is what is written
	for name, head := range map[string]string{"D.CSV": "line,msisdn,", "d.ndjson": `{"msisdn":`, "decisions": `{"msisdn":`, "d.out": `{"msisdn":`} {
		code, _, stderr := runCLI(score("--out", p(name))...)
		require.Equal(t, 0, code, stderr)
		b, err := os.ReadFile(p(name))
		require.NoError(t, err)
		require.True(t, strings.HasPrefix(string(b), head), "%s: %.80s", name, b)
	}
	code, _, stderr := runCLI(score("--out", os.DevNull)...)
	require.Equal(t, 0, code, stderr)
	code, _, stderr = runCLI("gen", "--cards", "3", "--as-of", "2026-11-01", "--out", p("g.txt"), "--format", "csv")
	require.Equal(t, 0, code, stderr)
	b, err := os.ReadFile(p("g.txt"))
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(b), "msisdn,"), "%.80s", b)
	code, _, stderr = runCLI(backtest("--changes", p("C.CSV"), "--report", p("r.HTM"))...)
	require.Equal(t, 0, code, stderr)
	b, err = os.ReadFile(p("C.CSV"))
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(b), "ref,card,"), "%.80s", b)
}

// An output in a directory that does not exist is said so, by the name
// the user gave, not by the temporary file behind it.
func TestOutputInMissingDirectory(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "nodir", "d.csv")
	code, _, stderr := runCLI("score", "--as-of", "2026-11-01", "--in", sampleCards, "--out", out)
	require.Equal(t, 1, code)
	require.Equal(t, "simrisk score: output "+out+": directory "+filepath.Join(dir, "nodir")+" does not exist\n", stderr)
	code, _, stderr = runCLI("backtest", "--candidate", "pack:default-cel", "--as-of", "2026-11-01", "--in", sampleCards, "--changes", out)
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "simrisk backtest: --changes: output "+out+": directory "+filepath.Join(dir, "nodir")+" does not exist\n")
}

// --ref is a line number from 1: 0 and negative numbers are usage errors
// that say so (not "--in needs --msisdn" nor "--ref needs --in").
func TestExplainRefIsALineFromOne(t *testing.T) {
	for _, r := range []string{"0", "-1", "-99"} {
		code, stdout, stderr := runCLI("explain", "--as-of", "2026-11-01", "--in", sampleCards, "--ref", r)
		require.Equal(t, 2, code, r)
		require.Empty(t, stdout)
		require.Equal(t, "simrisk explain: --ref "+r+": a reference is a line number from 1 (the line of --in a card stands on, as backtest and score print it)\n", stderr)
	}
	code, _, stderr := runCLI("explain", "--as-of", "2026-11-01", "--in", sampleCards, "--ref=x")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, `invalid value "x" for flag --ref`)
}

// explain and backtest show the first rejected records of their input and
// count the rest: a file with many bad lines does not bury the answer.
func TestRejectedRecordsSummarised(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.jsonl")
	var b strings.Builder
	fmt.Fprintln(&b, `{"msisdn":"13800138000","opened_at":"2024-03-01","last_voice_at":"2026-10-30"}`)
	for i := 0; i < 12; i++ {
		fmt.Fprintln(&b, "not json")
	}
	require.NoError(t, os.WriteFile(in, []byte(b.String()), 0o644))
	for _, args := range [][]string{
		{"explain", "--as-of", "2026-11-01", "--in", in, "--ref", "1"},
		{"backtest", "--candidate", "pack:default-cel", "--as-of", "2026-11-01", "--in", in},
	} {
		code, stdout, stderr := runCLI(args...)
		require.Equal(t, 0, code, "%v: %s", args, stderr)
		require.NotEmpty(t, stdout)
		require.Equal(t, 5, strings.Count(stderr, "record rejected: line "), "%v: %s", args, stderr)
		require.Contains(t, stderr, "simrisk "+args[0]+": "+in+": ... and 7 more rejected records (simrisk score --in "+in+" --rejects FILE lists every one)\n")
	}
}

// pack:NAME works the same in every command's --pack (lint too); an
// unknown pack lists the embedded ones in the CLI's words; a directory
// given to --pack is pointed to --rules; an empty --baseline says what it
// wants.
func TestPackNamesEverywhere(t *testing.T) {
	code, stdout, stderr := runCLI("lint", "--pack", "pack:default")
	require.Equal(t, 0, code, stderr)
	require.NotContains(t, stdout+stderr, "no embedded pack")
	want := `no embedded pack "nope": the embedded packs are pack:default, pack:default-cel (simrisk packs); a rule file or directory is given by its path`
	for _, args := range [][]string{
		{"lint", "--pack", "nope"},
		{"lint", "--pack", "pack:nope"},
		{"score", "--pack", "pack:nope", "--as-of", "2026-11-01", "--in", sampleCards},
		{"explain", "--pack", "nope", "--as-of", "2026-11-01", "--in", sampleCards, "--ref", "1"},
		{"backtest", "--candidate", "pack:nope", "--as-of", "2026-11-01", "--in", sampleCards},
		{"fit", "--pack", "pack:nope", "--as-of", "2026-11-01", "--in", sampleCards, "--out", filepath.Join(t.TempDir(), "s.yaml")},
	} {
		code, _, stderr := runCLI(args...)
		require.NotZero(t, code, "%v: %s", args, stderr)
		require.Contains(t, stderr, want, args)
		require.NotContains(t, stderr, "[default default-cel]", args)
	}
	code, _, stderr = runCLI("score", "--pack", "../../rules/packs/default", "--as-of", "2026-11-01", "--in", sampleCards)
	require.Equal(t, 2, code, stderr)
	require.Equal(t, "simrisk score: --pack ../../rules/packs/default: --pack names an embedded pack; a rule file or directory goes in --rules ../../rules/packs/default\n", stderr)
	code, _, stderr = runCLI("backtest", "--baseline", "", "--candidate", "pack:default", "--as-of", "2026-11-01", "--in", sampleCards)
	require.Equal(t, 1, code, stderr)
	require.Contains(t, stderr, "--baseline  cannot be used:\nno rules named: give pack:NAME (an embedded pack) or a rule file or directory\n")
}

// A CSV whose name does not say so (an export named .txt) is read with
// --format csv by backtest and fit as by score (every record read, none
// rejected as broken JSON).
func TestFormatFlagForBacktestAndFit(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "export.txt")
	code, _, stderr := runCLI("gen", "--cards", "3000", "--seed", "7", "--as-of", "2026-11-01", "--format", "csv", "--out", in)
	require.Equal(t, 0, code, stderr)
	changes := filepath.Join(dir, "changes.csv")
	code, stdout, stderr := runCLI("backtest", "--candidate", "../../rules/packs/default-cel", "--baseline", "pack:default", "--format", "csv",
		"--in", in, "--as-of", "2026-11-01", "--changes", changes, "--sample", "0")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, "cards 3000, rejected 0")
	code, _, stderr = runCLI("fit", "--format", "csv", "--in", in, "--as-of", "2026-11-01", "--out", filepath.Join(dir, "s.yaml"))
	require.Equal(t, 0, code, stderr)
	code, _, stderr = runCLI("fit", "--format", "xls", "--in", in, "--as-of", "2026-11-01", "--out", filepath.Join(dir, "x.yaml"))
	require.Equal(t, 2, code, stderr)
	require.Contains(t, stderr, "simrisk fit: --format: ")
	code, _, stderr = runCLI("backtest", "--candidate", "pack:default-cel", "--format", "xls", "--in", in, "--as-of", "2026-11-01")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "simrisk backtest: --format: ")
}

// A decision CSV opened in a spreadsheet runs no formula: a reason that
// begins with a card's value ("=HYPERLINK(...)", "+cmd", "@SUM") starts
// with ' and stays text; JSON Lines decisions keep the text as it is.
func TestDecisionCSVRunsNoFormula(t *testing.T) {
	dir := t.TempDir()
	rulesDir := filepath.Join(dir, "r")
	require.NoError(t, os.Mkdir(rulesDir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(rulesDir, "r.yaml"), []byte(`name: r
version: "1"
bands:
  - {min: 0, level: low, outcome: pass}
  - {min: 5, level: high, outcome: verify}
rules:
  - id: brand
    title: brand
    when: mvno != ""
    score: 10
    outcome: monitor
    reason: "{mvno}"
`), 0o644))
	in := filepath.Join(dir, "in.jsonl")
	var b strings.Builder
	for i, v := range []string{`=HYPERLINK(\"http://x/\",\"x\")`, "+cmd|' /C calc'!A0", "-2+3", "@SUM(1)", "plain"} {
		fmt.Fprintf(&b, `{"msisdn":"1380013800%d","opened_at":"2024-03-01","last_voice_at":"2026-10-30","mvno":"%s"}`+"\n", i, v)
	}
	require.NoError(t, os.WriteFile(in, []byte(b.String()), 0o644))
	out := filepath.Join(dir, "d.csv")
	code, _, stderr := runCLI("score", "--rules", rulesDir, "--as-of", "2026-11-01", "--in", in, "--out", out)
	require.Equal(t, 0, code, stderr)
	f, err := os.Open(out)
	require.NoError(t, err)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 6)
	var reasons []string
	for _, r := range rows[1:] {
		reasons = append(reasons, r[8])
	}
	require.Equal(t, []string{`'=HYPERLINK("http://x/","x")`, "'+cmd|' /C calc'!A0", "'-2+3", "'@SUM(1)", "plain"}, reasons)
}
