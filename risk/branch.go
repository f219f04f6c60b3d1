package risk

import (
	"math"
	"unsafe"
)

// Branch code: how a Scorer runs its plan.
//
// A compiled condition is a tree of &&, || and ! over tests. Called as
// closures, every test costs a call; most tests of a rule pack are one
// record field against a constant (fraud_flag != "", complaints >= 1,
// kind in ["iot", "data_card"]), cheaper than the call. So the plan is
// written out as a flat program of tests, each with the instruction to go
// to when it holds and when it does not (short-circuit evaluation as jumps,
// the way a compiler writes && and ||): field tests run inline in the
// scorer's loop, anything else (a derived value, a quantifier over the
// roaming list, a population feature) is one call. Only conditions that
// cannot fail take this form; they read nothing but the card, so the order
// of their tests is the order the closures would have used.

// bop is the kind of a bnode.
type bop uint8

const (
	bTest bop = iota // a test: leaf
	bAnd
	bOr
	bNot
)

// bnode is the shape of a lowered boolean that cannot fail.
type bnode struct {
	op   bop
	x, y *bnode // operands of bAnd and bOr; x of bNot
	test test   // of bTest
}

// op is what an instruction does. The tests read a field at off of the
// card, or of the roaming entry a predicate is looking at (cur), or call
// cond (opCall).
type op uint8

const (
	opCall     op = iota // cond(env)
	opBool               // the bool field
	opStrEmpty           // the string field is ""
	opStrEq              // the string field == s
	opStrIn2             // the string field == s or == *p (a *string)
	opIntLT              // the int field < c
	opIntLE              // the int field <= c
	opIntEQ              // the int field == c
	opTimeLT             // the Time field < c
	opTimeLE             // the Time field <= c
	opTimeEQ             // the Time field == c
	opTimeLTF            // the Time field < the Time field at offset c
	opValLT              // the derived value vk (of the field at off) < c
	opValLE              // ... <= c
	opValEQ              // ... == c
	opDaysLT             // days since the Time field at off < the c it was made from: the field >= e.dayStart + c (daysTest)
	opActLT              // days_since_last_activity < the c it was made from, the same way
	opRegion             // the region set holds the string field
	opAnyRoam            // the sub-code, run on each roaming entry, gives stop for one
	opFire               // the rule fires
	opProg               // the rule's program decides it (fires, or fails)
	opTrue               // the sub-code's answer is true
	opFalse              // ... false
	opEnd                // the plan is done

	// Written by layout only. A test the loop runs in place jumps when it
	// holds: a test that jumps when it does not (when false) is written as
	// its negation, and pop.* compares get ops of their own.
	opNotBool     // !opBool
	opStrNonEmpty // !opStrEmpty
	opStrNe       // !opStrEq
	opStrNotIn2   // !opStrIn2
	opIntGE       // !opIntLT
	opIntGT       // !opIntLE
	opIntNE       // !opIntEQ
	opTimeGE      // !opTimeLT
	opTimeGT      // !opTimeLE
	opTimeNE      // !opTimeEQ
	opTimeGEF     // !opTimeLTF
	opDaysGE      // !opDaysLT
	opActGE       // !opActLT
	opNotRegion   // !opRegion
	opPopLT       // opValLT of vPop: the card's feature at off < c
	opPopLE       // ... <= c
	opPopEQ       // ... == c
	opPopGE       // !opPopLT
	opPopGT       // !opPopLE
	opPopNE       // !opPopEQ

	opLast = opPopNE
	// opMask is the last value of op & opMask: the loop's switch, over
	// op & opMask with a case for opMask, needs no range check
	opMask op = 63
)

var _ [opMask - opLast]struct{} // every op is at most opMask

func isTest(o op) bool { return o <= opAnyRoam }

// negated is the op that jumps when o does not hold, for the tests the
// loop runs in place (0 for the others, which look at when).
var negated = [...]op{
	opBool: opNotBool, opStrEmpty: opStrNonEmpty, opStrEq: opStrNe, opStrIn2: opStrNotIn2,
	opIntLT: opIntGE, opIntLE: opIntGT, opIntEQ: opIntNE,
	opTimeLT: opTimeGE, opTimeLE: opTimeGT, opTimeEQ: opTimeNE, opTimeLTF: opTimeGEF,
	opDaysLT: opDaysGE, opActLT: opActGE, opRegion: opNotRegion,
	opPopLT: opPopGE, opPopLE: opPopGT, opPopEQ: opPopNE,
	opPopGE: 0, // the length of the table
}

