package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/datasets"
)

// Not a terminal (a buffer, a file, /dev/null, which is a character
// device but no terminal): no progress at all.
func TestScoreProgressOnlyOnATerminal(t *testing.T) {
	var buf bytes.Buffer
	require.Nil(t, newScoreProgress(&buf, &buf, false, 100))
	f, err := os.Create(filepath.Join(t.TempDir(), "log"))
	require.NoError(t, err)
	defer f.Close()
	require.Nil(t, newScoreProgress(f, f, false, 100))
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	require.NoError(t, err)
	defer null.Close()
	require.Nil(t, newScoreProgress(null, null, false, 100))
}

// The line shows the pass, records, their rate, the share done and the
// time left; it is redrawn at most every 200 ms and cleared at the end.
func TestScoreProgressLineThrottled(t *testing.T) {
	var buf bytes.Buffer
	clock := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	p := &scoreProgress{w: &buf, size: 1000, start: clock, redraw: 200 * time.Millisecond, now: func() time.Time { return clock }}
	clock = clock.Add(time.Second)
	p.update(datasets.ScoreProgress{Pass: 1, Passes: 2, Records: 10, Bytes: 100})
	clock = clock.Add(time.Second)
	p.update(datasets.ScoreProgress{Pass: 1, Passes: 2, Records: 50, Bytes: 500})
	p.update(datasets.ScoreProgress{Pass: 1, Passes: 2, Records: 60, Bytes: 600}) // too soon: not drawn
	clock = clock.Add(time.Millisecond)
	clock = clock.Add(2 * time.Second)
	p.update(datasets.ScoreProgress{Pass: 2, Passes: 2, Scoring: true, Records: 100, Bytes: 500})
	clock = clock.Add(300 * time.Millisecond)
	p.update(datasets.ScoreProgress{Pass: 2, Passes: 2, Scoring: true, Records: 150, Bytes: 600}) // no rate yet: 0.3 s into the pass
	clock = clock.Add(700 * time.Millisecond)
	p.update(datasets.ScoreProgress{Pass: 2, Passes: 2, Scoring: true, Records: 300, Bytes: 1000})
	p.done()
	draws := strings.Split(buf.String(), "\r\x1b[K")
	require.Equal(t, []string{"",
		"pass 1/2 counting holders: 10 records, 5% done, 19s left",
		"pass 1/2 counting holders: 50 records, 50 records/s, 25% done, 6s left",
		"pass 2/2 scoring: 100 records, 75% done, 1s left",
		"pass 2/2 scoring: 150 records, 80% done, 1s left",
		"pass 2/2 scoring: 300 records, 300 records/s, 100% done, 0s left",
		""}, draws)

	// in Chinese, on a terminal that speaks it
	buf.Reset()
	p = &scoreProgress{w: msgs("zh").with(&buf), size: 1000, start: clock, redraw: 200 * time.Millisecond, now: func() time.Time { return clock }}
	clock = clock.Add(time.Second)
	p.update(datasets.ScoreProgress{Pass: 2, Passes: 2, Scoring: true, Records: 300, Bytes: 1000})
	require.Equal(t, "\r\x1b[K第 2/2 遍 评分：300 条记录，已完成 100%，剩余 0s", buf.String())
}
