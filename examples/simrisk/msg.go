package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/rules"
)

// The CLI's own messages (summaries, results, status lines) in the chosen
// language. The catalog is a plain map from the English format, which is
// also the message's id, to its Chinese format: a call site reads as the
// English it prints, English output is the format itself (byte for byte
// what it was), and TestZhCatalog checks that every Chinese format takes
// the same verbs in the same order. golang.org/x/text/message would add
// plural rules and a global catalog this CLI does not need.
//
// Machine formats (JSON, CSV, JUnit, SARIF, the rejects file), flag names,
// rule ids, codes, paths and digests are never translated; usage text
// (--help) comes in both languages (help.go).

// msgs is the language of the CLI's messages: "en" or "zh".
type msgs string

// The one language rule: every command speaks one language, the value of
// --lang when it is given, else of the environment variable SIMRISK_LANG
// when it is set, else Chinese. Titles, reasons, explain, the report, the
// summaries, the CLI's messages, the library's problems and reject reasons
// (libmsg.go) and --help all follow it. The locale (LANG, LC_ALL) is not
// read: a server's C or en_US locale is nobody's choice, and decisions'
// reasons must not change with the machine a batch runs on.
const langEnv = "SIMRISK_LANG"

// defaultLang is --lang's default: SIMRISK_LANG, else zh.
func defaultLang() string {
	if v := os.Getenv(langEnv); v != "" {
		return v
	}
	return rules.LangZh
}

// msgLang is the language of a command's messages, lang once checkLang
// accepted it.
func msgLang(_ *flag.FlagSet, lang string) msgs {
	if lang == rules.LangEn {
		return "en"
	}
	return msgs(rules.LangZh)
}

// langInArgs is the language of args that did not parse (a usage error is
// said before the flags are known): --lang among them, else the default.
func langInArgs(args []string) msgs {
	lang := defaultLang()
	for i, a := range args {
		if a == "--" {
			break
		}
		if v, ok := strings.CutPrefix(strings.TrimLeft(a, "-"), "lang="); ok && strings.HasPrefix(a, "-") {
			lang = v
		}
		if (a == "--lang" || a == "-lang") && i+1 < len(args) {
			lang = args[i+1]
		}
	}
	if lang == rules.LangEn {
		return "en"
	}
	return msgs(rules.LangZh)
}

// langWriter is a command's standard error (or output) with the
// command's language, so that helpers given only the writer say their
// messages in it (msgsOf).
type langWriter struct {
	io.Writer
	m msgs
}

// with is w carrying m.
func (m msgs) with(w io.Writer) io.Writer {
	if lw, ok := w.(langWriter); ok {
		w = lw.Writer
	}
	return langWriter{w, m}
}

// msgsOf is the language w carries; English for a writer that carries none
// (the library's own words).
func msgsOf(w io.Writer) msgs {
	if lw, ok := w.(langWriter); ok {
		return lw.m
	}
	return "en"
}

// unwrapWriter is the writer under a langWriter.
func unwrapWriter(w io.Writer) io.Writer {
	if lw, ok := w.(langWriter); ok {
		return lw.Writer
	}
	return w
}

// s is format in m's language.
func (m msgs) s(format string) string {
	if m == rules.LangZh {
		if z, ok := zhMessages[format]; ok {
			return z
		}
	}
	return format
}

// f writes format in m's language; an argument that is an error (the
// library's) is written in m's language too.
func (m msgs) f(w io.Writer, format string, a ...any) { fmt.Fprint(w, m.sf(format, a...)) }

func (m msgs) sf(format string, a ...any) string {
	if m == rules.LangZh {
		a = slices.Clone(a)
		for i, x := range a {
			if err, ok := x.(error); ok {
				a[i] = m.libErr(err)
			}
		}
	}
	return fmt.Sprintf(m.s(format), a...)
}

