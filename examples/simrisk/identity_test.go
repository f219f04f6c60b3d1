package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// records/README.md, segments-1064-174.jsonl, from the command line: the
// unknown 1749 segment without operator is rejected naming only its masked
// prefix; --segments adds it without a release, and then it is scored.
func TestScoreSegmentsFile(t *testing.T) {
	dir := t.TempDir()
	out, rej := filepath.Join(dir, "d.jsonl"), filepath.Join(dir, "r.jsonl")
	in := filepath.Join("testdata", "segments-1064-174.jsonl")
	code, _, stderr := runCLI("score", "--as-of", "2026-11-01", "--in", in, "--out", out, "--rejects", rej)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stderr, "records 10 = decisions 9 + rejected 1")
	r, err := os.ReadFile(rej)
	require.NoError(t, err)
	require.Contains(t, string(r), `"line":4,"reason":"msisdn: no known 11-digit number segment starts 174…;`)

	segs := filepath.Join(dir, "segments.csv")
	require.NoError(t, os.WriteFile(segs, []byte("# our own segments\nprefix,length,operator,kind,mvno,note\n1749,11,telecom,mobile,false,emergency\n"), 0o644))
	code, _, stderr = runCLI("score", "--as-of", "2026-11-01", "--in", in, "--out", out, "--rejects", rej, "--segments", segs)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stderr, "records 10 = decisions 10 + rejected 0")
	d, err := os.ReadFile(out)
	require.NoError(t, err)
	require.Contains(t, string(d), `"msisdn":"17490000001"`)

	bad := filepath.Join(dir, "bad.csv")
	require.NoError(t, os.WriteFile(bad, []byte("prefix,length,operator,kind,mvno\n1749,12,telecom,mobile,false\n"), 0o644))
	for _, cmd := range [][]string{
		{"score", "--as-of", "2026-11-01", "--in", in, "--segments", bad},
		{"explain", "--as-of", "2026-11-01", "--in", in, "--msisdn", "17490000001", "--segments", bad},
		{"backtest", "--candidate", "default", "--as-of", "2026-11-01", "--in", in, "--segments", bad},
	} {
		code, _, stderr = runCLI(cmd...)
		require.Equal(t, 1, code, cmd[0])
		require.True(t, strings.Contains(stderr, "--segments") && strings.Contains(stderr, `line 2: length "12": want 11 or 13`), stderr)
	}
}
