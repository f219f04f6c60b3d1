package datasets

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/risk/ref"
)

// MaxRowLines is the most physical lines one CSV row may span: a quoted
// field may hold line ends, but a quote still open after this many lines is
// taken for a stray quote (as is one still open at the end of the file).
const MaxRowLines = 64

type csvLine struct {
	num     int
	text    []byte
	tooLong bool
}

// CSVReader streams card-schema v1 records from CSV, one record in memory
// at a time, like Reader does for JSON Lines. The first non-blank row is the
// header: it must name msisdn; names match case-insensitively, and empty
// header cells at its end are ignored (Excel writes them).
//
// Reading never loses a line: every physical line is the header, blank, a
// record or a reject. A row that is not valid CSV is rejected and reading
// resumes at the next line. A quoted field may hold line ends only in a
// column the reader ignores (a remark column, say); when a quote opened on
// one line makes no valid row of the lines after it (it is never closed, it
// stays open for more than MaxRowLines lines or MaxLineBytes bytes, the row
// it closes has the wrong number of fields, or a card field would hold a
// line end), only the line it opened on is rejected and the lines after it
// are read again as rows of their own. A row may hold at
// most MaxLineBytes bytes. Lines end in LF, CRLF or CR; a leading UTF-8 byte
// order mark is skipped.
type CSVReader struct {
	lr       *lineReader
	cfg      readConfig
	setters  []fieldSetter
	names    []string
	named    int   // header cells up to the last one with a name
	err      error // a fatal error: the header, the encoding, I/O
	started  bool
	line     int // first line of the row last returned or rejected
	endLine  int // its last line
	hdrFirst int // the header's lines
	hdrLast  int
	n        int
	label    Label

	back     []csvLine // lines read ahead and given back, in order
	span     []csvLine // the lines after the first of the row being read (copies)
	row      []byte    // the row's field contents, one after another
	ends     []int     // where each field ends in row
	openedIn int       // the field whose quote ran over a line end, 0 for none
	fields   []string
	unk      unknowns
	errs     []error
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
	if len(r.back) > 0 {
		l := r.back[0]
		r.back = r.back[1:]
		return l.num, l.text, l.tooLong, nil
	}
	text, tooLong, err = r.lr.next()
	return r.lr.line, text, tooLong, err
}

// giveBack rejects the first line of the row being read alone: the lines
// after it are read again.
func (r *CSVReader) giveBack(first int, reason string) (int, int, string, error) {
	if len(r.span) > 0 {
		r.back = append(append([]csvLine(nil), r.span...), r.back...)
		r.span = r.span[:0]
		reason += fmt.Sprintf("; line %d alone is rejected, reading resumes at line %d", first, first+1)
	}
	return first, first, reason, nil
}

// readRow reads one row into r.row and r.ends. It returns the row's first
// and last line, or a reason when the row is not valid CSV, or io.EOF at
// the end, or a fatal error.
func (r *CSVReader) readRow() (first, last int, bad string, err error) {
	num, text, tooLong, err := r.nextLine()
	if err != nil {
		return 0, 0, "", err
	}
	first, last = num, num
	if tooLong {
		return first, last, fmt.Sprintf("line is longer than %d bytes (MaxLineBytes)", MaxLineBytes), nil
	}
	r.row, r.ends, r.span, r.openedIn = r.row[:0], r.ends[:0], r.span[:0], 0
	i := 0
	for { // a field
		field := len(r.ends) + 1
		if i < len(text) && text[i] == '"' {
			i++
			for {
				q := bytes.IndexByte(text[i:], '"')
				if q >= 0 {
					r.row = append(r.row, text[i:i+q]...)
					i += q + 1
					if i < len(text) && text[i] == '"' { // a quote written twice
						r.row = append(r.row, '"')
						i++
						continue
					}
					break
				}
				// the quoted field holds a line end: read on
				r.row = append(r.row, text[i:]...)
				if r.openedIn == 0 {
					r.openedIn = field
				}
				if last-first+1 >= MaxRowLines {
					return r.giveBack(first, fmt.Sprintf("not valid CSV: the quote opened in field %d is still open after %d lines (MaxRowLines)", r.openedIn, MaxRowLines))
				}
				n2, t2, long2, err2 := r.nextLine()
				if err2 == io.EOF {
					return r.giveBack(first, fmt.Sprintf("not valid CSV: the quote opened in field %d is never closed", r.openedIn))
				}
				if err2 != nil {
					return 0, 0, "", err2
				}
				r.span = append(r.span, csvLine{n2, append([]byte(nil), t2...), long2})
				last = n2
				if long2 || len(r.row)+1+len(t2) > MaxLineBytes {
					return r.giveBack(first, fmt.Sprintf("not valid CSV: the quote opened in field %d runs on past %d bytes (MaxLineBytes)", r.openedIn, MaxLineBytes))
				}
				r.row = append(r.row, '\n')
				text, i = r.span[len(r.span)-1].text, 0
			}
			r.ends = append(r.ends, len(r.row))
			if i == len(text) {
				return first, last, "", nil
			}
			if text[i] != ',' {
				c, _ := utf8.DecodeRune(text[i:])
				return r.giveBack(first, fmt.Sprintf("not valid CSV: field %d has %q after its closing quote (a quote inside a quoted field is written twice)", field, c))
			}
			i++
			continue
		}
		end := len(text)
		if j := bytes.IndexByte(text[i:], ','); j >= 0 {
			end = i + j
		}
		if bytes.IndexByte(text[i:end], '"') >= 0 {
			return r.giveBack(first, fmt.Sprintf("not valid CSV: field %d has a quote inside it without being quoted (quote the field and write the quote twice)", field))
		}
		r.row = append(r.row, text[i:end]...)
		r.ends = append(r.ends, len(r.row))
		if end == len(text) {
			return first, last, "", nil
		}
		i = end + 1
	}
}

