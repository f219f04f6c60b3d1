package vocab

import (
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
