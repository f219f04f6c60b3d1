package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/datasets"
	"github.com/simrisk/simrisk/rules"
)

// copyPack copies rules/packs/default into dir/default (as the README
// tells an analyst), applying replacements to default.yaml.
func copyPack(t *testing.T, dir string, repl ...string) string {
	t.Helper()
	dst := filepath.Join(dir, "default")
	require.NoError(t, os.MkdirAll(dst, 0o755))
	require.NoError(t, os.CopyFS(dst, os.DirFS("../../rules/packs/default")))
	if len(repl) > 0 {
		f := filepath.Join(dst, "default.yaml")
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		s := string(b)
		for i := 0; i < len(repl); i += 2 {
			require.Contains(t, s, repl[i])
			s = strings.Replace(s, repl[i], repl[i+1], 1)
		}
		require.NoError(t, os.WriteFile(f, []byte(s), 0o644))
	}
	return dst
}

// The pack-name trap: after cp -r rules/packs/default ., a bare "default"
// names both the embedded pack and the copy. It is refused, saying so;
// pack:default is always the embedded pack, ./default the copy; the output
// shows each side's path and digest.
func TestPackNameVersusPath(t *testing.T) {
	dir := t.TempDir()
	sample, err := filepath.Abs("../../datasets/sample/cards.jsonl")
	require.NoError(t, err)
	copyPack(t, dir, "dormant_days: 90", "dormant_days: 60")
	t.Chdir(dir)

	code, stdout, stderr := runCLI("backtest", "--baseline", "default", "--candidate", "./default", "--in", sample, "--as-of", "2026-11-01")
	require.Equal(t, 2, code) // a usage mistake, as in every command (TestPackNameClashRefusedEverywhere)
	require.Empty(t, stdout)
	require.Contains(t, stderr, `"default" is both an embedded pack and a file or directory here: write pack:default for the embedded pack, ./default for the local one`)

	// the flag's own default is the embedded pack, whatever the directory holds
	code, stdout, stderr = runCLI("backtest", "--candidate", "./default", "--in", sample, "--as-of", "2026-11-01")
	require.Equal(t, 0, code, stderr)
	embedded, err := rules.Pack("default")
	require.NoError(t, err)
	copied, err := rules.Load("default")
	require.NoError(t, err)
	require.NotEqual(t, embedded.Digest, copied.Digest)
	require.Contains(t, stdout, "baseline  default 1.1.0 from pack:default ("+embedded.Digest+")\n")
	require.Contains(t, stdout, "candidate default 1.1.0 from ./default ("+copied.Digest+")\n")
	require.Contains(t, stdout, "  param dormant_days: 90 -> 60\n")
	require.Regexp(t, `; [1-9]\d* change outcome`, stdout)

	// score's summary names where its rules came from
	code, _, stderr = runCLI("score", "--rules", "./default", "--as-of", "2026-11-01", "--in", sample, "--out", filepath.Join(dir, "d.jsonl"))
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stderr, "rule set default 1.1.0 from ./default ("+copied.Digest+")\n")
	code, _, stderr = runCLI("score", "--as-of", "2026-11-01", "--in", sample, "--out", filepath.Join(dir, "d.jsonl"))
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stderr, "rule set default 1.1.0 from pack:default ("+embedded.Digest+")\n")

	// the same rules on both sides are said to be the same
	code, _, stderr = runCLI("backtest", "--baseline", "pack:default", "--candidate", "pack:default", "--in", sample, "--as-of", "2026-11-01")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stderr, "the baseline (pack:default) and the candidate (pack:default) are the same rules")
}

// lint warns when a copy keeps the embedded pack's name and version,
// edited or not (TestLintWarnsUnchangedPackCopy); the warning does not
// fail lint.
func TestLintWarnsPackCopy(t *testing.T) {
	dir := t.TempDir()
	same := copyPack(t, filepath.Join(dir, "same"))
	code, stdout, stderr := runCLI("lint", same)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, "[pack_copy]")

	edited := copyPack(t, filepath.Join(dir, "edited"), "dormant_days: 90", "dormant_days: 60")
	code, stdout, stderr = runCLI("lint", edited)
	require.Equal(t, 0, code, stderr)
	require.Regexp(t, `^`+regexp.QuoteMeta(filepath.Join(edited, "default.yaml"))+`:\d+:1: warning \[pack_copy\] this rule set is named default 1\.1\.0 like the embedded pack pack:default but its files differ`, stdout)
	require.Contains(t, stderr, "no errors, 1 warning (--strict makes them errors)")

	code, stdout, _ = runCLI("lint", "--format", "json", edited)
	require.Equal(t, 0, code)
	var items []struct{ Code, Severity string }
	require.NoError(t, json.Unmarshal([]byte(stdout), &items))
	require.Equal(t, []struct{ Code, Severity string }{{"pack_copy", "warning"}}, items)

	// a new version (or name) is the fix
	renamed := copyPack(t, filepath.Join(dir, "renamed"), "dormant_days: 90", "dormant_days: 60", "version: 1.1.0", "version: 1.1.0-mine")
	code, stdout, _ = runCLI("lint", renamed)
	require.Equal(t, 0, code)
	require.Empty(t, stdout)
}

