package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// A failing rule test quotes the rule's reason in the command's language
// (--lang, else SIMRISK_LANG), not the rule file's first language.
func TestTestFailureReasonInCommandLanguage(t *testing.T) {
	p := filepath.Join(t.TempDir(), "t.yaml")
	require.NoError(t, os.WriteFile(p, []byte(`bands: [{min: 0, level: low, outcome: pass}]
rules:
  - {id: alerts, when: alerts_30d >= 3, score: 30, outcome: monitor, reason: {zh: "预警 {alerts_30d} 次", en: "{alerts_30d} alerts"}}
tests:
  - {name: wrong, as_of: 2026-11-01, card: {alerts_30d: 3}, expect: {not_fires: [alerts]}}
`), 0o600))
	code, out, _ := runCLI("test", p) // SIMRISK_LANG=en (TestMain)
	require.Equal(t, 1, code)
	require.Contains(t, out, `rule "alerts" fired, want it silent: 3 alerts`)
	require.NotContains(t, out, "预警")
	_, out, _ = runCLI("test", "--lang", "en", p)
	require.Contains(t, out, "want it silent: 3 alerts")
	_, out, _ = runCLI("test", "--lang", "zh", p)
	require.Contains(t, out, "：预警 3 次")
}

// In zh, a library message with a hint joined to it is Chinese whole: the
// most specific format wins over a generic one ("unknown %s %s"), and a
// field's message that has "; " inside is not cut in two.
func TestZhJoinedLibMessagesWhole(t *testing.T) {
	dir := t.TempDir()
	lint := filepath.Join(dir, "l.yaml")
	require.NoError(t, os.WriteFile(lint, []byte("bands: [{min: 0, level: low, outcome: pass}]\nrules:\n  - {id: a, when: lenn(operator) > 1, outcome: monitor}\n"), 0o600))
	_, out, errOut := runCLI("lint", "--lang", "zh", lint)
	require.Contains(t, out+errOut, "未知的函数 lenn：既不是 simrisk 的函数，也不是表达式语言的函数；是不是想写 len？")

	in := filepath.Join(dir, "h.jsonl")
	require.NoError(t, os.WriteFile(in, []byte(`{"msisdn":"13800138000","holder":"11010519491231002X","opened_at":"2024-03-01"}`+"\n"), 0o600))
	_, out, errOut = runCLI("score", "--lang", "zh", "--as-of", "2026-11-01", "--in", in, "--out", filepath.Join(dir, "d.jsonl"))
	require.Contains(t, out+errOut, "holder：是原始身份证号（110105********002X）；请给出密钥文件（simrisk --id-key-file），把它转换为假名化标识")
	// explain, backtest and fit print a reject after "record rejected: line N: "
	_, out, errOut = runCLI("explain", "--lang", "zh", "--as-of", "2026-11-01", "--in", in, "--msisdn", "13800138000")
	require.Contains(t, out+errOut, "记录被拒收：第 1 行：holder：是原始身份证号（110105********002X）；请给出密钥文件（simrisk --id-key-file），把它转换为假名化标识")
	require.NotContains(t, out+errOut, "raw ID")

	code, _, errOut := runCLI("score", "--lang", "zh", "--as-of", "2026-11-01", "--in", in, "--out", filepath.Join(dir, "d.xlsx"))
	require.Equal(t, 2, code)
	require.Contains(t, errOut, "但写出的是 CSV 或 JSON Lines：请命名为 .csv (CSV) 或 .jsonl (JSON Lines)")
}

// .json is JSON, not JSON Lines: fit --out x.json says so; record outputs
// still take a .json name for JSON Lines, as they always did.
func TestJSONNameIsJSON(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.jsonl")
	require.NoError(t, os.WriteFile(in, []byte(`{"msisdn":"13800138000","opened_at":"2024-03-01"}`+"\n"), 0o600))
	code, _, errOut := runCLI("fit", "--pack", "default", "--as-of", "2026-11-01", "--in", in, "--out", filepath.Join(dir, "x.json"))
	require.Equal(t, 2, code)
	require.Contains(t, errOut, "the name says JSON, but it is written as YAML")
	require.NotContains(t, errOut, "JSON Lines")
	code, _, errOut = runCLI("score", "--as-of", "2026-11-01", "--in", in, "--out", filepath.Join(dir, "d.json"))
	require.Equal(t, 0, code, errOut)
}

