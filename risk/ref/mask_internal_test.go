package ref

import "testing"

// FuzzHasNumber: the sampled HasNumber agrees with a full scan of the
// masker (eachNumber) on every input, whatever separators it holds.
func FuzzHasNumber(f *testing.F) {
	for _, s := range []string{"138.0013.8001", "a 138/0013/8002 b", "138_0013_8003", "138\u200b0013\u200b8004", "138·0013·8010",
		"138。0013。8012", "ID 110105/19491231/002X", "11010519491231002×", "2026-10-29", "x1.2.3.4.5.6.7.8.9.1.2.3", "\xe3\x80138\xe3\x800013\xe3\x808000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		full := false
		eachNumber([]byte(s), func(numberRun) bool { full = true; return false })
		if got := HasNumber([]byte(s)); got != full {
			t.Fatalf("%q: HasNumber %v, full scan %v", s, got, full)
		}
	})
}
