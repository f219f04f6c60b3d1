package datasets

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/rules"
)

var pipeAsOf = risk.Date(2026, 11, 1)

// messyFile makes a generated file of n cards in format f with what real
// files have: rejects of several kinds (bad JSON or CSV, bad values, an
// over-long line), cards listed twice or three times (the later record
// changed), blank lines, byte order marks at the start and inside, CRLF
// line ends. It returns the file.
func messyFile(t testing.TB, f Format, n int, seed uint64) []byte {
	var buf bytes.Buffer
	require.NoError(t, GenerateTo(&buf, f, GenOptions{Cards: n, Seed: seed, AsOf: pipeAsOf}, nil))
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	head := []string{}
	if f == CSV {
		head, lines = lines[:1], lines[1:]
	}
	rng := rand.New(rand.NewPCG(seed, 99))
	var out []string
	for i, l := range lines {
		switch rng.IntN(40) {
		case 0: // a broken line
			if f == CSV {
				l = `"` + l
			} else {
				l = l[:len(l)/2]
			}
		case 1: // a bad value
			l = strings.Replace(l, "2026-", "2026/13/", 1)
		case 2:
			out = append(out, "", "  \u3000")
		case 3: // the card again, later, changed
			j := min(len(lines)-1, i+1+rng.IntN(50))
			lines[j] = l
			if f == JSONL {
				lines[j] = strings.Replace(l, `"status":"active"`, `"status":"suspended"`, 1)
			}
		case 4:
			l = "\ufeff" + l
		case 5:
			if f == CSV {
				out = append(out, head...) // a part's header again
			}
		}
		out = append(out, l)
	}
	out = append(out, strings.Repeat("x", MaxLineBytes+10))
	text := strings.Join(append(head, out...), "\r\n")
	return append([]byte("\ufeff"), text...)
}

type pipeResult struct {
	decisions, rejects []byte
	sum                *Summary
	err                error
}

func scoreBytes(t testing.TB, eng *risk.Engine, data []byte, f Format, workers int, opts ...ReadOption) pipeResult {
	return scoreWith(eng, data, ScoreOptions{Format: f, Read: opts, Workers: workers})
}

func scoreWith(eng *risk.Engine, data []byte, o ScoreOptions) pipeResult {
	var dec, rej bytes.Buffer
	open := func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
	o.AsOf, o.Decisions, o.Rejects = pipeAsOf, &dec, &rej
	sum, err := ScoreFile(context.Background(), eng, open, o)
	return pipeResult{dec.Bytes(), rej.Bytes(), sum, err}
}

func defaultEngine(t testing.TB) *risk.Engine {
	rs, err := rules.Pack("default")
	require.NoError(t, err)
	eng, err := risk.Compile(rs)
	require.NoError(t, err)
	return eng
}

func summaryJSON(t testing.TB, s *Summary) string {
	b, err := json.Marshal(s)
	require.NoError(t, err)
	return string(b)
}

// ScoreFile on many workers, the file cut into many small chunks that
// finish out of order, writes the same bytes and the same summary as one
// worker reading it in one chunk; records = decisions + rejects, and every
// line the file has is a decision, a reject, blank or a header.
func TestScoreFileParallelSameAsOneWorker(t *testing.T) {
	eng := defaultEngine(t)
	for _, f := range []Format{JSONL, CSV} {
		t.Run(string(f), func(t *testing.T) {
			data := messyFile(t, f, 3000, 5)
			defer func(n int) { chunkBytes = n }(chunkBytes)
			chunkBytes = 1 << 30
			one := scoreBytes(t, eng, data, f, 1)
			require.NoError(t, one.err)
			chunkBytes = 2000
			many := scoreBytes(t, eng, data, f, 5)
			require.NoError(t, many.err)

			require.Equal(t, one.decisions, many.decisions)
			require.Equal(t, one.rejects, many.rejects)
			require.Equal(t, summaryJSON(t, one.sum), summaryJSON(t, many.sum))

			s := many.sum
			require.Equal(t, s.Records, s.Decisions+s.Rejects)
			require.Equal(t, s.Decisions, bytes.Count(many.decisions, []byte("\n")))
			require.Equal(t, s.Rejects, bytes.Count(many.rejects, []byte("\n")))
			require.Greater(t, s.Rejects, 100, "the file has rejects of every kind")
			require.Greater(t, s.Superseded, 20, "the file has cards listed twice")
			require.Contains(t, string(many.rejects), "(duplicate of line ")
			require.Contains(t, string(many.rejects), "MaxLineBytes")
			require.Len(t, s.FirstRejects, MaxFirstRejects)
			// rejects come in line order, each with its line
			last := 0
			for _, l := range bytes.Split(bytes.TrimSuffix(many.rejects, []byte("\n")), []byte("\n")) {
				var r Reject
				require.NoError(t, json.Unmarshal(l, &r))
				require.Greater(t, r.Line, last)
				last = r.Line
			}
		})
	}
}

