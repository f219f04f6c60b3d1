package datasets

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/risk"
)

// scoreReads scores data as ScoreFile does a file, the input coming in
// reads of at most n bytes (a read boundary wherever the test wants one)
// and cut into chunks of chunk bytes.
func scoreReads(t *testing.T, eng *risk.Engine, data []byte, f Format, n, chunk, workers int) pipeResult {
	t.Helper()
	defer func(c int) { chunkBytes = c }(chunkBytes)
	chunkBytes = chunk
	var dec, rej bytes.Buffer
	open := func() (io.ReadCloser, error) {
		var r io.Reader = bytes.NewReader(data)
		if n == 1 {
			r = iotest.OneByteReader(r)
		} else {
			r = &shortReader{r: r, n: n}
		}
		return io.NopCloser(r), nil
	}
	sum, err := ScoreFile(context.Background(), eng, open,
		ScoreOptions{Format: f, Workers: workers, AsOf: pipeAsOf, Decisions: &dec, Rejects: &rej, Lines: true})
	return pipeResult{dec.Bytes(), rej.Bytes(), sum, err}
}

// shortReader returns at most n bytes a read.
type shortReader struct {
	r io.Reader
	n int
}

func (s *shortReader) Read(p []byte) (int, error) { return s.r.Read(p[:min(len(p), s.n)]) }

// A line ended by a lone CR, then a line ended by LF: the LF ends the
// second line, wherever the reads and chunks are cut (a block cut after
// the CR, holding the second line's start, dropped the second line's LF
// and read lines 2 and 3 as one bad line: records in != decisions +
// rejects, a police-flagged card never scored).
func TestScoreFileCRThenLFAcrossReads(t *testing.T) {
	eng := defaultEngine(t)
	for _, name := range []string{"cr-then-lf.jsonl", "cr-then-lf.csv"} {
		data, err := os.ReadFile(filepath.Join("testdata", "boundaries", name))
		require.NoError(t, err)
		f, last := JSONL, `"line":3}`
		if strings.HasSuffix(name, ".csv") {
			f, last = CSV, `"line":4}` // the header is line 1
		}
		for _, n := range []int{1, 3} {
			for chunk := 1; chunk <= len(data)+1; chunk++ { // a block cut after every byte
				for _, workers := range []int{1, 3} {
					res := scoreReads(t, eng, data, f, n, chunk, workers)
					require.NoError(t, res.err)
					require.Empty(t, string(res.rejects), "%s, reads of %d, chunks of %d", name, n, chunk)
					require.Equal(t, 3, res.sum.Records, "%s, reads of %d, chunks of %d", name, n, chunk)
					require.Equal(t, 3, res.sum.Decisions)
					lines := strings.Split(strings.TrimSpace(string(res.decisions)), "\n")
					require.Len(t, lines, 3)
					require.Contains(t, lines[2], `"outcome":"verify"`)
					require.True(t, strings.HasSuffix(lines[2], last), lines[2])
				}
			}
		}
	}
}

// ScoreFile's output does not depend on where reads and chunks end, nor on
// the number of workers: any input, read a few bytes at a time into small
// chunks on three workers, gives the bytes and summary of one worker
// reading it whole.
func FuzzScoreFileCuts(f *testing.F) {
	data, err := os.ReadFile(filepath.Join("testdata", "boundaries", "cr-then-lf.jsonl"))
	require.NoError(f, err)
	f.Add(data, false, uint8(1), uint16(100))
	csv, err := os.ReadFile(filepath.Join("testdata", "boundaries", "cr-then-lf.csv"))
	require.NoError(f, err)
	f.Add(csv, true, uint8(0), uint16(76)) // reads of a byte, a chunk cut after line 3's CR (the dropped-LF fault)
	f.Add([]byte("\ufeff{\"msisdn\":\"13800138001\",\"opened_at\":\"2024-03-01\",\"holder\":\"h\"}\r\n\ufeff{\"msisdn\":\"13800138001\"}\r{\"msisdn\":\"+86 138 0013 8001\",\"opened_at\":\"2024-03-01\",\"holder\":\"h\",\"x\":1}"), false, uint8(2), uint16(7))
	eng := defaultEngine(f)
	f.Fuzz(func(t *testing.T, data []byte, isCSV bool, reads uint8, chunk uint16) {
		format := JSONL
		if isCSV {
			format = CSV
		}
		want := scoreReads(t, eng, data, format, len(data)+1, len(data)+1, 1) // one read, one chunk
		got := scoreReads(t, eng, data, format, int(reads)+1, int(chunk)+1, 3)
		if want.err != nil {
			require.Error(t, got.err)
			return
		}
		require.NoError(t, got.err)
		require.Equal(t, string(want.decisions), string(got.decisions))
		require.Equal(t, string(want.rejects), string(got.rejects))
		require.Equal(t, summaryJSON(t, want.sum), summaryJSON(t, got.sum))
	})
}

// ScoreOptions.Workers is bounded: past the limit ScoreFile says so, by
// name, before it reads or allocates anything (a huge value made channels
// and chunks past any memory: the process died out of memory).
func TestScoreFileWorkersLimit(t *testing.T) {
	data := []byte(`{"msisdn":"13800138001","opened_at":"2024-03-01","holder":"h-1"}` + "\n")
	opened := false
	open := func() (io.ReadCloser, error) { opened = true; return io.NopCloser(bytes.NewReader(data)), nil }
	for _, n := range []int{maxWorkers + 1, 1 << 40} {
		_, err := ScoreFile(context.Background(), defaultEngine(t), open, ScoreOptions{AsOf: pipeAsOf, Workers: n})
		require.ErrorContains(t, err, "ScoreOptions.Workers")
		require.ErrorContains(t, err, "over the limit of 256")
		require.False(t, opened)
	}
	sum, err := ScoreFile(context.Background(), defaultEngine(t), open, ScoreOptions{AsOf: pipeAsOf, Workers: maxWorkers})
	require.NoError(t, err)
	require.Equal(t, 1, sum.Decisions)
}
