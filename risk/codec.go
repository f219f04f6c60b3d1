package risk

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/simrisk/simrisk/risk/ref"
)

// wire is card-schema v1 as JSON. Dates are kept as text and read after
// decoding, so that a bad date is reported with its field name.
type wire struct {
	MSISDN           *string       `json:"msisdn"`
	ICCID            *string       `json:"iccid"`
	Operator         *string       `json:"operator"`
	MVNO             *string       `json:"mvno"`
	Kind             *string       `json:"kind"`
	Status           *string       `json:"status"`
	OpenedAt         *string       `json:"opened_at"`
	Holder           *string       `json:"holder"`
	IDRegion         *string       `json:"id_region"`
	LastVoiceAt      *string       `json:"last_voice_at"`
	LastSMSAt        *string       `json:"last_sms_at"`
	LastDataAt       *string       `json:"last_data_at"`
	OpenRegion       *string       `json:"open_region"`
	Roaming          []wireRoaming `json:"roaming"`
	FraudFlag        *string       `json:"fraud_flag"`
	Complaints       *int64        `json:"complaints"`
	Alerts30d        *int64        `json:"alerts_30d"`
	VerifyRequiredAt *string       `json:"verify_required_at"`
	VerifiedAt       *string       `json:"verified_at"`
	Recycled         *bool         `json:"recycled"`
	ReleasedAt       *string       `json:"released_at"`
	Renewed          *bool         `json:"renewed"`
	LinkedPlatforms  []string      `json:"linked_platforms"`
	IoT              *wireIoT      `json:"iot"`
}

type wireRoaming struct {
	Region   *string `json:"region"`
	LastSeen *string `json:"last_seen"`
}

