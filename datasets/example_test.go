package datasets_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/simrisk/simrisk/datasets"
	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/rules"
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

// Misspelt columns are ignored with one warning per file; Excel's TRUE,
// 2024/3/1 and Chinese names of the enumerations are read as the schema's
// values; a deployment adds its own spellings.
func ExampleWithWarnings() {
	aliases := datasets.DefaultAliases()
	if err := aliases.Load(strings.NewReader("status:\n  预销户: suspended\n")); err != nil {
		panic(err)
	}
	in := strings.NewReader("MSISDN,opened_at,alert_30d,recycled,operator,status\n" +
		"13800138000,2024/3/1,9,TRUE,中国移动,预销户\n")
	rd := datasets.NewCSVReader(in, risk.Date(2026, 11, 1), datasets.WithAliases(aliases),
		datasets.WithWarnings(func(w datasets.Warning) { fmt.Println("warning:", w) }))
	rec, err := rd.Read()
	if err != nil {
		panic(err)
	}
	fmt.Println(rec.OpenedAt, rec.Recycled, rec.Operator, rec.Status)
	// Output:
	// warning: line 1: unknown column (ignored) alert_30d: did you mean alerts_30d?
	// 2024-03-01 true cmcc suspended
}

// A file in GB18030 (as Chinese Excel saves CSV) is refused as UTF-8 and
// read with WithEncoding.
func ExampleWithEncoding() {
	gbk := "msisdn,opened_at,mvno\n17031234560,2024-03-01,\xce\xcf\xc5\xa3\xd2\xc6\xb6\xaf\n" // 蜗牛移动
	_, err := datasets.NewCSVReader(strings.NewReader(gbk), risk.Date(2026, 11, 1)).Read()
	fmt.Println(errors.Is(err, datasets.ErrNotUTF8))
	rec, err := datasets.NewCSVReader(strings.NewReader(gbk), risk.Date(2026, 11, 1), datasets.WithEncoding(datasets.GB18030)).Read()
	if err != nil {
		panic(err)
	}
	fmt.Println(rec.MVNO)
	// Output:
	// true
	// 蜗牛移动
}

// Score a file into CSV decisions, writing only the cards that are not
// pass; each row starts with the record's input line.
func ExampleScoreOptions_csv() {
	in := "{\"msisdn\":\"13800138000\",\"opened_at\":\"2024-03-01\",\"last_voice_at\":\"2026-10-30\",\"alerts_30d\":4}\n" +
		"{\"msisdn\":\"13800138002\",\"opened_at\":\"2024-03-01\",\"last_data_at\":\"2026-10-31\"}\n"
	eng, err := risk.Compile(must(rules.Pack("default")))
	if err != nil {
		panic(err)
	}
	var out strings.Builder
	sum, err := datasets.ScoreFile(context.Background(), eng,
		func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(in)), nil },
		datasets.ScoreOptions{AsOf: risk.Date(2026, 11, 1), Decisions: &out, DecisionFormat: datasets.CSV, OnlyFlagged: true})
	if err != nil {
		panic(err)
	}
	fmt.Println(strings.Join(datasets.DecisionColumns(), ","))
	row := strings.Split(strings.Split(out.String(), "\n")[1], ",")
	fmt.Println(row[0], row[4], row[6], "| decisions:", sum.Decisions)
	// Output:
	// line,msisdn,score,level,outcome,deadline,rules,shadow_rules,reasons,errors,ruleset,as_of,pack,version
	// 1 verify frequent_alerts | decisions: 2
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
