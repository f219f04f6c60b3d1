package risk

import (
	"hash/maphash"
	"slices"
	"sync"
	"sync/atomic"
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

// Population holds the features of a set of cards scored together: cards per
// holder per operator, per holder in total, opened the same day. Build it
// with Add over every card (one pass), then read it: the first read seals it
// (one sort of compact entries), after which it is safe for concurrent use.
// Add after reading is allowed (the next read seals again) but not
// concurrently with reads.
//
// Memory is compact: per counted card an entry of a 64-bit holder hash (the
// holder key is not kept), an operator id and a day, and its four feature
// counts after sealing. Two holders whose keys collide in 64 bits would be
// counted as one; at 10 million holders the odds are about 1 in 370,000.
//
// A card remembers its entry, so scoring reads its features without
// hashing; change a card's holder, operator, MVNO, status or opening date
// only before adding it. A card without a holder key is its own holder. The
// card being scored should be in the population. A record that was not
// added itself (the same card decoded again in a second pass over a file) is
// looked up by its holder and gets the holder's counts; a holder the
// population does not know, or no Population at all, makes the card its
// holder's only card.
type Population struct {
	seed    maphash.Seed
	ops     map[string]uint32 // operator name, or "\x00"+MVNO brand -> small id
	entries []popEntry        // counted cards, in Add order
	feats   []popFeats        // per entry, once sealed
	sorted  []popEntry        // entries sorted by holder, operator, day (for cards not added)
	cards   int
	holders int

	mu     sync.Mutex  // held while sealing
	sealed atomic.Bool // read on every feature lookup: no lock on the hot path
}

type popEntry struct {
	h   uint64 // holder hash
	op  uint32
	day int32
	idx int32 // position in entries
}

type popFeats struct{ onOp, total, sameDay, ops int32 }

// NewPopulation returns an empty population.
func NewPopulation() *Population {
	return &Population{seed: maphash.MakeSeed(), ops: make(map[string]uint32)}
}

// NewPopulationSize returns an empty population with room for about n cards.
func NewPopulationSize(n int) *Population {
	p := NewPopulation()
	p.entries = make([]popEntry, 0, n)
	return p
}

// opID returns the small id of the card's counting operator (its MVNO brand
// when it has one), adding it when add is true.
func (p *Population) opID(r *Record, add bool) (uint32, bool) {
	var id uint32
	var ok bool
	if r.MVNO != "" {
		id, ok = p.ops["\x00"+r.MVNO] // the concatenation does not allocate for a lookup
		if !ok && add {
			id, ok = uint32(len(p.ops)), true
			p.ops["\x00"+r.MVNO] = id
		}
		return id, ok
	}
	id, ok = p.ops[r.Operator]
	if !ok && add {
		id, ok = uint32(len(p.ops)), true
		p.ops[r.Operator] = id
	}
	return id, ok
}

// Add counts one card. Add validated records only (Record.Validate fills
// the operator a count needs). Cancelled cards and cards without a holder
// are not counted.
func (p *Population) Add(r *Record) {
	p.cards++
	if !r.Valid() || r.Holder == "" {
		return
	}
	op, _ := p.opID(r, true)
	i := int32(len(p.entries))
	p.entries = append(p.entries, popEntry{h: maphash.String(p.seed, r.Holder), op: op, day: int32(r.OpenedAt.Day()), idx: i})
	r.pop, r.popIdx = p, i
	p.sealed.Store(false)
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
	s := radixSort(append(p.sorted[:0], p.entries...))
	if cap(p.feats) < len(s) {
		p.feats = make([]popFeats, len(s))
	}
	p.feats = p.feats[:len(s)]
	holders := 0
	var days []int32
	for lo := 0; lo < len(s); {
		hi := lo
		for hi < len(s) && s[hi].h == s[lo].h {
			hi++
		}
		holders++
		group := s[lo:hi]
		// operators: runs of equal op inside the holder's run
		nops := int32(0)
		for a := 0; a < len(group); {
			b := a
			for b < len(group) && group[b].op == group[a].op {
				b++
			}
			nops++
			for k := a; k < b; k++ {
				p.feats[group[k].idx].onOp = int32(b - a)
			}
			a = b
		}
		// days across operators: sort the run's days
		days = days[:0]
		for _, e := range group {
			days = append(days, e.day)
		}
		slices.Sort(days)
		for _, e := range group {
			first, _ := slices.BinarySearch(days, e.day)
			last := first
			for last < len(days) && days[last] == e.day {
				last++
			}
			f := &p.feats[e.idx]
			f.total, f.ops, f.sameDay = int32(len(group)), nops, int32(last-first)
		}
		lo = hi
	}
	p.sorted, p.holders = s, holders
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
	p.featuresInto(r, &f)
	return f
}

func (p *Population) featuresInto(r *Record, f *Features) {
	self := 0
	if r.Valid() {
		self = 1
	}
	if p == nil || r.Holder == "" || self == 0 && r.pop != p {
		*f = Features{CardsOnOperator: self, CardsTotal: self, CardsSameDay: self, Operators: self}
		if p != nil && r.Holder != "" {
			p.lookup(r, f, self)
		}
		return
	}
	p.ensureSealed()
	if r.pop == p && int(r.popIdx) < len(p.feats) && self == 1 {
		pf := p.feats[r.popIdx]
		*f = Features{CardsOnOperator: int(pf.onOp), CardsTotal: int(pf.total), CardsSameDay: int(pf.sameDay), Operators: int(pf.ops)}
		return
	}
	*f = Features{CardsOnOperator: self, CardsTotal: self, CardsSameDay: self, Operators: self}
	p.lookup(r, f, self)
}

// lookup finds the features of a card that was not added itself, by its
// holder (binary search over the sorted entries): the holder's counts as they
// are. That is right for the usual case, the same card decoded again in a
// second pass over a file; a card that is truly new should be added first.
func (p *Population) lookup(r *Record, f *Features, self int) {
	p.ensureSealed()
	h := maphash.String(p.seed, r.Holder)
	lo, _ := slices.BinarySearchFunc(p.sorted, h, func(e popEntry, t uint64) int {
		switch {
		case e.h < t:
			return -1
		case e.h > t:
			return 1
		}
		return 0
	})
	hi := lo
	for hi < len(p.sorted) && p.sorted[hi].h == h {
		hi++
	}
	if hi == lo {
		return // the holder has no counted card: the card is alone
	}
	first := p.feats[p.sorted[lo].idx]
	op, known := p.opID(r, false)
	day := int32(r.OpenedAt.Day())
	onOp, sameDay := 0, 0
	for _, e := range p.sorted[lo:hi] {
		if known && e.op == op {
			onOp++
		}
		if e.day == day {
			sameDay++
		}
	}
	*f = Features{CardsTotal: int(first.total), Operators: int(first.ops), CardsOnOperator: onOp, CardsSameDay: sameDay}
}

// radixSort orders entries by holder hash (LSD radix, 16 bits a pass), then
// each holder's run by operator and day: hashing spreads holders evenly, and
// runs are short.
func radixSort(s []popEntry) []popEntry {
	if len(s) < 256 {
		slices.SortFunc(s, cmpEntry)
		return s
	}
	tmp := make([]popEntry, len(s))
	var count [1 << 16]int
	for shift := uint(0); shift < 64; shift += 16 {
		clear(count[:])
		for i := range s {
			count[(s[i].h>>shift)&0xffff]++
		}
		sum := 0
		for d := range count {
			count[d], sum = sum, sum+count[d]
		}
		for i := range s {
			d := (s[i].h >> shift) & 0xffff
			tmp[count[d]] = s[i]
			count[d]++
		}
		s, tmp = tmp, s
	}
	for lo := 0; lo < len(s); {
		hi := lo + 1
		for hi < len(s) && s[hi].h == s[lo].h {
			hi++
		}
		if hi-lo > 1 {
			slices.SortFunc(s[lo:hi], cmpEntry)
		}
		lo = hi
	}
	return s
}
