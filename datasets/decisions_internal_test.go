package datasets

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/rules"
)

// encodeBoth writes ds with one decisionEncoder (its kept fragments
// carried from decision to decision) and each on its own the old way
// (Decision.AppendJSON, appendDecisionLine), and requires the same bytes.
func encodeBoth(t testing.TB, ds []risk.Decision, withLine bool) {
	var e decisionEncoder
	for i := range ds {
		d := &ds[i]
		line := 1000 + i*7
		want := append(d.AppendJSON(nil), '\n')
		if withLine {
			want = appendDecisionLine(nil, d, line)
		}
		got := e.append([]byte("x"), d, line, withLine)
		require.Equal(t, "x"+string(want), string(got), "decision %d", i)
	}
}

// The run's encoder writes every decision as Decision.AppendJSON does,
// byte for byte, whatever the decision holds (hits, shadow hits, errors,
// a deadline, scores that are not whole, strings to escape, bytes that
// are not UTF-8, times at the ends of RFC 3339's years) and however the
// shared fragments change from one decision to the next.
func TestDecisionEncoderSameAsAppendJSON(t *testing.T) {
	asOf := risk.Date(2026, 11, 1)
	base := risk.Decision{MSISDN: "13800138000", Score: 0, Level: rules.Low, Outcome: rules.Pass, Hits: []risk.Hit{},
		RuleSet: "sha256:808400c53c683fa7486e34e5fcd1c41f", AsOf: asOf, Pack: "default", Version: "1.1.0"}
	var ds []risk.Decision
	add := func(f func(d *risk.Decision)) {
		d := base
		f(&d)
		ds = append(ds, d)
	}
	add(func(d *risk.Decision) {})
	add(func(d *risk.Decision) {
		d.Score, d.Level, d.Outcome, d.Deadline = 35, rules.Medium, rules.Verify, asOf+72*3600
		d.Hits = []risk.Hit{{Rule: "multi_card_id", Tags: []string{"id", "sim"}, Score: 35, Reason: "holder has 6 cards (limit 5)"},
			{Rule: "silent", Tags: nil, Score: 0, Reason: "数据 \"静默\" 90 天\\", Shadow: true}}
	})
	add(func(d *risk.Decision) { d.Deadline = asOf + 72*3600 }) // the same deadline again
	add(func(d *risk.Decision) { d.Deadline = risk.Date(2027, 2, 28) + 86399 })
	add(func(d *risk.Decision) {
		d.Errors = []risk.RuleError{{Rule: "r1", Message: "division by zero\n\tat x"}, {Rule: "r\x01", Message: "\xff\xfe bad"}}
	})
	add(func(d *risk.Decision) { d.MSISDN = "<&>\u2028\x7f\x00é\xc3" })
	for _, odd := range []string{"\"", "\\", "\x1f", "\n", "\xff", "\xe6\x95"} {
		for _, at := range []int{0, 7, 8, 9, 15, 16, 23} {
			add(func(d *risk.Decision) {
				text := "holder has 6 cards (limit 5) on the same ID"
				d.Hits = []risk.Hit{{Rule: "multi_card_id", Reason: text[:at] + odd + text[at:]}}
			})
		}
	}
	for _, s := range []float64{0.5, 1e-7, 99.99999, 1e21, math.Inf(1), math.Inf(-1), math.NaN(), math.Copysign(0, -1), -3, 1 << 53, 1<<53 + 2, math.MaxFloat64} {
		add(func(d *risk.Decision) { d.Score = s; d.Hits = []risk.Hit{{Rule: "r", Score: s}} })
	}
	add(func(d *risk.Decision) { d.AsOf = 0 })                                   // no as-of: left out
	add(func(d *risk.Decision) { d.AsOf = risk.Date(2026, 11, 2) })              // another as-of
	add(func(d *risk.Decision) { d.RuleSet = "sha256:" + "ab" })                 // another rule set
	add(func(d *risk.Decision) { d.Pack, d.Version = "=cmd|' /C calc'!A0", "" }) // another pack
	add(func(d *risk.Decision) { d.Version = "2" })
	for _, tm := range []risk.Time{1, -1, 86399 - 8*3600, -8 * 3600, risk.Date(9999, 12, 31) + 86399, risk.Date(9999, 12, 31) + 86400,
		risk.Time(-62167219200 - 8*3600), risk.Time(-62167219200 - 8*3600 - 1), risk.Date(2000, 2, 29), risk.Date(2100, 3, 1) - 1, risk.Date(1600, 2, 29) + 3723,
		math.MaxInt64 / 4, math.MinInt64 / 4} {
		add(func(d *risk.Decision) { d.Deadline, d.AsOf = tm, tm })
	}
	encodeBoth(t, ds, true)
	encodeBoth(t, ds, false)
}

// FuzzDecisionEncoder: two decisions of arbitrary texts, numbers and
// times written one after the other by one encoder are the bytes
// Decision.AppendJSON writes for each.
func FuzzDecisionEncoder(f *testing.F) {
	f.Add("13800138000", "holder has 6 cards", "sha256:80", "default", "1.1.0", 35.0, int64(risk.Date(2026, 11, 1)), int64(72*3600), true, uint8(3))
	f.Add("\xff\"\\\n", "数据\u2028", "", "=x", "", math.NaN(), int64(-1), int64(0), false, uint8(0))
	f.Fuzz(func(t *testing.T, msisdn, reason, ruleSet, pack, version string, score float64, asOf, dl int64, shadow bool, shape uint8) {
		d := risk.Decision{MSISDN: msisdn, Score: score, Level: rules.Level(shape % 5), Outcome: rules.Outcome(shape / 5 % 6),
			RuleSet: ruleSet, AsOf: risk.Time(asOf), Pack: pack, Version: version, Hits: []risk.Hit{}}
		if shape&8 != 0 {
			d.Deadline = risk.Time(asOf + dl)
		}
		if shape&16 != 0 {
			d.Hits = []risk.Hit{{Rule: reason, Tags: []string{pack, msisdn}, Score: -score, Reason: reason, Shadow: shadow}, {Rule: "r"}}
		}
		if shape&32 != 0 {
			d.Errors = []risk.RuleError{{Rule: version, Message: reason}}
		}
		d2 := d
		d2.AsOf, d2.Deadline, d2.Score = risk.Time(dl), d.Deadline+risk.Time(shape), score/3
		if shape&64 != 0 {
			d2.RuleSet = reason
		}
		encodeBoth(t, []risk.Decision{d, d2, d}, shape&128 != 0)
	})
}

// BenchmarkDecisionEncode writes the decisions of 20,000 generated cards
// as JSON Lines with their lines: the run's encoder against
// Decision.AppendJSON (what ScoreFile wrote them with before), per
// decision.
func BenchmarkDecisionEncode(b *testing.B) {
	eng := defaultEngine(b)
	r := scoreWith(eng, messyFile(b, JSONL, 20000, 3), ScoreOptions{})
	require.NoError(b, r.err)
	var ds []risk.Decision
	for _, l := range bytes.Split(bytes.TrimSpace(r.decisions), []byte("\n")) {
		var d risk.Decision
		require.NoError(b, json.Unmarshal(l, &d))
		ds = append(ds, d)
	}
	out := make([]byte, 0, 1<<20)
	b.Run("encoder", func(b *testing.B) {
		b.ReportAllocs()
		var e decisionEncoder
		for i := 0; i < b.N; i++ {
			out = e.append(out[:0], &ds[i%len(ds)], i, true)
		}
	})
	b.Run("append-json", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			out = appendDecisionLine(out[:0], &ds[i%len(ds)], i)
		}
	})
}
