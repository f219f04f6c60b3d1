package live_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/risk/live"
)

var asOf = risk.Date(2026, 11, 1)

// pack is a small rule pack with a test; threshold sets when "many" fires,
// version its version; broken packs are made from it.
func pack(version string, threshold int) string {
	return fmt.Sprintf(`name: small
version: %s
bands:
  - {min: 0, level: low, outcome: pass}
  - {min: 50, level: high, outcome: restrict}
rules:
  - {id: many, when: pop.cards_on_operator > %d, score: 60, outcome: pass, tags: [many], reason: "many cards"}
tests:
  - {name: one card passes, as_of: 2026-11-01, card: {holder: h-1}, expect: {not_fires: [many]}}
`, version, threshold)
}

func writePack(t *testing.T, dir, text string) {
	t.Helper()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "pack.yaml"), []byte(text), 0o644))
}

func card(i int, holder string) *risk.Record {
	return &risk.Record{MSISDN: fmt.Sprintf("1380000%04d", i), OpenedAt: risk.Date(2025, 1, 1), Holder: holder,
		LastVoiceAt: risk.Date(2026, 10, 30)}
}

type countHooks struct {
	live.NopHooks
	mu       sync.Mutex
	outcomes map[string]int
	hits     map[string]int
	reloads  map[string]int
	cards    int
	diffs    int
	fails    []string // the errors ShadowFailed was given
	failedOn []string // the masked numbers it was given
}

func newCountHooks() *countHooks {
	return &countHooks{outcomes: map[string]int{}, hits: map[string]int{}, reloads: map[string]int{}}
}

func (h *countHooks) Decided(d *risk.Decision, _ time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.outcomes[d.Outcome.String()]++
	for _, hit := range d.Hits {
		h.hits[hit.Rule]++
	}
}

func (h *countHooks) Reloaded(ev live.ReloadEvent) {
	h.mu.Lock()
	defer h.mu.Unlock()
	res := "ok"
	if !ev.OK {
		res = "failed"
	}
	if ev.Shadow {
		res = "shadow_" + res
	}
	h.reloads[res]++
}

func (h *countHooks) PopulationChanged(n int) { h.mu.Lock(); h.cards = n; h.mu.Unlock() }
func (h *countHooks) ShadowDiffered(_, _ *risk.Decision) {
	h.mu.Lock()
	h.diffs++
	h.mu.Unlock()
}

func (h *countHooks) ShadowFailed(d, shadow *risk.Decision, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.fails = append(h.fails, err.Error())
	h.failedOn = append(h.failedOn, risk.MaskMSISDN(d.MSISDN))
	if shadow != nil && len(shadow.Errors) == 0 {
		panic("ShadowFailed with a shadow decision that has no errors")
	}
}

// Score stores and scores; the decision names as_of, pack, version and
// digest; ScoreStored scores what is stored; Remove forgets.
func TestServiceScoreStoreRemove(t *testing.T) {
	dir := t.TempDir()
	writePack(t, dir, pack("1.0", 5))
	hooks := newCountHooks()
	svc, err := live.New(context.Background(), live.DirSource(dir), live.WithHooks(hooks))
	require.NoError(t, err)
	ctx := context.Background()
	for i := range 6 {
		d, err := svc.Score(ctx, card(i, "h-1"), asOf)
		require.NoError(t, err)
		require.Equal(t, i == 5, d.Fired("many"), "card %d", i)
		require.Equal(t, asOf, d.AsOf)
		require.Equal(t, "small", d.Pack)
		require.Equal(t, "1.0", d.Version)
		require.Equal(t, svc.Rules().Digest, d.RuleSet)
	}
	d, err := svc.ScoreStored(ctx, "+86 138 0000 0000", asOf)
	require.NoError(t, err)
	require.True(t, d.Fired("many"), "the first card sees the five others")
	removed, err := svc.Remove("13800000005")
	require.NoError(t, err)
	require.True(t, removed)
	d, err = svc.ScoreStored(ctx, "13800000000", asOf)
	require.NoError(t, err)
	require.False(t, d.Fired("many"))
	_, err = svc.ScoreStored(ctx, "13800000005", asOf)
	require.ErrorIs(t, err, live.ErrUnknownCard)
	bad := card(7, "h-1")
	bad.OpenedAt = 0
	_, err = svc.Score(ctx, bad, asOf)
	require.ErrorIs(t, err, risk.ErrInvalidRecord)
	require.Equal(t, 5, svc.Len())
	require.Equal(t, 5, hooks.cards)
	require.Equal(t, 2, hooks.hits["many"], "the sixth card, then the first with five others")
	require.Equal(t, map[string]int{"pass": 5 + 1, "restrict": 1 + 1}, hooks.outcomes)

	// an as-of time before the card was stored: scored on a copy, and a
	// date after it is the record's error
	_, err = svc.ScoreStored(ctx, "13800000000", risk.Date(2024, 12, 1))
	require.ErrorIs(t, err, risk.ErrInvalidRecord)
	d, err = svc.ScoreStored(ctx, "13800000000", risk.Date(2026, 12, 1))
	require.NoError(t, err)
	require.Equal(t, risk.Date(2026, 12, 1), d.AsOf)
}

