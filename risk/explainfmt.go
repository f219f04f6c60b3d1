package risk

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/simrisk/simrisk/internal/vocab"
	"github.com/simrisk/simrisk/risk/ref"
	"github.com/simrisk/simrisk/rules"
)

// explainWords are Format's words in each language.
var explainWords = map[string]map[string]string{
	rules.LangEn: {
		"card": "card %s: score %s, level %s, outcome %s", "capped": "%s (capped: the fired rules add up to %s)",
		"from band":  "outcome %s comes from the score band %s (score ≥ %s), not from a rule: the fired rules ask for %s",
		"from rules": "outcome %s comes from the rules; the score band %s (score ≥ %s) asks for %s",
		"not fired":  "not fired", "disabled": "disabled", "shadow": "fired (shadow)", "fired": "fired, +%s, %s", "error": "error: ",
		"reason": "reason", "near": "nearest miss", "read": "read", "sep": ", ", "colon": ": ",
		"ago": "%s (%d days ago)", "unknown date": "%s (date unknown)", "none": "none", "never": "never",
	},
	rules.LangZh: {
		"card": "号码 %s：得分 %s，等级 %s，处置 %s", "capped": "%s（已封顶：触发规则合计 %s）",
		"from band":  "处置“%s”来自得分档（得分 ≥ %s 的“%s”档），不是来自规则：触发的规则最多要求“%s”",
		"from rules": "处置“%s”来自规则；得分档“%s”（得分 ≥ %s）要求“%s”",
		"not fired":  "未触发", "disabled": "已停用", "shadow": "已触发（影子模式）", "fired": "已触发，+%s，%s", "error": "错误：",
		"reason": "原因", "near": "最近的差距", "read": "读取", "sep": "，", "colon": "：",
		"ago": "%s（%d 天前）", "unknown date": "%s（日期不明）", "none": "无", "never": "从未",
	},
}

func words(lang string) map[string]string {
	if w, ok := explainWords[lang]; ok {
		return w
	}
	return explainWords[rules.LangEn]
}

func num(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// Format writes the explanation for people, in the engine's language (zh
// or en): a header with the score (and, when it was capped, what the rules
// added up to), the level and the outcome, and where the outcome came from
// (a score band or the rules); then one block per rule. Enumerated values
// show their names (cmcc (China Mobile)), dates and roaming entries are
// written as dates.
func (x *Explanation) Format() string {
	var b strings.Builder
	w := words(x.lang)
	d := x.Decision
	dn := func(v fmt.Stringer) string { return DisplayName(v.String(), x.lang) }
	score := num(d.Score)
	if x.RawScore > d.Score && d.Score == 100 {
		score = fmt.Sprintf(w["capped"], score, num(x.RawScore))
	}
	fmt.Fprintf(&b, w["card"]+"\n", MaskMSISDN(d.MSISDN), score, dn(d.Level), dn(d.Outcome))
	switch {
	case x.BandOutcome > x.RuleOutcome:
		if x.lang == rules.LangZh {
			fmt.Fprintf(&b, w["from band"]+"\n", dn(d.Outcome), num(x.BandMin), dn(d.Level), dn(x.RuleOutcome))
		} else {
			fmt.Fprintf(&b, w["from band"]+"\n", dn(d.Outcome), dn(d.Level), num(x.BandMin), dn(x.RuleOutcome))
		}
	case x.RuleOutcome > rules.Pass:
		fmt.Fprintf(&b, w["from rules"]+"\n", dn(d.Outcome), dn(d.Level), num(x.BandMin), dn(x.BandOutcome))
	}
	for _, r := range x.Rules {
		mark := "  "
		switch {
		case !r.Enabled:
			mark = "--"
		case r.Fired:
			mark = "✔ "
		case r.Error != "":
			mark = "! "
		}
		state := w["not fired"]
		switch {
		case !r.Enabled:
			state = w["disabled"]
		case r.Fired && r.Shadow:
			state = w["shadow"]
		case r.Fired:
			state = fmt.Sprintf(w["fired"], num(r.Score), dn(r.Outcome))
		case r.Error != "":
			state = w["error"] + r.Error
		}
		title := " (" + r.Title + ")"
		if x.lang == rules.LangZh {
			title = "（" + r.Title + "）"
		}
		fmt.Fprintf(&b, "%s%s%s%s%s\n", mark, r.ID, title, w["colon"], state)
		if r.Reason != "" {
			fmt.Fprintf(&b, "      %s%s%s\n", w["reason"], w["colon"], r.Reason)
		}
		if r.NearMiss != nil {
			fmt.Fprintf(&b, "      %s%s%s\n", w["near"], w["colon"], r.NearMiss.text(x.lang))
		}
		if len(r.Reads) > 0 {
			parts := make([]string, len(r.Reads))
			for i, v := range r.Reads {
				parts[i] = v.Name + "=" + v.Value
			}
			fmt.Fprintf(&b, "      %s%s%s\n", w["read"], w["colon"], strings.Join(parts, w["sep"]))
		}
	}
	return b.String()
}

// roamingText writes roaming entries for people: KH (Cambodia) 2026-10-30
// (2 days ago), in lang; "none" for no entry.
func roamingText(roam []Roaming, asOf Time, lang string) string {
	w := words(lang)
	if len(roam) == 0 {
		return w["none"]
	}
	parts := make([]string, len(roam))
	for i, ro := range roam {
		region := maskText(ro.Region) + nameOf("region", ro.Region, lang)
		if ro.LastSeen == 0 {
			parts[i] = fmt.Sprintf(w["unknown date"], region)
			continue
		}
		parts[i] = fmt.Sprintf(w["ago"], region+" "+ro.LastSeen.Std().Format("2006-01-02"), DaysBetween(ro.LastSeen, asOf))
	}
	sep := "; "
	if lang == rules.LangZh {
		sep = "；"
	}
	return strings.Join(parts, sep)
}

// nameOf is " (name)" after an enumerated value or a region code that has a
// name for people in lang (and, in Chinese, after true and false), ""
// otherwise.
func nameOf(field, value, lang string) string {
	name := ""
	switch {
	case field == "open_region" || field == "id_region" || field == "region":
		if ref.KnownRegion(value) {
			name = ref.RegionNameIn(value, lang)
		}
	default:
		if f, ok := vocab.Lookup(field); ok && len(f.Enum) > 0 {
			name = DisplayName(value, lang)
		} else if lang == rules.LangZh && (value == "true" || value == "false") {
			// a boolean keeps the rule language's literal, which the
			// condition shows, with 是 or 否 after it for a Chinese reader
			name = DisplayName(value, lang)
		}
	}
	if name == "" || name == value {
		return ""
	}
	if lang == rules.LangZh {
		return "（" + name + "）"
	}
	return " (" + name + ")"
}
