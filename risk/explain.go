package risk

import (
	"strconv"
	"strings"
	"time"

	"github.com/simrisk/simrisk/rules"
)

// Explanation is every rule's verdict on one card, fired or not, with the
// values each rule read: what an analyst needs to see why a card was (or
// was not) flagged. Personal data is masked throughout.
//
// Its JSON keys are snake_case, as the decision's.
type Explanation struct {
	Decision Decision `json:"decision"` // the decision, as Score gives it
	// RawScore is the sum of the fired enforce rules' scores before the
	// score is kept to 0..100: above 100 when the decision's score was
	// capped (130 -> 100).
	RawScore float64 `json:"raw_score"`
	// RuleOutcome is the strongest outcome of the fired enforce rules
	// (pass when none fired); BandOutcome and BandMin are the outcome and
	// lower bound of the score band the score fell in. The decision's
	// outcome is the stronger of the two: when BandOutcome is stronger, the
	// outcome came from the band, not from a rule.
	RuleOutcome rules.Outcome     `json:"rule_outcome"`
	BandOutcome rules.Outcome     `json:"band_outcome"`
	BandMin     float64           `json:"band_min"`
	Rules       []RuleExplanation `json:"rules"` // every rule of the set, in file order, disabled ones included

	lang string // the engine's language, for Format
}

// RuleExplanation is one rule's verdict on the card.
type RuleExplanation struct {
	ID      string        `json:"id"`
	Title   string        `json:"title"`
	Enabled bool          `json:"enabled"`
	Shadow  bool          `json:"shadow"`
	Fired   bool          `json:"fired"`
	Score   float64       `json:"score"`            // the rule's score (what it adds when it fires)
	Outcome rules.Outcome `json:"outcome"`          // the rule's outcome
	Reason  string        `json:"reason,omitempty"` // the rendered reason, when it fired
	Error   string        `json:"error,omitempty"`  // why the rule could not be evaluated on this card
	// Reads are the vocabulary terms and macros the condition reads, with
	// this card's values, by name: dates as YYYY-MM-DD HH:MM (CST),
	// roaming entries as REGION (name) date (N days ago).
	Reads []Value `json:"reads"`
	// Comparisons are the whole-number comparisons in the condition (thresholds,
	// dates), with both sides' values on this card.
	Comparisons []Comparison `json:"comparisons"`
	// NearMiss is, for a rule that did not fire, its failed threshold
	// comparison closest to holding; nil when the rule fired or has none.
	NearMiss *Comparison `json:"near_miss,omitempty"`
}

// Value is one name a rule reads and the card's value of it, as text.
type Value struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Comparison is one comparison of a condition, evaluated on the card.
type Comparison struct {
	Expr  string `json:"expr"` // as compiled, parameters folded: "days_since_last_activity >= 90"
	Op    string `json:"op"`   // <, <=, >, >=, ==, !=
	Left  int    `json:"left"`
	Right int    `json:"right"`
	Holds bool   `json:"holds"`
	// Short is how far the left side is from making the comparison hold
	// (0 when it holds), in the operands' unit: days, cards, seconds.
	Short int  `json:"short"`
	Time  bool `json:"time"` // the operands are Unix times (Short is seconds)
}

// String says what the check needs, for people: "days_since_last_activity
// is 87, needs >= 90 (3 short)".
func (c Comparison) String() string { return c.text("en") }

