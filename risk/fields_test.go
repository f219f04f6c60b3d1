package risk

import (
	"bufio"
	"os"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"
)

// Every compiled reader (vocab_gen.go) gives, for every card of the
// committed sample, what the struct the reference evaluators see holds
// (both are generated from the vocabulary table, but a derived value has
// two Go expressions there: its reader's and its fill's).
func TestFieldTablesCoverVocabulary(t *testing.T) {
	asOf := Date(2026, 11, 1)
	pop := NewPopulation()
	recs := sampleRecords(t)
	for _, r := range recs {
		require.NoError(t, r.Validate(asOf))
		pop.Add(r)
	}
	require.Greater(t, len(recs), 1000)
	// a card that was never validated nor added: its segment and features
	// are looked up, not cached
	recs = append(recs, &Record{MSISDN: "14912345678", Status: "active", Holder: recs[0].Holder, OpenedAt: asOf - 86400,
		Roaming: []Roaming{{Region: "KH", LastSeen: asOf - 3*86400}, {Region: "530902"}}})

	readers := envReaders()
	var e env
	for i, r := range recs {
		for _, as := range []Time{asOf, asOf + 200*86400} {
			e.begin(r, as, pop, r.fingerprint())
			var lazy env
			lazy.begin(r, as, pop, r.fingerprint())
			e.fillAll()
			for name, fn := range boolFields {
				require.Equal(t, readers[name](&e), fn(&lazy), "card %d: %s", i, name)
			}
			for name, fn := range intFields {
				require.EqualValues(t, readers[name](&e), fn(&lazy), "card %d: %s", i, name)
			}
			for name, fn := range stringFields {
				require.Equal(t, readers[name](&e), fn(&lazy), "card %d: %s", i, name)
			}
			require.Len(t, e.Roaming, len(r.Roaming))
			for j := range r.Roaming {
				lazy.cur = &r.Roaming[j]
				require.Equal(t, e.Roaming[j].Region, roamStringFields["region"](&lazy))
				require.Equal(t, e.Roaming[j].LastSeen, roamIntFields["last_seen"](&lazy))
				require.Equal(t, e.Roaming[j].DaysAgo, roamIntFields["days_ago"](&lazy))
			}
		}
	}
}

// The fields compiled comparisons read in place are the fields the readers
// read: same value on every generated card, for every name, and the branch
// code's tests of them agree with the readers.
func TestDirectFieldsMatchReaders(t *testing.T) {
	asOf := Date(2026, 11, 1)
	recs := append([]*Record{{}, {Complaints: -3, Alerts30d: 1 << 40, OpenedAt: -1, LastAttachAt: Date(2026, 10, 30), Recycled: true, IoT: IoT{TestPlan: true, Business: "new"}}},
		sampleRecords(t)...)
	seen := map[string]bool{}
	for _, r := range recs {
		e := &env{}
		e.begin(r, asOf, nil, r.fingerprint())
		for name, d := range directFields {
			switch d.kind {
			case dirBool:
				require.Equal(t, boolFields[name](e), *(*bool)(d.ptr(e)), name)
				require.Equal(t, !boolFields[name](e), lowered{node: notNode(fieldTest(opBool, d, 0, ""))}.fn()(e), name)
				seen[name] = seen[name] || boolFields[name](e)
			case dirInt, dirTime:
				want := intFields[name](e)
				if d.kind == dirInt {
					require.Equal(t, want, *(*int)(d.ptr(e)), name)
				} else {
					require.Equal(t, want, int(*(*int64)(d.ptr(e))), name)
				}
				for _, op := range []string{"<", "<=", ">", ">=", "==", "!="} {
					for _, c := range []int{want - 1, want, want + 1} {
						require.Equal(t, cmpInt(op, want, c), lowered{node: intCmpNode(d, op, c)}.fn()(e), "%s %s %d", name, op, c)
					}
				}
				seen[name] = seen[name] || want != 0
			case dirString:
				want := stringFields[name](e)
				require.Equal(t, want, *(*string)(d.ptr(e)), name)
				require.True(t, lowered{node: strEqNode(d, want, false)}.fn()(e))
				require.False(t, lowered{node: strEqNode(d, want, true)}.fn()(e))
				require.Equal(t, want == "", lowered{node: strEqNode(d, "", false)}.fn()(e))
				require.Equal(t, want != "", lowered{node: strEqNode(d, "", true)}.fn()(e))
				seen[name] = seen[name] || want != ""
			default:
				t.Fatalf("%s: no kind", name)
			}
		}
	}
	// the comparison means something only when the fields hold values
	for name := range directFields {
		require.True(t, seen[name], "no card sets %s", name)
	}
}

