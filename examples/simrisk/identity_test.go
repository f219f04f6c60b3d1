package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// records/README.md, segments-1064-174.jsonl, from the command line: the
// unknown 1749 segment without operator is rejected naming only its masked
// prefix; --segments adds it without a release, and then it is scored.
func TestScoreSegmentsFile(t *testing.T) {
	dir := t.TempDir()
	out, rej := filepath.Join(dir, "d.jsonl"), filepath.Join(dir, "r.jsonl")
	in := filepath.Join("testdata", "segments-1064-174.jsonl")
	code, _, stderr := runCLI("score", "--as-of", "2026-11-01", "--in", in, "--out", out, "--rejects", rej)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stderr, "records 10 = decisions 9 + rejected 1")
	r, err := os.ReadFile(rej)
	require.NoError(t, err)
	require.Contains(t, string(r), `"line":4,"reason":"msisdn: no known 11-digit number segment starts 174…;`)

	segs := filepath.Join(dir, "segments.csv")
	require.NoError(t, os.WriteFile(segs, []byte("# our own segments\nprefix,length,operator,kind,mvno,note\n1749,11,telecom,mobile,false,emergency\n"), 0o644))
	code, _, stderr = runCLI("score", "--as-of", "2026-11-01", "--in", in, "--out", out, "--rejects", rej, "--segments", segs)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stderr, "records 10 = decisions 10 + rejected 0")
	d, err := os.ReadFile(out)
	require.NoError(t, err)
	require.Contains(t, string(d), `"msisdn":"17490000001"`)

	bad := filepath.Join(dir, "bad.csv")
	require.NoError(t, os.WriteFile(bad, []byte("prefix,length,operator,kind,mvno\n1749,12,telecom,mobile,false\n"), 0o644))
	for _, cmd := range [][]string{
		{"score", "--as-of", "2026-11-01", "--in", in, "--segments", bad},
		{"explain", "--as-of", "2026-11-01", "--in", in, "--msisdn", "17490000001", "--segments", bad},
		{"backtest", "--candidate", "default", "--as-of", "2026-11-01", "--in", in, "--segments", bad},
	} {
		code, _, stderr = runCLI(cmd...)
		require.Equal(t, 1, code, cmd[0])
		require.True(t, strings.Contains(stderr, "--segments") && strings.Contains(stderr, `line 2: length "12": want 11 or 13`), stderr)
	}
}

// records/README.md, same-input.jsonl: an output naming the input, or two
// outputs naming one file, are refused before anything is opened for
// writing: exit non-zero, the input untouched.
func TestScoreRefusesOutputOverInput(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join("testdata", "same-input.jsonl"))
	require.NoError(t, err)
	in := filepath.Join(dir, "same-input.jsonl")
	require.NoError(t, os.WriteFile(in, src, 0o644))
	link := filepath.Join(dir, "link.jsonl")
	require.NoError(t, os.Link(in, link))
	sym := filepath.Join(dir, "sym.jsonl")
	require.NoError(t, os.Symlink(in, sym))
	other := filepath.Join(dir, "d.jsonl")
	for _, args := range [][]string{
		{"--out", in},
		{"--rejects", in},
		{"--out", filepath.Join(dir, ".", "x", "..", "same-input.jsonl")},
		{"--out", link},
		{"--rejects", sym},
		{"--out", other, "--rejects", other},
		{"--id-key-file", in, "--out", in},
	} {
		code, _, stderr := runCLI(append([]string{"score", "--as-of", "2026-11-01", "--in", in}, args...)...)
		require.Equal(t, 2, code, "%v: %s", args, stderr)
		require.Contains(t, stderr, "simrisk score: output", args)
		got, err := os.ReadFile(in)
		require.NoError(t, err)
		require.Equal(t, string(src), string(got), "the input is untouched")
		_, err = os.Stat(other)
		require.True(t, os.IsNotExist(err), "nothing was opened for writing")
	}
	// the other commands' outputs too
	rulesSrc, err := os.ReadFile("../../rules/packs/default/default.yaml")
	require.NoError(t, err)
	rulesCopy := filepath.Join(dir, "rules.yaml")
	require.NoError(t, os.WriteFile(rulesCopy, rulesSrc, 0o644))
	for _, args := range [][]string{
		{"backtest", "--candidate", "default", "--as-of", "2026-11-01", "--in", in, "--report", in},
		{"fit", "--pack", "default", "--as-of", "2026-11-01", "--in", in, "--out", link},
		{"test", "--junit", rulesCopy, rulesCopy},
		{"test", "--junit", rulesCopy, dir},
	} {
		code, _, stderr := runCLI(args...)
		require.Equal(t, 2, code, "%v: %s", args, stderr)
		require.Contains(t, stderr, "output", args)
		got, _ := os.ReadFile(in)
		require.Equal(t, string(src), string(got))
		got, _ = os.ReadFile(rulesCopy)
		require.Equal(t, string(rulesSrc), string(got))
	}
}