// readsBase reports whether the test reads the record it runs on (the card,
// or the roaming entry in scope) at off.
func readsBase(t *test) bool {
	switch t.op {
	case opCall, opActLT, opAnyRoam:
		return false
	case opValLT, opValLE, opValEQ:
		return t.vk == vDaysSince
	}
	return isTest(t.op)
}

// valKind is a derived int value a test computes in place.
type valKind uint8

const (
	vDaysSince    valKind = iota // days since the Time field at off (Never when unset)
	vDaysActivity                // days_since_last_activity
	vPop                         // the int at off of the card's population Features
	vFreeze                      // freeze_days
)

// test is one test of a condition.
type test struct {
	op   op
	vk   valKind
	cur  bool // read the roaming entry in scope, not the card
	stop bool // opAnyRoam: any is "stop true, else false", all "stop false, else true", none "stop true, else true"
	emp  bool // opAnyRoam: the answer when no entry stops
	off  uintptr
	c    int64
	s    string
	p    unsafe.Pointer // *RegionSet (opRegion), *subCode (opAnyRoam), *string (opStrIn2)
	cond boolFn         // opCall
}

// subCode is the branch code of a predicate's body.
type subCode struct{ code []inst }

// inst is one instruction of a plan's branch code, 64 bytes. After a test
// the code goes on at the next instruction, or at jump when the test gives
// when: laid out so, the next instruction is known before the test is
// done, and the processor's branch prediction does the rest. jump points
// into the same code, so the code is never copied once laid out.
//
// The tests of one code read one record at off: the card, or, for code
// whose first instruction has cur set (a predicate's body), the roaming
// entry in scope. A test of the other one is a call (offBase).
type inst struct {
	op        op
	vk        valKind
	when      bool
	cur       bool // on the first instruction: the code reads the roaming entry in scope
	stop, emp bool
	off       uint32
	jump      *inst
	c         int64
	s         string
	p         unsafe.Pointer // *RegionSet, *subCode, *string (opStrIn2), *codeRule (opFire, opProg)
	cond      boolFn
}

// instSize is the size of an inst: the step from one to the next.
const instSize = unsafe.Sizeof(inst{})

// an inst is one cache line on the machines simrisk runs on
var _ [64 - instSize]struct{}
var _ [instSize - 64]struct{}

// next is the instruction after in.
func (in *inst) next() *inst { return (*inst)(unsafe.Add(unsafe.Pointer(in), instSize)) }

// codeRule is a rule the code fires or whose program it runs.
type codeRule struct {
	rule *compiledRule
	prog program
}

// fieldTest is a test on a plain Record field.
func fieldTest(o op, d directField, c int64, s string) *bnode {
	return &bnode{op: bTest, test: test{op: o, off: d.off, c: c, s: s}}
}

// valRef is a derived int value the branch code computes in place.
type valRef struct {
	kind valKind
	off  uintptr
	cur  bool
}

// valCmpNode is the tree of a derived value compared with c.
func valCmpNode(v valRef, cmp string, c int) *bnode {
	if n := daysNode(v, cmp, c); n != nil {
		return n
	}
	t := func(o op) *bnode {
		return &bnode{op: bTest, test: test{op: o, vk: v.kind, off: v.off, cur: v.cur, c: int64(c)}}
	}
	switch cmp {
	case "<":
		return t(opValLT)
	case "<=":
		return t(opValLE)
	case ">":
		return notNode(t(opValLE))
	case ">=":
		return notNode(t(opValLT))
	case "==":
		return t(opValEQ)
	}
	return notNode(t(opValEQ))
}

// maxDaysConst bounds the constants a days test folds into a time
// threshold (daysTest): larger ones stay value comparisons.
const maxDaysConst = 1 << 31

