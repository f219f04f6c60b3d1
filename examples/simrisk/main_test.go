package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

func runCLI(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

// The CLI scores a file of mixed good and bad records: every good record
// decided, every bad one rejected with its line number, exit 0.
func TestScoreMixedFile(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "cards.jsonl")
	require.NoError(t, os.WriteFile(in, []byte(`{"msisdn":"13800138000","opened_at":"2024-03-01","last_voice_at":"2026-10-30","alerts_30d":4}
{"msisdn":"13800138001","opened_at":"2024-03-01","status":"lost"}
{"msisdn":"13800138002","opened_at":"2024-03-01","last_data_at":"2026-10-31"}
{"msisdn":"13800138003",
`), 0o644))
	out, rej := filepath.Join(dir, "d.jsonl"), filepath.Join(dir, "r.jsonl")
	code, stdout, stderr := runCLI("score", "--as-of", "2026-11-01", "--in", in, "--out", out, "--rejects", rej)
	require.Equal(t, 0, code, stderr)
	require.Empty(t, stdout)
	require.Contains(t, stderr, "records 4 = decisions 2 + rejected 2")
	d, _ := os.ReadFile(out)
	lines := strings.Split(strings.TrimSpace(string(d)), "\n")
	require.Len(t, lines, 2)
	require.Contains(t, lines[0], `"msisdn":"13800138000","score":30,"level":"medium","outcome":"verify"`)
	require.Contains(t, lines[1], `"msisdn":"13800138002","score":0,"level":"low","outcome":"pass"`)
	r, _ := os.ReadFile(rej)
	require.Equal(t, `{"line":2,"reason":"status: unknown status \"lost\" (want active, suspended, keep_number or cancelled)"}
{"line":4,"reason":"not valid JSON (at byte 24): unexpected end of JSON input"}
`, string(r))
}

func TestScoreUnusableRules(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("rules:\n  - {id: a, when: nope, outcome: pass}\n"), 0o644))
	code, _, stderr := runCLI("score", "--rules", bad, "--as-of", "2026-11-01", "--in", bad)
	require.Equal(t, 1, code)
	require.Contains(t, stderr, `bad.yaml:2:19: rule "a": [undefined_name] nope is not a field`)

	code, _, stderr = runCLI("score", "--as-of", "2026-11-01", "--in", filepath.Join(dir, "missing.jsonl"))
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "no such file")
}

func TestLint(t *testing.T) {
	code, stdout, _ := runCLI("lint", "../../risk/testdata/many_mistakes.bad.yaml")
	require.Equal(t, 1, code)
	lines := problemLines(stdout)
	require.Len(t, lines, 13) // 11 errors, then 2 warnings
	require.Equal(t, `../../risk/testdata/many_mistakes.bad.yaml:15:46: rule "dormant": [undefined_param] parameter "dormant_dayz" is not declared under params; did you mean params.dormant_days?`, lines[3])
	require.Equal(t, `../../risk/testdata/many_mistakes.bad.yaml:4:3: warning [unused_param] parameter "dormant_days" is not used by any rule, reason or macro`, lines[11])

	code, stdout, errOut := runCLI("lint", "../../rules/packs/default")
	require.Equal(t, 0, code)
	require.Empty(t, stdout)
	require.Contains(t, errOut, "no problems")

	code, _, errOut = runCLI("lint", "--pack", "default-cel")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, errOut, "no problems")
}

// problemLines are lint's text output without the source lines and carets
// under each problem.
func problemLines(stdout string) []string {
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(stdout), "\n") {
		if l != "" && !strings.HasPrefix(l, " ") {
			out = append(out, l)
		}
	}
	return out
}

// lint's text output shows the source line and a caret under the column,
// as the JSON format's snippet does.
func TestLintTextSnippet(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "r.yaml")
	require.NoError(t, os.WriteFile(f, []byte("bands: [{min: 0, level: low, outcome: pass}]\nrules:\n  - id: a\n    when: valid && alert_30d > 3\n    outcome: verify\n"), 0o644))
	code, stdout, _ := runCLI("lint", f)
	require.Equal(t, 1, code)
	require.Equal(t, f+`:4:20: rule "a": [undefined_name] alert_30d is not a field, derived value, population feature or macro; did you mean alerts_30d?
        when: valid && alert_30d > 3
                       ^
`, stdout)
}

