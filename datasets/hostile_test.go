package datasets_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/simrisk/simrisk/datasets"
	"github.com/simrisk/simrisk/risk"
)

// dataLines counts a file's non-blank lines after its header.
func dataLines(t *testing.T, name string) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "cases", name))
	require.NoError(t, err)
	n := 0
	for i, l := range strings.Split(strings.ReplaceAll(string(b), "\r", ""), "\n") {
		if i > 0 && strings.TrimSpace(l) != "" {
			n++
		}
	}
	return n
}

// A stray quote in a remark, in a middle column, with CRLF line ends, and a
// genuine two-line remark: a field may not span lines, so each physical
// line is one record or one reject; no card takes another line's data and
// the records counted are the file's non-blank data lines.
func TestCaseCSVStrayQuoteNeverMerges(t *testing.T) {
	for _, tc := range []struct {
		name     string
		msisdns  []string // scored
		rejected []int    // lines
	}{
		{"csv-stray-quote-remark.csv", []string{"13800138003", "13800138005"}, []int{2, 4}},
		{"csv-stray-quote-crlf.csv", []string{"13800138003"}, []int{2, 4}},
		{"csv-stray-quote-middle.csv", []string{"13800138003"}, []int{2, 4}},
		{"csv-two-line-remark.csv", []string{"13800138005"}, []int{2, 3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run, err := runCase(t, tc.name)
			require.NoError(t, err)
			require.Equal(t, dataLines(t, tc.name), run.sum.Records)
			var got []string
			for _, d := range run.decisions {
				got = append(got, d["msisdn"].(string))
				// every scored card is the police-flagged one of its own line
				require.Equal(t, "verify", d["outcome"], "%v", d)
			}
			require.Equal(t, tc.msisdns, got)
			var lines []int
			for _, r := range run.rejects {
				lines = append(lines, r.Line)
			}
			require.Equal(t, tc.rejected, lines)
			require.Contains(t, run.rejects[0].Reason, "is not closed on this line (a field cannot span lines; this line alone is rejected)")
		})
	}
}

// utf16 encodes s as UTF-16 in the given byte order, with a byte order mark
// when bom is set.
func utf16Bytes(s string, big, bom bool) []byte {
	units := utf16.Encode([]rune(s))
	if bom {
		units = append([]uint16{0xfeff}, units...)
	}
	var b bytes.Buffer
	for _, u := range units {
		if big {
			b.WriteByte(byte(u >> 8))
			b.WriteByte(byte(u))
		} else {
			b.WriteByte(byte(u))
			b.WriteByte(byte(u >> 8))
		}
	}
	return b.Bytes()
}

// UTF-16 files (Excel's "Unicode text") are read: with a byte order mark
// or, without one, told by their NUL bytes; or named by their encoding.
func TestUTF16Read(t *testing.T) {
	// a police flag: verify, restrict with no usage dates (the JSON file)
	for name, outcome := range map[string]string{"csv-utf16-bom.csv": "verify", "jsonl-utf16le-nobom.jsonl": "restrict"} {
		run, err := runCase(t, name)
		require.NoError(t, err, name)
		require.Equal(t, 1, run.sum.Records, name)
		require.Empty(t, run.rejects, name)
		require.Equal(t, "13800138001", run.decisions[0]["msisdn"], name)
		require.Equal(t, outcome, run.decisions[0]["outcome"], name)
	}
	src := "msisdn,opened_at,holder,operator\r\n13800138001,2024-03-01,h-1,中国移动\r\n"
	for _, tc := range []struct {
		data []byte
		enc  datasets.Encoding
	}{
		{utf16Bytes(src, true, true), datasets.UTF8}, // sniffed by its mark
		{utf16Bytes(src, true, false), datasets.UTF8},
		{utf16Bytes(src, false, false), datasets.UTF16LE},
		{utf16Bytes(src, true, false), datasets.UTF16BE},
		{utf16Bytes(src, true, true), datasets.UTF16},
		{utf16Bytes(src, false, true), datasets.UTF16},
	} {
		loaded, err := datasets.Read(bytes.NewReader(tc.data), datasets.CSV, asOf, datasets.WithEncoding(tc.enc))
		require.NoError(t, err, tc.enc)
		require.Empty(t, loaded.Rejects, tc.enc)
		require.Len(t, loaded.Records, 1, tc.enc)
		require.Equal(t, "cmcc", loaded.Records[0].Operator)
	}
	for name, want := range map[string]datasets.Encoding{"UTF-16": datasets.UTF16, "utf-16le": datasets.UTF16LE, "utf16be": datasets.UTF16BE, "unicode": datasets.UTF16} {
		got, err := datasets.ParseEncoding(name)
		require.NoError(t, err)
		require.Equal(t, want, got)
	}
}

