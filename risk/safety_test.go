package risk_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/datasets"
	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/rules"
)

// boomRules has a rule whose condition panics on every card (boom is a
// test-only function, export_test.go), between two rules that fire, and a
// rule whose reason panics.
const boomRules = `
rules:
  - {id: alerts, when: alerts_30d >= 3, outcome: verify, score: 60}
  - {id: bomb, when: "valid && boom(msisdn)", outcome: suspend, score: 10}
  - {id: some_alerts, when: "valid && alerts_30d >= 1", outcome: monitor, score: 5}
  - {id: loud_reason, when: alerts_30d >= 1, outcome: monitor, score: 1, reason: "alerts {alerts_30d} {boom(operator)}"}
` + bands + `
tests:
  - name: alerts fire though bomb panics
    as_of: 2026-11-01
    card: {msisdn: "13800138000", holder: h-7f3a, alerts_30d: 4}
    expect: {fires: [alerts, some_alerts], outcome: verify}
`

func boomEngine(t *testing.T, opts ...risk.CompileOption) *risk.Engine {
	t.Helper()
	eng, err := compileSrc(t, boomRules, opts...)
	require.NoError(t, err)
	return eng
}

func alertCard(msisdn, holder string) *risk.Record {
	return &risk.Record{MSISDN: msisdn, OpenedAt: risk.Date(2025, 1, 1), Holder: holder,
		LastVoiceAt: risk.Date(2026, 10, 30), Alerts30d: 4}
}

// requireBoomDecision checks what a decision on alertCard says: bomb and
// loud_reason's reason are errors that quote nothing of the card, the other
// rules decided.
func requireBoomDecision(t *testing.T, d *risk.Decision) {
	t.Helper()
	require.True(t, d.Fired("alerts"))
	require.True(t, d.Fired("some_alerts"))
	require.True(t, d.Fired("loud_reason"))
	require.False(t, d.Fired("bomb"))
	require.Equal(t, 66.0, d.Score)
	require.Equal(t, rules.Verify, d.Outcome)
	byRule := map[string]string{}
	for _, e := range d.Errors {
		byRule[e.Rule] = e.Message
	}
	require.Len(t, byRule, 2, "%+v", d.Errors)
	require.Contains(t, byRule["bomb"], "failed inside the evaluator")
	require.Contains(t, byRule["loud_reason"], "failed inside the evaluator")
	for _, h := range d.Hits {
		if h.Rule == "loud_reason" {
			require.Equal(t, "alerts 4 ?", h.Reason)
		}
	}
	out := string(d.AppendJSON(nil))
	for _, pii := range []string{"13800138000", "h-7f3a", "boom on"} {
		require.NotContains(t, strings.ReplaceAll(out, `"msisdn":"13800138000"`, ""), pii)
	}
}

// A panic inside one rule's evaluation is that rule's error on that card, in
// both evaluators; the other rules still decide and the process lives.
func TestPanicInRuleIsThatRulesError(t *testing.T) {
	for _, ref := range []bool{false, true} {
		var opts []risk.CompileOption
		if ref {
			opts = append(opts, risk.WithReferenceEvaluator())
		}
		eng := boomEngine(t, opts...)
		d, err := eng.Score(alertCard("13800138000", "h-7f3a"), risk.AsOfTime(asOf))
		require.NoError(t, err)
		requireBoomDecision(t, d)

		s := eng.NewScorer(risk.AsOfTime(asOf))
		var reused risk.Decision
		for range 3 { // the scorer stays usable after a panic
			require.NoError(t, s.ScoreInto(alertCard("13800138000", "h-7f3a"), &reused))
			requireBoomDecision(t, &reused)
		}
	}
}

// ScoreBatch and ScoreBatchInto keep going past a rule that panics on every
// card.
func TestPanicInRuleBatchKeepsGoing(t *testing.T) {
	eng := boomEngine(t)
	recs := make([]*risk.Record, 1000)
	for i := range recs {
		recs[i] = alertCard("13800138000", "h-7f3a")
	}
	for _, res := range eng.ScoreBatch(context.Background(), recs, risk.AsOfTime(asOf), risk.Workers(2)) {
		require.NoError(t, res.Err)
		requireBoomDecision(t, res.Decision)
	}
	out := eng.ScoreBatchInto(context.Background(), recs, nil, risk.AsOfTime(asOf), risk.Workers(2))
	for _, res := range out {
		require.NoError(t, res.Err)
		requireBoomDecision(t, res.Decision)
	}
}

// File scoring counts every record once: records = decisions + rejects,
// with the panicking rule counted as an error per decision.
func TestPanicInRuleScoreFile(t *testing.T) {
	eng := boomEngine(t)
	in := ""
	for i := range 5 { // five cards (the same card twice would count once)
		in += fmt.Sprintf(`{"msisdn":"1380013800%d","holder":"h-7f3a","opened_at":"2025-01-01","alerts_30d":4}`+"\n", i)
	}
	in += `{"msisdn":"12","holder":"h-7f3a"}` + "\n"
	path := filepath.Join(t.TempDir(), "cards.jsonl")
	require.NoError(t, os.WriteFile(path, []byte(in), 0o600))
	var dec bytes.Buffer
	sum, err := datasets.ScoreFile(context.Background(), eng, func() (io.ReadCloser, error) { return os.Open(path) },
		datasets.ScoreOptions{AsOf: asOf, Decisions: &dec})
	require.NoError(t, err)
	require.Equal(t, 6, sum.Records)
	require.Equal(t, sum.Records, sum.Decisions+sum.Rejects)
	require.Equal(t, 5, sum.Decisions)
	require.Equal(t, 5, sum.Errors["bomb"])
	require.Equal(t, 5, sum.ByRule["alerts"])
	require.NotContains(t, dec.String(), "h-7f3a")
}

