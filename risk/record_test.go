package risk_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/rules"
)

func TestParseTimeAndDays(t *testing.T) {
	a, err := risk.ParseTime("2026-08-03")
	require.NoError(t, err)
	b, err := risk.ParseTime("2026-11-01")
	require.NoError(t, err)
	require.Equal(t, 90, risk.DaysBetween(a, b)) // domain.md's own example
	require.Equal(t, time.Date(2026, 8, 3, 0, 0, 0, 0, risk.CST).Unix(), int64(a))

	// 2026-08-02T16:30Z is 2026-08-03 00:30 in China: the same CST day
	c, err := risk.ParseTime("2026-08-02T16:30:00Z")
	require.NoError(t, err)
	require.Equal(t, a.Day(), c.Day())
	require.Equal(t, "2026-08-03T00:30:00+08:00", c.String())
	require.Equal(t, "2026-08-03", a.String())

	for _, bad := range []string{"2026-13-01", "2026/13/03", "yesterday", "1970-01-01", ""} {
		_, err := risk.ParseTime(bad)
		require.Error(t, err, bad)
	}
}

// The date forms spreadsheets write are read as China Standard Time.
func TestParseTimeSpreadsheetForms(t *testing.T) {
	day := risk.Date(2026, 10, 29)
	for s, want := range map[string]risk.Time{
		"2026/10/29": day, "2026/1/5": risk.Date(2026, 1, 5), "2026/01/05": risk.Date(2026, 1, 5),
		"2026-10-29 00:00:00": day, "2026/10/29 00:00:00": day, "2026/10/29 0:00": day,
		"2026-10-29 13:45:10": day + 13*3600 + 45*60 + 10, "2026/10/29 9:05": day + 9*3600 + 5*60,
	} {
		got, err := risk.ParseTime(s)
		require.NoError(t, err, s)
		require.Equal(t, want, got, s)
	}
	for _, bad := range []string{"2026/2/30", "2026-1-5", "2026/10/29 24:00", "2026/10/29 9:5", "2026/10/29 09:05:60",
		"2026/10/29  09:05", "2026/10/29 09:05:", "26/10/29", "2026/10/29T09:05", "2026/010/29"} {
		_, err := risk.ParseTime(bad)
		require.Error(t, err, bad)
	}
}

func TestMasks(t *testing.T) {
	require.Equal(t, "138****5678", risk.MaskMSISDN("13812345678"))
	require.Equal(t, "110105********002X", risk.MaskID("11010519491231002X"))
	require.Equal(t, "440524********0014", risk.MaskID("440524188001010014"))
}

func TestValidate(t *testing.T) {
	ok := func() *risk.Record {
		return &risk.Record{MSISDN: "13800138000", OpenedAt: risk.Date(2025, 1, 1)}
	}
	r := ok()
	require.NoError(t, r.Validate(asOf))
	require.Equal(t, "cmcc", r.Operator) // derived from the segment
	require.Equal(t, "mobile", r.Kind)

	cases := []struct {
		mod  func(*risk.Record)
		want string
	}{
		{func(r *risk.Record) { r.MSISDN = "" }, "msisdn: is required"},
		{func(r *risk.Record) { r.MSISDN = "1380013800" }, `msisdn: "13…00" is not an 11- or 13-digit number`},
		{func(r *risk.Record) { r.MSISDN = "12000138000" }, "msisdn: no known 11-digit number segment starts 120…; give the card's operator (and kind), or add the segment (ref.AddSegments, simrisk score --segments)"},
		{func(r *risk.Record) { r.Operator = "vodafone" }, `operator: unknown operator "vodafone" (want cmcc, unicom, telecom or broadnet)`},
		{func(r *risk.Record) { r.Status = "gone" }, `status: unknown status "gone" (want active, suspended, keep_number or cancelled)`},
		{func(r *risk.Record) { r.OpenedAt = 0 }, "opened_at: is required"},
		{func(r *risk.Record) { r.Complaints = -1 }, "complaints: -1 is negative"},
		{func(r *risk.Record) { r.OpenRegion = "Cambodia" }, `open_region: "Cambodia" is not an ISO 3166 alpha-2 or 6-digit GB/T 2260 code`},
		{func(r *risk.Record) { r.Roaming = []risk.Roaming{{Region: "KH", LastSeen: risk.Date(2026, 12, 1)}} },
			"roaming[0].last_seen: 2026-12-01 is after the as-of time 2026-11-01"},
		{func(r *risk.Record) { r.IoT.Business = "sale" }, `iot.business: unknown business "sale" (want new, transfer, realname_supplement, replacement or other)`},
		{func(r *risk.Record) { r.ICCID = "8986" }, "iccid: has 4 characters, want 19 or 20"},
	}
	for _, c := range cases {
		r := ok()
		c.mod(r)
		err := r.Validate(asOf)
		require.ErrorIs(t, err, risk.ErrInvalidRecord)
		require.Equal(t, c.want, err.Error())
	}
}

