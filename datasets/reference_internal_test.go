package datasets

import (
	"bytes"
	"context"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/risk"
)

// referenceScore scores data the plain way: datasets.Read, a population of
// its records, one Scorer, Decision.AppendJSON (with the line appended as
// ScoreOptions.Lines does) and the rejects in line order.
func referenceScore(t testing.TB, eng *risk.Engine, data []byte, f Format, opts ...ReadOption) (dec, rej string, recs int, err error) {
	l, err := Read(bytes.NewReader(data), f, pipeAsOf, opts...)
	if err != nil {
		return "", "", 0, err
	}
	pop := risk.NewPopulation()
	for _, r := range l.Records {
		pop.Add(r)
	}
	s := eng.NewScorer(risk.AsOfTime(pipeAsOf), risk.WithPopulation(pop))
	var d, r []byte
	for i, rec := range l.Records {
		dd, err := s.Score(rec)
		require.NoError(t, err, "a record Read returned")
		b := dd.AppendJSON(nil)
		require.Equal(t, byte('}'), b[len(b)-1])
		d = append(append(append(d, b[:len(b)-1]...), `,"line":`+strconv.Itoa(l.Lines[i])...), "}\n"...)
	}
	for _, x := range l.Rejects {
		r = appendReject(r, x)
	}
	return string(d), string(r), len(l.Records) + len(l.Rejects), nil
}

// ScoreFile writes, for any input, the decisions and rejects the plain
// path (Read, a population, a Scorer, Decision.AppendJSON) makes of it,
// on several workers with small chunks, with records = decisions +
// rejects; in JSON Lines and CSV, and with an ID key.
func FuzzScoreFileMatchesReference(f *testing.F) {
	for _, l := range append(append(append([]string{}, otherRejects...), wholeLines...),
		`{"msisdn":"+86 １３８ 0013 8000","operator":"ＣＭＣＣ","status":"Active","opened_at":"2024-02-29","holder":"11010519491231002X"}`,
		"\ufeff{\"msisdn\":\"13800138001\",\"opened_at\":\"2024-03-01\",\"holder\":\"h\"}\r\n{\"msisdn\":\"13800138001\",\"opened_at\":\"2024-03-01 10:00\",\"holder\":\"h\",\"zz\":1}",
	) {
		f.Add([]byte(l+"\n"+l), false, uint8(0))
	}
	f.Add([]byte("msisdn,holder,opened_at,status\n13800138000,h,2024-01-02,active\n\"138 0013 8000\",h,2024/1/2,停机\n"), true, uint8(1))
	f.Add(messyFile(f, JSONL, 40, 3), false, uint8(2))
	f.Add(messyFile(f, CSV, 40, 3), true, uint8(3))
	eng := defaultEngine(f)
	key := []byte("0123456789abcdef0123456789abcdef")
	f.Fuzz(func(t *testing.T, data []byte, isCSV bool, mode uint8) {
		format := JSONL
		if isCSV {
			format = CSV
		}
		var opts []ReadOption
		if mode&1 != 0 {
			opts = append(opts, WithIDKey(key))
		}
		wantDec, wantRej, recs, werr := referenceScore(t, eng, data, format, opts...)
		defer func(c int) { chunkBytes = c }(chunkBytes)
		chunkBytes = 1 + int(mode>>1)*7
		before := liteFallbacks.Load()
		got := scoreWith(eng, data, ScoreOptions{Format: format, Workers: 3, Lines: true, Read: opts})
		// the population pass judged each line as the whole decoder does:
		// the file was not scored again
		require.Equal(t, before, liteFallbacks.Load(), "the run fell back to the exact way")
		if werr != nil {
			require.Error(t, got.err)
			return
		}
		if got.err != nil && strings.Contains(got.err.Error(), "no records") {
			return
		}
		require.NoError(t, got.err)
		require.Equal(t, wantDec, string(got.decisions))
		require.Equal(t, wantRej, string(got.rejects))
		require.Equal(t, recs, got.sum.Records)
		require.Equal(t, got.sum.Records, got.sum.Decisions+got.sum.Rejects)
	})
}

