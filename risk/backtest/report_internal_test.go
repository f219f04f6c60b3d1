package backtest

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/datasets"
	"github.com/simrisk/simrisk/internal/vocab"
	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/rules"
)

// edited is the default pack with replacements made in default.yaml.
func edited(t *testing.T, repl ...string) *rules.RuleSet {
	t.Helper()
	var srcs []rules.Source
	require.NoError(t, fs.WalkDir(rules.PacksFS(), "default", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(rules.PacksFS(), p)
		if err != nil {
			return err
		}
		s := string(b)
		if strings.HasSuffix(p, "default.yaml") {
			for i := 0; i < len(repl); i += 2 {
				require.Contains(t, s, repl[i])
				s = strings.Replace(s, repl[i], repl[i+1], 1)
			}
		}
		srcs = append(srcs, rules.Source{Name: p, Data: []byte(s)})
		return nil
	}))
	rs, err := rules.Parse(srcs...)
	require.NoError(t, err)
	return rs
}

// Compare finds what an analyst changed: a parameter, a list item, a
// rule's score and title, a band, a rule removed and one added.
func TestCompareRuleSets(t *testing.T) {
	base, err := rules.Pack("default")
	require.NoError(t, err)
	require.True(t, Compare(base, base, "en").Empty())

	cand := edited(t,
		"dormant_days: 90", "dormant_days: 60",
		"  - {min: 80, level: critical, outcome: restrict}", "  - {min: 85, level: critical, outcome: restrict}",
	)
	// drop the last rule, add one, edit a rule's score
	last := cand.Rules[len(cand.Rules)-1]
	cand.Rules = append(cand.Rules[:len(cand.Rules)-1:len(cand.Rules)-1],
		&rules.Rule{ID: "new_rule", Title: "新规则", When: rules.Expr{Src: "alerts_30d > 9"}, Score: 5, Enabled: true})
	var dormant *rules.Rule
	for i, r := range cand.Rules {
		if r.ID == "dormant" {
			c := *r
			c.Score = r.Score + 5
			cand.Rules[i] = &c
			dormant = &c
		}
	}
	require.NotNil(t, dormant)
	cand.Lists = append(cand.Lists[:0:0], cand.Lists...)
	l := *cand.Lists[0]
	l.Items = append(append([]string{}, l.Items[1:]...), "ZZ")
	cand.Lists[0] = &l

	c := Compare(base, cand, "zh")
	require.False(t, c.Empty())
	require.Equal(t, []Edit{{Name: "dormant_days", Before: "90", After: "60"}}, c.Params)
	require.Equal(t, []Edit{{Name: "85", After: "critical, restrict"}, {Name: "80", Before: "critical, restrict"}}, c.Bands)
	require.Equal(t, []RuleRef{{"new_rule", "新规则"}}, c.Added)
	require.Equal(t, []RuleRef{{last.ID, last.Title}}, c.Removed)
	require.Len(t, c.Changed, 1)
	require.Equal(t, "dormant", c.Changed[0].ID)
	require.Equal(t, "睡眠卡", c.Changed[0].Title)
	require.Len(t, c.Changed[0].Fields, 1)
	require.Equal(t, "score", c.Changed[0].Fields[0].Name)
	require.Len(t, c.Lists, 1)
	require.Equal(t, []string{"ZZ"}, c.Lists[0].Added)
	require.Equal(t, base.Lists[0].Items[:1], c.Lists[0].Removed)
	require.Empty(t, c.Macros)
}

func report(t *testing.T, lang string) (string, *Report) {
	t.Helper()
	base, err := rules.Pack("default")
	require.NoError(t, err)
	cand := edited(t, "dormant_days: 90", "dormant_days: 60")
	be, err := risk.Compile(base, risk.WithLanguage(lang))
	require.NoError(t, err)
	ce, err := risk.Compile(cand, risk.WithLanguage(lang))
	require.NoError(t, err)
	asOf := risk.Date(2026, 11, 1)
	recs, labels := datasets.GenerateLabelled(datasets.GenOptions{Cards: 3000, Seed: 7, AsOf: asOf})
	lines := make([]int, len(recs))
	for i := range lines {
		lines[i] = i + 2
	}
	rep, err := Run(context.Background(), be, ce, Input{Records: recs, Labels: datasets.Fraud(labels), AsOf: asOf, Lines: lines})
	require.NoError(t, err)
	rep.Lang, rep.Input = lang, "population.jsonl"
	rep.Baseline.Path, rep.Candidate.Path = "pack:default", "my-rules/"
	rep.Generated = time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)
	rep.Rules = Compare(base, cand, lang)
	var buf bytes.Buffer
	require.NoError(t, rep.WriteHTML(&buf))
	return buf.String(), rep
}

