package datasets

import (
	"encoding/csv"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unsafe"

	"github.com/simrisk/simrisk/internal/vocab"
	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/risk/ref"
)

// CSVColumns is the header of card-schema v1's CSV form, in order: the
// schema's fields, flattened with dots (iot.test_plan). Lists put ";"
// between items; roaming is two aligned lists, roaming.region and
// roaming.last_seen (item i of each is one entry). An empty cell is absent.
// It returns a new slice on each call.
func CSVColumns() []string { return slices.Clone(csvColumns) }

// LabelColumns returns the columns that follow CSVColumns when labels are
// written (label.fraud, label.scenario), a new slice on each call.
func LabelColumns() []string { return slices.Clone(labelColumns) }

// csvColumns and csvFields are card-schema v1's fields from the vocabulary
// table (internal/vocab), in its order; the roaming list is two columns.
var csvColumns, csvFields = func() ([]string, []csvField) {
	var cols []string
	var fs []csvField
	for _, f := range vocab.Fields() {
		if f.Record == "" {
			continue
		}
		if f.Kind == vocab.Roaming {
			for _, g := range vocab.RoamingFields() {
				if g.Record != "" {
					cols = append(cols, f.Name+"."+g.Name)
					fs = append(fs, csvField{kind: f.Kind, sub: g.Kind, name: f.Name + "." + g.Name, off: recordOffset(reflect.TypeOf(risk.Record{}), f.Record), subOff: recordOffset(reflect.TypeOf(risk.Roaming{}), g.Record)})
				}
			}
			continue
		}
		cols = append(cols, f.Name)
		fs = append(fs, csvField{kind: f.Kind, name: f.Name, off: recordOffset(reflect.TypeOf(risk.Record{}), f.Record)})
	}
	return cols, fs
}()

// csvField is one column: a field of Record at off (for a roaming column,
// the roaming list's; subOff is then the entry's field).
type csvField struct {
	kind, sub   vocab.Kind
	name        string
	off, subOff uintptr
}

// recordOffset is the offset of a field (a path: IoT.TestPlan) in t.
func recordOffset(t reflect.Type, path string) uintptr {
	var off uintptr
	for _, name := range strings.Split(path, ".") {
		f, ok := t.FieldByName(name)
		if !ok {
			panic("datasets: the vocabulary names " + path + ", which risk.Record does not have")
		}
		off += f.Offset
		t = f.Type
	}
	return off
}

var labelColumns = []string{"label.fraud", "label.scenario"}

type fieldSetter func(r *risk.Record, l *Label, v string) error

func setStr(dst func(*risk.Record) *string) fieldSetter {
	return func(r *risk.Record, _ *Label, v string) error { *dst(r) = v; return nil }
}

func setTime(dst func(*risk.Record) *risk.Time) fieldSetter {
	return func(r *risk.Record, _ *Label, v string) error {
		t, err := risk.ParseTime(v)
		if err != nil {
			return err
		}
		*dst(r) = t
		return nil
	}
}

// parseBool reads a CSV boolean: true or false in any case (Excel writes
// TRUE and FALSE), 1 or 0.
func parseBool(v string) (bool, error) {
	switch v {
	case "true", "1":
		return true, nil
	case "false", "0":
		return false, nil
	}
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "1":
		return true, nil
	case "false", "0":
		return false, nil
	}
	return false, fmt.Errorf("want true or false (or TRUE, FALSE, 1, 0), got %s", ref.QuoteValue(v))
}

func setBool(dst func(*risk.Record) *bool) fieldSetter {
	return func(r *risk.Record, _ *Label, v string) error {
		b, err := parseBool(v)
		*dst(r) = b
		return err
	}
}

func setInt(dst func(*risk.Record) *int) fieldSetter {
	return func(r *risk.Record, _ *Label, v string) error {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return fmt.Errorf("want an integer, got %s", ref.QuoteValue(v))
		}
		*dst(r) = n
		return nil
	}
}

