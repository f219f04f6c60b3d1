package risk_test

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/rules"
)

// Every date that cannot come before a card's opening (its usage, network
// attach, roaming, a verification demanded or passed) is rejected when it
// does, and a previous holder's release after the opening too; the reason
// names both fields and their dates. On opened_at's own CST day everything
// is legal, whatever the times of day.
func TestValidateDateOrder(t *testing.T) {
	opened := risk.Date(2026, 3, 1) + 10*3600 // 10:00 CST
	early := risk.Date(2026, 2, 28) + 23*3600 // the evening before
	sameDay := risk.Date(2026, 3, 1)          // midnight of the day it was opened
	for _, c := range []struct {
		field, what string
		set         func(*risk.Record, risk.Time)
	}{
		{"last_voice_at", "a card has no usage before it is opened", func(r *risk.Record, t risk.Time) { r.LastVoiceAt = t }},
		{"last_sms_at", "a card has no usage before it is opened", func(r *risk.Record, t risk.Time) { r.LastSMSAt = t }},
		{"last_data_at", "a card has no usage before it is opened", func(r *risk.Record, t risk.Time) { r.LastDataAt = t }},
		{"last_attach_at", "a card does not attach to the network before it is opened", func(r *risk.Record, t risk.Time) { r.LastAttachAt = t }},
		{"roaming[0].last_seen", "a card is not seen roaming before it is opened", func(r *risk.Record, t risk.Time) {
			r.Roaming = []risk.Roaming{{Region: "KH", LastSeen: t}}
		}},
		{"verify_required_at", "no verification is demanded of a card before it is opened", func(r *risk.Record, t risk.Time) { r.VerifyRequiredAt = t }},
		{"verified_at", "no verification of a card is passed before it is opened", func(r *risk.Record, t risk.Time) { r.VerifiedAt = t }},
	} {
		r := &risk.Record{MSISDN: "13800138000", OpenedAt: opened}
		c.set(r, early)
		err := r.Validate(asOf)
		require.ErrorIs(t, err, risk.ErrInvalidRecord, c.field)
		require.Equal(t, fmt.Sprintf("%s: %s is before opened_at %s: %s", c.field, early, opened, c.what), err.Error())

		r = &risk.Record{MSISDN: "13800138000", OpenedAt: opened}
		c.set(r, sameDay)
		require.NoError(t, r.Validate(asOf), c.field)
	}

	r := &risk.Record{MSISDN: "13800138000", OpenedAt: opened, Recycled: true, ReleasedAt: risk.Date(2026, 3, 2)}
	require.EqualError(t, r.Validate(asOf),
		"released_at: 2026-03-02 is after opened_at 2026-03-01T10:00:00+08:00: a number is released before it is re-issued (opened)")
	// the order holds whether or not the record says the number is recycled
	r.Recycled = false
	require.Error(t, r.Validate(asOf))
	r.ReleasedAt = opened + 3600 // later the same day: a freeze of 0 days
	require.NoError(t, r.Validate(asOf))

	// legal: a pass before a new demand (still pending)
	r = &risk.Record{MSISDN: "13800138000", OpenedAt: opened, VerifiedAt: risk.Date(2026, 4, 1), VerifyRequiredAt: risk.Date(2026, 10, 1)}
	require.NoError(t, r.Validate(asOf))

	// a date before 1980 or after as-of is its own error, not an order error too
	r = &risk.Record{MSISDN: "13800138000", OpenedAt: opened, LastVoiceAt: risk.Date(1979, 1, 1)}
	require.EqualError(t, r.Validate(asOf), "last_voice_at: date is before 1980-01-01")
	r = &risk.Record{MSISDN: "13800138000", OpenedAt: asOf + 86400, LastVoiceAt: risk.Date(2026, 1, 1)}
	require.EqualError(t, r.Validate(asOf), "opened_at: 2026-11-02 is after the as-of time 2026-11-01")
}

// negativeDays is a day count below zero in a reason, zh or en.
var negativeDays = regexp.MustCompile(`-\d+ ?(天|days?\b)`)

