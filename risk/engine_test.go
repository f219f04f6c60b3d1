package risk_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/datasets"
	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/rules"
)

var asOf = risk.Date(2026, 11, 1)

func defaultEngine(t testing.TB) *risk.Engine {
	t.Helper()
	rs, err := rules.Pack("default")
	require.NoError(t, err)
	eng, err := risk.Compile(rs)
	require.NoError(t, err)
	return eng
}

func compileSrc(t *testing.T, src string, opts ...risk.CompileOption) (*risk.Engine, error) {
	t.Helper()
	rs, err := rules.Parse(rules.Source{Name: "t.yaml", Data: []byte(src)})
	require.NoError(t, err)
	return risk.Compile(rs, opts...)
}

const bands = `
bands:
  - {min: 0, level: low, outcome: pass}
  - {min: 50, level: high, outcome: verify}
`

func card() *risk.Record {
	return &risk.Record{MSISDN: "13800138000", OpenedAt: risk.Date(2025, 1, 1), Holder: "h1",
		LastVoiceAt: risk.Date(2026, 10, 30)}
}

// The default pack's own YAML tests pass: every rule fires and stays silent
// where domain.md says, boundaries included.
func TestDefaultPackTests(t *testing.T) {
	rs, err := rules.Pack("default")
	require.NoError(t, err)
	rep, err := risk.RunTests(rs)
	require.NoError(t, err)
	for _, r := range rep.Results {
		require.True(t, r.Passed(), "%s %s: %v", r.Pos, r.Name, r.Failures)
	}
	require.Equal(t, len(rs.Tests), rep.Passed)
	require.GreaterOrEqual(t, rep.Passed, 60)
}

// A failing rule test says what differed.
func TestRuleTestFailureIsReported(t *testing.T) {
	rs, err := rules.Parse(rules.Source{Name: "t.yaml", Data: []byte(`
rules:
  - {id: alerts, when: alerts_30d >= 3, outcome: verify, score: 60}
` + bands + `
tests:
  - name: wrong on purpose
    as_of: 2026-11-01
    card: {alerts_30d: 2}
    expect: {fires: [alerts], outcome: verify, level: high, score: {min: 50}}
`)})
	require.NoError(t, err)
	rep, err := risk.RunTests(rs)
	require.NoError(t, err)
	require.Equal(t, 1, rep.Failed)
	require.Equal(t, []string{
		`rule "alerts" did not fire (no rule fired)`,
		`outcome is pass, want verify (no rule fired)`,
		`level is low (score 0), want high`,
		`score is 0, want at least 50 (no rule fired)`,
	}, rep.Results[0].Failures)
}

// A rule file with several mistakes gets all of them, each with file:line:col,
// rule id and code, load and compile errors together.
func TestManyMistakesAllReported(t *testing.T) {
	rs, err := rules.Load("testdata/many_mistakes.bad.yaml")
	var c rules.Collector
	c.AddAll(rules.AsList(err))
	c.AddAll(risk.Check(rs))
	var got []string
	for _, e := range c.List() {
		got = append(got, e.Error())
	}
	f := "testdata/many_mistakes.bad.yaml"
	require.Equal(t, []string{
		f + `:6:35: [bad_region] list "hot": "35080" is not a region code (ISO 3166 alpha-2 like KH, or a 6-digit GB/T 2260 code like 350802)`,
		f + `:8:11: rule "loop_a": [macro_cycle] macros refer to each other in a loop: loop_a → loop_b → loop_a`,
		f + `:12:22: [bad_level] unknown level "severe" (want low, medium, high or critical)`,
		f + `:15:46: rule "dormant": [undefined_param] parameter "dormant_dayz" is not declared under params; did you mean params.dormant_days?`,
		f + `:18:9: rule "dormant": [duplicate] rule id "dormant" is already used at ` + f + `:14:9`,
		f + `:24:9: rule "typo_field": [undefined_name] days_since_last_voise is not a field, derived value, population feature or macro; did you mean days_since_last_voice?`,
		f + `:27:11: rule "not_bool": [not_boolean] condition must be true or false, but this is int`,
		f + `:28:14: rule "not_bool": [bad_outcome] unknown outcome "notify" (want pass, monitor, verify, restrict or suspend)`,
		f + `:29:5: rule "not_bool": [unknown_key] unknown key "colour"`,
		f + `:36:22: rule "leak": [personal_data] a reason may print holder only as mask(holder): reasons reach logs and people who must not see personal data`,
		f + `:38:50: rule "quoted": [undefined_list] list "cold" is not declared under lists`,
	}, got)
}

