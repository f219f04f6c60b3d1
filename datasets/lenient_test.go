package datasets_test

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/datasets"
	"github.com/simrisk/simrisk/risk"
)

// readWith reads src in format f, returning records, rejects and warnings.
func readWith(t *testing.T, f datasets.Format, src string, opts ...datasets.ReadOption) ([]*risk.Record, []string, []string, error) {
	t.Helper()
	var warnings []string
	opts = append(opts, datasets.WithWarnings(func(w datasets.Warning) { warnings = append(warnings, w.String()) }))
	rd, err := datasets.NewRecordReader(strings.NewReader(src), f, asOf, opts...)
	require.NoError(t, err)
	var recs []*risk.Record
	var rejects []string
	for {
		rec, err := rd.Read()
		if err == io.EOF {
			return recs, rejects, warnings, nil
		}
		var rej *datasets.Reject
		if errors.As(err, &rej) {
			rejects = append(rejects, rej.Error())
			continue
		}
		if err != nil {
			return recs, rejects, warnings, err
		}
		recs = append(recs, rec)
	}
}

// jsonl-duplicate-keys.jsonl: a repeated key rejects the record, naming
// the key, so a police flag cannot be overwritten by a second, empty one.
func TestCaseJSONLDuplicateKeys(t *testing.T) {
	got, err := scoreRecordCase(t, "jsonl-duplicate-keys.jsonl")
	require.NoError(t, err)
	require.Empty(t, got.decisions)
	require.Equal(t, []datasets.Reject{{Line: 1, Reason: "fraud_flag: the key appears twice in one object (which value is meant?); " +
		"complaints: the key appears twice in one object (which value is meant?)"}}, got.rejects)
}

// A key repeated at any depth, in any case, rejects its record.
func TestDuplicateKeysAtAnyDepth(t *testing.T) {
	base := `"msisdn":"13800138001","opened_at":"2024-03-01"`
	for src, want := range map[string]string{
		`{` + base + `,"MSISDN":"13800138002"}`:                                                     "line 1: msisdn: the key appears twice",
		`{` + base + `,"iot":{"test_plan":true,"Test_Plan":false}}`:                                 "line 1: iot.test_plan: the key appears twice",
		`{` + base + `,"roaming":[{"region":"KH","last_seen":"2026-10-01","region":"JP"}]}`:         "line 1: roaming.region: the key appears twice",
		`{` + base + `,"label":{"fraud":true,"fraud":false}}`:                                       "line 1: fraud: the key appears twice",
		`{` + base + `,"x-extra":1,"X-Extra":2}`:                                                    "line 1: x-extra: the key appears twice",
		`{` + base + `,"complaints":"3","complaints":1}`:                                            "line 1: complaints: want an integer, got string; complaints: the key appears twice",
		`{` + base + `,"note":{"a":1,"b":{"c":1,"c":2}}}`:                                           "line 1: c: the key appears twice",
		`{` + base + `,"roaming":[{"region":"KH"},{"region":"KH"}],"linked_platforms":["jd","jd"]}`: "",
	} {
		recs, rejects, _, err := readWith(t, datasets.JSONL, src)
		require.NoError(t, err)
		if want == "" {
			require.Len(t, recs, 1, src)
			continue
		}
		require.Empty(t, recs, src)
		require.Len(t, rejects, 1, src)
		require.True(t, strings.HasPrefix(rejects[0], want), "%s: %s", src, rejects[0])
	}
}

