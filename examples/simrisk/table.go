package main

import (
	"bytes"
	"io"
	"text/tabwriter"
	"unicode/utf8"

	"golang.org/x/text/width"
)

// table is a tabwriter whose columns line up when cells hold Chinese:
// text/tabwriter counts every rune as one column, a terminal shows a wide
// (East Asian) character in two. Each wide rune goes in followed by a
// placeholder that tabwriter counts as the second column, and the
// placeholders are removed on the way out; text without wide runes (the
// English tables) is written byte for byte as tabwriter writes it.
type table struct{ tw *tabwriter.Writer }

// widePad is the placeholder: a private-use code point no text carries.
const widePad = '\uE000'

var widePadBytes = []byte(string(widePad))

// newTable is tabwriter.NewWriter(w, 0, 0, 2, ' ', flags), wide-aware.
func newTable(w io.Writer, flags uint) *table {
	return &table{tabwriter.NewWriter(unpad{w}, 0, 0, 2, ' ', flags)}
}

func (t *table) Write(p []byte) (int, error) {
	wide := false
	for i := 0; i < len(p); {
		r, n := utf8.DecodeRune(p[i:])
		if isWide(r) {
			wide = true
			break
		}
		i += n
	}
	if !wide {
		return t.tw.Write(p)
	}
	b := make([]byte, 0, len(p)+len(p)/2)
	for i := 0; i < len(p); {
		r, n := utf8.DecodeRune(p[i:])
		b = append(b, p[i:i+n]...)
		if isWide(r) {
			b = utf8.AppendRune(b, widePad)
		}
		i += n
	}
	if _, err := t.tw.Write(b); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush writes the table.
func (t *table) Flush() error { return t.tw.Flush() }

func isWide(r rune) bool {
	if r < 0x1100 {
		return false
	}
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return true
	}
	return false
}

// unpad drops the placeholders tabwriter writes.
type unpad struct{ w io.Writer }

func (u unpad) Write(p []byte) (int, error) {
	if _, err := u.w.Write(bytes.ReplaceAll(p, widePadBytes, nil)); err != nil {
		return 0, err
	}
	return len(p), nil
}
