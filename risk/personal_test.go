package risk_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/rules"
)

// Case pii-reason-template: a reason that slices the number is refused by
// lint (personal_data) at each placeholder that reads it, naming msisdn.
func TestCasePIIReasonTemplate(t *testing.T) {
	rs, err := rules.Load("testdata/cases/pii-reason-template/rules.yaml")
	require.NoError(t, err)
	errs := risk.Check(rs)
	require.Len(t, errs, 3, "%v", errs)
	line := `    reason: "号码 {msisdn[0:3]}-{msisdn[3:7]}-{msisdn[7:]} 被 {fraud_flag} 标记"`
	for i, ph := range []string{"{msisdn[0:3]}", "{msisdn[3:7]}", "{msisdn[7:]}"} {
		col := len([]rune(line[:strings.Index(line, ph)])) + 2 // 1-based, after the {
		e := errs[i]
		require.Equal(t, rules.CodePersonalData, e.Code)
		require.Equal(t, "flagged", e.Rule)
		require.Equal(t, 12, e.Line)
		require.Equal(t, col, e.Column, "%s", ph)
		require.Contains(t, e.Msg, "msisdn")
	}
	_, err = risk.Compile(rs)
	require.True(t, errors.Is(err, rules.CodePersonalData), "%v", err)

	// as the analyst must write it: masked, and it scores
	fixed := handBuilt(t, "testdata/cases/pii-reason-template/rules.yaml",
		"{msisdn[0:3]}-{msisdn[3:7]}-{msisdn[7:]}", "{mask(msisdn)}")
	eng, err := risk.Compile(fixed)
	require.NoError(t, err)
	d, err := eng.Score(flaggedCard(t), risk.AsOfTime(asOf))
	require.NoError(t, err)
	require.Equal(t, "号码 138****8001 被 police 标记", d.Hits[0].Reason)
}

func compileReason(lang, reason string, macros string) (*risk.Engine, error) {
	src := fmt.Sprintf(`language: %s
bands: [{min: 0, level: low, outcome: pass}]
%s
rules:
  - id: r
    when: fraud_flag != ""
    outcome: monitor
    reason: %q
`, lang, macros, reason)
	rs, err := rules.Parse(rules.Source{Name: lang + ".yaml", Data: []byte(src)})
	if err != nil {
		return nil, err
	}
	return risk.Compile(rs)
}

// Every way a reason could print msisdn, iccid or holder other than masked
// is refused, in both languages; conditions may read them.
func TestReasonPersonalDataRefused(t *testing.T) {
	exprMacros := "macros:\n  is_138: msisdn startsWith \"138\"\n  via: is_138 && true\n"
	celMacros := "macros:\n  is_138: msisdn.startsWith('138')\n  via: is_138 && true\n"
	for _, tc := range []struct {
		lang, reason, macros, field string
	}{
		{"expr", "{msisdn[0:3]}-{msisdn[3:7]}-{msisdn[7:]}", "", "msisdn"},
		{"expr", "{join(split(msisdn, ''), ' ')}", "", "msisdn"},
		{"expr", "{msisdn + ''}", "", "msisdn"},
		{"expr", "{upper(iccid)}", "", "iccid"},
		{"expr", "{region_name(msisdn)}", "", "msisdn"},
		{"expr", "{let m = msisdn; m}", "", "msisdn"},
		{"expr", "{map([msisdn], mask(#))}", "", "msisdn"},
		{"expr", "{mask(msisdn + '')}", "", "msisdn"},
		{"expr", "{mask(msisdn[1:])}", "", "msisdn"},
		{"expr", "{holder}", "", "holder"},
		{"expr", "{len(holder) > 3 ? holder : ''}", "", "holder"},
		{"expr", "{$env.msisdn}", "", "msisdn"},
		{"expr", "{$env['msi' + 'sdn']}", "", "$env"},
		{"expr", "{is_138}", exprMacros, "msisdn"},
		{"expr", "{via}", exprMacros, "msisdn"},
		{"cel", "{msisdn.substring(0, 3)}-{msisdn.substring(3)}", "", "msisdn"},
		{"cel", "{msisdn.split('').join(' ')}", "", "msisdn"},
		{"cel", "{iccid + ''}", "", "iccid"},
		{"cel", "{cel.bind(m, msisdn, m)}", "", "msisdn"},
		{"cel", "{[msisdn].map(x, mask(x))}", "", "msisdn"},
		{"cel", "{mask(msisdn.substring(1))}", "", "msisdn"},
		{"cel", "{holder}", "", "holder"},
		{"cel", "{size(holder)}", "", "holder"},
		{"cel", "{is_138}", celMacros, "msisdn"},
		{"cel", "{via}", celMacros, "msisdn"},
	} {
		_, err := compileReason(tc.lang, tc.reason, tc.macros)
		require.Error(t, err, "%s %s", tc.lang, tc.reason)
		list := rules.AsList(err)
		require.NotEmpty(t, list)
		for _, e := range list {
			require.Equal(t, rules.CodePersonalData, e.Code, "%s %s: %v", tc.lang, tc.reason, e)
			require.Contains(t, e.Msg, tc.field, "%s %s", tc.lang, tc.reason)
			require.Equal(t, "reason", e.Field)
		}
		// the same reads in a condition are fine: conditions print nothing
		if tc.macros != "" {
			continue
		}
		when := strings.Trim(strings.SplitN(tc.reason, "}", 2)[0], "{")
		cond := when + " != ''"
		if strings.HasPrefix(when, "size(") || strings.HasPrefix(when, "[") || strings.HasPrefix(when, "map(") {
			continue // not a string
		}
		src := fmt.Sprintf("language: %s\nbands: [{min: 0, level: low, outcome: pass}]\nrules:\n  - {id: r, when: %q, outcome: monitor}\n", tc.lang, cond)
		rs, err := rules.Parse(rules.Source{Name: "w.yaml", Data: []byte(src)})
		require.NoError(t, err)
		_, err = risk.Compile(rs)
		if err != nil {
			require.False(t, errors.Is(err, rules.CodePersonalData), "%s condition %s: %v", tc.lang, cond, err)
		}
	}
}

