package datasets

import (
	"bytes"
	"context"
	"io"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/simrisk/simrisk/risk"
)

// A pass over a record file on every core: one goroutine splits the input
// into lines and hands them out in chunks, workers decode (and in the
// scoring pass score and encode) whole chunks, and one goroutine takes the
// chunks back in input order. At most window chunks are out at a time, so
// memory holds a constant number of lines whatever the file's size.

// chunkLines is the most lines of one chunk (a variable so that tests can
// make many small chunks); chunkBytes the most bytes.
var chunkLines = 1024

const chunkBytes = 512 << 10

// lineChunk is a run of consecutive lines of the input and, once a worker
// has had it, what they hold.
type lineChunk struct {
	seq   int
	data  []byte // the lines, one after another
	ends  []int  // where each line ends in data
	nums  []int  // each line's number
	long  []bool // the line was longer than MaxLineBytes (and is empty)
	err   error  // the input's error after these lines (not io.EOF)
	bytes int64  // input bytes read when the chunk was cut
	items []item // one per line that is a record, in order
	recs  []risk.Record
	keys  []string // unknown keys of the records, items[i].keys indexes it
	fatal error    // a line that stops the file (not UTF-8): items end before it

	// the scoring pass's output
	out, rejOut []byte
	stats       chunkStats
}

type item struct {
	line       int
	rec        *risk.Record // nil for a reject
	rej        *Reject
	keys0, key int // unknown keys: c.keys[keys0:key]
}

func (c *lineChunk) reset() {
	c.data, c.ends, c.nums, c.long = c.data[:0], c.ends[:0], c.nums[:0], c.long[:0]
	c.err, c.bytes, c.fatal = nil, 0, nil
	clear(c.items) // no pointers into records kept for the GC
	c.items, c.keys = c.items[:0], c.keys[:0]
	c.out, c.rejOut = c.out[:0], c.rejOut[:0]
	c.stats.reset()
}

func (c *lineChunk) line(i int) []byte {
	start := 0
	if i > 0 {
		start = c.ends[i-1]
	}
	return c.data[start:c.ends[i]]
}

// record returns the chunk's k-th record slot, zeroed.
func (c *lineChunk) record(k int) *risk.Record {
	if k == len(c.recs) {
		c.recs = append(c.recs, risk.Record{})
	}
	c.recs[k] = risk.Record{}
	return &c.recs[k]
}

// passDecoder decodes the lines of a chunk: one per worker.
type passDecoder struct {
	cfg    *readConfig
	format Format
	hdr    *csvHeader // CSV
	rows   csvRows
	state  any // the pass's own, per worker
}

// decode fills c.items from c's lines: blank lines (and, in CSV, repeats
// of the header) are not records; a line that is not UTF-8 stops the file.
func (d *passDecoder) decode(c *lineChunk) {
	k := 0
	for i := range c.ends {
		num := c.nums[i]
		if c.long[i] {
			c.items = append(c.items, item{line: num, rej: &Reject{Line: num, Reason: tooLongReason}, keys0: len(c.keys), key: len(c.keys)})
			continue
		}
		line := c.line(i)
		if !utf8.Valid(line) {
			c.fatal = &notUTF8Error{line: num}
			return
		}
		it := item{line: num, keys0: len(c.keys)}
		switch d.format {
		case CSV:
			bad := d.rows.parse(line)
			if bad == "" && (d.rows.blank() || d.rows.isHeader(d.hdr)) {
				continue
			}
			rec := c.record(k)
			if _, rej := d.rows.decodeRow(d.cfg, d.hdr, rec, num, bad); rej != nil {
				it.rej = rej
			} else {
				it.rec = rec
				k++
			}
		default:
			if len(bytes.TrimFunc(line, isBlank)) == 0 {
				continue
			}
			rec := c.record(k)
			if _, rej := d.cfg.decodeJSONLine(rec, line, num, &c.keys); rej != nil {
				it.rej = rej
			} else {
				it.rec = rec
				k++
			}
		}
		it.key = len(c.keys)
		c.items = append(c.items, it)
	}
}

