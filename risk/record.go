package risk

import (
	"errors"
	"fmt"
	"math/bits"
	"slices"
	"strings"
	"unsafe"

	"github.com/simrisk/simrisk/internal/vocab"
	"github.com/simrisk/simrisk/risk/ref"
)

// Record is one card, mirroring card-schema v1 field for field. Dates are
// Time values (zero means absent). Package datasets reads and writes records
// as JSON Lines; a host service may also fill them directly.
//
// Validate and Population.Add leave marks in a record (valid at as-of, its
// population entry) that scoring trusts only while the record's
// fingerprint is unchanged: a record may be changed, or copied and the copy
// changed, at any time, and is scored on its new values. The fingerprint
// covers msisdn, iccid, operator, mvno, kind, status, opened_at, holder and
// the lengths of roaming and linked_platforms: a record changed there is
// validated again and its features are looked up by its holder, as for a
// card never added. Rules always read the fields as they are when the card
// is scored; a change elsewhere after Validate is read but not validated
// again (call Validate after such a change to have it checked).
type Record struct {
	MSISDN   string // 11 digits (mobile, data card) or 13 digits (IoT); required
	ICCID    string // SIM serial, 19-20 characters
	Operator string // cmcc, unicom, telecom, broadnet; derived from the segment when empty
	MVNO     string // MVNO brand, for a reseller's card
	Kind     string // mobile, data_card, iot; derived from the segment when empty
	Status   string // active (when empty), suspended, keep_number, cancelled

	// Marks set by Validate and Population.Add, so scoring does not look
	// them up again, each kept with the record's fingerprint then: scoring
	// trusts a mark only while the fingerprint is the same (see
	// fingerprint). Next to Status, which every rule pack reads, so that
	// scoring touches as few of the record's cache lines as it can.
	validAt Time   // the as-of time of the last successful Validate
	validFP uint64 // the fingerprint then
	popID   uint64 // the Population the card was added to (its id), 0 for none
	popFP   uint64 // the fingerprint then
	popIdx  int32  // the card's entry in pop
	segOK   bool   // seg holds the card's segment (seg is last: only segment rules read it)

	OpenedAt Time   // required
	Holder   string // pseudonymous key of the holder's identity
	IDRegion string // 6-digit GB/T 2260 code of the holder's ID

	LastVoiceAt Time
	LastSMSAt   Time
	LastDataAt  Time
	// LastAttachAt is when the card last attached to the network
	// (switched on), whether or not it was used.
	LastAttachAt Time

	OpenRegion string    // ISO 3166 alpha-2 or 6-digit GB/T 2260 code
	Roaming    []Roaming // regions the card was used in

	FraudFlag  string // police, miit, operator; empty when none
	Complaints int    // verified fraud complaints, >= 0
	Alerts30d  int    // warning-model hits in the 30 days before as-of, >= 0

	VerifyRequiredAt Time // when a second real-person verification was demanded
	VerifiedAt       Time // when the holder last passed one

	Recycled        bool
	ReleasedAt      Time
	Renewed         bool
	LinkedPlatforms []string

	IoT IoT

	seg ref.Segment // with segOK
}

// Roaming is one region a card was seen in.
type Roaming struct {
	Region   string
	LastSeen Time
}

// IoT holds the IoT real-name fields (card-schema iot.*).
type IoT struct {
	TestPlan         bool
	NondirectedData  bool
	NondirectedVoice bool
	NondirectedSMS   bool
	DirectedVoice    bool
	DirectedSMS      bool
	UserRealnamed    bool
	Business         string // new, transfer, realname_supplement, replacement, other
	HandlerVerified  bool
	ProvinceApproval bool
	GroupApproval    bool
}

// Enumerated values of card-schema v1; the exported functions below return
// copies, so that a caller cannot change what Validate accepts.
var (
	operators   = enum("operator")
	kinds       = enum("kind")
	statuses    = enum("status")
	fraudFlags  = enum("fraud_flag")
	businesses  = enum("iot.business")
	statusValid = map[string]bool{"": true, "active": true, "suspended": true, "keep_number": true}
)

