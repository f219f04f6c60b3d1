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
// its own holder. Counts above 65,535 read as 65,535.
//
// The records it stores are its own copies, read-only: Lookup hands them
// out for scoring (Scorer.ScoreInto, Engine.Score) and must not be written.
// Scoring a stored record at an as-of time earlier than the one it was
// stored at validates and scores a copy.
//
// Memory beyond the records: 24 bytes per card slot, and two open-addressing
// tables of 8-byte entries kept between 40% and 80% full (one by number,
// one by holder), about 50 bytes per card in all (bench/README.md).
type LivePopulation struct {
	id   uint64
	seed maphash.Seed

	mu      sync.Mutex // serialises writers
	dir     atomic.Pointer[[]*liveChunk]
	used    int32   // slots handed out (under mu)
	free    []int32 // slots of removed cards (under mu)
	ops     atomic.Pointer[map[string]uint16]
	scratch []liveMember // recount's (under mu)

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
	next  int32         // the holder's next counted card, -1 at the end
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
	ops := map[string]uint16{}
	p.ops.Store(&ops)
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
	ops := *p.ops.Load()
	if id, ok := ops[key]; ok {
		return id, true, nil
	}
	if !add {
		return 0, false, nil
	}
	if len(ops) >= MaxLiveOperators {
		return 0, false, fmt.Errorf("risk: %w: more than %d distinct operators and MVNO brands (risk.MaxLiveOperators)", ErrPopulationLimit, MaxLiveOperators)
	}
	grown := make(map[string]uint16, len(ops)+1)
	for k, v := range ops {
		grown[k] = v
	}
	id := uint16(len(ops))
	grown[key] = id
	p.ops.Store(&grown)
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

// UpsertBatch is Upsert of every record, validating them on all cores
// (GOMAXPROCS goroutines) and storing them in order; it returns one error
// per record (nil for those stored), or nil when all were. It is how a
// population is built from a snapshot at start.
func (p *LivePopulation) UpsertBatch(recs []*Record, asOf Time) []error {
	copies := make([]*Record, len(recs))
	var errs []error
	var errMu sync.Mutex
	setErr := func(i int, err error) {
		errMu.Lock()
		if errs == nil {
			errs = make([]error, len(recs))
		}
		errs[i] = err
		errMu.Unlock()
	}
	const chunk = 512
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := min(runtime.GOMAXPROCS(0), (len(recs)+chunk-1)/chunk); w > 0; w-- {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				start := int(next.Add(chunk)) - chunk
				if start >= len(recs) {
					return
				}
				for i := start; i < min(start+chunk, len(recs)); i++ {
					c, err := p.prepare(recs[i], asOf)
					if err != nil {
						setErr(i, err)
						continue
					}
					copies[i] = c
				}
			}
		}()
	}
	wg.Wait()
	for start := 0; start < len(copies); start += chunk {
		p.mu.Lock() // per chunk: other writers get their turn
		for i := start; i < min(start+chunk, len(copies)); i++ {
			if copies[i] == nil {
				continue
			}
			if err := p.store(copies[i]); err != nil {
				setErr(i, err)
			}
		}
		p.mu.Unlock()
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
			th.mu.Lock()
			slot.feats.Store(0)
			slot.op, slot.day = op, dayOf(c.OpenedAt)
			slot.rec.Store(c)
			_, head := p.findHolder(th, htag, c.Holder)
			p.recount(head)
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

// link adds counted card id (state c) to its holder's list and recounts the
// holder (under mu).
func (p *LivePopulation) link(id int32, c *Record, op uint16) {
	hs, htag := p.hash(c.Holder)
	th := &p.byHolder[hs]
	slot := p.card(id)
	th.mu.Lock()
	slot.op, slot.day = op, dayOf(c.OpenedAt)
	pos, head := p.findHolder(th, htag, c.Holder)
	if head < 0 {
		slot.next = -1
		th.insert(htag, id)
		p.holders.Add(1)
	} else {
		// after the head: the head stays the table's entry
		hc := p.card(head)
		slot.next = hc.next
		hc.next = id
		_ = pos
	}
	if head < 0 {
		head = id
	}
	p.recount(head)
	th.mu.Unlock()
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
	pos, head := p.findHolder(th, htag, holder)
	if head < 0 {
		return // not linked (cannot happen: every counted card is)
	}
	if head == id {
		if slot.next < 0 {
			th.remove(pos)
			p.holders.Add(-1)
			return
		}
		th.slots[pos] = uint64(htag)<<32 | uint64(uint32(slot.next)+1)
		head = slot.next
	} else {
		for prev := head; prev >= 0; {
			pc := p.card(prev)
			if pc.next == id {
				pc.next = slot.next
				break
			}
			prev = pc.next
		}
	}
	slot.next = -1
	p.recount(head)
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
	p.featuresInto(r, &f)
	return f
}

func (p *LivePopulation) featuresInto(r *Record, f *Features) {
	if p == nil {
		*f = selfFeatures(r)
		return
	}
	if r.popID == p.id {
		if c := p.card(r.popIdx); c != nil && c.rec.Load() == r {
			if v := c.feats.Load(); v != 0 && c.rec.Load() == r {
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
	_, head := p.findHolder(th, htag, r.Holder)
	for id := head; id >= 0; {
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

func packFeatures(onOp, total, sameDay, ops int) uint64 {
	return sat16(onOp) | sat16(total)<<16 | sat16(sameDay)<<32 | sat16(ops)<<48
}

func unpackFeatures(v uint64) Features {
	return Features{CardsOnOperator: int(v & 0xffff), CardsTotal: int(v >> 16 & 0xffff),
		CardsSameDay: int(v >> 32 & 0xffff), Operators: int(v >> 48)}
}

// recount writes the features of every card of the holder whose list starts
// at head (under mu and the holder's shard lock): work proportional to the
// holder's cards (k² compares up to 16 cards, sorting beyond).
func (p *LivePopulation) recount(head int32) {
	m := p.scratch[:0]
	for id := head; id >= 0; {
		c := p.card(id)
		m = append(m, liveMember{id: id, op: c.op, day: c.day})
		id = c.next
	}
	p.scratch = m
	total := len(m)
	if total <= 16 {
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
			p.card(a.id).feats.Store(packFeatures(onOp, total, same, ops))
		}
		return
	}
	byOp := make([]uint16, total)
	byDay := make([]uint16, total)
	for i, a := range m {
		byOp[i], byDay[i] = a.op, a.day
	}
	slices.Sort(byOp)
	slices.Sort(byDay)
	ops := len(slices.Compact(slices.Clone(byOp)))
	count := func(s []uint16, v uint16) int {
		lo, _ := slices.BinarySearch(s, v)
		hi := lo
		for hi < len(s) && s[hi] == v {
			hi++
		}
		return hi - lo
	}
	for _, a := range m {
		p.card(a.id).feats.Store(packFeatures(count(byOp, a.op), total, count(byDay, a.day), ops))
	}
}

// findNumber finds the card stored under number m in shard t: its table
// position and id, or -1.
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

// findHolder finds the first card of holder key h in shard t: its table
// position and id, or -1.
func (p *LivePopulation) findHolder(t *liveTable, tag uint32, h string) (int, int32) {
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
			if r := p.card(id).rec.Load(); r != nil && r.Holder == h {
				return int(i), id
			}
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
