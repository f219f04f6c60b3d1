package peers_test

import (
	"context"
	"sort"
	"strings"
	"testing"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/datasets"
	"github.com/simrisk/simrisk/risk"
	riskref "github.com/simrisk/simrisk/risk/ref"
	"github.com/simrisk/simrisk/rules"
)

var asOf = risk.Date(2026, 11, 1)

var (
	countries = []string{"MM", "KH", "AE", "PH", "TH", "LA", "MY", "TR", "GE"}
	areas     = []string{"350802", "460400", "440904", "350524", "431321", "450126", "361127", "533100", "530900", "530800", "532800", "451400", "450600", "451000"}
)

// input is the document a host would hand a general rule engine: the card's
// fields with the derived values and population features precomputed.
func input(r *risk.Record, f risk.Features) map[string]any {
	last := r.LastActivity()
	if last == 0 {
		last = r.OpenedAt
	}
	freeze := risk.Never
	if r.Recycled && r.ReleasedAt != 0 {
		freeze = risk.DaysBetween(r.ReleasedAt, r.OpenedAt)
	}
	attach := risk.Never
	if r.LastAttachAt != 0 {
		attach = risk.DaysBetween(r.LastAttachAt, asOf)
	}
	seg, _ := riskref.LookupSegment(r.MSISDN)
	roaming := make([]any, 0, len(r.Roaming))
	for _, ro := range r.Roaming {
		ago := risk.Never
		if ro.LastSeen != 0 {
			ago = risk.DaysBetween(ro.LastSeen, asOf)
		}
		roaming = append(roaming, map[string]any{"region": ro.Region, "days_ago": ago})
	}
	platforms := make([]any, 0, len(r.LinkedPlatforms))
	for _, p := range r.LinkedPlatforms {
		platforms = append(platforms, p)
	}
	return map[string]any{
		"valid": r.Valid(), "kind": r.Kind, "fraud_flag": r.FraudFlag, "complaints": r.Complaints,
		"alerts_30d": r.Alerts30d, "days_since_last_activity": risk.DaysBetween(last, asOf),
		"days_since_last_attach": attach,
		"open_region":            r.OpenRegion, "roaming": roaming,
		"verification_pending": r.VerifyRequiredAt != 0 && r.VerifiedAt < r.VerifyRequiredAt,
		"as_of":                int(asOf), "verify_required_at": int(r.VerifyRequiredAt), "segment": seg.Prefix,
		"recycled": r.Recycled, "renewed": r.Renewed, "freeze_days": freeze, "linked_platforms": platforms,
		"iot": map[string]any{
			"test_plan": r.IoT.TestPlan, "nondirected_data": r.IoT.NondirectedData, "nondirected_voice": r.IoT.NondirectedVoice,
			"nondirected_sms": r.IoT.NondirectedSMS, "directed_voice": r.IoT.DirectedVoice, "directed_sms": r.IoT.DirectedSMS,
			"user_realnamed": r.IoT.UserRealnamed, "business": r.IoT.Business, "handler_verified": r.IoT.HandlerVerified,
			"province_approval": r.IoT.ProvinceApproval, "group_approval": r.IoT.GroupApproval,
		},
		"pop": map[string]any{"cards_on_operator": f.CardsOnOperator, "cards_total": f.CardsTotal},
	}
}

func inRegion(code string, list []string) bool {
	for _, c := range list {
		switch {
		case c == code:
			return true
		case len(code) == 6 && strings.HasSuffix(c, "0000") && code[:2] == c[:2]:
			return true
		case len(code) == 6 && strings.HasSuffix(c, "00") && !strings.HasSuffix(c, "0000") && code[:4] == c[:4]:
			return true
		}
	}
	return false
}

// ---- OPA --------------------------------------------------------------------

