package datasets

import (
	"io"
	"math/rand/v2"
	"regexp"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/require"
)

// The line reader ends lines at LF, CRLF and a lone CR wherever the reads
// and its buffer cut the text (a CRLF split across two reads, a file with
// and without CRs), as splitting the whole text at once does.
func TestLineReaderLineEndsAcrossReads(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	ends := regexp.MustCompile("\r\n|\r|\n")
	for n := 0; n < 3000; n++ {
		var b []byte
		alphabet := "ab\n\r" // some files have no CR at all
		if n%3 == 0 {
			alphabet = "ab\n"
		}
		for k := rng.IntN(80); k > 0; k-- {
			b = append(b, alphabet[rng.IntN(len(alphabet))])
		}
		want := ends.Split(string(b), -1)
		if want[len(want)-1] == "" {
			want = want[:len(want)-1] // the last line's end ends the file
		}
		l := newLineReader(iotest.OneByteReader(&sliceReader{b: b}))
		if n%2 == 0 {
			l = newLineReader(&sliceReader{b: b})
		}
		l.buf = make([]byte, rng.IntN(12)) // any size, 0 too: the reader grows one under minLineBuf
		var got []string
		for {
			line, tooLong, err := l.next()
			if err == io.EOF {
				break
			}
			require.NoError(t, err)
			require.False(t, tooLong)
			got = append(got, string(line))
			require.Equal(t, len(got), l.line)
		}
		require.Equal(t, want, append([]string{}, got...), "%q", b)
	}
}

type sliceReader struct{ b []byte }

func (r *sliceReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.b)
	r.b = r.b[n:]
	return n, nil
}

// Every buffer size works, a byte order mark and characters of up to four
// bytes across it included: newLineReaderSize raises a size under
// minLineBuf (0, 1, negative) to it, and a reader handed a smaller buffer
// grows it before reading.
func TestLineReaderAnySize(t *testing.T) {
	text := "\ufeff{\"a\":\"中文\"}\r\n😀x\rlast"
	want := []string{`{"a":"中文"}`, "😀x", "last"}
	for size := -2; size <= 9; size++ {
		for _, rd := range []func() io.Reader{
			func() io.Reader { return &sliceReader{b: []byte(text)} },
			func() io.Reader { return iotest.OneByteReader(&sliceReader{b: []byte(text)}) },
		} {
			for _, l := range []*lineReader{newLineReaderSize(rd(), size), {rd: rd(), buf: make([]byte, max(size, 0))}} {
				var got []string
				for {
					line, tooLong, err := l.next()
					if err == io.EOF {
						break
					}
					require.NoError(t, err, "size %d", size)
					require.False(t, tooLong)
					got = append(got, string(line))
				}
				require.Equal(t, want, got, "size %d", size)
			}
		}
	}
	require.Len(t, newLineReaderSize(nil, 0).buf, minLineBuf)
	require.Len(t, newLineReader(nil).buf, lineBufSize)
}
