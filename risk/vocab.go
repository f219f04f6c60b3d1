package risk

import "github.com/simrisk/simrisk/risk/ref"

// Never is the value of a days_since_* count for something that never
// happened (or whose date is unknown): about 2,700 years, so "never" reads
// as "longer ago than any threshold". Reasons print it as "never".
const Never = 1_000_000

// env is what expressions see: the vocabulary. It is filled per card from
// the Record, its derived values and its population features, in a buffer
// owned by one Scorer, so evaluation builds no map per record. Field names
// (expr tags) are the public vocabulary documented in rules/README.md;
// times are Unix seconds (0 when absent), day counts are CST calendar days.
type env struct {
	// schema fields
	MSISDN          string    `expr:"msisdn"`
	ICCID           string    `expr:"iccid"`
	Operator        string    `expr:"operator"`
	MVNO            string    `expr:"mvno"`
	Kind            string    `expr:"kind"`
	Status          string    `expr:"status"`
	OpenedAt        int       `expr:"opened_at"`
	Holder          string    `expr:"holder"`
	IDRegion        string    `expr:"id_region"`
	LastVoiceAt     int       `expr:"last_voice_at"`
	LastSMSAt       int       `expr:"last_sms_at"`
	LastDataAt      int       `expr:"last_data_at"`
	OpenRegion      string    `expr:"open_region"`
	Roaming         []roamEnv `expr:"roaming"`
	FraudFlag       string    `expr:"fraud_flag"`
	Complaints      int       `expr:"complaints"`
	Alerts30d       int       `expr:"alerts_30d"`
	VerifyRequired  int       `expr:"verify_required_at"`
	VerifiedAt      int       `expr:"verified_at"`
	Recycled        bool      `expr:"recycled"`
	ReleasedAt      int       `expr:"released_at"`
	Renewed         bool      `expr:"renewed"`
	LinkedPlatforms []string  `expr:"linked_platforms"`
	IoT             iotEnv    `expr:"iot"`

	// derived values
	AsOf                  int    `expr:"as_of"`
	DaysSinceOpened       int    `expr:"days_since_opened"`
	DaysSinceLastVoice    int    `expr:"days_since_last_voice"`
	DaysSinceLastSMS      int    `expr:"days_since_last_sms"`
	DaysSinceLastData     int    `expr:"days_since_last_data"`
	DaysSinceLastActivity int    `expr:"days_since_last_activity"`
	DaysSinceVerified     int    `expr:"days_since_verified"`
	VerificationPending   bool   `expr:"verification_pending"`
	FreezeDays            int    `expr:"freeze_days"`
	Segment               string `expr:"segment"`
	SegmentOperator       string `expr:"segment_operator"`
	SegmentKind           string `expr:"segment_kind"`
	SegmentMVNO           bool   `expr:"segment_mvno"`
	Valid                 bool   `expr:"valid"`
	Never                 int    `expr:"never"`

	Pop popEnv `expr:"pop"`

	// The card being scored and its context. Compiled rules read the card
	// through these (fields.go), computing derived values on demand; the
	// struct fields above are filled, once per card, only when a reference
	// evaluator needs them (full).
	r      *Record
	asOf   Time
	asOfDy int // asOf.Day()
	pop    *Population
	full   bool

	featOK bool
	feat   Features
	segOK  byte // 0: not looked up, 1: found, 2: none
	seg    ref.Segment

	s *Scorer // whose env this is

	// the element a compiled predicate (any, all, ...) is looking at
	cur    *Roaming
	curStr string
}

type roamEnv struct {
	Region   string `expr:"region"`
	LastSeen int    `expr:"last_seen"`
	DaysAgo  int    `expr:"days_ago"`
}

type iotEnv struct {
	TestPlan         bool   `expr:"test_plan"`
	NondirectedData  bool   `expr:"nondirected_data"`
	NondirectedVoice bool   `expr:"nondirected_voice"`
	NondirectedSMS   bool   `expr:"nondirected_sms"`
	DirectedVoice    bool   `expr:"directed_voice"`
	DirectedSMS      bool   `expr:"directed_sms"`
	UserRealnamed    bool   `expr:"user_realnamed"`
	Business         string `expr:"business"`
	HandlerVerified  bool   `expr:"handler_verified"`
	ProvinceApproval bool   `expr:"province_approval"`
	GroupApproval    bool   `expr:"group_approval"`
}

type popEnv struct {
	CardsOnOperator int `expr:"cards_on_operator"`
	CardsTotal      int `expr:"cards_total"`
	CardsSameDay    int `expr:"cards_same_day"`
	Operators       int `expr:"operators"`
}

func daysSince(t, asOf Time) int {
	if t == 0 {
		return Never
	}
	return DaysBetween(t, asOf)
}