// explain writes an empty value one way per language (none / 无) and
// "never" as 从未 in zh: not "", "none" and "无" side by side.
func TestExplainEmptyValuesOneWay(t *testing.T) {
	_, zh, _ := runCLI("explain", "--lang", "zh", "--as-of", "2026-11-01", "--in", sampleCards, "--ref", "1")
	for _, want := range []string{"roaming=无", "iot.business=无", "linked_platforms=无", "verify_required_at=无", "freeze_days=从未"} {
		require.Contains(t, zh, want)
	}
	require.NotRegexp(t, `=(，|\n)|=none|=never`, zh)
	_, en, _ := runCLI("explain", "--lang", "en", "--as-of", "2026-11-01", "--in", sampleCards, "--ref", "1")
	for _, want := range []string{"roaming=none", "iot.business=none", "linked_platforms=none", "verify_required_at=none", "freeze_days=never"} {
		require.Contains(t, en, want)
	}
	require.NotRegexp(t, `=(, |\n)|=无`, en)
}

// backtest's "what changed" speaks the command's language as the report
// does (严重、限制, 条件, 分数), names a list's added items, and shows a band
// whose minimum moved as one edit.
func TestBacktestChangesWorded(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile("../../rules/packs/default/default.yaml")
	require.NoError(t, err)
	s := strings.Replace(string(src), "{min: 80, level: critical, outcome: restrict}", "{min: 85, level: critical, outcome: restrict}", 1)
	s = strings.Replace(s, "days_since_last_activity >= params.dormant_days", "days_since_last_activity >= params.dormant_days + 1", 1)
	i := strings.Index(s, "  - id: dormant")
	s = s[:i] + strings.Replace(s[i:], "    score: 25", "    score: 35", 1)
	i = strings.Index(s, "  high_fraud_countries:")
	s = s[:i] + strings.Replace(s[i:], "    items:\n", "    items:\n      - FR\n", 1)
	cand := filepath.Join(dir, "cand.yaml")
	require.NoError(t, os.WriteFile(cand, []byte(s), 0o600))
	_, zh, errOut := runCLI("backtest", "--lang", "zh", "--candidate", cand, "--in", sampleCards, "--as-of", "2026-11-01")
	for _, want := range []string{"名单 high_fraud_countries：+1 -0 项，新增 FR\n", "分档 >= 80 改为 >= 85：严重、限制\n",
		"规则 dormant 条件（when）：", "规则 dormant 分数：25 -> 35\n"} {
		require.Contains(t, zh, want, errOut)
	}
	require.NotContains(t, zh, "新增分档")
	require.NotContains(t, zh, "critical")
	_, en, _ := runCLI("backtest", "--candidate", cand, "--in", sampleCards, "--as-of", "2026-11-01")
	require.Contains(t, en, "list high_fraud_countries: +1 -0 items, added FR\n")
	require.Contains(t, en, "band >= 80 -> >= 85: critical, restrict\n")
	require.Contains(t, en, "rule dormant score: 25 -> 35\n")
}

