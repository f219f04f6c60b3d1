package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/require"
	"golang.org/x/text/unicode/norm"
)

// The personal data planted in the leak test's inputs: numbers and ID
// numbers, each written in several spellings.
var (
	leakPhone = "13912345678"
	leakID    = "11010519491231002X"
	leakID15  = "110105491231002"
)

// spellings of a number or ID: plain, spaced, dashed, full-width, +86,
// with a label, lower-case x.
func spellings(s string) []string {
	full := strings.Map(func(r rune) rune {
		switch {
		case r >= '0' && r <= '9':
			return r - '0' + '０'
		case r == 'X':
			return 'ｘ'
		}
		return r
	}, s)
	out := []string{s, full, strings.ToLower(s)}
	switch len(s) {
	case 11:
		out = append(out, s[:3]+" "+s[3:7]+" "+s[7:], s[:3]+"-"+s[3:7]+"-"+s[7:], "+86 "+s, "0086"+s)
		// issue 14 review: any separator between the groups
		for _, sep := range []string{".", "/", "_", "\u200b", "*", "·", ",", "。", "\u2060", ", "} {
			out = append(out, s[:3]+sep+s[3:7]+sep+s[7:])
		}
		out = append(out, "(+86)"+s, "+86("+s[:3]+")"+s[3:], `="`+s+`"`)
	default:
		out = append(out, s[:6]+" "+s[6:14]+" "+s[14:], s[:6]+"-"+s[6:14]+"-"+s[14:], "身份证："+s, "ID: "+s)
		for _, sep := range []string{".", "/", "_", "\u200b", "*", "·", ",", "。"} {
			out = append(out, s[:6]+sep+s[6:14]+sep+s[14:])
		}
		out = append(out, "ID "+s[:6]+"/"+s[6:14]+"/"+s[14:], `="`+s+`"`, "'"+s, "\u200b"+s+"\u200b", "("+s+")", s+";",
			"公民身份号码："+s, "身份证号码（18位）："+s)
		if len(s) == 18 {
			out = append(out, s[:17]+"×")
		}
	}
	return out
}

