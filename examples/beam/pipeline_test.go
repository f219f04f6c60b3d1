package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/ptest"
	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/datasets"
	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/risk/ref"
	"github.com/simrisk/simrisk/rules"
)

// The pipeline runs on prism, in this process.
func TestMain(m *testing.M) { ptest.Main(m) }

const asOf = "2026-11-01"

// population is a generated population with a few records added: a card
// listed twice under two holders in two files (the last wins), a number
// spelt two ways, a record that is not JSON and one that fails validation.
func population(t *testing.T, f datasets.Format, cards int) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, datasets.GenerateTo(&buf, f, datasets.GenOptions{Cards: cards, Seed: 7, AsOf: datasets.SampleAsOf}, nil))
	if f == datasets.CSV {
		return buf.Bytes()
	}
	lines := strings.SplitAfter(buf.String(), "\n")
	extra := []string{
		`{"msisdn":"13800138000","opened_at":"2024-03-01","holder":"h-dup-a","alerts_30d":4}` + "\n",
		"not json\n",
		`{"msisdn":"123","opened_at":"2024-03-01"}` + "\n",
		"\n",
	}
	mid := len(lines) / 2
	out := slices.Concat(lines[:10], extra, lines[10:mid],
		[]string{`{"msisdn":"+86 138 0013 8000","opened_at":"2024-03-01","holder":"h-dup-b","complaints":1}` + "\n"}, lines[mid:])
	return []byte(strings.Join(out, ""))
}

// split cuts data into n files of whole lines in dir; the CSV header is
// repeated at the top of each. It returns the files and each file's first
// line's number in data.
func split(t *testing.T, dir, ext string, data []byte, n int, header bool) (files []string, offsets []int) {
	t.Helper()
	lines := strings.SplitAfter(string(data), "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	head := ""
	first := 0
	if header {
		head, first = lines[0], 1
	}
	per := (len(lines) - first + n - 1) / n
	for i := 0; i < n; i++ {
		lo, hi := first+i*per, min(first+(i+1)*per, len(lines))
		name := filepath.Join(dir, "cards-"+string(rune('a'+i))+ext)
		body := strings.Join(lines[lo:hi], "")
		off := lo // the line of data that is this file's line 1
		if header {
			body = head + body
			off = lo - 1
		}
		require.NoError(t, os.WriteFile(name, []byte(body), 0o644))
		files, offsets = append(files, name), append(offsets, off)
	}
	return files, offsets
}

// reference scores data as simrisk score does: the pack loaded without its
// tests, compiled with the reasons in Chinese, datasets.ScoreFile writing
// each decision's line.
func reference(t *testing.T, data []byte, f datasets.Format, read ...datasets.ReadOption) (dec []string, rej []datasets.Reject, sum *datasets.Summary) {
	t.Helper()
	ld, err := rules.NewLoader(rules.WithoutTests())
	require.NoError(t, err)
	rs, err := ld.Pack("default")
	require.NoError(t, err)
	eng, err := risk.Compile(rs, risk.WithLanguage("zh"))
	require.NoError(t, err)
	at, err := risk.ParseTime(asOf)
	require.NoError(t, err)
	var d, r bytes.Buffer
	sum, err = datasets.ScoreFile(context.Background(), eng, func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(data)), nil
	}, datasets.ScoreOptions{AsOf: at, Format: f, Read: read, Decisions: &d, Rejects: &r, Lines: true})
	require.NoError(t, err)
	for _, l := range strings.Split(strings.TrimSpace(r.String()), "\n") {
		if l == "" {
			continue
		}
		var j datasets.Reject
		require.NoError(t, json.Unmarshal([]byte(l), &j))
		rej = append(rej, j)
	}
	return lines(d.String()), rej, sum
}

func lines(s string) []string {
	l := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	if len(l) == 1 && l[0] == "" {
		return nil
	}
	return l
}

// run builds and runs the pipeline on prism and returns its decisions and
// rejects, each shard's lines together, sorted.
func run(t *testing.T, o Options) (dec []string, rej []Reject) {
	t.Helper()
	out := t.TempDir()
	o.Decisions, o.Rejects = filepath.Join(out, "decisions"), filepath.Join(out, "rejects")
	o.AsOf = asOf
	if o.Pack == nil {
		var err error
		o.Pack, err = PackSources("default", nil)
		require.NoError(t, err)
	}
	p, s := beam.NewPipelineWithRoot()
	require.NoError(t, Build(s, o))
	require.NoError(t, ptest.Run(p))
	read := func(prefix string) []string {
		names, err := filepath.Glob(prefix + "-*-of-*.jsonl")
		require.NoError(t, err)
		var all []string
		for _, n := range names {
			b, err := os.ReadFile(n)
			require.NoError(t, err)
			all = append(all, lines(string(b))...)
		}
		slices.Sort(all)
		return all
	}
	for _, l := range read(o.Rejects) {
		var r Reject
		require.NoError(t, json.Unmarshal([]byte(l), &r))
		rej = append(rej, r)
	}
	return read(o.Decisions), rej
}