// lint --format json and sarif carry the same problems, positioned, for
// editors and code review.
func TestLintFormats(t *testing.T) {
	code, stdout, _ := runCLI("lint", "--format", "json", "../../risk/testdata/many_mistakes.bad.yaml")
	require.Equal(t, 1, code)
	var items []struct {
		File, Rule, Code, Message, Severity, Level string
		Line, Column                               int
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &items))
	require.Len(t, items, 13)
	require.Equal(t, "warning", items[11].Level)
	require.Equal(t, "unused_param", items[11].Code)
	require.Equal(t, "error", items[3].Level)
	require.Equal(t, "undefined_param", items[3].Code)
	require.Equal(t, "dormant", items[3].Rule)
	require.Equal(t, 15, items[3].Line)
	require.Equal(t, 46, items[3].Column)
	require.Equal(t, "error", items[3].Severity)

	code, stdout, _ = runCLI("lint", "--format", "sarif", "../../risk/testdata/many_mistakes.bad.yaml")
	require.Equal(t, 1, code)
	var sarif struct {
		Version string
		Runs    []struct {
			Tool    struct{ Driver struct{ Name string } }
			Results []struct {
				RuleID    string
				Level     string
				Message   struct{ Text string }
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }
						Region           struct{ StartLine, StartColumn int }
					}
				}
			}
		}
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &sarif))
	require.Equal(t, "2.1.0", sarif.Version)
	res := sarif.Runs[0].Results
	require.Len(t, res, 13)
	require.Equal(t, "warning", res[11].Level)
	require.Equal(t, "unused_param", res[11].RuleID)
	require.Equal(t, "undefined_param", res[3].RuleID)
	require.Equal(t, "error", res[3].Level)
	require.Contains(t, res[3].Message.Text, `rule "dormant": parameter "dormant_dayz"`)
	require.Equal(t, "../../risk/testdata/many_mistakes.bad.yaml", res[3].Locations[0].PhysicalLocation.ArtifactLocation.URI)
	require.Equal(t, 15, res[3].Locations[0].PhysicalLocation.Region.StartLine)
	require.Equal(t, 46, res[3].Locations[0].PhysicalLocation.Region.StartColumn)

	code, stdout, _ = runCLI("lint", "--format", "sarif", "../../rules/packs/default")
	require.Equal(t, 0, code)
	require.Contains(t, stdout, `"results": []`)

	code, _, _ = runCLI("lint", "--format", "xml", "../../rules/packs/default")
	require.Equal(t, 2, code)
}

func TestRuleTests(t *testing.T) {
	code, stdout, _ := runCLI("test", "../../rules/packs/default")
	require.Equal(t, 0, code, stdout)
	require.Regexp(t, `(?m)^\d+ passed, 0 failed$`, stdout)

	code, stdout, _ = runCLI("test", "pack:default")
	require.Equal(t, 0, code, stdout)

	dir := t.TempDir()
	f := filepath.Join(dir, "r.yaml")
	require.NoError(t, os.WriteFile(f, []byte(`
bands: [{min: 0, level: low, outcome: pass}]
rules:
  - {id: alerts, when: alerts_30d >= 3, outcome: verify}
tests:
  - {name: fires at 3, as_of: 2026-11-01, card: {alerts_30d: 3}, expect: {fires: [alerts]}}
  - {name: wrong, as_of: 2026-11-01, card: {alerts_30d: 1}, expect: {fires: [alerts]}}
`), 0o644))
	code, stdout, _ = runCLI("test", f)
	require.Equal(t, 1, code)
	require.Contains(t, stdout, "FAIL "+f+":7:5: wrong\n    rule \"alerts\" did not fire (no rule fired)\n")
	require.True(t, strings.HasSuffix(stdout, "1 passed, 1 failed\n"))
}

func TestUsage(t *testing.T) {
	code, _, stderr := runCLI()
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "usage:")
	code, _, _ = runCLI("frobnicate")
	require.Equal(t, 2, code)
}

func TestGenAndStats(t *testing.T) {
	dir := t.TempDir()
	j, c := filepath.Join(dir, "p.jsonl"), filepath.Join(dir, "p.csv")
	code, _, stderr := runCLI("gen", "--cards", "3000", "--seed", "4", "--as-of", "2026-11-01", "--out", j)
	require.Equal(t, 0, code, stderr)
	code, _, stderr = runCLI("gen", "--cards", "3000", "--seed", "4", "--as-of", "2026-11-01", "--out", c)
	require.Equal(t, 0, code, stderr)
	jd, _ := os.ReadFile(j)
	cd, _ := os.ReadFile(c)
	require.Equal(t, 3000, strings.Count(string(jd), "\n"))
	require.Equal(t, 3001, strings.Count(string(cd), "\n")) // with its header
	require.Contains(t, string(jd), `"label":{"fraud":`)

	// the same population scores the same from either form
	outJ, outC := filepath.Join(dir, "dj.jsonl"), filepath.Join(dir, "dc.jsonl")
	code, _, stderr = runCLI("score", "--as-of", "2026-11-01", "--in", j, "--out", outJ)
	require.Equal(t, 0, code, stderr)
	code, _, stderr = runCLI("score", "--as-of", "2026-11-01", "--in", c, "--out", outC)
	require.Equal(t, 0, code, stderr)
	a, _ := os.ReadFile(outJ)
	b, _ := os.ReadFile(outC)
	// the same decisions; each carries its input line, one more in the CSV (its header is line 1)
	lineKey := regexp.MustCompile(`,"line":(\d+)}`)
	require.Equal(t, lineKey.ReplaceAllString(string(a), "}"), lineKey.ReplaceAllString(string(b), "}"))
	la, lb := lineKey.FindAllStringSubmatch(string(a), -1), lineKey.FindAllStringSubmatch(string(b), -1)
	require.Len(t, la, 3000)
	require.Len(t, lb, 3000)
	for i := range la {
		require.Equal(t, strconv.Itoa(i+1), la[i][1])
		require.Equal(t, strconv.Itoa(i+2), lb[i][1])
	}

	code, stdout, stderr := runCLI("gen", "--stats", j)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, "cards 3000 (rejected 0)")
	require.Contains(t, stdout, "cards per scenario")

	code, _, _ = runCLI("gen", "--cards", "10")
	require.Equal(t, 2, code, "--as-of is required")
}

