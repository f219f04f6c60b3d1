// Readers of the vocabulary for the compiled evaluator: each reads the card
// (env.r) directly, computing derived values on demand, so a card costs
// only what its rules read. They must give what env.fill puts in the
// struct the reference evaluators see; TestFieldTablesCoverVocabulary and
// the differential tests check both.

package risk

import "unsafe"

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
	"days_since_last_activity": func(e *env) int { return e.daysSinceLastActivity() },
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

// derivedInts are the int names the branch code computes in place
// (branch.go, env.val); TestDerivedIntsMatchReaders checks them against
// the readers above.
var derivedInts = map[string]valRef{
	"days_since_opened":        {kind: vDaysSince, off: unsafe.Offsetof(Record{}.OpenedAt)},
	"days_since_last_voice":    {kind: vDaysSince, off: unsafe.Offsetof(Record{}.LastVoiceAt)},
	"days_since_last_sms":      {kind: vDaysSince, off: unsafe.Offsetof(Record{}.LastSMSAt)},
	"days_since_last_data":     {kind: vDaysSince, off: unsafe.Offsetof(Record{}.LastDataAt)},
	"days_since_verified":      {kind: vDaysSince, off: unsafe.Offsetof(Record{}.VerifiedAt)},
	"days_since_last_activity": {kind: vDaysActivity},
	"freeze_days":              {kind: vFreeze},
	"pop.cards_on_operator":    {kind: vPop, off: unsafe.Offsetof(Features{}.CardsOnOperator)},
	"pop.cards_total":          {kind: vPop, off: unsafe.Offsetof(Features{}.CardsTotal)},
	"pop.cards_same_day":       {kind: vPop, off: unsafe.Offsetof(Features{}.CardsSameDay)},
	"pop.operators":            {kind: vPop, off: unsafe.Offsetof(Features{}.Operators)},
}

// roamFields read the roaming entry a predicate is looking at (env.cur).
var roamIntFields = map[string]func(e *env) int{
	"last_seen": func(e *env) int { return int(e.cur.LastSeen) },
	"days_ago":  func(e *env) int { return daysSince(e.cur.LastSeen, e.asOf) },
}

var roamStringFields = map[string]func(e *env) string{
	"region": func(e *env) string { return e.cur.Region },
}

// directFields are the vocabulary names that are plain fields of Record:
// compared with a constant (complaints >= 1, fraud_flag != "") or negated,
// they compile to one closure that reads the field at its offset, with no
// call inside. TestDirectFieldsMatchReaders checks them against the readers
// above.
var directFields = map[string]directField{
	"recycled":              {unsafe.Offsetof(Record{}.Recycled), dirBool},
	"renewed":               {unsafe.Offsetof(Record{}.Renewed), dirBool},
	"iot.test_plan":         {iotOff + unsafe.Offsetof(IoT{}.TestPlan), dirBool},
	"iot.nondirected_data":  {iotOff + unsafe.Offsetof(IoT{}.NondirectedData), dirBool},
	"iot.nondirected_voice": {iotOff + unsafe.Offsetof(IoT{}.NondirectedVoice), dirBool},
	"iot.nondirected_sms":   {iotOff + unsafe.Offsetof(IoT{}.NondirectedSMS), dirBool},
	"iot.directed_voice":    {iotOff + unsafe.Offsetof(IoT{}.DirectedVoice), dirBool},
	"iot.directed_sms":      {iotOff + unsafe.Offsetof(IoT{}.DirectedSMS), dirBool},
	"iot.user_realnamed":    {iotOff + unsafe.Offsetof(IoT{}.UserRealnamed), dirBool},
	"iot.handler_verified":  {iotOff + unsafe.Offsetof(IoT{}.HandlerVerified), dirBool},
	"iot.province_approval": {iotOff + unsafe.Offsetof(IoT{}.ProvinceApproval), dirBool},
	"iot.group_approval":    {iotOff + unsafe.Offsetof(IoT{}.GroupApproval), dirBool},
	"opened_at":             {unsafe.Offsetof(Record{}.OpenedAt), dirTime},
	"last_voice_at":         {unsafe.Offsetof(Record{}.LastVoiceAt), dirTime},
	"last_sms_at":           {unsafe.Offsetof(Record{}.LastSMSAt), dirTime},
	"last_data_at":          {unsafe.Offsetof(Record{}.LastDataAt), dirTime},
	"verify_required_at":    {unsafe.Offsetof(Record{}.VerifyRequiredAt), dirTime},
	"verified_at":           {unsafe.Offsetof(Record{}.VerifiedAt), dirTime},
	"released_at":           {unsafe.Offsetof(Record{}.ReleasedAt), dirTime},
	"complaints":            {unsafe.Offsetof(Record{}.Complaints), dirInt},
	"alerts_30d":            {unsafe.Offsetof(Record{}.Alerts30d), dirInt},
	"msisdn":                {unsafe.Offsetof(Record{}.MSISDN), dirString},
	"iccid":                 {unsafe.Offsetof(Record{}.ICCID), dirString},
	"operator":              {unsafe.Offsetof(Record{}.Operator), dirString},
	"mvno":                  {unsafe.Offsetof(Record{}.MVNO), dirString},
	"kind":                  {unsafe.Offsetof(Record{}.Kind), dirString},
	"status":                {unsafe.Offsetof(Record{}.Status), dirString},
	"holder":                {unsafe.Offsetof(Record{}.Holder), dirString},
	"id_region":             {unsafe.Offsetof(Record{}.IDRegion), dirString},
	"open_region":           {unsafe.Offsetof(Record{}.OpenRegion), dirString},
	"fraud_flag":            {unsafe.Offsetof(Record{}.FraudFlag), dirString},
	"iot.business":          {iotOff + unsafe.Offsetof(IoT{}.Business), dirString},
}