func TestRecordJSON(t *testing.T) {
	src := `{"msisdn":"13800138000","operator":"cmcc","opened_at":"2024-03-01","holder":"h-7f3a",
 "last_voice_at":"2026-06-01","last_sms_at":"2026-05-20","last_data_at":null,
 "open_region":"110105","roaming":[{"region":"KH","last_seen":"2026-10-30"}],
 "alerts_30d":4, "label": {"fraud": true}, "iot": {"test_plan": true, "business": "new"},
 "linked_platforms": ["jd"], "recycled": true}`
	var r risk.Record
	require.NoError(t, json.Unmarshal([]byte(src), &r))
	require.NoError(t, r.Validate(asOf))
	require.Equal(t, risk.Date(2024, 3, 1), r.OpenedAt)
	require.Zero(t, r.LastDataAt)
	require.Equal(t, []risk.Roaming{{Region: "KH", LastSeen: risk.Date(2026, 10, 30)}}, r.Roaming)
	require.Equal(t, 4, r.Alerts30d)
	require.True(t, r.IoT.TestPlan)

	// what it writes, it reads back the same
	out, err := json.Marshal(&r)
	require.NoError(t, err)
	var back risk.Record
	require.NoError(t, json.Unmarshal(out, &back))
	require.NoError(t, back.Validate(asOf))
	require.Equal(t, string(r.AppendJSON(nil)), string(back.AppendJSON(nil)))
	require.Equal(t, r.Operator, back.Operator) // filled by Validate

	bad := []struct{ src, want string }{
		{`{"msisdn":13800138000,"opened_at":"2024-03-01"}`, `msisdn: want a string, got number "13…00"`},
		{`{"msisdn":"13800138000","opened_at":"2024-03-01","complaints":"3"}`, "complaints: want an integer, got string"},
		{`{"msisdn":"13800138000","opened_at":"2024-03-01","complaints":1.5}`, `complaints: want an integer, got number "1.5"`},
		// a number in any JSON spelling is quoted only by its ends
		{`{"msisdn":"13800138000","opened_at":"2024-03-01","alerts_30d":1.3800138000e10}`, `alerts_30d: want an integer, got number "1.…10"`},
		{`{"msisdn":"13800138000","opened_at":"2024-03-01","alerts_30d":1380013800.7e1}`, `alerts_30d: want an integer, got number "13…e1"`},
		{`{"msisdn":"13800138000","opened_at":"2024-03-01","recycled":13800138000}`, `recycled: want true or false, got number "13…00"`},
		{`{"msisdn":"13800138000","opened_at":"01/03/2024"}`, `opened_at: "01/03/2024" is not a date (want YYYY-MM-DD or YYYY/MM/DD, either with HH:MM:SS in China Standard Time, or an RFC 3339 timestamp)`},
		{`{"msisdn":"13800138000","opened_at":"2024-03-01","recycled":"yes"}`, "recycled: want true or false, got string"},
		{`{"opened_at":"2024-03-01"}`, "msisdn: is required"},
		{`[1,2]`, "want a JSON object, got array"},
	}
	for _, b := range bad {
		var r risk.Record
		err := json.Unmarshal([]byte(b.src), &r)
		require.Error(t, err, b.src)
		require.Equal(t, b.want, err.Error(), b.src)
		require.NotContains(t, err.Error(), "13800138000")
	}
}