// The decisions' other forms (CSV, with lines, only the flagged ones) are
// the same bytes on many workers as on one too.
func TestScoreFileParallelSameDecisionForms(t *testing.T) {
	eng := defaultEngine(t)
	data := messyFile(t, JSONL, 2000, 6)
	defer func(n int) { chunkBytes = n }(chunkBytes)
	for _, o := range []ScoreOptions{{DecisionFormat: CSV}, {Lines: true}, {Lines: true, OnlyFlagged: true}, {DecisionFormat: CSV, OnlyFlagged: true}} {
		chunkBytes = 1 << 30
		o.Workers = 1
		one := scoreWith(eng, data, o)
		require.NoError(t, one.err)
		chunkBytes = 900
		o.Workers = 4
		many := scoreWith(eng, data, o)
		require.NoError(t, many.err)
		require.Equal(t, string(one.decisions), string(many.decisions), "%+v", o)
		require.Equal(t, one.rejects, many.rejects)
		n := bytes.Count(many.decisions, []byte("\n"))
		if o.DecisionFormat == CSV {
			n-- // the header
			require.True(t, bytes.HasPrefix(many.decisions, []byte(strings.Join(decisionColumns, ",")+"\n")))
		}
		if o.OnlyFlagged {
			require.Equal(t, many.sum.Decisions-many.sum.ByOutcome["pass"], n)
		} else {
			require.Equal(t, many.sum.Decisions, n)
		}
	}
}

// A file that stops being UTF-8, or a strict reading of an unknown key,
// fails the run the same way on many workers as on one, at the same line,
// with nothing written when it fails in the first pass.
func TestScoreFileParallelFailsAtTheSameLine(t *testing.T) {
	eng := defaultEngine(t)
	data := messyFile(t, JSONL, 2000, 8)
	lines := bytes.Split(data, []byte("\r\n"))
	bad := bytes.Clone(data)
	at := bytes.Index(bad, lines[1500])
	bad[at+3] = 0xff
	defer func(n int) { chunkBytes = n }(chunkBytes)
	chunkBytes = 1500
	var errs []string
	for _, w := range []int{1, 4} {
		r := scoreBytes(t, eng, bad, JSONL, w)
		require.True(t, errors.Is(r.err, ErrNotUTF8), "%v", r.err)
		require.Empty(t, r.decisions)
		require.Empty(t, r.rejects)
		errs = append(errs, r.err.Error())
	}
	require.Equal(t, errs[0], errs[1])
	require.Contains(t, errs[0], "line 1501:")

	strict := bytes.Replace(data, lines[1200], append(bytes.TrimSuffix(lines[1200], []byte("}")), `,"alert_30d":1}`...), 1)
	errs = errs[:0]
	var warned []string
	for _, w := range []int{1, 4} {
		r := scoreBytes(t, eng, strict, JSONL, w, WithStrict())
		require.True(t, errors.Is(r.err, ErrUnknownField), "%v", r.err)
		require.Empty(t, r.decisions)
		errs = append(errs, r.err.Error())
		var ws []string
		r = scoreBytes(t, eng, strict, JSONL, w, WithWarnings(func(w Warning) { ws = append(ws, w.String()) }))
		require.NoError(t, r.err)
		warned = append(warned, fmt.Sprint(ws))
	}
	require.Equal(t, errs[0], errs[1])
	require.Contains(t, errs[0], "line 1201:")
	require.Equal(t, warned[0], warned[1])
	require.Contains(t, warned[0], "line 1201: unknown key (ignored) alert_30d: did you mean alerts_30d?")
}

// A cancelled run stops with the context's error, on every worker count.
func TestScoreFileParallelCancelled(t *testing.T) {
	eng := defaultEngine(t)
	data := messyFile(t, JSONL, 2000, 3)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	open := func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
	for _, w := range []int{1, 3} {
		_, err := ScoreFile(ctx, eng, open, ScoreOptions{AsOf: pipeAsOf, Workers: w})
		require.ErrorIs(t, err, context.Canceled)
	}
}

// opaque hides a writer's type: ScoreFile cannot rewind it, so it scores
// with two whole decodes from the start.
type opaque struct{ io.Writer }

