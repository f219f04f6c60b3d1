package suggest

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestNearest(t *testing.T) {
	names := []string{"alerts_30d", "outcome", "open_region", "days_since_last_voice", "when"}
	for in, want := range map[string]string{
		"alert_30d":             "alerts_30d",
		"outcom":                "outcome",
		"days_since_last_voise": "days_since_last_voice",
		"wen":                   "when",
		"wehn":                  "", // two edits on a short name: not a slip
		"alerts_30d":            "", // itself: nothing to suggest
		"complaints":            "", // nothing near
		"":                      "",
	} {
		require.Equal(t, want, Nearest(in, names), in)
	}
	require.Equal(t, 3, Distance("kitten", "sitting"))
	require.Equal(t, 1, Distance("区号", "区"))
}