// A changed card's reference (its input line) leads from backtest's
// output to its explanation; --changes writes every changed card.
func TestBacktestChangesAndExplainRef(t *testing.T) {
	dir := t.TempDir()
	pop := filepath.Join(dir, "pop.jsonl")
	code, _, errOut := runCLI("gen", "--cards", "3000", "--seed", "3", "--as-of", "2026-11-01", "--out", pop)
	require.Equal(t, 0, code, errOut)
	cand := copyPack(t, dir, "alert_threshold: 3", "alert_threshold: 1")
	changes, report := filepath.Join(dir, "changes.csv"), filepath.Join(dir, "report.html")
	code, out, errOut := runCLI("backtest", "--candidate", cand, "--in", pop, "--as-of", "2026-11-01", "--changes", changes, "--sample", "3", "--lang", "en", "--report", report)
	require.Equal(t, 0, code, errOut)
	html, err := os.ReadFile(report)
	require.NoError(t, err)
	for _, want := range []string{
		`<html lang="en">`,
		`<th>Input</th><td class="l" colspan="2">` + pop + `</td>`,
		`<th>path</th><td class="l">pack:default</td><td class="l">` + cand + `</td>`,
		`<tr><td>alert_threshold</td><td class="l"><code>3</code></td><td class="l"><code>1</code></td></tr>`,
	} {
		require.True(t, strings.Contains(string(html), want), want)
	}
	total := regexp.MustCompile(`; (\d+) change outcome`).FindStringSubmatch(out)
	require.NotNil(t, total)
	require.Contains(t, errOut, total[1]+" changed cards written to "+changes)

	f, err := os.Open(changes)
	require.NoError(t, err)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	require.Equal(t, changeColumns, rows[0])
	require.Equal(t, total[1], itoa(len(rows)-1), "every changed card, not the sample")
	require.Len(t, regexp.MustCompile(`(?m)^  \d+  `).FindAllString(out, -1), 3, "the sample on stdout")

	src, err := os.ReadFile(pop)
	require.NoError(t, err)
	lines := strings.Split(string(src), "\n")
	for _, row := range rows[1:] {
		require.Regexp(t, `^\d+$`, row[0])
		require.Regexp(t, `^\d{3}\*{4}\d{4}$`, row[1], "masked")
		require.Contains(t, []string{"positive", "negative"}, row[2])
		require.NotEqual(t, row[3], row[5], "the outcome moved")
		require.Equal(t, "frequent_alerts", row[7], "the rule that moved")
		// the reference names the card: its line holds the masked number's ends
		var rec struct{ MSISDN string }
		require.NoError(t, json.Unmarshal([]byte(lines[atoi(t, row[0])-1]), &rec))
		require.Equal(t, rec.MSISDN[:3]+"****"+rec.MSISDN[7:], row[1])
	}
	require.NotRegexp(t, `\b1[3-9]\d{9}\b`, out)

	// explain --ref takes it, with the same input
	ref := rows[1][0]
	code, xout, errOut := runCLI("explain", "--in", pop, "--ref", ref, "--as-of", "2026-11-01", "--rules", cand, "--lang", "en")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, xout, rows[1][1])
	require.Contains(t, xout, "frequent_alerts")
	require.NotRegexp(t, `\b1[3-9]\d{9}\b`, xout)

	// a line that is no card says so
	code, _, errOut = runCLI("explain", "--in", pop, "--ref", "999999", "--as-of", "2026-11-01")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "line 999999 of "+pop+" holds no record")
	code, _, errOut = runCLI("explain", "--in", pop, "--msisdn", rows[1][1], "--as-of", "2026-11-01")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "hint: a masked number names no card; --ref LINE takes the reference")
	code, _, errOut = runCLI("explain", "--ref", "3", "--as-of", "2026-11-01")
	require.Equal(t, 2, code)
	require.Contains(t, errOut, "--ref LINE needs --in FILE")

	// JSON Lines too
	changesJ := filepath.Join(dir, "changes.jsonl")
	code, _, errOut = runCLI("backtest", "--candidate", cand, "--in", pop, "--as-of", "2026-11-01", "--changes", changesJ)
	require.Equal(t, 0, code, errOut)
	b, err := os.ReadFile(changesJ)
	require.NoError(t, err)
	first := strings.SplitN(string(b), "\n", 2)[0]
	var ch struct {
		Ref            int      `json:"ref"`
		Card           string   `json:"card"`
		RulesNowFiring []string `json:"rules_now_firing"`
		OutcomeBefore  string   `json:"outcome_before"`
		OutcomeAfter   string   `json:"outcome_after"`
	}
	require.NoError(t, json.Unmarshal([]byte(first), &ch))
	require.Equal(t, ref, itoa(ch.Ref))
	require.Equal(t, []string{"frequent_alerts"}, ch.RulesNowFiring)
}

