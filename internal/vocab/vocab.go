// Package vocab is the one table of the rule vocabulary: every field of a
// card record (card-schema v1), every value derived from one, every
// population feature, the fields of a roaming entry and the domain
// functions, each named once with its type, its documentation and how it is
// read from a risk.Record.
//
// Stage: data, before everything else. It is pure data and imports nothing
// but the standard library; every other stage derives from it:
//
//   - package risk's vocab_gen.go (written by package vocab/gen, run with
//     `go generate ./risk`): the expr environment struct and its fill code,
//     the CEL activation, the compiled evaluator's readers, the JSON codec
//     and the fast JSON scanner's key dispatch, the record's date list;
//   - at run time, from this table directly: risk.Vocabulary and
//     risk.Functions, the CEL declarations, both languages' declarations of
//     the domain functions (types, overloads, cost; their implementations
//     are risk/funcs.go), the personal-data and text-size tables, and
//     package datasets' CSV columns, reader and writer;
//   - the vocabulary and functions tables of rules/README.md and the
//     records' JSON Schema (risk/record.schema.json), also written by
//     vocab/gen.
//
// It lives at the module root, not under risk/, because package datasets
// (the CSV codec) reads it too. Adding a record field is one entry here,
// one field of risk.Record and a `go generate ./risk`.
package vocab

import "strings"

// Kind is the type of a name, as a rule and the record formats see it.
type Kind uint8

// The kinds. A Time is a date of the record (risk.Time); rules read it as
// Unix seconds, an int.
const (
	String  Kind = iota + 1
	Int          // a Go int
	Bool         // a Go bool
	Time         // a risk.Time: a date in the formats, Unix seconds (int) in rules
	Strings      // a list of strings
	Roaming      // the list of roaming entries
	Regions      // a region list (lists.NAME of region codes): a domain function's argument only
)

// RuleType is the type a rule sees: "string", "int", "bool", "list of
// string" or "list".
func (k Kind) RuleType() string {
	switch k {
	case String:
		return "string"
	case Int, Time:
		return "int"
	case Bool:
		return "bool"
	case Strings:
		return "list of string"
	case Roaming:
		return "list"
	case Regions:
		return "region list"
	}
	return "?"
}

// Field is one name of the vocabulary.
type Field struct {
	// Name is the name rules use, which is also the record's JSON key (or,
	// with a dot, its key inside a nested object) and its CSV column.
	Name string
	Kind Kind
	Doc  string // one line for the documentation table
	// Record is the field of risk.Record that holds it ("IoT.TestPlan"),
	// "" for a derived value or a population feature.
	Record string
	// Required: a record without it is rejected.
	Required bool
	// Enum lists the values card-schema v1 allows ("" is always allowed
	// unless Required).
	Enum []string
	// Personal: personal data, which reasons print only masked.
	Personal bool
	// MaxBytes bounds the text's length for the cost estimate (0: the
	// record limit risk.MaxTextBytes).
	MaxBytes int

	// A derived value: DaysSince names the Time field it counts the CST
	// days since (never when that is absent); otherwise Read is a Go
	// expression of package risk computing it from e (*env), Fill the same
	// for the reference evaluators' fill (r is the *Record, asOf the Time,
	// seg the *ref.Segment, f the *Features; Read when empty), and Val the
	// valRef the branch code computes it with in place ("" for none).
	DaysSince string
	Read      string
	Fill      string
	Val       string
}

// Group tells where a name lives.
func (f *Field) Group() string {
	switch {
	case strings.HasPrefix(f.Name, "iot."):
		return "iot"
	case strings.HasPrefix(f.Name, "pop."):
		return "pop"
	case f.Record != "":
		return "record"
	}
	return "derived"
}

// Key is the name's last part: the JSON key inside its object.
func (f *Field) Key() string { return f.Name[strings.LastIndexByte(f.Name, '.')+1:] }

// GoName is the name's Go identifier in the expr environment struct:
// last_voice_at -> LastVoiceAt.
func (f *Field) GoName() string { return GoName(f.Key()) }