// Headers and keys match in any case; a misspelt column or key is ignored
// with one warning per file, naming the field it most looks like.
func TestFieldNamesAndWarnings(t *testing.T) {
	csv := "MSISDN,Opened_At,alert_30d,Complaints,remark,,\n" +
		"13800138001,2024-03-01,9,2,x,,\n" +
		"13800138002,2024-03-01,9,,y,,\n"
	recs, rejects, warnings, err := readWith(t, datasets.CSV, csv)
	require.NoError(t, err)
	require.Empty(t, rejects)
	require.Len(t, recs, 2)
	require.Equal(t, "13800138001", recs[0].MSISDN)
	require.Equal(t, 2, recs[0].Complaints)
	require.Equal(t, []string{
		"line 1: unknown column (ignored) alert_30d: did you mean alerts_30d?",
		"line 1: unknown column (ignored) remark",
	}, warnings)

	jsonl := `{"MSISDN":"13800138001","Opened_At":"2024-03-01","Alerts_30d":9,"alert_30d":1,"iot":{"test_plann":true}}
{"msisdn":"13800138002","opened_at":"2024-03-01","alert_30d":1,"roaming":[{"region":"KH","lastseen":"2026-10-01"}],"last_attach_at":"2026-10-01","label":{}}
`
	recs, rejects, warnings, err = readWith(t, datasets.JSONL, jsonl)
	require.NoError(t, err)
	require.Empty(t, rejects)
	require.Len(t, recs, 2)
	require.Equal(t, 9, recs[0].Alerts30d)
	require.Equal(t, []string{
		"line 1: unknown key (ignored) alert_30d: did you mean alerts_30d?",
		"line 1: unknown key (ignored) iot.test_plann: did you mean iot.test_plan?",
		"line 2: unknown key (ignored) roaming.lastseen: did you mean roaming.last_seen?",
	}, warnings)

	// numbers in a name are masked: a header row that is data
	_, _, warnings, err = readWith(t, datasets.CSV, "msisdn,13800138000\n")
	require.NoError(t, err)
	require.Equal(t, []string{"line 1: unknown column (ignored) 138****8000"}, warnings)
}

// WithStrict refuses a file with an unknown column (at its header) or key
// (at the first record holding one).
func TestStrict(t *testing.T) {
	_, _, _, err := readWith(t, datasets.CSV, "msisdn,opened_at,alert_30d\n13800138001,2024-03-01,9\n", datasets.WithStrict())
	require.ErrorIs(t, err, datasets.ErrUnknownField)
	require.EqualError(t, err, "datasets: line 1: unknown column alert_30d: did you mean alerts_30d?; strict reading refuses the file")

	recs, _, _, err := readWith(t, datasets.JSONL, `{"msisdn":"13800138001","opened_at":"2024-03-01"}
{"msisdn":"13800138002","opened_at":"2024-03-01","iot":{"Test_Plann":true}}
`, datasets.WithStrict())
	require.Len(t, recs, 1)
	require.ErrorIs(t, err, datasets.ErrUnknownField)
	require.EqualError(t, err, "datasets: line 2: unknown key iot.test_plann: did you mean iot.test_plan?; strict reading refuses the file")

	// known columns, label columns and last_attach_at are not unknown
	recs, _, _, err = readWith(t, datasets.CSV, "msisdn,opened_at,label.fraud,last_attach_at\n13800138001,2024-03-01,true,2026-10-01\n", datasets.WithStrict())
	require.NoError(t, err)
	require.Len(t, recs, 1)
}

