package ref_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

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

func TestSegments1064(t *testing.T) {
	for num, op := range map[string]string{"1064600000001": "unicom", "1064700000001": "cmcc", "1064800000001": "cmcc", "1064900000001": "telecom"} {
		s, ok := ref.LookupSegment(num)
		require.True(t, ok, num)
		require.Equal(t, op, s.Operator, num)
		require.Equal(t, "iot", s.Kind, num)
	}
	_, ok := ref.LookupSegment("10645000000001"[:13])
	require.False(t, ok, "10645 is no segment")
}

func TestAddSegments(t *testing.T) {
	_, ok := ref.LookupSegment("1745000000001")
	require.False(t, ok)
	n := len(ref.Segments())
	require.NoError(t, ref.AddSegments(strings.NewReader("\ufeffprefix,length,operator,kind,mvno,note\n# satellite\n1745,13,telecom,iot,,test only\n")))
	s, ok := ref.LookupSegment("1745000000001")
	require.True(t, ok)
	require.Equal(t, ref.Segment{Prefix: "1745", Length: 13, Operator: "telecom", Kind: "iot"}, s)
	require.Len(t, ref.Segments(), n+1)
	// 11-digit numbers of the same prefix are not covered
	_, ok = ref.LookupSegment("17450000001")
	require.False(t, ok)

	for src, want := range map[string]string{
		"":                            "empty file",
		"1745,13,telecom,iot,false\n": "line 1: the first row must be the header",
		"prefix,length,operator,kind,mvno\n1745,13,vodafone,iot,false\n": `line 2: operator "vo…ne"`,
		"prefix,length,operator,kind,mvno\n1745,13,telecom,car,false\n":  `line 2: kind "car"`,
		"prefix,length,operator,kind,mvno\n17,13,telecom,iot,false\n":    `line 2: prefix "17"`,
		"prefix,length,operator,kind,mvno\n1745,13,telecom,iot,yes\n":    `line 2: mvno "yes"`,
		"prefix,length,operator,kind,mvno\n1745,13,telecom\n":            "line 2: 3 columns",
	} {
		err := ref.AddSegments(strings.NewReader(src))
		require.Error(t, err, src)
		require.Contains(t, err.Error(), want, src)
	}
}

func TestNormalizeMSISDN(t *testing.T) {
	for in, want := range map[string]string{
		"13800138000": "13800138000", "+86 138 0013 8000": "13800138000", "8613800138000": "13800138000",
		"0086 13800138000": "13800138000", "１３８－００１３－８０００": "13800138000", "+86-1064-8000-00001": "1064800000001",
		"861064800000001": "1064800000001", "1064800000001": "1064800000001",
	} {
		got, err := ref.NormalizeMSISDN(in)
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
	}
	for in, want := range map[string]error{
		"1.38001E+10": ref.ErrSciNotation, "1.38001e10": ref.ErrSciNotation, "+1 650 253 0000": ref.ErrMSISDN,
		"1380013800": ref.ErrMSISDN, "23800138000": ref.ErrMSISDN, "138 0013 800O": ref.ErrMSISDN, "": ref.ErrMSISDN,
	} {
		_, err := ref.NormalizeMSISDN(in)
		require.ErrorIs(t, err, want, in)
	}
}

func TestNormalizeIDText(t *testing.T) {
	for _, in := range []string{"11010519491231002X", "11010519491231002x", "110105 19491231 002X", "110105-19491231-002x",
		"１１０１０５１９４９１２３１００２ｘ", "ID:11010519491231002X", "id：11010519491231002X", "身份证：110105 19491231 002X",
		"身份证号:11010519491231002X", "身份证号码 11010519491231002X", "ID No. 110105\u300019491231\u3000002X"} {
		got, ok := ref.NormalizeIDText(in)
		require.True(t, ok, in)
		require.Equal(t, "11010519491231002X", got, in)
	}
	for _, in := range []string{"h-7f3a", "hk-0123456789abcdef0123456789abcdef", "1101051949123100", "IDX11010519491231002X", "a 11010519491231002X"} {
		got, ok := ref.NormalizeIDText(in)
		require.False(t, ok, in)
		require.Equal(t, in, got)
	}
}

