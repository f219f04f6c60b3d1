// Package scan finds the end of the plain run of a JSON string eight bytes
// at a time: the record decoders' hot loop.
//
// Stage: record decoding, beneath package risk's JSON scanner and package
// datasets' population pass. Imports: the standard library only.
package scan

import (
	"encoding/binary"
	"math/bits"
)

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// Plain returns the index of the first byte of b at or after i that ends
// a plain run of a JSON string: a quote, a backslash, a control character
// (below 0x20) or a byte that is not ASCII; len(b) when there is none.
func Plain(b []byte, i int) int {
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		// a byte's high bit in m is set where the byte is special; the
		// lowest such byte is exact (borrows only run upward)
		q := x ^ ('"' * ones)
		s := x ^ ('\\' * ones)
		m := ((q-ones)&^q | (s-ones)&^s | (x-0x20*ones)&^x | x) & highs
		if m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for ; i < len(b); i++ {
		if c := b[i]; c == '"' || c == '\\' || c < 0x20 || c >= 0x80 {
			return i
		}
	}
	return i
}

// HasUpper reports whether b, ASCII, holds an upper-case letter.
func HasUpper(b []byte) bool {
	i := 0
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		// per byte, no carries (every byte is below 0x80): the high bit of
		// x+0x3f is set from 'A' up, of x+0x25 from '[' up
		if (x+0x3f*ones)&^(x+0x25*ones)&highs != 0 {
			return true
		}
	}
	for ; i < len(b); i++ {
		if b[i] >= 'A' && b[i] <= 'Z' {
			return true
		}
	}
	return false
}