func sorted(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s }

// joined turns decisions of several files back into those of the file they
// were cut from: "file" removed, "line" the line in the whole file.
func joined(t *testing.T, dec []string, files []string, offsets []int) []string {
	t.Helper()
	out := make([]string, len(dec))
	for k, d := range dec {
		i := strings.LastIndex(d, `,"file":`)
		require.Positive(t, i, "a decision of several files names its file: %s", d)
		var tail struct {
			File string `json:"file"`
			Line int    `json:"line"`
		}
		require.NoError(t, json.Unmarshal([]byte("{"+d[i+1:]), &tail))
		f := slices.Index(files, tail.File)
		require.GreaterOrEqual(t, f, 0, tail.File)
		out[k] = fmt.Sprintf(`%s,"line":%d}`, d[:i], offsets[f]+tail.Line)
	}
	slices.Sort(out)
	return out
}

// TestPipelineMatchesScoreFile: on a generated population split into three
// files, the pipeline's decisions, sorted, are simrisk score's byte for
// byte; records = decisions + rejects; every reject names its file and the
// line, with the reason simrisk score gives that line (a superseded record
// names the card's last line, in its file).
func TestPipelineMatchesScoreFile(t *testing.T) {
	data := population(t, datasets.JSONL, 1500)
	wantDec, wantRej, sum := reference(t, data, datasets.JSONL)
	require.Equal(t, 1, sum.Superseded, "the population has its duplicate")
	require.GreaterOrEqual(t, len(wantRej), 3)

	// one file: simrisk score's decisions, byte for byte
	whole := filepath.Join(t.TempDir(), "cards.jsonl")
	require.NoError(t, os.WriteFile(whole, data, 0o644))
	dec, rej := run(t, Options{Inputs: []string{whole}, Shards: 3})
	require.Equal(t, sorted(wantDec), dec)
	require.Len(t, rej, len(wantRej))

	// three files: the same, each with its file and its line there
	files, offsets := split(t, t.TempDir(), ".jsonl", data, 3, false)
	dec, rej = run(t, Options{Inputs: files, Shards: 3})
	require.Equal(t, sorted(wantDec), joined(t, dec, files, offsets))
	require.Equal(t, sum.Records, len(dec)+len(rej), "records = decisions + rejects")

	byLine := map[int]datasets.Reject{}
	for _, r := range wantRej {
		byLine[r.Line] = r
	}
	for _, r := range rej {
		i := slices.Index(files, r.File)
		require.GreaterOrEqual(t, i, 0, "reject names an input file: %q", r.File)
		want, ok := byLine[offsets[i]+r.Line]
		require.True(t, ok, "%s line %d is rejected by simrisk score too", r.File, r.Line)
		if strings.Contains(want.Reason, "duplicate of line") {
			// simrisk score names the card's last line in the file; the
			// pipeline names it in its own file, and the file when not the same
			var last int
			_, err := fmt.Sscanf(want.Reason[strings.Index(want.Reason, "duplicate of line"):], "duplicate of line %d", &last)
			require.NoError(t, err)
			j := len(offsets) - 1
			for offsets[j] >= last {
				j--
			}
			where := fmt.Sprintf("line %d", last-offsets[j])
			if j != i {
				where += " of " + files[j]
			}
			require.NotEqual(t, i, j, "the population's duplicate spans two files")
			require.Equal(t, strings.ReplaceAll(want.Reason, fmt.Sprintf("line %d", last), where), r.Reason)
			require.NotContains(t, r.Reason, "13800138000")
			continue
		}
		require.Equal(t, want.Reason, r.Reason)
	}
}

// TestPipelineCSV: CSV files, each with its header, give simrisk score's
// decisions on the files concatenated.
func TestPipelineCSV(t *testing.T) {
	data := population(t, datasets.CSV, 600)
	wantDec, _, sum := reference(t, data, datasets.CSV)
	files, offsets := split(t, t.TempDir(), ".csv", data, 2, true)
	dec, rej := run(t, Options{Inputs: files, Shards: 2})
	require.Equal(t, sorted(wantDec), joined(t, dec, files, offsets))
	require.Equal(t, sum.Records, len(dec)+len(rej))
	require.Equal(t, sum.Rejects, len(rej))
}

