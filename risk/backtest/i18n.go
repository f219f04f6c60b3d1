package backtest

import (
	"strings"

	"github.com/simrisk/simrisk/internal/vocab"
	"github.com/simrisk/simrisk/rules"
)

// messages are the report's own texts (the HTML page and the charts), in
// English and Chinese. Rule titles come from the rule files, in the
// language the engines were compiled with.
var messages = map[string][2]string{ // key: {en, zh}
	"title":               {"simrisk backtest", "simrisk 回测报告"},
	"as_of":               {"Cards judged at (as-of)", "评估时点（as-of）"},
	"input":               {"Input", "输入文件"},
	"generated":           {"Report generated", "报告生成时间"},
	"baseline":            {"baseline", "基线"},
	"candidate":           {"candidate", "候选"},
	"name":                {"name", "名称"},
	"version":             {"version", "版本"},
	"path":                {"path", "来源"},
	"digest":              {"digest", "摘要"},
	"cards_scored":        {"%d cards scored", "共评分 %d 张卡"},
	"rejected":            {", %d records rejected", "，%d 条记录被拒"},
	"stop":                {".", "。"},
	"positives":           {"%d cards labelled positive.", "其中 %d 张标注为阳性。"},
	"no_labels":           {"No labels: quality figures are not available.", "数据无标注：没有质量指标。"},
	"changed_n":           {"%d cards change outcome.", "%d 张卡的处置结果发生变化。"},
	"what_changed":        {"What changed in the rules", "规则变更"},
	"no_rule_change":      {"The two rule sets have the same parameters, lists, macros, bands and rules.", "两套规则的参数、名单、宏、分数段和规则均相同。"},
	"params":              {"Parameters", "参数"},
	"lists":               {"Lists", "名单"},
	"macros":              {"Macros", "宏"},
	"bands":               {"Score bands", "分数段"},
	"band":                {"band", "分数段"},
	"score_at_least":      {"score ≥ %s", "分数 ≥ %s"},
	"rules_added":         {"Rules added", "新增规则"},
	"rules_removed":       {"Rules removed", "删除的规则"},
	"rules_changed":       {"Rules changed", "修改的规则"},
	"before":              {"before", "变更前"},
	"after":               {"after", "变更后"},
	"absent":              {"(none)", "（无）"},
	"items_added":         {"items added", "新增条目"},
	"items_removed":       {"items removed", "删除条目"},
	"new_list":            {"new list", "新名单"},
	"list_removed":        {"list removed", "名单已删除"},
	"field":               {"field", "字段"},
	"field_title":         {"title", "标题"},
	"field_when":          {"condition (when)", "条件（when）"},
	"field_score":         {"score", "分数"},
	"field_outcome":       {"outcome", "处置"},
	"field_mode":          {"mode", "模式"},
	"field_enabled":       {"enabled", "启用"},
	"field_tags":          {"tags", "标签"},
	"field_reason":        {"reason", "理由"},
	"field_type":          {"type", "类型"},
	"hist_title":          {"Score distribution of cards scoring above 0 (baseline: %d cards at 0, not drawn)", "得分大于 0 的卡的分数分布（基线有 %d 张卡得 0 分，未画出）"},
	"cards":               {"cards", "卡数"},
	"score":               {"score", "分数"},
	"chart_hist":          {"Score distribution", "分数分布"},
	"roc_title":           {"ROC curve of the score", "分数的 ROC 曲线"},
	"fpr":                 {"false positive rate", "假阳性率"},
	"tpr":                 {"true positive rate", "真阳性率"},
	"chart_roc":           {"ROC curve", "ROC 曲线"},
	"chart_hits":          {"Hits per rule", "各规则命中数"},
	"rules":               {"Rules", "规则"},
	"rule":                {"rule", "规则"},
	"rule_title":          {"title", "标题"},
	"base_hits":           {"baseline hits", "基线命中"},
	"cand_hits":           {"candidate hits", "候选命中"},
	"rate":                {"rate", "占比"},
	"precision":           {"precision", "精确率"},
	"recall":              {"recall", "召回率"},
	"lift":                {"lift", "提升度"},
	"not_in_set":          {"not in this set", "本套规则中没有"},
	"outcomes_title":      {"Outcomes, baseline → candidate", "处置结果：基线 → 候选"},
	"base_cand":           {"baseline \\ candidate", "基线 \\ 候选"},
	"total":               {"total", "合计"},
	"quality_title":       {"Quality by outcome (flagged: outcome at or above)", "按处置结果的质量（标记：处置结果不低于该级）"},
	"flagged":             {"flagged when", "标记条件"},
	"base_cards":          {"baseline cards", "基线卡数"},
	"cand_cards":          {"candidate cards", "候选卡数"},
	"outcome_at_least":    {"outcome ≥ %s", "处置 ≥ %s"},
	"auc":                 {"ROC AUC of the score: baseline %s, candidate %s.", "分数的 ROC AUC：基线 %s，候选 %s。"},
	"sweep_title":         {"Threshold sweep (flagged: score at or above)", "阈值扫描（标记：分数不低于阈值）"},
	"threshold":           {"threshold", "阈值"},
	"quantiles_title":     {"Score quantiles", "分数分位数"},
	"min":                 {"min", "最小"},
	"median":              {"median", "中位数"},
	"max":                 {"max", "最大"},
	"sample_title":        {"Sample of cards that change outcome", "处置结果变化的卡（样本）"},
	"ref_hint":            {"A card's reference is its line in the input file: simrisk explain --in INPUT --ref LINE shows every rule's verdict on it.", "卡的引用号是它在输入文件中的行号：simrisk explain --in 输入文件 --ref 行号 可查看每条规则对它的判断。"},
	"ref":                 {"reference (input line)", "引用（输入行号）"},
	"card":                {"card (masked)", "卡号（已掩码）"},
	"label":               {"label", "标注"},
	"positive":            {"positive", "阳性"},
	"negative":            {"negative", "阴性"},
	"rules_fired_added":   {"rules that now fire", "新命中的规则"},
	"rules_fired_removed": {"rules that no longer fire", "不再命中的规则"},
	"no_change":           {"No card changes outcome.", "没有卡的处置结果发生变化。"},
	"overlap_title":       {"Rule overlap (candidate: cards on which both fired)", "规则重叠（候选：两条规则都命中的卡数）"},
	"mode_enforce":        {"enforce", "生效"},
	"mode_shadow":         {"shadow", "影子"},
	"enabled_true":        {"yes", "是"},
	"enabled_false":       {"no", "否"},
}

// translator returns the report's text for a key in lang ("en" or "zh");
// a key without a text is returned as it is (a test checks there is none).
func translator(lang string) func(string) string {
	i := 1
	if lang == rules.LangEn {
		i = 0
	}
	return func(key string) string {
		// outcome and level names: the display names every command uses
		// (internal/vocab), not a second set of the report's own
		for _, p := range []string{"outcome_", "level_"} {
			if v, ok := strings.CutPrefix(key, p); ok {
				if n, ok := vocab.DisplayName(v, lang); ok {
					return n
				}
			}
		}
		if m, ok := messages[key]; ok {
			return m[i]
		}
		return key
	}
}
