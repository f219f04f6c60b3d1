package risk_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/rules"
)

// requireLimitErr compiles src and requires one error of code that names
// limit, and returns it.
func requireLimitErr(t *testing.T, src string, code rules.Code, limit string, opts ...risk.CompileOption) *rules.Error {
	t.Helper()
	// the loader's max_reason_bytes would refuse the megabyte reasons before
	// compiling; what is tested here is compiling
	lim := rules.DefaultLimits()
	lim.MaxReasonBytes = 4 << 20
	ld, err := rules.NewLoader(rules.WithLimits(lim))
	require.NoError(t, err)
	rs, err := ld.Parse(rules.Source{Name: "t.yaml", Data: []byte(src)})
	require.NoError(t, err)
	_, err = risk.Compile(rs, opts...)
	require.Error(t, err)
	for _, e := range rules.AsList(err) {
		if e.Code == code {
			require.Contains(t, e.Msg, limit)
			require.Less(t, len(e.Msg), 400, "a message that quotes the expression")
			return e
		}
	}
	require.Failf(t, "no error of the code", "want %s naming %s, got %v", code, limit, err)
	return nil
}

// Half a million nested brackets or prefix operators (which overflow the
// parsers' stacks, a fatal error no recover catches) are a too_complex
// error at the place they go over max_expr_depth, in a condition, a macro
// and a reason, in both languages.
func TestDeepExpressionIsRefusedBeforeParsing(t *testing.T) {
	const n = 500_000
	deep := map[string]string{
		"parens":   strings.Repeat("(", n) + "true" + strings.Repeat(")", n),
		"brackets": "len(" + strings.Repeat("[", n) + "1" + strings.Repeat("]", n) + ") > 0",
		"braces":   strings.Repeat("{a: ", n) + "1" + strings.Repeat("}", n) + " != nil",
		"minus":    strings.Repeat("-", n) + "1 > 0",
		"not":      strings.Repeat("!", n/5) + "true",
		"not word": strings.Repeat("not ", n/5) + "true",
	}
	for name, text := range deep {
		for _, lang := range []string{"expr", "cel"} {
			if lang == "cel" && name == "not word" {
				text = strings.Repeat("! ", n/5) + "true"
			}
			where := map[string]string{
				"when":   "rules:\n  - id: deep\n    language: " + lang + "\n    outcome: verify\n    when: >-\n      " + text + "\n",
				"macro":  "language: " + lang + "\nmacros:\n  m:\n    when: >-\n      " + text + "\nrules:\n  - {id: deep, when: m, outcome: verify}\n",
				"reason": "rules:\n  - id: deep\n    language: " + lang + "\n    outcome: verify\n    when: valid\n    reason: >-\n      n {" + text + "}\n",
			}
			for field, src := range where {
				if field != "when" && name != "parens" {
					continue // one kind is enough for where the text is
				}
				t.Run(name+"/"+lang+"/"+field, func(t *testing.T) {
					e := requireLimitErr(t, src+bands, rules.CodeTooComplex, "max_expr_depth=64")
					require.Greater(t, e.Line, 1)
					require.Greater(t, e.Column, 6, "the position where the depth goes over the limit")
					require.Less(t, e.Column, 6+4*70)
				})
			}
		}
	}
}

// Brackets inside string literals and comments do not count; nesting up
// to the limit compiles.
func TestExpressionDepthCountsCode(t *testing.T) {
	lit := strings.Repeat("((([[[{{{", 30)
	for _, lang := range []string{"expr", "cel"} {
		src := "rules:\n  - {id: ok, language: " + lang + ", when: 'msisdn != \"" + lit + "\" && msisdn != `" + lit + "`', outcome: verify}\n"
		if lang == "cel" {
			src = "rules:\n  - {id: ok, language: cel, when: 'msisdn != \"" + lit + "\" && msisdn != r\"" + lit + "\" && msisdn != \"\"\"" + lit + "\"\"\"', outcome: verify}\n"
		}
		_, err := compileSrc(t, src+bands)
		require.NoError(t, err, lang)
	}
	nested := strings.Repeat("(", 60) + "alerts_30d > 1" + strings.Repeat(")", 60)
	_, err := compileSrc(t, "rules:\n  - {id: ok, when: '"+nested+"', outcome: verify}\n"+bands)
	require.NoError(t, err)
	lim := rules.DefaultLimits()
	lim.MaxExprDepth = 50
	requireLimitErr(t, "rules:\n  - {id: ok, when: '"+nested+"', outcome: verify}\n"+bands, rules.CodeTooComplex, "max_expr_depth=50", risk.WithLimits(lim))
}

