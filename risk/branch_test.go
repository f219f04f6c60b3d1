package risk

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// Branch code gives what the tree it was written from gives, for random
// trees of &&, || and ! over up to six tests and every assignment of the
// tests' answers: the jumps, the fall-throughs and the added jumps of the
// layout are right.
func TestBranchCodeMatchesTree(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 7))
	var bits uint
	leaf := func(i int) *bnode {
		return &bnode{op: bTest, test: test{op: opCall, cond: func(*env) bool { return bits&(1<<i) != 0 }}}
	}
	var gen func(depth int) *bnode
	gen = func(depth int) *bnode {
		if depth == 0 || rng.IntN(4) == 0 {
			return leaf(rng.IntN(6))
		}
		switch rng.IntN(3) {
		case 0:
			return &bnode{op: bAnd, x: gen(depth - 1), y: gen(depth - 1)}
		case 1:
			return &bnode{op: bOr, x: gen(depth - 1), y: gen(depth - 1)}
		}
		return notNode(gen(depth - 1))
	}
	var eval func(n *bnode) bool
	eval = func(n *bnode) bool {
		switch n.op {
		case bAnd:
			return eval(n.x) && eval(n.y)
		case bOr:
			return eval(n.x) || eval(n.y)
		case bNot:
			return !eval(n.x)
		}
		return n.test.cond(nil)
	}
	cr := &compiledRule{id: "r"}
	s := &Scorer{}
	s.env.s = s
	s.env.r = &Record{}
	for range 2000 {
		n := gen(4)
		// as a rule's condition, and as a predicate's body
		code := branchCode([]step{{conds: []conj{{n: n}}, rule: cr, skip: 1}})
		sub := anyNode(n, true, false)
		for bits = 0; bits < 1<<6; bits++ {
			s.fired = s.fired[:0]
			s.env.run(code, nil)
			require.Equal(t, eval(n), len(s.fired) == 1, "bits %06b", bits)
			require.Equal(t, eval(n), s.env.run((*subCode)(sub.test.p).code, nil))
		}
	}
}

