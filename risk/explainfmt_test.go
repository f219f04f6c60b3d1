package risk_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/rules"
)

// explainCapped explains a card whose fired rules add up to 120 (fraud 60,
// high-fraud region 30, alerts 30): capped at 100, band critical, whose
// outcome restrict is stronger than the rules' verify. It roams in the UAE
// and in a domestic key area.
func explainCapped(t *testing.T, pack, lang string) *risk.Explanation {
	t.Helper()
	rs, err := rules.Pack(pack)
	require.NoError(t, err)
	eng, err := risk.Compile(rs, risk.WithLanguage(lang))
	require.NoError(t, err)
	c := &risk.Record{MSISDN: "13800138000", Holder: "h-1", Operator: "cmcc", Kind: "mobile",
		OpenedAt: risk.Date(2024, 1, 1), LastVoiceAt: risk.Date(2026, 10, 30), OpenRegion: "KH", FraudFlag: "police", Alerts30d: 5,
		Roaming: []risk.Roaming{{Region: "AE", LastSeen: risk.Date(2026, 10, 29)}, {Region: "350802", LastSeen: risk.Date(2026, 10, 1)}}}
	require.NoError(t, c.Validate(asOf))
	pop := risk.NewPopulation()
	pop.Add(c)
	x, err := eng.NewScorer(risk.AsOfTime(asOf), risk.WithPopulation(pop)).Explain(c)
	require.NoError(t, err)
	return x
}

// The header says the score was capped (120 -> 100) and that the outcome
// came from the score band, not from a rule; in English and in Chinese.
func TestExplainCapAndBand(t *testing.T) {
	for _, pack := range []string{"default", "default-cel"} {
		x := explainCapped(t, pack, "en")
		require.Equal(t, 100.0, x.Decision.Score)
		require.Equal(t, 120.0, x.RawScore)
		require.Equal(t, rules.Verify, x.RuleOutcome)
		require.Equal(t, rules.Restrict, x.BandOutcome)
		require.Equal(t, 80.0, x.BandMin)
		require.Equal(t, rules.Restrict, x.Decision.Outcome)
		head := strings.SplitN(x.Format(), "\n", 3)
		require.Equal(t, "card 138****8000: score 100 (capped: the fired rules add up to 120), level critical, outcome restrict", head[0], pack)
		require.Equal(t, "outcome restrict comes from the score band critical (score ≥ 80), not from a rule: the fired rules ask for verify", head[1], pack)

		head = strings.SplitN(explainCapped(t, pack, "zh").Format(), "\n", 3)
		require.Equal(t, "号码 138****8000：得分 100（已封顶：触发规则合计 120），等级 严重，处置 限制", head[0], pack)
		require.Equal(t, "处置“限制”来自得分档（得分 ≥ 80 的“严重”档），不是来自规则：触发的规则最多要求“二次实人认证”", head[1], pack)
	}
}

// Roaming entries and dates read as dates, with region names, never as Go
// structs or Unix seconds; enumerated values carry their names.
func TestExplainFormatsValues(t *testing.T) {
	for _, lang := range []string{"en", "zh"} {
		out := explainCapped(t, "default", lang).Format()
		require.NotContains(t, out, "{")
		require.False(t, regexp.MustCompile(`\d{9,}`).MatchString(out), "Unix seconds in:\n%s", out)
		if lang == "en" {
			require.Contains(t, out, "roaming=AE (United Arab Emirates (the)) 2026-10-29 (3 days ago); 350802 (福建省龙岩市新罗区) 2026-10-01 (31 days ago)")
			require.Contains(t, out, "open_region=KH (Cambodia)")
			require.NotContains(t, out, "（是）")
			require.Contains(t, out, "✔ fraud_involved (fraud-involved card): fired, +60, verify")
		} else {
			require.Contains(t, out, "roaming=AE（阿拉伯联合酋长国） 2026-10-29（3 天前）；350802（福建省龙岩市新罗区） 2026-10-01（31 天前）")
			require.Contains(t, out, "fraud_flag=police（公安机关）")
			require.Regexp(t, `=(true（是）|false（否）)`, out, "a boolean read carries 是 or 否")
			require.NotRegexp(t, `=(true|false)[^（]`, out, "no bare boolean in Chinese")
			require.Contains(t, out, "✔ fraud_involved（涉诈卡）：已触发，+60，二次实人认证")
		}
	}
}

// explain's JSON has one key style, snake_case, as the decision format.
func TestExplainJSONSnakeCase(t *testing.T) {
	x := explainCapped(t, "default", "en")
	b, err := json.Marshal(x)
	require.NoError(t, err)
	var v any
	require.NoError(t, json.Unmarshal(b, &v))
	snake := regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	var walk func(any)
	keys := 0
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				keys++
				require.Regexp(t, snake, k)
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	require.Greater(t, keys, 50)
	m := v.(map[string]any)
	require.Equal(t, 120.0, m["raw_score"])
	require.Equal(t, "restrict", m["band_outcome"])
	require.Contains(t, m, "decision")
	require.Contains(t, m["rules"].([]any)[0], "id")
	require.Contains(t, m["rules"].([]any)[1], "near_miss") // multi_card_id: 1 card, needs > 5
}
