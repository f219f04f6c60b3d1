// Command genvocab writes the files derived from the vocabulary table
// (internal/vocab): `go generate ./risk` runs it from the risk directory.
//
// Stage: build time, after vocab (package gen does the work). Imports: gen
// and the standard library.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/simrisk/simrisk/internal/vocab/gen"
)

func main() {
	root := ".."
	if len(os.Args) > 1 {
		root = os.Args[1]
	}
	readme, err := os.ReadFile(filepath.Join(root, gen.READMEFile))
	if err == nil {
		var files map[string][]byte
		if files, err = gen.Files(readme); err == nil {
			for path, data := range files {
				if err = os.WriteFile(filepath.Join(root, path), data, 0o644); err != nil {
					break
				}
			}
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "genvocab:", err)
		os.Exit(1)
	}
}
