package datasets

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
	"golang.org/x/text/unicode/norm"

	"github.com/simrisk/simrisk/risk"
)

// Aliases maps other spellings of card-schema v1's enumerated values to the
// values themselves: the Chinese names BSS exports and analysts write
// (中国移动, 停机保号, 公安, 物联网卡, 补换卡 …) and the values in any case
// (CMCC, Police), and the Traditional forms of the Chinese names (中國移動,
// 停機保號). Readers apply it to operator, kind, status, fraud_flag and
// iot.business before validating a record, in both formats. Matching folds
// the value by Unicode NFKC (full-width ＣＭＣＣ is CMCC) and ignores case,
// white space of any width around it and zero-width characters in it.
//
// DefaultAliases is the built-in table; a deployment adds its own spellings
// with Add or Load and passes the table to readers WithAliases. An Aliases
// must not be changed while readers use it.
type Aliases struct {
	m map[string]map[string]string // field → lower-cased alias → value
}

// The enumerated values, read once: the copies risk returns, kept here.
var (
	operators  = risk.Operators()
	kinds      = risk.Kinds()
	statuses   = risk.Statuses()
	fraudFlags = risk.FraudFlags()
	businesses = risk.Businesses()
)

// aliasValues are the fields that take aliases, with their values.
var aliasValues = map[string][]string{
	"operator":     operators,
	"kind":         kinds,
	"status":       statuses,
	"fraud_flag":   fraudFlags,
	"iot.business": businesses,
}

// builtinAliases is DefaultAliases' table: field → value → its aliases.
var builtinAliases = map[string]map[string][]string{
	"operator": {
		"cmcc":     {"中国移动", "移动", "China Mobile", "中國移動", "移動"},
		"unicom":   {"中国联通", "联通", "China Unicom", "中國聯通", "聯通"},
		"telecom":  {"中国电信", "电信", "China Telecom", "中國電信", "電信"},
		"broadnet": {"中国广电", "广电", "China Broadnet", "CBN", "中國廣電", "廣電"},
	},
	"kind": {
		"mobile":    {"手机卡", "手机", "手機卡", "手機"},
		"data_card": {"数据卡", "上网卡", "數據卡", "上網卡"},
		"iot":       {"物联网卡", "物联网", "物聯網卡", "物聯網"},
	},
	"status": {
		"active":      {"正常", "在用", "正常在用"},
		"suspended":   {"停机", "已停机", "单停", "双停", "欠费停机", "停機", "已停機", "單停", "雙停", "欠費停機"},
		"keep_number": {"停机保号", "保号", "停機保號", "保號"},
		"cancelled":   {"销户", "已销户", "拆机", "銷戶", "已銷戶", "拆機"},
	},
	"fraud_flag": {
		"police":   {"公安", "公安机关", "公安機關"},
		"miit":     {"工信部", "工业和信息化部", "工業和信息化部"},
		"operator": {"运营商", "運營商"},
	},
	"iot.business": {
		"new":                 {"新装", "新裝"},
		"transfer":            {"过户", "過戶"},
		"realname_supplement": {"补登实名", "補登實名"},
		"replacement":         {"补换卡", "补卡", "换卡", "補換卡", "補卡", "換卡"},
		"other":               {"其他"},
	},
}

var defaultAliases = DefaultAliases()

// DefaultAliases returns a new table holding the built-in aliases
// (datasets/README.md lists them).
func DefaultAliases() *Aliases {
	a := &Aliases{m: map[string]map[string]string{}}
	for field, values := range aliasValues {
		a.m[field] = map[string]string{}
		for _, v := range values {
			a.m[field][v] = v
		}
	}
	for field, values := range builtinAliases {
		for v, aliases := range values {
			for _, al := range aliases {
				if err := a.Add(field, al, v); err != nil {
					panic(err) // the built-in table is wrong
				}
			}
		}
	}
	return a
}

// Add makes alias another spelling of value in field (operator, kind,
// status, fraud_flag or iot.business). It fails when the field takes no
// aliases, value is not one of the field's values, or alias already means
// another value.
func (a *Aliases) Add(field, alias, value string) error {
	values, ok := aliasValues[field]
	if !ok {
		return fmt.Errorf("aliases: field %q takes no aliases (want operator, kind, status, fraud_flag or iot.business)", field)
	}
	found := false
	for _, v := range values {
		found = found || v == value
	}
	if !found {
		return fmt.Errorf("aliases: %s: %q is not a value of the field (want %s)", field, value, strings.Join(values, ", "))
	}
	key := aliasKey(alias)
	if key == "" {
		return fmt.Errorf("aliases: %s: an empty alias for %s", field, value)
	}
	if old, ok := a.m[field][key]; ok && old != value {
		return fmt.Errorf("aliases: %s: %q already means %s", field, alias, old)
	}
	a.m[field][key] = value
	return nil
}

// Load adds the aliases of a YAML file shaped as field → alias → value:
//
//	status:
//	  预销户: suspended
//	operator:
//	  移动公司: cmcc
//
// Every problem is reported, each with its field and alias; a file with a
// problem adds nothing.
func (a *Aliases) Load(r io.Reader) error {
	var doc map[string]map[string]string
	dec := yaml.NewDecoder(r)
	if err := dec.Decode(&doc); err != nil && err != io.EOF {
		return fmt.Errorf("aliases: %v (want field: {alias: value})", err)
	}
	// into a copy: a file with a bad entry changes nothing
	next := &Aliases{m: map[string]map[string]string{}}
	for f, m := range a.m {
		next.m[f] = make(map[string]string, len(m))
		for k, v := range m {
			next.m[f][k] = v
		}
	}
	var problems []string
	fields := make([]string, 0, len(doc))
	for f := range doc {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	for _, f := range fields {
		aliases := make([]string, 0, len(doc[f]))
		for al := range doc[f] {
			aliases = append(aliases, al)
		}
		sort.Strings(aliases)
		for _, al := range aliases {
			if err := next.Add(f, al, doc[f][al]); err != nil {
				problems = append(problems, err.Error())
			}
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s", strings.Join(problems, "\n"))
	}
	a.m = next.m
	return nil
}

// aliasKey is the form aliases are matched in: NFKC (full-width letters
// and digits as ASCII), without white space of any width around it or
// zero-width characters anywhere in it, lower case.
func aliasKey(s string) string {
	s = norm.NFKC.String(s)
	s = strings.Map(func(c rune) rune {
		switch c {
		case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff':
			return -1
		}
		return c
	}, s)
	return strings.ToLower(trimBlank(s))
}

// WithAliases reads enumerated values through a (DefaultAliases when not
// given).
func WithAliases(a *Aliases) ReadOption { return func(c *readConfig) { c.aliases = a } }

// apply replaces aliases in rec by the values they stand for; other values
// are left for Validate to judge.
func (a *Aliases) apply(rec *risk.Record) {
	a.one("operator", &rec.Operator, operators)
	a.one("kind", &rec.Kind, kinds)
	a.one("status", &rec.Status, statuses)
	a.one("fraud_flag", &rec.FraudFlag, fraudFlags)
	a.one("iot.business", &rec.IoT.Business, businesses)
}

func (a *Aliases) one(field string, v *string, values []string) {
	if *v == "" {
		return
	}
	for _, c := range values {
		if *v == c {
			return
		}
	}
	if c, ok := a.m[field][aliasKey(*v)]; ok {
		*v = c
	}
}