func TestPopulationFeatures(t *testing.T) {
	p := risk.NewPopulation()
	mk := func(msisdn, holder, status, mvno string, day int) *risk.Record {
		r := &risk.Record{MSISDN: msisdn, Holder: holder, Status: status, MVNO: mvno, OpenedAt: risk.Date(2026, 1, day)}
		require.NoError(t, r.Validate(asOf))
		p.Add(r)
		return r
	}
	a := mk("13800000001", "h", "", "", 1)
	mk("13800000002", "h", "active", "", 1)
	mk("13800000003", "h", "cancelled", "", 1) // not counted
	mvno := mk("17030000001", "h", "", "brand", 2)
	mk("13000000001", "h", "", "", 3)
	other := mk("13800000009", "g", "", "", 1)

	require.Equal(t, risk.Features{CardsOnOperator: 2, CardsTotal: 4, CardsSameDay: 2, Operators: 3}, p.Features(a))
	require.Equal(t, risk.Features{CardsOnOperator: 1, CardsTotal: 4, CardsSameDay: 1, Operators: 3}, p.Features(mvno))
	require.Equal(t, risk.Features{CardsOnOperator: 1, CardsTotal: 1, CardsSameDay: 1, Operators: 1}, p.Features(other))
	require.Equal(t, 6, p.Len())
	require.Equal(t, 2, p.Holders())

	// a card outside the population, or without holder, is its own holder
	lone := &risk.Record{MSISDN: "13800000010", OpenedAt: risk.Date(2026, 1, 1)}
	require.Equal(t, risk.Features{1, 1, 1, 1}, p.Features(lone))
}

func TestRegionSet(t *testing.T) {
	s := risk.NewRegionSet([]string{"KH", "350000", "530900", "440904"})
	for code, want := range map[string]bool{
		"KH": true, "TH": false, "350802": true, "350000": true, "530902": true, "530800": false,
		"440904": true, "440903": false, "": false, "5309": false,
		"kh": false, "K1": false, "3508ab": false, "53090x": false, "ZZ": false, "999999": false,
	} {
		require.Equal(t, want, s.Contains(code), code)
	}
	require.False(t, strings.Contains(strings.Join(s.Items(), ","), "?"))
}

// The fast date reader agrees with the time package on every day of the
// years a record can hold, and leaves everything else to it.
func TestParseDateFastAgrees(t *testing.T) {
	for d := time.Date(1979, 12, 25, 0, 0, 0, 0, risk.CST); d.Year() < 2101; d = d.AddDate(0, 0, 1) {
		s := d.Format(time.DateOnly)
		got, err := risk.ParseTime(s)
		if d.Year() < 1980 {
			require.Error(t, err, s)
			continue
		}
		require.NoError(t, err, s)
		require.Equal(t, d.Unix(), int64(got), s)
	}
	for _, bad := range []string{"2026-02-29", "2026-13-01", "2026-00-10", "2026-04-31", "2026-1-01", "20x6-01-01"} {
		_, err := risk.ParseTime(bad)
		require.Error(t, err, bad)
	}
	_, err := risk.ParseTime("2024-02-29")
	require.NoError(t, err)
}

// A record scored against a population it was not added to (a second
// decoding of the same card) gets its holder's counts there.
func TestPopulationFeaturesOfAnOutsider(t *testing.T) {
	p := risk.NewPopulation()
	for i, op := range []string{"13800000001", "13800000002", "13000000003"} {
		r := &risk.Record{MSISDN: op, Holder: "h", OpenedAt: risk.Date(2026, 1, 1+i)}
		require.NoError(t, r.Validate(asOf))
		p.Add(r)
	}
	out := &risk.Record{MSISDN: "13800000009", Holder: "h", OpenedAt: risk.Date(2026, 1, 1)}
	require.NoError(t, out.Validate(asOf))
	require.Equal(t, risk.Features{CardsOnOperator: 2, CardsTotal: 3, CardsSameDay: 1, Operators: 2}, p.Features(out))
	other := &risk.Record{MSISDN: "19200000009", Holder: "h", OpenedAt: risk.Date(2026, 2, 1)}
	require.NoError(t, other.Validate(asOf))
	require.Equal(t, risk.Features{CardsOnOperator: 0, CardsTotal: 3, CardsSameDay: 0, Operators: 2}, p.Features(other))
	require.Equal(t, 1, p.Holders())
	require.Equal(t, 3, p.Len())
}

