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

// physicalLines splits data as the readers do: decoded (a UTF-16 file is
// read as such), at LF, CRLF or CR, without a byte order mark at the start
// of a line.
func physicalLines(t *testing.T, data []byte) []string {
	in, err := decoder(bytes.NewReader(data), UTF8)
	if err != nil {
		t.Fatal(err)
	}
	text, _ := io.ReadAll(in)
	s := strings.ReplaceAll(string(text), "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	lines := strings.Split(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	for i, l := range lines {
		lines[i] = strings.TrimLeft(l, "\ufeff")
	}
	return lines
}

// decodedValid reports whether data, decoded as a reader decodes it, is
// valid UTF-8 (a UTF-16 file always is).
func decodedValid(data []byte) bool {
	if _, ok := sniffUTF16(data[:min(len(data), 512)]); ok {
		return true
	}
	return utf8.Valid(data)
}

func addCaseSeeds(f *testing.F, ext string) {
	files, _ := filepath.Glob(filepath.Join("testdata", "cases", "*"+ext))
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
}

// FuzzCSVReader: no panic, and every physical line is accounted for,
// alone: the header (or a repeat of it), a record, a reject, or blank;
// records and rejects come in line order, one line each, never sharing a
// line; Count is records + rejects.
func FuzzCSVReader(f *testing.F) {
	addCaseSeeds(f, ".csv")
	f.Add([]byte("msisdn,opened_at,roaming.region,roaming.last_seen\n13800138000,2024-03-01,KH;TH,2026-10-30;\n"))
	f.Add([]byte("msisdn\n\"1380\n"))
	f.Add([]byte("x,y\n1,2\n"))
	f.Add([]byte("msisdn,opened_at,note\n13800138000,2024-03-01,\"a\r\nb\"\r13800138001,\"2024-03-01\"x,\n\"\"\n,,\n"))
	f.Add([]byte("msisdn,remark,opened_at\n13800138001,\"oops,2024-03-01\n13800138003,x,2024-03-01\n13800138004,y\",2024-03-01\n"))
	f.Add([]byte("\ufeffmsisdn,opened_at\n13800138001,2024-03-01\n\ufeffMSISDN, opened_at\n13800138002,2024-03-01\n"))
	f.Add([]byte("\xff\xfem\x00s\x00i\x00s\x00d\x00n\x00\n\x001\x00\n\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rd := NewCSVReader(bytes.NewReader(data), fuzzAsOf, WithLabels())
		var lines []int
		records, rejects := 0, 0
		for i := 0; ; i++ {
			if i > len(data)+2 {
				t.Fatalf("more rows than bytes")
			}
			_, err := rd.Read()
			if i == 0 && rd.hdrLine > 0 {
				lines = append(lines, rd.hdrLine)
			}
			var rej *Reject
			switch {
			case err == nil:
				records++
				lines = append(lines, rd.line)
				continue
			case errors.As(err, &rej):
				rejects++
				if rej.Line != rd.Line() || rej.Reason == "" {
					t.Fatalf("reject %+v, reader at line %d", rej, rd.Line())
				}
				lines = append(lines, rej.Line)
				continue
			case err == io.EOF:
			case errors.Is(err, ErrNotUTF8):
				if decodedValid(data) {
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
		phys := physicalLines(t, data)
		covered := make([]bool, len(phys)+1)
		prev := 0
		for _, l := range lines {
			if l <= prev || l > len(phys) {
				t.Fatalf("line %d after line %d, of %d lines: %v", l, prev, len(phys), lines)
			}
			covered[l], prev = true, l
		}
		uncovered := 0
		for i, l := range phys {
			if !covered[i+1] && strings.TrimFunc(l, func(c rune) bool { return isBlank(c) || c == ',' || c == '"' }) != "" {
				uncovered++
			}
		}
		if uncovered != rd.headers {
			t.Fatalf("%d lines are neither header, record, reject nor blank; %d repeated headers (lines %v)", uncovered, rd.headers, lines)
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
				if errors.Is(err, ErrNotUTF8) && !decodedValid(data) {
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
		phys := physicalLines(t, data)
		covered := make([]bool, len(phys)+1)
		prev := 0
		for _, l := range lines {
			if l <= prev || l > len(phys) {
				t.Fatalf("line %d after %d, of %d", l, prev, len(phys))
			}
			covered[l], prev = true, l
		}
		for i, l := range phys {
			if !covered[i+1] && strings.TrimFunc(l, isBlank) != "" {
				t.Fatalf("line %d %q is neither record, reject nor blank", i+1, l)
			}
		}
	})
}
