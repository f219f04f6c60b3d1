package datasets

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/simrisk/simrisk/internal/trusted"
	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/risk/ref"
)

// Label is a record's ground truth, written by the generator with each
// record and ignored by scoring.
type Label struct {
	Fraud    bool   `json:"fraud"`    // the card is part of a planted fraud or violation scenario
	Scenario string `json:"scenario"` // the scenario that made it, e.g. fraud_ring, traveller
}

// Format is a record file format.
type Format string

// Formats of card-schema v1.
const (
	JSONL Format = "jsonl" // one JSON object per line
	CSV   Format = "csv"   // a header row; dotted names for nested fields; ";" between list items
)

// FormatOf picks the format from a file name: .csv is CSV, anything else
// JSON Lines.
func FormatOf(name string) Format {
	if strings.EqualFold(filepath.Ext(name), ".csv") {
		return CSV
	}
	return JSONL
}

// ParseFormat reads a format name.
func ParseFormat(s string) (Format, error) {
	switch Format(strings.ToLower(s)) {
	case JSONL, "json", "ndjson":
		return JSONL, nil
	case CSV:
		return CSV, nil
	}
	return "", fmt.Errorf("unknown format %q (want jsonl or csv)", s)
}

// RecordReader reads validated records one at a time. Read returns the next
// valid record, a *Reject for a bad one (reading goes on), io.EOF at the
// end, or another error when reading failed.
type RecordReader interface {
	Read() (*risk.Record, error)
	Line() int  // line of the record last returned or rejected
	Count() int // records read so far, rejected ones included
	Label() Label
}

// NewRecordReader returns a reader of the given format.
func NewRecordReader(r io.Reader, f Format, asOf risk.Time, opts ...ReadOption) (RecordReader, error) {
	switch f {
	case JSONL, "":
		return NewReader(r, asOf, opts...), nil
	case CSV:
		return NewCSVReader(r, asOf, opts...), nil
	}
	return nil, fmt.Errorf("datasets: unknown format %q", f)
}

type readConfig struct {
	asOf     risk.Time
	idKey    []byte
	labels   bool
	encoding Encoding
	aliases  *Aliases
	warn     func(Warning)
	strict   bool
}

// ReadOption configures a reader.
type ReadOption func(*readConfig)

// WithIDKey turns raw resident ID numbers found in the holder field into
// pseudonymous holder keys (ref.HolderKey: HMAC-SHA256 under key) as records
// are read. Without it a raw ID number in holder rejects the record: it is
// never used or shown as it is. The key must have at least 16 bytes.
func WithIDKey(key []byte) ReadOption {
	return func(c *readConfig) { c.idKey = append([]byte(nil), key...) }
}

// WithEncoding reads input in the given encoding (UTF8 by default; GB18030
// or GBK for what Chinese Excel and many BSS exports write; UTF16, UTF16LE
// or UTF16BE for Excel's "Unicode text"), converting it to UTF-8 as it is
// read. Read as UTF8, a file that starts with a UTF-16 byte order mark, or
// whose first 512 bytes are a quarter or more NUL, is read as UTF-16; other
// input that is not valid UTF-8 stops the reader with an error matching
// ErrNotUTF8. An unknown encoding makes every Read fail.
func WithEncoding(e Encoding) ReadOption { return func(c *readConfig) { c.encoding = e } }

// WithLabels reads each record's ground-truth label (Label()).
func WithLabels() ReadOption { return func(c *readConfig) { c.labels = true } }

func newReadConfig(asOf risk.Time, opts []ReadOption) readConfig {
	c := readConfig{asOf: asOf}
	for _, o := range opts {
		o(&c)
	}
	if c.aliases == nil {
		c.aliases = defaultAliases
	}
	return c
}