// A rejected line's reference is explained as what it is.
func TestExplainRefOfRejectedLine(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "cards.jsonl")
	require.NoError(t, os.WriteFile(in, []byte(`{"msisdn":"13800138000","opened_at":"2024-03-01","alerts_30d":4}
{"msisdn":"13800138001","opened_at":"2024-03-01","status":"lost"}
{"msisdn":"13800138000","opened_at":"2024-03-01","alerts_30d":5}
`), 0o644))
	code, _, stderr := runCLI("explain", "--in", in, "--ref", "2", "--as-of", "2026-11-01")
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "line 2 of "+in+" is not a card that was scored: status: unknown status")
	code, _, stderr = runCLI("explain", "--in", in, "--ref", "1", "--as-of", "2026-11-01")
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "line 1 of "+in+" is not a card that was scored: msisdn: 138****8000 is the card of line 3 too (duplicate of line 3)")
	require.NotContains(t, stderr, "13800138000")
	// in a CSV the header is line 1, the first record line 2
	csvIn := filepath.Join(dir, "cards.csv")
	require.NoError(t, os.WriteFile(csvIn, []byte("msisdn,opened_at,alerts_30d\n13800138000,2024-03-01,4\n13800138001,2024-03-01,0\n"), 0o644))
	code, stdout, stderr := runCLI("explain", "--in", csvIn, "--ref", "2", "--as-of", "2026-11-01", "--lang", "en")
	require.Equal(t, 0, code, stderr)
	require.True(t, strings.HasPrefix(stdout, "card 138****8000: "), stdout)
	code, stdout, stderr = runCLI("explain", "--in", csvIn, "--ref", "3", "--as-of", "2026-11-01", "--lang", "en")
	require.Equal(t, 0, code, stderr)
	require.True(t, strings.HasPrefix(stdout, "card 138****8001: "), stdout)
	code, _, stderr = runCLI("explain", "--in", csvIn, "--ref", "1", "--as-of", "2026-11-01")
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "line 1 of "+csvIn+" holds no record (a header")

	code, stdout, stderr = runCLI("explain", "--in", in, "--ref", "3", "--as-of", "2026-11-01", "--msisdn", "13800138000")
	require.Equal(t, 2, code, stdout)
	require.Contains(t, stderr, "give --msisdn or --ref, not both")
}

// score --out F.csv writes CSV decisions in the documented columns, each
// with its line; --only-flagged leaves out pass decisions (still counted).
func TestScoreCSVAndOnlyFlagged(t *testing.T) {
	dir := t.TempDir()
	sample := "../../datasets/sample/cards.jsonl"
	all, flagged := filepath.Join(dir, "all.csv"), filepath.Join(dir, "flagged.csv")
	code, _, stderr := runCLI("score", "--as-of", "2026-11-01", "--in", sample, "--out", all)
	require.Equal(t, 0, code, stderr)
	code, _, stderr2 := runCLI("score", "--as-of", "2026-11-01", "--in", sample, "--out", flagged, "--only-flagged")
	require.Equal(t, 0, code, stderr2)
	// the summary counts every card either way
	sum := regexp.MustCompile(`outcomes:.*`).FindString(stderr)
	require.Equal(t, sum, regexp.MustCompile(`outcomes:.*`).FindString(stderr2))

	read := func(p string) [][]string {
		f, err := os.Open(p)
		require.NoError(t, err)
		defer f.Close()
		rows, err := csv.NewReader(f).ReadAll()
		require.NoError(t, err)
		return rows
	}
	a, fl := read(all), read(flagged)
	require.Equal(t, datasets.DecisionColumns(), a[0])
	require.Equal(t, datasets.DecisionColumns(), fl[0])
	require.Equal(t, "line", a[0][0])
	passes := 0
	var nonPass [][]string
	for i, row := range a[1:] {
		require.Equal(t, itoa(i+1), row[0], "the sample has no rejects: line = row")
		require.Regexp(t, `^1\d{10}(\d\d)?$`, row[1]) // 11 digits, 13 for IoT
		if row[4] == "pass" {
			passes++
		} else {
			nonPass = append(nonPass, row)
		}
	}
	require.Positive(t, passes)
	require.Contains(t, sum, "pass "+itoa(passes)+" ")
	require.Equal(t, nonPass, fl[1:])
	for _, row := range fl[1:] {
		require.NotEqual(t, "pass", row[4])
		require.NotEmpty(t, row[6]+row[2], "a flagged card has rules or a score")
	}

	// JSON Lines decisions carry their line too
	code, stdout, stderr := runCLI("score", "--as-of", "2026-11-01", "--in", sample, "--only-flagged")
	require.Equal(t, 0, code, stderr)
	dl := strings.Split(strings.TrimSpace(stdout), "\n")
	require.Len(t, dl, len(nonPass))
	require.True(t, strings.HasSuffix(dl[0], `,"line":`+nonPass[0][0]+`}`), dl[0])
	require.NotContains(t, stdout, `"outcome":"pass"`)
}

func itoa(n int) string { return strconv.Itoa(n) }

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	require.NoError(t, err)
	return n
}
