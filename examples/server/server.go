package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/simrisk/simrisk/datasets"
	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/risk/live"
)

// cardBase is what the server needs from the live card base: the library's
// live.Service (live.go adapts it). The server holds no card and no rule
// itself.
type cardBase interface {
	// Upsert validates the card at asOf and stores it (its new state
	// replaces the old one).
	Upsert(rec *risk.Record, asOf risk.Time) error
	// Remove drops the card; false when it was not stored.
	Remove(msisdn string) (bool, error)
	// Score stores the card, then scores it at asOf.
	Score(ctx context.Context, rec *risk.Record, asOf risk.Time) (*risk.Decision, error)
	// ScoreStored scores the stored card at asOf; found is false when no card
	// has that msisdn.
	ScoreStored(ctx context.Context, msisdn string, asOf risk.Time) (d *risk.Decision, found bool, err error)
	// Reload loads, compiles and tests the rule source (and the shadow's) and
	// swaps it in when all passed; otherwise the old pack keeps serving and
	// the error lists why (Shadow: only the shadow pack failed).
	Reload(ctx context.Context) (rulesInfo, *live.ReloadError)
	// Rules describes the live pack.
	Rules() rulesInfo
	// Cards is the number of stored cards.
	Cards() int
}

// rulesInfo is GET /v1/rules's answer.
type rulesInfo struct {
	Name       string    `json:"name"`
	Version    string    `json:"version"`
	Digest     string    `json:"digest"`
	LoadedAt   time.Time `json:"loaded_at"`
	Rules      []ruleRef `json:"rules"`
	LastReload *reloadAt `json:"last_reload,omitempty"`
	Shadow     *shadowAt `json:"shadow,omitempty"`
}

type ruleRef struct {
	ID      string `json:"id"`
	Title   string `json:"title,omitempty"`
	Outcome string `json:"outcome,omitempty"`
}

// reloadAt is the last reload attempt: when, whether it was swapped in, and
// every error when it was not.
type reloadAt struct {
	At     time.Time `json:"at"`
	OK     bool      `json:"ok"`
	Digest string    `json:"digest,omitempty"`
	Errors []string  `json:"errors"`
}

// shadowAt is the shadow pack: what it is, when it was loaded, its last
// reload's errors, the decisions it made otherwise so far and the cards it
// failed on.
type shadowAt struct {
	Name        string    `json:"name"`
	Version     string    `json:"version"`
	Digest      string    `json:"digest"`
	LoadedAt    time.Time `json:"loaded_at"`
	Errors      []string  `json:"errors"`
	Differences int64     `json:"differences"`
	Failures    int64     `json:"failures"`
}

// limits of a request.
type limits struct {
	body  int64 // one card: PUT (application/json), POST /v1/score
	batch int64 // JSON Lines: PUT /v1/cards, POST /v1/score/batch
}

// maxListedRejects is how many rejects PUT /v1/cards lists; rejected_count
// has them all.
const maxListedRejects = 1000

type server struct {
	base     cardBase
	metrics  *metrics
	log      *slog.Logger
	lim      limits
	readOpts []datasets.ReadOption
	now      func() time.Time
	mux      *http.ServeMux
	stopping atomic.Bool
}

func newServer(base cardBase, m *metrics, log *slog.Logger, lim limits, readOpts []datasets.ReadOption) *server {
	s := &server{base: base, metrics: m, log: log, lim: lim, readOpts: readOpts, now: time.Now, mux: http.NewServeMux()}
	s.mux.HandleFunc("PUT /v1/cards", s.putCards)
	s.mux.HandleFunc("DELETE /v1/cards/{msisdn}", s.deleteCard)
	s.mux.HandleFunc("GET /v1/cards/{msisdn}/decision", s.cardDecision)
	s.mux.HandleFunc("POST /v1/score", s.score)
	s.mux.HandleFunc("POST /v1/score/batch", s.scoreBatch)
	s.mux.HandleFunc("GET /v1/rules", s.getRules)
	s.mux.HandleFunc("POST /-/reload", s.reload)
	s.mux.HandleFunc("GET /healthz", s.healthz)
	s.mux.Handle("GET /metrics", m.handler())
	return s
}

