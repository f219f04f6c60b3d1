package rules_test

import (
	"fmt"

	"github.com/simrisk/simrisk/rules"
)

// Load the embedded default pack and look at its rules.
func ExamplePack() {
	rs, err := rules.Pack("default")
	if err != nil {
		panic(err)
	}
	r := rs.Rule("dormant")
	fmt.Println(rs.Name, r.Outcome, r.Tags, r.When.Src)
	fmt.Println(rs.Param("dormant_days").Value)
	// Output:
	// default verify [dormant] valid && days_since_last_activity >= params.dormant_days
	// 90
}

// Every problem of a rule file comes back at once, positioned.
func ExampleParse() {
	_, err := rules.Parse(rules.Source{Name: "mine.yaml", Data: []byte(`
rules:
  - id: a
    when: valid
    outcome: block
    colour: red
`)})
	for _, e := range rules.AsList(err) {
		fmt.Println(e)
	}
	// Output:
	// mine.yaml:5:14: rule "a": [bad_outcome] unknown outcome "block" (want pass, monitor, verify, restrict or suspend)
	// mine.yaml:6:5: rule "a": [unknown_key] unknown key "colour"
}

// A host loads with its own limits; going over one is an error that names it.
func ExampleNewLoader() {
	lim := rules.DefaultLimits()
	lim.MaxTags = 2
	ld, err := rules.NewLoader(rules.WithLimits(lim))
	if err != nil {
		panic(err)
	}
	rs, err := ld.Parse(rules.Source{Name: "mine.yaml", Data: []byte(`
rules:
  - {id: a, when: valid, outcome: pass, tags: [x, y, z]}
`)})
	fmt.Println(err)
	fmt.Println(rs.Limits().MaxTags, rs.Err() != nil)
	// Output:
	// mine.yaml:3:47: rule "a": [too_large] rule has 3 tags: over the limit max_tags=2
	// 2 true
}

// A host that scores loads a pack without its tests, so that a broken test
// cannot keep the rules from loading; `simrisk test` loads them with tests.
func ExampleWithoutTests() {
	ld, err := rules.NewLoader(rules.WithoutTests())
	if err != nil {
		panic(err)
	}
	rs, err := ld.Pack("default")
	if err != nil {
		panic(err)
	}
	full, _ := rules.Pack("default")
	fmt.Println(len(rs.Tests), len(full.Tests) > 0, len(rs.Rules) == len(full.Rules))
	// Output:
	// 0 true true
}

// Limits are set by name, as `simrisk lint --limit max_list_items=50000` does.
func ExampleLimits_Set() {
	lim := rules.DefaultLimits()
	if err := lim.Set("max_list_items", "50000"); err != nil {
		panic(err)
	}
	fmt.Println(lim.MaxListItems)
	fmt.Println(lim.Set("max_lists", "1") != nil)
	// Output:
	// 50000
	// true
}
