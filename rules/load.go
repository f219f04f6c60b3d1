package rules

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/simrisk/simrisk/internal/suggest"
	"go.yaml.in/yaml/v3"
)

// Load reads rule files and directories into one RuleSet. A directory
// contributes every *.yaml and *.yml file directly in it; a file x.yaml
// brings its sibling x_test.yaml along when that exists. Rule ids,
// parameter, list and macro names are unique across all files.
//
// Loading is strict: unknown keys, duplicates, bad values and missing keys
// are errors. Every problem is reported, up to MaxErrors, as an ErrorList of
// positioned *Error. When err is not nil the returned RuleSet still holds
// what could be read (so that a linter can go on checking expressions), and
// its Err method returns err: risk.Compile refuses it.
//
// Load enforces DefaultLimits (a file is checked against max_file_bytes
// before it is read); NewLoader with WithLimits sets others.
func Load(paths ...string) (*RuleSet, error) {
	return defaultLoader.LoadFS(osFS{}, paths...)
}

type osFS struct{}

func (osFS) Open(name string) (fs.File, error) { return os.Open(name) }
func (osFS) ReadDir(name string) ([]fs.DirEntry, error) {
	return os.ReadDir(name)
}

// Stat does not open the file: opening a FIFO would block.
func (osFS) Stat(name string) (fs.FileInfo, error) { return os.Stat(name) }

// LoadFS is Load over a file system, such as an embed.FS.
func LoadFS(fsys fs.FS, paths ...string) (*RuleSet, error) {
	return defaultLoader.LoadFS(fsys, paths...)
}

// isTestFile reports whether name is a rule test file: x_test.yaml.
func isTestFile(name string) bool {
	base := path.Base(filepath.ToSlash(name))
	return strings.HasSuffix(strings.TrimSuffix(base, path.Ext(base)), "_test")
}

func loadFS(cfg loadConfig, fsys fs.FS, paths []string) (*RuleSet, error) {
	lim := cfg.limits
	var files []string
	seen := map[string]bool{}
	tooMany := false
	add := func(p string) {
		if seen[p] || tooMany {
			return
		}
		seen[p] = true
		if len(files) >= lim.MaxFiles {
			tooMany = true
			return
		}
		files = append(files, p)
	}
	var c Collector
	join, dir, ext := pathFuncs(fsys)
	for _, p := range paths {
		st, err := fs.Stat(fsys, p)
		if err != nil {
			c.Addf(Pos{File: p}, "", "", CodeIO, "%v", unwrapPathError(err))
			continue
		}
		if st.IsDir() {
			entries, err := fs.ReadDir(fsys, p)
			if err != nil {
				c.Addf(Pos{File: p}, "", "", CodeIO, "%v", unwrapPathError(err))
				continue
			}
			var names []string
			for _, e := range entries {
				if !e.IsDir() && (ext(e.Name()) == ".yaml" || ext(e.Name()) == ".yml") {
					names = append(names, e.Name())
				}
			}
			if len(names) == 0 {
				c.Addf(Pos{File: p}, "", "", CodeIO, "no rule files (.yaml or .yml) in this directory")
				continue
			}
			sort.Strings(names)
			for _, n := range names {
				add(join(p, n))
			}
		} else {
			add(p)
			if e := ext(p); !isTestFile(p) {
				sib := join(dir(p), strings.TrimSuffix(path.Base(filepath.ToSlash(p)), e)+"_test"+e)
				if _, err := fs.Stat(fsys, sib); err == nil {
					add(sib)
				}
			}
		}
		if tooMany {
			c.Addf(Pos{File: p}, "", "", CodeTooLarge, "%s", overLimit(fmt.Sprintf("more than %d rule files", lim.MaxFiles),
				"max_files", int64(lim.MaxFiles)))
			break
		}
	}
	if len(files) == 0 && c.Len() == 0 {
		c.Addf(Pos{}, "", "", CodeIO, "no rule files given")
	}
	// max_total_bytes on the sizes the files claim, before any is read: a
	// load of many files each under max_file_bytes must not exhaust memory.
	var total int64
	for _, f := range files {
		// a file over max_file_bytes is refused by itself, unread
		if st, err := fs.Stat(fsys, f); err == nil && st.Mode().IsRegular() && st.Size() <= lim.MaxFileBytes {
			total += st.Size()
			if total > lim.MaxTotalBytes {
				c.Add(totalTooLarge(f, lim.MaxTotalBytes))
				rs := parseSources(cfg, fsys, nil, &c, true)
				return rs, rs.err
			}
		}
	}
	srcs := make([]Source, 0, len(files))
	unread := false
	total = 0
	for _, f := range files {
		left := lim.MaxTotalBytes - total
		data, e := readFile(fsys, f, min(lim.MaxFileBytes, left))
		if e != nil && e.Code == CodeTooLarge && left < lim.MaxFileBytes {
			// a file grew after its size was read
			c.Add(totalTooLarge(f, lim.MaxTotalBytes))
			unread = true
			break
		}
		if e != nil {
			if cfg.noTests && isTestFile(f) {
				// without tests a test file is read only for the digest:
				// one that cannot be read must not keep the rules from loading
				continue
			}
			c.Add(e)
			unread = true
			continue
		}
		total += int64(len(data))
		srcs = append(srcs, Source{Name: f, Data: data})
	}
	rs := parseSources(cfg, fsys, srcs, &c, unread)
	return rs, rs.err
}

func totalTooLarge(name string, limit int64) *Error {
	return &Error{Pos: Pos{File: name}, Code: CodeTooLarge,
		Msg: overLimit(fmt.Sprintf("the rule files up to this one have more than %d bytes in all", limit), "max_total_bytes", limit)}
}

