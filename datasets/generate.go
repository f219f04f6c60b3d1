package datasets

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/risk/ref"
)

// GenOptions configures a synthetic population.
type GenOptions struct {
	Cards int       // how many cards to make
	Seed  uint64    // the same seed and options give the same cards, byte for byte
	AsOf  risk.Time // the snapshot time: no date in the population lies after it
	// Mix overrides the share of holders drawn into each scenario (relative
	// weights by scenario name; missing scenarios keep their default share).
	Mix map[string]float64
}

// DefaultMix returns the default share of holders per scenario.
func DefaultMix() map[string]float64 {
	m := map[string]float64{}
	for _, s := range scenarioMix {
		m[s.name] = s.share
	}
	return m
}

// Scenario names written in Label.Scenario. Fraud scenarios are planted
// with Label.Fraud true; the others are ordinary cards and benign
// look-alikes that rules might wrongly flag.
const (
	ScenarioNormal        = "normal"            // ordinary holders, 1-2 cards mostly
	ScenarioFamily5       = "family5"           // look-alike: exactly 5 cards at one operator
	ScenarioTraveller     = "traveller"         // look-alike: recent trip to Thailand, Malaysia or the Philippines
	ScenarioSeasonal      = "seasonal"          // look-alike: a second card used a few months a year (90-150 days idle)
	ScenarioEnterpriseIoT = "enterprise_iot"    // an enterprise IoT fleet, compliant or with paperwork gaps
	ScenarioDataCard      = "data_card_149"     // a 149 data card of a private user
	ScenarioRecycled      = "recycled_benign"   // a re-issued number, freeze respected
	ScenarioVerification  = "verification"      // a second verification was demanded (passed, pending or overdue)
	ScenarioFraudRing     = "fraud_ring"        // fraud: many cards opened the same day, roaming to fraud dens, alerts
	ScenarioStockpile     = "dormant_stockpile" // fraud: cards bought in bulk and left unused
	ScenarioIoTMisuse     = "iot_misuse"        // fraud: IoT and 149 cards used for voice or SMS without real-name
	ScenarioTakeover      = "recycled_takeover" // fraud: a recycled number re-issued too soon, old accounts bound
	ScenarioFlagged       = "flagged"           // fraud: a single card confirmed by police, MIIT or the operator
	ScenarioSilentFarm    = "silent_farm"       // fraud: cards kept switched on in a SIM farm (猫池) and not used
)

// scenarioMix is the share of holders drawn into each scenario.
var scenarioMix = []struct {
	name  string
	share float64
}{
	{ScenarioNormal, 0.8845}, {ScenarioFamily5, 0.015}, {ScenarioTraveller, 0.025}, {ScenarioSeasonal, 0.015},
	{ScenarioEnterpriseIoT, 0.0015}, {ScenarioDataCard, 0.01}, {ScenarioRecycled, 0.025}, {ScenarioVerification, 0.015},
	{ScenarioFraudRing, 0.0015}, {ScenarioStockpile, 0.0006}, {ScenarioIoTMisuse, 0.0015}, {ScenarioTakeover, 0.002},
	{ScenarioFlagged, 0.0024}, {ScenarioSilentFarm, 0.001},
}

// Reference lists the generator draws from.
var (
	// where people live and open cards (GB/T 2260 counties)
	homeRegions = []string{"110105", "110108", "310115", "310104", "440305", "440106", "330106", "510107", "420106",
		"320102", "370202", "610113", "120101", "500103", "430102", "350102", "210102", "410105", "340104", "530102"}
	benignAbroad = []string{"JP", "KR", "US", "SG", "FR", "DE", "GB", "AU", "CA", "IT", "NZ", "ES"}
	tourismHot   = []string{"TH", "MY", "PH"} // listed high-fraud countries that are also holiday spots
	fraudDens    = []string{"MM", "KH", "LA", "PH", "AE", "TR", "GE"}
	keyAreas     = []string{"350802", "460400", "440904", "350524", "530902", "451402", "451002"}
	// operator shares of mobile cards, and their segments
	operatorShare = []struct {
		op    string
		share float64
	}{{"cmcc", 0.57}, {"unicom", 0.2}, {"telecom", 0.215}, {"broadnet", 0.015}}
	mobilePrefix = map[string][]string{
		"cmcc":     {"134", "135", "136", "137", "138", "139", "150", "151", "152", "157", "158", "159", "182", "183", "187", "188", "198"},
		"unicom":   {"130", "131", "132", "155", "156", "166", "185", "186", "196"},
		"telecom":  {"133", "153", "173", "177", "180", "181", "189", "191", "199"},
		"broadnet": {"192"},
	}
	mvnoBrands = []struct{ brand, prefix string }{
		{"蜗牛移动", "1703"}, {"小米移动", "1705"}, {"京东通信", "1709"}, {"阿里通信", "171"}, {"苏宁互联", "162"}, {"联想懂的通信", "167"},
	}
	iotPrefix = map[string][]string{"cmcc": {"1440", "1441", "148"}, "unicom": {"146"}, "telecom": {"1410"}}
	platforms = []string{"tencent", "alibaba", "alipay", "baidu", "kuaishou", "douyin", "jd", "meituan"}
)

