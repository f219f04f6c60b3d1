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
// A card without a holder key is its own holder. The card being scored
// should be in the population; when it is not (or when no Population is
// given), its features are computed as if it were the only card of its
// holder.
type Population struct {
	holders map[string]uint32 // holder key -> index into stats
	stats   []holderStat
	byOp    map[opKey]int32
	byDay   map[dayKey]int32
	cards   int
}

type holderStat struct {
	total int32
	ops   int32
}

type opKey struct {
	h    uint32
	mvno bool
	op   string
}

func countKey(h uint32, r *Record) opKey {
	if r.MVNO != "" {
		return opKey{h, true, r.MVNO}
	}
	return opKey{h, false, r.Operator}
}

type dayKey struct {
	h   uint32
	day int32
}

// NewPopulation returns an empty population.
func NewPopulation() *Population {
	return &Population{
		holders: make(map[string]uint32),
		byOp:    make(map[opKey]int32),
		byDay:   make(map[dayKey]int32),
	}
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
	k := countKey(h, r)
	if p.byOp[k] == 0 {
		st.ops++
	}
	p.byOp[k]++
	p.byDay[dayKey{h, int32(r.OpenedAt.Day())}]++
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
	h, ok := p.holders[r.Holder]
	if !ok {
		*f = Features{CardsOnOperator: self, CardsTotal: self, CardsSameDay: self, Operators: self}
		return
	}
	st := p.stats[h]
	f.CardsTotal = int(st.total)
	f.Operators = int(st.ops)
	f.CardsOnOperator = int(p.byOp[countKey(h, r)])
	f.CardsSameDay = int(p.byDay[dayKey{h, int32(r.OpenedAt.Day())}])
}
