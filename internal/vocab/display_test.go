package vocab

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Every value of every enumerated field has a display name in both
// languages, and a value that two enumerations share means the same in
// both (display() looks values up without their field).
func TestEveryEnumValueHasDisplayNames(t *testing.T) {
	byName := map[string]Enumeration{}
	for _, e := range Enumerations() {
		byName[e.Name] = e
		require.Len(t, e.Names, len(e.Values), e.Name)
		for _, v := range e.Values {
			d, ok := e.Names[v]
			require.True(t, ok, "%s: %s has no display name", e.Name, v)
			require.NotEmpty(t, d.Zh, "%s: %s", e.Name, v)
			require.NotEmpty(t, d.En, "%s: %s", e.Name, v)
			require.NotEqual(t, v, d.Zh, "%s: %s has no Chinese name", e.Name, v)
		}
	}
	for _, f := range Fields() {
		if len(f.Enum) == 0 {
			continue
		}
		e, ok := byName[f.Name]
		require.True(t, ok, "field %s is enumerated but has no display names", f.Name)
		require.Equal(t, f.Enum, e.Values, f.Name)
	}
	seen := map[string]Display{}
	for _, e := range Enumerations() {
		for v, d := range e.Names {
			if prev, ok := seen[v]; ok {
				require.Equal(t, prev, d, "value %q means two things", v)
			}
			seen[v] = d
		}
	}
	n, ok := DisplayName("police", "zh")
	require.True(t, ok)
	require.Equal(t, "公安机关", n)
	n, ok = DisplayName("police", "en")
	require.True(t, ok)
	require.Equal(t, "police", n)
	n, ok = DisplayName("wechat", "zh")
	require.False(t, ok)
	require.Equal(t, "wechat", n)
}

// No two values share a display name in either language, within one
// enumeration or across them (a card's status and a decision's outcome
// are printed side by side: "已停机" is a state, "停机" the action): a
// reader can always tell which value was meant.
func TestDisplayNamesDistinct(t *testing.T) {
	for _, lang := range []string{"zh", "en"} {
		owner := map[string]string{} // display name -> "enumeration.value"
		for _, e := range Enumerations() {
			for _, v := range e.Values {
				name, ok := DisplayName(v, lang)
				require.True(t, ok)
				if prev, ok := owner[name]; ok && !strings.HasSuffix(prev, "."+v) {
					t.Errorf("%s: %s.%s and %s are both shown as %q", lang, e.Name, v, prev, name)
				}
				owner[name] = e.Name + "." + v
			}
		}
	}
	st, _ := DisplayName("suspended", "zh")
	oc, _ := DisplayName("suspend", "zh")
	require.NotEqual(t, st, oc, "status suspended and outcome suspend")
}