// An output is written under a temporary name and renamed when the run
// completed: a run that stops half way leaves the old file as it was and
// no temporary file behind.
func TestScoreInterruptedLeavesNoHalfFile(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join("testdata", "same-input.jsonl")
	out, rej := filepath.Join(dir, "d.jsonl"), filepath.Join(dir, "r.jsonl")
	require.NoError(t, os.WriteFile(out, []byte("yesterday's decisions\n"), 0o640))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var o, e bytes.Buffer
	code := run(ctx, []string{"score", "--as-of", "2026-11-01", "--in", in, "--out", out, "--rejects", rej}, &o, &e)
	require.Equal(t, 1, code, e.String())
	got, err := os.ReadFile(out)
	require.NoError(t, err)
	require.Equal(t, "yesterday's decisions\n", string(got))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "only the old output: no temporary or rejects file")

	code, _, stderr := runCLI("score", "--as-of", "2026-11-01", "--in", in, "--out", out, "--rejects", rej)
	require.Equal(t, 0, code, stderr)
	got, _ = os.ReadFile(out)
	require.Equal(t, 7, strings.Count(string(got), "\n"))
	info, err := os.Stat(out)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o640), info.Mode().Perm(), "a replaced output keeps its mode")
	entries, _ = os.ReadDir(dir)
	require.Len(t, entries, 2)
}

// One card, one count: the same number twice (in two spellings) counts
// once, in its later record's state; the earlier record is rejected as
// superseded, and stderr names the card (masked) and its lines.
func TestScoreDuplicateCard(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "c.jsonl")
	var src strings.Builder
	for i := 1; i <= 5; i++ {
		fmt.Fprintf(&src, `{"msisdn":"1380013800%d","opened_at":"2024-03-01","holder":"h-1","last_voice_at":"2026-10-30"}`+"\n", i)
	}
	// the first card again, twice: 7 records, 5 cards of h-1 (no 一证五卡)
	src.WriteString(`{"msisdn":"+86 138 0013 8001","opened_at":"2024-03-01","holder":"h-1","last_voice_at":"2026-10-30"}` + "\n")
	src.WriteString(`{"msisdn":"13800138001","opened_at":"2024-03-01","holder":"h-1","last_voice_at":"2026-10-30","fraud_flag":"police"}` + "\n")
	require.NoError(t, os.WriteFile(in, []byte(src.String()), 0o644))
	out, rej := filepath.Join(dir, "d.jsonl"), filepath.Join(dir, "r.jsonl")
	code, _, stderr := runCLI("score", "--as-of", "2026-11-01", "--in", in, "--out", out, "--rejects", rej)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stderr, "records 7 = decisions 5 + rejected 2; 1 holder")
	require.Contains(t, stderr, "duplicates: 2 records superseded")
	require.Contains(t, stderr, "card 138****8001 on lines 1, 6, 7")
	d, _ := os.ReadFile(out)
	require.NotContains(t, string(d), "multi_card_id", "five cards, not seven")
	require.Contains(t, string(d), `"msisdn":"13800138001","score"`)
	require.Contains(t, string(d), "fraud_involved", "the later state decides")
	r, _ := os.ReadFile(rej)
	require.Contains(t, string(r), `{"line":1,"reason":"msisdn: 138****8001 is the card of line 7 too (duplicate of line 7)`)
	require.Contains(t, string(r), `{"line":6,"reason":"msisdn: 138****8001 is the card of line 7 too (duplicate of line 7)`)
}

