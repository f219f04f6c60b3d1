package bench

import (
	"slices"
	"strconv"

	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/risk/ref"
	"github.com/simrisk/simrisk/rules"
)

// RuleIDs returns the default pack's rules in its order, a new slice on
// each call; bit i of Result.Fired is RuleIDs()[i].
func RuleIDs() []string { return slices.Clone(ruleIDs) }

var ruleIDs = []string{
	"fraud_involved", "multi_card_id", "multi_card_id_total", "dormant", "silent", "high_fraud_region",
	"frequent_alerts", "verification_overdue", "verification_pending", "iot_handler_check",
	"iot_nondirected_data", "iot_149_nondirected", "iot_149_directed", "recycled_short_freeze",
	"recycled_bound_accounts",
}

// Result is the hand-written baseline's verdict on one card.
type Result struct {
	Score   float64
	Level   rules.Level
	Outcome rules.Outcome
	Fired   uint32
}

var (
	countries = map[string]bool{"MM": true, "KH": true, "AE": true, "PH": true, "TH": true, "LA": true, "MY": true, "TR": true, "GE": true}
	counties  = map[string]bool{"350802": true, "440904": true, "350524": true, "431321": true, "450126": true, "361127": true}
	prefects  = map[string]bool{"4604": true, "5331": true, "5309": true, "5308": true, "5328": true, "4514": true, "4506": true, "4510": true}
)

func highFraud(code string) bool {
	switch len(code) {
	case 2:
		return countries[code]
	case 6:
		return counties[code] || prefects[code[:4]]
	}
	return false
}

// Handwritten is the default pack (rules/packs/default, default parameters)
// written by hand in plain Go: what a team would write without a rule
// engine. r must be validated; f are its population features.
func Handwritten(r *risk.Record, f risk.Features, asOf risk.Time) Result {
	var res Result
	if r.Status == "cancelled" {
		return res
	}
	fire := func(i int, score float64, o rules.Outcome) {
		res.Fired |= 1 << i
		res.Score += score
		if o > res.Outcome {
			res.Outcome = o
		}
	}
	if r.FraudFlag != "" || r.Complaints >= 1 {
		fire(0, 60, rules.Verify)
	}
	if r.Kind != "iot" && f.CardsOnOperator > 5 {
		fire(1, 30, rules.Verify)
	}
	last := r.LastActivity()
	if last == 0 {
		last = r.OpenedAt
	}
	idle := risk.DaysBetween(last, asOf)
	if idle >= 90 {
		fire(3, 25, rules.Verify)
	}
	if r.LastAttachAt != 0 && risk.DaysBetween(r.LastAttachAt, asOf) <= 7 && idle >= 30 {
		fire(4, 25, rules.Verify)
	}
	hf := highFraud(r.OpenRegion)
	for i := 0; !hf && i < len(r.Roaming); i++ {
		ro := &r.Roaming[i]
		hf = ro.LastSeen != 0 && risk.DaysBetween(ro.LastSeen, asOf) <= 90 && highFraud(ro.Region)
	}
	if hf {
		fire(5, 30, rules.Verify)
	}
	if r.Alerts30d >= 3 {
		fire(6, 30, rules.Verify)
	}
	if r.VerifyRequiredAt != 0 && r.VerifiedAt < r.VerifyRequiredAt {
		if asOf > r.VerifyRequiredAt+24*3600 {
			fire(7, 50, rules.Suspend)
		} else {
			fire(8, 0, rules.Verify)
		}
	}
	if r.Kind == "iot" || r.Kind == "data_card" {
		iot := &r.IoT
		switch iot.Business {
		case "new", "transfer", "realname_supplement", "replacement":
			if !iot.HandlerVerified {
				fire(9, 40, rules.Restrict)
			}
		}
		if !iot.TestPlan {
			real5 := iot.UserRealnamed && f.CardsOnOperator <= 5
			if iot.NondirectedData && !real5 && !iot.ProvinceApproval {
				fire(10, 40, rules.Restrict)
			}
			if seg, ok := ref.LookupSegment(r.MSISDN); ok && seg.Prefix == "149" {
				if (iot.NondirectedVoice || iot.NondirectedSMS) && !real5 {
					fire(11, 40, rules.Restrict)
				}
				if (iot.DirectedVoice || iot.DirectedSMS) && !iot.UserRealnamed && !iot.GroupApproval {
					fire(12, 40, rules.Restrict)
				}
			}
		}
	}
	if r.Recycled {
		if r.ReleasedAt != 0 && risk.DaysBetween(r.ReleasedAt, r.OpenedAt) < 90 {
			fire(13, 10, rules.Monitor)
		}
		if !r.Renewed && len(r.LinkedPlatforms) > 0 {
			fire(14, 10, rules.Monitor)
		}
	}
	res.Score = min(100, max(0, res.Score))
	switch {
	case res.Score >= 80:
		res.Level, res.Outcome = rules.Critical, max(res.Outcome, rules.Restrict)
	case res.Score >= 50:
		res.Level, res.Outcome = rules.High, max(res.Outcome, rules.Verify)
	case res.Score >= 20:
		res.Level, res.Outcome = rules.Medium, max(res.Outcome, rules.Monitor)
	}
	return res
}

