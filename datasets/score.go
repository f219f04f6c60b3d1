package datasets

import (
	"context"
	"errors"
	"io"

	"github.com/simrisk/simrisk/risk"
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
}

// Opener opens the input again for each pass over it.
type Opener func() (io.ReadCloser, error)

// ScoreOptions configures ScoreFile.
type ScoreOptions struct {
	AsOf      risk.Time    // required: the time every date is judged against
	Format    Format       // JSONL (default) or CSV
	Read      []ReadOption // reader options: WithIDKey, ...
	Decisions io.Writer    // decisions as JSON Lines, in input order; nil to discard
	Rejects   io.Writer    // rejects as {"line": N, "reason": "..."} lines; nil to discard
	BatchSize int          // records scored together (default 8192)
	Workers   int          // scoring goroutines (default GOMAXPROCS)
}

// ScoreFile scores a file of card records (JSON Lines or CSV) in two
// streaming passes: the first builds the population features (cards per holder), the
// second scores each record in batches and writes its decision, or its
// reject, in input order. Memory holds the population counts and one batch,
// never the whole file. Bad records are rejected with their line number;
// only I/O errors (and ctx) stop the run.
func ScoreFile(ctx context.Context, eng *risk.Engine, open Opener, o ScoreOptions) (*Summary, error) {
	if o.AsOf == 0 {
		return nil, errors.New("datasets: ScoreFile needs an as-of time")
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 8192
	}
	pop := risk.NewPopulation()
	if err := eachRecord(open, o, func(r *risk.Record, _ *Reject) error {
		if r != nil {
			pop.Add(r)
		}
		return ctx.Err()
	}); err != nil {
		return nil, err
	}
	sum := &Summary{Holders: pop.Holders(), ByOutcome: map[string]int{}, ByLevel: map[string]int{},
		ByRule: map[string]int{}, Errors: map[string]int{}, Examples: map[string]*risk.Decision{}}
	var dw, rw *Writer
	if o.Decisions != nil {
		dw = NewWriter(o.Decisions)
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
		rec *risk.Record
		rej *Reject
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
			if dw != nil {
				if err := dw.WriteDecision(d); err != nil {
					return err
				}
			}
		}
		batch = batch[:0]
		return nil
	}
	err := eachRecord(open, o, func(r *risk.Record, rej *Reject) error {
		batch = append(batch, item{r, rej})
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

func eachRecord(open Opener, o ScoreOptions, fn func(*risk.Record, *Reject) error) error {
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
			if err := fn(nil, rej); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		if err := fn(rec, nil); err != nil {
			return err
		}
	}
}
