package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/rules"
)

// The load test's size. CI runs the defaults under -race; README.md's
// figures come from a larger run, without -race:
//
//	go test -run TestLoad -count=1 . -args -load.clients 8 -load.requests 4000 -load.cards 100000 -load.reloads 40
var (
	loadClients  = flag.Int("load.clients", 4, "load test: concurrent clients")
	loadRequests = flag.Int("load.requests", 120, "load test: requests per client")
	loadCards    = flag.Int("load.cards", 500, "load test: cards in the snapshot loaded at start")
	loadReloads  = flag.Int("load.reloads", 8, "load test: reloads during the run, alternating good and broken packs")
)

// loadAsOf is the as-of time of every request.
const loadAsOf = "2026-11-01"

// packKind is what the reloader writes into the served rule directory.
type packKind int

const (
	goodA      packKind = iota // the default pack, version a
	goodB                      // the default pack, version b (another digest)
	badSyntax                  // YAML that does not parse
	badCompile                 // a condition naming a field that does not exist
	badTest                    // compiles, but one of its own tests fails
	numPackKind
	shadowProbe // version a and one more rule (alerts_30d == 29): a shadow pack that decides some cards otherwise
	shadowFails // version a and one more rule that fails at run time on cards with alerts_30d == 28 (a fourth linked platform they lack)
)

func (k packKind) good() bool { return k == goodA || k == goodB }

// writePack writes a pack of kind k into dir (replacing its files).
func writePack(t testing.TB, dir string, k packKind) {
	t.Helper()
	src := filepath.Join("..", "..", "rules", "packs", "default")
	main, err := os.ReadFile(filepath.Join(src, "default.yaml"))
	require.NoError(t, err)
	tests, err := os.ReadFile(filepath.Join(src, "default_test.yaml"))
	require.NoError(t, err)
	text := string(main)
	switch k {
	case goodA:
		text = strings.Replace(text, "version: 1.1.0", "version: 1.1.0-a", 1)
	case goodB:
		text = strings.Replace(text, "version: 1.1.0", "version: 1.1.0-b", 1)
	case badSyntax:
		text = strings.Replace(text, "version: 1.1.0", "version: 1.1.0-syntax\nparams: [unclosed", 1)
	case badCompile:
		text = strings.Replace(text, "version: 1.1.0", "version: 1.1.0-compile", 1)
		text = strings.Replace(text, "\nrules:\n", "\nrules:\n  - id: broken_rule\n    title: broken\n    when: no_such_field > 1\n    score: 10\n    reason: broken\n", 1)
	case shadowProbe:
		text = strings.Replace(text, "version: 1.1.0", "version: 1.1.0-probe", 1)
		text += `
  - id: shadow_probe
    title: {zh: 探针, en: probe}
    when: valid && alerts_30d == 29
    score: 5
    outcome: monitor
    reason: {zh: 探针, en: probe}
`
	case shadowFails:
		text = strings.Replace(text, "version: 1.1.0", "version: 1.1.0-fails", 1)
		text += `
  - id: shadow_fails
    title: {zh: 失败, en: fails}
    when: 'valid && alerts_30d == 28 && linked_platforms[3] == "jd"'
    score: 5
    outcome: monitor
    reason: {zh: 失败, en: fails}
`
	case badTest:
		text = strings.Replace(text, "version: 1.1.0", "version: 1.1.0-test", 1)
		tests = append(tests, []byte(`
  - name: a test that fails (a clean card does not suspend)
    as_of: 2026-11-01
    card: {complaints: 0}
    expect: {outcome: suspend}
`)...)
	}
	require.NotEqual(t, string(main), text, "the pack text must change for kind %d", k)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "default.yaml"), []byte(text), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "default_test.yaml"), tests, 0o644))
}

// packDigest is the digest of the pack in dir as rules loads it, "" when it
// does not load.
func packDigest(dir string) string {
	rs, err := rules.Load(dir)
	if err != nil || rs.Err() != nil {
		return ""
	}
	return rs.Digest
}

