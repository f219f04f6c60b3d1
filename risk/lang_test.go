package risk_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/rules"
)

// compileLang compiles one rule in the given language over the default
// pack's parameters and lists.
func compileLang(t *testing.T, lang, when, reason string) *risk.Engine {
	t.Helper()
	src := fmt.Sprintf(`language: %s
params: {dormant_days: 90, window: 90}
lists:
  hot: {type: region, items: [KH, "530900"]}
  plats: [tencent, jd]
macros:
  hot_open: in_region(open_region, lists.hot)
bands: [{min: 0, level: low, outcome: pass}]
rules:
  - id: r
    when: %q
    outcome: monitor
    reason: %q
`, lang, when, reason)
	rs, err := rules.Parse(rules.Source{Name: lang + ".yaml", Data: []byte(src)})
	require.NoError(t, err)
	eng, err := risk.Compile(rs)
	require.NoError(t, err, "%s: %s", lang, when)
	return eng
}

// Missing values mean the same in both languages: the rule of rules/README.md
// "Missing values", checked on a card that has almost nothing and on one that
// has everything.
func TestMissingValuesSameInBothLanguages(t *testing.T) {
	bare := &risk.Record{MSISDN: "13800138000", OpenedAt: risk.Date(2026, 8, 3),
		Roaming: []risk.Roaming{{Region: "KH"}}} // a roaming entry without a date
	full := &risk.Record{MSISDN: "13800138001", OpenedAt: risk.Date(2024, 1, 1), Holder: "h",
		LastVoiceAt: risk.Date(2026, 10, 1), LastSMSAt: risk.Date(2026, 10, 2), LastDataAt: risk.Date(2026, 10, 3),
		OpenRegion: "530902", VerifyRequiredAt: risk.Date(2026, 10, 20), VerifiedAt: risk.Date(2026, 10, 21),
		Recycled: true, ReleasedAt: risk.Date(2023, 9, 1), LinkedPlatforms: []string{"jd"},
		Roaming: []risk.Roaming{{Region: "TH", LastSeen: risk.Date(2026, 9, 1)}}, FraudFlag: "police"}
	cases := []struct {
		name, expr, cel string
		bare, full      bool
	}{
		{"absent string is empty", `fraud_flag == ""`, `fraud_flag == ""`, true, false},
		{"absent date is 0", `verified_at == 0 && last_voice_at == 0`, `verified_at == 0 && last_voice_at == 0`, true, false},
		{"never used: days since is never", `days_since_last_voice == never`, `days_since_last_voice == never`, true, false},
		{"never is longer than any threshold", `days_since_last_data >= params.dormant_days`, `days_since_last_data >= params.dormant_days`, true, false},
		{"never-used card counts from opening", `days_since_last_activity == 90`, `days_since_last_activity == 90`, true, false},
		{"roaming entry without date is never recent", `any(roaming, .days_ago <= params.window)`, `roaming.exists(r, r.days_ago <= params.window)`, false, true},
		{"roaming entry without date has days_ago never", `all(roaming, .days_ago == never || .last_seen > 0)`, `roaming.all(r, r.days_ago == never || r.last_seen > 0)`, true, true},
		{"empty list", `len(linked_platforms) == 0`, `size(linked_platforms) == 0`, true, false},
		{"string list membership", `any(linked_platforms, # in lists.plats)`, `linked_platforms.exists(p, p in lists.plats)`, false, true},
		{"region prefix meaning", `in_region(open_region, lists.hot)`, `in_region(open_region, lists.hot)`, false, true},
		{"empty region is in no list", `!in_region(open_region, lists.hot)`, `!in_region(open_region, lists.hot)`, true, false},
		{"macro", `hot_open`, `hot_open`, false, true},
		{"days_between with an absent date", `days_between(verified_at, as_of) == never`, `days_between(verified_at, as_of) == never`, true, false},
		{"freeze_days unknown is never", `freeze_days == never`, `freeze_days == never`, true, false},
		{"verification not pending", `!verification_pending`, `!verification_pending`, true, true},
		{"absent holder: its own population", `pop.cards_total == 1`, `pop.cards_total == 1`, true, true},
		{"nested absent bool is false", `!iot.test_plan`, `!iot.test_plan`, true, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, lang := range []struct{ name, when string }{{"expr", c.expr}, {"cel", c.cel}} {
				eng := compileLang(t, lang.name, lang.when, "")
				for _, card := range []struct {
					r    *risk.Record
					want bool
				}{{bare, c.bare}, {full, c.full}} {
					d, err := eng.Score(card.r, risk.AsOfTime(asOf))
					require.NoError(t, err)
					require.Empty(t, d.Errors, lang.name)
					require.Equal(t, card.want, d.Fired("r"), "%s: %s on %s", lang.name, lang.when, card.r.MSISDN)
				}
			}
		})
	}
}