// Excel's booleans and dates, and Chinese names of the enumerations, are
// read in both formats as the schema's values.
func TestSpreadsheetSpellings(t *testing.T) {
	csv := "msisdn,opened_at,last_voice_at,recycled,renewed,iot.test_plan,iot.user_realnamed,operator,status,fraud_flag,kind,iot.business\n" +
		"13800138001,2024/3/1,2026-10-29 13:45:00,TRUE,False,1,0,中国移动,停机保号,公安,手机卡,补换卡\n" +
		"13800138002,2024/03/01 0:00,2026/10/29 08:00:00,true,FALSE,0,1,联通,已销户,工信部,数据卡,补登实名\n" +
		"13800138003,2024-03-01,,True,,,,CMCC,正常,运营商,物联网卡,过户\n"
	recs, rejects, _, err := readWith(t, datasets.CSV, csv)
	require.NoError(t, err)
	require.Empty(t, rejects)
	require.Len(t, recs, 3)
	a := recs[0]
	require.Equal(t, risk.Date(2024, 3, 1), a.OpenedAt)
	require.Equal(t, risk.Date(2026, 10, 29)+13*3600+45*60, a.LastVoiceAt)
	require.True(t, a.Recycled)
	require.False(t, a.Renewed)
	require.True(t, a.IoT.TestPlan)
	require.Equal(t, []string{"cmcc", "keep_number", "police", "mobile", "replacement"}, []string{a.Operator, a.Status, a.FraudFlag, a.Kind, a.IoT.Business})
	b := recs[1]
	require.Equal(t, risk.Date(2024, 3, 1), b.OpenedAt)
	require.True(t, b.IoT.UserRealnamed)
	require.Equal(t, []string{"unicom", "cancelled", "miit", "data_card", "realname_supplement"}, []string{b.Operator, b.Status, b.FraudFlag, b.Kind, b.IoT.Business})
	c := recs[2]
	require.Equal(t, []string{"cmcc", "active", "operator", "iot", "transfer"}, []string{c.Operator, c.Status, c.FraudFlag, c.Kind, c.IoT.Business})

	jsonl := `{"msisdn":"13800138001","opened_at":"2024/03/01","operator":"中国电信","status":"停机","fraud_flag":"公安","iot":{"business":"新装"}}
{"msisdn":"13800138002","opened_at":"2024-03-01 09:00:00","operator":" 广电 ","status":"在用","kind":"物联网卡","iot":{"business":"其他"}}
`
	recs, rejects, _, err = readWith(t, datasets.JSONL, jsonl)
	require.NoError(t, err)
	require.Empty(t, rejects)
	require.Equal(t, []string{"telecom", "suspended", "police", "new"}, []string{recs[0].Operator, recs[0].Status, recs[0].FraudFlag, recs[0].IoT.Business})
	require.Equal(t, []string{"broadnet", "active", "iot", "other"}, []string{recs[1].Operator, recs[1].Status, recs[1].Kind, recs[1].IoT.Business})
	require.Equal(t, risk.Date(2024, 3, 1)+9*3600, recs[1].OpenedAt)
}

// A deployment adds its own spellings, in Go or from a YAML file; a bad
// entry is refused with its field.
func TestAliasesExtended(t *testing.T) {
	src := `{"msisdn":"13800138001","opened_at":"2024-03-01","status":"预销户"}` + "\n"
	_, rejects, _, err := readWith(t, datasets.JSONL, src)
	require.NoError(t, err)
	require.Equal(t, []string{`line 1: status: unknown status "预销户" (want active, suspended, keep_number or cancelled)`}, rejects)

	a := datasets.DefaultAliases()
	require.NoError(t, a.Load(strings.NewReader("status:\n  预销户: suspended\noperator:\n  移动公司: cmcc\n")))
	recs, rejects, _, err := readWith(t, datasets.JSONL, src, datasets.WithAliases(a))
	require.NoError(t, err)
	require.Empty(t, rejects)
	require.Equal(t, "suspended", recs[0].Status)

	require.NoError(t, a.Add("fraud_flag", "网信办", "miit"))
	require.EqualError(t, a.Add("holder", "x", "y"), `aliases: field "holder" takes no aliases (want operator, kind, status, fraud_flag or iot.business)`)
	require.EqualError(t, a.Add("status", "停机", "active"), `aliases: status: "停机" already means suspended`)
	err = a.Load(strings.NewReader("status:\n  冻结: frozen\nmsisdn:\n  a: b\n"))
	require.EqualError(t, err, "aliases: field \"msisdn\" takes no aliases (want operator, kind, status, fraud_flag or iot.business)\n"+
		"aliases: status: \"frozen\" is not a value of the field (want active, suspended, keep_number, cancelled)")
	require.Error(t, a.Load(strings.NewReader("status: [a, b]\n")))
	// a file with a bad entry adds nothing, not even its good ones
	require.Error(t, a.Load(strings.NewReader("status:\n  冻结: suspended\n  封号: frozen\n")))
	_, rejects, _, _ = readWith(t, datasets.JSONL, `{"msisdn":"13800138001","opened_at":"2024-03-01","status":"冻结"}`+"\n", datasets.WithAliases(a))
	require.Len(t, rejects, 1)
	// the default table is not changed by a copy's additions
	_, rejects, _, _ = readWith(t, datasets.JSONL, src)
	require.Len(t, rejects, 1)
}

