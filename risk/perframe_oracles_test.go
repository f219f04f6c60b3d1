package risk_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/risk/ref"
	"github.com/simrisk/simrisk/rules"
)

// FuzzReasonPartsMaskedAsWhole: a reason made of text, free-text fields,
// counts, a list joined and expressions side by side in any order (digits
// of one number spread over several parts) is masked exactly as the masker
// masks the whole rendered text, on both evaluators.
func FuzzReasonPartsMaskedAsWhole(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5}, "138", "0013", "8000", int64(13800), int64(138000))
	f.Add([]byte{2, 3, 2, 3}, "1", "2", "3", int64(1380), int64(138))
	f.Add([]byte{4, 4, 2}, "１３８", "-", "8000", int64(8000), int64(1))
	f.Add([]byte{224, 1, 2}, "x", "aaaaaaaaaaaaaa1380013", "y", int64(8000), int64(1)) // max 20 bytes: cut inside the number
	f.Fuzz(func(t *testing.T, shape []byte, a, b, c string, n1, n2 int64) {
		for _, s := range []string{a, b, c} {
			if !utf8ValidNoBrace(s) || len(s) > 30 {
				return
			}
		}
		if n1 < 0 || n2 < 0 || len(shape) > 12 || n1 > 1<<40 || n2 > 1<<40 {
			return
		}
		var tmpl, whole strings.Builder
		for _, k := range shape {
			switch k % 7 {
			case 0:
				tmpl.WriteString(a)
				whole.WriteString(a)
			case 1:
				tmpl.WriteString("{mvno}")
				whole.WriteString(b)
			case 2:
				tmpl.WriteString("{complaints}")
				whole.WriteString(strconv.FormatInt(n1, 10))
			case 3:
				tmpl.WriteString("{alerts_30d}")
				whole.WriteString(strconv.FormatInt(n2, 10))
			case 4:
				tmpl.WriteString("{linked_platforms}")
				whole.WriteString(strings.Join([]string{a, c}, ", "))
			case 5:
				tmpl.WriteString("{complaints + alerts_30d}")
				whole.WriteString(strconv.FormatInt(n1+n2, 10))
			case 6:
				tmpl.WriteString("{mvno + string(complaints)}")
				whole.WriteString(b + strconv.FormatInt(n1, 10))
			}
		}
		if tmpl.Len() == 0 {
			return // no reason: the rule's id is shown
		}
		reason, _ := json.Marshal(tmpl.String())
		src := "bands: [{min: 0, level: low, outcome: pass}]\nrules:\n  - id: r\n    when: 'fraud_flag != \"\"'\n    outcome: monitor\n    reason: " + string(reason) + "\n"
		rs, err := rules.Parse(rules.Source{Name: "m.yaml", Data: []byte(src)})
		if err != nil {
			return
		}
		// a short max_rendered_reason_bytes now and then: the cut comes
		// after masking the whole text
		lim := rules.DefaultLimits()
		if len(shape) > 0 && shape[0] >= 128 {
			lim.MaxRenderedReasonBytes = 4 + int(shape[0]-128)%40
		}
		for _, ref0 := range []bool{false, true} {
			opts := []risk.CompileOption{risk.WithLimits(lim)}
			if ref0 {
				opts = append(opts, risk.WithReferenceEvaluator())
			}
			eng, err := risk.Compile(rs, opts...)
			if err != nil {
				return
			}
			r := flaggedCard(t)
			r.MVNO, r.Complaints, r.Alerts30d = b, int(n1), int(n2)
			r.LinkedPlatforms = []string{a, c}
			d, err := eng.Score(r, risk.AsOfTime(asOf))
			if err != nil {
				return
			}
			require.Len(t, d.Hits, 1)
			if len(d.Errors) > 0 {
				return
			}
			want := ref.MaskText(whole.String())
			if len(want) > lim.MaxRenderedReasonBytes {
				n := lim.MaxRenderedReasonBytes
				for n > 0 && !utf8.RuneStart(want[n]) {
					n--
				}
				want = want[:n] + "…"
			}
			require.Equal(t, want, d.Hits[0].Reason, "%q tmpl %q ref %v", whole.String(), tmpl.String(), ref0)
		}
	})
}

func utf8ValidNoBrace(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsAny(s, "{}\"\\") && strings.IndexFunc(s, unicode.IsControl) < 0
}