// The population pass that reads only the population's fields gives the
// bytes the exact way (two whole decodes) gives: on a clean file with
// cards listed twice without falling back; on files whose records are bad
// in other fields (which it counted and the scoring pass rejects) by
// falling back to the exact way; and on records whose population fields
// are bad, escaped, null or of the wrong type, in any case of the keys.
func TestScoreFileLitePopulationPassSameBytes(t *testing.T) {
	eng := defaultEngine(t)
	var buf bytes.Buffer
	require.NoError(t, GenerateTo(&buf, JSONL, GenOptions{Cards: 3000, Seed: 9, AsOf: pipeAsOf}, nil))
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	for i := 0; i < len(lines); i += 97 { // the card again, later
		lines = append(lines, strings.Replace(lines[i], `"status":"active"`, `"status":"suspended"`, 1))
	}
	clean := []byte(strings.Join(lines, "\n"))
	odd := []string{
		`{"MSISDN":"13800138000","Operator":"cmcc","status":"active","opened_at":"2024-01-02","holder":"hk-odd1"}`,
		`{"msisdn":"+86 138 0013 8001","operator":"移动","status":"正常","opened_at":"2024/1/2","holder":" hk-odd1 "}`,
		`{"msisdn":"1380013800\u0032","status":"active","opened_at":"2024-01-02","holder":"hk-odd1"}`,
		`{"msisdn":"13800138003","status":"active","opened_at":"2024-01-02","holder":null}`,
		`{"msisdn":13800138004,"status":"active","opened_at":"2024-01-02","holder":"hk-odd1"}`,
		`{"msisdn":"13800138005","status":"active","opened_at":"2024-13-02","holder":"hk-odd1"}`,
		`{"msisdn":"13800138006","status":"lost","opened_at":"2024-01-02","holder":"hk-odd1"}`,
		`{"msisdn":"13800138007","msisdn":"13800138008","status":"active","opened_at":"2024-01-02","holder":"hk-odd1"}`,
		`{"msisdn":"13800138009","status":"active","opened_at":"2024-01-02","holder":"hk-odd1","iot":{"a":[1,{"b":"}"}]}}`,
		`{"msisdn":"13800138010","status":"cancelled","opened_at":"2024-01-02","holder":"hk-odd1"}`,
		`{"msisdn":"13800138000","status":"active","opened_at":"2024-01-02","holder":"hk-odd1"}`,
		`{"msisdn":"13800138011","status":"active","opened_at":"2024-01-02","holder":"11010519491231002X"}`,
		`{"msisdn":"13800138012","status":"active","opened_at":"2024-01-02","holder":"hk-odd1"`,
		`[1,2]`,
	}
	oddFile := append(bytes.Clone(clean), ("\n" + strings.Join(odd, "\n"))...)
	for _, c := range []struct {
		name     string
		data     []byte
		fallback bool
	}{
		{"clean", clean, false},
		{"odd population fields", oddFile, false},
		{"bad other fields", messyFile(t, JSONL, 3000, 4), false},
		{"rejects in fields besides the population's", append(bytes.Clone(clean), ("\n" + strings.Join(otherRejects, "\n"))...), false},
		{"values the fast path leaves to the whole decoder", append(bytes.Clone(clean), ("\n" + strings.Join(wholeLines, "\n"))...), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			var dec, rej bytes.Buffer
			open := func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(c.data)), nil }
			exact, err := ScoreFile(context.Background(), eng, open, ScoreOptions{AsOf: pipeAsOf, Decisions: opaque{&dec}, Rejects: opaque{&rej}, Lines: true})
			require.NoError(t, err)
			before, passes := liteFallbacks.Load(), passesRun.Load()
			lite := scoreWith(eng, c.data, ScoreOptions{Lines: true})
			require.NoError(t, lite.err)
			require.Equal(t, c.fallback, liteFallbacks.Load() > before)
			if !c.fallback {
				want := 2 // population, scoring
				if exact.Superseded > 0 {
					want++ // the population again without the superseded cards
				}
				require.EqualValues(t, want, passesRun.Load()-passes, "passes over the file")
			}
			require.Equal(t, dec.String(), string(lite.decisions))
			require.Equal(t, rej.String(), string(lite.rejects))
			require.Equal(t, summaryJSON(t, exact), summaryJSON(t, lite.sum))
			require.Positive(t, exact.Superseded)
		})
	}
}

