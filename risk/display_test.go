package risk_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/rules"
)

// zhCards fire every default rule whose reason prints an enumerated value
// or a country: a police flag, cmcc, a new install on an IoT card not
// real-named to its user, roaming in the UAE, two linked platforms.
func zhCards() []*risk.Record {
	asOf := risk.Date(2026, 11, 1)
	var cards []*risk.Record
	for i := range 6 {
		cards = append(cards, &risk.Record{MSISDN: "1380013800" + string(rune('0'+i)), Holder: "h-same", Operator: "cmcc",
			OpenedAt: risk.Date(2025, 1, 1), LastVoiceAt: asOf})
	}
	cards[0].FraudFlag = "police"
	cards[0].OpenRegion = "AE"
	cards[0].Roaming = []risk.Roaming{{Region: "KH", LastSeen: risk.Date(2026, 10, 30)}}
	cards = append(cards,
		&risk.Record{MSISDN: "1440000000001", Holder: "h-iot", Kind: "iot", OpenedAt: risk.Date(2025, 1, 1), LastDataAt: asOf,
			IoT: risk.IoT{Business: "new", NondirectedData: true}},
		&risk.Record{MSISDN: "13900000000", Holder: "h-r", OpenedAt: risk.Date(2026, 9, 1), LastVoiceAt: asOf,
			Recycled: true, ReleasedAt: risk.Date(2026, 8, 1), LinkedPlatforms: []string{"tencent", "alipay"}})
	return cards
}

func reasonsIn(t *testing.T, pack, lang string) []string {
	t.Helper()
	rs, err := rules.Pack(pack)
	require.NoError(t, err)
	eng, err := risk.Compile(rs, risk.WithLanguage(lang))
	require.NoError(t, err)
	asOf := risk.Date(2026, 11, 1)
	pop := risk.NewPopulation()
	cards := zhCards()
	for _, c := range cards {
		require.NoError(t, c.Validate(asOf))
		pop.Add(c)
	}
	var out []string
	for _, c := range []*risk.Record{cards[0], cards[6], cards[7]} {
		d, err := eng.Score(c, risk.AsOfTime(asOf), risk.WithPopulation(pop))
		require.NoError(t, err)
		for _, h := range d.Hits {
			out = append(out, h.Rule+": "+h.Reason)
		}
	}
	return out
}

// Chinese reasons name enumerated values and countries in Chinese, through
// display() and region_name(code, "zh"); English reasons are as they were.
// Both packs say the same.
func TestZhReasonsAllChinese(t *testing.T) {
	zh := []string{
		"fraud_involved: 涉诈标记来源“公安机关”，核实的涉诈投诉 0 件",
		"multi_card_id: 持卡人证件在 中国移动 名下有 6 张有效卡（上限 5）",
		"high_fraud_region: 开户地：阿拉伯联合酋长国；近 90 天到访的高发地区：柬埔寨（2 天前）",
		"iot_handler_check: 办理“新装”业务时未做经办人人证比对",
		"iot_nondirected_data: 开通非定向流量；已实名到使用人：否；持卡人在本运营商的卡数：1；无省级审批",
		"recycled_short_freeze: 号码释放后 31 天即重新放号（最短 90 天）",
		"recycled_bound_accounts: 前机主账号仍绑定在 腾讯、支付宝；未办理二次号码焕新",
	}
	en := []string{
		`fraud_involved: fraud flag from "police", 0 verified complaints`,
		"multi_card_id: the holder's ID has 6 valid cards at cmcc (more than 5)",
		"high_fraud_region: opened in United Arab Emirates (the); listed regions roamed in the last 90 days: Cambodia (2 days ago)",
		"iot_handler_check: business new done without the handler's photo and ID comparison",
		"iot_nondirected_data: non-directed data open; real-named to user: false; holder's cards at the operator: 1; no provincial approval",
		"recycled_short_freeze: re-issued 31 days after release (minimum 90)",
		"recycled_bound_accounts: previous holder's accounts still bound on tencent, alipay; not renewed through 焕新",
	}
	codes := regexp.MustCompile(`\b(cmcc|unicom|telecom|broadnet|police|miit|operator|new|transfer|replacement|tencent|alipay|true|false)\b|[A-Z][a-z]+`)
	for _, pack := range []string{"default", "default-cel"} {
		got := reasonsIn(t, pack, "zh")
		require.Equal(t, zh, got, pack)
		for _, r := range got {
			require.False(t, codes.MatchString(strings.SplitN(r, ": ", 2)[1]), "%s: %s", pack, r)
		}
		require.Equal(t, en, reasonsIn(t, pack, "en"), pack)
	}
}

func TestDisplayName(t *testing.T) {
	require.Equal(t, "中国移动", risk.DisplayName("cmcc", "zh"))
	require.Equal(t, "China Mobile", risk.DisplayName("cmcc", "en"))
	require.Equal(t, "停机保号", risk.DisplayName("keep_number", "zh"))
	require.Equal(t, "二次实人认证", risk.DisplayName("verify", "zh"))
	require.Equal(t, "否", risk.DisplayName("false", "zh"))
	require.Equal(t, "a brand", risk.DisplayName("a brand", "zh"))
}
