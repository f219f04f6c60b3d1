package ref

import (
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Segment is what a number's leading digits tell: the original operator
// (number portability means the current one may differ), the card kind and
// whether the range belongs to MVNOs.
type Segment struct {
	Prefix   string
	Length   int // digits of numbers in this segment: 11 or 13
	Operator string
	Kind     string
	MVNO     bool
}

//go:embed segments.csv
var segmentsCSV string

type segKey struct {
	length int
	prefix string
}

// segTable is one version of the segment table; AddSegments replaces the
// whole table, so lookups never lock.
type segTable struct {
	byKey  map[segKey]Segment
	list   []Segment
	maxLen int
	// byNum is byKey by numKey, for LookupSegment: a uint64 key hashes
	// faster than a string's
	byNum map[uint64]Segment
	// quick answers LookupSegment for 11- and 13-digit numbers by their
	// first four digits: the list index + 1 of the longest segment of
	// three or four digits they start with, 0 for none, -1 when a longer
	// prefix starts with them (then byNum is asked)
	quick *[2][10000]int32
}

// index builds t.quick (once the table is complete).
func (t *segTable) index() {
	q := new([2][10000]int32)
	for i, s := range t.list {
		l := slices.Index([]int{11, 13}, s.Length)
		if l < 0 || len(s.Prefix) < 3 {
			continue
		}
		v, _ := strconv.Atoi(s.Prefix[:min(4, len(s.Prefix))])
		switch len(s.Prefix) {
		case 3:
			for d := 0; d < 10; d++ {
				if e := &q[l][v*10+d]; *e == 0 || *e > 0 && len(t.list[*e-1].Prefix) == 3 {
					*e = int32(i + 1)
				}
			}
		case 4:
			if q[l][v] >= 0 {
				q[l][v] = int32(i + 1)
			}
		default:
			q[l][v] = -1
		}
	}
	t.quick = q
}

// numKey is a segment's key as a number: the numbers' length, the
// prefix's length and its digits' value (prefixes are digits).
func numKey(length, n int, v uint64) uint64 {
	return uint64(length)<<56 | uint64(n)<<50 | v
}

var (
	segs   atomic.Pointer[segTable]
	segsMu sync.Mutex // serialises AddSegments
)

func init() {
	t := &segTable{byKey: map[segKey]Segment{}}
	for _, row := range readCSV(segmentsCSV, 6) {
		s, err := parseSegment(row)
		if err != nil {
			panic("ref: segments.csv: " + err.Error())
		}
		if _, dup := t.byKey[segKey{s.Length, s.Prefix}]; dup {
			panic("ref: segments.csv: prefix listed twice: " + s.Prefix)
		}
		t.add(s)
	}
	t.index()
	segs.Store(t)
}

func (t *segTable) add(s Segment) {
	k := segKey{s.Length, s.Prefix}
	if _, ok := t.byKey[k]; ok {
		for i := range t.list {
			if t.list[i].Length == s.Length && t.list[i].Prefix == s.Prefix {
				t.list[i] = s
			}
		}
	} else {
		t.list = append(t.list, s)
	}
	t.byKey[k] = s
	t.maxLen = max(t.maxLen, len(s.Prefix))
	if t.byNum == nil {
		t.byNum = map[uint64]Segment{}
	}
	v, err := strconv.ParseUint(s.Prefix, 10, 50)
	if err != nil || len(s.Prefix) > 15 {
		panic("ref: segment prefix not digits: " + s.Prefix) // parseSegment refuses one
	}
	t.byNum[numKey(s.Length, len(s.Prefix), v)] = s
}

// MaxSegmentRows is the most rows AddSegments reads from one file.
const MaxSegmentRows = 10000

func parseSegment(row []string) (Segment, error) {
	if len(row) < 5 {
		return Segment{}, fmt.Errorf("%d columns, want 5 (prefix,length,operator,kind,mvno) and an optional note", len(row))
	}
	for i := range row {
		row[i] = strings.TrimSpace(row[i])
	}
	s := Segment{Prefix: row[0], Operator: strings.ToLower(row[2]), Kind: strings.ToLower(row[3])}
	n, err := strconv.Atoi(row[1])
	switch {
	case err != nil || (n != 11 && n != 13):
		return s, fmt.Errorf("length %s: want 11 or 13", Quote(row[1]))
	case !digits(s.Prefix) || len(s.Prefix) < 3 || len(s.Prefix) >= n || s.Prefix[0] != '1':
		return s, fmt.Errorf("prefix %s: want 3 or more digits starting with 1, shorter than the number", Quote(s.Prefix))
	}
	s.Length = n
	switch s.Operator {
	case "cmcc", "unicom", "telecom", "broadnet":
	default:
		return s, fmt.Errorf("operator %s: want cmcc, unicom, telecom or broadnet", Quote(s.Operator))
	}
	switch s.Kind {
	case "mobile", "data_card", "iot":
	default:
		return s, fmt.Errorf("kind %s: want mobile, data_card or iot", Quote(s.Kind))
	}
	switch strings.ToLower(row[4]) {
	case "true":
		s.MVNO = true
	case "false", "":
	default:
		return s, fmt.Errorf("mvno %s: want true or false", Quote(row[4]))
	}
	return s, nil
}

// AddSegments adds number segments to the table from CSV in the format of
// the embedded table (segments.csv): a header row
// "prefix,length,operator,kind,mvno[,note]", then one row per segment, for
// example "1740,11,telecom,mobile,false,satellite"; lines starting with #
// are comments. Lines may end in LF, CRLF or CR alone (old Mac Excel); the
// header and the values of operator, kind and mvno are read
// case-insensitively (Prefix,Length,...; FALSE). prefix is 3 or more digits starting with 1, length 11 or
// 13, operator cmcc, unicom, telecom or broadnet, kind mobile, data_card or
// iot, mvno true or false (empty is false). A row for a prefix and length
// the table has replaces it; the longest prefix still wins. Nothing is
// added when any row is wrong: the error names its line. At most
// MaxSegmentRows rows. Safe for concurrent use with lookups, which see the
// table before or after the whole file; records validated before keep the
// segment they got.
func AddSegments(r io.Reader) error {
	cr := csv.NewReader(&lineEnds{r: r})
	cr.Comment = '#'
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	var add []Segment
	header := true
	for {
		row, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("segments: %w", err)
		}
		line, _ := cr.FieldPos(0)
		if header {
			header = false
			if len(row) < 5 || !strings.EqualFold(strings.TrimSpace(strings.TrimPrefix(row[0], "\ufeff")), "prefix") {
				return fmt.Errorf("segments: line %d: the first row must be the header prefix,length,operator,kind,mvno[,note]", line)
			}
			continue
		}
		if len(row) == 1 && strings.TrimSpace(row[0]) == "" {
			continue
		}
		if len(add) == MaxSegmentRows {
			return fmt.Errorf("segments: more than %d rows (MaxSegmentRows)", MaxSegmentRows)
		}
		s, err := parseSegment(row)
		if err != nil {
			return fmt.Errorf("segments: line %d: %v", line, err)
		}
		add = append(add, s)
	}
	if header {
		return errors.New("segments: empty file: want the header prefix,length,operator,kind,mvno[,note] and rows")
	}
	segsMu.Lock()
	defer segsMu.Unlock()
	old := segs.Load()
	t := &segTable{byKey: make(map[segKey]Segment, len(old.byKey)+len(add)), list: append([]Segment(nil), old.list...), maxLen: old.maxLen,
		byNum: make(map[uint64]Segment, len(old.byNum)+len(add))}
	for k, v := range old.byKey {
		t.byKey[k] = v
	}
	for k, v := range old.byNum {
		t.byNum[k] = v
	}
	for _, s := range add {
		t.add(s)
	}
	t.index()
	segs.Store(t)
	return nil
}

