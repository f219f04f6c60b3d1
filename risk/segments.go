package risk

import (
	_ "embed"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
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

var segments = mustSegments(segmentsCSV)

type segKey struct {
	length int
	prefix string
}

type segTable struct {
	byKey     map[segKey]Segment
	maxPrefix int
	list      []Segment
}

func mustSegments(data string) *segTable {
	t, err := parseSegments(data)
	if err != nil {
		panic("risk: embedded segments.csv: " + err.Error())
	}
	return t
}

func parseSegments(data string) (*segTable, error) {
	var lines []string
	for _, l := range strings.Split(data, "\n") {
		if !strings.HasPrefix(l, "#") && strings.TrimSpace(l) != "" {
			lines = append(lines, l)
		}
	}
	rows, err := csv.NewReader(strings.NewReader(strings.Join(lines, "\n"))).ReadAll()
	if err != nil {
		return nil, err
	}
	t := &segTable{byKey: map[segKey]Segment{}}
	for i, row := range rows[1:] {
		if len(row) < 5 {
			return nil, fmt.Errorf("row %d: want 5 or more columns", i+2)
		}
		n, err := strconv.Atoi(row[1])
		if err != nil {
			return nil, fmt.Errorf("row %d: %v", i+2, err)
		}
		s := Segment{Prefix: row[0], Length: n, Operator: row[2], Kind: row[3], MVNO: row[4] == "true"}
		k := segKey{n, s.Prefix}
		if _, dup := t.byKey[k]; dup {
			return nil, fmt.Errorf("row %d: prefix %s listed twice", i+2, s.Prefix)
		}
		t.byKey[k] = s
		t.list = append(t.list, s)
		if len(s.Prefix) > t.maxPrefix {
			t.maxPrefix = len(s.Prefix)
		}
	}
	return t, nil
}

// LookupSegment finds the longest known segment prefix of msisdn among the
// segments for numbers of its length.
func LookupSegment(msisdn string) (Segment, bool) {
	for n := min(segments.maxPrefix, len(msisdn)); n >= 3; n-- {
		if s, ok := segments.byKey[segKey{len(msisdn), msisdn[:n]}]; ok {
			return s, true
		}
	}
	return Segment{}, false
}

// Segments lists the embedded segment table.
func Segments() []Segment { return append([]Segment(nil), segments.list...) }
