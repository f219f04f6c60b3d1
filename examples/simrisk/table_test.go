package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/text/width"
)

// displayWidth is the columns a terminal gives s: two for a wide rune.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		n++
		if k := width.LookupRune(r).Kind(); k == width.EastAsianWide || k == width.EastAsianFullwidth {
			n++
		}
	}
	return n
}

// In Chinese the backtest's tables line up on a terminal: right-aligned
// rows of a table end in the same column, though 二次实人认证 takes two
// columns a character; English tables are tabwriter's, byte for byte.
func TestZhTablesAlign(t *testing.T) {
	pop := filepath.Join(t.TempDir(), "pop.jsonl")
	code, _, errOut := runCLI("gen", "--cards", "3000", "--seed", "3", "--as-of", "2026-11-01", "--out", pop)
	require.Equal(t, 0, code, errOut)
	code, out, errOut := runCLI("backtest", "--candidate", "pack:default-cel", "--in", pop, "--as-of", "2026-11-01", "--lang", "zh")
	require.Equal(t, 0, code, errOut)
	lines := strings.Split(out, "\n")
	start := -1
	for i, l := range lines {
		if strings.HasPrefix(l, "处置（行为基线，列为候选）") {
			start = i + 1
		}
	}
	require.Positive(t, start, out)
	matrix := lines[start : start+6]
	require.Contains(t, matrix[3], "二次实人认证")
	for _, l := range matrix {
		require.Equal(t, displayWidth(matrix[0]), displayWidth(l), "%q\n%s", l, strings.Join(matrix, "\n"))
	}
	require.NotContains(t, out, string(widePad))

	// a table without wide characters is tabwriter's own
	var b strings.Builder
	tw := newTable(&b, 0)
	_, err := tw.Write([]byte("a\tbb\tc\nddd\te\tf\n"))
	require.NoError(t, err)
	require.NoError(t, tw.Flush())
	require.Equal(t, "a    bb  c\nddd  e   f\n", b.String())
}
