package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode"

	"github.com/stretchr/testify/require"
	"golang.org/x/text/unicode/norm"

	"github.com/simrisk/simrisk/risk"
)

// testServer is the server over a fresh card base, on httptest's loopback
// listener, with its log in a buffer.
type testServer struct {
	*httptest.Server
	log *syncBuffer
	srv *server
}

// newTestServer starts the server with the command-line flags args (the
// default pack unless they say otherwise).
func newTestServer(t *testing.T, args ...string) *testServer {
	t.Helper()
	var stderr bytes.Buffer
	c, err := parseFlags(args, &stderr)
	require.NoError(t, err, stderr.String())
	logs := &syncBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv, base, err := setup(c, log)
	require.NoError(t, err)
	ts := httptest.NewServer(srv)
	t.Cleanup(func() {
		ts.Close()
		base.Close()
	})
	return &testServer{Server: ts, log: logs, srv: srv}
}

// do sends a request and returns the status and body.
func (ts *testServer) do(t *testing.T, method, path, ctype, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := ts.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// decode parses a JSON answer into a map.
func decode(t *testing.T, body string) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(body), &m), body)
	return m
}

// A clean card and a card that fires: six cards of one holder at cmcc is
// 一证五卡.
const (
	cleanCard = `{"msisdn":"13800138000","opened_at":"2024-03-01","holder":"h-clean","last_voice_at":"2026-10-30"}`
	asOf      = "?as_of=2026-11-01"
)

func multiCard(i int) string {
	return fmt.Sprintf(`{"msisdn":"1390000000%d","opened_at":"2024-03-01","holder":"h-multi","last_voice_at":"2026-10-30"}`, i)
}

func TestCardLifecycle(t *testing.T) {
	ts := newTestServer(t)

	code, body := ts.do(t, "PUT", "/v1/cards"+asOf, "application/json", cleanCard)
	require.Equal(t, 200, code, body)
	require.JSONEq(t, `{"upserted":1,"rejected":[],"rejected_count":0}`, body)

	code, body = ts.do(t, "GET", "/v1/cards/13800138000/decision"+asOf, "", "")
	require.Equal(t, 200, code, body)
	d := decode(t, body)
	require.Equal(t, "13800138000", d["msisdn"])
	require.Equal(t, "pass", d["outcome"])
	require.Equal(t, "default", d["pack"])
	require.Equal(t, "1.1.0", d["version"])
	require.Equal(t, "2026-11-01T00:00:00+08:00", d["as_of"])
	require.Regexp(t, `^sha256:[0-9a-f]{32}$`, d["ruleset"])

	// any spelling of the number in the path names the same card
	code, body = ts.do(t, "GET", "/v1/cards/+86%20138-0013-8000/decision"+asOf, "", "")
	require.Equal(t, 200, code, body)

	code, body = ts.do(t, "DELETE", "/v1/cards/13800138000", "", "")
	require.Equal(t, 204, code, body)
	require.Empty(t, body)
	code, body = ts.do(t, "DELETE", "/v1/cards/13800138000", "", "")
	require.Equal(t, 404, code)
	require.Equal(t, "unknown_card", decode(t, body)["error"])
	code, body = ts.do(t, "GET", "/v1/cards/13800138000/decision"+asOf, "", "")
	require.Equal(t, 404, code)
	require.Equal(t, "unknown_card", decode(t, body)["error"])
}

// Upserts replace a card's state, so the population follows the card base:
// the sixth card of a holder fires 一证五卡 on all six, removing one stops it.
func TestPopulationFollowsUpsertsAndRemovals(t *testing.T) {
	ts := newTestServer(t)
	var lines strings.Builder
	for i := range 6 {
		lines.WriteString(multiCard(i) + "\n")
	}
	code, body := ts.do(t, "PUT", "/v1/cards"+asOf, "application/x-ndjson", lines.String())
	require.Equal(t, 200, code, body)
	require.Equal(t, float64(6), decode(t, body)["upserted"])

	fired := func() bool {
		code, body := ts.do(t, "GET", "/v1/cards/13900000000/decision"+asOf, "", "")
		require.Equal(t, 200, code, body)
		return strings.Contains(body, `"rule":"multi_card_id"`)
	}
	require.True(t, fired(), "six cards of one holder at one operator")
	// upserting the same card again does not count it twice
	code, _ = ts.do(t, "PUT", "/v1/cards"+asOf, "application/json", multiCard(5))
	require.Equal(t, 200, code)
	require.True(t, fired())
	code, _ = ts.do(t, "DELETE", "/v1/cards/13900000005", "", "")
	require.Equal(t, 204, code)
	require.False(t, fired(), "five cards are allowed")
	// a card cancelled by upsert no longer counts either
	code, _ = ts.do(t, "PUT", "/v1/cards"+asOf, "application/json", multiCard(5))
	require.Equal(t, 200, code)
	require.True(t, fired())
	code, _ = ts.do(t, "PUT", "/v1/cards"+asOf, "application/json", strings.Replace(multiCard(5), `"holder"`, `"status":"cancelled","holder"`, 1))
	require.Equal(t, 200, code)
	require.False(t, fired())
}

