package risk

import (
	"strings"

	"github.com/simrisk/simrisk/risk/ref"
)

// MaskMSISDN hides the middle of a number for display: 13800138000 becomes
// 138****8000. Short or odd input keeps at most its first 3 characters.
func MaskMSISDN(s string) string { return ref.MaskNumber(s) }

// MaskID hides the birth date of a resident ID number for display:
// 11010519491231002X becomes 110105********002X.
func MaskID(s string) string { return ref.MaskID(s) }

// maskText masks every run of 11 or more digits (with a trailing X for ID
// numbers) in s, so that no full number or ID can leave the library in a
// reason or message.
func maskText(s string) string {
	var b *strings.Builder
	last := 0
	for i := 0; i < len(s); {
		if s[i] < '0' || s[i] > '9' {
			i++
			continue
		}
		j := i
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j < len(s) && (s[j] == 'X' || s[j] == 'x') && j-i == 17 {
			j++
		}
		if j-i >= 11 {
			if b == nil {
				b = &strings.Builder{}
			}
			b.WriteString(s[last:i])
			if j-i == 18 || j-i == 15 {
				b.WriteString(MaskID(s[i:j]))
			} else {
				b.WriteString(MaskMSISDN(s[i:j]))
			}
			last = j
		}
		i = j
	}
	if b == nil {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}
