package datasets

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	xunicode "golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Encoding is the character encoding of a record file. Records are read as
// UTF-8 unless told otherwise; a file in another encoding must be named,
// since its bytes are rarely valid UTF-8 and never mean the same.
type Encoding string

// Encodings a reader understands.
const (
	UTF8    Encoding = "utf-8"
	GB18030 Encoding = "gb18030" // what Chinese Excel and most Chinese BSS exports write; a superset of GBK and GB2312
	GBK     Encoding = "gbk"     // read as GB18030, its superset
	UTF16   Encoding = "utf-16"  // Excel's "Unicode text": byte order by the file's byte order mark, little-endian without one
	UTF16LE Encoding = "utf-16le"
	UTF16BE Encoding = "utf-16be"
)

// ParseEncoding reads an encoding name: utf-8 (or utf8), gb18030, gbk (or
// gb2312, cp936), utf-16 (or utf16, unicode), utf-16le, utf-16be,
// case-insensitively.
func ParseEncoding(s string) (Encoding, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "utf-8", "utf8":
		return UTF8, nil
	case "gb18030":
		return GB18030, nil
	case "gbk", "gb2312", "cp936":
		return GBK, nil
	case "utf-16", "utf16", "unicode":
		return UTF16, nil
	case "utf-16le", "utf16le":
		return UTF16LE, nil
	case "utf-16be", "utf16be":
		return UTF16BE, nil
	}
	return "", fmt.Errorf("unknown encoding %q (want utf-8, gb18030, gbk, utf-16, utf-16le or utf-16be)", s)
}

// ErrNotUTF8 is matched (errors.Is) by the error a reader returns when a
// file it reads as UTF-8 is not: the file is refused rather than read with
// its characters mangled.
var ErrNotUTF8 = errors.New("not valid UTF-8")

type notUTF8Error struct{ line int }

func (e *notUTF8Error) Error() string {
	return fmt.Sprintf("datasets: line %d: the file is not valid UTF-8; if it is GBK or GB18030 (as Chinese Excel saves CSV), read it with --encoding gb18030 (datasets.WithEncoding(datasets.GB18030)); if it is UTF-16 without a byte order mark, with --encoding utf-16le or utf-16be", e.line)
}

func (e *notUTF8Error) Is(target error) bool { return target == ErrNotUTF8 }

// decoder wraps r so that it yields UTF-8. A file read as UTF-8 that is
// UTF-16 (it starts with a UTF-16 byte order mark, or a quarter or more of
// its first bytes are NUL, as in UTF-16 text of ASCII characters) is read
// as UTF-16, in the byte order its mark or its NUL bytes show.
func decoder(r io.Reader, e Encoding) (io.Reader, error) {
	switch e {
	case "", UTF8:
		br := bufio.NewReaderSize(r, 4096)
		head, _ := br.Peek(512) // an error shows again on reading
		if order, ok := sniffUTF16(head); ok {
			return utf16Reader(br, order, xunicode.IgnoreBOM), nil
		}
		return br, nil
	case GB18030, GBK:
		// A UTF-16 file (Excel's "Unicode text") said to be GB18030 would
		// decode to NULs and mangled characters, and fail later as a bad
		// header or bad records: it is refused up front, saying what it is.
		// No GB18030 text starts with a UTF-16 byte order mark (0xFF is
		// never a GB18030 byte) or holds NUL bytes.
		br := bufio.NewReaderSize(r, 4096)
		head, _ := br.Peek(512) // an error shows again on reading
		if order, ok := sniffUTF16(head); ok {
			want := UTF16 // its byte order mark says the order
			if !bytes.HasPrefix(head, []byte{0xff, 0xfe}) && !bytes.HasPrefix(head, []byte{0xfe, 0xff}) {
				want = UTF16LE
				if order == xunicode.BigEndian {
					want = UTF16BE
				}
			}
			return nil, fmt.Errorf("datasets: the file is UTF-16, not %s: read it with --encoding %s (the Encoding of that name)", e, want)
		}
		// GB18030 decodes every GBK byte sequence as GBK does, and the four-byte ones GBK lacks
		return transform.NewReader(br, simplifiedchinese.GB18030.NewDecoder()), nil
	case UTF16:
		return utf16Reader(r, xunicode.LittleEndian, xunicode.UseBOM), nil
	case UTF16LE:
		return utf16Reader(r, xunicode.LittleEndian, xunicode.IgnoreBOM), nil
	case UTF16BE:
		return utf16Reader(r, xunicode.BigEndian, xunicode.IgnoreBOM), nil
	}
	return nil, fmt.Errorf("datasets: unknown encoding %q (want utf-8, gb18030, gbk, utf-16, utf-16le or utf-16be)", e)
}

