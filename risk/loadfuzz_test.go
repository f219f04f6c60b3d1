package risk_test

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/rules"
)

// fuzzLimits are small, so that every input is cheap: the fuzzer looks for
// inputs that get past a limit, not for large ones.
func fuzzLimits() rules.Limits {
	l := rules.DefaultLimits()
	l.MaxFileBytes = 64 << 10
	l.MaxListItems = 200
	l.MaxTags = 8
	l.MaxExprBytes = 2 << 10
	l.MaxExprDepth = 32
	l.MaxExprNodes = 200
	l.MaxReasonBytes = 512
	l.MaxReasonPlaceholders = 8
	l.MaxCost = 20_000
	l.MaxTests = 50
	l.MaxFixtureBytes = 4 << 10
	l.MaxTotalBytes = 64 << 10
	l.MaxRules = 50
	l.MaxTextBytes = 64
	return l
}

// hostileSeeds are one small example of each kind of rule file that once
// crashed, hung or fooled the loader or the compiler (small: a seed also
// runs as a plain test, and the fuzzer grows them).
func hostileSeeds() []string {
	rule := "bands: [{min: 0, level: low, outcome: pass}]\nrules:\n  - id: a\n    when: %s\n    outcome: verify\n"
	var chain strings.Builder
	chain.WriteString("macros:\n")
	for i := range 8 {
		fmt.Fprintf(&chain, "  m%d: m%d || m%d\n", i, i+1, i+1)
	}
	chain.WriteString("  m8: valid\n" + fmt.Sprintf(rule, "m0"))
	var flowChain strings.Builder
	flowChain.WriteString("macros: {")
	for i := range 100 {
		fmt.Fprintf(&flowChain, "c%d: c%d, ", i, i+1)
	}
	flowChain.WriteString("c100: valid}\n" + fmt.Sprintf(rule, "c0"))
	return []string{
		fmt.Sprintf(rule, strings.Repeat("(", 2000)+"valid"+strings.Repeat(")", 2000)),
		fmt.Sprintf(rule, strings.Repeat("[", 500)+"1"+strings.Repeat("]", 500)+" != nil"),
		fmt.Sprintf(rule, strings.Repeat("-", 3000)+"1 > 0"),
		fmt.Sprintf(rule, strings.Repeat("!", 3000)+"valid"),
		fmt.Sprintf(rule, strings.Repeat("alerts_30d > 1 && ", 400)+"valid"),
		fmt.Sprintf(rule, `repeat("x", 1000) != ""`),
		fmt.Sprintf(rule, `any(0..9, {any(0..9, {any(0..9, {# > 8})})})`),
		fmt.Sprintf(rule, `reduce(1..10, #acc + msisdn, "") != ""`),
		chain.String(),
		flowChain.String(),
		"lists: {far: {type: region, items: [" + strings.Repeat("KH, ", 300) + "KH]}}\n",
		"lists: {far: [" + strings.Repeat("a, ", 250) + "b]}\n",
		"rules:\n  - {id: a, when: valid, outcome: pass, tags: [" + strings.Repeat("t, ", 20) + "t]}\n",
		"rules:\n  - {id: a, when: valid, outcome: pass, reason: '" + strings.Repeat("{msisdn}", 100) + "'}\n",
		"bands:\n  - {min: 0, level: low, outcome: pass}\n  - {min: .nan, level: high, outcome: verify}\n",
		"rules:\n  - {id: a, when: valid, outcome: pass, score: -.inf}\nparams: {p: .NaN}\n",
		"tests:\n  - {name: t, as_of: 2026-11-01, card: {alerts_30d: .inf}, expect: {score: {min: .nan}}}\n",
		"rules:\n  - id: a\n    when: valid\n\toutcome: pass\n",
		"rules:\n  - id: a\n    when: valid\n   outcome: pass\n",
		"tests:\n  - {name: t, as_of: 2026-11-01, card: {}, population: ../../../../dev/zero, expect: {}}\n",
		"language: cel\n" + fmt.Sprintf(rule, "roaming.exists(r, roaming.exists(s, r.region == s.region))"),
		fmt.Sprintf(rule, "let x = roaming; any(x, {any(x, {.region == 'KH'})})"),
		"name: x\n" + strings.Repeat("# "+strings.Repeat("x", 2000)+"\n", 3),
		fmt.Sprintf(rule, "valid") + "---\nrules:\n  - {id: b, when: valid, outcome: suspend}\n",
		fmt.Sprintf(rule, "valid") + "...\n--- !!str\nhello\n--- [1, 2\n",
		"params: {big: 1e999, neg: -1e400, h: 0xFFFFFFFFFFFFFFFFFF, q: '1e999'}\n" + fmt.Sprintf(rule, "valid") +
			"tests:\n  - {name: t, as_of: 2026-11-01, card: {roaming: [{region: KH, last_seen: 1e999}]}, expect: {fires: [a]}}\n",
		"rules:\n  - {id: a, when: valid, outcome: pass, title: " + strings.Repeat("t", 100) + ", tags: [" + strings.Repeat("x", 100) + "]}\n",
		"rules:\n" + strings.Repeat("  - {id: a, when: valid, outcome: pass}\n", 60),
	}
}