// text is String in lang.
func (c Comparison) text(lang string) string {
	zh := lang == rules.LangZh
	l, r := strconv.Itoa(c.Left), strconv.Itoa(c.Right)
	if c.Time {
		l, r = Time(c.Left).Std().Format("2006-01-02 15:04"), Time(c.Right).Std().Format("2006-01-02 15:04")
	}
	lhs, rhs, _ := strings.Cut(c.Expr, " "+c.Op+" ")
	var b strings.Builder
	if zh {
		b.WriteString(lhs + " 为 " + l)
		if rhs != r {
			b.WriteString("，" + rhs + " 为 " + r)
		}
		if c.Holds {
			b.WriteString("：" + c.Expr + " 成立")
			return b.String()
		}
		b.WriteString("，需要 " + c.Op + " " + rhs)
		if c.Short > 0 {
			short := strconv.Itoa(c.Short)
			if c.Time {
				short = (time.Duration(c.Short) * time.Second).String()
			}
			b.WriteString("（差 " + short + "）")
		}
		return b.String()
	}
	b.WriteString(lhs + " is " + l)
	if rhs != r {
		b.WriteString(", " + rhs + " is " + r)
	}
	if c.Holds {
		b.WriteString(": " + c.Expr + " holds")
		return b.String()
	}
	b.WriteString(", needs " + c.Op + " " + rhs)
	if c.Short > 0 {
		short := strconv.Itoa(c.Short) + " short"
		if c.Time {
			short = (time.Duration(c.Short) * time.Second).String() + " short"
		}
		b.WriteString(" (" + short + ")")
	}
	return b.String()
}

// short is how much the left side must move for the comparison to hold.
func short(op string, l, r int) int {
	switch op {
	case ">=":
		return max(0, r-l)
	case ">":
		return max(0, r+1-l)
	case "<=":
		return max(0, l-r)
	case "<":
		return max(0, l-r+1)
	case "==":
		return max(l-r, r-l)
	case "!=":
		if l == r {
			return 1
		}
	}
	return 0
}

// withheld is the value Explain shows for a macro that reads personal data
// (its value says something about the number, SIM or holder) and for a
// comparison that reads one.
const withheld = "withheld (reads personal data)"

// Explain scores r and explains every rule's verdict: fired or not, the
// values it read, and for a threshold rule that did not fire, the nearest
// miss. It is for people (the analysts' explain command), not for the hot
// path: it allocates freely.
func (s *Scorer) Explain(r *Record) (*Explanation, error) {
	var d Decision
	if err := s.ScoreInto(r, &d); err != nil {
		return nil, err
	}
	d = d.Clone()
	x := &Explanation{Decision: d, lang: s.e.lang}
	hits := map[string]Hit{}
	for _, h := range d.Hits {
		hits[h.Rule] = h
	}
	errs := map[string]string{}
	for _, re := range d.Errors {
		errs[re.Rule] = re.Message
	}
	s.env.beginCard(r, r.fingerprint())
	s.card++
	en := s.env.fillAll()
	readers := envReaders()
	for _, cr := range s.e.all {
		h, fired := hits[cr.id]
		rx := RuleExplanation{ID: cr.id, Title: cr.title, Enabled: cr.enabled, Shadow: cr.shadow, Fired: fired,
			Score: cr.score, Outcome: cr.outcome, Reason: h.Reason, Error: errs[cr.id]}
		if err := s.explainReads(cr, &rx, en, readers); err != nil && rx.Error == "" {
			rx.Error = errMessage(err)
		}
		if !fired && rx.Error == "" {
			for i, c := range rx.Comparisons {
				if c.Holds || c.Op == "==" || c.Op == "!=" || meaningless(c) {
					continue
				}
				if rx.NearMiss == nil || closer(c, *rx.NearMiss) {
					rx.NearMiss = &rx.Comparisons[i]
				}
			}
		}
		x.Rules = append(x.Rules, rx)
		if fired && !cr.shadow && rx.Error == "" {
			x.RawScore += cr.score
			x.RuleOutcome = max(x.RuleOutcome, cr.outcome)
		}
	}
	for _, b := range s.e.bandTab {
		if b.Min <= d.Score {
			x.BandMin, x.BandOutcome = b.Min, b.Outcome
		}
	}
	return x, nil
}