// readFile reads one rule file, refusing one that is not a regular file or
// is over max bytes: its size is checked before reading, and the read itself
// stops past max in case the size was not the truth (a file that grows, a
// device).
func readFile(fsys fs.FS, name string, max int64) ([]byte, *Error) {
	ioErr := func(err error) *Error {
		return &Error{Pos: Pos{File: name}, Code: CodeIO, Msg: unwrapPathError(err).Error()}
	}
	st, err := fs.Stat(fsys, name)
	if err != nil {
		return nil, ioErr(err)
	}
	if !st.Mode().IsRegular() {
		return nil, &Error{Pos: Pos{File: name}, Code: CodeIO, Msg: "not a regular file"}
	}
	if st.Size() > max {
		return nil, fileTooLarge(name, st.Size(), max)
	}
	f, err := fsys.Open(name)
	if err != nil {
		return nil, ioErr(err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, ioErr(err)
	}
	if int64(len(data)) > max {
		return nil, &Error{Pos: Pos{File: name}, Code: CodeTooLarge,
			Msg: overLimit(fmt.Sprintf("file has more than %d bytes", max), "max_file_bytes", max)}
	}
	return data, nil
}

func unwrapPathError(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	return err
}

func pathFuncs(fsys fs.FS) (join func(...string) string, dir func(string) string, ext func(string) string) {
	if _, ok := fsys.(osFS); ok {
		return filepath.Join, filepath.Dir, filepath.Ext
	}
	return path.Join, path.Dir, path.Ext
}

// Source is one rule file's name and contents.
type Source struct {
	Name string
	Data []byte
}

// Parse reads rule files held in memory, as Load does for files on disk.
// A source over max_file_bytes is refused unparsed.
func Parse(srcs ...Source) (*RuleSet, error) {
	return defaultLoader.Parse(srcs...)
}

// parseSources reads the sources into a RuleSet and records c's errors in
// it (RuleSet.Err). fsys, when not nil, is where test fixtures are checked.
// unread says that a file could not be read (or was refused), so that
// checks across files, which would only report its absence, are skipped.
func parseSources(cfg loadConfig, fsys fs.FS, srcs []Source, c *Collector, unread bool) *RuleSet {
	rs := &RuleSet{Language: LangExpr, limits: cfg.limits}
	h := sha256.New()
	l := &loader{rs: rs, c: c, cfg: cfg, fsys: fsys, ids: map[string]Pos{}, names: map[string]Pos{}, tests: map[string]Pos{}, broken: unread}
	for _, s := range srcs {
		// the digest covers the test files too, with or without
		// WithoutTests, so that a host scoring without tests and an analyst
		// testing the same pack name the same rule set
		fmt.Fprintf(h, "%s\x00%d\x00", path.Base(filepath.ToSlash(s.Name)), len(s.Data))
		h.Write(s.Data)
		if cfg.noTests && isTestFile(s.Name) {
			continue
		}
		rs.Files = append(rs.Files, s.Name)
		l.file(s)
	}
	rs.Digest = "sha256:" + hex.EncodeToString(h.Sum(nil))[:32]
	sort.SliceStable(rs.Bands, func(i, j int) bool { return rs.Bands[i].Min < rs.Bands[j].Min })
	l.finish()
	rs.index()
	rs.err = c.List().Err()
	return rs
}

type loader struct {
	rs    *RuleSet
	c     *Collector
	cfg   loadConfig
	fsys  fs.FS          // where test fixtures are checked at load; nil for Parse
	ids   map[string]Pos // rule ids
	names map[string]Pos // params, lists, macros share one namespace each, prefixed
	tests map[string]Pos

	file_     string
	lines     []string
	lang      string
	bandsFile string
	metaFrom  map[string]Pos
	ntests    int                 // tests read so far, for max_tests
	nrules    int                 // rules read so far, for max_rules
	bad       map[*yaml.Node]bool // scalars reported by badNumbers
	broken    bool                // a file did not parse: checks across files would only report its absence

	// where byteIndex stopped last: line, rune and byte index, so that
	// many expressions on one long line do not scan it again each
	curLine, curRune, curByte int
}

func (l *loader) pos(n *yaml.Node) Pos {
	return Pos{File: l.file_, Line: n.Line, Column: n.Column}
}

// errf records an error at n. The snippet (a copy of the source line) is
// built only when the collector keeps the error: a file with a great many
// errors on one long line must not cost the line's length for each.
func (l *loader) errf(n *yaml.Node, rule, field string, code Code, format string, args ...any) {
	e := &Error{Pos: l.pos(n), Rule: rule, Field: field, Code: code, Msg: fmt.Sprintf(format, args...)}
	if l.c.Len() < MaxErrors {
		e.Snippet = snippet(l.lines, e.Line, e.Column)
	}
	l.c.Add(e)
}

// tooLarge records a too_large error at n: what is over the limit called name.
func (l *loader) tooLarge(n *yaml.Node, rule, field, what, name string, limit int64) {
	l.errf(n, rule, field, CodeTooLarge, "%s", overLimit(what, name, limit))
}

func (l *loader) file(s Source) {
	l.file_ = s.Name
	l.lines = strings.Split(string(s.Data), "\n")
	l.curLine, l.curRune, l.curByte = 0, 0, 0
	if l.rs.lines == nil {
		l.rs.lines = map[string][]string{}
	}
	l.rs.lines[s.Name] = l.lines
	l.lang = ""
	syntaxErr := func(err error) {
		l.broken = true
		e := yamlError(s.Name, s.Data, l.lines, err)
		if l.c.Len() < MaxErrors {
			e.Snippet = snippet(l.lines, e.Line, e.Column)
		}
		l.c.Add(e)
	}
	// A rule file is one YAML document. Empty documents after it (a lone
	// --- or ...) are allowed; anything else after a second --- is an error
	// at that line, not silently ignored.
	dec := yaml.NewDecoder(bytes.NewReader(s.Data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil && err != io.EOF {
		syntaxErr(err)
		return
	}
	for {
		var next yaml.Node
		err := dec.Decode(&next)
		if err == io.EOF {
			break
		}
		if err != nil {
			syntaxErr(err)
			return
		}
		if len(next.Content) == 1 && next.Content[0].Kind == yaml.ScalarNode && next.Content[0].Tag == "!!null" &&
			next.Content[0].Value == "" && next.Content[0].Style&yaml.TaggedStyle == 0 {
			continue // an empty document
		}
		l.broken = true
		l.errf(&next, "", "", CodeSyntax, "a rule file is one YAML document: a second document starts here (split it into another file)")
		break
	}
	if len(doc.Content) == 0 {
		return // an empty file is an empty contribution
	}
	defer l.badNumbers(&doc) // those no reader reported with its context
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		l.errf(root, "", "", CodeBadValue, "a rule file is a mapping with keys such as rules, params and tests")
		return
	}
	// The language key decides how this file's rules are read, so read it first.
	if v := lookup(root, "language"); v != nil {
		if lang, ok := l.str(v, "", "language"); ok {
			if lang != LangExpr && lang != LangCEL {
				l.errf(v, "", "language", CodeBadLanguage, "unknown expression language %q (want expr or cel)", lang)
			} else {
				l.lang = lang
			}
		}
	}
	l.mapping(root, "", func(key string, k, v *yaml.Node) bool {
		switch key {
		case "name", "version", "description":
			if s, ok := l.str(v, "", key); ok {
				l.meta(key, s, v)
			}
		case "language":
			if l.lang != "" {
				l.meta("language", l.lang, v)
			}
		case "params":
			l.params(v)
		case "lists":
			l.lists(v)
		case "macros":
			l.macros(v)
		case "bands":
			l.bands(v)
		case "rules":
			l.rules(v)
		case "tests":
			if !l.cfg.noTests {
				l.testCases(v)
			}
		default:
			return false
		}
		return true
	})
}

func (l *loader) meta(key, val string, n *yaml.Node) {
	if l.metaFrom == nil {
		l.metaFrom = map[string]Pos{}
	}
	var cur *string
	switch key {
	case "name":
		cur = &l.rs.Name
	case "version":
		cur = &l.rs.Version
	case "description":
		cur = &l.rs.Description
	case "language":
		cur = &l.rs.Language
	}
	if prev, ok := l.metaFrom[key]; ok && *cur != val {
		if key == "language" || key == "description" {
			return // files may differ in language and description; the first file names the set's
		}
		l.errf(n, "", key, CodeConflict, "%s %q differs from %q given at %s", key, val, *cur, prev)
		return
	}
	if _, ok := l.metaFrom[key]; !ok {
		l.metaFrom[key] = l.pos(n)
		*cur = val
	}
}

// formatKeys are the keys the rule format defines anywhere, for the "did
// you mean" of an unknown key (outcom: did you mean "outcome"?).
var formatKeys = []string{"name", "version", "description", "language", "params", "lists", "macros",
	"bands", "rules", "tests", "type", "items", "when", "min", "max", "level", "outcome", "id", "title",
	"tags", "score", "reason", "enabled", "mode", "as_of", "card", "population", "others", "expect",
	"fires", "not_fires", "zh", "en"}

// mapping walks a mapping node, reporting duplicate keys and keys that fn
// does not accept (fn returns false).
func (l *loader) mapping(n *yaml.Node, rule string, fn func(key string, k, v *yaml.Node) bool) bool {
	if n.Kind != yaml.MappingNode {
		l.errf(n, rule, "", CodeBadValue, "want a mapping, got %s", kindName(n))
		return false
	}
	// the keys so far: a few in an array (a rule has about six), a map for more
	var few [16]string
	seen := few[:0]
	var seenMap map[string]bool
	if len(n.Content)/2 > len(few) {
		seenMap = make(map[string]bool, len(n.Content)/2)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if max := l.cfg.limits.MaxTextBytes; len(k.Value) > max {
			l.tooLarge(k, rule, "", fmt.Sprintf("key is %d bytes", len(k.Value)), "max_text_bytes", int64(max))
			continue
		}
		if seenMap != nil && seenMap[k.Value] || seenMap == nil && slices.Contains(seen, k.Value) {
			l.errf(k, rule, k.Value, CodeDuplicate, "key %q appears twice", k.Value)
			continue
		}
		if seenMap != nil {
			seenMap[k.Value] = true
		} else {
			seen = append(seen, k.Value)
		}
		if !fn(k.Value, k, v) {
			if near := suggest.Nearest(k.Value, formatKeys); near != "" {
				l.errf(k, rule, k.Value, CodeUnknownKey, "unknown key %q: did you mean %q?", k.Value, near)
				continue
			}
			l.errf(k, rule, k.Value, CodeUnknownKey, "unknown key %q", k.Value)
		}
	}
	return true
}

func lookup(n *yaml.Node, key string) *yaml.Node {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return "null"
		case "!!bool":
			return "a boolean"
		case "!!int":
			return "an integer"
		case "!!float":
			return "a number"
		}
		return "a string"
	}
	return "nothing"
}

