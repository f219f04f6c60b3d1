package risk_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/datasets"
	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/rules"
)

// handBuilt loads a case's rule file with the number that is not a number
// replaced by a finite one (so the loader, which refuses NaN, does not
// stand in the way), and returns the rule set for the test to put NaN or an
// infinity back by hand, as a host building a RuleSet in code could.
func handBuilt(t *testing.T, path, nan, finite string) *rules.RuleSet {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Contains(t, string(data), nan)
	rs, err := rules.Parse(rules.Source{Name: path, Data: bytes.Replace(data, []byte(nan), []byte(finite), 1)})
	require.NoError(t, err)
	return rs
}

func flaggedCard(t *testing.T) *risk.Record {
	t.Helper()
	l, err := datasets.ReadFile("testdata/cases/flagged-card.jsonl", asOf)
	require.NoError(t, err)
	require.Len(t, l.Records, 1)
	return l.Records[0]
}

// Case nan-score and nan-band: a rule set built by hand with a score or a
// band minimum that is not a finite number does not compile (bad_number at
// the rule or band); the loader's own refusal is the loader's test.
func TestCompileRefusesNonFiniteNumbers(t *testing.T) {
	for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		rs := handBuilt(t, "testdata/cases/nan-score/rules.yaml", "score: .nan", "score: 10")
		rs.Rules[0].Score = bad
		_, err := risk.Compile(rs)
		require.Error(t, err, "score %v", bad)
		require.True(t, errors.Is(err, rules.CodeBadNumber), "%v", err)
		list := rules.AsList(err)
		require.Len(t, list, 1)
		require.Equal(t, "flagged", list[0].Rule)
		require.Equal(t, "score", list[0].Field)
		require.Equal(t, rs.Rules[0].Pos.Line, list[0].Line)

		rs = handBuilt(t, "testdata/cases/nan-band/rules.yaml", "min: .nan", "min: 80")
		rs.Bands[len(rs.Bands)-1].Min = bad // bands are sorted by Min: 80 is last
		_, err = risk.Compile(rs)
		require.True(t, errors.Is(err, rules.CodeBadNumber), "band min %v: %v", bad, err)
		require.Len(t, rules.AsList(err), 1)
		require.Equal(t, "bands", rules.AsList(err)[0].Field)
	}
}

// Finite scores whose sum overflows to an infinity still give a decision
// score in 0..100 that is written as valid JSON.
func TestOverflowingScoresClamped(t *testing.T) {
	c := flaggedCard(t)
	for _, tc := range []struct {
		each float64
		want float64
	}{{math.MaxFloat64, 100}, {-math.MaxFloat64, 0}} {
		rs := handBuilt(t, "testdata/cases/nan-score/rules.yaml", "score: .nan", "score: 10")
		for _, r := range rs.Rules {
			r.Score = tc.each
		}
		eng, err := risk.Compile(rs)
		require.NoError(t, err)
		d, err := eng.Score(c, risk.AsOfTime(asOf))
		require.NoError(t, err)
		require.Len(t, d.Hits, 2)
		require.Equal(t, tc.want, d.Score)
		b, err := json.Marshal(d)
		require.NoError(t, err)
		require.True(t, json.Valid(b), "%s", b)
		var back struct{ Score float64 }
		require.NoError(t, json.Unmarshal(b, &back))
		require.Equal(t, tc.want, back.Score)
	}
}

// wireDecision reads a decision's JSON back, every field as written.
type wireDecision struct {
	MSISDN   string  `json:"msisdn"`
	Score    float64 `json:"score"`
	Level    string  `json:"level"`
	Outcome  string  `json:"outcome"`
	Deadline string  `json:"deadline"`
	Hits     []struct {
		Rule   string   `json:"rule"`
		Tags   []string `json:"tags"`
		Score  float64  `json:"score"`
		Reason string   `json:"reason"`
		Shadow bool     `json:"shadow"`
	} `json:"hits"`
	Errors []struct {
		Rule    string `json:"rule"`
		Message string `json:"message"`
	} `json:"errors"`
	RuleSet string `json:"ruleset"`
}

// valid is s as a JSON decoder gives it back: each byte that is not part of
// valid UTF-8 becomes U+FFFD.
func valid(s string) string { return string([]rune(s)) }

// finite is what the encoder writes for f.
func finite(f float64) float64 {
	switch {
	case math.IsNaN(f):
		return 0
	case math.IsInf(f, 1):
		return math.MaxFloat64
	case math.IsInf(f, -1):
		return -math.MaxFloat64
	}
	return f
}