// begin makes r the card being scored: nothing is computed yet.
func (e *env) begin(r *Record, asOf Time, pop *Population) {
	if asOf != e.asOf {
		e.asOfDy = asOf.Day()
	}
	e.r, e.asOf, e.pop = r, asOf, pop
	e.full, e.featOK, e.segOK, e.cur, e.curStr = false, false, 0, nil, ""
}

// features are the card's population features, looked up once per card.
func (e *env) features() *Features {
	if !e.featOK {
		e.pop.featuresInto(e.r, &e.feat)
		e.featOK = true
	}
	return &e.feat
}

// segment is the card's number segment (zero when unknown), once per card.
func (e *env) segment() *ref.Segment {
	if e.segOK == 0 {
		r := e.r
		seg, ok := r.seg, r.segOK
		if !ok || seg.Prefix == "" || len(r.MSISDN) < len(seg.Prefix) || r.MSISDN[:len(seg.Prefix)] != seg.Prefix {
			seg, ok = ref.LookupSegment(r.MSISDN) // not validated, or changed since
		}
		e.seg, e.segOK = seg, 2
		if ok {
			e.segOK = 1
		} else {
			e.seg = ref.Segment{}
		}
	}
	return &e.seg
}

func verificationPending(r *Record) bool {
	return r.VerifyRequiredAt != 0 && r.VerifiedAt < r.VerifyRequiredAt
}

// daysSinceLastActivity is days_since_last_activity of the card in e.
func (e *env) daysSinceLastActivity() int {
	if last := e.r.LastActivity(); last != 0 {
		return e.days(last)
	}
	return e.days(e.r.OpenedAt)
}

// days is daysSince(t, e.asOf), from the as-of day begin computed.
func (e *env) days(t Time) int {
	if t != 0 {
		return e.asOfDy - t.Day()
	}
	return Never
}

func freezeDays(r *Record) int {
	if r.Recycled && r.ReleasedAt != 0 && r.OpenedAt != 0 {
		return DaysBetween(r.ReleasedAt, r.OpenedAt)
	}
	return Never
}

// fillAll loads the whole vocabulary of the current card into the struct,
// for the reference evaluators; once per card.
func (e *env) fillAll() *env {
	if e.full {
		return e
	}
	r, asOf := e.r, e.asOf
	roam := e.Roaming[:0]
	for _, ro := range r.Roaming {
		roam = append(roam, roamEnv{Region: ro.Region, LastSeen: int(ro.LastSeen), DaysAgo: daysSince(ro.LastSeen, asOf)})
	}
	seg := e.segment()
	f := e.features()
	e.MSISDN, e.ICCID, e.Operator, e.MVNO, e.Kind = r.MSISDN, r.ICCID, r.Operator, r.MVNO, r.Kind
	e.Status, e.OpenedAt, e.Holder, e.IDRegion = r.Status, int(r.OpenedAt), r.Holder, r.IDRegion
	e.LastVoiceAt, e.LastSMSAt, e.LastDataAt = int(r.LastVoiceAt), int(r.LastSMSAt), int(r.LastDataAt)
	e.OpenRegion, e.Roaming, e.FraudFlag, e.Complaints = r.OpenRegion, roam, r.FraudFlag, r.Complaints
	e.Alerts30d, e.VerifyRequired, e.VerifiedAt = r.Alerts30d, int(r.VerifyRequiredAt), int(r.VerifiedAt)
	e.Recycled, e.ReleasedAt, e.Renewed = r.Recycled, int(r.ReleasedAt), r.Renewed
	e.LinkedPlatforms = r.LinkedPlatforms
	e.IoT = iotEnv{
		TestPlan: r.IoT.TestPlan, NondirectedData: r.IoT.NondirectedData,
		NondirectedVoice: r.IoT.NondirectedVoice, NondirectedSMS: r.IoT.NondirectedSMS,
		DirectedVoice: r.IoT.DirectedVoice, DirectedSMS: r.IoT.DirectedSMS,
		UserRealnamed: r.IoT.UserRealnamed, Business: r.IoT.Business,
		HandlerVerified: r.IoT.HandlerVerified, ProvinceApproval: r.IoT.ProvinceApproval,
		GroupApproval: r.IoT.GroupApproval,
	}
	e.AsOf = int(asOf)
	e.DaysSinceOpened = daysSince(r.OpenedAt, asOf)
	e.DaysSinceLastVoice = daysSince(r.LastVoiceAt, asOf)
	e.DaysSinceLastSMS = daysSince(r.LastSMSAt, asOf)
	e.DaysSinceLastData = daysSince(r.LastDataAt, asOf)
	e.DaysSinceVerified = daysSince(r.VerifiedAt, asOf)
	e.DaysSinceLastActivity = e.daysSinceLastActivity()
	e.VerificationPending = verificationPending(r)
	e.FreezeDays = freezeDays(r)
	e.Valid = r.Valid()
	e.Never = Never
	e.Segment, e.SegmentOperator, e.SegmentKind, e.SegmentMVNO = seg.Prefix, seg.Operator, seg.Kind, seg.MVNO
	e.Pop = popEnv{CardsOnOperator: f.CardsOnOperator, CardsTotal: f.CardsTotal, CardsSameDay: f.CardsSameDay, Operators: f.Operators}
	e.full = true
	return e
}

