package risk_test

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/datasets"
	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/rules"
)

// exprGen draws random expressions from the vocabulary, driven by a byte
// stream (so that the fuzzer can steer it) or a seeded generator.
type exprGen struct {
	next  func() int
	depth int
	cel   bool // write CEL instead of expr
	// writing a reason: msisdn only as mask(msisdn)
	inReason bool
	// writing a macro: no msisdn (a reason may not print a macro reading it)
	inMacro bool
	// names a condition may use besides the vocabulary: the macros defined
	// so far, and the variables bound (expr's let, CEL's cel.bind) where the
	// generator is writing. Quantifier bodies use them, so that a bound
	// quantifier runs inside a loop over the same list or the other.
	macros []string
	bound  []genName
	fresh  int // numbers bound names
}

// genName is a bound name and the kind of its value.
type genName struct {
	name string
	kind int // genBool, genInt or genStr
}

const (
	genBool = iota
	genInt
	genStr
)

func (g *exprGen) n(k int) int { return g.next() % k }

var (
	genBools = []string{"valid", "recycled", "renewed", "verification_pending", "segment_mvno", "iot.test_plan",
		"iot.nondirected_data", "iot.user_realnamed", "iot.handler_verified", "iot.group_approval"}
	genInts = []string{"complaints", "alerts_30d", "days_since_opened", "days_since_last_voice", "days_since_last_activity",
		"freeze_days", "pop.cards_on_operator", "pop.cards_total", "pop.cards_same_day", "pop.operators", "opened_at",
		"verified_at", "as_of", "never", "params.days", "params.alerts"}
	genStrs = []string{"msisdn", "operator", "mvno", "kind", "status", "open_region", "fraud_flag", "segment",
		"iot.business", "id_region"}
	genStrLits = []string{`""`, `"cmcc"`, `"KH"`, `"mobile"`, `"iot"`, `"active"`, `"149"`, `"new"`, `"police"`, `"530902"`}
)

func (g *exprGen) boolExpr() string {
	g.depth++
	defer func() { g.depth-- }()
	k := 16
	if g.depth > 3 {
		k = 4
	}
	switch g.n(k) {
	case 0:
		return genBools[g.n(len(genBools))]
	case 14:
		// a macro or a bound name
		if v := g.invariant(""); v != "" {
			return v
		}
		return genBools[g.n(len(genBools))]
	case 15:
		return g.bind(g.boolExpr)
	case 1:
		return fmt.Sprintf("%s %s %s", g.intExpr(), []string{"<", "<=", ">", ">=", "==", "!="}[g.n(6)], g.intExpr())
	case 2:
		return fmt.Sprintf("%s %s %s", g.strExpr(), []string{"==", "!=", "<", ">="}[g.n(4)], g.strExpr())
	case 3:
		if g.n(2) == 0 {
			// the compiled evaluator tests one subject's two lists as one
			x := g.strExpr()
			return fmt.Sprintf("(in_region(%s, lists.hot) || in_region(%s, lists.hot2))", x, x)
		}
		return fmt.Sprintf("in_region(%s, lists.%s)", g.strExpr(), []string{"hot", "hot2"}[g.n(2)])
	case 4:
		return fmt.Sprintf("(%s && %s)", g.boolExpr(), g.boolExpr())
	case 5:
		return fmt.Sprintf("(%s || %s)", g.boolExpr(), g.boolExpr())
	case 6:
		return "!(" + g.boolExpr() + ")"
	case 7:
		if g.cel {
			return fmt.Sprintf("%s(%s in lists.plats)", []string{"", "!"}[g.n(2)], g.strExpr())
		}
		return fmt.Sprintf("%s %s lists.plats", g.strExpr(), []string{"in", "not in"}[g.n(2)])
	case 8:
		return fmt.Sprintf(`%s in %s`, g.strExpr(), []string{`["KH", "cmcc", "iot", ""]`, `["iot"]`, `["mobile", "iot"]`}[g.n(3)])
	case 9:
		return g.roamQuant()
	case 10:
		return g.platQuant()
	case 11:
		return fmt.Sprintf("(%s ? %s : %s)", g.boolExpr(), g.boolExpr(), g.boolExpr())
	case 12:
		if g.cel {
			return fmt.Sprintf("%s.%s(%s)", g.strExpr(), []string{"startsWith", "endsWith", "contains"}[g.n(3)], genStrLits[g.n(len(genStrLits))])
		}
		return fmt.Sprintf("%s %s %s", g.strExpr(), []string{"startsWith", "endsWith", "contains"}[g.n(3)], genStrLits[g.n(len(genStrLits))])
	default:
		if g.cel {
			return fmt.Sprintf("double(%s) %s %s", g.intExpr(), []string{"<", ">="}[g.n(2)], []string{"1.5", "89.9", "-0.5"}[g.n(3)])
		}
		return fmt.Sprintf("%s %s %s", g.intExpr(), []string{"<", ">="}[g.n(2)], []string{"1.5", "89.9", "-0.5"}[g.n(3)])
	}
}

