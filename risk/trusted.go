package risk

import (
	"github.com/simrisk/simrisk/internal/trusted"
	"github.com/simrisk/simrisk/risk/ref"
)

func init() {
	trusted.MarkValid = func(rec any, asOf int64) bool {
		r, ok := rec.(*Record)
		return ok && r.markValid(Time(asOf))
	}
}

// markValid gives r what Validate gives a valid record (the canonical
// number, its segment, the operator and kind derived from it, the mark
// that it was validated at asOf) without checking the values Validate
// only checks: for a record decoded from bytes that an earlier reading
// validated at asOf (datasets.ScoreFile's scoring pass). The limits on
// sizes, which bound the cost of scoring, are checked still. It reports
// false when r must be validated the usual way (its number or segment
// does not derive, a size is over its limit, a required field is absent).
// Validate's side effects must be the same as these: TestMarkValidSameAsValidate.
func (r *Record) markValid(asOf Time) bool {
	if asOf == 0 || r.stored() || len(r.Roaming) > MaxRoaming || len(r.LinkedPlatforms) > MaxLinkedPlatforms ||
		len(r.Holder) > MaxTextBytes || len(r.MVNO) > MaxTextBytes || r.MSISDN == "" || r.OpenedAt == 0 {
		return false
	}
	for _, p := range r.LinkedPlatforms {
		if len(p) > MaxTextBytes {
			return false
		}
	}
	m, err := ref.NormalizeMSISDN(r.MSISDN)
	if err != nil {
		return false
	}
	if m != r.MSISDN {
		r.MSISDN = m
	}
	seg, segOK := ref.LookupSegment(r.MSISDN)
	if !r.derive(seg, segOK) {
		return false
	}
	r.seg, r.segOK = seg, segOK
	r.validAt, r.validFP = asOf, r.fingerprint()
	return true
}
