package datasets

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"math/bits"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/risk/ref"
	"github.com/simrisk/simrisk/rules"
)

// Summary counts what a scoring run did. Records = Decisions + Rejects.
type Summary struct {
	Records   int            // non-blank input lines
	Decisions int            // records scored
	Rejects   int            // records rejected, each with its line number and reason
	Holders   int            // distinct holders among valid cards
	ByOutcome map[string]int // decisions per outcome
	ByLevel   map[string]int // decisions per level
	ByRule    map[string]int // hits per rule id (shadow hits included)
	Errors    map[string]int // rule evaluation errors per rule id
	// Examples holds the first decision of each outcome, for a quick look.
	Examples map[string]*risk.Decision
	// FirstRejects holds the first few rejects (MaxFirstRejects), reasons
	// masked as every reject's are, for a run without a rejects file.
	FirstRejects []Reject
	// Duplicates lists the cards (the first MaxDuplicates of them) that
	// the file holds more than once; Superseded counts the records
	// rejected for it (see ScoreFile).
	Duplicates []Duplicate
	Superseded int
}

// MaxFirstRejects is how many rejects Summary.FirstRejects keeps.
const MaxFirstRejects = 5

// MaxDuplicates is how many duplicated cards Summary.Duplicates and
// Loaded.Duplicates list (all are counted in Superseded).
const MaxDuplicates = 20

// Opener opens the input again for each pass over it.
type Opener func() (io.ReadCloser, error)

// ScoreOptions configures ScoreFile.
type ScoreOptions struct {
	AsOf      risk.Time    // required: the time every date is judged against, within risk.MinAsOf .. risk.MaxAsOf (else an error matching risk.ErrAsOfRange)
	Format    Format       // JSONL (default) or CSV
	Read      []ReadOption // reader options: WithIDKey, ...
	Decisions io.Writer    // decisions as JSON Lines (or DecisionFormat), in input order; nil to discard
	// DecisionFormat is how Decisions is written: JSONL (the default) or
	// CSV, in DecisionColumns (which include the line).
	DecisionFormat Format
	// Lines adds each JSON Lines decision's input line as "line": the
	// card's reference (simrisk explain --ref), a number that names the
	// card without showing it.
	Lines bool
	// OnlyFlagged writes only the decisions whose outcome is not pass;
	// the Summary still counts every one.
	OnlyFlagged bool
	Rejects     io.Writer // rejects as {"line": N, "reason": "..."} lines; nil to discard
	Workers     int       // goroutines reading, scoring and encoding (default GOMAXPROCS, at most 256; more is an error)
	// Progress, when not nil, is called after every window of records
	// (about a thousand), on one goroutine, with how far the run has come.
	Progress func(ScoreProgress)
}

// maxWorkers is the most goroutines ScoreFile runs (ScoreOptions.Workers):
// each holds up to four chunks in memory, so the window stays bounded (a
// huge Workers made channels and chunks past any memory).
const maxWorkers = 256

