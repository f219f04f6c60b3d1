package risk

import (
	"errors"
	"fmt"
	"hash/maphash"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/simrisk/simrisk/risk/ref"
)

// MaxLiveCards is the most cards a LivePopulation holds; an Upsert of a new
// card beyond it fails with ErrPopulationLimit. Distinct counting operators
// (operators and MVNO brands) are limited to MaxLiveOperators the same way.
const (
	MaxLiveCards     = 1<<31 - 2
	MaxLiveOperators = 1<<16 - 1
)

// ErrPopulationLimit is returned (wrapped, naming the limit) by an Upsert
// that would take a LivePopulation over MaxLiveCards cards or
// MaxLiveOperators counting operators.
var ErrPopulationLimit = errors.New("live population limit")

// liveIDBit marks a LivePopulation's id (and the records it stores); batch
// Populations' ids never have it.
const liveIDBit = 1 << 63

const (
	liveShardBits = 10
	liveShards    = 1 << liveShardBits
	chunkBits     = 14
	chunkSize     = 1 << chunkBits
)

// LivePopulation is a card base that follows the cards: Upsert stores a
// card's new state (keyed by its canonical MSISDN; the state it replaces
// stops counting), Remove drops a card, and scoring (WithPopulation) reads
// features meanwhile. It is safe for concurrent use by any number of
// readers and writers.
//
// Guarantees. A reader never takes a lock that a whole-population operation
// holds: the features of a stored card are read without a lock, and the
// features of any other record (a card not stored, or a copy) under the
// read lock of one of 1,024 holder shards, which writers hold only to change
// one holder (or to grow that shard's table, amortised O(1) per insert). An
// update costs work proportional to the cards of the holders it touches
// (the old and the new holder). A reader sees each holder's counts as they
// were before an update or after it, never half of one. Writers are
// serialised among themselves.
//
// Holders are grouped exactly: hashes only place keys in tables; two cards
// share a holder when their holder keys are equal strings. Cards are
// validated (Record.Validate at the as-of time Upsert is given: operator,
// kind and canonical MSISDN derived) before they count. Only valid (not
// cancelled) cards with a holder key count; a card without a holder key is
// its own holder. A holder with more than 16 counted cards (an IoT fleet's
// owner, say) keeps its counts by operator and day in one object replaced
// whole on each change, so an update copies those counts (at most one entry
// per distinct day and operator) instead of rewriting every card.
//
// The records it stores are its own copies, read-only: Lookup hands them
// out for scoring (Scorer.ScoreInto, Engine.Score) and must not be written.
// Scoring a stored record at an as-of time earlier than the one it was
// stored at validates and scores a copy.
//
// Memory beyond the records: 24 bytes per card slot, and two open-addressing
// tables of 8-byte entries kept between 40% and 80% full (one by number,
// one by holder): at most 64 bytes per card, 44 measured at 10 million
// cards (bench/README.md).
type LivePopulation struct {
	id   uint64
	seed maphash.Seed

	mu      sync.Mutex // serialises writers
	dir     atomic.Pointer[[]*liveChunk]
	used    int32   // slots handed out (under mu)
	free    []int32 // slots of removed cards (under mu)
	opsMu   sync.RWMutex
	ops     map[string]uint16                            // counting operator ids ("\x00" and an MVNO brand, or an operator)
	scratch []liveMember                                 // recount's (under mu)
	bigs    atomic.Pointer[[]*atomic.Pointer[bigHolder]] // counts of holders with many cards
	bigFree []int32                                      // free indexes into bigs (under mu)

	cards   atomic.Int64
	holders atomic.Int64

	byNumber [liveShards]liveTable
	byHolder [liveShards]liveTable
}

type liveChunk [chunkSize]liveCard

// liveCard is one stored card. rec and feats are read without a lock; next,
// op and day are written under the lock of the shard of the holder whose
// list holds the card.
type liveCard struct {
	rec   atomic.Pointer[Record]
	feats atomic.Uint64 // packed features while counted and current, 0 otherwise
	next  int32         // the holder's next counted card, in a ring (a holder with few cards)
	op    uint16
	day   uint16
}

type liveMember struct {
	id      int32
	op, day uint16
}

// liveTable is one shard of an open-addressing table (linear probing,
// deletion by backward shift): entries are hash tag << 32 | (card id + 1).
type liveTable struct {
	mu    sync.RWMutex
	slots []uint64
	n     int
}

