package backtest_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/xml"
	stdhtml "html"
	"image/png"
	"io/fs"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/simrisk/simrisk/datasets"
	"github.com/simrisk/simrisk/risk"
	"github.com/simrisk/simrisk/risk/backtest"
	"github.com/simrisk/simrisk/rules"
)

var asOf = risk.Date(2026, 11, 1)

// labelled generates n cards with their ground truth.
func labelled(n int) ([]*risk.Record, []bool) {
	recs, labels := datasets.GenerateLabelled(datasets.GenOptions{Cards: n, Seed: 7, AsOf: asOf})
	return recs, datasets.Fraud(labels)
}

// editedPack is the default pack with one edit to its source.
func editedPack(t testing.TB, from, to string) *rules.RuleSet {
	t.Helper()
	var srcs []rules.Source
	err := fs.WalkDir(rules.PacksFS(), "default", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(rules.PacksFS(), p)
		if err != nil {
			return err
		}
		s := string(b)
		if strings.HasSuffix(p, "default.yaml") {
			require.Contains(t, s, from)
			s = strings.Replace(s, from, to, 1)
		}
		srcs = append(srcs, rules.Source{Name: p, Data: []byte(s)})
		return nil
	})
	require.NoError(t, err)
	rs, err := rules.Parse(srcs...)
	require.NoError(t, err)
	return rs
}

func engines(t testing.TB) (*risk.Engine, *risk.Engine) {
	rs, err := rules.Pack("default")
	require.NoError(t, err)
	base, err := risk.Compile(rs)
	require.NoError(t, err)
	cand, err := risk.Compile(editedPack(t, "dormant_days: 90", "dormant_days: 60"))
	require.NoError(t, err)
	return base, cand
}

// A candidate that lowers the dormancy limit flags more cards as dormant,
// moves cards only upwards, and every count adds up.
func TestBacktestCounts(t *testing.T) {
	base, cand := engines(t)
	recs, labels := labelled(20000)
	bad := &risk.Record{MSISDN: "123", OpenedAt: asOf}
	recs = append(recs, bad)
	labels = append(labels, false)
	var calls, last int
	rep, err := backtest.Run(context.Background(), base, cand, backtest.Input{Records: recs, Labels: labels, AsOf: asOf},
		backtest.WithProgress(func(done, total int) { calls++; last = done; require.Equal(t, 2*20000, total) }))
	require.NoError(t, err)
	require.Equal(t, 20000, rep.Cards)
	require.Equal(t, 1, rep.Rejected)
	require.Equal(t, 2*20000, last)
	require.Positive(t, calls)

	sum, changed := 0, 0
	for b := 0; b < 5; b++ {
		for c := 0; c < 5; c++ {
			sum += rep.Transitions[b][c]
			if b != c {
				changed += rep.Transitions[b][c]
			}
			if c < b {
				require.Zero(t, rep.Transitions[b][c], "a looser dormancy limit cannot lower an outcome")
			}
		}
	}
	require.Equal(t, rep.Cards, sum)
	require.Equal(t, changed, rep.ChangedTotal)
	require.Positive(t, changed)
	require.Len(t, rep.Changed, min(20, changed))
	for _, ch := range rep.Changed {
		require.Contains(t, ch.Added, "dormant")
		require.Empty(t, ch.Removed)
		require.Regexp(t, `^\d{3}\*{4}\d{4}$`, ch.MSISDN)
	}
	hits := func(pr *backtest.PackReport, id string) backtest.RuleStats {
		for _, r := range pr.Rules {
			if r.ID == id {
				return r
			}
		}
		t.Fatalf("no rule %s", id)
		return backtest.RuleStats{}
	}
	require.Greater(t, hits(rep.Candidate, "dormant").Flagged, hits(rep.Baseline, "dormant").Flagged)
	require.Equal(t, hits(rep.Candidate, "fraud_involved").Flagged, hits(rep.Baseline, "fraud_involved").Flagged)
	for _, pr := range []*backtest.PackReport{rep.Baseline, rep.Candidate} {
		total := 0
		for _, n := range pr.Outcomes {
			total += n
		}
		require.Equal(t, rep.Cards, total)
		for i, r := range pr.Rules {
			require.Equal(t, r.Flagged, pr.Overlap[i][i])
			require.LessOrEqual(t, r.TruePos, r.Flagged)
			if r.Flagged > 0 {
				require.InDelta(t, float64(r.TruePos)/float64(r.Flagged), r.Precision, 1e-12)
			}
		}
		// the generated scenarios are what the rules look for: the score ranks well
		require.Greater(t, pr.AUC, 0.9)
		require.LessOrEqual(t, pr.AUC, 1.0)
		require.Len(t, pr.Sweep, 21)
		require.Equal(t, rep.Cards, pr.Sweep[0].Flagged) // score >= 0: every card
		require.InDelta(t, 1, pr.Sweep[0].Recall, 1e-12)
	}
}

// Without labels the counts are there and the quality figures are not.
func TestBacktestUnlabelled(t *testing.T) {
	base, cand := engines(t)
	recs, _ := labelled(3000)
	rep, err := backtest.Run(context.Background(), base, cand, backtest.Input{Records: recs, AsOf: asOf})
	require.NoError(t, err)
	require.False(t, rep.Labelled)
	require.True(t, math.IsNaN(rep.Baseline.AUC))
	require.True(t, math.IsNaN(rep.Baseline.Rules[0].Precision))
	require.Empty(t, rep.Baseline.Sweep)
	rep.Lang = "en"
	var buf bytes.Buffer
	require.NoError(t, rep.WriteHTML(&buf))
	require.True(t, strings.Contains(buf.String(), "No labels"))
	require.Len(t, images(t, buf.String()), 2) // no ROC without labels
}

