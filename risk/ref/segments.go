package ref

import (
	_ "embed"
	"strconv"
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

var (
	segByKey  = map[segKey]Segment{}
	segList   []Segment
	segMaxLen int
)

func init() {
	for _, row := range readCSV(segmentsCSV, 6) {
		n, err := strconv.Atoi(row[1])
		if err != nil {
			panic("ref: segments.csv: " + err.Error())
		}
		s := Segment{Prefix: row[0], Length: n, Operator: row[2], Kind: row[3], MVNO: row[4] == "true"}
		k := segKey{n, s.Prefix}
		if _, dup := segByKey[k]; dup {
			panic("ref: segments.csv: prefix listed twice: " + s.Prefix)
		}
		segByKey[k] = s
		segList = append(segList, s)
		segMaxLen = max(segMaxLen, len(s.Prefix))
	}
}

// LookupSegment finds the longest known segment prefix of msisdn among the
// segments for numbers of its length (11 or 13 digits).
func LookupSegment(msisdn string) (Segment, bool) {
	for n := min(segMaxLen, len(msisdn)); n >= 3; n-- {
		if s, ok := segByKey[segKey{len(msisdn), msisdn[:n]}]; ok {
			return s, true
		}
	}
	return Segment{}, false
}

// Segments lists the segment table.
func Segments() []Segment { return append([]Segment(nil), segList...) }