func TestCompileErrors(t *testing.T) {
	cases := []struct{ name, rule, want string }{
		{"syntax", `{id: r, when: "valid &&", outcome: pass}`, `t.yaml:2:27: rule "r": [expr_syntax] unexpected token EOF`},
		{"type", `{id: r, when: "alerts_30d > 'x'", outcome: pass}`, `t.yaml:2:31: rule "r": [type] invalid operation: > (mismatched types int and string)`},
		{"params alone", `{id: r, when: "params > 1", outcome: pass}`, `t.yaml:2:20: rule "r": [type] params is not a value: write params.NAME`},
		{"nested field", `{id: r, when: "iot.test_plan2", outcome: pass}`, `t.yaml:2:24: rule "r": [undefined_name] type risk.iotEnv has no field test_plan2`},
		{"region list needs in_region", `{id: r, when: "open_region in lists.areas", outcome: pass}`, `t.yaml:2:32: rule "r": [type] lists.areas is a region list: write in_region(x, lists.areas)`},
		{"template", `{id: r, when: valid, outcome: pass, reason: "x {nope} y"}`, `t.yaml:2:53: rule "r": [undefined_name] nope is not a field, derived value, population feature or macro`},
		{"unclosed template", `{id: r, when: valid, outcome: pass, reason: "x {y"}`, `t.yaml:2:52: rule "r": [bad_template] a { that is never closed (write {{ for a literal brace)`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := compileSrc(t, "rules:\n  - "+c.rule+"\nlists:\n  areas: {type: region, items: [KH]}\n"+bands)
			require.Error(t, err)
			require.Equal(t, c.want, rules.AsList(err)[0].Error())
			require.Contains(t, rules.AsList(err)[0].Snippet, "\n", "a compile error shows its source line and caret")
		})
	}
}

func TestTooComplex(t *testing.T) {
	long := strings.Repeat("alerts_30d > 1 && ", 300) + "valid"
	_, err := compileSrc(t, "rules:\n  - {id: big, when: \""+long+"\", outcome: pass}\n"+bands)
	require.ErrorIs(t, err, rules.CodeTooComplex)
}

func TestNoBands(t *testing.T) {
	_, err := compileSrc(t, "rules:\n  - {id: r, when: valid, outcome: pass}\n")
	require.ErrorIs(t, err, rules.CodeMissingKey)
	require.Contains(t, err.Error(), "no score bands")
}

// A shadow rule is reported but never changes score or outcome; a disabled
// rule is not evaluated; scores are capped at 100.
func TestShadowDisabledAndCap(t *testing.T) {
	eng, err := compileSrc(t, `
rules:
  - {id: a, when: valid, score: 70, outcome: monitor}
  - {id: b, when: valid, score: 70, outcome: monitor, tags: [x]}
  - {id: s, when: valid, score: 30, outcome: suspend, mode: shadow, reason: "shadow says {alerts_30d}"}
  - {id: off, when: valid, score: 30, outcome: suspend, enabled: false}
`+bands)
	require.NoError(t, err)
	d, err := eng.Score(card(), risk.AsOfTime(asOf))
	require.NoError(t, err)
	require.Equal(t, 100.0, d.Score)
	require.Equal(t, rules.Verify, d.Outcome) // band at 50 asks verify; the shadow suspend does not count
	require.Equal(t, rules.High, d.Level)
	require.Len(t, d.Hits, 3)
	require.Equal(t, risk.Hit{Rule: "s", Tags: []string{}, Score: 0, Reason: "shadow says 0", Shadow: true}, d.Hits[2])
	require.False(t, d.Fired("off"))
	require.Equal(t, risk.Date(2026, 11, 2), d.Deadline)
}

