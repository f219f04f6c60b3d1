package datasets_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/datasets"
)

// Scenarios with as many cards each are listed by name: the same file
// prints the same report, run after run.
func TestStatsFormatTiesByName(t *testing.T) {
	s := &datasets.Stats{Cards: 6, ByScenario: map[string]int{"normal": 3, "traveller": 1, "seasonal": 1, "flagged": 1}}
	for range 20 {
		var b strings.Builder
		s.Format(&b)
		out := b.String()
		i, j, k, l := strings.Index(out, "normal"), strings.Index(out, "flagged"), strings.Index(out, "seasonal"), strings.Index(out, "traveller")
		require.True(t, i < j && j < k && k < l, out)
	}
}
