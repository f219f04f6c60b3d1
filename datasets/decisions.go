package datasets

import (
	"bytes"
	"encoding/csv"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/simrisk/simrisk/risk"
)

// decisionColumns are the columns of decisions written as CSV.
var decisionColumns = []string{"line", "msisdn", "score", "level", "outcome", "deadline", "rules", "shadow_rules", "reasons", "errors", "ruleset", "as_of", "pack", "version"}

// DecisionColumns returns the columns ScoreFile writes decisions in when
// ScoreOptions.DecisionFormat is CSV, a new slice on each call:
//
//	line          the record's line in the input (the card's reference; 1 is the first line)
//	msisdn        the card's number, canonical digits (as in JSON Lines decisions)
//	score         0 to 100
//	level         low, medium, high or critical
//	outcome       pass, monitor, verify, restrict or suspend
//	deadline      for verify: RFC 3339 (+08:00); else empty
//	rules         the enforce rules that fired, ids separated by spaces
//	shadow_rules  the shadow rules that fired, ids separated by spaces
//	reasons       every fired rule's reason, in rule order, separated by " | "
//	errors        the rules that failed on the card, ids separated by spaces
//	ruleset       the digest of the rule set that decided
//	as_of         the time the card was judged against, RFC 3339 (+08:00)
//	pack, version the rule set's name and version
//
// A text cell (reasons, pack, version) that would start with =, +, -, @, a
// tab or a carriage return starts with ' so that a spreadsheet opening the
// file shows it as text and never runs it as a formula.
func DecisionColumns() []string { return slices.Clone(decisionColumns) }

// decisionWriter writes decisions as JSON Lines or CSV, with or without
// their input line.
type decisionWriter struct {
	json  *Writer
	csv   *csv.Writer
	lines bool
	row   []string
}

func newDecisionWriter(w io.Writer, f Format, lines bool) (*decisionWriter, error) {
	if f == CSV {
		cw := csv.NewWriter(w)
		if err := cw.Write(decisionColumns); err != nil {
			return nil, err
		}
		return &decisionWriter{csv: cw, row: make([]string, len(decisionColumns))}, nil
	}
	return &decisionWriter{json: NewWriter(w), lines: lines}, nil
}

func (w *decisionWriter) write(d *risk.Decision, line int) error {
	if w.json != nil {
		if !w.lines {
			return w.json.WriteDecision(d)
		}
		w.json.buf = appendDecisionLine(w.json.buf[:0], d, line)
		_, err := w.json.bw.Write(w.json.buf)
		return err
	}
	var rules, shadow, reasons, errs []string
	for _, h := range d.Hits {
		if h.Shadow {
			shadow = append(shadow, h.Rule)
		} else {
			rules = append(rules, h.Rule)
		}
		reasons = append(reasons, h.Reason)
	}
	for _, e := range d.Errors {
		errs = append(errs, e.Rule)
	}
	deadline := ""
	if d.Deadline != 0 {
		deadline = d.Deadline.Std().Format(time.RFC3339)
	}
	r := w.row
	r[0], r[1], r[2] = strconv.Itoa(line), d.MSISDN, strconv.FormatFloat(d.Score, 'g', -1, 64)
	r[3], r[4], r[5] = d.Level.String(), d.Outcome.String(), deadline
	r[6], r[7], r[8] = strings.Join(rules, " "), strings.Join(shadow, " "), strings.Join(reasons, " | ")
	asOf := ""
	if d.AsOf != 0 {
		asOf = d.AsOf.Std().Format(time.RFC3339)
	}
	r[9], r[10], r[11], r[12], r[13] = strings.Join(errs, " "), d.RuleSet, asOf, spreadsheetSafe(d.Pack), spreadsheetSafe(d.Version)
	r[8] = spreadsheetSafe(r[8])
	return w.csv.Write(r)
}

// spreadsheetSafe keeps a text cell from being read as a formula by a
// spreadsheet (Excel, WPS, LibreOffice) when the CSV is opened: a text
// that starts with =, +, -, @, a tab or a carriage return starts with '
// instead (a reason that begins with a card's value, "=HYPERLINK(...)",
// stays text). Other texts are returned as they are.
func spreadsheetSafe(s string) string {
	if s != "" && strings.IndexByte("=+-@\t\r", s[0]) >= 0 {
		return "'" + s
	}
	return s
}

// appendDecisionLine appends d's JSON Lines line with its input line as
// "line" to b.
func appendDecisionLine(b []byte, d *risk.Decision, line int) []byte {
	n := len(b)
	b = d.AppendJSON(b)
	if len(b) > n { // the object's closing brace
		b = b[:len(b)-1]
	}
	b = append(b, `,"line":`...)
	b = strconv.AppendInt(b, int64(line), 10)
	return append(b, '}', '\n')
}

// decisionHeader is the CSV decisions' header row.
func decisionHeader() ([]byte, error) {
	var b bytes.Buffer
	w, err := newDecisionWriter(&b, CSV, true)
	if err != nil {
		return nil, err
	}
	if err := w.flush(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func (w *decisionWriter) flush() error {
	if w.json != nil {
		return w.json.Flush()
	}
	w.csv.Flush()
	return w.csv.Error()
}
