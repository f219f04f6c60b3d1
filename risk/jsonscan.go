package risk

import (
	"fmt"
	"strconv"
	"sync"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/simrisk/simrisk/internal/scan"
	"github.com/simrisk/simrisk/internal/vocab"
	"github.com/simrisk/simrisk/risk/ref"
)

// A hand-rolled decoder for card-schema v1's fixed shape: one pass over the
// bytes, no reflection, strings sliced without copying where they need no
// unescaping. It accepts and rejects what encoding/json into the schema's
// types does (a differential fuzz test holds it to that), keys matched
// case-insensitively as encoding/json does (ASCII letters only), except
// that a key repeated in one object rejects the record (encoding/json lets
// the last one win), and that it reports every field of the wrong type,
// not only the first.

type jscan struct {
	b          []byte
	src        string // b as a string, when decoding from one: values are cut from it
	i          int
	depth      int
	errs       []error          // problems with single fields; decoding goes on
	nerrs      int              // how many there were
	kbuf       []byte           // a key lower-cased
	kat        int              // where the key last read starts in b when it is b's bytes (not kbuf), else -1
	unknown    func(key string) // told of keys the schema does not know
	quiet      bool             // the plain walk (decoder.plain): keys the schema does not know are not told, only noted in sawUnknown
	sawUnknown bool
}

// fieldErr records a problem with one field's value, which is consumed;
// past MaxRecordErrors problems are only counted.
func (s *jscan) fieldErr(err error) {
	s.nerrs++
	if len(s.errs) < MaxRecordErrors {
		s.errs = append(s.errs, err)
	}
}

func (s *jscan) syntax(what string) error {
	if s.i >= len(s.b) {
		return recErr("", "not valid JSON (at byte %d): unexpected end of JSON input", s.i)
	}
	c, _ := utf8.DecodeRune(s.b[s.i:])
	shown := fmt.Sprintf("%U", c) // a byte order mark, a control character: by its code point
	if c != utf8.RuneError && unicode.IsPrint(c) {
		shown = strconv.QuoteRune(c)
	}
	return recErr("", "not valid JSON (at byte %d): invalid character %s %s", s.i+1, shown, what)
}

func (s *jscan) ws() {
	for s.i < len(s.b) && s.b[s.i] <= ' ' {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// kind names the JSON value at the cursor, as encoding/json's type errors do.
func (s *jscan) kind() string {
	if s.i >= len(s.b) {
		return "nothing"
	}
	switch c := s.b[s.i]; {
	case c == '"':
		return "string"
	case c == '{':
		return "object"
	case c == '[':
		return "array"
	case c == 't' || c == 'f':
		return "bool"
	case c == 'n':
		return "null"
	default:
		return "number"
	}
}

func (s *jscan) lit(word string) bool {
	if len(s.b)-s.i >= len(word) && string(s.b[s.i:s.i+len(word)]) == word {
		s.i += len(word)
		return true
	}
	return false
}

// null consumes a null literal if there is one.
func (s *jscan) null() bool {
	if s.i < len(s.b) && s.b[s.i] == 'n' {
		return s.lit("null")
	}
	return false
}

// str reads a string at the cursor.
func (s *jscan) str() (string, error) {
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return "", s.syntax("looking for beginning of value")
	}
	s.i++
	start := s.i
	s.i = scan.Plain(s.b, start) // eight bytes at a time
	switch {
	case s.i == len(s.b):
		return "", s.syntax("")
	case s.b[s.i] == '"':
		var v string
		if s.src != "" {
			v = s.src[start:s.i]
		} else {
			v = string(s.b[start:s.i])
		}
		s.i++
		return v, nil
	}
	return s.strSlow(start) // an escape, a control character or a multi-byte one
}

// strSlow reads a string with escapes or non-ASCII bytes, as encoding/json
// does: invalid UTF-8 bytes become U+FFFD one by one.
func (s *jscan) strSlow(start int) (string, error) {
	out := append([]byte(nil), s.b[start:s.i]...)
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			return string(out), nil
		case c < 0x20:
			return "", s.syntax("in string literal")
		case c == '\\':
			s.i++
			if s.i >= len(s.b) {
				return "", s.syntax("")
			}
			e := s.b[s.i]
			switch e {
			case '"', '\\', '/':
				out = append(out, e)
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				r, ok := s.hex4(s.i + 1)
				if !ok {
					return "", s.syntax("in \\u hexadecimal character escape")
				}
				s.i += 4
				if utf16.IsSurrogate(r) {
					// a pair, or one replacement character
					if s.i+2 < len(s.b) && s.b[s.i+1] == '\\' && s.b[s.i+2] == 'u' {
						if r2, ok := s.hex4(s.i + 3); ok {
							if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
								s.i += 6
								out = utf8.AppendRune(out, d)
								break
							}
						}
					}
					r = utf8.RuneError
				}
				out = utf8.AppendRune(out, r)
			default:
				return "", s.syntax("in string escape code")
			}
			s.i++
		case c < utf8.RuneSelf:
			out = append(out, c)
			s.i++
		default:
			r, size := utf8.DecodeRune(s.b[s.i:])
			if r == utf8.RuneError && size == 1 {
				out = append(out, "\uFFFD"...)
			} else {
				out = append(out, s.b[s.i:s.i+size]...)
			}
			s.i += size
		}
	}
	return "", s.syntax("")
}