// daysNode is the tree of days since a Time (v: vDaysSince or
// vDaysActivity) compared with c by <, <=, > or >=, as a test of the time
// itself against a threshold (daysTest), or nil when it cannot be one.
func daysNode(v valRef, cmp string, c int) *bnode {
	if (v.kind != vDaysSince && v.kind != vDaysActivity) || c < -maxDaysConst || c > maxDaysConst {
		return nil
	}
	lt := func(c int) *bnode {
		o := opDaysLT
		if v.kind == vDaysActivity {
			o = opActLT
		}
		return &bnode{op: bTest, test: test{op: o, off: v.off, cur: v.cur, c: daysTest(c), emp: Never < c}}
	}
	switch cmp {
	case "<":
		return lt(c)
	case "<=":
		return lt(c + 1)
	case ">":
		return notNode(lt(c + 1))
	case ">=":
		return notNode(lt(c))
	}
	return nil
}

// daysTest is the constant of a test days(t) < c, for t set: with d the
// as-of day (Time.Day), days(t) = d - floor((t+cstOffset)/86400) < c holds
// when floor((t+cstOffset)/86400) >= d-c+1, that is when t >= d*86400 +
// (1-c)*86400 - cstOffset: e.dayStart (d*86400, once per as-of time) plus
// this. |c| <= maxDaysConst keeps it far from overflow.
func daysTest(c int) int64 { return int64(1-c)*86400 - cstOffset }

// daysBase is env's dayStart and dayHi for the as-of day d: the times
// 1 .. MaxInt64-cstOffset (Day does not wrap) when d is within 2^45 days
// of 1970 (dayStart + daysTest(c) cannot overflow), none otherwise.
func daysBase(d int) (start int64, hi uint64) {
	if d > -1<<45 && d < 1<<45 {
		return int64(d) * 86400, math.MaxInt64 - cstOffset
	}
	return 0, 0
}

// daysConst is the c of daysTest(c).
func daysConst(k int64) int64 { return 1 - (k+cstOffset)/86400 }

// anyNode is the tree of any, all or none over the roaming list, its body
// written as sub-code.
func anyNode(body *bnode, stop, empty bool) *bnode {
	code := boolCode(body)
	return &bnode{op: bTest, test: test{op: opAnyRoam, stop: stop, emp: empty, p: unsafe.Pointer(&subCode{code})}}
}

// boolCode is n written as branch code that answers (opTrue, opFalse). It
// reads the roaming entry in scope when any of its tests does.
func boolCode(n *bnode) []inst {
	var m emitter
	ts, fs := m.cond(n)
	m.patch(ts, m.here())
	m.code = append(m.code, tinst{test: test{op: opTrue}})
	m.patch(fs, m.here())
	m.code = append(m.code, tinst{test: test{op: opFalse}})
	cur := false
	for i := range m.code {
		cur = cur || (m.code[i].cur && readsBase(&m.code[i].test))
	}
	return layout(m.code, cur)
}

func notNode(x *bnode) *bnode {
	if x.op == bNot {
		return x.x
	}
	return &bnode{op: bNot, x: x}
}

// nodeOf is x's tree: its own, or one test calling x.b.
func nodeOf(x lowered) *bnode {
	switch {
	case x.node != nil:
		return x.node
	case x.dir != nil && x.dir.kind == dirBool:
		return fieldTest(opBool, *x.dir, 0, "")
	}
	return &bnode{op: bTest, test: test{op: opCall, cond: x.b}}
}

// intCmpNode is the tree of an int or Time field compared with c.
func intCmpNode(d directField, cmp string, c int) *bnode {
	lt, le, eq := opIntLT, opIntLE, opIntEQ
	if d.kind == dirTime {
		lt, le, eq = opTimeLT, opTimeLE, opTimeEQ
	}
	switch cmp {
	case "<":
		return fieldTest(lt, d, int64(c), "")
	case "<=":
		return fieldTest(le, d, int64(c), "")
	case ">":
		return notNode(fieldTest(le, d, int64(c), ""))
	case ">=":
		return notNode(fieldTest(lt, d, int64(c), ""))
	case "==":
		return fieldTest(eq, d, int64(c), "")
	}
	return notNode(fieldTest(eq, d, int64(c), ""))
}

// strEqNode is the tree of a string field compared with c (!= when neg).
func strEqNode(d directField, c string, neg bool) *bnode {
	n := fieldTest(opStrEq, d, 0, c)
	if c == "" {
		n = fieldTest(opStrEmpty, d, 0, "")
	}
	if neg {
		return notNode(n)
	}
	return n
}

// hole is a jump not yet known: instruction at, its t (or f when !onTrue).
type hole struct {
	at     int32
	onTrue bool
}

