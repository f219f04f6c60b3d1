package ref

import _ "embed"

// Division is one GB/T 2260 administrative division code.
type Division struct {
	Code     string // 6 digits
	Name     string // its own name: 新罗区
	FullName string // with its province and prefecture: 福建省龙岩市新罗区
	Level    string // province, prefecture or county
	First    string // first revision (YYYYMM) it appears in
	Last     string // last revision it appears in; CurrentRevision when still in use
}

// CurrentRevision is the newest revision of the division table (the
// National Bureau of Statistics codes with cut-off 2023-06-30).
const CurrentRevision = "202306"

// Current reports whether the code is still in use.
func (d Division) Current() bool { return d.Last == CurrentRevision }

//go:embed divisions.csv
var divisionsCSV string

//go:embed countries.csv
var countriesCSV string

//go:embed countries_zh.csv
var countriesZhCSV string

var (
	divisions   = map[string]Division{}
	countries   = map[string]string{}
	countriesZh = map[string]string{}
	// divisionBits holds a bit per six-digit division code in divisions,
	// for KnownRegion: a record's regions are checked twice a card
	divisionBits = new([1000000/64 + 1]uint64)
)

// divisionCode is a six-digit code's value, or -1.
func divisionCode(code string) int {
	if len(code) != 6 {
		return -1
	}
	v := 0
	for i := 0; i < 6; i++ {
		c := code[i]
		if c < '0' || c > '9' {
			return -1
		}
		v = v*10 + int(c-'0')
	}
	return v
}

func init() {
	for _, r := range readCSV(divisionsCSV, 6) {
		divisions[r[0]] = Division{Code: r[0], Name: r[1], FullName: r[2], Level: r[3], First: r[4], Last: r[5]}
		if v := divisionCode(r[0]); v >= 0 {
			divisionBits[v>>6] |= 1 << (v & 63)
		}
	}
	for _, r := range readCSV(countriesCSV, 2) {
		countries[r[0]] = r[1]
	}
	for _, r := range readCSV(countriesZhCSV, 2) {
		countriesZh[r[0]] = r[1]
	}
}

// LookupDivision finds a GB/T 2260 code of any revision since 2002.
func LookupDivision(code string) (Division, bool) {
	d, ok := divisions[code]
	return d, ok
}

// Divisions is the number of division codes in the table.
func Divisions() int { return len(divisions) }

// LookupCountry returns the English short name of an ISO 3166-1 alpha-2
// code.
func LookupCountry(code string) (string, bool) {
	n, ok := countries[code]
	return n, ok
}

// KnownRegion reports whether code is a known country (ISO 3166 alpha-2) or
// division (GB/T 2260, any revision) code.
func KnownRegion(code string) bool {
	switch len(code) {
	case 2:
		_, ok := countries[code]
		return ok
	case 6:
		if v := divisionCode(code); v >= 0 {
			return divisionBits[v>>6]&(1<<(v&63)) != 0
		}
		_, ok := divisions[code]
		return ok
	}
	return false
}

// RegionName names a region for people: the full name of a division
// (福建省龙岩市新罗区), the English name of a country, or the code itself
// when it is unknown.
func RegionName(code string) string {
	if d, ok := divisions[code]; ok {
		return d.FullName
	}
	if n, ok := countries[code]; ok {
		return n
	}
	return code
}

// RegionNameIn names a region for people in lang: in "zh", the full name of
// a division (福建省龙岩市新罗区) or the Chinese name of a country
// (阿拉伯联合酋长国, from CLDR; TW, HK and MO as 中国台湾, 中国香港,
// 中国澳门); in any other language, what RegionName gives. An unknown code
// is its own name.
func RegionNameIn(code, lang string) string {
	if lang == "zh" {
		if n, ok := countriesZh[code]; ok {
			return n
		}
	}
	return RegionName(code)
}