// Failures are visible: a run that rejects every record, or more than
// --max-reject-ratio of them, exits 1; without --rejects the first reasons
// (masked) and a hint go to stderr.
func TestScoreRejectVerdict(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "c.jsonl")
	var src strings.Builder
	for i := 0; i < 8; i++ {
		fmt.Fprintf(&src, `{"msisdn":"1380013800%d","opened_at":"2024-03-01","holder":"11010519491231002X"}`+"\n", i)
	}
	require.NoError(t, os.WriteFile(in, []byte(src.String()), 0o644))
	code, _, stderr := runCLI("score", "--as-of", "2026-11-01", "--in", in)
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "every record (8) was rejected")
	require.Contains(t, stderr, "line 1: holder: is a raw ID number (110105********002X)")
	require.Contains(t, stderr, "... and 3 more")
	require.Contains(t, stderr, "hint: --rejects FILE")
	require.NotContains(t, stderr, "11010519491231002X")

	src.WriteString(`{"msisdn":"13900139000","opened_at":"2024-03-01","holder":"h-1"}` + "\n")
	src.WriteString(`{"msisdn":"13900139001","opened_at":"2024-03-01","holder":"h-1"}` + "\n")
	require.NoError(t, os.WriteFile(in, []byte(src.String()), 0o644))
	code, _, stderr = runCLI("score", "--as-of", "2026-11-01", "--in", in, "--out", filepath.Join(dir, "d.jsonl"))
	require.Equal(t, 0, code, "8 of 10 rejected: the default ratio 1 allows it")
	require.Contains(t, stderr, "hint: --rejects FILE")
	code, _, stderr = runCLI("score", "--as-of", "2026-11-01", "--in", in, "--out", filepath.Join(dir, "d.jsonl"), "--max-reject-ratio", "0.5")
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "8 of 10 records rejected (80.0%), more than --max-reject-ratio 0.5 allows")
	code, _, stderr = runCLI("score", "--as-of", "2026-11-01", "--in", in, "--out", filepath.Join(dir, "d.jsonl"),
		"--rejects", filepath.Join(dir, "r.jsonl"), "--max-reject-ratio", "0.8")
	require.Equal(t, 0, code, stderr)
	require.NotContains(t, stderr, "hint", "the rejects file has them")
	code, _, _ = runCLI("score", "--as-of", "2026-11-01", "--in", in, "--max-reject-ratio", "2")
	require.Equal(t, 2, code)
}

// explain finds a card by its number in any spelling, and shows it masked.
func TestExplainMSISDNAnySpelling(t *testing.T) {
	in := filepath.Join("testdata", "segments-1064-174.jsonl")
	code, stdout, stderr := runCLI("explain", "--as-of", "2026-11-01", "--in", in, "--msisdn", "+86 1064-8000-00001", "--lang", "en")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, "card 106******0001")
	require.NotContains(t, stdout, "1064800000001")
}

// records/README.md, pii-reject-reasons.jsonl, from the command line: the
// reasons mask the number in every spelling, and are valid UTF-8.
func TestScorePIIRejectReasons(t *testing.T) {
	dir := t.TempDir()
	out, rej := filepath.Join(dir, "d.jsonl"), filepath.Join(dir, "r.jsonl")
	code, _, stderr := runCLI("score", "--as-of", "2026-11-01", "--in", filepath.Join("testdata", "pii-reject-reasons.jsonl"), "--out", out, "--rejects", rej)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stderr, "records 4 = decisions 1 + rejected 3")
	r, err := os.ReadFile(rej)
	require.NoError(t, err)
	require.True(t, utf8.Valid(r))
	require.Equal(t, `{"line":1,"reason":"operator: unknown operator \"13…00\" (want cmcc, unicom, telecom or broadnet)"}
{"line":2,"reason":"fraud_flag: unknown source \"１３…００\" (want police, miit or operator)"}
{"line":3,"reason":"open_region: \"13…00\" is not an ISO 3166 alpha-2 or 6-digit GB/T 2260 code"}
`, string(r))
	require.NotContains(t, canonical(stderr+string(r)), "13800138000")
}

// Issue 14 review, finding 7: an input given on standard input from a file
// is not replaced by the output: score --in - --out x.jsonl < x.jsonl is a
// usage error and x.jsonl stays as it was.
func TestScoreStdinIsOutput(t *testing.T) {
	dir := t.TempDir()
	x := filepath.Join(dir, "x.jsonl")
	src := `{"msisdn":"13800138000","opened_at":"2024-03-01"}` + "\n"
	require.NoError(t, os.WriteFile(x, []byte(src), 0o644))
	f, err := os.Open(x)
	require.NoError(t, err)
	defer f.Close()
	saved := os.Stdin
	os.Stdin = f
	defer func() { os.Stdin = saved }()
	for _, args := range [][]string{{"--out", x}, {"--rejects", x}} {
		code, _, stderr := runCLI(append([]string{"score", "--as-of", "2026-11-01", "--in", "-"}, args...)...)
		require.Equal(t, 2, code, stderr)
		require.Contains(t, stderr, "is the input standard input")
		got, err := os.ReadFile(x)
		require.NoError(t, err)
		require.Equal(t, src, string(got))
	}
}