// Lines at MaxLineBytes (a byte under, at, a byte over), with byte order
// marks before them and each kind of line end, in chunks cut anywhere:
// ScoreFile rejects and scores exactly the lines the plain path does.
func TestScoreFileSameAsReferenceAtLineLimit(t *testing.T) {
	eng := defaultEngine(t)
	base := `{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"2024-01-02","holder":"hk-1","x":"`
	for _, n := range []int{MaxLineBytes - 1, MaxLineBytes, MaxLineBytes + 1} {
		for _, pre := range []string{"", "\ufeff", "\ufeff\ufeff"} {
			for _, eol := range []string{"\n", "\r\n", "\r"} {
				l := pre + base + strings.Repeat("y", n-len(base)-2) + `"}`
				data := []byte("{\"msisdn\":\"13800138001\",\"opened_at\":\"2024-01-02\",\"holder\":\"h\"}" + eol + l + eol + l[len(pre):] + eol + "x")
				for _, chunk := range []int{100, 4 << 20} {
					func() {
						defer func(c int) { chunkBytes = c }(chunkBytes)
						chunkBytes = chunk
						wd, wr, recs, werr := referenceScore(t, eng, data, JSONL)
						require.NoError(t, werr)
						got := scoreWith(eng, data, ScoreOptions{Workers: 2, Lines: true})
						require.NoError(t, got.err)
						require.Equal(t, wd, string(got.decisions), "n=%d pre=%q eol=%q", n, pre, eol)
						require.Equal(t, wr, string(got.rejects), "n=%d pre=%q eol=%q", n, pre, eol)
						require.Equal(t, recs, got.sum.Records)
					}()
				}
			}
		}
	}
}

