package risk

import (
	"hash/maphash"
	mbits "math/bits"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"
)

// Features are the population features of one card: what the rest of the
// card base says about its holder. Only valid (not cancelled) cards count.
// Expressions see them as pop.cards_on_operator and so on.
type Features struct {
	CardsOnOperator int // holder's valid cards at this card's counting operator (an MVNO brand counts as its own operator)
	CardsTotal      int // holder's valid cards at all operators
	CardsSameDay    int // holder's valid cards opened on the same CST day as this one (any operator)
	Operators       int // distinct counting operators among the holder's valid cards
}

// Population holds the features of a set of cards scored together, for a
// batch (a file, a snapshot): cards per holder per operator, per holder in
// total, opened the same day. Build it with Add over every card (one pass),
// then read it: the first read seals it (one sort of compact entries),
// after which it is safe for concurrent use. Add after reading is allowed
// (the next read seals again, a whole-population sort) but not
// concurrently with reads. A card base that changes while it is scored
// (upserts, removals, concurrent readers) is a LivePopulation's job; both
// are read through WithPopulation.
//
// Memory is compact: per counted card a 16-byte entry (a 64-bit holder
// hash — the holder key is not kept —, an operator id and a day) and, after
// sealing, its four feature counts (16 bytes); sealing sorts the entries in
// place. Two holders whose keys collide in 64 bits would be counted as one:
// at n holders the odds of any such pair are about n²/2⁶⁵, 1 in 370,000 at
// 10 million holders but about 1 in 9 at 2 billion, so a national card
// base should use LivePopulation, which compares holder keys exactly. More
// than 65,535 distinct operators and MVNO brands would share the last id.
//
// A card is the *Record added: adding the same record again (changed or
// not: cancelled, moved to another holder, validated since) replaces its
// earlier state, so a card counts once however often it is added; two
// different records with the same number are two cards (LivePopulation
// keys cards by number). A card not validated yet counts under its number
// segment's operator. A card remembers its entry, so scoring reads its
// features without hashing; after changing a card's holder, operator,
// MVNO, status or opening date, add it again. A card without a holder key
// is its own holder. The card being scored should be in the population. A
// record that was not added itself (the same card decoded again in a second
// pass over a file) is looked up by its holder and gets the holder's
// counts; a holder the population does not know, or no Population at all,
// makes the card its holder's only card.
type Population struct {
	seed    maphash.Seed
	id      uint64            // cards added remember it (a number, not a pointer: no write barrier, nothing for the GC to trace)
	opNames []string          // operator names and "\x00"+MVNO brands, by id
	ops     map[string]uint16 // the same, once there are many
	entries []popEntry        // counted cards; sorted by holder, operator, day once sealed
	feats   []popFeats        // per entry (by its idx), once sealed
	cards   int
	holders int
	nidx    int32    // entries ever added: the next entry's idx
	dead    []uint64 // by idx: entries of cards added again since (a bit set)
	ndead   int
	readded bool // a card was added again: Bind no longer trusts places
	// where each run of holder hashes with the same top bits starts in the
	// sorted entries (about four entries a run), once sealed: a lookup
	// searches one run instead of every entry
	runs     []int32
	runShift uint

	mu     sync.Mutex  // held while sealing
	sealed atomic.Bool // read on every feature lookup: no lock on the hot path
}

// popIDs numbers populations; 0 is no population.
var popIDs atomic.Uint64

type popEntry struct {
	h   uint64 // holder hash
	idx int32  // order of Add: the card's index into feats
	op  uint16
	day uint16 // CST day number (days since 1970-01-01)
}

// popFeats are an entry's features, counts (not negative: unsigned, which
// converts to int with a plain load).
type popFeats struct{ onOp, total, sameDay, ops uint32 }

func (pf popFeats) features() Features {
	return Features{CardsOnOperator: int(pf.onOp), CardsTotal: int(pf.total), CardsSameDay: int(pf.sameDay), Operators: int(pf.ops)}
}

// seal uses a features buffer as scratch for sorting entries.
var _ [unsafe.Sizeof(popEntry{}) - unsafe.Sizeof(popFeats{})]struct{}
var _ [unsafe.Sizeof(popFeats{}) - unsafe.Sizeof(popEntry{})]struct{}

// NewPopulation returns an empty population.
func NewPopulation() *Population {
	return &Population{seed: maphash.MakeSeed(), id: popIDs.Add(1)}
}

// NewPopulationSize returns an empty population with room for about n cards
// made ahead: a hint, taken as 0 when negative and as 16,777,216 (16 bytes
// a card) when larger; the population grows past it as cards are added.
func NewPopulationSize(n int) *Population {
	p := NewPopulation()
	p.entries = make([]popEntry, 0, min(max(n, 0), maxPopHint))
	return p
}