// roamQuant draws a quantifier over roaming; its body may use the macros
// and bound names in scope.
func (g *exprGen) roamQuant() string {
	if g.cel {
		fields := []string{"r.days_ago <= params.days", `r.region == "KH"`, "in_region(r.region, lists.hot)", "r.last_seen > 0", `r.region.startsWith("T")`,
			"(in_region(r.region, lists.hot) || in_region(r.region, lists.hot2))", "r.days_ago < 30", `r.region == "MM"`}
		q := []string{"roaming.exists(r, %s)", "roaming.all(r, %s)", "!roaming.exists(r, %s)"}[g.n(3)]
		return fmt.Sprintf(q, g.mix(fields[g.n(len(fields))], "r.region"))
	}
	fields := []string{".days_ago <= params.days", `.region == "KH"`, "in_region(.region, lists.hot)", ".last_seen > 0", `.region startsWith "T"`,
		"(in_region(.region, lists.hot) || in_region(.region, lists.hot2))", ".days_ago < 30", `.region == "MM"`}
	q := []string{"any", "all", "none"}[g.n(3)]
	return fmt.Sprintf("%s(roaming, %s)", q, g.mix(fields[g.n(len(fields))], ".region"))
}

// platQuant draws a quantifier over linked_platforms, its body as
// roamQuant's.
func (g *exprGen) platQuant() string {
	lit := []string{`"jd"`, `"tencent"`, `""`, `"alipay"`}[g.n(4)]
	if g.cel {
		q := []string{"linked_platforms.exists(%s, %s)", "linked_platforms.all(%s, %s)"}[g.n(2)]
		if g.n(4) == 0 {
			// the loop variable hides a vocabulary term or a macro (one
			// defined before: a macro using its own name is a cycle)
			v := []string{"roaming", "linked_platforms", "operator", "m0"}[g.n(3+min(len(g.macros), 1))]
			return fmt.Sprintf(q, v, []string{v + " == " + lit, "size(" + v + ") > 6"}[g.n(2)])
		}
		return fmt.Sprintf(q, "p", g.mix("p == "+lit, "p"))
	}
	q := []string{"any", "all", "none"}[g.n(3)]
	return fmt.Sprintf("%s(linked_platforms, %s)", q, g.mix("# == "+lit, "#"))
}

// invariant draws a condition on a macro or a bound name (elem is the
// element of the loop it will be in, "" outside loops), or "" when there
// are none.
func (g *exprGen) invariant(elem string) string {
	n := len(g.macros) + len(g.bound)
	if n == 0 {
		return ""
	}
	i := g.n(n)
	if i < len(g.macros) {
		return g.macros[i]
	}
	b := g.bound[i-len(g.macros)]
	switch b.kind {
	case genInt:
		return fmt.Sprintf("%s %s %d", b.name, []string{">", "<=", "=="}[g.n(3)], g.n(3))
	case genStr:
		if elem == "" {
			return b.name + ` != ""`
		}
		return fmt.Sprintf("(%s contains %s)", b.name, elem)
	}
	return b.name
}

// mix joins a quantifier's body with a condition on a macro or a bound
// name, one time in two.
func (g *exprGen) mix(body, elem string) string {
	if g.n(2) == 0 {
		return body
	}
	v := g.invariant(elem)
	if v == "" {
		return body
	}
	switch g.n(3) {
	case 0:
		return "(" + v + " && " + body + ")"
	case 1:
		return "(" + v + " || " + body + ")"
	}
	return "(!(" + v + ") && " + body + ")"
}

