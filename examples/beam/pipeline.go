package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"os"
	"reflect"
	"strconv"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem/local" // local files (prism, direct, tests)
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/simrisk/simrisk/datasets"
	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/risk/ref"
	"github.com/simrisk/simrisk/rules"
)

// DefaultMaxHolderCards is the default limit on the records one holder key
// may have: a holder's cards are held decoded in one worker's memory while
// its population features are built (about 1 KB a card), so 100,000 cards
// are about 100 MB. A holder with more is a data error (a placeholder key
// such as "0" or "unknown" given to every card of an export) or a card
// farm: its records are rejected, each with the reason, not scored.
const DefaultMaxHolderCards = 100_000

// Options configures the pipeline. Every field travels in the pipeline's
// graph to the workers, so none holds a secret: the ID key is read by the
// workers from IDKeyFile.
type Options struct {
	Inputs    []string     // input files, in input order (later files' records supersede earlier ones')
	Format    string       // "jsonl", "csv", or "" for each file's name (.csv is CSV)
	Encoding  string       // input encoding ("" is UTF-8; gb18030, utf-16, ...)
	AsOf      string       // the as-of time, as simrisk score's --as-of reads it
	Pack      []RuleSource // the rule files, as text: compiled once per worker (Setup)
	Lang      string       // language of titles and reasons: zh (default) or en
	IDKeyFile string       // a file the workers read (any Beam file system): raw resident ID numbers in holder become keyed pseudonyms
	// Decisions and Rejects are the output prefixes: shard i of n is
	// PREFIX-0000i-of-0000n.jsonl. Rejects are {"file","line","reason"}.
	Decisions, Rejects string
	Shards             int // output shards of each kind (default 4)
	MaxHolderCards     int // records one holder may have (default DefaultMaxHolderCards)
}

// RuleSource is one rule file: its name and its text.
type RuleSource struct {
	Name string `json:"name"`
	Text string `json:"text"`
}

// PackSources reads a rule set's files as text, in the order rules.Load
// reads them, so that the workers' rule set has the same digest: pack is an
// embedded pack's name, or paths rule files and directories.
func PackSources(pack string, paths []string) ([]RuleSource, error) {
	if pack != "" && len(paths) > 0 {
		return nil, errors.New("give a pack or rule files, not both")
	}
	var rs *rules.RuleSet
	var err error
	read := os.ReadFile
	if len(paths) == 0 {
		if pack == "" {
			pack = "default"
		}
		rs, err = rules.Pack(pack)
		read = func(name string) ([]byte, error) { return fs.ReadFile(rules.PacksFS(), name) }
	} else {
		rs, err = rules.Load(paths...)
	}
	if err != nil {
		return nil, err
	}
	var srcs []RuleSource
	for _, f := range rs.Files {
		data, err := read(f)
		if err != nil {
			return nil, err
		}
		srcs = append(srcs, RuleSource{Name: f, Text: string(data)})
	}
	return srcs, nil
}

// compile builds the engine from the rule files' text, without their tests
// (as simrisk score does).
func compile(srcs []RuleSource, lang string) (*risk.Engine, error) {
	ld, err := rules.NewLoader(rules.WithoutTests())
	if err != nil {
		return nil, err
	}
	in := make([]rules.Source, len(srcs))
	for i, s := range srcs {
		in[i] = rules.Source{Name: s.Name, Data: []byte(s.Text)}
	}
	rs, err := ld.Parse(in...)
	if err != nil {
		return nil, err
	}
	if lang == "" {
		lang = "zh"
	}
	return risk.Compile(rs, risk.WithLanguage(lang))
}

// Card is one valid record between stages: where it was read (the input
// file's index in Options.Inputs and its line) and the record as
// card-schema v1 JSON, validated. Its coder writes two varints and the JSON.
type Card struct {
	File int
	Line int
	JSON []byte
}

func (c Card) before(d Card) bool {
	return c.File < d.File || c.File == d.File && c.Line < d.Line
}

func encodeCard(c Card) []byte {
	b := make([]byte, 0, len(c.JSON)+8)
	b = binary.AppendUvarint(b, uint64(c.File))
	b = binary.AppendUvarint(b, uint64(c.Line))
	return append(b, c.JSON...)
}

