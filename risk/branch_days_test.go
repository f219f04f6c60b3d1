package risk

import (
	"math"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"
)

// A days_since_* comparison lowered to a test of the time against a
// threshold (opDaysLT, opActLT) answers as the count compared with the
// constant would: for times on and around day boundaries in CST, unset,
// before 1970 and at the ends of int64, at as-of times in and far out of
// range, and constants up to the largest folded.
func TestDaysTestsMatchDaysSince(t *testing.T) {
	asOfs := []Time{Date(2026, 11, 1), Date(2026, 11, 1) + 86399, Date(2026, 11, 1) - 1, MinAsOf, MaxAsOf, 1, -5*86400 + 7,
		1 << 62, -(1 << 62), math.MaxInt64, math.MinInt64}
	cs := []int{-maxDaysConst, -1, 0, 1, 2, 29, 30, 89, 90, 91, Never - 1, Never, Never + 1, maxDaysConst}
	cmps := []string{"<", "<=", ">", ">="}
	for _, asOf := range asOfs {
		times := []Time{0, 1, -1, -86400, -cstOffset, -cstOffset - 1, math.MaxInt64, math.MaxInt64 - cstOffset,
			math.MaxInt64 - cstOffset + 1, math.MinInt64, math.MinInt64 + 1}
		for _, d := range []int64{0, 1, 29, 30, 31, 89, 90, 91, Never} {
			for _, s := range []int64{-cstOffset - 1, -cstOffset, -cstOffset + 1, 0, 86399 - cstOffset} {
				at := int64(asOf) - d*86400 + s
				times = append(times, Time(at))
			}
		}
		e := &env{}
		for _, tm := range times {
			r := &Record{LastAttachAt: tm, Roaming: []Roaming{{LastSeen: tm}}}
			act := []*Record{{LastSMSAt: tm, LastVoiceAt: tm - 1}, {OpenedAt: tm}}
			days := daysSince(tm, asOf)
			for _, c := range cs {
				for _, cmp := range cmps {
					want := map[string]bool{"<": days < c, "<=": days <= c, ">": days > c, ">=": days >= c}[cmp]
					n := daysNode(valRef{kind: vDaysSince, off: unsafe.Offsetof(Record{}.LastAttachAt)}, cmp, c)
					require.NotNil(t, n)
					e.begin(r, asOf, nil, 0)
					require.Equal(t, want, e.run(boolCode(n), nil), "as of %d: days since %d (%d) %s %d", asOf, tm, days, cmp, c)
					n = daysNode(valRef{kind: vDaysSince, off: unsafe.Offsetof(Roaming{}.LastSeen), cur: true}, cmp, c)
					require.Equal(t, want, e.run(boolCode(n), unsafe.Pointer(&r.Roaming[0])), "as of %d: days ago %d %s %d", asOf, tm, cmp, c)
					if tm == 0 {
						continue // no activity and no opening: covered by r
					}
					for _, a := range act {
						// the schema's days_since_last_activity: the latest
						// of voice, SMS and data (unset counts as 0), else
						// the opening
						last := a.LastActivity()
						if last == 0 {
							last = a.OpenedAt
						}
						ad := daysSince(last, asOf)
						want := map[string]bool{"<": ad < c, "<=": ad <= c, ">": ad > c, ">=": ad >= c}[cmp]
						n = daysNode(valRef{kind: vDaysActivity}, cmp, c)
						e.begin(a, asOf, nil, 0)
						require.Equal(t, want, e.run(boolCode(n), nil), "as of %d: activity %d (%d) %s %d", asOf, tm, ad, cmp, c)
					}
				}
			}
		}
	}
	// constants too large to fold, and ==, stay value comparisons
	for _, c := range []int{-maxDaysConst - 1, maxDaysConst + 1, math.MaxInt, math.MinInt} {
		require.Nil(t, daysNode(valRef{kind: vDaysSince}, "<", c))
	}
	require.Nil(t, daysNode(valRef{kind: vDaysSince}, "==", 3))
	require.Nil(t, daysNode(valRef{kind: vFreeze}, "<", 3))
}