// TestPipelineIDKey: with the ID key file, raw ID numbers in holder are
// pseudonymised as simrisk score --id-key-file does; without it they are
// rejected.
func TestPipelineIDKey(t *testing.T) {
	const dir = "../../datasets/testdata/cases/"
	data, err := os.ReadFile(dir + "jsonl-id-with-spaces.jsonl")
	require.NoError(t, err)
	key, err := ref.ReadKeyFile(dir + "id.key") // as simrisk score --id-key-file reads it
	require.NoError(t, err)
	wantDec, _, sum := reference(t, data, datasets.JSONL, datasets.WithIDKey(key))
	require.NotEmpty(t, wantDec)
	dec, rej := run(t, Options{Inputs: []string{dir + "jsonl-id-with-spaces.jsonl"}, IDKeyFile: dir + "id.key", Shards: 1})
	require.Equal(t, sorted(wantDec), dec)
	require.Equal(t, sum.Records, len(dec)+len(rej))

	// the same key with a final newline (as an editor saves it) is the same key
	raw, err := os.ReadFile(dir + "id.key")
	require.NoError(t, err)
	nl := filepath.Join(t.TempDir(), "id-newline.key")
	require.NoError(t, os.WriteFile(nl, append(bytes.TrimSpace(raw), '\n'), 0o600))
	dec, _ = run(t, Options{Inputs: []string{dir + "jsonl-id-with-spaces.jsonl"}, IDKeyFile: nl, Shards: 1})
	require.Equal(t, sorted(wantDec), dec)

	dec, rej = run(t, Options{Inputs: []string{dir + "jsonl-id-with-spaces.jsonl"}, Shards: 1})
	require.Empty(t, dec)
	require.Len(t, rej, sum.Records)
}

// TestPipelineMaxHolderCards: a holder with more records than the limit has
// every one rejected with the reason; the other holders' decisions are
// simrisk score's, and a holder at the limit is scored.
func TestPipelineMaxHolderCards(t *testing.T) {
	data := population(t, datasets.JSONL, 800)
	wantDec, _, sum := reference(t, data, datasets.JSONL)
	at, _ := risk.ParseTime(asOf)
	loaded, err := datasets.Read(bytes.NewReader(data), datasets.JSONL, at)
	require.NoError(t, err)
	const limit = 5
	perHolder := map[string]int{}
	for _, r := range loaded.Records {
		if r.Holder != "" {
			perHolder[r.Holder]++
		}
	}
	over := map[string]bool{} // numbers of the cards of holders over the limit
	atLimit := false
	for _, r := range loaded.Records {
		over[r.MSISDN] = perHolder[r.Holder] > limit
		atLimit = atLimit || perHolder[r.Holder] == limit
	}
	require.True(t, atLimit, "the population has a holder at the limit")
	var want []string
	nOver := 0
	for _, d := range wantDec {
		var m struct{ MSISDN string }
		require.NoError(t, json.Unmarshal([]byte(d), &m))
		if over[m.MSISDN] {
			nOver++
			continue
		}
		want = append(want, d)
	}
	require.Positive(t, nOver, "the population has a holder over the limit")

	files, offsets := split(t, t.TempDir(), ".jsonl", data, 2, false)
	dec, rej := run(t, Options{Inputs: files, Shards: 2, MaxHolderCards: limit})
	require.Equal(t, sorted(want), joined(t, dec, files, offsets))
	require.Equal(t, sum.Records, len(dec)+len(rej))
	capped := 0
	for _, r := range rej {
		if strings.Contains(r.Reason, "max_holder_cards") {
			capped++
			require.Contains(t, r.Reason, "more than 5 records")
		}
	}
	require.Equal(t, nOver, capped)
}

// TestPackSourcesDigest: the rule files travel as text and compile on the
// workers to the rule set simrisk score names (same digest).
func TestPackSourcesDigest(t *testing.T) {
	for _, pack := range []string{"default", "default-cel"} {
		srcs, err := PackSources(pack, nil)
		require.NoError(t, err)
		eng, err := compile(srcs, "zh")
		require.NoError(t, err)
		rs, err := rules.Pack(pack)
		require.NoError(t, err)
		require.Equal(t, rs.Digest, eng.Digest(), pack)
	}
	_, err := PackSources("default", []string{"x.yaml"})
	require.Error(t, err)
}

func TestCardCoder(t *testing.T) {
	c := Card{File: 300, Line: 1 << 40, JSON: []byte(`{"msisdn":"13800138000"}`)}
	got, err := decodeCard(encodeCard(c))
	require.NoError(t, err)
	require.Equal(t, c, got)
	_, err = decodeCard(nil)
	require.Error(t, err)
	_, err = decodeCard([]byte{0x80})
	require.Error(t, err)
}