// runPass reads the file once on workers goroutines. work is called on a
// worker for each chunk once its lines are decoded (d.decode(c)); take is
// called on one goroutine with each chunk in input order, and its error (or
// ctx's) ends the pass. unk reports unknown keys before take sees a chunk.
// It returns the first error: the input's, a line's that stops the file,
// take's or ctx's; every goroutine has ended when it returns.
func runPass(ctx context.Context, open Opener, o ScoreOptions, workers int,
	work func(d *passDecoder, c *lineChunk), take func(c *lineChunk) error) error {
	f, err := open()
	if err != nil {
		return err
	}
	defer f.Close()
	counted := &countingReader{r: f}
	cfg := newReadConfig(o.AsOf, o.Read)
	if o.Format != JSONL && o.Format != "" && o.Format != CSV {
		_, err := NewRecordReader(nil, o.Format, o.AsOf)
		return err
	}
	in, err := decoder(counted, cfg.encoding)
	if err != nil {
		return err
	}
	lr := newLineReader(in)
	var hdr *csvHeader
	unk := unknowns{cfg: &cfg, what: "key", names: jsonNames}
	if o.Format == CSV {
		// the header is read first, on this goroutine: its warnings come
		// first and a bad header refuses the file before any work
		cr := &CSVReader{lr: lr, cfg: cfg}
		cr.unk = unknowns{cfg: &cr.cfg, what: "column", names: csvNames}
		if err := cr.header(); err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
		hdr = &cr.csvHeader
	}
	lr.lazyUTF8 = true // the workers check each line

	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	window := 4 * workers
	free := make(chan *lineChunk, window)
	for i := 0; i < window; i++ {
		free <- &lineChunk{}
	}
	todo := make(chan *lineChunk, window)
	done := make(chan *lineChunk, window)
	var wg sync.WaitGroup

	// the reader: lines into chunks
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(todo)
		for seq := 0; ; seq++ {
			var c *lineChunk
			select {
			case c = <-free:
			case <-ctx.Done():
				return
			}
			c.reset()
			c.seq = seq
			last := false
			for len(c.ends) < chunkLines && len(c.data) < chunkBytes {
				line, tooLong, err := lr.next()
				if err != nil {
					if err != io.EOF {
						c.err = err
					}
					last = true
					break
				}
				c.data = append(c.data, line...)
				c.ends = append(c.ends, len(c.data))
				c.nums = append(c.nums, lr.line)
				c.long = append(c.long, tooLong)
			}
			c.bytes = counted.n.Load()
			select {
			case todo <- c:
			case <-ctx.Done():
				return
			}
			if last {
				return
			}
		}
	}()

	// the workers
	var wwg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wwg.Add(1)
		go func() {
			defer wwg.Done()
			d := &passDecoder{cfg: &cfg, format: o.Format, hdr: hdr}
			for c := range todo {
				if ctx.Err() == nil {
					d.decode(c)
					work(d, c)
				}
				select {
				case done <- c:
				case <-ctx.Done():
				}
			}
		}()
	}
	go func() {
		wwg.Wait()
		close(done)
	}()

	// in order
	next := 0
	waiting := map[int]*lineChunk{}
	var perr error
	for c := range done {
		if perr != nil {
			continue
		}
		waiting[c.seq] = c
		for {
			c, ok := waiting[next]
			if !ok {
				break
			}
			delete(waiting, next)
			next++
			perr = takeChunk(ctx, c, &unk, take)
			if perr != nil {
				cancel()
				break
			}
			free <- c
		}
	}
	cancel()
	wg.Wait()
	if perr == nil {
		perr = parent.Err() // cancelled before a chunk came back
	}
	return perr
}

func takeChunk(ctx context.Context, c *lineChunk, unk *unknowns, take func(c *lineChunk) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, it := range c.items {
		for _, k := range c.keys[it.keys0:it.key] {
			if err := unk.add(it.line, k); err != nil {
				return err
			}
		}
	}
	if err := take(c); err != nil {
		return err
	}
	if c.fatal != nil {
		return c.fatal
	}
	return c.err
}

// countingReader counts the bytes read through it, for progress.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}