// name is an enumeration value (an outcome, a level) in m's language.
// atLeast is backtest's "outcome >= verify" in m's language.
func (m msgs) atLeast(name string) string {
	if o, ok := strings.CutPrefix(name, "outcome >= "); ok {
		return m.s("outcome >= ") + m.name(o)
	}
	return name
}

func (m msgs) name(v string) string {
	if m == rules.LangZh {
		return risk.DisplayName(v, rules.LangZh)
	}
	return v
}

var zhMessages = map[string]string{
	// score
	"rule set %s %s from %s (%s)\n":                             "规则集 %s %s，来自 %s（%s）\n",
	"records %d = decisions %d + rejected %d; %d holders; %s\n": "记录 %d = 决策 %d + 拒收 %d；持有人 %d；用时 %s\n",
	"records %d = decisions %d + rejected %d; 1 holder; %s\n":   "记录 %d = 决策 %d + 拒收 %d；持有人 1；用时 %s\n",
	"duplicates: %d records superseded by a later record of the same card (counted and scored once, in its last record's state; the earlier records are rejected):\n": "重复：%d 条记录被同一张卡的后续记录取代（只计一次、按最后一条记录的状态评分；较早的记录被拒收）：\n",
	"  card %s on lines %s\n":        "  卡 %s 在第 %s 行\n",
	"outcomes:":                      "处置：",
	"\nlevels:  ":                    "\n等级：  ",
	" %s %d":                         " %s %d",
	"  %-26s %d hits\n":              "  %-26s 命中 %d\n",
	"  %-26s %d hit\n":               "  %-26s 命中 %d\n",
	"  rule %s failed on %d cards\n": "  规则 %s 在 %d 张卡上出错\n",
	"  rule %s failed on %d card\n":  "  规则 %s 在 %d 张卡上出错\n",
	"first rejected records:\n":      "最先被拒收的记录：\n",
	"  line %d: %s\n":                "  第 %d 行：%s\n",
	"  ... and %d more\n":            "  …… 另有 %d 条\n",
	"hint: --rejects FILE writes every rejected record with its line and reason\n":                          "提示：--rejects FILE 会写出每条被拒收的记录及其行号和原因\n",
	"simrisk %s: every record (%d) was rejected: nothing was scored\n":                                      "simrisk %s：全部 %d 条记录被拒收，没有评分\n",
	"simrisk %s: %d of %d records rejected (%.1f%%), more than --max-reject-ratio %g allows\n":              "simrisk %s：%d / %d 条记录被拒收（%.1f%%），超过 --max-reject-ratio %g 的上限\n",
	"simrisk %s: no records in %s (an empty file, a CSV header alone or blank lines); nothing was scored\n": "simrisk %s：%s 中没有记录（空文件、只有 CSV 表头或空行），没有评分\n",
	"simrisk score: --in is required\n":                                                                     "simrisk score：需要 --in\n",

	" (simrisk score --in %s --rejects FILE lists every one)": "（simrisk score --in %s --rejects FILE 会列出全部）",
	"standard input": "标准输入",
	"simrisk %s: %s: ... and %d more rejected records%s\n": "simrisk %s：%s：…… 另有 %d 条记录被拒收%s\n",
	"simrisk %s: %s: record rejected: %v\n":                "simrisk %s：%s：记录被拒收：%v\n",

	// backtest
	"baseline  %s %s from %s (%s)\ncandidate %s %s from %s (%s)\n": "基线  %s %s，来自 %s（%s）\n候选  %s %s，来自 %s（%s）\n",
	"cards %d, rejected %d":        "卡 %d，拒收 %d",
	", labelled positive %d":       "，标注为阳性 %d",
	"; %d change outcome\n\n":      "；%d 张处置改变\n\n",
	"rule\tbase hits\tcand hits\t": "规则\t基线命中\t候选命中\t",
	"base prec\tbase recall\tbase F1\tcand prec\tcand recall\tcand F1\t":                                 "基线精确率\t基线召回率\t基线 F1\t候选精确率\t候选召回率\t候选 F1\t",
	"\noutcomes (rows baseline, columns candidate):\n":                                                   "\n处置（行为基线，列为候选）：\n",
	"flagged when\tbase cards\tprecision\trecall\tF1\tlift\tcand cards\tprecision\trecall\tF1\tlift\t\n": "标记条件\t基线卡数\t精确率\t召回率\tF1\t提升度\t候选卡数\t精确率\t召回率\tF1\t提升度\t\n",
	"outcome >= ": "处置 >= ",
	"ROC AUC of the score: baseline %s, candidate %s\n":                                                     "分数的 ROC AUC：基线 %s，候选 %s\n",
	"\nsample of cards that change outcome (%d of %d; ref is the input line: explain --in FILE --ref N):\n": "\n处置改变的卡（样本 %d / %d；ref 是输入行号：explain --in FILE --ref N）：\n",
	"  ref\tcard\tbaseline\tcandidate\tnow fire\tno longer fire\n":                                          "  ref\t卡\t基线\t候选\t新命中\t不再命中\n",
	"rules: no change (same parameters, lists, macros, bands and rules)\n":                                  "规则：无变化（参数、名单、宏、分档和规则都相同）\n",
	"what changed in the rules:\n":                                                                          "规则的变化：\n",
	"  %s %s added: %s\n":                                                                                   "  新增%s %s：%s\n",
	"  %s %s removed (was %s)\n":                                                                            "  删除%s %s（原为 %s）\n",
	"  %s %s: %s -> %s\n":                                                                                   "  %s %s：%s -> %s\n",
	"param":                                                                                                 "参数",
	"macro":                                                                                                 "宏",
	"band":                                                                                                  "分档",
	"simrisk %s: %s %s: %s\n":                                                                               "simrisk %s：%s %s：%s\n",
	"simrisk %s: hint: the input is read as JSON Lines, but its first line looks like a CSV header: add --format csv\n": "simrisk %s：提示：输入按 JSON Lines 读取，但第一行看起来是 CSV 表头：请加上 --format csv\n",
	", ":                               "、",
	", added %s":                       "，新增 %s",
	", removed %s":                     "，删除 %s",
	"  band >= %s -> >= %s: %s\n":      "  分档 >= %s 改为 >= %s：%s\n",
	"  band %s: %s -> %s\n":            "  分档 %s：%s -> %s\n",
	"score":                            "分数",
	"condition (when)":                 "条件（when）",
	"title":                            "标题",
	"outcome":                          "处置",
	"mode":                             "模式",
	"enabled":                          "启用",
	"tags":                             "标签",
	"reason":                           "理由",
	"type":                             "类型",
	"  list %s added (%d items)\n":     "  新增名单 %s（%d 项）\n",
	"  list %s removed (%d items)\n":   "  删除名单 %s（%d 项）\n",
	"  list %s: +%d -%d items":         "  名单 %s：+%d -%d 项",
	", type %s -> %s":                  "，类型 %s -> %s",
	"  rule %s added (%s)\n":           "  新增规则 %s（%s）\n",
	"  rule %s removed (%s)\n":         "  删除规则 %s（%s）\n",
	"  rule %s %s: %s -> %s\n":         "  规则 %s %s：%s -> %s\n",
	"%d changed cards written to %s\n": "%d 张处置改变的卡已写入 %s\n",
	"report written to %s\n":           "报告已写入 %s\n",
	"simrisk backtest: the baseline (%s) and the candidate (%s) are the same rules (digest %s)\n": "simrisk backtest：基线（%s）和候选（%s）是同一套规则（摘要 %s）\n",
	"simrisk backtest: --candidate and --in are required\n":                                       "simrisk backtest：需要 --candidate 和 --in\n",

	// fit
	"fitted on %d cards, judged on %d held out; flagged when score >= %g\n\n": "在 %d 张卡上拟合，在留出的 %d 张卡上评估；分数 >= %g 即标记\n\n",
	"rule\thits (train)\tcurrent\tfitted\tcoefficient\t\n":                    "规则\t命中（训练）\t当前\t拟合\t系数\t\n",
	"\nheld-out split:\n":                                                         "\n留出集：\n",
	"scores\tflagged\tprecision\trecall\tF1\t\n":                                  "分数\t标记\t精确率\t召回率\tF1\t\n",
	"the training split has only one class of label: nothing to fit":              "训练集的标签只有一类，无从拟合",
	"the best cut flags cards on which no rule fired; scores cannot express that": "最佳切分会标记没有任何规则命中的卡，分数无法表达这一点",
	"the fitted scores do not raise F1 on the held-out split (%.4f, current %.4f): the current scores already separate the labels as well as these rules can": "拟合的分数没有提高留出集上的 F1（%.4f，当前 %.4f）：当前分数已经在这些规则所能达到的程度上区分了标签",
	"current":                                "当前",
	"fitted":                                 "拟合",
	"\nno improvement: %s; %s not written\n": "\n没有改进：%s；未写入 %s\n",
	"\nF1 on the held-out split %.3f -> %.3f; suggested rules written to %s\n":        "\n留出集上的 F1 %.3f -> %.3f；建议的规则已写入 %s\n",
	"simrisk fit: --in and --out are required\n":                                      "simrisk fit：需要 --in 和 --out\n",
	"simrisk fit: --out %s exists; nothing was fitted (--force overwrites it)\n":      "simrisk fit：--out %s 已存在，没有拟合（--force 覆盖）\n",
	"simrisk fit: %s has no labels; fit needs ground truth (simrisk gen writes it)\n": "simrisk fit：%s 没有标注；拟合需要真实标签（simrisk gen 会写出）\n",

	// gen
	"simrisk gen: --cards N (N > 0) and --as-of DATE are required\n": "simrisk gen：需要 --cards N（N > 0）和 --as-of DATE\n",

	// test
	"FAIL %s: %s\n":          "失败 %s：%s\n",
	"%d passed, %d failed\n": "通过 %d，失败 %d\n",
	"simrisk test: give rule files or directories\n":                                                     "simrisk test：请给出规则文件或目录\n",
	"simrisk test: the rules cannot be used:\n":                                                          "simrisk test：规则无法使用：\n",
	"simrisk test: no tests in %s: nothing was tested (a rule file's tests: section; rules/README.md)\n": "simrisk test：%s 中没有测试，什么也没测（规则文件的 tests: 一节；见 rules/README.md）\n",
	"coverage: rule %s: no case\n":                                                                       "覆盖：规则 %s：没有用例\n",
	"coverage: rule %s: no case fires it\n":                                                              "覆盖：规则 %s：没有用例使它命中\n",
	"coverage: rule %s: every case fires it (no case shows it silent)\n":                                 "覆盖：规则 %s：每个用例都使它命中（没有用例显示它不命中）\n",
	"coverage: outcome %s: no case ends in it\n":                                                         "覆盖：处置 %s：没有用例得到它\n",
	"coverage: %d of %d rules fire and stay silent in some case; %d %s\n":                                "覆盖：%d / %d 条规则在某些用例中命中、在某些用例中不命中；%d %s\n",
	"gaps": "处缺口",
	"gap":  "处缺口",

	// lint
	"%s: rule %q: [note] %s\n": "%s: 规则 %q：[note] %s\n", // file:line:col: as editors read it
	"%d problems\n":            "%d 个问题\n",
	"%d problems":              "%d 个问题",
	"1 problem":                "1 个问题",
	"1 problem\n":              "1 个问题\n",
	"no errors, %s (--strict makes them errors)\n": "没有错误，%s（--strict 把它们当作错误）\n",
	"%d warnings":   "%d 个警告",
	"1 warning":     "1 个警告",
	"no problems\n": "没有问题\n",
	"simrisk lint: give rule files or directories (or --pack NAME)\n": "simrisk lint：请给出规则文件或目录（或 --pack NAME）\n",

	// every command's usage errors
	"simrisk %s: %s\nrun 'simrisk %s --help' for usage\n":                                                      "simrisk %s：%s\n用法见 'simrisk %s --help'\n",
	"simrisk %s: unexpected argument %q (flags are written --name VALUE)\nrun 'simrisk %s --help' for usage\n": "simrisk %s：多余的参数 %q（标志写作 --name VALUE）\n用法见 'simrisk %s --help'\n",
	"simrisk %s: no --as-of given; judging dates against now (%s)\n":                                           "simrisk %s：没有给出 --as-of，按当前时间（%s）判断日期\n",

	// explain
	"simrisk explain: line %d of %s is not a card that was scored: %s\n":                                                                                             "simrisk explain：%[2]s 的第 %[1]d 行不是被评分的卡：%[3]s\n",
	"simrisk explain: line %d of %s holds no record (a header, a blank line, or past the end); a reference is the line number backtest and score print for a card\n": "simrisk explain：%[2]s 的第 %[1]d 行没有记录（表头、空行或超出末尾）；引用是 backtest 和 score 为卡打印的行号\n",
	"simrisk explain: no valid record of %s in %s\n":                                                                                                                 "simrisk explain：%[2]s 中没有 %[1]s 的有效记录\n",
	"hint: a masked number names no card; --ref LINE takes the reference (input line) that backtest and score print next to it\n":                                    "提示：打码的号码不指向任何卡；--ref LINE 接受 backtest 和 score 在其旁边打印的引用（输入行号）\n",
	"simrisk explain: --ref %d: a reference is a line number from 1 (the line of --in a card stands on, as backtest and score print it)\n":                           "simrisk explain：--ref %d：引用是从 1 起的行号（卡在 --in 中所在的行，即 backtest 和 score 打印的行号）\n",
	"simrisk explain: --in needs --msisdn N or --ref LINE (the card to explain)\n":                                                                                   "simrisk explain：--in 需要 --msisdn N 或 --ref LINE（要解释的卡）\n",
	"simrisk explain: give --msisdn or --ref, not both\n":                                                                                                            "simrisk explain：--msisdn 和 --ref 只能给一个\n",
	"simrisk explain: --ref LINE needs --in FILE, the input the reference came from (a line number from 1)\n":                                                        "simrisk explain：--ref LINE 需要 --in FILE，即引用所来自的输入（从 1 起的行号）\n",
	"simrisk explain: no valid record on standard input\n":                                                                                                           "simrisk explain：标准输入中没有有效记录\n",
	"simrisk explain: %d records on standard input; explaining the first, the others count as its population\n":                                                      "simrisk explain：标准输入中有 %d 条记录；解释第一条，其余作为它的群体\n",
	"simrisk %s: %v\n": "simrisk %s：%v\n",

	"the backtest's summary":              "backtest 的汇总",
	"the fit's summary":                   "fit 的汇总",
	"the decisions (--out FILE frees it)": "决策（用 --out FILE 可把它让出来）",

	// progress, on a terminal
	"counting holders":          "统计持有人",
	"scoring":                   "评分",
	"pass %d/%d %s: %d records": "第 %d/%d 遍 %s：%d 条记录",
	", %.0f records/s":          "，每秒 %.0f 条",
	", %.0f%% done":             "，已完成 %.0f%%",
	", %s left":                 "，剩余 %s",
	"cards":                     "张卡",

	// --help
	"simrisk: unknown command %q\n\n%s": "simrisk：未知的命令 %q\n\n%s",
	"usage: %s\n":                       "用法：%s\n",
	"\nflags:\n":                        "\n标志：\n",
	" (default %s)":                     "（默认 %s）",

	// errors, each command's
	"simrisk %s: --format: %v\n":          "simrisk %s：--format：%v\n",
	"simrisk backtest: --format: %v\n":    "simrisk backtest：--format：%v\n",
	"simrisk backtest: %v\n":              "simrisk backtest：%v\n",
	"simrisk backtest: --changes: %v\n":   "simrisk backtest：--changes：%v\n",
	"simrisk backtest: --report: %v\n":    "simrisk backtest：--report：%v\n",
	"simrisk %s: %s %s cannot be used:\n": "simrisk %s：%s %s 无法使用：\n",
	"simrisk %s: --lang %s: not a language simrisk speaks; use --lang zh (中文) or --lang en (English)\n":     "simrisk %s：--lang %s：simrisk 不支持这种语言；请用 --lang zh（中文）或 --lang en（English）\n",
	"simrisk %s: %s=%s: not a language simrisk speaks; set %s to zh (中文) or en (English), or give --lang\n": "simrisk %s：%s=%s：simrisk 不支持这种语言；请把 %s 设为 zh（中文）或 en（English），或给出 --lang\n",
	"simrisk %s: %s -: standard output carries %s; give %s a file name\n":                                   "simrisk %s：%s -：标准输出已用于 %s；请给 %s 一个文件名\n",
	"simrisk %s: the rules cannot be used:\n":                                                               "simrisk %s：规则无法使用：\n",
	"simrisk %s: --as-of: %v\n":                      "simrisk %s：--as-of：%v\n",
	"simrisk explain: --format: %v\n":                "simrisk explain：--format：%v\n",
	"simrisk explain: %v\n":                          "simrisk explain：%v\n",
	"simrisk %s: --segments %s: %v\n":                "simrisk %s：--segments %s：%v\n",
	"simrisk %s: give --pack or --rules, not both\n": "simrisk %s：--pack 和 --rules 只能给一个\n",
	"simrisk %s: --pack %s: --pack names an embedded pack; a rule file or directory goes in --rules %s\n": "simrisk %s：--pack %s：--pack 指内置规则包；规则文件或目录请用 --rules %s\n",
	"simrisk fit: %v\n":                                                "simrisk fit：%v\n",
	"simrisk fit: --format: %v\n":                                      "simrisk fit：--format：%v\n",
	"simrisk gen: %v\n":                                                "simrisk gen：%v\n",
	"simrisk gen: --as-of: %v\n":                                       "simrisk gen：--as-of：%v\n",
	"simrisk gen: --format: %v\n":                                      "simrisk gen：--format：%v\n",
	"simrisk help: unknown command %q\n\n%s":                           "simrisk help：未知的命令 %q\n\n%s",
	"simrisk score: --max-reject-ratio %g: want a share from 0 to 1\n": "simrisk score：--max-reject-ratio %g：应为 0 到 1 之间的比例\n",
	"# Suggested by simrisk fit on %s from %s and %s (seed %d): held-out F1 %.3f -> %.3f.\n# Review before use; rule outcomes are unchanged.\n": "# simrisk fit 于 %s 根据 %s 和 %s（种子 %d）建议：留出集 F1 %.3f -> %.3f。\n# 使用前请审阅；规则的处置没有改变。\n",
	"simrisk score: %s\n":                                   "simrisk score：%s\n",
	"simrisk %s: %s\n":                                      "simrisk %s：%s\n",
	"simrisk score: %v\n":                                   "simrisk score：%v\n",
	"simrisk score: --format: %v\n":                         "simrisk score：--format：%v\n",
	"simrisk score: reading standard input: %v\n":           "simrisk score：读取标准输入：%v\n",
	"simrisk %s: --id-key-file: %v\n":                       "simrisk %s：--id-key-file：%v\n",
	"simrisk %s: --encoding: %v\n":                          "simrisk %s：--encoding：%v\n",
	"simrisk %s: %s: %s\n":                                  "simrisk %s：%s：%s\n",
	"simrisk %s: --aliases: %v\n":                           "simrisk %s：--aliases：%v\n",
	"simrisk lint: --format %q: want text, json or sarif\n": "simrisk lint：--format %q：应为 text、json 或 sarif\n",
	"simrisk lint: %v\n":                                    "simrisk lint：%v\n",
	"simrisk test: --junit: %v\n":                           "simrisk test：--junit：%v\n",
}