// loadCard is one synthetic card as JSON: client c's card i, in a state
// drawn from rng. A client's 40 cards share 7 holders, so 一证五卡 fires;
// the snapshot's (client 99) have 4 cards per holder.
func loadCard(c, i int, rng *rand.Rand) string {
	msisdn := fmt.Sprintf("139%02d%06d", c, i)
	holder := i % 7
	if c == 99 {
		holder = i / 4
	}
	return fmt.Sprintf(`{"msisdn":"%s","opened_at":"2024-03-%02d","holder":"h-%d-%d","last_voice_at":"2026-%02d-01","alerts_30d":%d,"complaints":%d,"open_region":"%s"}`,
		msisdn, 1+rng.IntN(28), c, holder, 1+rng.IntN(10), rng.IntN(6), rng.IntN(2)*rng.IntN(2),
		[]string{"110105", "KH", "350802", "MM"}[rng.IntN(4)])
}

// loadStats are one client's observations.
type loadStats struct {
	latencies []time.Duration
	failures  []string
	digests   map[string]int // decisions per rule-set digest
}

func (s *loadStats) failf(format string, args ...any) {
	if len(s.failures) < 20 {
		s.failures = append(s.failures, fmt.Sprintf(format, args...))
	}
}

// TestLoad runs the server (the real program: flags, snapshot, listener,
// graceful shutdown) on loopback while clients score, upsert, remove and read
// decisions and a reloader alternates good and broken packs: no request
// fails, every reload gets the answer its pack deserves, no decision comes
// from a broken pack, every decision names one of the good packs' digests.
func TestLoad(t *testing.T) {
	dir := t.TempDir()
	rulesDir := filepath.Join(dir, "rules")
	require.NoError(t, os.Mkdir(rulesDir, 0o755))

	// The digest each pack kind has (broken kinds that load have one too).
	digests := map[packKind]string{}
	for k := range numPackKind {
		writePack(t, rulesDir, k)
		digests[k] = packDigest(rulesDir)
	}
	good := map[string]bool{digests[goodA]: true, digests[goodB]: true}
	require.Len(t, good, 2, "the two good packs must have different digests")
	require.Empty(t, digests[badSyntax])
	require.Empty(t, digests[badCompile])
	require.NotEmpty(t, digests[badTest], "the pack whose test fails loads and has a digest of its own")
	require.False(t, good[digests[badTest]])
	writePack(t, rulesDir, goodA)

	// The snapshot: cards of "client" 99, never touched by the clients.
	snapshot := filepath.Join(dir, "snapshot.jsonl")
	var sb strings.Builder
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range *loadCards {
		sb.WriteString(loadCard(99, i, rng))
		sb.WriteByte('\n')
	}
	require.NoError(t, os.WriteFile(snapshot, []byte(sb.String()), 0o644))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr := make(chan string, 1)
	exit := make(chan int, 1)
	var stderr syncBuffer
	go func() {
		exit <- run(ctx, []string{"--listen", "127.0.0.1:0", "--rules", rulesDir, "--snapshot", snapshot, "--log-level", "warn"},
			&stderr, func(a string) { addr <- a })
	}()
	var base string
	select {
	case a := <-addr:
		base = "http://" + a
	case code := <-exit:
		t.Fatalf("the server stopped with %d before listening: %s", code, stderr.String())
	}

	// Bounded in time whatever happens: every request has a deadline.
	client := &http.Client{Timeout: 2 * time.Minute}
	var health struct{ Cards int }
	getJSON(t, client, base+"/healthz", &health)
	require.Equal(t, *loadCards, health.Cards, "the snapshot is loaded before the server listens")

	start := time.Now()
	var wg sync.WaitGroup
	stats := make([]*loadStats, *loadClients)
	var progress atomic.Int64
	for c := range *loadClients {
		stats[c] = &loadStats{digests: map[string]int{}}
		wg.Go(func() { loadClient(client, base, c, *loadRequests, stats[c], &progress) })
	}
	var reloads []string // failures of the reloader
	reloadsDone := make(chan struct{})
	go func() {
		defer close(reloadsDone)
		reloads = reloader(t, client, base, rulesDir, *loadReloads, digests, &progress, int64(*loadClients**loadRequests))
	}()
	wg.Wait()
	<-reloadsDone
	took := time.Since(start)

	var all []time.Duration
	decided := map[string]int{}
	for _, s := range stats {
		require.Empty(t, s.failures, "failed requests")
		all = append(all, s.latencies...)
		for d, n := range s.digests {
			decided[d] += n
		}
	}
	require.Empty(t, reloads, "reloads answered wrongly")
	require.NotEmpty(t, decided)
	versions := map[string]string{digests[goodA]: "1.1.0-a", digests[goodB]: "1.1.0-b"}
	for dv, n := range decided {
		d, v, _ := strings.Cut(dv, " ")
		require.True(t, good[d], "%d decisions came from a rule set that is not one of the good packs: %s", n, d)
		require.Equal(t, versions[d], v, "decisions name the version of the pack of their digest")
	}
	slices.Sort(all)
	t.Logf("%d clients, %d requests in %v: %.0f requests/s; latency p50 %v, p99 %v; %d reloads; decisions by digest %v",
		*loadClients, len(all), took.Round(time.Millisecond), float64(len(all))/took.Seconds(),
		all[len(all)/2], all[len(all)*99/100], *loadReloads, decided)

	// Every failed reload is counted, and nothing leaked into the log.
	body := getText(t, client, base+"/metrics")
	require.Contains(t, body, fmt.Sprintf(`simrisk_reloads_total{result="failed"} %d`, *loadReloads/2))

	cancel()
	require.Equal(t, 0, <-exit, "graceful shutdown: %s", stderr.String())
	requireNoPersonalData(t, stderr.String())
}