// Generator makes a synthetic card population one card at a time, so that
// millions of cards can be written without holding them. The structure is
// documented in datasets/README.md.
type Generator struct {
	mix    []float64 // cumulative weights over scenarioMix
	rng    *rand.Rand
	o      GenOptions
	asOfD  int // CST day number of as-of
	made   int
	queue  []genCard
	used   map[uint64]struct{} // numbers handed out, as integers (8 bytes each, not strings)
	holder uint64
}

type genCard struct {
	rec   *risk.Record
	label Label
}

// NewGenerator returns a generator for o.
func NewGenerator(o GenOptions) *Generator {
	g := &Generator{
		rng:   rand.New(rand.NewPCG(o.Seed, 0x51e5_2026)),
		o:     o,
		asOfD: o.AsOf.Day(),
		used:  make(map[uint64]struct{}, min(o.Cards, 1<<20)),
	}
	total := 0.0
	for _, s := range scenarioMix {
		w := s.share
		if v, ok := o.Mix[s.name]; ok {
			w = max(0, v)
		}
		total += w
		g.mix = append(g.mix, total)
	}
	for i := range g.mix {
		g.mix[i] /= total
	}
	return g
}

// Next returns the next card and its label; ok is false after Cards cards.
func (g *Generator) Next() (rec *risk.Record, label Label, ok bool) {
	if g.made >= g.o.Cards {
		return nil, Label{}, false
	}
	for len(g.queue) == 0 {
		g.holderCards()
	}
	c := g.queue[0]
	g.queue = g.queue[1:]
	g.made++
	return c.rec, c.label, true
}

// Generate makes the whole population in memory (see Generator for
// streaming).
func Generate(o GenOptions) []*risk.Record {
	recs, _ := GenerateLabelled(o)
	return recs
}

// GenerateLabelled makes the whole population in memory with each card's
// label.
func GenerateLabelled(o GenOptions) ([]*risk.Record, []Label) {
	g := NewGenerator(o)
	recs, labels := make([]*risk.Record, 0, o.Cards), make([]Label, 0, o.Cards)
	for {
		r, l, ok := g.Next()
		if !ok {
			return recs, labels
		}
		recs, labels = append(recs, r), append(labels, l)
	}
}

// Fraud is the ground truth of labels: true for a card that needs
// verification.
func Fraud(labels []Label) []bool {
	out := make([]bool, len(labels))
	for i, l := range labels {
		out[i] = l.Fraud
	}
	return out
}

func (g *Generator) chance(p float64) bool { return g.rng.Float64() < p }

func (g *Generator) pick(s []string) string { return s[g.rng.IntN(len(s))] }

// day returns midnight CST d days before as-of.
func (g *Generator) day(d int) risk.Time { return risk.Time(int64(g.asOfD-d)*86400 - 8*3600) }

// at returns a time d days and s seconds before as-of (never after it).
func (g *Generator) at(d int, s int) risk.Time {
	t := g.o.AsOf - risk.Time(d*86400+s)
	return t
}

