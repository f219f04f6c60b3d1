package risk_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/risk"
)

// A number written with +86, spaces, dashes or full-width digits is the
// same card: Validate writes its canonical digits.
func TestValidateCanonicalMSISDN(t *testing.T) {
	for _, in := range []string{
		"13800138000", "+86 138 0013 8000", "+8613800138000", "8613800138000", "0086-138-0013-8000",
		"138-0013-8000", "１３８００１３８０００", "＋８６ １３８ ００１３ ８０００", " 138 0013 8000 ",
	} {
		r := &risk.Record{MSISDN: in, OpenedAt: risk.Date(2025, 1, 1)}
		require.NoError(t, r.Validate(asOf), in)
		require.Equal(t, "13800138000", r.MSISDN, in)
	}
	r := &risk.Record{MSISDN: "+86 1064 8000 00001", OpenedAt: risk.Date(2025, 1, 1)}
	require.NoError(t, r.Validate(asOf))
	require.Equal(t, "1064800000001", r.MSISDN)
	require.Equal(t, "iot", r.Kind)

	for in, want := range map[string]string{
		"1.38001E+10":     `msisdn: "1.…10" is a number in scientific notation`,
		"+1 650 253 0000": `msisdn: "+1…00" is not an 11- or 13-digit number`,
		"138001380000":    `msisdn: "13…00" is not an 11- or 13-digit number`,
		"23800138000":     `msisdn: "23…00" is not an 11- or 13-digit number`,
	} {
		r := &risk.Record{MSISDN: in, OpenedAt: risk.Date(2025, 1, 1)}
		err := r.Validate(asOf)
		require.ErrorIs(t, err, risk.ErrInvalidRecord, in)
		require.True(t, strings.HasPrefix(err.Error(), want), "%s: %v", in, err)
	}
}

// A raw ID number in any spelling is refused as a holder, shown masked.
func TestValidateRawIDInAnySpelling(t *testing.T) {
	for _, in := range []string{
		"11010519491231002X", "11010519491231002x", "110105 19491231 002X", "110105-19491231-002x",
		"１１０１０５１９４９１２３１００２Ｘ", "ID:11010519491231002X", "ID：110105 19491231 002X",
		"身份证：11010519491231002X", "身份证号:110105194912310 02x", "id: 110105491231002",
	} {
		r := &risk.Record{MSISDN: "13800138000", OpenedAt: risk.Date(2025, 1, 1), Holder: in}
		err := r.Validate(asOf)
		require.ErrorIs(t, err, risk.ErrInvalidRecord, in)
		require.Contains(t, err.Error(), "holder: is a raw ID number (110105", in)
		require.NotContains(t, err.Error(), "19491231", in)
	}
	for _, key := range []string{"h-7f3a", "hk-0123456789abcdef0123456789abcdef", "h-1", "holder 42"} {
		r := &risk.Record{MSISDN: "13800138000", OpenedAt: risk.Date(2025, 1, 1), Holder: key}
		require.NoError(t, r.Validate(asOf), key)
		require.Equal(t, key, r.Holder, "a key is used as it is")
	}
	r := &risk.Record{MSISDN: "13800138000", OpenedAt: risk.Date(2025, 1, 1), Holder: "1.10105E+17"}
	err := r.Validate(asOf)
	require.ErrorIs(t, err, risk.ErrInvalidRecord)
	require.Contains(t, err.Error(), "export the column as text")
}

// A segment the table does not know is no reason to refuse a card whose
// record says its operator; without one, the error names only the prefix.
func TestValidateUnknownSegment(t *testing.T) {
	r := &risk.Record{MSISDN: "17400000001", Operator: "telecom", OpenedAt: risk.Date(2025, 1, 1)}
	require.NoError(t, r.Validate(asOf))
	require.Equal(t, "mobile", r.Kind)
	r = &risk.Record{MSISDN: "1749000000001", Operator: "telecom", Kind: "iot", OpenedAt: risk.Date(2025, 1, 1)}
	require.NoError(t, r.Validate(asOf))
	r = &risk.Record{MSISDN: "17490000001", Kind: "mobile", OpenedAt: risk.Date(2025, 1, 1)}
	err := r.Validate(asOf)
	require.ErrorIs(t, err, risk.ErrInvalidRecord)
	require.Contains(t, err.Error(), "starts 174…;")
	require.NotContains(t, err.Error(), "1749")
}

// Values that are not what their field expects are quoted only masked,
// whatever they hold, and never cut a character in half.
func TestValidateQuotesWrongValuesMasked(t *testing.T) {
	for _, c := range []struct {
		mod  func(*risk.Record)
		want string
	}{
		{func(r *risk.Record) { r.Status = "11010519491231002X" }, `status: unknown status "11…2X"`},
		{func(r *risk.Record) { r.Operator = "138 0013 8000" }, `operator: unknown operator "13…00"`},
		{func(r *risk.Record) { r.FraudFlag = "１３８００１３８０００" }, `fraud_flag: unknown source "１３…００"`},
		{func(r *risk.Record) { r.OpenRegion = "138-0013-8000" }, `open_region: "13…00" is not`},
		{func(r *risk.Record) { r.IDRegion = "110105194912" }, `id_region: "11…12" is not`},
		// values that could not be a phone or ID number show whole: the
		// analyst sees the typo
		{func(r *risk.Record) { r.Kind = "中国移动物联网" }, `kind: unknown kind "中国移动物联网"`},
		{func(r *risk.Record) { r.IDRegion = "h-7f3a9c" }, `id_region: "h-7f3a9c" is not`},
		{func(r *risk.Record) { r.Status = "actve" }, `status: unknown status "actve"`},
		{func(r *risk.Record) { r.IDRegion = "11010" }, `id_region: "11010" is not`},
	} {
		r := &risk.Record{MSISDN: "13800138000", OpenedAt: risk.Date(2025, 1, 1)}
		c.mod(r)
		err := r.Validate(asOf)
		require.ErrorIs(t, err, risk.ErrInvalidRecord)
		require.True(t, strings.HasPrefix(err.Error(), c.want), "%v", err)
	}
}
