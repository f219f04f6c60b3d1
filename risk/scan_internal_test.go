package risk

import (
	"fmt"
	"maps"
	"sync/atomic"
	"testing"

	"cel.dev/cel-go/cel"
	"github.com/simrisk/simrisk/rules"
	"github.com/stretchr/testify/require"
)

// scans counts the scans the hook saw.
var scans atomic.Int64

// Every CEL expression any test of the package compiles is scanned both
// ways: scanChecked's one walk must find what usedNames,
// nodesAfterExpansion and needsCST find (a difference panics, and tests
// see compile panics).
func init() {
	scanHook = func(c *celCompiler, a *cel.Ast, used map[string]bool, nodes uint64, cst bool) {
		scans.Add(1)
		if want := usedNames(a); !maps.Equal(used, want) {
			panic(fmt.Sprintf("scanChecked: names %v, usedNames %v", used, want))
		}
		if want := c.nodesAfterExpansion(a); nodes != want {
			panic(fmt.Sprintf("scanChecked: %d nodes, nodesAfterExpansion %d", nodes, want))
		}
		if want := needsCST(a); cst != want {
			panic(fmt.Sprintf("scanChecked: cst %v, needsCST %v", cst, want))
		}
	}
}

// The hook runs: a CEL pack with macros (counted expanded), CST times, a
// message literal and qualified names is compiled with it.
func TestScanCheckedHookRuns(t *testing.T) {
	before := scans.Load()
	rs, err := rules.Parse(rules.Source{Name: "s.yaml", Data: []byte(`language: cel
params: {days: 3}
lists: {hot: {type: region, items: [KH]}, plats: [jd]}
macros:
  m: "valid && complaints > params.days"
  n: "m && roaming.exists(r, r.days_ago < 5 && in_region(r.region, lists.hot))"
bands: [{min: 0, level: low, outcome: pass}]
rules:
  - {id: a, when: "n && m && linked_platforms.exists(p, p in lists.plats)", score: 1, outcome: monitor, reason: "{complaints + params.days}"}
  - {id: b, when: "timestamp('2026-01-01T00:00:00Z').getHours() > 1 && string(timestamp('2026-01-01T00:00:00Z')) != ''", score: 1, outcome: monitor}
`)})
	require.NoError(t, err)
	_, err = Compile(rs, WithLanguage("en"))
	require.NoError(t, err)
	require.GreaterOrEqual(t, scans.Load()-before, int64(4))
}