// GoName turns a snake_case name into an exported Go identifier.
func GoName(s string) string {
	var b strings.Builder
	for _, p := range strings.Split(s, "_") {
		if p == "" {
			continue
		}
		b.WriteString(strings.ToUpper(p[:1]) + p[1:])
	}
	return b.String()
}

// Fields returns the table in its order (the records' JSON and CSV order),
// a new slice on each call.
func Fields() []Field { return append([]Field(nil), fields...) }

// Lookup returns the field of a name.
func Lookup(name string) (Field, bool) {
	i, ok := fieldIndex[name]
	if !ok {
		return Field{}, false
	}
	return fields[i], true
}

// fieldIndex is the index in fields of each name (the compilers look names
// up for every name a rule reads).
var fieldIndex = func() map[string]int {
	m := make(map[string]int, len(fields))
	for i, f := range fields {
		m[f.Name] = i
	}
	return m
}()

var (
	operators  = []string{"cmcc", "unicom", "telecom", "broadnet"}
	kinds      = []string{"mobile", "data_card", "iot"}
	statuses   = []string{"active", "suspended", "keep_number", "cancelled"}
	fraudFlags = []string{"police", "miit", "operator"}
	businesses = []string{"new", "transfer", "realname_supplement", "replacement", "other"}
)