// LookupSegment finds the longest known segment prefix of msisdn among the
// segments for numbers of its length (11 or 13 digits).
func LookupSegment(msisdn string) (Segment, bool) {
	t := segs.Load()
	if l := len(msisdn); (l == 11 || l == 13) && isDigit(msisdn[0]) && isDigit(msisdn[1]) && isDigit(msisdn[2]) && isDigit(msisdn[3]) {
		v := int(msisdn[0]-'0')*1000 + int(msisdn[1]-'0')*100 + int(msisdn[2]-'0')*10 + int(msisdn[3]-'0')
		switch e := t.quick[(l-11)/2][v]; {
		case e > 0:
			return t.list[e-1], true
		case e == 0:
			return Segment{}, false
		}
	}
	return t.lookup(msisdn)
}

// lookup is LookupSegment without the quick table.
func (t *segTable) lookup(msisdn string) (Segment, bool) {
	// prefixes are digits: the values of msisdn's first digits, up to
	// its first other character
	var vals [16]uint64
	top := min(t.maxLen, len(msisdn), len(vals)-1)
	var v uint64
	for n := 1; n <= top; n++ {
		c := msisdn[n-1]
		if c < '0' || c > '9' {
			top = n - 1
			break
		}
		v = v*10 + uint64(c-'0')
		vals[n] = v
	}
	for n := top; n >= 3; n-- {
		if s, ok := t.byNum[numKey(len(msisdn), n, vals[n])]; ok {
			return s, true
		}
	}
	return Segment{}, false
}

// Segments lists the segment table.
func Segments() []Segment { return append([]Segment(nil), segs.Load().list...) }

// lineEnds reads r with every line end (CRLF, or CR alone) turned into LF,
// as the record readers take them.
type lineEnds struct {
	r  io.Reader
	cr bool // the last byte read was a CR
}

func (l *lineEnds) Read(p []byte) (int, error) {
	for {
		n, err := l.r.Read(p)
		out := 0
		for _, c := range p[:n] {
			switch {
			case c == '\r':
				p[out] = '\n'
				out++
				l.cr = true
				continue
			case c == '\n' && l.cr:
			default:
				p[out] = c
				out++
			}
			l.cr = false
		}
		if out > 0 || err != nil || n == 0 {
			return out, err
		}
	}
}
