package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Every Chinese format takes the same verbs, in the same order, as its
// English id: a missing or swapped verb would print %!d(MISSING) or put a
// count where a path belongs.
func TestZhCatalog(t *testing.T) {
	verbs := regexp.MustCompile(`%(?:\[(\d+)\])?([-+# 0-9.]*[a-zA-Z%])`)
	// args is each argument's verb, by position (an explicit %[n] or the next)
	args := func(f string) map[int]string {
		m, n := map[int]string{}, 0
		for _, v := range verbs.FindAllStringSubmatch(f, -1) {
			if v[2] == "%" {
				continue
			}
			if v[1] != "" {
				n, _ = strconv.Atoi(v[1])
			} else {
				n++
			}
			m[n] = v[2]
		}
		return m
	}
	for en, zh := range zhMessages {
		require.Equal(t, args(en), args(zh), "%q", en)
	}
}

// englishWords are the CLI's own English words: every word of the
// catalog's English formats, and the outcome and level names, less those
// that are names in both languages (commands, flags' metavars, YAML keys,
// metric names).
func englishWords() map[string]bool {
	keep := map[string]bool{"simrisk": true, "score": true, "backtest": true, "fit": true, "test": true, "lint": true,
		"gen": true, "explain": true, "ref": true, "roc": true, "auc": true,
		"note": true, "tests": true, "rules": true, "readme": true,
		"silent": true} // the default pack's rule id
	words := map[string]bool{}
	add := func(s string) {
		for _, w := range regexp.MustCompile(`[A-Za-z]{3,}`).FindAllString(s, -1) {
			if !keep[strings.ToLower(w)] {
				words[strings.ToLower(w)] = true
			}
		}
	}
	for en := range zhMessages {
		add(en)
	}
	add("pass monitor verify restrict suspend low medium high critical")
	return words
}

// problemLine is lint's file:line:col: problem line, the rules package's text.
var problemLine = regexp.MustCompile(`^\S+:\d+:\d+: `)

// englishLeft is the catalog's English words in out, read token by token:
// a token is a run of letters, digits and _.-/:@[] so rule ids, paths,
// flags, codes and digests stay whole and do not count.
func englishLeft(out string, words map[string]bool) []string {
	var left []string
	for _, tok := range regexp.MustCompile(`[A-Za-z0-9_./:@\[\]=-]+`).FindAllString(out, -1) {
		switch tok {
		case "FILE", "NAME", "DATE", "VALUE", "LINE", "PACK", "PATH": // metavars, as in --help
			continue
		}
		if words[strings.ToLower(tok)] {
			left = append(left, tok)
		}
	}
	return left
}

