package datasets

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/rules"
)

// csvRow is a decision's CSV row as ScoreFile wrote it before
// decisionEncoder.appendCSV: its cells joined and written by
// encoding/csv's Writer.
func csvRow(t testing.TB, d *risk.Decision, line int) []byte {
	var rules, shadow, reasons, errs []string
	for _, h := range d.Hits {
		if h.Shadow {
			shadow = append(shadow, h.Rule)
		} else {
			rules = append(rules, h.Rule)
		}
		reasons = append(reasons, h.Reason)
	}
	for _, e := range d.Errors {
		errs = append(errs, e.Rule)
	}
	deadline, asOf := "", ""
	if d.Deadline != 0 {
		deadline = d.Deadline.Std().Format(time.RFC3339)
	}
	if d.AsOf != 0 {
		asOf = d.AsOf.Std().Format(time.RFC3339)
	}
	row := []string{strconv.Itoa(line), d.MSISDN, strconv.FormatFloat(d.Score, 'g', -1, 64), d.Level.String(), d.Outcome.String(), deadline,
		strings.Join(rules, " "), strings.Join(shadow, " "), spreadsheetSafe(strings.Join(reasons, " | ")), strings.Join(errs, " "),
		d.RuleSet, asOf, spreadsheetSafe(d.Pack), spreadsheetSafe(d.Version)}
	require.Len(t, row, len(decisionColumns))
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	require.NoError(t, w.Write(row))
	w.Flush()
	return b.Bytes()
}

// encodeBoth writes ds with one decisionEncoder (its kept fragments
// carried from decision to decision) and each on its own the old way
// (Decision.AppendJSON, appendDecisionLine; the cells through
// encoding/csv), and requires the same bytes, JSON Lines and CSV.
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
		got = e.appendCSV([]byte("x"), d, line)
		require.Equal(t, "x"+string(csvRow(t, d, line)), string(got), "decision %d as CSV", i)
	}
}

// The run's encoder writes every decision as Decision.AppendJSON does,
// and every CSV row as encoding/csv does, byte for byte, whatever the decision holds (hits, shadow hits, errors,
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
	// what CSV quotes or marks: commas, quotes, line ends, leading white
	// space, \., cells a spreadsheet would run, empty ids among others
	for _, text := range []string{"a,b", `say "hi"`, "x\r\ny", " lead", "\u3000ideographic", `\.`, "=HYPERLINK(1)", "+1", "-", "@x", "\tt", ""} {
		add(func(d *risk.Decision) {
			d.MSISDN, d.Pack, d.Version = text, text, text
			d.Hits = []risk.Hit{{Rule: "", Reason: text}, {Rule: text, Reason: text, Shadow: true}, {Rule: "b", Reason: ""}, {Rule: "", Shadow: true}}
			d.Errors = []risk.RuleError{{Rule: ""}, {Rule: text}}
		})
	}
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
// Decision.AppendJSON writes for each, and the CSV rows encoding/csv
// writes for their cells.
func FuzzDecisionEncoder(f *testing.F) {
	f.Add("13800138000", "holder has 6 cards", "sha256:80", "default", "1.1.0", 35.0, int64(risk.Date(2026, 11, 1)), int64(72*3600), true, uint8(3))
	f.Add("\xff\"\\\n", "数据\u2028", "", "=x", "", math.NaN(), int64(-1), int64(0), false, uint8(0))
	f.Add(" a,b", "=1,\"2\"\r", "\\.", "\u3000", "-v", 1e6, int64(0), int64(1), true, uint8(0xff))
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