func decodeCard(b []byte) (Card, error) {
	f, n := binary.Uvarint(b)
	if n <= 0 {
		return Card{}, errors.New("card: bad file index")
	}
	l, m := binary.Uvarint(b[n:])
	if m <= 0 {
		return Card{}, errors.New("card: bad line")
	}
	return Card{File: int(f), Line: int(l), JSON: b[n+m:]}, nil
}

// Reject is a record that is not scored: the input file, its line and why.
// Reasons never hold a holder key, an ID number or a full number.
type Reject struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

func rejectLine(file string, line int, reason string) string {
	b, _ := json.Marshal(Reject{File: file, Line: line, Reason: reason})
	return string(b)
}

func init() {
	beam.RegisterCoder(reflect.TypeOf(Card{}), encodeCard, decodeCard)
	register.DoFn4x1[context.Context, int, func(string, Card), func(string), error](&readFn{})
	register.DoFn5x0[context.Context, string, func(*Card) bool, func(string, Card), func(string)](&latestFn{})
	register.DoFn5x1[context.Context, string, func(*Card) bool, func(string), func(string), error](&scoreFn{})
	register.DoFn3x1[context.Context, int, func(*string) bool, error](&writeShardFn{})
	register.DoFn1x2[string, int, string](&shardFn{})
	register.Emitter2[string, Card]()
	register.Emitter1[string]()
	register.Iter1[Card]()
	register.Iter1[string]()
}

// Build adds the pipeline to s: read, validate, keep each card's last
// record, group by holder, score, write. Outputs are written by the
// pipeline; nothing is returned.
func Build(s beam.Scope, o Options) error {
	if o.Shards <= 0 {
		o.Shards = 4
	}
	if o.MaxHolderCards <= 0 {
		o.MaxHolderCards = DefaultMaxHolderCards
	}
	if len(o.Inputs) == 0 {
		return errors.New("no input files")
	}
	if _, err := risk.ParseTime(o.AsOf); err != nil {
		return fmt.Errorf("as-of: %w", err)
	}
	if o.Format != "" {
		if _, err := datasets.ParseFormat(o.Format); err != nil {
			return err
		}
	}
	if _, err := compile(o.Pack, o.Lang); err != nil {
		return fmt.Errorf("the rules cannot be used: %w", err)
	}
	if o.Decisions == "" || o.Rejects == "" {
		return errors.New("decisions and rejects need output prefixes")
	}
	idx := make([]int, len(o.Inputs))
	for i := range idx {
		idx[i] = i
	}
	files := beam.CreateList(s.Scope("files"), idx)
	// read and validate: one file per element; rejects with file and line
	byNumber, readRejects := beam.ParDo2(s.Scope("read"), &readFn{Files: o.Inputs, Format: o.Format,
		Encoding: o.Encoding, AsOf: o.AsOf, IDKeyFile: o.IDKeyFile}, files)
	// one card, one count: the last record of a number is its state
	byHolder, superseded := beam.ParDo2(s.Scope("latest"), &latestFn{Files: o.Inputs},
		beam.GroupByKey(s.Scope("by-number"), byNumber))
	decisions, holderRejects := beam.ParDo2(s.Scope("score"), &scoreFn{Files: o.Inputs, Pack: o.Pack, Lang: o.Lang,
		AsOf: o.AsOf, MaxHolderCards: o.MaxHolderCards}, beam.GroupByKey(s.Scope("by-holder"), byHolder))
	writeSharded(s.Scope("write-decisions"), decisions, o.Decisions, o.Shards)
	writeSharded(s.Scope("write-rejects"), beam.Flatten(s, readRejects, superseded, holderRejects), o.Rejects, o.Shards)
	return nil
}

// readFn reads one input file: valid records keyed by number, rejects as
// lines.
type readFn struct {
	Files     []string
	Format    string
	Encoding  string
	AsOf      string
	IDKeyFile string

	asOf risk.Time
	opts []datasets.ReadOption
}

