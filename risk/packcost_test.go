package risk_test

import (
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/risk/ref"
	"github.com/simrisk/simrisk/rules"
)

func attackSrc(t *testing.T, dir string) string {
	t.Helper()
	data, err := os.ReadFile("testdata/attack13/" + dir + "/rules.yaml")
	require.NoError(t, err)
	return string(data)
}

// 2,000 rules each within max_cost took most of a minute on one card
// (testdata/attack13/slow): the sum of the rules' estimates is held to
// max_pack_cost, and the error is at the rule that crosses it.
func TestPackCostLimit(t *testing.T) {
	e := requireLimitErr(t, attackSrc(t, "slow"), rules.CodeTooCostly, "max_pack_cost=20000000")
	require.Equal(t, "r20", e.Rule) // each is estimated at about 952,000: the 21st takes the sum over
	require.Equal(t, 6+3*20, e.Pos.Line)
	require.Contains(t, e.Msg, "the rules up to this one are estimated to cost up to 20665365 per card together")
	// the limit can be raised
	lim := rules.DefaultLimits()
	require.NoError(t, lim.Set("max_pack_cost", "2000000000"))
	rs, err := rules.Parse(rules.Source{Name: "t.yaml", Data: []byte(attackSrc(t, "slow"))})
	require.NoError(t, err)
	_, err = risk.Compile(rs, risk.WithLimits(lim))
	require.NoError(t, err)
}

// One rule with 20 costly placeholders cost 21 times max_cost
// (testdata/attack13/slow2): a rule's condition and its reasons'
// placeholders share max_cost.
func TestRuleCostCountsReasons(t *testing.T) {
	e := requireLimitErr(t, attackSrc(t, "slow2"), rules.CodeTooCostly, "max_cost=1000000")
	require.Equal(t, "r", e.Rule)
	require.Contains(t, e.Msg, "reasons' placeholders together")
	cel := `
language: cel
rules:
  - id: c
    when: roaming.exists(e, roaming.exists(r, e.region == r.region && e.days_ago != r.days_ago + 1000))
    outcome: monitor
    reason: "{roaming.exists(e, roaming.exists(r, e.region == r.region))} {roaming.exists(e, roaming.exists(r, e.region == r.region))}"
` + bands
	e = requireLimitErr(t, cel, rules.CodeTooCostly, "max_cost=1000000")
	require.Equal(t, "c", e.Rule)
}

// Both default packs are far under max_pack_cost.
func TestDefaultPacksPackCost(t *testing.T) {
	for _, name := range []string{"default", "default-cel"} {
		rs, err := rules.Pack(name)
		require.NoError(t, err)
		eng, err := risk.Compile(rs)
		require.NoError(t, err)
		t.Logf("%s: the rules' estimates sum to %d", name, eng.PackCost())
		require.Greater(t, eng.PackCost(), uint64(0))
		require.Less(t, eng.PackCost(), rules.DefaultLimits().MaxPackCost/4)
	}
}

// The engine's own numbers in a lint message (an estimate over ten digits)
// are written so no phone-number masker takes them for one: the message
// comes through ref.MaskText as it is.
func TestCostMessageNumbersNotMaskable(t *testing.T) {
	for _, src := range []string{
		"rules:\n  - {id: r, when: 'len(repeat(status, 100000000000)) > 0', outcome: monitor, score: 1}\n" + bands,
		"language: cel\nrules:\n  - {id: r, when: 'roaming.exists(a, roaming.exists(b, roaming.exists(c, roaming.exists(d, a.region == d.region))))', outcome: monitor, score: 1}\n" + bands,
	} {
		e := requireLimitErr(t, src, rules.CodeTooCostly, "max_cost=1000000")
		require.Contains(t, e.Msg, "up to about ")
		require.Equal(t, ref.MaskText(e.Msg), e.Msg)
	}
}

// A reason of 32 placeholders of 900,000 bytes each rendered 28.8 MB per
// hit (testdata/attack13/bigreason): its placeholders together are over
// max_cost at load now, and a rendered reason is cut at
// max_rendered_reason_bytes at run time, at a character boundary.
func TestRenderedReasonBounded(t *testing.T) {
	e := requireLimitErr(t, attackSrc(t, "bigreason"), rules.CodeTooCostly, "max_cost=1000000")
	require.Contains(t, e.Msg, "reasons' placeholders together")

	eng, err := compileSrc(t, `
rules:
  - {id: r, when: 'true', outcome: monitor, score: 1, reason: 'a{repeat("中", 2000)}{repeat("x", 100000)}'}
  - {id: s, when: 'true', outcome: monitor, score: 1, reason: 'b{repeat("中", 10)}'}
`+bands)
	require.NoError(t, err)
	d, err := eng.Score(card(), risk.AsOfTime(asOf))
	require.NoError(t, err)
	require.Empty(t, d.Errors)
	require.Len(t, d.Hits, 2)
	r := d.Hits[0].Reason
	require.True(t, utf8.ValidString(r))
	require.True(t, strings.HasSuffix(r, "…"))
	require.LessOrEqual(t, len(r), 4096+len("…"))
	require.Equal(t, "a"+strings.Repeat("中", 1365)+"…", r) // 1 + 1365×3 = 4096 bytes
	require.Equal(t, "b"+strings.Repeat("中", 10), d.Hits[1].Reason)

	lim := rules.DefaultLimits()
	require.NoError(t, lim.Set("max_rendered_reason_bytes", "8"))
	eng, err = compileSrc(t, "rules:\n  - {id: r, when: 'true', outcome: monitor, score: 1, reason: 'abcdefghij'}\n"+bands, risk.WithLimits(lim))
	require.NoError(t, err)
	d, err = eng.Score(card(), risk.AsOfTime(asOf))
	require.NoError(t, err)
	require.Equal(t, "abcdefgh…", d.Hits[0].Reason)
}