// NewLivePopulation returns an empty live population.
func NewLivePopulation() *LivePopulation {
	p := &LivePopulation{id: liveIDBit | popIDs.Add(1), seed: maphash.MakeSeed()}
	dir := []*liveChunk{}
	p.dir.Store(&dir)
	p.ops = map[string]uint16{}
	bigs := []*atomic.Pointer[bigHolder]{}
	p.bigs.Store(&bigs)
	return p
}

// Len is the number of cards stored, counted or not.
func (p *LivePopulation) Len() int {
	if p == nil {
		return 0
	}
	return int(p.cards.Load())
}

// Holders is the number of distinct holders with at least one counted card.
func (p *LivePopulation) Holders() int {
	if p == nil {
		return 0
	}
	return int(p.holders.Load())
}

func (p *LivePopulation) hash(s string) (shard int, tag uint32) {
	h := maphash.String(p.seed, s)
	return int(h & (liveShards - 1)), uint32(h >> 32)
}

func (p *LivePopulation) card(id int32) *liveCard {
	dir := *p.dir.Load()
	i := uint32(id)
	if int(i>>chunkBits) >= len(dir) {
		return nil
	}
	return &dir[i>>chunkBits][i&(chunkSize-1)]
}

// counted reports whether r counts in its holder's features.
func counted(r *Record) bool { return r.Valid() && r.Holder != "" }

// countKey is the name r counts under: its MVNO brand ("\x00" before it) or
// its operator, derived from the number's segment when the record has none
// (a record not validated yet).
func countKey(r *Record) string {
	if r.MVNO != "" {
		return "\x00" + r.MVNO
	}
	if r.Operator == "" {
		if seg, ok := ref.LookupSegment(r.MSISDN); ok {
			return seg.Operator
		}
	}
	return r.Operator
}

// opID returns the id of an operator key, adding it (under mu) when add is
// set.
func (p *LivePopulation) opID(key string, add bool) (uint16, bool, error) {
	p.opsMu.RLock()
	id, ok := p.ops[key]
	n := len(p.ops)
	p.opsMu.RUnlock()
	if ok || !add {
		return id, ok, nil
	}
	if n >= MaxLiveOperators {
		return 0, false, fmt.Errorf("risk: %w: more than %d distinct operators and MVNO brands (risk.MaxLiveOperators)", ErrPopulationLimit, MaxLiveOperators)
	}
	p.opsMu.Lock()
	id = uint16(len(p.ops))
	p.ops[key] = id
	p.opsMu.Unlock()
	return id, true, nil
}

// Upsert validates a copy of r at asOf (Record.Validate: its operator,
// kind and canonical MSISDN derived) and stores it as the card's state,
// replacing the state stored under the same number: the old state stops
// counting and the new one counts, in one step for each holder. r itself is
// not changed or kept; the stored copy is returned, shared and read-only
// (see Lookup). Errors: the record's *RecordError (errors.Is(err,
// ErrInvalidRecord)); an as-of time of zero; ErrPopulationLimit.
func (p *LivePopulation) Upsert(r *Record, asOf Time) (*Record, error) {
	c, err := p.prepare(r, asOf)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.store(c); err != nil {
		return nil, err
	}
	return c, nil
}

// UpsertBatch is Upsert of every record, in order: records are validated
// and copied on all cores (GOMAXPROCS goroutines) while the ones already
// validated are stored (storing is one writer at a time). It returns one
// error per record (nil for those stored), or nil when all were. It is how
// a population is built from a snapshot at start: read records in chunks
// (tens of thousands) and give each chunk to UpsertBatch.
func (p *LivePopulation) UpsertBatch(recs []*Record, asOf Time) []error {
	if p == nil && len(recs) > 0 {
		errs := make([]error, len(recs))
		for i := range errs {
			_, errs[i] = p.Upsert(recs[i], asOf)
		}
		return errs
	}
	const chunk = 256
	nchunks := (len(recs) + chunk - 1) / chunk
	copies := make([]*Record, len(recs))
	errs := make([]error, len(recs))
	done := make([]chan struct{}, nchunks)
	for i := range done {
		done[i] = make(chan struct{})
	}
	var next atomic.Int64
	for w := min(runtime.GOMAXPROCS(0), nchunks); w > 0; w-- {
		go func() {
			for {
				k := int(next.Add(1)) - 1
				if k >= nchunks {
					return
				}
				for i := k * chunk; i < min((k+1)*chunk, len(recs)); i++ {
					copies[i], errs[i] = p.prepare(recs[i], asOf)
				}
				close(done[k])
			}
		}()
	}
	failed := false
	for k := range nchunks {
		<-done[k]   // chunks are taken in order: the next is soon ready
		p.mu.Lock() // per chunk: other writers get their turn
		for i := k * chunk; i < min((k+1)*chunk, len(recs)); i++ {
			if copies[i] != nil {
				errs[i] = p.store(copies[i])
			}
			failed = failed || errs[i] != nil
		}
		p.mu.Unlock()
	}
	if !failed {
		return nil
	}
	return errs
}

