package datasets

import (
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
	"unsafe"

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
	ruleSet, pack, version string
	asOf                   risk.Time
	tail                   []byte // `,"ruleset":…,"as_of":"…","pack":…,"version":…`
	deadline               risk.Time
	deadlineText           []byte // `,"deadline":"…"`

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
	b = append(b, `{"msisdn":`...)
	b = appendQuoted(b, d.MSISDN)
	b = append(b, `,"score":`...)
	b = appendNumber(b, d.Score)
	b = append(b, `,"level":"`...)
	b = append(b, d.Level.String()...)
	b = append(b, `","outcome":"`...)
	b = append(b, d.Outcome.String()...)
	b = append(b, '"')
	if d.Deadline != 0 {
		if d.Deadline != e.deadline || e.deadlineText == nil {
			e.deadline = d.Deadline
			e.deadlineText = appendTime(append(e.deadlineText[:0], `,"deadline":"`...), d.Deadline)
			e.deadlineText = append(e.deadlineText, '"')
		}
		b = append(b, e.deadlineText...)
	}
	b = append(b, `,"hits":[`...)
	for i := range d.Hits {
		h := &d.Hits[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"rule":`...)
		b = appendQuoted(b, h.Rule)
		b = append(b, `,"tags":[`...)
		for j, t := range h.Tags {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendQuoted(b, t)
		}
		b = append(b, `],"score":`...)
		b = appendNumber(b, h.Score)
		b = append(b, `,"reason":`...)
		b = appendQuoted(b, h.Reason)
		if h.Shadow {
			b = append(b, `,"shadow":true`...)
		}
		b = append(b, '}')
	}
	b = append(b, ']')
	if len(d.Errors) > 0 {
		b = append(b, `,"errors":[`...)
		for i, er := range d.Errors {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"rule":`...)
			b = appendQuoted(b, er.Rule)
			b = append(b, `,"message":`...)
			b = appendQuoted(b, er.Message)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if e.tail == nil || d.RuleSet != e.ruleSet || d.AsOf != e.asOf || d.Pack != e.pack || d.Version != e.version {
		e.ruleSet, e.asOf, e.pack, e.version = d.RuleSet, d.AsOf, d.Pack, d.Version
		t := append(e.tail[:0], `,"ruleset":`...)
		t = appendQuoted(t, d.RuleSet)
		if d.AsOf != 0 {
			t = append(t, `,"as_of":"`...)
			t = appendTime(t, d.AsOf)
			t = append(t, '"')
		}
		t = append(t, `,"pack":`...)
		t = appendQuoted(t, d.Pack)
		t = append(t, `,"version":`...)
		e.tail = appendQuoted(t, d.Version)
	}
	b = append(b, e.tail...)
	if withLine {
		b = append(b, `,"line":`...)
		b = strconv.AppendInt(b, int64(line), 10)
	}
	return append(b, '}', '\n')
}

// appendQuoted quotes s as Decision.AppendJSON does: quotes, backslashes
// and control characters escaped (\n, \r, \t or \u00XX), valid UTF-8 kept
// as it is, each byte that is not part of valid UTF-8 written as \ufffd.
func appendQuoted(b []byte, s string) []byte {
	b = append(b, '"')
	if plain, ascii := plainJSON(s); plain && (ascii || utf8.ValidString(s)) {
		b = append(b, s...)
		return append(b, '"')
	}
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

// appendNumber writes f as Decision.AppendJSON does (the shortest decimal,
// no exponent; NaN as 0, the infinities as the largest finite values): a
// whole number below 2^53 by its digits.
func appendNumber(b []byte, f float64) []byte {
	if f >= 0 && f < 1<<53 && f == float64(int64(f)) && (f != 0 || !math.Signbit(f)) {
		return strconv.AppendInt(b, int64(f), 10)
	}
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

// appendTime writes t as RFC 3339 at +08:00, as t.Std().AppendFormat(b,
// time.RFC3339) does: years 0 to 9999 by hand, others by package time.
func appendTime(b []byte, t risk.Time) []byte {
	const day = 86400
	s := int64(t) + 8*3600
	if t == 0 || s < -62167219200 || s >= 253402300800 { // 0000-01-01 to 9999-12-31 (at +08:00)
		return t.Std().AppendFormat(b, time.RFC3339)
	}
	days := s / day
	if s%day < 0 {
		days--
	}
	sec := int(s - days*day)
	// the civil date of a day number (days since 1970-01-01)
	z := days + 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
		y++
	}
	two := func(b []byte, v int) []byte { return append(b, byte('0'+v/10), byte('0'+v%10)) }
	b = two(b, int(y/100))
	b = two(b, int(y%100))
	b = append(b, '-')
	b = two(b, int(m))
	b = append(b, '-')
	b = two(b, int(d))
	b = append(b, 'T')
	b = two(b, sec/3600)
	b = append(b, ':')
	b = two(b, sec/60%60)
	b = append(b, ':')
	b = two(b, sec%60)
	return append(b, "+08:00"...)
}

// plainJSON reports whether s holds no byte JSON must escape (a quote, a
// backslash, a control character), eight bytes at a time, and whether it
// is all ASCII.
func plainJSON(s string) (plain, ascii bool) {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	var all uint64 // the bytes' bits, or'ed
	i := 0
	if len(s) >= 8 {
		p := unsafe.Slice(unsafe.StringData(s), len(s))
		for ; i+8 <= len(s); i += 8 {
			x := binary.LittleEndian.Uint64(p[i:])
			// a byte's high bit in m is set where it is a quote, a
			// backslash or below 0x20 (bytes of 0x80 and up are not: x's
			// own high bits are masked out)
			q := x ^ ('"' * ones)
			k := x ^ ('\\' * ones)
			if ((q-ones)&^q|(k-ones)&^k|(x-0x20*ones)&^x)&highs != 0 {
				return false, false
			}
			all |= x
		}
	}
	for ; i < len(s); i++ {
		c := s[i]
		if c == '"' || c == '\\' || c < 0x20 {
			return false, false
		}
		all |= uint64(c)
	}
	return true, all&highs == 0
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
			e.csvDeadlineText = appendCSVCell(e.csvDeadlineText[:0], string(appendTime(nil, d.Deadline)))
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
			t = appendCSVCell(t, string(appendTime(nil, d.AsOf)))
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