// Reasons render the same in both languages.
func TestReasonsSameInBothLanguages(t *testing.T) {
	c := &risk.Record{MSISDN: "13800138000", OpenedAt: risk.Date(2026, 1, 1), OpenRegion: "530902",
		LinkedPlatforms: []string{"jd", "tencent"}, Roaming: []risk.Roaming{{Region: "KH", LastSeen: risk.Date(2026, 10, 30)}}}
	e := compileLang(t, "expr", "valid", "{days_since_last_voice} {region_name(open_region)} {join(linked_platforms, '+')} {map(roaming, .region)} {1.5} {msisdn}")
	l := compileLang(t, "cel", "valid", "{days_since_last_voice} {region_name(open_region)} {linked_platforms.join('+')} {roaming.map(r, r.region)} {1.5} {msisdn}")
	de, err := e.Score(c, risk.AsOfTime(asOf))
	require.NoError(t, err)
	dl, err := l.Score(c, risk.AsOfTime(asOf))
	require.NoError(t, err)
	require.Equal(t, "never 云南省临沧市临翔区 jd+tencent KH 1.5 138****8000", de.Hits[0].Reason)
	require.Equal(t, de.Hits[0].Reason, dl.Hits[0].Reason)
}

// CEL errors are positioned in the YAML file exactly as expr's are, for
// plain, quoted and block scalars.
func TestCELErrorPositions(t *testing.T) {
	src := "language: cel\nbands: [{min: 0, level: low, outcome: pass}]\nrules:\n" +
		"  - {id: plain, when: valid && alerts_30 > 1, outcome: pass}\n" +
		"  - id: quoted\n    when: \"valid && params.nope > 1\"\n    outcome: pass\n" +
		"  - id: block\n    when: |\n      valid &&\n        lists.nope.size() > 0\n    outcome: pass\n" +
		"  - {id: notbool, when: alerts_30d + 1, outcome: pass}\n" +
		"  - {id: syntax, when: 'valid &&', outcome: pass}\n" +
		"  - {id: regionin, when: 'open_region in lists.r', outcome: pass}\n" +
		"  - {id: mixed, when: 'any(roaming, .days_ago > 1)', outcome: pass}\n" +
		"lists: {r: {type: region, items: [KH]}}\n"
	rs, err := rules.Parse(rules.Source{Name: "c.yaml", Data: []byte(src)})
	require.NoError(t, err)
	var got []string
	for _, e := range risk.Check(rs) {
		got = append(got, e.Error())
	}
	require.Equal(t, []string{
		`c.yaml:4:32: rule "plain": [undefined_name] alerts_30 is not a field, derived value, population feature or macro; did you mean alerts_30d?`,
		`c.yaml:6:28: rule "quoted": [undefined_param] parameter "nope" is not declared under params`,
		`c.yaml:11:15: rule "block": [undefined_list] list "nope" is not declared under lists`,
		`c.yaml:13:25: rule "notbool": [not_boolean] condition must be true or false, but this is int`,
		`c.yaml:14:32: rule "syntax": [expr_syntax] Syntax error: mismatched input '<EOF>' expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}`,
		`c.yaml:15:39: rule "regionin": [type] a region list: write in_region(x, lists.NAME)`,
		`c.yaml:16:27: rule "mixed": [undefined_name] unknown function any: not a function of simrisk or of the language`,
		`c.yaml:16:38: rule "mixed": [undefined_name] .days_ago is not a field, derived value, population feature or macro`,
	}, got)
}

// A CEL expression over the cost limit is a load error at its position;
// the limit is enforced at run time too.
func TestCELCostLimit(t *testing.T) {
	src := "language: cel\nbands: [{min: 0, level: low, outcome: pass}]\nrules:\n" +
		"  - {id: costly, when: 'roaming.all(a, roaming.all(b, roaming.all(c, a.region + b.region + c.region != \"\")))', outcome: pass}\n"
	rs, err := rules.Parse(rules.Source{Name: "c.yaml", Data: []byte(src)})
	require.NoError(t, err)
	_, err = risk.Compile(rs)
	require.ErrorIs(t, err, rules.CodeTooCostly)
	require.Contains(t, err.Error(), `c.yaml:4:25: rule "costly": [too_costly] estimated cost per card up to`)
	eng, err := risk.Compile(rs, risk.WithCELCostLimit(1<<40))
	require.NoError(t, err, "a larger limit admits it")
	_ = eng
}

