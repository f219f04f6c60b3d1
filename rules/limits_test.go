package rules_test

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/risk/ref"
	"github.com/simrisk/simrisk/rules"
)

// small returns DefaultLimits with one limit changed.
func small(name string, v uint64) rules.Limits {
	l := rules.DefaultLimits()
	if err := l.Set(name, fmt.Sprint(v)); err != nil {
		panic(err)
	}
	return l
}

func loader(t *testing.T, opts ...rules.LoadOption) *rules.Loader {
	t.Helper()
	ld, err := rules.NewLoader(opts...)
	require.NoError(t, err)
	return ld
}

// requireLimit asserts that err holds exactly one too_large error, that it
// names the limit with its value, and returns it.
func requireLimit(t *testing.T, err error, name string, value uint64) *rules.Error {
	t.Helper()
	require.ErrorIs(t, err, rules.CodeTooLarge)
	var found *rules.Error
	for _, e := range rules.AsList(err) {
		if e.Code == rules.CodeTooLarge {
			require.Nil(t, found, "two too_large errors: %v", err)
			found = e
		}
	}
	require.Contains(t, found.Msg, fmt.Sprintf("over the limit %s=%d", name, value))
	return found
}

func TestNewLoaderRefusesBadLimits(t *testing.T) {
	_, err := rules.NewLoader(rules.WithLimits(rules.Limits{MaxFiles: 3}))
	require.ErrorContains(t, err, "start from DefaultLimits")
}

// Every limit the loader enforces: the error names it, at the offending item.
func TestLoadLimits(t *testing.T) {
	cases := []struct {
		limit string
		value uint64
		src   string
		at    rules.Pos
		msg   string
	}{
		{"max_list_items", 3, "lists:\n  x: [a, b, c, d]\n", rules.Pos{File: "f.yaml", Line: 2, Column: 6},
			`list "x" has 4 items: over the limit max_list_items=3`},
		{"max_list_items", 3, "lists:\n  x: {type: region, items: [KH, MM, LA, TH]}\n", rules.Pos{File: "f.yaml", Line: 2, Column: 28},
			`list "x" has 4 items: over the limit max_list_items=3`},
		{"max_list_items", 2, "tests:\n  - {name: t, as_of: 2026-11-01, card: {}, expect: {fires: [a, b, c]}}\n",
			rules.Pos{File: "f.yaml", Line: 2, Column: 60}, "fires has 3 items: over the limit max_list_items=2"},
		{"max_list_items", 2, "tests:\n  - {name: t, as_of: 2026-11-01, card: {roaming: [{region: KH}, {region: KH}, {region: KH}]}, expect: {}}\n",
			rules.Pos{File: "f.yaml", Line: 2, Column: 50}, "card: a list of 3 items: over the limit max_list_items=2"},
		{"max_tags", 2, "rules:\n  - {id: a, when: valid, outcome: pass, tags: [x, y, z]}\n", rules.Pos{File: "f.yaml", Line: 2, Column: 47},
			"rule has 3 tags: over the limit max_tags=2"},
		{"max_reason_bytes", 10, "rules:\n  - {id: a, when: valid, outcome: pass, reason: 'eleven byte'}\n", rules.Pos{File: "f.yaml", Line: 2, Column: 49},
			"reason is 11 bytes: over the limit max_reason_bytes=10"},
		{"max_reason_bytes", 10, "rules:\n  - {id: a, when: valid, outcome: pass, reason: {en: short, zh: 'eleven byte'}}\n", rules.Pos{File: "f.yaml", Line: 2, Column: 65},
			"reason is 11 bytes: over the limit max_reason_bytes=10"},
		{"max_tests", 1, "tests:\n  - {name: a, as_of: 2026-11-01, card: {}, expect: {}}\n  - {name: b, as_of: 2026-11-01, card: {}, expect: {}}\n",
			rules.Pos{File: "f.yaml", Line: 3, Column: 5}, "test 2 of the rule set: over the limit max_tests=1"},
		{"max_file_bytes", 10, "rules: []\n# more\n", rules.Pos{File: "f.yaml"}, "file is 17 bytes: over the limit max_file_bytes=10"},
	}
	for _, c := range cases {
		t.Run(c.limit+" "+c.msg, func(t *testing.T) {
			ld := loader(t, rules.WithLimits(small(c.limit, c.value)))
			rs, err := ld.Parse(rules.Source{Name: "f.yaml", Data: []byte(c.src)})
			e := requireLimit(t, err, c.limit, c.value)
			require.Equal(t, c.at, e.Pos)
			require.Equal(t, c.msg, e.Msg)
			require.Equal(t, err, rs.Err(), "the RuleSet remembers its load errors")
			// the default limits take the same file
			_, err = rules.Parse(rules.Source{Name: "f.yaml", Data: []byte(c.src)})
			require.NotErrorIs(t, err, rules.CodeTooLarge)
		})
	}
}

