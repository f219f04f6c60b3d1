package datasets_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
	"golang.org/x/text/unicode/norm"

	"github.com/simrisk/simrisk/datasets"
)

// caseRun is one record case file scored with the default pack, as
// `simrisk score --as-of 2026-11-01 --in FILE` does.
type caseRun struct {
	sum       *datasets.Summary
	decisions []map[string]any
	rejects   []datasets.Reject
	raw       string // decisions and rejects as written
	stream    []byte // the decision stream alone
}

func scoreCase(t *testing.T, name string, opts ...datasets.ReadOption) caseRun {
	t.Helper()
	run, err := runCase(t, name, opts...)
	require.NoError(t, err)
	return run
}

// runCase scores testdata/cases/NAME with ScoreFile and checks what every
// run must hold: records = decisions + rejects, each written, and a UTF-8
// decision stream.
func runCase(t *testing.T, name string, opts ...datasets.ReadOption) (caseRun, error) {
	t.Helper()
	path := filepath.Join("testdata", "cases", name)
	var dec, rej bytes.Buffer
	sum, err := datasets.ScoreFile(context.Background(), engine(t), func() (io.ReadCloser, error) { return os.Open(path) },
		datasets.ScoreOptions{AsOf: asOf, Format: datasets.FormatOf(path), Read: opts, Decisions: &dec, Rejects: &rej})
	if err != nil {
		return caseRun{}, err
	}
	run := caseRun{sum: sum, raw: dec.String() + rej.String(), stream: dec.Bytes()}
	for _, l := range strings.Split(strings.TrimSpace(dec.String()), "\n") {
		if l == "" {
			continue
		}
		var d map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &d))
		run.decisions = append(run.decisions, d)
	}
	for _, l := range strings.Split(strings.TrimSpace(rej.String()), "\n") {
		if l == "" {
			continue
		}
		var r datasets.Reject
		require.NoError(t, json.Unmarshal([]byte(l), &r))
		run.rejects = append(run.rejects, r)
	}
	require.Equal(t, sum.Records, sum.Decisions+sum.Rejects)
	require.Equal(t, sum.Decisions, len(run.decisions))
	require.Equal(t, sum.Rejects, len(run.rejects))
	require.True(t, utf8.Valid(dec.Bytes()), "the decision stream is UTF-8")
	return run, nil
}

func caseKey(t *testing.T) datasets.ReadOption {
	key, err := os.ReadFile(filepath.Join("testdata", "cases", "id.key"))
	require.NoError(t, err)
	return datasets.WithIDKey(bytes.TrimSpace(key))
}

func fired(d map[string]any, rule string) bool {
	hits, _ := d["hits"].([]any)
	for _, h := range hits {
		if h.(map[string]any)["rule"] == rule {
			return true
		}
	}
	return false
}

// records/README.md, jsonl-id-with-spaces.jsonl: a raw ID number in any
// spelling gets the key of its plain form: one person's six cards are one
// holder, and 一证五卡 fires; without a key every such record is rejected.
func TestCaseIDWithSpaces(t *testing.T) {
	run := scoreCase(t, "jsonl-id-with-spaces.jsonl", caseKey(t))
	require.Len(t, run.decisions, 6)
	require.Equal(t, 1, run.sum.Holders)
	for _, d := range run.decisions {
		require.True(t, fired(d, "multi_card_id"), "一证五卡 on %v", d["msisdn"])
	}
	run = scoreCase(t, "jsonl-id-with-spaces.jsonl")
	require.Empty(t, run.decisions)
	require.Len(t, run.rejects, 6)
	for _, r := range run.rejects {
		require.Contains(t, r.Reason, "holder: is a raw ID number (110105********002X)")
	}
}

