package ref

import "strings"

// MaskTextKeepingPaths masks text as MaskText does, except where it shows
// one of the given file paths (paths a host gave: rule files, their
// positions, a snapshot file): there only a run of ASCII digits that is
// itself a number of a known segment (11 or 13 digits, after 86 or 0086
// too) or a valid resident ID number is masked. The digits of a temporary
// directory's name (/tmp/rules2847561920/001) are no number, but MaskText,
// which joins digit groups across separators into one number, would mask
// them and leave the path unreadable. Empty paths are ignored; where two
// paths start at one place, the longer is kept.
func MaskTextKeepingPaths(text string, paths ...string) string {
	var b strings.Builder
	for text != "" {
		at, path := -1, ""
		for _, p := range paths {
			if p == "" {
				continue
			}
			if i := strings.Index(text, p); i >= 0 && (at < 0 || i < at || i == at && len(p) > len(path)) {
				at, path = i, p
			}
		}
		if at < 0 {
			b.WriteString(MaskText(text))
			break
		}
		b.WriteString(MaskText(text[:at]))
		b.WriteString(maskPath(path))
		text = text[at+len(path):]
	}
	return b.String()
}

// maskPath masks each run of ASCII digits in p (with an ID number's
// check character) that is a number of a known segment (11 or 13 digits,
// +86 too) or a valid resident ID number (15 or 18 characters); other
// digits, and digit groups split by any other character, stay as they are.
func maskPath(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); {
		if p[i] < '0' || p[i] > '9' {
			b.WriteByte(p[i])
			i++
			continue
		}
		j := i
		for j < len(p) && p[j] >= '0' && p[j] <= '9' {
			j++
		}
		if j-i == 17 && j < len(p) && (p[j] == 'X' || p[j] == 'x') {
			j++
		}
		run := p[i:j]
		switch {
		case (len(run) == 15 || len(run) == 18) && ValidateID(run) == nil:
			b.WriteString(MaskID(run))
		case isKnownNumber(run):
			b.WriteString(MaskText(run))
		default:
			b.WriteString(run)
		}
		i = j
	}
	return b.String()
}

// isKnownNumber reports whether run (ASCII digits) is a phone number of a
// known segment: 11 or 13 digits, or one of those after 86 or 0086.
func isKnownNumber(run string) bool {
	if len(run) < 11 || len(run) > 17 {
		return false
	}
	m, err := NormalizeMSISDN(run)
	if err != nil {
		return false
	}
	_, ok := LookupSegment(m)
	return ok
}
