package risk_test

import (
	"context"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/datasets"
	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/rules"
)

// TestScoreIntoDecisionEditedByHost: a Decision reused across cards and
// edited by the host between calls, in any field, is rewritten in full: the
// same JSON, hits and errors as a fresh decision of the card. A host's -0
// score (written "-0") passed for the no-fire decision's 0 and was kept.
func TestScoreIntoDecisionEditedByHost(t *testing.T) {
	for _, pack := range []string{"default", "default-cel"} {
		rs, err := rules.Pack(pack)
		require.NoError(t, err)
		eng, err := risk.Compile(rs)
		require.NoError(t, err)
		cards := datasets.Generate(datasets.GenOptions{Cards: 300, Seed: 3, AsOf: asOf})
		s := eng.NewScorer(risk.AsOfTime(asOf))
		fresh := eng.NewScorer(risk.AsOfTime(asOf))
		edits := []func(d *risk.Decision){
			func(d *risk.Decision) {},
			func(d *risk.Decision) { d.Score = math.Copysign(0, -1) },
			func(d *risk.Decision) { d.Score = math.NaN() },
			func(d *risk.Decision) { d.Hits = nil },
			func(d *risk.Decision) { d.Hits = d.Hits[:0] },
			func(d *risk.Decision) { d.Errors = []risk.RuleError{} },
			func(d *risk.Decision) { d.Errors = []risk.RuleError{{Rule: "x"}} },
			func(d *risk.Decision) { d.Deadline = 5 },
			func(d *risk.Decision) { d.AsOf = 5 },
			func(d *risk.Decision) { d.Pack = "x" },
			func(d *risk.Decision) { d.Pack = string([]byte(d.Pack)) },
			func(d *risk.Decision) { d.MSISDN = "x" },
			func(d *risk.Decision) { d.Version = "x" },
			func(d *risk.Decision) { d.RuleSet = "" },
			func(d *risk.Decision) { d.Level = 3 },
			func(d *risk.Decision) { d.Outcome = 4 },
			func(d *risk.Decision) {
				if len(d.Hits) > 0 {
					d.Hits[0].Reason = "zzz"
					d.Hits[0].Tags = nil
				}
			},
			func(d *risk.Decision) { *d = risk.Decision{} },
			func(d *risk.Decision) { *d = d.Clone() },
		}
		var d risk.Decision
		for i, c := range cards {
			for k, ed := range edits {
				ed(&d)
				require.NoError(t, s.ScoreInto(c, &d))
				want, err := fresh.Score(c)
				require.NoError(t, err)
				require.Equal(t, string(want.AppendJSON(nil)), string(d.AppendJSON(nil)), "%s card %d edit %d", pack, i, k)
				require.Equal(t, want.Hits, d.Hits)
				require.Equal(t, want.Errors, d.Errors)
			}
		}
	}
}

// TestPanickingCardsAmongOthersInOneScorer: rules that panic (integer
// division by zero, an index out of range, in a condition, a loop or a
// reason) on some cards only, scored in one Scorer into one Decision among
// cards they do not panic on: every card is decided as a fresh scorer
// decides it, and the compiled evaluator decides as the reference one.
func TestPanickingCardsAmongOthersInOneScorer(t *testing.T) {
	for _, lang := range []string{"expr", "cel"} {
		var src string
		if lang == "expr" {
			src = `language: expr
bands: [{min: 0, level: low, outcome: pass}, {min: 30, level: high, outcome: verify}]
rules:
  - {id: a, outcome: monitor, score: 10, when: 'complaints % (alerts_30d - 1) == 0', reason: "a {complaints}"}
  - {id: b, outcome: monitor, score: 20, when: 'linked_platforms[1] == "jd"', reason: "b {linked_platforms[2]}"}
  - {id: c, outcome: monitor, score: 5, when: 'complaints > 0', reason: "c {linked_platforms[1]} {complaints % (alerts_30d - 2)}"}
  - {id: d, outcome: restrict, score: 1, when: 'any(roaming, {.region == "TH" && 10 % (complaints - 3) == 0})', reason: "d"}
  - {id: e, outcome: monitor, score: 1, when: 'alerts_30d > 0', reason: "e {alerts_30d}"}
`
		} else {
			src = `language: cel
bands: [{min: 0, level: low, outcome: pass}, {min: 30, level: high, outcome: verify}]
rules:
  - {id: a, outcome: monitor, score: 10, when: 'complaints % (alerts_30d - 1) == 0', reason: "a {complaints}"}
  - {id: b, outcome: monitor, score: 20, when: 'linked_platforms[1] == "jd"', reason: "b {linked_platforms[2]}"}
  - {id: c, outcome: monitor, score: 5, when: 'complaints > 0', reason: "c {linked_platforms[1]} {complaints % (alerts_30d - 2)}"}
  - {id: d, outcome: restrict, score: 1, when: 'roaming.exists(x, x.region == "TH" && 10 % (complaints - 3) == 0)', reason: "d"}
  - {id: e, outcome: monitor, score: 1, when: 'alerts_30d > 0', reason: "e {alerts_30d}"}
`
		}
		engF, err := compileSrc(t, src)
		require.NoError(t, err)
		engR, err := compileSrc(t, src, risk.WithReferenceEvaluator())
		require.NoError(t, err)
		for i := 0; i < 80; i++ {
			r := card()
			r.Complaints, r.Alerts30d = i%5, (i/5)%4
			r.LinkedPlatforms = [][]string{nil, {"jd"}, {"jd", "jd"}, {"x", "jd", "y"}}[i/20]
			if i%2 == 0 {
				r.Roaming = []risk.Roaming{{Region: "MM"}, {Region: "TH"}}
			}
			df, err := engF.Score(r, risk.AsOfTime(asOf))
			require.NoError(t, err)
			dr, err := engR.Score(r, risk.AsOfTime(asOf))
			require.NoError(t, err)
			require.Equal(t, string(dr.AppendJSON(nil)), string(df.AppendJSON(nil)), "%s fast vs ref %d", lang, i)
		}
		for _, refev := range []bool{false, true} {
			var opts []risk.CompileOption
			if refev {
				opts = append(opts, risk.WithReferenceEvaluator())
			}
			eng, err := compileSrc(t, src, opts...)
			require.NoError(t, err)
			var cards []*risk.Record
			for c := 0; c < 5; c++ {
				for a := 0; a < 4; a++ {
					for l := 0; l < 4; l++ {
						r := card()
						r.Complaints, r.Alerts30d = c, a
						r.LinkedPlatforms = []string{"jd", "jd", "tencent"}[:l%4]
						if l == 3 {
							r.LinkedPlatforms = []string{"x", "jd", "y"}
						}
						if c%2 == 0 {
							r.Roaming = []risk.Roaming{{Region: "MM"}, {Region: "TH"}}
						}
						cards = append(cards, r)
					}
				}
			}
			s := eng.NewScorer(risk.AsOfTime(asOf))
			var d risk.Decision
			for pass := 0; pass < 3; pass++ {
				for i, c := range cards {
					if pass == 2 {
						c = cards[(i*7)%len(cards)]
					}
					require.NoError(t, s.ScoreInto(c, &d))
					want, err := eng.NewScorer(risk.AsOfTime(asOf)).Score(c)
					require.NoError(t, err)
					require.Equal(t, string(want.AppendJSON(nil)), string(d.AppendJSON(nil)), "%s ref=%v card %d", lang, refev, i)
				}
			}
		}
	}
}