// A bare embedded pack's name that is also a folder here is refused by
// every command that takes a pack name, as a usage error (exit 2), with
// the same message: no command quietly takes the embedded pack.
func TestPackNameClashRefusedEverywhere(t *testing.T) {
	in, err := filepath.Abs(sampleCards)
	require.NoError(t, err)
	dir := t.TempDir()
	t.Chdir(dir)
	require.NoError(t, os.Mkdir("default", 0o700))
	const want = `--pack default: "default" is both an embedded pack and a file or directory here: write pack:default for the embedded pack, ./default for the local one`
	for _, args := range [][]string{
		{"score", "--pack", "default", "--as-of", "2026-11-01", "--in", in, "--out", filepath.Join(dir, "d.jsonl")},
		{"explain", "--pack", "default", "--as-of", "2026-11-01", "--in", in, "--ref", "1"},
		{"fit", "--pack", "default", "--as-of", "2026-11-01", "--in", in, "--out", filepath.Join(dir, "s.yaml")},
		{"backtest", "--baseline", "default", "--candidate", "pack:default", "--in", in, "--as-of", "2026-11-01"},
		{"backtest", "--candidate", "default", "--in", in, "--as-of", "2026-11-01"},
		{"lint", "--pack", "default"},
	} {
		code, _, errOut := runCLI(args...)
		require.Equal(t, 2, code, "%v: %s", args, errOut)
		flagName := map[bool]string{true: "--pack", false: "--candidate"}[args[1] == "--pack"]
		if args[1] == "--baseline" {
			flagName = "--baseline"
		}
		require.Contains(t, errOut, "simrisk "+args[0]+": "+strings.Replace(want, "--pack", flagName, 1), args)
	}
	code, _, errOut := runCLI("score", "--pack", "pack:default", "--as-of", "2026-11-01", "--in", in, "--out", filepath.Join(dir, "d.jsonl"))
	require.Equal(t, 0, code, errOut)
}

// lint warns [pack_copy] on a fresh cp -r of the default pack too (the
// README's walk-through says it does): the trap is the name, which the
// copy's first edit keeps.
func TestLintWarnsUnchangedPackCopy(t *testing.T) {
	dir := t.TempDir()
	dst := copyPack(t, dir)
	code, out, errOut := runCLI("lint", dst)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "warning [pack_copy] this rule set is named default 1.1.0 like the embedded pack pack:default, with the same files")
	_, out, _ = runCLI("lint", "--lang", "zh", dst)
	require.Contains(t, out, "与内置规则包 pack:default 相同，文件内容也相同")
	code, out, _ = runCLI("lint", "--pack", "default")
	require.Equal(t, 0, code)
	require.NotContains(t, out, "pack_copy")
}

// lint's summary with warnings and no errors says "no errors" (not "no
// problems" next to a warning count); an unused macro is a macro, not a
// rule.
func TestLintSummaryAndUnusedMacro(t *testing.T) {
	p := filepath.Join(t.TempDir(), "m.yaml")
	require.NoError(t, os.WriteFile(p, []byte(`macros: {spare_macro: alerts_30d > 1}
bands: [{min: 0, level: low, outcome: pass}]
rules:
  - {id: a, when: alerts_30d >= 3, outcome: monitor}
`), 0o600))
	code, out, errOut := runCLI("lint", p)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, `warning [unused_macro] macro "spare_macro" is not used`)
	require.NotContains(t, out, `rule "spare_macro"`)
	require.Contains(t, errOut, "no errors, 1 warning")
	_, out, errOut = runCLI("lint", "--lang", "zh", p)
	require.Contains(t, errOut, "没有错误，1 个警告")
	require.NotContains(t, out, `规则 "spare_macro"`)
}

// Help says what the commands take: --baseline is optional (it defaults
// to pack:default), explain takes --format, in both languages.
func TestHelpUsageLines(t *testing.T) {
	for _, lang := range []string{"en", "zh"} {
		_, out, errOut := runCLI("backtest", "--help", "--lang", lang)
		require.Contains(t, out+errOut, "simrisk backtest [--baseline PACK] --candidate PACK", lang)
		_, out, errOut = runCLI("explain", "--help", "--lang", lang)
		require.Contains(t, out+errOut, "[--format jsonl|csv]", lang)
		_, out, errOut = runCLI("help", "--lang", lang)
		require.Contains(t, out+errOut, map[string]string{"en": "score, explain, backtest and fit take --format", "zh": "score、explain、backtest 和 fit 接受 --format"}[lang])
		require.Contains(t, out+errOut, "simrisk backtest [--baseline PACK]")
	}
}

