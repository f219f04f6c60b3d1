package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/simrisk/simrisk/datasets"
)

// scoreProgress shows how far score has come on one line of stderr,
// redrawn in place at most every redraw: the pass, records read, their
// rate and, when the input's size is known, the share done and the time
// left. It draws only when stderr is a terminal and the decisions do not
// go to that terminal too (stdout a terminal without --out): a log or a
// pipe gets nothing.
type scoreProgress struct {
	w         io.Writer
	size      int64 // the input's bytes; 0 when unknown
	start     time.Time
	last      time.Time
	redraw    time.Duration
	pass      int       // the pass last seen
	passStart time.Time // when it was first seen
	shown     bool
	now       func() time.Time
}

// newScoreProgress returns nil when nothing should be drawn.
func newScoreProgress(stderr, stdout io.Writer, decisionsToStdout bool, size int64) *scoreProgress {
	if !isTerminal(stderr) || decisionsToStdout && isTerminal(stdout) {
		return nil
	}
	return &scoreProgress{w: stderr, size: size, start: time.Now(), redraw: 200 * time.Millisecond, now: time.Now}
}

// update is datasets.ScoreOptions.Progress.
func (p *scoreProgress) update(s datasets.ScoreProgress) {
	if s.Pass != p.pass {
		p.pass, p.passStart = s.Pass, p.now()
	}
	now := p.now()
	if now.Sub(p.last) < p.redraw {
		return
	}
	p.last = now
	fmt.Fprintf(p.w, "\r\x1b[K%s", p.line(s, now))
	p.shown = true
}

func (p *scoreProgress) line(s datasets.ScoreProgress, now time.Time) string {
	m := msgsOf(p.w)
	what := m.s("counting holders")
	if s.Scoring {
		what = m.s("scoring")
	}
	line := m.sf("pass %d/%d %s: %d records", s.Pass, s.Passes, what, s.Records)
	if t := now.Sub(p.passStart).Seconds(); t >= 0.5 { // a rate of a few records says nothing
		line += m.sf(", %.0f records/s", float64(s.Records)/t)
	}
	elapsed := now.Sub(p.start).Seconds()
	if p.size <= 0 || elapsed <= 0 {
		return line
	}
	done := min(1, float64(int64(s.Pass-1)*p.size+s.Bytes)/float64(int64(s.Passes)*p.size))
	line += m.sf(", %.0f%% done", 100*done)
	if done > 0.02 {
		left := time.Duration(elapsed * (1 - done) / done * float64(time.Second)).Round(time.Second)
		line += m.sf(", %s left", left)
	}
	return line
}

// done ends the progress line.
func (p *scoreProgress) done() {
	if p.shown {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}

// inputSize is the size of the file open opens, or 0.
func inputSize(open datasets.Opener) int64 {
	f, err := open()
	if err != nil {
		return 0
	}
	defer f.Close()
	if st, ok := f.(interface{ Stat() (os.FileInfo, error) }); ok {
		if info, err := st.Stat(); err == nil && info.Mode().IsRegular() {
			return info.Size()
		}
	}
	return 0
}