func TestScoreStoresThenScores(t *testing.T) {
	ts := newTestServer(t)
	for i := range 5 {
		code, _ := ts.do(t, "PUT", "/v1/cards"+asOf, "application/json", multiCard(i))
		require.Equal(t, 200, code)
	}
	// the sixth card arrives through score: it is stored first, so its own
	// decision sees six cards; pretty-printed JSON is one card too
	var pretty bytes.Buffer
	require.NoError(t, json.Indent(&pretty, []byte(multiCard(5)), "", "  "))
	code, body := ts.do(t, "POST", "/v1/score"+asOf, "application/json", pretty.String())
	require.Equal(t, 200, code, body)
	d := decode(t, body)
	require.Equal(t, "13900000005", d["msisdn"])
	require.Contains(t, body, `"rule":"multi_card_id"`)
	code, _ = ts.do(t, "GET", "/v1/cards/13900000005/decision"+asOf, "", "")
	require.Equal(t, 200, code)
}

func TestScoreBatchStreamsInInputOrder(t *testing.T) {
	ts := newTestServer(t)
	in := multiCard(0) + "\n" +
		`{"msisdn":"13900000001","opened_at":"2027-01-01"}` + "\n" + // after as_of: rejected
		"\n" + // blank: not a record
		`{"msisdn":` + "\n" + // bad JSON
		multiCard(1) + "\n"
	code, body := ts.do(t, "POST", "/v1/score/batch"+asOf, "application/x-ndjson", in)
	require.Equal(t, 200, code, body)
	lines := strings.Split(strings.TrimSpace(body), "\n")
	require.Len(t, lines, 4, body)
	require.Equal(t, "13900000000", decode(t, lines[0])["msisdn"])
	require.Equal(t, float64(2), decode(t, lines[1])["line"])
	require.NotEmpty(t, decode(t, lines[1])["reason"])
	require.Equal(t, float64(4), decode(t, lines[2])["line"])
	require.Equal(t, "13900000001", decode(t, lines[3])["msisdn"])
	// each card was stored
	code, _ = ts.do(t, "GET", "/v1/cards/13900000001/decision"+asOf, "", "")
	require.Equal(t, 200, code)
}

func TestPutJSONLinesRejects(t *testing.T) {
	ts := newTestServer(t)
	in := cleanCard + "\n" + `{"msisdn":"123"}` + "\n" + `not json` + "\n"
	code, body := ts.do(t, "PUT", "/v1/cards"+asOf, "", in)
	require.Equal(t, 200, code, body)
	ans := decode(t, body)
	require.Equal(t, float64(1), ans["upserted"])
	require.Equal(t, float64(2), ans["rejected_count"])
	rej := ans["rejected"].([]any)
	require.Len(t, rej, 2)
	require.Equal(t, float64(2), rej[0].(map[string]any)["line"])
	require.Equal(t, float64(3), rej[1].(map[string]any)["line"])
}

func TestCSVBody(t *testing.T) {
	ts := newTestServer(t)
	in := "msisdn,opened_at,holder\n13800138000,2024-03-01,h-1\n13800138001,2099-01-01,h-1\n"
	code, body := ts.do(t, "PUT", "/v1/cards"+asOf, "text/csv", in)
	require.Equal(t, 200, code, body)
	ans := decode(t, body)
	require.Equal(t, float64(1), ans["upserted"])
	require.Equal(t, float64(3), ans["rejected"].([]any)[0].(map[string]any)["line"])
}

