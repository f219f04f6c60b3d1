package main

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
)

// curlExample is a curl command of README.md and the status it says it gets.
var curlExample = regexp.MustCompile(`(?m)^(curl .*)\n# → (\d{3})$`)

// The curl examples of README.md work as written: run in order, with curl,
// against the program started as README says (`go run .`, on a free port
// instead of 8080), each gets the status README shows.
func TestREADMECurlExamples(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("curl is not installed (.ci/run installs it): the README's curl examples are not run")
	}
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	examples := curlExample.FindAllStringSubmatch(string(readme), -1)
	require.GreaterOrEqual(t, len(examples), 10)
	base, _, stop := startRun(t)
	addr := strings.TrimPrefix(base, "http://")
	seen := map[string]bool{}
	for _, ex := range examples {
		line := strings.ReplaceAll(ex[1], "127.0.0.1:8080", addr)
		cmd := exec.Command("bash", "-c", line+` -o /dev/null -w '%{http_code}'`)
		cmd.Env = append(os.Environ(), "PATH="+strings.TrimSuffix(curl, "/curl")+":"+os.Getenv("PATH"))
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s: %s", ex[1], out)
		require.Equal(t, ex[2], string(out), ex[1])
		fields := strings.Fields(ex[1])
		seen[fields[len(fields)-1]] = true
	}
	// every endpoint has an example
	for _, path := range []string{"/v1/cards?", "/v1/cards/13800138000/decision", "/v1/cards/13800138000'", "/v1/score?", "/v1/score/batch?", "/v1/rules", "/-/reload", "/healthz", "/metrics"} {
		found := false
		for url := range seen {
			found = found || strings.Contains(url, path)
		}
		require.True(t, found, "README.md has no curl example of %s", path)
	}
	require.Equal(t, 0, stop())
}

// README.md shows Example_embed as it is in example_embed_test.go.
func TestREADMEShowsExampleEmbed(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	src, err := os.ReadFile("example_embed_test.go")
	require.NoError(t, err)
	s := string(src)
	hooks := s[strings.Index(s, "// outcomes is a host"):strings.Index(s, "// The server's parts")]
	body := s[strings.Index(s, "func Example_embed() {\n")+len("func Example_embed() {\n") : strings.Index(s, "\t// Output:")]
	body = strings.SplitN(body, "asOf := risk.Date(2026, 11, 1)\n", 2)[1]
	var dedented strings.Builder
	for _, l := range strings.SplitAfter(body, "\n") {
		dedented.WriteString(strings.TrimPrefix(l, "\t"))
	}
	require.Contains(t, string(readme), hooks, "README.md's Hooks example differs from example_embed_test.go")
	require.Contains(t, string(readme), dedented.String(), "README.md's embedding example differs from Example_embed")
}

// TestREADMEMetricsTable keeps the README's metrics table and the registry
// the same set of simrisk_ metrics: a metric documented but not served (or
// served but not documented) fails.
func TestREADMEMetricsTable(t *testing.T) {
	text, err := os.ReadFile("README.md")
	require.NoError(t, err)
	documented := map[string]bool{}
	for _, m := range regexp.MustCompile("(?m)^\\| `(simrisk_[a-z_]+)` \\|").FindAllStringSubmatch(string(text), -1) {
		documented[m[1]] = true
	}
	// every collector's descriptions (a vector with no series yet is not
	// gathered, but it describes itself)
	served := map[string]bool{}
	fqName := regexp.MustCompile(`fqName: "(simrisk_[a-z_]+)"`)
	for _, c := range newMetrics(func() int { return 0 }).all {
		descs := make(chan *prometheus.Desc, 16)
		go func() { c.Describe(descs); close(descs) }()
		for d := range descs {
			if m := fqName.FindStringSubmatch(d.String()); m != nil {
				served[m[1]] = true
			}
		}
	}
	require.NotEmpty(t, served)
	require.Equal(t, served, documented)
}
