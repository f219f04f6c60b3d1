package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/simrisk/simrisk/datasets"
	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/risk/ref"
	"github.com/simrisk/simrisk/rules"
)

// ruleFlags are the flags that choose a rule set: --pack NAME or --rules PATH
// (repeatable), and --lang for its texts.
type ruleFlags struct {
	pack   *string
	paths  multiFlag
	lang   *string
	segs   *string
	limits *limitFlag
}

func addRuleFlags(fs *flag.FlagSet) *ruleFlags {
	rf := &ruleFlags{}
	rf.pack = fs.String("pack", "", "embedded rule pack (default \"default\")")
	fs.Var(&rf.paths, "rules", "rule file or directory (repeatable)")
	rf.lang = addLangFlag(fs)
	rf.segs = addSegmentsFlag(fs)
	rf.limits = newLimitFlag()
	fs.Var(rf.limits, "limit", limitUsage)
	return rf
}

func addSegmentsFlag(fs *flag.FlagSet) *string {
	return fs.String("segments", "", "CSV of number segments to add to the built-in table: prefix,length,operator,kind,mvno[,note] (see datasets/README.md)")
}

// loadSegments adds the --segments file to the segment table; code is 0 or
// 1 (said on stderr).
func loadSegments(cmd, path string, stderr io.Writer) int {
	if path == "" {
		return 0
	}
	f, err := os.Open(path)
	if err == nil {
		err = ref.AddSegments(f)
		f.Close()
	}
	if err != nil {
		msgsOf(stderr).f(stderr, "simrisk %s: --segments %s: %v\n", cmd, path, err)
		return 1
	}
	return 0
}

// source is where the chosen rules come from, as reports name it:
// pack:NAME or the --rules paths.
func (rf *ruleFlags) source() string {
	if len(rf.paths) > 0 {
		return strings.Join(rf.paths, " ")
	}
	if *rf.pack != "" {
		return "pack:" + strings.TrimPrefix(*rf.pack, "pack:")
	}
	return "pack:default"
}

// engine loads and compiles the chosen rule set; problems go to stderr.
// code is 0, 2 for a usage mistake, or 1 when the rules cannot be used.
func (rf *ruleFlags) engine(cmd string, stderr io.Writer) (rs *rules.RuleSet, eng *risk.Engine, code int) {
	if *rf.pack != "" && len(rf.paths) > 0 {
		msgsOf(stderr).f(stderr, "simrisk %s: give --pack or --rules, not both\n", cmd)
		return nil, nil, 2
	}
	if code := loadSegments(cmd, *rf.segs, stderr); code != 0 {
		return nil, nil, code
	}
	// scoring and explaining do not need the rule tests: a broken test
	// does not keep the rules from being used (lint and test report it)
	paths := rf.paths
	if packClash(cmd, "--pack", *rf.pack, stderr) {
		return nil, nil, 2
	}
	if p := strings.TrimPrefix(*rf.pack, "pack:"); p != "" && knownPack(p) != nil {
		if _, err := os.Stat(*rf.pack); err == nil {
			msgsOf(stderr).f(stderr, "simrisk %s: --pack %s: --pack names an embedded pack; a rule file or directory goes in --rules %s\n", cmd, *rf.pack, *rf.pack)
			return nil, nil, 2
		}
	}
	if len(paths) == 0 {
		p := *rf.pack
		if p == "" {
			p = "default"
		}
		paths = multiFlag{"pack:" + strings.TrimPrefix(p, "pack:")}
	}
	rs, err := loadRules(paths, rules.WithLimits(rf.limits.lim), rules.WithoutTests())
	if err == nil {
		if eng, err = risk.Compile(rs, compileOptions(rf.limits.lim, risk.WithLanguage(*rf.lang))...); err == nil {
			return rs, eng, 0
		}
	}
	msgsOf(stderr).f(stderr, "simrisk %s: the rules cannot be used:\n", cmd)
	printErrors(stderr, err)
	return nil, nil, 1
}

// parseAsOf reads --as-of, or now (said on stderr) when empty.
func parseAsOf(m msgs, cmd, s string, stderr io.Writer) (risk.Time, bool) {
	if s == "" {
		t := risk.TimeOf(time.Now())
		m.f(stderr, "simrisk %s: no --as-of given; judging dates against now (%s)\n", cmd, t.Std().Format(time.RFC3339))
		return t, true
	}
	t, err := risk.ParseTime(s)
	if err != nil {
		msgsOf(stderr).f(stderr, "simrisk %s: --as-of: %v\n", cmd, err)
		return 0, false
	}
	return t, true
}