type wireIoT struct {
	TestPlan         *bool   `json:"test_plan"`
	NondirectedData  *bool   `json:"nondirected_data"`
	NondirectedVoice *bool   `json:"nondirected_voice"`
	NondirectedSMS   *bool   `json:"nondirected_sms"`
	DirectedVoice    *bool   `json:"directed_voice"`
	DirectedSMS      *bool   `json:"directed_sms"`
	UserRealnamed    *bool   `json:"user_realnamed"`
	Business         *string `json:"business"`
	HandlerVerified  *bool   `json:"handler_verified"`
	ProvinceApproval *bool   `json:"province_approval"`
	GroupApproval    *bool   `json:"group_approval"`
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func boolv(p *bool) bool { return p != nil && *p }

// UnmarshalJSON reads one card-schema v1 object strictly: a field of the
// wrong type is an error naming the field (every such field, in one
// *RecordError); a key given twice in one object, at any depth, is an error
// naming it; fields the schema does not know are ignored (the library may
// accept more fields); keys match case-insensitively (MSISDN is msisdn).
// It does not Validate.
func (r *Record) UnmarshalJSON(data []byte) error { return r.decodeFast(data, nil) }

// DecodeJSON is UnmarshalJSON that also tells unknown (when not nil) of
// every key the schema does not know, by its path: the key at the top
// level, iot.KEY inside iot, roaming.KEY inside a roaming entry (the
// values inside an unknown key are not looked into). Record readers use it
// to warn about misspelt fields.
func (r *Record) DecodeJSON(data []byte, unknown func(key string)) error {
	return r.decodeFast(data, unknown)
}

// decodeReference is the encoding/json decoder the fast one is tested
// against.
func (r *Record) decodeReference(data []byte) error {
	var w wire
	if err := json.Unmarshal(data, &w); err != nil {
		return jsonError(err)
	}
	*r = Record{
		MSISDN: str(w.MSISDN), ICCID: str(w.ICCID), Operator: str(w.Operator), MVNO: str(w.MVNO),
		Kind: str(w.Kind), Status: str(w.Status), Holder: str(w.Holder), IDRegion: str(w.IDRegion),
		OpenRegion: str(w.OpenRegion), FraudFlag: str(w.FraudFlag),
		Recycled: boolv(w.Recycled), Renewed: boolv(w.Renewed), LinkedPlatforms: w.LinkedPlatforms,
	}
	if w.MSISDN == nil {
		return recErr("msisdn", "is required")
	}
	if w.Complaints != nil {
		r.Complaints = int(*w.Complaints)
	}
	if w.Alerts30d != nil {
		r.Alerts30d = int(*w.Alerts30d)
	}
	var err error
	date := func(field string, p *string, dst *Time) {
		if err != nil || p == nil {
			return
		}
		t, e := ParseTime(*p)
		if e != nil {
			err = recErr(field, "%v", e)
			return
		}
		*dst = t
	}
	date("opened_at", w.OpenedAt, &r.OpenedAt)
	date("last_voice_at", w.LastVoiceAt, &r.LastVoiceAt)
	date("last_sms_at", w.LastSMSAt, &r.LastSMSAt)
	date("last_data_at", w.LastDataAt, &r.LastDataAt)
	date("verify_required_at", w.VerifyRequiredAt, &r.VerifyRequiredAt)
	date("verified_at", w.VerifiedAt, &r.VerifiedAt)
	date("released_at", w.ReleasedAt, &r.ReleasedAt)
	if len(w.Roaming) > 0 {
		r.Roaming = make([]Roaming, len(w.Roaming))
		for i, ro := range w.Roaming {
			if ro.Region == nil {
				return recErr(fmt.Sprintf("roaming[%d].region", i), "is required")
			}
			r.Roaming[i].Region = *ro.Region
			date(fmt.Sprintf("roaming[%d].last_seen", i), ro.LastSeen, &r.Roaming[i].LastSeen)
		}
	}
	if w.IoT != nil {
		r.IoT = IoT{
			TestPlan: boolv(w.IoT.TestPlan), NondirectedData: boolv(w.IoT.NondirectedData),
			NondirectedVoice: boolv(w.IoT.NondirectedVoice), NondirectedSMS: boolv(w.IoT.NondirectedSMS),
			DirectedVoice: boolv(w.IoT.DirectedVoice), DirectedSMS: boolv(w.IoT.DirectedSMS),
			UserRealnamed: boolv(w.IoT.UserRealnamed), Business: str(w.IoT.Business),
			HandlerVerified: boolv(w.IoT.HandlerVerified), ProvinceApproval: boolv(w.IoT.ProvinceApproval),
			GroupApproval: boolv(w.IoT.GroupApproval),
		}
	}
	return err
}

// jsonError turns encoding/json's messages into schema terms without
// echoing values (which may be personal data).
func jsonError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if n, ok := strings.CutPrefix(te.Value, "number "); ok {
			te.Value = "number " + ref.Quote(n) // masked: it may be a phone or ID number
		}
		field := te.Field
		if field == "" {
			return recErr("", "want a JSON object, got %s", te.Value)
		}
		return recErr(field, "want %s, got %s", jsonTypeName(te.Type.String()), te.Value)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return recErr("", "not valid JSON at byte %d: %s", se.Offset, se.Error())
	}
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "json: ")
	return recErr("", "%s", msg)
}

func jsonTypeName(t string) string {
	switch strings.TrimPrefix(t, "*") {
	case "string":
		return "a string"
	case "int64":
		return "an integer"
	case "bool":
		return "true or false"
	case "[]string":
		return "a list of strings"
	case "[]risk.wireRoaming":
		return `a list of {"region", "last_seen"}`
	case "risk.wireIoT":
		return "an object"
	case "risk.wireRoaming":
		return `an object {"region", "last_seen"}`
	}
	return t
}

// MarshalJSON writes the record as one card-schema v1 object, leaving out
// absent and zero fields.
func (r *Record) MarshalJSON() ([]byte, error) {
	return r.AppendJSON(nil), nil
}