func (g *Generator) number(prefix string, length int) string {
	var b [13]byte
	for {
		n := copy(b[:], prefix)
		for ; n < length; n++ {
			b[n] = byte('0' + g.rng.IntN(10))
		}
		var v uint64
		for _, c := range b[:length] {
			v = v*10 + uint64(c-'0')
		}
		v += uint64(length) << 60 // 11- and 13-digit numbers never collide
		if _, dup := g.used[v]; !dup {
			g.used[v] = struct{}{}
			return string(b[:length])
		}
	}
}

// ownCard makes r a card of op itself (no MVNO brand), renumbering it
// when its number belongs elsewhere.
func (g *Generator) ownCard(r *risk.Record, op string) {
	if r.MVNO != "" || r.Operator != op {
		r.MVNO, r.Operator = "", op
		r.MSISDN = g.mobileNumber(op)
	}
}

// mobileNumber draws an unused number of op's own mobile segments (134
// belongs to cmcc but 1349 to telecom: the table decides).
func (g *Generator) mobileNumber(op string) string {
	for {
		n := g.number(g.pick(mobilePrefix[op]), 11)
		if s, ok := ref.LookupSegment(n); ok && s.Operator == op && !s.MVNO {
			return n
		}
	}
}

func (g *Generator) iccid() string {
	var b [20]byte
	copy(b[:], "8986")
	for i := 4; i < 20; i++ {
		b[i] = byte('0' + g.rng.IntN(10))
	}
	return string(b[:])
}

func (g *Generator) newHolder() string {
	g.holder++
	return fmt.Sprintf("hk-%016x%016x", g.rng.Uint64(), g.holder)
}

func (g *Generator) operator() string {
	x := g.rng.Float64()
	for _, o := range operatorShare {
		if x < o.share {
			return o.op
		}
		x -= o.share
	}
	return "cmcc"
}

// cardsPerHolder draws a heavy-tailed count: 1 (58%), 2 (24%), 3 (10%),
// 4 (5%), and 5 to 12 with a power-law tail (3%). Holders with many cards
// spread them over operators (one-ID-five-cards is enforced at opening), so
// only a few legacy holders exceed five at one operator.
func (g *Generator) cardsPerHolder() int {
	x := g.rng.Float64()
	switch {
	case x < 0.58:
		return 1
	case x < 0.82:
		return 2
	case x < 0.92:
		return 3
	case x < 0.97:
		return 4
	}
	// Pareto tail with alpha 2 from 5, capped at 12
	return min(12, int(5/math.Sqrt(1-g.rng.Float64())))
}

// openedDaysAgo draws an opening date over 12 years, more recent more likely.
func (g *Generator) openedDaysAgo() int {
	return 30 + int(4380*math.Pow(g.rng.Float64(), 1.6))
}

// mobile makes an ordinary active mobile card of holder at op.
func (g *Generator) mobile(holder, op, idRegion string) *risk.Record {
	r := &risk.Record{
		ICCID: g.iccid(), Operator: op, Kind: "mobile", Holder: holder, IDRegion: idRegion,
		OpenedAt: g.day(g.openedDaysAgo()),
	}
	if g.chance(0.03) { // an MVNO brand
		b := mvnoBrands[g.rng.IntN(len(mvnoBrands))]
		r.MSISDN = g.number(b.prefix, 11)
		seg, _ := ref.LookupSegment(r.MSISDN)
		r.Operator, r.MVNO = seg.Operator, b.brand
	} else {
		r.MSISDN = g.mobileNumber(op)
	}
	if g.chance(0.8) {
		r.OpenRegion = idRegion
	} else {
		r.OpenRegion = g.pick(homeRegions)
	}
	// usage: most cards used in the last days; voice a little less often than data
	opened := g.o.AsOf.Day() - r.OpenedAt.Day()
	recent := func(maxDays int) risk.Time {
		d := min(opened, int(g.rng.ExpFloat64()*float64(maxDays)/4))
		return g.day(d)
	}
	r.LastDataAt = recent(10)
	if g.chance(0.93) {
		r.LastVoiceAt = recent(20)
	}
	if g.chance(0.85) {
		r.LastSMSAt = recent(40)
	}
	if g.chance(0.12) {
		r.Roaming = []risk.Roaming{{Region: g.pick(benignAbroad), LastSeen: g.day(min(opened, 1+g.rng.IntN(400)))}}
	}
	switch x := g.rng.Float64(); {
	case x < 0.015:
		r.Status = "suspended"
	case x < 0.03:
		r.Status = "keep_number"
		r.LastVoiceAt, r.LastSMSAt, r.LastDataAt = g.day(min(opened, 100+g.rng.IntN(300))), 0, 0
	case x < 0.05:
		r.Status = "cancelled"
	default:
		r.Status = "active"
	}
	if g.chance(0.002) {
		r.Alerts30d = 1
	}
	return r
}

