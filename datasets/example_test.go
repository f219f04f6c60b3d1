package datasets_test

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/simrisk/simrisk/datasets"
	"github.com/simrisk/simrisk/risk"
)

// Read JSON Lines records; bad ones come back as rejects with their line.
func ExampleReader() {
	in := strings.NewReader(`{"msisdn":"13800138000","opened_at":"2024-03-01"}
{"msisdn":"13800138001","opened_at":"2024-03-01","alerts_30d":-2}
`)
	rd := datasets.NewReader(in, risk.Date(2026, 11, 1))
	for {
		rec, err := rd.Read()
		if err == io.EOF {
			break
		}
		var rej *datasets.Reject
		if errors.As(err, &rej) {
			fmt.Println("rejected:", rej)
			continue
		}
		if err != nil {
			panic(err)
		}
		fmt.Println("read", risk.MaskMSISDN(rec.MSISDN), rec.Operator)
	}
	// Output:
	// read 138****8000 cmcc
	// rejected: line 2: alerts_30d: -2 is negative
}

// Refuse outputs that would overwrite an input, then write through a
// temporary file that becomes the output only when the run completed.
func ExampleCreateOutput() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	in, out := filepath.Join(dir, "cards.jsonl"), filepath.Join(dir, "decisions.jsonl")
	fmt.Println(datasets.CheckOutputs([]string{in}, []string{in}) != nil)
	if err := datasets.CheckOutputs([]string{in}, []string{out}); err != nil {
		return
	}
	f, err := datasets.CreateOutput(out)
	if err != nil {
		return
	}
	fmt.Fprintln(f, `{"msisdn":"13800138000"}`)
	fmt.Println(f.Commit())
	b, _ := os.ReadFile(out)
	fmt.Print(string(b))
	// Output:
	// true
	// <nil>
	// {"msisdn":"13800138000"}
}