// otherRejects are records whose population fields are fine, each
// rejected by decoding or Validate for one other field: the population
// pass must judge them invalid too (and not score the file again).
var otherRejects = []string{
	// dates before opened_at's day (checkOrder), a release after it
	`{"msisdn":"13800138020","status":"active","opened_at":"2024-01-02","holder":"hk-o","last_voice_at":"2024-01-01"}`,
	`{"msisdn":"13800138021","status":"active","opened_at":"2024-01-02","holder":"hk-o","last_sms_at":"2023-12-31T23:00:00+08:00"}`,
	`{"msisdn":"13800138022","status":"active","opened_at":"2024-01-02","holder":"hk-o","last_data_at":"2020-01-01"}`,
	`{"msisdn":"13800138023","status":"active","opened_at":"2024-01-02","holder":"hk-o","last_attach_at":"2023-01-01"}`,
	`{"msisdn":"13800138024","status":"active","opened_at":"2024-01-02","holder":"hk-o","verify_required_at":"2023-01-01"}`,
	`{"msisdn":"13800138025","status":"active","opened_at":"2024-01-02","holder":"hk-o","verified_at":"2023-01-01"}`,
	`{"msisdn":"13800138026","status":"active","opened_at":"2024-01-02","holder":"hk-o","released_at":"2024-01-03"}`,
	`{"msisdn":"13800138027","status":"active","opened_at":"2024-01-02","holder":"hk-o","roaming":[{"region":"HK","last_seen":"2024-01-05"},{"region":"MO","last_seen":"2023-01-01"}]}`,
	// a date after the as-of time, before 1980, not a date
	`{"msisdn":"13800138028","status":"active","opened_at":"2024-01-02","holder":"hk-o","last_voice_at":"2030-01-01"}`,
	`{"msisdn":"13800138029","status":"active","opened_at":"2024-01-02","holder":"hk-o","verified_at":"1970-01-01"}`,
	`{"msisdn":"13800138030","status":"active","opened_at":"2024-01-02","holder":"hk-o","released_at":"2024-02-30"}`,
	// the other checked fields
	`{"msisdn":"13800138031","status":"active","opened_at":"2024-01-02","holder":"hk-o","iccid":"8986"}`,
	`{"msisdn":"13800138032","status":"active","opened_at":"2024-01-02","holder":"hk-o","id_region":"999999"}`,
	`{"msisdn":"13800138033","status":"active","opened_at":"2024-01-02","holder":"hk-o","open_region":"ZZZ"}`,
	`{"msisdn":"13800138034","status":"active","opened_at":"2024-01-02","holder":"hk-o","fraud_flag":"neighbour"}`,
	`{"msisdn":"13800138035","status":"active","opened_at":"2024-01-02","holder":"hk-o","complaints":-1}`,
	`{"msisdn":"13800138036","status":"active","opened_at":"2024-01-02","holder":"hk-o","alerts_30d":-2}`,
	`{"msisdn":"13800138037","status":"active","opened_at":"2024-01-02","holder":"hk-o","roaming":[{"region":"XX1","last_seen":"2024-01-05"}]}`,
	`{"msisdn":"13800138038","status":"active","opened_at":"2024-01-02","holder":"hk-o","roaming":[{"region":"HK","last_seen":"2030-01-05"}]}`,
	`{"msisdn":"13800138039","status":"active","opened_at":"2024-01-02","holder":"hk-o","linked_platforms":["jd",""]}`,
	`{"msisdn":"13800138040","status":"active","opened_at":"2024-01-02","holder":"hk-o","linked_platforms":["` + strings.Repeat("x", 65) + `"]}`,
	`{"msisdn":"13800138041","status":"active","opened_at":"2024-01-02","holder":"hk-o","linked_platforms":[` + strings.Repeat(`"a",`, 32) + `"a"]}`,
	`{"msisdn":"13800138042","status":"active","opened_at":"2024-01-02","holder":"hk-o","roaming":[` + strings.Repeat(`{"region":"HK","last_seen":"2024-01-05"},`, 256) + `{"region":"HK","last_seen":"2024-01-05"}]}`,
	`{"msisdn":"13800138043","status":"active","opened_at":"2024-01-02","holder":"hk-o","iot":{"business":"lend"}}`,
	`{"msisdn":"13800138047","status":"active","opened_at":"2024-01-02","holder":"hk-o","iot":{"test_plan":true,"business":"lend","handler_verified":false}}`,
	`{"msisdn":"13800138048","status":"active","opened_at":"2024-01-02","holder":"hk-o","iot":{"test_plan":"yes","business":"new"}}`,
	`{"msisdn":"13800138044","status":"active","opened_at":"2024-01-02","holder":"hk-o","complaints":1.5}`,
	`{"msisdn":"13800138045","status":"active","opened_at":"2024-01-02","holder":"hk-o","renewed":1}`,
	// counts with a leading zero are not JSON (the population pass read 01 as 1)
	`{"msisdn":"13800138049","status":"active","opened_at":"2024-01-02","holder":"hk-o","complaints":01}`,
	`{"msisdn":"13800138050","status":"active","opened_at":"2024-01-02","holder":"hk-o","alerts_30d":-00}`,
	// and fine ones beside them: events on opened_at's day, an earlier release
	`{"msisdn":"13800138046","status":"active","opened_at":"2024-01-02T10:00:00+08:00","holder":"hk-o","last_voice_at":"2024-01-02","released_at":"2023-05-01","roaming":[{"region":"HK","last_seen":"2024-01-02"}],"linked_platforms":["jd"],"iot":{},"recycled":true,"renewed":false,"complaints":0}`,
}

