package main

// --help in Chinese: the top-level usage, each command's synopsis and each
// flag's description, keyed by the English text (as zhMessages). Flag
// names, metavars (FILE, DATE), commands and formats stay as they are
// typed.

const usageZh = `simrisk：中国手机卡与物联网卡的涉诈风险规则

用法：
  simrisk score [--pack NAME | --rules PATH ...] --as-of DATE --in FILE.jsonl|FILE.csv [--format jsonl|csv]
                [--out FILE.jsonl|FILE.csv] [--only-flagged] [--rejects FILE] [--id-key-file FILE]
                [--encoding utf-8|gb18030|gbk|utf-16] [--segments FILE] [--max-reject-ratio R] [--strict] [--aliases FILE]
                                为每条记录评分；决策带有其输入行号（卡的引用）
  simrisk lint [--format text|json|sarif] [--strict] [--limit NAME=VALUE ...] PATH...
                                检查规则文件；每个问题按 文件:行:列 列出
  simrisk test [--coverage] [--junit FILE] [--limit NAME=VALUE ...] PATH...
                                运行规则文件中的测试（没有测试：退出码 1）
  simrisk explain [--pack NAME | --rules PATH] --as-of DATE [--in FILE (--msisdn N | --ref LINE)] [--format jsonl|csv] [--json]
                                逐条规则说明对一张卡的判断（不给 --in 时读标准输入），并指出最近的差距
  simrisk backtest [--baseline PACK] --candidate PACK --in FILE --as-of DATE [--report FILE.html] [--changes FILE.csv]
                                在（带标注的）群体上比较两套规则
  simrisk fit --pack PACK --in LABELLED --as-of DATE --out SUGGESTED.yaml [--force]
                                按标注拟合规则分值；写出建议的规则文件
  simrisk gen --cards N --seed S --as-of DATE [--out FILE] [--format jsonl|csv]
                                生成带真实标签的合成群体
  simrisk gen --stats FILE [--as-of DATE] [--id-key-file FILE]
                                输出群体的统计
  simrisk packs                 列出内置规则包
  simrisk version               模块版本、Go 版本、内置规则包的摘要

  语言：除 packs 和 version 外，每个命令都接受 --lang zh|en；不给时取环境变量 SIMRISK_LANG，
  再不然用中文。标题、原因、explain、报告、汇总、提示、规则问题、拒收原因和 --help 都用这一种语言；
  机器格式（JSON、CSV、JUnit、SARIF、拒收文件）、标志名、规则 id、错误代码、路径和摘要不翻译。
  score、explain、backtest 和 fit 接受 --format jsonl|csv，用于文件名看不出格式的输入（.csv 即 CSV）。
  score、explain、backtest 和 fit 读取记录时接受 --encoding utf-8|gb18030|gbk|utf-16|utf-16le|utf-16be、
  --strict（拒收未知的列和键）、--aliases FILE（见 datasets/README.md）和
  --id-key-file FILE（把 holder 中的原始身份证号转换为假名化标识；gen --stats 也接受）。
  score、explain、lint 和 test 接受 --limit NAME=VALUE（可重复），修改规则可请求的上限
  （max_list_items、max_file_bytes 等：见 rules/README.md 的 Limits 一节）。

PACK 是 pack:NAME（总是指内置规则包）或规则文件、目录；一个裸的规则包名如果在当前目录下
也是一个目录，会被拒绝。"simrisk CMD --help" 列出一个命令的标志。
`

var zhSynopses = map[string]string{
	"score": `simrisk score [--pack NAME | --rules PATH ...] --as-of DATE --in FILE [--out FILE.jsonl|FILE.csv] [--only-flagged]
              [--rejects FILE] [flags]
为文件中的每条记录评分：决策（JSON Lines；--out 以 .csv 结尾时为 CSV）、拒收记录，汇总写到标准错误`,
	"lint": `simrisk lint [--format text|json|sarif] [--pack NAME] [--limit NAME=VALUE ...] PATH...
检查规则文件；每个问题写作 文件:行:列: 规则 "id"：[代码] 说明`,
	"test": `simrisk test [--coverage] [--junit FILE] [--limit NAME=VALUE ...] PATH...
运行规则文件中的测试；有测试失败或没有测试时退出码为 1`,
	"explain": `simrisk explain [--pack NAME | --rules PATH] --as-of DATE [--in FILE (--msisdn N | --ref LINE)] [--format jsonl|csv] [--json] [--lang zh|en]
逐条规则说明对一张卡的判断（不给 --in 时读标准输入），并指出最近的差距`,
	"backtest": `simrisk backtest [--baseline PACK] --candidate PACK --in FILE --as-of DATE [--report FILE.html] [--changes FILE.csv]
在（带标注的）群体上比较两套规则；PACK 是 pack:NAME（内置规则包）或规则文件、目录`,
	"fit": `simrisk fit --pack PACK --in LABELLED --as-of DATE --out SUGGESTED.yaml [--force]
按标注拟合规则分值；写出建议的规则文件（没有 --force 时从不覆盖已有文件）`,
	"gen": `simrisk gen --cards N --seed S --as-of DATE [--out FILE] [--format jsonl|csv]
simrisk gen --stats FILE [--as-of DATE] [--id-key-file FILE]
生成带真实标签的合成群体，或输出群体的统计`,
	"packs":   "simrisk packs\n列出内置规则包",
	"version": "simrisk version\n本命令的模块版本、构建所用的 Go 版本和内置规则包的摘要",
}