// CSV on standard input without --format csv: the JSON error comes with a
// hint to add --format csv (explain reads stdin, score --in -); JSON
// Lines gets no such hint.
func TestCSVOnStdinHint(t *testing.T) {
	const csvIn = "msisdn,opened_at,alerts_30d\n13800138000,2024-03-01,4\n"
	const hint = "the input is read as JSON Lines, but its first line looks like a CSV header: add --format csv"
	t.Cleanup(func() { stdin = os.Stdin })
	stdin = strings.NewReader(csvIn)
	_, _, errOut := runCLI("explain", "--as-of", "2026-11-01")
	require.Contains(t, errOut, "simrisk explain: hint: "+hint)
	stdin = strings.NewReader(csvIn)
	_, _, errOut = runCLI("explain", "--lang", "zh", "--as-of", "2026-11-01")
	require.Contains(t, errOut, "第一行看起来是 CSV 表头：请加上 --format csv")
	stdin = strings.NewReader(csvIn)
	code, out, errOut := runCLI("explain", "--format", "csv", "--as-of", "2026-11-01")
	require.Equal(t, 0, code, errOut)
	require.NotContains(t, errOut, hint)
	require.Contains(t, out, "138****8000")
	stdin = strings.NewReader(`{"msisdn":"13800138000","opened_at":"2024-03-01"}` + "\n")
	_, _, errOut = runCLI("explain", "--as-of", "2026-11-01")
	require.NotContains(t, errOut, hint)

	f := filepath.Join(t.TempDir(), "one.csv")
	require.NoError(t, os.WriteFile(f, []byte(csvIn), 0o600))
	in, err := os.Open(f)
	require.NoError(t, err)
	defer in.Close()
	saved := os.Stdin
	os.Stdin = in
	defer func() { os.Stdin = saved }()
	_, _, errOut = runCLI("score", "--as-of", "2026-11-01", "--in", "-", "--out", filepath.Join(t.TempDir(), "d.jsonl"))
	require.Contains(t, errOut, "simrisk score: hint: "+hint)
}

// rules/README.md says what `simrisk test` prints: 通过 N，失败 N by
// default (zh), N passed, N failed in English.
func TestRulesREADMETestSummary(t *testing.T) {
	doc, err := os.ReadFile("../../rules/README.md")
	require.NoError(t, err)
	require.Contains(t, string(doc), "then `通过 N，失败 N`")
	t.Setenv(langEnv, "")
	_, out, _ := runCLI("test", "../../rules/packs/default")
	require.Regexp(t, `(?m)^通过 \d+，失败 0$`, out)
	_, out, _ = runCLI("test", "--lang", "en", "../../rules/packs/default")
	require.Regexp(t, `(?m)^\d+ passed, 0 failed$`, out)
}

// backtest's progress counts cards, not cards times two rule sets; the
// summary says "1 holder", not "1 holders".
func TestProgressPerCardAndOneHolder(t *testing.T) {
	var got [2]int
	perCard(func(done, total int) { got = [2]int{done, total} })(200000, 200000)
	require.Equal(t, [2]int{100000, 100000}, got)
	perCard(func(done, total int) { got = [2]int{done, total} })(20000, 200000)
	require.Equal(t, [2]int{10000, 100000}, got)
	require.Nil(t, perCard(nil))

	in := filepath.Join(t.TempDir(), "one.jsonl")
	require.NoError(t, os.WriteFile(in, []byte(`{"msisdn":"13800138000","holder":"hk-1","opened_at":"2024-03-01"}`+"\n"), 0o600))
	_, _, errOut := runCLI("score", "--as-of", "2026-11-01", "--in", in, "--out", filepath.Join(t.TempDir(), "d.jsonl"))
	require.Contains(t, errOut, "; 1 holder; ")
	_, _, errOut = runCLI("score", "--lang", "zh", "--as-of", "2026-11-01", "--in", in, "--out", filepath.Join(t.TempDir(), "d.jsonl"))
	require.Contains(t, errOut, "；持有人 1；用时 ")
}