// maxPopHint is the most cards NewPopulationSize makes room for ahead.
const maxPopHint = 1 << 24

// opID returns the small id of the card's counting operator (its MVNO brand
// when it has one), adding it when add is true. A handful of operators is
// the rule: they are compared in a slice, without hashing.
func (p *Population) opID(r *Record, add bool) (uint16, bool) {
	name, mvno := r.Operator, false
	if r.MVNO != "" {
		name, mvno = r.MVNO, true
	} else if name == "" {
		name = countKey(r) // a card not validated yet: its segment's operator
	}
	if p.ops == nil {
		for i, n := range p.opNames {
			if mvno && len(n) == len(name)+1 && n[0] == 0 && n[1:] == name ||
				!mvno && n == name && (n == "" || n[0] != 0) {
				return uint16(i), true
			}
		}
	} else {
		var id uint16
		var ok bool
		if mvno {
			id, ok = p.ops["\x00"+name] // the concatenation does not allocate for a lookup
		} else {
			id, ok = p.ops[name]
		}
		if ok {
			return id, true
		}
	}
	if !add {
		return 0, false
	}
	key := strings.Clone(name) // kept: not a part of a caller's larger string
	if mvno {
		key = "\x00" + name
	}
	id := uint16(min(len(p.opNames), 1<<16-1))
	if len(p.opNames) < 1<<16-1 {
		p.opNames = append(p.opNames, key)
	}
	if p.ops == nil && len(p.opNames) > 16 {
		p.ops = make(map[string]uint16, 64)
		for i, n := range p.opNames {
			p.ops[n] = uint16(i)
		}
	} else if p.ops != nil {
		p.ops[key] = id
	}
	return id, true
}

// Add counts one card. A card not validated yet counts under the operator
// of its number's segment (Record.Validate would fill it). Cancelled cards
// and cards without a holder are not counted. Adding a record that was
// added before (the same *Record, changed or not: cancelled, moved to
// another holder) replaces its earlier state: a card counts once however
// often it is added. Two different records with the same number are two
// cards here; LivePopulation keys cards by number.
func (p *Population) Add(r *Record) {
	if r.popID == p.id {
		// added before: its old entry no longer counts
		p.readded = true
		p.cards--
		if i := r.popIdx; i >= 0 {
			if int(i>>6) >= len(p.dead) {
				p.dead = append(p.dead, make([]uint64, int(i>>6)+1-len(p.dead))...)
			}
			p.dead[i>>6] |= 1 << (i & 63)
			p.ndead++
			p.sealed.Store(false)
		}
		r.popID, r.popIdx = 0, 0
	}
	p.cards++
	if !r.Valid() || r.Holder == "" {
		r.popID, r.popIdx, r.popFP = p.id, -1, r.fingerprint()
		return
	}
	op, _ := p.opID(r, true)
	i := p.nidx
	p.nidx++
	if len(p.entries) == cap(p.entries) {
		// double: append grows large slices by a quarter, copying a million
		// entries over and over
		grown := make([]popEntry, len(p.entries), max(1024, 2*cap(p.entries)))
		copy(grown, p.entries)
		p.entries = grown
	}
	p.entries = append(p.entries, popEntry{h: maphash.String(p.seed, r.Holder), op: op, day: dayOf(r.OpenedAt), idx: i})
	r.popID, r.popIdx, r.popFP = p.id, i, r.fingerprint()
	p.sealed.Store(false)
}

// Bind makes r, a record decoded again, the n-th card counted (from 0, in
// the order of Add, counting only the cards Add counts: valid, with a
// holder): a second pass over a file reads each card's features by its
// place, without looking its holder up. The caller vouches that r is that
// card (same holder, counting operator, opening day); a card changed after
// Bind, an n out of range, a card Add would not count (cancelled, or
// without a holder: it has no place), and every card of a population in
// which a card was added again (its places moved), are looked up by their
// holder.
func (p *Population) Bind(r *Record, n int) {
	if n < 0 || n >= int(p.nidx) || r.stored() || r.popID == p.id || p.readded || !r.Valid() || r.Holder == "" {
		return
	}
	r.popID, r.popIdx, r.popFP = p.id, int32(n), r.fingerprint()
}

// dayOf is t's CST day number, within what an entry holds.
func dayOf(t Time) uint16 {
	return uint16(max(0, min(1<<16-1, t.Day())))
}