// loadClient sends n requests as client c: it owns the cards 139cc000000 ...
// and knows which are stored, so it knows the one right answer to each.
func loadClient(client *http.Client, base string, c, n int, st *loadStats, progress *atomic.Int64) {
	rng := rand.New(rand.NewPCG(uint64(c), 7))
	const own = 40
	stored := make([]bool, own)
	q := "?as_of=" + loadAsOf
	for range n {
		progress.Add(1)
		i := rng.IntN(own)
		msisdn := fmt.Sprintf("139%02d%06d", c, i)
		var (
			method, url, ctype string
			body               string
			want               int
			decisions          int // decisions expected in the answer
		)
		switch op := rng.IntN(10); {
		case op < 4: // score one card: stored, then scored
			method, url, ctype, body, want, decisions = "POST", base+"/v1/score"+q, "application/json", loadCard(c, i, rng), 200, 1
			stored[i] = true
		case op < 5: // score a batch of 8
			var b strings.Builder
			for k := range 8 {
				j := (i + k) % own
				b.WriteString(loadCard(c, j, rng) + "\n")
				stored[j] = true
			}
			method, url, ctype, body, want, decisions = "POST", base+"/v1/score/batch"+q, "application/x-ndjson", b.String(), 200, 8
		case op < 7: // upsert one card or JSON Lines of 4
			if rng.IntN(2) == 0 {
				method, url, ctype, body, want = "PUT", base+"/v1/cards"+q, "application/json", loadCard(c, i, rng), 200
				stored[i] = true
			} else {
				var b strings.Builder
				for k := range 4 {
					j := (i + k) % own
					b.WriteString(loadCard(c, j, rng) + "\n")
					stored[j] = true
				}
				method, url, ctype, body, want = "PUT", base+"/v1/cards"+q, "application/x-ndjson", b.String(), 200
			}
		case op < 8: // remove
			method, url, want = "DELETE", base+"/v1/cards/"+msisdn, 404
			if stored[i] {
				want = 204
			}
			stored[i] = false
		default: // the stored card's decision now
			method, url, want = "GET", base+"/v1/cards/"+msisdn+"/decision"+q, 404
			if stored[i] {
				want, decisions = 200, 1
			}
		}
		req, err := http.NewRequest(method, url, strings.NewReader(body))
		if err != nil {
			st.failf("%s %s: %v", method, url, err)
			continue
		}
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		t0 := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			st.failf("%s %s: %v", method, url, err)
			continue
		}
		got, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		st.latencies = append(st.latencies, time.Since(t0))
		if err != nil || resp.StatusCode != want {
			st.failf("%s %s: status %d, want %d: %s (%v)", method, url, resp.StatusCode, want, got, err)
			continue
		}
		if want != 200 || decisions == 0 {
			continue
		}
		lines := bytes.Split(bytes.TrimSpace(got), []byte("\n"))
		if len(lines) != decisions {
			st.failf("%s %s: %d answer lines, want %d decisions: %s", method, url, len(lines), decisions, got)
			continue
		}
		for _, l := range lines {
			var d struct {
				MSISDN  string `json:"msisdn"`
				RuleSet string `json:"ruleset"`
				Version string `json:"version"`
				AsOf    string `json:"as_of"`
			}
			if err := json.Unmarshal(l, &d); err != nil || d.MSISDN == "" || d.RuleSet == "" || d.AsOf != "2026-11-01T00:00:00+08:00" {
				st.failf("%s %s: not a decision at %s: %s", method, url, loadAsOf, l)
				continue
			}
			st.digests[d.RuleSet+" "+d.Version]++
		}
	}
}

