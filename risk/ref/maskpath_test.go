package ref_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/risk/ref"
)

// In a path the host gave, digits stay as written unless a run of them is
// a number of a known segment or a valid ID number; the text around the
// path is masked as MaskText masks it.
func TestMaskTextKeepingPaths(t *testing.T) {
	for _, c := range []struct{ text, path, want string }{
		// a temporary directory: MaskText joins 2847561920/001 into one number
		{"/tmp/rules2847561920/001/pack.yaml:3:5: [syntax] bad", "/tmp/rules2847561920/001/pack.yaml",
			"/tmp/rules2847561920/001/pack.yaml:3:5: [syntax] bad"},
		{"/srv/2026/11/01/13800138000.yaml: x", "/srv/2026/11/01/13800138000.yaml", "/srv/2026/11/01/138****8000.yaml: x"},
		{"/srv/8613800138000/p.yaml: x", "/srv/8613800138000/p.yaml", "/srv/861******8000/p.yaml: x"},
		{"/srv/11010519491231002X/p.yaml: x", "/srv/11010519491231002X/p.yaml", "/srv/110105********002X/p.yaml: x"},
		// not a number of a known segment, not a valid ID: kept
		{"/srv/12000138000/11010519491231002Y/p: x", "/srv/12000138000/11010519491231002Y/p", "/srv/12000138000/11010519491231002Y/p: x"},
		// outside the path, everything is masked as always, joined groups too
		{"/tmp/a1234567/001/p.yaml:1:1: test \"138 0013 8000\" failed at 2847561920/001", "/tmp/a1234567/001/p.yaml",
			"/tmp/a1234567/001/p.yaml:1:1: test \"138****8000\" failed at 284******0001"},
		// the path twice; no path given: MaskText
		{"/t/9876543210/1 and /t/9876543210/1", "/t/9876543210/1", "/t/9876543210/1 and /t/9876543210/1"},
		{"/t/9876543210/1", "", "/t/987****2101"},
	} {
		require.Equal(t, c.want, ref.MaskTextKeepingPaths(c.text, c.path), c.text)
	}
	// the longer of two paths that start at one place
	require.Equal(t, "/t/9876543210/1/p: x", ref.MaskTextKeepingPaths("/t/9876543210/1/p: x", "/t", "/t/9876543210/1/p"))
}

func ExampleMaskTextKeepingPaths() {
	path := "/tmp/rules2847561920/001/pack.yaml"
	err := path + `:12:5: test "card 13800138000": rule "dormant" did not fire`
	fmt.Println(ref.MaskText(err))
	fmt.Println(ref.MaskTextKeepingPaths(err, path))
	// Output:
	// /tmp/rules284******0001/pack.yaml:12:5: test "card 138****8000": rule "dormant" did not fire
	// /tmp/rules2847561920/001/pack.yaml:12:5: test "card 138****8000": rule "dormant" did not fire
}