// prepare is the validated, stamped copy Upsert stores.
func (p *LivePopulation) prepare(r *Record, asOf Time) (*Record, error) {
	if p == nil {
		return nil, errors.New("risk: Upsert on a nil LivePopulation")
	}
	if r == nil {
		return nil, recErr("msisdn", "is required (nil record)")
	}
	if asOf == 0 {
		return nil, errors.New("risk: Upsert needs an as-of time (the zero Time was given)")
	}
	c := new(Record)
	*c = *r
	c.Roaming = slices.Clone(r.Roaming)
	c.LinkedPlatforms = slices.Clone(r.LinkedPlatforms)
	c.popID, c.popIdx = 0, 0
	if err := c.Validate(asOf); err != nil {
		return nil, err
	}
	c.popID = p.id
	return c, nil
}

// store puts the validated copy c in place of the card's old state (under
// mu).
func (p *LivePopulation) store(c *Record) error {
	var op uint16
	if counted(c) {
		var err error
		if op, _, err = p.opID(countKey(c), true); err != nil {
			return err
		}
	}
	ns, tag := p.hash(c.MSISDN)
	tn := &p.byNumber[ns]
	_, id := p.findNumber(tn, tag, c.MSISDN)
	fresh := id < 0
	if fresh {
		var err error
		if id, err = p.alloc(); err != nil {
			return err
		}
	}
	c.popIdx = id
	slot := p.card(id)
	if !fresh {
		old := slot.rec.Load()
		if counted(old) && counted(c) && old.Holder == c.Holder {
			// the same holder: one step under its lock
			hs, htag := p.hash(c.Holder)
			th := &p.byHolder[hs]
			_ = htag
			th.mu.Lock()
			// the card's features word says where its holder's counts are
			v := slot.feats.Load()
			bi := int32(-1)
			if v&bigFeat != 0 {
				bi = int32(v & (1<<31 - 1))
			}
			slot.feats.Store(0)
			day := dayOf(c.OpenedAt)
			if bi >= 0 {
				p.setBig(bi, p.bigAt(bi).with(slot.op, slot.day, -1).with(op, day, +1))
			}
			slot.op, slot.day = op, day
			slot.rec.Store(c)
			if bi >= 0 {
				slot.feats.Store(bigFeats(op, day, bi))
			} else {
				p.recount(id) // the holder's ring, from the card
			}
			th.mu.Unlock()
			return nil
		}
		if counted(old) {
			p.unlink(id, old.Holder)
		}
	}
	slot.feats.Store(0)
	slot.rec.Store(c)
	if counted(c) {
		p.link(id, c, op)
	}
	if fresh {
		tn.mu.Lock()
		tn.insert(tag, id)
		tn.mu.Unlock()
		p.cards.Add(1)
	}
	return nil
}

// alloc hands out a free card slot (under mu).
func (p *LivePopulation) alloc() (int32, error) {
	if n := len(p.free); n > 0 {
		id := p.free[n-1]
		p.free = p.free[:n-1]
		return id, nil
	}
	if p.used >= MaxLiveCards {
		return -1, fmt.Errorf("risk: %w: %d cards stored, the limit (risk.MaxLiveCards)", ErrPopulationLimit, MaxLiveCards)
	}
	id := p.used
	dir := *p.dir.Load()
	if int(id>>chunkBits) >= len(dir) {
		grown := append(slices.Clip(dir), new(liveChunk))
		p.dir.Store(&grown)
	}
	p.used++
	return id, nil
}

