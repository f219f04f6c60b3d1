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
	countries   [11]uint64  // ISO 3166 alpha-2, as bits (26*26)
	provinces   [2]uint64   // 2-digit prefixes, as bits
	prefectures [157]uint64 // 4-digit prefixes, as bits
	counties    []int32     // full 6-digit codes, sorted
	countyPrefs [157]uint64 // the 4-digit prefixes of counties, as bits
	items       []string
}

func setBit(b []uint64, i int)      { b[i>>6] |= 1 << (i & 63) }
func hasBit(b []uint64, i int) bool { return b[i>>6]&(1<<(i&63)) != 0 }

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
		case n%100 == 0:
			setBit(s.prefectures[:], n/100)
		default:
			s.counties = append(s.counties, int32(n))
			setBit(s.countyPrefs[:], n/100)
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
		a, b := code[0]-'A', code[1]-'A'
		return a < 26 && b < 26 && hasBit(s.countries[:], int(a)*26+int(b))
	case 6:
		prov, pref, last, ok := splitCode(code)
		switch {
		case !ok:
			return false
		case hasBit(s.provinces[:], prov) || hasBit(s.prefectures[:], pref):
			return true
		case !hasBit(s.countyPrefs[:], pref):
			return false
		}
		n := int32(pref*100 + last)
		for _, c := range s.counties { // lists are short: a scan beats a search
			if c == n {
				return true
			}
		}
	}
	return false
}

// splitCode reads a 6-digit code's first 2 digits, first 4 and last 2 as
// numbers, or reports that it is not 6 digits. It reads the bytes four and
// two at a time (the test of every digit and the arithmetic done on all of
// them at once): this runs for every region a rule looks at.
func splitCode(code string) (prov, pref, last int, ok bool) {
	b := unsafe.Slice(unsafe.StringData(code), 6)
	v := binary.LittleEndian.Uint32(b) // code[0] in the low byte
	w := uint32(binary.LittleEndian.Uint16(b[4:]))
	// a byte is a digit when its high nibble is 3, and still is after +6
	if v&0xF0F0F0F0 != 0x30303030 || (v+0x06060606)&0xF0F0F0F0 != 0x30303030 ||
		w&0xF0F0 != 0x3030 || (w+0x0606)&0xF0F0 != 0x3030 {
		return 0, 0, 0, false
	}
	d := v - 0x30303030
	pairs := (d&0x00FF00FF)*10 + (d>>8)&0x00FF00FF // d0d1 low, d2d3 high
	prov = int(pairs & 0xFFFF)
	pref = prov*100 + int(pairs>>16)
	dw := w - 0x3030
	last = int(dw&0xFF)*10 + int(dw>>8)
	return prov, pref, last, true
}

// Items returns the entries as written.
func (s *RegionSet) Items() []string { return append([]string(nil), s.items...) }