// wholeLines have values the population pass does not read (it decodes
// these lines whole).
var wholeLines = []string{
	`{"msisdn":"13800138050","status":"active","opened_at":"2024-01-02","holder":"hk-w","recycled":"yes"}`,
	`{"msisdn":"13800138051","status":"active","opened_at":"2024-01-02","holder":"hk-w","last_voice_at":null}`,
	`{"msisdn":"13800138052","status":"active","opened_at":"2024-01-02","holder":"hk-w","Last_Voice_At":"2023-01-01"}`,
	`{"msisdn":"13800138053","status":"active","opened_at":"2024-01-02","holder":"hk-w","iot":{"business":"new","test_plan":true,"x":1}}`,
	`{"msisdn":"13800138058","status":"active","opened_at":"2024-01-02","holder":"hk-w","iot":{"business":"new","test_plan":null}}`,
	`{"MSISDN":"13800138060","Status":"active","opened_at":"2024-01-02","Holder":"hk-w"}`,
	`{"msisdn":"13800138059","status":"active","opened_at":"2024-01-02","holder":"hk-w","iot":{"business":"new","business":"other"}}`,
	`{"msisdn":"13800138054","status":"active","opened_at":"2024-01-02","holder":"hk-w","roaming":[{"region":"H\u004b","last_seen":"2023-01-01"}]}`,
	`{"msisdn":"13800138055","status":"active","opened_at":"2024-01-02","holder":"hk-w","complaints":1e1}`,
	`{"msisdn":"13800138056","status":"active","opened_at":"2024-01-02","holder":"hk-w","verified_at":"2023-01-01","verified_at":"2024-01-03"}`,
	`{"msisdn":"13800138057","status":"active","opened_at":"2024-01-02","holder":"hk-w","roaming":[{"region":"HK"}]}`,
}

// litePop never panics, and when it reads a line, the population's fields
// are what the whole decoder reads (the digest would catch a difference,
// at the cost of scoring the file again).
func FuzzLitePop(f *testing.F) {
	f.Add([]byte(`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"2024-01-02","holder":"hk-1","iot":{"a":["x\"}",1]}}`))
	f.Add([]byte(`{"MSISDN":"138","holder":"a\\"}`))
	f.Add([]byte(`{"a":"\\\\","msisdn":"1"}`))
	f.Add([]byte(`{"a":[{"b":{}}],"kind":"iot"} `))
	// keys not read given twice, at the top or in a value not read; values
	// not read that are not JSON: the whole decoder rejects them
	for _, v := range []string{`"":"","":0`, `"x":{"a":1,"a":2}`, `"x":{"a":1,"A":2}`, `"x":{"\u0061":1,"a":2}`, `"x":tru`, `"x":01`, `"x":1.`, `"x":-`, `"x":1e`, `"x":nul`, `"x":[1,]`, `"x":"\x"`, `"label":1,"label":2`} {
		f.Add([]byte(`{"msisdn":"17000000000","opened_at":"2000-01-01",` + v + `}`))
	}
	for _, l := range otherRejects {
		f.Add([]byte(l))
	}
	for _, l := range wholeLines {
		f.Add([]byte(l))
	}
	cfg := newReadConfig(pipeAsOf, nil)
	f.Fuzz(func(t *testing.T, line []byte) {
		if utf8.Valid(line) {
			// the population pass judges a line valid exactly when
			// decoding it whole and validating it does
			d := passDecoder{cfg: &cfg, lite: true}
			var lite, whole risk.Record
			if ok, valid := d.liteRecord(&lite, line); ok {
				_, rej := cfg.decodeJSONLine(&whole, line, string(line), true, 1, nil)
				require.Equal(t, rej == nil, valid, "valid by the population pass, of %q", line)
				if valid {
					require.Equal(t, [...]any{whole.MSISDN, whole.Operator, whole.MVNO, whole.Holder, whole.OpenedAt},
						[...]any{lite.MSISDN, lite.Operator, lite.MVNO, lite.Holder, lite.OpenedAt}, "%q", line)
				}
			}
		}
		vals, seen, ok := litePop(line)
		if !ok || !utf8.Valid(line) { // the pass checks each line is UTF-8 first
			return
		}
		var r risk.Record
		if err := r.DecodeJSON(line, nil); err != nil {
			return // the whole decoder rejects it: the scoring pass says so
		}
		got := [...]string{r.MSISDN, r.Operator, r.MVNO, r.Kind, r.Status, "", r.Holder}
		for k := range popKeys {
			if k == 5 || !seen[k] {
				continue
			}
			require.Equal(t, got[k], vals[k], "%s of %q", popKeys[k], line)
		}
	})
}

// sortCards orders by number, then line, as a plain sort does: numbers of
// both lengths, many cards on one number, numbers far apart.
func TestSortCardsSameAsSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{0, 1, 100, 5000, 70000} {
		recs := make([]cardRec, n)
		for i := range recs {
			num := 13000000000 + rng.Uint64N(7000000000)
			switch rng.IntN(10) {
			case 0:
				num = 1440000000000 + rng.Uint64N(10000000) // 13 digits
			case 1:
				num = 13800138000 // one card many times
			}
			recs[i] = cardRec{num: num, line: int64(i + 1)}
		}
		want := slices.Clone(recs)
		slices.SortFunc(want, cmpCard)
		sortCards(recs)
		require.Equal(t, want, recs, "%d cards", n)
	}
}

