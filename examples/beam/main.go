// Command beam scores card records with simrisk on Apache Beam: read
// sharded JSON Lines or CSV files, validate, keep each card's last record,
// group by holder, compute the holder's population features, score, and
// write decisions and rejects, sharded. README.md says how to run it on
// prism, Flink, Spark and Dataflow.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem/gcs" // gs:// for Dataflow
	"github.com/apache/beam/sdks/v2/go/pkg/beam/x/beamx"
)

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(s string) error { *m = append(*m, s); return nil }

func main() {
	var in, ruleFiles multiFlag
	flag.Var(&in, "in", "input files: a path or glob, on any Beam file system (repeatable); files are read in name order")
	format := flag.String("format", "", "input format: jsonl or csv (default: from each file's name; .csv is CSV)")
	encoding := flag.String("encoding", "", "input encoding: utf-8 (default), gb18030, utf-16")
	asOf := flag.String("as-of", "", "the time dates are judged against: YYYY-MM-DD (CST) or RFC 3339 (required)")
	pack := flag.String("pack", "", "embedded rule pack (default \"default\")")
	flag.Var(&ruleFiles, "rules", "rule file or directory, read where the pipeline is launched (repeatable)")
	lang := flag.String("lang", "zh", "language of titles and reasons: zh or en")
	idKey := flag.String("id-key-file", "", "the ID key file, read by the workers (a path they can read: gs://... on Dataflow)")
	out := flag.String("out", "", "decisions: output prefix (PREFIX-00000-of-00004.jsonl ...)")
	rejects := flag.String("rejects", "", "rejects: output prefix")
	shards := flag.Int("shards", 4, "output shards of each kind")
	maxHolder := flag.Int("max-holder-cards", DefaultMaxHolderCards, "records one holder key may have; a holder with more has its records rejected")
	flag.Parse()
	beam.Init() // a worker started by a runner stops here and serves it

	ctx := context.Background()
	if len(in) == 0 || *asOf == "" || *out == "" || *rejects == "" {
		fmt.Fprintln(os.Stderr, "beam: --in, --as-of, --out and --rejects are required")
		os.Exit(2)
	}
	files, err := expand(ctx, in)
	if err != nil {
		fmt.Fprintf(os.Stderr, "beam: %v\n", err)
		os.Exit(1)
	}
	srcs, err := PackSources(*pack, ruleFiles)
	if err != nil {
		fmt.Fprintf(os.Stderr, "beam: the rules cannot be used: %v\n", err)
		os.Exit(1)
	}
	p, s := beam.NewPipelineWithRoot()
	if err := Build(s, Options{Inputs: files, Format: *format, Encoding: *encoding, AsOf: *asOf, Pack: srcs, Lang: *lang,
		IDKeyFile: *idKey, Decisions: *out, Rejects: *rejects, Shards: *shards, MaxHolderCards: *maxHolder}); err != nil {
		fmt.Fprintf(os.Stderr, "beam: %v\n", err)
		os.Exit(2)
	}
	if err := beamx.Run(ctx, p); err != nil {
		fmt.Fprintf(os.Stderr, "beam: %v\n", err)
		os.Exit(1)
	}
}

// expand lists the files of each pattern, sorted by name: the input order.
func expand(ctx context.Context, patterns []string) ([]string, error) {
	var files []string
	for _, pat := range patterns {
		fsys, err := filesystem.New(ctx, pat)
		if err != nil {
			return nil, err
		}
		names, err := fsys.List(ctx, pat)
		fsys.Close()
		if err != nil {
			return nil, err
		}
		if len(names) == 0 {
			return nil, fmt.Errorf("--in %s: no such file", pat)
		}
		slices.Sort(names)
		files = append(files, names...)
	}
	return files, nil
}
