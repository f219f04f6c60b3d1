package datasets

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/risk/ref"
)

// CSVReader streams card-schema v1 records from CSV, one record in memory
// at a time, like Reader does for JSON Lines. The first non-blank row is the
// header: it must name msisdn; names match case-insensitively, and empty
// header cells at its end are ignored (Excel writes them).
//
// Each physical line is one row: a quoted field may hold commas and quotes
// written twice, but not a line end. Reading never loses or merges a line:
// every physical line is the header (or a repeat of it, in files exported
// in parts and concatenated), blank, a record or a reject. A line that is
// not valid CSV (a quote not closed on its line, a quote inside an unquoted
// field, text after a closing quote) is rejected alone and reading resumes
// at the next line, so one stray quote never takes another line's data or
// hides it. A line may hold at most MaxLineBytes bytes. Lines end in LF,
// CRLF or CR; a UTF-8 byte order mark at the start of any line is skipped.
// Spaces around a cell (white space of any width, and zero-width
// characters) are not part of its value.
type CSVReader struct {
	lr  *lineReader
	cfg readConfig
	csvHeader
	csvRows
	err     error // a fatal error: the header, the encoding, I/O
	started bool
	line    int // line of the row last returned or rejected
	hdrLine int // the header's line
	n       int
	headers int // repeats of the header skipped
	label   Label
	unk     unknowns
}

// csvHeader is what a CSV file's header says: its columns' names and how
// each column sets a record's field.
type csvHeader struct {
	setters []fieldSetter
	names   []string
	named   int // header cells up to the last one with a name
}

// csvRows is the scratch space of reading rows, one per goroutine.
type csvRows struct {
	row    []byte // the row's field contents, one after another
	ends   []int  // where each field ends in row
	fields []string
	errs   []error
}

// NewCSVReader returns a CSVReader over r that validates records at asOf.
func NewCSVReader(r io.Reader, asOf risk.Time, opts ...ReadOption) *CSVReader {
	cfg := newReadConfig(asOf, opts)
	in, err := decoder(r, cfg.encoding)
	if err != nil {
		return &CSVReader{cfg: cfg, err: err, started: true}
	}
	r2 := &CSVReader{lr: newLineReader(in), cfg: cfg}
	r2.unk = unknowns{cfg: &r2.cfg, what: "column", names: csvNames}
	return r2
}

// Line is the line number where the record last returned or rejected starts.
func (r *CSVReader) Line() int { return r.line }

// Count is the number of records read so far, rejected ones included.
func (r *CSVReader) Count() int { return r.n }

// Label is the label of the record last returned (WithLabels).
func (r *CSVReader) Label() Label { return r.label }

func (r *CSVReader) nextLine() (num int, text []byte, tooLong bool, err error) {
	text, tooLong, err = r.lr.next()
	return r.lr.line, text, tooLong, err
}

// readRow reads one row, one physical line, into r.row and r.ends. It
// returns the row's line, or a reason when the line is not valid CSV, or
// io.EOF at the end, or a fatal error. A quoted field may not hold a line
// end: a quote still open at the end of its line is a stray one, and the
// line alone is rejected.
func (r *CSVReader) readRow() (num int, bad string, err error) {
	num, text, tooLong, err := r.nextLine()
	if err != nil {
		return 0, "", err
	}
	if tooLong {
		return num, tooLongReason, nil
	}
	return num, r.parse(text), nil
}

var tooLongReason = fmt.Sprintf("line is longer than %d bytes (MaxLineBytes)", MaxLineBytes)

// parse splits one physical line into r.row and r.ends, or returns why it
// is not valid CSV.
func (r *csvRows) parse(text []byte) (bad string) {
	r.row, r.ends = r.row[:0], r.ends[:0]
	i := 0
	for { // a field
		field := len(r.ends) + 1
		if i < len(text) && text[i] == '"' {
			i++
			for {
				q := bytes.IndexByte(text[i:], '"')
				if q < 0 {
					return fmt.Sprintf("not valid CSV: the quote opened in field %d is not closed on this line (a field cannot span lines; this line alone is rejected)", field)
				}
				r.row = append(r.row, text[i:i+q]...)
				i += q + 1
				if i < len(text) && text[i] == '"' { // a quote written twice
					r.row = append(r.row, '"')
					i++
					continue
				}
				break
			}
			r.ends = append(r.ends, len(r.row))
			for i < len(text) && (text[i] == ' ' || text[i] == '\t') { // "a" ,b
				i++
			}
			if i == len(text) {
				return ""
			}
			if text[i] != ',' {
				c, _ := utf8.DecodeRune(text[i:])
				return fmt.Sprintf("not valid CSV: field %d has %s after its closing quote (a quote inside a quoted field is written twice)", field, quoteRune(c))
			}
			i++
			continue
		}
		end := len(text)
		if j := bytes.IndexByte(text[i:], ','); j >= 0 {
			end = i + j
		}
		if bytes.IndexByte(text[i:end], '"') >= 0 {
			return fmt.Sprintf("not valid CSV: field %d has a quote inside it without being quoted (quote the field and write the quote twice)", field)
		}
		r.row = append(r.row, text[i:end]...)
		r.ends = append(r.ends, len(r.row))
		if end == len(text) {
			return ""
		}
		i = end + 1
	}
}

