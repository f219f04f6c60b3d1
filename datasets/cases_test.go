package datasets_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/datasets"
	"github.com/simrisk/simrisk/risk"
)

// scored is what ScoreFile made of a file: "msisdn outcome" per decision,
// the rejects as written, and the summary.
type scored struct {
	decisions []string
	rejects   []datasets.Reject
	sum       *datasets.Summary
	raw       []byte // the decision stream
}

// scoreRecordCase scores a case file as runCase does and keeps each
// decision as "msisdn outcome".
func scoreRecordCase(t *testing.T, name string, opts ...datasets.ReadOption) (*scored, error) {
	t.Helper()
	run, err := runCase(t, name, opts...)
	if err != nil {
		return nil, err
	}
	out := &scored{sum: run.sum, rejects: run.rejects, raw: run.stream}
	for _, d := range run.decisions {
		out.decisions = append(out.decisions, fmt.Sprint(d["msisdn"], " ", d["outcome"]))
	}
	return out, nil
}

// csv-unterminated-quote.csv: a stray quote on line 3 rejects line 3 alone;
// reading resumes at line 4, so the police-flagged cards on lines 4 and 5
// are scored verify.
func TestCaseCSVUnterminatedQuote(t *testing.T) {
	got, err := scoreRecordCase(t, "csv-unterminated-quote.csv")
	require.NoError(t, err)
	require.Equal(t, 5, got.sum.Records)
	require.Equal(t, []string{"13800138001 pass", "13800138003 verify", "13800138004 verify", "13800138005 pass"}, got.decisions)
	require.Equal(t, []datasets.Reject{{Line: 3, Reason: "not valid CSV: the quote opened in field 3 is not closed on this line (a field cannot span lines; this line alone is rejected)"}}, got.rejects)
}

// csv-mac-cr.csv, jsonl-cr.jsonl: CR-only line ends are line ends.
func TestCaseCROnlyLineEnds(t *testing.T) {
	for name, want := range map[string][]string{
		"csv-mac-cr.csv": {"13800138001 verify", "13800138002 pass"},
		// no usage dates: both dormant, the first police-flagged too
		"jsonl-cr.jsonl": {"13800138001 restrict", "13800138002 verify"},
	} {
		got, err := scoreRecordCase(t, name)
		require.NoError(t, err, name)
		require.Equal(t, want, got.decisions, name)
		require.Empty(t, got.rejects, name)
	}
}

// jsonl-utf8-bom.jsonl: a leading byte order mark is skipped.
func TestCaseJSONLByteOrderMark(t *testing.T) {
	got, err := scoreRecordCase(t, "jsonl-utf8-bom.jsonl")
	require.NoError(t, err)
	require.Equal(t, []string{"13800138001 verify", "13800138002 pass"}, got.decisions)
	require.Empty(t, got.rejects)
}

// csv-excel-trailing-empty-cols.csv: Excel's empty trailing header cells
// (and the empty cells under them) are ignored.
func TestCaseCSVExcelTrailingEmptyColumns(t *testing.T) {
	got, err := scoreRecordCase(t, "csv-excel-trailing-empty-cols.csv")
	require.NoError(t, err)
	require.Equal(t, []string{"13800138001 verify", "13800138002 pass"}, got.decisions)
	require.Empty(t, got.rejects)
}

// csv-gbk-mvno.csv: a GB18030 file is refused as UTF-8, naming the option
// that reads it, and read correctly with that option.
func TestCaseCSVGBK(t *testing.T) {
	_, err := scoreRecordCase(t, "csv-gbk-mvno.csv")
	require.ErrorIs(t, err, datasets.ErrNotUTF8)
	require.ErrorContains(t, err, "line 2: the file is not valid UTF-8")
	require.ErrorContains(t, err, "--encoding gb18030")

	for _, enc := range []datasets.Encoding{datasets.GB18030, datasets.GBK} {
		got, err := scoreRecordCase(t, "csv-gbk-mvno.csv", datasets.WithEncoding(enc))
		require.NoError(t, err)
		require.Len(t, got.decisions, 6)
		require.Empty(t, got.rejects)
		require.Equal(t, 1, got.sum.Holders)
		// six cards of one holder at one MVNO: one more than five
		require.Positive(t, got.sum.ByRule["multi_card_id"], "%v", got.sum.ByRule)
	}
	f, err := os.Open(filepath.Join("testdata", "cases", "csv-gbk-mvno.csv"))
	require.NoError(t, err)
	defer f.Close()
	loaded, err := datasets.Read(f, datasets.CSV, asOf, datasets.WithEncoding(datasets.GB18030))
	require.NoError(t, err)
	require.Len(t, loaded.Records, 6)
	require.Equal(t, "蜗牛移动", loaded.Records[0].MVNO)
	require.Equal(t, []string{"腾讯", "支付宝"}, loaded.Records[0].LinkedPlatforms)
}

