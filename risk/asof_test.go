package risk_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/risk"
)

// The as-of range is 1980-01-01 to the last second of 9999 in China
// Standard Time, bounds included; outside, the error names both limits.
func TestCheckAsOf(t *testing.T) {
	require.Equal(t, risk.Date(1980, 1, 1), risk.MinAsOf)
	require.Equal(t, risk.Date(9999, 12, 31)+86399, risk.MaxAsOf)
	for _, at := range []risk.Time{risk.MinAsOf, risk.MaxAsOf, risk.Date(2026, 11, 1)} {
		require.NoError(t, risk.CheckAsOf(at), "%d", at)
	}
	for at, shown := range map[risk.Time]string{
		risk.MinAsOf - 1: "1979-12-31T23:59:59+08:00",
		risk.MaxAsOf + 1: "10000-01-01T00:00:00+08:00",
		0:                "1970-01-01T08:00:00+08:00",
	} {
		err := risk.CheckAsOf(at)
		require.ErrorIs(t, err, risk.ErrAsOfRange)
		require.EqualError(t, err, "as-of time out of range: "+shown+
			" is outside 1980-01-01T00:00:00+08:00 .. 9999-12-31T23:59:59+08:00 (risk.MinAsOf .. risk.MaxAsOf)")
	}
}

func ExampleCheckAsOf() {
	fmt.Println(risk.CheckAsOf(risk.Date(2026, 11, 1)))
	err := risk.CheckAsOf(risk.Date(1979, 12, 31))
	fmt.Println(errors.Is(err, risk.ErrAsOfRange))
	fmt.Println(err)
	// Output:
	// <nil>
	// true
	// as-of time out of range: 1979-12-31T00:00:00+08:00 is outside 1980-01-01T00:00:00+08:00 .. 9999-12-31T23:59:59+08:00 (risk.MinAsOf .. risk.MaxAsOf)
}