// ScoreFile scores a file of card records (JSON Lines or CSV) in two
// streaming passes: the first builds the population features (cards per
// holder), the second scores each record and writes its decision, or its
// reject, in input order. Each pass runs on Workers goroutines: one reads
// the input in blocks of whole lines (about 384 KB, a thousand records)
// and counts their lines, the workers split, decode, validate (and in the
// second pass score and encode) whole blocks, and the blocks are taken
// back, counted and written in input order; the output is byte for byte
// what one worker writes. The second pass finds each card's population
// features by the place the first pass counted it at (Population.Bind),
// and a JSON Lines record the first pass found valid is decoded and
// normalised but not validated again (one line in 64 is, as a check).
// Memory holds the population (about 32 bytes per valid record), 16 bytes
// per valid record during the first pass (its number and line, to find
// cards listed twice), two bits per line (the places, the valid lines)
// and at most four blocks per worker, never the whole file. Bad records are rejected with their line
// number; only I/O errors, a file the readers refuse (not UTF-8, a bad CSV
// header, an unknown field WithStrict) and ctx stop the run, and a file
// refused in the first pass has nothing written. Warnings (WithWarnings)
// come from the first pass only.
//
// The population pass of a JSON Lines file reads the fields the
// population needs (msisdn, operator, mvno, kind, status, opened_at,
// holder) and, without copying them, the others a record can be rejected
// for (its dates, whose order Record.Validate checks, the regions, iccid,
// counts, roaming, linked_platforms), judged as the readers judge them (by
// Record.Validate), when the outputs can be rewound (nil, io.Discard, a
// *bytes.Buffer, an OutputFile written under a temporary name) and reading
// is not WithStrict; a line with a value it does not read plainly is
// decoded whole, and unknown keys are warned about in the scoring pass. The
// scoring pass checks, by a digest of every valid record's population
// fields, that it found the records the population pass counted; when it
// did not, the outputs are rewound and the file scored again with whole
// decodes in both passes, so the output is the same either way.
//
// The two passes must read the same records: a file changed between them
// (written to while it is scored) fails the run with an error saying so,
// where a population pass's place for a card would no longer be that
// card's, or its verdict on a JSON Lines record that record's (the
// passes' digest holds a hash of each valid line's bytes).
//
// One card, one count: when valid records of one number (canonical, so
// +86 138 0013 8000 and 13800138000 are one card) stand on several lines,
// the last is the card's state: only it counts in the population and gets
// a decision; each earlier one is rejected as superseded ("duplicate of
// line N"), so records = decisions + rejects still holds. Summary.Duplicates
// names the cards (masked) and their lines. A file with duplicates is read
// three times instead of two.
func ScoreFile(ctx context.Context, eng *risk.Engine, open Opener, o ScoreOptions) (*Summary, error) {
	if o.AsOf == 0 {
		return nil, errors.New("datasets: ScoreFile needs an as-of time")
	}
	if err := risk.CheckAsOf(o.AsOf); err != nil {
		return nil, fmt.Errorf("datasets: ScoreOptions.AsOf: %w", err)
	}
	run := &scoreRun{eng: eng, open: open, workers: o.Workers, seed: maphash.MakeSeed()}
	if run.workers <= 0 {
		run.workers = min(runtime.GOMAXPROCS(0), maxWorkers)
	}
	if run.workers > maxWorkers {
		return nil, fmt.Errorf("datasets: ScoreOptions.Workers is %d, over the limit of %d", o.Workers, maxWorkers)
	}
	cfg := newReadConfig(o.AsOf, o.Read)
	if (o.Format == JSONL || o.Format == "") && !cfg.strict {
		// the population pass reads only the fields it needs; when the
		// scoring pass finds it saw other cards (a record whose other
		// fields are bad, say), the outputs are rewound and the file scored
		// the exact way, two whole decodes
		if marks, ok := markOutputs(o.Decisions, o.Rejects); ok {
			sum, err := run.score(ctx, o, true)
			if err != errLiteMismatch {
				return sum, err
			}
			liteFallbacks.Add(1)
			if err := marks.rewind(); err != nil {
				return nil, err
			}
			o.Read = append(append([]ReadOption(nil), o.Read...), WithWarnings(nil)) // reported once already
		}
	}
	return run.score(ctx, o, false)
}

// liteFallbacks counts the runs scored again the exact way (for tests).
var liteFallbacks atomic.Int64

// errInputChanged: the two whole readings of a file found different
// records (the population's places would not be the scoring pass's cards).
var errInputChanged = errors.New("datasets: the input changed between the passes over it (the population pass and the scoring pass read different records): score a file that is not being written to")

// errLiteMismatch: the population pass's fields do not match the scoring
// pass's records.
var errLiteMismatch = errors.New("datasets: the population pass and the scoring pass saw different records")

// scoreRun is one ScoreFile call: its passes, numbered across its tries.
type scoreRun struct {
	eng     *risk.Engine
	open    Opener
	workers int
	seed    maphash.Seed
	pass    int // passes made
}

