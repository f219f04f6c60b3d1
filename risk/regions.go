package risk

import "slices"

// RegionSet is a compiled region list: ISO 3166 alpha-2 country codes and
// GB/T 2260 division codes, where a province code (NN0000) covers every code
// starting with its first 2 digits, a prefecture code (NNNN00) every code
// starting with its first 4, and a county code only itself (domain.md §3).
type RegionSet struct {
	countries   [11]uint64  // ISO 3166 alpha-2, as bits (26*26)
	provinces   [2]uint64   // 2-digit prefixes, as bits
	prefectures [157]uint64 // 4-digit prefixes, as bits
	counties    []int32     // full 6-digit codes, sorted
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
		n := sixDigits(code)
		if n < 0 {
			return false
		}
		if hasBit(s.provinces[:], n/10000) || hasBit(s.prefectures[:], n/100) {
			return true
		}
		for _, c := range s.counties { // lists are short: a scan beats a search
			if c == int32(n) {
				return true
			}
		}
	}
	return false
}

// Items returns the entries as written.
func (s *RegionSet) Items() []string { return append([]string(nil), s.items...) }