// TestPooledScorerSwitchesConfiguration: Engine.Score's pooled scorers,
// switched between no population, a batch Population and a LivePopulation
// and between as-of times (one out of range) card by card, decide as a
// fresh scorer of each configuration.
func TestPooledScorerSwitchesConfiguration(t *testing.T) {
	cards, pop := lowerCards(t)
	live := risk.NewLivePopulation()
	for _, c := range cards[:100] {
		_, _ = live.Upsert(c, asOf)
	}
	for _, eng := range []*risk.Engine{defaultEngine(t)} {
		srcs := []risk.FeatureSource{nil, pop, live}
		ats := []risk.Time{asOf, asOf + 86400*40, asOf - 3600*5, risk.MaxAsOf + 1, asOf + 86400*400}
		for i, c := range cards {
			for k := 0; k < 3; k++ {
				p := srcs[(i+k)%3]
				at := ats[(i*3+k)%len(ats)]
				o := []risk.ScoreOption{risk.AsOfTime(at), risk.WithPopulation(p)}
				d1, err1 := eng.Score(c, o...)
				d2, err2 := eng.NewScorer(o...).Score(c)
				require.Equal(t, err1 == nil, err2 == nil, "card %d at %v: %v / %v", i, at, err1, err2)
				if err1 == nil && string(d1.AppendJSON(nil)) != string(d2.AppendJSON(nil)) {
					t.Fatalf("card %d pop %d at %v: pooled %s\nfresh %s", i, (i+k)%3, at, d1.AppendJSON(nil), d2.AppendJSON(nil))
				}
			}
		}
	}
}

// TestPopTestsInEveryFeatureState: pop.* tests before and after other
// tests (features loaded or not), inside a roaming predicate, in reasons;
// cards added, copies of them, copies moved to another holder, a
// LivePopulation's stored records; no population, a Population, a
// LivePopulation: the compiled evaluator decides as the reference one.
func TestPopTestsInEveryFeatureState(t *testing.T) {
	cards, pop := lowerCards(t)
	live := risk.NewLivePopulation()
	var stored []*risk.Record
	for _, c := range cards {
		if s, err := live.Upsert(c, asOf); err == nil {
			stored = append(stored, s)
		}
	}
	var copies []*risk.Record
	for _, c := range cards {
		cp := *c
		copies = append(copies, &cp)
		cp2 := *c
		cp2.Holder = "moved"
		copies = append(copies, &cp2)
	}
	all := append(append(append([]*risk.Record{}, cards...), stored...), copies...)
	src := `params: {days: 90, alerts: 3}
bands: [{min: 0, level: low, outcome: pass}]
rules:
  - {id: a, outcome: monitor, when: 'pop.cards_total > 1', reason: "a {pop.cards_total}"}
  - {id: b, outcome: monitor, when: 'complaints > 0 && pop.cards_on_operator >= 2', reason: "b"}
  - {id: c, outcome: monitor, when: 'pop.operators != 1 || pop.cards_same_day == 1', reason: "c {pop.operators}"}
  - {id: d, outcome: monitor, when: 'any(roaming, {.region == "TH" && pop.cards_total < 3})', reason: "d"}
  - {id: e, outcome: monitor, when: 'pop.cards_same_day <= 1 && kind == "mobile"', reason: "e"}
  - {id: f, outcome: monitor, when: 'pop.cards_total == pop.cards_on_operator', reason: "f"}
  - {id: g, outcome: monitor, when: 'any(roaming, {.region == "TH" && pop.cards_total >= 1 && open_region != .region})', reason: "g"}
`
	fast, err := compileSrc(t, src)
	require.NoError(t, err)
	ref, err := compileSrc(t, src, risk.WithReferenceEvaluator())
	require.NoError(t, err)
	for _, r := range fast.Rules() {
		require.Empty(t, r.Fallback, "%s: %s", r.ID, r.FallbackReason) // the compiled path is the one tested
	}
	for pi, p := range []risk.FeatureSource{nil, pop, live} {
		var o []risk.ScoreOption
		o = append(o, risk.AsOfTime(asOf))
		if p != nil {
			o = append(o, risk.WithPopulation(p))
		}
		sf, sr := fast.NewScorer(o...), ref.NewScorer(o...)
		var d risk.Decision
		for i, c := range all {
			err1 := sf.ScoreInto(c, &d)
			dr, err2 := sr.Score(c)
			require.Equal(t, err1 == nil, err2 == nil, "%v / %v", err1, err2)
			if err1 != nil {
				continue
			}
			if string(d.AppendJSON(nil)) != string(dr.AppendJSON(nil)) {
				t.Fatalf("pop %d card %d: fast %s\nref %s", pi, i, d.AppendJSON(nil), dr.AppendJSON(nil))
			}
		}
	}
}