func TestScoreWithIDKey(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "c.jsonl")
	require.NoError(t, os.WriteFile(in, []byte(`{"msisdn":"13800138000","opened_at":"2024-03-01","holder":"11010519491231002X","last_data_at":"2026-10-31"}`+"\n"), 0o644))
	rej := filepath.Join(dir, "r.jsonl")
	code, stdout, stderr := runCLI("score", "--as-of", "2026-11-01", "--in", in, "--rejects", rej)
	require.Equal(t, 1, code, "every record was rejected")
	require.Contains(t, stderr, "every record (1) was rejected")
	require.Empty(t, stdout)
	r, _ := os.ReadFile(rej)
	require.Contains(t, string(r), "raw ID number (110105********002X)")
	require.NotContains(t, string(r), "11010519491231002X")

	key := filepath.Join(dir, "id.key")
	require.NoError(t, os.WriteFile(key, []byte("0123456789abcdef0123456789abcdef\n"), 0o600))
	code, stdout, _ = runCLI("score", "--as-of", "2026-11-01", "--in", in, "--id-key-file", key)
	require.Equal(t, 0, code)
	require.Contains(t, stdout, `"msisdn":"13800138000"`)
	require.NotContains(t, stdout, "11010519491231002X")
}

// lint, test and score work the same for a CEL rule file as for an expr one.
func TestCELRuleFiles(t *testing.T) {
	code, stdout, _ := runCLI("test", "../../rules/packs/default-cel")
	require.Equal(t, 0, code, stdout)
	require.Regexp(t, `(?m)^74 passed, 0 failed$`, stdout)
	code, _, _ = runCLI("lint", "pack:default-cel")
	require.Equal(t, 0, code)

	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("language: cel\nbands: [{min: 0, level: low, outcome: pass}]\nrules:\n  - id: a\n    when: |\n      valid &&\n        size(roaming) > params.max_roams\n    outcome: pass\n"), 0o644))
	code, stdout, _ = runCLI("lint", bad)
	require.Equal(t, 1, code)
	require.Equal(t, []string{bad + `:7:32: rule "a": [undefined_param] parameter "max_roams" is not declared under params`}, problemLines(stdout))

	out1, out2 := filepath.Join(dir, "a.jsonl"), filepath.Join(dir, "b.jsonl")
	code, _, stderr := runCLI("score", "--pack", "default", "--as-of", "2026-11-01", "--in", "../../datasets/sample/cards.jsonl", "--out", out1)
	require.Equal(t, 0, code, stderr)
	code, _, stderr = runCLI("score", "--pack", "default-cel", "--as-of", "2026-11-01", "--in", "../../datasets/sample/cards.jsonl", "--out", out2)
	require.Equal(t, 0, code, stderr)
	a, _ := os.ReadFile(out1)
	b, _ := os.ReadFile(out2)
	strip := regexp.MustCompile(`"(ruleset|pack)":"[^"]*"`) // the packs differ in name and files
	require.Equal(t, strip.ReplaceAllString(string(a), ""), strip.ReplaceAllString(string(b), ""))
}

