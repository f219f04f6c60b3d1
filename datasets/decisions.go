package datasets

import (
	"bytes"
	"encoding/csv"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"github.com/simrisk/simrisk/internal/jsonenc"
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
	w := csv.NewWriter(&b)
	if err := w.Write(decisionColumns); err != nil {
		return nil, err
	}
	w.Flush()
	return b.Bytes(), w.Error()
}

// decisionEncoder writes a decision's JSON Lines line exactly as
// Decision.AppendJSON (and appendDecisionLine) do, without redoing per
// decision what a run's decisions share: the fragment after the hits and
// errors (the rule set's digest, the as-of time, the pack's name and
// version) is kept from the decision before when those are the same (the
// same strings of one engine), and the last deadline's text too. Times are
// written by hand (RFC 3339 at +08:00, as Time.Std formats them) and
// strings quoted as AppendJSON quotes them. One a worker: not for
// concurrent use.
type decisionEncoder struct {
	json jsonenc.Cache // what a run's JSON Lines decisions share

	// CSV rows (appendCSV): the last four cells (ruleset to version, with
	// the row's end) of the decision before, a deadline cell's text, and
	// room to build a cell of several parts in
	csvRuleSet, csvPack, csvVersion string
	csvAsOf                         risk.Time
	csvTail                         []byte
	csvDeadline                     risk.Time
	csvDeadlineText                 []byte
	cell                            []byte
}

// append appends d's line to b: with line as "line" when withLine, and a
// newline.
func (e *decisionEncoder) append(b []byte, d *risk.Decision, line int, withLine bool) []byte {
	b = jsonenc.AppendDecision(b, d, &e.json)
	if withLine {
		b = append(b[:len(b)-1], `,"line":`...) // the object's closing brace
		b = strconv.AppendInt(b, int64(line), 10)
		b = append(b, '}')
	}
	return append(b, '\n')
}

// appendCSV appends d's row in DecisionColumns, line as its line, to b:
// the bytes encoding/csv writes for the cells decisionColumns documents
// (fields quoted when they hold a comma, a quote, a CR or a LF, start
// with white space or are \.; text cells that a spreadsheet would read as
// a formula start with ').
func (e *decisionEncoder) appendCSV(b []byte, d *risk.Decision, line int) []byte {
	b = strconv.AppendInt(b, int64(line), 10)
	b = append(b, ',')
	b = appendCSVCell(b, d.MSISDN)
	b = append(b, ',')
	if f := d.Score; f >= 0 && f < 1e6 && f == float64(int64(f)) && (f != 0 || !math.Signbit(f)) {
		b = strconv.AppendInt(b, int64(f), 10) // what 'g' writes for it
	} else {
		b = appendCSVCell(b, strconv.FormatFloat(f, 'g', -1, 64))
	}
	b = append(b, ',')
	b = appendCSVCell(b, d.Level.String())
	b = append(b, ',')
	b = appendCSVCell(b, d.Outcome.String())
	b = append(b, ',')
	if d.Deadline != 0 {
		if d.Deadline != e.csvDeadline || e.csvDeadlineText == nil {
			e.csvDeadline = d.Deadline
			e.csvDeadlineText = appendCSVCell(e.csvDeadlineText[:0], string(jsonenc.Time(nil, int64(d.Deadline))))
		}
		b = append(b, e.csvDeadlineText...)
	}
	// rules, shadow_rules, reasons, errors: each cell built whole, then
	// written as a cell
	for k := 0; k < 4; k++ {
		b = append(b, ',')
		c := e.cell[:0]
		switch k {
		case 0, 1:
			n := 0
			for _, h := range d.Hits {
				if h.Shadow == (k == 1) {
					if n > 0 {
						c = append(c, ' ')
					}
					c = append(c, h.Rule...)
					n++
				}
			}
		case 2:
			for i, h := range d.Hits {
				if i > 0 {
					c = append(c, " | "...)
				}
				c = append(c, h.Reason...)
			}
		case 3:
			for i, er := range d.Errors {
				if i > 0 {
					c = append(c, ' ')
				}
				c = append(c, er.Rule...)
			}
		}
		e.cell = c
		if len(c) == 0 {
			continue
		}
		cell := unsafe.String(unsafe.SliceData(c), len(c))
		if k == 2 {
			cell = spreadsheetSafe(cell)
		}
		b = appendCSVCell(b, cell)
	}
	if e.csvTail == nil || d.RuleSet != e.csvRuleSet || d.AsOf != e.csvAsOf || d.Pack != e.csvPack || d.Version != e.csvVersion {
		e.csvRuleSet, e.csvAsOf, e.csvPack, e.csvVersion = d.RuleSet, d.AsOf, d.Pack, d.Version
		t := append(e.csvTail[:0], ',')
		t = appendCSVCell(t, d.RuleSet)
		t = append(t, ',')
		if d.AsOf != 0 {
			t = appendCSVCell(t, string(jsonenc.Time(nil, int64(d.AsOf))))
		}
		t = append(t, ',')
		t = appendCSVCell(t, spreadsheetSafe(d.Pack))
		t = append(t, ',')
		t = appendCSVCell(t, spreadsheetSafe(d.Version))
		e.csvTail = append(t, '\n')
	}
	return append(b, e.csvTail...)
}

// appendCSVCell appends s as encoding/csv's Writer (comma, LF line ends)
// writes a field: as it is, or quoted with its quotes doubled when it
// holds a comma, a quote, a CR or a LF, starts with white space or is \.
// (a line of its own that some readers take for the end of the data).
func appendCSVCell(b []byte, s string) []byte {
	quote := s == `\.`
	for i := 0; i < len(s) && !quote; i++ {
		c := s[i]
		quote = c == ',' || c == '"' || c == '\r' || c == '\n'
	}
	if !quote && s != "" {
		r, _ := utf8.DecodeRuneInString(s)
		quote = unicode.IsSpace(r)
	}
	if !quote {
		return append(b, s...)
	}
	b = append(b, '"')
	for {
		i := strings.IndexByte(s, '"')
		if i < 0 {
			break
		}
		b = append(append(b, s[:i+1]...), '"')
		s = s[i+1:]
	}
	b = append(b, s...)
	return append(b, '"')
}