// A UTF-16 file said to be GB18030 or GBK is refused up front with the
// encoding that reads it (it failed later as a bad CSV header or bad
// records), on both paths; a GB18030 file is still read.
func TestUTF16SaidToBeGB18030(t *testing.T) {
	src := "msisdn,opened_at,holder,operator\r\n13800138001,2024-03-01,h-1,中国移动\r\n"
	for _, tc := range []struct {
		data []byte
		want string
	}{
		{utf16Bytes(src, false, true), "--encoding utf-16"},
		{utf16Bytes(src, true, true), "--encoding utf-16"},
		{utf16Bytes(src, false, false), "--encoding utf-16le"},
		{utf16Bytes(src, true, false), "--encoding utf-16be"},
	} {
		for _, enc := range []datasets.Encoding{datasets.GB18030, datasets.GBK} {
			_, err := datasets.Read(bytes.NewReader(tc.data), datasets.CSV, asOf, datasets.WithEncoding(enc))
			require.EqualError(t, err, "datasets: the file is UTF-16, not "+string(enc)+": read it with "+tc.want+" (the Encoding of that name)")
			data := tc.data
			open := func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
			_, err = datasets.ScoreFile(context.Background(), engine(t), open, datasets.ScoreOptions{AsOf: asOf, Format: datasets.CSV,
				Read: []datasets.ReadOption{datasets.WithEncoding(enc)}})
			require.ErrorContains(t, err, "the file is UTF-16, not "+string(enc))
		}
	}
	gb, err := simplifiedchinese.GB18030.NewEncoder().String(src)
	require.NoError(t, err)
	loaded, err := datasets.Read(strings.NewReader(gb), datasets.CSV, asOf, datasets.WithEncoding(datasets.GB18030))
	require.NoError(t, err)
	require.Len(t, loaded.Records, 1)
	require.Equal(t, "cmcc", loaded.Records[0].Operator)
}

// Enumerated values are folded before the alias lookup: NFKC (full-width
// letters), white space of any width around them, zero-width characters,
// case; Traditional Chinese names are aliases too. In both formats.
func TestEnumerationsFolded(t *testing.T) {
	type want struct{ operator, status, flag, kind, business string }
	cases := []struct {
		operator, status, flag, kind, business string
		want                                   want
	}{
		{"ＣＭＣＣ", "ＡＣＴＩＶＥ", "ＰＯＬＩＣＥ", "ｍｏｂｉｌｅ", "", want{"cmcc", "active", "police", "mobile", ""}},
		{"中国移动\u200b", "\u3000停机保号\u3000", "\u00a0公安 ", "\ufeff手机卡", "补换卡\u200d", want{"cmcc", "keep_number", "police", "mobile", "replacement"}},
		{"中國聯通", "停機保號", "公安機關", "物聯網卡", "補換卡", want{"unicom", "keep_number", "police", "iot", "replacement"}},
		{"中國電信", "銷戶", "運營商", "數據卡", "過戶", want{"telecom", "cancelled", "operator", "data_card", "transfer"}},
	}
	for _, c := range cases {
		js := `{"msisdn":"13800138001","opened_at":"2024-03-01","holder":"h-1","operator":"` + c.operator + `","status":"` + c.status +
			`","fraud_flag":"` + c.flag + `","kind":"` + c.kind + `"`
		if c.business != "" {
			js += `,"iot":{"business":"` + c.business + `"}`
		}
		js += "}\n"
		csv := "msisdn,opened_at,holder,operator,status,fraud_flag,kind,iot.business\n13800138001,2024-03-01,h-1," +
			c.operator + "," + c.status + "," + c.flag + "," + c.kind + "," + c.business + "\n"
		for f, src := range map[datasets.Format]string{datasets.JSONL: js, datasets.CSV: csv} {
			loaded, err := datasets.Read(strings.NewReader(src), f, asOf)
			require.NoError(t, err)
			require.Empty(t, loaded.Rejects, "%s %q", f, src)
			r := loaded.Records[0]
			require.Equal(t, c.want, want{r.Operator, r.Status, r.FraudFlag, r.Kind, r.IoT.Business}, "%s %q", f, src)
		}
	}
}