// Every error is JSON with a stable code and a reason.
func TestErrors(t *testing.T) {
	ts := newTestServer(t, "--max-body-bytes", "512", "--max-batch-bytes", "2048")
	big := strings.Replace(cleanCard, `"holder"`, `"mvno":"`+strings.Repeat("x", 600)+`","holder"`, 1)
	var many strings.Builder
	for many.Len() < 3000 {
		many.WriteString(cleanCard + "\n")
	}
	for _, c := range []struct {
		name, method, path, ctype, body string
		status                          int
		code                            string
	}{
		{"oversized card", "POST", "/v1/score" + asOf, "application/json", big, 413, "body_too_large"},
		{"oversized card upsert", "PUT", "/v1/cards" + asOf, "application/json", big, 413, "body_too_large"},
		{"oversized JSON Lines", "PUT", "/v1/cards" + asOf, "", many.String(), 413, "body_too_large"},
		{"bad JSON", "POST", "/v1/score" + asOf, "application/json", `{"msisdn":`, 400, "bad_json"},
		{"not an object", "POST", "/v1/score" + asOf, "application/json", `[1,2]`, 400, "bad_json"},
		{"two objects", "POST", "/v1/score" + asOf, "application/json", cleanCard + cleanCard, 400, "bad_json"},
		{"bad record", "POST", "/v1/score" + asOf, "application/json", `{"msisdn":"13800138000"}`, 400, "bad_record"},
		{"bad as_of", "POST", "/v1/score?as_of=yesterday", "application/json", cleanCard, 400, "bad_as_of"},
		{"bad as_of batch", "POST", "/v1/score/batch?as_of=2026-13-01", "", cleanCard, 400, "bad_as_of"},
		{"bad as_of decision", "GET", "/v1/cards/13800138000/decision?as_of=2026-11-01T25:00:00Z", "", "", 400, "bad_as_of"},
		{"bad as_of upsert", "PUT", "/v1/cards?as_of=11/01/2026", "", cleanCard, 400, "bad_as_of"},
		{"as_of past year 9999 in CST", "GET", "/v1/cards/13800138000/decision?as_of=9999-12-31T23:59:59Z", "", "", 400, "bad_as_of"},
		{"as_of before 1980", "POST", "/v1/score?as_of=0001-01-01", "application/json", cleanCard, 400, "bad_as_of"},
		{"unknown card", "GET", "/v1/cards/13911112222/decision", "", "", 404, "unknown_card"},
		{"unknown card delete", "DELETE", "/v1/cards/13911112222", "", "", 404, "unknown_card"},
		{"not a number", "DELETE", "/v1/cards/abc", "", "", 400, "bad_request"},
		{"no such endpoint", "GET", "/v2/cards", "", "", 404, "not_found"},
		{"wrong method", "GET", "/v1/score", "", "", 405, "method_not_allowed"},
		{"not UTF-8", "PUT", "/v1/cards" + asOf, "", `{"msisdn":"13800138000","opened_at":"2024-03-01","mvno":"` + "\xc3\x28" + `"}` + "\n", 400, "not_utf8"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, body := ts.do(t, c.method, c.path, c.ctype, c.body)
			require.Equal(t, c.status, code, body)
			ans := decode(t, body)
			require.Equal(t, c.code, ans["error"], body)
			require.NotEmpty(t, ans["reason"], body)
		})
	}
	// the as-of range is risk.CheckAsOf's, the one risk/live applies, and
	// its reason names the limits; the last second of 9999 in CST is in it
	code, body := ts.do(t, "GET", "/v1/cards/13800138000/decision?as_of=9999-12-31T23:59:59Z", "", "")
	require.Equal(t, 400, code)
	require.Equal(t, `as_of "99…9Z": `+risk.CheckAsOf(risk.MaxAsOf+8*3600).Error(), decode(t, body)["reason"])
	require.Contains(t, body, "(risk.MinAsOf .. risk.MaxAsOf)")
	code, body = ts.do(t, "POST", "/v1/score?as_of=9999-12-31T23:59:59%2B08:00", "application/json", cleanCard)
	require.Equal(t, 200, code, body)
	// the limit names its flag
	_, body = ts.do(t, "POST", "/v1/score"+asOf, "application/json", big)
	require.Contains(t, body, "over 512 bytes (--max-body-bytes)")
	code, body = ts.do(t, "GET", "/v1/score", "", "")
	require.Equal(t, 405, code)
	require.Contains(t, body, "POST")
}

// An oversized batch ends its answer with an error line after what was
// answered.
func TestScoreBatchOverLimit(t *testing.T) {
	ts := newTestServer(t, "--max-batch-bytes", "600")
	var many strings.Builder
	for many.Len() < 2000 {
		many.WriteString(cleanCard + "\n")
	}
	code, body := ts.do(t, "POST", "/v1/score/batch"+asOf, "", many.String())
	require.Equal(t, 200, code)
	lines := strings.Split(strings.TrimSpace(body), "\n")
	require.Greater(t, len(lines), 1, body)
	last := decode(t, lines[len(lines)-1])
	require.Equal(t, "body_too_large", last["error"])
	require.Equal(t, "13800138000", decode(t, lines[0])["msisdn"])
}

// rulesDir is a copy of a pack of kind k in a temporary directory.
func rulesDir(t *testing.T, k packKind) string {
	dir := t.TempDir()
	writePack(t, dir, k)
	return dir
}

