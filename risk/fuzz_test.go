package risk_test

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/rules"
)

var longDigits = regexp.MustCompile(`[0-9]{11,}`)

// FuzzRecordJSON: decoding and validating any bytes never panics, and no
// error message carries a full number.
func FuzzRecordJSON(f *testing.F) {
	f.Add([]byte(`{"msisdn":"13800138000","opened_at":"2024-03-01","roaming":[{"region":"KH","last_seen":"2026-10-30"}]}`))
	f.Add([]byte(`{"msisdn":"13800138000123","opened_at":"2024-03-01T10:00:00+08:00","iot":{"business":"new"}}`))
	f.Add([]byte(`{"msisdn":"1380013800","opened_at":null,"complaints":-1}`))
	f.Add([]byte(`{"msisdn":"12345678901","opened_at":"2099-01-01"}`))
	f.Add([]byte(`{"msisdn":"13800138000","opened_at":"2024-03-01","roaming":[{}]}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var r risk.Record
		err := json.Unmarshal(data, &r)
		if err == nil {
			err = r.Validate(asOf)
		}
		if err != nil && longDigits.MatchString(err.Error()) {
			t.Fatalf("error shows a full number: %v", err)
		}
		if err == nil {
			out, _ := json.Marshal(&r)
			var back risk.Record
			if err := json.Unmarshal(out, &back); err != nil {
				t.Fatalf("cannot read back %s: %v", out, err)
			}
		}
	})
}

// FuzzParseTime: any text either parses to a date that prints and parses
// back to the same instant, or is an error.
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2026-08-03", "2026-08-02T16:30:00Z", "2026-11-01T09:59:59+08:00", "1979-12-31", "9999-12-31", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tm, err := risk.ParseTime(s)
		if err != nil {
			return
		}
		back, err := risk.ParseTime(tm.String())
		if err != nil || back != tm {
			t.Fatalf("%q -> %v -> %q: %v", s, tm, tm.String(), err)
		}
	})
}

// FuzzCompileWhen: any expression in a rule, in expr or CEL, either compiles
// to an Engine that scores without panicking, or is a positioned compile
// error.
func FuzzCompileWhen(f *testing.F) {
	for _, pack := range []string{"default", "default-cel"} {
		rs, _ := rules.Pack(pack)
		for _, r := range rs.Rules {
			f.Add(r.When.Src, pack == "default-cel")
		}
	}
	for _, s := range []string{"valid &&", "linked_platforms[9] == 'x'", "1/0 > 1", "params.x", "lists", "all(roaming, .days_ago > 1)",
		"roaming.all(r, r.days_ago > 1)", "size(linked_platforms) / 0 > 1", strings.Repeat("(", 50),
		strings.Repeat("(", 70) + "true" + strings.Repeat(")", 70), strings.Repeat("-", 70) + "1 > 0", `repeat("x", 1000000) != ""`,
		`reduce(1..100000, #acc + mvno, "") != ""`, `any(0..999, any(0..999, any(0..999, true)))`,
		`let x = all(roaming, .days_ago < 9); none(roaming, x && .region == "KH")`,
		`roaming.all(a, roaming.all(b, a.region != b.region || a.days_ago <= b.days_ago))`} {
		f.Add(s, false)
		f.Add(s, true)
	}
	data, _ := os.ReadFile("../rules/packs/default/default.yaml")
	head := string(data[:strings.Index(string(data), "\nrules:")])
	c := card()
	c.Roaming = []risk.Roaming{{Region: "KH", LastSeen: risk.Date(2026, 10, 1)}}
	c.LinkedPlatforms = []string{"jd"}
	f.Fuzz(func(t *testing.T, when string, cel bool) {
		lang := "expr"
		if cel {
			lang = "cel"
		}
		src := head + "\nrules:\n  - id: fz\n    outcome: verify\n    language: " + lang + "\n    when: " + strconvQuote(when) + "\n"
		set, err := rules.Parse(rules.Source{Name: "f.yaml", Data: []byte(src)})
		if err != nil {
			return
		}
		eng, err := risk.Compile(set)
		if err != nil {
			for _, e := range rules.AsList(err) {
				if e.Line == 0 && e.Code != rules.CodeTooManyErrors {
					t.Fatalf("compile error without position: %v", e)
				}
			}
			return
		}
		d, err := eng.Score(c, risk.AsOfTime(asOf))
		if err != nil {
			t.Fatalf("a valid card was rejected: %v", err)
		}
		for _, e := range d.Errors {
			if strings.Contains(e.Message, "internal error") {
				t.Fatalf("the rule panicked on the card (caught by the panic boundary): %v", e)
			}
		}
	})
}

func strconvQuote(s string) string {
	b, _ := json.Marshal(s) // JSON strings are valid YAML double-quoted scalars
	return string(b)
}