// A CSV header that cannot be read refuses the file with one message that
// says so; it does not claim that reading resumes.
func TestCaseCSVBrokenHeader(t *testing.T) {
	_, err := runCase(t, "csv-broken-header.csv")
	require.EqualError(t, err, "datasets: CSV header (line 1) cannot be read, so the file is refused: not valid CSV: the quote opened in field 2 is not closed on this line (a field cannot span lines)")
	require.NotContains(t, err.Error(), "alone")
}

// Files joined from parts: a byte order mark at the start of any line is
// skipped, and in CSV a repeat of the header is a header, not a record.
// A byte order mark inside a JSON line is named by its code point, never
// as mojibake.
func TestConcatenatedExports(t *testing.T) {
	rec := func(n string) string { return `{"msisdn":"1380013800` + n + `","opened_at":"2024-03-01"}` + "\n" }
	res := readAll(t, "\ufeff"+rec("1")+"\ufeff"+rec("2")+"\r\n\ufeff\ufeff"+rec("3"))
	require.Equal(t, []string{"13800138001", "13800138002", "13800138003"}, res.msisdns)
	require.Empty(t, res.rejects)

	res = readAll(t, `{"msisdn":`+"\ufeff"+`"13800138001","opened_at":"2024-03-01"}`+"\n")
	require.Len(t, res.rejects, 1)
	require.Equal(t, "not valid JSON (at byte 11): invalid character U+FEFF looking for beginning of value", res.rejects[0].Reason)

	part := "\ufeffmsisdn,opened_at\r\n13800138001,2024-03-01\r\n"
	rd := datasets.NewCSVReader(strings.NewReader(part+strings.Replace(part, "13800138001", "13800138002", 1)+"\ufeffMSISDN , Opened_At\n13800138003,2024-03-01\n"), asOf)
	var got []string
	for {
		r, err := rd.Read()
		if err != nil {
			require.ErrorIs(t, err, io.EOF)
			break
		}
		got = append(got, r.MSISDN)
	}
	require.Equal(t, []string{"13800138001", "13800138002", "13800138003"}, got)
	require.Equal(t, 3, rd.Count(), "repeated headers are not records")
}

// White space of any width (and zero-width characters) around a value is
// not part of it, for every kind of field, in both formats.
func TestSpacesAroundScalars(t *testing.T) {
	for _, pad := range []string{" ", "\u3000", "\u00a0", "\t", "\u200b"} {
		csv := "msisdn,opened_at,holder,last_voice_at,complaints,recycled,mvno\n" +
			pad + "13800138001" + pad + ",2024-03-01" + pad + "," + pad + "h-1" + pad + "," + pad + "2026-10-29" + pad + "," +
			pad + "2" + pad + "," + pad + "TRUE" + pad + "," + pad + "蜗牛移动" + pad + "\n"
		jpad := strings.ReplaceAll(pad, "\t", `\t`)
		js := `{"msisdn":"` + jpad + `13800138001","opened_at":"2024-03-01` + jpad + `","holder":"h-1` + jpad +
			`","last_voice_at":"` + jpad + `2026-10-29` + jpad + `","complaints":2,"recycled":true,"mvno":"蜗牛移动` + jpad + `"}` + "\n"
		for f, src := range map[datasets.Format]string{datasets.CSV: csv, datasets.JSONL: js} {
			loaded, err := datasets.Read(strings.NewReader(src), f, asOf)
			require.NoError(t, err)
			require.Empty(t, loaded.Rejects, "%s %q", f, src)
			r := loaded.Records[0]
			require.Equal(t, "h-1", r.Holder)
			require.Equal(t, "蜗牛移动", r.MVNO)
			require.Equal(t, "2026-10-29", r.LastVoiceAt.String())
			require.Equal(t, 2, r.Complaints)
		}
	}
}