// On a large random population (enough to take the bucket sort, with
// holders of many cards), every card's features equal a plain count; also
// after more cards are added to a sealed population, and for copies of
// cards that were not added.
func TestPopulationMatchesNaiveCount(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	ops := []string{"cmcc", "unicom", "telecom", "broadnet"}
	brands := []string{"", "", "", "", "xiaomi", "ali"}
	var recs []*risk.Record
	newCard := func(i int) *risk.Record {
		h := rng.IntN(20000)
		if rng.IntN(50) == 0 {
			h = rng.IntN(5) // a few holders with very many cards
		}
		r := &risk.Record{MSISDN: fmt.Sprintf("138%08d", i), Holder: fmt.Sprintf("hk-%d", h),
			Operator: ops[rng.IntN(len(ops))], MVNO: brands[rng.IntN(len(brands))],
			OpenedAt: risk.Date(2020+rng.IntN(6), time.Month(1+rng.IntN(12)), 1+rng.IntN(3))}
		if rng.IntN(10) == 0 {
			r.Status = "cancelled"
		}
		return r
	}
	p := risk.NewPopulation()
	for i := 0; i < 60000; i++ {
		r := newCard(i)
		recs = append(recs, r)
		p.Add(r)
	}
	check := func() {
		type key struct{ h, op string }
		onOp, total, ops2, sameDay := map[key]int{}, map[string]int{}, map[string]map[string]bool{}, map[key]int{}
		for _, r := range recs {
			if !r.Valid() {
				continue
			}
			onOp[key{r.Holder, r.CountOperator()}]++
			total[r.Holder]++
			if ops2[r.Holder] == nil {
				ops2[r.Holder] = map[string]bool{}
			}
			ops2[r.Holder][r.CountOperator()] = true
			sameDay[key{r.Holder, fmt.Sprint(r.OpenedAt.Day())}]++
		}
		for i, r := range recs {
			want := risk.Features{CardsOnOperator: 1, CardsTotal: 1, CardsSameDay: 1, Operators: 1}
			if r.Valid() {
				want = risk.Features{CardsOnOperator: onOp[key{r.Holder, r.CountOperator()}], CardsTotal: total[r.Holder],
					CardsSameDay: sameDay[key{r.Holder, fmt.Sprint(r.OpenedAt.Day())}], Operators: len(ops2[r.Holder])}
			}
			if !r.Valid() {
				continue // a cancelled card's own features are documented elsewhere
			}
			require.Equal(t, want, p.Features(r), "card %d", i)
			cp := *r // a copy of the card
			require.Equal(t, want, p.Features(&cp), "copy of card %d", i)
			again := &risk.Record{MSISDN: r.MSISDN, Holder: r.Holder, Operator: r.Operator, MVNO: r.MVNO,
				OpenedAt: r.OpenedAt, Status: r.Status} // the same card decoded again: looked up by holder
			require.Equal(t, want, p.Features(again), "card %d decoded again", i)
		}
	}
	check()
	for i := 60000; i < 61000; i++ { // add after sealing
		r := newCard(i)
		recs = append(recs, r)
		p.Add(r)
	}
	check()
}

// Day rounds down on both sides of 1970-01-01 CST, at and next to every
// midnight.
func TestDayRoundsDown(t *testing.T) {
	floor := func(s int64) int {
		d := s / 86400
		if s%86400 < 0 {
			d--
		}
		return int(d)
	}
	for _, mid := range []int64{-5 * 86400, -86400, 0, 86400, int64(risk.Date(2026, 11, 1)) + 8*3600, int64(risk.Date(1980, 1, 1)) + 8*3600} {
		for _, dt := range []int64{-86401, -86400, -86399, -3601, -1, 0, 1, 3600, 86399, 86400, 86401} {
			tm := risk.Time(mid + dt - 8*3600)
			require.Equal(t, floor(mid+dt), tm.Day(), "%d", int64(tm))
		}
	}
	require.Equal(t, 0, risk.Date(1970, 1, 1).Day())
	require.Equal(t, -1, (risk.Date(1970, 1, 1) - 1).Day())
}

// Validate reports every problem of a record in one *RecordError, the
// first field in Field, at most MaxRecordErrors of them.
func TestValidateReportsAllProblems(t *testing.T) {
	r := &risk.Record{MSISDN: "13800138000", Status: "lost", Complaints: -1, OpenRegion: "XX"}
	err := r.Validate(risk.Date(2026, 11, 1))
	var re *risk.RecordError
	require.ErrorAs(t, err, &re)
	require.ErrorIs(t, err, risk.ErrInvalidRecord)
	require.Equal(t, "status", re.Field)
	require.EqualError(t, err, `status: unknown status "lost" (want active, suspended, keep_number or cancelled); opened_at: is required; `+
		`open_region: XX is not an ISO 3166 country code; complaints: -1 is negative`)

	r = &risk.Record{MSISDN: "13800138000", OpenedAt: risk.Date(2024, 3, 1)}
	for i := 0; i < 15; i++ {
		r.Roaming = append(r.Roaming, risk.Roaming{Region: "XX"})
	}
	err = r.Validate(risk.Date(2026, 11, 1))
	require.ErrorAs(t, err, &re)
	require.Len(t, re.More, risk.MaxRecordErrors)
	require.Equal(t, "and 5 more problems", re.More[len(re.More)-1].Reason)
	// joining joined errors keeps the count
	joined := risk.JoinRecordErrors(err, &risk.RecordError{Field: "x", Reason: "y"})
	require.True(t, strings.HasSuffix(joined.Error(), "; and 6 more problems"), joined.Error())
	require.NoError(t, risk.JoinRecordErrors(nil, nil))
}