// enum is the values the vocabulary table allows a field.
func enum(name string) []string {
	f, _ := vocab.Lookup(name)
	return f.Enum
}

// Operators returns card-schema v1's operator values (cmcc, unicom, telecom,
// broadnet), a new slice on each call.
func Operators() []string { return slices.Clone(operators) }

// Kinds returns card-schema v1's kind values (mobile, data_card, iot), a new
// slice on each call.
func Kinds() []string { return slices.Clone(kinds) }

// Statuses returns card-schema v1's status values (active, suspended,
// keep_number, cancelled), a new slice on each call.
func Statuses() []string { return slices.Clone(statuses) }

// FraudFlags returns card-schema v1's fraud_flag values (police, miit,
// operator), a new slice on each call.
func FraudFlags() []string { return slices.Clone(fraudFlags) }

// Businesses returns card-schema v1's iot.business values (new, transfer,
// realname_supplement, replacement, other), a new slice on each call.
func Businesses() []string { return slices.Clone(businesses) }

// ErrInvalidRecord is matched (errors.Is) by every error Validate returns.
var ErrInvalidRecord = errors.New("invalid record")

// RecordError says why a record was rejected. Its message never holds the
// holder key, an ID number or a full MSISDN. A record with several problems
// has the first in Field and Reason and the others in More, so that one
// error lists them all ("opened_at: …; status: …").
type RecordError struct {
	Field  string // schema name of the field at fault, "" for the whole record
	Reason string
	// More lists the record's other problems in field order, at most
	// MaxRecordErrors-1 of them; when there were more still, the last entry
	// has no Field and counts them ("and 3 more problems").
	More []*RecordError
}

// MaxRecordErrors is the most problems one RecordError lists.
const MaxRecordErrors = 10

func (e *RecordError) Error() string {
	msg := e.Reason
	if e.Field != "" {
		msg = e.Field + ": " + e.Reason
	}
	for _, m := range e.More {
		if m.Field != "" {
			msg += "; " + m.Field + ": " + m.Reason
		} else {
			msg += "; " + m.Reason
		}
	}
	return maskText(msg)
}

// JoinRecordErrors makes one RecordError of a record's problems, in the
// order given, keeping the first MaxRecordErrors and counting the rest.
// Each error that is a *RecordError is taken apart (its More too); nil
// errors are skipped; it returns nil when no problem is left.
func JoinRecordErrors(errs ...error) error {
	var all []*RecordError
	extra := 0
	for _, err := range errs {
		if err == nil {
			continue
		}
		re, ok := err.(*RecordError)
		if !ok {
			re = &RecordError{Reason: maskText(err.Error())}
		}
		for _, e := range append([]*RecordError{re}, re.More...) {
			if e.Field == "" && strings.HasPrefix(e.Reason, "and ") && strings.HasSuffix(e.Reason, " more problems") {
				var n int
				if _, err := fmt.Sscanf(e.Reason, "and %d more problems", &n); err == nil {
					extra += n
					continue
				}
			}
			all = append(all, &RecordError{Field: e.Field, Reason: e.Reason})
		}
	}
	if len(all) == 0 {
		return nil
	}
	if len(all) > MaxRecordErrors {
		extra += len(all) - MaxRecordErrors
		all = all[:MaxRecordErrors]
	}
	first := all[0]
	first.More = all[1:]
	if extra > 0 {
		first.More = append(first.More, &RecordError{Reason: fmt.Sprintf("and %d more problems", extra)})
	}
	if len(first.More) == 0 {
		first.More = nil
	}
	return first
}

// recErrs collects a record's problems; its zero value is ready and costs
// nothing while there are none.
type recErrs struct {
	list []error
}

func (e *recErrs) add(err error) {
	if err != nil {
		e.list = append(e.list, err)
	}
}

func (e *recErrs) err() error {
	if len(e.list) == 0 {
		return nil
	}
	if len(e.list) == 1 {
		return e.list[0]
	}
	return JoinRecordErrors(e.list...)
}