// The tests the branch code runs in place (each written to jump when it
// holds, or as its negation), the pop.* comparisons read from the card's
// features, the region tests and the tests of a predicate's body that read
// the card (calls, in code that reads the roaming entry) give, in random
// trees of &&, || and !, as a rule's condition, as a closure and inside
// any/all/none over the roaming list, what the vocabulary's readers give.
func TestInlineTestsMatchReaders(t *testing.T) {
	asOf := Date(2026, 11, 1)
	recs := sampleRecords(t)
	pop := NewPopulation()
	// and cards in, next to and far from the region sets below
	codes := []string{"350802", "350801", "350000", "350100", "359999", "530900", "530901", "530801", "110101",
		"110102", "440000", "441234", "KH", "MM", "US", "kh", "35080X", "3508", "", "abcdef", "3508021"}
	for i, c := range codes {
		recs = append(recs, &Record{OpenRegion: c, Roaming: []Roaming{{Region: codes[(i+1)%len(codes)], LastSeen: asOf - Time(86400*(i%9))}, {Region: c}}})
	}
	for _, r := range recs[:1500] {
		pop.Add(r) // the others have features of their own
	}
	type leaf struct {
		n   *bnode
		ref func(e *env) bool
	}
	cmps := []string{"<", "<=", ">", ">=", "==", "!="}
	holds := func(a int, cmp string, c int) bool {
		return map[string]bool{"<": a < c, "<=": a <= c, ">": a > c, ">=": a >= c, "==": a == c, "!=": a != c}[cmp]
	}
	konstInt := func(c int) lowered { return lowered{i: func(*env) int { return c }, k: true} }
	konstStr := func(c string) lowered { return lowered{s: func(*env) string { return c }, k: true} }
	var card, roam []leaf
	for _, name := range []string{"complaints", "alerts_30d", "verify_required_at", "days_since_last_attach",
		"days_since_last_activity", "days_since_opened", "freeze_days", "pop.cards_on_operator", "pop.cards_total"} {
		read := intFields[name]
		for _, cmp := range cmps {
			for _, c := range []int{0, 1, 3, 30, 90, 1_700_000_000, Never} {
				x, ok := field(name)
				require.True(t, ok)
				lx, ok := compare0(cmp, x, konstInt(c))
				require.True(t, ok)
				require.NotNil(t, lx.node, name)
				card = append(card, leaf{lx.node, func(e *env) bool { return holds(read(e), cmp, c) }})
			}
		}
	}
	for _, name := range []string{"kind", "status", "fraud_flag", "open_region"} {
		read := stringFields[name]
		for _, c := range []string{"", "iot", "mobile", "cancelled", "active", "police", "350802"} {
			for _, eq := range []bool{true, false} {
				x, _ := field(name)
				lx, ok := compare0(map[bool]string{true: "==", false: "!="}[eq], x, konstStr(c))
				require.True(t, ok)
				card = append(card, leaf{lx.node, func(e *env) bool { return (read(e) == c) == eq }})
			}
		}
	}
	for _, items := range [][]string{{"iot", "data_card"}, {"", "iot"}, {"mobile", "police"}, {"active", "cancelled"}, {"350802", "KH"}} {
		for _, name := range []string{"kind", "status", "fraud_flag", "open_region"} {
			for _, neg := range []bool{false, true} {
				x, _ := field(name)
				read := stringFields[name]
				lx := memberOf(x, map[string]struct{}{items[0]: {}, items[1]: {}}, neg)
				require.NotNil(t, lx.node, name)
				card = append(card, leaf{lx.node, func(e *env) bool { v := read(e); return (v == items[0] || v == items[1]) != neg }})
			}
		}
	}
	for _, name := range []string{"recycled", "renewed", "valid", "verification_pending"} {
		x, _ := field(name)
		card = append(card, leaf{nodeOf(x), boolFields[name]})
	}
	for _, items := range [][]string{{"KH", "350000", "530900", "350802"}, {"MM", "110101", "440000"}, nil} {
		set := NewRegionSet(items)
		x, _ := field("open_region")
		card = append(card, leaf{inRegion("", x, set).node, func(e *env) bool { return regionSpec(e.r.OpenRegion, items) }})
		rx, _ := roamField("region")
		roam = append(roam, leaf{inRegion("", rx, set).node, func(e *env) bool { return regionSpec(e.cur.Region, items) }})
	}
	for _, cmp := range cmps {
		for _, c := range []int{0, 7, 30, 90, Never} {
			x, _ := roamField("days_ago")
			lx, ok := compare0(cmp, x, konstInt(c))
			require.True(t, ok)
			roam = append(roam, leaf{lx.node, func(e *env) bool { return holds(roamIntFields["days_ago"](e), cmp, c) }})
		}
	}

	rng := rand.New(rand.NewPCG(3, 11))
	var gen func(depth int, leaves []leaf, quant bool) leaf
	gen = func(depth int, leaves []leaf, quant bool) leaf {
		if depth == 0 || rng.IntN(4) == 0 {
			if quant && rng.IntN(3) == 0 {
				// any, all or none over roaming, its body reading the
				// entry and the card
				body := gen(2, append(append([]leaf(nil), roam...), card...), false)
				stop, empty := []bool{true, false, true}[rng.IntN(3)], false
				empty = !stop || rng.IntN(2) == 0
				return leaf{anyNode(body.n, stop, empty), func(e *env) bool {
					outer := e.cur
					defer func() { e.cur = outer }()
					for i := range e.r.Roaming {
						e.cur = &e.r.Roaming[i]
						if body.ref(e) == stop {
							return !empty
						}
					}
					return empty
				}}
			}
			return leaves[rng.IntN(len(leaves))]
		}
		x, y := gen(depth-1, leaves, quant), gen(depth-1, leaves, quant)
		switch rng.IntN(3) {
		case 0:
			return leaf{&bnode{op: bAnd, x: x.n, y: y.n}, func(e *env) bool { return x.ref(e) && y.ref(e) }}
		case 1:
			return leaf{&bnode{op: bOr, x: x.n, y: y.n}, func(e *env) bool { return x.ref(e) || y.ref(e) }}
		}
		return leaf{notNode(x.n), func(e *env) bool { return !x.ref(e) }}
	}
	cr := &compiledRule{id: "r"}
	s := &Scorer{}
	s.env.s = s
	for range 300 {
		l := gen(4, card, true)
		code := branchCode([]step{{conds: []conj{{n: l.n}}, rule: cr, skip: 1}})
		f := lowered{node: l.n}.fn()
		var sample []int // every 20th card, and those with the codes
		for i := rng.IntN(20); i < len(recs)-len(codes); i += 20 {
			sample = append(sample, i)
		}
		for i := len(recs) - len(codes); i < len(recs); i++ {
			sample = append(sample, i)
		}
		for _, i := range sample {
			r := recs[i]
			s.env.begin(r, asOf, pop, r.fingerprint())
			want := l.ref(&s.env)
			s.env.begin(r, asOf, pop, r.fingerprint())
			s.fired = s.fired[:0]
			s.env.run(code, nil)
			require.Equal(t, want, len(s.fired) == 1, "card %d", i)
			s.env.begin(r, asOf, pop, r.fingerprint())
			require.Equal(t, want, f(&s.env), "card %d, as a closure", i)
		}
	}
}
