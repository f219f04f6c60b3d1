//go:build duckdb

// Command duckscore runs the DuckDB peer job (package duckjob) on a JSON
// Lines file of cards, for timing it beside simrisk score:
//
//	cd bench/peers && go build -tags duckdb -o /tmp/duckscore ./cmd/duckscore
//	/tmp/duckscore --in cards.jsonl --out duck.jsonl --as-of 2026-11-01 --threads 2
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/simrisk/simrisk/bench/peers/duckjob"
	"github.com/simrisk/simrisk/risk"
)

func main() {
	in := flag.String("in", "", "cards, JSON Lines")
	out := flag.String("out", "", "decisions (msisdn, score, level, outcome, hits), JSON Lines")
	asOfS := flag.String("as-of", "", "YYYY-MM-DD (CST)")
	threads := flag.Int("threads", 0, "DuckDB threads (default: every core)")
	flag.Parse()
	asOf, err := risk.ParseTime(*asOfS)
	if err != nil || *in == "" || *out == "" {
		fmt.Fprintln(os.Stderr, "usage: duckscore --in FILE --out FILE --as-of YYYY-MM-DD [--threads N]")
		os.Exit(2)
	}
	if err := duckjob.Run(context.Background(), *in, *out, asOf, *threads); err != nil {
		fmt.Fprintln(os.Stderr, "duckscore:", err)
		os.Exit(1)
	}
}