// TestRegionTestsOnOddCodes: region tests (in_region on a card field and
// in a roaming predicate) on codes of odd lengths, non-digits, full-width
// digits, NULs, lower case, set on validated records: the compiled
// evaluator decides as the reference one.
func TestRegionTestsOnOddCodes(t *testing.T) {
	cards, pop := lowerCards(t)
	odd := []string{"", "K", "KH", "kh", "TH", "53", "5309", "530902", "530900", "530000", "5309021", "53090", "１１００００", "11000０", "110000", "110101", "440300", "4403", "XX0000", "53 902", "5309:2", "53090/", "\x00\x00\x00\x00\x00\x00", "ＫＨ", "K\xff", "99", "990000", "000000", "530902\n"}
	var extra []*risk.Record
	for i, o := range odd {
		r := &risk.Record{MSISDN: "13800138000", OpenedAt: risk.Date(2026, 1, 1), Holder: "hx"}
		require.NoError(t, r.Validate(asOf))
		r.OpenRegion, r.IDRegion = o, odd[(i+5)%len(odd)]
		r.Roaming = []risk.Roaming{{Region: o}, {Region: odd[(i+3)%len(odd)]}}
		extra = append(extra, r)
	}
	cards = append(cards, extra...)
	for _, lang := range []string{"expr", "cel"} {
		src := "language: " + lang + `
params: {days: 90, alerts: 3}
lists:
  l1: {type: region, items: [KH, TH, "530900", "350000", "110101"]}
  l2: {type: region, items: [MM, "530902", "350802", "440000"]}
  l3: {type: region, items: ["110000", "KH", "440300"]}
bands: [{min: 0, level: low, outcome: pass}]
rules:
  - {id: a, outcome: monitor, when: 'in_region(open_region, lists.l1)', reason: "a"}
  - {id: b, outcome: monitor, when: 'in_region(open_region, lists.l2)', reason: "b"}
  - {id: c, outcome: monitor, when: 'in_region(id_region, lists.l2) || in_region(id_region, lists.l3)', reason: "c"}
`
		if lang == "expr" {
			src += `  - {id: d, outcome: monitor, when: 'any(roaming, {in_region(.region, lists.l1) && !in_region(.region, lists.l3)})', reason: "d"}
  - {id: e, outcome: monitor, when: 'any(roaming, {in_region(.region, lists.l2) && .region != open_region})', reason: "e"}
`
		} else {
			src += `  - {id: d, outcome: monitor, when: 'roaming.exists(r, in_region(r.region, lists.l1) && !in_region(r.region, lists.l3))', reason: "d"}
  - {id: e, outcome: monitor, when: 'roaming.exists(r, in_region(r.region, lists.l2) && r.region != open_region)', reason: "e"}
`
		}
		fast, err := compileSrc(t, src)
		require.NoError(t, err)
		ref, err := compileSrc(t, src, risk.WithReferenceEvaluator())
		require.NoError(t, err)
		for _, r := range fast.Rules() {
			require.Empty(t, r.Fallback, "%s %s: %s", lang, r.ID, r.FallbackReason)
		}
		for i, c := range cards {
			df, err1 := fast.Score(c, risk.AsOfTime(asOf), risk.WithPopulation(pop))
			dr, err2 := ref.Score(c, risk.AsOfTime(asOf), risk.WithPopulation(pop))
			require.Equal(t, err1 == nil, err2 == nil, "%v / %v", err1, err2)
			if err1 != nil {
				continue
			}
			if string(df.AppendJSON(nil)) != string(dr.AppendJSON(nil)) {
				t.Errorf("%s card %d %q: fast %s\nref %s", lang, i, c.OpenRegion, df.AppendJSON(nil), dr.AppendJSON(nil))
			}
		}
	}
}