// finish replaces aliases of enumerated values, pseudonymises a raw ID
// holder and validates the record, returning every problem at once: those
// the decoder found (decodeErr, a *risk.RecordError or nil) and those
// validation finds in the other fields. A raw ID number is recognised in
// every spelling ref.NormalizeIDText accepts (full-width digits, spaces,
// dashes, lower-case x, a label such as "身份证："), and every spelling of
// one number gets the same key.
func (c *readConfig) finish(rec *risk.Record, decodeErr error) error {
	trimRecord(rec)
	c.aliases.apply(rec)
	var holderErr error
	if id, ok := ref.NormalizeIDText(rec.Holder); ok {
		if c.idKey == nil {
			holderErr = &risk.RecordError{Field: "holder", Reason: fmt.Sprintf(
				"is a raw ID number (%s); give an ID key (simrisk --id-key-file) to turn it into a pseudonymous key", ref.MaskID(id))}
		} else if k, err := ref.HolderKey(c.idKey, id); err != nil {
			holderErr = &risk.RecordError{Field: "holder", Reason: fmt.Sprintf("ID number %s: %v", ref.MaskID(id), err)}
		} else {
			rec.Holder = k
		}
	}
	if decodeErr == nil && holderErr == nil {
		return rec.Validate(c.asOf)
	}
	// the fields the decoder or the holder check found wrong are said
	// once: validation's word on them (absent, say) is left out
	failed := map[string]bool{}
	var known []error
	for _, e := range []error{decodeErr, holderErr} {
		var re *risk.RecordError
		if !errors.As(e, &re) {
			continue
		}
		known = append(known, re)
		for _, f := range append([]*risk.RecordError{re}, re.More...) {
			failed[f.Field] = true
			failed[listField(f.Field)] = true
		}
	}
	if holderErr != nil {
		rec.Holder = "" // said already
	}
	var rest []error
	if verr := rec.Validate(c.asOf); verr != nil {
		var re *risk.RecordError
		if errors.As(verr, &re) {
			for _, f := range append([]*risk.RecordError{re}, re.More...) {
				if !failed[f.Field] && !failed[listField(f.Field)] {
					rest = append(rest, &risk.RecordError{Field: f.Field, Reason: f.Reason})
				}
			}
		}
	}
	return risk.JoinRecordErrors(append(known, rest...)...)
}

// judge is finish's verdict alone (the population pass's: the reason of
// a reject comes from the scoring pass): without an ID key a raw ID holder
// is refused by Validate as by finish, so it is not looked for twice.
func (c *readConfig) judge(rec *risk.Record) bool {
	if c.idKey != nil {
		return c.finish(rec, nil) == nil
	}
	trimRecord(rec)
	c.aliases.apply(rec)
	return rec.Validate(c.asOf) == nil
}

// finishTrusted is finish for a record whose bytes an earlier pass found
// valid: the same normalisation (trimming, aliases, a raw ID holder's
// key) and, instead of Validate, trusted.MarkValid. It reports false when
// the record must be finished the usual way (finish again is harmless:
// each step leaves a value it made as it is).
func (c *readConfig) finishTrusted(rec *risk.Record) bool {
	trimRecord(rec)
	c.aliases.apply(rec)
	if c.idKey != nil {
		// without a key a raw ID number rejects the record: the earlier
		// pass found none
		if id, ok := ref.NormalizeIDText(rec.Holder); ok {
			k, err := ref.HolderKey(c.idKey, id)
			if err != nil {
				return false
			}
			rec.Holder = k
		}
	}
	return trusted.MarkValid(rec, int64(c.asOf))
}

// trimRecord trims white space of any width and zero-width characters
// around every text value (dates and numbers are trimmed as they are
// parsed), as CSV cells are: a trailing space never changes a value.
func trimRecord(r *risk.Record) {
	for _, p := range [...]*string{&r.MSISDN, &r.ICCID, &r.Operator, &r.MVNO, &r.Kind, &r.Status, &r.Holder,
		&r.IDRegion, &r.OpenRegion, &r.FraudFlag, &r.IoT.Business} {
		*p = trimBlank(*p)
	}
	for i := range r.Roaming {
		r.Roaming[i].Region = trimBlank(r.Roaming[i].Region)
	}
	for i, p := range r.LinkedPlatforms {
		r.LinkedPlatforms[i] = trimBlank(p)
	}
}

