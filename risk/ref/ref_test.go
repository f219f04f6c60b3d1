package ref_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/risk/ref"
)

func TestSegments(t *testing.T) {
	cases := []struct {
		msisdn, op, kind string
		mvno             bool
	}{
		{"14912345678", "telecom", "data_card", false},
		{"1440123456789", "cmcc", "iot", false},
		{"1441123456789", "cmcc", "iot", false},
		{"1480123456789", "cmcc", "iot", false},
		{"1460123456789", "unicom", "iot", false},
		{"1410123456789", "telecom", "iot", false},
		{"17112345678", "unicom", "mobile", true},
		{"17031234567", "cmcc", "mobile", true},
		{"17001234567", "telecom", "mobile", true},
		{"13412345678", "cmcc", "mobile", false},
		{"13492345678", "telecom", "mobile", false}, // 1349 is telecom inside cmcc's 134
		{"19212345678", "broadnet", "mobile", false},
	}
	for _, c := range cases {
		s, ok := ref.LookupSegment(c.msisdn)
		require.True(t, ok, c.msisdn)
		require.Equal(t, c.op, s.Operator, c.msisdn)
		require.Equal(t, c.kind, s.Kind, c.msisdn)
		require.Equal(t, c.mvno, s.MVNO, c.msisdn)
	}
	_, ok := ref.LookupSegment("12012345678")
	require.False(t, ok)
}

func TestDivisions(t *testing.T) {
	d, ok := ref.LookupDivision("350802")
	require.True(t, ok)
	require.Equal(t, ref.Division{Code: "350802", Name: "新罗区", FullName: "福建省龙岩市新罗区", Level: "county", First: "200212", Last: "202306"}, d)
	require.True(t, d.Current())
	d, ok = ref.LookupDivision("530902")
	require.True(t, ok)
	require.Equal(t, "云南省临沧市临翔区", d.FullName)
	p, _ := ref.LookupDivision("530900")
	require.Equal(t, "prefecture", p.Level)
	// abolished codes are kept: 440923 电白县 became 440904 电白区 in 2014
	old, ok := ref.LookupDivision("440923")
	require.True(t, ok)
	require.False(t, old.Current())
	require.Equal(t, "电白县", old.Name)
	_, ok = ref.LookupDivision("999999")
	require.False(t, ok)
	require.Greater(t, ref.Divisions(), 3500)

	require.Equal(t, "Cambodia", ref.RegionName("KH"))
	require.Equal(t, "海南省儋州市", ref.RegionName("460400"))
	require.Equal(t, "ZZ", ref.RegionName("ZZ"))
	require.True(t, ref.KnownRegion("TH"))
	require.False(t, ref.KnownRegion("XX"))
}

func TestIDNumbers(t *testing.T) {
	for _, id := range []string{"11010519491231002X", "440524188001010014", "11010519491231002x"} {
		require.NoError(t, ref.ValidateID(id), id)
	}
	require.Equal(t, byte('X'), ref.IDCheckChar("11010519491231002"))
	cases := map[string]error{
		"110105194912310021": ref.ErrIDCheck,
		"11010519491331002X": ref.ErrIDBirth,
		"99010519491231002X": ref.ErrIDDivision,
		"1101051949123100X2": ref.ErrIDChars,
		"1101051949":         ref.ErrIDLength,
		"110105491231002":    nil, // old 15-digit card, born 1949
		"110105491331002":    ref.ErrIDBirth,
	}
	for id, want := range cases {
		err := ref.ValidateID(id)
		if want == nil {
			require.NoError(t, err, id)
			continue
		}
		require.ErrorIs(t, err, want, id)
		require.NotContains(t, err.Error(), id)
	}
	require.Equal(t, "11010519491231002X", ref.NormalizeID("11010519491231002x"))
	require.Equal(t, 18, len(ref.NormalizeID("110105491231002")))
	require.NoError(t, ref.ValidateID(ref.NormalizeID("110105491231002")))

	require.Equal(t, "110105********002X", ref.MaskID("11010519491231002X"))
	require.Equal(t, "138****5678", ref.MaskNumber("13812345678"))
	require.True(t, ref.LooksLikeID("11010519491231002X"))
	require.False(t, ref.LooksLikeID("h-7f3a"))
}

func TestHolderKey(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	a, err := ref.HolderKey(key, "11010519491231002X")
	require.NoError(t, err)
	require.Regexp(t, `^hk-[0-9a-f]{32}$`, a)
	b, _ := ref.HolderKey(key, "11010519491231002x")
	require.Equal(t, a, b, "the same ID gives the same key")
	c, _ := ref.HolderKey([]byte("another key, also 32 bytes long!"), "11010519491231002X")
	require.NotEqual(t, a, c, "another host key gives another key")
	old, _ := ref.HolderKey(key, "110105491231002")
	neu, _ := ref.HolderKey(key, ref.NormalizeID("110105491231002"))
	require.Equal(t, old, neu, "an old 15-digit number and its 18-digit form are one person")
	_, err = ref.HolderKey(key, "110105194912310021")
	require.ErrorIs(t, err, ref.ErrIDCheck)
	_, err = ref.HolderKey([]byte("short"), "11010519491231002X")
	require.Error(t, err)
}