// Issue 14 review, finding 9: SIGTERM stops a run as SIGINT does (the
// context is cancelled, outputs are aborted), instead of killing the
// process with its temporary files left behind.
func TestSIGTERMCancelsRun(t *testing.T) {
	ctx, stop := signalContext()
	defer stop()
	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGTERM))
	<-ctx.Done() // a process without the handler is killed here
	require.ErrorIs(t, ctx.Err(), context.Canceled)
}

// Issue 14 review, findings 3 and 6: one holder's ID number in six Excel
// and BSS spellings is one holder (一证五卡 fires), and every command that
// reads holders takes --id-key-file, so a file score accepts is read by
// explain, backtest, fit and gen --stats too.
func TestIDKeyFileEveryCommandLooseSpellings(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "id.key")
	require.NoError(t, os.WriteFile(key, []byte("0123456789abcdef0123456789abcdef\n"), 0o600))
	var b strings.Builder
	b.WriteString("msisdn,opened_at,holder,last_voice_at\n")
	for i, h := range []string{`"=""11010519491231002X"""`, "11010519491231002×", "110105.19491231.002X", "110105/19491231/002X",
		"\u200b11010519491231002X\u200b", "'11010519491231002X", `"(11010519491231002X)"`, "11010519491231002X;",
		"公民身份号码：11010519491231002X", "身份证号码（18位）：11010519491231002X"} {
		fmt.Fprintf(&b, "1380013800%d,2024-03-01,%s,2026-10-30\r\n", i, h)
	}
	in := filepath.Join(dir, "cards.csv")
	require.NoError(t, os.WriteFile(in, []byte(b.String()), 0o644))

	code, stdout, stderr := runCLI("score", "--as-of", "2026-11-01", "--in", in, "--id-key-file", key)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stderr, "records 10 = decisions 10 + rejected 0; 1 holder")
	require.Equal(t, 10, strings.Count(stdout, "the holder's ID has 10 valid cards at cmcc"), stdout)
	require.NotContains(t, stdout+stderr, "11010519491231002")

	for _, args := range [][]string{
		{"explain", "--as-of", "2026-11-01", "--in", in, "--msisdn", "13800138003"},
		{"backtest", "--candidate", "default", "--as-of", "2026-11-01", "--in", in},
		{"fit", "--pack", "default", "--as-of", "2026-11-01", "--in", in, "--out", filepath.Join(dir, "fit.yaml")},
		{"gen", "--stats", in, "--as-of", "2026-11-01"},
	} {
		code, stdout, stderr := runCLI(append(args, "--id-key-file", key)...)
		require.NotEqual(t, 2, code, "%v: %s", args, stderr)
		require.NotContains(t, stderr, "raw ID number", "%v", args)
		require.NotContains(t, stdout+stderr, "11010519491231002", "%v", args)
		if args[0] == "gen" {
			require.Contains(t, stdout, "cards 10 (rejected 0), holders with valid cards 1")
		}
	}
}

// Issue 14 review, finding 4: an ID number or a phone number a spreadsheet
// saved in scientific notation, with a decimal comma, a label, a space or a
// lower-case e, is rejected with the export-as-text hint, never taken for
// a holder key.
func TestSciNotationSpellingsRejected(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("msisdn,opened_at,holder\n")
	holders := []string{`"1,10105E+17"`, "ID:1.10105E+17", "1.10105 E+17", "1.10105e+17", `"身份证号：1,10105e17"`, `"=""1.10105E+17"""`}
	for i, h := range holders {
		fmt.Fprintf(&b, "1380013800%d,2024-03-01,%s\n", i, h)
	}
	b.WriteString(`"1,38001E+10",2024-03-01,h-1` + "\n")
	in := filepath.Join(dir, "sci.csv")
	require.NoError(t, os.WriteFile(in, []byte(b.String()), 0o644))
	rej := filepath.Join(dir, "r.jsonl")
	code, _, stderr := runCLI("score", "--as-of", "2026-11-01", "--in", in, "--rejects", rej)
	require.Equal(t, 1, code, stderr)
	got, err := os.ReadFile(rej)
	require.NoError(t, err)
	require.Equal(t, len(holders)+1, strings.Count(string(got), "export the column as text"), string(got))
}