func (f *readFn) Setup(ctx context.Context) error {
	var err error
	if f.asOf, err = risk.ParseTime(f.AsOf); err != nil {
		return err
	}
	f.opts = nil
	if f.Encoding != "" {
		enc, err := datasets.ParseEncoding(f.Encoding)
		if err != nil {
			return err
		}
		f.opts = append(f.opts, datasets.WithEncoding(enc))
	}
	if f.IDKeyFile != "" {
		b, err := readAll(ctx, f.IDKeyFile)
		if err != nil {
			return fmt.Errorf("id key file: %w", err)
		}
		key, err := ref.ParseKey(b) // as simrisk score reads it: a final newline is not part of the key
		if err != nil {
			return fmt.Errorf("id key file %s: %w", f.IDKeyFile, err)
		}
		f.opts = append(f.opts, datasets.WithIDKey(key))
	}
	return nil
}

func (f *readFn) ProcessElement(ctx context.Context, i int, emit func(string, Card), reject func(string)) error {
	name := f.Files[i]
	format := datasets.FormatOf(name)
	if f.Format != "" {
		format = datasets.Format(f.Format)
	}
	fsys, err := filesystem.New(ctx, name)
	if err != nil {
		return err
	}
	defer fsys.Close()
	in, err := fsys.OpenRead(ctx, name)
	if err != nil {
		return err
	}
	defer in.Close()
	rd, err := datasets.NewRecordReader(bufio.NewReaderSize(in, 1<<20), format, f.asOf, f.opts...)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	for {
		rec, err := rd.Read()
		if err == io.EOF {
			return nil
		}
		var rej *datasets.Reject
		if errors.As(err, &rej) {
			reject(rejectLine(name, rej.Line, rej.Reason))
			continue
		}
		if err != nil {
			// a file the readers refuse stops the run, as simrisk score stops
			return fmt.Errorf("%s: %w", name, err)
		}
		emit(rec.MSISDN, Card{File: i, Line: rd.Line(), JSON: rec.AppendJSON(nil)})
	}
}

// latestFn keeps the last record of one number (by file, then line) and
// rejects the earlier ones as superseded; the card goes on keyed by its
// holder (a card without a holder key is its own holder).
type latestFn struct {
	Files []string
}

func (f *latestFn) ProcessElement(ctx context.Context, msisdn string, cards func(*Card) bool, emit func(string, Card), reject func(string)) {
	var last Card
	var earlier []Card // positions only: the JSON is dropped
	n := 0
	var c Card
	for cards(&c) {
		if n > 0 && last.before(c) {
			earlier = append(earlier, Card{File: last.File, Line: last.Line})
			last = c
		} else if n > 0 {
			earlier = append(earlier, Card{File: c.File, Line: c.Line})
		} else {
			last = c
		}
		n++
	}
	for _, e := range earlier {
		where := fmt.Sprintf("line %d", last.Line)
		if e.File != last.File {
			where = fmt.Sprintf("line %d of %s", last.Line, f.Files[last.File])
		}
		reject(rejectLine(f.Files[e.File], e.Line, fmt.Sprintf(
			"msisdn: %s is the card of %s too (duplicate of %s): the later record is the card's state, counted and scored once",
			ref.MaskNumber(msisdn), where, where)))
	}
	var r risk.Record
	key := "c:" + msisdn
	if err := r.UnmarshalJSON(last.JSON); err == nil && r.Holder != "" {
		key = "h:" + r.Holder
	}
	emit(key, last)
}

// scoreFn scores one holder's cards with the holder's population: the
// features are exactly those of the whole file's population, since they
// depend on the holder's cards only.
type scoreFn struct {
	Files          []string
	Pack           []RuleSource
	Lang           string
	AsOf           string
	MaxHolderCards int

	eng   *risk.Engine
	asOf  risk.Time
	buf   []byte
	files [][]byte // each input's name, as a JSON string
}

func (f *scoreFn) Setup() error {
	var err error
	if f.asOf, err = risk.ParseTime(f.AsOf); err != nil {
		return err
	}
	if f.eng, err = compile(f.Pack, f.Lang); err != nil {
		return fmt.Errorf("the rules cannot be used: %w", err)
	}
	f.files = make([][]byte, len(f.Files))
	for i, name := range f.Files {
		f.files[i], _ = json.Marshal(name)
	}
	return nil
}