// A runtime error in one rule is reported for that rule and card; the other
// rules still decide; nothing panics.
func TestRuntimeErrorIsolated(t *testing.T) {
	eng, err := compileSrc(t, `
rules:
  - {id: boom, when: 'linked_platforms[3] == "jd"', score: 10, outcome: suspend}
  - {id: ok, when: valid, score: 60, outcome: verify}
`+bands)
	require.NoError(t, err)
	d, err := eng.Score(card(), risk.AsOfTime(asOf))
	require.NoError(t, err)
	require.Equal(t, []string{"ok"}, []string{d.Hits[0].Rule})
	require.Len(t, d.Errors, 1)
	require.Equal(t, "boom", d.Errors[0].Rule)
	require.Contains(t, d.Errors[0].Message, "out of range")
	require.Equal(t, rules.Verify, d.Outcome)
}

// Reasons never carry a full MSISDN or ID number, even when a template
// asks for the number.
func TestReasonsMaskPersonalData(t *testing.T) {
	eng, err := compileSrc(t, `
rules:
  - {id: r, when: valid, outcome: monitor, reason: "card {msisdn} id {iccid} sn 11010519491231002X"}
`+bands)
	require.NoError(t, err)
	c := card()
	c.ICCID = "89860012345678901234"
	d, err := eng.Score(c, risk.AsOfTime(asOf))
	require.NoError(t, err)
	require.Equal(t, "card 138****8000 id 898*************1234 sn 110105********002X", d.Hits[0].Reason)
	require.NotContains(t, d.Hits[0].Reason, "13800138000")
}

// The decision JSON follows the card-schema decision format.
func TestDecisionJSON(t *testing.T) {
	eng := defaultEngine(t)
	c := card()
	c.Alerts30d = 4
	d, err := eng.Score(c, risk.AsOfTime(asOf))
	require.NoError(t, err)
	b, err := d.MarshalJSON()
	require.NoError(t, err)
	require.JSONEq(t, fmt.Sprintf(`{"msisdn":"13800138000","score":30,"level":"medium","outcome":"verify",
		"deadline":"2026-11-02T00:00:00+08:00","hits":[{"rule":"frequent_alerts","tags":["frequent_alerts"],"score":30,
		"reason":"30 天内触发预警模型 4 次（阈值 3）"}],"ruleset":%q,
		"as_of":"2026-11-01T00:00:00+08:00","pack":"default","version":%q}`, eng.Digest(), eng.Version()), string(b))
}

func TestInvalidRecordRejected(t *testing.T) {
	eng := defaultEngine(t)
	c := card()
	c.LastDataAt = risk.Date(2026, 11, 2)
	_, err := eng.Score(c, risk.AsOfTime(asOf))
	require.ErrorIs(t, err, risk.ErrInvalidRecord)
	require.Equal(t, "last_data_at: 2026-11-02 is after the as-of time 2026-11-01", err.Error())
}