// Every spelling of one ID number is one holder key.
func TestIDKeyEverySpelling(t *testing.T) {
	var src strings.Builder
	for i, h := range []string{"11010519491231002X", "110105 19491231 002x", "110105-19491231-002X",
		"１１０１０５１９４９１２３１００２ｘ", "ID:11010519491231002X", "ID：110105 19491231 002X", "身份证：11010519491231002x",
		"身份证号: 110105-1949-1231-002X", "110105491231002"} {
		src.WriteString(`{"msisdn":"1380013800` + string(rune('0'+i)) + `","opened_at":"2024-03-01","holder":` + strings.TrimSpace(mustJSON(h)) + "}\n")
	}
	l, err := datasets.Read(strings.NewReader(src.String()), datasets.JSONL, asOf, datasets.WithIDKey([]byte("a secret key of 32 bytes, really")))
	require.NoError(t, err)
	require.Empty(t, l.Rejects)
	require.Len(t, l.Records, 9)
	for _, r := range l.Records {
		require.Equal(t, l.Records[0].Holder, r.Holder)
	}
}

func mustJSON(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// records/README.md, csv-excel-sci-holder.csv: a holder or msisdn that a
// spreadsheet turned into scientific notation is rejected, saying to export
// the column as text; no card is flagged 一证五卡 on a lost key.
func TestCaseExcelSciHolder(t *testing.T) {
	run := scoreCase(t, "csv-excel-sci-holder.csv", caseKey(t))
	require.Empty(t, run.decisions)
	require.Len(t, run.rejects, 7)
	for i, r := range run.rejects {
		field := "holder"
		if i == 6 {
			field = "msisdn"
		}
		require.True(t, strings.HasPrefix(r.Reason, field+": "), r.Reason)
		require.Contains(t, r.Reason, "scientific notation")
		require.Contains(t, r.Reason, "export the column as text")
	}
}

// records/README.md, segments-1064-174.jsonl: 1064x IoT numbers are in the
// table; a record that states its operator is scored whatever its segment;
// an unknown segment with neither operator nor kind is rejected naming
// only its masked prefix.
func TestCaseSegments1064And174(t *testing.T) {
	run := scoreCase(t, "segments-1064-174.jsonl")
	require.Len(t, run.decisions, 9)
	require.Len(t, run.rejects, 1)
	require.Equal(t, 4, run.rejects[0].Line)
	require.Contains(t, run.rejects[0].Reason, "no known 11-digit number segment starts 174…")
	require.NotContains(t, run.rejects[0].Reason, "1749")
	require.Equal(t, "1064800000001", run.decisions[0]["msisdn"])
	require.Equal(t, "1064600000001", run.decisions[1]["msisdn"])
	require.Equal(t, "17400000001", run.decisions[2]["msisdn"])
	// the 10646 card is unicom IoT by the table: its non-directed data is
	// judged by the IoT rules
	require.True(t, fired(run.decisions[1], "iot_nondirected_data"), "%v", run.decisions[1])
}

// A canonical number is written in the decision whatever the spelling read.
func TestDecisionHasCanonicalMSISDN(t *testing.T) {
	src := `{"msisdn":"+86 138-0013-8000","opened_at":"2024-03-01","holder":"h-1"}
{"msisdn":"１３９００１３９０００","opened_at":"2024-03-01","holder":"h-1"}
`
	var dec bytes.Buffer
	sum, err := datasets.ScoreFile(context.Background(), engine(t), func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(src)), nil },
		datasets.ScoreOptions{AsOf: asOf, Decisions: &dec})
	require.NoError(t, err)
	require.Equal(t, 2, sum.Decisions)
	require.Contains(t, dec.String(), `"msisdn":"13800138000"`)
	require.Contains(t, dec.String(), `"msisdn":"13900139000"`)
}