func (s *jscan) hex4(at int) (rune, bool) {
	if at+4 > len(s.b) {
		return 0, false
	}
	var r rune
	for _, c := range s.b[at : at+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// number reads a JSON number's text.
func (s *jscan) number() (string, error) {
	start := s.i
	if s.i < len(s.b) && s.b[s.i] == '-' {
		s.i++
	}
	switch {
	case s.i < len(s.b) && s.b[s.i] == '0':
		s.i++
	case s.i < len(s.b) && s.b[s.i] >= '1' && s.b[s.i] <= '9':
		for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
			s.i++
		}
	default:
		return "", s.syntax("looking for beginning of value")
	}
	if s.i < len(s.b) && s.b[s.i] == '.' {
		s.i++
		if s.i >= len(s.b) || s.b[s.i] < '0' || s.b[s.i] > '9' {
			return "", s.syntax("after decimal point in numeric literal")
		}
		for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
			s.i++
		}
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		if s.i >= len(s.b) || s.b[s.i] < '0' || s.b[s.i] > '9' {
			return "", s.syntax("in exponent of numeric literal")
		}
		for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
			s.i++
		}
	}
	return string(s.b[start:s.i]), nil
}

// skip consumes any JSON value.
func (s *jscan) skip() error {
	s.ws()
	if s.i >= len(s.b) {
		return s.syntax("")
	}
	switch c := s.b[s.i]; c {
	case '"':
		_, err := s.str()
		return err
	case '{', '[':
		if s.depth++; s.depth > 10000 {
			return recErr("", "not valid JSON: nested too deep")
		}
		defer func() { s.depth-- }()
		if c == '{' {
			return s.object("", "", "", func([]byte) (int, error) { return -1, s.skip() })
		}
		return s.list("", "", s.skip)
	case 't':
		return s.literal("true")
	case 'f':
		return s.literal("false")
	case 'n':
		return s.literal("null")
	default:
		_, err := s.number()
		return err
	}
}

// literal consumes word, or reports the first character that differs.
func (s *jscan) literal(word string) error {
	for k := 0; k < len(word); k++ {
		if s.i >= len(s.b) {
			return s.syntax("")
		}
		if s.b[s.i] != word[k] {
			return s.syntax(fmt.Sprintf("in literal %s (expecting %q)", word, word[k]))
		}
		s.i++
	}
	return nil
}

// typeErr reports a value of the wrong type, consuming it (the value must
// still be valid JSON).
// It returns only an error that ends decoding (bad JSON); the type error
// itself is recorded (fieldErr) and decoding goes on.
func (s *jscan) typeErr(field, want string) error {
	got := s.kind()
	start := s.i
	if err := s.skip(); err != nil {
		return err
	}
	if got == "number" {
		got = "number " + ref.Quote(string(s.b[start:s.i])) // masked: it may be a phone or ID number
	}
	s.fieldErr(recErr(field, "want %s, got %s", want, got))
	return nil
}

func (s *jscan) strField(field string, dst *string) error {
	if s.null() {
		return nil
	}
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return s.typeErr(field, "a string")
	}
	v, err := s.str()
	*dst = v
	return err
}

func (s *jscan) timeField(field string, dst *Time) (string, bool, error) {
	if s.null() {
		return "", false, nil
	}
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return "", false, s.typeErr(field, "a string")
	}
	v, err := s.str()
	return v, true, err
}

func (s *jscan) boolField(field string, dst *bool) error {
	if s.null() {
		return nil
	}
	switch {
	case s.lit("true"):
		*dst = true
	case s.lit("false"):
		*dst = false
	default:
		return s.typeErr(field, "true or false")
	}
	return nil
}