// ServeHTTP routes r, answers a path or method no route has with a JSON error,
// times every request by its route pattern (never its path: that holds the
// msisdn) and logs it without the path.
func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	h, pattern := s.mux.Handler(r)
	sw := &statusWriter{ResponseWriter: w}
	defer func() {
		// A bug must not take the process down or print a card in a stack
		// trace: 500, logged masked.
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			e := errorf(http.StatusInternalServerError, errInternal, "the server failed on this request: %v", p)
			s.logFail(r, e)
			if sw.status == 0 {
				writeError(sw, e)
			}
		}
	}()
	if pattern == "" {
		// ServeMux's own 404 or 405 (with Allow): keep the status and
		// headers, answer in JSON.
		cw := &captureWriter{header: http.Header{}}
		h.ServeHTTP(cw, r)
		if allow := cw.header.Get("Allow"); allow != "" {
			sw.Header().Set("Allow", allow)
		}
		if cw.status == http.StatusMethodNotAllowed {
			writeError(sw, errorf(cw.status, errMethod, "%s is not allowed here; allowed: %s", r.Method, cw.header.Get("Allow")))
		} else {
			writeError(sw, errorf(http.StatusNotFound, errNotFound, "no such endpoint (see README: GET /v1/rules, PUT /v1/cards, POST /v1/score ...)"))
		}
	} else {
		s.mux.ServeHTTP(sw, r) // sets the path values (h alone would not)
	}
	route := pattern
	if _, path, ok := strings.Cut(pattern, " "); ok {
		route = path
	}
	took := time.Since(start)
	s.metrics.observeRequest(route, r.Method, sw.code(), took)
	s.log.LogAttrs(r.Context(), slog.LevelDebug, "request",
		slog.String("method", r.Method), slog.String("route", route),
		slog.Int("status", sw.code()), slog.Duration("took", took))
}

// statusWriter remembers the status written. It passes Flush on (the batch
// endpoint streams) and lets http.ResponseController reach the connection.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) code() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// captureWriter keeps what ServeMux's 404/405 handlers write.
type captureWriter struct {
	header http.Header
	status int
}

func (w *captureWriter) Header() http.Header { return w.header }
func (w *captureWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return len(b), nil
}
func (w *captureWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}

// fail answers e and logs it (the reason is masked already).
func (s *server) fail(w http.ResponseWriter, r *http.Request, e *apiError) {
	s.logFail(r, e)
	writeError(w, e)
}

// logFail logs e, masked like the answer.
func (s *server) logFail(r *http.Request, e *apiError) {
	level := slog.LevelInfo
	if e.Status >= 500 {
		level = slog.LevelError
	}
	s.log.LogAttrs(r.Context(), level, "request failed",
		slog.String("method", r.Method), slog.String("route", r.Pattern),
		slog.Int("status", e.Status), slog.String("error", e.Code), slog.String("reason", e.Reason))
}

// readOneCard reads the body as one card (a JSON object, on one line or
// pretty-printed) at asOf, at most lim.body bytes.
func (s *server) readOneCard(w http.ResponseWriter, r *http.Request, asOf risk.Time) (*risk.Record, *apiError) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.lim.body))
	if err != nil {
		return nil, bodyError(err, "--max-body-bytes")
	}
	var line bytes.Buffer
	if err := json.Compact(&line, body); err != nil {
		return nil, errorf(http.StatusBadRequest, errBadJSON, "the body is not one JSON object: %v", err)
	}
	if line.Len() == 0 || line.Bytes()[0] != '{' {
		return nil, errorf(http.StatusBadRequest, errBadJSON, "the body is not one JSON object (a card, card-schema v1)")
	}
	rd := datasets.NewReader(&line, asOf, s.readOpts...)
	rec, err := rd.Read()
	var rej *datasets.Reject
	switch {
	case errors.As(err, &rej):
		s.metrics.rejects.Inc()
		return nil, errorf(http.StatusBadRequest, errBadRecord, "%s", rej.Reason)
	case errors.Is(err, datasets.ErrNotUTF8):
		return nil, errorf(http.StatusBadRequest, errNotUTF8, "the body is not UTF-8")
	case err != nil:
		return nil, errorf(http.StatusBadRequest, errBadRecord, "%v", err)
	}
	return rec, nil
}

