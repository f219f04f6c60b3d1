package datasets_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/datasets"
	"github.com/simrisk/simrisk/risk"
)

func readCSV(t *testing.T, src string, opts ...datasets.ReadOption) ([]*risk.Record, []datasets.Reject) {
	t.Helper()
	rd := datasets.NewCSVReader(strings.NewReader(src), asOf, opts...)
	var recs []*risk.Record
	var rejects []datasets.Reject
	for {
		rec, err := rd.Read()
		if err == io.EOF {
			break
		}
		var rej *datasets.Reject
		if errors.As(err, &rej) {
			rejects = append(rejects, *rej)
			continue
		}
		require.NoError(t, err)
		recs = append(recs, rec)
	}
	require.Equal(t, rd.Count(), len(recs)+len(rejects))
	return recs, rejects
}

func TestCSVReader(t *testing.T) {
	src := "msisdn,opened_at,roaming.region,roaming.last_seen,linked_platforms,iot.test_plan,complaints,extra\n" +
		"13800138000,2024-03-01,KH;TH,2026-10-30;,jd;tencent,true,1,ignored\n" +
		"13800138001,2024-03-01,,,,yes,,\n" +
		"\n" +
		"13800138002,2024-03-01,,,,,two,\n" +
		"13800138003,2024-03-01\n" +
		"\"13800138004,2024-03-01,,,,,,\n"
	recs, rejects := readCSV(t, src)
	require.Len(t, recs, 1)
	r := recs[0]
	require.Equal(t, []risk.Roaming{{Region: "KH", LastSeen: risk.Date(2026, 10, 30)}, {Region: "TH"}}, r.Roaming)
	require.Equal(t, []string{"jd", "tencent"}, r.LinkedPlatforms)
	require.True(t, r.IoT.TestPlan)
	require.Equal(t, 1, r.Complaints)
	require.Equal(t, []datasets.Reject{
		{Line: 3, Reason: `iot.test_plan: want true or false (or TRUE, FALSE, 1, 0), got "yes"`},
		{Line: 5, Reason: `complaints: want an integer, got "two"`},
		{Line: 6, Reason: "has 2 fields, the header has 8"},
		{Line: 7, Reason: "not valid CSV: the quote opened in field 1 is not closed on this line (a field cannot span lines; this line alone is rejected)"},
	}, rejects)
}

func TestCSVHeaderErrors(t *testing.T) {
	_, err := datasets.NewCSVReader(strings.NewReader("opened_at\n2024-03-01\n"), asOf).Read()
	require.EqualError(t, err, "datasets: CSV header has no msisdn column")
	_, err = datasets.NewCSVReader(strings.NewReader("msisdn,msisdn\n"), asOf).Read()
	require.EqualError(t, err, `datasets: CSV header: column "msisdn" appears twice`)
}

// What the CSV writer writes, the CSV reader reads back, and JSON Lines and
// CSV carry the same records and labels.
func TestJSONLCSVRoundTrip(t *testing.T) {
	recs := datasets.Generate(datasets.GenOptions{Cards: 3000, Seed: 3, AsOf: asOf})
	var j, c bytes.Buffer
	jw, cw := datasets.NewWriter(&j), datasets.NewCSVWriter(&c, true)
	for i, r := range recs {
		l := datasets.Label{Fraud: i%3 == 0, Scenario: "s" + string(rune('a'+i%5))}
		require.NoError(t, jw.WriteLabeled(r, l))
		require.NoError(t, cw.Write(r, l))
	}
	require.NoError(t, jw.Flush())
	require.NoError(t, cw.Flush())
	jr := datasets.NewReader(&j, asOf, datasets.WithLabels())
	cr := datasets.NewCSVReader(&c, asOf, datasets.WithLabels())
	for i := range recs {
		a, err := jr.Read()
		require.NoError(t, err)
		b, err := cr.Read()
		require.NoError(t, err)
		require.Equal(t, string(a.AppendJSON(nil)), string(b.AppendJSON(nil)), "record %d", i)
		require.Equal(t, jr.Label(), cr.Label())
		require.Equal(t, i%3 == 0, cr.Label().Fraud)
	}
	_, err := jr.Read()
	require.Equal(t, io.EOF, err)
	_, err = cr.Read()
	require.Equal(t, io.EOF, err)
}

