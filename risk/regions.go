package risk

import (
	"encoding/binary"
	"slices"
	"unsafe"
)

// RegionSet is a compiled region list: ISO 3166 alpha-2 country codes and
// GB/T 2260 division codes, where a province code (NN0000) covers every code
// starting with its first 2 digits, a prefecture code (NNNN00) every code
// starting with its first 4, and a county code only itself (domain.md §3).
type RegionSet struct {
	// bit sets, sized so that every index Contains computes is in range by
	// its type (no bounds check in the hot path)
	countries   [16]uint64  // ISO 3166 alpha-2, as bits (26*26)
	provinces   [2]uint64   // 2-digit prefixes, as bits
	prefectures [256]uint64 // 4-digit prefixes, as bits
	countyPrefs [256]uint64 // the 4-digit prefixes of counties, as bits
	// the prefectures (by pre4) of the 6-digit codes the set holds, as
	// bits: those of its provinces, prefectures and counties
	any4     [256]uint64
	counties []int32 // full 6-digit codes, sorted
	items    []string
}

func setBit(b []uint64, i int) { b[i>>6] |= 1 << (i & 63) }

// NewRegionSet compiles region codes; entries that are not region codes are
// ignored (the rule loader reports them).
func NewRegionSet(codes []string) *RegionSet {
	s := &RegionSet{items: append([]string(nil), codes...)}
	for _, c := range codes {
		if !isRegion(c) {
			continue
		}
		if len(c) == 2 {
			setBit(s.countries[:], int(c[0]-'A')*26+int(c[1]-'A'))
			continue
		}
		n := sixDigits(c)
		switch {
		case n%10000 == 0:
			setBit(s.provinces[:], n/10000)
			b := []byte(c)
			for p := byte(0); p < 100; p++ {
				b[2], b[3] = '0'+p/10, '0'+p%10
				setBit(s.any4[:], int(pre4(string(b))))
			}
		case n%100 == 0:
			setBit(s.prefectures[:], n/100)
			setBit(s.any4[:], int(pre4(c)))
		default:
			s.counties = append(s.counties, int32(n))
			setBit(s.countyPrefs[:], n/100)
			setBit(s.any4[:], int(pre4(c)))
		}
	}
	slices.Sort(s.counties)
	s.counties = slices.Compact(s.counties)
	return s
}

// sixDigits is the value of a 6-digit code, or -1.
func sixDigits(c string) int {
	n := 0
	for i := 0; i < 6; i++ {
		d := c[i] - '0'
		if d > 9 {
			return -1
		}
		n = n*10 + int(d)
	}
	return n
}

// Contains reports whether code is in the set, with the prefix meaning of
// province and prefecture entries. The empty code, and anything that is not
// written as a region code, is in no set.
func (s *RegionSet) Contains(code string) bool {
	if s == nil {
		return false
	}
	switch len(code) {
	case 2:
		a, b := uint(code[0]-'A'), uint(code[1]-'A')
		i := a*26 + b // < 676 when a, b < 26
		return a < 26 && b < 26 && s.countries[(i>>6)&15]&(1<<(i&63)) != 0
	case 6:
		if !s.mayHave6(code) {
			return false
		}
		p, ok := digitPairs(code)
		if !ok {
			return false
		}
		prov := uint(p & 0xFFFF)
		pref := prov*100 + uint(p>>16&0xFFFF)
		// prov < 100 and pref < 10000: the masks change nothing
		switch {
		case s.provinces[(prov>>6)&1]&(1<<(prov&63)) != 0 || s.prefectures[uint8(pref>>6)]&(1<<(pref&63)) != 0:
			return true
		case s.countyPrefs[uint8(pref>>6)]&(1<<(pref&63)) == 0:
			return false
		}
		n := int32(pref*100 + uint(p>>32))
		for _, c := range s.counties { // lists are short: a scan beats a search
			if c == n {
				return true
			}
		}
	}
	return false
}

// pre4 is a hash of a 6-byte code's first four bytes, of 14 bits: its
// prefecture (NNNN) for the bits of any4, found without reading it as a
// number. Codes of one prefecture hash alike; others may too (a collision
// costs only the exact test).
func pre4(code string) uint {
	return uint(binary.LittleEndian.Uint32(unsafe.Slice(unsafe.StringData(code), 4))*0x9E3779B1) >> 18
}

// mayHave6 reports whether the set may hold code, of 6 bytes: false when
// it holds no code of code's prefecture (by pre4); true perhaps for a code
// it does not hold (Contains then looks at it all). It runs in the branch
// code's loop for every region test of a rule.
func (s *RegionSet) mayHave6(code string) bool {
	i := pre4(code)
	return s.any4[uint8(i>>6)]&(1<<(i&63)) != 0
}

// splitCode reads a 6-digit code's first 2 digits, first 4 and last 2 as
// numbers, or reports that it is not 6 digits.
func splitCode(code string) (prov, pref, last int, ok bool) {
	p, ok := digitPairs(code)
	prov = int(p & 0xFFFF)
	return prov, prov*100 + int(p>>16&0xFFFF), int(p >> 32), ok
}

// digitPairs reads a 6-digit code as its three 2-digit numbers, in the 16-bit
// lanes of a word (the first in the low lane), or reports that it is not 6
// digits. It reads the six bytes as one word and tests and converts them
// all at once: this runs for every region a rule looks at.
func digitPairs(code string) (uint64, bool) {
	b := (*[6]byte)(unsafe.Pointer(unsafe.StringData(code)))
	x := uint64(binary.LittleEndian.Uint32(b[:4])) | uint64(binary.LittleEndian.Uint16(b[4:]))<<32 // code[0] in the low byte
	// a byte is a digit when its high nibble is 3, and still is after +6
	// (no carry leaves a byte whose high nibble is 3)
	const hi = 0xF0F0F0F0F0F0
	if x&hi != 0x303030303030 || (x+0x060606060606)&hi != 0x303030303030 {
		return 0, false
	}
	d := x - 0x303030303030
	return (d&0x00FF00FF00FF)*10 + (d>>8)&0x00FF00FF00FF, true
}

// Items returns the entries as written.
func (s *RegionSet) Items() []string { return append([]string(nil), s.items...) }