func TestReload(t *testing.T) {
	dir := rulesDir(t, goodA)
	digestA := packDigest(dir)
	ts := newTestServer(t, "--rules", dir)
	var info map[string]any
	code, body := ts.do(t, "GET", "/v1/rules", "", "")
	require.Equal(t, 200, code)
	info = decode(t, body)
	require.Equal(t, digestA, info["digest"])
	require.Equal(t, "default", info["name"])
	require.Equal(t, "1.1.0-a", info["version"])
	require.NotEmpty(t, info["loaded_at"])
	require.NotEmpty(t, info["rules"])

	for _, k := range []packKind{badSyntax, badCompile, badTest} {
		writePack(t, dir, k)
		code, body = ts.do(t, "POST", "/-/reload", "", "")
		require.Equal(t, 422, code, body)
		ans := decode(t, body)
		require.Equal(t, "reload_failed", ans["error"])
		require.NotEmpty(t, ans["errors"])
		require.Equal(t, digestA, ans["serving"])
		// the old pack keeps serving
		code, body = ts.do(t, "POST", "/v1/score"+asOf, "application/json", cleanCard)
		require.Equal(t, 200, code)
		require.Equal(t, digestA, decode(t, body)["ruleset"])
		code, body = ts.do(t, "GET", "/v1/rules", "", "")
		require.Equal(t, 200, code)
		last := decode(t, body)["last_reload"].(map[string]any)
		require.Equal(t, false, last["ok"])
		require.NotEmpty(t, last["errors"])
	}
	writePack(t, dir, goodB)
	code, body = ts.do(t, "POST", "/-/reload", "", "")
	require.Equal(t, 200, code, body)
	require.Equal(t, packDigest(dir), decode(t, body)["digest"])
	code, body = ts.do(t, "POST", "/v1/score"+asOf, "application/json", cleanCard)
	require.Equal(t, 200, code)
	require.Equal(t, "1.1.0-b", decode(t, body)["version"])

	metrics := ts.metricsText(t)
	require.Contains(t, metrics, `simrisk_reloads_total{result="failed"} 3`)
	require.Contains(t, metrics, `simrisk_reloads_total{result="ok"} 2`) // the start and one reload
}

func (ts *testServer) metricsText(t *testing.T) string {
	t.Helper()
	code, body := ts.do(t, "GET", "/metrics", "", "")
	require.Equal(t, 200, code)
	return body
}

// labelValue is a label and its value in the exposition format.
var labelValue = regexp.MustCompile(`([a-z_]+)="([^"]*)"`)

func TestMetrics(t *testing.T) {
	ts := newTestServer(t)
	for i := range 6 {
		code, _ := ts.do(t, "POST", "/v1/score"+asOf, "application/json", multiCard(i))
		require.Equal(t, 200, code)
	}
	ts.do(t, "DELETE", "/v1/cards/13911112222", "", "") // a 404, routed by pattern
	m := ts.metricsText(t)
	for _, name := range []string{
		"simrisk_decisions_total", "simrisk_rule_hits_total", "simrisk_reloads_total",
		"simrisk_population_cards", "simrisk_request_duration_seconds_bucket", "simrisk_shadow_differences_total",
		"simrisk_shadow_failures_total",
	} {
		require.Contains(t, m, "\n"+name, name)
	}
	require.Contains(t, m, "simrisk_population_cards 6\n")
	require.Contains(t, m, `simrisk_decisions_total{outcome="pass"} 5`)
	require.Contains(t, m, `simrisk_rule_hits_total{rule="multi_card_id"} 1`)
	require.Contains(t, m, `simrisk_request_duration_seconds_count{code="404",method="DELETE",route="/v1/cards/{msisdn}"} 1`)
	// no label holds a number or a holder (status codes aside)
	for _, l := range labelValue.FindAllStringSubmatch(m, -1) {
		if l[1] == "le" || l[1] == "quantile" || l[1] == "version" { // bucket bounds, go_info's Go version
			continue
		}
		require.NotRegexp(t, `[0-9]{4}|h-multi|139`, l[2], l[0])
	}
}

func TestHealthz(t *testing.T) {
	ts := newTestServer(t)
	code, body := ts.do(t, "GET", "/healthz", "", "")
	require.Equal(t, 200, code)
	require.Equal(t, "ok", decode(t, body)["status"])
	ts.srv.stopping.Store(true)
	code, body = ts.do(t, "GET", "/healthz", "", "")
	require.Equal(t, 503, code)
	require.Equal(t, "stopping", decode(t, body)["status"])
}

func TestFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"--help"}, 0, "usage: server"},
		{[]string{"--rules", "x", "--pack", "default"}, 2, "--rules and --pack: give one"},
		{[]string{"--nope"}, 2, "flag provided but not defined"},
		{[]string{"extra"}, 2, "unexpected argument"},
		{[]string{"--max-body-bytes", "0"}, 2, "must be positive"},
		{[]string{"--log-level", "loud"}, 2, "--log-level"},
		{[]string{"--snapshot-format", "xml"}, 2, "--snapshot-format"},
		{[]string{"--encoding", "ebcdic"}, 2, "--encoding"},
		{[]string{"--shutdown-timeout", "0s"}, 2, "--shutdown-timeout"},
		{[]string{"--pack", "no-such-pack"}, 1, "no-such-pack"},
		{[]string{"--rules", filepath.Join(t.TempDir(), "missing")}, 1, "could not start"},
		{[]string{"--id-key-file", writeFile(t, "short")}, 1, "at least 16"},
		{[]string{"--snapshot", filepath.Join(t.TempDir(), "missing.jsonl")}, 1, "could not start"},
		{[]string{"--listen", "256.0.0.1:1"}, 1, "--listen"},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			var stderr syncBuffer
			code := run(context.Background(), c.args, &stderr, nil)
			require.Equal(t, c.code, code, stderr.String())
			require.Contains(t, stderr.String(), c.err)
		})
	}
	c, err := parseFlags(nil, io.Discard)
	require.NoError(t, err)
	require.Equal(t, "127.0.0.1:8080", c.listen)
	require.Equal(t, "default", c.pack)
}