func cmpInt(op string, a, b int) bool {
	switch op {
	case "<":
		return a < b
	case "<=":
		return a <= b
	case ">":
		return a > b
	case ">=":
		return a >= b
	case "==":
		return a == b
	}
	return a != b
}

// sampleRecords decodes the committed sample cards (not validated).
func sampleRecords(t *testing.T) []*Record {
	t.Helper()
	f, err := os.Open("../datasets/sample/cards.jsonl")
	require.NoError(t, err)
	defer f.Close()
	var recs []*Record
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		r := new(Record)
		require.NoError(t, r.UnmarshalJSON(sc.Bytes()))
		recs = append(recs, r)
	}
	require.NoError(t, sc.Err())
	return recs
}

// The derived ints the branch code computes in place (env.val) are what the
// readers give, for the card and for each of its roaming entries.
// requireValCmp checks that the branch code's comparisons of the derived
// value (kind, of r at off) with want and its neighbours answer as for want.
func requireValCmp(t *testing.T, e *env, kind valKind, r unsafe.Pointer, off uintptr, want int, name string) {
	t.Helper()
	code := make([]inst, 2) // a test, and the instruction after it
	for _, c := range []int{want - 1, want, want + 1} {
		for _, o := range []op{opValLT, opValLE, opValEQ} {
			code[0] = inst{op: o, vk: kind, off: uint32(off), c: int64(c), when: true, jump: &code[0]}
			holds := map[op]bool{opValLT: want < c, opValLE: want <= c, opValEQ: want == c}[o]
			require.Equal(t, holds, e.valCmp(&code[0], r) == &code[0], "%s (%d) op %d %d", name, want, o, c)
		}
	}
}

func TestDerivedIntsMatchReaders(t *testing.T) {
	asOf := Date(2026, 11, 1)
	recs := append([]*Record{{}, {OpenedAt: -86400, LastAttachAt: Date(2026, 10, 29), Recycled: true, ReleasedAt: 1, Roaming: []Roaming{{Region: "KH"}}}},
		sampleRecords(t)...)
	pop := NewPopulation()
	for _, r := range recs[2:] {
		pop.Add(r)
	}
	seen := map[string]bool{}
	for _, r := range recs {
		e := &env{}
		e.begin(r, asOf, pop, r.fingerprint())
		for name, v := range derivedInts {
			want := intFields[name](e)
			if name == "days_since_last_activity" {
				// its reader and the in-place value share one method: check
				// it against the schema's definition
				last := r.LastActivity()
				if last == 0 {
					last = r.OpenedAt
				}
				ref := Never
				if last != 0 {
					ref = DaysBetween(last, asOf)
				}
				require.Equal(t, ref, want)
			}
			requireValCmp(t, e, v.kind, unsafe.Pointer(r), v.off, want, name)
			seen[name] = seen[name] || (want != 0 && want != Never)
		}
		for i := range r.Roaming {
			e.cur = &r.Roaming[i]
			requireValCmp(t, e, vDaysSince, unsafe.Pointer(e.cur), unsafe.Offsetof(Roaming{}.LastSeen), roamIntFields["days_ago"](e), "days_ago")
		}
	}
	for name := range derivedInts {
		require.True(t, seen[name], "no card sets %s", name)
	}
}

// The bool names lowered to tests of fields (valid, verification_pending)
// give, as branch code, what their readers give.
func TestBoolNodesMatchReaders(t *testing.T) {
	asOf := Date(2026, 11, 1)
	day := Time(86400)
	recs := append([]*Record{{}, {Status: "cancelled"},
		{VerifyRequiredAt: asOf - day}, {VerifyRequiredAt: asOf - day, VerifiedAt: asOf - 2*day},
		{VerifyRequiredAt: asOf - day, VerifiedAt: asOf - day}, {VerifyRequiredAt: asOf - day, VerifiedAt: asOf},
		{VerifiedAt: asOf}}, sampleRecords(t)...)
	cr := &compiledRule{id: "r"}
	s := &Scorer{}
	s.env.s = s
	nodes := 0
	for name, read := range boolFields {
		x, ok := field(name)
		require.True(t, ok, name)
		if x.node == nil {
			continue
		}
		nodes++
		code := branchCode([]step{{conds: []conj{{n: x.node}}, rule: cr, skip: 1}})
		for _, r := range recs {
			s.env.begin(r, asOf, nil, r.fingerprint())
			s.fired = s.fired[:0]
			s.env.run(code, nil)
			require.Equal(t, read(&s.env), len(s.fired) == 1, "%s on %+v", name, r)
		}
	}
	require.Equal(t, 2, nodes)
}