// quoteRune quotes one character of a bad line for a message: a digit or
// letter as itself, anything else by its code point, never a raw byte.
func quoteRune(c rune) string {
	if c == utf8.RuneError || !unicode.IsPrint(c) {
		return fmt.Sprintf("%U", c)
	}
	return strconv.QuoteRune(c)
}

// splitRow turns r.row into r.fields (one string for the whole row).
func (r *csvRows) splitRow() []string {
	s := string(r.row)
	r.fields = r.fields[:0]
	start := 0
	for _, e := range r.ends {
		r.fields = append(r.fields, s[start:e])
		start = e
	}
	return r.fields
}

// blank reports whether a row holds nothing but white space (an empty
// line, or Excel's ",,,," for an empty row).
func (r *csvRows) blank() bool {
	return len(bytes.TrimFunc(r.row, isBlank)) == 0
}

// isHeader reports whether the row just read repeats the header (files
// exported in parts and concatenated): every cell names the header's column.
func (r *csvRows) isHeader(h *csvHeader) bool {
	if len(r.ends) < h.named {
		return false
	}
	start := 0
	for i, e := range r.ends {
		cell := strings.ToLower(string(bytes.TrimFunc(r.row[start:e], isBlank)))
		start = e
		if i < h.named && cell != h.names[i] || i >= h.named && cell != "" {
			return false
		}
	}
	return true
}

func (r *CSVReader) header() error {
	r.started = true
	for {
		num, bad, err := r.readRow()
		if err != nil {
			if err == io.EOF {
				return io.EOF
			}
			return err
		}
		r.hdrLine = num
		if bad != "" {
			bad = strings.Replace(bad, "; this line alone is rejected)", ")", 1)
			return fmt.Errorf("datasets: CSV header (line %d) cannot be read, so the file is refused: %s", num, bad)
		}
		if r.blank() {
			continue
		}
		break
	}
	row := r.splitRow()
	seen := map[string]bool{}
	for i, name := range row {
		name = strings.ToLower(strings.TrimFunc(norm.NFKC.String(name), isBlank)) // ＭＳＩＳＤＮ is msisdn
		if name != "" {
			r.named = i + 1
			if seen[name] {
				return fmt.Errorf("datasets: CSV header: column %s appears twice", maskName(strconv.Quote(name)))
			}
			seen[name] = true
		}
		r.names = append(r.names, name)
		set := csvSetters[name]
		if strings.HasPrefix(name, "label.") && !r.cfg.labels {
			set = nil
		}
		r.setters = append(r.setters, set)
	}
	r.names, r.setters = r.names[:r.named], r.setters[:r.named]
	if !seen["msisdn"] {
		return errors.New("datasets: CSV header has no msisdn column")
	}
	for i, name := range r.names {
		if r.setters[i] == nil && !strings.HasPrefix(name, "label.") {
			if err := r.unk.add(r.hdrLine, name); err != nil {
				return err
			}
		}
	}
	return nil
}

// Read returns the next valid record, a *Reject for a bad one, io.EOF at the
// end, or another error when the file cannot be read (a bad header, bytes
// that are not in the file's encoding, an I/O error).
func (r *CSVReader) Read() (*risk.Record, error) {
	if !r.started {
		if r.err = r.header(); r.err != nil {
			return nil, r.err
		}
	}
	if r.err != nil {
		return nil, r.err
	}
	for {
		num, bad, err := r.readRow()
		if err != nil {
			if err != io.EOF {
				r.err = err
			}
			return nil, err
		}
		if bad == "" && r.blank() {
			continue
		}
		if bad == "" && r.isHeader(&r.csvHeader) {
			r.headers++
			continue
		}
		r.n++
		r.line = num
		rec := new(risk.Record)
		label, rej := r.decodeRow(&r.cfg, &r.csvHeader, rec, num, bad)
		r.label = label
		if rej != nil {
			return nil, rej
		}
		return rec, nil
	}
}

// decodeRow decodes and validates the row just parsed (bad says why it is
// not valid CSV, or is ""; the row is neither blank nor a repeat of the
// header) into rec, which must be zero. It needs no state of the file but
// its header, so that rows can be decoded on several goroutines.
func (r *csvRows) decodeRow(cfg *readConfig, h *csvHeader, rec *risk.Record, num int, bad string) (Label, *Reject) {
	if bad != "" {
		return Label{}, &Reject{Line: num, Reason: bad}
	}
	if n := len(r.ends); n < h.named || (n > h.named && len(bytes.TrimFunc(r.row[r.ends[h.named-1]:], isBlank)) > 0) {
		if n < h.named {
			return Label{}, &Reject{Line: num, Reason: fmt.Sprintf("has %d fields, the header has %d", n, h.named)}
		}
		return Label{}, &Reject{Line: num, Reason: fmt.Sprintf("has %d fields and a value after the header's %d named columns", n, h.named)}
	}
	fields := r.splitRow()
	var label Label
	r.errs = r.errs[:0]
	for i, v := range fields[:h.named] {
		if h.setters[i] == nil {
			continue
		}
		if v = trimBlank(v); v == "" {
			continue
		}
		if err := h.setters[i](rec, &label, v); err != nil {
			r.errs = append(r.errs, &risk.RecordError{Field: h.names[i], Reason: ref.MaskText(err.Error())})
		}
	}
	var decodeErr error
	if len(r.errs) > 0 {
		decodeErr = risk.JoinRecordErrors(r.errs...)
	}
	if err := cfg.finish(rec, decodeErr); err != nil {
		return label, &Reject{Line: num, Reason: reason(err)}
	}
	return label, nil
}
