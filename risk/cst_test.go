package risk_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/datasets"
	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/rules"
)

// cstEngine compiles a case file, with old replaced by new when given.
func cstEngine(t *testing.T, path, old, new string, ref bool) *risk.Engine {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	if old != "" {
		require.Contains(t, string(data), old)
		data = bytes.ReplaceAll(data, []byte(old), []byte(new))
	}
	rs, err := rules.Parse(rules.Source{Name: path, Data: data})
	require.NoError(t, err)
	require.Empty(t, risk.Check(rs), "lint is clean: the times are CST, nothing to warn about")
	var opts []risk.CompileOption
	if ref {
		opts = append(opts, risk.WithReferenceEvaluator())
	}
	eng, err := risk.Compile(rs, opts...)
	require.NoError(t, err)
	return eng
}

// Case cel-gethours-utc: a card opened at 10:00 CST (02:00 UTC) is not
// "opened at night" and its hour is 10; the weekday is the CST day; in CEL
// (the case's file) and in expr (the same rules, expr.yaml), compiled and
// on the reference evaluators.
func TestCaseTimesOfDayInCST(t *testing.T) {
	l, err := datasets.ReadFile("testdata/cases/card-opened-10am-cst.jsonl", asOf)
	require.NoError(t, err)
	require.Len(t, l.Records, 1)
	card := l.Records[0]
	// 06:00 CST on Sunday 2024-03-03 is 22:00 UTC on Saturday
	early := *card
	early.OpenedAt = card.OpenedAt - 4*3600
	for _, file := range []string{"rules.yaml", "expr.yaml"} {
		path := "testdata/cases/cel-gethours-utc/" + file
		night := "getHours() < 6"
		if file == "expr.yaml" {
			night = "Hour() < 6"
		}
		for _, ref := range []bool{false, true} {
			eng := cstEngine(t, path, "", "", ref)
			d, err := eng.Score(card, risk.AsOfTime(asOf))
			require.NoError(t, err)
			require.False(t, d.Fired("opened_at_night"), "%s reference=%v: 10:00 CST is not night", file, ref)
			require.True(t, d.Fired("opened_weekend"), "%s reference=%v: 2024-03-03 is a Sunday", file, ref)
			require.Empty(t, d.Errors)

			d, err = eng.Score(&early, risk.AsOfTime(asOf))
			require.NoError(t, err)
			require.True(t, d.Fired("opened_weekend"), "%s reference=%v: 06:00 CST Sunday is Sunday, not UTC's Saturday", file, ref)
			require.False(t, d.Fired("opened_at_night"), "%s reference=%v: 06:00 is not before 6", file, ref)

			// the reason says the CST hour
			eng = cstEngine(t, path, night, night[:len(night)-1]+"11", ref)
			d, err = eng.Score(card, risk.AsOfTime(asOf))
			require.NoError(t, err)
			require.True(t, d.Fired("opened_at_night"))
			require.Equal(t, "opened at hour 10", d.Hits[0].Reason, "%s reference=%v", file, ref)
		}
	}
}

// Every timestamp part reads CST, across a year's boundary: 2024-01-01
// 03:00 CST is 2023-12-31 19:00 UTC.
func TestTimestampPartsInCST(t *testing.T) {
	c := card()
	c.OpenedAt = risk.Date(2024, 1, 1) + 3*3600 + 25*60
	for _, tc := range []struct{ lang, reason, want string }{
		{"cel", "y{timestamp(opened_at).getFullYear()} m{timestamp(opened_at).getMonth()} d{timestamp(opened_at).getDayOfMonth()} d{timestamp(opened_at).getDate()} " +
			"w{timestamp(opened_at).getDayOfWeek()} yd{timestamp(opened_at).getDayOfYear()} h{timestamp(opened_at).getHours()} m{timestamp(opened_at).getMinutes()} " +
			"sh{timestamp(opened_at).getHours('Asia/Shanghai')} utc{timestamp(opened_at).getHours('UTC')} dur{(timestamp(as_of) - timestamp(opened_at)).getHours()}",
			"y2024 m0 d0 d1 w1 yd0 h3 m25 sh3 utc19 dur24836"},
		{"expr", "y{date(opened_at).Year()} {date(opened_at).Month()} d{date(opened_at).Day()} {date(opened_at).Weekday()} yd{date(opened_at).YearDay()} " +
			"h{date(opened_at).Hour()} m{date(opened_at).Minute()} {date('2024-01-01').Unix() == " + "1704038400" + "} h{date('2024-01-01 03:25:00').Hour()} " +
			"utc{date(opened_at).In(timezone('UTC')).Hour()} sh{date(opened_at).In(timezone('Asia/Shanghai')).Hour()} {now().Location().String()}",
			"y2024 January d1 Monday yd1 h3 m25 true h3 utc19 sh3 CST"},
	} {
		for _, ref := range []bool{false, true} {
			src := "language: " + tc.lang + "\nbands: [{min: 0, level: low, outcome: pass}]\nrules:\n  - {id: r, when: valid, outcome: monitor, reason: \"" + tc.reason + "\"}\n"
			rs, err := rules.Parse(rules.Source{Name: "p.yaml", Data: []byte(src)})
			require.NoError(t, err)
			var opts []risk.CompileOption
			if ref {
				opts = append(opts, risk.WithReferenceEvaluator())
			}
			eng, err := risk.Compile(rs, opts...)
			require.NoError(t, err, tc.lang)
			d, err := eng.Score(c, risk.AsOfTime(asOf))
			require.NoError(t, err)
			require.Empty(t, d.Errors, "%s: %+v", tc.lang, d.Errors)
			require.Equal(t, tc.want, d.Hits[0].Reason, "%s reference=%v", tc.lang, ref)
		}
	}
}
