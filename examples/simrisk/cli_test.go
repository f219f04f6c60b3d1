package main

import (
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/rules"
)

// Every subcommand's --help (and -h, and simrisk help CMD) goes to
// standard output with exit 0, and shows its flags GNU-style.
func TestHelpEverySubcommand(t *testing.T) {
	require.NotEmpty(t, synopses)
	for cmd := range synopses {
		for _, args := range [][]string{{cmd, "--help"}, {cmd, "-h"}, {"help", cmd}} {
			code, stdout, stderr := runCLI(args...)
			require.Equal(t, 0, code, "%v: %s", args, stderr)
			require.Empty(t, stderr, args)
			require.True(t, strings.HasPrefix(stdout, "usage: simrisk "+cmd), "%v: %s", args, stdout)
			// no single-dash long flag anywhere in help
			require.NotRegexp(t, `(^|\s)-[a-z][a-z-]+`, stdout, args)
		}
	}
	code, stdout, _ := runCLI("score", "--help")
	require.Equal(t, 0, code)
	require.Contains(t, stdout, "\n  --as-of DATE\n")
	require.NotContains(t, stdout, "STRING")
	require.Contains(t, stdout, "--only-flagged")
	code, stdout, _ = runCLI("--help")
	require.Equal(t, 0, code)
	require.NotRegexp(t, `(^|\s)-[a-z][a-z-]+`, stdout)
}

// A flag or argument a subcommand does not take is a usage error (exit 2)
// that names it; it is never silently ignored.
func TestStrayArgumentsAreErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"score", "--as-of", "2026-11-01", "--in", "x.jsonl", "extra"}, `unexpected argument "extra"`},
		{[]string{"explain", "--msisdn", "13800138000", "stray"}, `unexpected argument "stray"`},
		{[]string{"backtest", "--candidate", "pack:default", "--in", "x", "oops"}, `unexpected argument "oops"`},
		{[]string{"fit", "--bogus"}, "unknown flag --bogus"},
		{[]string{"gen", "--cards", "10", "--as-of", "2026-11-01", "more"}, `unexpected argument "more"`},
		{[]string{"version", "now"}, `unexpected argument "now"`},
		{[]string{"packs", "--all"}, "unknown flag --all"},
		{[]string{"score", "--as-of"}, "flag needs a value: --as-of"},
		{[]string{"gen", "--cards", "many"}, "--cards"},
		{[]string{"help", "frobnicate"}, `unknown command "frobnicate"`},
	} {
		code, stdout, stderr := runCLI(tc.args...)
		require.Equal(t, 2, code, "%v: %s", tc.args, stderr)
		require.Empty(t, stdout, tc.args)
		require.Contains(t, stderr, tc.want, tc.args)
		require.Contains(t, stderr, "--help", tc.args)
	}
	// flags after positional arguments are flags, not paths
	code, stdout, stderr := runCLI("lint", "../../rules/packs/default", "--format", "json")
	require.Equal(t, 0, code, stderr)
	require.Equal(t, "[]\n", stdout)
}

// --lang takes zh or en; anything else is answered in the command's words.
func TestLangErrorInCLIWords(t *testing.T) {
	for _, cmd := range []string{"score", "explain", "backtest"} {
		code, _, stderr := runCLI(cmd, "--lang", "fr", "--as-of", "2026-11-01", "--in", "x.jsonl")
		require.Equal(t, 2, code, cmd)
		require.Equal(t, "simrisk "+cmd+": --lang fr: not a language simrisk speaks; use --lang zh (中文) or --lang en (English)\n", stderr)
	}
}

// simrisk version: module, Go version, and each embedded pack's digest.
func TestVersion(t *testing.T) {
	code, stdout, stderr := runCLI("version")
	require.Equal(t, 0, code, stderr)
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	require.Regexp(t, `^simrisk \S+ \S+$`, lines[0])
	require.Equal(t, runtime.Version(), lines[1])
	for i, p := range rules.Packs() {
		rs, err := rules.Pack(p)
		require.NoError(t, err)
		require.Equal(t, "pack:"+p+" "+rs.Version+" "+rs.Digest, lines[2+i])
		require.Regexp(t, regexp.MustCompile(`^sha256:[0-9a-f]{32}$`), rs.Digest)
	}
}

// fit --out refuses an existing file unless --force; test fails on files
// without tests.
func TestFitRefusesExistingOutAndTestWithoutTests(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "suggested.yaml")
	require.NoError(t, os.WriteFile(out, []byte("keep me\n"), 0o600))
	code, _, stderr := runCLI("fit", "--pack", "pack:default", "--in", "../../datasets/sample/cards.jsonl", "--as-of", "2026-11-01", "--out", out)
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "--out "+out+" exists; nothing was fitted (--force overwrites it)")
	b, _ := os.ReadFile(out)
	require.Equal(t, "keep me\n", string(b))
	// with --force it fits
	code, stdout, stderr := runCLI("fit", "--pack", "pack:default", "--in", "../../datasets/sample/cards.jsonl", "--as-of", "2026-11-01", "--out", out, "--force")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, "fitted on ")
	require.Regexp(t, `^rule set default 1\.1\.0 from pack:default \(sha256:[0-9a-f]{32}\)\n`, stdout)
	b, _ = os.ReadFile(out)
	require.True(t, strings.HasPrefix(string(b), "# Suggested by simrisk fit on "), "the file's comment in the command's language (en here)")
	code, _, stderr = runCLI("fit", "--lang", "zh", "--pack", "pack:default", "--in", "../../datasets/sample/cards.jsonl", "--as-of", "2026-11-01", "--out", out, "--force")
	require.Equal(t, 0, code, stderr)
	b, _ = os.ReadFile(out)
	require.True(t, strings.HasPrefix(string(b), "# simrisk fit 于 "), "the file's comment in Chinese with --lang zh")

	rf := filepath.Join(dir, "r.yaml")
	require.NoError(t, os.WriteFile(rf, []byte("name: mine\nversion: 1.0.0\nbands:\n  - {min: 0, level: low, outcome: pass}\nrules:\n  - {id: a, title: A, when: alerts_30d > 3, score: 10, outcome: monitor, reason: many alerts}\n"), 0o600))
	code, stdout, stderr = runCLI("test", rf)
	require.Equal(t, 1, code)
	require.Equal(t, "0 passed, 0 failed\n", stdout)
	require.Contains(t, stderr, "simrisk test: no tests in "+rf+": nothing was tested")
}

// Progress bars are for terminals: a buffer, a file or /dev/null gets none.
func TestProgressOnlyOnATerminal(t *testing.T) {
	require.False(t, isTerminal(&strings.Builder{}))
	f, err := os.Create(filepath.Join(t.TempDir(), "log"))
	require.NoError(t, err)
	defer f.Close()
	require.False(t, isTerminal(f))
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	require.NoError(t, err)
	defer null.Close()
	require.False(t, isTerminal(null))
	update, finish := progressBar(f, "scoring")
	require.Nil(t, update)
	finish()
	p := newProgress(f, 1_000_000, "cards")
	p.update(500_000)
	p.done()
	st, err := f.Stat()
	require.NoError(t, err)
	require.Zero(t, st.Size(), "nothing drawn into the file")
}
