package gen_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/internal/vocab/gen"
)

// The committed generated files are what the vocabulary table gives today:
// regenerated in memory and compared byte for byte. After changing
// internal/vocab/vocab.go, run `go generate ./risk`.
func TestGeneratedFilesAreFresh(t *testing.T) {
	root := filepath.Join("..", "..", "..")
	readme, err := os.ReadFile(filepath.Join(root, gen.READMEFile))
	require.NoError(t, err)
	files, err := gen.Files(readme)
	require.NoError(t, err)
	require.Len(t, files, 3)
	for path, want := range files {
		got, err := os.ReadFile(filepath.Join(root, path))
		require.NoError(t, err)
		require.Equal(t, string(want), string(got), "%s is stale: run `go generate ./risk`", path)
	}
}

// A README without the table's markers is an error, not a silent no-op.
func TestREADMEMarkersRequired(t *testing.T) {
	_, err := gen.Files([]byte("# rules\nno table here\n"))
	require.ErrorContains(t, err, "markers")
}
