//go:build ignore

// build_countries_zh builds countries_zh.csv, the Chinese names of the ISO
// 3166-1 alpha-2 codes of countries.csv, from the CLDR data that
// golang.org/x/text/language/display carries (simplified Chinese), so that
// the library does not link x/text's display tables (2.5 MB) to name 250
// countries:
//
//	go run build_countries_zh.go > countries_zh.csv
//
// CLDR's names are kept as they are but for three, which Chinese official
// usage names as parts of China: TW 中国台湾, HK 中国香港, MO 中国澳门
// (CLDR: 台湾, 中国香港特别行政区, 中国澳门特别行政区). TestCountriesZh
// keeps the file equal to what this writes.
package main

import (
	"fmt"
	"os"
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

var overrides = map[string]string{"TW": "中国台湾", "HK": "中国香港", "MO": "中国澳门"}

func main() {
	src, err := os.ReadFile("countries.csv")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	names := display.Regions(language.SimplifiedChinese)
	fmt.Println("# Chinese names of the ISO 3166-1 alpha-2 codes of countries.csv: CLDR (golang.org/x/text/language/display, zh-Hans), but TW, HK and MO (build_countries_zh.go).")
	fmt.Println("code,name")
	for _, line := range strings.Split(string(src), "\n") {
		code, _, ok := strings.Cut(line, ",")
		if !ok || code == "code" || strings.HasPrefix(line, "#") {
			continue
		}
		name := overrides[code]
		if name == "" {
			r, err := language.ParseRegion(code)
			if err == nil {
				name = names.Name(r)
			}
		}
		if name == "" {
			fmt.Fprintln(os.Stderr, "no Chinese name for", code)
			os.Exit(1)
		}
		fmt.Printf("%s,%s\n", code, name)
	}
}