// The report's header says what was compared, on what, when; the changes
// section names the parameter that moved; changed cards carry their line.
func TestReportHeaderAndChanges(t *testing.T) {
	html, rep := report(t, "en")
	for _, want := range []string{
		"<th>Cards judged at (as-of)</th><td class=\"l\" colspan=\"2\">2026-11-01 00:00:00 &#43;08:00</td>",
		"<th>Input</th><td class=\"l\" colspan=\"2\">population.jsonl</td>",
		"<th>Report generated</th><td class=\"l\" colspan=\"2\">2026-11-02 17:30:00 &#43;08:00</td>",
		"<th>path</th><td class=\"l\">pack:default</td><td class=\"l\">my-rules/</td>",
		"<th>digest</th><td class=\"l\"><code>" + rep.Baseline.Digest + "</code></td><td class=\"l\"><code>" + rep.Candidate.Digest + "</code></td>",
		"<h2>What changed in the rules</h2>",
		"<tr><td>dormant_days</td><td class=\"l\"><code>90</code></td><td class=\"l\"><code>60</code></td></tr>",
		"<td>dormant</td><td class=\"l\">dormant card</td>", // rule titles in the rules table
	} {
		require.True(t, strings.Contains(html, want), want)
	}
	require.NotEqual(t, rep.Baseline.Digest, rep.Candidate.Digest)
	require.NotEmpty(t, rep.Changed)
	for _, ch := range rep.Changed {
		require.Positive(t, ch.Line)
		require.True(t, strings.Contains(html, "<tr><td>"+strconv.Itoa(ch.Line)+"</td><td>"+ch.MSISDN+"</td>"), ch.Line)
	}
	require.NotRegexp(t, `\b1[3-9]\d{9}\b`, html, "no full number in the report")
}

// --lang zh is Chinese all the way: no English text of the report's own
// (page or charts) is left in it, and every text has both languages.
func TestReportChineseAllTheWay(t *testing.T) {
	for k, m := range messages {
		require.NotEmpty(t, m[0], k)
		require.NotEmpty(t, m[1], k)
	}
	html, rep := report(t, "zh")
	require.True(t, strings.Contains(html, `<html lang="zh">`))
	charts, err := rep.Charts()
	require.NoError(t, err)
	var text strings.Builder
	text.WriteString(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(html, "\n")) // the page's text, no markup
	for _, c := range charts {
		// the charts' words are SVG text the browser draws
		for _, m := range regexp.MustCompile(`<text[^>]*>([^<]*)</text>`).FindAllStringSubmatch(string(c.SVG), -1) {
			text.WriteString("\n" + m[1])
		}
	}
	all := text.String()
	require.True(t, strings.Contains(all, "\n分数分布") || strings.Contains(all, "得分大于 0 的卡的分数分布"))
	require.True(t, strings.Contains(all, "\n基线"))
	for k, m := range messages {
		en := m[0]
		if len(en) < 4 || en == m[1] || k == "title" {
			continue // short English words could be inside rule ids
		}
		if strings.Contains(en, "%") {
			en = strings.Split(en, "%")[0]
			if len(strings.TrimSpace(en)) < 6 {
				continue
			}
		}
		// a word of its own, not part of a rule id (high_fraud_region)
		re := regexp.MustCompile(`(^|[^a-z_])` + regexp.QuoteMeta(en) + `($|[^a-z_])`)
		require.False(t, re.MatchString(all), "English %q (%s) in the zh report", en, k)
	}
	for _, w := range []string{"\nbaseline\n", "\ncandidate\n", "Score distribution", "\ncards\n", "ROC curve of", "Hits per rule", "\npass", "\nverify"} {
		require.False(t, strings.Contains(all, w), w)
	}
}