func writeFile(t *testing.T, text string) string {
	p := filepath.Join(t.TempDir(), "f")
	require.NoError(t, os.WriteFile(p, []byte(text), 0o600))
	return p
}

// startRun runs the program on a loopback port; stop cancels it and returns
// its exit code.
func startRun(t *testing.T, args ...string) (base string, logs *syncBuffer, stop func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	addr := make(chan string, 1)
	exit := make(chan int, 1)
	logs = &syncBuffer{}
	go func() {
		exit <- run(ctx, append([]string{"--listen", "127.0.0.1:0"}, args...), logs, func(a string) { addr <- a })
	}()
	select {
	case a := <-addr:
		base = "http://" + a
	case code := <-exit:
		cancel()
		t.Fatalf("the server stopped with %d: %s", code, logs.String())
	}
	var once bool
	stop = func() int {
		if once {
			return 0
		}
		once = true
		cancel()
		return <-exit
	}
	t.Cleanup(func() { stop() })
	return base, logs, stop
}

// SIGTERM shuts the program down gracefully: exit 0, "stopped" logged.
func TestSIGTERM(t *testing.T) {
	addr := make(chan string, 1)
	exit := make(chan int, 1)
	logs := &syncBuffer{}
	go func() { exit <- serve([]string{"--listen", "127.0.0.1:0"}, logs, func(a string) { addr <- a }) }()
	select {
	case a := <-addr:
		getJSON(t, http.DefaultClient, "http://"+a+"/healthz", &struct{}{})
	case code := <-exit:
		t.Fatalf("the server stopped with %d: %s", code, logs.String())
	}
	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGTERM))
	require.Equal(t, 0, <-exit, logs.String())
	require.Contains(t, logs.String(), `"msg":"stopped"`)
}

// A panic in a handler is a JSON 500, logged masked; the server goes on.
func TestPanicIsA500(t *testing.T) {
	ts := newTestServer(t)
	ts.srv.mux.HandleFunc("GET /boom", func(http.ResponseWriter, *http.Request) { panic("card " + leakPhone) })
	code, body := ts.do(t, "GET", "/boom", "", "")
	require.Equal(t, 500, code)
	require.Equal(t, "internal", decode(t, body)["error"])
	requireNoPersonalData(t, body+ts.log.String())
	code, _ = ts.do(t, "GET", "/healthz", "", "")
	require.Equal(t, 200, code)
}

// A stored card scored at an as-of time before its own dates cannot be
// judged then: 422 with the reason.
func TestDecisionBeforeTheCardsDates(t *testing.T) {
	ts := newTestServer(t)
	code, _ := ts.do(t, "PUT", "/v1/cards"+asOf, "application/json", cleanCard)
	require.Equal(t, 200, code)
	code, body := ts.do(t, "GET", "/v1/cards/13800138000/decision?as_of=2020-01-01", "", "")
	require.Equal(t, 422, code, body)
	require.Equal(t, "score_failed", decode(t, body)["error"])
	require.Contains(t, body, "opened_at")
	requireNoPersonalData(t, body)
}

