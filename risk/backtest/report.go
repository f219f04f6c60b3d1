package backtest

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html/template"
	"image/color"
	"io"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/simrisk/simrisk/rules"
)

// Chart is one picture of the report, as PNG.
type Chart struct {
	Name  string // score_histogram, roc, rule_hits
	Title string
	PNG   []byte
}

var (
	baseColor = color.RGBA{R: 0x4c, G: 0x72, B: 0xb0, A: 0xff}
	candColor = color.RGBA{R: 0xdd, G: 0x84, B: 0x52, A: 0xff}
)

// Charts draws the report's pictures with gonum/plot: the score histogram
// of both rule sets, their ROC curves (labelled data only) and each rule's
// hits.
func (r *Report) Charts() ([]Chart, error) {
	var out []Chart
	add := func(name, title string, p *plot.Plot, w, h vg.Length) error {
		wt, err := p.WriterTo(w, h, "png")
		if err != nil {
			return fmt.Errorf("backtest: drawing %s: %w", name, err)
		}
		var buf bytes.Buffer
		if _, err := wt.WriteTo(&buf); err != nil {
			return fmt.Errorf("backtest: drawing %s: %w", name, err)
		}
		out = append(out, Chart{Name: name, Title: title, PNG: buf.Bytes()})
		return nil
	}

	// score histogram: cards per 10-point bucket, both rule sets side by side
	const buckets = 11 // 0-9, ..., 90-99, 100
	zeros := 0
	count := func(scores []float64) plotter.Values {
		v := make(plotter.Values, buckets)
		for _, s := range scores {
			if s > 0 { // most cards score 0: drawn, they would flatten the rest
				v[min(buckets-1, int(s/10))]++
			}
		}
		return v
	}
	for _, s := range r.Baseline.Scores {
		if s <= 0 {
			zeros++
		}
	}
	p := plot.New()
	p.Title.Text = fmt.Sprintf("Score distribution of cards scoring above 0 (baseline: %d cards at 0, not drawn)", zeros)
	p.Y.Label.Text = "cards"
	p.X.Label.Text = "score"
	if err := groupedBars(p, count(r.Baseline.Scores), count(r.Candidate.Scores)); err != nil {
		return nil, err
	}
	names := make([]string, buckets)
	for i := range names {
		names[i] = fmt.Sprintf("%d-%d", 10*i, 10*i+9)
	}
	names[buckets-1] = "100"
	p.NominalX(names...)
	if err := add("score_histogram", "Score distribution", p, 18*vg.Centimeter, 9*vg.Centimeter); err != nil {
		return nil, err
	}

	// ROC curves
	if r.Labelled && len(r.Baseline.ROC) > 0 {
		p := plot.New()
		p.Title.Text = "ROC curve of the score"
		p.X.Label.Text = "false positive rate"
		p.Y.Label.Text = "true positive rate"
		p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
		p.Add(plotter.NewGrid())
		for _, s := range []struct {
			pr *PackReport
			c  color.Color
			n  string
		}{{r.Baseline, baseColor, "baseline"}, {r.Candidate, candColor, "candidate"}} {
			xy := make(plotter.XYs, len(s.pr.ROC))
			for i, pt := range s.pr.ROC {
				xy[i].X, xy[i].Y = pt.FPR, pt.TPR
			}
			l, err := plotter.NewLine(xy)
			if err != nil {
				return nil, err
			}
			l.Color, l.Width = s.c, vg.Points(2)
			p.Add(l)
			p.Legend.Add(fmt.Sprintf("%s (AUC %.3f)", s.n, s.pr.AUC), l)
		}
		diag, _ := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 1}})
		diag.Dashes = []vg.Length{vg.Points(4), vg.Points(4)}
		p.Add(diag)
		p.Legend.Top, p.Legend.Left = false, false
		if err := add("roc", "ROC curve", p, 12*vg.Centimeter, 12*vg.Centimeter); err != nil {
			return nil, err
		}
	}

	// hits per rule, over the union of both sets' rules
	ids, bh, ch := ruleUnion(r)
	p = plot.New()
	p.Title.Text = "Hits per rule"
	p.Y.Label.Text = "cards"
	if err := groupedBars(p, bh, ch); err != nil {
		return nil, err
	}
	p.NominalX(ids...)
	p.X.Tick.Label.Rotation = math.Pi / 4
	p.X.Tick.Label.XAlign, p.X.Tick.Label.YAlign = draw.XRight, draw.YCenter
	if err := add("rule_hits", "Hits per rule", p, 20*vg.Centimeter, 11*vg.Centimeter); err != nil {
		return nil, err
	}
	return out, nil
}

