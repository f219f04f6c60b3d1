package main

import (
	"fmt"
	"github.com/simrisk/simrisk/internal/vocab"
	"regexp"
	"sort"
	"strings"
	"sync"
	"unicode"
)

// The library's texts in the CLI's language.
//
// The Go packages (rules, risk, datasets, risk/ref) speak English in their
// errors, lint problems, test failures and reject reasons, and keep doing
// so: hosts match those strings, and Error.Code is the stable key. The CLI
// renders them in the chosen language at its edge, as it does its own
// messages: libMessages maps each English format the library uses (the
// message's id, as in gettext) to its Chinese format, and lib reads an
// English text back into the format's arguments (each verb becomes a
// capture: %d digits, %q a quoted string, %s and %v any text) and writes
// them into the Chinese format. Arguments that are themselves texts (%s,
// %v: a nested error, "a mapping") are rendered the same way; quoted ones
// (%q: names, values) are kept as they are. A text no format matches is
// split at "; " (messages joined) and after a "field: " prefix, and the
// parts are rendered; what is left matches nothing stays English.
//
// golang.org/x/text/message would need the format and its arguments where
// the message is made, that is inside the library, in every error path of
// packages other helpers own; its plural rules are not needed (Chinese has
// none, the English side is the source text). This keeps the library's API unchanged (no language argument threaded
// through every error path, no struct fields for a format and arguments
// that other packages must fill in) at the cost of a reverse parse.
// TestLibCatalogComplete holds the catalogue to the library: every message
// format written in rules/, risk/, datasets/ and risk/ref must have an
// entry (or be named in libUntranslated with the reason), and every entry
// must read back the arguments it was written with.

type libPattern struct {
	en    string
	re    *regexp.Regexp
	verbs []byte // each capture's verb: 's', 'v', 'q', 'd', 'g'
	zh    string // the Chinese format, its verbs rewritten to %[n]s
	key   string // the longest literal part, to skip patterns cheaply
	lit   int    // letters in the literal parts: more is more specific
}

var verbRE = regexp.MustCompile(`%(?:\[(\d+)\])?[-+# 0]*[0-9]*(?:\.[0-9]*)?([a-zA-Z%])`)

// compileFormat is the regular expression that reads a text written with
// format back into its arguments.
func compileFormat(format string) (*regexp.Regexp, []byte, string, int) {
	var b strings.Builder
	var verbs []byte
	key, lit := "", 0
	last := 0
	addLit := func(s string) {
		b.WriteString(regexp.QuoteMeta(s))
		if len(s) > len(key) {
			key = s
		}
		for _, r := range s {
			if unicode.IsLetter(r) {
				lit++
			}
		}
	}
	b.WriteString("^")
	all := verbRE.FindAllStringSubmatchIndex(format, -1)
	for i, m := range all {
		addLit(format[last:m[0]])
		last = m[1]
		verb := format[m[4]:m[5]]
		switch verb {
		case "%":
			addLit("%")
			continue
		case "d":
			b.WriteString(`([-+]?\d+)`)
		case "q":
			b.WriteString(`("(?:[^"\\]|\\.)*"|` + "`[^`]*`" + `)`)
		case "g", "f", "e":
			b.WriteString(`([-+]?(?:\d+\.?\d*(?:e[-+]?\d+)?|NaN|Inf))`)
		default:
			switch {
			case i == len(all)-1 && m[1] == len(format):
				// the last thing: a nested message, but not across "; "
				// (another message joined to this one, read on its own)
				b.WriteString(`((?:[^;]|;[^ ])*?)`)
			case i+1 < len(all) && all[i+1][0] == m[1]:
				b.WriteString(`(\S*)`) // a word right before another argument ("want %s%s")
			default:
				// inside the message: no ": " or "; ", which would start
				// a message joined to this one
				b.WriteString(`((?:[^:;]|[:;][^ ])*?)`)
			}
		}
		verbs = append(verbs, verb[0])
	}
	addLit(format[last:])
	b.WriteString("$")
	return regexp.MustCompile("(?s)" + b.String()), verbs, key, lit
}

// zhFormat rewrites a Chinese format's verbs to %[n]s (its arguments are
// read back as texts), keeping the order %[n] gives.
func zhFormat(format string) string {
	n := 0
	return verbRE.ReplaceAllStringFunc(format, func(v string) string {
		m := verbRE.FindStringSubmatch(v)
		if m[2] == "%" {
			return v
		}
		if m[1] != "" {
			fmt.Sscan(m[1], &n)
		} else {
			n++
		}
		return fmt.Sprintf("%%[%d]s", n)
	})
}

var libPatterns = sync.OnceValue(func() []libPattern {
	ps := make([]libPattern, 0, len(libMessages))
	for en, zh := range libMessages {
		re, verbs, key, lit := compileFormat(en)
		ps = append(ps, libPattern{en: en, re: re, verbs: verbs, zh: zhFormat(zh), key: key, lit: lit})
	}
	sort.Slice(ps, func(i, j int) bool {
		if ps[i].lit != ps[j].lit {
			return ps[i].lit > ps[j].lit
		}
		return ps[i].en < ps[j].en
	})
	return ps
})

// lib is a text of the library's in m's language.
func (m msgs) lib(text string) string {
	if m != "zh" || text == "" {
		return text
	}
	return libZh(text, 0)
}

// libErr is err's text in m's language.
func (m msgs) libErr(err error) string {
	if err == nil {
		return ""
	}
	return m.lib(err.Error())
}