func cmpEntry(a, b popEntry) int {
	switch {
	case a.h != b.h:
		if a.h < b.h {
			return -1
		}
		return 1
	case a.op != b.op:
		return int(a.op) - int(b.op)
	}
	return int(a.day) - int(b.day)
}

// seal computes every entry's features: one sort by holder, operator and
// day, then counts over each holder's run.
func (p *Population) seal() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.sealed.Load() {
		return
	}
	if p.ndead > 0 {
		// cards added again: drop their earlier entries
		p.entries = slices.DeleteFunc(p.entries, func(e popEntry) bool {
			return int(e.idx>>6) < len(p.dead) && p.dead[e.idx>>6]&(1<<(e.idx&63)) != 0
		})
		clear(p.dead)
		p.ndead = 0
	}
	s := p.entries
	if n := int(p.nidx); cap(p.feats) < n {
		p.feats = make([]popFeats, n, n+n/8)
	}
	p.feats = p.feats[:p.nidx]
	if len(s) > 0 {
		// the features' buffer is the sort's scratch space: entries and
		// features are both 16 bytes without pointers, and the features are
		// written only after the sort
		sortEntries(s, unsafe.Slice((*popEntry)(unsafe.Pointer(&p.feats[0])), len(s)))
	}
	holders := 0
	var days, onOp []int32
	for lo := 0; lo < len(s); {
		hi := lo
		for hi < len(s) && s[hi].h == s[lo].h {
			hi++
		}
		holders++
		group := s[lo:hi]
		lo = hi
		if len(group) == 1 { // most holders: one card
			p.feats[group[0].idx] = popFeats{onOp: 1, total: 1, sameDay: 1, ops: 1}
			continue
		}
		// operators: runs of equal op inside the holder's run (sorted by
		// op, then day), their lengths noted first, so that each card's
		// features are written once (the writes go all over feats)
		onOp = onOp[:0]
		nops := int32(0)
		for a := 0; a < len(group); {
			b := a
			for b < len(group) && group[b].op == group[a].op {
				b++
			}
			nops++
			for k := a; k < b; k++ {
				onOp = append(onOp, int32(b-a))
			}
			a = b
		}
		if len(group) <= 8 { // most holders have a few cards: count directly
			for k, e := range group {
				same := int32(0)
				for _, o := range group {
					if o.day == e.day {
						same++
					}
				}
				p.feats[e.idx] = popFeats{onOp: uint32(onOp[k]), total: uint32(len(group)), sameDay: uint32(same), ops: uint32(nops)}
			}
			continue
		}
		// days across operators: sort the run's days
		days = days[:0]
		for _, e := range group {
			days = append(days, int32(e.day))
		}
		slices.Sort(days)
		for k, e := range group {
			first, _ := slices.BinarySearch(days, int32(e.day))
			last := first
			for last < len(days) && days[last] == int32(e.day) {
				last++
			}
			p.feats[e.idx] = popFeats{onOp: uint32(onOp[k]), total: uint32(len(group)), sameDay: uint32(last - first), ops: uint32(nops)}
		}
	}
	p.holders = holders
	p.indexRuns()
	p.sealed.Store(true)
}

func (p *Population) ensureSealed() {
	if !p.sealed.Load() {
		p.seal()
	}
}

// Len is the number of cards added, counted or not.
func (p *Population) Len() int { return p.cards }

// Holders is the number of distinct holders with at least one valid card.
func (p *Population) Holders() int {
	p.ensureSealed()
	return p.holders
}

// Features returns the features of r within the population.
func (p *Population) Features(r *Record) Features {
	var f Features
	p.featuresInto(r, &f, r.fingerprint())
	return f
}

// featuresInto finds r's features; fp is r's fingerprint now: a card
// changed since it was added is looked up by its holder, as one never
// added.
func (p *Population) featuresInto(r *Record, f *Features, fp uint64) {
	popID, popIdx := r.popID, r.popIdx
	if r.popFP != fp {
		popID = 0
	}
	// the usual case first: a valid card of this sealed population
	if p != nil && popID == p.id && p.sealed.Load() && uint(popIdx) < uint(len(p.feats)) && r.Holder != "" && r.Valid() {
		*f = p.feats[popIdx].features()
		return
	}
	self := 0
	if r.Valid() {
		self = 1
	}
	if p == nil || r.Holder == "" || self == 0 && popID != p.id {
		*f = Features{CardsOnOperator: self, CardsTotal: self, CardsSameDay: self, Operators: self}
		if p != nil && r.Holder != "" {
			p.lookup(r, f, self)
		}
		return
	}
	p.ensureSealed()
	if popID == p.id && popIdx >= 0 && int(popIdx) < len(p.feats) && self == 1 {
		*f = p.feats[popIdx].features()
		return
	}
	*f = Features{CardsOnOperator: self, CardsTotal: self, CardsSameDay: self, Operators: self}
	p.lookup(r, f, self)
}