func groupedBars(p *plot.Plot, base, cand plotter.Values) error {
	w := vg.Points(9)
	b, err := plotter.NewBarChart(base, w)
	if err != nil {
		return err
	}
	b.Color, b.LineStyle.Width, b.Offset = baseColor, 0, -w/2
	c, err := plotter.NewBarChart(cand, w)
	if err != nil {
		return err
	}
	c.Color, c.LineStyle.Width, c.Offset = candColor, 0, w/2
	p.Add(b, c)
	top := 1.0
	for i := range base {
		top = max(top, base[i], cand[i])
	}
	p.Y.Min, p.Y.Max = 0, top*1.15 // room for the legend
	p.Legend.Add("baseline", b)
	p.Legend.Add("candidate", c)
	p.Legend.Top = true
	return nil
}

// ruleUnion lists every rule of either set (baseline order, then the
// candidate's new ones) with each set's hits (0 where it has no such rule).
func ruleUnion(r *Report) ([]string, plotter.Values, plotter.Values) {
	var ids []string
	seen := map[string]bool{}
	for _, pr := range []*PackReport{r.Baseline, r.Candidate} {
		for _, rs := range pr.Rules {
			if !seen[rs.ID] {
				seen[rs.ID] = true
				ids = append(ids, rs.ID)
			}
		}
	}
	hits := func(pr *PackReport) plotter.Values {
		m := map[string]float64{}
		for _, rs := range pr.Rules {
			m[rs.ID] = float64(rs.Flagged)
		}
		v := make(plotter.Values, len(ids))
		for i, id := range ids {
			v[i] = m[id]
		}
		return v
	}
	return ids, hits(r.Baseline), hits(r.Candidate)
}

// WriteHTML writes the report as one self-contained HTML page: tables and
// the charts as embedded PNG images (no file or network access needed to
// view it).
func (r *Report) WriteHTML(w io.Writer) error {
	charts, err := r.Charts()
	if err != nil {
		return err
	}
	type img struct {
		Title string
		Src   template.URL
	}
	var imgs []img
	for _, c := range charts {
		imgs = append(imgs, img{c.Title, template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(c.PNG))})
	}
	ids, _, _ := ruleUnion(r)
	type ruleRow struct {
		ID   string
		B, C *RuleStats
	}
	find := func(pr *PackReport, id string) *RuleStats {
		for i := range pr.Rules {
			if pr.Rules[i].ID == id {
				return &pr.Rules[i]
			}
		}
		return nil
	}
	var rows []ruleRow
	for _, id := range ids {
		rows = append(rows, ruleRow{id, find(r.Baseline, id), find(r.Candidate, id)})
	}
	outcomes := []string{}
	for o := rules.Pass; o <= rules.Suspend; o++ {
		outcomes = append(outcomes, o.String())
	}
	return page.Execute(w, map[string]any{"R": r, "Charts": imgs, "Rows": rows, "Outcomes": outcomes})
}