// recordReader reads a JSON Lines (or, for Content-Type text/csv, CSV) body
// of at most lim.batch bytes, one line in memory at a time.
func (s *server) recordReader(w http.ResponseWriter, r *http.Request, asOf risk.Time) (datasets.RecordReader, *apiError) {
	format := datasets.JSONL
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err == nil && mt == "text/csv" {
		format = datasets.CSV
	}
	body := bufio.NewReaderSize(http.MaxBytesReader(w, r.Body, s.lim.batch), 64<<10)
	rd, err := datasets.NewRecordReader(body, format, asOf, s.readOpts...)
	if err != nil {
		return nil, bodyError(err, "--max-batch-bytes")
	}
	return rd, nil
}

// isOneCard tells whether a PUT body is one JSON card (Content-Type
// application/json) rather than JSON Lines (anything else).
func isOneCard(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "application/json"
}

type rejectLine struct {
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

type putAnswer struct {
	Upserted      int          `json:"upserted"`
	Rejected      []rejectLine `json:"rejected"`
	RejectedCount int          `json:"rejected_count"`
	Error         string       `json:"error,omitempty"`
	Reason        string       `json:"reason,omitempty"`
}

// putCards is PUT /v1/cards: one card (application/json) or JSON Lines of
// cards (CSV with text/csv), each upserted. Records are validated at ?as_of=
// (default now). 200 with {"upserted":N,"rejected":[{"line":L,"reason":R}]},
// whatever was rejected; a body that breaks off (over --max-batch-bytes, not
// UTF-8) answers 413 or 400 with the same counts of what was stored before.
func (s *server) putCards(w http.ResponseWriter, r *http.Request) {
	asOf, aerr := parseAsOf(r, s.now)
	if aerr != nil {
		s.fail(w, r, aerr)
		return
	}
	ans := putAnswer{Rejected: []rejectLine{}}
	if isOneCard(r) {
		rec, aerr := s.readOneCard(w, r, asOf)
		if aerr != nil {
			if aerr.Code != errBadRecord {
				s.fail(w, r, aerr)
				return
			}
			ans.Rejected = append(ans.Rejected, rejectLine{Line: 1, Reason: aerr.Reason})
			ans.RejectedCount = 1
		} else if err := s.base.Upsert(rec, asOf); err != nil {
			s.metrics.rejects.Inc()
			ans.Rejected = append(ans.Rejected, rejectLine{Line: 1, Reason: errorf(0, "", "%v", err).Reason})
			ans.RejectedCount = 1
		} else {
			ans.Upserted = 1
		}
		writeJSON(w, http.StatusOK, ans)
		return
	}
	rd, aerr := s.recordReader(w, r, asOf)
	if aerr != nil {
		s.fail(w, r, aerr)
		return
	}
	reject := func(line int, reason string) {
		s.metrics.rejects.Inc()
		ans.RejectedCount++
		if len(ans.Rejected) < maxListedRejects {
			ans.Rejected = append(ans.Rejected, rejectLine{Line: line, Reason: reason})
		}
	}
	err := eachRecord(rd, func(rec *risk.Record, line int) bool {
		if err := s.base.Upsert(rec, asOf); err != nil {
			reject(line, errorf(0, "", "%v", err).Reason)
		} else {
			ans.Upserted++
		}
		return true
	}, func(line int, reason string) bool {
		reject(line, reason)
		return true
	})
	if err != nil {
		e := readError(err)
		ans.Error, ans.Reason = e.Code, e.Reason
		s.logFail(r, e)
		writeJSON(w, e.Status, ans) // what was stored before the break
		return
	}
	writeJSON(w, http.StatusOK, ans)
}

// readError is the apiError of a JSON Lines body that broke off.
func readError(err error) *apiError {
	if errors.Is(err, datasets.ErrNotUTF8) {
		return errorf(http.StatusBadRequest, errNotUTF8, "the body is not UTF-8 after the records read so far")
	}
	return bodyError(err, "--max-batch-bytes")
}