// FuzzDecisionJSON: a decision with any contents (a hand-built one, or one
// of a rule set with odd ids, tags and reasons) is written as valid JSON
// that reads back to the same fields, strings with invalid UTF-8 replaced
// by U+FFFD and numbers JSON cannot hold by finite ones; the JSON Lines
// writer writes the same line.
func FuzzDecisionJSON(f *testing.F) {
	f.Add("13800138000", "flagged", "fraud", "号码 138****8000 被 police 标记", "alerts", "reason {x}: no such key", "sha256:ab", math.Float64bits(math.NaN()), math.Float64bits(60), false, int8(2), int8(3), int64(risk.Date(2026, 11, 2)))
	f.Add("\xff\xfe", "a\"b\\c", "\x00\x1f\x7f", "line\nbreak\ttab\r\u2028", "\xed\xa0\x80", "\xc3", "", math.Float64bits(math.Inf(1)), math.Float64bits(math.Inf(-1)), true, int8(-1), int8(9), int64(-1))
	f.Add("", "", "", "", "", "", "", uint64(0x8000000000000000), uint64(1), false, int8(0), int8(0), int64(0))
	f.Fuzz(func(t *testing.T, msisdn, rule, tag, reason, errRule, errMsg, digest string, scoreBits, hitBits uint64, shadow bool, level, outcome int8, deadline int64) {
		d := &risk.Decision{MSISDN: msisdn, Score: math.Float64frombits(scoreBits), Level: rules.Level(level),
			Outcome: rules.Outcome(outcome), Deadline: risk.Time(deadline), RuleSet: digest,
			Hits: []risk.Hit{{Rule: rule, Tags: []string{tag, reason}, Score: math.Float64frombits(hitBits), Reason: reason, Shadow: shadow}},
		}
		if errRule != "" {
			d.Errors = []risk.RuleError{{Rule: errRule, Message: errMsg}}
		}
		b := d.AppendJSON(nil)
		if !json.Valid(b) {
			t.Fatalf("not JSON: %q", b)
		}
		m, err := json.Marshal(d) // encoding/json checks MarshalJSON's output too
		require.NoError(t, err)
		var w, wm wireDecision
		require.NoError(t, json.Unmarshal(b, &w))
		require.NoError(t, json.Unmarshal(m, &wm))
		require.Equal(t, w, wm)
		require.Equal(t, valid(msisdn), w.MSISDN)
		require.Equal(t, finite(d.Score), w.Score)
		require.Equal(t, d.Level.String(), w.Level)
		require.Equal(t, d.Outcome.String(), w.Outcome)
		if deadline != 0 {
			require.NotEmpty(t, w.Deadline)
			if back, err := time.Parse(time.RFC3339, w.Deadline); err == nil {
				require.Equal(t, deadline, back.Unix())
			}
		} else {
			require.Empty(t, w.Deadline)
		}
		require.Len(t, w.Hits, 1)
		h := w.Hits[0]
		require.Equal(t, valid(rule), h.Rule)
		require.Equal(t, []string{valid(tag), valid(reason)}, h.Tags)
		require.Equal(t, finite(d.Hits[0].Score), h.Score)
		require.Equal(t, valid(reason), h.Reason)
		require.Equal(t, shadow, h.Shadow)
		if errRule != "" {
			require.Len(t, w.Errors, 1)
			require.Equal(t, valid(errRule), w.Errors[0].Rule)
			require.Equal(t, valid(errMsg), w.Errors[0].Message)
		} else {
			require.Empty(t, w.Errors)
		}
		require.Equal(t, valid(digest), w.RuleSet)

		var out bytes.Buffer
		jw := datasets.NewWriter(&out)
		require.NoError(t, jw.WriteDecision(d))
		require.NoError(t, jw.WriteReject(&datasets.Reject{Line: 1, Reason: reason}))
		require.NoError(t, jw.Flush())
		lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
		require.Len(t, lines, 2)
		require.Equal(t, string(b), lines[0])
		require.True(t, json.Valid([]byte(lines[1])), "%q", lines[1])
	})
}

// A hand-built decision with a score JSON cannot hold is still written as
// JSON: NaN as 0.
func TestDecisionJSONNotANumber(t *testing.T) {
	d := &risk.Decision{MSISDN: "138\xff", Score: math.NaN(), Hits: []risk.Hit{{Rule: "r\x01", Score: math.Inf(1)}}}
	b, err := json.Marshal(d)
	require.NoError(t, err)
	require.Contains(t, string(b), `"msisdn":"138\ufffd","score":0,`)
	require.Contains(t, string(b), `"rule":"r\u0001"`)
	require.Contains(t, string(b), `"score":179769313486231570`)
}