// tinst is an instruction before layout: a test goes on at t when it
// holds, at f when not.
type tinst struct {
	test
	t, f int32
	rule *codeRule // opFire, opProg
}

type emitter struct {
	code []tinst
}

func (m *emitter) here() int32 { return int32(len(m.code)) }

func (m *emitter) patch(hs []hole, to int32) {
	for _, h := range hs {
		if h.onTrue {
			m.code[h.at].t = to
		} else {
			m.code[h.at].f = to
		}
	}
}

// cond writes the tests of n; the returned holes are the jumps taken when n
// holds and when it does not.
func (m *emitter) cond(n *bnode) (ts, fs []hole) {
	switch n.op {
	case bAnd:
		xt, xf := m.cond(n.x)
		m.patch(xt, m.here())
		yt, yf := m.cond(n.y)
		return yt, append(xf, yf...)
	case bOr:
		xt, xf := m.cond(n.x)
		m.patch(xf, m.here())
		yt, yf := m.cond(n.y)
		return append(xt, yt...), yf
	case bNot:
		xt, xf := m.cond(n.x)
		return xf, xt
	}
	at := m.here()
	m.code = append(m.code, tinst{test: n.test})
	return []hole{{at, true}}, []hole{{at, false}}
}

// conds writes the tests of the conjunction of cs (nil: true).
func (m *emitter) conds(cs []conj) (ts, fs []hole, always bool) {
	if len(cs) == 0 {
		return nil, nil, true
	}
	n := cs[0].n
	for _, c := range cs[1:] {
		n = &bnode{op: bAnd, x: n, y: c.n}
	}
	ts, fs = m.cond(n)
	return ts, fs, false
}

// emit writes the branch code of plan steps, ending at the instruction
// after them.
func (m *emitter) emit(plan []step, from, to int32) {
	for i := from; i < to; {
		st := &plan[i]
		ts, fs, _ := m.conds(st.conds)
		m.patch(ts, m.here())
		if st.rule == nil {
			// a guard: its steps, then the jump past them
			m.emit(plan, i+1, st.skip)
			m.patch(fs, m.here())
			i = st.skip
			continue
		}
		in := tinst{test: test{op: opFire}, rule: &codeRule{st.rule, st.prog}}
		if st.prog != nil {
			in.op = opProg
		}
		m.code = append(m.code, in)
		m.code[len(m.code)-1].t = m.here()
		m.patch(fs, m.here())
		i++
	}
}

// branchCode writes a plan as branch code.
func branchCode(plan []step) []inst {
	var m emitter
	m.emit(plan, 0, int32(len(plan)))
	m.code = append(m.code, tinst{test: test{op: opEnd}})
	return layout(m.code, false)
}

// layout turns tests with two targets into tests that fall through to the
// next instruction on one outcome. Every test has one: the last test of a
// tree has one exit among the tree's true jumps and one among its false
// jumps (so for a test, and by induction through &&, || and !), and what
// follows a tree in the code is where one of those lists goes — the right
// operand of && (true), of || (false), the fired rule or the guarded steps
// (true).
//
// The code reads the roaming entry in scope (cur) or the card; a test of
// the other one becomes a call (offBase). A test the loop runs in place is
// written to jump when it holds (its negation when it jumps on false), and
// a pop.* comparison gets an op of its own.
func layout(tc []tinst, cur bool) []inst {
	code := make([]inst, len(tc))
	for i, in := range tc {
		out := &code[i]
		if in.cur != cur && readsBase(&in.test) {
			in.test = test{op: opCall, cond: offBase(in.test)}
		}
		if in.op == opRegion && in.p == nil {
			in.p = unsafe.Pointer(new(RegionSet)) // holds nothing, as nil does
		}
		*out = inst{op: in.op, vk: in.vk, stop: in.stop, emp: in.emp, off: uint32(in.off), c: in.c, s: in.s, p: in.p, cond: in.cond}
		if in.vk == vPop && in.op >= opValLT && in.op <= opValEQ {
			out.op = opPopLT + (in.op - opValLT)
		}
		switch {
		case in.op == opFire || in.op == opProg:
			out.p = unsafe.Pointer(in.rule)
		case !isTest(in.op):
		case in.f == int32(i+1):
			out.when, out.jump = true, &code[in.t]
		case in.t == int32(i+1):
			out.when, out.jump = false, &code[in.f]
			if int(out.op) < len(negated) && negated[out.op] != 0 {
				out.op = negated[out.op]
			}
		default:
			panic("risk: branch code test without a fall-through")
		}
	}
	code[0].cur = cur
	return code
}

