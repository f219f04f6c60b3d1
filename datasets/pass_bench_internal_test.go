package datasets

import (
	"bytes"
	"hash/maphash"
	"testing"

	"github.com/simrisk/simrisk/risk"
)

// BenchmarkPassDecode decodes 10,000 generated records a chunk at a time
// as each pass of ScoreFile does, per record: lite is the population
// pass (the population's fields, judged by Validate), whole a record
// decoded and validated (the scoring pass of a CSV file, say), trusted
// the scoring pass of a JSON Lines file (decoded, not validated again).
func BenchmarkPassDecode(b *testing.B) {
	var buf bytes.Buffer
	if err := GenerateTo(&buf, JSONL, GenOptions{Cards: 10000, Seed: 2, AsOf: risk.Date(2026, 11, 1)}, nil); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	cfg := newReadConfig(risk.Date(2026, 11, 1), nil)
	all := &lineSet{}
	for i := 0; i <= 10000; i++ {
		all.add(i)
	}
	for _, name := range []string{"lite", "whole", "trusted"} {
		b.Run(name, func(b *testing.B) {
			d := &passDecoder{cfg: &cfg, format: JSONL, lite: name == "lite", digest: true, seed: maphash.MakeSeed()}
			if name == "trusted" {
				d.trust = all
			}
			c := &lineChunk{}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i += 10000 {
				br := newBlockReader(bytes.NewReader(data))
				for more := true; more; {
					c.reset()
					more = br.next(c, chunkBytes)
					d.decode(c)
					for _, it := range c.items {
						if it.rec == nil {
							b.Fatal("a reject in generated cards")
						}
					}
				}
			}
		})
	}
}
