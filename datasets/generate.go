package datasets

import (
	"fmt"
	"math/rand/v2"

	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/risk/ref"
)

// GenOptions configures Generate.
type GenOptions struct {
	Cards int       // how many cards, at least
	Seed  uint64    // the same seed and options give the same cards
	AsOf  risk.Time // the snapshot time: no date lies after it
}

// Benign regions (GB/T 2260 counties) and roaming destinations that are on
// no high-fraud list.
var (
	homeRegions   = []string{"110105", "310115", "440305", "330106", "510107", "420106", "320102", "370202", "610113", "120101"}
	benignAbroad  = []string{"JP", "KR", "US", "SG", "FR", "DE", "GB", "AU"}
	fraudAbroad   = []string{"MM", "KH", "PH", "LA", "AE", "TR"}
	keyAreas      = []string{"350802", "460400", "440904", "530902", "451402"}
	mobilePrefix  = map[string][]string{"cmcc": {"138", "139", "150", "187", "198"}, "unicom": {"130", "131", "186", "156"}, "telecom": {"133", "189", "199", "153"}, "broadnet": {"192"}}
	operatorOrder = []string{"cmcc", "cmcc", "cmcc", "unicom", "unicom", "telecom", "telecom", "broadnet"}
	platforms     = []string{"tencent", "alibaba", "alipay", "baidu", "kuaishou", "douyin", "jd", "meituan"}
)

type gen struct {
	rng    *rand.Rand
	asOf   risk.Time
	used   map[string]bool
	out    []*risk.Record
	holder int
}

// Generate makes a synthetic card population with cases of every rule
// category of the default pack: fraud-flagged cards, holders with more than
// five cards at one operator, dormant cards, cards opened or roaming in
// high-fraud regions, frequent alerts, verification demands (passed,
// pending and overdue), IoT fleets and 149 data cards breaking (or keeping)
// the real-name rules, and recycled numbers. Most cards are ordinary and
// active. It is deterministic: the same options give the same records.
// Package datasets' committed sample is Generate(2000 cards, seed 1, as of
// 2026-11-01).
func Generate(o GenOptions) []*risk.Record {
	g := &gen{rng: rand.New(rand.NewPCG(o.Seed, 0x51e5)), asOf: o.AsOf, used: map[string]bool{}}
	for len(g.out) < o.Cards {
		g.holderCards()
	}
	return g.out
}

func (g *gen) chance(p float64) bool { return g.rng.Float64() < p }

func (g *gen) pick(s []string) string { return s[g.rng.IntN(len(s))] }

func (g *gen) daysAgo(d int) risk.Time {
	return risk.Time(int64(g.asOf.Day()-d)*86400 - 8*3600) // midnight CST, d days before as-of
}

func (g *gen) number(prefix string, length int) string {
	for {
		b := []byte(prefix)
		for len(b) < length {
			b = append(b, byte('0'+g.rng.IntN(10)))
		}
		if s := string(b); !g.used[s] {
			g.used[s] = true
			return s
		}
	}
}

func (g *gen) iccid() string {
	b := []byte("8986")
	for len(b) < 20 {
		b = append(b, byte('0'+g.rng.IntN(10)))
	}
	return string(b)
}

func (g *gen) newHolder() string {
	g.holder++
	return fmt.Sprintf("h-%08x", g.rng.Uint32()^uint32(g.holder))
}