func (g *Generator) emit(r *risk.Record, scenario string, fraud bool) {
	if r.LastAttachAt == 0 && r.Status != "cancelled" {
		// a card in use attaches to the network when it is used (no draw
		// from the random source: the other cards stay as they were)
		r.LastAttachAt = r.LastActivity()
	}
	g.queue = append(g.queue, genCard{r, Label{Fraud: fraud, Scenario: scenario}})
}

func (g *Generator) scenario() string {
	x := g.rng.Float64()
	for i, c := range g.mix {
		if x < c {
			return scenarioMix[i].name
		}
	}
	return ScenarioNormal
}

// holderCards queues one holder's cards, drawn from the scenario mix.
func (g *Generator) holderCards() {
	h := g.newHolder()
	home := g.pick(homeRegions)
	op := g.operator()
	switch sc := g.scenario(); sc {
	case ScenarioNormal:
		n := g.cardsPerHolder()
		switchOp := 0.4
		if n > 5 {
			switchOp = 0.85
		}
		for i := 0; i < n; i++ {
			if i > 0 && g.chance(switchOp) {
				op = g.operator()
			}
			g.emit(g.mobile(h, op, home), sc, false)
		}
	case ScenarioFamily5:
		for i := 0; i < 5; i++ {
			r := g.mobile(h, op, home)
			r.Status = "active"
			g.ownCard(r, op) // keep all five at one operator
			g.emit(r, sc, false)
		}
	case ScenarioTraveller:
		r := g.mobile(h, op, home)
		r.Status = "active"
		r.Roaming = append(r.Roaming, risk.Roaming{Region: g.pick(tourismHot), LastSeen: g.day(min(g.asOfD-r.OpenedAt.Day(), g.rng.IntN(120)))}) // never before it was opened
		g.emit(r, sc, false)
	case ScenarioSeasonal:
		r := g.mobile(h, op, home)
		r.Status = "active"
		d := 90 + g.rng.IntN(60)
		r.OpenedAt = g.day(d + 200 + g.rng.IntN(2000))
		r.LastVoiceAt, r.LastSMSAt, r.LastDataAt = g.day(d), g.day(d+g.rng.IntN(30)), g.day(d+1)
		for i := range r.Roaming { // never seen before it was opened
			r.Roaming[i].LastSeen = max(r.Roaming[i].LastSeen, r.OpenedAt)
		}
		g.emit(r, sc, false)
	case ScenarioEnterpriseIoT:
		g.iotFleet(h, home, false)
	case ScenarioDataCard:
		r := g.dataCard149(h, home)
		r.IoT.UserRealnamed = g.chance(0.95)
		r.IoT.DirectedVoice = g.chance(0.3)
		r.IoT.DirectedSMS = g.chance(0.3)
		r.IoT.NondirectedData = g.chance(0.5)
		g.emit(r, sc, false)
	case ScenarioRecycled:
		r := g.mobile(h, op, home)
		r.Status, r.Recycled = "active", true
		g.recycle(r, 90+g.rng.IntN(200))
		r.Renewed = g.chance(0.6)
		if !r.Renewed && g.chance(0.25) {
			r.LinkedPlatforms = []string{g.pick(platforms)}
		}
		g.emit(r, sc, false)
	case ScenarioVerification:
		r := g.mobile(h, op, home)
		r.Status = "active"
		d := g.rng.IntN(12)
		if g.chance(0.3) { // demanded within the last day: still pending
			d = 0
		}
		req := g.at(d, g.rng.IntN(86400))
		r.VerifyRequiredAt = req
		if r.VerifyRequiredAt < r.OpenedAt {
			r.OpenedAt = g.day(400)
		}
		if g.chance(0.7) {
			if v := req + risk.Time(600+g.rng.IntN(20*3600)); v <= g.o.AsOf {
				r.VerifiedAt = v
			}
		}
		g.emit(r, sc, false)
	case ScenarioFraudRing:
		// one identity (sometimes renting two more) opens many cards the same day
		opened := g.day(5 + g.rng.IntN(60))
		holders := []string{h}
		if g.chance(0.3) {
			holders = append(holders, g.newHolder(), g.newHolder())
		}
		den := g.pick(fraudDens)
		n := 6 + g.rng.IntN(10)
		for i := 0; i < n; i++ {
			r := g.mobile(holders[i%len(holders)], op, home)
			r.Status, r.OpenedAt = "active", opened
			g.ownCard(r, op)
			if g.chance(0.3) {
				r.OpenRegion = g.pick(keyAreas)
			}
			days := opened.Day()
			since := g.asOfD - days
			r.LastVoiceAt, r.LastSMSAt, r.LastDataAt = g.day(g.rng.IntN(3)), g.day(g.rng.IntN(5)), g.day(g.rng.IntN(3))
			r.Roaming = []risk.Roaming{{Region: den, LastSeen: g.day(g.rng.IntN(min(since, 20) + 1))}}
			if g.chance(0.15) { // some stay home as contact numbers
				r.Roaming = nil
			}
			r.Alerts30d = g.rng.IntN(7)
			if g.chance(0.35) {
				r.Complaints = 1 + g.rng.IntN(4)
			}
			if g.chance(0.1) {
				r.FraudFlag = g.pick([]string{"police", "miit", "operator"})
			}
			g.emit(r, ScenarioFraudRing, true)
		}
	case ScenarioStockpile:
		opened := g.day(120 + g.rng.IntN(600))
		n := 8 + g.rng.IntN(20)
		for i := 0; i < n; i++ {
			r := g.mobile(h, op, home)
			r.Status, r.OpenedAt, r.Roaming = "active", opened, nil
			r.LastVoiceAt, r.LastSMSAt, r.LastDataAt = 0, 0, 0
			if g.chance(0.2) { // a test call at purchase
				r.LastVoiceAt = opened
			}
			g.emit(r, ScenarioStockpile, true)
		}
	case ScenarioIoTMisuse:
		if g.chance(0.5) {
			g.iotFleet(h, home, true)
		} else {
			n := 1 + g.rng.IntN(4)
			for i := 0; i < n; i++ {
				r := g.dataCard149(h, home)
				r.IoT.NondirectedVoice = g.chance(0.7)
				r.IoT.NondirectedSMS = !r.IoT.NondirectedVoice || g.chance(0.5)
				r.IoT.UserRealnamed = g.chance(0.1)
				r.IoT.ProvinceApproval = g.chance(0.2) // cannot waive the 149 rule
				r.IoT.DirectedVoice, r.IoT.DirectedSMS = g.chance(0.4), g.chance(0.3)
				r.IoT.GroupApproval = g.chance(0.2)
				r.Alerts30d = g.rng.IntN(5)
				g.emit(r, ScenarioIoTMisuse, true)
			}
		}
	case ScenarioTakeover:
		r := g.mobile(h, op, home)
		r.Status, r.Recycled = "active", true
		g.recycle(r, 20+g.rng.IntN(69))
		r.Renewed = false
		for _, p := range platforms {
			if g.chance(0.35) {
				r.LinkedPlatforms = append(r.LinkedPlatforms, p)
			}
		}
		if len(r.LinkedPlatforms) == 0 {
			r.LinkedPlatforms = []string{"alipay"}
		}
		r.Alerts30d = g.rng.IntN(4)
		g.emit(r, ScenarioTakeover, true)
	case ScenarioSilentFarm:
		// cards opened together and kept attached (switched on) in a SIM
		// farm, used once at most after opening, then left until sold or
		// used for fraud
		d := 40 + g.rng.IntN(300)
		opened := g.day(d)
		n := 3 + g.rng.IntN(8)
		for i := 0; i < n; i++ {
			r := g.mobile(h, op, home)
			r.Status, r.OpenedAt, r.Roaming = "active", opened, nil
			r.LastVoiceAt, r.LastSMSAt, r.LastDataAt = 0, 0, 0
			if g.chance(0.5) { // an activation message in the first days
				r.LastSMSAt = g.day(d - g.rng.IntN(10))
			}
			r.LastAttachAt = g.at(g.rng.IntN(7), g.rng.IntN(86400))
			g.emit(r, ScenarioSilentFarm, true)
		}
	case ScenarioFlagged:
		r := g.mobile(h, op, home)
		r.Status = "active"
		if g.chance(0.6) {
			r.FraudFlag = g.pick([]string{"police", "miit", "operator"})
		}
		r.Complaints = g.rng.IntN(3)
		if r.FraudFlag == "" && r.Complaints == 0 {
			r.Complaints = 1
		}
		r.Alerts30d = g.rng.IntN(5)
		g.emit(r, ScenarioFlagged, true)
	}
}