// FuzzLoadCompile: any bytes as a rule file go through the loader and the
// compiler (Parse, Check, Compile) without a panic, and what loading accepts is within the limits it was
// given. Seeds: the embedded packs, every file of the rule cases
// (rules/testdata/cases) and the hostile kinds above.
func FuzzLoadCompile(f *testing.F) {
	_ = fs.WalkDir(rules.PacksFS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := fs.ReadFile(rules.PacksFS(), p)
			f.Add(data)
		}
		return nil
	})
	_ = filepath.WalkDir("../rules/testdata/cases", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := os.ReadFile(p)
			f.Add(data)
		}
		return nil
	})
	for _, s := range hostileSeeds() {
		f.Add([]byte(s))
	}
	lim := fuzzLimits()
	ld, err := rules.NewLoader(rules.WithLimits(lim))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rs, loadErr := ld.Parse(rules.Source{Name: "f.yaml", Data: data})
		if rs == nil {
			t.Fatal("Parse returned no RuleSet")
		}
		if (rs.Err() == nil) != (loadErr == nil) || len(rules.AsList(rs.Err())) != len(rules.AsList(loadErr)) {
			t.Fatalf("RuleSet.Err() %v is not the load's error %v", rs.Err(), loadErr)
		}
		for _, l := range rs.Lists {
			if len(l.Items) > lim.MaxListItems {
				t.Fatalf("list %s has %d items", l.Name, len(l.Items))
			}
		}
		if len(rs.Rules) > lim.MaxRules {
			t.Fatalf("%d rules", len(rs.Rules))
		}
		for _, r := range rs.Rules {
			if len(r.Tags) > lim.MaxTags || len(r.Reason.Src) > lim.MaxReasonBytes {
				t.Fatalf("rule %s: %d tags, reason of %d bytes", r.ID, len(r.Tags), len(r.Reason.Src))
			}
			texts := append([]string{r.ID, r.Title}, r.Tags...)
			for _, s := range r.Titles {
				texts = append(texts, s)
			}
			for _, s := range texts {
				if len(s) > lim.MaxTextBytes {
					t.Fatalf("rule %s: a text of %d bytes", r.ID, len(s))
				}
			}
		}
		for _, p := range rs.Params {
			if s, ok := p.Value.(string); ok && len(s) > lim.MaxTextBytes {
				t.Fatalf("parameter %s of %d bytes", p.Name, len(s))
			}
		}
		if len(rs.Tests) > lim.MaxTests {
			t.Fatalf("%d tests", len(rs.Tests))
		}
		// Lint is Check and its warnings: the same errors, then warnings
		// with a code and a message
		for _, e := range risk.Lint(rs) {
			if e.Code == "" || e.Msg == "" {
				t.Fatalf("error without code or message: %#v", e)
			}
		}
		eng, err := risk.Compile(rs)
		if loadErr != nil && (eng != nil || err == nil) {
			t.Fatalf("a failed load compiled: %v", loadErr)
		}
		if (eng == nil) == (err == nil) {
			t.Fatalf("Compile returned engine %v and error %v", eng != nil, err)
		}
	})
}