// str reads a string. Every string but an expression (when, bounded by
// max_expr_bytes) and a reason (max_reason_bytes) is bounded here: a
// description by max_reason_bytes, any other (ids, titles, tags, names, list
// items, ...) by max_text_bytes.
func (l *loader) str(n *yaml.Node, rule, field string) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" || n.Tag == "!!map" || n.Tag == "!!seq" {
		l.errf(n, rule, field, CodeBadValue, "%s: want a string, got %s", field, kindName(n))
		return "", false
	}
	if l.reportBad(n, rule, field) || !l.textFits(n, rule, field, field) {
		return "", false
	}
	return n.Value, true
}

// textFits reports a string over its limit (see str) at n.
func (l *loader) textFits(n *yaml.Node, rule, field, what string) bool {
	name, max := "max_text_bytes", l.cfg.limits.MaxTextBytes
	switch field {
	case "when", "reason":
		return true // bounded where they are read
	case "description":
		name, max = "max_reason_bytes", l.cfg.limits.MaxReasonBytes
	}
	if len(n.Value) > max {
		l.tooLarge(n, rule, field, fmt.Sprintf("%s is %d bytes", what, len(n.Value)), name, int64(max))
		return false
	}
	return true
}

// badNumbers reports (bad_number) every scalar of a document that badNumber
// refuses and no reader has reported with its rule and field: so no place
// (params, scores, bands, test cards at any depth, list items, keys) lets
// one through. It runs after the document is read, once over it.
func (l *loader) badNumbers(root *yaml.Node) {
	stack := []*yaml.Node{root}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n.Kind == yaml.ScalarNode {
			l.reportBad(n, "", "value")
		} else if n.Kind != yaml.AliasNode {
			stack = append(stack, n.Content...)
		}
	}
}