func TestMaxTestsAcrossFiles(t *testing.T) {
	test := "tests:\n  - {name: %s, as_of: 2026-11-01, card: {}, expect: {}}\n"
	ld := loader(t, rules.WithLimits(small("max_tests", 1)))
	rs, err := ld.Parse(rules.Source{Name: "a_test.yaml", Data: fmt.Appendf(nil, test, "a")},
		rules.Source{Name: "b_test.yaml", Data: fmt.Appendf(nil, test, "b")},
		rules.Source{Name: "c_test.yaml", Data: fmt.Appendf(nil, test, "c")})
	e := requireLimit(t, err, "max_tests", 1)
	require.Equal(t, "b_test.yaml", e.File)
	require.Len(t, rs.Tests, 1)
}

func TestMaxFiles(t *testing.T) {
	fsys := fstest.MapFS{}
	for i := range 4 {
		fsys[fmt.Sprintf("set/r%d.yaml", i)] = &fstest.MapFile{Data: []byte("rules: []\n")}
	}
	ld := loader(t, rules.WithLimits(small("max_files", 3)))
	rs, err := ld.LoadFS(fsys, "set")
	e := requireLimit(t, err, "max_files", 3)
	require.Equal(t, "set", e.File)
	require.Equal(t, "more than 3 rule files: over the limit max_files=3", e.Msg)
	require.Len(t, rs.Files, 3)

	_, err = ld.Parse(rules.Source{Name: "a"}, rules.Source{Name: "b"}, rules.Source{Name: "c"}, rules.Source{Name: "d"})
	requireLimit(t, err, "max_files", 3)

	_, err = loader(t, rules.WithLimits(small("max_files", 4))).LoadFS(fsys, "set")
	require.NoError(t, err)
}

// A 50 MB rule file is refused by its size, before it is read: the file is
// sparse, and the message gives the size Stat reported.
func TestMaxFileBytesCheckedBeforeReading(t *testing.T) {
	f := filepath.Join(t.TempDir(), "big.yaml")
	require.NoError(t, os.WriteFile(f, nil, 0o644))
	require.NoError(t, os.Truncate(f, 50<<20))
	_, err := rules.Load(f)
	e := requireLimit(t, err, "max_file_bytes", 4<<20)
	require.Equal(t, "file is 52428800 bytes: over the limit max_file_bytes=4194304", e.Msg)
	require.Equal(t, rules.Pos{File: f}, e.Pos)
}

// lyingFS reports every file as empty: the read itself must stop at the limit.
type lyingFS struct{ fstest.MapFS }

type lyingInfo struct{ fs.FileInfo }

func (lyingInfo) Size() int64 { return 0 }

func (l lyingFS) Stat(name string) (fs.FileInfo, error) {
	st, err := l.MapFS.Stat(name)
	if err != nil || st.IsDir() {
		return st, err
	}
	return lyingInfo{st}, nil
}