// A rule test may take its population from a record file, JSON Lines or CSV.
func TestRuleTestPopulationFile(t *testing.T) {
	dir := t.TempDir()
	csv := "msisdn,opened_at,holder\n13800000001,2024-01-01,h-1\n13800000002,2024-01-01,h-1\n13800000003,2024-01-01,h-1\n13800000004,2024-01-01,h-1\n13800000005,2024-01-01,h-1\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "five.csv"), []byte(csv), 0o644))
	jsonl := `{"msisdn":"13800000001","opened_at":"2024-01-01","holder":"h-1"}` + "\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "one.jsonl"), []byte(jsonl), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "r.yaml"), []byte(`
bands: [{min: 0, level: low, outcome: pass}]
rules:
  - {id: many, when: pop.cards_on_operator > 5, outcome: verify}
tests:
  - {name: sixth card, as_of: 2026-11-01, card: {holder: h-1}, population: five.csv, expect: {fires: [many]}}
  - {name: second card, as_of: 2026-11-01, card: {holder: h-1}, population: one.jsonl, expect: {not_fires: [many]}}
  - {name: missing file, as_of: 2026-11-01, card: {holder: h-1}, population: nope.csv, expect: {not_fires: [many]}}
`), 0o644))
	code, stdout, _ := runCLI("test", filepath.Join(dir, "r.yaml"))
	require.Equal(t, 1, code)
	require.Contains(t, stdout, "missing file\n    population: stat "+filepath.Join(dir, "nope.csv")+": no such file or directory\n")
	require.True(t, strings.HasSuffix(stdout, "2 passed, 1 failed\n"), stdout)
}

// lint says which rules run on the reference evaluator instead of compiled.
func TestLintNotesFallbacks(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "r.yaml")
	require.NoError(t, os.WriteFile(f, []byte(`bands: [{min: 0, level: low, outcome: pass}]
rules:
  - {id: fast, when: alerts_30d > 2, outcome: monitor}
  - {id: slow, when: 'linked_platforms[0] == "jd"', outcome: monitor}
`), 0o644))
	code, stdout, stderr := runCLI("lint", f)
	require.Equal(t, 0, code)
	require.Empty(t, stdout)
	// at the construct that kept it there, naming it
	require.Contains(t, stderr, f+`:4:39: rule "slow": [note] runs on the reference evaluator (expr's VM) because of indexing (linked_platforms[0])`)
	require.NotContains(t, stderr, `"fast"`)
}

// explain shows every rule with its near miss, for a card of a file (its
// population the file) or one card on standard input, masked.
func TestExplain(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "cards.jsonl")
	card := `{"msisdn":"13800138000","status":"active","opened_at":"2025-01-01","holder":"hk-0123456789abcdef0123456789abcdef","last_voice_at":"2026-08-06","alerts_30d":2}`
	other := `{"msisdn":"13800138001","status":"active","opened_at":"2025-01-01","holder":"hk-0123456789abcdef0123456789abcdef","last_voice_at":"2026-10-30"}`
	require.NoError(t, os.WriteFile(in, []byte(card+"\n"+other+"\nnot json\n"), 0o600))
	code, out, errOut := runCLI("explain", "--as-of", "2026-11-01", "--in", in, "--msisdn", "13800138000", "--lang", "en")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, errOut, "line 3") // the bad record is said, not fatal
	require.Contains(t, out, "card 138****8000: score 0, level low, outcome pass")
	require.Contains(t, out, "dormant (dormant card): not fired")
	require.Contains(t, out, "nearest miss: days_since_last_activity is 87, needs >= 90 (3 short)")
	require.Contains(t, out, "nearest miss: pop.cards_on_operator is 2, needs > 5 (4 short)")
	require.NotContains(t, out, "13800138000")

	stdin = strings.NewReader(card + "\n")
	defer func() { stdin = os.Stdin }()
	code, out, errOut = runCLI("explain", "--as-of", "2026-11-01", "--json")
	require.Equal(t, 0, code, errOut)
	var x struct {
		Decision struct{ MSISDN string }
		Rules    []struct {
			ID       string
			NearMiss *struct{ Expr string }
		}
	}
	require.NoError(t, json.Unmarshal([]byte(out), &x))
	require.Equal(t, "138****8000", x.Decision.MSISDN)
	require.Len(t, x.Rules, 15)

	code, _, errOut = runCLI("explain", "--as-of", "2026-11-01", "--in", in, "--msisdn", "13900000000")
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "no valid record of 139****0000")

	// one key style: snake_case, as decisions
	stdin = strings.NewReader(card + "\n")
	code, out, errOut = runCLI("explain", "--as-of", "2026-11-01", "--json")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, `"near_miss": {`)
	require.Contains(t, out, `"raw_score": 0`)
	require.NotRegexp(t, `"[A-Z][A-Za-z]*":`, out)

	// CSV on standard input, with --format csv; Chinese framing with zh
	// (the default without SIMRISK_LANG)
	stdin = strings.NewReader("msisdn,status,opened_at,holder,last_voice_at,alerts_30d\n13800138000,active,2025-01-01,hk-0123456789abcdef0123456789abcdef,2026-08-06,2\n")
	code, out, errOut = runCLI("explain", "--as-of", "2026-11-01", "--format", "csv", "--lang", "zh")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "号码 138****8000：得分 0，等级 低，处置 放行")
	require.Contains(t, out, "最近的差距：days_since_last_activity 为 87，需要 >= 90（差 3）")
	code, _, errOut = runCLI("explain", "--as-of", "2026-11-01", "--format", "xml")
	require.Equal(t, 2, code)
	require.Contains(t, errOut, "--format")
}

// backtest compares two rule sets on a labelled generated population and
// writes the HTML report.
func TestBacktest(t *testing.T) {
	dir := t.TempDir()
	pop := filepath.Join(dir, "pop.jsonl")
	code, _, errOut := runCLI("gen", "--cards", "5000", "--seed", "3", "--as-of", "2026-11-01", "--out", pop)
	require.Equal(t, 0, code, errOut)
	src, err := os.ReadFile("../../rules/packs/default/default.yaml")
	require.NoError(t, err)
	cand := filepath.Join(dir, "cand.yaml")
	require.NoError(t, os.WriteFile(cand, []byte(strings.Replace(string(src), "alert_threshold: 3", "alert_threshold: 2", 1)), 0o600))
	report := filepath.Join(dir, "report.html")
	code, out, errOut := runCLI("backtest", "--baseline", "default", "--candidate", cand, "--in", pop, "--as-of", "2026-11-01", "--report", report)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "cards 5000, rejected 0, labelled positive")
	require.Regexp(t, `frequent_alerts\s+\d+\s+\d+`, out)
	require.Contains(t, out, "ROC AUC of the score")
	require.NotContains(t, errOut, "\r") // no progress bar into a file or pipe
	html, err := os.ReadFile(report)
	require.NoError(t, err)
	require.Equal(t, 3, strings.Count(string(html), `src="data:image/svg&#43;xml;base64,`))

	code, _, errOut = runCLI("backtest", "--candidate", filepath.Join(dir, "missing.yaml"), "--in", pop)
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "--candidate")
}