// A reload swaps in a pack only when it loads, compiles and passes its own
// tests; otherwise the last good engine keeps serving and every error is
// reported.
func TestServiceReload(t *testing.T) {
	dir := t.TempDir()
	writePack(t, dir, pack("1.0", 5))
	hooks := newCountHooks()
	svc, err := live.New(context.Background(), live.DirSource(dir), live.WithHooks(hooks))
	require.NoError(t, err)
	ctx := context.Background()
	good := svc.Rules().Digest

	writePack(t, dir, pack("2.0", 0)) // its own test fails: one card is > 0
	info, err := svc.Reload(ctx)
	var re *live.ReloadError
	require.ErrorAs(t, err, &re)
	require.Len(t, re.Errors, 1)
	require.Contains(t, re.Errors[0], `test "one card passes"`)
	require.Equal(t, good, info.Digest)
	require.Equal(t, re.Errors, svc.Rules().LastErrors)

	writePack(t, dir, strings.Replace(pack("2.0", 5), "pop.cards_on_operator > 5", "pop.cards_on_operator >", 1)+
		"  - {id: two, when: nope, outcome: pass}\n")
	_, err = svc.Reload(ctx)
	require.ErrorAs(t, err, &re)
	require.GreaterOrEqual(t, len(re.Errors), 2, "every error: %v", re.Errors)
	d, err := svc.Score(ctx, card(1, "h-1"), asOf)
	require.NoError(t, err)
	require.Equal(t, good, d.RuleSet)
	require.Equal(t, "1.0", d.Version)

	writePack(t, dir, pack("3.0", 0)+"") // still failing tests
	writePack(t, dir, strings.Replace(pack("3.0", 5), "one card passes", "one card still passes", 1))
	info, err = svc.Reload(ctx)
	require.NoError(t, err)
	require.NotEqual(t, good, info.Digest)
	require.Nil(t, info.LastErrors)
	d, err = svc.Score(ctx, card(1, "h-1"), asOf)
	require.NoError(t, err)
	require.Equal(t, "3.0", d.Version)
	require.Equal(t, info.Digest, d.RuleSet)
	require.Equal(t, map[string]int{"failed": 2, "ok": 1}, hooks.reloads)

	// New refuses a pack that does not load
	writePack(t, dir, "rules: [")
	_, err = live.New(ctx, live.DirSource(dir))
	require.ErrorAs(t, err, &re)
}