// Masked reads print the masked form, the same compiled and on the
// reference evaluators, in both languages.
func TestReasonMaskFunction(t *testing.T) {
	c := flaggedCard(t)
	c.ICCID = "89860012345678901234"
	c.Holder = "hk-0123456789abcde" // 18 characters, masked as an ID number is
	for _, lang := range []string{"expr", "cel"} {
		for _, ref := range []bool{false, true} {
			reason := "{mask(msisdn)} {msisdn} {iccid} {mask(iccid)} {mask(holder)} {size(mask(msisdn))}"
			if lang == "expr" {
				reason = "{mask(msisdn)} {msisdn} {iccid} {mask(iccid)} {mask(holder)} {len(mask(msisdn))}"
			}
			src := fmt.Sprintf("language: %s\nbands: [{min: 0, level: low, outcome: pass}]\nmacros:\n  m: mask(msisdn) == '138****8001'\nrules:\n  - {id: r, when: m, outcome: monitor, reason: %q}\n", lang, reason)
			rs, err := rules.Parse(rules.Source{Name: "m.yaml", Data: []byte(src)})
			require.NoError(t, err)
			var opts []risk.CompileOption
			if ref {
				opts = append(opts, risk.WithReferenceEvaluator())
			}
			eng, err := risk.Compile(rs, opts...)
			require.NoError(t, err, lang)
			d, err := eng.Score(c, risk.AsOfTime(asOf))
			require.NoError(t, err)
			require.Len(t, d.Hits, 1, "%s reference=%v: %+v", lang, ref, d)
			require.Equal(t, "138****8001 138****8001 898*************1234 898*************1234 hk-012********bcde 11", d.Hits[0].Reason, "%s reference=%v", lang, ref)
		}
	}
}

// Explain shows msisdn, iccid and holder masked, and withholds the values
// of macros and comparisons computed from them.
func TestExplainWithholdsPersonalData(t *testing.T) {
	for _, lang := range []string{"expr", "cel"} {
		macro := `msisdn startsWith "138"`
		cond := `is_138 && holder != "" && len(msisdn) > 10 && alerts_30d >= 3`
		if lang == "cel" {
			macro, cond = `msisdn.startsWith("138")`, `is_138 && holder != "" && size(msisdn) > 10 && alerts_30d >= 3`
		}
		src := fmt.Sprintf("language: %s\nbands: [{min: 0, level: low, outcome: pass}]\nmacros:\n  is_138: %q\nrules:\n  - {id: r, when: %q, outcome: monitor}\n", lang, macro, cond)
		rs, err := rules.Parse(rules.Source{Name: "x.yaml", Data: []byte(src)})
		require.NoError(t, err)
		eng, err := risk.Compile(rs)
		require.NoError(t, err)
		c := flaggedCard(t)
		c.Holder = "h-secret"
		x, err := eng.NewScorer(risk.AsOfTime(asOf)).Explain(c)
		require.NoError(t, err)
		reads := map[string]string{}
		for _, v := range x.Rules[0].Reads {
			reads[v.Name] = v.Value
		}
		require.Equal(t, "138****8001", reads["msisdn"], lang)
		require.Equal(t, "h-s*****", reads["holder"], lang)
		require.Contains(t, reads["is_138"], "withheld", lang)
		require.Equal(t, "5", reads["alerts_30d"], lang)
		for _, cmp := range x.Rules[0].Comparisons {
			require.NotContains(t, cmp.Expr, "msisdn", lang)
		}
		out := x.Format()
		require.NotContains(t, out, "13800138001")
		require.NotContains(t, out, "secret")
	}
}

