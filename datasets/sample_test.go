package datasets_test

import (
	"bytes"
	"flag"
	"io"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/datasets"
)

var update = flag.Bool("update", false, "rewrite sample/cards.jsonl")

// The committed sample is exactly what the generator makes with the fixed
// seed: regenerate it with go test ./datasets -run TestSampleUpToDate -update.
func TestSampleUpToDate(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, datasets.WriteSample(&buf))
	if *update {
		require.NoError(t, os.WriteFile("sample/cards.jsonl", buf.Bytes(), 0o644))
	}
	got, err := io.ReadAll(datasets.Sample())
	require.NoError(t, err)
	require.True(t, bytes.Equal(buf.Bytes(), got), "sample/cards.jsonl is stale: run go test ./datasets -run TestSampleUpToDate -update")
}
