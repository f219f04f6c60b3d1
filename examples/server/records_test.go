package main

import (
	"fmt"
	"io/fs"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/datasets"
	"github.com/simrisk/simrisk/risk"
)

// eachRecord, the one loop of the snapshot load, PUT /v1/cards and POST
// /v1/score/batch: records and rejects in input order with their lines, a
// callback stops it, a broken input ends it with the reader's error after
// what came before.
func TestEachRecord(t *testing.T) {
	body := cleanCard + "\n" + `{"msisdn":"13800138000"}` + "\n\n" + cleanCard + "\n" + `{"msisdn":"` + "\xc3\x28" + `"}` + "\n"
	read := func() datasets.RecordReader {
		return datasets.NewReader(strings.NewReader(body), risk.Date(2026, 11, 1))
	}
	var got []string
	rec := func(r *risk.Record, line int) bool { got = append(got, fmt.Sprintf("%d record", line)); return true }
	rej := func(line int, reason string) bool {
		got = append(got, fmt.Sprintf("%d reject %s", line, reason))
		return true
	}
	err := eachRecord(read(), rec, rej)
	require.ErrorIs(t, err, datasets.ErrNotUTF8)
	require.Equal(t, []string{"1 record", "2 reject opened_at: is required", "4 record"}, got)

	got = nil
	stop := func(line int, reason string) bool { got = append(got, "stopped"); return false }
	require.NoError(t, eachRecord(read(), rec, stop))
	require.Equal(t, []string{"1 record", "stopped"}, got)

	got = nil
	require.NoError(t, eachRecord(read(), func(*risk.Record, int) bool { got = append(got, "stopped"); return false }, rej))
	require.Equal(t, []string{"stopped"}, got)
}

// A decision-log failure names the log's path as given (a temporary
// directory's digits are not masked as a number), a number in it masked.
func TestLogFailedKeepsPathReadable(t *testing.T) {
	var logs syncBuffer
	path := filepath.Join(t.TempDir(), "logs2847561920", "001", "decisions.jsonl")
	h := &hooks{m: newMetrics(func() int { return 0 }), log: slog.New(slog.NewJSONHandler(&logs, nil)), logPath: path}
	h.LogFailed(&fs.PathError{Op: "write", Path: path, Err: fmt.Errorf("disk full at card 13800138000")})
	require.Contains(t, logs.String(), path)
	require.Contains(t, logs.String(), "138****8000")
	require.NotContains(t, logs.String(), "13800138000")
}