// listField is a field path without its list index: roaming[2].region is
// roaming.region.
func listField(f string) string {
	if i := strings.IndexByte(f, '['); i >= 0 {
		if j := strings.IndexByte(f[i:], ']'); j >= 0 {
			return f[:i] + f[i+j+1:]
		}
	}
	return f
}

// LoadRecords reads a whole record file (JSON Lines, or CSV by its .csv
// name) validated at asOf; any rejected record is an error. It is a
// risk.RecordLoader for rule tests' population files.
func LoadRecords(path string, asOf risk.Time) ([]*risk.Record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rd, err := NewRecordReader(f, FormatOf(path), asOf)
	if err != nil {
		return nil, err
	}
	var out []*risk.Record
	for {
		r, err := rd.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, r)
	}
}

// Loaded is a whole record file in memory: the good records (with their
// labels when asked for, else zero Labels) and the rejected ones, in line
// order. len(Records) + len(Rejects) is the number of records in the file.
// A card on several lines is kept once, in its last record's state; the
// earlier records are rejected as superseded, as ScoreFile does, and the
// card is listed in Duplicates (the first MaxDuplicates).
type Loaded struct {
	Records    []*risk.Record
	Labels     []Label
	Lines      []int // each record's line in the input (1 is the first line; a CSV header is line 1)
	Rejects    []*Reject
	Duplicates []Duplicate
	Superseded int // records rejected as superseded by a later one of the card
}

// ReadFile reads a record file (JSON Lines or CSV, by its name: .csv is CSV;
// "-" is standard input as JSON Lines), keeping the good records and the
// rejected ones with their line numbers. It fails only when the file cannot
// be read.
func ReadFile(path string, asOf risk.Time, opts ...ReadOption) (*Loaded, error) {
	var in io.Reader
	if path == "-" {
		in = os.Stdin
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		in = f
	}
	return Read(in, FormatOf(path), asOf, opts...)
}

// Read is ReadFile over a reader in a given format.
func Read(in io.Reader, f Format, asOf risk.Time, opts ...ReadOption) (*Loaded, error) {
	rd, err := NewRecordReader(in, f, asOf, opts...)
	if err != nil {
		return nil, err
	}
	out := &Loaded{}
	var cards cardIndex
	for {
		r, err := rd.Read()
		if err == io.EOF {
			out.dedupe(&cards)
			return out, nil
		}
		var rej *Reject
		if errors.As(err, &rej) {
			out.Rejects = append(out.Rejects, rej)
			continue
		}
		if err != nil {
			return nil, err
		}
		out.Records = append(out.Records, r)
		out.Labels = append(out.Labels, rd.Label())
		cards.add(r.MSISDN, rd.Line())
		out.Lines = append(out.Lines, rd.Line())
	}
}

// dedupe rejects the earlier records of cards listed twice.
func (l *Loaded) dedupe(cards *cardIndex) {
	lines := l.Lines // kept overwrites it from the front: index k <= i
	d := cards.duplicates()
	if d.superseded == nil {
		return
	}
	l.Duplicates, l.Superseded = d.list, len(d.superseded)
	recs, labels, kept := l.Records[:0], l.Labels[:0], l.Lines[:0]
	for i, r := range l.Records {
		if later, old := d.superseded[lines[i]]; old {
			l.Rejects = append(l.Rejects, supersededReject(lines[i], later, r.MSISDN))
			continue
		}
		recs, labels, kept = append(recs, r), append(labels, l.Labels[i]), append(kept, lines[i])
	}
	clear(l.Records[len(recs):])
	l.Records, l.Labels, l.Lines = recs, labels, kept
	slices.SortStableFunc(l.Rejects, func(a, b *Reject) int { return cmp.Compare(a.Line, b.Line) })
}