// An expression longer than max_expr_bytes is too_large, before parsing.
func TestLongExpressionIsTooLarge(t *testing.T) {
	long := strings.Repeat("alerts_30d + ", 2000) + "1 > 0"
	for _, lang := range []string{"expr", "cel"} {
		requireLimitErr(t, "rules:\n  - {id: long, language: "+lang+", when: '"+long+"', outcome: verify}\n"+bands,
			rules.CodeTooLarge, "max_expr_bytes=16384")
	}
	lim := rules.DefaultLimits()
	lim.MaxExprBytes = 100_000
	lim.MaxExprNodes = 10_000
	_, err := compileSrc(t, "rules:\n  - {id: long, when: '"+long+"', outcome: verify}\n"+bands, risk.WithLimits(lim))
	require.NoError(t, err)
}

// doublingMacros is a chain of n macros, each using the next twice; the
// last reads valid. declaredLastFirst lists them from the end of the
// chain, so that each is compiled before the macro that uses it.
func doublingMacros(lang string, n int, twice, declaredLastFirst bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "language: %s\nmacros:\n", lang)
	for k := range n {
		i := k
		if declaredLastFirst {
			i = n - 1 - k
		}
		switch {
		case i == n-1:
			fmt.Fprintf(&b, "  m%d: {when: valid}\n", i)
		case twice:
			fmt.Fprintf(&b, "  m%d: {when: m%d && m%d}\n", i, i+1, i+1)
		default:
			fmt.Fprintf(&b, "  m%d: {when: m%d}\n", i, i+1)
		}
	}
	b.WriteString("rules:\n  - {id: chain, when: m0, outcome: verify}\n")
	return b.String() + bands
}

// Macros are measured after expansion, without expanding them: 41 macros
// each using the next twice (2^40 nodes once inlined), 16 levels of
// doubling, and a chain of 10,000 macros are too_complex errors naming
// max_expr_nodes. expr inlines macros wherever they are declared; CEL's
// compiled path inlines a macro compiled before its user, and evaluates the
// others once per card (so a chain declared first to last has no expansion
// to measure, and decides).
func TestMacroExpansionIsMeasured(t *testing.T) {
	for _, lang := range []string{"expr", "cel"} {
		for _, lastFirst := range []bool{false, true} {
			if lang == "cel" && !lastFirst {
				for _, n := range []int{41, 10_000} {
					eng, err := compileSrc(t, doublingMacros(lang, n, n == 41, lastFirst))
					require.NoError(t, err)
					d, err := eng.Score(card(), risk.AsOfTime(asOf))
					require.NoError(t, err)
					require.True(t, d.Fired("chain"))
				}
				continue
			}
			e := requireLimitErr(t, doublingMacros(lang, 41, true, lastFirst), rules.CodeTooComplex, "max_expr_nodes=500")
			require.Contains(t, e.Msg, "once its macros are expanded")
			requireLimitErr(t, doublingMacros(lang, 17, true, lastFirst), rules.CodeTooComplex, "max_expr_nodes=500")
			requireLimitErr(t, doublingMacros(lang, 10_000, false, lastFirst), rules.CodeTooComplex, "max_expr_nodes=500")

			// a few levels are fine, and decide as written
			eng, err := compileSrc(t, doublingMacros(lang, 5, true, lastFirst))
			require.NoError(t, err)
			d, err := eng.Score(card(), risk.AsOfTime(asOf))
			require.NoError(t, err)
			require.True(t, d.Fired("chain"))
		}
	}
	// WithMaxNodes is max_expr_nodes
	requireLimitErr(t, doublingMacros("expr", 5, true, false), rules.CodeTooComplex, "max_expr_nodes=20", risk.WithMaxNodes(20))
}