// badNumber says why a plain scalar written as a YAML number (1.1 or 1.2
// syntax: decimal, exponent, 0x, 0o, 0b, underscores, .inf, .nan) is not a
// finite float64 or an int64, or "" when it is fine (or no number): 1e999,
// -1e400, .NaN, +.inf, 0xFFFFFFFFFFFFFFFFFF. YAML would read the too large
// ones as strings. A quoted or !!str-tagged scalar is a string and fine.
func badNumber(n *yaml.Node) string {
	if n.Kind != yaml.ScalarNode {
		return ""
	}
	switch {
	case n.Tag == "!!float":
		var f float64
		if n.Decode(&f) == nil && (math.IsNaN(f) || math.IsInf(f, 0)) {
			return "NaN and infinities are not allowed"
		}
	case n.Tag == "!!int":
		if shortDigits(n.Value) {
			return "" // at most 18 digits: in range in any base YAML reads them in
		}
		var i int64
		if n.Decode(&i) != nil {
			return "outside the 64-bit integer range"
		}
	case n.Tag == "!!str" && n.Style == 0 && mayBeNumber(n.Value) && yamlNumberRE.MatchString(n.Value):
		return "too large for a 64-bit number; quote it if it is meant as text"
	}
	return ""
}

// shortDigits reports whether v is 1 to 18 decimal digits, after a - or
// not: an integer of that form fits an int64 whether YAML reads it in base
// 10 or (with a leading 0) 8.
func shortDigits(v string) bool {
	if len(v) > 0 && v[0] == '-' {
		v = v[1:]
	}
	if len(v) == 0 || len(v) > 18 {
		return false
	}
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return false
		}
	}
	return true
}

// mayBeNumber is what every match of yamlNumberRE starts with (a sign, a
// dot or a digit): most plain strings (ids, outcomes, expressions) skip
// the regular expression.
func mayBeNumber(v string) bool {
	return len(v) > 0 && (v[0] == '-' || v[0] == '+' || v[0] == '.' || '0' <= v[0] && v[0] <= '9')
}

// yamlNumberRE matches the plain scalars YAML 1.1 or 1.2 reads as numbers.
var yamlNumberRE = regexp.MustCompile(`^[-+]?(?:(?:\.[0-9][0-9_]*|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?|0x[0-9a-fA-F_]+|0o[0-7_]+|0b[01_]+)$`)

func (l *loader) boolean(n *yaml.Node, rule, field string) (bool, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
		l.errf(n, rule, field, CodeBadValue, "%s: want true or false, got %s", field, kindName(n))
		return false, false
	}
	var b bool
	_ = n.Decode(&b)
	return b, true
}

func (l *loader) number(n *yaml.Node, rule, field string) (float64, bool) {
	if l.notFinite(n, rule, field) {
		return 0, false
	}
	if n.Kind != yaml.ScalarNode || (n.Tag != "!!int" && n.Tag != "!!float") {
		l.errf(n, rule, field, CodeBadValue, "%s: want a number, got %s", field, kindName(n))
		return 0, false
	}
	var f float64
	if err := n.Decode(&f); err != nil {
		l.errf(n, rule, field, CodeBadValue, "%s: %v", field, err)
		return 0, false
	}
	return f, true
}

// notFinite reports (as bad_number) a scalar that YAML reads as NaN or an
// infinity (.nan, .inf, -.Inf, ...) or a plain number too large for a
// float64 (1e400), which would read as one. Only where a number is wanted:
// a plain nan or inf is a string elsewhere.
func (l *loader) notFinite(n *yaml.Node, rule, field string) bool {
	if n.Kind != yaml.ScalarNode {
		return false
	}
	if l.bad[n] {
		return true // reported already
	}
	switch {
	case n.Tag == "!!float":
		var f float64
		if n.Decode(&f) != nil || (!math.IsNaN(f) && !math.IsInf(f, 0)) {
			return false
		}
	case n.Style == 0 && n.Tag == "!!str":
		// where a number is wanted: nan, inf, Infinity, 1e400
		f, err := strconv.ParseFloat(n.Value, 64)
		if !errors.Is(err, strconv.ErrRange) && (err != nil || (!math.IsNaN(f) && !math.IsInf(f, 0))) {
			return false
		}
	default:
		return false
	}
	l.markBad(n)
	l.errf(n, rule, field, CodeBadNumber, "%s: %s is not a finite number (NaN and infinities are not allowed)", field, shorten(n.Value))
	return true
}

// reportBad reports n as bad_number, with its rule and field, when it is a
// YAML number that is no finite float64 or int64 (see badNumber).
func (l *loader) reportBad(n *yaml.Node, rule, field string) bool {
	if l.bad[n] {
		return true
	}
	why := badNumber(n)
	if why == "" {
		return false
	}
	l.markBad(n)
	l.errf(n, rule, field, CodeBadNumber, "%s: %s is not a finite number (%s)", field, shorten(n.Value), why)
	return true
}

func (l *loader) markBad(n *yaml.Node) {
	if l.bad == nil {
		l.bad = map[*yaml.Node]bool{}
	}
	l.bad[n] = true
}

// shorten cuts a long value for an error message.
func shorten(v string) string {
	if len(v) > 40 {
		return v[:20] + "…" + v[len(v)-10:]
	}
	return v
}

// listLen reports a list over max_list_items, before anything is decoded
// from it.
func (l *loader) listLen(n *yaml.Node, rule, field, what string) bool {
	if max := l.cfg.limits.MaxListItems; n.Kind == yaml.SequenceNode && len(n.Content) > max {
		l.tooLarge(n, rule, field, fmt.Sprintf("%s has %d items", what, len(n.Content)), "max_list_items", int64(max))
		return false
	}
	return true
}

