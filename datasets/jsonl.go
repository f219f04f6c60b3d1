package datasets

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/risk/ref"
)

// MaxLineBytes is the longest record line a Reader accepts; a longer line is
// rejected (and skipped) without being held in memory.
const MaxLineBytes = 1 << 20

// Reject is a record that could not be used: its 1-based line number and
// why. The reason never holds the holder key, an ID number or a full MSISDN.
// A record is always one physical line, in both formats.
type Reject struct {
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

func (r *Reject) Error() string {
	return fmt.Sprintf("line %d: %s", r.Line, ref.MaskText(r.Reason))
}

// Reader streams card-schema v1 records from JSON Lines, one line in memory
// at a time. Each record is decoded strictly and validated at the as-of
// time; a bad one comes back as a *Reject error and reading goes on.
//
//	for {
//		rec, err := r.Read()
//		if err == io.EOF { break }
//		var rej *datasets.Reject
//		if errors.As(err, &rej) { /* log rej, continue */ continue }
//		if err != nil { return err } // I/O error: stop
//		use(rec)
//	}
//
// Blank lines (white space of any width, zero-width characters) are
// skipped and are not records. Lines end in LF, CRLF or CR; a UTF-8 byte
// order mark at the start of any line is skipped. A UTF-16 file is
// recognised (byte order mark, or NUL bytes) and read as such. Bytes that
// are not UTF-8 (or not in the encoding given WithEncoding) end the file
// with an error matching ErrNotUTF8.
type Reader struct {
	lr    *lineReader
	cfg   readConfig
	line  int
	n     int // records returned or rejected
	label Label
	err   error
	unk   unknowns
	keys  []string // unknown keys of the record being read
	// unknown appends to keys
	unknown func(string)
}

// NewReader returns a Reader of JSON Lines over r that validates records at
// asOf.
func NewReader(r io.Reader, asOf risk.Time, opts ...ReadOption) *Reader {
	cfg := newReadConfig(asOf, opts)
	in, err := decoder(r, cfg.encoding)
	if err != nil {
		return &Reader{cfg: cfg, err: err}
	}
	r2 := &Reader{lr: newLineReader(in), cfg: cfg}
	r2.unk = unknowns{cfg: &r2.cfg, what: "key", names: jsonNames}
	return r2
}

// Label is the ground-truth label of the record last returned, when the
// Reader was made WithLabels (zero otherwise, or when the record has none).
func (r *Reader) Label() Label { return r.label }

// Line is the line number of the record last returned or rejected.
func (r *Reader) Line() int { return r.line }

// Count is the number of records (non-blank lines) read so far, rejected
// ones included.
func (r *Reader) Count() int { return r.n }

// Read returns the next valid record, a *Reject for a bad one, io.EOF at the
// end, or another error when reading failed.
func (r *Reader) Read() (*risk.Record, error) {
	if r.err != nil {
		return nil, r.err
	}
	for {
		line, tooLong, err := r.lr.next()
		r.line = r.lr.line
		if err != nil {
			if err != io.EOF {
				r.err = err
			}
			return nil, err
		}
		if tooLong {
			r.n++
			return nil, &Reject{Line: r.line, Reason: tooLongReason}
		}
		if len(bytes.TrimFunc(line, isBlank)) == 0 {
			continue
		}
		r.n++
		rec := new(risk.Record)
		r.keys = r.keys[:0]
		if r.unknown == nil {
			r.unknown = keyCollector(&r.keys)
		}
		label, rej := r.cfg.decodeJSONLine(rec, line, "", false, r.line, r.unknown)
		for _, k := range r.keys {
			if err := r.unk.add(r.line, k); err != nil {
				r.err = err
				return nil, err
			}
		}
		r.label = label
		if rej != nil {
			return nil, rej
		}
		return rec, nil
	}
}

// decodeJSONLine decodes and validates one JSON Lines record (a line that
// is not blank) into rec, which must be zero, appending the keys it does
// not know to keys (at most 100). It is the part of Reader.Read that needs
// no state of the file, so that lines can be decoded on several goroutines;
// the caller reports the unknown keys (first) and the reject in line order.
// With shared, the record's text values are substrings of text, line as a
// string (a substring of its chunk's one copy: one allocation a chunk,
// not one a value or a line; for records dropped soon after). unknown is
// told of the keys (a keyCollector).
func (c *readConfig) decodeJSONLine(rec *risk.Record, line []byte, text string, shared bool, num int, unknown func(key string)) (Label, *Reject) {
	return c.decodeJSONLineTrusted(rec, line, text, shared, num, unknown, false)
}

// decodeJSONLineTrusted is decodeJSONLine that, when trusted, takes the
// word of an earlier pass over the same bytes that the record is valid:
// it is decoded and normalised (trimmed, aliases replaced, a raw ID
// holder keyed) and marked valid (trusted.MarkValid) without validating
// its values again; when it cannot be so, it is validated.
func (c *readConfig) decodeJSONLineTrusted(rec *risk.Record, line []byte, text string, shared bool, num int, unknown func(key string), trusted bool) (Label, *Reject) {
	var decodeErr error // the fast decoder, without encoding/json's extra pass
	if shared {
		decodeErr = rec.DecodeJSONText(text, unknown)
	} else {
		decodeErr = rec.DecodeJSON(line, unknown)
	}
	if re, ok := decodeErr.(*risk.RecordError); decodeErr != nil && (!ok || re.Field == "") {
		return Label{}, &Reject{Line: num, Reason: reason(decodeErr)} // not a JSON object: nothing more to say
	}
	var label Label
	if c.labels {
		var l struct {
			Label *Label `json:"label"`
		}
		if e := json.Unmarshal(line, &l); e != nil {
			return Label{}, &Reject{Line: num, Reason: "label: " + reason(e)}
		}
		if l.Label != nil {
			label = *l.Label
		}
	}
	if trusted && decodeErr == nil && c.finishTrusted(rec) {
		return label, nil
	}
	if e := c.finish(rec, decodeErr); e != nil {
		return label, &Reject{Line: num, Reason: reason(e)}
	}
	return label, nil
}

// keyCollector appends the keys it is told of to *keys, at most 100 a
// record (made once a reader: a function value made per line costs an
// allocation).
func keyCollector(keys *[]string) func(key string) {
	return func(key string) {
		if len(*keys) < 100 {
			*keys = append(*keys, key)
		}
	}
}

// reason is a reject's reason: the error's text through the one masker
// (ref.MaskText), so that no number or ID number leaves a reader in any
// spelling, whichever error produced it.
func reason(err error) string {
	var re *risk.RecordError
	if errors.As(err, &re) {
		return ref.MaskText(re.Error())
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return ref.MaskText(fmt.Sprintf("not valid JSON (at byte %d): %s", se.Offset, se.Error()))
	}
	return ref.MaskText(err.Error())
}

// Writer writes JSON Lines: records, decisions or rejects, one per line.
type Writer struct {
	bw  *bufio.Writer
	buf []byte
}

// NewWriter returns a buffered Writer; call Flush at the end.
func NewWriter(w io.Writer) *Writer { return &Writer{bw: bufio.NewWriterSize(w, 64<<10)} }

// WriteRecord writes one card-schema v1 record.
func (w *Writer) WriteRecord(r *risk.Record) error {
	w.buf = append(r.AppendJSON(w.buf[:0]), '\n')
	_, err := w.bw.Write(w.buf)
	return err
}

// WriteLabeled writes one record with its ground-truth label as a "label"
// object, which scoring ignores.
func (w *Writer) WriteLabeled(r *risk.Record, l Label) error {
	b := r.AppendJSON(w.buf[:0])
	b = append(b[:len(b)-1], `,"label":{"fraud":`...)
	b = strconv.AppendBool(b, l.Fraud)
	b = append(b, `,"scenario":`...)
	q, _ := json.Marshal(l.Scenario)
	b = append(append(b, q...), '}', '}', '\n')
	w.buf = b
	_, err := w.bw.Write(b)
	return err
}

// WriteDecision writes one decision.
func (w *Writer) WriteDecision(d *risk.Decision) error {
	w.buf = append(d.AppendJSON(w.buf[:0]), '\n')
	_, err := w.bw.Write(w.buf)
	return err
}

// WriteReject writes one reject as {"line": N, "reason": "..."}.
func (w *Writer) WriteReject(r *Reject) error {
	w.buf = appendReject(w.buf[:0], r)
	_, err := w.bw.Write(w.buf)
	return err
}

// appendReject appends a reject's line, as WriteReject writes it, to b.
func appendReject(b []byte, r *Reject) []byte {
	b = append(b, `{"line":`...)
	b = strconv.AppendInt(b, int64(r.Line), 10)
	b = append(b, `,"reason":`...)
	q, _ := json.Marshal(ref.MaskText(r.Reason))
	return append(append(b, q...), '}', '\n')
}

// Flush writes any buffered data.
func (w *Writer) Flush() error { return w.bw.Flush() }