const regoModule = `package simrisk

countries := {"MM", "KH", "AE", "PH", "TH", "LA", "MY", "TR", "GE"}
areas := {"350802", "460400", "440904", "350524", "431321", "450126", "361127", "533100", "530900", "530800", "532800", "451400", "450600", "451000"}
iot_kinds := {"iot", "data_card"}
handler_businesses := {"new", "transfer", "realname_supplement", "replacement"}

in_region(code, list) if list[code]
in_region(code, list) if { count(code) == 6; list[concat("", [substring(code, 0, 4), "00"])] }
in_region(code, list) if { count(code) == 6; list[concat("", [substring(code, 0, 2), "0000"])] }

hot(code) if in_region(code, countries)
hot(code) if in_region(code, areas)

iot_scope if input.kind in iot_kinds
user_rules if { iot_scope; not input.iot.test_plan }
realnamed5 if { input.iot.user_realnamed; input.pop.cards_on_operator <= 5 }
nd_voice_sms if input.iot.nondirected_voice
nd_voice_sms if input.iot.nondirected_sms
d_voice_sms if input.iot.directed_voice
d_voice_sms if input.iot.directed_sms

fired contains "fraud_involved" if { input.valid; input.fraud_flag != "" }
fired contains "fraud_involved" if { input.valid; input.complaints >= 1 }
fired contains "multi_card_id" if { input.valid; input.kind != "iot"; input.pop.cards_on_operator > 5 }
fired contains "dormant" if { input.valid; input.days_since_last_activity >= 90 }
fired contains "silent" if { input.valid; input.days_since_last_attach <= 7; input.days_since_last_activity >= 30 }
fired contains "high_fraud_region" if { input.valid; hot(input.open_region) }
fired contains "high_fraud_region" if { input.valid; some r in input.roaming; r.days_ago <= 90; hot(r.region) }
fired contains "frequent_alerts" if { input.valid; input.alerts_30d >= 3 }
fired contains "verification_overdue" if { input.valid; input.verification_pending; input.as_of > input.verify_required_at + 86400 }
fired contains "verification_pending" if { input.valid; input.verification_pending; input.as_of <= input.verify_required_at + 86400 }
fired contains "iot_handler_check" if { input.valid; iot_scope; input.iot.business in handler_businesses; not input.iot.handler_verified }
fired contains "iot_nondirected_data" if { input.valid; user_rules; input.iot.nondirected_data; not realnamed5; not input.iot.province_approval }
fired contains "iot_149_nondirected" if { input.valid; user_rules; input.segment == "149"; nd_voice_sms; not realnamed5 }
fired contains "iot_149_directed" if { input.valid; user_rules; input.segment == "149"; d_voice_sms; not input.iot.user_realnamed; not input.iot.group_approval }
fired contains "recycled_short_freeze" if { input.valid; input.recycled; input.freeze_days < 90 }
fired contains "recycled_bound_accounts" if { input.valid; input.recycled; not input.renewed; count(input.linked_platforms) > 0 }
`

func opaQuery(t testing.TB) rego.PreparedEvalQuery {
	pq, err := rego.New(rego.Query("data.simrisk.fired"), rego.Module("simrisk.rego", regoModule)).PrepareForEval(context.Background())
	require.NoError(t, err)
	return pq
}

func opaFired(t testing.TB, pq rego.PreparedEvalQuery, in map[string]any) []string {
	rs, err := pq.Eval(context.Background(), rego.EvalInput(in))
	require.NoError(t, err)
	var out []string
	if len(rs) > 0 {
		for _, v := range rs[0].Expressions[0].Value.([]any) {
			out = append(out, v.(string))
		}
	}
	sort.Strings(out)
	return out
}

// ---- expr and cel-go ----------------------------------------------------------

