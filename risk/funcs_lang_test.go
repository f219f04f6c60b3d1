package risk_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/internal/vocab"
	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/rules"
)

// Every overload of every domain function gives the same answer in both
// languages, compiled and on the reference evaluators, in a condition and
// in a reason.
func TestDomainFuncsInBothLanguages(t *testing.T) {
	calls := []struct {
		fn, call, want string
		overload       int
	}{
		{"in_region", `in_region(open_region, lists.hot)`, "true", 0},
		{"days_between", `days_between(opened_at, as_of)`, "304", 0},
		{"region_name", `region_name(open_region)`, "Cambodia", 0},
		{"region_name", `region_name(open_region, "zh")`, "柬埔寨", 1},
		{"display", `display(operator, "zh")`, "中国移动", 0},
		{"display", `display(recycled, "zh")`, "否", 1},
		{"mask", `mask(msisdn)`, "138****8000", 0},
	}
	covered := map[string]bool{}
	for _, c := range calls {
		covered[fmt.Sprint(c.fn, c.overload)] = true
	}
	for _, f := range vocab.Funcs() {
		for i := range f.Overloads {
			require.True(t, covered[fmt.Sprint(f.Name, i)], "no case calls %s's overload %d", f.Name, i)
		}
	}

	var conds, reasons, wants []string
	for _, c := range calls {
		lit := c.want
		if c.want != "true" && strings.Trim(c.want, "0123456789") != "" {
			lit = `"` + c.want + `"`
		}
		conds = append(conds, c.call+" == "+lit)
		reasons = append(reasons, "{"+c.call+"}")
		wants = append(wants, c.want)
	}
	card := &risk.Record{MSISDN: "13800138000", Operator: "cmcc", OpenedAt: risk.Date(2026, 1, 1), OpenRegion: "KH"}
	for _, lang := range []string{"expr", "cel"} {
		src := fmt.Sprintf(`language: %s
lists:
  hot: {type: region, items: [KH, "530900"]}
bands: [{min: 0, level: low, outcome: pass}]
rules:
  - id: r
    when: %q
    outcome: monitor
    reason: %q
`, lang, strings.Join(conds, " && "), strings.Join(reasons, " "))
		rs, err := rules.Parse(rules.Source{Name: lang + ".yaml", Data: []byte(src)})
		require.NoError(t, err)
		for _, ref := range []bool{false, true} {
			var opts []risk.CompileOption
			if ref {
				opts = append(opts, risk.WithReferenceEvaluator())
			}
			eng, err := risk.Compile(rs, opts...)
			require.NoError(t, err, lang)
			info := eng.Rules()[0]
			require.Equal(t, ref, info.Fallback != "", "%s reference=%v: %+v", lang, ref, info)
			require.Equal(t, ref, len(info.ReasonFallbacks) > 0, "%s reference=%v: %+v", lang, ref, info)
			d, err := eng.Score(card, risk.AsOfTime(asOf))
			require.NoError(t, err)
			require.Empty(t, d.Errors)
			require.True(t, d.Fired("r"), "%s reference=%v", lang, ref)
			require.Equal(t, strings.Join(wants, " "), d.Hits[0].Reason, "%s reference=%v", lang, ref)
		}
	}
}
