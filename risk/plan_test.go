package risk

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/rules"
)

// The default packs' plan tests the conjuncts their rules share once: valid
// for every rule, the IoT scope for the four IoT rules (through the
// iot_scope and iot_user_rules macros), recycled for the recycled-number
// rules; the rule its parameter switches off is not tested. The expr and
// the CEL pack get the same plan.
func TestDefaultPackPlan(t *testing.T) {
	want := `if valid
  fraud_involved
  multi_card_id
  dormant
  silent
  high_fraud_region
  frequent_alerts
  if verification_pending
    verification_overdue
    verification_pending
  if IOT
    iot_handler_check
    if !iot.test_plan
      iot_nondirected_data
      if SEG149
        iot_149_nondirected
        iot_149_directed
  if recycled
    recycled_short_freeze
    recycled_bound_accounts
`
	// the languages write the shared conjuncts their own way
	norm := regexp.MustCompile(`(?m)if (expr|cel):`)
	iot := regexp.MustCompile(`(?m)^(\s*)if kind in (\[.*\]|\{.*\}|lists\.iot_kinds)$`)
	seg := regexp.MustCompile(`(?m)^(\s*)if segment == "149"$`)
	for _, pack := range []string{"default", "default-cel"} {
		rs, err := rules.Pack(pack)
		require.NoError(t, err)
		e, err := Compile(rs)
		require.NoError(t, err)
		got := norm.ReplaceAllString(describe(e.plan, e.planKeys), "if ")
		got = iot.ReplaceAllString(got, "${1}if IOT")
		got = seg.ReplaceAllString(got, "${1}if SEG149")
		if pack == "default-cel" {
			// CEL's int arithmetic is checked: the deadline sum may overflow,
			// which CEL's && treats apart
			require.Equal(t, 2, strings.Count(got, " (checked arithmetic)\n"), got)
			got = strings.ReplaceAll(got, " (checked arithmetic)", "")
		}
		require.Equal(t, want, got, pack)
	}
}