// bind binds a fresh name to a quantifier, a count or (in expr) a joined
// list, and writes body with it in scope: expr's let, CEL's cel.bind.
func (g *exprGen) bind(body func() string) string {
	name := fmt.Sprintf("v%d", g.fresh)
	g.fresh++
	if g.cel && len(g.macros) > 0 && g.n(4) == 0 {
		name = g.macros[0] // hides the macro (a bool, as the value below)
		val := g.roamQuant()
		g.bound = append(g.bound, genName{name, genBool})
		b := body()
		g.bound = g.bound[:len(g.bound)-1]
		return fmt.Sprintf("cel.bind(%s, %s, %s)", name, val, b)
	}
	kind, val := genBool, ""
	pred := []string{".days_ago <= 90", `.region != "KH"`, "in_region(.region, lists.hot)"}[g.n(3)]
	switch g.n(5) {
	case 0, 1:
		val = g.roamQuant()
	case 2:
		val = g.platQuant()
	case 3:
		kind = genInt
		switch {
		case g.cel:
			val = []string{"size(roaming)", "size(linked_platforms)", "size(roaming.filter(r, r.days_ago <= 90))"}[g.n(3)]
		case g.n(2) == 0:
			val = fmt.Sprintf("len(filter(roaming, %s))", g.mix(pred, ".region"))
		default:
			val = fmt.Sprintf(`len(filter(linked_platforms, %s))`, g.mix(`# != "jd"`, "#"))
		}
	default:
		if g.cel {
			val = g.roamQuant()
			break
		}
		kind = genStr
		val = []string{`join(linked_platforms, ",")`, fmt.Sprintf(`join(map(filter(roaming, %s), .region), "/")`, pred)}[g.n(2)]
	}
	g.bound = append(g.bound, genName{name, kind})
	b := body()
	g.bound = g.bound[:len(g.bound)-1]
	if g.cel {
		return fmt.Sprintf("cel.bind(%s, %s, %s)", name, val, b)
	}
	return fmt.Sprintf("(let %s = %s; %s)", name, val, b)
}

// macroDefs draws n macros (m0, m1, ...), each a quantifier or a condition
// that may use the ones before it, and makes them usable after.
func (g *exprGen) macroDefs(n int) [][2]string {
	// reasons use macros too, and may not print one that reads msisdn
	g.inMacro = true
	defer func() { g.inMacro = false }()
	var out [][2]string
	for i := range n {
		name := fmt.Sprintf("m%d", i)
		var body string
		switch g.n(3) {
		case 0:
			body = g.boolExpr()
		case 1:
			body = g.platQuant()
		default:
			body = g.roamQuant()
		}
		out = append(out, [2]string{name, body})
		g.macros = append(g.macros, name)
	}
	return out
}

// conditions draws n rule conditions. Runs of consecutive ones start with
// the same conjuncts, as valid && ... and iot_scope && ... do in real
// packs, so that the engine's plan tests them once for several rules.
func (g *exprGen) conditions(n int) []string {
	out := make([]string, n)
	var prefix []string
	for i := range out {
		switch g.n(4) {
		case 0:
			prefix = nil
		case 1:
			if len(prefix) < 3 {
				prefix = append(prefix[:len(prefix):len(prefix)], g.boolExpr())
			}
		case 2:
			if len(prefix) > 0 {
				prefix = prefix[:len(prefix)-1]
			}
		}
		out[i] = strings.Join(append(prefix[:len(prefix):len(prefix)], g.boolExpr()), " && ")
	}
	return out
}

// reason draws a reason template with a value of each kind.
func (g *exprGen) reason() string {
	g.inReason = true
	defer func() { g.inReason = false }()
	if g.cel {
		return fmt.Sprintf("i={%s} s={%s} b={%s} f={double(%s) * 0.5}", g.intExpr(), g.strExpr(), g.boolExpr(), g.intExpr())
	}
	return fmt.Sprintf("i={%s} s={%s} b={%s} f={%s * 0.5} l={%s}", g.intExpr(), g.strExpr(), g.boolExpr(), g.intExpr(), g.listExpr())
}

