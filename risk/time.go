package risk

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/simrisk/simrisk/risk/ref"
)

// CST is China Standard Time (UTC+8). A date with no time of day is
// midnight of that day in CST, and "days since" counts CST calendar days.
var CST = time.FixedZone("CST", 8*3600)

const cstOffset = 8 * 3600

// Time is an instant as Unix seconds. The zero Time means absent: "never"
// or "unknown", as card-schema v1 reads null. Dates before 1980 are not
// valid in records, so no real date is ever zero.
type Time int64

// TimeOf converts a time.Time. The zero time.Time gives the zero Time.
func TimeOf(t time.Time) Time {
	if t.IsZero() {
		return 0
	}
	return Time(t.Unix())
}

// Date returns midnight CST of the given calendar day.
func Date(year int, month time.Month, day int) Time {
	return Time(time.Date(year, month, day, 0, 0, 0, 0, CST).Unix())
}

// IsZero reports whether t is absent.
func (t Time) IsZero() bool { return t == 0 }

// Std returns t as a time.Time in CST; the zero Time gives the zero time.Time.
func (t Time) Std() time.Time {
	if t == 0 {
		return time.Time{}
	}
	return time.Unix(int64(t), 0).In(CST)
}

// Day is the CST calendar day number of t (days since 1970-01-01 CST).
func (t Time) Day() int {
	s := int64(t) + cstOffset
	if s >= 0 { // every time since 1970: an unsigned division, the cheap one
		return int(uint64(s) / 86400)
	}
	return int((s+1)/86400) - 1 // rounded down, not toward 0
}

// String writes a date as YYYY-MM-DD when t is midnight CST, otherwise as
// RFC 3339 in CST; the zero Time is "".
func (t Time) String() string {
	if t == 0 {
		return ""
	}
	st := t.Std()
	if (int64(t)+cstOffset)%86400 == 0 {
		return st.Format(time.DateOnly)
	}
	return st.Format(time.RFC3339)
}

// AppendText appends t as String writes it, without allocating.
func (t Time) AppendText(b []byte) []byte {
	if t == 0 {
		return b
	}
	st := time.Unix(int64(t), 0).In(CST)
	if (int64(t)+cstOffset)%86400 == 0 {
		return st.AppendFormat(b, time.DateOnly)
	}
	return st.AppendFormat(b, time.RFC3339)
}

// DaysBetween counts CST calendar days from a to b (2026-08-03 to
// 2026-11-01 is 90).
func DaysBetween(a, b Time) int { return b.Day() - a.Day() }

// minValid is the earliest date a record may carry.
var minValid = Date(1980, 1, 1)

// The range of as-of times a host service should judge cards at: card dates
// start in 1980, and a decision writes its as-of time and deadline in RFC
// 3339, whose years end at 9999 (so a decision outside could not be
// replayed from itself). CheckAsOf checks it; package risk/live and the
// reference server refuse a time outside.
const (
	MinAsOf Time = 315504000    // 1980-01-01T00:00:00+08:00
	MaxAsOf Time = 253402271999 // 9999-12-31T23:59:59+08:00
)

// ErrAsOfRange is matched (errors.Is) by CheckAsOf's error.
var ErrAsOfRange = errors.New("as-of time out of range")

// CheckAsOf returns an error matching ErrAsOfRange, naming the limits,
// when t is outside MinAsOf .. MaxAsOf, and nil otherwise.
func CheckAsOf(t Time) error {
	if t >= MinAsOf && t <= MaxAsOf {
		return nil
	}
	return fmt.Errorf("%w: %s is outside 1980-01-01T00:00:00+08:00 .. 9999-12-31T23:59:59+08:00 (risk.MinAsOf .. risk.MaxAsOf)",
		ErrAsOfRange, time.Unix(int64(t), 0).In(CST).Format(time.RFC3339))
}

// ParseTime reads a card-schema date: YYYY-MM-DD (midnight CST) or an
// RFC 3339 timestamp, and the forms spreadsheets write: YYYY/MM/DD (month
// and day of one or two digits, 2026/1/5), and either date form followed by
// a time of day in China Standard Time, H:MM or H:MM:SS (2026-10-29
// 00:00:00, 2026/10/29 0:00). White space of any width (the ideographic
// and no-break spaces too) and zero-width characters around the text are
// ignored.
func ParseTime(s string) (Time, error) {
	if t, ok := parseDateFast(s); ok {
		// a 4-digit year is never past 9999: only the lower bound to check
		if t < minValid {
			return 0, fmt.Errorf("date %s is before 1980-01-01", s)
		}
		return t, nil
	}
	if t := strings.TrimFunc(s, isBlankRune); t != s {
		return ParseTime(t)
	}
	if t, ok := parseSheetDate(s); ok {
		return checkRange(t, s)
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return 0, fmt.Errorf("%s is not a date (want YYYY-MM-DD or YYYY/MM/DD, either with HH:MM:SS in China Standard Time, or an RFC 3339 timestamp)", ref.QuoteValue(s))
	}
	return checkRange(TimeOf(t), s)
}