// recycle makes r a number re-issued freeze days after its release.
func (g *Generator) recycle(r *risk.Record, freeze int) {
	opened := 3 + g.rng.IntN(400)
	r.OpenedAt = g.day(opened)
	r.ReleasedAt = g.day(opened + freeze)
	if r.LastVoiceAt != 0 && r.LastVoiceAt < r.OpenedAt {
		r.LastVoiceAt = r.OpenedAt
	}
	if r.LastSMSAt != 0 && r.LastSMSAt < r.OpenedAt {
		r.LastSMSAt = r.OpenedAt
	}
	if r.LastDataAt < r.OpenedAt {
		r.LastDataAt = r.OpenedAt
	}
	for i := range r.Roaming {
		if r.Roaming[i].LastSeen < r.OpenedAt {
			r.Roaming[i].LastSeen = r.OpenedAt
		}
	}
}

func (g *Generator) dataCard149(h, home string) *risk.Record {
	opened := g.openedDaysAgo()
	return &risk.Record{
		MSISDN: g.number("149", 11), ICCID: g.iccid(), Operator: "telecom", Kind: "data_card", Status: "active",
		OpenedAt: g.day(opened), Holder: h, IDRegion: home, OpenRegion: home,
		LastDataAt: g.day(min(opened, g.rng.IntN(7))), LastSMSAt: g.day(min(opened, g.rng.IntN(30))),
		IoT: risk.IoT{Business: "other", HandlerVerified: true},
	}
}