func (l *loader) strings(n *yaml.Node, rule, field string) ([]string, bool) {
	if n.Kind != yaml.SequenceNode {
		l.errf(n, rule, field, CodeBadValue, "%s: want a list of strings, got %s", field, kindName(n))
		return nil, false
	}
	if !l.listLen(n, rule, field, field) {
		return nil, false
	}
	out := make([]string, 0, len(n.Content))
	ok := true
	for _, it := range n.Content {
		if s, good := l.str(it, rule, field); good {
			out = append(out, s)
		} else {
			ok = false
		}
	}
	return out, ok
}

// outcome reads an outcome name, reporting a bad one.
func (l *loader) outcome(n *yaml.Node, rule, field string) (Outcome, bool) {
	s, ok := l.str(n, rule, field)
	if !ok {
		return 0, false
	}
	o, ok := ParseOutcome(s)
	if !ok {
		l.errf(n, rule, field, CodeBadOutcome, "unknown outcome %q (want pass, monitor, verify, restrict or suspend)", s)
	}
	return o, ok
}

// level reads a level name, reporting a bad one.
func (l *loader) level(n *yaml.Node, rule, field string) (Level, bool) {
	s, ok := l.str(n, rule, field)
	if !ok {
		return 0, false
	}
	lv, ok := ParseLevel(s)
	if !ok {
		l.errf(n, rule, field, CodeBadLevel, "unknown level %q (want low, medium, high or critical)", s)
	}
	return lv, ok
}

var nameRE = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

func (l *loader) checkName(n *yaml.Node, what, name, rule string) bool {
	if !nameRE.MatchString(name) {
		l.errf(n, rule, what, CodeBadValue, "%s name %q: use lower case letters, digits and _ , starting with a letter", what, name)
		return false
	}
	return true
}

func (l *loader) params(n *yaml.Node) {
	l.mapping(n, "", func(key string, k, v *yaml.Node) bool {
		if !l.checkName(k, "parameter", key, "") {
			return true
		}
		if prev, dup := l.names["param:"+key]; dup {
			l.errf(k, "", "params", CodeDuplicate, "parameter %q is already declared at %s", key, prev)
			return true
		}
		l.names["param:"+key] = l.pos(k)
		p := &Param{Name: key, Pos: l.pos(k)}
		if v.Kind != yaml.ScalarNode {
			l.errf(v, "", "params", CodeBadValue, "parameter %q: want a number, string or boolean, got %s", key, kindName(v))
			return true
		}
		if l.reportBad(v, "", "params") {
			return true
		}
		if v.Tag == "!!str" && !l.textFits(v, "", "params", "parameter "+strconv.Quote(key)) {
			return true
		}
		switch v.Tag {
		case "!!int":
			var i int64
			if err := v.Decode(&i); err != nil {
				l.errf(v, "", "params", CodeBadValue, "parameter %q: %v", key, err)
				return true
			}
			p.Value = i
		case "!!float":
			var f float64
			_ = v.Decode(&f)
			if l.notFinite(v, "", "params") {
				return true
			}
			p.Value = f
		case "!!bool":
			var b bool
			_ = v.Decode(&b)
			p.Value = b
		case "!!null":
			l.errf(v, "", "params", CodeBadValue, "parameter %q has no value", key)
			return true
		default:
			p.Value = v.Value
		}
		l.rs.Params = append(l.rs.Params, p)
		return true
	})
}

var (
	countryRE  = regexp.MustCompile(`^[A-Z]{2}$`)
	divisionRE = regexp.MustCompile(`^[1-8][0-9]{5}$`)
)

// IsRegionCode reports whether s is written as a region code: an ISO 3166
// alpha-2 country code or a 6-digit GB/T 2260 division code.
func IsRegionCode(s string) bool { return countryRE.MatchString(s) || divisionRE.MatchString(s) }

func (l *loader) lists(n *yaml.Node) {
	l.mapping(n, "", func(key string, k, v *yaml.Node) bool {
		if !l.checkName(k, "list", key, "") {
			return true
		}
		if prev, dup := l.names["list:"+key]; dup {
			l.errf(k, "", "lists", CodeDuplicate, "list %q is already declared at %s", key, prev)
			return true
		}
		l.names["list:"+key] = l.pos(k)
		list := &List{Name: key, Pos: l.pos(k), Type: ListString}
		var items *yaml.Node
		if v.Kind == yaml.SequenceNode { // shorthand: a plain list of strings
			items = v
		} else {
			l.mapping(v, "", func(f string, fk, fv *yaml.Node) bool {
				switch f {
				case "type":
					if s, ok := l.str(fv, "", "type"); ok {
						switch ListType(s) {
						case ListString, ListRegion:
							list.Type = ListType(s)
						default:
							l.errf(fv, "", "type", CodeBadValue, "list %q: unknown type %q (want string or region)", key, s)
						}
					}
				case "description":
					list.Description, _ = l.str(fv, "", f)
				case "items":
					items = fv
				default:
					return false
				}
				return true
			})
			if v.Kind == yaml.MappingNode && items == nil {
				l.errf(v, "", "items", CodeMissingKey, "list %q has no items", key)
			}
		}
		if items != nil && l.listLen(items, "", "items", fmt.Sprintf("list %q", key)) {
			if ss, ok := l.strings(items, "", "items"); ok {
				list.Items = ss
				list.itemPos = make([]Pos, 0, len(items.Content))
				for _, it := range items.Content {
					list.itemPos = append(list.itemPos, l.pos(it))
				}
				seen := make(map[string]bool, len(ss))
				for i, s := range ss {
					if seen[s] {
						l.errf(items.Content[i], "", "items", CodeDuplicate, "list %q: %q appears twice", key, s)
					}
					seen[s] = true
					if list.Type == ListRegion && !IsRegionCode(s) {
						l.errf(items.Content[i], "", "items", CodeBadRegion,
							"list %q: %q is not a region code (ISO 3166 alpha-2 like KH, or a 6-digit GB/T 2260 code like 350802)", key, s)
					}
				}
			}
		}
		l.rs.Lists = append(l.rs.Lists, list)
		return true
	})
}

