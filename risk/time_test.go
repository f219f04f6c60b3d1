package risk_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/risk"
)

// TestParseTimeEveryDay: a YYYY-MM-DD date reads as the time package
// reads it, midnight CST, for every day of years near today's and of the
// first and last years a four-digit year writes; a day that does not
// exist (Feb 29 of a common year, a 31st of a 30-day month, month 13) is
// an error, and so is a day before 1980.
func TestParseTimeEveryDay(t *testing.T) {
	years := []int{0, 1, 4, 99, 100, 399, 400, 1899, 1900, 1979, 1980, 9999}
	for y := 1995; y <= 2105; y++ {
		years = append(years, y)
	}
	for _, y := range years {
		for m := 0; m <= 13; m++ {
			for d := 0; d <= 32; d++ {
				s := fmt.Sprintf("%04d-%02d-%02d", y, m, d)
				got, err := risk.ParseTime(s)
				want := time.Date(y, time.Month(m), d, 0, 0, 0, 0, risk.CST)
				exists := m >= 1 && m <= 12 && d >= 1 && want.Day() == d && int(want.Month()) == m
				if !exists || y < 1980 {
					require.Error(t, err, s)
					continue
				}
				require.NoError(t, err, s)
				require.Equal(t, risk.TimeOf(want), got, s)
				require.Equal(t, s, got.String())
			}
		}
	}
}
