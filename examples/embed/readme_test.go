package main

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// README.md shows this program; the two must not drift apart.
func TestREADMEShowsThisProgram(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	code, err := os.ReadFile("main.go")
	require.NoError(t, err)
	require.True(t, strings.Contains(string(readme), "```go\n"+string(code)+"```"),
		"README.md's Go example differs from examples/embed/main.go")
}

func TestRuns(t *testing.T) {
	main() // exits the test binary on error via log.Fatal
}