func TestMaskText(t *testing.T) {
	for in, want := range map[string]string{
		"no number here":                  "no number here",
		"call 138 0013 8000 now":          "call 138****8000 now",
		"call 138 - 0013 - 8000 now":      "call 138****8000 now",
		"号码：１３８００１３８０００。":                 "号码：138****8000。",
		"ID １１０１０５１９４９１２３１００２ｘ!":          "ID 110105********002X!",
		"score 1.5 13800138000":           "score 1.5 138****8000",
		"13800138000 13900139000":         "138***************9000",
		"dates 2026-10-29 and 2026-11-01": "dates 2026-10-29 and 2026-11-01",
		"𝟏𝟑𝟖𝟎𝟎𝟏𝟑𝟖𝟎𝟎𝟎":                     "138****8000",
	} {
		require.Equal(t, want, ref.MaskText(in), in)
		require.Equal(t, ref.HasNumber([]byte(in)), want != in, in)
	}
}

func TestQuote(t *testing.T) {
	for in, want := range map[string]string{
		"11010519491231002X": `"11…2X"`, "cmcc": `"cmcc"`, "": `""`, "中国移动通信": `"中国…通信"`,
		"a\"b\\c\nd": `"a\"…\x0ad"`, "ab\xffcd\xfe": `"ab…d\ufffd"`,
	} {
		require.Equal(t, want, ref.Quote(in), in)
	}
}

// FuzzNormalize: holder and msisdn normalisation never panic, give only
// canonical text (digits, an 18th character X), and are idempotent; masked
// text is valid UTF-8 when its input is, and holds no run of 11 digits.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"13800138000", "+86 138 0013 8000", "１３８００１３８０００", "0086-1064-8000-00001", "1.38001E+10",
		"身份证：110105 19491231 002x", "ID:11010519491231002X", "h-7f3a", "a 1 2 3 4 5 6 7 8 9 0 1 2", "\xff\xfe13800138000",
		`="11010519491231002X"`, "110105.19491231.002×", "138·0013·8010", "(+86)138.0013.8000", "1,10105E+17", "11010519491231002X.0",
		"身份证号码（18位）：11010519491231002X", "138\u200b0013\u200b8004"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if m, err := ref.NormalizeMSISDN(s); err == nil {
			if (len(m) != 11 && len(m) != 13) || strings.Trim(m, "0123456789") != "" {
				t.Fatalf("%q: msisdn %q is not canonical", s, m)
			}
			if m2, err := ref.NormalizeMSISDN(m); err != nil || m2 != m {
				t.Fatalf("%q: msisdn %q normalises to %q, %v", s, m, m2, err)
			}
		}
		if id, ok := ref.NormalizeIDText(s); ok {
			if !ref.LooksLikeID(id) || strings.Trim(id[:len(id)-1], "0123456789") != "" || strings.ContainsRune(id, 'x') {
				t.Fatalf("%q: ID %q is not canonical", s, id)
			}
			if id2, ok := ref.NormalizeIDText(id); !ok || id2 != id {
				t.Fatalf("%q: ID %q normalises to %q", s, id, id2)
			}
		}
		masked := ref.MaskText(s)
		if utf8.ValidString(s) && !utf8.ValidString(masked) {
			t.Fatalf("%q: masked %q is not valid UTF-8", s, masked)
		}
		if ref.HasNumber([]byte(masked)) {
			t.Fatalf("%q: masked %q still holds a number", s, masked)
		}
		if got := string(ref.AppendMaskedText(nil, []byte(s))); got != masked {
			t.Fatalf("%q: AppendMaskedText %q, MaskText %q", s, got, masked)
		}
	})
}