// fit writes a suggested rule file that scores better on held-out cards,
// and never overwrites its input.
func TestFit(t *testing.T) {
	dir := t.TempDir()
	pop := filepath.Join(dir, "pop.jsonl")
	code, _, errOut := runCLI("gen", "--cards", "30000", "--seed", "5", "--as-of", "2026-11-01", "--out", pop)
	require.Equal(t, 0, code, errOut)
	out := filepath.Join(dir, "suggested.yaml")
	code, stdout, errOut := runCLI("fit", "--pack", "default", "--in", pop, "--as-of", "2026-11-01", "--out", out)
	require.Equal(t, 0, code, errOut)
	require.Regexp(t, `F1 on the held-out split 0\.\d+ -> 0\.\d+; suggested rules written to`, stdout)
	require.Regexp(t, `dormant\s+\d+\s+25\s+\d+`, stdout)
	code, lintOut, errOut := runCLI("lint", out)
	require.Equal(t, 0, code, lintOut+errOut)

	rules := filepath.Join(dir, "mine.yaml")
	src, err := os.ReadFile("../../rules/packs/default/default.yaml")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(rules, src, 0o600))
	code, _, errOut = runCLI("fit", "--pack", rules, "--in", pop, "--as-of", "2026-11-01", "--out", rules)
	require.Equal(t, 2, code)
	require.Contains(t, errOut, "is the input")
	after, err := os.ReadFile(rules)
	require.NoError(t, err)
	require.Equal(t, src, after)
}

