package risk

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unsafe"

	"github.com/simrisk/simrisk/internal/jsonenc"
	"github.com/simrisk/simrisk/risk/ref"
)

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

// DecodeJSONText is DecodeJSON of a record held as a string: the record's
// text values are substrings of line rather than copies, one allocation
// (the string) instead of one per value, and they keep all of line in
// memory as long as the record holds any of them.
func (r *Record) DecodeJSONText(line string, unknown func(key string)) error {
	if line == "" {
		return r.decodeFast(nil, unknown)
	}
	return r.decodeFastText(unsafe.Slice(unsafe.StringData(line), len(line)), line, unknown) // read, never written
}

// decodeReference is the encoding/json decoder the fast one is tested
// against.
func (r *Record) decodeReference(data []byte) error {
	var w wire
	if err := json.Unmarshal(data, &w); err != nil {
		return jsonError(err)
	}
	*r = Record{}
	w.scalars(r)
	if w.MSISDN == nil {
		return recErr("msisdn", "is required")
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
	w.dates(r, date)
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
	r.appendFields(&w)
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
	w.b = jsonenc.String(w.b, v)
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

func (w *objWriter) strs(k string, v []string) {
	if len(v) == 0 {
		return
	}
	w.key(k)
	w.b = append(w.b, '[')
	for i, s := range v {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.b = jsonenc.String(w.b, s)
	}
	w.b = append(w.b, ']')
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