// link adds counted card id (state c) to its holder and recounts the
// holder (under mu).
func (p *LivePopulation) link(id int32, c *Record, op uint16) {
	hs, htag := p.hash(c.Holder)
	th := &p.byHolder[hs]
	slot := p.card(id)
	th.mu.Lock()
	defer th.mu.Unlock()
	day := dayOf(c.OpenedAt)
	slot.op, slot.day = op, day
	pos, head, bi := p.findHolder(th, htag, c.Holder)
	switch {
	case bi >= 0:
		p.setBig(bi, p.bigAt(bi).with(op, day, +1))
		slot.feats.Store(bigFeats(op, day, bi))
	case head < 0:
		slot.next = id // a ring of one
		th.insert(htag, id)
		p.holders.Add(1)
		p.recount(id)
	default:
		// after the head: the head stays the table's entry
		hc := p.card(head)
		slot.next = hc.next
		hc.next = id
		n := 0
		for k := head; ; {
			n++
			if k = p.card(k).next; k == head {
				break
			}
		}
		if n <= bigHolderCards {
			p.recount(head)
			return
		}
		// a holder with many cards keeps counts by operator and day, and
		// its cards point at them: an update no longer rewrites every card
		bh := &bigHolder{key: c.Holder}
		for k := head; ; {
			kc := p.card(k)
			bh = bh.with(kc.op, kc.day, +1)
			if k = kc.next; k == head {
				break
			}
		}
		bi = p.newBig(bh)
		for k := head; ; {
			kc := p.card(k)
			kc.feats.Store(bigFeats(kc.op, kc.day, bi))
			if k = kc.next; k == head {
				break
			}
		}
		th.slots[pos] = uint64(htag)<<32 | uint64(bigEntry|uint32(bi))
	}
}

// unlink takes counted card id out of the list of holder and recounts the
// holder's other cards (under mu).
func (p *LivePopulation) unlink(id int32, holder string) {
	hs, htag := p.hash(holder)
	th := &p.byHolder[hs]
	th.mu.Lock()
	defer th.mu.Unlock()
	slot := p.card(id)
	slot.feats.Store(0)
	pos, head, bi := p.findHolder(th, htag, holder)
	if bi >= 0 {
		bh := p.bigAt(bi).with(slot.op, slot.day, -1)
		if bh.total > 0 {
			p.setBig(bi, bh)
			return
		}
		th.remove(pos)
		p.holders.Add(-1)
		p.freeBig(bi)
		return
	}
	if head < 0 {
		return // not linked (cannot happen: every counted card is)
	}
	if slot.next == id { // the holder's only card
		th.remove(pos)
		p.holders.Add(-1)
		return
	}
	prev := slot.next
	for p.card(prev).next != id {
		prev = p.card(prev).next
	}
	p.card(prev).next = slot.next
	if head == id {
		th.slots[pos] = uint64(htag)<<32 | uint64(uint32(slot.next)+1)
	}
	rest := slot.next
	slot.next = id
	p.recount(rest)
}