// leakInputs writes record files (JSON Lines and CSV) full of personal
// data in every spelling, in every field that is not an identifier, and
// rule files whose tests and expressions hold some.
func leakInputs(t *testing.T, dir string) (jsonl, csv, rulesDir string, cards []string) {
	t.Helper()
	var j strings.Builder
	n := 0
	card := func() string {
		n++
		c := fmt.Sprintf("138001%05d", n)
		cards = append(cards, c)
		return c
	}
	q := func(s string) string { return fmt.Sprintf("%q", s) }
	for g, secret := range append(append(spellings(leakPhone), spellings(leakID)...), spellings(leakID15)...) {
		// six cards of one MVNO brand that is personal data: 一证五卡 fires and
		// its reason prints the brand
		for i := 0; i < 6; i++ {
			fmt.Fprintf(&j, `{"msisdn":%s,"opened_at":"2024-03-01","holder":"h-%d","mvno":%s,"last_voice_at":"2026-10-30","linked_platforms":[%s],"label":{"fraud":true,"scenario":%s}}`+"\n",
				q(card()), g, q(secret), q(secret), q(secret))
		}
		// the same data in fields that reject it
		for _, field := range []string{"holder", "operator", "status", "kind", "fraud_flag", "open_region", "id_region", "iccid", "opened_at", "last_voice_at", "msisdn"} {
			if field == "msisdn" {
				fmt.Fprintf(&j, `{"msisdn":%s,"opened_at":"2024-03-01x%s"}`+"\n", q(secret+"9"), secret)
				continue
			}
			fmt.Fprintf(&j, `{"msisdn":%s,"opened_at":"2024-03-01",%s:%s}`+"\n", q(card()), q(field), q(secret))
		}
		fmt.Fprintf(&j, `{"msisdn":%s,"opened_at":"2024-03-01","roaming":[{"region":%s,"last_seen":"2026-10-01"}]}`+"\n", q(card()), q(secret))
		fmt.Fprintf(&j, `{"msisdn":%s,"opened_at":"2024-03-01","complaints":%s}`+"\n", q(card()), q(secret))
		fmt.Fprintf(&j, `{"msisdn":%s,"opened_at":"2024-03-01","iot":{"business":%s}}`+"\n", q(card()), q(secret))
		fmt.Fprintf(&j, `{"msisdn":%s,"opened_at":"2024-03-01",%s:1}`+"\n", q(card()), q(secret))
		fmt.Fprintf(&j, `{"msisdn":%s %s}`+"\n", q(card()), secret)
	}
	jsonl = filepath.Join(dir, "pii.jsonl")
	require.NoError(t, os.WriteFile(jsonl, []byte(j.String()), 0o644))

	var c strings.Builder
	c.WriteString("msisdn,opened_at,holder,mvno,complaints,recycled,open_region,last_voice_at\n")
	for g, secret := range append(spellings(leakPhone), spellings(leakID)...) {
		s := strings.ReplaceAll(strings.ReplaceAll(secret, ",", ""), `"`, "")
		for i := 0; i < 6; i++ {
			fmt.Fprintf(&c, "%s,2024-03-01,h-c%d,%s,,,,2026-10-30\n", card(), g, s)
		}
		fmt.Fprintf(&c, "%s,%s,h-1,,,,,\n", card(), s)
		fmt.Fprintf(&c, "%s,2024-03-01,%s,,,,,\n", card(), s)
		fmt.Fprintf(&c, "%s,2024-03-01,h-1,,%s,,,\n", card(), s)
		fmt.Fprintf(&c, "%s,2024-03-01,h-1,,,%s,,\n", card(), s)
		fmt.Fprintf(&c, "%s,2024-03-01,h-1,,,,%s,\n", card(), s)
		fmt.Fprintf(&c, "%s,2024-03-01,h-1,,,,,\n", s+"0")
		fmt.Fprintf(&c, "%s,2024-03-01,h-1,\"%s\n", card(), s)
	}
	csv = filepath.Join(dir, "pii.csv")
	require.NoError(t, os.WriteFile(csv, []byte(c.String()), 0o644))

	rulesDir = filepath.Join(dir, "rules")
	require.NoError(t, os.Mkdir(rulesDir, 0o755))
	var r strings.Builder
	r.WriteString("name: pii\nversion: \"1\"\nbands:\n  - {min: 0, level: low, outcome: pass}\n  - {min: 5, level: high, outcome: verify}\nrules:\n")
	r.WriteString("  - id: brand\n    when: mvno != \"\"\n    score: 10\n    outcome: monitor\n    reason: \"brand {mvno}, platforms {join(linked_platforms, ' ')}\"\n")
	r.WriteString("tests:\n")
	for i, secret := range []string{leakID, "110105 19491231 002x", "１３９１２３４５６７８", "+86 139-1234-5678"} {
		fmt.Fprintf(&r, "  - name: leak %d of %s\n    as_of: 2026-11-01\n    card: {mvno: %q, linked_platforms: [%q]}\n    expect: {not_fires: [brand], outcome: suspend}\n", i, secret, secret, secret)
	}
	require.NoError(t, os.WriteFile(filepath.Join(rulesDir, "pii.yaml"), []byte(r.String()), 0o644))
	bad := "rules:\n  - id: bad\n    when: mvno == \"" + leakID + "\" && nope\n    score: 1\n  - id: bad2\n    when: mvno == \"139 1234 5678\" +\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "bad.yaml"), []byte(bad), 0o644))
	// a rule set that writes numbers into its own text: a list, a parameter,
	// a title, a condition, a reason; backtest's "what changed" and rule
	// tables show them masked
	lit := "name: lit\nversion: \"2\"\nbands:\n  - {min: 0, level: low, outcome: pass}\n  - {min: 5, level: high, outcome: verify}\nparams:\n  vip: \"13912345678\"\nlists:\n  watch:\n    items: [\"139 1234 5678\", \"11010519491231002X\"]\n" +
		"rules:\n  - id: watched\n    title: {zh: \"观察 13912345678\", en: \"watched 110105 19491231 002X\"}\n" +
		"    when: msisdn == params.vip || msisdn in lists.watch || holder == \"110105194912310028\"\n    score: 5\n    outcome: monitor\n" +
		"    reason: {zh: \"观察号码 139-1234-5678\", en: \"watched 139-1234-5678\"}\n"
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "lit"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "lit", "lit.yaml"), []byte(lit), 0o644))
	return jsonl, csv, rulesDir, cards
}

// canonical is text as the leak scan reads it: NFKC, upper case, × read as
// X, without anything that is neither a letter nor a digit (spaces,
// dashes, dots, slashes, zero-width characters...).
func canonical(s string) string {
	s = strings.ToUpper(norm.NFKC.String(s))
	return strings.Map(func(r rune) rune {
		switch {
		case r == '×':
			return 'X'
		case r == '*':
			return '*' // a mask stays one: 138****5678 is not 1385678
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			return -1
		}
		return r
	}, s)
}

// decisionMSISDN is a decision's own card number, the one place a full
// number belongs.
var decisionMSISDN = regexp.MustCompile(`"msisdn":"1[0-9]{10}(?:[0-9]{2})?","score"`)

