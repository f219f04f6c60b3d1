package datasets_test

import (
	"bytes"
	"io"
	"testing"

	"github.com/simrisk/simrisk/datasets"
)

// BenchmarkDecodeJSONL reads 10,000 generated records (decode and
// validate), reporting MB/s.
func BenchmarkDecodeJSONL(b *testing.B) { benchDecode(b, datasets.JSONL) }

// BenchmarkDecodeCSV reads the same 10,000 records from CSV.
func BenchmarkDecodeCSV(b *testing.B) { benchDecode(b, datasets.CSV) }

func benchDecode(b *testing.B, f datasets.Format) {
	data := gen(b, f, datasets.GenOptions{Cards: 10000, Seed: 2, AsOf: asOf})
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rd, err := datasets.NewRecordReader(bytes.NewReader(data), f, asOf)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			_, err := rd.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != 10000 {
			b.Fatal(n)
		}
	}
}