// A reject reason shows a non-personal field's wrong value whole (a typo
// in status, an impossible date); a phone or ID number stays masked.
func TestRejectReasonsShowTypos(t *testing.T) {
	in := filepath.Join(t.TempDir(), "r.jsonl")
	require.NoError(t, os.WriteFile(in, []byte(`{"msisdn":"13800138001","status":"actve","opened_at":"2024-03-01"}
{"msisdn":"13800138002","opened_at":"2026-13-20"}
{"msisdn":"13800138003","status":"11010519491231002X","opened_at":"2024-03-01"}
`), 0o600))
	_, _, errOut := runCLI("score", "--as-of", "2026-11-01", "--in", in, "--out", filepath.Join(t.TempDir(), "d.jsonl"))
	require.Contains(t, errOut, `status: unknown status "actve"`)
	require.Contains(t, errOut, `opened_at: "2026-13-20" is not a date`)
	require.Contains(t, errOut, `status: unknown status "11…2X"`)
	require.NotContains(t, errOut, "11010519491231002X")
}

// A test's outcome and level keep the code the analyst typed, with its
// Chinese name after it.
func TestTestFailureOutcomeNamesInChinese(t *testing.T) {
	require.Equal(t, "处置为 verify（二次实人认证），应为 pass（放行）", libZh("outcome is verify, want pass", 0))
	got := libZh("level is medium (score 30), want critical", 0)
	require.Contains(t, got, "medium（")
	require.Contains(t, got, "critical（")
	require.NotContains(t, got, "level is")
}

// A reject with several problems, one of which has "; " inside its own
// format, reads as its problems, each whole.
func TestZhRejectWithSeveralProblems(t *testing.T) {
	got := libZh(`line 1: opened_at: "2026.10.01" is not a date (want YYYY-MM-DD or YYYY/MM/DD, either with HH:MM:SS in China Standard Time, or an RFC 3339 timestamp); holder: is a raw ID number (110105********002X); give an ID key (simrisk --id-key-file) to turn it into a pseudonymous key`, 0)
	require.Contains(t, got, "holder：是原始身份证号（110105********002X）；请给出密钥文件（simrisk --id-key-file），把它转换为假名化标识")
	require.Contains(t, got, `opened_at："2026.10.01" 不是日期`)
	require.NotContains(t, got, "raw ID")
}

// A reading error names the input file, not the Go package, and gives the
// flag without the Go option beside it.
func TestInputErrorNamesTheFile(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "d.csv")
	require.NoError(t, os.WriteFile(in, []byte("a,a\n1,2\n"), 0o600))
	for _, lang := range []string{"zh", "en"} {
		code, out, errOut := runCLI("score", "--lang", lang, "--as-of", "2026-11-01", "--in", in, "--out", filepath.Join(dir, "x.csv"))
		require.Equal(t, 1, code)
		require.Contains(t, out+errOut, in)
		require.NotContains(t, out+errOut, "datasets")
	}
	gb := filepath.Join(dir, "g.csv")
	require.NoError(t, os.WriteFile(gb, []byte("msisdn,holder\n13800138000,\xd5\xc5\xc8\xfd\n"), 0o600))
	for _, lang := range []string{"zh", "en"} {
		_, out, errOut := runCLI("score", "--lang", lang, "--as-of", "2026-11-01", "--in", gb, "--out", filepath.Join(dir, "x.csv"))
		require.Contains(t, out+errOut, "--encoding gb18030")
		require.NotContains(t, out+errOut, "datasets")
	}
}

// A message under two field names ("card: holder: …") is still one format.
func TestZhMessageUnderTwoFieldNames(t *testing.T) {
	got := libZh(`card: holder: is a raw ID number (110105********002X); pass a pseudonymous key instead (ref.HolderKey, or simrisk --id-key-file)`, 0)
	require.Equal(t, "card：holder：是原始身份证号（110105********002X）；请改为假名化标识（可用 simrisk --id-key-file 转换）", got)
}

// A digest whose hex digits hold eleven digits in a row is not a number.
func TestLintKeepsDigestsWhole(t *testing.T) {
	d := "sha256:09ead643b415930083217c66c4ad63ca"
	require.Equal(t, "digest "+d+", msisdn 138****8000", maskKeepingDigests("digest "+d+", msisdn 13800138000"))
}