func (l *loader) macros(n *yaml.Node) {
	l.mapping(n, "", func(key string, k, v *yaml.Node) bool {
		if !l.checkName(k, "macro", key, "") {
			return true
		}
		if prev, dup := l.names["macro:"+key]; dup {
			l.errf(k, key, "macros", CodeDuplicate, "macro %q is already declared at %s", key, prev)
			return true
		}
		l.names["macro:"+key] = l.pos(k)
		m := &Macro{Name: key, Pos: l.pos(k), Language: l.fileLang()}
		var when *yaml.Node
		if v.Kind == yaml.ScalarNode {
			when = v
		} else {
			l.mapping(v, key, func(f string, fk, fv *yaml.Node) bool {
				switch f {
				case "when":
					when = fv
				case "description":
					m.Description, _ = l.str(fv, key, f)
				default:
					return false
				}
				return true
			})
		}
		if when == nil {
			l.errf(v, key, "when", CodeMissingKey, "macro %q has no condition", key)
			return true
		}
		if s, ok := l.str(when, key, "when"); ok {
			m.Expr = l.expr(when, s, "when")
		}
		l.rs.Macros = append(l.rs.Macros, m)
		return true
	})
}

func (l *loader) bands(n *yaml.Node) {
	if l.bandsFile != "" {
		l.errf(n, "", "bands", CodeConflict, "score bands are already given in %s; one file of a rule set gives them", l.bandsFile)
		return
	}
	l.bandsFile = l.file_
	if n.Kind != yaml.SequenceNode {
		l.errf(n, "", "bands", CodeBadValue, "bands: want a list, got %s", kindName(n))
		return
	}
	mins := map[float64]bool{}
	for _, it := range n.Content {
		b := &Band{Pos: l.pos(it)}
		var have [3]bool
		l.mapping(it, "", func(f string, fk, fv *yaml.Node) bool {
			switch f {
			case "min":
				have[0] = true // a bad min is reported as such, not as missing
				if v, ok := l.number(fv, "", "min"); ok {
					if v < 0 || v > 100 {
						l.errf(fv, "", "min", CodeBadValue, "band min %v is outside 0..100", v)
					} else if mins[v] {
						l.errf(fv, "", "min", CodeDuplicate, "two bands start at %v", v)
					}
					mins[v] = true
					b.Min = v
				}
			case "level":
				b.Level, _ = l.level(fv, "", "level")
				have[1] = true
			case "outcome":
				b.Outcome, _ = l.outcome(fv, "", "outcome")
				have[2] = true
			default:
				return false
			}
			return true
		})
		for i, k := range []string{"min", "level", "outcome"} {
			if !have[i] && it.Kind == yaml.MappingNode {
				l.errf(it, "", k, CodeMissingKey, "band has no %s", k)
			}
		}
		l.rs.Bands = append(l.rs.Bands, b)
	}
	if len(n.Content) > 0 && !mins[0] {
		l.errf(n, "", "bands", CodeBadValue, "the lowest band must start at min 0, so every score has a level")
	}
}

var idRE = regexp.MustCompile(`^[a-z][a-z0-9_.-]*$`)