// Column and key names that hold numbers are shown masked, in warnings and
// in strict reading's error.
func TestUnknownNamesMasked(t *testing.T) {
	var warnings []string
	run, err := runCase(t, "csv-number-column-name.csv", datasets.WithWarnings(func(w datasets.Warning) { warnings = append(warnings, w.String()) }))
	require.NoError(t, err)
	require.Equal(t, 1, run.sum.Decisions)
	require.Len(t, warnings, 1)
	require.Contains(t, warnings[0], "line 1: unknown column (ignored) ")
	require.NotContains(t, warnings[0], "0013")
	_, err = runCase(t, "csv-number-column-name.csv", datasets.WithStrict())
	require.ErrorIs(t, err, datasets.ErrUnknownField)
	require.NotContains(t, err.Error(), "0013")

	for _, key := range []string{"110105_19491231_002X", "138.0013.8000", "138/0013/8000", "id 110105 1949"} {
		src := `{"msisdn":"13800138001","opened_at":"2024-03-01","iot":{"` + key + `":true},"` + key + `":1}` + "\n"
		warnings = nil
		loaded, err := datasets.Read(strings.NewReader(src), datasets.JSONL, asOf, datasets.WithWarnings(func(w datasets.Warning) { warnings = append(warnings, w.String()) }))
		require.NoError(t, err)
		require.Len(t, loaded.Records, 1)
		require.Len(t, warnings, 2)
		_, err = datasets.Read(strings.NewReader(src), datasets.JSONL, asOf, datasets.WithStrict())
		require.ErrorIs(t, err, datasets.ErrUnknownField)
		for _, msg := range append(warnings, err.Error()) {
			require.NotRegexp(t, `0013|1949|\d{7}`, msg)
		}
	}
}

var longDigits = regexp.MustCompile(`\d[\d.eE+-]{5,}\d`)

// JSON numbers of the wrong type or size are quoted only by their ends,
// whatever the field and the number's spelling.
func TestCaseJSONNumberValuesMasked(t *testing.T) {
	run, err := runCase(t, "jsonl-number-values.jsonl")
	require.NoError(t, err)
	reasons := map[int]string{}
	for _, r := range run.rejects {
		reasons[r.Line] = r.Reason
		require.NotRegexp(t, longDigits, r.Reason, "line %d", r.Line)
	}
	require.Equal(t, `complaints: want an integer, got number "13….0"`, reasons[1])
	require.Equal(t, `alerts_30d: want an integer, got number "13…e1"`, reasons[4])
	require.Equal(t, `recycled: want true or false, got number "13…05"`, reasons[3])
}

// What the library shows in Chinese for an enumerated value
// (risk.DisplayName) reads back as that value: an export made from simrisk's own
// Chinese output (状态 已停机) is read without an alias file.
func TestDisplayNamesReadBack(t *testing.T) {
	for field, values := range map[string][]string{"operator": risk.Operators(), "status": risk.Statuses(), "kind": risk.Kinds(), "fraud_flag": risk.FraudFlags()} {
		for _, v := range values {
			for _, lang := range []string{"zh"} {
				name := risk.DisplayName(v, lang)
				msisdn := "13800138001"
				if field == "kind" && v != "mobile" {
					continue // a kind must match the number's segment
				}
				js := `{"msisdn":"` + msisdn + `","opened_at":"2024-03-01","` + field + `":"` + name + `"}` + "\n"
				loaded, err := datasets.Read(strings.NewReader(js), datasets.JSONL, asOf)
				require.NoError(t, err)
				require.Empty(t, loaded.Rejects, "%s %s %q", field, lang, name)
				r := loaded.Records[0]
				got := map[string]string{"operator": r.Operator, "status": r.Status, "kind": r.Kind, "fraud_flag": r.FraudFlag}[field]
				require.Equal(t, v, got, "%s %s %q", field, lang, name)
			}
		}
	}
}

// ScoreFile refuses an as-of time outside risk.MinAsOf .. risk.MaxAsOf
// before reading anything, naming the option and the limits.
func TestScoreFileAsOfOutOfRange(t *testing.T) {
	opened := 0
	open := func() (io.ReadCloser, error) {
		opened++
		return io.NopCloser(strings.NewReader(`{"msisdn":"13800138000","opened_at":"2024-03-01"}` + "\n")), nil
	}
	_, err := datasets.ScoreFile(context.Background(), engine(t), open, datasets.ScoreOptions{AsOf: risk.MaxAsOf + 1})
	require.ErrorIs(t, err, risk.ErrAsOfRange)
	require.ErrorContains(t, err, "datasets: ScoreOptions.AsOf: as-of time out of range: 10000-01-01T00:00:00+08:00 is outside")
	require.Zero(t, opened)
	sum, err := datasets.ScoreFile(context.Background(), engine(t), open, datasets.ScoreOptions{AsOf: risk.MaxAsOf})
	require.NoError(t, err)
	require.Equal(t, 1, sum.Decisions)
}
