package rules

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlError turns the YAML parser's error into a positioned error at the
// line that is wrong. The parser reports many errors at the start of the
// enclosing block (an indentation error under a rule is reported at
// `rules:`), and a tab one line early, so:
//
//   - a tab error is placed at the first line from the reported one whose
//     leading whitespace holds a tab, at the tab's column;
//   - any other error is placed at the first line by which the file's
//     prefix fails with the same error: the parser reads left to right, so
//     that is the line holding the token it could not take. The prefixes
//     are parsed in a binary search (a few parses of a file that is already
//     within max_file_bytes), only for a file that did not parse.
func yamlError(name string, data []byte, lines []string, err error) *Error {
	full := err.Error()
	msg := strings.TrimPrefix(full, "yaml: ")
	line := 0
	if m := yamlLineRE.FindStringSubmatch(full); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	}
	e := &Error{Pos: Pos{File: name}, Code: CodeSyntax, Msg: msg}
	if line < 1 || line > len(lines) {
		if line > 0 {
			e.Line, e.Column = line, 1
		}
		return e
	}
	if strings.Contains(msg, "tab") || strings.Contains(msg, "cannot start any token") {
		for i := line; i <= len(lines); i++ {
			if col := tabIndent(lines[i-1]); col > 0 {
				e.Line, e.Column = i, col
				e.Msg = "a tab cannot indent YAML: indent with spaces"
				return e
			}
		}
	}
	e.Line = firstFailingLine(data, lines, line, full)
	e.Column = firstNonBlank(lines[e.Line-1])
	return e
}

// tabIndent is the 1-based column of the first tab in line's leading
// whitespace, or 0.
func tabIndent(line string) int {
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case ' ':
		case '\t':
			return i + 1
		default:
			return 0
		}
	}
	return 0
}

// firstNonBlank is the 1-based rune column of line's first character that
// is not a space or tab (1 for a blank line).
func firstNonBlank(line string) int {
	t := strings.TrimLeft(line, " \t")
	if t == "" {
		return 1
	}
	return utf8.RuneCountInString(line[:len(line)-len(t)]) + 1
}

// firstFailingLine is the smallest k in [from, len(lines)] such that the
// first k lines of data fail to parse with the error text want.
func firstFailingLine(data []byte, lines []string, from int, want string) int {
	// end[k] is the byte offset just past line k (1-based) and its newline.
	end := make([]int, len(lines)+1)
	off := 0
	for i, ln := range lines {
		off += len(ln)
		if i < len(lines)-1 {
			off++ // the newline
		}
		end[i+1] = off
	}
	fails := func(k int) bool {
		var n yaml.Node
		err := yaml.Unmarshal(data[:end[k]], &n)
		return err != nil && err.Error() == want
	}
	lo, hi := from, len(lines) // the answer is in [lo, hi]; hi is the whole file
	for lo < hi {
		mid := lo + (hi-lo)/2
		if fails(mid) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}