// A card whose free-text fields (mvno, linked_platforms) or counts carry a
// phone number, in any spelling and split across placeholders, comes out
// masked in reasons, compiled and on the reference evaluators, in both
// languages; reasons with only short numbers are left as they are.
func TestReasonFreeTextNumbersMasked(t *testing.T) {
	type card struct {
		mvno      string
		platforms []string
		complaint int
		alerts    int
		want      string // the number as masked
	}
	for _, c := range []card{
		{mvno: "客服13800138000"},
		{mvno: "客服 138 0013 8000"},
		{mvno: "１３８-００１３-８０００"},
		{mvno: "+86 138.0013.8000", want: "+861******8000"},
		{mvno: "138\u200b0013\u200b8000"},
		{mvno: "号码138", complaint: 1380013800},                                // and alerts_30d's 0
		{platforms: []string{"微信：138/0013/8000"}, want: "138******0000"},      // and the counts: 13 digits
		{platforms: []string{"微信138", "0013", "8000"}, want: "138******0000"}, // joined by 、 (a separator)
		{platforms: []string{"138001"}, complaint: 3800},                      // 138001；38000: a platform, text and counts
		{complaint: 138001, alerts: 38000},                                    // 13800138000 across two placeholders
	} {
		if c.want == "" {
			c.want = "138****8000"
		}
		for _, lang := range []string{"expr", "cel"} {
			reason := "品牌{mvno}；平台{join(linked_platforms, '、')}；{complaints}{alerts_30d}次"
			if lang == "cel" {
				reason = "品牌{mvno}；平台{linked_platforms.join('、')}；{complaints}{alerts_30d}次"
			}
			var got []string
			for _, ref := range []bool{false, true} {
				src := fmt.Sprintf("language: %s\nbands: [{min: 0, level: low, outcome: pass}]\nrules:\n  - {id: r, when: 'fraud_flag != \"\"', outcome: monitor, reason: %q}\n", lang, reason)
				rs, err := rules.Parse(rules.Source{Name: "m.yaml", Data: []byte(src)})
				require.NoError(t, err)
				var opts []risk.CompileOption
				if ref {
					opts = append(opts, risk.WithReferenceEvaluator())
				}
				eng, err := risk.Compile(rs, opts...)
				require.NoError(t, err, lang)
				r := flaggedCard(t)
				r.MVNO, r.LinkedPlatforms, r.Complaints, r.Alerts30d = c.mvno, c.platforms, c.complaint, c.alerts
				d, err := eng.Score(r, risk.AsOfTime(asOf))
				require.NoError(t, err)
				require.Len(t, d.Hits, 1)
				got = append(got, d.Hits[0].Reason)
			}
			require.Equal(t, got[0], got[1], "%s: compiled and reference", lang)
			require.Contains(t, got[0], c.want, "%s %+v", lang, c)
			require.NotContains(t, got[0], "0013", "%s %+v", lang, c)
			require.NotContains(t, got[0], "００１３", "%s %+v", lang, c)
		}
	}
	// short numbers in the same places stay as they are
	src := "language: expr\nbands: [{min: 0, level: low, outcome: pass}]\nrules:\n  - {id: r, when: 'fraud_flag != \"\"', outcome: monitor, reason: '品牌{mvno}；{complaints}{alerts_30d}次'}\n"
	rs, err := rules.Parse(rules.Source{Name: "m.yaml", Data: []byte(src)})
	require.NoError(t, err)
	eng, err := risk.Compile(rs)
	require.NoError(t, err)
	r := flaggedCard(t)
	r.MVNO, r.Complaints, r.Alerts30d = "客服 10086", 12, 345 // 10 digits in a row: no number
	d, err := eng.Score(r, risk.AsOfTime(asOf))
	require.NoError(t, err)
	require.Equal(t, "品牌客服 10086；12345次", d.Hits[0].Reason)
}