// listExpr writes what reasons do with lists: filter, map, join, len, let.
func (g *exprGen) listExpr() string {
	pred := []string{".days_ago <= 90", "in_region(.region, lists.hot)", ".last_seen > 0 && .days_ago < 400", "!in_region(.region, lists.hot) || .days_ago > 10"}[g.n(4)]
	item := []string{"region_name(.region)", `.region + " (" + string(.days_ago) + " days ago)"`, "string(.last_seen)", ".region"}[g.n(4)]
	sep := []string{`", "`, `"/"`, `""`}[g.n(3)]
	switch g.n(8) {
	case 6:
		// a bound quantifier in the filter of a list joined
		return g.bind(func() string {
			return fmt.Sprintf(`join(filter(linked_platforms, %s), %s)`, g.mix(`# != "weibo"`, "#"), sep)
		})
	case 7:
		return g.bind(func() string {
			v := g.invariant(".region")
			if v == "" {
				v = "true"
			}
			return fmt.Sprintf(`join(map(filter(roaming, %s), (%s) ? .region : "-"), %s)`, g.mix(pred, ".region"), v, sep)
		})
	case 0:
		return fmt.Sprintf(`let xs = map(filter(roaming, %s), %s); len(xs) == 0 ? "none" : join(xs, %s)`, pred, item, sep)
	case 1:
		return fmt.Sprintf("len(filter(roaming, %s))", pred)
	case 2:
		return fmt.Sprintf("join(map(roaming, %s), %s)", item, sep)
	case 3:
		return fmt.Sprintf("join(linked_platforms, %s)", sep)
	case 4:
		return fmt.Sprintf(`join(filter(linked_platforms, # != "weibo"), %s)`, sep)
	}
	return fmt.Sprintf("let n = len(filter(roaming, %s)); n > 1 ? string(n) + \" regions\" : %s", pred, g.strExpr())
}

func (g *exprGen) intExpr() string {
	g.depth++
	defer func() { g.depth-- }()
	k := 10
	if g.depth > 4 {
		k = 2
	}
	switch g.n(k) {
	case 0:
		return genInts[g.n(len(genInts))]
	case 9:
		// near the int range's edge: CEL fails on overflow, expr wraps
		return fmt.Sprintf("(%s * 3037000500)", g.intExpr())
	case 1:
		return fmt.Sprint(g.n(200) - 20)
	case 2:
		return fmt.Sprintf("(%s + %s)", g.intExpr(), g.intExpr())
	case 3:
		return fmt.Sprintf("(%s - %s)", g.intExpr(), g.intExpr())
	case 4:
		return fmt.Sprintf("(%s * %d)", g.intExpr(), g.n(5))
	case 5:
		return "-(" + g.intExpr() + ")"
	case 6:
		return fmt.Sprintf("days_between(%s, %s)", []string{"opened_at", "verified_at", "last_voice_at"}[g.n(3)], []string{"as_of", "released_at"}[g.n(2)])
	case 7:
		if g.cel {
			return []string{"size(roaming)", "size(linked_platforms)"}[g.n(2)]
		}
		return []string{"len(roaming)", "len(linked_platforms)"}[g.n(2)]
	default:
		return fmt.Sprintf("(%s ? %s : %s)", g.boolExpr(), g.intExpr(), g.intExpr())
	}
}

func (g *exprGen) strExpr() string {
	g.depth++
	defer func() { g.depth-- }()
	k := 4
	if g.depth > 4 {
		k = 2
	}
	switch g.n(k) {
	case 0:
		if s := genStrs[g.n(len(genStrs))]; s != "msisdn" || !g.inReason && !g.inMacro {
			return s
		}
		if g.inMacro {
			return "operator"
		}
		return "mask(msisdn)" // the only way a reason may read it
	case 1:
		return genStrLits[g.n(len(genStrLits))]
	case 2:
		return fmt.Sprintf("(%s + %s)", g.strExpr(), g.strExpr())
	default:
		return fmt.Sprintf("(%s ? %s : %s)", g.boolExpr(), g.strExpr(), g.strExpr())
	}
}

const lowerHead = `params: {days: 90, alerts: 3}
lists:
  hot: {type: region, items: [KH, TH, "530900", "350000"]}
  hot2: {type: region, items: [MM, "530902", "350802", "440000"]}
  plats: [jd, tencent]
bands: [{min: 0, level: low, outcome: pass}]
rules:
`

// checkSame compiles exprs with the compiled evaluator and with expr's VM and
// requires the same verdict, rule by rule, on every card.
func checkSame(t *testing.T, lang string, exprs []string, reasons []string, cards []*risk.Record, pop *risk.Population) int {
	t.Helper()
	return checkSameMacros(t, lang, nil, exprs, reasons, cards, pop)
}