// A record's problems are reported all at once, each with its field.
func TestAllErrorsAtOnce(t *testing.T) {
	csv := "msisdn,opened_at,status,alerts_30d,recycled,open_region,last_voice_at\n" +
		"13800138001,2024-13-01,lost,nine,yes,XX,2027-01-01\n"
	_, rejects, _, err := readWith(t, datasets.CSV, csv)
	require.NoError(t, err)
	require.Equal(t, []string{"line 2: opened_at: \"2024-13-01\" is not a date (want YYYY-MM-DD or YYYY/MM/DD, either with HH:MM:SS in China Standard Time, or an RFC 3339 timestamp); " +
		"alerts_30d: want an integer, got \"nine\"; " +
		"recycled: want true or false (or TRUE, FALSE, 1, 0), got \"yes\"; " +
		"status: unknown status \"lost\" (want active, suspended, keep_number or cancelled); " +
		"open_region: XX is not an ISO 3166 country code; " +
		"last_voice_at: 2027-01-01 is after the as-of time 2026-11-01"}, rejects)

	jsonl := `{"msisdn":"1380013800","opened_at":"2024-03-01","complaints":"2","recycled":"TRUE","roaming":[{"region":"KH","last_seen":"x"},{}],"fraud_flag":"fbi"}` + "\n"
	_, rejects, _, err = readWith(t, datasets.JSONL, jsonl)
	require.NoError(t, err)
	require.Len(t, rejects, 1)
	for _, part := range []string{"complaints: want an integer, got string", "recycled: want true or false, got string",
		"roaming[0].last_seen:", "roaming[1].region: is required", "msisdn: ", "fraud_flag: unknown source"} {
		require.Contains(t, rejects[0], part)
	}
	require.NotContains(t, rejects[0], "1380013800\"")

	// at most risk.MaxRecordErrors, then a count
	many := `{"msisdn":"13800138001","opened_at":"2024-03-01","roaming":[` + strings.Repeat(`{"region":"XX"},`, 20) + `{"region":"XX"}]}` + "\n"
	_, rejects, _, err = readWith(t, datasets.JSONL, many)
	require.NoError(t, err)
	require.Equal(t, risk.MaxRecordErrors, strings.Count(rejects[0], "is not an ISO 3166 country code"))
	require.True(t, strings.HasSuffix(rejects[0], "; and 11 more problems"), rejects[0])
}

// Names from a file are shown safely in warnings, and a file of random
// keys does not flood them.
func TestWarningNamesBounded(t *testing.T) {
	var src strings.Builder
	for i := 0; i < 300; i++ {
		src.WriteString(`{"msisdn":"13800138001","opened_at":"2024-03-01","k` + strings.Repeat("x", i) + `":1}` + "\n")
	}
	src.WriteString(`{"msisdn":"13800138001","opened_at":"2024-03-01","a\nline 9: forged":1,"` + strings.Repeat("y", 500) + `":1}` + "\n")
	_, _, warnings, err := readWith(t, datasets.JSONL, src.String())
	require.NoError(t, err)
	require.Len(t, warnings, 100)
	_, _, warnings, err = readWith(t, datasets.JSONL, `{"msisdn":"13800138001","opened_at":"2024-03-01","a`+"\\n"+`line 9: forged":1,"`+strings.Repeat("y", 500)+`":1}`+"\n")
	require.NoError(t, err)
	require.Equal(t, []string{`line 1: unknown key (ignored) "a\nline 9: forged"`,
		"line 1: unknown key (ignored) " + strings.Repeat("y", 64) + "…"}, warnings)
}
