package datasets

import (
	"bytes"
	_ "embed"
	"io"

	"github.com/simrisk/simrisk/risk"
)

//go:embed sample/cards.jsonl
var sampleJSONL []byte

// Sample settings: the committed sample is Generate with these options.
const (
	SampleCards = 2000
	SampleSeed  = 1
)

// SampleAsOf is the snapshot time of the committed sample: 2026-11-01 CST.
var SampleAsOf = risk.Date(2026, 11, 1)

// Sample returns the committed sample population (JSON Lines, about 2,000
// synthetic cards with cases of every rule category).
func Sample() io.Reader { return bytes.NewReader(sampleJSONL) }

// WriteSample writes the sample population as JSON Lines: what
// sample/cards.jsonl holds.
func WriteSample(w io.Writer) error {
	jw := NewWriter(w)
	for _, r := range Generate(GenOptions{Cards: SampleCards, Seed: SampleSeed, AsOf: SampleAsOf}) {
		if err := jw.WriteRecord(r); err != nil {
			return err
		}
	}
	return jw.Flush()
}
