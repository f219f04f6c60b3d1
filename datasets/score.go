package datasets

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"

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
	AsOf      risk.Time    // required: the time every date is judged against
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
	BatchSize   int       // records scored together (default 8192)
	Workers     int       // scoring goroutines (default GOMAXPROCS)
}

// ScoreFile scores a file of card records (JSON Lines or CSV) in two
// streaming passes: the first builds the population features (cards per holder), the
// second scores each record in batches and writes its decision, or its
// reject, in input order. Memory holds the population counts, 16 bytes per
// valid record (its number and line, to find cards listed twice) and one
// batch, never the whole file. Bad records are rejected with their line
// number; only I/O errors, a file the readers refuse (not UTF-8, a bad CSV
// header, an unknown field WithStrict) and ctx stop the run, and a file
// refused in the first pass has nothing written. Warnings (WithWarnings)
// come from the first pass only.
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
	if o.BatchSize <= 0 {
		o.BatchSize = 8192
	}
	pop := risk.NewPopulation()
	var cards cardIndex
	if err := eachRecord(open, o, func(r *risk.Record, _ *Reject, line int) error {
		if r != nil {
			cards.add(r.MSISDN, line)
			pop.Add(r)
		}
		return ctx.Err()
	}); err != nil {
		return nil, err
	}
	o2 := o // the later passes have nothing new to warn about
	o2.Read = append(append([]ReadOption(nil), o.Read...), WithWarnings(nil))
	dups := cards.duplicates()
	if dups.superseded != nil {
		// the same card twice: count it once, in its last record's state
		pop = risk.NewPopulation()
		if err := eachRecord(open, o2, func(r *risk.Record, _ *Reject, line int) error {
			if _, old := dups.superseded[line]; r != nil && !old {
				pop.Add(r)
			}
			return ctx.Err()
		}); err != nil {
			return nil, err
		}
	}
	sum := &Summary{Holders: pop.Holders(), ByOutcome: map[string]int{}, ByLevel: map[string]int{},
		ByRule: map[string]int{}, Errors: map[string]int{}, Examples: map[string]*risk.Decision{},
		Duplicates: dups.list, Superseded: len(dups.superseded)}
	var dw *decisionWriter
	var rw *Writer
	if o.Decisions != nil {
		var err error
		if dw, err = newDecisionWriter(o.Decisions, o.DecisionFormat, o.Lines); err != nil {
			return nil, err
		}
	}
	if o.Rejects != nil {
		rw = NewWriter(o.Rejects)
	}
	opts := []risk.ScoreOption{risk.AsOfTime(o.AsOf), risk.WithPopulation(pop)}
	if o.Workers > 0 {
		opts = append(opts, risk.Workers(o.Workers))
	}
	// A batch keeps records and rejects in input order.
	type item struct {
		rec  *risk.Record
		rej  *Reject
		line int
	}
	batch := make([]item, 0, o.BatchSize)
	recs := make([]*risk.Record, 0, o.BatchSize)
	flush := func() error {
		recs = recs[:0]
		for _, it := range batch {
			if it.rec != nil {
				recs = append(recs, it.rec)
			}
		}
		results := eng.ScoreBatch(ctx, recs, opts...)
		k := 0
		for _, it := range batch {
			sum.Records++
			if it.rej != nil {
				sum.Rejects++
				if len(sum.FirstRejects) < MaxFirstRejects {
					sum.FirstRejects = append(sum.FirstRejects, *it.rej)
				}
				if rw != nil {
					if err := rw.WriteReject(it.rej); err != nil {
						return err
					}
				}
				continue
			}
			res := results[k]
			k++
			if res.Err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				// validated in pass 1 already; kept for safety
				sum.Rejects++
				if rw != nil {
					if err := rw.WriteReject(&Reject{Reason: res.Err.Error()}); err != nil {
						return err
					}
				}
				continue
			}
			d := res.Decision
			sum.Decisions++
			sum.ByOutcome[d.Outcome.String()]++
			sum.ByLevel[d.Level.String()]++
			for _, h := range d.Hits {
				sum.ByRule[h.Rule]++
			}
			for _, e := range d.Errors {
				sum.Errors[e.Rule]++
			}
			if _, ok := sum.Examples[d.Outcome.String()]; !ok {
				cp := *d
				sum.Examples[d.Outcome.String()] = &cp
			}
			if dw != nil && !(o.OnlyFlagged && d.Outcome == rules.Pass) {
				if err := dw.write(d, it.line); err != nil {
					return err
				}
			}
		}
		batch = batch[:0]
		return nil
	}
	err := eachRecord(open, o2, func(r *risk.Record, rej *Reject, line int) error {
		if later, old := dups.superseded[line]; r != nil && old {
			r, rej = nil, supersededReject(line, later, r.MSISDN)
		}
		batch = append(batch, item{r, rej, line})
		if len(batch) == cap(batch) {
			if err := flush(); err != nil {
				return err
			}
		}
		return ctx.Err()
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return sum, err
	}
	if dw != nil {
		if err := dw.flush(); err != nil {
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

func eachRecord(open Opener, o ScoreOptions, fn func(*risk.Record, *Reject, int) error) error {
	f, err := open()
	if err != nil {
		return err
	}
	defer f.Close()
	rd, err := NewRecordReader(f, o.Format, o.AsOf, o.Read...)
	if err != nil {
		return err
	}
	for {
		rec, err := rd.Read()
		if err == io.EOF {
			return nil
		}
		var rej *Reject
		if errors.As(err, &rej) {
			if err := fn(nil, rej, rej.Line); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		if err := fn(rec, nil, rd.Line()); err != nil {
			return err
		}
	}
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
	n, err := strconv.ParseUint(msisdn, 10, 64)
	if err != nil {
		return // not canonical: Validate would have refused it
	}
	c.recs = append(c.recs, cardRec{n, int64(line)})
}

type duplicates struct {
	superseded map[int]int // line of an earlier record -> line of the card's last
	list       []Duplicate
}

func (c *cardIndex) duplicates() duplicates {
	var d duplicates
	slices.SortFunc(c.recs, func(a, b cardRec) int {
		if a.num != b.num {
			return cmp.Compare(a.num, b.num)
		}
		return cmp.Compare(a.line, b.line)
	})
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