const iotOff = unsafe.Offsetof(Record{}.IoT)

type dirKind uint8

const (
	dirBool   dirKind = iota + 1
	dirInt            // a Go int
	dirTime           // a Time (int64)
	dirString         // a string
)

// directField is a Record field at a fixed offset.
type directField struct {
	off  uintptr
	kind dirKind
}

func (d directField) ptr(e *env) unsafe.Pointer { return unsafe.Add(unsafe.Pointer(e.r), d.off) }

// directBool is the field read, negated when neg.
func directBool(d directField, neg bool) boolFn {
	off := d.off
	if neg {
		return func(e *env) bool { return !*(*bool)(unsafe.Add(unsafe.Pointer(e.r), off)) }
	}
	return func(e *env) bool { return *(*bool)(unsafe.Add(unsafe.Pointer(e.r), off)) }
}

// directStringEq compares the field with a constant (== or, when neg, !=).
func directStringEq(d directField, c string, neg bool) boolFn {
	off := d.off
	if c == "" { // fraud_flag != "": the length says it
		if neg {
			return func(e *env) bool { return len(*(*string)(unsafe.Add(unsafe.Pointer(e.r), off))) != 0 }
		}
		return func(e *env) bool { return len(*(*string)(unsafe.Add(unsafe.Pointer(e.r), off))) == 0 }
	}
	if neg {
		return func(e *env) bool { return *(*string)(unsafe.Add(unsafe.Pointer(e.r), off)) != c }
	}
	return func(e *env) bool { return *(*string)(unsafe.Add(unsafe.Pointer(e.r), off)) == c }
}

// directIntCmp compares an int or Time field with a constant.
func directIntCmp(d directField, op string, c int) boolFn {
	off := d.off
	if d.kind == dirTime {
		c := int64(c)
		switch op {
		case "<":
			return func(e *env) bool { return *(*int64)(unsafe.Add(unsafe.Pointer(e.r), off)) < c }
		case "<=":
			return func(e *env) bool { return *(*int64)(unsafe.Add(unsafe.Pointer(e.r), off)) <= c }
		case ">":
			return func(e *env) bool { return *(*int64)(unsafe.Add(unsafe.Pointer(e.r), off)) > c }
		case ">=":
			return func(e *env) bool { return *(*int64)(unsafe.Add(unsafe.Pointer(e.r), off)) >= c }
		case "==":
			return func(e *env) bool { return *(*int64)(unsafe.Add(unsafe.Pointer(e.r), off)) == c }
		}
		return func(e *env) bool { return *(*int64)(unsafe.Add(unsafe.Pointer(e.r), off)) != c }
	}
	switch op {
	case "<":
		return func(e *env) bool { return *(*int)(unsafe.Add(unsafe.Pointer(e.r), off)) < c }
	case "<=":
		return func(e *env) bool { return *(*int)(unsafe.Add(unsafe.Pointer(e.r), off)) <= c }
	case ">":
		return func(e *env) bool { return *(*int)(unsafe.Add(unsafe.Pointer(e.r), off)) > c }
	case ">=":
		return func(e *env) bool { return *(*int)(unsafe.Add(unsafe.Pointer(e.r), off)) >= c }
	case "==":
		return func(e *env) bool { return *(*int)(unsafe.Add(unsafe.Pointer(e.r), off)) == c }
	}
	return func(e *env) bool { return *(*int)(unsafe.Add(unsafe.Pointer(e.r), off)) != c }
}
