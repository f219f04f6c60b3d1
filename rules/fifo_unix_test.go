//go:build unix

package rules_test

import (
	"fmt"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/rules"
)

// A FIFO, which would block whoever opens it, is refused without being
// opened: as a rule file and as a test's population, at load and when the
// test runs.
func TestFIFOIsNotRead(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe.yaml")
	require.NoError(t, syscall.Mkfifo(fifo, 0o644))
	_, err := rules.Load(fifo)
	require.ErrorIs(t, err, rules.CodeIO)
	require.ErrorContains(t, err, "not a regular file")

	require.NoError(t, syscall.Mkfifo(filepath.Join(dir, "pop.jsonl"), 0o644))
	f := filepath.Join(dir, "r.yaml")
	writeFile(t, f, fmt.Sprintf(popTest, "pop.jsonl"))
	rs, err := rules.Load(f)
	require.ErrorIs(t, err, rules.CodeBadTest)
	require.ErrorContains(t, err, `population "`+filepath.ToSlash(filepath.Join(dir, "pop.jsonl"))+`" is not a regular file`)
	_, err = rs.Tests[0].OpenPopulation()
	require.ErrorIs(t, err, rules.CodeBadTest)
	require.ErrorContains(t, err, "is not a regular file")
}