// The run-time budget is enforced too (here lowered below the estimate, as
// a record beyond the estimate's assumptions would need): over it, that
// rule fails on that card, in both languages and both evaluators, and the
// other rules still decide. A card over a record limit is rejected, naming
// it.
func TestCostBudgetAtRunTime(t *testing.T) {
	for _, lang := range []string{"cel", "expr", "expr loops"} {
		when := `roaming.all(a, roaming.all(b, a.region != "" || b.region != ""))`
		switch lang {
		case "expr": // memory
			when = `len(filter(1..200, # > 0)) > 0`
		case "expr loops": // steps, with no allocation
			lang, when = "expr", `any(roaming, {let r = #.region; any(roaming, .region != r && .days_ago > 1000)})`
		}
		src := "language: " + lang + "\nbands: [{min: 0, level: low, outcome: pass}]\nrules:\n" +
			"  - {id: pairs, when: '" + when + "', outcome: monitor}\n" +
			"  - {id: ok, when: 'valid', outcome: verify, score: 10}\n"
		rs, err := rules.Parse(rules.Source{Name: "c.yaml", Data: []byte(src)})
		require.NoError(t, err)
		for _, ref := range []bool{false, true} {
			opts := []risk.CompileOption{risk.WithRunBudget(100)}
			if ref {
				opts = append(opts, risk.WithReferenceEvaluator())
			}
			eng, err := risk.Compile(rs, opts...)
			require.NoError(t, err)

			c := card()
			for i := 0; i < 200; i++ {
				c.Roaming = append(c.Roaming, risk.Roaming{Region: "JP", LastSeen: risk.Date(2026, 10, 1)})
			}
			d, err := eng.Score(c, risk.AsOfTime(asOf))
			require.NoError(t, err)
			if eng.Rules()[0].Fallback == "" && lang == "expr" {
				// compiled closures are bounded by the estimate (the
				// record limits), with no meter of their own
				require.Empty(t, d.Errors)
				continue
			}
			require.Len(t, d.Errors, 1, "%s reference=%v", lang, ref)
			require.Equal(t, "pairs", d.Errors[0].Rule)
			require.Equal(t, "over the run-time cost budget on this card (max_cost)", d.Errors[0].Message)
			require.True(t, d.Fired("ok"))
		}
		eng, err := risk.Compile(rs)
		require.NoError(t, err)
		c := card()
		c.Roaming = make([]risk.Roaming, risk.MaxRoaming+1)
		_, err = eng.Score(c, risk.AsOfTime(asOf))
		require.ErrorIs(t, err, risk.ErrInvalidRecord)
		require.ErrorContains(t, err, "over the limit of 256 (risk.MaxRoaming)")
	}
}

// A file's language is the default; a rule may override it, and macros
// belong to their file's language.
func TestMixedLanguages(t *testing.T) {
	src := `language: expr
bands: [{min: 0, level: low, outcome: pass}]
macros:
  roams: len(roaming) > 0
rules:
  - {id: e, when: 'roams && any(roaming, .region == "KH")', outcome: monitor}
  - {id: c, language: cel, when: 'roaming.exists(r, r.region == "KH")', outcome: monitor}
  - {id: bad, language: cel, when: 'roams', outcome: monitor}
`
	rs, err := rules.Parse(rules.Source{Name: "m.yaml", Data: []byte(src)})
	require.NoError(t, err)
	_, err = risk.Compile(rs)
	require.ErrorIs(t, err, rules.CodeBadLanguage)
	require.Len(t, rules.AsList(err), 1)
	require.Contains(t, err.Error(), `m.yaml:8:37: rule "bad": [bad_language] macro "roams" is written in expr; a cel rule cannot use it`)

	rs, err = rules.Parse(rules.Source{Name: "m.yaml", Data: []byte(strings.Replace(src, "  - {id: bad, language: cel, when: 'roams', outcome: monitor}\n", "", 1))})
	require.NoError(t, err)
	eng, err := risk.Compile(rs)
	require.NoError(t, err)
	c := card()
	c.Roaming = []risk.Roaming{{Region: "KH", LastSeen: risk.Date(2026, 10, 1)}}
	d, err := eng.Score(c, risk.AsOfTime(asOf))
	require.NoError(t, err)
	require.True(t, d.Fired("e"))
	require.True(t, d.Fired("c"))
}