// Scores running while reloads swap packs: every decision comes from one
// good pack, whole (its digest and version agree), never from a broken one.
func TestServiceReloadUnderLoad(t *testing.T) {
	dir := t.TempDir()
	texts := []string{pack("1.0", 5), pack("bad", 0), pack("2.0", 3)}
	writePack(t, dir, texts[0])
	svc, err := live.New(context.Background(), live.DirSource(dir))
	require.NoError(t, err)
	digests := sync.Map{}
	digests.Store(svc.Rules().Digest, "1.0")
	ctx := context.Background()
	// Learn the second good pack's digest before any scorer runs: a scorer
	// may see a reloaded pack before Reload has returned to this goroutine.
	writePack(t, dir, texts[2])
	info, err := svc.Reload(ctx)
	require.NoError(t, err)
	digests.Store(info.Digest, info.Version)
	writePack(t, dir, texts[0])
	_, err = svc.Reload(ctx)
	require.NoError(t, err)
	var stop atomic.Bool
	var wg sync.WaitGroup
	var failed atomic.Int64
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; !stop.Load(); i++ {
				d, err := svc.Score(ctx, card(i%50, fmt.Sprintf("h-%d", w*10+i%7)), asOf)
				if err != nil {
					failed.Add(1)
					continue
				}
				v, ok := digests.Load(d.RuleSet)
				if !ok || v != d.Version || d.Version == "bad" {
					failed.Add(1)
				}
			}
		}()
	}
	for i := range 12 {
		text := texts[i%3]
		writePack(t, dir, text)
		info, err := svc.Reload(ctx)
		if i%3 == 1 {
			require.Error(t, err)
		} else {
			require.NoError(t, err)
			v, ok := digests.Load(info.Digest)
			require.True(t, ok, "a good pack's digest is one learnt before the scorers started")
			require.Equal(t, info.Version, v)
		}
	}
	stop.Store(true)
	wg.Wait()
	require.Zero(t, failed.Load())
}

// A shadow pack is scored beside the live one: it never changes the answer,
// and its differences are counted, hooked and logged.
func TestServiceShadow(t *testing.T) {
	dir, shadowDir := t.TempDir(), t.TempDir()
	writePack(t, dir, pack("1.0", 5))
	writePack(t, shadowDir, pack("cand", 2))
	hooks := newCountHooks()
	logPath := filepath.Join(t.TempDir(), "decisions.jsonl")
	dlog, err := live.OpenDecisionLog(logPath, live.LogOptions{})
	require.NoError(t, err)
	svc, err := live.New(context.Background(), live.DirSource(dir), live.WithShadow(live.DirSource(shadowDir)),
		live.WithHooks(hooks), live.WithDecisionLog(dlog))
	require.NoError(t, err)
	for i := range 4 {
		d, err := svc.Score(context.Background(), card(i, "h-1"), asOf)
		require.NoError(t, err)
		require.False(t, d.Fired("many"), "the shadow never decides")
		require.Equal(t, "1.0", d.Version)
	}
	require.NoError(t, dlog.Close())
	require.EqualValues(t, 2, svc.ShadowDifferences(), "the third and fourth cards: 3 and 4 > 2 in the shadow")
	require.Equal(t, 2, hooks.diffs)
	require.Equal(t, "cand", svc.Rules().ShadowVersion)
	lines := readLines(t, logPath)
	require.Len(t, lines, 4)
	var last struct {
		Decision map[string]any `json:"decision"`
		Shadow   map[string]any `json:"shadow"`
	}
	require.NotContains(t, lines[1], `"shadow"`)
	require.NoError(t, json.Unmarshal([]byte(lines[3]), &last))
	require.Equal(t, "138****0003", last.Decision["msisdn"])
	require.Equal(t, "restrict", last.Shadow["outcome"])
	require.Equal(t, "pass", last.Decision["outcome"])
	for _, l := range lines {
		require.NotContains(t, l, "13800000003")
		require.NotContains(t, l, "h-1")
	}
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	require.NoError(t, sc.Err())
	return out
}