// Whatever dates a card carries, a card that passes Validate gets no reason
// with a negative day count from either default pack, in either language:
// every order that would make one is rejected.
func TestNoNegativeDayCountsInReasons(t *testing.T) {
	var engines []*risk.Engine
	for _, pack := range []string{"default", "default-cel"} {
		rs, err := rules.Pack(pack)
		require.NoError(t, err)
		for _, lang := range []string{"zh", "en"} {
			eng, err := risk.Compile(rs, risk.WithLanguage(lang))
			require.NoError(t, err)
			engines = append(engines, eng)
		}
	}
	rng := rand.New(rand.NewPCG(11, 12))
	day := func() risk.Time {
		if rng.IntN(4) == 0 {
			return 0
		}
		return asOf - risk.Time(rng.IntN(1500))*86400 - risk.Time(rng.IntN(86400))
	}
	valid := 0
	for i := 0; i < 20000; i++ {
		r := &risk.Record{MSISDN: "13800138000", OpenedAt: day(), LastVoiceAt: day(), LastSMSAt: day(), LastDataAt: day(),
			LastAttachAt: day(), VerifyRequiredAt: day(), VerifiedAt: day(), Recycled: rng.IntN(2) == 0, ReleasedAt: day(),
			Alerts30d: rng.IntN(5)}
		if rng.IntN(2) == 0 {
			r.Roaming = []risk.Roaming{{Region: "KH", LastSeen: day()}}
		}
		if r.OpenedAt == 0 {
			r.OpenedAt = asOf - 86400
		}
		if err := r.Validate(asOf); err != nil {
			require.NotContains(t, err.Error(), " -", "a negative number in %q", err)
			continue
		}
		valid++
		for _, eng := range engines {
			d, err := eng.Score(r, risk.AsOfTime(asOf))
			require.NoError(t, err)
			for _, h := range d.Hits {
				require.False(t, negativeDays.MatchString(h.Reason), "%s: %q", h.Rule, h.Reason)
			}
		}
	}
	require.Greater(t, valid, 500, "the test scores enough valid cards")
	require.True(t, negativeDays.MatchString("号码释放后 -944 天即重新放号"), "the check sees what it looks for")
}

// A partial test card's defaults never make an impossible order: a card
// opened on the as-of day is used that day, and a card that gives only an
// old usage date is opened no later than it.
func TestTestCardDefaultsKeepDateOrder(t *testing.T) {
	rs, err := rules.Parse(rules.Source{Name: "t.yaml", Data: []byte(`
rules:
  - {id: new, when: days_since_opened == 0 && days_since_last_activity == 0, outcome: monitor, score: 10}
  - {id: old_voice, when: days_since_last_voice > 600 && days_since_opened >= days_since_last_voice, outcome: monitor, score: 10}
` + bands + `
tests:
  - name: opened on the as-of day
    as_of: 2026-11-01
    card: {opened_at: 2026-11-01}
    expect: {fires: [new]}
  - name: only an old voice record
    as_of: 2026-11-01
    card: {last_voice_at: 2024-06-01}
    expect: {fires: [old_voice]}
`)})
	require.NoError(t, err)
	rep, err := risk.RunTests(rs)
	require.NoError(t, err)
	for _, r := range rep.Results {
		require.True(t, r.Passed(), "%s: %v", r.Name, r.Failures)
	}
}

// FuzzNoNegativeDayCounts: any dates a card may carry (days before as-of,
// seconds into the day), either the card is rejected or no reason of the
// default pack has a negative day count.
func FuzzNoNegativeDayCounts(f *testing.F) {
	f.Add(uint16(975), uint16(31), uint16(0), uint16(0), uint16(0), uint16(0), uint16(0), uint16(0), uint16(0), uint32(0), true)
	f.Add(uint16(100), uint16(1044), uint16(200), uint16(300), uint16(0), uint16(5), uint16(20), uint16(10), uint16(90), uint32(3600), false)
	rs, err := rules.Pack("default")
	require.NoError(f, err)
	var engines []*risk.Engine
	for _, lang := range []string{"zh", "en"} {
		eng, err := risk.Compile(rs, risk.WithLanguage(lang))
		require.NoError(f, err)
		engines = append(engines, eng)
	}
	f.Fuzz(func(t *testing.T, opened, released, voice, sms, data, attach, required, verified, roamed uint16, secs uint32, recycled bool) {
		at := func(d uint16) risk.Time {
			if d == 0 {
				return 0
			}
			return asOf - risk.Time(d%20000)*86400 + risk.Time(secs%86400)
		}
		r := &risk.Record{MSISDN: "13800138000", OpenedAt: at(opened), ReleasedAt: at(released), Recycled: recycled,
			LastVoiceAt: at(voice), LastSMSAt: at(sms), LastDataAt: at(data), LastAttachAt: at(attach),
			VerifyRequiredAt: at(required), VerifiedAt: at(verified), Alerts30d: int(secs % 5)}
		if roamed != 0 {
			r.Roaming = []risk.Roaming{{Region: "KH", LastSeen: at(roamed)}}
		}
		if err := r.Validate(asOf); err != nil {
			require.NotContains(t, err.Error(), " -")
			return
		}
		for _, eng := range engines {
			d, err := eng.Score(r, risk.AsOfTime(asOf))
			require.NoError(t, err)
			for _, h := range d.Hits {
				require.False(t, negativeDays.MatchString(h.Reason), "%s: %q", h.Rule, h.Reason)
			}
		}
	})
}