// Remove drops the card with the given number (any spelling
// ref.NormalizeMSISDN reads); its holder's other cards stop counting it. It
// reports whether the card was stored; a number that is not one is an
// error.
func (p *LivePopulation) Remove(msisdn string) (bool, error) {
	if p == nil {
		return false, nil
	}
	m, err := ref.NormalizeMSISDN(msisdn)
	if err != nil {
		return false, recErr("msisdn", "%s %v", ref.Quote(msisdn), err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	ns, tag := p.hash(m)
	tn := &p.byNumber[ns]
	pos, id := p.findNumber(tn, tag, m)
	if id < 0 {
		return false, nil
	}
	slot := p.card(id)
	if old := slot.rec.Load(); counted(old) {
		p.unlink(id, old.Holder)
	}
	tn.mu.Lock()
	tn.remove(pos)
	tn.mu.Unlock()
	slot.feats.Store(0)
	slot.rec.Store(nil)
	p.free = append(p.free, id)
	p.cards.Add(-1)
	return true, nil
}

// Lookup returns the stored state of the card with the given number (any
// spelling ref.NormalizeMSISDN reads). The record is shared and read-only:
// score it (its features are then read without a lock), copy it, never
// write it.
func (p *LivePopulation) Lookup(msisdn string) (*Record, bool) {
	if p == nil {
		return nil, false
	}
	m, err := ref.NormalizeMSISDN(msisdn)
	if err != nil {
		return nil, false
	}
	ns, tag := p.hash(m)
	tn := &p.byNumber[ns]
	tn.mu.RLock()
	_, id := p.findNumber(tn, tag, m)
	var r *Record
	if id >= 0 {
		r = p.card(id).rec.Load()
	}
	tn.mu.RUnlock()
	return r, r != nil
}

// Features returns the features of r within the population: for a stored
// record its stored features; for any other record (a new card, a copy, a
// changed state) the features it would have if it were stored in its
// present state, in place of the card stored under its number.
func (p *LivePopulation) Features(r *Record) Features {
	var f Features
	p.featuresInto(r, &f, 0)
	return f
}

// featuresInto finds r's features; a stored record is known by its
// address (a LivePopulation's records are never written), so fp, the
// record's fingerprint, is not needed.
func (p *LivePopulation) featuresInto(r *Record, f *Features, _ uint64) {
	if p == nil {
		*f = selfFeatures(r)
		return
	}
	if r.popID == p.id {
		if c := p.card(r.popIdx); c != nil && c.rec.Load() == r {
			v := c.feats.Load()
			if v&bigFeat != 0 {
				// a card of a holder with many cards: the holder's counts
				bi := int32(v & (1<<31 - 1))
				op, day := uint16(v>>47), uint16(v>>31)
				if bh := p.bigAt(bi); bh != nil && c.rec.Load() == r && c.feats.Load() == v {
					*f = Features{CardsOnOperator: countOf(bh.ops, op), CardsTotal: int(bh.total),
						CardsSameDay: countOf(bh.days, day), Operators: len(bh.ops)}
					return
				}
			} else if v != 0 && c.rec.Load() == r {
				*f = unpackFeatures(v)
				return
			}
		}
	}
	p.asIf(r, f)
}

// asIf computes the features r would have if stored: its holder's counted
// cards under the shard's read lock, the card stored under r's number left
// out and r counted in.
func (p *LivePopulation) asIf(r *Record, f *Features) {
	*f = selfFeatures(r)
	if r.Holder == "" {
		return
	}
	hs, htag := p.hash(r.Holder)
	th := &p.byHolder[hs]
	self := r.Valid()
	op, known, _ := p.opID(countKey(r), false)
	day := dayOf(r.OpenedAt)
	var opsBuf [16]uint16
	ops := opsBuf[:0]
	if self {
		if known {
			ops = append(ops, op)
		} else {
			ops = append(ops, MaxLiveOperators) // an operator no stored card has
		}
	}
	th.mu.RLock()
	_, head, bi := p.findHolder(th, htag, r.Holder)
	if bi >= 0 {
		p.asIfBig(r, f, p.bigAt(bi), op, known, day)
		th.mu.RUnlock()
		return
	}
	for id, first := head, true; id >= 0 && (first || id != head); first = false {
		c := p.card(id)
		id = c.next
		if s := c.rec.Load(); s == nil || s.MSISDN == r.MSISDN {
			continue
		}
		f.CardsTotal++
		if known && c.op == op {
			f.CardsOnOperator++
		}
		if c.day == day {
			f.CardsSameDay++
		}
		if !slices.Contains(ops, c.op) {
			ops = append(ops, c.op)
		}
	}
	th.mu.RUnlock()
	f.Operators = len(ops)
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// selfFeatures are the features of a card that is its holder's only one.
func selfFeatures(r *Record) Features {
	n := btoi(r.Valid())
	return Features{CardsOnOperator: n, CardsTotal: n, CardsSameDay: n, Operators: n}
}

func sat16(n int) uint64 { return uint64(min(n, 1<<16-1)) }

// packFeatures packs a card's features (of a holder with few cards: no
// count near the top bit, which marks bigFeats).
func packFeatures(onOp, total, sameDay, ops int) uint64 {
	return sat16(onOp) | sat16(total)<<16 | sat16(sameDay)<<32 | uint64(min(ops, 1<<15-1))<<48
}

// bigFeats is the features word of a card of a holder with many cards: the
// mark, the card's operator and day, and the holder's counts' index.
func bigFeats(op, day uint16, bi int32) uint64 {
	return bigFeat | uint64(op)<<47 | uint64(day)<<31 | uint64(uint32(bi))
}

const (
	bigHolderCards = 16 // a holder with more keeps counts (bigHolder), not per-card features
	bigEntry       = 1 << 31
	bigFeat        = 1 << 63
)

// bigHolder is the counts of a holder with many cards, replaced whole (never
// written once published) on every change: readers see one or the other.
type bigHolder struct {
	key   string
	total int32
	ops   []keyCount // cards by operator id, sorted
	days  []keyCount // cards by opening day, sorted
}

type keyCount struct {
	k uint16
	n int32
}

// countOf is the count of k in s (sorted by k), 0 when absent.
func countOf(s []keyCount, k uint16) int {
	i, ok := slices.BinarySearchFunc(s, k, func(e keyCount, k uint16) int { return int(e.k) - int(k) })
	if !ok {
		return 0
	}
	return int(s[i].n)
}

// with is b with a card of operator op opened on day added (delta +1) or
// taken away (-1): a new bigHolder, copying the counts (work proportional
// to the holder's distinct days, at most its cards).
func (b *bigHolder) with(op, day uint16, delta int32) *bigHolder {
	return &bigHolder{key: b.key, total: b.total + delta, ops: adjust(b.ops, op, delta), days: adjust(b.days, day, delta)}
}

func adjust(s []keyCount, k uint16, delta int32) []keyCount {
	i, ok := slices.BinarySearchFunc(s, k, func(e keyCount, k uint16) int { return int(e.k) - int(k) })
	out := make([]keyCount, 0, len(s)+1)
	out = append(out, s[:i]...)
	switch {
	case !ok:
		out = append(out, keyCount{k, delta})
	case s[i].n+delta > 0:
		out = append(out, keyCount{k, s[i].n + delta})
	}
	if ok {
		i++
	}
	return append(out, s[i:]...)
}

func (p *LivePopulation) bigAt(bi int32) *bigHolder {
	dir := *p.bigs.Load()
	if int(bi) >= len(dir) {
		return nil
	}
	return dir[bi].Load()
}

func (p *LivePopulation) setBig(bi int32, b *bigHolder) { (*p.bigs.Load())[bi].Store(b) }

// newBig stores b under a free index (under mu).
func (p *LivePopulation) newBig(b *bigHolder) int32 {
	if n := len(p.bigFree); n > 0 {
		bi := p.bigFree[n-1]
		p.bigFree = p.bigFree[:n-1]
		p.setBig(bi, b)
		return bi
	}
	dir := *p.bigs.Load()
	grown := append(slices.Clip(dir), new(atomic.Pointer[bigHolder]))
	grown[len(dir)].Store(b)
	p.bigs.Store(&grown)
	return int32(len(dir))
}

func (p *LivePopulation) freeBig(bi int32) {
	p.setBig(bi, nil)
	p.bigFree = append(p.bigFree, bi)
}

// asIf for a holder with many cards, from its counts (under the holder
// shard's read lock): the card stored under r's number, when it counts for
// this holder, taken out, and r counted in.
func (p *LivePopulation) asIfBig(r *Record, f *Features, bh *bigHolder, op uint16, known bool, day uint16) {
	total, onOp, same, ops := int(bh.total), 0, countOf(bh.days, day), len(bh.ops)
	rest := 0 // the holder's cards on r's operator
	if known {
		rest = countOf(bh.ops, op)
		onOp = rest
	}
	ns, tag := p.hash(r.MSISDN)
	tn := &p.byNumber[ns]
	tn.mu.RLock()
	_, sid := p.findNumber(tn, tag, r.MSISDN)
	tn.mu.RUnlock()
	if sid >= 0 {
		// its membership changes only under the holder's lock, held
		sc := p.card(sid)
		if s := sc.rec.Load(); s != nil && counted(s) && s.Holder == r.Holder {
			total--
			if sc.day == day {
				same--
			}
			if countOf(bh.ops, sc.op) == 1 {
				ops--
			}
			if known && sc.op == op {
				onOp--
				rest--
			}
		}
	}
	if r.Valid() {
		total, onOp, same = total+1, onOp+1, same+1
		if rest == 0 {
			ops++
		}
	}
	*f = Features{CardsOnOperator: onOp, CardsTotal: total, CardsSameDay: same, Operators: ops}
}

func unpackFeatures(v uint64) Features {
	return Features{CardsOnOperator: int(v & 0xffff), CardsTotal: int(v >> 16 & 0xffff),
		CardsSameDay: int(v >> 32 & 0xffff), Operators: int(v >> 48)}
}

// recount writes the features of every card of the holder whose ring holds
// head (under mu and the holder's shard lock): a holder with few cards
// (at most bigHolderCards), k² compares.
func (p *LivePopulation) recount(head int32) {
	m := p.scratch[:0]
	for id := head; ; {
		c := p.card(id)
		m = append(m, liveMember{id: id, op: c.op, day: c.day})
		if id = c.next; id == head {
			break
		}
	}
	p.scratch = m
	ops := 0
	for i, a := range m {
		first := true
		for _, b := range m[:i] {
			if b.op == a.op {
				first = false
				break
			}
		}
		ops += btoi(first)
	}
	for _, a := range m {
		onOp, same := 0, 0
		for _, b := range m {
			onOp += btoi(b.op == a.op)
			same += btoi(b.day == a.day)
		}
		p.card(a.id).feats.Store(packFeatures(onOp, len(m), same, ops))
	}
}

// findNumber finds the card stored under canonical number m in shard t:
// its table position and id, or -1.
func (p *LivePopulation) findNumber(t *liveTable, tag uint32, m string) (int, int32) {
	if len(t.slots) == 0 {
		return -1, -1
	}
	mask := uint32(len(t.slots) - 1)
	for i := tag & mask; ; i = (i + 1) & mask {
		e := t.slots[i]
		if e == 0 {
			return -1, -1
		}
		if uint32(e>>32) == tag {
			id := int32(uint32(e) - 1)
			if r := p.card(id).rec.Load(); r != nil && r.MSISDN == m {
				return int(i), id
			}
		}
	}
}

// findHolder finds holder key h in shard t: its table position, and the
// first card of its list (a holder with few cards) or its counts' index (a
// holder with many), the other -1; all -1 when the holder has no counted
// card.
func (p *LivePopulation) findHolder(t *liveTable, tag uint32, h string) (pos int, head, big int32) {
	if len(t.slots) == 0 {
		return -1, -1, -1
	}
	mask := uint32(len(t.slots) - 1)
	for i := tag & mask; ; i = (i + 1) & mask {
		e := t.slots[i]
		if e == 0 {
			return -1, -1, -1
		}
		if uint32(e>>32) != tag {
			continue
		}
		if v := uint32(e); v&bigEntry != 0 {
			bi := int32(v &^ bigEntry)
			if bh := p.bigAt(bi); bh != nil && bh.key == h {
				return int(i), -1, bi
			}
		} else if r := p.card(int32(v - 1)).rec.Load(); r != nil && r.Holder == h {
			return int(i), int32(v - 1), -1
		}
	}
}

// insert adds an entry known to be absent (under the write lock), growing
// the table past 80% full.
func (t *liveTable) insert(tag uint32, id int32) {
	if (t.n+1)*5 > len(t.slots)*4 {
		old := t.slots
		t.slots = make([]uint64, max(8, 2*len(old)))
		mask := uint32(len(t.slots) - 1)
		for _, e := range old {
			if e != 0 {
				i := uint32(e>>32) & mask
				for t.slots[i] != 0 {
					i = (i + 1) & mask
				}
				t.slots[i] = e
			}
		}
	}
	mask := uint32(len(t.slots) - 1)
	i := tag & mask
	for t.slots[i] != 0 {
		i = (i + 1) & mask
	}
	t.slots[i] = uint64(tag)<<32 | uint64(uint32(id)+1)
	t.n++
}

// remove deletes the entry at pos, shifting back the entries after it that
// probed past it.
func (t *liveTable) remove(pos int) {
	mask := uint32(len(t.slots) - 1)
	i := uint32(pos)
	for j := (i + 1) & mask; ; j = (j + 1) & mask {
		e := t.slots[j]
		if e == 0 {
			break
		}
		k := uint32(e>>32) & mask // e's home
		// e stays when its home lies cyclically in (i, j]
		if i <= j && i < k && k <= j || i > j && (i < k || k <= j) {
			continue
		}
		t.slots[i] = e
		i = j
	}
	t.slots[i] = 0
	t.n--
}

// indexBytes is the memory the population holds beyond its records: card
// slots, tables and the free list.
func (p *LivePopulation) indexBytes() int64 {
	n := int64(len(*p.dir.Load())) * int64(unsafe.Sizeof(liveChunk{}))
	for i := range p.byNumber {
		n += int64(cap(p.byNumber[i].slots)+cap(p.byHolder[i].slots)) * 8
	}
	return n + int64(cap(p.free))*4
}