// Findings of issue 14's second review: numbers and ID numbers written with
// separators other than spaces and dashes are masked in free text; dates
// and short counts are not.
func TestMaskTextAnySeparator(t *testing.T) {
	for _, in := range []string{"138.0013.8001", "138/0013/8002", "138_0013_8003", "138\u200b0013\u200b8004",
		"138*0013*8009", "138·0013·8010", "138,0013,8011", "138。0013。8012", "138\u20600013\ufeff8013",
		"138\u200e\u200f0013\u200d8014", "(138)0013-8015", "138 ,0013; 8016", "1380013800\u00d75"} {
		got := ref.MaskText("reason: " + in + " end")
		require.True(t, strings.Contains(got, "138****80") && strings.HasSuffix(got, " end"), "%q -> %q", in, got)
		require.True(t, ref.HasNumber([]byte("reason: "+in+" end")), in)
		require.True(t, utf8.ValidString(got), got)
	}
	for in, want := range map[string]string{
		"ID 110105/19491231/002X":        "ID 110105********002X",
		"110105.19491231.002x":           "110105********002X",
		"11010519491231002×":             "110105********002X",
		"110105_19491231_002X,":          "110105********002X,",
		"linked 13800138000;13900139000": "linked 138***************9000",
		"on 2026-10-29, 3/4 cards":       "on 2026-10-29, 3/4 cards",
		"12.34.56 and 1,234,567":         "12.34.56 and 1,234,567",
		"约 10。5 元":                       "约 10。5 元",
	} {
		require.Equal(t, want, ref.MaskText(in), in)
		require.Equal(t, want != in, ref.HasNumber([]byte(in)), in)
	}
}

// Issue 14 review, finding 3: raw ID numbers as Excel and BSS exports
// write them are recognised (a valid number only, in the loose spellings).
func TestNormalizeIDTextLoose(t *testing.T) {
	for _, in := range []string{`="11010519491231002X"`, "11010519491231002×", "110105.19491231.002X", "110105_19491231_002X",
		"110105/19491231/002X", "\u200b11010519491231002X\u200b", "'11010519491231002X", "11010519491231002X\r",
		"(11010519491231002X)", "11010519491231002X;", "公民身份号码：11010519491231002X", "身份证号码（18位）：11010519491231002X",
		"身份证号码（18位）11010519491231002X", "ID No.: 110105-19491231-002x", "11010519491231002X.0", "証件:１１０１０５.１９４９１２３１.００２Ｘ"} {
		got, ok := ref.NormalizeIDText(in)
		require.True(t, ok, "%q", in)
		require.Equal(t, "11010519491231002X", got, "%q", in)
	}
	// loose spellings count only for a valid number; keys stay keys
	for _, in := range []string{"110105.19491231.0021", "cust/110105/19491231/0021", "hk-0123456789abcdef0123456789abcdef",
		"110105.19491231.002X.1", "a.11010519491231002X"} {
		_, ok := ref.NormalizeIDText(in)
		require.False(t, ok, "%q", in)
	}
}

// Finding 3 (msisdn) and 17: brackets, dots, slashes and Excel wrappers.
func TestNormalizeMSISDNLoose(t *testing.T) {
	for _, in := range []string{"(+86)13800138000", "+86(138)00138000", "138.0013.8000", "138/0013/8000", `="13800138000"`,
		"'13800138000", "138\u200b0013\u200b8000", "13800138000.0", "+86 138 0013 8000.00"} {
		got, err := ref.NormalizeMSISDN(in)
		require.NoError(t, err, "%q", in)
		require.Equal(t, "13800138000", got, "%q", in)
	}
	for _, in := range []string{"138+0013+8000", "tel 13800138000", "+1 2025550123"} {
		_, err := ref.NormalizeMSISDN(in)
		require.ErrorIs(t, err, ref.ErrMSISDN, "%q", in)
	}
}

