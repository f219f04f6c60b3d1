package risk_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/rules"
)

// Explain shows every rule, fired or not, and for each threshold rule that
// did not fire the nearest miss, in both languages' packs.
func TestExplainNearMisses(t *testing.T) {
	for _, pack := range []string{"default", "default-cel"} {
		t.Run(pack, func(t *testing.T) {
			rs, err := rules.Pack(pack)
			require.NoError(t, err)
			eng, err := risk.Compile(rs)
			require.NoError(t, err)

			// a card just short of every threshold
			c := &risk.Record{MSISDN: "13800138000", Holder: "hk-0123456789abcdef0123456789abcdef", Status: "active",
				OpenedAt: asOf - 400*86400, LastVoiceAt: asOf - 87*86400, Alerts30d: 2,
				VerifyRequiredAt: asOf - 20*3600, Recycled: true, ReleasedAt: asOf - 400*86400 - 95*86400}
			pop := risk.NewPopulation()
			for i := 0; i < 5; i++ { // five cards on the ID at one operator: the limit, not over it
				o := *c
				o.MSISDN = "1380013800" + string(rune('1'+i))
				if i == 0 {
					o = *c
				}
				require.NoError(t, o.Validate(asOf))
				pop.Add(&o)
			}
			require.NoError(t, c.Validate(asOf))
			x, err := eng.NewScorer(risk.AsOfTime(asOf), risk.WithPopulation(pop)).Explain(c)
			require.NoError(t, err)
			require.Len(t, x.Rules, len(eng.Rules()), "every rule, fired or not")

			byID := map[string]risk.RuleExplanation{}
			for _, r := range x.Rules {
				byID[r.ID] = r
			}
			want := map[string]string{
				"dormant":         "days_since_last_activity is 87, needs >= 90 (3 short)",
				"frequent_alerts": "alerts_30d is 2, needs >= 3 (1 short)",
				"fraud_involved":  "complaints is 0, needs >= 1 (1 short)",
				"multi_card_id":   "pop.cards_on_operator is 5, needs > 5 (1 short)",
				// both languages fold params.verify_hours * 3600
				"verification_overdue":  "as_of is 2026-11-01 00:00, verify_required_at + 86400 is 2026-11-01 04:00, needs > verify_required_at + 86400 (4h0m1s short)",
				"recycled_short_freeze": "freeze_days is 95, needs < 90 (6 short)",
			}
			for id, miss := range want {
				r := byID[id]
				require.False(t, r.Fired, id)
				require.NotNil(t, r.NearMiss, id)
				require.Equal(t, miss, r.NearMiss.String(), id)
			}
			// the pending verification fires, with its reason; it has no near miss
			p := byID["verification_pending"]
			require.True(t, p.Fired)
			require.NotEmpty(t, p.Reason)
			require.Nil(t, p.NearMiss)
			require.Equal(t, x.Decision.Outcome, rules.Verify)

			// the values each rule read, personal data masked
			out := x.Format()
			require.Contains(t, out, "138****8000")
			require.NotContains(t, out, "13800138000")
			require.NotContains(t, out, c.Holder)
			var reads []string
			for _, v := range byID["dormant"].Reads {
				reads = append(reads, v.Name+"="+v.Value)
			}
			require.Contains(t, strings.Join(reads, " "), "days_since_last_activity=87")
			// times it formats itself are shown as dates, not masked as if
			// their digits were a number
			var pending []string
			for _, v := range p.Reads {
				pending = append(pending, v.Name+"="+v.Value)
			}
			require.Contains(t, strings.Join(pending, " "), "verify_required_at=2026-10-31 04:00")
			require.Contains(t, strings.Join(pending, " "), "as_of=2026-11-01 00:00")
			// the engine's language (zh by default) frames the explanation
			require.Contains(t, out, "最近的差距：days_since_last_activity 为 87，需要 >= 90（差 3）")
		})
	}
}
