package datasets_test

import (
	"errors"
	"fmt"
	"io"
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