// score scores the file once: lite reads the population's fields only
// (and fails with errLiteMismatch when the scoring pass disagrees).
func (run *scoreRun) score(ctx context.Context, o ScoreOptions, lite bool) (*Summary, error) {
	eng, open, workers := run.eng, run.open, run.workers
	mode := passMode{lite: lite, digest: true, seed: run.seed}
	first := run.pass
	passes := first + 2
	progress := func(records int, c *lineChunk) {}
	if o.Progress != nil {
		progress = func(records int, c *lineChunk) {
			o.Progress(ScoreProgress{Pass: run.pass, Passes: passes, Scoring: run.pass == passes, Records: records, Bytes: c.bytes})
		}
	}
	o1 := o
	if lite { // the scoring pass reports the unknown keys
		o1.Read = append(append([]ReadOption(nil), o.Read...), WithWarnings(nil))
	}
	pop := risk.NewPopulation()
	var cards cardIndex
	var placed placedCards
	var seen liteDigest
	var valid lineSet // the lines whose records the population pass found valid
	records := 0
	run.pass++
	if err := runPass(ctx, open, o1, workers, mode, func(*passDecoder, *lineChunk) {}, func(c *lineChunk) error {
		if c.seq == 0 {
			// room for the cards the file holds, estimated from its size and
			// the first chunk: growing by doubling would leave up to half of
			// the population's memory unused
			if n, read := c.records(), len(c.data); c.size > 0 && read > 0 && n > 0 {
				est := int(float64(c.size)/float64(read)*float64(n)*1.02) + 1024
				pop = risk.NewPopulationSize(est)
				cards.recs = make([]cardRec, 0, est)
			}
		}
		for _, it := range c.items {
			if it.rec != nil {
				valid.add(it.line)
				cards.add(it.rec.MSISDN, it.line)
				pop.Add(it.rec)
				placed.add(it.line, it.rec)
			}
		}
		seen.merge(c.digest)
		records += len(c.items)
		progress(records, c)
		return nil
	}); err != nil {
		return nil, err
	}
	o2 := o // the later passes have nothing new to warn about
	o2.Read = append(append([]ReadOption(nil), o.Read...), WithWarnings(nil))
	o3 := o2 // the scoring pass
	if lite {
		o3 = o
	}
	// the cards listed twice are sought while the population seals, each
	// on a core (a population rebuilt for duplicates seals again)
	sealed := make(chan struct{})
	go func(pop *risk.Population) {
		pop.Holders() // seals
		close(sealed)
	}(pop)
	dups := cards.duplicates()
	<-sealed
	if dups.superseded != nil {
		// the same card twice: count it once, in its last record's state
		pop = risk.NewPopulation()
		placed = placedCards{}
		records = 0
		passes++
		run.pass++
		if err := runPass(ctx, open, o2, workers, mode, func(*passDecoder, *lineChunk) {}, func(c *lineChunk) error {
			for _, it := range c.items {
				if _, old := dups.superseded[it.line]; it.rec != nil && !old {
					pop.Add(it.rec)
					placed.add(it.line, it.rec)
				}
			}
			records += len(c.items)
			progress(records, c)
			return nil
		}); err != nil {
			return nil, err
		}
	}
	sum := &Summary{Holders: pop.Holders(), ByOutcome: map[string]int{}, ByLevel: map[string]int{},
		ByRule: map[string]int{}, Errors: map[string]int{}, Examples: map[string]*risk.Decision{},
		Duplicates: dups.list, Superseded: len(dups.superseded)}
	var dw, rw *Writer
	if o.Decisions != nil {
		dw = NewWriter(o.Decisions)
		if o.DecisionFormat == CSV {
			head, err := decisionHeader()
			if err != nil {
				return nil, err
			}
			if _, err := dw.bw.Write(head); err != nil {
				return nil, err
			}
		}
	}
	if o.Rejects != nil {
		rw = NewWriter(o.Rejects)
	}
	// the scoring pass: each worker scores and encodes its chunks; the
	// chunks are written, and the summary counted, in input order
	var haveExample atomic.Uint64 // outcomes with an example, a bit each
	var mu sync.Mutex
	var scorers []*scoreWorker
	work := func(d *passDecoder, c *lineChunk) {
		w, _ := d.state.(*scoreWorker)
		if w == nil {
			w = &scoreWorker{s: eng.NewScorer(risk.AsOfTime(o.AsOf), risk.WithPopulation(pop)), st: newChunkStats(), o: &o, seed: mode.seed, pop: pop, placed: &placed}
			d.state = w
			mu.Lock()
			scorers = append(scorers, w)
			mu.Unlock()
		}
		w.score(c, dups.superseded, &haveExample, rw != nil, dw != nil)
	}
	records = 0
	run.pass++
	var scored liteDigest
	trust := &valid
	if !trustValid {
		trust = nil
	}
	err := runPass(ctx, open, o3, workers, passMode{seed: mode.seed, trust: trust}, work, func(c *lineChunk) error {
		scored.merge(c.digest)
		st := &c.stats
		sum.Records += st.records
		sum.Decisions += st.decisions
		sum.Rejects += st.rejects
		for _, r := range st.firstRejects {
			if len(sum.FirstRejects) < MaxFirstRejects {
				sum.FirstRejects = append(sum.FirstRejects, r)
			}
		}
		for _, d := range st.examples {
			k := d.Outcome.String()
			if _, ok := sum.Examples[k]; !ok {
				sum.Examples[k] = d
				haveExample.Or(1 << (uint(d.Outcome) & 63))
			}
		}
		if rw != nil && len(c.rejOut) > 0 {
			if _, err := rw.bw.Write(c.rejOut); err != nil {
				return err
			}
		}
		if dw != nil && len(c.out) > 0 {
			if _, err := dw.bw.Write(c.out); err != nil {
				return err
			}
		}
		records += len(c.items)
		progress(records, c)
		return nil
	})
	for _, w := range scorers { // order does not matter for sums
		w.counts()
		for k, n := range w.st.byOutcome {
			sum.ByOutcome[k] += n
		}
		for k, n := range w.st.byLevel {
			sum.ByLevel[k] += n
		}
		for k, n := range w.st.byRule {
			sum.ByRule[k] += n
		}
		for k, n := range w.st.errors {
			sum.Errors[k] += n
		}
	}
	if err != nil {
		return sum, err
	}
	if seen != scored {
		if lite {
			return nil, errLiteMismatch
		}
		// the same reading twice: the bytes differ
		return nil, errInputChanged
	}
	if dw != nil {
		if err := dw.Flush(); err != nil {
			return sum, err
		}
	}
	if rw != nil {
		if err := rw.Flush(); err != nil {
			return sum, err
		}
	}
	return sum, nil
}