func utf16Reader(r io.Reader, order xunicode.Endianness, policy xunicode.BOMPolicy) io.Reader {
	// with a byte order mark, the mark decides (and is dropped)
	return transform.NewReader(r, xunicode.BOMOverride(xunicode.UTF16(order, policy).NewDecoder()))
}

// sniffUTF16 tells a UTF-16 file from the first bytes of a file said to be
// UTF-8: by its byte order mark, or by its NUL bytes (no text file in UTF-8
// holds many), which fall on odd offsets in little-endian UTF-16 of
// ASCII-range characters and on even ones in big-endian.
func sniffUTF16(head []byte) (xunicode.Endianness, bool) {
	switch {
	case bytes.HasPrefix(head, []byte{0xff, 0xfe}):
		return xunicode.LittleEndian, true
	case bytes.HasPrefix(head, []byte{0xfe, 0xff}):
		return xunicode.BigEndian, true
	}
	var even, odd int
	for i, c := range head {
		if c == 0 {
			if i%2 == 0 {
				even++
			} else {
				odd++
			}
		}
	}
	if len(head) < 4 || 4*(even+odd) < len(head) {
		return xunicode.BigEndian, false
	}
	if odd >= even {
		return xunicode.LittleEndian, true
	}
	return xunicode.BigEndian, true
}

// lineReader splits its input into physical lines at LF, CRLF or a lone CR,
// skips a leading UTF-8 byte order mark, refuses bytes that are not UTF-8,
// and never holds more than MaxLineBytes of one line. Line numbers count
// every physical line from 1.
type lineReader struct {
	rd     io.Reader
	buf    []byte
	r, w   int
	err    error  // the input's error (io.EOF at its end), once buf is drained
	acc    []byte // a line that spans refills of buf
	line   int    // number of the line last returned
	skipLF bool   // the last line ended in CR: a LF right after it belongs to it
	bom    bool   // the start was checked for a byte order mark
	fatal  error
	// lazyUTF8 leaves the check that a line is UTF-8 to the caller (the
	// workers of a pass over a file, who check the lines they decode)
	lazyUTF8 bool
	// cr is where the next CR at or after r is in buf (w when there is
	// none), known when crKnown: a file without CRs is searched for them
	// once a fill, not once a line
	cr      int
	crKnown bool
}

// lineBufSize is the size of a lineReader's buffer; minLineBuf the least
// it works with: a byte order mark (3 bytes) and a whole UTF-8 character
// (4) must fit.
const (
	lineBufSize = 64 << 10
	minLineBuf  = utf8.UTFMax
)

func newLineReader(r io.Reader) *lineReader { return newLineReaderSize(r, lineBufSize) }

// newLineReaderSize is newLineReader with a buffer of size bytes, at least
// minLineBuf (a smaller size, 0 or negative, gets minLineBuf).
func newLineReaderSize(r io.Reader, size int) *lineReader {
	return &lineReader{rd: r, buf: make([]byte, max(size, minLineBuf))}
}

// fill reads more input into buf, moving unread bytes to its start.
func (l *lineReader) fill() {
	l.crKnown = false // the bytes move and more come
	if l.r > 0 {
		copy(l.buf, l.buf[l.r:l.w])
		l.w -= l.r
		l.r = 0
	}
	for tries := 0; tries < 100 && l.w < len(l.buf) && l.err == nil; tries++ {
		n, err := l.rd.Read(l.buf[l.w:])
		l.w += n
		if err != nil {
			l.err = err
		}
		if n > 0 {
			return
		}
	}
	if l.err == nil && l.w < len(l.buf) {
		l.err = io.ErrNoProgress
	}
}