var csvSetters = func() map[string]fieldSetter {
	m := map[string]fieldSetter{
		"label.fraud": func(_ *risk.Record, l *Label, v string) error {
			b, err := parseBool(v)
			l.Fraud = b
			return err
		},
		"label.scenario": func(_ *risk.Record, l *Label, v string) error { l.Scenario = v; return nil },
	}
	for _, f := range csvFields {
		off := f.off
		at := func(r *risk.Record) unsafe.Pointer { return unsafe.Add(unsafe.Pointer(r), off) }
		switch f.kind {
		case vocab.String:
			m[f.name] = setStr(func(r *risk.Record) *string { return (*string)(at(r)) })
		case vocab.Time:
			m[f.name] = setTime(func(r *risk.Record) *risk.Time { return (*risk.Time)(at(r)) })
		case vocab.Bool:
			m[f.name] = setBool(func(r *risk.Record) *bool { return (*bool)(at(r)) })
		case vocab.Int:
			m[f.name] = setInt(func(r *risk.Record) *int { return (*int)(at(r)) })
		case vocab.Strings:
			m[f.name] = func(r *risk.Record, _ *Label, v string) error {
				items, err := splitItems(v, risk.MaxLinkedPlatforms, "risk.MaxLinkedPlatforms")
				*(*[]string)(at(r)) = items
				return err
			}
		case vocab.Roaming:
			m[f.name] = roamingSetter(f)
		}
	}
	return m
}()

// roamingSetter sets one field of every roaming entry from a list cell
// (item i of each roaming column is entry i).
func roamingSetter(f csvField) fieldSetter {
	sub := f.subOff
	return func(r *risk.Record, _ *Label, v string) error {
		items, err := splitItems(v, risk.MaxRoaming, "risk.MaxRoaming")
		if err != nil {
			return err
		}
		r.Roaming = growRoaming(r.Roaming, len(items))
		for i, it := range items {
			p := unsafe.Add(unsafe.Pointer(&r.Roaming[i]), sub)
			switch f.sub {
			case vocab.String:
				*(*string)(p) = it
			case vocab.Time:
				if it == "" {
					continue
				}
				t, err := risk.ParseTime(it)
				if err != nil {
					return fmt.Errorf("item %d: %v", i+1, err)
				}
				*(*risk.Time)(p) = t
			}
		}
		return nil
	}
}

// splitItems splits a list cell at ";", refusing more than max items (the
// record limit named by limit) before splitting it.
func splitItems(v string, max int, limit string) ([]string, error) {
	if n := strings.Count(v, ";") + 1; n > max {
		return nil, fmt.Errorf("has %d items, over the limit of %d (%s)", n, max, limit)
	}
	return strings.Split(v, ";"), nil
}

func growRoaming(r []risk.Roaming, n int) []risk.Roaming {
	for len(r) < n {
		r = append(r, risk.Roaming{})
	}
	return r
}

// CSVWriter writes records in card-schema v1's CSV form.
type CSVWriter struct {
	cw     *csv.Writer
	labels bool
	row    []string
	header bool
}

// NewCSVWriter returns a CSVWriter; with labels true it adds the label
// columns. Call Flush at the end.
func NewCSVWriter(w io.Writer, labels bool) *CSVWriter {
	return &CSVWriter{cw: csv.NewWriter(w), labels: labels}
}

func fmtTime(t risk.Time) string { return t.String() }

func fmtBool(b bool) string {
	if b {
		return "true"
	}
	return ""
}

func fmtInt(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// Write writes one record (and its label, when the writer has label columns).
func (w *CSVWriter) Write(r *risk.Record, l Label) error {
	if !w.header {
		w.header = true
		h := slices.Clone(csvColumns)
		if w.labels {
			h = append(h, labelColumns...)
		}
		if err := w.cw.Write(h); err != nil {
			return err
		}
	}
	w.row = w.row[:0]
	for _, f := range csvFields {
		p := unsafe.Add(unsafe.Pointer(r), f.off)
		switch f.kind {
		case vocab.String:
			w.row = append(w.row, *(*string)(p))
		case vocab.Time:
			w.row = append(w.row, fmtTime(*(*risk.Time)(p)))
		case vocab.Bool:
			w.row = append(w.row, fmtBool(*(*bool)(p)))
		case vocab.Int:
			w.row = append(w.row, fmtInt(*(*int)(p)))
		case vocab.Strings:
			w.row = append(w.row, strings.Join(*(*[]string)(p), ";"))
		case vocab.Roaming:
			items := make([]string, len(r.Roaming))
			for i := range r.Roaming {
				q := unsafe.Add(unsafe.Pointer(&r.Roaming[i]), f.subOff)
				if f.sub == vocab.Time {
					items[i] = fmtTime(*(*risk.Time)(q))
				} else {
					items[i] = *(*string)(q)
				}
			}
			w.row = append(w.row, strings.Join(items, ";"))
		}
	}
	if w.labels {
		w.row = append(w.row, strconv.FormatBool(l.Fraud), l.Scenario)
	}
	return w.cw.Write(w.row)
}

// Flush writes any buffered data and reports a write error.
func (w *CSVWriter) Flush() error {
	w.cw.Flush()
	return w.cw.Error()
}