// SIGHUP reloads the rules, like POST /-/reload.
func TestSIGHUPReloads(t *testing.T) {
	dir := rulesDir(t, goodA)
	base, _, stop := startRun(t, "--rules", dir)
	writePack(t, dir, goodB)
	want := packDigest(dir)
	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGHUP))
	var info struct{ Digest string }
	for range 2000 { // the signal is handled in its own goroutine
		getJSON(t, http.DefaultClient, base+"/v1/rules", &info)
		if info.Digest == want {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	require.Equal(t, want, info.Digest)
	require.Equal(t, 0, stop())
}

// On shutdown a request in flight finishes: a batch still sending its body
// gets every decision, and the program exits 0.
func TestGracefulShutdown(t *testing.T) {
	base, logs, stop := startRun(t)
	pr, pw := io.Pipe()
	req, err := http.NewRequest("POST", base+"/v1/score/batch"+asOf, pr)
	require.NoError(t, err)
	respc := make(chan *http.Response, 1)
	errc := make(chan error, 1)
	client := &http.Client{Timeout: time.Minute}
	go func() {
		resp, err := client.Do(req)
		respc <- resp
		errc <- err
	}()
	// the reader looks at the first 512 bytes (for UTF-16) before the first
	// record: 6 cards are more
	for i := range 6 {
		_, err = io.WriteString(pw, multiCard(i)+"\n")
		require.NoError(t, err)
	}
	resp, err := <-respc, <-errc
	require.NoError(t, err)
	defer resp.Body.Close()
	rd := bufio.NewReader(resp.Body)
	for i := range 6 {
		line, err := rd.ReadString('\n')
		require.NoError(t, err)
		require.Contains(t, line, fmt.Sprintf(`"msisdn":"1390000000%d"`, i))
	}

	exit := make(chan int, 1)
	go func() { exit <- stop() }()
	// shutdown has begun once new connections are refused
	for range 2000 {
		if _, err := net.Dial("tcp", strings.TrimPrefix(base, "http://")); err != nil {
			break
		}
		time.Sleep(time.Millisecond)
	}
	_, err = io.WriteString(pw, multiCard(6)+"\n")
	require.NoError(t, err)
	require.NoError(t, pw.Close())
	rest, err := io.ReadAll(rd)
	require.NoError(t, err)
	require.Contains(t, string(rest), `"msisdn":"13900000006"`)
	require.Equal(t, 0, <-exit, logs.String())
	require.Contains(t, logs.String(), `"msg":"stopped"`)
}

// The personal data planted in requests: a number and an ID number, each in
// several spellings.
var (
	leakPhone = "13912345678"
	leakID    = "11010519491231002X"
)

func spellings(s string) []string {
	full := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r - '0' + '０'
		}
		return r
	}, s)
	out := []string{s, full}
	if len(s) == 11 {
		return append(out, s[:3]+" "+s[3:7]+" "+s[7:], s[:3]+"-"+s[3:7]+"-"+s[7:], "+86 "+s, "0086"+s)
	}
	return append(out, s[:6]+" "+s[6:14]+" "+s[14:], "身份证："+s, strings.ToLower(s))
}

// canonical is text as the leak scan reads it: NFKC, upper case, without
// anything that is neither a letter nor a digit; a mask's * stays.
func canonical(s string) string {
	s = strings.ToUpper(norm.NFKC.String(s))
	return strings.Map(func(r rune) rune {
		switch {
		case r == '*':
			return '*'
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			return -1
		}
		return r
	}, s)
}

// requireNoPersonalData fails when text shows the planted number or ID
// number in any spelling.
func requireNoPersonalData(t *testing.T, text string) {
	t.Helper()
	c := canonical(text)
	for _, s := range []string{canonical(leakPhone), canonical(leakID), "13800138000"} {
		require.NotContains(t, c, s)
	}
}

// No error answer and no log line shows a full number or ID number, in any
// spelling, whatever the request held.
func TestNoPersonalDataInErrorsOrLogs(t *testing.T) {
	ts := newTestServer(t, "--max-body-bytes", "4096")
	var answers strings.Builder
	send := func(method, path, ctype, body string) {
		code, ans := ts.do(t, method, path, ctype, body)
		if code >= 400 || strings.Contains(ans, `"rejected_count":1`) || strings.Contains(ans, `"line"`) {
			answers.WriteString(ans)
		}
	}
	secrets := append(spellings(leakPhone), spellings(leakID)...)
	for _, s := range secrets {
		q := fmt.Sprintf("%q", s)
		for _, body := range []string{
			`{"msisdn":` + q + `}`, // missing opened_at
			`{"msisdn":` + q + `,"opened_at":"2024-03-01"` + `,"x":1}`, // a number in a bad place
			`{"msisdn":"13800138000","opened_at":` + q + `}`,
			`{"msisdn":"13800138000","opened_at":"2024-03-01","holder":` + q + `}`, // a raw ID, no key
			`{"msisdn":"13800138000","opened_at":"2027-03-01","mvno":` + q + `}`,
			`{"msisdn":"13800138000","opened_at":"2024-03-01","status":` + q + `}`,
			`{"msisdn":` + q + ` ` + q + `}`, // bad JSON around it
		} {
			send("POST", "/v1/score"+asOf, "application/json", body)
			send("PUT", "/v1/cards"+asOf, "", body+"\n")
			send("POST", "/v1/score/batch"+asOf, "", body+"\n")
		}
		esc := strings.ReplaceAll(s, " ", "%20")
		send("DELETE", "/v1/cards/"+esc, "", "")
		send("GET", "/v1/cards/"+esc+"/decision"+asOf, "", "")
		send("GET", "/v1/cards/"+esc+"/decision?as_of="+strings.ReplaceAll(s, " ", "%20"), "", "")
		send("POST", "/v1/score?as_of="+esc, "application/json", cleanCard)
	}
	require.NotEmpty(t, answers.String())
	require.Contains(t, answers.String(), "139****5678") // masked, not dropped
	requireNoPersonalData(t, answers.String())
	requireNoPersonalData(t, ts.log.String())
}