// indexRuns notes where each run of hashes with equal top bits starts in
// the sorted entries.
func (p *Population) indexRuns() {
	bits := uint(max(1, min(24, mbits.Len(uint(len(p.entries)/4)))))
	p.runShift = 64 - bits
	n := 1 << bits
	if cap(p.runs) < n+1 {
		p.runs = make([]int32, n+1)
	}
	p.runs = p.runs[:n+1]
	clear(p.runs)
	for _, e := range p.entries {
		p.runs[(e.h>>p.runShift)+1]++
	}
	for b := 1; b <= n; b++ {
		p.runs[b] += p.runs[b-1]
	}
}

// lookup finds the features of a card that was not added itself, by its
// holder (binary search over the sorted entries): the holder's counts as they
// are. That is right for the usual case, the same card decoded again in a
// second pass over a file; a card that is truly new should be added first.
func (p *Population) lookup(r *Record, f *Features, self int) {
	p.ensureSealed()
	h := maphash.String(p.seed, r.Holder)
	run := h >> p.runShift
	base := int(p.runs[run])
	lo, _ := slices.BinarySearchFunc(p.entries[base:p.runs[run+1]], h, func(e popEntry, t uint64) int {
		switch {
		case e.h < t:
			return -1
		case e.h > t:
			return 1
		}
		return 0
	})
	lo += base
	hi := lo
	for hi < len(p.entries) && p.entries[hi].h == h {
		hi++
	}
	if hi == lo {
		return // the holder has no counted card: the card is alone
	}
	// the holder's entries say it all (sorted by operator within the
	// holder): no read of the features, far away in memory
	op, known := p.opID(r, false)
	day := dayOf(r.OpenedAt)
	onOp, sameDay, ops := 0, 0, 0
	for k, e := range p.entries[lo:hi] {
		if k == 0 || e.op != p.entries[lo+k-1].op {
			ops++
		}
		if known && e.op == op {
			onOp++
		}
		if e.day == day {
			sameDay++
		}
	}
	*f = Features{CardsTotal: hi - lo, Operators: ops, CardsOnOperator: onOp, CardsSameDay: sameDay}
}

// sortEntries orders entries by holder hash, then operator and day: a
// two-level most-significant-digit radix sort on the hash (11 bits a level;
// hashing spreads holders evenly, so the second level's buckets hold an
// entry or two), each level one counting pass and one scatter, the second
// within cache-sized buckets; then an insertion sort finishes each bucket.
func sortEntries(s, tmp []popEntry) {
	if len(s) < 512 {
		slices.SortFunc(s, cmpEntry)
		return
	}
	const bits = 11
	const nb = 1 << bits
	var start [nb + 1]int32
	for i := range s {
		start[(s[i].h>>(64-bits))+1]++
	}
	for b := 1; b <= nb; b++ {
		start[b] += start[b-1]
	}
	next := start
	for _, e := range s {
		d := e.h >> (64 - bits)
		tmp[next[d]] = e
		next[d]++
	}
	var sub, bounds [nb + 1]int32
	for b := 0; b < nb; b++ {
		g, out := tmp[start[b]:start[b+1]], s[start[b]:start[b+1]]
		if len(g) <= 32 {
			copy(out, g)
			insertionSort(out)
			continue
		}
		// the next sb bits: about one entry per sub-bucket
		sb := min(bits, mbits.Len(uint(len(g))))
		ns := 1 << sb
		shift := 64 - bits - sb
		clear(sub[:ns+1])
		for i := range g {
			sub[((g[i].h>>shift)&uint64(ns-1))+1]++
		}
		for d := 1; d <= ns; d++ {
			sub[d] += sub[d-1]
		}
		copy(bounds[:ns+1], sub[:ns+1])
		for _, e := range g {
			d := (e.h >> shift) & uint64(ns-1)
			out[sub[d]] = e
			sub[d]++
		}
		for d := 0; d < ns; d++ {
			if bounds[d+1]-bounds[d] > 1 {
				insertionSort(out[bounds[d]:bounds[d+1]])
			}
		}
	}
}

func insertionSort(g []popEntry) {
	for i := 1; i < len(g); i++ {
		for j := i; j > 0 && cmpEntry(g[j], g[j-1]) < 0; j-- {
			g[j], g[j-1] = g[j-1], g[j]
		}
	}
}