// With --lang zh every command's summary and status lines are Chinese: no
// English word of the CLI's own is left (rule ids, paths, digests, flags
// and codes excepted), numbers stay masked; with --lang en the output is
// the English one, as without --lang.
func TestCLIMessagesZh(t *testing.T) {
	dir := t.TempDir()
	pop := filepath.Join(dir, "pop.jsonl")
	code, _, errOut := runCLI("gen", "--cards", "5000", "--seed", "3", "--as-of", "2026-11-01", "--out", pop)
	require.Equal(t, 0, code, errOut)
	dups := filepath.Join(dir, "dups.jsonl")
	require.NoError(t, os.WriteFile(dups, []byte(`{"msisdn":"13800138000","opened_at":"2024-03-01","alerts_30d":4}
{"msisdn":"13800138000","opened_at":"2024-03-01","alerts_30d":5}
{"msisdn":"13800138001","opened_at":"2024-03-01"}
`), 0o600))
	src, err := os.ReadFile("../../rules/packs/default/default.yaml")
	require.NoError(t, err)
	cand := filepath.Join(dir, "cand.yaml")
	require.NoError(t, os.WriteFile(cand, []byte(strings.Replace(string(src), "alert_threshold: 3", "alert_threshold: 2", 1)), 0o600))
	mine := filepath.Join(dir, "mine.yaml")
	require.NoError(t, os.WriteFile(mine, []byte(`
params: {unused: 1}
bands:
  - {min: 0, level: low, outcome: pass}
  - {min: 50, level: high, outcome: verify}
rules:
  - {id: alerts, when: alerts_30d >= 3, score: 30, outcome: monitor}
  - {id: never, when: alerts_30d >= 100, outcome: restrict}
tests:
  - {name: alerts fire, as_of: 2026-11-01, card: {alerts_30d: 3}, expect: {fires: [alerts]}}
  - {name: wrong on purpose, as_of: 2026-11-01, card: {alerts_30d: 1}, expect: {fires: [alerts]}}
`), 0o600))
	bad := filepath.Join(dir, "bad.jsonl")
	require.NoError(t, os.WriteFile(bad, []byte(`{"msisdn":"13800138000","opened_at":"2024-03-01","alerts_30d":4}
{"msisdn":"13800138001",
`), 0o600))
	changes, report := filepath.Join(dir, "changes.csv"), filepath.Join(dir, "r.html")

	words := englishWords()
	for _, c := range []struct {
		name string
		args []string
		want string // a Chinese line the run prints
		// keep drops lines that are not the CLI's own (the library's
		// problem and failure texts)
		keep func(line string) bool
	}{
		{"score", []string{"score", "--as-of", "2026-11-01", "--in", dups, "--out", filepath.Join(dir, "d.jsonl")}, "记录 3 = 决策 2 + 拒收 1", func(l string) bool { return !strings.HasPrefix(l, "  第 ") }}, // a reject's reason is the datasets package's,
		{"score-rejects", []string{"score", "--as-of", "2026-11-01", "--in", pop, "--out", filepath.Join(dir, "d2.jsonl"), "--rejects", filepath.Join(dir, "rej.jsonl")}, "处置：", nil},
		{"backtest", []string{"backtest", "--baseline", "default", "--candidate", cand, "--in", pop, "--as-of", "2026-11-01", "--changes", changes, "--report", report}, "规则的变化：", nil},
		{"backtest-same", []string{"backtest", "--candidate", "pack:default", "--in", pop, "--as-of", "2026-11-01"}, "是同一套规则", nil},
		{"fit", []string{"fit", "--pack", "default", "--in", pop, "--as-of", "2026-11-01", "--out", filepath.Join(dir, "s.yaml")}, "留出集", nil},
		{"test", []string{"test", "--coverage", mine}, "通过 1，失败 1", func(l string) bool { return !strings.HasPrefix(l, "    ") }},
		{"lint", []string{"lint", mine}, "没有问题，1 个警告", func(l string) bool { return !problemLine.MatchString(l) && !strings.HasPrefix(l, "    ") }},
		{"backtest-rejects", []string{"backtest", "--candidate", cand, "--in", bad, "--as-of", "2026-11-01"}, "记录被拒收",
			func(l string) bool { return !strings.Contains(l, "记录被拒收：") }}, // a reject's reason is the datasets package's
		{"explain", []string{"explain", "--as-of", "2026-11-01", "--in", dups, "--msisdn", "13800138000"}, "得分 55",
			func(l string) bool { return !strings.Contains(l, "记录被拒收：") }},
		{"score-usage", []string{"score"}, "需要 --in", nil},
		{"gen-usage", []string{"gen"}, "需要 --cards N", nil},
		{"explain-none", []string{"explain", "--as-of", "2026-11-01", "--in", dups, "--msisdn", "13800138999"}, "的有效记录",
			func(l string) bool { return !strings.Contains(l, "记录被拒收：") }},
		{"score-no-as-of", []string{"score", "--in", dups, "--out", filepath.Join(dir, "d3.jsonl")}, "没有给出 --as-of",
			func(l string) bool { return !strings.HasPrefix(l, "  第 ") }},
		{"flag-usage", []string{"lint", "--bogus", mine}, "用法见 'simrisk lint --help'", nil},
		{"arg-usage", []string{"fit", "stray"}, "多余的参数", nil},
		{"explain-usage", []string{"explain", "--as-of", "2026-11-01", "--ref", "2"}, "--ref LINE 需要 --in FILE", nil},
		{"lint-usage", []string{"lint"}, "请给出规则文件或目录", nil},
		{"fit-usage", []string{"fit"}, "需要 --in 和 --out", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, stdout, stderr := runCLI(append(c.args, "--lang", "zh")...)
			out := stdout + stderr
			require.Contains(t, out, c.want)
			var kept []string
			for _, l := range strings.Split(out, "\n") {
				if c.keep == nil || c.keep(l) {
					kept = append(kept, l)
				}
			}
			require.Empty(t, englishLeft(strings.Join(kept, "\n"), words), out)
			require.NotContains(t, out, "13800138000")
			require.NotContains(t, out, "13800138999")

			_, enOut, enErr := runCLI(append(c.args, "--lang", "en")...)
			_, defOut, defErr := runCLI(c.args...)
			if c.name == "explain" { // its verdict follows --lang's default, zh; its status lines stay English
				require.Contains(t, defErr, "duplicates: 1 records superseded")
				require.Contains(t, enOut, "card 138****8000: score 55")
				return
			}
			durations := regexp.MustCompile(`holders; \S+`)
			require.Equal(t, durations.ReplaceAllString(defOut+defErr, "holders; T"), durations.ReplaceAllString(enOut+enErr, "holders; T"))
			require.NotEmpty(t, englishLeft(enOut+enErr, words))
		})
	}
}