// A shadow pack scores beside the live one: the answer is the live pack's,
// differences are counted, shown in GET /v1/rules and logged with both
// decisions in the decision log (masked); a shadow pack that fails to
// reload does not stop the live swap.
func TestShadowAndDecisionLog(t *testing.T) {
	liveDir, shadowDir := rulesDir(t, goodA), rulesDir(t, shadowProbe)
	logPath := filepath.Join(t.TempDir(), "decisions.jsonl")
	base, _, stop := startRun(t, "--rules", liveDir, "--shadow", shadowDir, "--decision-log", logPath)
	post := func(card string) map[string]any {
		resp, err := http.Post(base+"/v1/score"+asOf, "application/json", strings.NewReader(card))
		require.NoError(t, err)
		defer resp.Body.Close()
		require.Equal(t, 200, resp.StatusCode)
		var d map[string]any
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&d))
		return d
	}
	probe := strings.Replace(cleanCard, `"holder"`, `"alerts_30d":29,"holder"`, 1)
	d := post(probe)
	require.Equal(t, packDigest(liveDir), d["ruleset"], "the answer is the live pack's")
	require.NotContains(t, fmt.Sprint(d["hits"]), "shadow_probe")
	post(cleanCard)

	var info struct {
		Shadow struct {
			Digest      string
			Differences int
			Errors      []string
		}
	}
	getJSON(t, http.DefaultClient, base+"/v1/rules", &info)
	require.Equal(t, packDigest(shadowDir), info.Shadow.Digest)
	require.Equal(t, 1, info.Shadow.Differences)
	require.Contains(t, getText(t, http.DefaultClient, base+"/metrics"), "simrisk_shadow_differences_total 1\n")

	// the shadow pack breaks: the live pack still reloads (200), the shadow's
	// errors are in the answer and counted
	writePack(t, shadowDir, badTest)
	writePack(t, liveDir, goodB)
	resp, err := http.Post(base+"/-/reload", "", nil)
	require.NoError(t, err)
	var ans struct {
		Digest string
		Shadow struct{ Errors []string }
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&ans))
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	require.Equal(t, packDigest(liveDir), ans.Digest)
	require.NotEmpty(t, ans.Shadow.Errors)
	require.Contains(t, getText(t, http.DefaultClient, base+"/metrics"), `simrisk_shadow_reloads_total{result="failed"} 1`)

	require.Equal(t, 0, stop())
	// the log is flushed on shutdown: both decisions, the first with the
	// shadow's, masked
	b, err := os.ReadFile(logPath)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	require.Len(t, lines, 2, string(b))
	require.Contains(t, lines[0], "shadow_probe")
	require.Contains(t, lines[0], "138****8000")
	requireNoPersonalData(t, string(b))
}

// With --id-key-file a raw ID number in holder becomes a keyed pseudonym as
// the card is read; without it the card is refused (masked).
func TestIDKeyFile(t *testing.T) {
	card := strings.Replace(cleanCard, `"h-clean"`, `"`+leakID+`"`, 1)
	ts := newTestServer(t)
	code, body := ts.do(t, "POST", "/v1/score"+asOf, "application/json", card)
	require.Equal(t, 400, code, body)
	require.Equal(t, "bad_record", decode(t, body)["error"])
	requireNoPersonalData(t, body)

	key := writeFile(t, "0123456789abcdef0123456789abcdef")
	ts = newTestServer(t, "--id-key-file", key)
	for i := range 6 {
		code, body = ts.do(t, "POST", "/v1/score"+asOf, "application/json",
			strings.Replace(strings.Replace(card, "13800138000", fmt.Sprintf("1390000000%d", i), 1), "110105", " 110105", 1))
		require.Equal(t, 200, code, body)
	}
	require.Contains(t, body, `"rule":"multi_card_id"`, "six cards of one ID, however it was spaced")
	requireNoPersonalData(t, body+ts.log.String())
}

