package vocab

// Display names: what people read for each value of an enumeration, in
// Chinese and English. Reasons print them through the display() function,
// explain and the backtest report through risk.DisplayName. Every value
// of every Enum of the table has one (a test checks), and no value means
// two things: display() looks a value up without its field.

// Display is one value's names for people.
type Display struct {
	Zh, En string
}

// Enumeration is a set of values and their display names: an enumerated
// field of the record, a decision's outcome or level, a boolean.
type Enumeration struct {
	// Name is the field ("operator", "iot.business"), or "outcome",
	// "level", "bool".
	Name   string
	Values []string
	Names  map[string]Display
}

// Enumerations returns every enumeration with its display names, a new
// slice on each call (the maps are shared: do not change them).
func Enumerations() []Enumeration { return append([]Enumeration(nil), enumerations...) }

// DisplayName returns value's display name in lang ("zh" or "en"; any
// other reads as "en"), looked up in every enumeration; ok is false (and
// name is value) when no enumeration has the value.
func DisplayName(value, lang string) (name string, ok bool) {
	d, ok := displayIndex[value]
	if !ok {
		return value, false
	}
	if lang == "zh" {
		return d.Zh, true
	}
	return d.En, true
}

var enumerations = []Enumeration{
	{Name: "operator", Values: operators, Names: map[string]Display{
		"cmcc": {"中国移动", "China Mobile"}, "unicom": {"中国联通", "China Unicom"},
		"telecom": {"中国电信", "China Telecom"}, "broadnet": {"中国广电", "China Broadnet"},
	}},
	{Name: "kind", Values: kinds, Names: map[string]Display{
		"mobile": {"手机卡", "mobile card"}, "data_card": {"数据卡", "data card"}, "iot": {"物联网卡", "IoT card"},
	}},
	{Name: "status", Values: statuses, Names: map[string]Display{
		"active": {"正常", "active"}, "suspended": {"已停机", "suspended"},
		"keep_number": {"停机保号", "number kept while suspended"}, "cancelled": {"已销户", "cancelled"},
	}},
	{Name: "fraud_flag", Values: fraudFlags, Names: map[string]Display{
		"police": {"公安机关", "police"}, "miit": {"工业和信息化部", "MIIT"}, "operator": {"运营商", "operator"},
	}},
	{Name: "iot.business", Values: businesses, Names: map[string]Display{
		"new": {"新装", "new install"}, "transfer": {"过户", "transfer"},
		"realname_supplement": {"补登实名", "real-name supplement"}, "replacement": {"补换卡", "card replacement"},
		"other": {"其他", "other"},
	}},
	{Name: "linked_platforms", Values: platforms, Names: map[string]Display{
		"tencent": {"腾讯", "Tencent"}, "alibaba": {"阿里巴巴", "Alibaba"}, "alipay": {"支付宝", "Alipay"},
		"baidu": {"百度", "Baidu"}, "kuaishou": {"快手", "Kuaishou"}, "douyin": {"抖音", "Douyin"},
		"jd": {"京东", "JD"}, "meituan": {"美团", "Meituan"},
	}},
	{Name: "outcome", Values: []string{"pass", "monitor", "verify", "restrict", "suspend"}, Names: map[string]Display{
		"pass": {"放行", "pass"}, "monitor": {"观察", "monitor"}, "verify": {"二次实人认证", "verify"},
		"restrict": {"限制", "restrict"}, "suspend": {"停机", "suspend"},
	}},
	{Name: "level", Values: []string{"low", "medium", "high", "critical"}, Names: map[string]Display{
		"low": {"低", "low"}, "medium": {"中", "medium"}, "high": {"高", "high"}, "critical": {"严重", "critical"},
	}},
	{Name: "bool", Values: []string{"true", "false"}, Names: map[string]Display{
		"true": {"是", "yes"}, "false": {"否", "no"},
	}},
}

// platforms are the 8 platforms of 一证通查 2.0 (July 2022) that
// linked_platforms names; other names are allowed and print as written.
var platforms = []string{"tencent", "alibaba", "alipay", "baidu", "kuaishou", "douyin", "jd", "meituan"}

// displayIndex is every value's display names. "suspend" (an outcome: the
// action, 停机) and "suspended" (a status: the state, 已停机, as 已销户 for
// cancelled) are different values with different names; a value in two
// enumerations must have the same names in both, and no two values share
// a name in either language (a test checks: display() looks values up
// without their field, and reasons and summaries put statuses and outcomes
// side by side).
var displayIndex = func() map[string]Display {
	m := map[string]Display{}
	for _, e := range enumerations {
		for v, d := range e.Names {
			m[v] = d
		}
	}
	return m
}()