func TestMaxFileBytesBoundsTheRead(t *testing.T) {
	fsys := lyingFS{fstest.MapFS{"r.yaml": {Data: []byte(strings.Repeat("# comment\n", 100))}}}
	_, err := loader(t, rules.WithLimits(small("max_file_bytes", 64))).LoadFS(fsys, "r.yaml")
	e := requireLimit(t, err, "max_file_bytes", 64)
	require.Equal(t, "file has more than 64 bytes: over the limit max_file_bytes=64", e.Msg)
}

func TestRuleFileMustBeRegular(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	_, err := rules.Load("/dev/zero")
	require.ErrorIs(t, err, rules.CodeIO)
	require.ErrorContains(t, err, "/dev/zero: [io] not a regular file")
}

func TestWithoutTests(t *testing.T) {
	fsys := fstest.MapFS{
		"set/a.yaml":      {Data: []byte(minimal + "tests:\n  - {name: broken, expect: {fires: [nope]}}\n")},
		"set/a_test.yaml": {Data: []byte("tests: [{name: t, card: {}, as_of: 2026-11-01, expect: {fires: [r1]}}]\n\tbroken")},
	}
	_, err := rules.LoadFS(fsys, "set")
	require.Error(t, err)

	ld := loader(t, rules.WithoutTests())
	for _, p := range []string{"set", "set/a.yaml"} {
		rs, err := ld.LoadFS(fsys, p)
		require.NoError(t, err, p)
		require.Equal(t, []string{"set/a.yaml"}, rs.Files)
		require.Empty(t, rs.Tests)
		require.Len(t, rs.Rules, 1)
	}
	rs, err := ld.Parse(rules.Source{Name: "a.yaml", Data: []byte(minimal)}, rules.Source{Name: "a_test.yaml", Data: []byte("\tbroken")})
	require.NoError(t, err)
	require.Equal(t, []string{"a.yaml"}, rs.Files)

	// the embedded packs load the same rules either way
	withTests, err := rules.Pack("default")
	require.NoError(t, err)
	without, err := ld.Pack("default")
	require.NoError(t, err)
	require.NotEmpty(t, withTests.Tests)
	require.Empty(t, without.Tests)
	require.Equal(t, len(withTests.Rules), len(without.Rules))
	// and name the same rule set: a host scoring without tests and an
	// analyst testing the pack see one digest in decisions and reports
	require.Equal(t, withTests.Digest, without.Digest)
	okTests := fstest.MapFS{
		"set/a.yaml":      {Data: []byte(minimal)},
		"set/a_test.yaml": {Data: []byte("tests: []\n")},
	}
	full, err := rules.LoadFS(okTests, "set")
	require.NoError(t, err)
	bare, err := ld.LoadFS(okTests, "set")
	require.NoError(t, err)
	require.Equal(t, full.Digest, bare.Digest)
	okTests["set/a_test.yaml"] = &fstest.MapFile{Data: []byte("tests: [] # changed\n")}
	changed, err := ld.LoadFS(okTests, "set")
	require.NoError(t, err)
	require.NotEqual(t, bare.Digest, changed.Digest, "the test files are part of the digest")
}

func TestRuleSetRemembersLimits(t *testing.T) {
	lim := small("max_cost", 77)
	rs, err := loader(t, rules.WithLimits(lim)).Parse(rules.Source{Name: "f.yaml", Data: []byte(minimal)})
	require.NoError(t, err)
	require.Equal(t, lim, rs.Limits())
	rs, err = rules.Parse(rules.Source{Name: "f.yaml", Data: []byte(minimal)})
	require.NoError(t, err)
	require.Equal(t, rules.DefaultLimits(), rs.Limits())
	require.Equal(t, rules.DefaultLimits(), (&rules.RuleSet{}).Limits())
	require.NoError(t, rs.Err())
}