// DecodeJSON names each key the schema does not know, by its path.
func TestDecodeJSONUnknownKeys(t *testing.T) {
	var keys []string
	var r risk.Record
	err := r.DecodeJSON([]byte(`{"MSISDN":"13800138000","Alert_30d":1,"iot":{"x":1},"roaming":[{"region":"KH","y":[1]}],"label":{"z":1},"last_attach_at":"2026-10-01"}`),
		func(k string) { keys = append(keys, k) })
	require.NoError(t, err)
	require.Equal(t, "13800138000", r.MSISDN)
	require.Equal(t, []string{"alert_30d", "iot.x", "roaming.y"}, keys)
}

// A record decoded again and bound to its place reads the features of the
// card counted there (not its holder's counts); a place out of range, a
// cancelled card's (not counted: no place), or any place of a population
// in which a card was added again is not bound, and the record is looked
// up by its holder.
func TestPopulationBind(t *testing.T) {
	p := risk.NewPopulation()
	mk := func(msisdn, holder, status string, day int) *risk.Record {
		r := &risk.Record{MSISDN: msisdn, Holder: holder, Status: status, OpenedAt: risk.Date(2026, 1, day)}
		require.NoError(t, r.Validate(asOf))
		return r
	}
	cards := []*risk.Record{
		mk("13800000001", "h", "", 1), // place 0
		mk("13800000002", "h", "", 1), // 1
		mk("13800000003", "h", "cancelled", 1),
		mk("13000000004", "g", "", 2), // 2
	}
	for _, c := range cards {
		p.Add(c)
	}
	// the card decoded again: a record of its own
	again := func(i int) *risk.Record {
		c := cards[i]
		r2 := &risk.Record{MSISDN: c.MSISDN, Holder: c.Holder, Status: c.Status, OpenedAt: c.OpenedAt}
		require.NoError(t, r2.Validate(asOf))
		return r2
	}

	// bound: the place's features, which here differ from the holder's
	r := again(0)
	r.Holder = "g" // a record that is not the card: Bind trusts the caller
	p.Bind(r, 0)
	require.Equal(t, risk.Features{CardsOnOperator: 2, CardsTotal: 2, CardsSameDay: 2, Operators: 1}, p.Features(r))
	r = again(3)
	p.Bind(r, 2)
	require.Equal(t, risk.Features{1, 1, 1, 1}, p.Features(r))

	// not bound: looked up by holder
	for _, n := range []int{-1, 3, 1 << 40} {
		r := again(3)
		r.Holder = "h"
		p.Bind(r, n)
		require.Equal(t, 2, p.Features(r).CardsTotal, "place %d", n)
	}
	// a card Add does not count has no place: bound, it is not, and is
	// looked up by its holder like any other record (scored too)
	rs, err := rules.Parse(rules.Source{Name: "pop.yaml", Data: []byte(`bands: [{min: 0, level: low, outcome: pass}]
rules:
  - {id: counts, when: "pop.cards_total > 0", outcome: monitor, reason: "{pop.cards_total} {pop.cards_on_operator} {pop.cards_same_day} {pop.operators}"}
`)})
	require.NoError(t, err)
	eng, err := risk.Compile(rs)
	require.NoError(t, err)
	for _, status := range []string{"cancelled", ""} {
		r = again(2)
		r.Status = status
		place := 2 // g's card: 1 card, where h has 2
		if status == "" {
			r.Holder, place = "", 0 // alone, where h's card is not
		}
		want, fresh := p.Features(r), *r
		p.Bind(r, place)
		require.Equal(t, want, p.Features(r), "status %q", status)
		s := eng.NewScorer(risk.AsOfTime(asOf), risk.WithPopulation(p))
		d1, err := s.Score(r)
		require.NoError(t, err)
		d2, err := s.Score(&fresh)
		require.NoError(t, err)
		require.Equal(t, string(d2.AppendJSON(nil)), string(d1.AppendJSON(nil)))
	}
	p.Add(cards[1]) // added again: places are no longer trusted
	r = again(3)
	r.Holder = "h"
	p.Bind(r, 2)
	require.Equal(t, 2, p.Features(r).CardsTotal)
}
