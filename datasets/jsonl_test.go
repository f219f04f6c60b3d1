package datasets_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/datasets"
	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/rules"
)

var asOf = risk.Date(2026, 11, 1)

const mixed = `{"msisdn":"13800138000","opened_at":"2024-03-01","alerts_30d":4}
{"msisdn":"13800138001","opened_at":"2024-03-01","complaints":"two"}

{"msisdn":"13800138002","opened_at":"2027-01-01"}
not json at all
{"msisdn":"13800138003","opened_at":"2024-03-01","holder":"h1","fraud_flag":"police"}
{"msisdn":"1380013800","opened_at":"2024-03-01"}
{"msisdn":"13800138004","opened_at":"2024-03-01","holder":"h1"}`

type readResult struct {
	msisdns []string
	rejects []datasets.Reject
}

func readAll(t *testing.T, src string) readResult {
	t.Helper()
	rd := datasets.NewReader(strings.NewReader(src), asOf)
	var res readResult
	for {
		rec, err := rd.Read()
		if err == io.EOF {
			break
		}
		var rej *datasets.Reject
		if errors.As(err, &rej) {
			res.rejects = append(res.rejects, *rej)
			continue
		}
		require.NoError(t, err)
		res.msisdns = append(res.msisdns, rec.MSISDN)
	}
	require.Equal(t, rd.Count(), len(res.msisdns)+len(res.rejects))
	return res
}

// Bad records are rejected with their line number and reason; the good ones go on.
func TestReaderRejectsWithLineNumbers(t *testing.T) {
	res := readAll(t, mixed)
	require.Equal(t, []string{"13800138000", "13800138003", "13800138004"}, res.msisdns)
	require.Equal(t, []datasets.Reject{
		{Line: 2, Reason: "complaints: want an integer, got string"},
		{Line: 4, Reason: "opened_at: 2027-01-01 is after the as-of time 2026-11-01"},
		{Line: 5, Reason: "not valid JSON (at byte 2): invalid character 'o' in literal null (expecting 'u')"},
		{Line: 7, Reason: `msisdn: "13…00" is not an 11- or 13-digit number`},
	}, res.rejects)
	for _, r := range res.rejects {
		require.NotContains(t, r.Reason, "1380013800")
	}
}

func TestReaderLongLineAndCRLF(t *testing.T) {
	long := `{"msisdn":"13800138000","opened_at":"2024-03-01","mvno":"` + strings.Repeat("x", datasets.MaxLineBytes) + `"}`
	src := long + "\r\n" + `{"msisdn":"13800138001","opened_at":"2024-03-01"}` + "\r\n"
	res := readAll(t, src)
	require.Equal(t, []string{"13800138001"}, res.msisdns)
	require.Equal(t, []datasets.Reject{{Line: 1, Reason: "line is longer than 1048576 bytes (MaxLineBytes)"}}, res.rejects)
}

func engine(t testing.TB) *risk.Engine {
	rs, err := rules.Pack("default")
	require.NoError(t, err)
	eng, err := risk.Compile(rs)
	require.NoError(t, err)
	return eng
}

// Counts in = decisions + rejects; decisions come in input order.
func TestScoreFileCounts(t *testing.T) {
	eng := engine(t)
	var dec, rej bytes.Buffer
	open := func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(mixed)), nil }
	sum, err := datasets.ScoreFile(context.Background(), eng, open, datasets.ScoreOptions{
		AsOf: asOf, Decisions: &dec, Rejects: &rej})
	require.NoError(t, err)
	require.Equal(t, 7, sum.Records)
	require.Equal(t, 3, sum.Decisions)
	require.Equal(t, 4, sum.Rejects)
	require.Equal(t, 1, sum.Holders)

	var got []string
	for _, line := range strings.Split(strings.TrimSpace(dec.String()), "\n") {
		var d struct {
			MSISDN  string `json:"msisdn"`
			Outcome string `json:"outcome"`
		}
		require.NoError(t, json.Unmarshal([]byte(line), &d))
		got = append(got, d.MSISDN+" "+d.Outcome)
	}
	require.Equal(t, []string{"13800138000 verify", "13800138003 restrict", "13800138004 verify"}, got)
	require.Equal(t, 4, strings.Count(rej.String(), "\n"))
	require.Contains(t, rej.String(), `{"line":2,"reason":"complaints: want an integer, got string"}`)
}

// The generator is deterministic and the sample has cases of every rule of
// the default pack.
func TestGeneratorCoversEveryRule(t *testing.T) {
	a := datasets.Generate(datasets.GenOptions{Cards: 500, Seed: 7, AsOf: asOf})
	b := datasets.Generate(datasets.GenOptions{Cards: 500, Seed: 7, AsOf: asOf})
	require.Equal(t, a, b)
	c := datasets.Generate(datasets.GenOptions{Cards: 500, Seed: 8, AsOf: asOf})
	require.NotEqual(t, a, c)

	eng := engine(t)
	open := func() (io.ReadCloser, error) { return io.NopCloser(datasets.Sample()), nil }
	sum, err := datasets.ScoreFile(context.Background(), eng, open, datasets.ScoreOptions{AsOf: datasets.SampleAsOf})
	require.NoError(t, err)
	require.Zero(t, sum.Rejects)
	require.GreaterOrEqual(t, sum.Records, datasets.SampleCards)
	for _, r := range eng.Rules() {
		if r.ID == "multi_card_id_total" { // off by default (max_cards_all_operators: 0)
			continue
		}
		require.Positive(t, sum.ByRule[r.ID], "no sample card fires %s", r.ID)
	}
	// most cards are ordinary
	require.Greater(t, sum.ByOutcome["pass"], sum.Decisions/2)
}
