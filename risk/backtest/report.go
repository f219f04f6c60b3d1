package backtest

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html/template"
	"image/color"
	"io"
	"math"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/simrisk/simrisk/rules"
)

// Chart is one picture of the report, as SVG: its text is drawn by the
// browser, so Chinese labels show in any font the viewer has (a PNG would
// need a CJK font compiled in).
type Chart struct {
	Name  string // score_histogram, roc, rule_hits
	Title string // in the report's language
	SVG   []byte
}

var (
	baseColor = color.RGBA{R: 0x4c, G: 0x72, B: 0xb0, A: 0xff}
	candColor = color.RGBA{R: 0xdd, G: 0x84, B: 0x52, A: 0xff}
)

// lang is the report's language: "en" or "zh" (the default).
func (r *Report) lang() string {
	if r.Lang == rules.LangEn {
		return rules.LangEn
	}
	return rules.LangZh
}

// Charts draws the report's pictures with gonum/plot, labelled in the
// report's language (Lang): the score histogram of both rule sets, their
// ROC curves (labelled data only) and each rule's hits.
func (r *Report) Charts() ([]Chart, error) {
	tr := translator(r.lang())
	var out []Chart
	add := func(name, title string, p *plot.Plot, w, h vg.Length) error {
		wt, err := p.WriterTo(w, h, "svg")
		if err != nil {
			return fmt.Errorf("backtest: drawing %s: %w", name, err)
		}
		var buf bytes.Buffer
		if _, err := wt.WriteTo(&buf); err != nil {
			return fmt.Errorf("backtest: drawing %s: %w", name, err)
		}
		out = append(out, Chart{Name: name, Title: title, SVG: buf.Bytes()})
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
	p.Title.Text = fmt.Sprintf(tr("hist_title"), zeros)
	p.Y.Label.Text = tr("cards")
	p.X.Label.Text = tr("score")
	if err := groupedBars(p, count(r.Baseline.Scores), count(r.Candidate.Scores), tr); err != nil {
		return nil, err
	}
	names := make([]string, buckets)
	for i := range names {
		names[i] = fmt.Sprintf("%d-%d", 10*i, 10*i+9)
	}
	names[buckets-1] = "100"
	p.NominalX(names...)
	if err := add("score_histogram", tr("chart_hist"), p, 18*vg.Centimeter, 9*vg.Centimeter); err != nil {
		return nil, err
	}

	// ROC curves
	if r.Labelled && len(r.Baseline.ROC) > 0 {
		p := plot.New()
		p.Title.Text = tr("roc_title")
		p.X.Label.Text = tr("fpr")
		p.Y.Label.Text = tr("tpr")
		p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
		p.Add(plotter.NewGrid())
		for _, s := range []struct {
			pr *PackReport
			c  color.Color
			n  string
		}{{r.Baseline, baseColor, tr("baseline")}, {r.Candidate, candColor, tr("candidate")}} {
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
		if err := add("roc", tr("chart_roc"), p, 12*vg.Centimeter, 12*vg.Centimeter); err != nil {
			return nil, err
		}
	}

	// hits per rule, over the union of both sets' rules
	ids, bh, ch := ruleUnion(r)
	p = plot.New()
	p.Title.Text = tr("chart_hits")
	p.Y.Label.Text = tr("cards")
	if err := groupedBars(p, bh, ch, tr); err != nil {
		return nil, err
	}
	p.NominalX(ids...)
	p.X.Tick.Label.Rotation = math.Pi / 4
	p.X.Tick.Label.XAlign, p.X.Tick.Label.YAlign = draw.XRight, draw.YCenter
	if err := add("rule_hits", tr("chart_hits"), p, 20*vg.Centimeter, 11*vg.Centimeter); err != nil {
		return nil, err
	}
	return out, nil
}

func groupedBars(p *plot.Plot, base, cand plotter.Values, tr func(string) string) error {
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
	p.Legend.Add(tr("baseline"), b)
	p.Legend.Add(tr("candidate"), c)
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

// WriteHTML writes the report as one self-contained HTML page in the
// report's language (Lang): a header (as-of, input, generation time, each
// rule set's name, version, path and digest), what changed in the rules
// (Rules), the charts as embedded SVG images, and the tables (no file or
// network access needed to view it). Cards appear masked, with their
// input line as a reference when Run was given Input.Lines.
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
		imgs = append(imgs, img{c.Title, template.URL("data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString(c.SVG))})
	}
	ids, _, _ := ruleUnion(r)
	type ruleRow struct {
		ID, Title string
		B, C      *RuleStats
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
		row := ruleRow{ID: id, B: find(r.Baseline, id), C: find(r.Candidate, id)}
		if row.C != nil {
			row.Title = row.C.Title
		} else if row.B != nil {
			row.Title = row.B.Title
		}
		rows = append(rows, row)
	}
	lang := r.lang()
	tr := translator(lang)
	var outcomes []string
	for o := rules.Pass; o <= rules.Suspend; o++ {
		outcomes = append(outcomes, tr("outcome_"+o.String()))
	}
	gen := r.Generated
	if gen.IsZero() {
		gen = time.Now()
	}
	cst := time.FixedZone("CST", 8*3600)
	asOf := ""
	if r.AsOf != 0 {
		asOf = r.AsOf.Std().In(cst).Format("2006-01-02 15:04:05 -07:00")
	}
	t, err := page.Clone()
	if err != nil {
		return err
	}
	t.Funcs(template.FuncMap{
		"T":       tr,
		"outcome": func(o rules.Outcome) string { return tr("outcome_" + o.String()) },
		"atleast": func(i int) string {
			return fmt.Sprintf(tr("outcome_at_least"), tr("outcome_"+(rules.Monitor+rules.Outcome(i)).String()))
		},
		"field": func(f string) string { return tr("field_" + f) },
		// a rule field's value in the report's language: outcome, mode and
		// enabled are words of the page; conditions, scores, tags and
		// texts are shown as written
		"value": func(f, v string) string {
			switch f {
			case "outcome", "mode", "enabled":
				if v != "" {
					return tr(f + "_" + v)
				}
			}
			return v
		},
		"band": func(v string) string {
			if v == "" {
				return ""
			}
			l, o, _ := strings.Cut(v, ", ")
			return tr("level_"+l) + "，" + tr("outcome_"+o)
		},
	})
	return t.Execute(w, map[string]any{"R": r, "Charts": imgs, "Rows": rows, "Outcomes": outcomes,
		"Lang": lang, "AsOf": asOf, "Generated": gen.In(cst).Format("2006-01-02 15:04:05 -07:00"),
		"Sides": []*PackReport{r.Baseline, r.Candidate}})
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
	"idx":     func(a [5][5]int, i, j int) int { return a[i][j] },
	"cnt":     func(a [5]int, i int) int { return a[i] },
	"deref":   func(b *bool) bool { return *b },
	"T":       func(string) string { return "" }, // replaced per report
	"outcome": func(rules.Outcome) string { return "" },
	"atleast": func(int) string { return "" },
	"field":   func(string) string { return "" },
	"value":   func(string, string) string { return "" },
	"band":    func(string) string { return "" },
}).Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}"><head><meta charset="utf-8">
<title>{{T "title"}}: {{.R.Baseline.Name}} {{.R.Baseline.Version}}{{with .R.Baseline.Path}} ({{.}}){{end}} → {{.R.Candidate.Name}} {{.R.Candidate.Version}}{{with .R.Candidate.Path}} ({{.}}){{end}}</title>
<style>
body{font-family:system-ui,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;margin:2em;color:#222;max-width:1200px}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}
th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}td.l{text-align:left}
code{font-size:90%;white-space:pre-wrap}
img{display:block;margin:1em 0;border:1px solid #eee}.muted{color:#777}
</style></head><body>
<h1>{{T "title"}}</h1>
<table class="header">
<tr><th>{{T "as_of"}}</th><td class="l" colspan="2">{{.AsOf}}</td></tr>
<tr><th>{{T "input"}}</th><td class="l" colspan="2">{{.R.Input}}</td></tr>
<tr><th>{{T "generated"}}</th><td class="l" colspan="2">{{.Generated}}</td></tr>
<tr><th></th><th>{{T "baseline"}}</th><th>{{T "candidate"}}</th></tr>
<tr><th>{{T "name"}}</th>{{range .Sides}}<td class="l">{{.Name}}</td>{{end}}</tr>
<tr><th>{{T "version"}}</th>{{range .Sides}}<td class="l">{{.Version}}</td>{{end}}</tr>
<tr><th>{{T "path"}}</th>{{range .Sides}}<td class="l">{{.Path}}</td>{{end}}</tr>
<tr><th>{{T "digest"}}</th>{{range .Sides}}<td class="l"><code>{{.Digest}}</code></td>{{end}}</tr>
</table>
<p>{{printf (T "cards_scored") .R.Cards}}{{if .R.Rejected}}{{printf (T "rejected") .R.Rejected}}{{end}}{{T "stop"}}
{{if .R.Labelled}}{{printf (T "positives") .R.Positive}}{{else}}{{T "no_labels"}}{{end}}
{{printf (T "changed_n") .R.ChangedTotal}}</p>
{{with .R.Rules}}<h2>{{T "what_changed"}}</h2>
{{if .Empty}}<p>{{T "no_rule_change"}}</p>{{end}}
{{if .Params}}<h3>{{T "params"}}</h3><table><tr><th>{{T "name"}}</th><th>{{T "before"}}</th><th>{{T "after"}}</th></tr>
{{range .Params}}<tr><td>{{.Name}}</td><td class="l">{{if .Before}}<code>{{.Before}}</code>{{else}}<span class="muted">{{T "absent"}}</span>{{end}}</td><td class="l">{{if .After}}<code>{{.After}}</code>{{else}}<span class="muted">{{T "absent"}}</span>{{end}}</td></tr>{{end}}</table>{{end}}
{{if .Lists}}<h3>{{T "lists"}}</h3><table><tr><th>{{T "name"}}</th><th>{{T "items_added"}}</th><th>{{T "items_removed"}}</th></tr>
{{range .Lists}}<tr><td>{{.Name}}{{if .New}} <span class="muted">({{T "new_list"}})</span>{{end}}{{if .Dropped}} <span class="muted">({{T "list_removed"}})</span>{{end}}{{with .Type}} <span class="muted">({{field "type"}}: {{.Before}} → {{.After}})</span>{{end}}</td>
<td class="l">{{range .Added}}<code>{{.}}</code> {{end}}</td><td class="l">{{range .Removed}}<code>{{.}}</code> {{end}}</td></tr>{{end}}</table>{{end}}
{{if .Macros}}<h3>{{T "macros"}}</h3><table><tr><th>{{T "name"}}</th><th>{{T "before"}}</th><th>{{T "after"}}</th></tr>
{{range .Macros}}<tr><td>{{.Name}}</td><td class="l">{{if .Before}}<code>{{.Before}}</code>{{else}}<span class="muted">{{T "absent"}}</span>{{end}}</td><td class="l">{{if .After}}<code>{{.After}}</code>{{else}}<span class="muted">{{T "absent"}}</span>{{end}}</td></tr>{{end}}</table>{{end}}
{{if .Bands}}<h3>{{T "bands"}}</h3><table><tr><th>{{T "band"}}</th><th>{{T "before"}}</th><th>{{T "after"}}</th></tr>
{{range .Bands}}<tr><td>{{printf (T "score_at_least") .Name}}</td><td class="l">{{if .Before}}{{band .Before}}{{else}}<span class="muted">{{T "absent"}}</span>{{end}}</td><td class="l">{{if .After}}{{band .After}}{{else}}<span class="muted">{{T "absent"}}</span>{{end}}</td></tr>{{end}}</table>{{end}}
{{if .Added}}<h3>{{T "rules_added"}}</h3><ul>{{range .Added}}<li><b>{{.ID}}</b> {{.Title}}</li>{{end}}</ul>{{end}}
{{if .Removed}}<h3>{{T "rules_removed"}}</h3><ul>{{range .Removed}}<li><b>{{.ID}}</b> {{.Title}}</li>{{end}}</ul>{{end}}
{{if .Changed}}<h3>{{T "rules_changed"}}</h3><table><tr><th>{{T "rule"}}</th><th>{{T "field"}}</th><th>{{T "before"}}</th><th>{{T "after"}}</th></tr>
{{range .Changed}}{{$r := .}}{{range .Fields}}<tr><td><b>{{$r.ID}}</b> {{$r.Title}}</td><td class="l">{{field .Name}}</td><td class="l"><code>{{value .Name .Before}}</code></td><td class="l"><code>{{value .Name .After}}</code></td></tr>{{end}}{{end}}</table>{{end}}
{{end}}
{{range .Charts}}<h2>{{.Title}}</h2><img alt="{{.Title}}" src="{{.Src}}">{{end}}
<h2>{{T "rules"}}</h2>
<table><tr><th>{{T "rule"}}</th><th>{{T "rule_title"}}</th><th>{{T "base_hits"}}</th><th>{{T "rate"}}</th>{{if .R.Labelled}}<th>{{T "precision"}}</th><th>{{T "recall"}}</th><th>F1</th><th>{{T "lift"}}</th>{{end}}
<th>{{T "cand_hits"}}</th><th>{{T "rate"}}</th>{{if .R.Labelled}}<th>{{T "precision"}}</th><th>{{T "recall"}}</th><th>F1</th><th>{{T "lift"}}</th>{{end}}</tr>
{{range .Rows}}<tr><td>{{.ID}}</td><td class="l">{{.Title}}</td>
{{with .B}}<td>{{.Flagged}}</td><td>{{pct .Rate}}</td>{{if $.R.Labelled}}<td>{{pct .Precision}}</td><td>{{pct .Recall}}</td><td>{{num .F1}}</td><td>{{num .Lift}}</td>{{end}}{{else}}<td colspan="{{if $.R.Labelled}}6{{else}}2{{end}}" class="muted">{{T "not_in_set"}}</td>{{end}}
{{with .C}}<td>{{.Flagged}}</td><td>{{pct .Rate}}</td>{{if $.R.Labelled}}<td>{{pct .Precision}}</td><td>{{pct .Recall}}</td><td>{{num .F1}}</td><td>{{num .Lift}}</td>{{end}}{{else}}<td colspan="{{if $.R.Labelled}}6{{else}}2{{end}}" class="muted">{{T "not_in_set"}}</td>{{end}}
</tr>{{end}}</table>
<h2>{{T "outcomes_title"}}</h2>
<table><tr><th>{{T "base_cand"}}</th>{{range .Outcomes}}<th>{{.}}</th>{{end}}<th>{{T "total"}}</th></tr>
{{range $i, $o := .Outcomes}}<tr><td>{{$o}}</td>{{range $j, $_ := $.Outcomes}}<td>{{idx $.R.Transitions $i $j}}</td>{{end}}<td>{{cnt $.R.Baseline.Outcomes $i}}</td></tr>{{end}}
</table>
{{if .R.Labelled}}<h2>{{T "quality_title"}}</h2>
<table><tr><th>{{T "flagged"}}</th><th>{{T "base_cards"}}</th><th>{{T "precision"}}</th><th>{{T "recall"}}</th><th>F1</th><th>{{T "lift"}}</th><th>{{T "cand_cards"}}</th><th>{{T "precision"}}</th><th>{{T "recall"}}</th><th>F1</th><th>{{T "lift"}}</th></tr>
{{range $i, $m := .R.Baseline.ByOutcome}}{{$c := index $.R.Candidate.ByOutcome $i}}<tr><td>{{atleast $i}}</td><td>{{$m.Flagged}}</td><td>{{pct $m.Precision}}</td><td>{{pct $m.Recall}}</td><td>{{num $m.F1}}</td><td>{{num $m.Lift}}</td>
<td>{{$c.Flagged}}</td><td>{{pct $c.Precision}}</td><td>{{pct $c.Recall}}</td><td>{{num $c.F1}}</td><td>{{num $c.Lift}}</td></tr>{{end}}</table>
<p>{{printf (T "auc") (num .R.Baseline.AUC) (num .R.Candidate.AUC)}}</p>
<h2>{{T "sweep_title"}}</h2>
<table><tr><th>{{T "threshold"}}</th><th>{{T "base_cards"}}</th><th>{{T "precision"}}</th><th>{{T "recall"}}</th><th>F1</th><th>{{T "cand_cards"}}</th><th>{{T "precision"}}</th><th>{{T "recall"}}</th><th>F1</th></tr>
{{range $i, $m := .R.Baseline.Sweep}}{{$c := index $.R.Candidate.Sweep $i}}<tr><td>{{$m.Threshold}}</td><td>{{$m.Flagged}}</td><td>{{pct $m.Precision}}</td><td>{{pct $m.Recall}}</td><td>{{num $m.F1}}</td>
<td>{{$c.Flagged}}</td><td>{{pct $c.Precision}}</td><td>{{pct $c.Recall}}</td><td>{{num $c.F1}}</td></tr>{{end}}</table>{{end}}
<h2>{{T "quantiles_title"}}</h2>
<table><tr><th></th><th>{{T "min"}}</th><th>p25</th><th>{{T "median"}}</th><th>p75</th><th>{{T "max"}}</th></tr>
<tr><td>{{T "baseline"}}</td>{{range .R.Baseline.ScoreQuantiles}}<td>{{.}}</td>{{end}}</tr>
<tr><td>{{T "candidate"}}</td>{{range .R.Candidate.ScoreQuantiles}}<td>{{.}}</td>{{end}}</tr></table>
<h2>{{T "sample_title"}}</h2>
{{if .R.Changed}}<p>{{T "ref_hint"}}</p><table><tr><th>{{T "ref"}}</th><th>{{T "card"}}</th>{{if .R.Labelled}}<th>{{T "label"}}</th>{{end}}<th>{{T "baseline"}}</th><th>{{T "candidate"}}</th><th>{{T "rules_fired_added"}}</th><th>{{T "rules_fired_removed"}}</th></tr>
{{range .R.Changed}}<tr><td>{{if .Line}}{{.Line}}{{end}}</td><td>{{.MSISDN}}</td>{{if $.R.Labelled}}<td>{{if .Label}}{{if deref .Label}}{{T "positive"}}{{else}}{{T "negative"}}{{end}}{{end}}</td>{{end}}
<td>{{outcome .Baseline.Outcome}} ({{.Baseline.Score}})</td><td>{{outcome .Candidate.Outcome}} ({{.Candidate.Score}})</td><td class="l">{{range .Added}}{{.}} {{end}}</td><td class="l">{{range .Removed}}{{.}} {{end}}</td></tr>{{end}}
</table>{{else}}<p>{{T "no_change"}}</p>{{end}}
<h2>{{T "overlap_title"}}</h2>
<table><tr><th></th>{{range .R.Candidate.Rules}}<th>{{.ID}}</th>{{end}}</tr>
{{range $i, $r := .R.Candidate.Rules}}<tr><td>{{$r.ID}}</td>{{range index $.R.Candidate.Overlap $i}}<td>{{.}}</td>{{end}}</tr>{{end}}</table>
</body></html>
`))