// parseSheetDate reads Y-M-D or Y/M/D (a 4-digit year, a month and day of
// one or two digits) with an optional " H:MM[:SS]" in CST.
func parseSheetDate(s string) (Time, bool) {
	date, clock, hasClock := strings.Cut(s, " ")
	if len(date) < 8 || (date[4] != '-' && date[4] != '/') {
		return 0, false
	}
	sep := date[4]
	// num reads 1 to max digits at s[i:], up to stop or the end
	num := func(s string, i, max int) (n, next int, ok bool) {
		j := i
		for j < len(s) && j-i < max && s[j] >= '0' && s[j] <= '9' {
			n = n*10 + int(s[j]-'0')
			j++
		}
		return n, j, j > i
	}
	y, i, ok := num(date, 0, 4)
	if !ok || i != 4 {
		return 0, false
	}
	m, i, ok := num(date, 5, 2)
	if !ok || i >= len(date) || date[i] != sep {
		return 0, false
	}
	mEnd := i
	d, i, ok := num(date, i+1, 2)
	if sep == '-' && (mEnd != 7 || i != 10) { // with dashes, two digits each
		return 0, false
	}
	if !ok || i != len(date) || m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return 0, false
	}
	secs := 0
	if hasClock {
		h, i, ok := num(clock, 0, 2)
		if !ok || i >= len(clock) || clock[i] != ':' {
			return 0, false
		}
		mi, j, ok := num(clock, i+1, 2)
		if !ok || j != i+3 {
			return 0, false
		}
		sec := 0
		if j < len(clock) {
			if clock[j] != ':' {
				return 0, false
			}
			var k int
			sec, k, ok = num(clock, j+1, 2)
			if !ok || k != j+3 || k != len(clock) {
				return 0, false
			}
		}
		if h > 23 || mi > 59 || sec > 59 {
			return 0, false
		}
		secs = h*3600 + mi*60 + sec
	}
	return Time(int64(daysFromCivil(y, m, d))*86400 - cstOffset + int64(secs)), true
}

func checkRange(t Time, s string) (Time, error) {
	if t < minValid {
		return 0, fmt.Errorf("date %s is before 1980-01-01", s)
	}
	if t.Std().Year() > 9999 {
		return 0, fmt.Errorf("date %s is out of range", s)
	}
	return t, nil
}

// MarshalText writes the date as String does.
func (t Time) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// UnmarshalText reads a date as ParseTime does; "" is the zero Time.
func (t *Time) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*t = 0
		return nil
	}
	v, err := ParseTime(string(b))
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// parseDateFast reads YYYY-MM-DD without the time package: the common case
// of a record's dates. It reports false for anything else (other forms, or
// a day that does not exist), which ParseTime then reads the slow way.
func parseDateFast(s string) (Time, bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return 0, false
	}
	// each digit's value, unsigned: a byte that is not a digit is over 9
	y0, y1, y2, y3 := s[0]-'0', s[1]-'0', s[2]-'0', s[3]-'0'
	m0, m1, d0, d1 := s[5]-'0', s[6]-'0', s[8]-'0', s[9]-'0'
	if y0 > 9 || y1 > 9 || y2 > 9 || y3 > 9 || m0 > 9 || m1 > 9 || d0 > 9 || d1 > 9 {
		return 0, false
	}
	y := int(y0)*1000 + int(y1)*100 + int(y2)*10 + int(y3)
	m := int(m0)*10 + int(m1)
	d := int(d0)*10 + int(d1)
	if m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return 0, false
	}
	return Time(int64(daysFromCivil(y, m, d))*86400 - cstOffset), true
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil counts days from 1970-01-01 to y-m-d (proleptic Gregorian;
// Howard Hinnant's algorithm).
func daysFromCivil(y, m, d int) int {
	if m <= 2 {
		y--
	}
	if y >= 0 { // every year since 1 BC: unsigned divisions, the cheap ones
		u := uint(y)
		era := u / 400
		yoe := u - era*400
		doy := (153*uint((m+9)%12)+2)/5 + uint(d) - 1
		return int(era*146097+yoe*365+yoe/4-yoe/100+doy) - 719468
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// isBlankRune reports white space of any width and the zero-width
// characters spreadsheets and web forms leave around values.
func isBlankRune(c rune) bool {
	switch c {
	case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff':
		return true
	}
	return unicode.IsSpace(c)
}
