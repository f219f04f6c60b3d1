// Package ref holds simrisk's reference tables and identity helpers: number
// segments (original operator, kind, MVNO range), GB/T 2260 division codes
// (every revision since 2002, abolished codes kept: an ID keeps the code it
// was issued with), ISO 3166 country codes, and resident ID numbers
// (GB 11643-1999 validation, keyed pseudonymisation, masking).
//
// It is a leaf package: it imports nothing of simrisk, so the engine (risk),
// the codecs (datasets) and tools can all use it. Sources, versions and
// licences of the tables are listed in datasets/README.md.
package ref

import (
	"encoding/csv"
	"fmt"
	"strings"
)

// readCSV reads an embedded table, skipping # comment lines and the header.
func readCSV(data string, cols int) [][]string {
	var lines []string
	for _, l := range strings.Split(data, "\n") {
		if !strings.HasPrefix(l, "#") && strings.TrimSpace(l) != "" {
			lines = append(lines, l)
		}
	}
	r := csv.NewReader(strings.NewReader(strings.Join(lines, "\n")))
	r.FieldsPerRecord = cols
	rows, err := r.ReadAll()
	if err != nil {
		panic(fmt.Sprintf("ref: embedded table: %v", err))
	}
	return rows[1:]
}