// reloader alternates good and broken packs n times: a good pack answers 200
// with its digest, a broken one 422 with its errors and the digest still
// serving (the last good one's). It returns what went wrong.
// Reload i waits until progress (requests done) reaches i/n of total.
func reloader(t testing.TB, client *http.Client, base, dir string, n int, digests map[packKind]string, progress *atomic.Int64, total int64) []string {
	var problems []string
	serving := digests[goodA]
	broken := []packKind{badSyntax, badCompile, badTest}
	for i := range n {
		for progress != nil && progress.Load() < int64(i)*total/int64(n) {
			time.Sleep(100 * time.Microsecond) // spread the reloads over the clients' run
		}
		k := goodB
		if i%4 == 3 {
			k = goodA
		}
		if i%2 == 0 {
			k = broken[(i/2)%len(broken)]
		}
		writePack(t, dir, k)
		resp, err := client.Post(base+"/-/reload", "", nil)
		if err != nil {
			problems = append(problems, fmt.Sprintf("reload %d: %v", i, err))
			continue
		}
		var ans struct {
			Digest  string   `json:"digest"`
			Serving string   `json:"serving"`
			Errors  []string `json:"errors"`
		}
		err = json.NewDecoder(resp.Body).Decode(&ans)
		resp.Body.Close()
		switch {
		case err != nil:
			problems = append(problems, fmt.Sprintf("reload %d (kind %d): %v", i, k, err))
		case k.good() && (resp.StatusCode != 200 || ans.Digest != digests[k]):
			problems = append(problems, fmt.Sprintf("reload %d (good kind %d): status %d digest %s, want 200 %s", i, k, resp.StatusCode, ans.Digest, digests[k]))
		case !k.good() && (resp.StatusCode != 422 || len(ans.Errors) == 0 || ans.Serving != serving):
			problems = append(problems, fmt.Sprintf("reload %d (broken kind %d): status %d, %d errors, serving %s, want 422 with errors serving %s", i, k, resp.StatusCode, len(ans.Errors), ans.Serving, serving))
		}
		if k.good() {
			serving = digests[k]
		}
	}
	return problems
}

func getJSON(t testing.TB, c *http.Client, url string, v any) {
	t.Helper()
	resp, err := c.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	require.NoError(t, json.NewDecoder(resp.Body).Decode(v))
}

func getText(t testing.TB, c *http.Client, url string) string {
	t.Helper()
	resp, err := c.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, 200, resp.StatusCode, "%s", b)
	return string(b)
}

// syncBuffer is a bytes.Buffer safe for the server's log and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