// offBase is a test of the card in code that reads the roaming entry in
// scope (or the other way round) as a call: t on its own as code reading
// its record.
func offBase(t test) boolFn {
	code := layout([]tinst{{test: t, t: 1, f: 2}, {test: test{op: opTrue}}, {test: test{op: opFalse}}}, t.cur)
	if t.cur {
		return func(e *env) bool { return e.run(code, unsafe.Pointer(e.cur)) }
	}
	return func(e *env) bool { return e.run(code, nil) }
}

// firing is a rule the plan fired on a card, or that failed on it (err).
type firing struct {
	rule *compiledRule
	err  error
}

// run runs branch code on the card in e: the plan (the rules that fire, and
// fail, go to the scorer's fired list, in plan order), or a predicate's
// body on the roaming entry cur (its answer is returned).
//
// The loop is the hot path of scoring, written for few instructions per
// test: it walks pointers (no index, no bounds check), reads one record
// (r: the card, or the roaming entry for a body), a test it runs in place
// jumps when it holds and goes on with the next instruction when not, and
// a test that calls anything (a closure, a string comparison of equal
// lengths, a derived value, a region set, a quantifier, a rule's program)
// is a method that returns the next instruction, so that no value of the
// loop lives across a call (the compiler keeps them in registers, with no
// spill on every test).
func (e *env) run(code []inst, cur unsafe.Pointer) bool {
	in := &code[0]
	r := unsafe.Pointer(e.r)
	if in.cur {
		r = cur
	}
	for {
		switch in.op & opMask {
		case opCall:
			in = e.call(in)
			continue
		case opBool:
			if *(*bool)(unsafe.Add(r, in.off)) {
				in = in.jump
				continue
			}
		case opNotBool:
			if !*(*bool)(unsafe.Add(r, in.off)) {
				in = in.jump
				continue
			}
		case opStrEmpty:
			if len(*(*string)(unsafe.Add(r, in.off))) == 0 {
				in = in.jump
				continue
			}
		case opStrNonEmpty:
			if len(*(*string)(unsafe.Add(r, in.off))) != 0 {
				in = in.jump
				continue
			}
		case opStrEq:
			if len(*(*string)(unsafe.Add(r, in.off))) == len(in.s) {
				in = strEq(in, r)
				continue
			}
		case opStrNe:
			if len(*(*string)(unsafe.Add(r, in.off))) == len(in.s) {
				in = strEq(in, r)
				continue
			}
			in = in.jump
			continue
		case opStrIn2:
			if n := len(*(*string)(unsafe.Add(r, in.off))); n == len(in.s) || n == len(*(*string)(in.p)) {
				in = strIn2(in, r)
				continue
			}
		case opStrNotIn2:
			if n := len(*(*string)(unsafe.Add(r, in.off))); n == len(in.s) || n == len(*(*string)(in.p)) {
				in = strIn2(in, r)
				continue
			}
			in = in.jump
			continue
		case opIntLT:
			if int64(*(*int)(unsafe.Add(r, in.off))) < in.c {
				in = in.jump
				continue
			}
		case opIntGE:
			if int64(*(*int)(unsafe.Add(r, in.off))) >= in.c {
				in = in.jump
				continue
			}
		case opIntLE:
			if int64(*(*int)(unsafe.Add(r, in.off))) <= in.c {
				in = in.jump
				continue
			}
		case opIntGT:
			if int64(*(*int)(unsafe.Add(r, in.off))) > in.c {
				in = in.jump
				continue
			}
		case opIntEQ:
			if int64(*(*int)(unsafe.Add(r, in.off))) == in.c {
				in = in.jump
				continue
			}
		case opIntNE:
			if int64(*(*int)(unsafe.Add(r, in.off))) != in.c {
				in = in.jump
				continue
			}
		case opTimeLT:
			if *(*int64)(unsafe.Add(r, in.off)) < in.c {
				in = in.jump
				continue
			}
		case opTimeGE:
			if *(*int64)(unsafe.Add(r, in.off)) >= in.c {
				in = in.jump
				continue
			}
		case opTimeLE:
			if *(*int64)(unsafe.Add(r, in.off)) <= in.c {
				in = in.jump
				continue
			}
		case opTimeGT:
			if *(*int64)(unsafe.Add(r, in.off)) > in.c {
				in = in.jump
				continue
			}
		case opTimeEQ:
			if *(*int64)(unsafe.Add(r, in.off)) == in.c {
				in = in.jump
				continue
			}
		case opTimeNE:
			if *(*int64)(unsafe.Add(r, in.off)) != in.c {
				in = in.jump
				continue
			}
		case opTimeLTF:
			if *(*int64)(unsafe.Add(r, in.off)) < *(*int64)(unsafe.Add(r, in.c)) {
				in = in.jump
				continue
			}
		case opTimeGEF:
			if *(*int64)(unsafe.Add(r, in.off)) >= *(*int64)(unsafe.Add(r, in.c)) {
				in = in.jump
				continue
			}
		case opValLT, opValLE, opValEQ:
			in = e.valCmp(in, r)
			continue
		// pop.*: the card's features, read in place once looked up
		case opPopLT:
			if !e.featOK {
				in = e.popCmp(in)
				continue
			}
			if int64(*(*int)(unsafe.Add(unsafe.Pointer(&e.feat), in.off))) < in.c {
				in = in.jump
				continue
			}
		case opPopGE:
			if !e.featOK {
				in = e.popCmp(in)
				continue
			}
			if int64(*(*int)(unsafe.Add(unsafe.Pointer(&e.feat), in.off))) >= in.c {
				in = in.jump
				continue
			}
		case opPopLE:
			if !e.featOK {
				in = e.popCmp(in)
				continue
			}
			if int64(*(*int)(unsafe.Add(unsafe.Pointer(&e.feat), in.off))) <= in.c {
				in = in.jump
				continue
			}
		case opPopGT:
			if !e.featOK {
				in = e.popCmp(in)
				continue
			}
			if int64(*(*int)(unsafe.Add(unsafe.Pointer(&e.feat), in.off))) > in.c {
				in = in.jump
				continue
			}
		case opPopEQ:
			if !e.featOK {
				in = e.popCmp(in)
				continue
			}
			if int64(*(*int)(unsafe.Add(unsafe.Pointer(&e.feat), in.off))) == in.c {
				in = in.jump
				continue
			}
		case opPopNE:
			if !e.featOK {
				in = e.popCmp(in)
				continue
			}
			if int64(*(*int)(unsafe.Add(unsafe.Pointer(&e.feat), in.off))) != in.c {
				in = in.jump
				continue
			}
		case opDaysLT:
			// unset (0), before 1970, or so late that Day wraps, or an
			// as-of time far out (dayHi 0): the careful way
			t := *(*int64)(unsafe.Add(r, in.off))
			if uint64(t-1) >= e.dayHi {
				in = e.daysCmp(in, r)
				continue
			}
			if t >= e.dayStart+in.c {
				in = in.jump
				continue
			}
		case opDaysGE:
			t := *(*int64)(unsafe.Add(r, in.off))
			if uint64(t-1) >= e.dayHi {
				in = e.daysCmp(in, r)
				continue
			}
			if t < e.dayStart+in.c {
				in = in.jump
				continue
			}
		case opActLT:
			t := e.activity()
			if uint64(t-1) >= e.dayHi {
				in = e.daysCmp(in, r)
				continue
			}
			if t >= e.dayStart+in.c {
				in = in.jump
				continue
			}
		case opActGE:
			t := e.activity()
			if uint64(t-1) >= e.dayHi {
				in = e.daysCmp(in, r)
				continue
			}
			if t < e.dayStart+in.c {
				in = in.jump
				continue
			}
		case opRegion:
			// a 6-character code no code of the set starts like (mayHave6)
			// is not in it; anything else asks the set
			if v := *(*string)(unsafe.Add(r, in.off)); len(v) != 6 || (*RegionSet)(in.p).mayHave6(v) {
				in = region(in, r)
				continue
			}
		case opNotRegion:
			if v := *(*string)(unsafe.Add(r, in.off)); len(v) != 6 || (*RegionSet)(in.p).mayHave6(v) {
				in = region(in, r)
				continue
			}
			in = in.jump
			continue
		case opAnyRoam:
			if len(e.r.Roaming) != 0 {
				in = e.anyRoam(in)
				continue
			}
			in = in.then(in.emp)
			continue
		case opFire, opProg:
			in = e.fire(in)
			continue
		case opTrue:
			return true
		case opMask: // no instruction: see opMask
			return false
		default: // opFalse, opEnd
			return false
		}
		in = in.next()
	}
}

