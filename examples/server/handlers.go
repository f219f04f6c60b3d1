package main

import (
	"context"
	"errors"
	"io"
	"net/http"

	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/risk/ref"
)

// pathMSISDN is the {msisdn} of the path in its canonical digits (+86,
// spaces, dashes and full-width digits are read as in records).
func pathMSISDN(r *http.Request) (string, *apiError) {
	raw := r.PathValue("msisdn")
	n, err := ref.NormalizeMSISDN(raw)
	if err != nil {
		return "", errorf(http.StatusBadRequest, errBadRequest, "msisdn %s in the path is not a number: 11 or 13 digits", ref.Quote(raw))
	}
	return n, nil
}

// deleteCard is DELETE /v1/cards/{msisdn}: 204, or 404 (unknown_card).
func (s *server) deleteCard(w http.ResponseWriter, r *http.Request) {
	n, aerr := pathMSISDN(r)
	if aerr != nil {
		s.fail(w, r, aerr)
		return
	}
	found, err := s.base.Remove(n)
	if err != nil {
		s.fail(w, r, errorf(http.StatusInternalServerError, errInternal, "removing card %s: %v", risk.MaskMSISDN(n), err))
		return
	}
	if !found {
		s.fail(w, r, errorf(http.StatusNotFound, errUnknownCard, "no stored card %s", risk.MaskMSISDN(n)))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// cardDecision is GET /v1/cards/{msisdn}/decision: the stored card scored at
// ?as_of= (default now) with the live pack; 404 (unknown_card) when not
// stored.
func (s *server) cardDecision(w http.ResponseWriter, r *http.Request) {
	asOf, aerr := parseAsOf(r, s.now)
	if aerr != nil {
		s.fail(w, r, aerr)
		return
	}
	n, aerr := pathMSISDN(r)
	if aerr != nil {
		s.fail(w, r, aerr)
		return
	}
	d, found, err := s.base.ScoreStored(r.Context(), n, asOf)
	switch {
	case !found:
		s.fail(w, r, errorf(http.StatusNotFound, errUnknownCard, "no stored card %s", risk.MaskMSISDN(n)))
	case err != nil:
		s.fail(w, r, errorf(http.StatusUnprocessableEntity, errScoreFailed, "card %s at as_of %s: %v", risk.MaskMSISDN(n), asOf, err))
	default:
		writeDecision(w, d)
	}
}

// scoreError is the answer to a card the card base refused or could not
// score.
func scoreError(err error) *apiError {
	if errors.Is(err, risk.ErrInvalidRecord) {
		return errorf(http.StatusBadRequest, errBadRecord, "%v", err)
	}
	return errorf(http.StatusUnprocessableEntity, errScoreFailed, "%v", err)
}

func writeDecision(w http.ResponseWriter, d *risk.Decision) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.Write(append(d.AppendJSON(nil), '\n'))
}

// score is POST /v1/score: one card, stored in its new state, then scored at
// ?as_of= (default now) → the decision.
func (s *server) score(w http.ResponseWriter, r *http.Request) {
	asOf, aerr := parseAsOf(r, s.now)
	if aerr != nil {
		s.fail(w, r, aerr)
		return
	}
	rec, aerr := s.readOneCard(w, r, asOf)
	if aerr != nil {
		s.fail(w, r, aerr)
		return
	}
	d, err := s.base.Score(r.Context(), rec, asOf)
	if err != nil {
		s.metrics.rejects.Inc()
		s.fail(w, r, scoreError(err))
		return
	}
	writeDecision(w, d)
}

// scoreBatch is POST /v1/score/batch: JSON Lines of cards (CSV with
// Content-Type text/csv), each stored, then scored at ?as_of= → JSON Lines,
// one per input record in input order: its decision, or {"line":L,
// "reason":R} for a reject. The answer streams while the body is read (one
// line in memory each way). A body that breaks off (over --max-batch-bytes,
// not UTF-8) ends the answer with {"error":CODE,"reason":R}: the status line
// (200) is sent already.
func (s *server) scoreBatch(w http.ResponseWriter, r *http.Request) {
	asOf, aerr := parseAsOf(r, s.now)
	if aerr != nil {
		s.fail(w, r, aerr)
		return
	}
	// HTTP/1.1 would otherwise stop the body at the first write.
	rc := http.NewResponseController(w)
	_ = rc.EnableFullDuplex() // HTTP/2 is full duplex already
	// Answers go out before the reader waits for more of the body: a client
	// that sends a line and waits for its decision gets it.
	started := false // no flush before the status is known
	r.Body = flushBeforeRead{r.Body, func() {
		if started {
			rc.Flush()
		}
	}}
	rd, aerr := s.recordReader(w, r, asOf)
	if aerr != nil {
		s.fail(w, r, aerr)
		return
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.WriteHeader(http.StatusOK)
	started = true
	buf := make([]byte, 0, 4096)
	emit := func(b []byte) bool {
		buf = b // reused for the next line
		_, err := w.Write(b)
		return err == nil // false: the client left
	}
	err := eachRecord(rd, func(rec *risk.Record, line int) bool {
		d, err := s.base.Score(r.Context(), rec, asOf)
		if err != nil {
			s.metrics.rejects.Inc()
			return emit(appendReject(buf[:0], line, errorf(0, "", "%v", err).Reason))
		}
		return emit(append(d.AppendJSON(buf[:0]), '\n'))
	}, func(line int, reason string) bool {
		s.metrics.rejects.Inc()
		return emit(appendReject(buf[:0], line, reason))
	})
	if err != nil {
		e := readError(err)
		s.logFail(r, e)
		emit(appendJSONLine(buf[:0], e))
	}
}

// flushBeforeRead flushes the answer before each read of the body. The
// record reader reads the body in large chunks, so this is one flush per
// chunk, and one whenever the client pauses.
type flushBeforeRead struct {
	io.ReadCloser
	flush func()
}

func (f flushBeforeRead) Read(p []byte) (int, error) {
	f.flush()
	return f.ReadCloser.Read(p)
}

// getRules is GET /v1/rules.
func (s *server) getRules(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.base.Rules())
}

// reload is POST /-/reload: 200 with the live pack's description (its new
// digest) when the rules loaded, compiled and passed their tests; 422
// (reload_failed) with every error while the old pack keeps serving.
func (s *server) reload(w http.ResponseWriter, r *http.Request) {
	info, errs, status := s.doReload(r.Context(), "http")
	if status != http.StatusOK {
		s.logFail(r, &apiError{Status: status, Code: errReloadFailed, Reason: "the rules did not pass; the old pack keeps serving"})
		writeJSON(w, status, reloadFailure{Error: errReloadFailed, Reason: "the rules did not pass; the old pack keeps serving",
			Errors: errs, Serving: info.Digest})
		return
	}
	writeJSON(w, http.StatusOK, info)
}

type reloadFailure struct {
	Error   string   `json:"error"`
	Reason  string   `json:"reason"`
	Errors  []string `json:"errors"`
	Serving string   `json:"serving"` // the digest still serving
}

// doReload reloads for an HTTP request or SIGHUP and logs it (the
// library's hooks count it). status is 200 when the live pack was swapped in
// (a shadow pack that failed is reported in the answer's shadow.errors) and
// 422 when it was not.
func (s *server) doReload(ctx context.Context, by string) (rulesInfo, []string, int) {
	info, rerr := s.base.Reload(ctx)
	if rerr != nil && !rerr.Shadow {
		first := ""
		if len(rerr.Errors) > 0 {
			first = rerr.Errors[0]
		}
		// live.ReloadError's errors are masked with the rule files' paths
		// kept readable (ref.MaskTextKeepingPaths): ref.MaskText again
		// would mask the digits of a path (/tmp/rules2847561920/001)
		s.log.Warn("reload failed; the old pack keeps serving", "by", by, "errors", len(rerr.Errors),
			"first", first, "serving", info.Digest)
		return info, rerr.Errors, http.StatusUnprocessableEntity
	}
	if rerr != nil {
		s.log.Warn("shadow pack reload failed; the last good shadow pack keeps scoring", "by", by,
			"errors", len(rerr.Errors), "first", rerr.Errors[0])
	}
	s.log.Info("rules reloaded", "by", by, "name", info.Name, "version", info.Version, "digest", info.Digest)
	return info, nil, http.StatusOK
}

// healthz is GET /healthz: 200 {"status":"ok",...} while serving, 503 once
// shutdown began.
func (s *server) healthz(w http.ResponseWriter, r *http.Request) {
	if s.stopping.Load() {
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "stopping"})
		return
	}
	info := s.base.Rules()
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "cards": s.base.Cards(), "digest": info.Digest})
}
