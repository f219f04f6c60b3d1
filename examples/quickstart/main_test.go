package main

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The quickstart prints every section a newcomer is promised, with counts
// that add up.
func TestQuickstartOutput(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, run(&buf))
	out := buf.String()
	for _, s := range []string{"Decisions per outcome", "Decisions per level", "Hits per rule", "Three decisions explained"} {
		require.Contains(t, out, s)
	}
	m := regexp.MustCompile(`(\d+) decided, (\d+) rejected`).FindStringSubmatch(out)
	require.NotNil(t, m)
	require.Equal(t, "0", m[2])
	require.Equal(t, 3, strings.Count(out, "\n  card "))
	require.NotRegexp(t, `1[3-9]\d{9}`, out, "a full number was printed")
}
