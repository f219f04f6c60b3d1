// Readers of the vocabulary for the compiled evaluator: each reads the card
// (env.r) directly, computing derived values on demand, so a card costs
// only what its rules read. They must give what env.fill puts in the
// struct the reference evaluators see; TestFieldTablesCoverVocabulary and
// the differential tests check both.

package risk

var boolFields = map[string]func(e *env) bool{
	"recycled":              func(e *env) bool { return e.r.Recycled },
	"renewed":               func(e *env) bool { return e.r.Renewed },
	"verification_pending":  func(e *env) bool { return verificationPending(e.r) },
	"segment_mvno":          func(e *env) bool { return e.segment().MVNO },
	"valid":                 func(e *env) bool { return e.r.Status != "cancelled" },
	"iot.test_plan":         func(e *env) bool { return e.r.IoT.TestPlan },
	"iot.nondirected_data":  func(e *env) bool { return e.r.IoT.NondirectedData },
	"iot.nondirected_voice": func(e *env) bool { return e.r.IoT.NondirectedVoice },
	"iot.nondirected_sms":   func(e *env) bool { return e.r.IoT.NondirectedSMS },
	"iot.directed_voice":    func(e *env) bool { return e.r.IoT.DirectedVoice },
	"iot.directed_sms":      func(e *env) bool { return e.r.IoT.DirectedSMS },
	"iot.user_realnamed":    func(e *env) bool { return e.r.IoT.UserRealnamed },
	"iot.handler_verified":  func(e *env) bool { return e.r.IoT.HandlerVerified },
	"iot.province_approval": func(e *env) bool { return e.r.IoT.ProvinceApproval },
	"iot.group_approval":    func(e *env) bool { return e.r.IoT.GroupApproval },
}

var intFields = map[string]func(e *env) int{
	"opened_at":                func(e *env) int { return int(e.r.OpenedAt) },
	"last_voice_at":            func(e *env) int { return int(e.r.LastVoiceAt) },
	"last_sms_at":              func(e *env) int { return int(e.r.LastSMSAt) },
	"last_data_at":             func(e *env) int { return int(e.r.LastDataAt) },
	"complaints":               func(e *env) int { return e.r.Complaints },
	"alerts_30d":               func(e *env) int { return e.r.Alerts30d },
	"verify_required_at":       func(e *env) int { return int(e.r.VerifyRequiredAt) },
	"verified_at":              func(e *env) int { return int(e.r.VerifiedAt) },
	"released_at":              func(e *env) int { return int(e.r.ReleasedAt) },
	"as_of":                    func(e *env) int { return int(e.asOf) },
	"days_since_opened":        func(e *env) int { return daysSince(e.r.OpenedAt, e.asOf) },
	"days_since_last_voice":    func(e *env) int { return daysSince(e.r.LastVoiceAt, e.asOf) },
	"days_since_last_sms":      func(e *env) int { return daysSince(e.r.LastSMSAt, e.asOf) },
	"days_since_last_data":     func(e *env) int { return daysSince(e.r.LastDataAt, e.asOf) },
	"days_since_last_activity": func(e *env) int { return daysSinceLastActivity(e.r, e.asOf) },
	"days_since_verified":      func(e *env) int { return daysSince(e.r.VerifiedAt, e.asOf) },
	"freeze_days":              func(e *env) int { return freezeDays(e.r) },
	"never":                    func(e *env) int { return Never },
	"pop.cards_on_operator":    func(e *env) int { return e.features().CardsOnOperator },
	"pop.cards_total":          func(e *env) int { return e.features().CardsTotal },
	"pop.cards_same_day":       func(e *env) int { return e.features().CardsSameDay },
	"pop.operators":            func(e *env) int { return e.features().Operators },
}

var stringFields = map[string]func(e *env) string{
	"msisdn":           func(e *env) string { return e.r.MSISDN },
	"iccid":            func(e *env) string { return e.r.ICCID },
	"operator":         func(e *env) string { return e.r.Operator },
	"mvno":             func(e *env) string { return e.r.MVNO },
	"kind":             func(e *env) string { return e.r.Kind },
	"status":           func(e *env) string { return e.r.Status },
	"holder":           func(e *env) string { return e.r.Holder },
	"id_region":        func(e *env) string { return e.r.IDRegion },
	"open_region":      func(e *env) string { return e.r.OpenRegion },
	"fraud_flag":       func(e *env) string { return e.r.FraudFlag },
	"segment":          func(e *env) string { return e.segment().Prefix },
	"segment_operator": func(e *env) string { return e.segment().Operator },
	"segment_kind":     func(e *env) string { return e.segment().Kind },
	"iot.business":     func(e *env) string { return e.r.IoT.Business },
}

// roamFields read the roaming entry a predicate is looking at (env.cur).
var roamIntFields = map[string]func(e *env) int{
	"last_seen": func(e *env) int { return int(e.cur.LastSeen) },
	"days_ago":  func(e *env) int { return daysSince(e.cur.LastSeen, e.asOf) },
}

var roamStringFields = map[string]func(e *env) string{
	"region": func(e *env) string { return e.cur.Region },
}
