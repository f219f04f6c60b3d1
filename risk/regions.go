package risk

// RegionSet is a compiled region list: ISO 3166 alpha-2 country codes and
// GB/T 2260 division codes, where a province code (NN0000) covers every code
// starting with its first 2 digits, a prefecture code (NNNN00) every code
// starting with its first 4, and a county code only itself (domain.md §3).
type RegionSet struct {
	countries   map[string]struct{}
	provinces   map[string]struct{} // 2-digit prefixes
	prefectures map[string]struct{} // 4-digit prefixes
	counties    map[string]struct{} // full codes
	items       []string
}

// NewRegionSet compiles region codes; entries that are not region codes are
// ignored (the rule loader reports them).
func NewRegionSet(codes []string) *RegionSet {
	s := &RegionSet{
		countries: map[string]struct{}{}, provinces: map[string]struct{}{},
		prefectures: map[string]struct{}{}, counties: map[string]struct{}{},
		items: append([]string(nil), codes...),
	}
	for _, c := range codes {
		switch {
		case len(c) == 2 && isRegion(c):
			s.countries[c] = struct{}{}
		case len(c) == 6 && isRegion(c) && c[2:] == "0000":
			s.provinces[c[:2]] = struct{}{}
		case len(c) == 6 && isRegion(c) && c[4:] == "00":
			s.prefectures[c[:4]] = struct{}{}
		case len(c) == 6 && isRegion(c):
			s.counties[c] = struct{}{}
		}
	}
	return s
}

// Contains reports whether code is in the set, with the prefix meaning of
// province and prefecture entries. The empty code is in no set.
func (s *RegionSet) Contains(code string) bool {
	if s == nil {
		return false
	}
	switch len(code) {
	case 2:
		_, ok := s.countries[code]
		return ok
	case 6:
		if _, ok := s.counties[code]; ok {
			return true
		}
		if _, ok := s.prefectures[code[:4]]; ok {
			return true
		}
		_, ok := s.provinces[code[:2]]
		return ok
	}
	return false
}

// Items returns the entries as written.
func (s *RegionSet) Items() []string { return append([]string(nil), s.items...) }
