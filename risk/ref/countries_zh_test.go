package ref

import (
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// countries_zh.csv is CLDR's simplified Chinese name of every code of
// countries.csv (as golang.org/x/text/language/display has it), but the
// three build_countries_zh.go names as parts of China: regenerate it with
// `go run build_countries_zh.go > countries_zh.csv` when x/text moves.
func TestCountriesZh(t *testing.T) {
	overrides := map[string]string{"TW": "中国台湾", "HK": "中国香港", "MO": "中国澳门"}
	names := display.Regions(language.SimplifiedChinese)
	require.Len(t, countriesZh, len(countries))
	for code := range countries {
		want := overrides[code]
		if want == "" {
			want = names.Name(language.MustParseRegion(code))
		}
		require.Equal(t, want, countriesZh[code], code)
	}
	require.Equal(t, "阿拉伯联合酋长国", RegionNameIn("AE", "zh"))
	require.Equal(t, "United Arab Emirates (the)", RegionNameIn("AE", "en"))
	require.Equal(t, "福建省龙岩市新罗区", RegionNameIn("350802", "zh"))
	require.Equal(t, "福建省龙岩市新罗区", RegionNameIn("350802", "en"))
	require.Equal(t, "ZZ", RegionNameIn("ZZ", "zh"))
}