func (s *jscan) intField(field string, dst *int) error {
	if s.null() {
		return nil
	}
	if s.i >= len(s.b) || (s.b[s.i] != '-' && (s.b[s.i] < '0' || s.b[s.i] > '9')) {
		return s.typeErr(field, "an integer")
	}
	text, err := s.number()
	if err != nil {
		return err
	}
	n, perr := strconv.ParseInt(text, 10, 64)
	if perr != nil {
		s.fieldErr(recErr(field, "want an integer, got number %s", ref.Quote(text))) // masked: it may be a phone or ID number
		return nil
	}
	*dst = int(n)
	return nil
}

// list walks a JSON array, calling item for each element.
func (s *jscan) list(field, want string, item func() error) error {
	if s.null() {
		return nil
	}
	if s.i >= len(s.b) || s.b[s.i] != '[' {
		return s.typeErr(field, want)
	}
	s.i++
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == ']' {
		s.i++
		return nil
	}
	for {
		s.ws()
		if err := item(); err != nil {
			return err
		}
		s.ws()
		if s.i >= len(s.b) {
			return s.syntax("")
		}
		switch s.b[s.i] {
		case ',':
			s.i++
		case ']':
			s.i++
			return nil
		default:
			return s.syntax("after array element")
		}
	}
}

// key reads an object key at the cursor, lower-casing ASCII letters. The
// slice is valid until the next key is read.
func (s *jscan) key() ([]byte, error) {
	if s.i < len(s.b) && s.b[s.i] == '"' {
		// the common case: no escapes, no upper case, no multi-byte characters
		j := scan.Plain(s.b, s.i+1)
		if j < len(s.b) && s.b[j] == '"' {
			k := s.b[s.i+1 : j]
			s.kat = s.i + 1
			s.i = j + 1
			if !scan.HasUpper(k) {
				return k, nil
			}
			s.kat = -1
			s.kbuf = append(s.kbuf[:0], k...)
			return lowerASCII(s.kbuf), nil
		}
	}
	s.kat = -1
	k, err := s.str()
	if err != nil {
		return nil, err
	}
	s.kbuf = append(s.kbuf[:0], k...)
	return lowerASCII(s.kbuf), nil
}

func lowerASCII(b []byte) []byte {
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return b
}

// object walks a JSON object, calling field for each key (lower-cased, the
// cursor on its value). field consumes the value and returns the index of
// the schema field the key named, or -1 for a key the schema does not know.
// A key given twice (in any case) is a problem of the record, named by its
// path: where (the object's path, "" at the top) and the key.
func (s *jscan) object(name, want, where string, field func(key []byte) (int, error)) error {
	if s.i >= len(s.b) || s.b[s.i] != '{' {
		if name == "" {
			return recErr("", "want a JSON object, got %s", s.kind())
		}
		return s.typeErr(name, want)
	}
	s.i++
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == '}' {
		s.i++
		return nil
	}
	var seen uint64          // known fields given so far, by index
	var few [8]string        // others' first ones, without an allocation
	others := few[:0]        // keys the schema does not know, given so far
	var many map[string]bool // others, once there are many
	for {
		s.ws()
		key, err := s.key()
		if err != nil {
			return err
		}
		// the key as a string, for a key the schema does not know or one
		// given twice: a substring of the line when the key is its bytes,
		// else a copy made now (kbuf is the next key's too, and the value
		// may hold keys)
		kat, kcopy := s.kat, ""
		if kat < 0 {
			kcopy = string(key)
		}
		keyString := func() string {
			switch {
			case kat < 0:
				return kcopy
			case s.src != "":
				return s.src[kat : kat+len(key)]
			}
			return string(key)
		}
		s.ws()
		if s.i >= len(s.b) || s.b[s.i] != ':' {
			return s.syntax("after object key")
		}
		s.i++
		s.ws()
		var k string // the key, kept only when it is not the schema's
		idx, err := field(key)
		if err != nil {
			return err
		}
		dup := false
		if idx >= 0 {
			dup = seen&(1<<idx) != 0
			seen |= 1 << idx
			if dup {
				k = keyString()
			}
		} else {
			k = keyString()
			switch {
			case many != nil:
				dup = many[k]
				many[k] = true
			default:
				for _, o := range others {
					if o == k {
						dup = true
						break
					}
				}
				others = append(others, k)
				if len(others) > 32 {
					many = make(map[string]bool, 64)
					for _, o := range others {
						many[o] = true
					}
				}
			}
		}
		if dup {
			path := k
			if where != "" {
				path = where + "." + k
			}
			s.fieldErr(recErr(path, "the key appears twice in one object (which value is meant?)"))
		}
		s.ws()
		if s.i >= len(s.b) {
			return s.syntax("")
		}
		switch s.b[s.i] {
		case ',':
			s.i++
		case '}':
			s.i++
			return nil
		default:
			return s.syntax("after object key:value pair")
		}
	}
}