// One Engine serves many goroutines at once (run with -race), and batch
// results come back in input order, identical to one-by-one scoring.
func TestConcurrentScoring(t *testing.T) {
	eng := defaultEngine(t)
	recs := make([]*risk.Record, 2000)
	pop := risk.NewPopulation()
	for i := range recs {
		c := card()
		c.MSISDN = fmt.Sprintf("138%08d", i)
		c.Holder = fmt.Sprintf("h%d", i%300)
		c.Alerts30d = i % 5
		c.OpenRegion = []string{"110105", "KH", "530902"}[i%3]
		if i%7 == 0 {
			c.LastVoiceAt = 0
		}
		require.NoError(t, c.Validate(asOf))
		pop.Add(c)
		recs[i] = c
	}
	opts := []risk.ScoreOption{risk.AsOfTime(asOf), risk.WithPopulation(pop)}
	want := make([]string, len(recs))
	s := eng.NewScorer(opts...)
	for i, r := range recs {
		d, err := s.Score(r)
		require.NoError(t, err)
		want[i] = string(d.AppendJSON(nil))
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := g; i < len(recs); i += 8 {
				d, err := eng.Score(recs[i], opts...)
				if err != nil || string(d.AppendJSON(nil)) != want[i] {
					t.Errorf("goroutine %d card %d: differs", g, i)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	for _, workers := range []int{1, 2, 8} {
		res := eng.ScoreBatch(context.Background(), recs, append(opts, risk.Workers(workers))...)
		require.Len(t, res, len(recs))
		for i, r := range res {
			require.NoError(t, r.Err)
			require.Equal(t, want[i], string(r.Decision.AppendJSON(nil)), "workers %d card %d", workers, i)
		}
	}
}

// ScoreBatchInto reuses the decisions of its previous call: scoring another
// batch into them gives what fresh ones would (nothing of the old batch
// shows through), a rejected record gets a nil Decision, and once warm a
// call allocates only for its workers, however many cards it scores.
func TestScoreBatchInto(t *testing.T) {
	eng := defaultEngine(t)
	gen := func(seed uint64) ([]*risk.Record, []risk.ScoreOption) {
		recs := datasets.Generate(datasets.GenOptions{Cards: 3000, Seed: seed, AsOf: asOf})
		pop := risk.NewPopulation()
		for _, r := range recs {
			require.NoError(t, r.Validate(asOf))
			pop.Add(r)
		}
		return recs, []risk.ScoreOption{risk.AsOfTime(asOf), risk.WithPopulation(pop), risk.Workers(2)}
	}
	a, aOpts := gen(1)
	b, bOpts := gen(2)
	b[7] = &risk.Record{MSISDN: "1"} // not validated: rejected
	var out []risk.Result
	out = eng.ScoreBatchInto(context.Background(), a, out, aOpts...)
	require.Len(t, out, len(a))
	fired := 0
	for _, r := range out {
		fired += len(r.Decision.Hits)
	}
	require.Positive(t, fired)
	out = eng.ScoreBatchInto(context.Background(), b, out, bOpts...)
	want := eng.ScoreBatch(context.Background(), b, bOpts...)
	require.Len(t, out, len(b))
	for i := range want {
		if want[i].Err != nil {
			require.Error(t, out[i].Err)
			require.Nil(t, out[i].Decision, "card %d", i)
			continue
		}
		require.NoError(t, out[i].Err)
		require.Equal(t, string(want[i].Decision.AppendJSON(nil)), string(out[i].Decision.AppendJSON(nil)), "card %d", i)
	}
	require.Error(t, out[7].Err)
	// warm: rescoring the same cards allocates for the workers only
	out = eng.ScoreBatchInto(context.Background(), a, out, aOpts...)
	allocs := testing.AllocsPerRun(5, func() { out = eng.ScoreBatchInto(context.Background(), a, out, aOpts...) })
	require.Less(t, allocs, 40.0, "a warm batch of %d cards", len(a))
}

// Rescoring the same cards into their own decisions, where a decision no
// rule fires on is left as it is, gives what fresh decisions would: after
// cards change (rules start and stop firing), with another as-of time, and
// with another engine.
func TestScoreBatchIntoSameCards(t *testing.T) {
	eng := defaultEngine(t)
	crs, err := rules.Pack("default-cel")
	require.NoError(t, err)
	cel, err := risk.Compile(crs)
	require.NoError(t, err)
	recs := datasets.Generate(datasets.GenOptions{Cards: 2000, Seed: 3, AsOf: asOf})
	batch := func(recs []*risk.Record, as risk.Time) ([]*risk.Record, []risk.ScoreOption) {
		pop := risk.NewPopulation()
		for _, r := range recs {
			require.NoError(t, r.Validate(as))
			pop.Add(r)
		}
		return recs, []risk.ScoreOption{risk.AsOfTime(as), risk.WithPopulation(pop), risk.Workers(2)}
	}
	// the same cards (the same number strings), changed: every third card
	// flagged (fraud_involved fires), every fifth cancelled (nothing fires)
	changed := make([]*risk.Record, len(recs))
	for i, r := range recs {
		cp := *r
		switch {
		case i%3 == 0:
			cp.FraudFlag = "police"
		case i%5 == 0:
			cp.Status = "cancelled"
		}
		changed[i] = &cp
	}
	a, aOpts := batch(recs, asOf)
	c, cOpts := batch(changed, asOf)
	later, lOpts := batch(recs, asOf+3*86400)
	var out []risk.Result
	for _, step := range []struct {
		name string
		eng  *risk.Engine
		recs []*risk.Record
		opts []risk.ScoreOption
	}{{"first", eng, a, aOpts}, {"again", eng, a, aOpts}, {"changed", eng, c, cOpts}, {"back", eng, a, aOpts},
		{"later", eng, later, lOpts}, {"cel", cel, a, aOpts}, {"expr", eng, a, aOpts}} {
		out = step.eng.ScoreBatchInto(context.Background(), step.recs, out, step.opts...)
		want := step.eng.ScoreBatch(context.Background(), step.recs, step.opts...)
		for i := range want {
			require.NoError(t, want[i].Err)
			require.Equal(t, string(want[i].Decision.AppendJSON(nil)), string(out[i].Decision.AppendJSON(nil)), "%s: card %d", step.name, i)
		}
	}
}

func TestBatchCancelled(t *testing.T) {
	eng := defaultEngine(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res := eng.ScoreBatch(ctx, []*risk.Record{card()}, risk.AsOfTime(asOf))
	require.True(t, errors.Is(res[0].Err, context.Canceled))
}

// Region lists are checked against the reference tables: an unknown
// country or division code is a positioned lint error.
func TestRegionListReferenceCheck(t *testing.T) {
	_, err := compileSrc(t, "lists:\n  l: {type: region, items: [KH, ZZ, \"350802\", \"120199\"]}\nrules:\n  - {id: r, when: 'in_region(open_region, lists.l)', outcome: pass}\n"+bands)
	var got []string
	for _, e := range rules.AsList(err) {
		got = append(got, e.Error())
	}
	require.Equal(t, []string{
		`t.yaml:2:33: [bad_region] list "l": ZZ is not an ISO 3166 country code`,
		`t.yaml:2:47: [bad_region] list "l": 120199 is not a GB/T 2260 division code of any revision since 2002`,
	}, got)
}

// Scoring into a reused Decision allocates nothing, whether rules fire or
// not (for reasons whose placeholders compile to closures, as the default
// pack's simple ones do).
func TestScoreAllocations(t *testing.T) {
	eng := defaultEngine(t)
	pop := risk.NewPopulation()
	quiet, loud, roamer := card(), card(), card()
	loud.MSISDN, loud.Alerts30d, loud.LastVoiceAt = "13800138009", 5, 0
	// reasons with lists: regions roamed (filter, map, join), platforms still bound
	roamer.MSISDN, roamer.OpenRegion = "13800138008", "KH"
	roamer.Roaming = []risk.Roaming{{Region: "MM", LastSeen: asOf - 3*86400}, {Region: "350802", LastSeen: asOf - 86400}, {Region: "JP", LastSeen: asOf - 86400}}
	roamer.Recycled, roamer.LinkedPlatforms = true, []string{"tencent", "alipay"}
	for _, c := range []*risk.Record{quiet, loud, roamer} {
		require.NoError(t, c.Validate(asOf))
		pop.Add(c)
	}
	s := eng.NewScorer(risk.AsOfTime(asOf), risk.WithPopulation(pop))
	var d risk.Decision
	require.NoError(t, s.ScoreInto(roamer, &d)) // warm the buffers
	require.Len(t, d.Hits, 2)
	require.Equal(t, "开户地：柬埔寨；近 90 天到访的高发地区：缅甸（3 天前）、福建省龙岩市新罗区（1 天前）", d.Hits[0].Reason)
	require.NoError(t, s.ScoreInto(loud, &d))
	require.Len(t, d.Hits, 2)
	for _, c := range []*risk.Record{quiet, roamer, loud} {
		allocs := testing.AllocsPerRun(200, func() {
			if err := s.ScoreInto(c, &d); err != nil {
				t.Fatal(err)
			}
		})
		require.Zero(t, allocs, "card %s", c.MSISDN)
	}
	require.Equal(t, "669 天无语音、短信和流量记录（阈值 90 天）", d.Hits[0].Reason)
	require.Equal(t, "30 天内触发预警模型 5 次（阈值 3）", d.Hits[1].Reason)
}

// Titles and reasons come in the language asked for; zh by default, and a
// text given in one language only is used for both.
func TestLanguage(t *testing.T) {
	rs, err := rules.Pack("default")
	require.NoError(t, err)
	c := card()
	c.Alerts30d = 4
	require.NoError(t, c.Validate(asOf))
	for lang, want := range map[string]string{
		"":   "30 天内触发预警模型 4 次（阈值 3）",
		"zh": "30 天内触发预警模型 4 次（阈值 3）",
		"en": "4 warning-model hits in 30 days (threshold 3)",
	} {
		var opts []risk.CompileOption
		if lang != "" {
			opts = append(opts, risk.WithLanguage(lang))
		}
		eng, err := risk.Compile(rs, opts...)
		require.NoError(t, err)
		d, err := eng.Score(c, risk.AsOfTime(asOf))
		require.NoError(t, err)
		require.Equal(t, want, d.Hits[0].Reason, lang)
		for _, ri := range eng.Rules() {
			if ri.ID == "dormant" {
				require.Equal(t, map[string]string{"": "睡眠卡", "zh": "睡眠卡", "en": "dormant card"}[lang], ri.Title)
			}
		}
	}
	_, err = risk.Compile(rs, risk.WithLanguage("fr"))
	require.ErrorContains(t, err, `WithLanguage("fr")`)

	eng, err := compileSrc(t, `
rules:
  - id: r
    title: {zh: 测试, en: test}
    when: valid
    outcome: monitor
    reason: {en: "only English {alerts_30d}"}
`+bands, risk.WithLanguage("zh"))
	require.NoError(t, err)
	d, err := eng.Score(c, risk.AsOfTime(asOf))
	require.NoError(t, err)
	require.Equal(t, "only English 4", d.Hits[0].Reason)
	require.Equal(t, "测试", eng.Rules()[0].Title)

	// every language's reason must compile, not only the one in use
	_, err = compileSrc(t, `
rules:
  - id: r
    when: valid
    outcome: monitor
    reason: {zh: "好 {alerts_30d}", en: "bad {no_such_name}"}
`+bands)
	require.ErrorContains(t, err, "no_such_name")

	_, err = rules.Parse(rules.Source{Name: "t.yaml", Data: []byte(`
rules:
  - {id: r, when: valid, outcome: monitor, reason: {fr: "non"}}
` + bands)})
	require.ErrorContains(t, err, `t.yaml:3:53: rule "r": [bad_value] reason: unknown language "fr"`)
}

// Both default packs run compiled throughout, conditions and reason
// placeholders (lists, let or cel.bind, filter, map and join included): none
// falls back to expr's VM or cel-go's interpreter.
func TestDefaultPackFullyCompiled(t *testing.T) {
	for _, pack := range []string{"default", "default-cel"} {
		rs, err := rules.Pack(pack)
		require.NoError(t, err)
		eng, err := risk.Compile(rs)
		require.NoError(t, err)
		for _, r := range eng.Rules() {
			require.Empty(t, r.Fallback, "%s: %s", pack, r.ID)
			require.Empty(t, r.ReasonFallbacks, "%s: %s", pack, r.ID)
		}
	}
}

// A pending verification keeps its deadline whatever the outcome: a card
// whose demanded verification is still open, escalated to restrict by its
// score, still says when the verification is due; so does an overdue one
// (suspended), and a card with no pending verification has no deadline
// unless it must verify.
func TestPendingVerificationKeepsDeadline(t *testing.T) {
	eng := defaultEngine(t)
	c := card()
	c.FraudFlag, c.Alerts30d = "police", 5 // fraud_involved + frequent_alerts: 90, restrict
	c.VerifyRequiredAt = asOf - 3600       // demanded an hour before as-of
	d, err := eng.Score(c, risk.AsOfTime(asOf))
	require.NoError(t, err)
	require.Equal(t, "restrict", d.Outcome.String())
	require.Equal(t, asOf-3600+24*3600, d.Deadline)
	require.Contains(t, string(d.AppendJSON(nil)), `"deadline":"2026-11-01T23:00:00+08:00"`)

	c = card()
	c.VerifyRequiredAt = risk.Date(2026, 10, 1) // overdue: suspended
	d, err = eng.Score(c, risk.AsOfTime(asOf))
	require.NoError(t, err)
	require.Equal(t, "suspend", d.Outcome.String())
	require.Equal(t, risk.Date(2026, 10, 2), d.Deadline)

	c = card()
	c.FraudFlag, c.Alerts30d = "police", 5
	d, err = eng.Score(c, risk.AsOfTime(asOf))
	require.NoError(t, err)
	require.Equal(t, "restrict", d.Outcome.String())
	require.Zero(t, d.Deadline)
}

// A test's score: N is exact: a failure says "want N", not a bound.
func TestRuleTestExactScoreSaidExactly(t *testing.T) {
	rs, err := rules.Parse(rules.Source{Name: "t.yaml", Data: []byte(`
rules:
  - {id: alerts, when: alerts_30d >= 3, outcome: verify, score: 60}
` + bands + `
tests:
  - name: exact
    as_of: 2026-11-01
    card: {alerts_30d: 5}
    expect: {score: 3}
  - name: exact but below
    as_of: 2026-11-01
    card: {alerts_30d: 5}
    expect: {score: 70}
`)})
	require.NoError(t, err)
	rep, err := risk.RunTests(rs)
	require.NoError(t, err)
	require.Equal(t, 2, rep.Failed)
	require.Equal(t, []string{`score is 60, want 3 (fired: alerts)`}, rep.Results[0].Failures)
	require.Equal(t, []string{`score is 60, want 70 (fired: alerts)`}, rep.Results[1].Failures)
}

// A typo'd key in a test's card fails the test with a suggestion instead
// of leaving the card as if the key were not there.
func TestRuleTestCardUnknownKey(t *testing.T) {
	rs, err := rules.Parse(rules.Source{Name: "t.yaml", Data: []byte(`
rules:
  - {id: alerts, when: alerts_30d >= 3, outcome: verify, score: 60}
` + bands + `
tests:
  - name: typo
    as_of: 2026-11-01
    card: {alert_30d: 5}
    expect: {not_fires: [alerts]}
`)})
	require.NoError(t, err)
	rep, err := risk.RunTests(rs)
	require.NoError(t, err)
	require.Equal(t, 1, rep.Failed)
	require.Equal(t, []string{`card: unknown key "alert_30d": did you mean "alerts_30d"?`}, rep.Results[0].Failures)
}

// A parameter or list written without its prefix gets the prefixed name as
// the suggestion, in both languages.
func TestBareParamNameSuggestsPrefix(t *testing.T) {
	for _, lang := range []string{"expr", "cel"} {
		rs, err := rules.Parse(rules.Source{Name: "t.yaml", Data: []byte(`
language: ` + lang + `
params: {days: 7}
rules:
  - {id: a, when: days_since_opened <= days, outcome: monitor, score: 1}
` + bands)})
		require.NoError(t, err)
		errs := risk.Check(rs)
		require.NotEmpty(t, errs, lang)
		require.Contains(t, errs.Error(), "did you mean params.days?", lang)
	}
}