// A reason with more placeholders than max_reason_placeholders is too_large.
func TestReasonPlaceholderLimit(t *testing.T) {
	reason := strings.Repeat("{alerts_30d} ", 33)
	e := requireLimitErr(t, "rules:\n  - {id: r, when: valid, outcome: verify, reason: '"+reason+"'}\n"+bands,
		rules.CodeTooLarge, "max_reason_placeholders=32")
	require.Equal(t, 2, e.Line)
	lim := rules.DefaultLimits()
	lim.MaxReasonPlaceholders = 40
	_, err := compileSrc(t, "rules:\n  - {id: r, when: valid, outcome: verify, reason: '"+reason+"'}\n"+bands, risk.WithLimits(lim))
	require.NoError(t, err)
}

// WithLimits refuses a limit below 1.
func TestWithLimitsValidates(t *testing.T) {
	_, err := compileSrc(t, "rules:\n  - {id: r, when: valid, outcome: verify}\n"+bands, risk.WithLimits(rules.Limits{}))
	require.ErrorContains(t, err, "start from DefaultLimits")
}

// Rules that would hang a card or allocate without bound are too_costly at
// load, naming max_cost (and the estimate when there is one); two loops
// over roaming, one inside the other, still load and decide.
func TestCostlyRulesAreRefused(t *testing.T) {
	costly := []struct{ lang, when string }{
		{"expr", `reduce(1..100000, #acc + operator, "") != ""`},
		{"expr", `len(reduce(roaming, #acc + #.region, "")) > 3`},
		{"expr", `replace(replace(replace(replace(mvno, "", mvno), "", mvno), "", mvno), "", mvno) != ""`},
		{"expr", `any(0..999, any(0..999, any(0..999, true)))`},
		{"expr", `any(1..alerts_30d, # > 3)`},
		{"expr", `repeat("x", 1000000) != ""`},
		{"expr", `repeat("x", alerts_30d) != ""`},
		{"expr", `len(join(map(0..99999, repeat(operator, 10)), ",")) > 0`},
		{"expr", `any(roaming, any(roaming, any(roaming, .region == "KH")))`},
		{"cel", `roaming.exists(a, roaming.exists(b, roaming.exists(c, a.region == b.region && b.region == c.region)))`},
		{"cel", `mvno.replace("", mvno).replace("", mvno).replace("", mvno).replace("", mvno) != ""`},
	}
	for _, c := range costly {
		for _, where := range []string{"when", "reason", "macro"} {
			var src string
			switch where {
			case "when":
				src = "rules:\n  - {id: r, language: " + c.lang + ", when: '" + c.when + "', outcome: verify}\n"
			case "reason":
				src = "rules:\n  - {id: r, language: " + c.lang + ", when: valid, outcome: verify, reason: 'n {" + c.when + "}'}\n"
			case "macro":
				src = "language: " + c.lang + "\nmacros:\n  m: {when: '" + c.when + "'}\nrules:\n  - {id: r, when: m, outcome: verify}\n"
			}
			t.Run(c.lang+"/"+where+"/"+c.when, func(t *testing.T) {
				e := requireLimitErr(t, src+bands, rules.CodeTooCostly, "max_cost=1000000")
				require.Greater(t, e.Line, 1)
			})
		}
	}

	fine := []struct{ lang, when string }{
		{"expr", `let recent = all(roaming, .days_ago < 30); none(roaming, recent && .region == "KH")`},
		{"expr", `any(roaming, {let r = #.region; any(roaming, .region == r && .days_ago < 3)})`},
		{"expr", `count(roaming, any(linked_platforms, # == "alipay")) > 2`},
		{"expr", `reduce(roaming, #acc + .days_ago, 0) > 100`},
		{"cel", `roaming.all(a, roaming.all(b, a.region != b.region || a.days_ago <= b.days_ago))`},
	}
	// on a card at the record limits, in both evaluators, what the estimate
	// admits stays within the run-time budget (the meter of expr's VM
	// charges no more than the estimate)
	cd := card()
	for range risk.MaxRoaming {
		cd.Roaming = append(cd.Roaming, risk.Roaming{Region: "JP", LastSeen: risk.Date(2026, 10, 1)})
	}
	for range risk.MaxLinkedPlatforms {
		cd.LinkedPlatforms = append(cd.LinkedPlatforms, strings.Repeat("p", risk.MaxTextBytes))
	}
	fine = append(fine, []struct{ lang, when string }{
		{"expr", `any(roaming, len(filter(linked_platforms, # == "x")) > 0 || .region == "XX")`},
		{"expr", `count(roaming, len(join(linked_platforms, ",")) > 1) > 0`},
		{"expr", `all(roaming, all(roaming, .days_ago < 1000) && .region != "XX")`},
	}...)
	for _, c := range fine {
		for _, ref := range []bool{false, true} {
			opts := []risk.CompileOption{}
			if ref {
				opts = append(opts, risk.WithReferenceEvaluator())
			}
			eng, err := compileSrc(t, "rules:\n  - {id: r, language: "+c.lang+", when: '"+c.when+"', outcome: verify}\n"+bands, opts...)
			require.NoError(t, err, c.when)
			d, err := eng.Score(cd, risk.AsOfTime(asOf))
			require.NoError(t, err)
			require.Empty(t, d.Errors, "%s (reference %v)", c.when, ref)
		}
	}

	// a higher max_cost admits what the default refuses
	lim := rules.DefaultLimits()
	lim.MaxCost = 5_000_000_000
	_, err := compileSrc(t, "rules:\n  - {id: r, when: 'any(0..999, any(0..999, any(0..999, true)))', outcome: verify}\n"+bands, risk.WithLimits(lim))
	require.NoError(t, err)
}