// appendDecision appends d as simrisk score writes it, with its record's
// line ("line", the card's reference in its input), and, when there is
// more than one input, the input's name ("file") before it.
func (f *scoreFn) appendDecision(b []byte, d *risk.Decision, file, line int) []byte {
	b = d.AppendJSON(b)
	b = b[:len(b)-1] // the closing brace
	if len(f.Files) > 1 {
		b = append(b, `,"file":`...)
		b = append(b, f.files[file]...)
	}
	b = append(b, `,"line":`...)
	b = strconv.AppendInt(b, int64(line), 10)
	return append(b, '}')
}

var oversized = beam.NewCounter("simrisk", "holders_over_max_holder_cards")

func (f *scoreFn) ProcessElement(ctx context.Context, key string, cards func(*Card) bool, emit func(string), reject func(string)) error {
	type held struct {
		rec      *risk.Record
		file, ln int
	}
	var recs []held
	var c Card
	over := false
	overReason := fmt.Sprintf("holder: the holder key has more than %d records (max_holder_cards): a placeholder key given to many cards, or a card farm; not scored", f.MaxHolderCards)
	for cards(&c) {
		if over {
			reject(rejectLine(f.Files[c.File], c.Line, overReason))
			continue
		}
		r := new(risk.Record)
		if err := r.UnmarshalJSON(c.JSON); err != nil {
			return fmt.Errorf("%s line %d: decoding the validated record: %w", f.Files[c.File], c.Line, err)
		}
		recs = append(recs, held{r, c.File, c.Line})
		if len(recs) > f.MaxHolderCards {
			over = true
			oversized.Inc(ctx, 1)
			for _, h := range recs {
				reject(rejectLine(f.Files[h.file], h.ln, overReason))
			}
			recs = nil
		}
	}
	if over {
		return nil
	}
	pop := risk.NewPopulationSize(len(recs))
	for _, h := range recs {
		if err := h.rec.Validate(f.asOf); err != nil {
			// read and validated already; kept for safety
			reject(rejectLine(f.Files[h.file], h.ln, err.Error()))
			h.rec = nil
			continue
		}
		pop.Add(h.rec)
	}
	for _, h := range recs {
		if h.rec == nil {
			continue
		}
		d, err := f.eng.Score(h.rec, risk.AsOfTime(f.asOf), risk.WithPopulation(pop))
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			reject(rejectLine(f.Files[h.file], h.ln, err.Error()))
			continue
		}
		f.buf = f.appendDecision(f.buf[:0], d, h.file, h.ln)
		emit(string(f.buf))
	}
	return nil
}

// writeSharded writes lines to PREFIX-SSSSS-of-NNNNN.jsonl, a line's shard
// by its hash; a shard with no line is not written.
func writeSharded(s beam.Scope, lines beam.PCollection, prefix string, shards int) {
	keyed := beam.ParDo(s, &shardFn{Shards: shards}, lines)
	beam.ParDo0(s, &writeShardFn{Prefix: prefix, Shards: shards}, beam.GroupByKey(s, keyed))
}

type shardFn struct{ Shards int }

func (f *shardFn) ProcessElement(line string) (int, string) {
	h := fnv.New32a()
	h.Write([]byte(line))
	return int(h.Sum32() % uint32(f.Shards)), line
}

type writeShardFn struct {
	Prefix string
	Shards int
}

// ShardName is the name of shard i of n.
func ShardName(prefix string, i, n int) string {
	return fmt.Sprintf("%s-%05d-of-%05d.jsonl", prefix, i, n)
}

func (f *writeShardFn) ProcessElement(ctx context.Context, shard int, lines func(*string) bool) error {
	name := ShardName(f.Prefix, shard, f.Shards)
	fsys, err := filesystem.New(ctx, name)
	if err != nil {
		return err
	}
	defer fsys.Close()
	out, err := fsys.OpenWrite(ctx, name)
	if err != nil {
		return err
	}
	// streamed, in the order the runner gives: a retry rewrites the whole
	// shard, with the same lines
	w := bufio.NewWriterSize(out, 1<<20)
	var l string
	for lines(&l) {
		w.WriteString(l)
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func readAll(ctx context.Context, name string) ([]byte, error) {
	fsys, err := filesystem.New(ctx, name)
	if err != nil {
		return nil, err
	}
	defer fsys.Close()
	r, err := fsys.OpenRead(ctx, name)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(io.LimitReader(r, 1<<20))
}
