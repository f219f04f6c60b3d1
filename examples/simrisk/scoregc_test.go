package main

import (
	"path/filepath"
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/require"
)

// score collects garbage at half the live heap's growth unless GOGC says
// otherwise, and gives the process its setting back when it returns.
func TestScoreGCPercent(t *testing.T) {
	pct, ok := scoreGCPercent("")
	require.True(t, ok)
	require.Equal(t, 50, pct)
	for _, env := range []string{"200", "off", "100"} {
		_, ok := scoreGCPercent(env)
		require.False(t, ok, env)
	}

	before := debug.SetGCPercent(137)
	defer debug.SetGCPercent(before)
	t.Setenv("GOGC", "")
	code, _, stderr := runCLI("score", "--as-of", "2026-11-01", "--in", sampleCards, "--out", filepath.Join(t.TempDir(), "d.jsonl"), "--lang", "en")
	require.Equal(t, 0, code, stderr)
	require.Equal(t, 137, debug.SetGCPercent(before), "the setting before score")
}