// AppendReasons appends, by hand, the Chinese reason of every rule res
// fired on r (as Handwritten decided it), each followed by a newline: the
// text the engine writes into Decision.Hits with the default pack. With it
// the baseline produces what the engine does, explanations included
// (BenchmarkDefaultPack/handwritten-reasons); TestBaselineAgreesWithEngine
// compares the texts.
func AppendReasons(b []byte, r *risk.Record, f risk.Features, asOf risk.Time, res Result) []byte {
	fired := func(i int) bool { return res.Fired&(1<<i) != 0 }
	yn := func(b []byte, v bool) []byte { return append(b, risk.DisplayName(strconv.FormatBool(v), "zh")...) }
	if fired(0) {
		flag := risk.DisplayName(r.FraudFlag, "zh")
		if flag == "" {
			flag = "无"
		}
		b = append(b, "涉诈标记来源“"...)
		b = append(b, flag...)
		b = append(b, "”，核实的涉诈投诉 "...)
		b = strconv.AppendInt(b, int64(r.Complaints), 10)
		b = append(b, " 件\n"...)
	}
	if fired(1) {
		op := r.MVNO
		if op == "" {
			op = risk.DisplayName(r.Operator, "zh")
		}
		b = append(b, "持卡人证件在 "...)
		b = append(b, op...)
		b = append(b, " 名下有 "...)
		b = strconv.AppendInt(b, int64(f.CardsOnOperator), 10)
		b = append(b, " 张有效卡（上限 5）\n"...)
	}
	if fired(3) {
		last := r.LastActivity()
		if last == 0 {
			last = r.OpenedAt
		}
		b = strconv.AppendInt(b, int64(risk.DaysBetween(last, asOf)), 10)
		b = append(b, " 天无语音、短信和流量记录（阈值 90 天）\n"...)
	}
	if fired(4) {
		last := r.LastActivity()
		if last == 0 {
			last = r.OpenedAt
		}
		b = strconv.AppendInt(b, int64(risk.DaysBetween(r.LastAttachAt, asOf)), 10)
		b = append(b, " 天前仍在网（开机），但已 "...)
		b = strconv.AppendInt(b, int64(risk.DaysBetween(last, asOf)), 10)
		b = append(b, " 天无语音、短信和流量记录（阈值 30 天）\n"...)
	}
	if fired(5) {
		b = append(b, "开户地："...)
		if r.OpenRegion == "" {
			b = append(b, "未知地区"...)
		} else {
			b = append(b, ref.RegionNameIn(r.OpenRegion, "zh")...)
		}
		b = append(b, "；近 90 天到访的高发地区："...)
		n := 0
		for i := range r.Roaming {
			ro := &r.Roaming[i]
			if ro.LastSeen == 0 || risk.DaysBetween(ro.LastSeen, asOf) > 90 || !highFraud(ro.Region) {
				continue
			}
			if n > 0 {
				b = append(b, "、"...)
			}
			n++
			b = append(b, ref.RegionNameIn(ro.Region, "zh")...)
			b = append(b, "（"...)
			b = strconv.AppendInt(b, int64(risk.DaysBetween(ro.LastSeen, asOf)), 10)
			b = append(b, " 天前）"...)
		}
		if n == 0 {
			b = append(b, "无"...)
		}
		b = append(b, '\n')
	}
	if fired(6) {
		b = append(b, "30 天内触发预警模型 "...)
		b = strconv.AppendInt(b, int64(r.Alerts30d), 10)
		b = append(b, " 次（阈值 3）\n"...)
	}
	if fired(7) {
		b = strconv.AppendInt(b, int64(risk.DaysBetween(r.VerifyRequiredAt, asOf)), 10)
		b = append(b, " 天前要求二次实人认证，24 小时内未通过\n"...)
	}
	if fired(8) {
		b = append(b, "已要求二次实人认证，须在要求后 24 小时内完成\n"...)
	}
	if fired(9) {
		b = append(b, "办理“"...)
		b = append(b, risk.DisplayName(r.IoT.Business, "zh")...)
		b = append(b, "”业务时未做经办人人证比对\n"...)
	}
	if fired(10) {
		b = append(b, "开通非定向流量；已实名到使用人："...)
		b = yn(b, r.IoT.UserRealnamed)
		b = append(b, "；持卡人在本运营商的卡数："...)
		b = strconv.AppendInt(b, int64(f.CardsOnOperator), 10)
		b = append(b, "；无省级审批\n"...)
	}
	services := func(b []byte, voice, sms bool) []byte {
		if voice {
			b = append(b, "语音"...)
		}
		if voice && sms {
			b = append(b, "和"...)
		}
		if sms {
			b = append(b, "短信"...)
		}
		return b
	}
	if fired(11) {
		b = append(b, "149 号段开通非定向"...)
		b = services(b, r.IoT.NondirectedVoice, r.IoT.NondirectedSMS)
		b = append(b, "，未按一证五卡实名到使用人（任何审批都不能豁免）\n"...)
	}
	if fired(12) {
		b = append(b, "149 号段开通定向"...)
		b = services(b, r.IoT.DirectedVoice, r.IoT.DirectedSMS)
		b = append(b, "，未实名到使用人，无集团审批\n"...)
	}
	if fired(13) {
		b = append(b, "号码释放后 "...)
		b = strconv.AppendInt(b, int64(risk.DaysBetween(r.ReleasedAt, r.OpenedAt)), 10)
		b = append(b, " 天即重新放号（最短 90 天）\n"...)
	}
	if fired(14) {
		b = append(b, "前机主账号仍绑定在 "...)
		for i, p := range r.LinkedPlatforms {
			if i > 0 {
				b = append(b, "、"...)
			}
			b = append(b, risk.DisplayName(p, "zh")...)
		}
		b = append(b, "；未办理二次号码焕新\n"...)
	}
	return b
}
