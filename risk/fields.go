// Code generated from the env struct (vocab.go); keep in step with it.
// TestFieldTablesCoverVocabulary checks that every term has its reader.

package risk

var boolFields = map[string]func(e *env) bool{
	"recycled":              func(e *env) bool { return e.Recycled },
	"renewed":               func(e *env) bool { return e.Renewed },
	"verification_pending":  func(e *env) bool { return e.VerificationPending },
	"segment_mvno":          func(e *env) bool { return e.SegmentMVNO },
	"valid":                 func(e *env) bool { return e.Valid },
	"iot.test_plan":         func(e *env) bool { return e.IoT.TestPlan },
	"iot.nondirected_data":  func(e *env) bool { return e.IoT.NondirectedData },
	"iot.nondirected_voice": func(e *env) bool { return e.IoT.NondirectedVoice },
	"iot.nondirected_sms":   func(e *env) bool { return e.IoT.NondirectedSMS },
	"iot.directed_voice":    func(e *env) bool { return e.IoT.DirectedVoice },
	"iot.directed_sms":      func(e *env) bool { return e.IoT.DirectedSMS },
	"iot.user_realnamed":    func(e *env) bool { return e.IoT.UserRealnamed },
	"iot.handler_verified":  func(e *env) bool { return e.IoT.HandlerVerified },
	"iot.province_approval": func(e *env) bool { return e.IoT.ProvinceApproval },
	"iot.group_approval":    func(e *env) bool { return e.IoT.GroupApproval },
}

var intFields = map[string]func(e *env) int{
	"opened_at":                func(e *env) int { return e.OpenedAt },
	"last_voice_at":            func(e *env) int { return e.LastVoiceAt },
	"last_sms_at":              func(e *env) int { return e.LastSMSAt },
	"last_data_at":             func(e *env) int { return e.LastDataAt },
	"complaints":               func(e *env) int { return e.Complaints },
	"alerts_30d":               func(e *env) int { return e.Alerts30d },
	"verify_required_at":       func(e *env) int { return e.VerifyRequired },
	"verified_at":              func(e *env) int { return e.VerifiedAt },
	"released_at":              func(e *env) int { return e.ReleasedAt },
	"as_of":                    func(e *env) int { return e.AsOf },
	"days_since_opened":        func(e *env) int { return e.DaysSinceOpened },
	"days_since_last_voice":    func(e *env) int { return e.DaysSinceLastVoice },
	"days_since_last_sms":      func(e *env) int { return e.DaysSinceLastSMS },
	"days_since_last_data":     func(e *env) int { return e.DaysSinceLastData },
	"days_since_last_activity": func(e *env) int { return e.DaysSinceLastActivity },
	"days_since_verified":      func(e *env) int { return e.DaysSinceVerified },
	"freeze_days":              func(e *env) int { return e.FreezeDays },
	"never":                    func(e *env) int { return e.Never },
	"pop.cards_on_operator":    func(e *env) int { return e.Pop.CardsOnOperator },
	"pop.cards_total":          func(e *env) int { return e.Pop.CardsTotal },
	"pop.cards_same_day":       func(e *env) int { return e.Pop.CardsSameDay },
	"pop.operators":            func(e *env) int { return e.Pop.Operators },
}

var stringFields = map[string]func(e *env) string{
	"msisdn":           func(e *env) string { return e.MSISDN },
	"iccid":            func(e *env) string { return e.ICCID },
	"operator":         func(e *env) string { return e.Operator },
	"mvno":             func(e *env) string { return e.MVNO },
	"kind":             func(e *env) string { return e.Kind },
	"status":           func(e *env) string { return e.Status },
	"holder":           func(e *env) string { return e.Holder },
	"id_region":        func(e *env) string { return e.IDRegion },
	"open_region":      func(e *env) string { return e.OpenRegion },
	"fraud_flag":       func(e *env) string { return e.FraudFlag },
	"segment":          func(e *env) string { return e.Segment },
	"segment_operator": func(e *env) string { return e.SegmentOperator },
	"segment_kind":     func(e *env) string { return e.SegmentKind },
	"iot.business":     func(e *env) string { return e.IoT.Business },
}

// roamFields read the roaming entry a predicate is looking at.
var roamIntFields = map[string]func(r *roamEnv) int{
	"last_seen": func(r *roamEnv) int { return r.LastSeen },
	"days_ago":  func(r *roamEnv) int { return r.DaysAgo },
}

var roamStringFields = map[string]func(r *roamEnv) string{
	"region": func(r *roamEnv) string { return r.Region },
}
