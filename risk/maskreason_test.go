package risk_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/risk/ref"
	"github.com/simrisk/simrisk/rules"
)

// FuzzReasonMaskedAsWhole: a reason is masked exactly as the masker masks
// its whole text, whatever its constant text and its values (a free-text
// field and two counts side by side), though the engine looks only at the
// pieces to decide whether to mask it at all.
func FuzzReasonMaskedAsWhole(f *testing.F) {
	for _, s := range [][3]string{
		{"品牌", "客服 138 0013 8000", "；投诉"},
		{"号码 138", "0013", "8"},
		{"", "１３８-００１３-８０００", ""},
		{"+86 ", "138.0013", "."},
		{"ID 110105 ", "19491231 ", "00"},
		{"近 30 天：", "泰国（3 天前）、缅甸（10 天前）", "，"},
	} {
		f.Add(s[0], s[1], s[2], int64(8000), int64(2))
	}
	f.Fuzz(func(t *testing.T, pre, mvno, mid string, complaints, alerts int64) {
		for _, s := range []string{pre, mvno, mid} {
			if !utf8.ValidString(s) || strings.ContainsAny(s, "{}") || strings.IndexFunc(s, unicode.IsControl) >= 0 {
				return
			}
		}
		if len(mvno) > risk.MaxTextBytes || len(pre)+len(mid) > 200 || complaints < 0 || alerts < 0 {
			return
		}
		reason, _ := json.Marshal(pre + "{mvno}" + mid + "{complaints}{alerts_30d}")
		src := "bands: [{min: 0, level: low, outcome: pass}]\nrules:\n  - id: r\n    when: 'fraud_flag != \"\"'\n    outcome: monitor\n    reason: " + string(reason) + "\n"
		rs, err := rules.Parse(rules.Source{Name: "m.yaml", Data: []byte(src)})
		if err != nil {
			return // text YAML reads otherwise
		}
		eng, err := risk.Compile(rs)
		require.NoError(t, err)
		r := flaggedCard(t)
		r.MVNO, r.Complaints, r.Alerts30d = mvno, int(complaints), int(alerts)
		d, err := eng.Score(r, risk.AsOfTime(asOf))
		require.NoError(t, err)
		require.Len(t, d.Hits, 1)
		whole := pre + mvno + mid + strconv.FormatInt(complaints, 10) + strconv.FormatInt(alerts, 10)
		require.Equal(t, ref.MaskText(whole), d.Hits[0].Reason, "%q", whole)
	})
}