// The same conditions; the two languages differ only where noted.
var peerRules = []struct{ id, expr, cel string }{
	{"fraud_involved", `valid && (fraud_flag != "" || complaints >= 1)`, ""},
	{"multi_card_id", `valid && kind != "iot" && pop.cards_on_operator > 5`, ""},
	{"dormant", `valid && days_since_last_activity >= 90`, ""},
	{"silent", `valid && days_since_last_attach <= 7 && days_since_last_activity >= 30`, ""},
	{"high_fraud_region", `valid && (in_region(open_region, countries) || in_region(open_region, areas) || any(roaming, .days_ago <= 90 && (in_region(.region, countries) || in_region(.region, areas))))`,
		`valid && (in_region(open_region, countries) || in_region(open_region, areas) || roaming.exists(r, r.days_ago <= 90 && (in_region(r.region, countries) || in_region(r.region, areas))))`},
	{"frequent_alerts", `valid && alerts_30d >= 3`, ""},
	{"verification_overdue", `valid && verification_pending && as_of > verify_required_at + 86400`, ""},
	{"verification_pending", `valid && verification_pending && as_of <= verify_required_at + 86400`, ""},
	{"iot_handler_check", `valid && kind in ["iot", "data_card"] && iot.business in ["new", "transfer", "realname_supplement", "replacement"] && !iot.handler_verified`, ""},
	{"iot_nondirected_data", `valid && kind in ["iot", "data_card"] && !iot.test_plan && iot.nondirected_data && !(iot.user_realnamed && pop.cards_on_operator <= 5) && !iot.province_approval`, ""},
	{"iot_149_nondirected", `valid && kind in ["iot", "data_card"] && !iot.test_plan && segment == "149" && (iot.nondirected_voice || iot.nondirected_sms) && !(iot.user_realnamed && pop.cards_on_operator <= 5)`, ""},
	{"iot_149_directed", `valid && kind in ["iot", "data_card"] && !iot.test_plan && segment == "149" && (iot.directed_voice || iot.directed_sms) && !iot.user_realnamed && !iot.group_approval`, ""},
	{"recycled_short_freeze", `valid && recycled && freeze_days < 90`, ""},
	{"recycled_bound_accounts", `valid && recycled && !renewed && len(linked_platforms) > 0`, `valid && recycled && !renewed && size(linked_platforms) > 0`},
}

type exprPeer struct {
	progs []*vm.Program
}

func newExprPeer(t testing.TB, sample map[string]any) *exprPeer {
	p := &exprPeer{}
	env := map[string]any{}
	for k, v := range sample {
		env[k] = v
	}
	env["countries"], env["areas"] = countries, areas
	for _, r := range peerRules {
		prog, err := expr.Compile(r.expr, expr.Env(env), expr.AsBool(),
			expr.Function("in_region", func(params ...any) (any, error) {
				code, _ := params[0].(string)
				return inRegion(code, params[1].([]string)), nil
			}, new(func(string, []string) bool)))
		require.NoError(t, err, r.id)
		p.progs = append(p.progs, prog)
	}
	return p
}

func (p *exprPeer) fired(t testing.TB, in map[string]any) []string {
	in["countries"], in["areas"] = countries, areas
	var out []string
	for i, prog := range p.progs {
		v, err := expr.Run(prog, in)
		require.NoError(t, err)
		if v.(bool) {
			out = append(out, peerRules[i].id)
		}
	}
	sort.Strings(out)
	return out
}

type celPeer struct {
	progs []cel.Program
}

func newCELPeer(t testing.TB) *celPeer {
	env, err := cel.NewEnv(
		cel.Variable("valid", cel.BoolType), cel.Variable("kind", cel.StringType), cel.Variable("fraud_flag", cel.StringType),
		cel.Variable("complaints", cel.IntType), cel.Variable("alerts_30d", cel.IntType),
		cel.Variable("days_since_last_activity", cel.IntType), cel.Variable("days_since_last_attach", cel.IntType), cel.Variable("open_region", cel.StringType),
		cel.Variable("roaming", cel.ListType(cel.MapType(cel.StringType, cel.DynType))),
		cel.Variable("verification_pending", cel.BoolType), cel.Variable("as_of", cel.IntType),
		cel.Variable("verify_required_at", cel.IntType), cel.Variable("segment", cel.StringType),
		cel.Variable("recycled", cel.BoolType), cel.Variable("renewed", cel.BoolType), cel.Variable("freeze_days", cel.IntType),
		cel.Variable("linked_platforms", cel.ListType(cel.StringType)),
		cel.Variable("iot", cel.MapType(cel.StringType, cel.DynType)), cel.Variable("pop", cel.MapType(cel.StringType, cel.IntType)),
		cel.Variable("countries", cel.ListType(cel.StringType)), cel.Variable("areas", cel.ListType(cel.StringType)),
		cel.Function("in_region", cel.Overload("in_region_string_list", []*cel.Type{cel.StringType, cel.ListType(cel.StringType)}, cel.BoolType,
			cel.BinaryBinding(func(a, b ref.Val) ref.Val {
				list, _ := b.Value().([]string)
				return types.Bool(inRegion(a.Value().(string), list))
			}))),
	)
	require.NoError(t, err)
	p := &celPeer{}
	for _, r := range peerRules {
		src := r.cel
		if src == "" {
			src = r.expr
		}
		ast, iss := env.Compile(src)
		require.NoError(t, iss.Err(), r.id)
		prg, err := env.Program(ast, cel.EvalOptions(cel.OptOptimize))
		require.NoError(t, err)
		p.progs = append(p.progs, prg)
	}
	return p
}

