package datasets

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/simrisk/simrisk/risk"
)

var fuzzAsOf = risk.Date(2026, 11, 1)

// physicalLines splits data as the readers do: after a leading BOM, at LF,
// CRLF or CR.
func physicalLines(data []byte) []string {
	s := strings.TrimPrefix(string(data), "\ufeff")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	lines := strings.Split(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

func addCaseSeeds(f *testing.F, ext string) {
	files, _ := filepath.Glob(filepath.Join("testdata", "cases", "*"+ext))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
}

// FuzzCSVReader: no panic, and every physical line is accounted for: the
// header, a record, a reject, or blank; records and rejects come in line
// order and never share a line; Count is records + rejects.
func FuzzCSVReader(f *testing.F) {
	addCaseSeeds(f, ".csv")
	f.Add([]byte("msisdn,opened_at,roaming.region,roaming.last_seen\n13800138000,2024-03-01,KH;TH,2026-10-30;\n"))
	f.Add([]byte("msisdn\n\"1380\n"))
	f.Add([]byte("x,y\n1,2\n"))
	f.Add([]byte("msisdn,opened_at,note\n13800138000,2024-03-01,\"a\r\nb\"\r13800138001,\"2024-03-01\"x,\n\"\"\n,,\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rd := NewCSVReader(bytes.NewReader(data), fuzzAsOf, WithLabels())
		type span struct{ first, last int }
		var spans []span
		records, rejects := 0, 0
		for i := 0; ; i++ {
			if i > len(data)+2 {
				t.Fatalf("more rows than bytes")
			}
			_, err := rd.Read()
			if i == 0 && rd.hdrFirst > 0 {
				spans = append(spans, span{rd.hdrFirst, rd.hdrLast})
			}
			var rej *Reject
			switch {
			case err == nil:
				records++
				spans = append(spans, span{rd.line, rd.endLine})
				continue
			case errors.As(err, &rej):
				rejects++
				last := rej.Line
				if rej.EndLine > 0 {
					last = rej.EndLine
				}
				spans = append(spans, span{rej.Line, last})
				continue
			case err == io.EOF:
			case errors.Is(err, ErrNotUTF8):
				if utf8.Valid(data) {
					t.Fatalf("valid UTF-8 refused: %v", err)
				}
				return
			default:
				return // a header error refuses the file
			}
			break
		}
		if rd.Count() != records+rejects {
			t.Fatalf("counted %d, read %d records and %d rejects", rd.Count(), records, rejects)
		}
		lines := physicalLines(data)
		covered := make([]bool, len(lines)+1)
		prev := 0
		for _, s := range spans {
			if s.first <= prev || s.last < s.first || s.last > len(lines) {
				t.Fatalf("lines %d-%d after line %d, of %d lines: %v", s.first, s.last, prev, len(lines), spans)
			}
			for l := s.first; l <= s.last; l++ {
				covered[l] = true
			}
			prev = s.last
		}
		for i, l := range lines {
			if !covered[i+1] && strings.Trim(l, " \t,\"") != "" {
				t.Fatalf("line %d %q is neither header, record, reject nor blank (spans %v)", i+1, l, spans)
			}
		}
	})
}

// FuzzReader: no panic, and every physical line (LF, CRLF or CR) of a
// JSON Lines file is a record, a reject, or blank, in order; Count is
// records + rejects; a reject's reason is never empty.
func FuzzReader(f *testing.F) {
	addCaseSeeds(f, ".jsonl")
	f.Add([]byte("\n\n{}\n"))
	f.Add([]byte(`{"msisdn":"13800138000","opened_at":"2024-03-01"}`))
	f.Add([]byte("\ufeff{\"msisdn\":\"13800138000\",\"opened_at\":\"2024/03/01\",\"Status\":\"停机\"}\r{\"msisdn\":1}\r\n{\"iot\":{\"a\":1,\"A\":2}}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rd := NewReader(bytes.NewReader(data), fuzzAsOf, WithWarnings(func(Warning) {}))
		var lines []int
		n := 0
		for {
			_, err := rd.Read()
			if err == io.EOF {
				break
			}
			var rej *Reject
			if err != nil && !errors.As(err, &rej) {
				if errors.Is(err, ErrNotUTF8) && !utf8.Valid(data) {
					return
				}
				t.Fatalf("unexpected error: %v", err)
			}
			if rej != nil && (rej.Line < 1 || rej.Reason == "") {
				t.Fatalf("reject without a line or a reason: %v", rej)
			}
			lines = append(lines, rd.Line())
			n++
		}
		if n != rd.Count() {
			t.Fatalf("read %d, counted %d", n, rd.Count())
		}
		phys := physicalLines(data)
		covered := make([]bool, len(phys)+1)
		prev := 0
		for _, l := range lines {
			if l <= prev || l > len(phys) {
				t.Fatalf("line %d after %d, of %d", l, prev, len(phys))
			}
			covered[l], prev = true, l
		}
		for i, l := range phys {
			if !covered[i+1] && strings.TrimSpace(l) != "" {
				t.Fatalf("line %d %q is neither record, reject nor blank", i+1, l)
			}
		}
	})
}