// A 1,000,000-entry region list (4 MB, under max_file_bytes) is refused by
// its length before its items are read.
func TestMillionItemList(t *testing.T) {
	var b strings.Builder
	b.WriteString("lists:\n  far:\n    type: region\n    items: [")
	for i := range 1_000_000 {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("KH")
	}
	b.WriteString("]\n")
	rs, err := rules.Parse(rules.Source{Name: "f.yaml", Data: []byte(b.String())})
	e := requireLimit(t, err, "max_list_items", 10_000)
	require.Equal(t, `list "far" has 1000000 items: over the limit max_list_items=10000`, e.Msg)
	require.Equal(t, rules.Pos{File: "f.yaml", Line: 4, Column: 12}, e.Pos)
	require.Len(t, rules.AsList(err), 1, "no error per item")
	require.Empty(t, rs.Lists[0].Items)
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(data), 0o644))
}

const popTest = "bands: [{min: 0, level: low, outcome: pass}]\nrules: [{id: r, when: valid, outcome: pass}]\n" +
	"tests:\n  - {name: t, as_of: 2026-11-01, card: {}, expect: {}, population: %q}\n"

// A test's population file: relative, inside the rule directory (also
// through symbolic links), a regular file within max_fixture_bytes. Each
// is checked at load at the population key.
func TestPopulationFixtureAtLoad(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "rules")
	writeFile(t, filepath.Join(dir, "ok.jsonl"), `{"msisdn":"13800138000","opened_at":"2024-01-01"}`+"\n")
	writeFile(t, filepath.Join(dir, "sub", "big.jsonl"), strings.Repeat("\n", 100))
	writeFile(t, filepath.Join(root, "outside.jsonl"), "\n")
	require.NoError(t, os.Mkdir(filepath.Join(dir, "adir"), 0o755))
	require.NoError(t, os.Symlink(filepath.Join(root, "outside.jsonl"), filepath.Join(dir, "link.jsonl")))
	require.NoError(t, os.Symlink("/dev/zero", filepath.Join(dir, "zero.jsonl")))
	cases := []struct {
		pop  string
		code rules.Code
		msg  string
	}{
		{"ok.jsonl", "", ""},
		{"./sub/../ok.jsonl", "", ""},
		{"missing.jsonl", "", ""}, // reported when the test runs
		{"../outside.jsonl", rules.CodeBadValue, "inside its directory"},
		{"sub/../../outside.jsonl", rules.CodeBadValue, "inside its directory"},
		{"../../../../dev/zero", rules.CodeBadValue, "inside its directory"},
		{filepath.Join(root, "outside.jsonl"), rules.CodeBadValue, "relative to this file"},
		{"/dev/zero", rules.CodeBadValue, "relative to this file"},
		{"", rules.CodeBadValue, "relative to this file"},
		{"link.jsonl", rules.CodeBadTest, "leads outside the directory of the test file"},
		{"zero.jsonl", rules.CodeBadTest, "leads outside the directory of the test file"},
		{"adir", rules.CodeBadTest, "is not a regular file"},
		{"sub/big.jsonl", rules.CodeTooLarge, "is 100 bytes: over the limit max_fixture_bytes=99"},
	}
	ld := loader(t, rules.WithLimits(small("max_fixture_bytes", 99)))
	for _, c := range cases {
		t.Run(c.pop, func(t *testing.T) {
			f := filepath.Join(dir, "r.yaml")
			writeFile(t, f, fmt.Sprintf(popTest, c.pop))
			_, err := ld.Load(f)
			if c.code == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, c.code)
			l := rules.AsList(err)
			require.Len(t, l, 1)
			require.Equal(t, rules.Pos{File: f, Line: 4, Column: 68}, l[0].Pos)
			require.Equal(t, "population", l[0].Field)
			require.Contains(t, l[0].Msg, c.msg)
		})
	}
}

