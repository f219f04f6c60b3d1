package datasets

import (
	"bytes"
	"context"
	"hash/maphash"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"
	"unsafe"

	"github.com/simrisk/simrisk/internal/scan"
	"github.com/simrisk/simrisk/risk"
)

// A pass over a record file on every core: one goroutine reads the input
// in blocks of whole lines and counts their lines (blockReader), workers
// split the lines and decode (and in the scoring pass score and encode)
// whole blocks, and one goroutine takes the blocks back in input order. At
// most window chunks are out at a time, so memory holds a constant number
// of lines whatever the file's size.

// chunkBytes is about the size of one chunk (a variable so that tests can
// make many small chunks): about a thousand records.
var chunkBytes = 384 << 10

// lineChunk is a run of consecutive lines of the input and, once a worker
// has had it, what they hold.
type lineChunk struct {
	seq       int
	data      []byte // the lines, with their line ends (the input's last line maybe without)
	first     int    // the number of the chunk's first line
	lines     int    // how many lines it holds
	longFirst bool   // its first line was longer than MaxLineBytes (and is not in data)
	err       error  // the input's error after these lines (not io.EOF)
	bytes     int64  // input bytes read when the chunk was cut
	size      int64  // the input's size, 0 when unknown
	items     []item // one per line that is a record, in order
	recs      []risk.Record
	keys      []string   // unknown keys of the records, items[i].keys indexes it
	fatal     error      // a line that stops the file (not UTF-8): items end before it
	digest    liteDigest // of the valid records (population pass, lite; scoring pass)

	// the scoring pass's output
	out, rejOut []byte
	stats       chunkStats
}

type item struct {
	line       int
	rec        *risk.Record // nil for a reject
	rej        *Reject
	keys0, key int    // unknown keys: c.keys[keys0:key]
	text       uint64 // a hash of a JSON Lines record's bytes (in the digest: a line changed between the passes changes it)
}

// records is how many records the chunk holds.
func (c *lineChunk) records() int { return len(c.items) }

func (c *lineChunk) reset() {
	c.data, c.first, c.lines, c.longFirst = c.data[:0], 0, 0, false
	c.err, c.bytes, c.fatal, c.digest = nil, 0, nil, liteDigest{}
	clear(c.items) // no pointers into records kept for the GC
	c.items, c.keys = c.items[:0], c.keys[:0]
	c.out, c.rejOut = c.out[:0], c.rejOut[:0]
	c.stats.reset()
}

// record returns the chunk's k-th record slot, zeroed when zero is set
// (the whole JSON decoder zeroes the record itself).
func (c *lineChunk) record(k int, zero bool) *risk.Record {
	if k == len(c.recs) {
		c.recs = append(c.recs, risk.Record{})
	} else if zero {
		c.recs[k] = risk.Record{}
	}
	return &c.recs[k]
}

// passDecoder decodes the lines of a chunk: one per worker.
type passDecoder struct {
	cfg     *readConfig
	format  Format
	hdr     *csvHeader // CSV
	rows    csvRows
	state   any          // the pass's own, per worker
	lite    bool         // read only the population's fields where the line allows (JSON Lines)
	extra   liteExtra    // the lite pass's other fields Validate checks
	digest  bool         // sum the valid records' digest
	keys    []string     // the unknown keys of the record being decoded
	unknown func(string) // appends to keys
	seed    maphash.Seed
	trust   *lineSet // lines an earlier pass found valid (the scoring pass): not validated again
}