// Lines end in LF, CRLF or CR, mixed in one file; a BOM is skipped; in both
// formats.
func TestLineEndsAndBOM(t *testing.T) {
	rec := func(n string) string { return `{"msisdn":"1380013800` + n + `","opened_at":"2024-03-01"}` }
	src := "\ufeff" + rec("1") + "\r" + rec("2") + "\r\n" + rec("3") + "\n\r\n\r" + rec("4")
	res := readAll(t, src)
	require.Equal(t, []string{"13800138001", "13800138002", "13800138003", "13800138004"}, res.msisdns)
	require.Empty(t, res.rejects)
	// line numbers count every line end: the last record is on line 6
	rd := datasets.NewReader(strings.NewReader(src+"\rnope"), asOf)
	for i := 0; i < 4; i++ {
		_, err := rd.Read()
		require.NoError(t, err)
	}
	require.Equal(t, 6, rd.Line())
	_, err := rd.Read()
	var rej *datasets.Reject
	require.ErrorAs(t, err, &rej)
	require.Equal(t, 7, rej.Line)

	csv := "\ufeffmsisdn,opened_at\r13800138001,2024-03-01\r\n13800138002,2024-03-01\n\r13800138003,2024-03-01"
	recs, rejects := readCSV(t, csv)
	require.Len(t, recs, 3)
	require.Empty(t, rejects)
}

// A stray quote never eats the lines after it, whatever follows it: a
// field may not hold a line end, each physical line is one row, and a line
// whose quotes do not close is rejected alone.
func TestCSVStructuralErrorsLoseNothing(t *testing.T) {
	head := "msisdn,opened_at,mvno,note\n"
	unclosed := func(field int) string {
		return fmt.Sprintf("not valid CSV: the quote opened in field %d is not closed on this line (a field cannot span lines; this line alone is rejected)", field)
	}
	quoteInside := "not valid CSV: field 3 has a quote inside it without being quoted (quote the field and write the quote twice)"
	for _, tc := range []struct {
		name    string
		src     string
		good    []string
		rejects []datasets.Reject
	}{
		{"closed three lines later, wrong field count",
			head + "13800138001,2024-03-01,\"a\n13800138002,2024-03-01,,\n13800138003,2024-03-01,b\",,x\n13800138004,2024-03-01,,\n",
			[]string{"13800138002", "13800138004"},
			[]datasets.Reject{{Line: 2, Reason: unclosed(3)}, {Line: 4, Reason: quoteInside}}},
		{"closed with the right field count, in a card field",
			head + "13800138001,2024-03-01,\"a\n13800138002,2024-03-01,b\",\n13800138003,2024-03-01,,\n",
			[]string{"13800138003"},
			[]datasets.Reject{{Line: 2, Reason: unclosed(3)}, {Line: 3, Reason: quoteInside}}},
		{"a quoted line end in a remark rejects both lines, each alone",
			head + "13800138001,2024-03-01,,\"a\nb\"\n13800138002,2024-03-01,,\n",
			[]string{"13800138002"},
			[]datasets.Reject{{Line: 2, Reason: unclosed(4)}, {Line: 3, Reason: "not valid CSV: field 1 has a quote inside it without being quoted (quote the field and write the quote twice)"}}},
		{"text after a closing quote",
			head + "13800138001,\"2024-03-01\"x,,\n13800138002,2024-03-01,,\n",
			[]string{"13800138002"},
			[]datasets.Reject{{Line: 2, Reason: `not valid CSV: field 2 has 'x' after its closing quote (a quote inside a quoted field is written twice)`}}},
		{"a quoted field with commas and quotes on one line is read",
			head + "13800138001,\"2024-03-01\",,\"a,\"\"b\"\"\"\n\"x\ny\n",
			[]string{"13800138001"},
			[]datasets.Reject{{Line: 3, Reason: unclosed(1)}, {Line: 4, Reason: "has 1 fields, the header has 4"}}},
		{"Excel's empty rows are blank lines",
			head + ",,,\n13800138001,2024-03-01,,\n , ,,\n",
			[]string{"13800138001"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			recs, rejects := readCSV(t, tc.src)
			var got []string
			for _, r := range recs {
				got = append(got, r.MSISDN)
			}
			require.Equal(t, tc.good, got)
			require.Equal(t, tc.rejects, rejects)
		})
	}
}

// A CSV row longer than MaxLineBytes is rejected without being held, as a
// JSON line is.
func TestCSVRowLimit(t *testing.T) {
	long := "13800138001,2024-03-01," + strings.Repeat("x", datasets.MaxLineBytes)
	recs, rejects := readCSV(t, "msisdn,opened_at,mvno\n"+long+"\n13800138002,2024-03-01,\n")
	require.Len(t, recs, 1)
	require.Equal(t, []datasets.Reject{{Line: 2, Reason: "line is longer than 1048576 bytes (MaxLineBytes)"}}, rejects)

	// a quote open over several long lines: each line is rejected alone
	half := strings.Repeat("y", datasets.MaxLineBytes/2)
	recs, rejects = readCSV(t, "msisdn,opened_at,mvno\n13800138001,2024-03-01,\""+half+"\n"+half+"\n"+half+"\"\n13800138002,2024-03-01,\n")
	require.Len(t, recs, 1)
	require.Len(t, rejects, 3)
	require.Equal(t, []int{2, 3, 4}, []int{rejects[0].Line, rejects[1].Line, rejects[2].Line})
}