// isRuleID is idRE.MatchString(s), without the regular expression (every
// rule's id is checked).
func isRuleID(s string) bool {
	if len(s) == 0 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

func (l *loader) rules(n *yaml.Node) {
	if n.Kind != yaml.SequenceNode {
		l.errf(n, "", "rules", CodeBadValue, "rules: want a list, got %s", kindName(n))
		return
	}
	items := n.Content
	if lim := l.cfg.limits.MaxRules; l.nrules+len(items) > lim {
		keep := max(lim-l.nrules, 0)
		if keep < len(items) && l.nrules <= lim {
			l.tooLarge(items[keep], "", "rules", fmt.Sprintf("rule %d of the rule set", lim+1), "max_rules", int64(lim))
		}
		items = items[:keep]
	}
	l.nrules += len(n.Content)
	for _, it := range items {
		l.rule(it)
	}
}

func (l *loader) rule(n *yaml.Node) {
	r := &Rule{Enabled: true, Pos: l.pos(n), File: l.file_, Language: l.fileLang()}
	idNode := lookup(n, "id")
	if idNode != nil {
		if s, ok := l.str(idNode, "", "id"); ok {
			r.Pos = l.pos(idNode)
			if !isRuleID(s) {
				l.errf(idNode, s, "id", CodeBadValue, "rule id %q: use lower case letters, digits, _ . and -, starting with a letter", s)
			}
			if prev, dup := l.ids[s]; dup {
				l.errf(idNode, s, "id", CodeDuplicate, "rule id %q is already used at %s", s, prev)
			} else {
				l.ids[s] = l.pos(idNode)
			}
			r.ID = s
		}
	} else if n.Kind == yaml.MappingNode {
		l.errf(n, "", "id", CodeMissingKey, "rule has no id")
	}
	var whenNode, reasonNode *yaml.Node
	haveOutcome := false
	ok := l.mapping(n, r.ID, func(f string, k, v *yaml.Node) bool {
		switch f {
		case "id":
		case "title":
			if v.Kind == yaml.MappingNode {
				r.Titles = map[string]string{}
				l.texts(v, r.ID, f, func(lang string, n *yaml.Node, s string) { r.Titles[lang] = s })
				r.Title = r.Titles[textDefault(r.Titles)]
			} else {
				r.Title, _ = l.str(v, r.ID, f)
			}
		case "description":
			r.Description, _ = l.str(v, r.ID, f)
		case "tags":
			if max := l.cfg.limits.MaxTags; v.Kind == yaml.SequenceNode && len(v.Content) > max {
				l.tooLarge(v, r.ID, f, fmt.Sprintf("rule has %d tags", len(v.Content)), "max_tags", int64(max))
				return true
			}
			r.Tags, _ = l.strings(v, r.ID, f)
		case "language":
			if s, ok := l.str(v, r.ID, f); ok {
				if s != LangExpr && s != LangCEL {
					l.errf(v, r.ID, f, CodeBadLanguage, "unknown expression language %q (want expr or cel)", s)
				} else {
					r.Language = s
				}
			}
		case "when":
			whenNode = v
		case "score":
			if s, ok := l.number(v, r.ID, f); ok {
				if s < -100 || s > 100 {
					l.errf(v, r.ID, f, CodeBadValue, "score %v is outside -100..100", s)
				}
				r.Score = s
			}
		case "outcome":
			r.Outcome, _ = l.outcome(v, r.ID, f)
			haveOutcome = true
		case "reason":
			reasonNode = v
		case "enabled":
			r.Enabled, _ = l.boolean(v, r.ID, f)
		case "mode":
			if s, ok := l.str(v, r.ID, f); ok {
				switch s {
				case "enforce":
					r.Mode = Enforce
				case "shadow":
					r.Mode = Shadow
				default:
					l.errf(v, r.ID, f, CodeBadMode, "unknown mode %q (want enforce or shadow)", s)
				}
			}
		default:
			return false
		}
		return true
	})
	if !ok {
		return
	}
	if whenNode == nil {
		l.errf(n, r.ID, "when", CodeMissingKey, "rule has no when condition")
	} else if s, ok := l.str(whenNode, r.ID, "when"); ok {
		r.When = l.expr(whenNode, s, "when")
	}
	if !haveOutcome {
		l.errf(n, r.ID, "outcome", CodeMissingKey, "rule has no outcome")
	}
	if reasonNode != nil {
		if reasonNode.Kind == yaml.MappingNode {
			r.Reasons = map[string]Expr{}
			l.texts(reasonNode, r.ID, "reason", func(lang string, n *yaml.Node, s string) {
				if l.reasonFits(n, r.ID, s) {
					r.Reasons[lang] = l.expr(n, s, "reason")
				}
			})
			langs := map[string]string{}
			for k, e := range r.Reasons {
				langs[k] = e.Src
			}
			r.Reason = r.Reasons[textDefault(langs)]
		} else if s, ok := l.str(reasonNode, r.ID, "reason"); ok && l.reasonFits(reasonNode, r.ID, s) {
			r.Reason = l.expr(reasonNode, s, "reason")
		}
	}
	l.rs.Rules = append(l.rs.Rules, r)
}

// reasonFits reports a reason template over max_reason_bytes.
func (l *loader) reasonFits(n *yaml.Node, rule, s string) bool {
	if max := l.cfg.limits.MaxReasonBytes; len(s) > max {
		l.tooLarge(n, rule, "reason", fmt.Sprintf("reason is %d bytes", len(s)), "max_reason_bytes", int64(max))
		return false
	}
	return true
}

// texts reads a title or reason given per language: a mapping of language
// code (zh, en) to text.
func (l *loader) texts(n *yaml.Node, rule, field string, set func(lang string, v *yaml.Node, s string)) {
	if len(n.Content) == 0 {
		l.errf(n, rule, field, CodeBadValue, "%s: give the text, or a mapping of languages (zh, en) to texts", field)
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !slices.Contains(languages, k.Value) {
			l.errf(k, rule, field, CodeBadValue, "%s: unknown language %q (want %s)", field, k.Value, strings.Join(languages, " or "))
			continue
		}
		if s, ok := l.str(v, rule, field); ok {
			set(k.Value, v, s)
		}
	}
}

// textDefault is the language a text falls back to: zh when given, else en.
func textDefault[T any](m map[string]T) string {
	if _, ok := m[LangZh]; ok {
		return LangZh
	}
	return LangEn
}

func (l *loader) fileLang() string {
	if l.lang != "" {
		return l.lang
	}
	return LangExpr
}

func (l *loader) testCases(n *yaml.Node) {
	if n.Kind != yaml.SequenceNode {
		l.errf(n, "", "tests", CodeBadValue, "tests: want a list, got %s", kindName(n))
		return
	}
	items := n.Content
	if max := l.cfg.limits.MaxTests; l.ntests+len(items) > max {
		keep := max - l.ntests
		if keep < 0 {
			keep = 0
		}
		if keep < len(items) && l.ntests <= max {
			l.tooLarge(items[keep], "", "tests", fmt.Sprintf("test %d of the rule set", max+1), "max_tests", int64(max))
		}
		items = items[:keep]
	}
	l.ntests += len(n.Content)
	for _, it := range items {
		t := &TestCase{Pos: l.pos(it), File: l.file_, maxFixture: l.cfg.limits.MaxFixtureBytes}
		if nn := lookup(it, "name"); nn != nil {
			t.Name, _ = l.str(nn, "", "name")
			if prev, dup := l.tests[t.Name]; dup {
				l.errf(nn, t.Name, "name", CodeDuplicate, "test %q is already defined at %s", t.Name, prev)
			}
			l.tests[t.Name] = l.pos(nn)
		} else if it.Kind == yaml.MappingNode {
			l.errf(it, "", "name", CodeMissingKey, "test case has no name")
		}
		haveCard := false
		l.mapping(it, t.Name, func(f string, k, v *yaml.Node) bool {
			switch f {
			case "name":
			case "as_of":
				t.AsOf, _ = l.str(v, t.Name, f)
			case "card":
				if m, ok := l.record(v, t.Name, f); ok {
					t.Card, haveCard = m, true
				}
			case "population":
				if p, ok := l.str(v, t.Name, f); ok {
					l.population(v, t, p)
				}
			case "others":
				if v.Kind != yaml.SequenceNode {
					l.errf(v, t.Name, f, CodeBadValue, "others: want a list of cards, got %s", kindName(v))
					return true
				}
				if !l.listLen(v, t.Name, f, f) {
					return true
				}
				for _, c := range v.Content {
					if m, ok := l.record(c, t.Name, f); ok {
						t.Others = append(t.Others, m)
					}
				}
			case "expect":
				l.expect(v, t)
			default:
				return false
			}
			return true
		})
		if it.Kind == yaml.MappingNode {
			if !haveCard && lookup(it, "card") == nil {
				l.errf(it, t.Name, "card", CodeMissingKey, "test case has no card")
			}
			if t.AsOf == "" && lookup(it, "as_of") == nil {
				l.errf(it, t.Name, "as_of", CodeMissingKey, "test case has no as_of date")
			}
			if lookup(it, "expect") == nil {
				l.errf(it, t.Name, "expect", CodeMissingKey, "test case has no expect")
			}
		}
		l.rs.Tests = append(l.rs.Tests, t)
	}
}

func (l *loader) record(n *yaml.Node, test, field string) (map[string]any, bool) {
	if n.Kind != yaml.MappingNode {
		l.errf(n, test, field, CodeBadValue, "%s: want a card (a mapping of record fields), got %s", field, kindName(n))
		return nil, false
	}
	v, err := l.nodeValue(n, 0)
	if err != nil {
		if err.code != "" { // else already reported
			l.errf(err.at, test, field, err.code, "%s: %s", field, err.msg)
		}
		return nil, false
	}
	m, _ := v.(map[string]any)
	return m, true
}

// nodeError is a problem inside a test card, at its node.
type nodeError struct {
	at   *yaml.Node
	code Code
	msg  string
}

// nodeValue turns a YAML node into JSON-like Go values. Scalars keep their
// text unless they are plainly numbers, booleans or null, so dates stay
// strings for the record codec. Aliases are refused (a card has no use for
// them, and a recursive one would never end), and so are deep nesting, a
// list over max_list_items and NaN or infinite numbers.
func (l *loader) nodeValue(n *yaml.Node, depth int) (any, *nodeError) {
	if depth > 32 {
		return nil, &nodeError{n, CodeBadValue, "nested more than 32 levels deep"}
	}
	switch n.Kind {
	case yaml.AliasNode:
		return nil, &nodeError{n, CodeBadValue, fmt.Sprintf("YAML aliases (*%s) are not allowed in test cards", n.Value)}
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			if max := l.cfg.limits.MaxTextBytes; len(n.Content[i].Value) > max {
				return nil, &nodeError{n.Content[i], CodeTooLarge, overLimit(fmt.Sprintf("a key of %d bytes", len(n.Content[i].Value)), "max_text_bytes", int64(max))}
			}
			v, err := l.nodeValue(n.Content[i+1], depth+1)
			if err != nil {
				return nil, err
			}
			m[n.Content[i].Value] = v
		}
		return m, nil
	case yaml.SequenceNode:
		if max := l.cfg.limits.MaxListItems; len(n.Content) > max {
			return nil, &nodeError{n, CodeTooLarge, overLimit(fmt.Sprintf("a list of %d items", len(n.Content)), "max_list_items", int64(max))}
		}
		s := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := l.nodeValue(c, depth+1)
			if err != nil {
				return nil, err
			}
			s = append(s, v)
		}
		return s, nil
	}
	if l.bad[n] {
		return nil, &nodeError{n, "", ""} // reported already
	}
	if why := badNumber(n); why != "" {
		l.markBad(n)
		return nil, &nodeError{n, CodeBadNumber, fmt.Sprintf("%s is not a finite number (%s)", shorten(n.Value), why)}
	}
	switch n.Tag {
	case "!!null":
		return nil, nil
	case "!!bool":
		var b bool
		_ = n.Decode(&b)
		return b, nil
	case "!!int":
		var i int64
		if n.Decode(&i) == nil {
			return i, nil
		}
	case "!!float":
		var f float64
		if n.Decode(&f) == nil {
			if math.IsNaN(f) || math.IsInf(f, 0) {
				return nil, &nodeError{n, CodeBadNumber, fmt.Sprintf("%s is not a finite number (NaN and infinities are not allowed)", n.Value)}
			}
			return f, nil
		}
	}
	if max := l.cfg.limits.MaxTextBytes; len(n.Value) > max {
		return nil, &nodeError{n, CodeTooLarge, overLimit(fmt.Sprintf("a text of %d bytes", len(n.Value)), "max_text_bytes", int64(max))}
	}
	return n.Value, nil
}