// Records at the edges of what the population pass, the trusted scoring
// pass and the whole decoder read (keys in other case or escaped, keys
// twice, values normalised: +86, full-width digits, aliases, spaces, ID
// holders with and without a key; dates at the limits; sizes at the
// limits), each among cards of one holder, listed several times, at lines
// the scoring pass trusts and at line 64, which it validates again: the
// fast path and the exact path (outputs that cannot be rewound) write what
// the plain path does.
func TestScoreFileSameAsReferenceEdgeRecords(t *testing.T) {
	eng := defaultEngine(t)
	base := `{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"2024-01-02","holder":"hk-1"}`
	vars := []string{
		`{"msi\u0073dn":"13800138000","operator":"cmcc","status":"active","opened_at":"2024-01-02","holder":"hk-1"}`,
		`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"2024-01-02","holder":"hk-1","holder":"hk-2"}`,
		`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"2024-01-02","holder":"hk-1","Holder":"hk-2"}`,
		`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"2024-01-02","holder":"hk-\u0031"}`,
		`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"2024-01-02","holder":"hk-1"} `,
		`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"2024-01-02","holder":"hk-1"}x`,
		`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"2024-01-02","holder":"hk-1"}{}`,
		` {"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"2024-01-02","holder":"hk-1"}`,
		`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"2024-01-02","holder":"hk-1",}`,
		`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"2024-01-02","holder":"hk-1","iot":null}`,
		`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"2024-01-02","holder":"hk-1","roaming":null}`,
		`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"2024-01-02","holder":"hk-1","roaming":[]}`,
		`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"2024-01-02","holder":"hk-1","linked_platforms":null}`,
		`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"2024-01-02","holder":"hk-1","complaints":-0}`,
		`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"2024-01-02","holder":"hk-1","complaints":01}`,
		`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"2024-01-02","holder":"hk-1","complaints":99999999999999999999}`,
		`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"2024-01-02","holder":"hk-1","alerts_30d":9223372036854775807}`,
		`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"2024-01-02","holder":"hk-1","fraud_flag":""}`,
		`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"2024-01-02","holder":"hk-1","fraud_flag":null}`,
		`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"2024-01-02","holder":""}`,
		`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"2024-01-02","holder":" "}`,
		`{"msisdn":"13800138000","operator":"","status":"active","opened_at":"2024-01-02","holder":"hk-1"}`,
		`{"msisdn":"13800138000","operator":"cmcc","status":"","opened_at":"2024-01-02","holder":"hk-1"}`,
		`{"msisdn":"13800138000","operator":"cmcc","status":"cancelled","opened_at":"2024-01-02","holder":"hk-1"}`,
		`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"2024-01-02","holder":"hk-1","mvno":""}`,
		`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"2024-01-02","holder":"hk-1","mvno":"小米移动"}`,
		`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"2024-01-02","holder":"hk-1","kind":"IOT"}`,
		`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"2024-01-02","holder":"hk-1","kind":"iot"}`,
		`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"2024-01-02","holder":"hk-1","opened_at":"2024-01-02"}`,
		`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"2024-01-02T00:00:00+08:00","holder":"hk-1"}`,
		`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"2026-11-01T00:00:00+08:00","holder":"hk-1"}`,
		`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"2026-11-01T00:00:01+08:00","holder":"hk-1"}`,
		`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"2026-11-01","holder":"hk-1"}`,
		`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"2026-11-02","holder":"hk-1"}`,
		`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"1980-01-01","holder":"hk-1"}`,
		`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"1979-12-31","holder":"hk-1"}`,
		`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"1979-12-31T16:00:00Z","holder":"hk-1"}`,
		`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"1979-12-31T15:59:59Z","holder":"hk-1"}`,
		`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"0000-01-01","holder":"hk-1"}`,
		`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"9999-12-31","holder":"hk-1"}`,
		`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"2024-02-30","holder":"hk-1"}`,
		`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"2024-1-02","holder":"hk-1"}`,
		`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"2024/01/02 24:00","holder":"hk-1"}`,
		`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"2024/1/2 23:59:60","holder":"hk-1"}`,
		`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"２０２４-01-02","holder":"hk-1"}`,
		`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"2024-01-02","holder":"hk-1","last_voice_at":"2024-01-01T23:59:59+08:00"}`,
		`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"2024-01-02T12:00:00+08:00","holder":"hk-1","last_voice_at":"2024-01-02T00:00:00+08:00"}`,
		`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"2024-01-02","holder":"hk-1","last_voice_at":"2024-01-01T16:00:00Z"}`,
		`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"2024-01-02","holder":"hk-1","last_voice_at":"2024-01-01T15:59:59Z"}`,
		`{"msisdn":"138 0013 8000","operator":"cmcc","status":"active","opened_at":"2024-01-02","holder":"hk-1"}`,
		`{"msisdn":"＋８６１３８００１３８０００","operator":"cmcc","status":"active","opened_at":"2024-01-02","holder":"hk-1"}`,
		`{"msisdn":"0086 13800138000","operator":"cmcc","status":"active","opened_at":"2024-01-02","holder":"hk-1"}`,
		`{"msisdn":"8613800138000","operator":"cmcc","status":"active","opened_at":"2024-01-02","holder":"hk-1"}`,
		`{"msisdn":"1064800000001","status":"active","opened_at":"2024-01-02","holder":"hk-1"}`,
		`{"msisdn":"17400000000","status":"active","opened_at":"2024-01-02","holder":"hk-1"}`,
		`{"msisdn":"17400000000","operator":"telecom","status":"active","opened_at":"2024-01-02","holder":"hk-1"}`,
		`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"2024-01-02","holder":"11010519491231002X"}`,
		`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"2024-01-02","holder":"110105194912310021"}`,
		`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"2024-01-02","holder":"ID:110105 19491231 002x"}`,
		`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"2024-01-02","holder":"` + strings.Repeat("h", 64) + `"}`,
		`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"2024-01-02","holder":"` + strings.Repeat("h", 65) + `"}`,
		`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"2024-01-02","holder":" ` + strings.Repeat("h", 64) + ` "}`,
		`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"2024-01-02","holder":"hk-1","mvno":" ` + strings.Repeat("m", 64) + `\u3000"}`,
		`{"msisdn":"13800138000","operator":"ＣＭＣＣ","status":"ACTIVE","opened_at":"2024-01-02","holder":"hk-1"}`,
		`{"msisdn":"13800138000","operator":"中國移動","status":"正常在用","opened_at":"2024-01-02","holder":"hk-1"}`,
		`{"msisdn":"13800138000","operator":"cm\u200bcc","status":"active","opened_at":"2024-01-02","holder":"hk-1"}`,
		`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"2024-01-02","holder":"hk-1","iot":{"business":"补换卡"},"kind":"iot"}`,
		`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"2024-01-02","holder":"hk-1","label":{"fraud":true}}`,
		`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"2024-01-02","holder":"hk-1","label":"x"}`,
		`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"2024-01-02","holder":"hk-1","last_attach_at":"bad"}`,
		`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"2024-01-02","holder":"hk-1","roaming":[{"region":"TH","last_seen":""}]}`,
		`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"2024-01-02","holder":"hk-1","roaming":[{"region":"th","last_seen":null}]}`,
		`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"2024-01-02","holder":"hk-1","roaming":[{"region":" TH ","last_seen":"2026-10-01"}]}`,
		`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"2024-01-02","holder":"hk-1","id_region":"110105","open_region":" 350802 "}`,
		`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"2024-01-02","holder":"hk-1","iccid":" 8986000000000000000 "}`,
		"\ufeff" + base,
		base + "\ufeff",
		`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"2024-01-02","holder":"hk-1","verify_required_at":"2026-10-31T10:00:00+08:00"}`,
		`{"msisdn":"13800138000","operator":"cmcc","status":"active","opened_at":"2024-01-02","holder":"hk-1","verify_required_at":"2026-10-31T10:00:00+08:00","verified_at":"2026-10-31T09:00:00+08:00"}`,
	}
	for _, key := range [][]byte{nil, []byte("0123456789abcdef0123456789abcdef")} {
		for i, v := range vars {
			// the variant among others of its holder, at lines 1..70 (the 64th validated again), and twice
			var lines []string
			for j := 0; j < 70; j++ {
				if j%10 == i%10 {
					lines = append(lines, v)
				} else {
					lines = append(lines, strings.Replace(base, "13800138000", "1380013"+string(rune('0'+j/10))+"1"+string(rune('0'+j%10))+"0", 1))
				}
			}
			data := []byte(strings.Join(lines, "\n"))
			var opts []ReadOption
			if key != nil {
				opts = append(opts, WithIDKey(key))
			}
			wd, wr, recs, werr := referenceScore(t, eng, data, JSONL, opts...)
			require.NoError(t, werr)
			for _, w := range []int{1, 3} {
				before := liteFallbacks.Load()
				got := scoreWith(eng, data, ScoreOptions{Workers: w, Lines: true, Read: opts})
				require.NoError(t, got.err)
				require.Equal(t, before, liteFallbacks.Load(), "the run fell back to the exact way: %s", v)
				require.Equal(t, wd, string(got.decisions), "%s", v)
				require.Equal(t, wr, string(got.rejects), "%s", v)
				require.Equal(t, recs, got.sum.Records)
				var dec, rej bytes.Buffer
				open := func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
				_, err := ScoreFile(context.Background(), eng, open, ScoreOptions{AsOf: pipeAsOf, Workers: w, Lines: true, Read: opts, Decisions: opaque{&dec}, Rejects: opaque{&rej}})
				require.NoError(t, err)
				require.Equal(t, wd, dec.String(), "exact %s", v)
				require.Equal(t, wr, rej.String(), "exact %s", v)
			}
		}
	}
}

