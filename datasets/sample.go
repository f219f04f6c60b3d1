package datasets

import (
	"bytes"
	_ "embed"
	"fmt"
	"io"
	"maps"

	"github.com/simrisk/simrisk/risk"
)

//go:embed sample/cards.jsonl
var sampleJSONL []byte

// Sample settings: the committed sample is Generate with these options.
const (
	SampleCards = 2000
	SampleSeed  = 1
)

// SampleMix returns the committed sample's share of holders per scenario, a
// new map on each call. It over-represents the rare scenarios, so that
// 2,000 cards hold cases of every rule; the default mix is DefaultMix.
func SampleMix() map[string]float64 { return maps.Clone(sampleMix) }

var sampleMix = map[string]float64{
	ScenarioNormal: 0.70, ScenarioFraudRing: 0.03, ScenarioStockpile: 0.01, ScenarioIoTMisuse: 0.03,
	ScenarioTakeover: 0.03, ScenarioFlagged: 0.02, ScenarioVerification: 0.04, ScenarioDataCard: 0.03,
	ScenarioEnterpriseIoT: 0.006, ScenarioSilentFarm: 0.01,
}

// SampleAsOf is the snapshot time of the committed sample: 2026-11-01 CST.
var SampleAsOf = risk.Date(2026, 11, 1)

// Sample returns the committed sample population (JSON Lines, about 2,000
// synthetic cards with cases of every rule category).
func Sample() io.Reader { return bytes.NewReader(sampleJSONL) }

// WriteSample writes the sample population as JSON Lines, with labels:
// what sample/cards.jsonl holds.
func WriteSample(w io.Writer) error {
	return GenerateTo(w, JSONL, GenOptions{Cards: SampleCards, Seed: SampleSeed, AsOf: SampleAsOf, Mix: sampleMix}, nil)
}

// GenerateTo streams a generated population to w in the given format, each
// record with its label. progress, when not nil, is called every 65,536
// cards and at the end with the number written so far.
func GenerateTo(w io.Writer, f Format, o GenOptions, progress func(n int)) error {
	g := NewGenerator(o)
	var write func(*risk.Record, Label) error
	var flush func() error
	switch f {
	case JSONL, "":
		jw := NewWriter(w)
		write, flush = jw.WriteLabeled, jw.Flush
	case CSV:
		cw := NewCSVWriter(w, true)
		write, flush = cw.Write, cw.Flush
	default:
		return fmt.Errorf("datasets: unknown format %q", f)
	}
	n := 0
	for {
		r, l, ok := g.Next()
		if !ok {
			break
		}
		if err := write(r, l); err != nil {
			return err
		}
		n++
		if progress != nil && n&0xffff == 0 {
			progress(n)
		}
	}
	if progress != nil {
		progress(n)
	}
	return flush()
}
