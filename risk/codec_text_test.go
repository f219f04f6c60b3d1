package risk_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/risk"
)

// DecodeJSONText reads what DecodeJSON reads, errors included, with its
// text values cut from the line.
func TestDecodeJSONTextSameAsDecodeJSON(t *testing.T) {
	for _, line := range []string{
		`{"msisdn":"13800138000","operator":"cmcc","kind":"mobile","status":"active","opened_at":"2024-03-01","holder":"hk-7f3a","roaming":[{"region":"KH","last_seen":"2026-10-30"}],"iot":{"business":"new"},"linked_platforms":["tencent"]}`,
		`{"MSISDN":"138\u00300138000","mvno":"小米移动","holder":"h\"k","status":"正常"}`,
		`{"msisdn":"13800138000","complaints":"x","opened_at":"2024-13-01","unknown":1}`,
		`{"msisdn":"13800138000"`,
		`[1]`,
		``,
	} {
		var a, b risk.Record
		var ka, kb []string
		errA := a.DecodeJSON([]byte(line), func(k string) { ka = append(ka, k) })
		errB := b.DecodeJSONText(line, func(k string) { kb = append(kb, k) })
		require.Equal(t, errA, errB, line)
		require.Equal(t, a, b, line)
		require.Equal(t, ka, kb, line)
	}
}