// --snapshot loads JSON Lines or CSV before the server listens; bad
// records are logged (masked) and skipped.
func TestSnapshot(t *testing.T) {
	dir := t.TempDir()
	csv := filepath.Join(dir, "cards.csv")
	require.NoError(t, os.WriteFile(csv, []byte("msisdn,opened_at,holder\n"+
		"13900000000,2024-03-01,h-1\n13900000001,2024-03-01,h-1\n"+leakPhone+",2099-01-01,h-1\n"), 0o644))
	base, logs, stop := startRun(t, "--snapshot", csv)
	var health struct{ Cards int }
	getJSON(t, http.DefaultClient, base+"/healthz", &health)
	require.Equal(t, 2, health.Cards)
	require.Equal(t, 0, stop())
	require.Contains(t, logs.String(), `"msg":"snapshot: record rejected","line":4`)
	requireNoPersonalData(t, logs.String())

	// a GBK export (as Chinese Excel saves CSV): refused with a hint naming
	// --encoding, which then reads it
	gbk := filepath.Join(dir, "gbk.csv")
	require.NoError(t, os.WriteFile(gbk, []byte("msisdn,opened_at,holder,mvno\n13900000000,2024-03-01,h-1,\xd6\xd0\xb9\xfa\n"), 0o644)) // 中国
	var stderr syncBuffer
	require.Equal(t, 1, run(context.Background(), []string{"--snapshot", gbk, "--listen", "127.0.0.1:0"}, &stderr, nil))
	require.Contains(t, stderr.String(), "--encoding gb18030")
	base, _, stop = startRun(t, "--snapshot", gbk, "--encoding", "gbk")
	getJSON(t, http.DefaultClient, base+"/healthz", &health)
	require.Equal(t, 1, health.Cards)
	require.Equal(t, 0, stop())

	// the same cards as JSON Lines, named by --snapshot-format
	jsonl := filepath.Join(dir, "cards.txt")
	require.NoError(t, os.WriteFile(jsonl, []byte(multiCard(0)+"\n"+multiCard(1)+"\n"), 0o644))
	base, _, stop = startRun(t, "--snapshot", jsonl, "--snapshot-format", "jsonl", "--pack", "default-cel")
	getJSON(t, http.DefaultClient, base+"/healthz", &health)
	require.Equal(t, 2, health.Cards)
	require.Equal(t, 0, stop())
}

// A shadow pack whose rule fails at run time on some cards: the failure is
// counted in simrisk_shadow_failures_total (no labels) and logged masked; the
// answer is the live pack's, with no error of the shadow's.
func TestShadowFailures(t *testing.T) {
	liveDir, shadowDir := rulesDir(t, goodA), rulesDir(t, shadowFails)
	ts := newTestServer(t, "--rules", liveDir, "--shadow", shadowDir)
	metric := func() string {
		_, body := ts.do(t, "GET", "/metrics", "", "")
		for _, l := range strings.Split(body, "\n") {
			if strings.HasPrefix(l, "simrisk_shadow_failures_total") {
				return l
			}
		}
		return ""
	}
	require.Equal(t, "simrisk_shadow_failures_total 0", metric())
	code, body := ts.do(t, "POST", "/v1/score"+asOf, "application/json", cleanCard)
	require.Equal(t, 200, code, body)
	require.Equal(t, "simrisk_shadow_failures_total 0", metric(), "the shadow scored a card with alerts_30d 0 cleanly")

	fails := strings.Replace(cleanCard, `"holder"`, `"alerts_30d":28,"holder"`, 1)
	code, body = ts.do(t, "POST", "/v1/score"+asOf, "application/json", fails)
	require.Equal(t, 200, code, body)
	d := decode(t, body)
	require.Equal(t, packDigest(liveDir), d["ruleset"], "the answer is the live pack's")
	require.Nil(t, d["errors"], "the shadow's failure is not in the answer")
	require.Equal(t, "simrisk_shadow_failures_total 1", metric())
	var info struct {
		Shadow struct{ Differences, Failures int }
	}
	_, body = ts.do(t, "GET", "/v1/rules", "", "")
	require.NoError(t, json.Unmarshal([]byte(body), &info), body)
	require.Equal(t, 1, info.Shadow.Failures)
	require.Equal(t, 0, info.Shadow.Differences, "shadow_fails never fires: otherwise the packs agree")
	require.Contains(t, ts.log.String(), "shadow pack failed on a card")
	require.Contains(t, ts.log.String(), "shadow_fails")
	require.Contains(t, ts.log.String(), "138****8000")
	requireNoPersonalData(t, ts.log.String())
}

// A failed reload (POST /-/reload and its log) and a failed start show the
// rule directory as given, digits of a temporary name included (masked as
// a number before), while a phone number in a path is still masked.
func TestReloadErrorsKeepPathsReadable(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "rules20261101", "2847561920")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	writePack(t, dir, goodA)
	ts := newTestServer(t, "--rules", dir)
	writePack(t, dir, badSyntax)
	code, body := ts.do(t, "POST", "/-/reload", "", "")
	require.Equal(t, 422, code, body)
	errs := decode(t, body)["errors"].([]any)
	require.NotEmpty(t, errs)
	require.Contains(t, errs[0], dir+string(filepath.Separator))
	require.Contains(t, ts.log.String(), dir+string(filepath.Separator))

	numbered := filepath.Join(t.TempDir(), "13800138000")
	var stderr syncBuffer
	require.Equal(t, 1, run(context.Background(), []string{"--rules", numbered + "-missing"}, &stderr, nil))
	require.Contains(t, stderr.String(), "138****8000-missing")
	require.NotContains(t, stderr.String(), "13800138000")
	var stderr2 syncBuffer
	require.Equal(t, 1, run(context.Background(), []string{"--rules", dir + "-missing"}, &stderr2, nil))
	require.Contains(t, stderr2.String(), dir+"-missing")
}
