package datasets

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/require"
)

// seenLine is a line as a pass sees it: its number, its bytes (byte order
// marks at its start dropped) or that it was too long.
type seenLine struct {
	num  int
	text string
	long bool
}

// viaLineReader reads data's lines as the readers do, one at a time.
func viaLineReader(r io.Reader) ([]seenLine, error) {
	lr := newLineReader(r)
	lr.lazyUTF8 = true
	var out []seenLine
	for {
		line, long, err := lr.next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, seenLine{lr.line, string(line), long})
	}
}

// viaBlocks reads data's lines as a pass's reader and workers do: blocks
// of about size bytes, split into lines.
func viaBlocks(t testing.TB, br *blockReader, size int) ([]seenLine, error) {
	var out []seenLine
	c := &lineChunk{}
	next := br.line + 1
	for {
		c.reset()
		more := br.next(c, size)
		require.Equal(t, next, c.first, "a block's first line follows the last block's")
		num := c.first
		if c.longFirst {
			out = append(out, seenLine{num: num, long: true})
			num++
		}
		for ls := newLines(c.data); ; num++ {
			start, end, ok := ls.next()
			if !ok {
				break
			}
			line := c.data[start:end]
			for bytes.HasPrefix(line, bom) {
				line = line[len(bom):]
			}
			out = append(out, seenLine{num, string(line), end-start > MaxLineBytes})
			if end-start > MaxLineBytes {
				out[len(out)-1].text = ""
			}
		}
		require.Equal(t, c.first+c.lines, num, "the reader counts the lines the workers find")
		next = num
		if c.err != nil {
			return out, c.err
		}
		if !more {
			return out, nil
		}
	}
}

// The blocks a pass reads hold the lines, numbered, that the readers'
// lineReader returns, whatever the block size and however the input
// comes (a byte at a time, in halves): LF, CRLF and lone CR line ends
// (also across blocks), byte order marks, blank lines, a last line without
// a line end, lines longer than MaxLineBytes (first, last, in a row, ended
// by CR, CRLF or the input's end).
func TestBlockReaderSameLinesAsLineReader(t *testing.T) {
	long := strings.Repeat("y", MaxLineBytes+5)
	edge := strings.Repeat("z", MaxLineBytes) // just fits
	inputs := []string{
		"",
		"\n",
		"a",
		"a\nb",
		"a\nb\n",
		"a\r\nb\r\n\r\n",
		"a\rb\rc",
		"a\r\rb\r\n\n\rc\r",
		"a\rb\nc\n",  // a CR-ended line, then one ended by LF: the LF is not the CR's
		"a\rbc\n\rd", // (a block cut after the CR holding the next line's start)
		"\ufeffa\n\ufeff\ufeffb\r\n",
		"\ufeff",
		"\xef\xbb",
		"{\"msisdn\":\"13800138000\"}\n  \n\u3000\n{\"x\":1}",
		long,
		long + "\n",
		long + "\r\nnext\n",
		long + "\rnext",
		"first\n" + long + "\n" + long + "\r" + long + "\r\n" + "last",
		edge + "\n" + edge + "\r\n" + edge + "\r" + edge,
		"\ufeff" + edge + "\n",
		"a\n" + edge + "x\n" + "b",
	}
	readers := map[string]func(string) io.Reader{
		"whole":    func(s string) io.Reader { return strings.NewReader(s) },
		"one byte": func(s string) io.Reader { return iotest.OneByteReader(strings.NewReader(s)) },
		"halves":   func(s string) io.Reader { return iotest.HalfReader(strings.NewReader(s)) },
	}
	for i, in := range inputs {
		want, err := viaLineReader(strings.NewReader(in))
		require.NoError(t, err)
		for name, rd := range readers {
			for _, size := range []int{1, 2, 3, 7, 64, 4096, 1 << 21} {
				if name == "one byte" && len(in) > 1<<16 {
					continue // slow: the short inputs read so cover it
				}
				got, err := viaBlocks(t, newBlockReader(rd(in)), size)
				require.NoError(t, err)
				require.Equal(t, want, got, "input %d, %s, blocks of %d", i, name, size)
			}
		}
	}
}

// After a CSV header read by a lineReader, the blocks go on with the
// lines after it, numbered on; a CR that ended the header and a LF in the
// next read are one line end.
func TestBlockReaderAfterHeader(t *testing.T) {
	for _, in := range []string{"h\na\nb", "h\r\na\r", "h\r\n\nb", "h\rb", "h"} {
		for _, size := range []int{1, 5, 1 << 16} {
			rd := iotest.HalfReader(strings.NewReader(in))
			lr := newLineReader(rd)
			_, _, err := lr.next()
			require.NoError(t, err)
			got, err := viaBlocks(t, blockReaderAfter(lr), size)
			require.NoError(t, err)
			all, err := viaLineReader(strings.NewReader(in))
			require.NoError(t, err)
			require.Equal(t, fmt.Sprint(all[1:]), fmt.Sprint(got), "%q blocks of %d", in, size)
		}
	}
}

// A read error ends the blocks with the lines read in full before it and
// the error.
func TestBlockReaderReadError(t *testing.T) {
	boom := errors.New("boom")
	in := "a\nb\nc"
	got, err := viaBlocks(t, newBlockReader(io.MultiReader(strings.NewReader(in), iotest.ErrReader(boom))), 2)
	require.ErrorIs(t, err, boom)
	require.Equal(t, []seenLine{{1, "a", false}, {2, "b", false}}, got)
}

// Lines the two readers split alike on any input and any block size.
func FuzzBlockReader(f *testing.F) {
	f.Add([]byte("a\r\nb\rc\n\ufeffd"), uint16(3))
	f.Add([]byte("\r\r\n\n"), uint16(1))
	f.Fuzz(func(t *testing.T, data []byte, size uint16) {
		want, err := viaLineReader(bytes.NewReader(data))
		require.NoError(t, err)
		got, err := viaBlocks(t, newBlockReader(iotest.HalfReader(bytes.NewReader(data))), int(size)+1)
		require.NoError(t, err)
		require.Equal(t, want, got, fmt.Sprintf("%q", data))
		// reads of a byte: a block can end anywhere, a line end in the next read
		got, err = viaBlocks(t, newBlockReader(iotest.OneByteReader(bytes.NewReader(data))), int(size)+1)
		require.NoError(t, err)
		require.Equal(t, want, got, fmt.Sprintf("%q, one byte a read", data))
	})
}
