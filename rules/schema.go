package rules

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
)

// The rule file format as Go types, for its JSON Schema (rules/schema.json,
// written by Schema). The loader reads files node by node, for positioned
// errors; TestSchemaMatchesLoader keeps these types and the loader in step,
// and TestSchemaUpToDate keeps schema.json in step with these types.

// FileFormat is one rule file.
type FileFormat struct {
	Name        string                 `json:"name" doc:"The rule set's name; files of one set must agree."`
	Version     string                 `json:"version" doc:"The rule set's version, e.g. 1.2.0; files of one set must agree."`
	Description string                 `json:"description" doc:"What the rule set is for."`
	Language    string                 `json:"language" enum:"expr,cel" doc:"Expression language of this file's conditions and reasons (default expr)."`
	Params      map[string]ParamFormat `json:"params" names:"^[a-z][a-z0-9_]*$" doc:"Named parameters, read as params.NAME; folded into the expressions as constants."`
	Lists       map[string]ListFormat  `json:"lists" names:"^[a-z][a-z0-9_]*$" doc:"Named constant lists, read as lists.NAME."`
	Macros      map[string]MacroFormat `json:"macros" names:"^[a-z][a-z0-9_]*$" doc:"Named reusable conditions, used by bare name."`
	Bands       []BandFormat           `json:"bands" doc:"Score bands: score -> level -> minimum outcome. Exactly one file of a set gives them; the lowest starts at min 0."`
	Rules       []RuleFormat           `json:"rules" doc:"The rules, evaluated in order."`
	Tests       []TestFormat           `json:"tests" doc:"Test cases: a card, an as-of date and what the rules must decide."`
}

// ParamFormat is a parameter's value.
type ParamFormat = oneOf3[float64, string, bool]

// ListFormat is a list: its items, or an object with a type.
type ListFormat = oneOf[[]string, ListObject]

// ListObject is a list written in full.
type ListObject struct {
	Type        string   `json:"type" enum:"string,region" doc:"string (default) or region: ISO 3166 alpha-2 country codes and 6-digit GB/T 2260 division codes, matched with in_region."`
	Description string   `json:"description"`
	Items       []string `json:"items" required:"true"`
}

// MacroFormat is a macro: its condition, or an object with a description.
type MacroFormat = oneOf[string, MacroObject]

// MacroObject is a macro written in full.
type MacroObject struct {
	When        string `json:"when" required:"true" doc:"The condition (true or false)."`
	Description string `json:"description"`
}

// BandFormat is one score band.
type BandFormat struct {
	Min     float64 `json:"min" required:"true" doc:"The band covers scores from min up to the next band's min."`
	Level   string  `json:"level" required:"true" enum:"low,medium,high,critical"`
	Outcome string  `json:"outcome" required:"true" enum:"pass,monitor,verify,restrict,suspend" doc:"The minimum outcome of a card in this band."`
}

// TextFormat is a title or reason: one text, or one per language.
type TextFormat = oneOf[string, Texts]

// Texts are a text per language.
type Texts struct {
	Zh string `json:"zh" doc:"Chinese (the default language)."`
	En string `json:"en" doc:"English."`
}

// RuleFormat is one rule.
type RuleFormat struct {
	ID          string     `json:"id" required:"true" pattern:"^[a-z][a-z0-9_.-]*$" doc:"Stable and unique across the set's files."`
	Title       TextFormat `json:"title" doc:"A short title, or one per language (zh, en)."`
	Description string     `json:"description" doc:"Where the rule comes from and what it catches."`
	Tags        []string   `json:"tags" doc:"Categories (domain rule kinds)."`
	Language    string     `json:"language" enum:"expr,cel" doc:"Overrides the file's language for this rule."`
	When        string     `json:"when" required:"true" doc:"The condition: an expression that is true or false."`
	Score       float64    `json:"score" min:"-100" max:"100" doc:"Added to the card's score when the rule fires (the total is capped to 0..100)."`
	Outcome     string     `json:"outcome" required:"true" enum:"pass,monitor,verify,restrict,suspend"`
	Reason      TextFormat `json:"reason" doc:"Why the rule fired: text with {expression} placeholders, or one per language (zh, en)."`
	Enabled     bool       `json:"enabled" doc:"Default true; a disabled rule is checked but never run."`
	Mode        string     `json:"mode" enum:"enforce,shadow" doc:"enforce (default) or shadow: reported in hits, never acts."`
}