// AppendJSON appends the record's card-schema v1 JSON to b.
func (r *Record) AppendJSON(b []byte) []byte {
	w := objWriter{b: append(b, '{')}
	w.str("msisdn", r.MSISDN)
	w.str("iccid", r.ICCID)
	w.str("operator", r.Operator)
	w.str("mvno", r.MVNO)
	w.str("kind", r.Kind)
	w.str("status", r.Status)
	w.time("opened_at", r.OpenedAt)
	w.str("holder", r.Holder)
	w.str("id_region", r.IDRegion)
	w.time("last_voice_at", r.LastVoiceAt)
	w.time("last_sms_at", r.LastSMSAt)
	w.time("last_data_at", r.LastDataAt)
	w.str("open_region", r.OpenRegion)
	if len(r.Roaming) > 0 {
		w.key("roaming")
		w.b = append(w.b, '[')
		for i, ro := range r.Roaming {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			ow := objWriter{b: append(w.b, '{')}
			ow.str("region", ro.Region)
			ow.time("last_seen", ro.LastSeen)
			w.b = append(ow.b, '}')
		}
		w.b = append(w.b, ']')
	}
	w.str("fraud_flag", r.FraudFlag)
	w.int("complaints", r.Complaints)
	w.int("alerts_30d", r.Alerts30d)
	w.time("verify_required_at", r.VerifyRequiredAt)
	w.time("verified_at", r.VerifiedAt)
	w.bool("recycled", r.Recycled)
	w.time("released_at", r.ReleasedAt)
	w.bool("renewed", r.Renewed)
	if len(r.LinkedPlatforms) > 0 {
		w.key("linked_platforms")
		w.b = append(w.b, '[')
		for i, p := range r.LinkedPlatforms {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			w.b = appendJSONString(w.b, p)
		}
		w.b = append(w.b, ']')
	}
	if r.IoT != (IoT{}) {
		w.key("iot")
		ow := objWriter{b: append(w.b, '{')}
		ow.bool("test_plan", r.IoT.TestPlan)
		ow.bool("nondirected_data", r.IoT.NondirectedData)
		ow.bool("nondirected_voice", r.IoT.NondirectedVoice)
		ow.bool("nondirected_sms", r.IoT.NondirectedSMS)
		ow.bool("directed_voice", r.IoT.DirectedVoice)
		ow.bool("directed_sms", r.IoT.DirectedSMS)
		ow.bool("user_realnamed", r.IoT.UserRealnamed)
		ow.str("business", r.IoT.Business)
		ow.bool("handler_verified", r.IoT.HandlerVerified)
		ow.bool("province_approval", r.IoT.ProvinceApproval)
		ow.bool("group_approval", r.IoT.GroupApproval)
		w.b = append(ow.b, '}')
	}
	return append(w.b, '}')
}

type objWriter struct {
	b []byte
	n int
}

func (w *objWriter) key(k string) {
	if w.n > 0 {
		w.b = append(w.b, ',')
	}
	w.n++
	w.b = append(w.b, '"')
	w.b = append(w.b, k...)
	w.b = append(w.b, '"', ':')
}

func (w *objWriter) str(k, v string) {
	if v == "" {
		return
	}
	w.key(k)
	w.b = appendJSONString(w.b, v)
}

func (w *objWriter) time(k string, t Time) {
	if t == 0 {
		return
	}
	w.key(k)
	w.b = append(w.b, '"')
	w.b = t.AppendText(w.b)
	w.b = append(w.b, '"')
}

func (w *objWriter) int(k string, v int) {
	if v == 0 {
		return
	}
	w.key(k)
	w.b = strconv.AppendInt(w.b, int64(v), 10)
}

func (w *objWriter) bool(k string, v bool) {
	if !v {
		return
	}
	w.key(k)
	w.b = append(w.b, "true"...)
}

// appendJSONString quotes s as JSON (not Go) would, keeping valid UTF-8 as
// is: quotes, backslashes and control characters are escaped, and each byte
// that is not part of valid UTF-8 is written as U+FFFD (as encoding/json
// does), so that the output is always valid JSON whatever s holds.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	last := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r != utf8.RuneError || size != 1 {
				i += size
				continue
			}
			b = append(append(b, s[last:i]...), `\ufffd`...)
			i++
			last = i
			continue
		}
		b = append(b, s[last:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			const hex = "0123456789abcdef"
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		i++
		last = i
	}
	b = append(b, s[last:]...)
	return append(b, '"')
}

// appendJSONNumber writes f as a JSON number: NaN and the infinities, which
// JSON cannot hold (the engine never produces them), are written as 0 and
// as the largest finite values.
func appendJSONNumber(b []byte, f float64) []byte {
	switch {
	case f != f:
		f = 0
	case f > math.MaxFloat64:
		f = math.MaxFloat64
	case f < -math.MaxFloat64:
		f = -math.MaxFloat64
	}
	return strconv.AppendFloat(b, f, 'f', -1, 64)
}
