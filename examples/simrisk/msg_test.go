package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
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
		"silent": true, "default": true, // the default pack's rule id and name
		"packs": true, "version": true, "msisdn": true, "holder": true, "iccid": true, "roaming": true, "status": true, "kind": true, "operator": true, "line": true, "reason": true, // a command, fields
		"prefix": true, "length": true, "rfc": true, "gbk": true, "excel": true, "jsonl": true, "junit": true, "text": true, "sarif": true, // columns, formats
		"json": true, "csv": true, "lines": true, "utf": true, "yaml": true, "cel": true, "expr": true, "nan": true} // formats and languages, by name

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
	for en := range libMessages {
		add(en)
	}
	add("pass monitor verify restrict suspend low medium high critical")
	return words
}

// englishLeft is the catalog's English words in out, read token by token:
// a token is a run of letters, digits and _.-/:@[] so rule ids, paths,
// flags, codes and digests stay whole and do not count.
func englishLeft(out string, words map[string]bool) []string {
	var left []string
	for _, tok := range regexp.MustCompile(`[A-Za-z0-9_./:@\[\]=-]+`).FindAllString(out, -1) {
		switch tok {
		case "FILE", "NAME", "DATE", "VALUE", "LINE", "PACK", "PATH", "ENCODING", "SHARE", "LABELLED", "NUMBER": // metavars, as in --help
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
	lintBad := filepath.Join(dir, "lintbad.yaml")
	require.NoError(t, os.WriteFile(lintBad, []byte(`params: {t: "7", unused: 1}
bands: [{min: 0, level: low, outcome: pass}]
rules:
  - {id: a, when: alert_30d >= 3 && outcom == "x", outcome: monitor}
  - {id: b, when: days_since_opened <= 7 && days_since_opened > 30 && foo(1), outcome: verify}
  - {id: c, when: alerts_30d >= params.t, outcome: verify}
  - {id: d, when: alerts_30d >= 1, outcome: sometimes, score: 200, colour: red}
`), 0o600))
	slow := filepath.Join(dir, "slow.yaml")
	require.NoError(t, os.WriteFile(slow, []byte("bands: [{min: 0, level: low, outcome: pass}]\nrules:\n  - {id: slow, when: 'linked_platforms[0] == \"jd\"', outcome: monitor}\n"), 0o600))
	rejects := filepath.Join(dir, "rejects.jsonl")
	require.NoError(t, os.WriteFile(rejects, []byte(`{"msisdn":"13800138000","opened_at":"2024-03-01","alerts_30d":4}
{"msisdn":"1380013800","opened_at":"2024-03-01"}
{"msisdn":"13800138001","opened_at":"yesterday"}
{"msisdn":"13800138002","status":"weird","opened_at":"2024-03-01"}
{"msisdn":"13800138003","holder":{"id":"x"},"opened_at":"2024-03-01"}
{"msisdn":"13800138004","bogus":1,"opened_at":"2024-03-01","operator":"cmcc","kind":"phone"}
{"msisdn":"13800138005",
`), 0o600))
	for _, c := range []struct {
		name string
		args []string
		want string // a Chinese line the run prints
		// allow are English words the run may print: values as they are
		// typed in a file (outcome names in "want pass, monitor, ..."),
		// names the test itself wrote
		allow []string
	}{
		{"score", []string{"score", "--as-of", "2026-11-01", "--in", dups, "--out", filepath.Join(dir, "d.jsonl")}, "记录 3 = 决策 2 + 拒收 1", nil},
		{"score-rejects", []string{"score", "--as-of", "2026-11-01", "--in", pop, "--out", filepath.Join(dir, "d2.jsonl"), "--rejects", filepath.Join(dir, "rej.jsonl")}, "处置：", nil},
		{"score-reasons", []string{"score", "--as-of", "2026-11-01", "--in", rejects, "--out", filepath.Join(dir, "d4.jsonl")}, "第 3 行：opened_at：\"yesterday\" 不是日期", []string{"RFC", "active", "suspended", "cancelled", "mobile", "iot"}},
		{"backtest", []string{"backtest", "--baseline", "default", "--candidate", cand, "--in", pop, "--as-of", "2026-11-01", "--changes", changes, "--report", report}, "规则的变化：", nil},
		{"backtest-same", []string{"backtest", "--candidate", "pack:default", "--in", pop, "--as-of", "2026-11-01"}, "是同一套规则", nil},
		{"fit", []string{"fit", "--pack", "default", "--in", pop, "--as-of", "2026-11-01", "--out", filepath.Join(dir, "s.yaml"), "--force"}, "留出集", nil},
		{"test", []string{"test", "--coverage", mine}, "通过 1，失败 1", []string{"wrong", "never"}},
		{"test-failure", []string{"test", mine}, "规则 \"alerts\" 没有命中（没有规则命中）", []string{"wrong"}},
		{"lint", []string{"lint", mine}, "没有错误，1 个警告", nil},
		{"dash", []string{"backtest", "--candidate", cand, "--in", pop, "--as-of", "2026-11-01", "--changes", "-"}, "标准输出已用于 backtest 的汇总", nil},
		{"dash-rejects", []string{"score", "--as-of", "2026-11-01", "--in", dups, "--rejects", "-"}, "标准输出已用于 决策", nil},
		{"explain-rejected-ref", []string{"explain", "--as-of", "2026-11-01", "--in", rejects, "--ref", "3"}, "不是被评分的卡：opened_at：", []string{"active", "suspended", "cancelled", "mobile", "iot"}},
		{"lint-note", []string{"lint", slow}, "在参考求值器（expr 虚拟机）上运行，因为用到了下标访问（linked_platforms[0]）", nil},
		{"lint-problems", []string{"lint", lintBad}, "不是字段、派生值、群体特征或宏；是不是想写 alerts_30d？", []string{"pass", "monitor", "verify", "restrict", "suspend", "string", "int"}},
		{"lint-unusable", []string{"test", lintBad}, "规则无法使用", []string{"pass", "monitor", "verify", "restrict", "suspend"}},
		{"backtest-rejects", []string{"backtest", "--candidate", cand, "--in", bad, "--as-of", "2026-11-01"}, "记录被拒收", nil},
		{"explain", []string{"explain", "--as-of", "2026-11-01", "--in", dups, "--msisdn", "13800138000"}, "得分 55", nil},
		{"score-usage", []string{"score"}, "需要 --in", nil},
		{"gen-usage", []string{"gen"}, "需要 --cards N", nil},
		{"explain-none", []string{"explain", "--as-of", "2026-11-01", "--in", dups, "--msisdn", "13800138999"}, "的有效记录", nil},
		{"score-no-as-of", []string{"score", "--in", dups, "--out", filepath.Join(dir, "d3.jsonl")}, "没有给出 --as-of", nil},
		{"flag-usage", []string{"lint", "--bogus", mine}, "未知的标志 --bogus", nil},
		{"flag-value", []string{"gen", "--cards", "many"}, "标志 --cards 的值 \"many\" 无效：无法解析", []string{"many"}},
		{"flag-bool", []string{"lint", "--strict=maybe", mine}, "--strict 的布尔值 \"maybe\" 无效：无法解析", []string{"maybe"}},
		{"arg-usage", []string{"fit", "stray"}, "多余的参数", nil},
		{"explain-usage", []string{"explain", "--as-of", "2026-11-01", "--ref", "2"}, "--ref LINE 需要 --in FILE", nil},
		{"lint-usage", []string{"lint"}, "请给出规则文件或目录", nil},
		{"fit-usage", []string{"fit"}, "需要 --in 和 --out", nil},
		{"pack-name", []string{"score", "--pack", "nosuch", "--as-of", "2026-11-01", "--in", dups}, "没有内置规则包 \"nosuch\"", nil},
		{"output-name", []string{"score", "--as-of", "2026-11-01", "--in", dups, "--out", filepath.Join(dir, "d.xlsx")}, "文件名表示 Excel", []string{"Excel"}},
		{"help-score", []string{"score", "--help"}, "为文件中的每条记录评分", []string{"pass"}},
		{"help-backtest", []string{"backtest", "--help"}, "在（带标注的）群体上比较两套规则", nil},
		{"help-fit", []string{"fit", "--help"}, "按标注拟合规则分值", nil},
		{"help-explain", []string{"explain", "--help"}, "要解释的卡", nil},
		{"help-gen", []string{"gen", "--help"}, "要生成的卡数", nil},
		{"help-test", []string{"test", "--help"}, "运行规则文件中的测试", nil},
		{"help-lint", []string{"lint", "--help"}, "检查规则文件", nil},
		{"gen-stats", []string{"gen", "--stats", pop, "--as-of", "2026-11-01"}, "每个持有人的有效卡数", []string{"normal", "traveller", "seasonal", "verification", "flagged"}}, // scenario labels, data
		{"bad-lang-env", []string{"lint", mine}, "没有错误", nil},
		{"help", []string{"help"}, "中国手机卡与物联网卡的涉诈风险规则", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, stdout, stderr := runCLI(append(c.args, "--lang", "zh")...)
			out := stdout + stderr
			require.Contains(t, out, c.want)
			var left []string
			for _, w := range englishLeft(strings.ReplaceAll(out, "--help", ""), words) {
				if !slices.Contains(c.allow, w) {
					left = append(left, w)
				}
			}
			require.Empty(t, left, out)
			require.NotContains(t, out, "13800138000")
			require.NotContains(t, out, "13800138999")

			// one language rule: without --lang, SIMRISK_LANG; without it, zh
			norm := func(s string) string {
				s = regexp.MustCompile(`holders?; \S+|持有人 (\d+)；用时 \S+`).ReplaceAllString(s, "T")
				s = regexp.MustCompile(`（默认 (zh|en)）|\(default (zh|en)\)`).ReplaceAllString(s, "(the default language)")
				return regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d`).ReplaceAllString(s, "NOW")
			}
			_, enOut, enErr := runCLI(append(c.args, "--lang", "en")...)
			_, defOut, defErr := runCLI(c.args...) // SIMRISK_LANG=en (TestMain)
			require.Equal(t, norm(enOut+enErr), norm(defOut+defErr))
			t.Setenv(langEnv, "")
			_, zhOut, zhErr := runCLI(c.args...)
			require.Equal(t, norm(out), norm(zhOut+zhErr))
			t.Setenv(langEnv, "zh")
			_, zhOut, zhErr = runCLI(append(c.args, "--lang", "en")...)
			require.Equal(t, norm(enOut+enErr), norm(zhOut+zhErr), "--lang wins over SIMRISK_LANG")
			require.NotEmpty(t, englishLeft(enOut+enErr, words))
		})
	}
}
