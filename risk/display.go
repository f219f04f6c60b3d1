package risk

import "github.com/simrisk/simrisk/internal/vocab"

// DisplayName is an enumerated value's name for people in lang ("zh" or
// "en"; any other reads as "en"): the operator cmcc is 中国移动 or China
// Mobile, the fraud-flag source police 公安机关 or police, the outcome
// verify 二次实人认证 or verify, true 是 or yes. Every value of the
// enumerated fields (operator, kind, status, fraud_flag, iot.business), the
// platforms of linked_platforms, outcomes, levels and booleans ("true",
// "false") has one; any other value is its own name. Reasons print these
// through the display(value, lang) function.
func DisplayName(value, lang string) string {
	n, _ := vocab.DisplayName(value, lang)
	return n
}