// recordVocab holds, per key, spellings of its value that the readers
// treat differently (valid, normalised, rejected, left to the whole
// decoder): FuzzScoreFileRecordsMatchReference builds records of them.
var recordVocab = []struct {
	key  string
	vals []string
}{
	{"msisdn", []string{`"13800138000"`, `"13800138001"`, `"+86 138 0013 8000"`, `"１３８００１３８００１"`, `"1064800000001"`, `"17400000000"`, `"138"`, `13800138000`, `null`, `"1.38001E+10"`, `"138\u00300138000"`}},
	{"operator", []string{`"cmcc"`, `"CMCC"`, `"移动"`, `" telecom "`, `""`, `"x"`, `null`, `1`}},
	{"mvno", []string{`"小米移动"`, `""`, `" 小米移动"`, `"` + strings.Repeat("m", 65) + `"`, `null`}},
	{"kind", []string{`"iot"`, `"mobile"`, `"IOT"`, `"物联网卡"`, `"data_card"`, `"x"`, `""`}},
	{"status", []string{`"active"`, `"cancelled"`, `"Cancelled"`, `"销户"`, `"停机"`, `"lost"`, `""`, `true`}},
	{"opened_at", []string{`"2024-01-02"`, `"2024-02-29"`, `"2023-02-29"`, `"2024/1/2 0:00"`, `"2026-11-01T00:00:00+08:00"`, `"2026-11-02"`, `"1979-12-31"`, `"0000-01-01"`, `"9999-12-31"`, `"2024-01-02 "`, `null`, `20240102`}},
	{"holder", []string{`"hk-1"`, `"hk-2"`, `" hk-1"`, `"HK-1"`, `"hk-\u0031"`, `"11010519491231002X"`, `"110105 19491231 002x"`, `"身份证：110105-19491231-002X"`, `"110105194912310021"`, `"1.10105E+17"`, `""`, `null`, `"` + strings.Repeat("h", 65) + `"`}},
	{"last_voice_at", []string{`"2024-01-01"`, `"2024-01-02"`, `"2026-10-31"`, `"2026-11-02"`, `null`, `""`, `"x"`}},
	{"fraud_flag", []string{`"police"`, `"公安"`, `""`, `"POLICE "`, `"x"`, `null`}},
	{"complaints", []string{`0`, `2`, `-1`, `1.5`, `1e1`, `"2"`, `null`, `99999999999999999999`, `01`, `-0`, `-01`, `00`, `1 `}},
	{"roaming", []string{`[]`, `null`, `[{"region":"MM","last_seen":"2026-10-30"}]`, `[{"region":" mm ","last_seen":""}]`, `[{"region":"XX1"}]`, `[{"region":"MM","region":"TH"}]`, `{}`}},
	{"linked_platforms", []string{`[]`, `["jd"]`, `["jd",""]`, `[" jd "]`, `null`, `"jd"`, `["jd",]`, `["j\u0064"]`}},
	{"iot", []string{`{}`, `{"business":"new","test_plan":true}`, `{"business":"补换卡"}`, `{"business":"lend"}`, `{"test_plan":"yes"}`, `{"business":"new","business":"other"}`, `{"x":1}`, `null`, `{"business":"new",}`, `{"test_plan":tru}`, `{"test_plan":truex}`, `{"Business":"new"}`}},
	{"alert_30d", []string{`1`, `"x"`, `01`, `-0`, `1.`, `.5`, `1e`, `tru`, `nul`, `"\x"`, `"\u12"`, `"\ud800"`, `{"a":1,"a":2}`, `[1,]`, `{"A":1}`, `[[[[{}]]]]`, "\"a\tb\"", `-`, `truex`}},
	{"label", []string{`{"fraud":true}`, `"x"`}},
}