// active returns an ordinary active mobile card of the holder.
func (g *gen) active(holder, op string) *risk.Record {
	r := &risk.Record{
		MSISDN: g.number(g.pick(mobilePrefix[op]), 11), ICCID: g.iccid(), Operator: op, Kind: "mobile",
		Status: "active", OpenedAt: g.daysAgo(60 + g.rng.IntN(3000)), Holder: holder,
		IDRegion: g.pick(homeRegions), OpenRegion: g.pick(homeRegions),
	}
	last := g.daysAgo(g.rng.IntN(20))
	r.LastVoiceAt, r.LastSMSAt, r.LastDataAt = last, g.daysAgo(g.rng.IntN(40)), last
	if r.LastSMSAt < r.OpenedAt {
		r.LastSMSAt = r.OpenedAt
	}
	if g.chance(0.15) {
		r.Roaming = []risk.Roaming{{Region: g.pick(benignAbroad), LastSeen: g.daysAgo(1 + g.rng.IntN(200))}}
	}
	if g.chance(0.03) {
		r.Status = g.pick([]string{"suspended", "keep_number", "cancelled"})
	}
	return r
}

func (g *gen) emit(rs ...*risk.Record) { g.out = append(g.out, rs...) }

// holderCards adds one holder's cards, drawn from the scenario mix.
func (g *gen) holderCards() {
	h := g.newHolder()
	op := g.pick(operatorOrder)
	x := g.rng.Float64()
	switch {
	case x < 0.60: // ordinary: 1-3 cards
		n := 1 + g.rng.IntN(3)
		for i := 0; i < n; i++ {
			g.emit(g.active(h, g.pick(operatorOrder)))
		}
	case x < 0.63: // fraud ring: many cards opened the same day, roaming to fraud countries, alerts
		day := g.daysAgo(20 + g.rng.IntN(60))
		n := 6 + g.rng.IntN(4)
		for i := 0; i < n; i++ {
			r := g.active(h, op)
			r.Status, r.OpenedAt = "active", day
			r.Roaming = []risk.Roaming{{Region: g.pick(fraudAbroad), LastSeen: g.daysAgo(g.rng.IntN(15))}}
			r.Alerts30d = g.rng.IntN(6)
			if g.chance(0.4) {
				r.Complaints = 1 + g.rng.IntN(3)
			}
			if g.chance(0.2) {
				r.FraudFlag = g.pick([]string{"police", "miit", "operator"})
			}
			g.emit(r)
		}
	case x < 0.66: // family with exactly 5 cards at one operator (benign look-alike)
		for i := 0; i < 5; i++ {
			r := g.active(h, op)
			r.Status = "active"
			g.emit(r)
		}
	case x < 0.71: // dormant card(s), some never used
		r := g.active(h, op)
		r.Status = "active"
		if g.chance(0.3) {
			r.OpenedAt = g.daysAgo(80 + g.rng.IntN(40))
			r.LastVoiceAt, r.LastSMSAt, r.LastDataAt = 0, 0, 0
		} else {
			d := 80 + g.rng.IntN(200)
			r.LastVoiceAt, r.LastSMSAt, r.LastDataAt = g.daysAgo(d), g.daysAgo(d+g.rng.IntN(30)), g.daysAgo(d+5)
			if r.OpenedAt > r.LastSMSAt {
				r.OpenedAt = r.LastSMSAt
			}
		}
		g.emit(r)
	case x < 0.75: // opened in a high-fraud region or key area
		r := g.active(h, op)
		if g.chance(0.5) {
			r.OpenRegion = g.pick(fraudAbroad)
		} else {
			r.OpenRegion = g.pick(keyAreas)
		}
		g.emit(r)
	case x < 0.78: // traveller to Thailand or Malaysia, some outside the window (look-alike)
		r := g.active(h, op)
		r.Roaming = []risk.Roaming{{Region: g.pick([]string{"TH", "MY"}), LastSeen: g.daysAgo(30 + g.rng.IntN(150))}}
		g.emit(r)
	case x < 0.81: // warning-model hits
		r := g.active(h, op)
		r.Alerts30d = 1 + g.rng.IntN(5)
		g.emit(r)
	case x < 0.83: // fraud flag or complaint on a single card
		r := g.active(h, op)
		if g.chance(0.5) {
			r.FraudFlag = g.pick([]string{"police", "miit", "operator"})
		} else {
			r.Complaints = 1 + g.rng.IntN(2)
		}
		g.emit(r)
	case x < 0.87: // verification demands: passed, pending, overdue
		r := g.active(h, op)
		r.Status = "active"
		req := g.asOf - risk.Time(3600*(1+g.rng.IntN(24*10)))
		r.VerifyRequiredAt = req
		if g.chance(0.4) && req+3600*12 <= g.asOf {
			r.VerifiedAt = req + 3600*12
		}
		g.emit(r)
	case x < 0.92: // an IoT fleet of an enterprise (13-digit numbers)
		n := 3 + g.rng.IntN(8)
		prefix, iop := g.pick([]string{"1440", "1441", "148", "146", "1410"}), ""
		switch prefix {
		case "146":
			iop = "unicom"
		case "1410":
			iop = "telecom"
		default:
			iop = "cmcc"
		}
		test := g.chance(0.2)
		for i := 0; i < n; i++ {
			r := &risk.Record{
				MSISDN: g.number(prefix, 13), ICCID: g.iccid(), Operator: iop, Kind: "iot", Status: "active",
				OpenedAt: g.daysAgo(30 + g.rng.IntN(900)), Holder: h, LastDataAt: g.daysAgo(g.rng.IntN(10)),
				OpenRegion: g.pick(homeRegions),
				IoT: risk.IoT{
					TestPlan: test, NondirectedData: g.chance(0.3), UserRealnamed: g.chance(0.5),
					Business:        g.pick([]string{"new", "transfer", "other", "other", "replacement"}),
					HandlerVerified: g.chance(0.85), ProvinceApproval: g.chance(0.1),
				},
			}
			g.emit(r)
		}
	case x < 0.95: // 149 data cards with voice or SMS
		r := &risk.Record{
			MSISDN: g.number("149", 11), ICCID: g.iccid(), Operator: "telecom", Kind: "data_card", Status: "active",
			OpenedAt: g.daysAgo(30 + g.rng.IntN(900)), Holder: h, LastDataAt: g.daysAgo(g.rng.IntN(10)),
			LastSMSAt: g.daysAgo(g.rng.IntN(10)), OpenRegion: g.pick(homeRegions),
			IoT: risk.IoT{
				NondirectedVoice: g.chance(0.3), NondirectedSMS: g.chance(0.2), DirectedVoice: g.chance(0.4),
				DirectedSMS: g.chance(0.3), UserRealnamed: g.chance(0.5), GroupApproval: g.chance(0.2),
				ProvinceApproval: g.chance(0.2), Business: "other", HandlerVerified: true,
			},
		}
		g.emit(r)
	case x < 0.98: // recycled numbers
		r := g.active(h, op)
		r.Status = "active"
		r.Recycled = true
		r.OpenedAt = g.daysAgo(5 + g.rng.IntN(300))
		r.ReleasedAt = r.OpenedAt - risk.Time(86400*(60+g.rng.IntN(120)))
		if r.LastSMSAt < r.OpenedAt {
			r.LastSMSAt = r.OpenedAt
		}
		if r.LastVoiceAt < r.OpenedAt {
			r.LastVoiceAt, r.LastDataAt = r.OpenedAt, r.OpenedAt
		}
		r.Renewed = g.chance(0.3)
		for _, p := range platforms {
			if g.chance(0.15) {
				r.LinkedPlatforms = append(r.LinkedPlatforms, p)
			}
		}
		g.emit(r)
	default: // MVNO cards, some holders with many of one brand
		n := 1 + g.rng.IntN(2)
		if g.chance(0.3) {
			n = 6
		}
		brand := g.pick([]string{"蜗牛移动", "小米移动", "京东通信"})
		prefix := g.pick([]string{"170", "171", "165", "162"})
		for i := 0; i < n; i++ {
			r := g.active(h, op)
			r.Status = "active"
			r.MSISDN = g.number(prefix, 11)
			seg, _ := ref.LookupSegment(r.MSISDN)
			r.Operator, r.MVNO = seg.Operator, brand
			g.emit(r)
		}
	}
}