// splitRow turns r.row into r.fields (one string for the whole row).
func (r *CSVReader) splitRow() []string {
	s := string(r.row)
	r.fields = r.fields[:0]
	start := 0
	for _, e := range r.ends {
		r.fields = append(r.fields, s[start:e])
		start = e
	}
	return r.fields
}

// blank reports whether a one-line row holds nothing but white space (an
// empty line, or Excel's ",,,," for an empty row).
func (r *CSVReader) blank() bool {
	for _, c := range r.row {
		if c != ' ' && c != '\t' {
			return false
		}
	}
	return true
}

func (r *CSVReader) header() error {
	r.started = true
	for {
		first, last, bad, err := r.readRow()
		if err != nil {
			if err == io.EOF {
				return io.EOF
			}
			return err
		}
		r.hdrFirst, r.hdrLast = first, last
		if bad != "" {
			return fmt.Errorf("datasets: CSV header (line %d): %s", first, bad)
		}
		if first == last && r.blank() {
			continue
		}
		break
	}
	// the lines a bad header gave back are data now; a header is one row
	row := r.splitRow()
	seen := map[string]bool{}
	for i, name := range row {
		name = strings.ToLower(strings.TrimSpace(name))
		if name != "" {
			r.named = i + 1
			if seen[name] {
				return fmt.Errorf("datasets: CSV header: column %s appears twice", ref.MaskText(strconv.Quote(name)))
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
			if err := r.unk.add(r.hdrFirst, name); err != nil {
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
		first, last, bad, err := r.readRow()
		if err != nil {
			if err != io.EOF {
				r.err = err
			}
			return nil, err
		}
		if bad == "" && first == last && r.blank() {
			continue
		}
		r.n++
		r.line, r.endLine = first, last
		if bad != "" {
			return nil, &Reject{Line: first, Reason: bad}
		}
		if n := len(r.ends); n < r.named || (n > r.named && len(bytes.TrimSpace(r.row[r.ends[r.named-1]:])) > 0) {
			var why string
			if n < r.named {
				why = fmt.Sprintf("has %d fields, the header has %d", n, r.named)
			} else {
				why = fmt.Sprintf("has %d fields and a value after the header's %d named columns", n, r.named)
			}
			if r.openedIn > 0 {
				_, r.endLine, bad, _ = r.giveBack(first, fmt.Sprintf("not valid CSV: the quote opened in field %d runs on to line %d, and the row then %s", r.openedIn, last, why))
				return nil, &Reject{Line: first, Reason: bad}
			}
			return nil, r.reject(why)
		}
		fields := r.splitRow()
		if r.openedIn > 0 {
			// a line end inside a quoted field is kept only in a column
			// the reader ignores (a remark): no card field holds one, so a
			// quote that runs a card field over lines is a stray one
			for i, v := range fields[:r.named] {
				if r.setters[i] != nil && strings.IndexByte(v, '\n') >= 0 {
					_, r.endLine, bad, _ = r.giveBack(first, fmt.Sprintf("not valid CSV: the quote opened in field %d runs on to line %d, and %s cannot hold a line end", r.openedIn, last, r.names[i]))
					return nil, &Reject{Line: first, Reason: bad}
				}
			}
		}
		rec := new(risk.Record)
		r.label = Label{}
		r.errs = r.errs[:0]
		for i, v := range fields[:r.named] {
			if v == "" || r.setters[i] == nil {
				continue
			}
			if err := r.setters[i](rec, &r.label, v); err != nil {
				r.errs = append(r.errs, &risk.RecordError{Field: r.names[i], Reason: ref.MaskText(err.Error())})
			}
		}
		var decodeErr error
		if len(r.errs) > 0 {
			decodeErr = risk.JoinRecordErrors(r.errs...)
		}
		if err := r.cfg.finish(rec, decodeErr); err != nil {
			return nil, r.reject(reason(err))
		}
		return rec, nil
	}
}

// reject is a Reject of the row last read, naming its lines when it spans
// several.
func (r *CSVReader) reject(why string) *Reject {
	rej := &Reject{Line: r.line, Reason: why}
	if r.endLine > r.line {
		rej.EndLine = r.endLine
	}
	return rej
}