// The HTML report is self-contained: every chart is an embedded SVG image
// that parses, and the tables are there.
func TestBacktestHTML(t *testing.T) {
	base, cand := engines(t)
	recs, labels := labelled(5000)
	rep, err := backtest.Run(context.Background(), base, cand, backtest.Input{Records: recs, Labels: labels, AsOf: asOf})
	require.NoError(t, err)
	rep.Lang = "en"
	var buf bytes.Buffer
	require.NoError(t, rep.WriteHTML(&buf))
	html := buf.String()
	imgs := images(t, html)
	require.Len(t, imgs, 3) // score histogram, ROC, rule hits
	for _, im := range imgs {
		require.Greater(t, im.Bounds().Dx(), 200)
		require.Greater(t, im.Bounds().Dy(), 200)
	}
	for _, s := range []string{"Threshold sweep", "Outcomes, baseline → candidate", "ROC AUC of the score", "dormant", "Sample of cards that change outcome"} {
		require.True(t, strings.Contains(html, s), s)
	}
	require.NotRegexp(t, `\b1[3-9]\d{9}\b`, html, "no full number in the report")
	require.NotContains(t, html, "src=\"http")
}

func images(t *testing.T, html string) []interface{ Bounds() imageRect } {
	t.Helper()
	var out []interface{ Bounds() imageRect }
	for _, m := range regexp.MustCompile(`src="data:image/svg\+xml;base64,([^"]+)"`).FindAllStringSubmatch(stdhtml.UnescapeString(html), -1) {
		b, err := base64.StdEncoding.DecodeString(m[1]) // as a browser reads the attribute
		require.NoError(t, err)
		var svg struct {
			Width  string `xml:"width,attr"`
			Height string `xml:"height,attr"`
		}
		require.NoError(t, xml.Unmarshal(b, &svg))
		w, err := strconv.ParseFloat(strings.TrimSuffix(svg.Width, "pt"), 64)
		require.NoError(t, err)
		h, err := strconv.ParseFloat(strings.TrimSuffix(svg.Height, "pt"), 64)
		require.NoError(t, err)
		out = append(out, rect{int(w), int(h)})
	}
	return out
}

type imageRect struct{ w, h int }

func (r imageRect) Dx() int { return r.w }
func (r imageRect) Dy() int { return r.h }

type rect struct{ w, h int }

func (r rect) Bounds() imageRect { return imageRect(r) }

// The ROC area is 1 for scores that separate perfectly, 0 for inverted ones.
func TestAUCKnownCases(t *testing.T) {
	base, _ := engines(t)
	recs, labels := labelled(4000)
	rep, err := backtest.Run(context.Background(), base, base, backtest.Input{Records: recs, Labels: labels, AsOf: asOf})
	require.NoError(t, err)
	require.Zero(t, rep.ChangedTotal, "the same rules decide the same")
	// labels = flagged by the rules themselves: a perfect ranking
	perfect := make([]bool, len(recs))
	inverse := make([]bool, len(recs))
	for i, s := range rep.Baseline.Scores {
		perfect[i] = s >= 50
		inverse[i] = s < 50
	}
	for _, c := range []struct {
		labels []bool
		auc    float64
	}{{perfect, 1}, {inverse, 0}} {
		rep, err := backtest.Run(context.Background(), base, base, backtest.Input{Records: recs, Labels: c.labels, AsOf: asOf})
		require.NoError(t, err)
		require.InDelta(t, c.auc, rep.Baseline.AUC, 1e-9)
	}
}

// The report renders in a real browser: headless Chromium takes a
// screenshot, and the page has its charts and tables drawn (a good share of
// non-white pixels). Skipped where Chromium is not installed (.ci/run
// installs it from Debian's packages).
func TestBacktestHTMLInChromium(t *testing.T) {
	bin, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium not installed")
	}
	base, cand := engines(t)
	recs, labels := labelled(5000)
	rep, err := backtest.Run(context.Background(), base, cand, backtest.Input{Records: recs, Labels: labels, AsOf: asOf})
	require.NoError(t, err)
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	f, err := os.Create(page)
	require.NoError(t, err)
	require.NoError(t, rep.WriteHTML(f))
	require.NoError(t, f.Close())
	shot := filepath.Join(dir, "shot.png")
	cmd := exec.Command(bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+filepath.Join(dir, "profile"), "--hide-scrollbars", "--window-size=1280,2000",
		"--screenshot="+shot, "file://"+page)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))
	sf, err := os.Open(shot)
	require.NoError(t, err)
	defer sf.Close()
	im, err := png.Decode(sf)
	require.NoError(t, err)
	b := im.Bounds()
	require.Equal(t, 1280, b.Dx())
	inked, blue := 0, 0
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, _ := im.At(x, y).RGBA()
			if r < 0xf000 || g < 0xf000 || bl < 0xf000 {
				inked++
			}
			if bl > 0xa000 && r < 0x6000 { // the baseline's bars and line
				blue++
			}
		}
	}
	total := (b.Dx() / 2) * (b.Dy() / 2)
	require.Greater(t, float64(inked)/float64(total), 0.03, "the page is drawn")
	require.Positive(t, blue, "the charts are drawn")
}