var zhFlagUsage = map[string]string{
	"CSV of number segments to add to the built-in table: prefix,length,operator,kind,mvno[,note] (see datasets/README.md)":                     "要补充到内置号段表的号段 CSV：prefix,length,operator,kind,mvno[,note]（见 datasets/README.md）",
	"YAML file of more spellings of enumerated values, field: {alias: value} (datasets/README.md)":                                              "枚举值其他写法的 YAML 文件，格式为 字段: {别名: 取值}（见 datasets/README.md）",
	"a limit on what the rules may ask, NAME=VALUE (repeatable); names as in rules/README.md, section Limits":                                   "规则可请求的上限，NAME=VALUE（可重复）；名称见 rules/README.md 的 Limits 一节",
	"also write the results as JUnit XML to this file, for CI":                                                                                  "同时把结果以 JUnit XML 写到这个文件，供 CI 使用",
	"cards that change outcome to list on standard output and in the report":                                                                    "在标准输出和报告中列出的处置改变的卡数",
	"decisions: JSON Lines, or CSV when the name ends in .csv (columns: datasets.DecisionColumns, README); default standard output, JSON Lines": "决策：JSON Lines；文件名以 .csv 结尾时为 CSV（列见 datasets.DecisionColumns 和 README）；默认写到标准输出，JSON Lines",
	"embedded rule pack (default \"default\")":                                                                                                  "内置规则包（默认 \"default\"）",
	"fail (exit 1) when more than this share of the records (0 to 1) is rejected; a run that rejects every record always fails":                 "被拒收的记录超过这个比例（0 到 1）时失败（退出码 1）；全部记录都被拒收的运行总是失败",
	"file holding the secret key that turns raw ID numbers in holder into pseudonymous keys":                                                    "存放密钥的文件，用来把 holder 中的原始身份证号转换为假名化标识",
	"how many cards to generate": "要生成的卡数",
	"input encoding: utf-8, gb18030 or gbk (what Chinese Excel saves CSV in), utf-16, utf-16le or utf-16be (Excel's Unicode text; a UTF-16 file with a byte order mark is recognised without it)": "输入编码：utf-8、gb18030 或 gbk（中文版 Excel 保存 CSV 所用）、utf-16、utf-16le 或 utf-16be（Excel 的 Unicode 文本；带字节顺序标记的 UTF-16 文件不必指定也能识别）",
	"input format: jsonl or csv (default: from the --in file's name, .csv is CSV; JSON Lines on standard input)":                                                                                  "输入格式：jsonl 或 csv（默认看 --in 的文件名，.csv 即 CSV；标准输入为 JSON Lines）",
	"input format: jsonl or csv (default: from the file name; .csv is CSV)":                                                                                                                       "输入格式：jsonl 或 csv（默认看文件名；.csv 即 CSV）",
	"input records, JSON Lines or CSV (- for standard input)":                                                                                                                                     "输入记录，JSON Lines 或 CSV（- 表示标准输入）",
	"jsonl or csv (default: from --out's name; .csv is CSV)":                                                                                                                                      "jsonl 或 csv（默认看 --out 的文件名；.csv 即 CSV）",
	"labelled records (as simrisk gen writes them), JSON Lines or CSV":                                                                                                                            "带标注的记录（与 simrisk gen 写出的相同），JSON Lines 或 CSV",
	"lint an embedded pack instead of files":                                                                                                                                                      "检查内置规则包而不是文件",
	"output file (default standard output)":                                                                                                                                                       "输出文件（默认标准输出）",
	"output: text (file:line:col: ...), json (one array) or sarif (SARIF 2.1.0, for code review)":                                                                                                 "输出：text（文件:行:列: ...）、json（一个数组）或 sarif（SARIF 2.1.0，供代码评审）",
	"print the statistics of this population file instead of generating":                                                                                                                          "输出这个群体文件的统计，而不是生成",
	"random seed: the same seed and options give the same bytes":                                                                                                                                  "随机种子：种子和选项相同，输出的字节就相同",
	"records, JSON Lines or CSV; the card's population is the file (default: one card on standard input)":                                                                                         "记录，JSON Lines 或 CSV；卡所在的群体就是这个文件（默认：标准输入上的一张卡）",
	"records, JSON Lines or CSV; with labels (as simrisk gen writes them) for quality figures":                                                                                                    "记录，JSON Lines 或 CSV；带标注（与 simrisk gen 写出的相同）时给出质量指标",
	"refuse a file with a column or key card-schema v1 does not have (default: warn once per file and ignore it)":                                                                                 "拒收含有 card-schema v1 没有的列或键的文件（默认：每个文件警告一次并忽略）",
	"rejected records as {\"line\",\"reason\"} JSON Lines (- for standard output when --out is a file; default: counted, the first few reasons on stderr)":                                        "被拒收的记录，{\"line\",\"reason\"} 格式的 JSON Lines（--out 是文件时可用 - 表示标准输出；默认只计数，并在标准错误列出最先几条原因）",
	"report rules with no firing or no non-firing case, and outcomes no case reaches":                                                                                                             "报告没有命中用例或没有不命中用例的规则，以及没有用例得到的处置",
	"rule file or directory (repeatable)":                                                                                                                                                         "规则文件或目录（可重复）",
	"seed of the train/held-out split":                                                                                                                                                            "训练集/留出集划分的随机种子",
	"share of cards held out to judge the fit":                                                                                                                                                    "留出用来评估拟合的卡的比例",
	"snapshot date: no date in the population lies after it (with --stats: judge dormancy at it; default the file's latest date)":                                                                 "快照日期：群体中没有晚于它的日期（与 --stats 一起用时：按它判断睡眠；默认取文件中最晚的日期）",
	"the card to explain, by its number (with --in; or --ref)":                                                                                                                                    "要解释的卡，按号码（与 --in 一起用；或用 --ref）",
	"the card to explain, by its reference in backtest and score output: the line of --in it stands on":                                                                                           "要解释的卡，按它在 backtest 和 score 输出中的引用：它在 --in 中所在的行",
	"the language of everything the command says (titles, reasons, the report, summaries, messages, --help): zh or en; the default is $SIMRISK_LANG, else zh":                                     "命令输出的一切（标题、原因、报告、汇总、提示、--help）所用的语言：zh 或 en；默认取 $SIMRISK_LANG，再不然为 zh",
	"the proposed rules: pack:NAME (an embedded pack) or a rule file or directory":                                                                                                                "拟采用的规则：pack:NAME（内置规则包）或规则文件、目录",
	"the rules in force: pack:NAME (an embedded pack) or a rule file or directory":                                                                                                                "现行规则：pack:NAME（内置规则包）或规则文件、目录",
	"the rules to tune: an embedded pack name or a rule file or directory":                                                                                                                        "要调整的规则：内置规则包名或规则文件、目录",
	"the time dates are judged against: YYYY-MM-DD (CST) or RFC 3339 (default: now)":                                                                                                              "判断日期所依据的基准时间：YYYY-MM-DD（中国标准时间）或 RFC 3339（默认：现在）",
	"treat warnings (unused parameters, lists, macros; conditions that never hold; a copy named like a pack) as errors":                                                                           "把警告（未使用的参数、名单、宏；永远不成立的条件；与内置规则包同名的副本）当作错误",
	"where to write the suggested rule file (never the input)":                                                                                                                                    "建议的规则文件写到哪里（绝不会是输入）",
	"write --out even when the file exists (default: refuse)":                                                                                                                                     "即使文件已存在也写 --out（默认：拒绝）",
	"write an HTML report with charts to this file":                                                                                                                                               "把带图表的 HTML 报告写到这个文件",
	"write every card that changes outcome to this file, CSV (.csv) or JSON Lines: its reference (input line), masked number, label, outcome and score before and after, rules that now fire and that no longer fire": "把每张处置改变的卡写到这个文件，CSV（.csv）或 JSON Lines：引用（输入行号）、打码的号码、标注、前后的处置和分数、新命中和不再命中的规则",
	"write only the decisions that are not pass (the summary still counts every card)": "只写处置不是放行（pass）的决策（汇总仍计入每张卡）",
	"write the explanation as JSON (snake_case keys, as decisions)":                    "把解释写成 JSON（与决策一样用 snake_case 键）",
}