// ScoreProgress is how far ScoreFile has come.
type ScoreProgress struct {
	Pass    int   // the pass over the file, from 1
	Passes  int   // how many passes the run makes: 2, or 3 once the first found cards listed twice
	Scoring bool  // the pass scores (the last); the others count the population
	Records int   // records (non-blank lines) read in this pass
	Bytes   int64 // input bytes read in this pass (the file's size at its end)
}

// scoreWorker scores chunks on one worker goroutine.
type scoreWorker struct {
	s      *risk.Scorer
	d      risk.Decision
	st     *chunkStats // the sums, kept per worker
	o      *ScoreOptions
	enc    decisionEncoder // JSON Lines or CSV decisions
	seed   maphash.Seed
	pop    *risk.Population
	placed *placedCards // where each line's card is in pop
	// decisions per outcome and level, by value (folded into st's maps
	// by counts)
	outcomes, levels [16]int
}

// counts folds the decisions counted by value into the worker's maps.
func (w *scoreWorker) counts() {
	for o, n := range w.outcomes {
		if n > 0 {
			w.st.byOutcome[rules.Outcome(o).String()] += n
		}
	}
	for l, n := range w.levels {
		if n > 0 {
			w.st.byLevel[rules.Level(l).String()] += n
		}
	}
	w.outcomes, w.levels = [16]int{}, [16]int{}
}