// Finding 4: scientific notation with a decimal comma, a label, a space
// or a lower-case e.
func TestIsSciNotationLoose(t *testing.T) {
	for _, in := range []string{"1,10105E+17", "ID:1.10105E+17", "1.10105 E+17", "1.10105e+17", `="1.10105E+17"`, "身份证号：1,10105e17"} {
		require.True(t, ref.IsSciNotation(in), "%q", in)
	}
	_, err := ref.NormalizeMSISDN("1,38001E+10")
	require.ErrorIs(t, err, ref.ErrSciNotation)
	for _, in := range []string{"hk-1e5", "E+17", "1.5", "ID: 11010519491231002X"} {
		require.False(t, ref.IsSciNotation(in), "%q", in)
	}
}

// Issue 14 review, finding 8: a segments file is read as leniently as a
// record file: CR-only line ends (old Mac Excel), a header in any case.
func TestAddSegmentsLineEndsAndCase(t *testing.T) {
	require.NoError(t, ref.AddSegments(strings.NewReader("Prefix,Length,Operator,Kind,MVNO,Note\r1746,11,Telecom,Mobile,FALSE,cr only\r# c\r\n17461,11,telecom,mobile,true,crlf\r\n")))
	s, ok := ref.LookupSegment("17460000001")
	require.True(t, ok)
	require.Equal(t, ref.Segment{Prefix: "1746", Length: 11, Operator: "telecom", Kind: "mobile", MVNO: false}, s)
	s, ok = ref.LookupSegment("17461000001")
	require.True(t, ok)
	require.True(t, s.MVNO)
	err := ref.AddSegments(strings.NewReader("PREFIX,length,operator,kind,mvno\r1747,11,telecom,mobile,false\r1747,12,telecom,mobile,false\r"))
	require.EqualError(t, err, `segments: line 3: length "12": want 11 or 13`)
}

// An ID key file's final newline (or other surrounding white space) is not
// part of the key; a key shorter than MinKeyBytes is refused without being
// shown.
func TestParseKey(t *testing.T) {
	key, err := ref.ParseKey([]byte("  0123456789abcdef\n"))
	require.NoError(t, err)
	require.Equal(t, []byte("0123456789abcdef"), key)
	_, err = ref.ParseKey([]byte("short-secret\n"))
	require.ErrorContains(t, err, "12 bytes")
	require.NotContains(t, err.Error(), "short-secret")

	dir := t.TempDir()
	path := filepath.Join(dir, "id.key")
	require.NoError(t, os.WriteFile(path, []byte("0123456789abcdef\r\n"), 0o600))
	fromFile, err := ref.ReadKeyFile(path)
	require.NoError(t, err)
	require.Equal(t, key, fromFile)
	_, err = ref.ReadKeyFile(filepath.Join(dir, "missing.key"))
	require.ErrorIs(t, err, os.ErrNotExist)
}

// QuoteValue shows a non-personal field's wrong value whole (a typo in an
// enumeration, an impossible date, a short number) and masks what could be
// a phone or ID number, as Quote does.
func TestQuoteValue(t *testing.T) {
	for in, want := range map[string]string{
		"actve": `"actve"`, "2026-13-20": `"2026-13-20"`, "123456": `"123456"`,
		"yesterday": `"yesterday"`, "a\"b": `"a\"b"`,
		"13800138000": `"13…00"`, "138-0013-8000": `"13…00"`, "11010519491231002X": `"11…2X"`, "1234567": `"12…67"`,
		"20261320": `"20…20"`, strings.Repeat("x", 41): `"xx…xx"`,
		"2026.10.01": `"2026.10.01"`, "20261001": `"20261001"`, "01/10/2026": `"01/10/2026"`,
		"13800138": `"13…38"`, "1380013800": `"13…00"`,
	} {
		require.Equal(t, want, ref.QuoteValue(in), in)
	}
}