// Term is one name of the expression vocabulary, for documentation and
// editors.
type Term struct {
	Name string
	Type string
	Doc  string
}

// Vocabulary lists every name expressions can read, besides params.NAME,
// lists.NAME, macros and functions.
func Vocabulary() []Term { return append([]Term(nil), vocabulary...) }

var vocabulary = []Term{
	{"msisdn", "string", "the number (never printed in full: reasons mask it)"},
	{"iccid", "string", "SIM serial"},
	{"operator", "string", "current operator: cmcc, unicom, telecom, broadnet (from the segment when the record has none)"},
	{"mvno", "string", "MVNO brand, empty for an operator's own card"},
	{"kind", "string", "mobile, data_card, iot (from the segment when the record has none)"},
	{"status", "string", `active, suspended, keep_number, cancelled ("" reads as active)`},
	{"opened_at", "int", "Unix seconds; 0 when absent (never, for a valid record)"},
	{"holder", "string", "pseudonymous holder key (may be tested; reasons print it only as `mask(holder)`)"},
	{"id_region", "string", "GB/T 2260 code of the holder's ID"},
	{"last_voice_at", "int", "Unix seconds, 0 when never"},
	{"last_sms_at", "int", "Unix seconds, 0 when never"},
	{"last_data_at", "int", "Unix seconds, 0 when never"},
	{"open_region", "string", "where opened: ISO 3166 alpha-2 or GB/T 2260 code"},
	{"roaming", "list", "entries with .region (string), .last_seen (Unix seconds, 0 unknown), .days_ago (int, never when unknown)"},
	{"fraud_flag", "string", "police, miit, operator, or empty"},
	{"complaints", "int", "verified fraud complaints"},
	{"alerts_30d", "int", "warning-model hits in the 30 days before as-of"},
	{"verify_required_at", "int", "Unix seconds a second verification was demanded, 0 when none"},
	{"verified_at", "int", "Unix seconds of the last passed verification, 0 when never"},
	{"recycled", "bool", "the number was re-issued"},
	{"released_at", "int", "Unix seconds the previous holder released it, 0 when unknown"},
	{"renewed", "bool", "unbound through 二次号码焕新"},
	{"linked_platforms", "list of string", "platforms where the previous holder's accounts are still bound"},
	{"iot.test_plan", "bool", "on an IoT test-card plan"},
	{"iot.nondirected_data", "bool", "non-directed data open"},
	{"iot.nondirected_voice", "bool", "non-directed voice open"},
	{"iot.nondirected_sms", "bool", "non-directed SMS open"},
	{"iot.directed_voice", "bool", "directed voice open"},
	{"iot.directed_sms", "bool", "directed SMS open"},
	{"iot.user_realnamed", "bool", "real-named to its actual user"},
	{"iot.business", "string", "new, transfer, realname_supplement, replacement, other"},
	{"iot.handler_verified", "bool", "handler photo + ID comparison done"},
	{"iot.province_approval", "bool", "provincial approval on file"},
	{"iot.group_approval", "bool", "group (集团) approval on file"},
	{"as_of", "int", "the scoring as-of time, Unix seconds"},
	{"days_since_opened", "int", "CST calendar days from opened_at to as-of"},
	{"days_since_last_voice", "int", "days since the last voice record; never when none"},
	{"days_since_last_sms", "int", "days since the last SMS record; never when none"},
	{"days_since_last_data", "int", "days since the last data record; never when none"},
	{"days_since_last_activity", "int", "days since the latest voice, SMS or data record; from opened_at when there was none"},
	{"days_since_verified", "int", "days since verified_at; never when none"},
	{"verification_pending", "bool", "a verification was demanded and none passed since (verified_at < verify_required_at)"},
	{"freeze_days", "int", "for a recycled number: days from released_at to opened_at (the re-issue); never when unknown or not recycled"},
	{"segment", "string", "the number's segment prefix (149, 1440, 1703, ...), empty when unknown"},
	{"segment_operator", "string", "original operator of the segment"},
	{"segment_kind", "string", "kind of the segment"},
	{"segment_mvno", "bool", "the segment is an MVNO range"},
	{"valid", "bool", "the card counts in card totals (status is not cancelled)"},
	{"never", "int", "the value of a days_since_* count for what never happened"},
	{"pop.cards_on_operator", "int", "holder's valid cards at this card's operator (an MVNO brand counts as its own operator)"},
	{"pop.cards_total", "int", "holder's valid cards at all operators"},
	{"pop.cards_same_day", "int", "holder's valid cards opened the same CST day"},
	{"pop.operators", "int", "distinct operators (MVNO brands apart) among the holder's valid cards"},
}