// activity is the time days_since_last_activity counts from: the last
// activity, or the opening when there was none.
func (e *env) activity() int64 {
	if t := int64(e.r.LastActivity()); t != 0 {
		return t
	}
	return int64(e.r.OpenedAt)
}

// then is the instruction after test in, which gave ok.
func (in *inst) then(ok bool) *inst {
	if ok == in.when {
		return in.jump
	}
	return in.next()
}

//go:noinline
func (e *env) call(in *inst) *inst { return in.then(in.cond(e)) }

//go:noinline
func strEq(in *inst, r unsafe.Pointer) *inst {
	return in.then(*(*string)(unsafe.Add(r, in.off)) == in.s)
}

//go:noinline
func strIn2(in *inst, r unsafe.Pointer) *inst {
	v := *(*string)(unsafe.Add(r, in.off))
	return in.then(v == in.s || v == *(*string)(in.p))
}

// popCmp looks the card's features up for a pop.* comparison (opPopLT
// ...), which runs again.
//
//go:noinline
func (e *env) popCmp(in *inst) *inst {
	e.features()
	return in
}

// valCmp compares a derived int value, of the card or of the roaming
// entry r, with in.c.
//
//go:noinline
func (e *env) valCmp(in *inst, r unsafe.Pointer) *inst {
	var v int
	if in.vk == vDaysSince {
		v = e.days(*(*Time)(unsafe.Add(r, in.off)))
	} else {
		v = e.cardVal(in.vk, in.off)
	}
	switch c := int64(v); in.op {
	case opValLT:
		return in.then(c < in.c)
	case opValLE:
		return in.then(c <= in.c)
	default:
		return in.then(c == in.c)
	}
}