// A number or ID number written in a rule file (a list item, a parameter,
// a title, a condition, a reason) shows masked in what changed, in the
// rules' titles and in the HTML report: a report never shows one in full.
func TestReportMasksNumbersInRules(t *testing.T) {
	base, err := rules.Pack("default")
	require.NoError(t, err)
	cand := edited(t,
		"params:\n", "params:\n  vip_number: \"13912345678\"\n",
		"lists:\n", "lists:\n  watch:\n    items: [\"139 1234 5678\", \"11010519491231002X\"]\n",
		`title: {zh: 睡眠卡, en: "dormant card"}`, `title: {zh: 睡眠卡 13912345678, en: "dormant card 139-1234-5678"}`,
		"when: valid && days_since_last_activity >= params.dormant_days",
		"when: valid && days_since_last_activity >= params.dormant_days && msisdn != \"13912345678\" && !(msisdn in lists.watch)",
		`en: "no voice, SMS or data for {days_since_last_activity} days (limit {params.dormant_days})"`,
		`en: "no voice, SMS or data for {days_since_last_activity} days (limit {params.dormant_days}); ID 110105 19491231 002X"`,
	)
	for _, lang := range []string{"zh", "en"} {
		c := Compare(base, cand, lang)
		require.NotEmpty(t, c.Params)
		require.NotEmpty(t, c.Lists)
		require.NotEmpty(t, c.Changed)
		be, err := risk.Compile(base, risk.WithLanguage(lang))
		require.NoError(t, err)
		ce, err := risk.Compile(cand, risk.WithLanguage(lang))
		require.NoError(t, err)
		recs, labels := datasets.GenerateLabelled(datasets.GenOptions{Cards: 200, Seed: 7, AsOf: risk.Date(2026, 11, 1)})
		rep, err := Run(context.Background(), be, ce, Input{Records: recs, Labels: datasets.Fraud(labels), AsOf: risk.Date(2026, 11, 1)})
		require.NoError(t, err)
		rep.Lang, rep.Rules = lang, c
		var buf bytes.Buffer
		require.NoError(t, rep.WriteHTML(&buf))
		text := fmt.Sprintf("%+v %+v", *c, rep.Candidate.Rules) + buf.String()
		flat := regexp.MustCompile(`[\s\-.·/_]`).ReplaceAllString(text, "") // any spelling
		for _, secret := range []string{"13912345678", "11010519491231002X"} {
			if i := strings.Index(flat, secret); i >= 0 {
				t.Fatalf("%s: %s shows in full: …%s…", lang, secret, flat[max(0, i-60):min(len(flat), i+40)])
			}
		}
		require.Contains(t, buf.String(), "139****5678")
		require.Contains(t, buf.String(), "110105********002X")
	}
}

// What changed in a rule is in the report's language all the way: an
// outcome, a mode and enabled read as the page's words (二次实人认证 → 观察, the names every command uses, 生效
// → 影子, 是 → 否 in zh), not as the rule file's English keys.
func TestReportRuleEditsInTheReportsLanguage(t *testing.T) {
	base, err := rules.Pack("default")
	require.NoError(t, err)
	cand := edited(t, "    outcome: verify\n    reason:\n      zh: \"{days_since_last_activity} 天无",
		"    outcome: monitor\n    mode: shadow\n    enabled: false\n    reason:\n      zh: \"{days_since_last_activity} 天无")
	for lang, want := range map[string][]string{
		"zh": {"<code>二次实人认证</code></td><td class=\"l\"><code>观察</code>", "<code>生效</code></td><td class=\"l\"><code>影子</code>", "<code>是</code></td><td class=\"l\"><code>否</code>"},
		"en": {"<code>verify</code></td><td class=\"l\"><code>monitor</code>", "<code>enforce</code></td><td class=\"l\"><code>shadow</code>", "<code>yes</code></td><td class=\"l\"><code>no</code>"},
	} {
		be, err := risk.Compile(base, risk.WithLanguage(lang))
		require.NoError(t, err)
		ce, err := risk.Compile(cand, risk.WithLanguage(lang))
		require.NoError(t, err)
		recs, labels := datasets.GenerateLabelled(datasets.GenOptions{Cards: 200, Seed: 7, AsOf: risk.Date(2026, 11, 1)})
		rep, err := Run(context.Background(), be, ce, Input{Records: recs, Labels: datasets.Fraud(labels), AsOf: risk.Date(2026, 11, 1)})
		require.NoError(t, err)
		rep.Lang, rep.Rules = lang, Compare(base, cand, lang)
		require.Len(t, rep.Rules.Changed, 1)
		require.Len(t, rep.Rules.Changed[0].Fields, 3, "%+v", rep.Rules.Changed[0].Fields)
		var buf bytes.Buffer
		require.NoError(t, rep.WriteHTML(&buf))
		for _, w := range want {
			require.Contains(t, buf.String(), w, lang)
		}
	}
}

// The report names outcomes and levels as every command does (the display
// names of internal/vocab): one set of names, not 通过/核验 in the report
// and 放行/二次实人认证 on the command line.
func TestReportOutcomeNamesAreTheDisplayNames(t *testing.T) {
	for _, lang := range []string{"zh", "en"} {
		tr := translator(lang)
		for _, v := range []string{"pass", "monitor", "verify", "restrict", "suspend", "low", "medium", "high", "critical"} {
			want, ok := vocab.DisplayName(v, lang)
			require.True(t, ok, v)
			key := "outcome_" + v
			if slices.Contains([]string{"low", "medium", "high", "critical"}, v) {
				key = "level_" + v
			}
			require.Equal(t, want, tr(key), "%s %s", lang, v)
		}
	}
	require.Equal(t, "放行", translator("zh")("outcome_pass"))
	require.Equal(t, "二次实人认证", translator("zh")("outcome_verify"))
}
