package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the README walk-through's shown outputs from a run")

// walkBlock is a fenced block of the README's walk-through: sh (commands)
// or text (the start of the previous command's standard output).
type walkBlock struct {
	kind       string
	lines      []string // without the list item's indentation
	start, end int      // the block's content lines in README.md (0-based, end exclusive)
	indent     string
}

// walkCommand is one command of an sh block: a line, lines joined by a
// trailing backslash, or a here-document; claim is the comment after it
// (what it prints, "exit N: " first when it exits N).
type walkCommand struct {
	text, claim string
}

func readWalkthrough(t *testing.T) (readme []string, blocks []walkBlock) {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	readme = strings.Split(string(b), "\n")
	in := false
	fence := regexp.MustCompile("^(\\s*)```(sh|text)?\\s*$")
	var cur *walkBlock
	for i, l := range readme {
		switch {
		case strings.HasPrefix(l, "### Walk-through"):
			in = true
			continue
		case in && strings.HasPrefix(l, "## "):
			in = false
		}
		if !in {
			continue
		}
		m := fence.FindStringSubmatch(l)
		switch {
		case m != nil && cur == nil && m[2] != "":
			cur = &walkBlock{kind: m[2], start: i + 1, indent: m[1]}
		case m != nil && cur != nil:
			cur.end = i
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil:
			cur.lines = append(cur.lines, strings.TrimPrefix(l, cur.indent))
		}
	}
	require.NotEmpty(t, blocks, "README.md has a walk-through with command blocks")
	return readme, blocks
}

var claimRE = regexp.MustCompile(`^(.*?\S)\s{2,}# (.*)$`)