// daysCmp is a days test (opDaysLT, opActLT) the way valCmp compares.
//
//go:noinline
func (e *env) daysCmp(in *inst, r unsafe.Pointer) *inst {
	var v int
	if in.op == opDaysLT || in.op == opDaysGE {
		v = e.days(*(*Time)(unsafe.Add(r, in.off)))
	} else {
		v = e.daysSinceLastActivity()
	}
	return in.then(int64(v) < daysConst(in.c))
}

//go:noinline
func region(in *inst, r unsafe.Pointer) *inst {
	return in.then((*RegionSet)(in.p).Contains(*(*string)(unsafe.Add(r, in.off))))
}

// fire adds the rule of in to the fired list, or runs its program.
//
//go:noinline
func (e *env) fire(in *inst) *inst {
	cr := (*codeRule)(in.p)
	if in.op == opFire {
		e.s.fired = append(e.s.fired, firing{rule: cr.rule})
	} else {
		e.s.runProg(cr)
	}
	return in.next()
}

// anyRoam runs a predicate's sub-code on each roaming entry. It gives back
// the entry that was in scope when it began: a predicate may run inside
// another's body (a let variable or a macro holding one), and the outer
// body reads its own entry after the inner one is done.
//
//go:noinline
func (e *env) anyRoam(in *inst) *inst {
	sub := (*subCode)(in.p).code
	rs, outer := e.r.Roaming, e.cur
	for i := range rs {
		e.cur = &rs[i]
		if e.run(sub, unsafe.Pointer(e.cur)) == in.stop {
			e.cur = outer
			return in.then(!in.emp)
		}
	}
	e.cur = outer
	return in.then(in.emp)
}

// cardVal computes a derived int value of the card other than days since a
// field.
func (e *env) cardVal(k valKind, off uint32) int {
	switch k {
	case vDaysActivity:
		return e.daysSinceLastActivity()
	case vPop:
		return *(*int)(unsafe.Add(unsafe.Pointer(e.features()), off))
	}
	return freezeDays(e.r)
}

// runProg decides a rule with its program (a reference evaluator, or CEL
// conjuncts that may fail).
func (s *Scorer) runProg(cr *codeRule) {
	out, err := cr.prog.eval(s)
	if err != nil {
		s.fired = append(s.fired, firing{rule: cr.rule, err: err})
		return
	}
	if fired, _ := out.(bool); fired {
		s.fired = append(s.fired, firing{rule: cr.rule})
	}
}