func libZh(text string, depth int) string {
	if depth > 8 {
		return text
	}
	// one format whole, after "field: " prefixes or not ("card: holder: is
	// a raw ID number (…); pass …"): the most specific reading there is
	if z, ok := libWhole(text, depth); ok {
		return z
	}
	// a reject's "line N: field: message" whose message is one format
	// whole: read so, never cut where a format with a %s after the line
	// number would cut it ("holder: is a raw ID number (…); give …")
	if m := lineFirst.FindStringSubmatch(text); m != nil {
		if _, _, whole := libMatchLit(text, depth); !whole {
			rest := m[2]
			if z, _, ok := libMatchLit(rest, depth); ok {
				return "第 " + m[1] + " 行：" + z
			}
			if i := strings.Index(rest, ": "); i > 0 && !strings.ContainsAny(rest[:i], " ") {
				if z, _, ok := libMatchLit(rest[i+2:], depth); ok {
					return "第 " + m[1] + " 行：" + rest[:i] + "：" + z
				}
			}
		}
	}
	// the most specific reading wins: the text as one message, "field:
	// message" whose message is one format whole ("holder: is a raw ID
	// number (…); give an ID key …", which a split at "; " would cut in
	// two), or a message with another joined to it ("msg: hint", "msg;
	// hint"), so "unknown function f: not a function …; did you mean g?"
	// is that message and a hint, not "unknown %s %s" and the rest left
	// English
	best, bestLit := "", -1
	if z, lit, ok := libMatchLit(text, depth); ok {
		best, bestLit = z, lit
	}
	if i := strings.Index(text, ": "); i > 0 && !strings.ContainsAny(text[:i], " ") {
		if z, lit, ok := libMatchLit(text[i+2:], depth); ok && lit > bestLit {
			best, bestLit = text[:i]+"："+z, lit
		}
	}
	for _, sep := range []string{"; ", ": "} {
		for i := 0; ; {
			j := strings.Index(text[i:], sep)
			if j < 0 {
				break
			}
			if at := i + j; at > 0 {
				if z, lit, ok := libMatchLit(text[:at], depth); ok && lit > bestLit {
					best, bestLit = z+map[string]string{"; ": "；", ": ": "："}[sep]+libZh(text[at+2:], depth+1), lit
				}
			}
			i += j + len(sep)
		}
	}
	if bestLit >= 0 {
		return best
	}
	// messages joined by "; " (a reject's problems, a hint after a message);
	// a run of parts that is one format whole, alone or after "field: ",
	// is read as that format ("opened_at: …; holder: is a raw ID number
	// (…); give an ID key …" is two problems, not three)
	if parts := strings.Split(text, "; "); len(parts) > 1 {
		var out []string
		for i := 0; i < len(parts); {
			j := len(parts)
			for ; j > i+1; j-- {
				if z, ok := libWhole(strings.Join(parts[i:j], "; "), depth); ok {
					out = append(out, z)
					break
				}
			}
			if j == i+1 {
				out = append(out, libZh(parts[i], depth+1))
			}
			i = j
		}
		return strings.Join(out, "；")
	}
	// "field: message", "path:3:4: message", "line 3: message"
	if i := strings.Index(text, ": "); i > 0 {
		head, rest := text[:i], text[i+2:]
		if z, ok := libMatch(head, depth); ok {
			head = z
		} else if strings.ContainsAny(head, " ") {
			return text
		}
		return head + "：" + libZh(rest, depth+1)
	}
	return text
}

// enumArgs are the formats whose first n arguments are enumeration values
// as a rule file spells them (a test's outcome or level): in Chinese they
// keep the code the analyst typed, with its name after it.
var enumArgs = map[string]int{
	"outcome is %s, want %s%s":        2,
	"level is %s (score %g), want %s": 3,
}

// withDisplayName is "verify（二次实人认证）" for an enumeration value, the
// text unchanged otherwise.
func withDisplayName(v string) string {
	if z, ok := vocab.DisplayName(v, "zh"); ok && z != v {
		return v + "（" + z + "）"
	}
	return v
}

// libWhole reads text as one format whole, or as "field: " and one format
// whole.
func libWhole(text string, depth int) (string, bool) {
	if z, _, ok := libMatchLit(text, depth); ok {
		return z, true
	}
	if i := strings.Index(text, ": "); i > 0 && !strings.ContainsAny(text[:i], " ") && depth < 8 {
		if z, ok := libWhole(text[i+2:], depth+1); ok {
			return text[:i] + "：" + z, true
		}
	}
	return "", false
}

var lineFirst = regexp.MustCompile(`^line (\d+): (.+)$`)

func libMatch(text string, depth int) (string, bool) {
	z, _, ok := libMatchLit(text, depth)
	return z, ok
}

// libMatchLit is libMatch with the matching format's letter count: the
// more, the more specific the match.
func libMatchLit(text string, depth int) (string, int, bool) {
	for _, p := range libPatterns() {
		if !strings.Contains(text, p.key) {
			continue
		}
		sub := p.re.FindStringSubmatch(text)
		if sub == nil {
			continue
		}
		args := make([]any, len(p.verbs))
		for i, v := range p.verbs {
			a := sub[i+1]
			if v == 's' || v == 'v' || v == 'w' {
				if i < enumArgs[p.en] {
					a = withDisplayName(a)
				} else {
					a = libZh(a, depth+1)
				}
			}
			args[i] = a
		}
		return fmt.Sprintf(p.zh, args...), p.lit, true
	}
	return "", 0, false
}
