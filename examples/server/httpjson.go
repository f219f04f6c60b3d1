package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/simrisk/simrisk/datasets"
	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/risk/ref"
)

// Error codes of the JSON error body {"error": CODE, "reason": TEXT}. They are
// stable; the reason is for people and is masked (no full number or ID).
const (
	errBadRequest    = "bad_request"    // a malformed request (query, path)
	errBadAsOf       = "bad_as_of"      // ?as_of= is neither YYYY-MM-DD nor RFC 3339
	errBadJSON       = "bad_json"       // the body is not one JSON object
	errBadRecord     = "bad_record"     // the card breaks card-schema v1
	errBodyTooLarge  = "body_too_large" // the body passed --max-body-bytes or --max-batch-bytes
	errNotUTF8       = "not_utf8"       // the body is not UTF-8
	errUnknownCard   = "unknown_card"   // no stored card has that msisdn
	errNotFound      = "not_found"      // no such endpoint
	errMethod        = "method_not_allowed"
	errReloadFailed  = "reload_failed" // the new rules failed; the old ones keep serving
	errUnsupported   = "unsupported_media_type"
	errInternal      = "internal"       // a bug; the log has more (masked)
	errShuttingDown  = "shutting_down"  // the server is stopping
	errScoreFailed   = "score_failed"   // the card could not be scored
	errStoreRejected = "store_rejected" // the card base refused the card
)

// apiError is an error answered as JSON with an HTTP status.
type apiError struct {
	Status int    `json:"-"`
	Code   string `json:"error"`
	Reason string `json:"reason"`
}

func (e *apiError) Error() string { return e.Code + ": " + e.Reason }

// errorf is an apiError whose reason is masked: whatever a value it quotes,
// no full MSISDN or ID number reaches the client or the log.
func errorf(status int, code, format string, args ...any) *apiError {
	return &apiError{Status: status, Code: code, Reason: ref.MaskText(fmt.Sprintf(format, args...))}
}

// writeJSON writes v as the JSON body with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"internal","reason":"could not encode the answer"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

func writeError(w http.ResponseWriter, e *apiError) {
	writeJSON(w, e.Status, e)
}

// bodyError turns an error from reading a size-limited body into an apiError.
func bodyError(err error, flag string) *apiError {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return errorf(http.StatusRequestEntityTooLarge, errBodyTooLarge,
			"request body over %d bytes (%s)", mb.Limit, flag)
	}
	return errorf(http.StatusBadRequest, errBadRequest, "reading the request body: %v", err)
}

// parseAsOf reads ?as_of= (YYYY-MM-DD at midnight CST, or RFC 3339); now
// when absent. Either must be within risk.MinAsOf .. risk.MaxAsOf
// (risk.CheckAsOf, as risk/live checks it).
func parseAsOf(r *http.Request, now func() time.Time) (risk.Time, *apiError) {
	s := r.URL.Query().Get("as_of")
	if s == "" {
		at := risk.TimeOf(now())
		if err := risk.CheckAsOf(at); err != nil {
			return 0, errorf(http.StatusInternalServerError, errInternal, "the clock: %v", err)
		}
		return at, nil
	}
	s = strings.TrimSpace(s)
	var at risk.Time
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		at = risk.TimeOf(time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, risk.CST))
	} else if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		at = risk.TimeOf(t)
	}
	if at != 0 {
		if err := risk.CheckAsOf(at); err != nil {
			return 0, errorf(http.StatusBadRequest, errBadAsOf, "as_of %s: %v", ref.Quote(s), err)
		}
		return at, nil
	}
	return 0, errorf(http.StatusBadRequest, errBadAsOf,
		"as_of %s is neither YYYY-MM-DD nor an RFC 3339 time (2026-11-01 or 2026-11-01T08:00:00+08:00)", ref.Quote(s))
}

// appendReject appends {"line":L,"reason":R} and a newline.
func appendReject(b []byte, line int, reason string) []byte {
	return appendJSONLine(b, rejectLine{Line: line, Reason: reason})
}

// appendJSONLine appends v as one JSON line.
func appendJSONLine(b []byte, v any) []byte {
	j, err := json.Marshal(v)
	if err != nil {
		j = []byte(`{"error":"internal","reason":"could not encode the answer"}`)
	}
	return append(append(b, j...), '\n')
}

// eachRecord reads rd to its end, the one loop over a body or file of
// records: each record goes to rec with its line, each rejected record to
// reject with its line and reason (masked by the reader). A callback
// returning false stops the loop early (eachRecord then returns nil). Any
// other error of the reader (an I/O error, a body over its limit, a file
// that is not UTF-8) stops it and is returned.
func eachRecord(rd datasets.RecordReader, rec func(r *risk.Record, line int) bool, reject func(line int, reason string) bool) error {
	for {
		r, err := rd.Read()
		if err == io.EOF {
			return nil
		}
		var rej *datasets.Reject
		switch {
		case errors.As(err, &rej):
			if !reject(rej.Line, rej.Reason) {
				return nil
			}
		case err != nil:
			return err
		default:
			if !rec(r, rd.Line()) {
				return nil
			}
		}
	}
}
