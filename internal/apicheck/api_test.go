package apicheck

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite testdata/api.txt (refused while README.md's Changelog does not name a removed or changed name)")

const root = "../.."

func readLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

// changelog is the Changelog section of README.md.
func changelog(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "README.md"))
	require.NoError(t, err)
	s := string(b)
	i := strings.Index(s, "\n## Changelog\n")
	require.GreaterOrEqual(t, i, 0, "README.md has no ## Changelog section")
	s = s[i+1:]
	if j := strings.Index(s[3:], "\n## "); j >= 0 {
		s = s[:j+3]
	}
	return s
}

var lineRE = regexp.MustCompile(`^pkg ([^,]+), (?:func|var|const|type) ([A-Za-z0-9_]+)(?:\[[^\]]*\])?(?:.*? (?:struct|interface), (?:embedded )?\*?([A-Za-z0-9_.]+))?|^pkg ([^,]+), method \(\*?([A-Za-z0-9_]+)(?:\[[^\]]*\])?\) ([A-Za-z0-9_]+)`)

// names are what a changelog entry must name for a line: pkg.Name for a
// package-level name (risk.Operators), Type and Member for a field, method
// or interface method (Reject, EndLine).
func names(line string) []string {
	m := lineRE.FindStringSubmatch(line)
	if m == nil {
		return []string{line}
	}
	if m[4] != "" { // a method
		return []string{m[5], m[6]}
	}
	pkg := filepath.Base(m[1])
	if m[3] != "" {
		member := m[3][strings.LastIndexByte(m[3], '.')+1:]
		return []string{m[2], member}
	}
	return []string{pkg + "." + m[2]}
}

// unnoted returns the lines of breaking changes from old to cur that the
// changelog does not name: each line of old that cur lacks (removed, or
// changed: a changed line is removed and added), and each method added to
// an interface of old that hosts may implement (no unexported methods).
func unnoted(old, cur []string, log string) []string {
	has := map[string]bool{}
	for _, l := range cur {
		has[l] = true
	}
	had := map[string]bool{}
	for _, l := range old {
		had[l] = true
	}
	var breaking []string
	for _, l := range old {
		if !has[l] {
			breaking = append(breaking, l)
		}
	}
	for _, l := range cur {
		head, _, ok := strings.Cut(l, " interface, ")
		if ok && !had[l] && had[head+" interface"] && !had[head+" interface, unexported methods"] {
			breaking = append(breaking, l)
		}
	}
	var out []string
	for _, l := range breaking {
		for _, n := range names(l) {
			if !strings.Contains(log, n) {
				out = append(out, l+"    (the changelog does not name "+n+")")
				break
			}
		}
	}
	return out
}

// The exported API of the public packages is testdata/api.txt, and a host
// never loses a name without a note: this fails while a line of the listing
// is removed or changed in the code (or a method is added to an interface
// hosts implement) and README.md's Changelog does not name it. Additions
// pass; rewrite the listing with -update (refused on the same condition)
// so the next change is measured from today's API.
func TestAPIChangesNoted(t *testing.T) {
	cur, err := ListAll(root)
	require.NoError(t, err)
	golden := filepath.Join("testdata", "api.txt")
	want := readLines(t, golden)
	missing := unnoted(want, cur, changelog(t))
	require.Empty(t, missing, "a host that used these stops compiling: say so in README.md's Changelog (what changed, what to write instead), then run\n\tgo test ./internal/apicheck -run TestAPIChangesNoted -update\n%s", strings.Join(missing, "\n"))
	if *update {
		require.NoError(t, os.WriteFile(golden, []byte(strings.Join(cur, "\n")+"\n"), 0o644))
		return
	}
	if !slices.Equal(want, cur) {
		var diff []string
		for _, l := range want {
			if !slices.Contains(cur, l) {
				diff = append(diff, "- "+l)
			}
		}
		for _, l := range cur {
			if !slices.Contains(want, l) {
				diff = append(diff, "+ "+l)
			}
		}
		t.Logf("the exported API changed (noted where it had to be); record it with\n\tgo test ./internal/apicheck -run TestAPIChangesNoted -update\n%s", strings.Join(diff, "\n"))
	}
}

// Every name removed or changed since issue 15's work began is in the
// changelog: testdata/api-9da665e.txt is this listing at commit 9da665e
// (the last commit before issue 15's first, 456b3e7).
func TestChangelogCoversAPISinceIssue15(t *testing.T) {
	cur, err := ListAll(root)
	require.NoError(t, err)
	missing := unnoted(readLines(t, filepath.Join("testdata", "api-9da665e.txt")), cur, changelog(t))
	require.Empty(t, missing, "README.md's Changelog must name these:\n%s", strings.Join(missing, "\n"))
}

// The check itself: a removed name, a changed signature and a method added
// to an interface hosts implement need their note; additions do not.
func TestUnnoted(t *testing.T) {
	old := []string{
		"pkg risk, func WithPopulation(*Population) ScoreOption",
		"pkg datasets, type Reject struct",
		"pkg datasets, type Reject struct, EndLine int",
		"pkg risk/live, type Hooks interface",
		"pkg risk, type FeatureSource interface",
		"pkg risk, type FeatureSource interface, unexported methods",
	}
	cur := []string{
		"pkg risk, func WithPopulation(FeatureSource) ScoreOption",
		"pkg datasets, type Reject struct",
		"pkg risk/live, type Hooks interface",
		"pkg risk/live, type Hooks interface, ShadowFailed(*risk.Decision, *risk.Decision, error)",
		"pkg risk, type FeatureSource interface",
		"pkg risk, type FeatureSource interface, Features(*Record) Features",
		"pkg risk, type FeatureSource interface, unexported methods",
		"pkg risk, func Added() int",
	}
	got := unnoted(old, cur, "")
	require.Len(t, got, 3, "%q", got)
	require.Contains(t, got[0], "risk.WithPopulation")
	require.Contains(t, got[1], "EndLine")
	require.Contains(t, got[2], "ShadowFailed")
	require.Empty(t, unnoted(old, cur, "`risk.WithPopulation` takes … `datasets.Reject` lost `EndLine`; `live.Hooks` has `ShadowFailed`"))
}

// Packages lists every importable package of the module that is not
// internal or a command.
func TestPackagesListed(t *testing.T) {
	var found []string
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			base := d.Name()
			if rel != "." && (base == "internal" || base == "testdata" || base == "examples" || strings.HasPrefix(base, ".") || strings.HasPrefix(base, "_")) {
				return filepath.SkipDir
			}
			if rel != "." {
				if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
					return filepath.SkipDir // a nested module
				}
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if regexp.MustCompile(`(?m)^package main$`).Match(b) {
			return nil
		}
		dir := filepath.ToSlash(filepath.Dir(rel))
		if !slices.Contains(found, dir) {
			found = append(found, dir)
		}
		return nil
	})
	require.NoError(t, err)
	slices.Sort(found)
	require.Equal(t, found, Packages())
}
