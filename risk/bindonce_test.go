package risk

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// A let (or cel.bind) naming a quantifier used inside a loop computes the
// quantifier once per evaluation, not once per element, up to maxOnce lets
// deep; deeper, where it is used. Both give the same answers.
func TestBindOnceComputesOnce(t *testing.T) {
	r := &Record{}
	for i := range 50 {
		region := "TH"
		if i == 49 {
			region = "KH"
		}
		r.Roaming = append(r.Roaming, Roaming{Region: region})
	}
	var e env
	e.r = r
	for _, value := range []bool{false, true} {
		calls := 0
		v := lowered{b: func(*env) bool { calls++; return value }, loop: true}
		// any(roaming, x && .region == "KH"): KH is the last entry
		body := func(x lowered, once int) (lowered, bool) {
			kh := lowered{b: func(e *env) bool { return e.cur.Region == "KH" }}
			return predicate(true, and(x, kh), true, false), true
		}
		once, ok := bindOnce(v, 0, nil, body)
		require.True(t, ok)
		require.Equal(t, value, once.fn()(&e))
		require.Equal(t, 1, calls, "computed once")

		calls = 0
		_, ok = bindOnce(v, maxOnce, nil, body)
		require.False(t, ok, "past maxOnce lets deep the value is computed where it is used")
		lazy, _ := body(v, maxOnce)
		require.Equal(t, value, lazy.fn()(&e))
		require.Equal(t, len(r.Roaming), calls, "once per element")
	}
}