// ScoreFile writes what the plain path does for records built of values
// each field's readers treat differently (recordVocab): which value of
// each field (or none), the case of some keys and the order come from the
// fuzzer, and a record may be listed twice or changed.
func FuzzScoreFileRecordsMatchReference(f *testing.F) {
	f.Add([]byte{1, 1, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3, 2, 0, 5, 1, 1, 7, 9, 4, 4, 4, 4, 4, 4, 4, 4}, uint8(0))
	f.Add([]byte{3, 3, 1, 2, 2, 2, 6, 3, 2, 1, 1, 1, 1, 0, 0, 0, 200, 3, 3, 1, 2, 2, 3, 6, 3, 2, 1, 1, 1, 1, 0, 0}, uint8(1))
	eng := defaultEngine(f)
	key := []byte("0123456789abcdef0123456789abcdef")
	f.Fuzz(func(t *testing.T, picks []byte, mode uint8) {
		if len(picks) > 4096 {
			return
		}
		var lines []string
		for len(picks) > 0 {
			var b strings.Builder
			b.WriteByte('{')
			n := 0
			for _, v := range recordVocab {
				if len(picks) == 0 {
					break
				}
				p := int(picks[0])
				picks = picks[1:]
				if p == 0 {
					continue // absent
				}
				k := v.key
				if p&0x80 != 0 {
					k = strings.ToUpper(k[:1]) + k[1:]
				}
				if n > 0 {
					b.WriteByte(',')
				}
				n++
				b.WriteString(`"` + k + `":` + v.vals[(p&0x7f)%len(v.vals)])
			}
			b.WriteByte('}')
			lines = append(lines, b.String())
		}
		if mode&4 != 0 && len(lines) > 1 {
			lines = append(lines, lines[0]) // listed again
		}
		eol := "\n"
		if mode&8 != 0 {
			eol = "\r\n"
		}
		data := []byte(strings.Join(lines, eol))
		var opts []ReadOption
		if mode&1 != 0 {
			opts = append(opts, WithIDKey(key))
		}
		wantDec, wantRej, recs, werr := referenceScore(t, eng, data, JSONL, opts...)
		require.NoError(t, werr)
		defer func(c int) { chunkBytes = c }(chunkBytes)
		chunkBytes = 1 + int(mode>>4)*40
		for _, exact := range []bool{false, true} {
			var dec, rej bytes.Buffer
			o := ScoreOptions{AsOf: pipeAsOf, Workers: 1 + int(mode>>1&1)*2, Lines: true, Read: opts, Decisions: &dec, Rejects: &rej}
			if exact {
				o.Decisions, o.Rejects = opaque{&dec}, opaque{&rej}
			}
			open := func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
			before := liteFallbacks.Load()
			sum, err := ScoreFile(context.Background(), eng, open, o)
			require.NoError(t, err)
			// the population pass judged each line as the whole decoder
			// does: the file was not scored again
			require.Equal(t, before, liteFallbacks.Load(), "the run fell back to the exact way")
			require.Equal(t, wantDec, dec.String(), "exact %v", exact)
			require.Equal(t, wantRej, rej.String(), "exact %v", exact)
			require.Equal(t, recs, sum.Records)
			require.Equal(t, sum.Records, sum.Decisions+sum.Rejects)
		}
	})
}

