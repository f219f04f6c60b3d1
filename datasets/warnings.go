package datasets

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	suggestpkg "github.com/simrisk/simrisk/internal/suggest"
	"github.com/simrisk/simrisk/internal/vocab"
	"github.com/simrisk/simrisk/risk/ref"
)

// Warning is something a reader noticed that rejects no record: a column
// (CSV) or key (JSON Lines) that card-schema v1 does not have, which is
// ignored. Each is reported once per file, where it is first seen, with
// the schema field it most looks like; at most 100 names are reported from
// one file.
type Warning struct {
	Line    int    // the line it was first seen on
	What    string // "column" or "key"
	Name    string // as the file spells it, lower-cased, numbers masked, at most 64 characters, quoted when it holds control characters; iot.x and roaming.x inside those objects
	Suggest string // the schema field it is most like (a small edit away), or ""
}

// String reads "line 1: unknown column (ignored) alert_30d: did you mean
// alerts_30d?".
func (w Warning) String() string {
	name := w.Name
	if name == "" {
		name = `""`
	}
	msg := fmt.Sprintf("line %d: unknown %s (ignored) %s", w.Line, w.What, name)
	if w.Suggest != "" {
		msg += ": did you mean " + w.Suggest + "?"
	}
	return msg
}

// WithWarnings calls fn with each Warning a reader has, as it reads (nil:
// none are reported).
func WithWarnings(fn func(Warning)) ReadOption { return func(c *readConfig) { c.warn = fn } }

// WithStrict makes an unknown column or key an error that refuses the file
// instead of a Warning: a CSV reader fails at its header, a JSON Lines
// reader at the first record holding one (records before it were read; a
// caller that must not act on part of a file reads it through first, as
// ScoreFile does). The error matches ErrUnknownField.
func WithStrict() ReadOption { return func(c *readConfig) { c.strict = true } }

// ErrUnknownField is matched (errors.Is) by the error a strict reader
// returns for a column or key card-schema v1 does not have.
var ErrUnknownField = errors.New("unknown field")

type unknownFieldError struct{ msg string }

func (e *unknownFieldError) Error() string        { return e.msg }
func (e *unknownFieldError) Is(target error) bool { return target == ErrUnknownField }

// csvNames and jsonNames are the names a file may use: CSV's columns, and
// JSON's keys by their paths (iot.test_plan).
var (
	csvNames  = append(append(vocab.Unread(), csvColumns...), labelColumns...)
	jsonNames = append(append([]string{"roaming", "iot", "label"}, vocab.Unread()...), csvColumns...)
)

// knownIgnored are schema fields no reader stores (vocab.Unread), and the
// label, which draw no warning.
var knownIgnored = func() map[string]bool {
	m := map[string]bool{"label": true}
	for _, k := range vocab.Unread() {
		m[k] = true
	}
	return m
}()

// suggest returns the schema name nearest to name by edit distance, when
// it is near enough to be a slip (suggest.Nearest).
func suggest(name string, names []string) string { return suggestpkg.Nearest(name, names) }

// maxUnknownNames is the most unknown names reported from one file.
const maxUnknownNames = 100

// displayName shows a name from a file safely: numbers masked, at most 64
// characters, control characters and bytes that are not UTF-8 escaped.
func displayName(name string) string {
	if utf8.RuneCountInString(name) > 64 {
		n := 0
		for i := range name {
			if n == 64 {
				name = name[:i] + "…"
				break
			}
			n++
		}
	}
	name = maskName(name)
	if !utf8.ValidString(name) || strings.IndexFunc(name, unicode.IsControl) >= 0 {
		name = strconv.Quote(name)
	}
	return name
}

// maskName masks a column or key name from a file for a message: through
// the one masker (ref.MaskText), and a name it leaves as it is that holds 7
// or more digits in all (a number written with dots or underscores, say) is
// shown only by its first and last two characters (ref.Quote).
func maskName(name string) string {
	if m := ref.MaskText(name); m != name {
		return m
	}
	digits := 0
	for _, c := range name {
		if unicode.IsDigit(c) {
			digits++
		}
	}
	if digits >= 7 {
		return ref.Quote(name)
	}
	return name
}

// unknowns reports each unknown name of one file once.
type unknowns struct {
	cfg   *readConfig
	what  string   // column or key
	names []string // what it may be
	seen  map[string]bool
}

// add reports name (seen on line); in strict mode it returns the error
// that refuses the file.
func (u *unknowns) add(line int, name string) error {
	if knownIgnored[name] {
		return nil
	}
	if u.seen[name] {
		return nil
	}
	if u.seen == nil {
		u.seen = map[string]bool{}
	}
	if len(u.seen) >= maxUnknownNames && !u.cfg.strict {
		return nil // a file of random keys is not remembered (or reported) whole
	}
	u.seen[name] = true
	w := Warning{Line: line, What: u.what, Name: displayName(name), Suggest: suggest(name, u.names)}
	if u.cfg.strict {
		msg := strings.TrimPrefix(w.String(), fmt.Sprintf("line %d: ", line))
		msg = strings.Replace(msg, " (ignored)", "", 1)
		return &unknownFieldError{fmt.Sprintf("datasets: line %d: %s; strict reading refuses the file", line, msg)}
	}
	if u.cfg.warn != nil {
		u.cfg.warn(w)
	}
	return nil
}