// decode fills c.items from c's lines: blank lines (and, in CSV, repeats
// of the header) are not records; a line that is not UTF-8 stops the file.
func (d *passDecoder) decode(c *lineChunk) {
	k := 0
	num := c.first
	if c.longFirst {
		c.items = append(c.items, item{line: num, rej: &Reject{Line: num, Reason: tooLongReason}, keys0: len(c.keys), key: len(c.keys)})
		num++
	}
	defer func() {
		// records left from the chunk's last use hold strings of its last
		// text: dropped, so that no chunk keeps several texts alive
		clear(c.recs[k:])
	}()
	valid := utf8.Valid(c.data) // line ends are ASCII: every line is UTF-8 when the block is
	var text string             // the chunk's lines as one string, made when a line is decoded whole
	for ls := newLines(c.data); ; num++ {
		start, end, ok := ls.next()
		if !ok {
			break
		}
		if end-start > MaxLineBytes {
			c.items = append(c.items, item{line: num, rej: &Reject{Line: num, Reason: tooLongReason}, keys0: len(c.keys), key: len(c.keys)})
			continue
		}
		line := c.data[start:end]
		if !valid && !utf8.Valid(line) {
			c.fatal = &notUTF8Error{line: num}
			return
		}
		// files exported in parts and joined have a byte order mark at the
		// start of each part
		for bytes.HasPrefix(line, bom) {
			line, start = line[len(bom):], start+len(bom)
		}
		it := item{line: num, keys0: len(c.keys)}
		switch d.format {
		case CSV:
			bad := d.rows.parse(line)
			if bad == "" && (d.rows.blank() || d.rows.isHeader(d.hdr)) {
				continue
			}
			rec := c.record(k, true)
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
			rec := c.record(k, d.lite)
			if d.lite {
				if ok, valid := d.liteRecord(rec, line); ok {
					if valid {
						it.rec = rec
						it.text = maphash.Bytes(d.seed, line)
						k++
					} else {
						it.rej = &Reject{Line: num} // its reason comes from the scoring pass
					}
					break
				}
			}
			if text == "" {
				// a view of the chunk's bytes, not a copy (387 MB of copies
				// and most of the garbage collections for 1M cards): the
				// chunk's records, decisions and rejects are done with before
				// the chunk is refilled, and what outlives it (an example
				// decision, a first reject, an unknown key's name) is copied
				// (ownDecision, ownReject, the keys below)
				text = unsafe.String(unsafe.SliceData(c.data), len(c.data))
			}
			if d.unknown == nil {
				d.unknown = keyCollector(&d.keys)
			}
			// the record's unknown keys (at most 100) are its, then the chunk's
			d.keys = d.keys[:0]
			// a line the population pass found valid is not validated
			// again (the digest holds its bytes' hash: they are the same
			// bytes), but one in 64, which is, so that the digest would
			// show a population pass that judged otherwise
			trusted := d.trust != nil && num%64 != 0 && d.trust.has(num)
			_, rej := d.cfg.decodeJSONLineTrusted(rec, line, text[start:end], true, num, d.unknown, trusted)
			if rej == nil {
				it.text = maphash.Bytes(d.seed, line)
			}
			for _, k := range d.keys {
				// a name once a chunk, and no more names than could be
				// reported: the warnings (the first line of each name, up
				// to maxUnknownNames) are the same
				if len(c.keys) < maxUnknownNames+len(knownIgnored) && !slices.Contains(c.keys, k) {
					c.keys = append(c.keys, strings.Clone(k))
				}
			}
			if rej != nil {
				it.rej = rej
			} else {
				it.rec = rec
				k++
			}
		}
		if d.digest && it.rec != nil {
			c.digest.add(d.seed, num, it.rec, it.text)
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
func runPass(ctx context.Context, open Opener, o ScoreOptions, workers int, mode passMode,
	work func(d *passDecoder, c *lineChunk), take func(c *lineChunk) error) error {
	passesRun.Add(1)
	f, err := open()
	if err != nil {
		return err
	}
	defer f.Close()
	counted := &countingReader{r: f}
	var size int64 // the input's size, when it is a file
	if st, ok := f.(interface{ Stat() (os.FileInfo, error) }); ok {
		if info, err := st.Stat(); err == nil && info.Mode().IsRegular() {
			size = info.Size()
		}
	}
	cfg := newReadConfig(o.AsOf, o.Read)
	if o.Format != JSONL && o.Format != "" && o.Format != CSV {
		_, err := NewRecordReader(nil, o.Format, o.AsOf)
		return err
	}
	in, err := decoder(counted, cfg.encoding)
	if err != nil {
		return err
	}
	var br *blockReader
	var hdr *csvHeader
	unk := unknowns{cfg: &cfg, what: "key", names: jsonNames}
	if o.Format == CSV {
		// the header is read first, on this goroutine: its warnings come
		// first and a bad header refuses the file before any work
		lr := newLineReader(in)
		cr := &CSVReader{lr: lr, cfg: cfg}
		cr.unk = unknowns{cfg: &cr.cfg, what: "column", names: csvNames}
		if err := cr.header(); err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
		hdr = &cr.csvHeader
		br = blockReaderAfter(lr)
	} else {
		br = newBlockReader(in)
	}

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

	// the reader: blocks of whole lines into chunks
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
			more := br.next(c, chunkBytes)
			c.bytes, c.size = counted.n.Load(), size
			select {
			case todo <- c:
			case <-ctx.Done():
				return
			}
			if !more {
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
			d := &passDecoder{cfg: &cfg, format: o.Format, hdr: hdr, lite: mode.lite && o.Format != CSV, digest: mode.digest, seed: mode.seed, trust: mode.trust}
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

// passesRun counts the passes over a file that started (for tests: a
// JSON Lines file scored on the fast path takes 2).
var passesRun atomic.Int64

// passMode says how a pass reads records: lite, the population's fields
// only where it can (JSON Lines); digest sums the valid records' digest,
// hashed with seed.
type passMode struct {
	lite, digest bool
	seed         maphash.Seed
	trust        *lineSet // the scoring pass: the lines the population pass found valid
}

// lineSet is a set of line numbers, a bit each.
type lineSet struct{ bits []uint64 }

func (s *lineSet) add(line int) {
	if line < 0 {
		return
	}
	w := line >> 6
	for len(s.bits) <= w {
		s.bits = append(s.bits, 0)
	}
	s.bits[w] |= 1 << (line & 63)
}

func (s *lineSet) has(line int) bool {
	w := line >> 6
	return line >= 0 && w < len(s.bits) && s.bits[w]&(1<<(line&63)) != 0
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

// The population pass of a JSON Lines file reads only the fields the
// population and the duplicate check need (msisdn, operator, mvno, kind,
// status, opened_at, holder), through the readers' own normalisation and
// Validate, without decoding the rest of the record. A line whose fields
// are not plain (a key or one of these values escaped, null or not a
// string, a key twice, JSON it cannot follow) is decoded whole, as the
// scoring pass does. Whether the two passes saw the same cards is checked
// by a digest (liteDigest): the scoring pass, which decodes every record
// whole, must find the same valid records with the same fields.

// popKeys are the keys the population pass reads, by their index in a
// liteFields.
var popKeys = [...]string{"msisdn", "operator", "mvno", "kind", "status", "opened_at", "holder"}

// litePop reads a record's population fields from a JSON object line; ok
// is false when the line is not plain enough to be read so.
func litePop(line []byte) (f [len(popKeys)]string, seen [len(popKeys)]bool, ok bool) {
	return litePopExtra(line, nil)
}

// litePopExtra is litePop that, when x is not nil, also reads into x the
// other fields Validate checks (liteExtra), so that the population pass
// judges a record valid exactly when decoding it whole and validating it
// does; ok is false when the line must be decoded whole.
func litePopExtra(line []byte, x *liteExtra) (f [len(popKeys)]string, seen [len(popKeys)]bool, ok bool) {
	i := skipWS(line, 0)
	if i >= len(line) || line[i] != '{' {
		return f, seen, false
	}
	i = skipWS(line, i+1)
	if i < len(line) && line[i] == '}' {
		return f, seen, skipWS(line, i+1) == len(line)
	}
	for {
		// a key: plain ASCII, no escapes
		if i >= len(line) || line[i] != '"' {
			return f, seen, false
		}
		ks := i + 1
		i = scan.Plain(line, ks)
		if i >= len(line) || line[i] != '"' {
			return f, seen, false // an escape, a control or multi-byte character
		}
		key := line[ks:i]
		i = skipWS(line, i+1)
		if i >= len(line) || line[i] != ':' {
			return f, seen, false
		}
		i = skipWS(line, i+1)
		k := popKey(key, x == nil)
		if k >= 0 {
			// one of ours: a plain string
			if seen[k] {
				return f, seen, false
			}
			// a view of the chunk's bytes, valid while the chunk is: the
			// population pass keeps no text of a record (Population
			// copies a new operator's name)
			v, end, vok := plainString(line, i)
			if !vok {
				return f, seen, false
			}
			f[k], seen[k], i = v, true, end
		} else if x != nil {
			if i = x.read(line, i, key); i < 0 {
				return f, seen, false
			}
		} else if i = skipValue(line, i, 0); i < 0 {
			return f, seen, false
		}
		i = skipWS(line, i)
		if i >= len(line) {
			return f, seen, false
		}
		switch line[i] {
		case ',':
			i = skipWS(line, i+1)
		case '}':
			return f, seen, skipWS(line, i+1) == len(line)
		default:
			return f, seen, false
		}
	}
}

// popKey is the index of key in popKeys, or -1; in any case when folded,
// else only in lower case (the population pass's other keys' reader
// leaves a key with an upper-case letter to the whole decoder).
func popKey(key []byte, folded bool) int {
	switch string(key) {
	case "msisdn":
		return 0
	case "operator":
		return 1
	case "mvno":
		return 2
	case "kind":
		return 3
	case "status":
		return 4
	case "opened_at":
		return 5
	case "holder":
		return 6
	}
	if !folded || !scan.HasUpper(key) {
		return -1
	}
	for k, name := range popKeys {
		if len(key) == len(name) {
			match := true
			for j := range key {
				c := key[j]
				if c >= 'A' && c <= 'Z' {
					c += 'a' - 'A'
				}
				if c != name[j] {
					match = false
					break
				}
			}
			if match {
				return k
			}
		}
	}
	return -1
}

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipValue skips one JSON value from b[i], returning where it ends, or -1
// when it cannot follow it (the line is then decoded whole).
func skipValue(b []byte, i, depth int) int {
	if i >= len(b) || depth > 64 {
		return -1
	}
	switch c := b[i]; {
	case c == '"':
		for i++; ; {
			i = scan.Plain(b, i)
			switch {
			case i >= len(b):
				return -1
			case b[i] == '"':
				return i + 1
			case b[i] == '\\':
				// an escape, as JSON has them (a bad one: the whole decoder says why)
				if i+1 >= len(b) {
					return -1
				}
				switch b[i+1] {
				case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
					i += 2
				case 'u':
					if i+6 > len(b) {
						return -1
					}
					for _, h := range b[i+2 : i+6] {
						if !(h >= '0' && h <= '9' || h >= 'a' && h <= 'f' || h >= 'A' && h <= 'F') {
							return -1
						}
					}
					i += 6
				default:
					return -1
				}
			case b[i] < 0x20:
				return -1 // not JSON: the whole decoder says why
			default:
				i++ // a multi-byte character
			}
		}
	case c == '{' || c == '[':
		end := byte('}')
		if c == '[' {
			end = ']'
		}
		i = skipWS(b, i+1)
		if i < len(b) && b[i] == end {
			return i + 1
		}
		var keys [8][]byte // an object's keys so far: one given twice is the whole decoder's to reject
		nkeys := 0
		for {
			if c == '{' {
				// a key: plain, lower case, not given before in the object
				if i >= len(b) || b[i] != '"' {
					return -1
				}
				e := scan.Plain(b, i+1)
				if e >= len(b) || b[e] != '"' || nkeys == len(keys) {
					return -1
				}
				key := b[i+1 : e]
				if scan.HasUpper(key) {
					return -1
				}
				for _, k := range keys[:nkeys] {
					if bytes.Equal(k, key) {
						return -1
					}
				}
				keys[nkeys] = key
				nkeys++
				if i = skipWS(b, e+1); i >= len(b) || b[i] != ':' {
					return -1
				}
				i = skipWS(b, i+1)
			}
			if i = skipValue(b, i, depth+1); i < 0 {
				return -1
			}
			if i = skipWS(b, i); i >= len(b) {
				return -1
			}
			switch b[i] {
			case ',':
				i = skipWS(b, i+1)
			case end:
				return i + 1
			default:
				return -1
			}
		}
	case c == 't' || c == 'f' || c == 'n':
		for _, w := range [...]string{"true", "false", "null"} {
			if bytes.HasPrefix(b[i:], []byte(w)) {
				return i + len(w)
			}
		}
		return -1
	default: // a number, as JSON writes one
		return skipNumber(b, i)
	}
}

// skipNumber skips a JSON number at b[i] (-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?),
// returning where it ends, or -1.
func skipNumber(b []byte, i int) int {
	digits := func(i int) int { // one or more
		j := i
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
		if j == i {
			return -1
		}
		return j
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		i = digits(i)
	default:
		return -1
	}
	if i < len(b) && b[i] == '.' {
		if i = digits(i + 1); i < 0 {
			return -1
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i = digits(i); i < 0 {
			return -1
		}
	}
	return i
}

// plainString reads a JSON string without escapes or control characters
// at line[i] (a view of line), returning the index after it; ok is false
// for any other value.
func plainString(line []byte, i int) (v string, end int, ok bool) {
	if i >= len(line) || line[i] != '"' {
		return "", 0, false
	}
	vs := i + 1
	i = scan.Plain(line, vs)
	for i < len(line) && line[i] >= utf8.RuneSelf { // multi-byte characters: on
		i = scan.Plain(line, i+1)
	}
	if i >= len(line) || line[i] != '"' {
		return "", 0, false // an escape or a control character
	}
	if i > vs {
		v = unsafe.String(&line[vs], i-vs)
	}
	return v, i + 1, true
}

// liteExtra reads, for the population pass, the fields besides the
// population's that decoding or Record.Validate can reject a record for:
// the dates (opened_at's order with the usage, network, verification and
// release dates: risk's checkOrder; not after the as-of time), iccid,
// id_region, open_region, fraud_flag, complaints, alerts_30d, the types of
// recycled and renewed, roaming (its regions and last_seen),
// linked_platforms (their counts, lengths and empty entries) and iot (its
// business, the types of the others). The record is then judged by
// Validate itself, so no rule is copied here. Anything not plain (null,
// an escape, an upper-case, unknown or repeated key, a number that is not
// a plain integer) has the line decoded whole.
type liteExtra struct {
	rec   *risk.Record
	seen  uint32
	roam  []risk.Roaming // reused: views of the line, valid while it is
	plats []string
	// the keys not read (skipped), views of the line: one given twice
	// has the line decoded whole
	skipped  [8][]byte
	nskipped int
}

// reset readies x for rec.
func (x *liteExtra) reset(rec *risk.Record) {
	x.rec, x.seen, x.nskipped = rec, 0, 0
	// each record its own part of the buffers (the chunk's records are
	// kept until the chunk is done): a new buffer when little is left
	if cap(x.roam)-len(x.roam) < 8 {
		x.roam = make([]risk.Roaming, 0, 512)
	}
	if cap(x.plats)-len(x.plats) < 8 {
		x.plats = make([]string, 0, 256)
	}
	x.roam, x.plats = x.roam[len(x.roam):len(x.roam)], x.plats[len(x.plats):len(x.plats)]
}

// read reads the value of key at line[i] into x.rec, returning the index
// after it, or -1 when the line must be decoded whole.
func (x *liteExtra) read(line []byte, i int, key []byte) int {
	r := x.rec
	var date *risk.Time
	var str *string
	var num *int
	slot := -1
	switch string(key) {
	case "iccid":
		slot, str = 0, &r.ICCID
	case "id_region":
		slot, str = 1, &r.IDRegion
	case "open_region":
		slot, str = 2, &r.OpenRegion
	case "fraud_flag":
		slot, str = 3, &r.FraudFlag
	case "last_voice_at":
		slot, date = 4, &r.LastVoiceAt
	case "last_sms_at":
		slot, date = 5, &r.LastSMSAt
	case "last_data_at":
		slot, date = 6, &r.LastDataAt
	case "last_attach_at":
		slot, date = 7, &r.LastAttachAt
	case "verify_required_at":
		slot, date = 8, &r.VerifyRequiredAt
	case "verified_at":
		slot, date = 9, &r.VerifiedAt
	case "released_at":
		slot, date = 10, &r.ReleasedAt
	case "complaints":
		slot, num = 11, &r.Complaints
	case "alerts_30d":
		slot, num = 12, &r.Alerts30d
	case "recycled":
		slot = 13
	case "renewed":
		slot = 14
	case "roaming":
		slot = 15
	case "linked_platforms":
		slot = 16
	case "iot":
		slot = 17
	default:
		if scan.HasUpper(key) {
			return -1 // perhaps a field in other case: read whole
		}
		// a key not read, given twice, is the whole decoder's to reject
		for _, k := range x.skipped[:x.nskipped] {
			if bytes.Equal(k, key) {
				return -1
			}
		}
		if x.nskipped == len(x.skipped) {
			return -1
		}
		x.skipped[x.nskipped] = key
		x.nskipped++
		return skipValue(line, i, 0)
	}
	if x.seen&(1<<slot) != 0 {
		return -1
	}
	x.seen |= 1 << slot
	switch {
	case str != nil:
		v, end, ok := plainString(line, i)
		if !ok {
			return -1
		}
		*str = v
		return end
	case date != nil:
		v, end, ok := plainString(line, i)
		if !ok {
			return -1
		}
		t, err := risk.ParseTime(v)
		if err != nil {
			return -1 // rejected: the whole decoder says why
		}
		*date = t
		return end
	case num != nil:
		j := i
		if j < len(line) && line[j] == '-' {
			j++
		}
		s := j
		for j < len(line) && line[j] >= '0' && line[j] <= '9' && j-s < 18 {
			j++
		}
		if j == s || j < len(line) && (line[j] >= '0' && line[j] <= '9' || line[j] == '.' || line[j] == 'e' || line[j] == 'E') ||
			line[s] == '0' && j-s > 1 { // 01 is not JSON: the whole decoder rejects it
			return -1
		}
		n, err := strconv.Atoi(string(line[i:j]))
		if err != nil {
			return -1
		}
		*num = n
		return j
	case slot == 13 || slot == 14:
		return plainBool(line, i)
	case slot == 17:
		return x.iot(line, i)
	}
	// a list: roaming's objects or linked_platforms' strings
	if i >= len(line) || line[i] != '[' {
		return -1
	}
	i = skipWS(line, i+1)
	if i < len(line) && line[i] == ']' {
		return i + 1
	}
	for {
		if slot == 16 {
			v, end, ok := plainString(line, i)
			if !ok {
				return -1
			}
			x.plats = append(x.plats, v)
			i = end
		} else if i = x.roaming(line, i); i < 0 {
			return -1
		}
		if i = skipWS(line, i); i >= len(line) {
			return -1
		}
		switch line[i] {
		case ',':
			i = skipWS(line, i+1)
			continue
		case ']':
			if slot == 16 {
				r.LinkedPlatforms = x.plats
			} else {
				r.Roaming = x.roam
			}
			return i + 1
		}
		return -1
	}
}

// iotKeys are the iot object's keys; business is read (Validate checks
// it), the others are true or false.
var iotKeys = [...]string{"test_plan", "nondirected_data", "nondirected_voice", "nondirected_sms", "directed_voice",
	"directed_sms", "user_realnamed", "business", "handler_verified", "province_approval", "group_approval"}

// iot reads the iot object: its keys plain, known and once each, business
// a plain string, the others true or false.
func (x *liteExtra) iot(line []byte, i int) int {
	if i >= len(line) || line[i] != '{' {
		return -1
	}
	if i = skipWS(line, i+1); i < len(line) && line[i] == '}' {
		return i + 1
	}
	var seen uint16
	for {
		k, end, ok := plainString(line, i)
		if !ok {
			return -1
		}
		if i = skipWS(line, end); i >= len(line) || line[i] != ':' {
			return -1
		}
		i = skipWS(line, i+1)
		n := slices.Index(iotKeys[:], k)
		if n < 0 || seen&(1<<n) != 0 {
			return -1 // a key the whole decoder reports, or one given twice
		}
		seen |= 1 << n
		if iotKeys[n] == "business" {
			v, end, ok := plainString(line, i)
			if !ok {
				return -1
			}
			x.rec.IoT.Business, i = v, end
		} else if i = plainBool(line, i); i < 0 {
			return -1
		}
		if i = skipWS(line, i); i >= len(line) {
			return -1
		}
		switch line[i] {
		case ',':
			i = skipWS(line, i+1)
			continue
		case '}':
			return i + 1
		}
		return -1
	}
}

// plainBool reads true or false at line[i], returning the index after it,
// or -1.
func plainBool(line []byte, i int) int {
	for _, w := range [...]string{"true", "false"} {
		if bytes.HasPrefix(line[i:], []byte(w)) {
			j := i + len(w)
			if j < len(line) && line[j] >= 'a' && line[j] <= 'z' {
				return -1
			}
			return j
		}
	}
	return -1
}

// roaming reads one roaming entry {"region": text, "last_seen": date},
// both given, as plain keys and strings.
func (x *liteExtra) roaming(line []byte, i int) int {
	if i >= len(line) || line[i] != '{' {
		return -1
	}
	var ro risk.Roaming
	var have [2]bool
	i = skipWS(line, i+1)
	for {
		k, end, ok := plainString(line, i)
		if !ok {
			return -1
		}
		if i = skipWS(line, end); i >= len(line) || line[i] != ':' {
			return -1
		}
		v, end, ok := plainString(line, skipWS(line, i+1))
		if !ok {
			return -1
		}
		switch k {
		case "region":
			if have[0] {
				return -1
			}
			ro.Region, have[0] = v, true
		case "last_seen":
			t, err := risk.ParseTime(v)
			if have[1] || err != nil {
				return -1
			}
			ro.LastSeen, have[1] = t, true
		default:
			return -1
		}
		if i = skipWS(line, end); i >= len(line) {
			return -1
		}
		switch line[i] {
		case ',':
			i = skipWS(line, i+1)
			continue
		case '}':
			if !have[0] || !have[1] {
				return -1
			}
			x.roam = append(x.roam, ro)
			return i + 1
		}
		return -1
	}
}

// liteRecord fills rec from a line's population fields, and those others
// Validate checks (liteExtra), and judges it as the readers do
// (normalisation, Validate); it returns false when the line must be
// decoded whole.
func (d *passDecoder) liteRecord(rec *risk.Record, line []byte) (ok bool, valid bool) {
	d.extra.reset(rec)
	f, seen, ok := litePopExtra(line, &d.extra)
	if !ok {
		return false, false
	}
	rec.MSISDN, rec.Operator, rec.MVNO, rec.Kind, rec.Status, rec.Holder = f[0], f[1], f[2], f[3], f[4], f[6]
	if seen[5] {
		t, err := risk.ParseTime(f[5])
		if err != nil {
			return true, false
		}
		rec.OpenedAt = t
	}
	return true, d.cfg.judge(rec)
}

// liteDigest sums a hash of each valid record's line and population
// fields: the population pass's sum equals the scoring pass's when they
// counted the same records the same way.
type liteDigest struct {
	sum uint64
	n   int
}

func (g *liteDigest) add(seed maphash.Seed, line int, r *risk.Record, text uint64) {
	valid := uint64(0)
	if r.Valid() {
		valid = 1
	}
	// a chain of mixes: each value counts in its place
	h := mix64(uint64(line))
	h = mix64(h ^ text)
	h = mix64(h ^ uint64(r.OpenedAt))
	h = mix64(h ^ valid)
	for _, s := range [...]string{r.MSISDN, r.Holder, r.Operator, r.MVNO} {
		h = mix64(h ^ maphash.String(seed, s))
	}
	g.sum += h
	g.n++
}

// mix64 is splitmix64's finaliser: every bit of x moves about half of the
// result's.
func mix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

func (g *liteDigest) merge(o liteDigest) { g.sum, g.n = g.sum+o.sum, g.n+o.n }