var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"pct": func(x float64) string {
		if math.IsNaN(x) {
			return "–"
		}
		return fmt.Sprintf("%.1f%%", 100*x)
	},
	"num": func(x float64) string {
		if math.IsNaN(x) {
			return "–"
		}
		return fmt.Sprintf("%.3f", x)
	},
	"idx":   func(a [5][5]int, i, j int) int { return a[i][j] },
	"cnt":   func(a [5]int, i int) int { return a[i] },
	"deref": func(b *bool) bool { return *b },
}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>simrisk backtest: {{.R.Baseline.Name}} → {{.R.Candidate.Name}}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:1200px}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}
th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}
img{display:block;margin:1em 0;border:1px solid #eee}.muted{color:#777}
</style></head><body>
<h1>Backtest</h1>
<p>Baseline <b>{{.R.Baseline.Name}} {{.R.Baseline.Version}}</b> <span class="muted">({{.R.Baseline.Digest}})</span>,
candidate <b>{{.R.Candidate.Name}} {{.R.Candidate.Version}}</b> <span class="muted">({{.R.Candidate.Digest}})</span>.</p>
<p>{{.R.Cards}} cards scored{{if .R.Rejected}}, {{.R.Rejected}} records rejected{{end}}.
{{if .R.Labelled}}{{.R.Positive}} cards labelled positive.{{else}}No labels: quality figures are not available.{{end}}
{{.R.ChangedTotal}} cards change outcome.</p>
{{range .Charts}}<h2>{{.Title}}</h2><img alt="{{.Title}}" src="{{.Src}}">{{end}}
<h2>Rules</h2>
<table><tr><th>rule</th><th>baseline hits</th><th>rate</th>{{if .R.Labelled}}<th>precision</th><th>recall</th><th>F1</th><th>lift</th>{{end}}
<th>candidate hits</th><th>rate</th>{{if .R.Labelled}}<th>precision</th><th>recall</th><th>F1</th><th>lift</th>{{end}}</tr>
{{range .Rows}}<tr><td>{{.ID}}</td>
{{with .B}}<td>{{.Flagged}}</td><td>{{pct .Rate}}</td>{{if $.R.Labelled}}<td>{{pct .Precision}}</td><td>{{pct .Recall}}</td><td>{{num .F1}}</td><td>{{num .Lift}}</td>{{end}}{{else}}<td colspan="{{if $.R.Labelled}}6{{else}}2{{end}}" class="muted">not in this set</td>{{end}}
{{with .C}}<td>{{.Flagged}}</td><td>{{pct .Rate}}</td>{{if $.R.Labelled}}<td>{{pct .Precision}}</td><td>{{pct .Recall}}</td><td>{{num .F1}}</td><td>{{num .Lift}}</td>{{end}}{{else}}<td colspan="{{if $.R.Labelled}}6{{else}}2{{end}}" class="muted">not in this set</td>{{end}}
</tr>{{end}}</table>
<h2>Outcomes, baseline → candidate</h2>
<table><tr><th>baseline \ candidate</th>{{range .Outcomes}}<th>{{.}}</th>{{end}}<th>total</th></tr>
{{range $i, $o := .Outcomes}}<tr><td>{{$o}}</td>{{range $j, $_ := $.Outcomes}}<td>{{idx $.R.Transitions $i $j}}</td>{{end}}<td>{{cnt $.R.Baseline.Outcomes $i}}</td></tr>{{end}}
</table>
{{if .R.Labelled}}<h2>Quality by outcome (flagged: outcome at or above)</h2>
<table><tr><th>flagged</th><th>baseline cards</th><th>precision</th><th>recall</th><th>F1</th><th>lift</th><th>candidate cards</th><th>precision</th><th>recall</th><th>F1</th><th>lift</th></tr>
{{range $i, $m := .R.Baseline.ByOutcome}}{{$c := index $.R.Candidate.ByOutcome $i}}<tr><td>{{$m.Name}}</td><td>{{$m.Flagged}}</td><td>{{pct $m.Precision}}</td><td>{{pct $m.Recall}}</td><td>{{num $m.F1}}</td><td>{{num $m.Lift}}</td>
<td>{{$c.Flagged}}</td><td>{{pct $c.Precision}}</td><td>{{pct $c.Recall}}</td><td>{{num $c.F1}}</td><td>{{num $c.Lift}}</td></tr>{{end}}</table>
<p>ROC AUC of the score: baseline {{num .R.Baseline.AUC}}, candidate {{num .R.Candidate.AUC}}.</p>
<h2>Threshold sweep (flagged: score at or above)</h2>
<table><tr><th>threshold</th><th>baseline cards</th><th>precision</th><th>recall</th><th>F1</th><th>candidate cards</th><th>precision</th><th>recall</th><th>F1</th></tr>
{{range $i, $m := .R.Baseline.Sweep}}{{$c := index $.R.Candidate.Sweep $i}}<tr><td>{{$m.Threshold}}</td><td>{{$m.Flagged}}</td><td>{{pct $m.Precision}}</td><td>{{pct $m.Recall}}</td><td>{{num $m.F1}}</td>
<td>{{$c.Flagged}}</td><td>{{pct $c.Precision}}</td><td>{{pct $c.Recall}}</td><td>{{num $c.F1}}</td></tr>{{end}}</table>{{end}}
<h2>Score quantiles</h2>
<table><tr><th></th><th>min</th><th>p25</th><th>median</th><th>p75</th><th>max</th></tr>
<tr><td>baseline</td>{{range .R.Baseline.ScoreQuantiles}}<td>{{.}}</td>{{end}}</tr>
<tr><td>candidate</td>{{range .R.Candidate.ScoreQuantiles}}<td>{{.}}</td>{{end}}</tr></table>
<h2>Sample of cards that change outcome</h2>
{{if .R.Changed}}<table><tr><th>card</th>{{if .R.Labelled}}<th>label</th>{{end}}<th>baseline</th><th>candidate</th><th>rules added</th><th>rules removed</th></tr>
{{range .R.Changed}}<tr><td>{{.MSISDN}}</td>{{if $.R.Labelled}}<td>{{if .Label}}{{if deref .Label}}positive{{else}}negative{{end}}{{end}}</td>{{end}}
<td>{{.Baseline.Outcome}} ({{.Baseline.Score}})</td><td>{{.Candidate.Outcome}} ({{.Candidate.Score}})</td><td>{{range .Added}}{{.}} {{end}}</td><td>{{range .Removed}}{{.}} {{end}}</td></tr>{{end}}
</table>{{else}}<p>No card changes outcome.</p>{{end}}
<h2>Rule overlap (candidate: cards on which both fired)</h2>
<table><tr><th></th>{{range .R.Candidate.Rules}}<th>{{.ID}}</th>{{end}}</tr>
{{range $i, $r := .R.Candidate.Rules}}<tr><td>{{$r.ID}}</td>{{range index $.R.Candidate.Overlap $i}}<td>{{.}}</td>{{end}}</tr>{{end}}</table>
</body></html>
`))