// TestRecordChangedInTwoNumbersValidatedAgain: a validated record opened
// 4,096 s later (after the as-of time) and given one roaming entry had its
// old fingerprint, so it was scored without being validated again.
func TestRecordChangedInTwoNumbersValidatedAgain(t *testing.T) {
	eng := defaultEngine(t)
	s := eng.NewScorer(risk.AsOfTime(asOf))
	open := asOf - 100
	for open&4096 != 0 {
		open--
	}
	r := card()
	r.OpenedAt, r.LastVoiceAt = open, 0
	require.NoError(t, r.Validate(asOf))
	_, err := s.Score(r)
	require.NoError(t, err)
	r.OpenedAt = open ^ 4096 // after the as-of time
	r.Roaming = []risk.Roaming{{Region: "TH"}}
	require.Greater(t, r.OpenedAt, asOf)
	_, err = s.Score(r)
	require.ErrorIs(t, err, risk.ErrInvalidRecord)
}

// TestSharedRecordScoredConcurrentlyOnceValidated: one *Record many times
// in a batch scored by two workers, validated before (at an earlier as-of
// time) as Engine.Score and ScoreBatch ask, is only read by scoring: no
// data race under -race. (Not validated first, both workers validate it in
// place at once: the race the documentation warns of.)
func TestSharedRecordScoredConcurrentlyOnceValidated(t *testing.T) {
	eng := defaultEngine(t)
	r := card()
	require.NoError(t, r.Validate(asOf-86400))
	recs := make([]*risk.Record, 4000)
	for i := range recs {
		recs[i] = r
	}
	want, err := eng.Score(r, risk.AsOfTime(asOf))
	require.NoError(t, err)
	for _, x := range eng.ScoreBatch(context.Background(), recs, risk.AsOfTime(asOf), risk.Workers(2)) {
		require.NoError(t, x.Err)
		require.Equal(t, string(want.AppendJSON(nil)), string(x.Decision.AppendJSON(nil)))
	}
}

// TestReasonCutInsideANumberIsMasked: a reason whose parts spell a number
// across the max_rendered_reason_bytes cut (a free-text field ending in the
// number's first digits, a count holding its last) is masked as its whole
// text is, then cut: rendering stopped at the cut and showed the number's
// first six digits, which the masker hides.
func TestReasonCutInsideANumberIsMasked(t *testing.T) {
	src := "bands: [{min: 0, level: low, outcome: pass}]\nrules:\n  - {id: r, outcome: monitor, when: 'fraud_flag != \"\"', reason: \"{mvno}{complaints}\"}\n"
	rs, err := rules.Parse(rules.Source{Name: "m.yaml", Data: []byte(src)})
	require.NoError(t, err)
	lim := rules.DefaultLimits()
	lim.MaxRenderedReasonBytes = 20
	for _, ref := range []bool{false, true} {
		opts := []risk.CompileOption{risk.WithLimits(lim)}
		if ref {
			opts = append(opts, risk.WithReferenceEvaluator())
		}
		eng, err := risk.Compile(rs, opts...)
		require.NoError(t, err)
		r := card()
		r.FraudFlag, r.MVNO, r.Complaints = "police", "aaaaaaaaaaaaaa1380013", 8000 // 138 0013 8000 across the cut
		d, err := eng.Score(r, risk.AsOfTime(asOf))
		require.NoError(t, err)
		require.Len(t, d.Hits, 1)
		require.Equal(t, "aaaaaaaaaaaaaa138***…", d.Hits[0].Reason, "reference evaluator %v", ref)
	}
}