// checkSameMacros is checkSame with a macros section: name and condition,
// in the file's language.
func checkSameMacros(t *testing.T, lang string, macros [][2]string, exprs []string, reasons []string, cards []*risk.Record, pop *risk.Population) int {
	t.Helper()
	var b strings.Builder
	b.WriteString("language: " + lang + "\n")
	if len(macros) > 0 {
		b.WriteString("macros:\n")
		for _, m := range macros {
			fmt.Fprintf(&b, "  %s: %s\n", m[0], strconvQuote(m[1]))
		}
	}
	b.WriteString(lowerHead)
	for i, e := range exprs {
		fmt.Fprintf(&b, "  - {id: r%d, outcome: monitor, when: %s, reason: %s}\n", i, strconvQuote(e), strconvQuote(reasons[i]))
	}
	// the generator nests loops over roaming three deep through macros:
	// costly on a card at the record limits, cheap on these cards; and a
	// fuzzed reason can grow past max_reason_bytes (2,137 bytes: a
	// generated file the fuzzer found). The limits are tested on their own
	// (limits_test.go); here they are raised out of the way, for loading
	// and compiling alike.
	lim := rules.DefaultLimits()
	lim.MaxCost = 1 << 40
	lim.MaxPackCost = 1 << 50
	lim.MaxReasonBytes = 1 << 20
	lim.MaxExprBytes = max(lim.MaxExprBytes, 1<<20)
	ld, err := rules.NewLoader(rules.WithLimits(lim))
	require.NoError(t, err)
	rs, err := ld.Parse(rules.Source{Name: "g.yaml", Data: []byte(b.String())})
	require.NoError(t, err)
	fast, err1 := risk.Compile(rs, risk.WithLimits(lim))
	ref, err2 := risk.Compile(rs, risk.WithReferenceEvaluator(), risk.WithLimits(lim))
	require.Equal(t, err1 == nil, err2 == nil, "compile disagrees: %v / %v", err1, err2)
	if err1 != nil {
		t.Logf("batch does not compile: %v", err1)
		return 0
	}
	compiled := 0
	for _, r := range fast.Rules() {
		if r.Fallback == "" {
			compiled++
			continue
		}
		// every give-up says which construct, and where
		require.NotEmpty(t, r.FallbackReason, "%s: %s", r.ID, exprs[ruleIndex(r.ID)])
		require.Equal(t, "g.yaml", r.FallbackPos.File, r.ID)
		require.Positive(t, r.FallbackPos.Line, r.ID)
	}
	opts := []risk.ScoreOption{risk.AsOfTime(asOf), risk.WithPopulation(pop)}
	sf, sr := fast.NewScorer(opts...), ref.NewScorer(opts...)
	for _, c := range cards {
		df, err := sf.Score(c)
		require.NoError(t, err)
		dr, err := sr.Score(c)
		require.NoError(t, err)
		for i, e := range exprs {
			id := fmt.Sprintf("r%d", i)
			if df.Fired(id) != dr.Fired(id) {
				t.Fatalf("%s: compiled says %v, VM says %v on %s (macros %q)", e, df.Fired(id), dr.Fired(id), c.AppendJSON(nil), macros)
			}
		}
		require.Equal(t, len(dr.Hits), len(df.Hits))
		for i := range dr.Hits {
			require.Equal(t, dr.Hits[i].Reason, df.Hits[i].Reason, "reason of %s", dr.Hits[i].Rule)
		}
		for i := range dr.Errors {
			require.Equal(t, dr.Errors[i].Rule, df.Errors[i].Rule)
		}
		require.Equal(t, len(dr.Errors), len(df.Errors), "errors differ")
	}
	return compiled
}

func lowerCards(t testing.TB) ([]*risk.Record, *risk.Population) {
	cards := datasets.Generate(datasets.GenOptions{Cards: 400, Seed: 77, AsOf: asOf})
	extra := []*risk.Record{
		{MSISDN: "14900000000", OpenedAt: risk.Date(2026, 1, 1), Roaming: []risk.Roaming{{Region: "KH"}, {Region: "TH", LastSeen: risk.Date(2026, 10, 1)}},
			LinkedPlatforms: []string{"jd", "weibo"}, IoT: risk.IoT{Business: "new", TestPlan: true}, Recycled: true, ReleasedAt: risk.Date(2025, 12, 1)},
		{MSISDN: "13800000000", OpenedAt: risk.Date(2026, 10, 31), Status: "cancelled", OpenRegion: "350102"},
	}
	cards = append(cards, extra...)
	cards = append(cards, listCards()...)
	pop := risk.NewPopulation()
	for _, c := range cards {
		require.NoError(t, c.Validate(asOf))
		pop.Add(c)
	}
	return cards, pop
}