func (l *loader) expect(n *yaml.Node, t *TestCase) {
	t.Expect.Pos = l.pos(n)
	l.mapping(n, t.Name, func(f string, k, v *yaml.Node) bool {
		switch f {
		case "fires":
			t.Expect.Fires, _ = l.strings(v, t.Name, f)
		case "not_fires":
			t.Expect.NotFires, _ = l.strings(v, t.Name, f)
		case "outcome":
			if o, ok := l.outcome(v, t.Name, f); ok {
				t.Expect.Outcome = &o
			}
		case "level":
			if lv, ok := l.level(v, t.Name, f); ok {
				t.Expect.Level = &lv
			}
		case "score":
			if v.Kind == yaml.ScalarNode {
				if s, ok := l.number(v, t.Name, f); ok {
					t.Expect.ScoreMin, t.Expect.ScoreMax = &s, &s
				}
				return true
			}
			l.mapping(v, t.Name, func(g string, gk, gv *yaml.Node) bool {
				switch g {
				case "min":
					if s, ok := l.number(gv, t.Name, "score.min"); ok {
						t.Expect.ScoreMin = &s
					}
				case "max":
					if s, ok := l.number(gv, t.Name, "score.max"); ok {
						t.Expect.ScoreMax = &s
					}
				default:
					return false
				}
				return true
			})
		default:
			return false
		}
		return true
	})
}

// finish runs the checks that need the whole set: rule tests naming
// unknown rules.
//
// When a file did not parse, the rules it holds are unknown, so tests
// naming them are not reported: its one syntax error is the problem.
func (l *loader) finish() {
	if l.broken {
		return
	}
	for _, t := range l.rs.Tests {
		for _, id := range append(append([]string(nil), t.Expect.Fires...), t.Expect.NotFires...) {
			if _, ok := l.ids[id]; !ok {
				l.c.Add(&Error{Pos: t.Expect.Pos, Rule: t.Name, Field: "expect", Code: CodeBadTest,
					Msg: fmt.Sprintf("test expects rule %q, which the rule set does not have", id)})
			}
		}
	}
}

// snippetsBuilt counts snippet calls that copy a line, so that a test can
// check that loading builds snippets only for the errors it keeps.
var snippetsBuilt atomic.Int64

func snippet(lines []string, line, col int) string {
	if line < 1 || line > len(lines) {
		return ""
	}
	snippetsBuilt.Add(1)
	src := strings.ReplaceAll(strings.TrimRight(lines[line-1], "\r"), "\t", " ")
	if col < 1 {
		col = 1
	}
	return src + "\n" + strings.Repeat(" ", col-1) + "^"
}