// The same checks where the fixture is read, and the read is bounded: the
// file may have changed since it was loaded.
func TestOpenPopulation(t *testing.T) {
	dir := t.TempDir()
	pop := filepath.Join(dir, "p.jsonl")
	writeFile(t, pop, "0123456789")
	f := filepath.Join(dir, "r.yaml")
	writeFile(t, f, fmt.Sprintf(popTest, "p.jsonl"))
	rs, err := loader(t, rules.WithLimits(small("max_fixture_bytes", 20))).Load(f)
	require.NoError(t, err)
	tc := rs.Tests[0]

	r, err := tc.OpenPopulation()
	require.NoError(t, err)
	data, err := io.ReadAll(r)
	require.NoError(t, err)
	require.Equal(t, "0123456789", string(data))
	require.NoError(t, r.Close())

	// grown past the limit since the load
	writeFile(t, pop, strings.Repeat("x", 21))
	_, err = tc.OpenPopulation()
	require.ErrorIs(t, err, rules.CodeTooLarge)
	require.ErrorContains(t, err, "over the limit max_fixture_bytes=20")

	// grows while it is read
	writeFile(t, pop, "0123456789")
	r, err = tc.OpenPopulation()
	require.NoError(t, err)
	writeFile(t, pop, strings.Repeat("x", 1000))
	_, err = io.ReadAll(r)
	require.ErrorIs(t, err, rules.CodeTooLarge)
	require.ErrorContains(t, err, "over the limit max_fixture_bytes=20")
	r.Close()

	// replaced by a symbolic link out of the directory, or to a device
	require.NoError(t, os.Remove(pop))
	require.NoError(t, os.Symlink("/dev/zero", pop))
	_, err = tc.OpenPopulation()
	require.ErrorIs(t, err, rules.CodeBadTest)
	require.ErrorContains(t, err, "leads outside the directory")

	// a test built by hand whose path leaves the directory
	bad := &rules.TestCase{File: f, Population: filepath.Join(dir, "..", "x.jsonl")}
	_, err = bad.OpenPopulation()
	require.ErrorIs(t, err, rules.CodeBadTest)
	_, err = (&rules.TestCase{File: f}).OpenPopulation()
	require.ErrorIs(t, err, rules.CodeBadTest)
}

// Each row of the README's Limits table names a limit and gives its default.
func TestREADMELimitsTable(t *testing.T) {
	doc, err := os.ReadFile("README.md")
	require.NoError(t, err)
	s := string(doc)
	start := strings.Index(s, "\n## Limits\n")
	require.GreaterOrEqual(t, start, 0)
	s = s[start+1:]
	s = s[:strings.Index(s[1:], "\n## ")+1]
	def := rules.DefaultLimits()
	rows := 0
	for _, line := range strings.Split(s, "\n") {
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		cells := strings.Split(line, "|")
		name := strings.Trim(strings.TrimSpace(cells[1]), "`")
		v, ok := def.Get(name)
		require.True(t, ok, "README names limit %q, which rules.Limits does not have", name)
		var got uint64
		_, err := fmt.Sscan(strings.ReplaceAll(strings.TrimSpace(cells[2]), ",", ""), &got)
		require.NoError(t, err, line)
		require.Equal(t, v, got, "default of %s", name)
		rows++
	}
	require.Equal(t, len(rules.LimitNames()), rows, "every limit has its row")
}

// A huge population file's size is said in GiB: a run of 11 digits in a
// lint report would be masked as if it were a phone number.
func TestPopulationFixtureSizeNotMaskable(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.jsonl")
	fh, err := os.Create(big)
	require.NoError(t, err)
	require.NoError(t, fh.Truncate(107_000_002_400)) // sparse
	require.NoError(t, fh.Close())
	f := filepath.Join(dir, "r.yaml")
	writeFile(t, f, fmt.Sprintf(popTest, "big.jsonl"))
	_, err = loader(t).Load(f)
	require.ErrorIs(t, err, rules.CodeTooLarge)
	msg := rules.AsList(err)[0].Msg
	_, tail, ok := strings.Cut(msg, `big.jsonl" `) // the temporary path may hold digits of its own
	require.True(t, ok, msg)
	require.Equal(t, "is 99.7 GiB: over the limit max_fixture_bytes=67108864", tail)
	require.Equal(t, ref.MaskText(tail), tail)
}