// explainReads fills the values rule cr reads and its comparisons, under a
// recover: a macro or comparison that panics on the card ends the rule's
// explanation with an error instead of the process.
func (s *Scorer) explainReads(cr *compiledRule, rx *RuleExplanation, en *env, readers map[string]func(*env) any) (err error) {
	defer func() {
		if p := recover(); p != nil {
			s.env.cur = nil
			err = panicError(p)
		}
	}()
	for _, n := range cr.reads {
		if s.e.personalMacros[n] != "" {
			rx.Reads = append(rx.Reads, Value{Name: n, Value: withheld})
			continue
		}
		var v any
		if rd, ok := readers[n]; ok {
			v = rd(en)
		} else if p, ok := s.e.exprMacros[n]; ok {
			v, _ = p.eval(s)
		} else if i, ok := s.e.celMacroIdx[n]; ok {
			v = s.macroValue(i).Value()
		} else {
			continue
		}
		text := string(appendValue(nil, v))
		formatted := false // a time we formatted ourselves holds no card text
		// an empty value (nil, "", an empty list) and "never" read one way
		// in each language: none / 无, never / 从未
		switch v.(type) {
		case nil:
			text, formatted = words(s.e.lang)["none"], true
		case string, []string, []any:
			if text == "" {
				text, formatted = words(s.e.lang)["none"], true
			}
		case int, int64:
			if text == "never" {
				text, formatted = words(s.e.lang)["never"], true
			}
		}
		if n == "roaming" {
			text, formatted = roamingText(en.r.Roaming, s.cfg.asOf, s.e.lang), true
		}
		if n == "as_of" || strings.HasSuffix(n, "_at") {
			var t Time
			switch x := v.(type) {
			case int:
				t = Time(x)
			case int64:
				t = Time(x)
			}
			text = words(s.e.lang)["none"]
			if t != 0 {
				text = t.Std().Format("2006-01-02 15:04")
			}
			formatted = true
		}
		switch {
		case personalFields[n]:
			text = maskValue(text)
		case !formatted:
			text = maskText(text)
			if str, ok := v.(string); ok && str != "" {
				text += nameOf(n, str, s.e.lang) // cmcc (China Mobile), AE (阿拉伯联合酋长国)
			} else if b, ok := v.(bool); ok {
				text += nameOf(n, strconv.FormatBool(b), s.e.lang) // true（是）
			}
		}
		rx.Reads = append(rx.Reads, Value{Name: n, Value: text})
	}
	for _, p := range cr.probes {
		if readsPersonal(p.text, s.e.personalMacros) {
			continue // its values would say what the number or holder is
		}
		s.ovf = false
		l, r := p.lhs(&s.env), p.rhs(&s.env)
		if s.ovf { // CEL's checked arithmetic overflowed
			s.ovf = false
			return errOverflow
		}
		c := Comparison{Expr: p.text, Op: p.op, Left: l, Right: r, Short: short(p.op, l, r), Time: p.time}
		c.Holds = c.Short == 0
		rx.Comparisons = append(rx.Comparisons, c)
	}
	return nil
}

// meaningless says whether a failed comparison reads an absent value: a
// time before 2001 (0, an unset date, plus a parameter) or a day count of
// Never. "needs >= 90 days" of a card that was never recycled means
// nothing, so it is no near miss.
func meaningless(c Comparison) bool {
	if c.Time {
		return c.Left < 1e9 || c.Right < 1e9
	}
	return c.Left == Never || c.Right == Never
}

// closer says whether check a is nearer to holding than b, relative to the
// size of its threshold.
func closer(a, b Comparison) bool {
	rel := func(c Comparison) float64 { return float64(c.Short) / float64(max(1, abs(c.Right))) }
	return rel(a) < rel(b)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// Clone returns a copy of d that owns its strings and slices, so that it
// stays valid when d is scored into again.
func (d Decision) Clone() Decision {
	c := d
	c.Hits = make([]Hit, len(d.Hits))
	for i, h := range d.Hits {
		h.Reason = strings.Clone(h.Reason)
		c.Hits[i] = h
	}
	c.Errors = append([]RuleError(nil), d.Errors...)
	if len(c.Errors) == 0 {
		c.Errors = nil
	}
	c.reasons = nil
	return c
}