func cmdExplain(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlags("explain")
	rf := addRuleFlags(fs)
	asOfS := fs.String("as-of", "", "the time dates are judged against: YYYY-MM-DD (CST) or RFC 3339 (default: now)")
	in := fs.String("in", "", "records, JSON Lines or CSV; the card's population is the file (default: one card on standard input)")
	msisdn := fs.String("msisdn", "", "the card to explain, by its number (with --in; or --ref)")
	refLine := fs.Int("ref", 0, "the card to explain, by its reference in backtest and score output: the line of --in it stands on")
	asJSON := fs.Bool("json", false, "write the explanation as JSON (snake_case keys, as decisions)")
	format := fs.String("format", "", "input format: jsonl or csv (default: from the --in file's name, .csv is CSV; JSON Lines on standard input)")
	rd := addReadFlags(fs)
	if _, code, done := parseFlags(fs, args, "", stdout, stderr); done {
		return code
	}
	if !checkLang(fs, *rf.lang, stderr) {
		return 2
	}
	stderr = msgLang(fs, *rf.lang).with(stderr)
	m := msgLang(fs, *rf.lang)
	refGiven := false
	fs.Visit(func(f *flag.Flag) { refGiven = refGiven || f.Name == "ref" })
	if refGiven && *refLine < 1 {
		m.f(stderr, "simrisk explain: --ref %d: a reference is a line number from 1 (the line of --in a card stands on, as backtest and score print it)\n", *refLine)
		return 2
	}
	if *in != "" && *msisdn == "" && *refLine == 0 {
		m.f(stderr, "simrisk explain: --in needs --msisdn N or --ref LINE (the card to explain)\n")
		return 2
	}
	if *msisdn != "" && *refLine != 0 {
		m.f(stderr, "simrisk explain: give --msisdn or --ref, not both\n")
		return 2
	}
	if *refLine != 0 && *in == "" {
		m.f(stderr, "simrisk explain: --ref LINE needs --in FILE, the input the reference came from (a line number from 1)\n")
		return 2
	}
	_, eng, code := rf.engine("explain", stderr)
	if code != 0 {
		return code
	}
	asOf, ok := parseAsOf(m, "explain", *asOfS, stderr)
	if !ok {
		return 2
	}
	name := *in
	if name == "" {
		name = "-"
	}
	ropts, code := rd.options("explain", name, stderr)
	if code != 0 {
		return code
	}
	inFormat := datasets.JSONL
	if *in != "" {
		inFormat = datasets.FormatOf(*in)
	}
	if *format != "" {
		f, err := datasets.ParseFormat(*format)
		if err != nil {
			msgsOf(stderr).f(stderr, "simrisk explain: --format: %v\n", err)
			return 2
		}
		inFormat = f
	}
	var loaded *datasets.Loaded
	var err error
	if *in == "" || *in == "-" {
		src := stdin
		if *format == "" {
			b := bufio.NewReaderSize(stdin, 4096)
			head, _ := b.Peek(4096)
			csvHeaderHint("explain", head, stderr)
			src = b
		}
		loaded, err = datasets.Read(src, inFormat, asOf, ropts...)
	} else {
		var f *os.File
		if f, err = os.Open(*in); err == nil {
			loaded, err = datasets.Read(f, inFormat, asOf, ropts...)
			f.Close()
		}
	}
	if err != nil {
		msgsOf(stderr).f(stderr, "simrisk %s: %s\n", "explain", inputErrText(msgsOf(stderr), name, err))
		return 1
	}
	printRejected(m, stderr, "explain", name, loaded.Rejects)
	printDuplicates(m, stderr, loaded.Duplicates, loaded.Superseded)
	if m, err := ref.NormalizeMSISDN(*msisdn); err == nil {
		*msisdn = m // +86 138 0013 8000 names the card 13800138000
	}
	pop := risk.NewPopulation()
	var card *risk.Record
	for i, r := range loaded.Records {
		pop.Add(r)
		if *refLine != 0 {
			if loaded.Lines[i] == *refLine {
				card = r
			}
			continue
		}
		if *msisdn == "" || r.MSISDN == *msisdn {
			if card == nil {
				card = r
			}
		}
	}
	if card == nil && *refLine != 0 {
		for _, rej := range loaded.Rejects {
			if rej.Line == *refLine {
				m.f(stderr, "simrisk explain: line %d of %s is not a card that was scored: %s\n", *refLine, *in, ref.MaskText(m.lib(rej.Reason)))
				return 1
			}
		}
		m.f(stderr, "simrisk explain: line %d of %s holds no record (a header, a blank line, or past the end); a reference is the line number backtest and score print for a card\n", *refLine, *in)
		return 1
	}
	if card == nil {
		if *msisdn != "" {
			m.f(stderr, "simrisk explain: no valid record of %s in %s\n", risk.MaskMSISDN(*msisdn), *in)
			if strings.Contains(*msisdn, "*") {
				m.f(stderr, "hint: a masked number names no card; --ref LINE takes the reference (input line) that backtest and score print next to it\n")
			}
		} else {
			m.f(stderr, "simrisk explain: no valid record on standard input\n")
		}
		return 1
	}
	if *in == "" && len(loaded.Records) > 1 {
		m.f(stderr, "simrisk explain: %d records on standard input; explaining the first, the others count as its population\n", len(loaded.Records))
	}
	x, err := eng.NewScorer(risk.AsOfTime(asOf), risk.WithPopulation(pop)).Explain(card)
	if err != nil {
		msgsOf(stderr).f(stderr, "simrisk explain: %v\n", err)
		return 1
	}
	for i := range x.Rules {
		// a title is the rule file's text: a number written in it shows masked
		x.Rules[i].Title = ref.MaskText(x.Rules[i].Title)
	}
	if *asJSON {
		x.Decision.MSISDN = risk.MaskMSISDN(x.Decision.MSISDN)
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(x); err != nil {
			msgsOf(stderr).f(stderr, "simrisk explain: %v\n", err)
			return 1
		}
		return 0
	}
	fmt.Fprint(stdout, x.Format())
	return 0
}