func (p *celPeer) fired(t testing.TB, in map[string]any) []string {
	in["countries"], in["areas"] = countries, areas
	var out []string
	for i, prg := range p.progs {
		v, _, err := prg.Eval(in)
		require.NoError(t, err)
		if v.Value().(bool) {
			out = append(out, peerRules[i].id)
		}
	}
	sort.Strings(out)
	return out
}

// ---- agreement and benchmarks -------------------------------------------------

type fixture struct {
	eng   *risk.Engine
	pop   *risk.Population
	recs  []*risk.Record
	feats []risk.Features
}

func setup(t testing.TB, n int) *fixture {
	rs, err := rules.Pack("default")
	require.NoError(t, err)
	eng, err := risk.Compile(rs)
	require.NoError(t, err)
	recs := datasets.Generate(datasets.GenOptions{Cards: n, Seed: 42, AsOf: asOf})
	pop := risk.NewPopulation()
	for _, r := range recs {
		require.NoError(t, r.Validate(asOf))
		pop.Add(r)
	}
	feats := make([]risk.Features, len(recs))
	for i, r := range recs {
		feats[i] = pop.Features(r)
	}
	return &fixture{eng, pop, recs, feats}
}

// Every peer fires the same rules as the engine on generated cards.
func TestPeersAgreeWithEngine(t *testing.T) {
	fx := setup(t, 5000)
	pq := opaQuery(t)
	ep := newExprPeer(t, input(fx.recs[0], fx.feats[0]))
	cp := newCELPeer(t)
	s := fx.eng.NewScorer(risk.AsOfTime(asOf), risk.WithPopulation(fx.pop))
	fired := 0
	for i, r := range fx.recs {
		d, err := s.Score(r)
		require.NoError(t, err)
		var want []string
		for _, h := range d.Hits {
			want = append(want, h.Rule)
		}
		sort.Strings(want)
		fired += len(want)
		in := input(r, fx.feats[i])
		require.Equal(t, want, opaFired(t, pq, in), "opa, card %d", i)
		require.Equal(t, want, ep.fired(t, in), "expr, card %d", i)
		require.Equal(t, want, cp.fired(t, in), "cel, card %d", i)
	}
	require.Greater(t, fired, 500)
}

// BenchmarkDefaultPack times the peers on the same cards as bench's
// benchmark of that name: building the input document is part of each card.
func BenchmarkDefaultPack(b *testing.B) {
	fx := setup(b, 10000)
	pq := opaQuery(b)
	ep := newExprPeer(b, input(fx.recs[0], fx.feats[0]))
	cp := newCELPeer(b)
	s := fx.eng.NewScorer(risk.AsOfTime(asOf), risk.WithPopulation(fx.pop))
	var d risk.Decision
	for _, c := range []struct {
		name string
		run  func(i int)
	}{
		{"compiled", func(i int) { _ = s.ScoreInto(fx.recs[i], &d) }},
		{"opa", func(i int) { opaFired(b, pq, input(fx.recs[i], fx.feats[i])) }},
		{"expr-docs", func(i int) { ep.fired(b, input(fx.recs[i], fx.feats[i])) }},
		{"cel-docs", func(i int) { cp.fired(b, input(fx.recs[i], fx.feats[i])) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				c.run(i % len(fx.recs))
			}
		})
	}
}