func walkCommands(lines []string) []walkCommand {
	var cmds []walkCommand
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if strings.Contains(l, "<<'EOF'") {
			j := i + 1
			for j < len(lines) && lines[j] != "EOF" {
				j++
			}
			cmds = append(cmds, walkCommand{text: strings.Join(lines[i:j+1], "\n")})
			i = j
			continue
		}
		for strings.HasSuffix(l, `\`) && i+1 < len(lines) {
			i++
			l = strings.TrimSuffix(l, `\`) + " " + strings.TrimSpace(lines[i])
		}
		c := walkCommand{text: l}
		if m := claimRE.FindStringSubmatch(l); m != nil {
			c.text, c.claim = m[1], m[2]
		}
		cmds = append(cmds, c)
	}
	return cmds
}

// The README's walk-through runs as written: in a temporary copy of the
// repository's rule packs, with the command built from this package, each
// command exits as its comment says (0 without one) and prints what its
// comment says, each text block is the start of the previous command's
// standard output, and the figures the README quotes about the
// walk-through's population (the report's header, the flagged cards and
// the decision files' sizes) are what a run gives. Everything runs in the
// default language (no --lang, no SIMRISK_LANG): Chinese.
func TestREADMEWalkthrough(t *testing.T) {
	readme, blocks := readWalkthrough(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	goTool, err := exec.LookPath("go")
	require.NoError(t, err, "the test builds the command with the go tool")
	build := exec.Command(goTool, "build", "-o", filepath.Join(bin, "simrisk"), ".")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "%s", out)
	work := filepath.Join(dir, "clone")
	require.NoError(t, os.MkdirAll(filepath.Join(work, "rules", "packs"), 0o755))
	require.NoError(t, os.CopyFS(filepath.Join(work, "rules", "packs", "default"), os.DirFS("../../rules/packs/default")))

	var env []string
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, langEnv+"=") && !strings.HasPrefix(e, "PATH=") {
			env = append(env, e)
		}
	}
	env = append(env, "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))

	var lastOut string
	ran := 0
	for _, b := range blocks {
		switch b.kind {
		case "sh":
			for _, c := range walkCommands(b.lines) {
				cmd := exec.Command("bash", "-c", c.text)
				cmd.Dir, cmd.Env = work, env
				var stdout, stderr bytes.Buffer
				cmd.Stdout, cmd.Stderr = &stdout, &stderr
				err := cmd.Run()
				code := 0
				if ee, ok := err.(*exec.ExitError); ok {
					code = ee.ExitCode()
				} else {
					require.NoError(t, err, c.text)
				}
				want, claim := 0, c.claim
				if m := regexp.MustCompile(`^exit (\d+): (.*)$`).FindStringSubmatch(claim); m != nil {
					want, _ = strconv.Atoi(m[1])
					claim = m[2]
				}
				require.Equal(t, want, code, "%s\nexits %d, the README says %d\nstderr: %.2000s", c.text, code, want, stderr.String())
				if claim != "" {
					require.Contains(t, stdout.String()+stderr.String(), claim, "%s: the README says it prints this", c.text)
				}
				lastOut = stdout.String()
				ran++
			}
		case "text":
			got := strings.Split(lastOut, "\n")
			require.GreaterOrEqual(t, len(got), len(b.lines), "README.md:%d: the command printed fewer lines than shown", b.start)
			got = got[:len(b.lines)]
			if *update {
				for i := range got {
					readme[b.start+i] = b.indent + got[i]
				}
				continue
			}
			require.Equal(t, strings.Join(b.lines, "\n"), strings.Join(got, "\n"), "README.md:%d: the shown output is not what the command prints (go test -run TestREADMEWalkthrough -update rewrites it)", b.start+1)
		}
	}
	require.GreaterOrEqual(t, ran, 12, "every command of the walk-through ran")
	if *update {
		require.NoError(t, os.WriteFile("../../README.md", []byte(strings.Join(readme, "\n")), 0o644))
	}

	// step 6: the report's header and "what changed"
	report, err := os.ReadFile(filepath.Join(work, "report.html"))
	require.NoError(t, err)
	for _, want := range []string{"2026-11-01", "population.jsonl", "pack:default", "my-rules/", "1.1.0-mine",
		"sha256:808400c53c683fa7486e34e5fcd1c41f", "alert_threshold", "新开卡即触发预警"} {
		require.Contains(t, string(report), want, "report.html")
	}
	cand := regexp.MustCompile(`候选  my-rules 1\.1\.0-mine，来自 my-rules/（(sha256:[0-9a-f]+)）`).FindStringSubmatch(strings.Join(readme, "\n"))
	require.NotNil(t, cand, "the walk-through shows the candidate's digest")
	require.Contains(t, string(report), cand[1])

	// the decision files' figures quoted about the walk-through's population
	text := strings.Join(readme, "\n")
	m := regexp.MustCompile(`every\s+decision as JSON Lines is (\S+ MB); the ([0-9,]+) flagged ones are (\S+ MB) as JSON\s+Lines, (\S+ MB) as CSV`).FindStringSubmatch(text)
	require.NotNil(t, m, "README.md quotes the decision files' sizes")
	mb := func(path string) string {
		st, err := os.Stat(filepath.Join(work, path))
		require.NoError(t, err)
		if v := float64(st.Size()) / 1e6; v >= 10 {
			return fmt.Sprintf("%.0f MB", v)
		} else {
			return fmt.Sprintf("%.1f MB", v)
		}
	}
	for _, args := range [][]string{{"--out", "all.jsonl"}, {"--out", "flagged.jsonl", "--only-flagged"}, {"--out", "flagged-default.csv", "--only-flagged"}} {
		cmd := exec.Command(filepath.Join(bin, "simrisk"), append([]string{"score", "--pack", "default", "--as-of", "2026-11-01", "--in", "population.jsonl"}, args...)...)
		cmd.Dir, cmd.Env = work, env
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s", out)
	}
	flagged, err := os.ReadFile(filepath.Join(work, "flagged.jsonl"))
	require.NoError(t, err)
	require.Equal(t, strings.ReplaceAll(m[2], ",", ""), strconv.Itoa(bytes.Count(flagged, []byte("\n"))), "flagged cards")
	require.Equal(t, m[1], mb("all.jsonl"), "every decision as JSON Lines")
	require.Equal(t, m[3], mb("flagged.jsonl"), "the flagged decisions as JSON Lines")
	require.Equal(t, m[4], mb("flagged-default.csv"), "the flagged decisions as CSV")
}
