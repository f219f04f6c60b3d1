package bench

import (
	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/risk/ref"
	"github.com/simrisk/simrisk/rules"
)

// RuleIDs are the default pack's rules in its order; bit i of
// Result.Fired is RuleIDs[i].
var RuleIDs = []string{
	"fraud_involved", "multi_card_id", "multi_card_id_total", "dormant", "high_fraud_region",
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
	if risk.DaysBetween(last, asOf) >= 90 {
		fire(3, 25, rules.Verify)
	}
	hf := highFraud(r.OpenRegion)
	for i := 0; !hf && i < len(r.Roaming); i++ {
		ro := &r.Roaming[i]
		hf = ro.LastSeen != 0 && risk.DaysBetween(ro.LastSeen, asOf) <= 90 && highFraud(ro.Region)
	}
	if hf {
		fire(4, 30, rules.Verify)
	}
	if r.Alerts30d >= 3 {
		fire(5, 30, rules.Verify)
	}
	if r.VerifyRequiredAt != 0 && r.VerifiedAt < r.VerifyRequiredAt {
		if asOf > r.VerifyRequiredAt+24*3600 {
			fire(6, 50, rules.Suspend)
		} else {
			fire(7, 0, rules.Verify)
		}
	}
	if r.Kind == "iot" || r.Kind == "data_card" {
		iot := &r.IoT
		switch iot.Business {
		case "new", "transfer", "realname_supplement", "replacement":
			if !iot.HandlerVerified {
				fire(8, 40, rules.Restrict)
			}
		}
		if !iot.TestPlan {
			real5 := iot.UserRealnamed && f.CardsOnOperator <= 5
			if iot.NondirectedData && !real5 && !iot.ProvinceApproval {
				fire(9, 40, rules.Restrict)
			}
			if seg, ok := ref.LookupSegment(r.MSISDN); ok && seg.Prefix == "149" {
				if (iot.NondirectedVoice || iot.NondirectedSMS) && !real5 {
					fire(10, 40, rules.Restrict)
				}
				if (iot.DirectedVoice || iot.DirectedSMS) && !iot.UserRealnamed && !iot.GroupApproval {
					fire(11, 40, rules.Restrict)
				}
			}
		}
	}
	if r.Recycled {
		if r.ReleasedAt != 0 && risk.DaysBetween(r.ReleasedAt, r.OpenedAt) < 90 {
			fire(12, 10, rules.Monitor)
		}
		if !r.Renewed && len(r.LinkedPlatforms) > 0 {
			fire(13, 10, rules.Monitor)
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
