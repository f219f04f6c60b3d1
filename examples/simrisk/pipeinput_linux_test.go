package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// score reads its input twice (population, then decisions). An input that
// can be read only once (a pipe given as a path, as bash's <(cmd) gives
// /dev/fd/63; a FIFO; a device) is kept in a temporary file, as standard
// input is: every record is scored. (It said "no records" and exited 1.)
func TestScoreInputReadOnce(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "pipe-input.jsonl"))
	require.NoError(t, err)
	r, w, err := os.Pipe()
	require.NoError(t, err)
	defer r.Close()
	_, err = w.Write(src) // fits in the pipe's buffer
	require.NoError(t, err)
	require.NoError(t, w.Close())
	in := fmt.Sprintf("/dev/fd/%d", r.Fd())
	out := filepath.Join(t.TempDir(), "d.jsonl")
	code, _, stderr := runCLI("score", "--lang", "en", "--as-of", "2026-11-01", "--in", in, "--out", out)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stderr, "records 3 = decisions 3 + rejected 0")
	d, err := os.ReadFile(out)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(d)), "\n")
	require.Len(t, lines, 3)
	require.Contains(t, lines[1], `"outcome":"verify"`)
	require.Contains(t, lines[1], `"line":2}`)

	// a directory is no input to keep: its own error, not the temporary file's
	code, _, stderr = runCLI("score", "--lang", "en", "--as-of", "2026-11-01", "--in", t.TempDir(), "--out", out)
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "is a directory")
	require.NotContains(t, stderr, "simrisk-stdin")
}
