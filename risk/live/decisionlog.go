package live

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/risk/ref"
)

// Limits of a DecisionLog's options (OpenDecisionLog refuses values outside
// them, naming the limit).
const (
	MinLogBytes    = 4 << 10 // LogOptions.MaxBytes at least 4 KiB
	MaxLogFiles    = 1000    // LogOptions.MaxFiles at most 1,000
	DefaultLogSize = 100 << 20
	DefaultLogKeep = 5
)

// LogOptions configures a DecisionLog.
type LogOptions struct {
	// MaxBytes is the size a log file may reach: a line that would take it
	// past is written to a new file, the old one rotated (default
	// DefaultLogSize, at least MinLogBytes). A single line longer than
	// MaxBytes is written alone in its file.
	MaxBytes int64
	// MaxFiles is how many rotated files are kept beside the current one:
	// PATH.1 (the newest) to PATH.N (default DefaultLogKeep, 0 to keep
	// none, at most MaxLogFiles).
	MaxFiles int
	// Now gives each line's logged_at (default time.Now).
	Now func() time.Time
}

// DecisionLog writes decisions as JSON Lines, one object a line:
//
//	{"logged_at":"RFC 3339","decision":{...},"shadow":{...},"shadow_error":"..."}
//
// decision is the card-schema decision object with msisdn masked
// (138****8000; reasons are masked by the engine already); shadow, present
// when a shadow pack decided differently or one of its rules failed, is the
// shadow's decision, masked the same way; shadow_error, present when the
// shadow failed on the card (a Service writes it; Write never does), says
// how, masked. Files rotate by size (LogOptions). A write or rotation that
// fails (a full disk, the directory removed) returns its error and loses that
// line; the next Write tries again, so the log resumes once the path is
// writable. It is safe for concurrent use.
type DecisionLog struct {
	mu     sync.Mutex
	path   string
	opt    LogOptions
	f      *os.File // nil after Close, or after a rotation that failed (the next Write tries again)
	size   int64
	buf    []byte
	closed bool
}

// OpenDecisionLog opens (appends to) the log at path.
func OpenDecisionLog(path string, opt LogOptions) (*DecisionLog, error) {
	if opt.MaxBytes == 0 {
		opt.MaxBytes = DefaultLogSize
	}
	if opt.MaxBytes < MinLogBytes {
		return nil, fmt.Errorf("live: decision log MaxBytes %d is under the limit of %d (live.MinLogBytes)", opt.MaxBytes, MinLogBytes)
	}
	if opt.MaxFiles < 0 || opt.MaxFiles > MaxLogFiles {
		return nil, fmt.Errorf("live: decision log MaxFiles %d is outside 0..%d (live.MaxLogFiles)", opt.MaxFiles, MaxLogFiles)
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	l := &DecisionLog{path: path, opt: opt}
	if err := l.open(); err != nil {
		return nil, err
	}
	return l, nil
}

func (l *DecisionLog) open() error {
	f, err := os.OpenFile(l.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		return fmt.Errorf("live: decision log: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("live: decision log: %w", err)
	}
	l.f, l.size = f, st.Size()
	return nil
}

// Write logs one decision and, when it differed, the shadow pack's.
func (l *DecisionLog) Write(d, shadow *risk.Decision) error { return l.write(d, shadow, nil) }

// write logs one decision, the shadow's when there is one, and the shadow's
// failure when shErr is non-nil (its text is masked already, masked again).
func (l *DecisionLog) write(d, shadow *risk.Decision, shErr error) error {
	if d == nil {
		return errors.New("live: decision log: nil decision")
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return errors.New("live: decision log is closed")
	}
	b := append(l.buf[:0], `{"logged_at":"`...)
	b = l.opt.Now().AppendFormat(b, time.RFC3339)
	b = append(b, `","decision":`...)
	b = appendMasked(b, d)
	if shadow != nil {
		b = append(b, `,"shadow":`...)
		b = appendMasked(b, shadow)
	}
	if shErr != nil {
		b = append(b, `,"shadow_error":`...)
		q, _ := json.Marshal(ref.MaskText(shErr.Error())) // a string always marshals
		b = append(b, q...)
	}
	b = append(b, "}\n"...)
	l.buf = b
	if l.f == nil { // a rotation failed (the directory was gone, say): try again
		if err := l.open(); err != nil {
			return err
		}
	}
	if l.size > 0 && l.size+int64(len(b)) > l.opt.MaxBytes {
		if err := l.rotate(); err != nil {
			return err
		}
	}
	n, err := l.f.Write(b)
	l.size += int64(n)
	if err != nil {
		return fmt.Errorf("live: decision log: %w", err)
	}
	return nil
}

func appendMasked(b []byte, d *risk.Decision) []byte {
	m := *d
	m.MSISDN = risk.MaskMSISDN(d.MSISDN)
	return m.AppendJSON(b)
}

// rotate renames PATH.k to PATH.k+1 (dropping the oldest), PATH to PATH.1,
// and starts a new PATH.
func (l *DecisionLog) rotate() error {
	if err := l.f.Close(); err != nil {
		return fmt.Errorf("live: decision log: %w", err)
	}
	l.f = nil
	if l.opt.MaxFiles == 0 {
		if err := os.Remove(l.path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("live: decision log: %w", err)
		}
	} else {
		os.Remove(fmt.Sprintf("%s.%d", l.path, l.opt.MaxFiles))
		for k := l.opt.MaxFiles - 1; k >= 1; k-- {
			if err := os.Rename(fmt.Sprintf("%s.%d", l.path, k), fmt.Sprintf("%s.%d", l.path, k+1)); err != nil && !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("live: decision log: %w", err)
			}
		}
		if err := os.Rename(l.path, l.path+".1"); err != nil {
			return fmt.Errorf("live: decision log: %w", err)
		}
	}
	return l.open()
}

// Close closes the current file; later writes fail.
func (l *DecisionLog) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}