// next returns the next physical line without its line end. The slice is
// valid until the next call. A line longer than MaxLineBytes comes back
// empty with tooLong set (its bytes were consumed, not kept). At the end of
// the input next returns io.EOF; a read error, or bytes that are not
// UTF-8, is returned as it is and ends the input.
func (l *lineReader) next() (line []byte, tooLong bool, err error) {
	if l.fatal != nil {
		return nil, false, l.fatal
	}
	if len(l.buf) < minLineBuf {
		// a buffer that cannot hold a byte order mark would wait for one
		// forever (fill reads nothing into a full buffer)
		l.buf = append(l.buf[:l.w:l.w], make([]byte, minLineBuf-l.w)...)
	}
	if !l.bom {
		for l.w-l.r < 3 && l.err == nil {
			l.fill()
		}
		l.bom = true
		if bytes.HasPrefix(l.buf[l.r:l.w], bom) {
			l.r += 3
		}
	}
	l.acc = l.acc[:0]
	for {
		if l.skipLF && l.r < l.w {
			if l.buf[l.r] == '\n' {
				l.r++
			}
			l.skipLF = false
		}
		chunk := l.buf[l.r:l.w]
		end := bytes.IndexByte(chunk, '\n')
		if end < 0 {
			end = len(chunk)
		}
		if !l.crKnown || l.cr < l.r {
			l.cr, l.crKnown = l.w, true
			if i := bytes.IndexByte(chunk, '\r'); i >= 0 {
				l.cr = l.r + i
			}
		}
		if cr := l.cr - l.r; cr < end {
			end = cr
		}
		if end < len(chunk) { // a line end in buf
			term := chunk[end]
			l.r += end + 1
			if term == '\r' {
				l.skipLF = true
			}
			return l.finish(chunk[:end], tooLong)
		}
		// no line end in buf: keep what there is and read on
		if !tooLong {
			if len(l.acc)+len(chunk) > MaxLineBytes {
				tooLong = true
				l.acc = l.acc[:0]
			} else {
				l.acc = append(l.acc, chunk...)
			}
		}
		l.r = l.w
		if l.err != nil {
			if l.err != io.EOF {
				l.fatal = l.err
				return nil, false, l.err
			}
			if len(l.acc) == 0 && !tooLong {
				return nil, false, io.EOF
			}
			l.fatal = io.EOF
			l.line++
			return l.check(l.acc, tooLong)
		}
		l.fill()
	}
}

func (l *lineReader) finish(tail []byte, tooLong bool) ([]byte, bool, error) {
	l.line++
	if tooLong {
		return nil, true, nil
	}
	if len(l.acc) > 0 {
		if len(l.acc)+len(tail) > MaxLineBytes {
			l.acc = l.acc[:0]
			return nil, true, nil
		}
		l.acc = append(l.acc, tail...)
		return l.check(l.acc, false)
	}
	if len(tail) > MaxLineBytes {
		return nil, true, nil
	}
	return l.check(tail, false)
}

func (l *lineReader) check(line []byte, tooLong bool) ([]byte, bool, error) {
	if tooLong {
		return nil, true, nil
	}
	if !l.lazyUTF8 && !utf8.Valid(line) {
		l.fatal = &notUTF8Error{line: l.line}
		return nil, false, l.fatal
	}
	// files exported in parts and joined have a byte order mark at the
	// start of each part
	for bytes.HasPrefix(line, bom) {
		line = line[len(bom):]
	}
	return line, false, nil
}

var bom = []byte("\ufeff")

// isBlank reports white space of any width (the ideographic space, the
// no-break space) and the zero-width characters spreadsheets and web forms
// leave around values (U+200B-U+200D, U+2060, U+FEFF).
func isBlank(c rune) bool {
	switch c {
	case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff':
		return true
	}
	return unicode.IsSpace(c)
}

// trimBlank trims what isBlank reports from both ends of s.
func trimBlank(s string) string {
	if s == "" || (s[0] > ' ' && s[0] < 0x80 && s[len(s)-1] > ' ' && s[len(s)-1] < 0x80) {
		return s // the common case, without decoding
	}
	return strings.TrimFunc(s, isBlank)
}
