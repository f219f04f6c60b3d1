package datasets

import (
	"bytes"
	"io"
)

// blockReader cuts its input into blocks of whole lines for the workers of
// a pass: one read of about a chunk's size straight into the chunk's
// buffer, the cut after the block's last line end, and a count of the line
// ends (bytes.Count). The workers split the lines; nothing is copied but a
// line that spans two blocks. Lines are what lineReader returns: they end
// in LF, CRLF or a lone CR, a UTF-8 byte order mark at the start of the
// input is skipped, and a line longer than MaxLineBytes is not held (the
// block starts with it, marked long, its bytes dropped).
type blockReader struct {
	rd      io.Reader
	pending []byte // bytes read before (by the CSV header's lineReader), given out first
	err     error  // the input's error (io.EOF at its end), once pending is drained
	line    int    // lines given out so far
	carry   []byte // the start of a line not ended yet
	skipLF  bool   // the last line given out ended in CR: a LF right after it belongs to it
	bom     bool   // the start was checked for a byte order mark
}

func newBlockReader(r io.Reader) *blockReader { return &blockReader{rd: r} }

// blockReaderAfter continues where lr stopped (after a CSV header).
func blockReaderAfter(lr *lineReader) *blockReader {
	b := &blockReader{rd: lr.rd, err: lr.err, line: lr.line, skipLF: lr.skipLF, bom: lr.bom}
	b.pending = append([]byte(nil), lr.buf[lr.r:lr.w]...)
	if lr.fatal != nil {
		b.pending, b.err = nil, lr.fatal
	}
	return b
}

// read appends input to *data, about limit bytes in all (at least one
// more when it can); it returns false when there is no more (b.err is
// set). A LF right after a CR that ended the last line read is dropped.
func (b *blockReader) read(data *[]byte, limit int) bool {
	if b.err != nil && len(b.pending) == 0 {
		return false
	}
	d := *data
	old := len(d)
	if len(b.pending) > 0 {
		n := min(len(b.pending), max(limit-len(d), 1))
		d = append(d, b.pending[:n]...)
		b.pending = b.pending[n:]
	} else {
		want := max(limit-len(d), 4<<10)
		if cap(d)-len(d) < want {
			grown := make([]byte, len(d), max(len(d)+want, 2*cap(d)))
			copy(grown, d)
			d = grown
		}
		room := d[len(d) : len(d)+want]
		for tries := 0; ; tries++ {
			n, err := b.rd.Read(room)
			d = d[:len(d)+n]
			if err != nil {
				b.err = err
			}
			if n > 0 || err != nil {
				break
			}
			if tries == 100 {
				b.err = io.ErrNoProgress
				break
			}
		}
	}
	if b.skipLF && len(d) > old {
		b.skipLF = false
		if d[old] == '\n' {
			d = append(d[:old], d[old+1:]...)
		}
	}
	*data = d
	return true
}