// test --coverage names the rules and outcomes the tests leave unexercised;
// --junit writes every case, failures with their reasons.
func TestRuleTestCoverageAndJUnit(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "mine.yaml")
	require.NoError(t, os.WriteFile(file, []byte(`
bands:
  - {min: 0, level: low, outcome: pass}
  - {min: 50, level: high, outcome: verify}
rules:
  - {id: alerts, when: alerts_30d >= 3, score: 30, outcome: monitor}
  - {id: flagged, when: fraud_flag != "", score: 60, outcome: verify}
  - {id: never, when: "false", outcome: restrict}
tests:
  - name: alerts fire
    as_of: 2026-11-01
    card: {alerts_30d: 3}
    expect: {fires: [alerts]}
  - name: quiet card
    as_of: 2026-11-01
    card: {}
    expect: {not_fires: [alerts, flagged]}
  - name: wrong on purpose
    as_of: 2026-11-01
    card: {alerts_30d: 1}
    expect: {fires: [alerts]}
`), 0o600))
	junit := filepath.Join(dir, "junit.xml")
	code, out, errOut := runCLI("test", "--coverage", "--junit", junit, file)
	require.Equal(t, 1, code, errOut)
	require.Contains(t, out, "2 passed, 1 failed")
	require.Contains(t, out, "coverage: rule flagged: no case fires it")
	require.Contains(t, out, "coverage: rule never: no case fires it")
	require.NotContains(t, out, "coverage: rule alerts")
	require.Contains(t, out, "coverage: outcome verify: no case ends in it")
	require.Contains(t, out, "coverage: outcome restrict: no case ends in it")
	require.Contains(t, out, "coverage: 1 of 3 rules fire and stay silent in some case; 4 gaps")

	b, err := os.ReadFile(junit)
	require.NoError(t, err)
	var suites struct {
		Suites []struct {
			Tests    int `xml:"tests,attr"`
			Failures int `xml:"failures,attr"`
			Cases    []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Message string `xml:"message,attr"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	require.NoError(t, xml.Unmarshal(b, &suites))
	s := suites.Suites[0]
	require.Equal(t, 3, s.Tests)
	require.Equal(t, 1, s.Failures)
	require.Nil(t, s.Cases[0].Failure)
	require.Equal(t, "wrong on purpose", s.Cases[2].Name)
	require.NotNil(t, s.Cases[2].Failure)
	require.Contains(t, s.Cases[2].Failure.Message, "alerts")
}

// Record files as they arrive (datasets/testdata/cases): a stray quote
// loses no later line, CR-only line ends and a BOM are read, a GB18030 file
// is refused as UTF-8 (naming the option) and read with --encoding.
func TestScoreRecordCases(t *testing.T) {
	cases := "../../datasets/testdata/cases/"
	score := func(name string, extra ...string) (int, string, string, string) {
		dir := t.TempDir()
		out, rej := filepath.Join(dir, "d.jsonl"), filepath.Join(dir, "r.jsonl")
		args := append([]string{"score", "--as-of", "2026-11-01", "--in", cases + name, "--out", out, "--rejects", rej}, extra...)
		code, _, stderr := runCLI(args...)
		d, _ := os.ReadFile(out)
		r, _ := os.ReadFile(rej)
		return code, stderr, string(d), string(r)
	}
	code, stderr, d, r := score("csv-unterminated-quote.csv")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stderr, "records 5 = decisions 4 + rejected 1")
	require.Contains(t, d, `"msisdn":"13800138004","score":`)
	require.Regexp(t, `"msisdn":"13800138004","score":\d+,"level":"\w+","outcome":"verify"`, d)
	require.Equal(t, `{"line":3,"reason":"not valid CSV: the quote opened in field 3 is not closed on this line (a field cannot span lines; this line alone is rejected)"}`+"\n", r)

	for _, name := range []string{"csv-mac-cr.csv", "jsonl-cr.jsonl", "jsonl-utf8-bom.jsonl", "csv-excel-trailing-empty-cols.csv"} {
		code, stderr, _, r = score(name)
		require.Equal(t, 0, code, stderr)
		require.Contains(t, stderr, "records 2 = decisions 2 + rejected 0", name)
		require.Empty(t, r, name)
	}

	code, stderr, _, _ = score("csv-gbk-mvno.csv")
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "not valid UTF-8")
	require.Contains(t, stderr, "--encoding gb18030")
	code, stderr, d, _ = score("csv-gbk-mvno.csv", "--encoding", "gb18030")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stderr, "records 6 = decisions 6 + rejected 0")
	require.True(t, utf8.ValidString(d))
	code, stderr, _, _ = score("csv-gbk-mvno.csv", "--encoding", "latin1")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, `--encoding: unknown encoding "latin1"`)
}

// --limit NAME=VALUE reaches loading in lint, test and score; an unknown
// name is a usage error that lists the names.
func TestLimitFlag(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "r.yaml")
	require.NoError(t, os.WriteFile(f, []byte(`bands: [{min: 0, level: low, outcome: pass}]
lists: {far: {type: region, items: [KH, MM, LA]}}
rules:
  - {id: far, when: 'any(roaming, {in_region(.region, lists.far)})', outcome: verify, tags: [a, b]}
tests:
  - {name: t, as_of: 2026-11-01, card: {roaming: [{region: KH, days_ago: 1}]}, expect: {fires: [far]}}
`), 0o644))
	in := filepath.Join(dir, "cards.jsonl")
	require.NoError(t, os.WriteFile(in, []byte(`{"msisdn":"13800138000","opened_at":"2024-03-01"}`+"\n"), 0o644))

	code, _, stderr := runCLI("lint", f)
	require.Equal(t, 0, code, stderr)
	code, stdout, _ := runCLI("lint", "--limit", "max_list_items=2", "--limit", "max_tags=1", f)
	require.Equal(t, 1, code)
	require.Contains(t, stdout, f+`:2:36: [too_large] list "far" has 3 items: over the limit max_list_items=2`)
	require.Contains(t, stdout, f+`:4:93: rule "far": [too_large] rule has 2 tags: over the limit max_tags=1`)

	// and compiling: a compile-side limit
	code, stdout, _ = runCLI("lint", "--limit", "max_expr_nodes=3", f)
	require.Equal(t, 1, code)
	require.Contains(t, stdout, "[too_complex]")
	require.Contains(t, stdout, "max_expr_nodes")

	code, stdout, stderr = runCLI("test", f)
	require.Equal(t, 0, code, stdout+stderr)
	code, _, stderr = runCLI("test", "--limit", "max_expr_nodes=3", f)
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "max_expr_nodes")
	code, _, stderr = runCLI("test", "--limit", "max_tests=1", f)
	require.Equal(t, 0, code, stderr)
	code, _, stderr = runCLI("test", "--limit", "max_list_items=2", f)
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "over the limit max_list_items=2")

	code, _, stderr = runCLI("score", "--rules", f, "--as-of", "2026-11-01", "--in", in, "--limit", "max_list_items=2")
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "over the limit max_list_items=2")
	code, _, stderr = runCLI("score", "--pack", "default", "--as-of", "2026-11-01", "--in", in, "--limit", "max_list_items=3")
	require.Equal(t, 1, code)
	require.Contains(t, stderr, `list "high_fraud_countries" has 9 items: over the limit max_list_items=3`)

	for _, cmd := range []string{"lint", "test", "score"} {
		code, _, stderr = runCLI(cmd, "--limit", "max_lists=3", f)
		require.Equal(t, 2, code, cmd)
		require.Contains(t, stderr, `unknown limit "max_lists" (want one of max_cost, max_expr_bytes,`, cmd)
		code, _, stderr = runCLI(cmd, "--limit", "max_tags", f)
		require.Equal(t, 2, code, cmd)
		require.Contains(t, stderr, "want NAME=VALUE, where NAME is one of max_cost,", cmd)
		code, _, stderr = runCLI(cmd, "--limit", "max_tags=0", f)
		require.Equal(t, 2, code, cmd)
		require.Contains(t, stderr, "want a whole number of at least 1", cmd)
	}
}

// score loads rules without their tests: a broken test does not stop
// scoring, while lint and test report it.
func TestScoreIgnoresBrokenTests(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "r.yaml")
	require.NoError(t, os.WriteFile(f, []byte("bands: [{min: 0, level: low, outcome: pass}]\nrules: [{id: a, when: valid, outcome: monitor}]\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "r_test.yaml"), []byte("tests:\n\t- broken\n"), 0o644))
	in := filepath.Join(dir, "cards.jsonl")
	require.NoError(t, os.WriteFile(in, []byte(`{"msisdn":"13800138000","opened_at":"2024-03-01"}`+"\n"), 0o644))
	code, _, stderr := runCLI("score", "--rules", f, "--as-of", "2026-11-01", "--in", in, "--out", filepath.Join(dir, "d.jsonl"))
	require.Equal(t, 0, code, stderr)
	code, stdout, _ := runCLI("lint", f)
	require.Equal(t, 1, code)
	require.Contains(t, stdout, "r_test.yaml:2:1: [yaml_syntax] a tab cannot indent YAML: indent with spaces")
	code, _, _ = runCLI("test", f)
	require.Equal(t, 1, code)
}

// ../shared/cases/rules/yaml-tab, nan-score, nan-band through lint: one
// error each, at its position (no follow-on "no score bands").
func TestLintRuleCases(t *testing.T) {
	for dir, want := range map[string]string{
		"yaml-tab":  "yaml-tab/rules.yaml:8:1: [yaml_syntax] a tab cannot indent YAML: indent with spaces\n",
		"nan-score": `nan-score/rules.yaml:12:12: rule "flagged": [bad_number] score: .nan is not a finite number (NaN and infinities are not allowed)` + "\n",
		"nan-band":  "nan-band/rules.yaml:5:11: [bad_number] min: .nan is not a finite number (NaN and infinities are not allowed)\n",
	} {
		p := filepath.Join("..", "..", "rules", "testdata", "cases", dir)
		code, stdout, _ := runCLI("lint", p)
		require.Equal(t, 1, code, dir)
		require.Equal(t, []string{filepath.Join("..", "..", "rules", "testdata", "cases") + string(filepath.Separator) + strings.TrimSuffix(want, "\n")}, problemLines(stdout), dir)
	}
}

// Misspelt columns are warned about once on stderr (not once per pass),
// --strict refuses the file, --aliases adds spellings.
func TestScoreStrictWarningsAliases(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "cards.csv")
	require.NoError(t, os.WriteFile(in, []byte("MSISDN,opened_at,alert_30d,status\n13800138001,2024/03/01,9,预销户\n13800138002,2024-03-01,9,停机保号\n"), 0o644))
	out, rej := filepath.Join(dir, "d.jsonl"), filepath.Join(dir, "r.jsonl")
	code, _, stderr := runCLI("score", "--as-of", "2026-11-01", "--in", in, "--out", out, "--rejects", rej)
	require.Equal(t, 0, code, stderr)
	require.Equal(t, 1, strings.Count(stderr, "unknown column (ignored) alert_30d: did you mean alerts_30d?"), stderr)
	require.Contains(t, stderr, "records 2 = decisions 1 + rejected 1")

	before, err := os.ReadFile(out)
	require.NoError(t, err)
	code, _, stderr = runCLI("score", "--as-of", "2026-11-01", "--in", in, "--out", out, "--strict")
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "unknown column alert_30d: did you mean alerts_30d?; strict reading refuses the file")
	after, _ := os.ReadFile(out)
	require.Equal(t, string(before), string(after), "a refused file writes no decisions")

	aliases := filepath.Join(dir, "aliases.yaml")
	require.NoError(t, os.WriteFile(aliases, []byte("status:\n  预销户: suspended\n"), 0o644))
	code, _, stderr = runCLI("score", "--as-of", "2026-11-01", "--in", in, "--out", out, "--aliases", aliases)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stderr, "records 2 = decisions 2 + rejected 0")

	require.NoError(t, os.WriteFile(aliases, []byte("status:\n  预销户: frozen\n"), 0o644))
	code, _, stderr = runCLI("score", "--as-of", "2026-11-01", "--in", in, "--aliases", aliases)
	require.Equal(t, 2, code)
	require.Contains(t, stderr, `--aliases: `+aliases+`: aliases: status: "frozen" is not a value of the field`)
}

// explain and backtest read records as score does: --encoding, warnings.
func TestReadFlagsOnOtherCommands(t *testing.T) {
	gbk := "../../datasets/testdata/cases/csv-gbk-mvno.csv"
	code, _, stderr := runCLI("explain", "--as-of", "2026-11-01", "--in", gbk, "--msisdn", "17031234560")
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "--encoding gb18030")
	code, stdout, stderr := runCLI("explain", "--as-of", "2026-11-01", "--in", gbk, "--msisdn", "17031234560", "--encoding", "gb18030", "--lang", "en")
	require.Equal(t, 0, code, stderr)
	require.NotEmpty(t, stdout)

	dir := t.TempDir()
	in := filepath.Join(dir, "cards.csv")
	require.NoError(t, os.WriteFile(in, []byte("msisdn,opened_at,alert_30d\n13800138001,2024-03-01,9\n"), 0o644))
	code, _, stderr = runCLI("backtest", "--candidate", "default", "--as-of", "2026-11-01", "--in", in)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stderr, "simrisk backtest: "+in+": line 1: unknown column (ignored) alert_30d: did you mean alerts_30d?")
	code, _, stderr = runCLI("backtest", "--candidate", "default", "--as-of", "2026-11-01", "--in", in, "--strict")
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "strict reading refuses the file")
}

// An input with no records (an empty file, a CSV header alone, only blank
// lines: most likely a failed export) fails the run, naming the file.
func TestScoreNoRecordsFails(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"empty.jsonl":    "",
		"empty.csv":      "",
		"header.csv":     "\ufeffmsisdn,opened_at,holder\r\n",
		"blank.jsonl":    "\n  \r\n\n",
		"blank.csv":      "msisdn,opened_at\n,,\n\n,\n",
		"repeated.csv":   "msisdn,opened_at\nmsisdn,opened_at\n",
		"utf16bom.jsonl": "\xff\xfe",
	} {
		in := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(in, []byte(content), 0o600))
		out := filepath.Join(dir, name+".out")
		code, _, stderr := runCLI("score", "--as-of", "2026-11-01", "--in", in, "--out", out)
		require.Equal(t, 1, code, "%s: %s", name, stderr)
		require.Contains(t, stderr, "simrisk score: no records in "+in, name)
		_, err := os.Stat(out)
		require.True(t, os.IsNotExist(err), "no output is left for %s", name)
	}
}

// A rule file that cannot be read (a link to /dev/zero, attack case zt2)
// is its one io error: no follow-on "no score bands" for the set.
func TestLintUnreadableFileNoFollowOn(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "rules.yaml")
	require.NoError(t, os.Symlink("/dev/zero", f))
	code, stdout, _ := runCLI("lint", dir)
	require.Equal(t, 1, code)
	require.Equal(t, f+": [io] not a regular file\n", stdout)

	// a whole load over max_total_bytes likewise, and --limit sets it
	dir = t.TempDir()
	for i := range 3 {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "r"+strconv.Itoa(i)+".yaml"), []byte("name: x\n"), 0o644))
	}
	code, stdout, _ = runCLI("lint", "--limit", "max_total_bytes=10", dir)
	require.Equal(t, 1, code)
	require.Equal(t, filepath.Join(dir, "r1.yaml")+": [too_large] the rule files up to this one have more than 10 bytes in all: over the limit max_total_bytes=10\n", stdout)
}

// The score summary counts hits in English as a reader says them: "1 hit",
// "2 hits" (it said "1 hits").
func TestScoreSummaryHitCounts(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "cards.jsonl")
	require.NoError(t, os.WriteFile(in, []byte(`{"msisdn":"13800138000","opened_at":"2024-03-01","last_voice_at":"2026-10-30","alerts_30d":4}
{"msisdn":"13800138001","opened_at":"2024-03-01","last_voice_at":"2026-10-30","alerts_30d":5}
{"msisdn":"13800138002","opened_at":"2024-03-01","last_voice_at":"2026-10-30","fraud_flag":"police"}
`), 0o644))
	code, _, stderr := runCLI("score", "--lang", "en", "--as-of", "2026-11-01", "--in", in, "--out", filepath.Join(dir, "d.jsonl"))
	require.Equal(t, 0, code, stderr)
	require.Regexp(t, `(?m)^  frequent_alerts +2 hits$`, stderr)
	require.Regexp(t, `(?m)^  fraud_involved +1 hit$`, stderr)
	require.NotContains(t, stderr, " 1 hits")
}

// backtest and fit fail like score when nothing can be scored: an empty
// input, or one whose every record is rejected (backtest printed a report
// of zeros and exited 0).
func TestBacktestAndFitFailWithoutRecords(t *testing.T) {
	dir := t.TempDir()
	empty, bad := filepath.Join(dir, "empty.jsonl"), filepath.Join(dir, "bad.jsonl")
	require.NoError(t, os.WriteFile(empty, nil, 0o644))
	require.NoError(t, os.WriteFile(bad, []byte("{\"msisdn\":\"1\"}\n{\"msisdn\":\"2\"}\n"), 0o644))
	for _, cmd := range [][]string{
		{"backtest", "--candidate", "pack:default"},
		{"fit", "--pack", "pack:default", "--out", filepath.Join(dir, "fit.yaml")},
	} {
		args := append([]string{cmd[0], "--lang", "en", "--as-of", "2026-11-01"}, cmd[1:]...)
		code, stdout, stderr := runCLI(append(args, "--in", empty)...)
		require.Equal(t, 1, code, stderr)
		require.Empty(t, stdout)
		require.Contains(t, stderr, "simrisk "+cmd[0]+": no records in "+empty)
		code, stdout, stderr = runCLI(append(args, "--in", bad)...)
		require.Equal(t, 1, code, stderr)
		require.Empty(t, stdout)
		require.Contains(t, stderr, "simrisk "+cmd[0]+": every record (2) was rejected: nothing was scored")
		require.NoFileExists(t, filepath.Join(dir, "fit.yaml"))
	}
}

// A warning about standard input names it as such, not "-".
func TestWarningOnStdinNamesIt(t *testing.T) {
	r, w, err := os.Pipe()
	require.NoError(t, err)
	old := os.Stdin
	os.Stdin = r
	t.Cleanup(func() { os.Stdin = old })
	go func() {
		_, _ = w.WriteString("msisdn,opened_at,bogus\n13800138000,2024-03-01,x\n")
		_ = w.Close()
	}()
	code, stdout, stderr := runCLI("score", "--lang", "en", "--format", "csv", "--in", "-", "--as-of", "2026-11-01")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, `"msisdn":"13800138000"`)
	require.Contains(t, stderr, "simrisk score: standard input: line 1: unknown column (ignored) bogus")
}
