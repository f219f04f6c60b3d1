// Package suggest finds the name a misspelt one was probably meant to be,
// by edit distance: the "did you mean" of lint errors, unknown keys and
// unknown CSV columns.
//
// Stage: error reporting, for the loader (package rules), the compiler's
// messages (package risk) and the record readers (package datasets).
// Imports: the standard library only (a leaf package).
package suggest

import "unicode/utf8"

// Nearest returns the name of names nearest to name by edit distance, when
// it is near enough to be a slip: at most 1 edit for names up to 5
// characters, 2 up to 11, 3 beyond. It returns "" when none is, when name
// is itself in names, or when name is longer than 64 bytes (a pasted text,
// not a slip). Ties go to the earlier name of names.
func Nearest(name string, names []string) string {
	if len(name) > 64 || name == "" {
		return ""
	}
	limit := 1
	switch n := utf8.RuneCountInString(name); {
	case n > 11:
		limit = 3
	case n > 5:
		limit = 2
	}
	best, bestD := "", limit+1
	for _, s := range names {
		if s == name {
			return ""
		}
		if d := Distance(name, s); d < bestD {
			best, bestD = s, d
		}
	}
	return best
}

// Distance is the Levenshtein distance between a and b, in characters.
func Distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
