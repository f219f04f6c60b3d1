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