// report tells the caller of a key the schema does not know, by its path.
func (s *jscan) report(where string, key []byte) {
	if s.quiet {
		s.sawUnknown = true
		return
	}
	if s.unknown == nil {
		return
	}
	if where != "" {
		s.unknown(where + "." + string(key))
		return
	}
	s.unknown(string(key))
}

// decoder holds the state of decoding one record; its field method (the
// key dispatch, generated from the vocabulary table into vocab_gen.go)
// decodes each top-level key.
type decoder struct {
	s     *jscan
	r     *Record
	have  uint64 // required fields given, by their index
	dates [nDates]pendingDate
}

// pendingDate is a date read as text, parsed once the object is read.
type pendingDate struct {
	field string
	text  string
	set   bool
	dst   *Time
}

// requiredStr reads a required text field (slot is its index).
func (d *decoder) requiredStr(slot int, field string, dst *string) error {
	s := d.s
	if s.null() {
		d.have &^= 1 << slot
		*dst = ""
		return nil
	}
	d.have |= 1 << slot
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return s.typeErr(field, "a string")
	}
	v, err := s.str()
	*dst = v
	return err
}

// date reads a date's text into its slot of d.dates.
func (d *decoder) date(slot int, field string, dst *Time) error {
	text, ok, err := d.s.timeField(field, dst)
	if err != nil {
		return err
	}
	d.dates[slot] = pendingDate{field, text, ok, dst}
	return nil
}

// strings reads a list of strings (a null item reads as "").
func (d *decoder) strings(field string, dst *[]string) error {
	s := d.s
	if s.null() {
		*dst = nil
		return nil
	}
	*dst = (*dst)[:0]
	if s.i < len(s.b) && s.b[s.i] == '[' {
		*dst = []string{}
	}
	return s.list(field, "a list of strings", func() error {
		if s.null() {
			*dst = append(*dst, "")
			return nil
		}
		if s.i >= len(s.b) || s.b[s.i] != '"' {
			return s.typeErr(field, "a list of strings")
		}
		v, err := s.str()
		*dst = append(*dst, v)
		return err
	})
}

// roaming reads the roaming list.
func (d *decoder) roaming() error {
	s, r := d.s, d.r
	if s.null() {
		r.Roaming = nil
		return nil
	}
	r.Roaming = nil // an empty list reads as no roaming, as before
	return s.list("roaming", `a list of {"region", "last_seen"}`, func() error {
		i := len(r.Roaming)
		r.Roaming = append(r.Roaming, Roaming{})
		if s.null() {
			s.fieldErr(recErr(fmt.Sprintf("roaming[%d].region", i), "is required"))
			return nil
		}
		haveRegion := false
		var seen string
		haveSeen := false
		nerr := s.nerrs
		err := s.object("roaming", `an object {"region", "last_seen"}`, "roaming", func(k []byte) (int, error) {
			switch string(k) {
			case "region":
				if s.null() {
					haveRegion = false
					return 0, nil
				}
				haveRegion = true
				return 0, s.strField("roaming.region", &r.Roaming[i].Region)
			case "last_seen":
				text, ok, err := s.timeField("roaming.last_seen", nil)
				seen, haveSeen = text, ok
				return 1, err
			}
			s.report("roaming", k)
			return -1, s.skip()
		})
		if err != nil || s.nerrs > nerr {
			return err // not an object, or a field of the wrong type: said already
		}
		if !haveRegion {
			s.fieldErr(recErr(fmt.Sprintf("roaming[%d].region", i), "is required"))
		}
		if haveSeen {
			t, err := ParseTime(seen)
			if err != nil {
				s.fieldErr(recErr(fmt.Sprintf("roaming[%d].last_seen", i), "%v", err))
			} else {
				r.Roaming[i].LastSeen = t
			}
		}
		return nil
	})
}

// unread are the card-schema keys no rule reads yet (vocab.Unread): known,
// skipped.
var unread = func() map[string]bool {
	m := map[string]bool{}
	for _, k := range vocab.Unread() {
		m[k] = true
	}
	return m
}()

// other handles a top-level key that is not a field of the record; next is
// the first index no field uses.
func (d *decoder) other(key []byte, next int) (int, error) {
	s := d.s
	switch {
	case string(key) == "label": // the generator's ground truth, which scoring ignores
		return next, s.skip()
	case unread[string(key)]:
		return next + 1, s.skip()
	}
	s.report("", key)
	return -1, s.skip()
}