// The decision log rotates by size, keeps MaxFiles rotated files, and
// refuses options over its limits.
func TestDecisionLogRotation(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "d.jsonl")
	l, err := live.OpenDecisionLog(path, live.LogOptions{MaxBytes: live.MinLogBytes, MaxFiles: 2,
		Now: func() time.Time { return time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC) }})
	require.NoError(t, err)
	d := &risk.Decision{MSISDN: "13800138000", Hits: []risk.Hit{{Rule: "r", Reason: strings.Repeat("x", 300)}}, AsOf: asOf}
	one := 0
	for i := range 100 {
		require.NoError(t, l.Write(d, nil))
		if i == 0 {
			st, err := os.Stat(path)
			require.NoError(t, err)
			one = int(st.Size())
		}
	}
	require.NoError(t, l.Close())
	require.Error(t, l.Write(d, nil), "closed")
	perFile := live.MinLogBytes / one
	for _, name := range []string{"d.jsonl", "d.jsonl.1", "d.jsonl.2"} {
		st, err := os.Stat(filepath.Join(dir, name))
		require.NoError(t, err)
		require.LessOrEqual(t, st.Size(), int64(live.MinLogBytes), name)
		if name != "d.jsonl" {
			require.Equal(t, perFile*one, int(st.Size()), name)
		}
		for _, line := range readLines(t, filepath.Join(dir, name)) {
			require.Contains(t, line, `"msisdn":"138****8000"`)
			require.NotContains(t, line, "13800138000")
		}
	}
	_, err = os.Stat(filepath.Join(dir, "d.jsonl.3"))
	require.True(t, errors.Is(err, os.ErrNotExist))
	require.Equal(t, 100%perFile, len(readLines(t, path))%perFile)

	_, err = live.OpenDecisionLog(path, live.LogOptions{MaxBytes: 10})
	require.ErrorContains(t, err, "live.MinLogBytes")
	_, err = live.OpenDecisionLog(path, live.LogOptions{MaxFiles: live.MaxLogFiles + 1})
	require.ErrorContains(t, err, "live.MaxLogFiles")
	_, err = live.OpenDecisionLog(filepath.Join(dir, "no", "such", "dir"), live.LogOptions{})
	require.Error(t, err)
}

// A rotation that fails (the log's directory removed) loses those lines with
// an error, and the log resumes once the directory is back: the failure is not
// kept for the life of the service.
func TestDecisionLogResumesAfterAFailedRotation(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "logs")
	require.NoError(t, os.Mkdir(dir, 0o755))
	path := filepath.Join(dir, "d.jsonl")
	l, err := live.OpenDecisionLog(path, live.LogOptions{MaxBytes: live.MinLogBytes, MaxFiles: 1})
	require.NoError(t, err)
	d := &risk.Decision{MSISDN: "13800138000", Hits: []risk.Hit{{Rule: "r", Reason: strings.Repeat("x", 1000)}}, AsOf: asOf}
	require.NoError(t, l.Write(d, nil))
	require.NoError(t, os.RemoveAll(dir))
	failed := 0
	for range 8 { // past MaxBytes: a rotation, which cannot rename
		if l.Write(d, nil) != nil {
			failed++
		}
	}
	require.Positive(t, failed)
	require.NoError(t, os.Mkdir(dir, 0o755))
	require.NoError(t, l.Write(d, nil), "the log resumes once its directory is back")
	require.NoError(t, l.Close())
	lines := readLines(t, path)
	require.Len(t, lines, 1)
	require.Contains(t, lines[0], `"msisdn":"138****8000"`)
	require.Error(t, l.Write(d, nil), "closed")
}