// listCards are cards with several roaming entries and linked platforms
// (generated cards seldom have more than one): a loop run inside another's
// body shows what it leaves behind only on lists of two and more.
func listCards() []*risk.Record {
	rng := rand.New(rand.NewPCG(5, 13))
	regions := []string{"KH", "MM", "TH", "US", "530902", "350802", "110101"}
	seen := []risk.Time{0, risk.Date(2026, 10, 31), risk.Date(2026, 10, 27), risk.Date(2026, 10, 3), risk.Date(2026, 8, 1), risk.Date(2026, 4, 1)}
	plats := []string{"jd", "tencent", "alipay", "weibo"}
	var out []*risk.Record
	for i := range 40 {
		c := &risk.Record{MSISDN: fmt.Sprintf("1380013%04d", i), OpenedAt: risk.Date(2025, 1, 1), LastVoiceAt: risk.Date(2026, 10, 30)}
		for range i%5 + rng.IntN(2) {
			c.Roaming = append(c.Roaming, risk.Roaming{Region: regions[rng.IntN(len(regions))], LastSeen: seen[rng.IntN(len(seen))]})
		}
		for range i%4 + rng.IntN(2) {
			c.LinkedPlatforms = append(c.LinkedPlatforms, plats[rng.IntN(len(plats))])
		}
		out = append(out, c)
	}
	return out
}

// Thousands of random expressions over the vocabulary decide every card the
// same compiled as on the reference evaluator (expr's VM, cel-go's
// interpreter), reasons and rule errors included.
func TestCompiledMatchesReference(t *testing.T) {
	cards, pop := lowerCards(t)
	for _, lang := range []string{"expr", "cel"} {
		t.Run(lang, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			n := 3000
			if lang == "cel" {
				n = 1000 // cel-go's reference compile is the slow half
			}
			if testing.Short() {
				n /= 5
			}
			compiled := 0
			for batch := 0; batch < n/100; batch++ {
				g := &exprGen{next: func() int { return int(rng.Uint32() >> 1) }, cel: lang == "cel"}
				macros := g.macroDefs(3)
				exprs, reasons := g.conditions(100), make([]string, 100)
				for i := range exprs {
					reasons[i] = g.reason()
				}
				compiled += checkSameMacros(t, lang, macros, exprs, reasons, cards, pop)
			}
			require.Greater(t, compiled, n*7/10, "most generated expressions should run compiled")
		})
	}
}

// FuzzCompiledMatchesReference lets the fuzzer choose the expressions.
func FuzzCompiledMatchesReference(f *testing.F) {
	for _, s := range []string{"seed", "\x01\x02\x03\x04", "\x09\x00\x00\x07\x01", "\x0b\x04\x05\x02\x00\x01"} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	cards, pop := lowerCards(f)
	f.Fuzz(func(t *testing.T, data []byte, cel bool) {
		i := 0
		g := &exprGen{next: func() int {
			if i >= len(data) {
				return 0
			}
			i++
			return int(data[i-1])
		}, cel: cel}
		lang := "expr"
		if cel {
			lang = "cel"
		}
		macros := g.macroDefs(g.n(4))
		exprs := g.conditions(4)
		reasons := make([]string, len(exprs))
		for i := range reasons {
			reasons[i] = g.reason()
		}
		checkSameMacros(t, lang, macros, exprs, reasons, cards, pop)
	})
}

// CEL's && and || are commutative on errors: an overflow on one side and
// false (for &&) or true (for ||) on the other is not an error. The compiled
// evaluator and its plan (which tests shared conjuncts once) must agree.
func TestCompiledCELOverflowLogic(t *testing.T) {
	cards, pop := lowerCards(t)
	ov := "as_of * 1000000000 * 1000000000 > 0"
	exprs := []string{
		"(" + ov + ") && valid", "valid && (" + ov + ")", "(" + ov + ") || !valid", "!valid || (" + ov + ")",
		"recycled && (" + ov + ") && valid", "recycled && (" + ov + ") && !valid", "recycled && valid && (" + ov + ")",
		"(" + ov + ") && (" + ov + ")", "((" + ov + ") && valid) || recycled",
		// constants that overflow are not folded: the rule fails on the card
		"9223372036854775807 + 1 > 0", "(9223372036854775807 + 1 > 0) || valid", "-(-9223372036854775807 - 1) < 0 && recycled",
	}
	reasons := make([]string, len(exprs))
	for i := range reasons {
		reasons[i] = "r"
	}
	checkSame(t, "cel", exprs, reasons, cards, pop)
}

// ruleIndex is the index of a generated rule "rN".
func ruleIndex(id string) int {
	n, _ := strconv.Atoi(strings.TrimPrefix(id, "r"))
	return n
}