// A raw ID number in holder is never used as it is: rejected without a
// key, turned into a keyed pseudonym with one.
func TestIDKey(t *testing.T) {
	src := `{"msisdn":"13800138000","opened_at":"2024-03-01","holder":"11010519491231002X"}
{"msisdn":"13800138001","opened_at":"2024-03-01","holder":"110105194912310021"}
{"msisdn":"13800138002","opened_at":"2024-03-01","holder":"11010519491231002x"}
`
	read := func(opts ...datasets.ReadOption) ([]string, []string) {
		rd := datasets.NewReader(strings.NewReader(src), asOf, opts...)
		var holders, reasons []string
		for {
			rec, err := rd.Read()
			if err == io.EOF {
				return holders, reasons
			}
			var rej *datasets.Reject
			if errors.As(err, &rej) {
				reasons = append(reasons, rej.Error())
				continue
			}
			holders = append(holders, rec.Holder)
		}
	}
	holders, reasons := read()
	require.Empty(t, holders)
	require.Equal(t, []string{
		"line 1: holder: is a raw ID number (110105********002X); give an ID key (simrisk --id-key-file) to turn it into a pseudonymous key",
		"line 2: holder: is a raw ID number (110105********0021); give an ID key (simrisk --id-key-file) to turn it into a pseudonymous key",
		"line 3: holder: is a raw ID number (110105********002X); give an ID key (simrisk --id-key-file) to turn it into a pseudonymous key",
	}, reasons)

	holders, reasons = read(datasets.WithIDKey([]byte("a secret key of 32 bytes, really")))
	require.Len(t, holders, 2)
	require.Equal(t, holders[0], holders[1], "the same ID, the same key")
	require.Regexp(t, `^hk-[0-9a-f]{32}$`, holders[0])
	require.Equal(t, []string{"line 2: holder: ID number 110105********0021: the ID number's check character is wrong"}, reasons)
}

func TestScoreCSVFile(t *testing.T) {
	var c bytes.Buffer
	cw := datasets.NewCSVWriter(&c, false)
	for _, r := range datasets.Generate(datasets.GenOptions{Cards: 500, Seed: 9, AsOf: asOf}) {
		require.NoError(t, cw.Write(r, datasets.Label{}))
	}
	require.NoError(t, cw.Flush())
	data := c.Bytes()
	open := func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
	sum, err := datasets.ScoreFile(context.Background(), engine(t), open, datasets.ScoreOptions{AsOf: asOf, Format: datasets.CSV})
	require.NoError(t, err)
	require.Zero(t, sum.Rejects)
	require.GreaterOrEqual(t, sum.Decisions, 500)
}

// The column lists, holder buckets and sample mix are copies: changing what
// a caller got back changes neither the next copy nor the header written.
func TestExportedListsAreCopies(t *testing.T) {
	cols := datasets.CSVColumns()
	want := strings.Join(append(datasets.CSVColumns(), datasets.LabelColumns()...), ",")
	cols[0] = "changed"
	labels := datasets.LabelColumns()
	labels[0] = "changed"
	var b strings.Builder
	w := datasets.NewCSVWriter(&b, true)
	require.NoError(t, w.Write(&risk.Record{MSISDN: "13800138000"}, datasets.Label{}))
	require.NoError(t, w.Flush())
	require.Equal(t, want, strings.SplitN(b.String(), "\n", 2)[0])
	require.Equal(t, "msisdn", datasets.CSVColumns()[0])

	hb := datasets.HolderBuckets()
	hb[0] = "changed"
	require.Equal(t, "1", datasets.HolderBuckets()[0])

	mix := datasets.SampleMix()
	mix[datasets.ScenarioNormal] = 0
	require.Equal(t, 0.70, datasets.SampleMix()[datasets.ScenarioNormal])
}

// last_attach_at, added to the vocabulary table alone, is a CSV column:
// read, written and read back.
func TestLastAttachAtCSV(t *testing.T) {
	require.Contains(t, datasets.CSVColumns(), "last_attach_at")
	in := "msisdn,opened_at,last_attach_at\n13800138000,2024-03-01,2026-10-30\n"
	r := datasets.NewCSVReader(strings.NewReader(in), asOf)
	rec, err := r.Read()
	require.NoError(t, err)
	require.Equal(t, risk.Date(2026, 10, 30), rec.LastAttachAt)
	var out bytes.Buffer
	w := datasets.NewCSVWriter(&out, false)
	require.NoError(t, w.Write(rec, datasets.Label{}))
	require.NoError(t, w.Flush())
	back, err := datasets.NewCSVReader(&out, asOf).Read()
	require.NoError(t, err)
	require.Equal(t, rec.LastAttachAt, back.LastAttachAt)
}
