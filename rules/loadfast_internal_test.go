package rules

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// The loader's shortcuts around regular expressions and YAML decoding say
// what the long way says: a rule id's check (isRuleID against idRE), a
// plain string that is no number (mayBeNumber before yamlNumberRE), a short
// integer that fits (shortDigits before decoding it).
func TestLoaderShortcutsAgree(t *testing.T) {
	words := []string{"", "a", "r0001", "A1", "1a", "a-b.c_d", "a b", "é", "aé", "a\n", "-", "+", ".", "_a", "z9", "a/b",
		"0", "00", "007", "08", "089", "-1", "+1", "-0", "1_000", "0x1F", "0o17", "0b101", ".5", "1e3", "1e999", ".inf", "-.inf", ".nan",
		"123456789012345678", "1234567890123456789", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
		"-9223372036854775809", "0777777777777777777777", "018446744073709551616", "monitor", "true", "~", "null"}
	for i := 0; i < 300; i++ {
		words = append(words, fmt.Sprintf("%d", int64(i)*31415926535897), fmt.Sprintf("-%019d", i), fmt.Sprintf("r%d.x", i))
	}
	for _, w := range words {
		require.Equal(t, idRE.MatchString(w), isRuleID(w), "%q", w)
		if yamlNumberRE.MatchString(w) {
			require.True(t, mayBeNumber(w), "%q", w)
		}
		for _, src := range []string{w, "'" + w + "'"} {
			var doc yaml.Node
			if yaml.Unmarshal([]byte("v: "+src+"\n"), &doc) != nil || len(doc.Content) == 0 {
				continue
			}
			n := doc.Content[0].Content[1]
			slow := ""
			switch {
			case n.Tag == "!!int":
				var i int64
				if n.Decode(&i) != nil {
					slow = "outside the 64-bit integer range"
				}
			case n.Tag == "!!str" && n.Style == 0 && yamlNumberRE.MatchString(n.Value):
				slow = "too large for a 64-bit number; quote it if it is meant as text"
			case n.Tag == "!!float":
				slow = badNumber(n) // no shortcut there
			}
			require.Equal(t, slow, badNumber(n), "%q", src)
		}
	}
}
