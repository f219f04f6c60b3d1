package main

import (
	"bytes"
	"context"
	"io"
	"reflect"
	"runtime"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/datasets"
	"github.com/simrisk/simrisk/risk"
)

// BenchmarkShuffleBytes measures what the pipeline's grouped elements cost
// on a generated population, per card, encoded with the coders Beam uses for
// them (key and value; the runner adds its own framing): the input line,
// the card keyed by number (first shuffle), keyed by holder (second), the
// decision keyed by shard (the write), and the heap a decoded record takes
// while its holder is held (max_holder_cards).
//
//	go test -run '^$' -bench ShuffleBytes -benchtime 1x
func BenchmarkShuffleBytes(b *testing.B) {
	const n = 20000
	var in bytes.Buffer
	require.NoError(b, datasets.GenerateTo(&in, datasets.JSONL, datasets.GenOptions{Cards: n, Seed: 7, AsOf: datasets.SampleAsOf}, nil))
	str := beam.NewElementEncoder(reflect.TypeOf(""))
	intE := beam.NewElementEncoder(reflect.TypeOf(0))
	card := beam.NewElementEncoder(reflect.TypeOf(Card{}))
	srcs, err := PackSources("default", nil)
	require.NoError(b, err)
	eng, err := compile(srcs, "zh")
	require.NoError(b, err)
	var dec bytes.Buffer
	data := in.Bytes()
	_, err = datasets.ScoreFile(context.Background(), eng, func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(data)), nil
	}, datasets.ScoreOptions{AsOf: datasets.SampleAsOf, Decisions: &dec})
	require.NoError(b, err)
	decisions := bytes.Split(bytes.TrimSuffix(dec.Bytes(), []byte("\n")), []byte("\n"))
	b.ResetTimer()
	for b.Loop() {
		var byNumber, byHolder, write, heap int
		var w bytes.Buffer
		rd := datasets.NewReader(bytes.NewReader(data), datasets.SampleAsOf)
		var held []*risk.Record
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		for {
			r, err := rd.Read()
			if err == io.EOF {
				break
			}
			require.NoError(b, err)
			c := Card{File: 3, Line: rd.Line(), JSON: r.AppendJSON(nil)}
			w.Reset()
			require.NoError(b, str.Encode(r.MSISDN, &w))
			require.NoError(b, card.Encode(c, &w))
			byNumber += w.Len()
			w.Reset()
			require.NoError(b, str.Encode("h:"+r.Holder, &w))
			require.NoError(b, card.Encode(c, &w))
			byHolder += w.Len()
			d := new(risk.Record)
			require.NoError(b, d.UnmarshalJSON(c.JSON))
			held = append(held, d)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		heap = int(after.HeapAlloc - before.HeapAlloc)
		runtime.KeepAlive(held)
		for _, d := range decisions {
			w.Reset()
			require.NoError(b, intE.Encode(1, &w))
			require.NoError(b, str.Encode(string(d), &w))
			write += w.Len()
		}
		b.ReportMetric(float64(len(data))/n, "input-B/card")
		b.ReportMetric(float64(byNumber)/n, "by-number-B/card")
		b.ReportMetric(float64(byHolder)/n, "by-holder-B/card")
		b.ReportMetric(float64(write)/n, "write-B/card")
		b.ReportMetric(float64(heap)/n, "held-heap-B/card")
	}
}