// The scoring pass finds each card's features by its place in the
// population (Population.Bind): the decisions are the bytes the lookups by
// holder give, on files with cards listed twice (a third pass counts the
// population again), cancelled cards and cards without a holder (neither
// counted: no place), rejects, in both formats.
func TestScoreFileBoundSameAsLookedUp(t *testing.T) {
	eng := defaultEngine(t)
	extra := []string{
		`{"msisdn":"13800138000","status":"active","opened_at":"2024-01-02"}`,
		`{"msisdn":"13800138001","status":"cancelled","opened_at":"2024-01-02","holder":"hk-x"}`,
		`{"msisdn":"13800138002","status":"active","opened_at":"2024-01-02","holder":"hk-x"}`,
		`{"msisdn":"13800138003","status":"active","opened_at":"2024-01-02","holder":"hk-x"}`,
	}
	jsonl := append(messyFile(t, JSONL, 3000, 11), ("\r\n" + strings.Join(extra, "\r\n"))...)
	for _, c := range []struct {
		f    Format
		data []byte
	}{{JSONL, jsonl}, {CSV, messyFile(t, CSV, 3000, 12)}} {
		bound := scoreWith(eng, c.data, ScoreOptions{Format: c.f, Lines: true})
		require.NoError(t, bound.err)
		bindPlaces = false
		looked := scoreWith(eng, c.data, ScoreOptions{Format: c.f, Lines: true})
		bindPlaces = true
		require.NoError(t, looked.err)
		require.Equal(t, string(looked.decisions), string(bound.decisions), "%s", c.f)
		require.Equal(t, summaryJSON(t, looked.sum), summaryJSON(t, bound.sum))
		require.Positive(t, bound.sum.Superseded)
		require.Positive(t, bound.sum.ByRule["multi_card_id"], "features that matter")
	}
}

// A file that changes between the passes (written to while it is scored)
// fails the run, saying so, rather than scoring the cards of one reading
// with the population of the other.
func TestScoreFileInputChangedBetweenPasses(t *testing.T) {
	eng := defaultEngine(t)
	for _, f := range []Format{JSONL, CSV} {
		a := messyFile(t, f, 500, 21)
		b := messyFile(t, f, 500, 22)
		opens := 0
		open := func() (io.ReadCloser, error) {
			opens++
			if opens == 1 {
				return io.NopCloser(bytes.NewReader(a)), nil
			}
			return io.NopCloser(bytes.NewReader(b)), nil
		}
		var dec bytes.Buffer
		_, err := ScoreFile(context.Background(), eng, open, ScoreOptions{AsOf: pipeAsOf, Format: f, Decisions: opaque{&dec}})
		require.ErrorIs(t, err, errInputChanged, "%s", f)
		require.Contains(t, err.Error(), "the input changed between the passes")
	}
}

// Unknown keys are warned about as the one-record-at-a-time Reader warns:
// each name once, at its first line, at most maxUnknownNames names, on
// any chunk size, also when one record holds more than a hundred of them.
func TestScoreFileUnknownKeysAsReader(t *testing.T) {
	eng := defaultEngine(t)
	var lines []string
	for i := 0; i < 400; i++ {
		extra := fmt.Sprintf(`,"x%d":1`, i%7)
		switch i {
		case 50:
			for k := 0; k < 120; k++ {
				extra += fmt.Sprintf(`,"y%d":1`, k)
			}
		case 51:
			extra += `,"z":1`
		}
		lines = append(lines, fmt.Sprintf(`{"msisdn":"138%08d","status":"active","opened_at":"2024-01-02","holder":"hk-%d"%s}`, i, i%50, extra))
	}
	data := []byte(strings.Join(lines, "\n"))
	var want []string
	rd := NewReader(bytes.NewReader(data), pipeAsOf, WithWarnings(func(w Warning) { want = append(want, w.String()) }))
	for {
		if _, err := rd.Read(); err == io.EOF {
			break
		}
	}
	require.Len(t, want, maxUnknownNames)
	defer func(n int) { chunkBytes = n }(chunkBytes)
	for _, size := range []int{1, 3000, 1 << 30} {
		chunkBytes = size
		var got []string
		r := scoreBytes(t, eng, data, JSONL, 3, WithWarnings(func(w Warning) { got = append(got, w.String()) }))
		require.NoError(t, r.err)
		require.Equal(t, want, got, "chunks of %d bytes", size)
	}
}

