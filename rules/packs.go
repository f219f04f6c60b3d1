package rules

import (
	"embed"
	"io/fs"
	"sort"
)

//go:embed packs
var packsFS embed.FS

// PacksFS is the embedded rule packs, one directory per pack (default/...).
// Analysts can copy a pack out of it to start their own.
func PacksFS() fs.FS {
	sub, err := fs.Sub(packsFS, "packs")
	if err != nil {
		panic(err)
	}
	return sub
}

// Packs lists the names of the embedded rule packs.
func Packs() []string {
	entries, _ := fs.ReadDir(packsFS, "packs")
	var out []string
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out
}

// Pack loads an embedded rule pack by name ("default"), with its tests.
func Pack(name string) (*RuleSet, error) { return defaultLoader.Pack(name) }