// Records are bounded as the cost estimate assumes: Validate rejects a list
// or text over its limit, naming it, and accepts one at it.
func TestRecordLimits(t *testing.T) {
	over := map[string]func(*risk.Record){
		"roaming: has 257 entries, over the limit of 256 (risk.MaxRoaming)": func(r *risk.Record) {
			r.Roaming = make([]risk.Roaming, risk.MaxRoaming+1)
		},
		"linked_platforms: has 33 entries, over the limit of 32 (risk.MaxLinkedPlatforms)": func(r *risk.Record) {
			r.LinkedPlatforms = make([]string, risk.MaxLinkedPlatforms+1)
		},
		"holder: is 65 bytes long, over the limit of 64 (risk.MaxTextBytes)": func(r *risk.Record) {
			r.Holder = strings.Repeat("h", risk.MaxTextBytes+1)
		},
		"mvno: is 65 bytes long, over the limit of 64 (risk.MaxTextBytes)": func(r *risk.Record) {
			r.MVNO = strings.Repeat("m", risk.MaxTextBytes+1)
		},
		"linked_platforms[0]: is 65 bytes long, over the limit of 64 (risk.MaxTextBytes)": func(r *risk.Record) {
			r.LinkedPlatforms = []string{strings.Repeat("p", risk.MaxTextBytes+1)}
		},
	}
	for want, f := range over {
		r := card()
		f(r)
		err := r.Validate(asOf)
		require.ErrorIs(t, err, risk.ErrInvalidRecord)
		require.ErrorContains(t, err, want)
	}
	r := card()
	r.Holder, r.MVNO = strings.Repeat("h", risk.MaxTextBytes), strings.Repeat("m", risk.MaxTextBytes)
	for range risk.MaxRoaming {
		r.Roaming = append(r.Roaming, risk.Roaming{Region: "JP", LastSeen: risk.Date(2026, 10, 1)})
	}
	for range risk.MaxLinkedPlatforms {
		r.LinkedPlatforms = append(r.LinkedPlatforms, strings.Repeat("p", risk.MaxTextBytes))
	}
	require.NoError(t, r.Validate(asOf))
}

// rules/README's table of record limits gives the values Validate enforces.
func TestREADMERecordLimits(t *testing.T) {
	doc, err := os.ReadFile("../rules/README.md")
	require.NoError(t, err)
	for name, v := range map[string]int{"MaxRoaming": risk.MaxRoaming, "MaxLinkedPlatforms": risk.MaxLinkedPlatforms, "MaxTextBytes": risk.MaxTextBytes} {
		require.Contains(t, string(doc), fmt.Sprintf("| risk.%s | %d |", name, v))
	}
}