// Explain and the rule-test runner report the panicking rule instead of
// crashing.
func TestPanicInRuleExplainAndTests(t *testing.T) {
	eng := boomEngine(t)
	x, err := eng.NewScorer(risk.AsOfTime(asOf)).Explain(alertCard("13800138000", "h-7f3a"))
	require.NoError(t, err)
	var bomb *risk.RuleExplanation
	for i := range x.Rules {
		if x.Rules[i].ID == "bomb" {
			bomb = &x.Rules[i]
		}
	}
	require.NotNil(t, bomb)
	require.False(t, bomb.Fired)
	require.Contains(t, bomb.Error, "failed inside the evaluator")
	require.NotContains(t, x.Format(), "h-7f3a")

	rs, err := rules.Parse(rules.Source{Name: "t.yaml", Data: []byte(boomRules)})
	require.NoError(t, err)
	rep, err := risk.RunTests(rs)
	require.NoError(t, err)
	require.Equal(t, 1, rep.Failed, "%+v", rep.Results)
	require.Contains(t, strings.Join(rep.Results[0].Failures, "\n"), `rule "bomb" failed: the rule failed inside the evaluator`)
}

// A rule's run-time error in a decision is one of a fixed set of messages by
// kind, in both languages and both evaluators: never the evaluator's own
// text, which quotes card values (the holder key in "cannot convert").
func TestRuleErrorsQuoteNoCardValues(t *testing.T) {
	c := &risk.Record{MSISDN: "13800138000", ICCID: "89860012345678901234", Holder: "h-7f3a",
		OpenedAt: risk.Date(2025, 1, 1), Operator: "cmcc"}
	cases := []struct {
		lang, when, want string
	}{
		{"expr", `int(holder) > 0`, "a value of the wrong type, or one that cannot be converted"},
		{"expr", `int(holder + msisdn) > 0`, "a value of the wrong type, or one that cannot be converted"},
		{"expr", `complaints % (alerts_30d - alerts_30d) == 1`, "division by zero"},
		{"expr", `linked_platforms[3] == holder`, "index out of range"},
		{"cel", `int(holder) > 0`, "a value of the wrong type, or one that cannot be converted"},
		{"cel", `complaints % (alerts_30d - alerts_30d) == 1`, "division by zero"},
		{"cel", `linked_platforms[3] == holder`, "index out of range"},
		{"cel", `complaints + 9223372036854775807 + complaints + 1 > 0`, "integer overflow"},
	}
	for _, tc := range cases {
		for _, ref := range []bool{false, true} {
			src := "rules:\n  - {id: r, language: " + tc.lang + ", when: '" + tc.when + "', outcome: verify, score: 60}\n" + bands
			var opts []risk.CompileOption
			if ref {
				opts = append(opts, risk.WithReferenceEvaluator())
			}
			eng, err := compileSrc(t, src, opts...)
			require.NoError(t, err, tc.when)
			d, err := eng.Score(c, risk.AsOfTime(asOf))
			require.NoError(t, err)
			require.Len(t, d.Errors, 1, "%s %s", tc.lang, tc.when)
			require.Equal(t, tc.want, d.Errors[0].Message, "%s %s (reference %v)", tc.lang, tc.when, ref)
			out := string(d.AppendJSON(nil))
			for _, pii := range []string{"h-7f3a", "8000", "1234", "cmcc"} {
				require.NotContains(t, out[strings.Index(out, `"errors"`):], pii, tc.when)
			}
		}
	}
}

// A card on which something panics is decided again from the start: into
// a reused Decision that held another card's hits, between cards no rule
// fires on, each decision is what a fresh one says (no hit, reason or error
// of the pass that panicked is left over), with a panic in a condition or
// only in a reason.
func TestPanicDecidedAgainIntoReusedDecision(t *testing.T) {
	reasonOnly := `
rules:
  - {id: alerts, when: alerts_30d >= 3, outcome: verify, score: 60, reason: "alerts {alerts_30d}"}
  - {id: loud_reason, when: alerts_30d >= 1, outcome: monitor, score: 1, reason: "alerts {alerts_30d} {boom(operator)}"}
` + bands
	quiet := alertCard("13900139000", "h-1")
	quiet.Alerts30d = 0
	for _, src := range []string{boomRules, reasonOnly} {
		eng, err := compileSrc(t, src)
		require.NoError(t, err)
		s := eng.NewScorer(risk.AsOfTime(asOf))
		var reused risk.Decision
		for _, c := range []*risk.Record{alertCard("13800138000", "h-7f3a"), quiet, alertCard("13800138001", "h-7f3a"), alertCard("13800138002", "h-7f3b"), quiet} {
			fresh, err := eng.Score(c, risk.AsOfTime(asOf))
			require.NoError(t, err)
			require.NoError(t, s.ScoreInto(c, &reused))
			require.Equal(t, string(fresh.AppendJSON(nil)), string(reused.AppendJSON(nil)))
			switch {
			case c.Alerts30d > 0 && src == boomRules:
				requireBoomDecision(t, &reused)
			case c.Alerts30d > 0:
				require.Len(t, reused.Hits, 2)
				require.Equal(t, "alerts 4", reused.Hits[0].Reason)
				require.Equal(t, "alerts 4 ?", reused.Hits[1].Reason)
				require.Len(t, reused.Errors, 1)
				require.Equal(t, "loud_reason", reused.Errors[0].Rule)
				require.Equal(t, 61.0, reused.Score)
			default:
				require.Empty(t, reused.Hits)
				require.Equal(t, src == boomRules, reused.Errors != nil, "bomb panics on every card")
			}
		}
	}
}