// Each value of recordVocab in a record that is valid otherwise, at a
// trusted line and at line 64: ScoreFile writes what the plain path does,
// without falling back to the exact way.
func TestScoreFileRecordVocabSameAsReference(t *testing.T) {
	eng := defaultEngine(t)
	base := map[string]string{"msisdn": `"13800138000"`, "operator": `"cmcc"`, "status": `"active"`, "opened_at": `"2024-01-02"`, "holder": `"hk-1"`}
	for _, v := range recordVocab {
		for _, val := range v.vals {
			var b strings.Builder
			b.WriteByte('{')
			for i, k := range recordVocab {
				x, ok := base[k.key]
				if k.key == v.key {
					x, ok = val, true
				}
				if !ok {
					continue
				}
				if i > 0 {
					b.WriteByte(',')
				}
				b.WriteString(`"` + k.key + `":` + x)
			}
			b.WriteByte('}')
			rec := b.String()
			lines := make([]string, 64)
			for j := range lines {
				lines[j] = strings.Replace(rec, "13800138000", "139001380"+strconv.Itoa(10+j), 1)
			}
			lines[2], lines[63] = rec, strings.Replace(rec, "13800138000", "13800138099", 1)
			data := []byte(strings.Join(lines, "\n"))
			wantDec, wantRej, recs, werr := referenceScore(t, eng, data, JSONL)
			require.NoError(t, werr)
			before := liteFallbacks.Load()
			got := scoreWith(eng, data, ScoreOptions{Workers: 2, Lines: true})
			require.NoError(t, got.err)
			require.Equal(t, before, liteFallbacks.Load(), "the run fell back to the exact way: %s", rec)
			require.Equal(t, wantDec, string(got.decisions), rec)
			require.Equal(t, wantRej, string(got.rejects), rec)
			require.Equal(t, recs, got.sum.Records)
		}
	}
}