// What a run's summary keeps of its cards (an example decision of each
// outcome, the first rejects) stays whole after the run, though each
// chunk's bytes are reused for the chunks after it: the examples are the
// first decision of each outcome written, the first rejects the first
// rejects written; the counts per outcome and level are the decisions'.
func TestScoreFileSummaryOutlivesChunks(t *testing.T) {
	eng := defaultEngine(t)
	data := messyFile(t, JSONL, 3000, 11)
	defer func(n int) { chunkBytes = n }(chunkBytes)
	chunkBytes = 700
	r := scoreBytes(t, eng, data, JSONL, 3)
	require.NoError(t, r.err)
	want := map[string]string{}
	outcomes, levels := map[string]int{}, map[string]int{}
	for _, l := range strings.Split(strings.TrimSpace(string(r.decisions)), "\n") {
		var d struct{ Outcome, Level string }
		require.NoError(t, json.Unmarshal([]byte(l), &d))
		if _, ok := want[d.Outcome]; !ok {
			want[d.Outcome] = l
		}
		outcomes[d.Outcome]++
		levels[d.Level]++
	}
	require.Greater(t, len(want), 2, "the file has decisions of several outcomes")
	require.Equal(t, outcomes, r.sum.ByOutcome, "decisions per outcome")
	require.Equal(t, levels, r.sum.ByLevel, "decisions per level")
	require.Len(t, r.sum.Examples, len(want))
	for k, d := range r.sum.Examples {
		require.Equal(t, want[k], string(d.AppendJSON(nil)), k)
	}
	rejects := strings.Split(string(r.rejects), "\n")
	require.Len(t, r.sum.FirstRejects, MaxFirstRejects)
	for i, rej := range r.sum.FirstRejects {
		require.Equal(t, rejects[i], strings.TrimSuffix(string(appendReject(nil, &rej)), "\n"))
	}
}

// The population pass reads an iot object itself (no whole decode of the
// line): its business is judged as Validate judges it, an unknown key or
// a value of another type leaves the line to the whole decoder.
func TestLitePopReadsIoT(t *testing.T) {
	cfg := newReadConfig(pipeAsOf, nil)
	d := passDecoder{cfg: &cfg, lite: true}
	head := `{"msisdn":"1410368945120","operator":"telecom","kind":"iot","status":"active","opened_at":"2026-02-18","holder":"hk-8f","iot":`
	for _, c := range []struct {
		iot       string
		read, ok  bool
		wantBusin string
	}{
		{`{"business":"new","handler_verified":true}`, true, true, "new"},
		{`{"nondirected_data":true,"directed_voice":false,"user_realnamed":true,"business":"other","handler_verified":true}`, true, true, "other"},
		{`{"business":"lend"}`, true, false, ""},
		{`{}`, true, true, ""},
		{`{"business":"new","x":true}`, false, false, ""},
		{`{"test_plan":1}`, false, false, ""},
		{`{"test_plan":true,"test_plan":false}`, false, false, ""},
		{`{"business":null}`, false, false, ""},
	} {
		var rec risk.Record
		read, ok := d.liteRecord(&rec, []byte(head+c.iot+`}`))
		require.Equal(t, c.read, read, c.iot)
		require.Equal(t, c.ok, ok, c.iot)
		if ok {
			require.Equal(t, c.wantBusin, rec.IoT.Business, c.iot)
		}
	}
}

// The scoring pass takes the population pass's word that a line's record
// is valid (it decodes and normalises it, and marks it valid without
// validating it again): the same decisions, rejects and summary as
// validating every record, on files with rejects of every kind, cards
// listed twice, raw ID holders keyed WithIDKey, on the fast path, on the
// exact one (an output that cannot be rewound) and after a fallback.
func TestScoreFileTrustedSameAsValidated(t *testing.T) {
	eng := defaultEngine(t)
	raw := []string{
		`{"msisdn":"13800138070","status":"active","opened_at":"2024-01-02","holder":"11010519491231002X"}`,
		`{"msisdn":"+86 138 0013 8071","status":" Active ","opened_at":"2024-01-02","holder":"身份证：110105 19491231 002x"}`,
		`{"msisdn":"13800138072","kind":"手机","status":"active","opened_at":"2024-01-02","holder":" hk-t ","mvno":"蜗牛移动"}`,
	}
	data := messyFile(t, JSONL, 3000, 31)
	data = append(data, ("\n" + strings.Join(otherRejects, "\n") + "\n" + strings.Join(wholeLines, "\n") + "\n" + strings.Join(raw, "\n"))...)
	key := WithIDKey([]byte("0123456789abcdef0123"))
	for _, c := range []struct {
		name string
		o    ScoreOptions
	}{
		{"fast path", ScoreOptions{Lines: true}},
		{"ID key", ScoreOptions{Lines: true, Read: []ReadOption{key}}},
		{"exact", ScoreOptions{Lines: true, Decisions: opaque{new(bytes.Buffer)}}},
	} {
		run := func() pipeResult {
			var dec, rej bytes.Buffer
			o := c.o
			o.AsOf, o.Rejects = pipeAsOf, &rej
			if o.Decisions != nil {
				o.Decisions, o.Rejects = opaque{&dec}, opaque{&rej}
			} else {
				o.Decisions = &dec
			}
			open := func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
			sum, err := ScoreFile(context.Background(), eng, open, o)
			return pipeResult{dec.Bytes(), rej.Bytes(), sum, err}
		}
		trusted := run()
		trustValid = false
		validated := run()
		trustValid = true
		require.NoError(t, trusted.err, c.name)
		require.NoError(t, validated.err, c.name)
		require.Equal(t, string(validated.decisions), string(trusted.decisions), c.name)
		require.Equal(t, string(validated.rejects), string(trusted.rejects), c.name)
		require.Equal(t, summaryJSON(t, validated.sum), summaryJSON(t, trusted.sum), c.name)
		require.Positive(t, trusted.sum.Superseded, c.name)
		require.Equal(t, trusted.sum.Records, trusted.sum.Decisions+trusted.sum.Rejects, c.name)
	}
}