// decodeFast decodes one card-schema v1 object into r; unknown, when not
// nil, is told of each key the schema does not know, by its path (iot.x,
// roaming.x).
func (r *Record) decodeFast(data []byte, unknown func(key string)) error {
	return r.decodeFastText(data, "", unknown)
}

// decodeFastText is decodeFast where src, when not "", is data as a
// string: text values are cut from it instead of copied.
func (r *Record) decodeFastText(data []byte, src string, unknown func(key string)) error {
	*r = Record{}
	if plainWalk {
		// a decoder from the pool: one a line would be garbage
		d := decoders.Get().(*decoder)
		*d.s = jscan{b: data, src: src, quiet: true, kbuf: d.s.kbuf[:0]}
		*d = decoder{s: d.s, r: r}
		ok := d.plain()
		var err error
		if ok {
			err = d.finish()
		}
		*d.s = jscan{kbuf: d.s.kbuf[:0]} // no line or record kept alive by the pool
		*d = decoder{s: d.s}
		decoders.Put(d)
		if ok {
			return err
		}
		*r = Record{}
	}
	// the general walk, from the start
	d := &decoder{s: &jscan{b: data, src: src, unknown: unknown}, r: r}
	s := d.s
	s.ws()
	if s.i < len(s.b) && s.b[s.i] != '{' {
		// not an object: say so if it is valid JSON, else where it breaks
		kind := s.kind()
		if err := s.skip(); err != nil {
			return err
		}
		s.ws()
		if s.i != len(s.b) {
			return s.syntax("after top-level value")
		}
		if kind == "null" {
			return recErr("msisdn", "is required")
		}
		return recErr("", "want a JSON object, got %s", kind)
	}
	if err := s.object("", "", "", d.field); err != nil {
		return err
	}
	s.ws()
	if s.i != len(s.b) {
		return s.syntax("after top-level value")
	}
	return d.finish()
}

// decoders are the plain walk's decoders, reused.
var decoders = sync.Pool{New: func() any { return &decoder{s: &jscan{}} }}

// plainWalk turns the plain walk on (tests compare it with the general).
var plainWalk = true

// plain walks a record object whose keys are plain (ASCII without escapes,
// lower case, each once) and whose values have the right types, with no
// key the schema does not know (but label and the unread ones), filling
// d.r as the general walk (jscan.object) would: one loop and direct calls
// of the key dispatch, without the general walk's bookkeeping for keys in
// other case, keys given twice and unknown keys. It reports false, having
// told no one anything, at the first thing it does not take; the caller
// then decodes the line again the general way, which says what it is.
func (d *decoder) plain() bool {
	s := d.s
	b := s.b
	s.ws()
	if s.i >= len(b) || b[s.i] != '{' {
		return false
	}
	s.i++
	s.ws()
	if s.i < len(b) && b[s.i] == '}' {
		s.i++
	} else {
		var seen uint64 // fields given, by index
		for {
			if s.i >= len(b) || b[s.i] != '"' {
				return false
			}
			j := scan.Plain(b, s.i+1)
			if j >= len(b) || b[j] != '"' {
				return false
			}
			key := b[s.i+1 : j]
			if scan.HasUpper(key) {
				return false
			}
			s.i = j + 1
			s.ws()
			if s.i >= len(b) || b[s.i] != ':' {
				return false
			}
			s.i++
			s.ws()
			idx, err := d.field(key)
			if err != nil || idx < 0 || idx > 63 || s.nerrs > 0 || s.sawUnknown || seen&(1<<idx) != 0 {
				return false
			}
			seen |= 1 << idx
			s.ws()
			if s.i >= len(b) {
				return false
			}
			if b[s.i] == '}' {
				s.i++
				break
			}
			if b[s.i] != ',' {
				return false
			}
			s.i++
			s.ws()
		}
	}
	s.ws()
	return s.i == len(b)
}

// finish checks the required fields and parses the dates of a record
// walked whole.
func (d *decoder) finish() error {
	s := d.s
	d.required()
	for i := range d.dates {
		p := &d.dates[i] // not a copy of each: most are not set
		if !p.set {
			continue
		}
		t, err := ParseTime(p.text)
		if err != nil {
			s.fieldErr(recErr(p.field, "%v", err))
			continue
		}
		*p.dst = t
	}
	if more := s.nerrs - len(s.errs); more > 0 {
		s.errs = append(s.errs, &RecordError{Reason: fmt.Sprintf("and %d more problems", more)})
	}
	if len(s.errs) > 0 {
		return JoinRecordErrors(s.errs...)
	}
	return nil
}