var fields = []Field{
	// card-schema v1, in its order
	{Name: "msisdn", Kind: String, Record: "MSISDN", Required: true, Personal: true, MaxBytes: 20,
		Doc: "the number (never printed in full: reasons mask it)"},
	{Name: "iccid", Kind: String, Record: "ICCID", Personal: true, MaxBytes: 20, Doc: "SIM serial"},
	{Name: "operator", Kind: String, Record: "Operator", Enum: operators, MaxBytes: 12,
		Doc: "current operator: cmcc, unicom, telecom, broadnet (from the segment when the record has none)"},
	{Name: "mvno", Kind: String, Record: "MVNO", Doc: "MVNO brand, empty for an operator's own card"},
	{Name: "kind", Kind: String, Record: "Kind", Enum: kinds, MaxBytes: 12,
		Doc: "mobile, data_card, iot (from the segment when the record has none)"},
	{Name: "status", Kind: String, Record: "Status", Enum: statuses, MaxBytes: 12,
		Doc: `active, suspended, keep_number, cancelled ("" reads as active)`},
	{Name: "opened_at", Kind: Time, Record: "OpenedAt", Required: true,
		Doc: "Unix seconds; 0 when absent (never, for a valid record)"},
	{Name: "holder", Kind: String, Record: "Holder", Personal: true,
		Doc: "pseudonymous holder key (may be tested; reasons print it only as `mask(holder)`)"},
	{Name: "id_region", Kind: String, Record: "IDRegion", MaxBytes: 6, Doc: "GB/T 2260 code of the holder's ID"},
	{Name: "last_voice_at", Kind: Time, Record: "LastVoiceAt", Doc: "Unix seconds, 0 when never"},
	{Name: "last_sms_at", Kind: Time, Record: "LastSMSAt", Doc: "Unix seconds, 0 when never"},
	{Name: "last_data_at", Kind: Time, Record: "LastDataAt", Doc: "Unix seconds, 0 when never"},
	{Name: "last_attach_at", Kind: Time, Record: "LastAttachAt",
		Doc: "Unix seconds the card last attached to the network (switched on), 0 when never or unknown"},
	{Name: "open_region", Kind: String, Record: "OpenRegion", MaxBytes: 6,
		Doc: "where opened: ISO 3166 alpha-2 or GB/T 2260 code"},
	{Name: "roaming", Kind: Roaming, Record: "Roaming",
		Doc: "entries with .region (string), .last_seen (Unix seconds, 0 unknown), .days_ago (int, never when unknown)"},
	{Name: "fraud_flag", Kind: String, Record: "FraudFlag", Enum: fraudFlags, MaxBytes: 12,
		Doc: "police, miit, operator, or empty"},
	{Name: "complaints", Kind: Int, Record: "Complaints", Doc: "verified fraud complaints"},
	{Name: "alerts_30d", Kind: Int, Record: "Alerts30d", Doc: "warning-model hits in the 30 days before as-of"},
	{Name: "verify_required_at", Kind: Time, Record: "VerifyRequiredAt",
		Doc: "Unix seconds a second verification was demanded, 0 when none"},
	{Name: "verified_at", Kind: Time, Record: "VerifiedAt", Doc: "Unix seconds of the last passed verification, 0 when never"},
	{Name: "recycled", Kind: Bool, Record: "Recycled", Doc: "the number was re-issued"},
	{Name: "released_at", Kind: Time, Record: "ReleasedAt", Doc: "Unix seconds the previous holder released it, 0 when unknown"},
	{Name: "renewed", Kind: Bool, Record: "Renewed", Doc: "unbound through 二次号码焕新"},
	{Name: "linked_platforms", Kind: Strings, Record: "LinkedPlatforms",
		Doc: "platforms where the previous holder's accounts are still bound"},
	{Name: "iot.test_plan", Kind: Bool, Record: "IoT.TestPlan", Doc: "on an IoT test-card plan"},
	{Name: "iot.nondirected_data", Kind: Bool, Record: "IoT.NondirectedData", Doc: "non-directed data open"},
	{Name: "iot.nondirected_voice", Kind: Bool, Record: "IoT.NondirectedVoice", Doc: "non-directed voice open"},
	{Name: "iot.nondirected_sms", Kind: Bool, Record: "IoT.NondirectedSMS", Doc: "non-directed SMS open"},
	{Name: "iot.directed_voice", Kind: Bool, Record: "IoT.DirectedVoice", Doc: "directed voice open"},
	{Name: "iot.directed_sms", Kind: Bool, Record: "IoT.DirectedSMS", Doc: "directed SMS open"},
	{Name: "iot.user_realnamed", Kind: Bool, Record: "IoT.UserRealnamed", Doc: "real-named to its actual user"},
	{Name: "iot.business", Kind: String, Record: "IoT.Business", Enum: businesses, MaxBytes: 20,
		Doc: "new, transfer, realname_supplement, replacement, other"},
	{Name: "iot.handler_verified", Kind: Bool, Record: "IoT.HandlerVerified", Doc: "handler photo + ID comparison done"},
	{Name: "iot.province_approval", Kind: Bool, Record: "IoT.ProvinceApproval", Doc: "provincial approval on file"},
	{Name: "iot.group_approval", Kind: Bool, Record: "IoT.GroupApproval", Doc: "group (集团) approval on file"},

	// derived values
	{Name: "as_of", Kind: Int, Read: "int(e.asOf)", Fill: "int(asOf)", Doc: "the scoring as-of time, Unix seconds"},
	{Name: "days_since_opened", Kind: Int, DaysSince: "opened_at", Doc: "CST calendar days from opened_at to as-of"},
	{Name: "days_since_last_voice", Kind: Int, DaysSince: "last_voice_at", Doc: "days since the last voice record; never when none"},
	{Name: "days_since_last_sms", Kind: Int, DaysSince: "last_sms_at", Doc: "days since the last SMS record; never when none"},
	{Name: "days_since_last_data", Kind: Int, DaysSince: "last_data_at", Doc: "days since the last data record; never when none"},
	{Name: "days_since_last_attach", Kind: Int, DaysSince: "last_attach_at", Doc: "days since the last network attach; never when none"},
	{Name: "days_since_last_activity", Kind: Int, Read: "e.daysSinceLastActivity()", Val: "{kind: vDaysActivity}",
		Doc: "days since the latest voice, SMS or data record; from opened_at when there was none"},
	{Name: "days_since_verified", Kind: Int, DaysSince: "verified_at", Doc: "days since verified_at; never when none"},
	{Name: "verification_pending", Kind: Bool, Read: "verificationPending(e.r)", Fill: "verificationPending(r)",
		Doc: "a verification was demanded and none passed since (verified_at < verify_required_at)"},
	{Name: "freeze_days", Kind: Int, Read: "freezeDays(e.r)", Fill: "freezeDays(r)", Val: "{kind: vFreeze}",
		Doc: "for a recycled number: days from released_at to opened_at (the re-issue); never when unknown or not recycled"},
	{Name: "segment", Kind: String, Read: "e.segment().Prefix", Fill: "seg.Prefix", MaxBytes: 6,
		Doc: "the number's segment prefix (149, 1440, 1703, ...), empty when unknown"},
	{Name: "segment_operator", Kind: String, Read: "e.segment().Operator", Fill: "seg.Operator", MaxBytes: 12,
		Doc: "original operator of the segment"},
	{Name: "segment_kind", Kind: String, Read: "e.segment().Kind", Fill: "seg.Kind", MaxBytes: 12, Doc: "kind of the segment"},
	{Name: "segment_mvno", Kind: Bool, Read: "e.segment().MVNO", Fill: "seg.MVNO", Doc: "the segment is an MVNO range"},
	{Name: "valid", Kind: Bool, Read: `e.r.Status != "cancelled"`, Fill: "r.Valid()",
		Doc: "the card counts in card totals (status is not cancelled)"},
	{Name: "never", Kind: Int, Read: "Never", Doc: "the value of a days_since_* count for what never happened"},

	// population features
	{Name: "pop.cards_on_operator", Kind: Int, Read: "e.features().CardsOnOperator", Fill: "f.CardsOnOperator",
		Val: "{kind: vPop, off: unsafe.Offsetof(Features{}.CardsOnOperator)}",
		Doc: "holder's valid cards at this card's operator (an MVNO brand counts as its own operator)"},
	{Name: "pop.cards_total", Kind: Int, Read: "e.features().CardsTotal", Fill: "f.CardsTotal",
		Val: "{kind: vPop, off: unsafe.Offsetof(Features{}.CardsTotal)}",
		Doc: "holder's valid cards at all operators"},
	{Name: "pop.cards_same_day", Kind: Int, Read: "e.features().CardsSameDay", Fill: "f.CardsSameDay",
		Val: "{kind: vPop, off: unsafe.Offsetof(Features{}.CardsSameDay)}",
		Doc: "holder's valid cards opened the same CST day"},
	{Name: "pop.operators", Kind: Int, Read: "e.features().Operators", Fill: "f.Operators",
		Val: "{kind: vPop, off: unsafe.Offsetof(Features{}.Operators)}",
		Doc: "distinct operators (MVNO brands apart) among the holder's valid cards"},
}