// next fills c with the next block of about size bytes of whole lines:
// c.data, c.first, c.lines, c.longFirst and c.err. It returns false when
// the input has ended (c holds its last lines, maybe none).
func (b *blockReader) next(c *lineChunk, size int) bool {
	c.data = append(c.data[:0], b.carry...)
	b.carry = b.carry[:0]
	c.first, c.longFirst = b.line+1, false
	more, ended := true, true
	plain := len(c.data) // c.data[:plain] holds no line end: the carry has none
	for {
		for more && (len(c.data) < size || !b.bom && len(c.data) < len(bom)) {
			more = b.read(&c.data, max(size, len(bom)))
		}
		if !b.bom {
			b.bom = true
			if bytes.HasPrefix(c.data, bom) {
				c.data = c.data[:copy(c.data, c.data[len(bom):])]
			}
		}
		if !more || lastLineEnd(c.data[plain:]) >= 0 {
			break
		}
		plain = len(c.data)
		if len(c.data) <= MaxLineBytes {
			size = len(c.data) + 64<<10 // a line longer than a block: read on
			continue
		}
		// a line longer than MaxLineBytes: its bytes are dropped up to its
		// end; the block is it and the lines after it in what was read
		c.longFirst = true
		more, ended = b.skipLine(&c.data)
		break
	}
	cut := len(c.data)
	if more || b.err != io.EOF {
		cut = lastLineEnd(c.data) + 1
	}
	if !more && b.err != io.EOF {
		c.err = b.err // a read error: the lines read in full, not a part of one
		if !ended {
			c.longFirst = false
		}
	}
	// a CR that ends what was read: a LF read next is its line end's. Not
	// when a line's start follows it (the carry): that line's own LF must
	// not be dropped
	if more && cut > 0 && cut == len(c.data) && c.data[cut-1] == '\r' {
		b.skipLF = true
	}
	b.carry = append(b.carry, c.data[cut:]...)
	c.data = c.data[:cut]
	c.lines = countLines(c.data, !more)
	if c.longFirst {
		c.lines++
	}
	b.line += c.lines
	return more
}

// skipLine drops the rest of a line too long to keep: *data holds its
// start, no line end. It leaves in *data what follows the line's end, and
// says whether there is more input and whether the line ended.
func (b *blockReader) skipLine(data *[]byte) (more, ended bool) {
	d := (*data)[:0]
	defer func() { *data = d }()
	for {
		more = b.read(&d, 64<<10)
		if i := bytes.IndexAny(d, "\r\n"); i >= 0 {
			rest := i + 1
			if d[i] == '\r' && i+1 == len(d) && more {
				b.skipLF = true // the next byte decides
			} else if d[i] == '\r' && i+1 < len(d) && d[i+1] == '\n' {
				rest++
			}
			d = d[:copy(d, d[rest:])]
			return more, true
		}
		d = d[:0]
		if !more {
			return false, false
		}
	}
}

// lastLineEnd is the index of data's last LF or CR, -1 when there is none.
func lastLineEnd(data []byte) int {
	lf := bytes.LastIndexByte(data, '\n')
	if cr := bytes.LastIndexByte(data[lf+1:], '\r'); cr >= 0 {
		return lf + 1 + cr
	}
	return lf
}

// countLines counts the lines of data: its line ends (a CRLF is one), and
// at the input's end a last line without one.
func countLines(data []byte, end bool) int {
	n := bytes.Count(data, []byte{'\n'})
	if cr := bytes.IndexByte(data, '\r'); cr >= 0 {
		for i := cr; i < len(data); i++ {
			if data[i] == '\r' && (i+1 == len(data) || data[i+1] != '\n') {
				n++
			}
		}
	}
	if end && len(data) > 0 && data[len(data)-1] != '\n' && data[len(data)-1] != '\r' {
		n++
	}
	return n
}

// lines walks the lines of a block.
type lines struct {
	data []byte
	p    int
	cr   bool // the block has a CR: lines end in CR too
}

func newLines(data []byte) lines {
	return lines{data: data, cr: bytes.IndexByte(data, '\r') >= 0}
}

// next returns the next line's bounds in data (without its line end).
func (l *lines) next() (start, end int, ok bool) {
	if l.p >= len(l.data) {
		return 0, 0, false
	}
	start = l.p
	e := bytes.IndexByte(l.data[start:], '\n')
	if l.cr {
		seg := l.data[start:]
		if e >= 0 {
			seg = seg[:e]
		}
		if cr := bytes.IndexByte(seg, '\r'); cr >= 0 {
			e = cr
		}
	}
	if e < 0 {
		l.p = len(l.data)
		return start, len(l.data), true
	}
	end = start + e
	l.p = end + 1
	if l.data[end] == '\r' && l.p < len(l.data) && l.data[l.p] == '\n' {
		l.p++
	}
	return start, end, true
}