// chunkStats counts what a chunk's records became: the counts in input
// order's terms (firstRejects, examples) per chunk, the sums per worker.
type chunkStats struct {
	records, decisions, rejects int
	firstRejects                []Reject
	examples                    []*risk.Decision
	byOutcome, byLevel, byRule  map[string]int
	errors                      map[string]int
}

func newChunkStats() *chunkStats {
	return &chunkStats{byOutcome: map[string]int{}, byLevel: map[string]int{}, byRule: map[string]int{}, errors: map[string]int{}}
}

func (st *chunkStats) reset() {
	st.records, st.decisions, st.rejects = 0, 0, 0
	st.firstRejects, st.examples = st.firstRejects[:0], st.examples[:0]
}

func (w *scoreWorker) score(c *lineChunk, superseded map[int]int, haveExample *atomic.Uint64, rejects, decisions bool) {
	st := &c.stats
	var seen uint64 // outcomes this chunk has an example of
	for _, it := range c.items {
		st.records++
		if it.rec != nil {
			c.digest.add(w.seed, it.line, it.rec, it.text)
		}
		rej := it.rej
		if later, old := superseded[it.line]; it.rec != nil && old {
			rej = supersededReject(it.line, later, it.rec.MSISDN)
		}
		if rej == nil {
			if n, ok := w.placed.place(it.line); ok && bindPlaces {
				w.pop.Bind(it.rec, n)
			}
		}
		if rej != nil {
			st.rejects++
			if len(st.firstRejects) < MaxFirstRejects {
				st.firstRejects = append(st.firstRejects, ownReject(*rej))
			}
			if rejects {
				c.rejOut = appendReject(c.rejOut, rej)
			}
			continue
		}
		if err := w.s.ScoreInto(it.rec, &w.d); err != nil {
			// validated in pass 1 already; kept for safety
			st.rejects++
			if rejects {
				c.rejOut = appendReject(c.rejOut, &Reject{Reason: err.Error()})
			}
			continue
		}
		d := &w.d
		st.decisions++
		// counted by value, named once at the end (a map a decision cost
		// two string hashes)
		if o, l := uint(d.Outcome), uint(d.Level); o < uint(len(w.outcomes)) && l < uint(len(w.levels)) {
			w.outcomes[o]++
			w.levels[l]++
		} else {
			w.st.byOutcome[d.Outcome.String()]++
			w.st.byLevel[d.Level.String()]++
		}
		for _, h := range d.Hits {
			w.st.byRule[h.Rule]++
		}
		for _, e := range d.Errors {
			w.st.errors[e.Rule]++
		}
		if bit := uint64(1) << (uint(d.Outcome) & 63); seen&bit == 0 && haveExample.Load()&bit == 0 {
			seen |= bit
			cp := ownDecision(d)
			st.examples = append(st.examples, &cp)
		}
		switch {
		case !decisions || w.o.OnlyFlagged && d.Outcome == rules.Pass:
		case w.o.DecisionFormat == CSV:
			c.out = w.enc.appendCSV(c.out, d, it.line)
		default:
			c.out = w.enc.append(c.out, d, it.line, w.o.Lines)
		}
	}
}

// placedCards notes the lines whose card the population counted, in the
// order it counted them, so that the scoring pass finds each card's
// features by its place (Population.Bind) instead of by its holder: a bit
// a line and a count every 64 lines, about 3 bytes per 100 lines.
type placedCards struct {
	bits   []uint64
	before []int32 // cards counted on the lines before each word's
	n      int32
}

// trustValid has the scoring pass take the population pass's word that a
// line's record is valid (tests turn it off to compare).
var trustValid = true

