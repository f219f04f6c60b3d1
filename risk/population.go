package risk

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
// with Add over every card (one pass), then share it read-only: after the
// last Add it is safe for concurrent use.
//
// A card remembers the counters it was added to, so scoring reads its
// features without hashing; change a card's holder, operator, MVNO, status
// or opening date only before adding it. A card without a holder key is its
// own holder. The card being scored
// should be in the population; when it is not (or when no Population is
// given), its features are computed as if it were the only card of its
// holder.
type Population struct {
	holders  map[string]uint32 // holder key -> index into stats
	stats    []holderStat
	ops      map[string]uint32 // operator name, or "\x00"+MVNO brand -> small id
	byOp     map[uint64]int32  // holder<<32 | operator id -> index into opCount
	byDay    map[uint64]int32  // holder<<32 | CST day -> index into dayCount
	opCount  []int32
	dayCount []int32
	cards    int
}

type holderStat struct {
	total int32
	ops   int32
}

// opID returns the small id of the card's counting operator (its MVNO
// brand when it has one), adding it when add is true.
func (p *Population) opID(r *Record, add bool) (uint32, bool) {
	name := r.Operator
	if r.MVNO != "" {
		// brands and operators never share an id; the key is built only
		// for MVNO cards, and only on a miss does it stay allocated
		name = "\x00" + r.MVNO
	}
	id, ok := p.ops[name]
	if !ok && add {
		id = uint32(len(p.ops))
		p.ops[name] = id
		ok = true
	}
	return id, ok
}

func pairKey(h uint32, v uint32) uint64 { return uint64(h)<<32 | uint64(v) }

// NewPopulation returns an empty population.
func NewPopulation() *Population {
	return &Population{
		holders: make(map[string]uint32),
		ops:     make(map[string]uint32),
		byOp:    make(map[uint64]int32),
		byDay:   make(map[uint64]int32),
	}
}

// NewPopulationSize returns an empty population with room for about n cards.
func NewPopulationSize(n int) *Population {
	return &Population{
		holders: make(map[string]uint32, n/2),
		ops:     make(map[string]uint32),
		byOp:    make(map[uint64]int32, n/2),
		byDay:   make(map[uint64]int32, n/2),
		stats:   make([]holderStat, 0, n/2),
	}
}

// index returns the counter of key k, adding one at zero when it is new.
func index[K comparable](m map[K]int32, counts *[]int32, k K) (int32, bool) {
	i, ok := m[k]
	if !ok {
		i = int32(len(*counts))
		m[k] = i
		*counts = append(*counts, 0)
	}
	return i, !ok
}

// Add counts one card. Add validated records only (Record.Validate fills
// the operator a count needs). Cancelled cards and cards without a holder
// are not counted.
func (p *Population) Add(r *Record) {
	p.cards++
	if !r.Valid() || r.Holder == "" {
		return
	}
	h, ok := p.holders[r.Holder]
	if !ok {
		h = uint32(len(p.stats))
		p.holders[r.Holder] = h
		p.stats = append(p.stats, holderStat{})
	}
	st := &p.stats[h]
	st.total++
	op, _ := p.opID(r, true)
	oi, isNew := index(p.byOp, &p.opCount, pairKey(h, op))
	if isNew {
		st.ops++
	}
	p.opCount[oi]++
	di, _ := index(p.byDay, &p.dayCount, pairKey(h, uint32(r.OpenedAt.Day())))
	p.dayCount[di]++
	// the card remembers its counters: scoring reads them without hashing
	r.pop, r.popIdx = p, [3]int32{int32(h), oi, di}
}

// Len is the number of cards added, counted or not.
func (p *Population) Len() int { return p.cards }

// Holders is the number of distinct holders with at least one valid card.
func (p *Population) Holders() int { return len(p.stats) }

// Features returns the features of r within the population.
func (p *Population) Features(r *Record) Features {
	var f Features
	p.featuresInto(r, &f)
	return f
}

func (p *Population) featuresInto(r *Record, f *Features) {
	self := int(0)
	if r.Valid() {
		self = 1
	}
	if p == nil || r.Holder == "" {
		*f = Features{CardsOnOperator: self, CardsTotal: self, CardsSameDay: self, Operators: self}
		return
	}
	if r.pop == p && self == 1 {
		st := p.stats[r.popIdx[0]]
		*f = Features{CardsTotal: int(st.total), Operators: int(st.ops),
			CardsOnOperator: int(p.opCount[r.popIdx[1]]), CardsSameDay: int(p.dayCount[r.popIdx[2]])}
		return
	}
	h, ok := p.holders[r.Holder]
	if !ok {
		*f = Features{CardsOnOperator: self, CardsTotal: self, CardsSameDay: self, Operators: self}
		return
	}
	st := p.stats[h]
	*f = Features{CardsTotal: int(st.total), Operators: int(st.ops)}
	if op, ok := p.opID(r, false); ok {
		if i, ok := p.byOp[pairKey(h, op)]; ok {
			f.CardsOnOperator = int(p.opCount[i])
		}
	}
	if i, ok := p.byDay[pairKey(h, uint32(r.OpenedAt.Day()))]; ok {
		f.CardsSameDay = int(p.dayCount[i])
	}
}