// Is makes errors.Is(err, ErrInvalidRecord) true.
func (e *RecordError) Is(target error) bool { return target == ErrInvalidRecord }

func recErr(field, format string, args ...any) error {
	// values echoed in a reason are masked: a number or an ID number typed
	// into the wrong field must not leak through an error
	return &RecordError{Field: field, Reason: maskText(fmt.Sprintf(format, args...))}
}

func oneOf(v string, allowed []string) bool {
	for _, a := range allowed {
		if v == a {
			return true
		}
	}
	return false
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// Validate checks a record against card-schema v1 at the given as-of time
// (a date after it is an error) and fills Operator and Kind from the number
// segment when they are empty. It returns a *RecordError.
func (r *Record) Validate(asOf Time) error {
	r.validAt = 0
	if err := r.validate(asOf); err != nil {
		return err
	}
	r.validAt, r.validFP = asOf, r.fingerprint()
	return nil
}

// validFor reports whether the record passed Validate at asOf or before
// (only dates after the as-of time depend on it, so a record valid then is
// valid at any later time) and has not changed since: fp is its
// fingerprint now.
func (r *Record) validFor(asOf Time, fp uint64) bool {
	return asOf != 0 && r.validAt != 0 && r.validAt <= asOf && r.validFP == fp
}

// fingerprint sums up the fields the record's marks depend on: msisdn,
// iccid, operator, mvno, kind and status (12 words: a string by its header,
// which an assignment changes) and holder, folded in one after another,
// each fold rotating what came before (so that a change anywhere, or two
// fields swapped, changes it), then opened_at and the lengths of the lists,
// each multiplied by an odd constant: numbers a host sets, whose changes
// in a plain fold could cancel one another (opened_at 4,096 s later and
// one roaming entry more gave the same fingerprint) and do not in a
// product. About 35 instructions (a rotate and an xor from memory a word,
// two multiplications), no allocation, on cache lines scoring reads anyway.
func (r *Record) fingerprint() uint64 {
	w := (*[12]uint64)(unsafe.Pointer(&r.MSISDN))
	h := w[0]
	h = bits.RotateLeft64(h, 4) ^ w[1]
	h = bits.RotateLeft64(h, 4) ^ w[2]
	h = bits.RotateLeft64(h, 4) ^ w[3]
	h = bits.RotateLeft64(h, 4) ^ w[4]
	h = bits.RotateLeft64(h, 4) ^ w[5]
	h = bits.RotateLeft64(h, 4) ^ w[6]
	h = bits.RotateLeft64(h, 4) ^ w[7]
	h = bits.RotateLeft64(h, 4) ^ w[8]
	h = bits.RotateLeft64(h, 4) ^ w[9]
	h = bits.RotateLeft64(h, 4) ^ w[10]
	h = bits.RotateLeft64(h, 4) ^ w[11]
	h = bits.RotateLeft64(h, 4) ^ uint64(uintptr(unsafe.Pointer(unsafe.StringData(r.Holder))))
	h = bits.RotateLeft64(h, 4) ^ uint64(len(r.Holder))
	return h ^ uint64(r.OpenedAt)*0x9E3779B97F4A7C15 ^ (uint64(len(r.Roaming))|uint64(len(r.LinkedPlatforms))<<32)*0xC2B2AE3D27D4EB4F
}

// The fingerprint reads msisdn to status as 12 words in a row.
var _ = [1]struct{}{}[unsafe.Offsetof(Record{}.Status)+unsafe.Sizeof("")-unsafe.Offsetof(Record{}.MSISDN)-12*8]

// stored reports whether r is a LivePopulation's own record, shared and
// never written again.
func (r *Record) stored() bool { return r.popID&liveIDBit != 0 }

// The longest lists and texts a record may hold (Validate rejects a record
// over them, naming the limit). Rules' cost is estimated at load from them
// (rules.Limits.MaxCost): two loops over roaming, one inside the other,
// with a body of a dozen steps fit the default max_cost of 1,000,000
// (256 × 256 × 14); three do not.
const (
	MaxRoaming         = 256 // entries of roaming
	MaxLinkedPlatforms = 32  // entries of linked_platforms
	MaxTextBytes       = 64  // bytes of holder, mvno and each linked platform
)

// derive fills in the operator and kind a valid number gives (from its
// segment seg when segOK) where the record leaves them empty; it reports
// false when neither the segment nor the record says whose card it is.
// Validate and markValid both derive through it.
func (r *Record) derive(seg ref.Segment, segOK bool) bool {
	switch {
	case segOK:
		if r.Operator == "" {
			r.Operator = seg.Operator
		}
		if r.Kind == "" {
			r.Kind = seg.Kind
		}
	case r.Operator != "":
		// a segment the table does not know (new ones appear): the record
		// says whose card it is; an 11-digit number is mobile, a 13-digit
		// one IoT unless the record says otherwise
		if r.Kind == "" {
			r.Kind = "mobile"
			if len(r.MSISDN) == 13 {
				r.Kind = "iot"
			}
		}
	default:
		return false
	}
	return true
}

func (r *Record) validate(asOf Time) error {
	// sizes first: a record over a limit is not looked into further
	if len(r.Roaming) > MaxRoaming {
		return recErr("roaming", "has %d entries, over the limit of %d (risk.MaxRoaming)", len(r.Roaming), MaxRoaming)
	}
	if len(r.LinkedPlatforms) > MaxLinkedPlatforms {
		return recErr("linked_platforms", "has %d entries, over the limit of %d (risk.MaxLinkedPlatforms)", len(r.LinkedPlatforms), MaxLinkedPlatforms)
	}
	for _, f := range [...]struct{ name, v string }{{"holder", r.Holder}, {"mvno", r.MVNO}} {
		if len(f.v) > MaxTextBytes {
			return recErr(f.name, "is %d bytes long, over the limit of %d (risk.MaxTextBytes)", len(f.v), MaxTextBytes)
		}
	}
	for i, p := range r.LinkedPlatforms {
		if len(p) > MaxTextBytes {
			return recErr(fmt.Sprintf("linked_platforms[%d]", i), "is %d bytes long, over the limit of %d (risk.MaxTextBytes)", len(p), MaxTextBytes)
		}
	}
	var errs recErrs
	msisdnOK := false
	if r.MSISDN == "" {
		errs.add(recErr("msisdn", "is required"))
	} else if m, err := ref.NormalizeMSISDN(r.MSISDN); err != nil {
		errs.add(recErr("msisdn", "%s %v", ref.Quote(r.MSISDN), err))
	} else {
		msisdnOK = true
		if m != r.MSISDN {
			r.MSISDN = m // +86, spaces, dashes, full-width digits: the canonical digits
		}
	}
	if r.ICCID != "" && (len(r.ICCID) < 19 || len(r.ICCID) > 20) {
		errs.add(recErr("iccid", "has %d characters, want 19 or 20", len(r.ICCID)))
	}
	if r.Operator != "" && !oneOf(r.Operator, operators) {
		errs.add(recErr("operator", "unknown operator %s (want cmcc, unicom, telecom or broadnet)", ref.QuoteValue(r.Operator)))
	}
	if r.Kind != "" && !oneOf(r.Kind, kinds) {
		errs.add(recErr("kind", "unknown kind %s (want mobile, data_card or iot)", ref.QuoteValue(r.Kind)))
	}
	var seg ref.Segment
	segOK := false
	if msisdnOK {
		seg, segOK = ref.LookupSegment(r.MSISDN)
	}
	r.seg, r.segOK = seg, segOK
	if msisdnOK && !r.derive(seg, segOK) {
		errs.add(recErr("msisdn", "no known %d-digit number segment starts %s…; give the card's operator (and kind), or add the segment (ref.AddSegments, simrisk score --segments)",
			len(r.MSISDN), r.MSISDN[:3]))
	}
	if !statusValid[r.Status] && r.Status != "cancelled" {
		errs.add(recErr("status", "unknown status %s (want active, suspended, keep_number or cancelled)", ref.QuoteValue(r.Status)))
	}
	if r.OpenedAt == 0 {
		errs.add(recErr("opened_at", "is required"))
	}
	if ref.IsSciNotation(r.Holder) {
		errs.add(recErr("holder", "%s %v", ref.Quote(r.Holder), ref.ErrSciNotation))
	} else if id, ok := ref.NormalizeIDText(r.Holder); ok {
		errs.add(recErr("holder", "is a raw ID number (%s); pass a pseudonymous key instead (ref.HolderKey, or simrisk --id-key-file)", MaskID(id)))
	}
	if r.IDRegion != "" {
		if len(r.IDRegion) != 6 || !allDigits(r.IDRegion) {
			errs.add(recErr("id_region", "%s is not a 6-digit GB/T 2260 code", ref.QuoteValue(r.IDRegion)))
		} else if !ref.KnownRegion(r.IDRegion) { // a division: six digits
			errs.add(recErr("id_region", "%s is not a GB/T 2260 division code of any revision since 2002", r.IDRegion))
		}
	}
	if r.OpenRegion != "" {
		errs.add(checkRegion("open_region", r.OpenRegion))
	}
	for i, ro := range r.Roaming {
		// the field's name is written only for an error: not per valid card
		if checkRegion("", ro.Region) != nil {
			errs.add(checkRegion(fmt.Sprintf("roaming[%d].region", i), ro.Region))
		}
		if notAfter("", ro.LastSeen, asOf) != nil {
			errs.add(notAfter(fmt.Sprintf("roaming[%d].last_seen", i), ro.LastSeen, asOf))
		}
	}
	if r.FraudFlag != "" && !oneOf(r.FraudFlag, fraudFlags) {
		errs.add(recErr("fraud_flag", "unknown source %s (want police, miit or operator)", ref.QuoteValue(r.FraudFlag)))
	}
	if r.Complaints < 0 {
		errs.add(recErr("complaints", "%d is negative", r.Complaints))
	}
	if r.Alerts30d < 0 {
		errs.add(recErr("alerts_30d", "%d is negative", r.Alerts30d))
	}
	if r.IoT.Business != "" && !oneOf(r.IoT.Business, businesses) {
		errs.add(recErr("iot.business", "unknown business %s (want new, transfer, realname_supplement, replacement or other)", ref.QuoteValue(r.IoT.Business)))
	}
	openedOK := true
	for _, d := range r.dates() {
		err := notAfter(d.name, *d.t, asOf)
		if err != nil && d.t == &r.OpenedAt {
			openedOK = false
		}
		errs.add(err)
	}
	if openedOK && r.OpenedAt != 0 {
		r.checkOrder(&errs)
	}
	for i, p := range r.LinkedPlatforms {
		if p == "" {
			errs.add(recErr(fmt.Sprintf("linked_platforms[%d]", i), "is empty"))
		}
	}
	return errs.err()
}

// checkOrder adds an error for each date that cannot stand where it does
// relative to opened_at, compared as CST calendar days (a date without a
// time of day is midnight, so a call on the day a card was opened at 10:00
// is after its opening): a usage or network record (last_voice_at,
// last_sms_at, last_data_at, last_attach_at, a roaming entry's last_seen)
// or a verification demanded or passed (verify_required_at, verified_at)
// before the card was opened, and a previous holder's release
// (released_at) after it: a number is re-issued after its release, on the
// same day at the earliest. Legal orders: verified_at before
// verify_required_at (an earlier pass, the new demand still pending), and
// any date on opened_at's day.
func (r *Record) checkOrder(errs *recErrs) {
	day := r.OpenedAt.Day()
	early := func(t Time) bool { return t >= minValid && t.Day() < day } // a date before 1980 is an error of its own
	if early(r.LastVoiceAt) {
		errs.add(recErr("last_voice_at", "%s is before opened_at %s: a card has no usage before it is opened", r.LastVoiceAt, r.OpenedAt))
	}
	if early(r.LastSMSAt) {
		errs.add(recErr("last_sms_at", "%s is before opened_at %s: a card has no usage before it is opened", r.LastSMSAt, r.OpenedAt))
	}
	if early(r.LastDataAt) {
		errs.add(recErr("last_data_at", "%s is before opened_at %s: a card has no usage before it is opened", r.LastDataAt, r.OpenedAt))
	}
	if early(r.LastAttachAt) {
		errs.add(recErr("last_attach_at", "%s is before opened_at %s: a card does not attach to the network before it is opened", r.LastAttachAt, r.OpenedAt))
	}
	for i, ro := range r.Roaming {
		if early(ro.LastSeen) {
			errs.add(recErr(fmt.Sprintf("roaming[%d].last_seen", i), "%s is before opened_at %s: a card is not seen roaming before it is opened", ro.LastSeen, r.OpenedAt))
		}
	}
	if early(r.VerifyRequiredAt) {
		errs.add(recErr("verify_required_at", "%s is before opened_at %s: no verification is demanded of a card before it is opened", r.VerifyRequiredAt, r.OpenedAt))
	}
	if early(r.VerifiedAt) {
		errs.add(recErr("verified_at", "%s is before opened_at %s: no verification of a card is passed before it is opened", r.VerifiedAt, r.OpenedAt))
	}
	if r.ReleasedAt != 0 && r.ReleasedAt.Day() > day {
		errs.add(recErr("released_at", "%s is after opened_at %s: a number is released before it is re-issued (opened)", r.ReleasedAt, r.OpenedAt))
	}
}

// events are the record's dates that cannot be before opened_at (its
// usage, network, roaming and verification dates; checkOrder).
func (r *Record) events() []Time {
	ts := []Time{r.LastVoiceAt, r.LastSMSAt, r.LastDataAt, r.LastAttachAt, r.VerifyRequiredAt, r.VerifiedAt}
	for _, ro := range r.Roaming {
		ts = append(ts, ro.LastSeen)
	}
	return ts
}

// namedTime is one of the record's dates (Record.dates, vocab_gen.go).
type namedTime struct {
	name string
	t    *Time
}

func notAfter(field string, t, asOf Time) error {
	if t == 0 {
		return nil
	}
	if t < minValid {
		return recErr(field, "date is before 1980-01-01")
	}
	if asOf != 0 && t > asOf {
		return recErr(field, "%s is after the as-of time %s", t, asOf)
	}
	return nil
}

func checkRegion(field, code string) error {
	if !isRegion(code) {
		return recErr(field, "%s is not an ISO 3166 alpha-2 or 6-digit GB/T 2260 code", ref.QuoteValue(code))
	}
	if !ref.KnownRegion(code) {
		if len(code) == 2 {
			return recErr(field, "%s is not an ISO 3166 country code", code)
		}
		return recErr(field, "%s is not a GB/T 2260 division code of any revision since 2002", code)
	}
	return nil
}

func isRegion(s string) bool {
	if len(s) == 2 {
		return s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
	}
	return len(s) == 6 && allDigits(s) && s[0] != '0' && s[0] != '9'
}

// Valid reports whether the card counts in card totals: every status but
// cancelled.
func (r *Record) Valid() bool { return r.Status != "cancelled" }

// CountOperator is the operator the card counts under for one-ID-five-cards:
// "mvno:" and its brand when it has one (an MVNO counts as its own
// operator, brands compared exactly), otherwise its operator.
func (r *Record) CountOperator() string {
	if r.MVNO != "" {
		return "mvno:" + r.MVNO
	}
	return r.Operator
}

// LastActivity is the latest of the last voice, SMS and data records, or the
// zero Time when the card never had one.
func (r *Record) LastActivity() Time {
	t := r.LastVoiceAt
	if r.LastSMSAt > t {
		t = r.LastSMSAt
	}
	if r.LastDataAt > t {
		t = r.LastDataAt
	}
	return t
}