// iotFleet queues an enterprise's IoT cards: 10 to 200 cards under one
// responsible identity, directed data for machines, rare paperwork gaps;
// misuse fleets open non-directed voice and SMS without user real-name.
func (g *Generator) iotFleet(h, home string, misuse bool) {
	op := []string{"cmcc", "cmcc", "unicom", "telecom"}[g.rng.IntN(4)]
	n := 10 + int(190*math.Pow(g.rng.Float64(), 3))
	if misuse {
		n = 3 + g.rng.IntN(20)
	}
	test := !misuse && g.chance(0.08)
	opened := g.openedDaysAgo()
	for i := 0; i < n; i++ {
		d := max(0, opened-g.rng.IntN(30))
		r := &risk.Record{
			MSISDN: g.number(g.pick(iotPrefix[op]), 13), ICCID: g.iccid(), Operator: op, Kind: "iot", Status: "active",
			OpenedAt: g.day(d), Holder: h, IDRegion: home, OpenRegion: home,
			LastDataAt: g.day(min(d, g.rng.IntN(3))),
			IoT: risk.IoT{
				TestPlan: test, NondirectedData: g.chance(0.04), UserRealnamed: false,
				Business:        g.pick([]string{"new", "new", "other", "other", "other", "transfer", "replacement"}),
				HandlerVerified: g.chance(0.985), ProvinceApproval: g.chance(0.5),
			},
		}
		if test {
			r.IoT.NondirectedData = g.chance(0.3)
		}
		if misuse {
			r.IoT.NondirectedData, r.IoT.ProvinceApproval = true, false
			r.IoT.NondirectedVoice, r.IoT.NondirectedSMS = g.chance(0.6), g.chance(0.6)
			r.LastVoiceAt = g.day(min(d, g.rng.IntN(3)))
			r.Alerts30d = g.rng.IntN(5)
			if g.chance(0.5) {
				r.IoT.HandlerVerified = false
			}
		}
		g.emit(r, map[bool]string{false: ScenarioEnterpriseIoT, true: ScenarioIoTMisuse}[misuse], misuse)
	}
}