// bindPlaces binds the scoring pass's cards to their places (tests turn it
// off to compare with the lookups by holder).
var bindPlaces = true

// add notes line's card, added to the population just now, when the
// population counts it (as Population.Add does: valid, with a holder).
// Lines come in increasing order.
func (p *placedCards) add(line int, r *risk.Record) {
	if !r.Valid() || r.Holder == "" || line < 0 {
		return
	}
	w := line >> 6
	for len(p.bits) <= w {
		p.bits = append(p.bits, 0)
		p.before = append(p.before, p.n)
	}
	p.bits[w] |= 1 << (line & 63)
	p.n++
}

// place is the place of line's card among the counted ones.
func (p *placedCards) place(line int) (int, bool) {
	w := line >> 6
	if line < 0 || w >= len(p.bits) {
		return 0, false
	}
	bit := uint64(1) << (line & 63)
	if p.bits[w]&bit == 0 {
		return 0, false
	}
	return int(p.before[w]) + bits.OnesCount64(p.bits[w]&(bit-1)), true
}

// Duplicate is a card that a file holds more than once: its number,
// masked, and the lines of its valid records; the last is its state.
type Duplicate struct {
	MSISDN string // masked: 138****8000
	Lines  []int
}

// cardIndex finds the cards listed twice: each valid record's number (11
// or 13 digits fit a uint64) and line, 16 bytes a record.
type cardIndex struct{ recs []cardRec }

type cardRec struct {
	num  uint64
	line int64
}

func (c *cardIndex) add(msisdn string, line int) {
	n, ok := cardNumber(msisdn)
	if !ok {
		return // not canonical: Validate would have refused it
	}
	c.recs = append(c.recs, cardRec{n, int64(line)})
}

// cardNumber is msisdn's value when it is decimal digits that fit a
// uint64, as strconv.ParseUint(msisdn, 10, 64) reads it: up to 19 digits
// by a loop of its own (no overflow is possible), longer by ParseUint.
func cardNumber(msisdn string) (uint64, bool) {
	if len(msisdn) == 0 || len(msisdn) > 19 {
		n, err := strconv.ParseUint(msisdn, 10, 64)
		return n, err == nil
	}
	var n uint64
	for i := 0; i < len(msisdn); i++ {
		d := msisdn[i] - '0'
		if d > 9 {
			return 0, false
		}
		n = n*10 + uint64(d)
	}
	return n, true
}

func cmpCard(a, b cardRec) int {
	if a.num != b.num {
		return cmp.Compare(a.num, b.num)
	}
	return cmp.Compare(a.line, b.line)
}

// sortCards orders cards by number, then line, in place: one pass puts
// them in buckets by the number's leading bits (about eight a bucket;
// numbers spread evenly over their range), then each bucket is sorted.
func sortCards(recs []cardRec) {
	if len(recs) < 4096 {
		slices.SortFunc(recs, cmpCard)
		return
	}
	lo, hi := recs[0].num, recs[0].num
	for _, r := range recs {
		lo, hi = min(lo, r.num), max(hi, r.num)
	}
	nb := 1 << min(24, bits.Len(uint(len(recs)/8)))
	shift := uint(0)
	for (hi-lo)>>shift >= uint64(nb) {
		shift++
	}
	bucket := func(r cardRec) int { return int((r.num - lo) >> shift) }
	start := make([]int32, nb+1)
	for _, r := range recs {
		start[bucket(r)+1]++
	}
	for b := 1; b <= nb; b++ {
		start[b] += start[b-1]
	}
	next := slices.Clone(start[:nb])
	// each card moves to its bucket's next free place (American flag sort)
	for b := 0; b < nb; b++ {
		for next[b] < start[b+1] {
			r := recs[next[b]]
			for t := bucket(r); t != b; t = bucket(r) {
				recs[next[t]], r = r, recs[next[t]]
				next[t]++
			}
			recs[next[b]] = r
			next[b]++
		}
	}
	for b := 0; b < nb; b++ {
		switch g := recs[start[b]:start[b+1]]; {
		case len(g) <= 1:
		case len(g) <= 64:
			insertionSortCards(g)
		default:
			slices.SortFunc(g, cmpCard)
		}
	}
}

