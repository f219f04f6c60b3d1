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