// records/README.md, pii-reject-reasons.jsonl: every reason masks numbers
// and IDs whatever their spelling and never splits a UTF-8 character; the
// number written in full-width digits is the card 13800138000.
func TestCasePIIRejectReasons(t *testing.T) {
	run := scoreCase(t, "pii-reject-reasons.jsonl")
	require.Len(t, run.rejects, 3)
	require.Len(t, run.decisions, 1)
	require.Equal(t, "13800138000", run.decisions[0]["msisdn"])
	require.Equal(t, `operator: unknown operator "13…00" (want cmcc, unicom, telecom or broadnet)`, run.rejects[0].Reason)
	require.Equal(t, `fraud_flag: unknown source "１３…００" (want police, miit or operator)`, run.rejects[1].Reason)
	require.Equal(t, `open_region: "13…00" is not an ISO 3166 alpha-2 or 6-digit GB/T 2260 code`, run.rejects[2].Reason)
	for _, r := range run.rejects {
		require.True(t, utf8.ValidString(r.Reason))
		require.NotContains(t, normalised(r.Reason), "13800138000")
	}
}

// normalised is text as a leak scan reads it: NFKC, without spaces and
// dashes.
func normalised(s string) string {
	s = norm.NFKC.String(s)
	return strings.NewReplacer(" ", "", "-", "", "\t", "").Replace(s)
}

// Rejects mask whatever error produced them: a value in the wrong CSV
// column, a date that is not one, is quoted only by its first and last two
// characters.
func TestRejectsMaskWrongValues(t *testing.T) {
	_, rejects := readCSV(t, "msisdn,opened_at,complaints,recycled,holder\n"+
		"13800138000,110105 19491231 002X,,,h-1\n"+
		"13800138000,2024-03-01,１３８００１３８０００,,h-1\n"+
		"13800138000,2024-03-01,,11010519491231002X,h-1\n"+
		"13800138000,2024-03-01,,,ID：110105-19491231-002x\n")
	require.Len(t, rejects, 4)
	require.Equal(t, `opened_at: "11…2X" is not a date (want YYYY-MM-DD or YYYY/MM/DD, either with HH:MM:SS in China Standard Time, or an RFC 3339 timestamp)`, rejects[0].Reason)
	require.Contains(t, rejects[1].Reason, `complaints: want an integer, got "１３…００"`)
	require.Contains(t, rejects[2].Reason, `recycled: want true or false (or TRUE, FALSE, 1, 0), got "11…2X"`)
	require.Contains(t, rejects[3].Reason, `holder: is a raw ID number (110105********002X)`)
	for _, r := range rejects {
		n := normalised(r.Error())
		require.NotContains(t, n, "11010519491231002X")
		require.NotContains(t, n, "13800138000")
	}
}

// ScoreFile: one card, one count; the earlier record is rejected as
// superseded, and records = decisions + rejects holds.
func TestScoreFileDuplicates(t *testing.T) {
	src := `{"msisdn":"13800138000","opened_at":"2024-03-01","holder":"h-1"}
{"msisdn":"13900139000","opened_at":"2024-03-01","holder":"h-2"}
{"msisdn":"+86 138 0013 8000","opened_at":"2024-03-01","holder":"h-1","fraud_flag":"police"}
{"msisdn":"13800138000","opened_at":"2024-03-01","status":"lost"}
`
	var dec, rej bytes.Buffer
	sum, err := datasets.ScoreFile(context.Background(), engine(t), func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(src)), nil },
		datasets.ScoreOptions{AsOf: asOf, Decisions: &dec, Rejects: &rej})
	require.NoError(t, err)
	require.Equal(t, 4, sum.Records)
	require.Equal(t, 2, sum.Decisions)
	require.Equal(t, 2, sum.Rejects)
	require.Equal(t, 1, sum.Superseded)
	require.Equal(t, []datasets.Duplicate{{MSISDN: "138****8000", Lines: []int{1, 3}}}, sum.Duplicates)
	require.Equal(t, 2, sum.Holders)
	require.Len(t, sum.FirstRejects, 2)
	require.Equal(t, 1, sum.FirstRejects[0].Line)
	require.Contains(t, sum.FirstRejects[0].Reason, "duplicate of line 3")
	require.Contains(t, dec.String(), `"msisdn":"13800138000","score":85`, "the later state decides")

	l, err := datasets.Read(strings.NewReader(src), datasets.JSONL, asOf)
	require.NoError(t, err)
	require.Len(t, l.Records, 2)
	require.Equal(t, "police", l.Records[1].FraudFlag)
	require.Equal(t, []int{1, 4}, []int{l.Rejects[0].Line, l.Rejects[1].Line})
	require.Equal(t, 1, l.Superseded)
}