// RoamingFields are the fields of one roaming entry (a rule reads them on
// the entry a quantifier is looking at: .region, .last_seen, .days_ago).
// Record is the field of risk.Roaming.
func RoamingFields() []Field { return append([]Field(nil), roamingFields...) }

var roamingFields = []Field{
	{Name: "region", Kind: String, Record: "Region", Required: true, MaxBytes: 6,
		Doc: "ISO 3166 alpha-2 or 6-digit GB/T 2260 code"},
	{Name: "last_seen", Kind: Time, Record: "LastSeen", Doc: "Unix seconds, 0 when unknown"},
	{Name: "days_ago", Kind: Int, DaysSince: "last_seen", Doc: "days since last_seen; never when unknown"},
}

// Func is one domain function rules may call, besides the expression
// languages' own. Its implementation is one plain Go function per overload
// in package risk (funcs.go), which the expr environment, the CEL
// environment and the compiled evaluator all call; their declarations
// (argument and result types, overload names, cost) are derived from this
// table, and a test checks each implementation's Go type against it.
type Func struct {
	Name string
	// Docs document it: one row of rules/README.md's functions table and
	// one risk.Functions term per form it is written in.
	Docs []FuncDoc
	// Overloads are the argument kinds of each form it takes, in the order
	// of the implementations in package risk; Result is the kind all
	// return (String, Int or Bool).
	Overloads [][]Kind
	Result    Kind
	// Cost is the static cost estimate of one call besides its arguments'
	// (risk's max_cost), the same in both languages.
	Cost int
	// MaxBytes bounds a String result's length for the cost estimate (0:
	// the record limit risk.MaxTextBytes).
	MaxBytes int
}

