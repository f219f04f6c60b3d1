// Command quickstart scores the embedded sample population (about 2,000
// synthetic cards, as of 2026-11-01) with the embedded default rule pack and
// prints a summary: decisions per outcome and level, hits per rule, and
// three decisions explained rule by rule. It speaks the language of
// --lang, else of $SIMRISK_LANG, else Chinese (zh or en), as the simrisk
// CLI does: its own words, rule titles and reasons alike.
//
//	go run ./examples/quickstart [--lang zh|en]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/simrisk/simrisk/datasets"
	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/rules"
)

func main() { os.Exit(cli(os.Args[1:], os.Stdout, os.Stderr)) }

// cli runs the quickstart with args; it returns the exit status: 2 for an
// unknown flag, a stray argument or a language other than zh and en.
func cli(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("quickstart", flag.ContinueOnError)
	fs.SetOutput(stderr)
	def := os.Getenv("SIMRISK_LANG")
	if def == "" {
		def = rules.LangZh
	}
	lang := fs.String("lang", def, "the language of the output: zh or en; the default is $SIMRISK_LANG, else zh")
	if err := fs.Parse(args); err != nil {
		return 2 // flag printed the unknown flag and the usage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "quickstart: unexpected argument %q (usage: go run ./examples/quickstart [--lang zh|en])\n", fs.Arg(0))
		return 2
	}
	if *lang != rules.LangZh && *lang != rules.LangEn {
		fmt.Fprintf(stderr, "quickstart: language %q: want zh or en (--lang or SIMRISK_LANG)\n", *lang)
		return 2
	}
	if err := run(stdout, *lang); err != nil {
		fmt.Fprintln(stderr, "quickstart:", err)
		return 1
	}
	return 0
}

// words are the quickstart's own texts, by language.
var words = map[string]map[string]string{
	rules.LangEn: {
		"head":   "simrisk quickstart: %d sample cards as of %s, rule pack %q %s\n\n",
		"counts": "%d decided, %d rejected, %d%s\n\n",
		"holder": "holder", "holders": "holders",
		"outcome": "Decisions per outcome", "level": "Decisions per level", "rules": "Hits per rule", "three": "Three decisions explained",
		"card": "\n  card %s: %s (score %g, level %s)", "by": ", verify by %s China Standard Time",
	},
	rules.LangZh: {
		"head":   "simrisk 快速入门：样例卡 %d 张，评估时点 %s，规则包 %q %s\n\n",
		"counts": "决策 %d，拒收 %d，持有人 %d%s\n\n",
		"holder": "", "holders": "",
		"outcome": "各处置的决策数", "level": "各等级的决策数", "rules": "各规则命中数", "three": "三个决策的逐条解释",
		"card": "\n  号码 %s：%s（得分 %g，等级 %s）", "by": "，须在北京时间 %s 前完成核验",
	},
}

// run writes the summary in lang (zh or en).
func run(w io.Writer, lang string) error {
	rs, err := rules.Pack("default")
	if err != nil {
		return err
	}
	eng, err := risk.Compile(rs, risk.WithLanguage(lang))
	if err != nil {
		return err
	}
	t := words[lang]
	dn := func(v string) string { return risk.DisplayName(v, lang) }
	open := func() (io.ReadCloser, error) { return io.NopCloser(datasets.Sample()), nil }
	sum, err := datasets.ScoreFile(context.Background(), eng, open, datasets.ScoreOptions{AsOf: datasets.SampleAsOf})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, t["head"], sum.Records, datasets.SampleAsOf, rs.Name, rs.Version)
	holders := t["holders"]
	if sum.Holders == 1 {
		holders = t["holder"]
	}
	fmt.Fprintf(w, t["counts"], sum.Decisions, sum.Rejects, sum.Holders, map[bool]string{true: " " + holders, false: ""}[holders != ""])

	fmt.Fprintln(w, t["outcome"])
	for _, o := range []string{"pass", "monitor", "verify", "restrict", "suspend"} {
		fmt.Fprintf(w, "  %s %5d  %s\n", pad(dn(o), 12), sum.ByOutcome[o], bar(sum.ByOutcome[o], sum.Decisions))
	}
	fmt.Fprintln(w, "\n"+t["level"])
	for _, l := range []string{"low", "medium", "high", "critical"} {
		fmt.Fprintf(w, "  %s %5d  %s\n", pad(dn(l), 12), sum.ByLevel[l], bar(sum.ByLevel[l], sum.Decisions))
	}
	fmt.Fprintln(w, "\n"+t["rules"])
	for _, r := range eng.Rules() {
		if r.Enabled {
			fmt.Fprintf(w, "  %-26s %5d  %s\n", r.ID, sum.ByRule[r.ID], r.Title)
		}
	}
	fmt.Fprintln(w, "\n"+t["three"])
	var shown int
	for _, o := range []string{"suspend", "restrict", "verify", "monitor"} {
		d := sum.Examples[o]
		if d == nil || shown == 3 {
			continue
		}
		shown++
		explain(w, d, lang)
	}
	return nil
}

// pad pads s with spaces to n columns, a Chinese character taking two.
func pad(s string, n int) string {
	cols := 0
	for _, r := range s {
		cols++
		if r >= 0x1100 {
			cols++
		}
	}
	if cols >= n {
		return s
	}
	return s + strings.Repeat(" ", n-cols)
}

func explain(w io.Writer, d *risk.Decision, lang string) {
	t := words[lang]
	outcome := risk.DisplayName(d.Outcome.String(), lang)
	if lang == rules.LangEn {
		outcome = strings.ToUpper(outcome)
	}
	fmt.Fprintf(w, t["card"], risk.MaskMSISDN(d.MSISDN), outcome, d.Score, risk.DisplayName(d.Level.String(), lang))
	if d.Deadline != 0 {
		fmt.Fprintf(w, t["by"], d.Deadline.Std().Format("2006-01-02 15:04"))
	}
	fmt.Fprintln(w)
	hits := append([]risk.Hit(nil), d.Hits...)
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].Score > hits[j].Score })
	for _, h := range hits {
		fmt.Fprintf(w, "    +%-3g %-24s %s\n", h.Score, h.Rule, h.Reason)
	}
}

func bar(n, total int) string {
	if total == 0 {
		return ""
	}
	return strings.Repeat("#", (n*40+total-1)/total)
}