// TestFormat is one test case.
type TestFormat struct {
	Name       string           `json:"name" required:"true"`
	AsOf       string           `json:"as_of" required:"true" doc:"The time dates are judged against: YYYY-MM-DD (CST) or RFC 3339."`
	Card       map[string]any   `json:"card" required:"true" doc:"The card (card-schema v1 keys); keys left out take test defaults."`
	Others     []map[string]any `json:"others" doc:"Other cards of the population (the card's holder unless they say otherwise)."`
	Population string           `json:"population" doc:"A record file (JSON Lines or CSV), relative to this file, as the population."`
	Expect     ExpectFormat     `json:"expect" required:"true"`
}

// ExpectFormat is what a test case expects.
type ExpectFormat struct {
	Fires    []string               `json:"fires" doc:"Rules that must fire."`
	NotFires []string               `json:"not_fires" doc:"Rules that must not fire."`
	Outcome  string                 `json:"outcome" enum:"pass,monitor,verify,restrict,suspend"`
	Level    string                 `json:"level" enum:"low,medium,high,critical"`
	Score    oneOf[float64, MinMax] `json:"score" doc:"The exact score, or a range."`
}

// MinMax is a range of scores.
type MinMax struct {
	Min float64 `json:"min"`
	Max float64 `json:"max"`
}

// oneOf is a value of one of two shapes (schema oneOf).
type oneOf[A, B any] struct {
	A A
	B B
}

// oneOf3 is a value of one of three shapes.
type oneOf3[A, B, C any] struct {
	A A
	B B
	C C
}

// Schema returns the JSON Schema (draft 2020-12) of rule files, generated
// from FileFormat.
func Schema() []byte {
	s := map[string]any{
		"$schema":     "https://json-schema.org/draft/2020-12/schema",
		"$id":         "https://github.com/simrisk/simrisk/rules/schema.json",
		"title":       "simrisk rule file",
		"description": "A simrisk rule file (YAML): parameters, lists, macros, score bands, rules and their tests. Generated from rules.FileFormat; do not edit.",
	}
	for k, v := range schemaOf(reflect.TypeFor[FileFormat](), "") {
		s[k] = v
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

func schemaOf(t reflect.Type, tag reflect.StructTag) map[string]any {
	s := map[string]any{}
	if d := tag.Get("doc"); d != "" {
		s["description"] = d
	}
	if strings.HasPrefix(t.Name(), "oneOf") {
		var alts []any
		for i := 0; i < t.NumField(); i++ {
			alts = append(alts, schemaOf(t.Field(i).Type, ""))
		}
		s["oneOf"] = alts
		return s
	}
	switch t.Kind() {
	case reflect.String:
		s["type"] = "string"
		if e := tag.Get("enum"); e != "" {
			s["enum"] = strings.Split(e, ",")
		}
		if p := tag.Get("pattern"); p != "" {
			s["pattern"] = p
		}
	case reflect.Float64:
		s["type"] = "number"
		if m := tag.Get("min"); m != "" {
			s["minimum"] = json.Number(m)
		}
		if m := tag.Get("max"); m != "" {
			s["maximum"] = json.Number(m)
		}
	case reflect.Bool:
		s["type"] = "boolean"
	case reflect.Slice:
		s["type"] = "array"
		s["items"] = schemaOf(t.Elem(), "")
	case reflect.Map:
		s["type"] = "object"
		if t.Elem().Kind() != reflect.Interface {
			s["additionalProperties"] = schemaOf(t.Elem(), "")
		}
		if p := tag.Get("names"); p != "" {
			s["propertyNames"] = map[string]any{"pattern": p}
		}
	case reflect.Struct:
		s["type"] = "object"
		props := map[string]any{}
		var required []string
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name := strings.Split(f.Tag.Get("json"), ",")[0]
			if f.Name == "_" || name == "-" {
				continue
			}
			props[name] = schemaOf(f.Type, f.Tag)
			if f.Tag.Get("required") == "true" {
				required = append(required, name)
			}
		}
		s["properties"] = props
		if len(required) > 0 {
			s["required"] = required
		}
		s["additionalProperties"] = false
	}
	return s
}