func TestCheckOutputs(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.jsonl")
	require.NoError(t, os.WriteFile(in, []byte("{}\n"), 0o644))
	require.NoError(t, datasets.CheckOutputs([]string{in, "-", ""}, []string{filepath.Join(dir, "a"), filepath.Join(dir, "b"), "-", "-"}))
	require.ErrorContains(t, datasets.CheckOutputs([]string{in}, []string{in}), "is the input")
	require.ErrorContains(t, datasets.CheckOutputs(nil, []string{filepath.Join(dir, "a"), filepath.Join(dir, "sub", "..", "a")}), "are the same file")
	require.NoError(t, os.Symlink(dir, filepath.Join(dir, "alias")))
	require.ErrorContains(t, datasets.CheckOutputs([]string{in}, []string{filepath.Join(dir, "alias", "in.jsonl")}), "is the input")
	require.ErrorContains(t, datasets.CheckOutputs(nil, []string{filepath.Join(dir, "new"), filepath.Join(dir, "alias", "new")}), "are the same file")
}

func TestOutputFile(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "out.jsonl")
	f, err := datasets.CreateOutput(name)
	require.NoError(t, err)
	_, err = f.WriteString("half")
	require.NoError(t, err)
	_, err = os.Stat(name)
	require.True(t, os.IsNotExist(err), "nothing under the name until Commit")
	f.Abort()
	entries, _ := os.ReadDir(dir)
	require.Empty(t, entries)

	f, err = datasets.CreateOutput(name)
	require.NoError(t, err)
	_, err = f.WriteString("whole\n")
	require.NoError(t, err)
	require.NoError(t, f.Commit())
	b, err := os.ReadFile(name)
	require.NoError(t, err)
	require.Equal(t, "whole\n", string(b))
	require.Error(t, f.Commit())
	entries, _ = os.ReadDir(dir)
	require.Len(t, entries, 1)
}

// Issue 14 review, finding 5: gen --stats on a file without one valid
// record prints a report (no panic, no empty date); a card listed eight
// times is one card, in its last record's state.
func TestStatsNoValidRecordAndDuplicates(t *testing.T) {
	for _, src := range []string{"", "not json\n", `{"msisdn":"1"}` + "\n"} {
		st, err := datasets.ComputeStats(datasets.NewReader(strings.NewReader(src), 0), 0)
		require.NoError(t, err)
		var b strings.Builder
		require.NotPanics(t, func() { st.Format(&b) })
		require.Contains(t, b.String(), "holders with valid cards 0, judged as of -\n")
	}
	var src strings.Builder
	for i := 0; i < 7; i++ {
		src.WriteString(`{"msisdn":"13800138000","opened_at":"2024-03-01","holder":"h-1","status":"cancelled"}` + "\n")
	}
	src.WriteString(`{"msisdn":"138 0013 8000","opened_at":"2024-03-01","holder":"h-1","last_voice_at":"2026-10-30"}` + "\n")
	st, err := datasets.ComputeStats(datasets.NewReader(strings.NewReader(src.String()), 0), 0)
	require.NoError(t, err)
	require.Equal(t, 1, st.Cards)
	require.Equal(t, 0, st.Cancelled, "the last record's state: active")
	require.Equal(t, 1, st.Holders)
	require.Equal(t, 1, st.HolderHist["1"])
}