// Input that is not UTF-8 stops either reader with ErrNotUTF8; an unknown
// encoding fails every read.
func TestNotUTF8(t *testing.T) {
	rd := datasets.NewReader(strings.NewReader(`{"msisdn":"13800138001","opened_at":"2024-03-01"}`+"\n{\"mvno\":\"\xce\xcf\"}\n"), asOf)
	_, err := rd.Read()
	require.NoError(t, err)
	_, err = rd.Read()
	require.ErrorIs(t, err, datasets.ErrNotUTF8)
	_, err = rd.Read()
	require.ErrorIs(t, err, datasets.ErrNotUTF8, "the error stays")

	_, err = datasets.Read(strings.NewReader("msisdn\n1\n"), datasets.CSV, asOf, datasets.WithEncoding("latin1"))
	require.EqualError(t, err, `datasets: unknown encoding "latin1" (want utf-8, gb18030, gbk, utf-16, utf-16le or utf-16be)`)
	_, err = datasets.ParseEncoding("GB18030")
	require.NoError(t, err)
	_, err = datasets.ParseEncoding("big5")
	require.Error(t, err)
	require.False(t, errors.Is(err, datasets.ErrNotUTF8))
}

// A CSV list cell is bounded by the record limits before it is split.
func TestCSVListLimits(t *testing.T) {
	many := func(item string, n int) string { return strings.TrimSuffix(strings.Repeat(item+";", n), ";") }
	src := "msisdn,opened_at,roaming.region,roaming.last_seen,linked_platforms\n" +
		"13800138001,2024-03-01," + many("KH", risk.MaxRoaming+1) + ",," + many("jd", risk.MaxLinkedPlatforms+1) + "\n" +
		"13800138002,2024-03-01," + many("KH", risk.MaxRoaming) + ",," + many("jd", risk.MaxLinkedPlatforms) + "\n"
	recs, rejects := readCSV(t, src)
	require.Len(t, recs, 1)
	require.Len(t, recs[0].Roaming, risk.MaxRoaming)
	require.Equal(t, []datasets.Reject{{Line: 2, Reason: "roaming.region: has 257 items, over the limit of 256 (risk.MaxRoaming); " +
		"linked_platforms: has 33 items, over the limit of 32 (risk.MaxLinkedPlatforms)"}}, rejects)
}

// jsonl-date-order.jsonl: a record whose dates cannot stand in their order
// (a number released by its previous holder after it was re-issued, usage,
// a network attach, roaming or a verification before the card was opened)
// is rejected with its line and both fields; on opened_at's own day
// everything may happen (a date is midnight), and a pass before a new
// demand leaves it pending. No reason carries a negative day count.
func TestCaseDateOrder(t *testing.T) {
	got, err := scoreRecordCase(t, "jsonl-date-order.jsonl")
	require.NoError(t, err)
	require.Equal(t, []datasets.Reject{
		{Line: 1, Reason: "released_at: 2026-09-30 is after opened_at 2024-03-01: a number is released before it is re-issued (opened)"},
		{Line: 2, Reason: "last_voice_at: 2025-01-01 is before opened_at 2026-10-01: a card has no usage before it is opened"},
		{Line: 3, Reason: "last_attach_at: 2026-09-30 is before opened_at 2026-10-01: a card does not attach to the network before it is opened"},
		{Line: 4, Reason: "roaming[0].last_seen: 2026-09-01 is before opened_at 2026-10-01: a card is not seen roaming before it is opened"},
		{Line: 5, Reason: "verify_required_at: 2026-09-29 is before opened_at 2026-10-01: no verification is demanded of a card before it is opened; " +
			"verified_at: 2026-09-30 is before opened_at 2026-10-01: no verification of a card is passed before it is opened"},
		// a date after as-of is reported alone: the order is not judged against it
		{Line: 8, Reason: "opened_at: 2026-12-01 is after the as-of time 2026-11-01; released_at: 2026-12-02 is after the as-of time 2026-11-01"},
	}, got.rejects)
	// re-issued on its release day: a freeze of 0 days, not a negative one
	require.Equal(t, []string{"13800138006 monitor", "13800138007 verify"}, got.decisions)
	require.Contains(t, string(got.raw), "号码释放后 0 天即重新放号")
	require.NotRegexp(t, `-\d+ ?(天|days?)`, string(got.raw))
}