// A shadow pack that fails its reload keeps the last good shadow engine and
// never stops the live pack's swap; its errors are reported apart.
func TestServiceShadowReloadFailure(t *testing.T) {
	dir, shadowDir := t.TempDir(), t.TempDir()
	writePack(t, dir, pack("1.0", 5))
	writePack(t, shadowDir, pack("cand-1", 2))
	hooks := newCountHooks()
	svc, err := live.New(context.Background(), live.DirSource(dir), live.WithShadow(live.DirSource(shadowDir)), live.WithHooks(hooks))
	require.NoError(t, err)
	writePack(t, dir, pack("2.0", 5))
	writePack(t, shadowDir, "rules: [")
	info, err := svc.Reload(context.Background())
	var re *live.ReloadError
	require.ErrorAs(t, err, &re)
	require.True(t, re.Shadow)
	require.Equal(t, "2.0", info.Version, "the live pack swapped")
	require.Nil(t, info.LastErrors)
	require.Equal(t, "cand-1", info.ShadowVersion, "the last good shadow serves")
	require.NotEmpty(t, info.LastShadowErrors)
	require.Equal(t, map[string]int{"ok": 1, "shadow_failed": 1}, hooks.reloads)
	d, err := svc.Score(context.Background(), card(1, "h-1"), asOf)
	require.NoError(t, err)
	require.Equal(t, "2.0", d.Version)

	// options that cannot be are New's errors
	_, err = live.New(context.Background(), live.DirSource(dir), live.WithHooks(nil))
	require.Error(t, err)
	_, err = live.New(context.Background(), nil)
	require.Error(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = live.New(ctx, live.DirSource(dir))
	require.ErrorAs(t, err, &re)
	_, err = svc.Score(ctx, card(1, "h-1"), asOf)
	require.ErrorIs(t, err, context.Canceled)
}

// A shadow pack whose rule fails at run time on some cards: each such card
// is counted in ShadowFailures, passed to Hooks.ShadowFailed and logged
// (masked); the live decision is the one the live pack alone gives, and a
// failing shadow is not mistaken for one that agrees.
func TestServiceShadowFailure(t *testing.T) {
	dir, shadowDir := t.TempDir(), t.TempDir()
	writePack(t, dir, pack("1.0", 5))
	// boom reads a fourth linked platform the cards do not have: a run-time
	// error on holder h-2's cards only
	writePack(t, shadowDir, strings.Replace(pack("cand", 5), "tests:", `  - {id: boom, when: 'holder == "h-2" && linked_platforms[3] == "jd"', score: 10, outcome: pass}
tests:`, 1))
	hooks := newCountHooks()
	logPath := filepath.Join(t.TempDir(), "decisions.jsonl")
	dlog, err := live.OpenDecisionLog(logPath, live.LogOptions{})
	require.NoError(t, err)
	svc, err := live.New(context.Background(), live.DirSource(dir), live.WithShadow(live.DirSource(shadowDir)),
		live.WithHooks(hooks), live.WithDecisionLog(dlog))
	require.NoError(t, err)
	alone, err := live.New(context.Background(), live.DirSource(dir))
	require.NoError(t, err)
	holders := []string{"h-1", "h-2", "h-1", "h-2", "h-2"}
	for i, h := range holders {
		d, err := svc.Score(context.Background(), card(i, h), asOf)
		require.NoError(t, err)
		want, err := alone.Score(context.Background(), card(i, h), asOf)
		require.NoError(t, err)
		require.Empty(t, d.Errors, "the live pack's decision carries no shadow error")
		require.False(t, live.Differ(d, want), "card %d: the live answer is the live pack's alone", i)
		require.Equal(t, want.Outcome, d.Outcome)
	}
	require.NoError(t, dlog.Close())
	require.EqualValues(t, 3, svc.ShadowFailures(), "h-2's three cards")
	require.EqualValues(t, 0, svc.ShadowDifferences(), "boom never fires: the decisions agree otherwise")
	require.Len(t, hooks.fails, 3)
	require.Contains(t, hooks.fails[0], "boom")
	require.Equal(t, []string{"138****0001", "138****0003", "138****0004"}, hooks.failedOn)
	lines := readLines(t, logPath)
	require.Len(t, lines, 5)
	require.NotContains(t, lines[0], `"shadow`, "a card the shadow scored cleanly logs no shadow")
	var failed struct {
		Decision    map[string]any `json:"decision"`
		Shadow      map[string]any `json:"shadow"`
		ShadowError string         `json:"shadow_error"`
	}
	require.NoError(t, json.Unmarshal([]byte(lines[1]), &failed))
	require.Equal(t, "138****0001", failed.Shadow["msisdn"])
	require.Contains(t, fmt.Sprint(failed.Shadow["errors"]), "boom")
	require.Contains(t, failed.ShadowError, "boom")
	require.Nil(t, failed.Decision["errors"])
	for _, l := range lines {
		require.NotContains(t, l, "13800000001")
		require.NotContains(t, l, "h-2")
	}
}

// An as-of time outside risk.MinAsOf .. risk.MaxAsOf is refused by every
// call that takes one, given or from the clock, with the error naming the
// limits; nothing is stored. The bounds themselves are accepted.
func TestServiceAsOfRange(t *testing.T) {
	ctx := context.Background()
	svc, err := live.New(ctx, live.PackSource("default"))
	require.NoError(t, err)
	require.NoError(t, svc.Upsert(card(1, "h-1"), asOf))
	calls := map[string]func(risk.Time) error{
		"Score":       func(at risk.Time) error { _, err := svc.Score(ctx, card(2, "h-1"), at); return err },
		"ScoreStored": func(at risk.Time) error { _, err := svc.ScoreStored(ctx, card(1, "h-1").MSISDN, at); return err },
		"Upsert":      func(at risk.Time) error { return svc.Upsert(card(3, "h-1"), at) },
		"UpsertBatch": func(at risk.Time) error {
			errs := svc.UpsertBatch([]*risk.Record{card(4, "h-1"), card(5, "h-1")}, at)
			if errs == nil {
				return nil
			}
			require.Len(t, errs, 2)
			require.Equal(t, errs[0], errs[1])
			return errs[0]
		},
	}
	for name, call := range calls {
		for _, at := range []risk.Time{risk.MinAsOf - 1, risk.MaxAsOf + 1, -86400, risk.MaxAsOf + 1<<40} {
			err := call(at)
			require.ErrorIs(t, err, risk.ErrAsOfRange, "%s at %d", name, at)
			require.Contains(t, err.Error(), "is outside 1980-01-01T00:00:00+08:00 .. 9999-12-31T23:59:59+08:00 (risk.MinAsOf .. risk.MaxAsOf)", name)
		}
	}
	require.Equal(t, 1, svc.Len(), "nothing stored at a refused as-of time")
	// the card dates of these records are from 2025-2026: the lower bound
	// itself is checked with a card of 1980
	early := &risk.Record{MSISDN: "13800000009", OpenedAt: risk.MinAsOf}
	_, err = svc.Score(ctx, early, risk.MinAsOf)
	require.NoError(t, err)
	for name, call := range calls {
		require.NoError(t, call(risk.MaxAsOf), name)
	}

	// the clock is checked too
	stopped, err := live.New(ctx, live.PackSource("default"), live.WithClock(func() time.Time { return time.Unix(0, 0) }))
	require.NoError(t, err)
	_, err = stopped.Score(ctx, card(1, "h-1"), 0)
	require.ErrorIs(t, err, risk.ErrAsOfRange)
	require.Contains(t, err.Error(), "1970-01-01T08:00:00+08:00 is outside")
}

// Reload errors show the rule files' paths as the host gave them, the
// digits of a temporary directory included (ref.MaskText alone joined
// them into a number and masked it), while a phone number in a path and
// in the message is still masked.
func TestReloadErrorsKeepPathsReadable(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "rules20261101", "2847561920")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	numbered := filepath.Join(t.TempDir(), "13800138000")
	require.NoError(t, os.MkdirAll(numbered, 0o755))
	failing := pack("1", 3) + "  - {name: \"card 13800138000\", as_of: 2026-11-01, card: {holder: h-1}, expect: {fires: [many]}}\n"
	for _, c := range []struct {
		dir, text string
		want      []string // in the error, as they are
	}{
		{dir, "rules: [", []string{dir + "/pack.yaml:1:"}},
		{dir, failing, []string{dir + "/pack.yaml:", `test "card 138****8000"`}},
		{dir + "-missing", "", []string{dir + "-missing"}},
		{numbered, failing, []string{strings.TrimSuffix(numbered, "13800138000") + "138****8000/pack.yaml:"}},
	} {
		if c.text != "" {
			writePack(t, c.dir, c.text)
		}
		_, err := live.New(context.Background(), live.DirSource(c.dir))
		var re *live.ReloadError
		require.ErrorAs(t, err, &re)
		for _, w := range c.want {
			require.Contains(t, err.Error(), w)
		}
		require.NotContains(t, err.Error(), "13800138000")
	}
}