// csvDecisionMSISDN is the same in a CSV decision row: line, msisdn, score.
var csvDecisionMSISDN = regexp.MustCompile(`(?m)^([0-9]+),1[0-9]{10}(?:[0-9]{2})?,([0-9.]+),(low|medium|high|critical),`)

// Every command of the CLI, run on inputs full of personal data in every
// spelling, shows no full number or ID number in anything it writes:
// stdout, stderr, output files, the HTML report (a decision's own msisdn
// aside).
func TestNoCommandLeaksPersonalData(t *testing.T) {
	dir := t.TempDir()
	jsonl, csv, rulesDir, cards := leakInputs(t, dir)
	key := filepath.Join(dir, "id.key")
	require.NoError(t, os.WriteFile(key, []byte("0123456789abcdef0123456789abcdef\n"), 0o600))
	out := func(name string) string { return filepath.Join(dir, "out", name) }
	require.NoError(t, os.Mkdir(filepath.Join(dir, "out"), 0o755))
	firstCard := cards[0]
	one := `{"msisdn":"+86 138 0013 8000","opened_at":"2024-03-01","mvno":"110105 19491231 002X","holder":"h-1","linked_platforms":["１３９１２３４５６７８"]}` + "\n"

	loose := `{"msisdn":"13800138000","opened_at":"2024-03-01","mvno":"ID 110105/19491231/002X","holder":"h-1","linked_platforms":["139·1234·5678","139。1234。5678","139\u200b1234\u200b5678"]}` + "\n"
	runs := []struct {
		args  []string
		stdin string
	}{
		{args: []string{"score", "--as-of", "2026-11-01", "--in", jsonl, "--out", out("d1.jsonl"), "--rejects", out("r1.jsonl"), "--lang", "zh"}},
		{args: []string{"score", "--as-of", "2026-11-01", "--in", jsonl, "--lang", "en"}},
		{args: []string{"score", "--as-of", "2026-11-01", "--in", csv, "--out", out("d2.jsonl")}},
		{args: []string{"score", "--as-of", "2026-11-01", "--in", csv, "--id-key-file", key, "--rejects", out("r2.jsonl"), "--max-reject-ratio", "0.1"}},
		{args: []string{"score", "--as-of", "2026-11-01", "--in", jsonl, "--id-key-file", key, "--rules", rulesDir, "--out", out("d3.jsonl"), "--rejects", out("r3.jsonl"), "--lang", "zh"}},
		{args: []string{"explain", "--as-of", "2026-11-01", "--in", jsonl, "--msisdn", firstCard}},
		{args: []string{"explain", "--as-of", "2026-11-01", "--in", jsonl, "--msisdn", firstCard, "--json", "--lang", "en"}},
		{args: []string{"explain", "--as-of", "2026-11-01", "--in", jsonl, "--msisdn", "+86 139 1234 5678"}},
		{args: []string{"explain", "--as-of", "2026-11-01", "--rules", rulesDir}, stdin: one},
		{args: []string{"explain", "--as-of", "2026-11-01", "--json"}, stdin: one},
		{args: []string{"explain", "--as-of", "2026-11-01"}, stdin: loose},
		{args: []string{"explain", "--as-of", "2026-11-01", "--json", "--lang", "en"}, stdin: loose},
		{args: []string{"backtest", "--candidate", "default-cel", "--baseline", rulesDir, "--as-of", "2026-11-01", "--in", jsonl, "--report", out("report.html")}},
		{args: []string{"backtest", "--candidate", "default", "--as-of", "2026-11-01", "--in", csv, "--lang", "en"}},
		{args: []string{"backtest", "--candidate", "pack:default-cel", "--baseline", rulesDir, "--as-of", "2026-11-01", "--in", csv, "--lang", "en",
			"--changes", out("changes.csv"), "--report", out("report-en.html")}},
		{args: []string{"backtest", "--candidate", "pack:default-cel", "--baseline", rulesDir, "--as-of", "2026-11-01", "--in", jsonl, "--changes", out("changes.jsonl")}},
		{args: []string{"backtest", "--candidate", filepath.Join(dir, "lit"), "--baseline", rulesDir, "--as-of", "2026-11-01", "--in", jsonl,
			"--report", out("report-lit.html"), "--changes", out("changes-lit.csv")}},
		{args: []string{"backtest", "--candidate", rulesDir, "--baseline", filepath.Join(dir, "lit"), "--as-of", "2026-11-01", "--in", csv, "--lang", "en",
			"--report", out("report-lit-en.html")}},
		{args: []string{"explain", "--as-of", "2026-11-01", "--in", jsonl, "--ref", "1"}},
		{args: []string{"explain", "--as-of", "2026-11-01", "--rules", filepath.Join(dir, "lit"), "--in", jsonl, "--ref", "1"}},
		{args: []string{"explain", "--as-of", "2026-11-01", "--rules", filepath.Join(dir, "lit"), "--json", "--lang", "en"}, stdin: one},
		{args: []string{"score", "--as-of", "2026-11-01", "--rules", filepath.Join(dir, "lit"), "--in", jsonl, "--out", out("d-lit.csv")}},
		{args: []string{"explain", "--as-of", "2026-11-01", "--in", csv, "--ref", "2", "--json"}},
		{args: []string{"score", "--as-of", "2026-11-01", "--in", jsonl, "--out", out("d4.csv"), "--only-flagged"}},
		{args: []string{"fit", "--pack", "default", "--as-of", "2026-11-01", "--in", jsonl, "--out", out("fit.yaml"), "--force"}},
		{args: []string{"lint", rulesDir, filepath.Join(dir, "bad.yaml")}},
		{args: []string{"lint", "--format", "json", filepath.Join(dir, "bad.yaml")}},
		{args: []string{"lint", "--format", "sarif", filepath.Join(dir, "bad.yaml")}},
		{args: []string{"test", "--coverage", "--junit", out("junit.xml"), rulesDir}},
		{args: []string{"gen", "--stats", jsonl, "--as-of", "2026-11-01"}},
		{args: []string{"gen", "--stats", csv, "--as-of", "2026-11-01"}},
	}
	secrets := append([]string{canonical(leakPhone), canonical(leakID), canonical(leakID15), "13800138000"}, cards...)
	scan := func(what, text string) {
		t.Helper()
		c := canonical(csvDecisionMSISDN.ReplaceAllString(decisionMSISDN.ReplaceAllString(text, `"msisdn":"(own)","score"`), "$1,(own),$2,$3,"))
		for _, s := range secrets {
			if i := strings.Index(c, s); i >= 0 {
				t.Errorf("%s shows %s: …%s…", what, s, c[max(0, i-80):min(len(c), i+len(s)+40)])
			}
		}
	}
	// every run in both languages: the other one first, then as written
	// (the outputs the checks below read are the written run's)
	seen := map[string]string{}
	scanOutputs := func() {
		files, err := os.ReadDir(filepath.Join(dir, "out"))
		require.NoError(t, err)
		for _, f := range files {
			info, err := f.Info()
			require.NoError(t, err)
			stamp := fmt.Sprint(info.Size(), info.ModTime().UnixNano())
			if seen[f.Name()] == stamp {
				continue
			}
			seen[f.Name()] = stamp
			b, err := os.ReadFile(out(f.Name()))
			require.NoError(t, err)
			scan(f.Name(), string(b))
		}
	}
	for _, r := range runs {
		other := append(slices.Clone(r.args), "--lang", "zh")
		if i := slices.Index(r.args, "--lang"); i >= 0 {
			other = slices.Clone(r.args)
			other[i+1] = map[string]string{"zh": "en", "en": "zh"}[other[i+1]]
		}
		for _, args := range [][]string{other, r.args} {
			stdin = strings.NewReader(r.stdin)
			var o, e bytes.Buffer
			code := run(context.Background(), args, &o, &e)
			name := strings.Join(args[:2], " ")
			t.Logf("%s: exit %d, %d bytes out, %d bytes err: %.300s", name, code, o.Len(), e.Len(), e.String())
			require.NotEqual(t, 2, code, "%v: %s", args, e.String())
			scan(fmt.Sprintf("%v stdout", args), o.String())
			scan(fmt.Sprintf("%v stderr", args), e.String())
			scanOutputs()
		}
	}
	stdin = os.Stdin
	files, err := os.ReadDir(filepath.Join(dir, "out"))
	require.NoError(t, err)
	names := []string{}
	for _, f := range files {
		names = append(names, f.Name())
	}
	require.Subset(t, names, []string{"d1.jsonl", "r1.jsonl", "d2.jsonl", "r2.jsonl", "d3.jsonl", "r3.jsonl", "report.html", "junit.xml",
		"changes.csv", "changes.jsonl", "report-en.html", "d4.csv", "report-lit.html", "report-lit-en.html"})
	// the reasons that print the personal data did fire, masked
	d1, err := os.ReadFile(out("d1.jsonl"))
	require.NoError(t, err)
	require.Contains(t, string(d1), "持卡人证件在 139****5678 名下有 6 张有效卡")
	require.Contains(t, string(d1), "持卡人证件在 110105********002X 名下有 6 张有效卡")
	d3, err := os.ReadFile(out("d3.jsonl"))
	require.NoError(t, err)
	require.Contains(t, string(d3), "brand 身份证：110105********002X, platforms 身份证：110105********002X")
}
