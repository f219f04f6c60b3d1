package rules

import (
	"fmt"
	"io/fs"
)

// loadConfig is what the load options set.
type loadConfig struct {
	limits  Limits
	noTests bool
}

func defaultLoadConfig() loadConfig { return loadConfig{limits: DefaultLimits()} }

// LoadOption configures a Loader. An option that cannot apply (such as
// limits with a zero field) makes NewLoader return its error.
type LoadOption func(*loadConfig) error

// WithLimits sets the limits a load enforces (default DefaultLimits()). The
// RuleSet remembers them (RuleSet.Limits), and risk.Compile uses them when
// it is given none. Every field must be at least 1: start from
// DefaultLimits and change what you need.
func WithLimits(l Limits) LoadOption {
	return func(c *loadConfig) error {
		if err := l.Validate(); err != nil {
			return err
		}
		c.limits = l
		return nil
	}
}

// WithoutTests loads rules without their tests: files whose name ends in
// _test.yaml or _test.yml are not parsed (only their bytes enter the
// digest, so the RuleSet's Digest is the same with or without this option;
// one that cannot be read is left out of it), and a `tests:` key of a rule
// file is skipped. A host that
// scores with a pack uses it so that a broken rule test cannot keep its
// rules from loading; `simrisk test` and reload checks load with tests.
func WithoutTests() LoadOption {
	return func(c *loadConfig) error { c.noTests = true; return nil }
}

// Loader loads rule files with options. Build it once with NewLoader and
// use it for any number of loads; it holds no state between loads and is
// safe for concurrent use. The package-level Load, LoadFS, Parse and Pack
// are those of a Loader with default options.
type Loader struct{ cfg loadConfig }

// NewLoader returns a Loader with the given options applied in order, or the
// first option's error.
func NewLoader(opts ...LoadOption) (*Loader, error) {
	cfg := defaultLoadConfig()
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	return &Loader{cfg: cfg}, nil
}

var defaultLoader = &Loader{cfg: defaultLoadConfig()}

// Load is the package-level Load with the loader's options.
func (ld *Loader) Load(paths ...string) (*RuleSet, error) {
	return ld.LoadFS(osFS{}, paths...)
}

// LoadFS is the package-level LoadFS with the loader's options.
func (ld *Loader) LoadFS(fsys fs.FS, paths ...string) (*RuleSet, error) {
	return loadFS(ld.cfg, fsys, paths)
}

// Parse is the package-level Parse with the loader's options.
func (ld *Loader) Parse(srcs ...Source) (*RuleSet, error) {
	var c Collector
	lim := ld.cfg.limits
	if len(srcs) > lim.MaxFiles {
		c.Addf(Pos{File: srcs[lim.MaxFiles].Name}, "", "", CodeTooLarge,
			"%d rule files: over the limit max_files=%d", len(srcs), lim.MaxFiles)
		srcs = srcs[:lim.MaxFiles]
	}
	keep := make([]Source, 0, len(srcs))
	unread := false
	var total int64
	for _, s := range srcs {
		if int64(len(s.Data)) > lim.MaxFileBytes {
			c.Add(fileTooLarge(s.Name, int64(len(s.Data)), lim.MaxFileBytes))
			unread = true
			continue
		}
		if total += int64(len(s.Data)); total > lim.MaxTotalBytes {
			c.Add(totalTooLarge(s.Name, lim.MaxTotalBytes))
			keep, unread = nil, true
			break
		}
		keep = append(keep, s)
	}
	return parseSources(ld.cfg, nil, keep, &c, unread), c.List().Err()
}

// Pack is the package-level Pack with the loader's options.
func (ld *Loader) Pack(name string) (*RuleSet, error) {
	fsys := PacksFS()
	if st, err := fs.Stat(fsys, name); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("rules: no embedded pack %q (have %v)", name, Packs())
	}
	return ld.LoadFS(fsys, name)
}

func fileTooLarge(name string, size, limit int64) *Error {
	return &Error{Pos: Pos{File: name}, Code: CodeTooLarge,
		Msg: fmt.Sprintf("file is %d bytes: over the limit max_file_bytes=%d", size, limit)}
}

// overLimit is the message of a too_large error: what, then the limit's
// name and value.
func overLimit(what, name string, limit int64) string {
	return fmt.Sprintf("%s: over the limit %s=%d", what, name, limit)
}