// A line changed between the passes outside the population's fields (a
// valid record made invalid: the scoring pass does not validate it again)
// fails the run: the digest holds each valid line's bytes.
func TestScoreFileChangedOutsidePopulationFields(t *testing.T) {
	eng := defaultEngine(t)
	var buf bytes.Buffer
	require.NoError(t, GenerateTo(&buf, JSONL, GenOptions{Cards: 500, Seed: 41, AsOf: pipeAsOf}, nil))
	a := buf.Bytes()
	lines := strings.Split(string(a), "\n")
	changed := false
	for i, l := range lines {
		if strings.Contains(l, `"open_region":"`) && !strings.Contains(l, "cancelled") && i%64 != 63 {
			j := strings.Index(l, `"open_region":"`) + len(`"open_region":"`)
			lines[i] = l[:j] + "XX" + l[j+2:] // not a region: a reject, read whole
			changed = true
			break
		}
	}
	require.True(t, changed)
	b := []byte(strings.Join(lines, "\n"))
	for _, exact := range []bool{false, true} {
		opens := 0
		open := func() (io.ReadCloser, error) {
			opens++
			if opens%2 == 1 {
				return io.NopCloser(bytes.NewReader(a)), nil
			}
			return io.NopCloser(bytes.NewReader(b)), nil
		}
		var dec bytes.Buffer
		o := ScoreOptions{AsOf: pipeAsOf, Decisions: &dec}
		if exact {
			o.Decisions = opaque{&dec}
		}
		_, err := ScoreFile(context.Background(), eng, open, o)
		require.ErrorIs(t, err, errInputChanged, "exact %v", exact)
	}
}

// The population pass refuses a raw ID number in holder, in any spelling,
// as finish does (Validate refuses it without an ID key), and keys it with
// one.
func TestLitePopRawIDHolder(t *testing.T) {
	for _, holder := range []string{"11010519491231002X", "110105 19491231 002x", "身份证：110105-19491231-002X", "１１０１０５１９４９１２３１００２Ｘ", "hk-1"} {
		line := []byte(`{"msisdn":"13800138000","status":"active","opened_at":"2024-01-02","holder":"` + holder + `"}`)
		for _, key := range [][]byte{nil, []byte("0123456789abcdef0123")} {
			var opts []ReadOption
			if key != nil {
				opts = append(opts, WithIDKey(key))
			}
			cfg := newReadConfig(pipeAsOf, opts)
			d := passDecoder{cfg: &cfg, lite: true}
			var lite, whole risk.Record
			read, valid := d.liteRecord(&lite, line)
			require.True(t, read, holder)
			_, rej := cfg.decodeJSONLine(&whole, line, string(line), true, 1, nil)
			require.Equal(t, rej == nil, valid, "%s, key %v", holder, key != nil)
			require.Equal(t, key != nil || holder == "hk-1", valid, "%s, key %v", holder, key != nil)
			if valid {
				require.Equal(t, whole.Holder, lite.Holder)
			}
		}
	}
}

// The population pass leaves wholeLines to the whole decoder.
func TestLitePopLeavesWholeLines(t *testing.T) {
	cfg := newReadConfig(pipeAsOf, nil)
	d := passDecoder{cfg: &cfg, lite: true}
	for _, l := range wholeLines {
		var rec risk.Record
		read, _ := d.liteRecord(&rec, []byte(l))
		require.False(t, read, l)
	}
}

// The duplicate check reads a card's number as strconv.ParseUint does,
// and refuses what it refuses.
func TestCardNumberAsParseUint(t *testing.T) {
	for _, s := range []string{"13800138000", "1440000000012", "0", "007", "", "+8613800138000", "138 0013 8000", "1_000", "-1", "１３８",
		"9999999999999999999", "18446744073709551615", "18446744073709551616", "99999999999999999999", "0x10", "1e3", "13800138000\x00"} {
		want, err := strconv.ParseUint(s, 10, 64)
		got, ok := cardNumber(s)
		require.Equal(t, err == nil, ok, "%q", s)
		if ok {
			require.Equal(t, want, got, "%q", s)
		}
	}
}