// insertionSortCards orders a few cards by number, then line (cmpCard's
// order), with the comparison inline: most buckets of sortCards hold 8 to
// 32 cards (numbers cluster by their operators' prefixes).
func insertionSortCards(g []cardRec) {
	for i := 1; i < len(g); i++ {
		r := g[i]
		j := i
		for ; j > 0 && (g[j-1].num > r.num || g[j-1].num == r.num && g[j-1].line > r.line); j-- {
			g[j] = g[j-1]
		}
		g[j] = r
	}
}

type duplicates struct {
	superseded map[int]int // line of an earlier record -> line of the card's last
	list       []Duplicate
}

func (c *cardIndex) duplicates() duplicates {
	var d duplicates
	sortCards(c.recs)
	for i := 0; i < len(c.recs); {
		j := i + 1
		for j < len(c.recs) && c.recs[j].num == c.recs[i].num {
			j++
		}
		if j-i > 1 {
			if d.superseded == nil {
				d.superseded = map[int]int{}
			}
			last := int(c.recs[j-1].line)
			dup := Duplicate{MSISDN: ref.MaskNumber(strconv.FormatUint(c.recs[i].num, 10))}
			for _, r := range c.recs[i:j] {
				dup.Lines = append(dup.Lines, int(r.line))
				if int(r.line) != last {
					d.superseded[int(r.line)] = last
				}
			}
			if len(d.list) < MaxDuplicates {
				d.list = append(d.list, dup)
			}
		}
		i = j
	}
	c.recs = nil
	return d
}

func supersededReject(line, later int, msisdn string) *Reject {
	return &Reject{Line: line, Reason: fmt.Sprintf("msisdn: %s is the card of line %d too (duplicate of line %d): the later record is the card's state, counted and scored once",
		ref.MaskNumber(msisdn), later, later)}
}

// outputMarks remembers where ScoreFile's outputs started, to rewind them.
type outputMarks []func() error

// markOutputs returns the marks of outputs that can be rewound: nil,
// io.Discard, a bytes.Buffer (to its length now) and an OutputFile
// written under a temporary name; ok is false for any other.
func markOutputs(ws ...io.Writer) (outputMarks, bool) {
	var m outputMarks
	for _, w := range ws {
		switch w := w.(type) {
		case nil:
		case *bytes.Buffer:
			n := w.Len()
			m = append(m, func() error { w.Truncate(n); return nil })
		case *OutputFile:
			if w.direct || w.done {
				return nil, false
			}
			start, err := w.File.Seek(0, io.SeekCurrent)
			if err != nil {
				return nil, false
			}
			m = append(m, func() error {
				if err := w.File.Truncate(start); err != nil {
					return err
				}
				_, err := w.File.Seek(start, io.SeekStart)
				return err
			})
		default:
			if w != io.Discard {
				return nil, false
			}
		}
	}
	return m, true
}

func (m outputMarks) rewind() error {
	for _, f := range m {
		if err := f(); err != nil {
			return err
		}
	}
	return nil
}

// ownDecision is a copy of d that shares no memory with the chunk it was
// scored from, whose bytes the next chunk reuses: its number, reasons and
// error messages its own (rule ids, tags, the rule set's digest, name and
// version are the engine's).
func ownDecision(d *risk.Decision) risk.Decision {
	c := d.Clone() // hits, reasons and errors copied
	c.MSISDN = strings.Clone(c.MSISDN)
	for i := range c.Errors {
		c.Errors[i].Message = strings.Clone(c.Errors[i].Message)
	}
	return c
}

// ownReject is r with a reason of its own (not a view of a chunk's text).
func ownReject(r Reject) Reject {
	r.Reason = strings.Clone(r.Reason)
	return r
}