// FuncDoc documents one form of a domain function.
type FuncDoc struct {
	Call    string // call syntax: in_region(code, lists.NAME)
	Meaning string // what it gives (Markdown)
}

// Funcs returns the domain functions, a new slice on each call.
func Funcs() []Func {
	fs := append([]Func(nil), funcs...)
	for i := range fs {
		fs[i].Overloads = append([][]Kind(nil), fs[i].Overloads...)
		fs[i].Docs = append([]FuncDoc(nil), fs[i].Docs...)
	}
	return fs
}

// LookupFunc returns the domain function of a name.
func LookupFunc(name string) (Func, bool) {
	for _, f := range funcs {
		if f.Name == name {
			f.Overloads = append([][]Kind(nil), f.Overloads...)
			f.Docs = append([]FuncDoc(nil), f.Docs...)
			return f, true
		}
	}
	return Func{}, false
}

var funcs = []Func{
	{Name: "in_region", Result: Bool, Cost: 4, Overloads: [][]Kind{{String, Regions}}, Docs: []FuncDoc{
		{"in_region(code, lists.NAME)", "`code` is in a region list. A province entry (`350000`) covers every code starting with its first 2 digits, a prefecture entry (`530900`) every code starting with its first 4, a county entry only itself, a country (`KH`) only itself. `code in lists.NAME` is an error for region lists: use `in_region`."}}},
	{Name: "days_between", Result: Int, Cost: 4, Overloads: [][]Kind{{Int, Int}}, Docs: []FuncDoc{
		{"days_between(a, b)", "CST calendar days from time `a` to time `b` (Unix seconds); `never` when either is 0."}}},
	{Name: "region_name", Result: String, Cost: 4, MaxBytes: 128, // some 30 Chinese characters
		Overloads: [][]Kind{{String}, {String, String}}, Docs: []FuncDoc{
			{"region_name(code)", "a region's name: `福建省龙岩市新罗区` for a GB/T 2260 code, `Cambodia` for `KH`, the code itself when unknown."},
			{"region_name(code, lang)", "the same in `\"zh\"` or `\"en\"`: in `\"zh\"` a country is named in Chinese (`柬埔寨` for `KH`; CLDR's names, as `golang.org/x/text/language/display` has them, with `TW`, `HK`, `MO` as `中国台湾`, `中国香港`, `中国澳门`); divisions are Chinese in both."}}},
	{Name: "display", Result: String, Cost: 4, MaxBytes: 64, // some 20 Chinese characters
		Overloads: [][]Kind{{String, String}, {Bool, String}}, Docs: []FuncDoc{
			{"display(value, lang)", "an enumerated value's name for people in `\"zh\"` or `\"en\"`: operators (`cmcc` 中国移动 / China Mobile), kinds, statuses, fraud-flag sources (`police` 公安机关), businesses (`new` 新装 / new install), the platforms of `linked_platforms` (`tencent` 腾讯), and booleans (`true` 是 / yes, `false` 否 / no); any other value as it is. The whole table is `risk.DisplayName`'s."}}},
	{Name: "mask", Result: String, Cost: 4, Overloads: [][]Kind{{String}}, Docs: []FuncDoc{
		{"mask(text)", "`text` with its middle hidden, the only way a reason may print `msisdn`, `iccid` or `holder`: `138****8000` (11 or more characters keep their first 3 and last 4), `110105********002X` (18 keep 6 and 4; 15 keep 6 and 3), shorter text at most its first 3."}}},
}

// Reserved returns the names besides the functions' that no macro may
// take.
func Reserved() []string { return []string{"params", "lists"} }

// Unread returns the card-schema v1 keys no rule reads yet: the readers
// accept them without storing them and warn about nothing.
func Unread() []string { return nil }
