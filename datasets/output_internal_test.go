package datasets

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

// Issue 14 review, finding 1: an output that is not a regular file (a
// FIFO, /dev/null, /dev/stdout) is written in place, never renamed over or
// removed; the decisions reach its reader.
func TestCreateOutputFIFO(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "out.fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	got := make(chan string, 1)
	go func() {
		r, err := os.Open(fifo)
		if err != nil {
			got <- err.Error()
			return
		}
		b, _ := io.ReadAll(r)
		r.Close()
		got <- string(b)
	}()
	f, err := CreateOutput(fifo)
	require.NoError(t, err)
	_, err = f.WriteString("decision\n")
	require.NoError(t, err)
	require.NoError(t, f.Commit())
	info, err := os.Lstat(fifo)
	require.NoError(t, err)
	require.True(t, info.Mode()&os.ModeNamedPipe != 0, "the FIFO was replaced: %v", info.Mode())
	require.Equal(t, "decision\n", <-got)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "a temporary file was left")
}

// /dev/stdout is a link to /proc/self/fd/1: when standard output is a
// file, the file is written through the descriptor and the link stays.
func TestCreateOutputThroughProcLink(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "redirected.jsonl")
	fd, err := os.Create(file)
	require.NoError(t, err)
	defer fd.Close()
	_, err = fd.WriteString("before\n")
	require.NoError(t, err)
	link := filepath.Join(dir, "stdout")
	require.NoError(t, os.Symlink(fmt.Sprintf("/proc/self/fd/%d", fd.Fd()), link))
	for _, abort := range []bool{false, true} {
		f, err := CreateOutput(link)
		require.NoError(t, err)
		_, err = f.WriteString("decision\n")
		require.NoError(t, err)
		if abort {
			f.Abort()
		} else {
			require.NoError(t, f.Commit())
		}
		info, err := os.Lstat(link)
		require.NoError(t, err)
		require.True(t, info.Mode()&os.ModeSymlink != 0, "the link was replaced by a file")
	}
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	require.Equal(t, "before\ndecision\ndecision\n", string(b))
}

// A link to a regular output stays a link; the file it names is replaced.
func TestCreateOutputKeepsLink(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "real.jsonl")
	require.NoError(t, os.WriteFile(file, []byte("old\n"), 0o644))
	link := filepath.Join(dir, "out.jsonl")
	require.NoError(t, os.Symlink("real.jsonl", link))
	f, err := CreateOutput(link)
	require.NoError(t, err)
	_, err = f.WriteString("new\n")
	require.NoError(t, err)
	require.NoError(t, f.Commit())
	info, err := os.Lstat(link)
	require.NoError(t, err)
	require.True(t, info.Mode()&os.ModeSymlink != 0)
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	require.Equal(t, "new\n", string(b))
}

// /dev/null is only ever opened: the test first asserts that CreateOutput
// will write it in place, and stops otherwise.
func TestCreateOutputDevNull(t *testing.T) {
	direct, _, err := outputTarget(os.DevNull)
	require.NoError(t, err)
	require.True(t, direct, "%s would be renamed over", os.DevNull)
	f, err := CreateOutput(os.DevNull)
	require.NoError(t, err)
	_, err = f.WriteString("decision\n")
	require.NoError(t, err)
	require.NoError(t, f.Commit())
	f, err = CreateOutput(os.DevNull)
	require.NoError(t, err)
	f.Abort()
	info, err := os.Lstat(os.DevNull)
	require.NoError(t, err)
	require.True(t, info.Mode()&os.ModeCharDevice != 0)
	_, err = CreateOutput(t.TempDir())
	require.ErrorContains(t, err, "is a directory")
}

// An output that cannot be created is named as the user wrote it, never by
// the temporary file behind it: a missing directory, a file where a
// directory should be.
func TestCreateOutputErrorNamesTheOutput(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "nodir", "x.csv")
	_, err := CreateOutput(name)
	require.EqualError(t, err, "output "+name+": directory "+filepath.Join(dir, "nodir")+" does not exist")
	require.NotContains(t, err.Error(), ".tmp")

	file := filepath.Join(dir, "file")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	name = filepath.Join(file, "x.csv")
	_, err = CreateOutput(name)
	require.EqualError(t, err, "output "+name+": "+file+" is not a directory")
}

// An output written in many pieces, well past the size at which its pages
// are sent to disk while it is written (writebackBytes), holds exactly
// those bytes once committed, and nothing under its name before.
func TestOutputFileWrittenOutAsWritten(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "decisions.jsonl")
	f, err := CreateOutput(name)
	require.NoError(t, err)
	var want []byte
	piece := make([]byte, 1<<20+7)
	for i := 0; len(want) < 3*writebackBytes; i++ {
		for j := range piece {
			piece[j] = byte('a' + (i+j)%26)
		}
		n, err := f.Write(piece)
		require.NoError(t, err)
		require.Equal(t, len(piece), n)
		want = append(want, piece...)
		require.Less(t, f.dirty, writebackBytes)
		_, err = os.Stat(name)
		require.True(t, os.IsNotExist(err), "nothing under the output's name before Commit")
	}
	require.NoError(t, f.Commit())
	got, err := os.ReadFile(name)
	require.NoError(t, err)
	require.Equal(t, len(want), len(got))
	require.True(t, bytes.Equal(want, got))
}
