package risk

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"

	"github.com/simrisk/simrisk/internal/suggest"
	"github.com/simrisk/simrisk/internal/vocab"

	"github.com/simrisk/simrisk/rules"
)

// TestResult is the result of one rule test case.
type TestResult struct {
	Name     string
	Pos      rules.Pos
	Failures []string  // what differed; empty when the case passed
	Decision *Decision // the decision the case produced, nil when the card was invalid
}

// Passed reports whether the case passed.
func (t TestResult) Passed() bool { return len(t.Failures) == 0 }

// TestReport is the result of every test case of a rule set.
type TestReport struct {
	Results        []TestResult
	Passed, Failed int
}

// Test defaults: a test card may be partial. Keys it leaves out take these
// values; write null to mean "never" or "unknown" instead.
//
//	msisdn:          13800138000 (others: 13800138001, 13800138002, ...)
//	opened_at:       365 days before as_of
//	last_voice_at, last_sms_at, last_data_at: 1 day before as_of (an active card)
//	holder:          (others only) the card's holder
const testDefaultMSISDN = "13800138000"

// RunTests compiles a rule set and runs its test cases. Each case scores its
// card against a population made of the card and its others. A compile error
// is returned as error; failing cases are in the report.
func RunTests(rs *rules.RuleSet, opts ...CompileOption) (*TestReport, error) {
	eng, err := Compile(rs, opts...)
	if err != nil {
		return nil, err
	}
	return eng.RunTests(rs.Tests), nil
}

// RecordLoader reads the records of a test's population file, validated at
// asOf (rejected records are an error: a fixture must be clean).
type RecordLoader func(path string, asOf Time) ([]*Record, error)

type testConfig struct{ load RecordLoader }

// TestOption configures Engine.RunTests.
type TestOption func(*testConfig)

// WithRecordLoader reads population files of tests (`population: FILE`).
// Without it only JSON Lines files on disk can be read; package datasets'
// LoadRecords reads CSV too, and `simrisk test` uses it. Either way the
// file is checked first (rules.TestCase.OpenPopulation: a regular file
// inside the test's directory, within max_fixture_bytes).
func WithRecordLoader(l RecordLoader) TestOption { return func(c *testConfig) { c.load = l } }

// loadPopulation reads a test's population file, checked and with the read
// bounded (rules.TestCase.OpenPopulation), with cfg's loader when it has
// one.
func loadPopulation(tc *rules.TestCase, asOf Time, cfg testConfig) ([]*Record, error) {
	f, err := tc.OpenPopulation()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if cfg.load != nil {
		f.Close()
		return cfg.load(tc.Population, asOf)
	}
	return readJSONL(tc.Population, f, asOf)
}

// readJSONL is the default reader of population files: JSON Lines only.
func readJSONL(path string, r io.Reader, asOf Time) ([]*Record, error) {
	if strings.HasSuffix(strings.ToLower(path), ".csv") {
		return nil, fmt.Errorf("%s: CSV population files need a record loader (risk.WithRecordLoader(datasets.LoadRecords))", path)
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	var out []*Record
	for i, line := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		r := new(Record)
		if err := json.Unmarshal([]byte(line), r); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", path, i+1, err)
		}
		if err := r.Validate(asOf); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", path, i+1, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// RunTests runs test cases against the engine.
func (e *Engine) RunTests(cases []*rules.TestCase, opts ...TestOption) *TestReport {
	var cfg testConfig
	for _, o := range opts {
		if o != nil { // a nil option is no option
			o(&cfg)
		}
	}
	rep := &TestReport{}
	for _, tc := range cases {
		res := e.runCase(tc, cfg)
		if res.Passed() {
			rep.Passed++
		} else {
			rep.Failed++
		}
		rep.Results = append(rep.Results, res)
	}
	return rep
}

func testRecord(m map[string]any, asOf Time, msisdn, holder string) (*Record, error) {
	c := make(map[string]any, len(m)+6)
	for k, v := range m {
		if !cardKeys()[k] {
			// a typo'd key would otherwise leave the test's card as if
			// the key had not been written, and the test pass unseen
			if near := suggest.Nearest(k, cardKeyList()); near != "" {
				return nil, fmt.Errorf("unknown key %q: did you mean %q?", k, near)
			}
			return nil, fmt.Errorf("unknown key %q", k)
		}
		c[k] = v
	}
	def := func(k string, v any) {
		if _, ok := c[k]; !ok {
			c[k] = v
		}
	}
	def("msisdn", msisdn)
	if holder != "" {
		def("holder", holder)
	}
	data, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	r := new(Record)
	if err := json.Unmarshal(data, r); err != nil {
		return nil, err
	}
	// opened_at: a year before as-of, or the card's earliest event when
	// that is earlier (a card has no usage before it is opened); usage:
	// the day before as-of, or the day it was opened when that is later
	if _, ok := c["opened_at"]; !ok {
		r.OpenedAt = asOf - 365*86400
		for _, t := range r.events() {
			if t >= minValid && t < r.OpenedAt {
				r.OpenedAt = t
			}
		}
	}
	day := max(asOf-86400, r.OpenedAt)
	for k, t := range map[string]*Time{"last_voice_at": &r.LastVoiceAt, "last_sms_at": &r.LastSMSAt, "last_data_at": &r.LastDataAt} {
		if _, ok := c[k]; !ok {
			*t = day
		}
	}
	if err := r.Validate(asOf); err != nil {
		return nil, err
	}
	return r, nil
}

func (e *Engine) runCase(tc *rules.TestCase, cfg testConfig) TestResult {
	res := TestResult{Name: tc.Name, Pos: tc.Pos}
	fail := func(format string, args ...any) { res.Failures = append(res.Failures, fmt.Sprintf(format, args...)) }
	asOf, err := ParseTime(tc.AsOf)
	if err != nil {
		fail("as_of: %v", err)
		return res
	}
	card, err := testRecord(tc.Card, asOf, testDefaultMSISDN, "")
	if err != nil {
		fail("card: %v", err)
		return res
	}
	pop := NewPopulation()
	pop.Add(card)
	for i, o := range tc.Others {
		r, err := testRecord(o, asOf, fmt.Sprintf("138001380%02d", i+1), card.Holder)
		if err != nil {
			fail("others[%d]: %v", i, err)
			return res
		}
		pop.Add(r)
	}
	if tc.Population != "" {
		recs, err := loadPopulation(tc, asOf, cfg)
		if err != nil {
			fail("population: %v", err)
			return res
		}
		for _, r := range recs {
			pop.Add(r)
		}
	}
	s := e.NewScorer(AsOfTime(asOf), WithPopulation(pop))
	d, err := s.Score(card)
	if err != nil {
		fail("card: %v", err)
		return res
	}
	res.Decision = d
	for _, re := range d.Errors {
		fail("rule %q failed: %s", re.Rule, re.Message)
	}
	for _, id := range tc.Expect.Fires {
		if !d.Fired(id) {
			fail("rule %q did not fire%s", id, firedList(d))
		}
	}
	for _, id := range tc.Expect.NotFires {
		if d.Fired(id) {
			fail("rule %q fired, want it silent: %s", id, reasonOf(d, id))
		}
	}
	x := tc.Expect
	if x.Outcome != nil && d.Outcome != *x.Outcome {
		fail("outcome is %s, want %s%s", d.Outcome, *x.Outcome, firedList(d))
	}
	if x.Level != nil && d.Level != *x.Level {
		fail("level is %s (score %g), want %s", d.Level, d.Score, *x.Level)
	}
	exact := x.ScoreMin != nil && x.ScoreMax != nil && *x.ScoreMin == *x.ScoreMax
	if exact && d.Score != *x.ScoreMin {
		fail("score is %g, want %g%s", d.Score, *x.ScoreMin, firedList(d))
	}
	if !exact && x.ScoreMin != nil && d.Score < *x.ScoreMin {
		fail("score is %g, want at least %g%s", d.Score, *x.ScoreMin, firedList(d))
	}
	if !exact && x.ScoreMax != nil && d.Score > *x.ScoreMax {
		fail("score is %g, want at most %g%s", d.Score, *x.ScoreMax, firedList(d))
	}
	return res
}

func firedList(d *Decision) string {
	if len(d.Hits) == 0 {
		return " (no rule fired)"
	}
	ids := make([]string, len(d.Hits))
	for i, h := range d.Hits {
		ids[i] = h.Rule
	}
	return " (fired: " + strings.Join(ids, ", ") + ")"
}

func reasonOf(d *Decision, id string) string {
	for _, h := range d.Hits {
		if h.Rule == id {
			return h.Reason
		}
	}
	return ""
}

// Coverage is what a rule set's tests exercise: for each rule, how many
// cases fired it and how many did not; for each outcome the rule set can
// give, how many cases ended in it.
type Coverage struct {
	Rules    []RuleCoverage
	Outcomes []OutcomeCoverage
}

// RuleCoverage is one rule's test coverage.
type RuleCoverage struct {
	ID              string
	Fired, NotFired int // cases on which the rule fired / did not fire
}

// OutcomeCoverage is one outcome's test coverage.
type OutcomeCoverage struct {
	Outcome rules.Outcome
	Cases   int
}

// Covered reports whether the rule has a case that fires it and one that
// does not.
func (c RuleCoverage) Covered() bool { return c.Fired > 0 && c.NotFired > 0 }

// Coverage counts, over the cases that produced a decision, which rules
// fired and which outcomes were reached. Disabled rules are left out; the
// outcomes are those the enabled rules and the bands can give.
func (rep *TestReport) Coverage(e *Engine) Coverage {
	var c Coverage
	idx := map[string]int{}
	can := map[rules.Outcome]bool{}
	for _, r := range e.Rules() {
		if !r.Enabled {
			continue
		}
		idx[r.ID] = len(c.Rules)
		c.Rules = append(c.Rules, RuleCoverage{ID: r.ID})
		if !r.Shadow {
			can[r.Outcome] = true
		}
	}
	for _, b := range e.Bands() {
		can[b.Outcome] = true
	}
	got := map[rules.Outcome]int{}
	for _, res := range rep.Results {
		d := res.Decision
		if d == nil {
			continue
		}
		got[d.Outcome]++
		fired := map[string]bool{}
		for _, h := range d.Hits {
			fired[h.Rule] = true
		}
		for i := range c.Rules {
			if fired[c.Rules[i].ID] {
				c.Rules[i].Fired++
			} else {
				c.Rules[i].NotFired++
			}
		}
	}
	for o := rules.Pass; o <= rules.Suspend; o++ {
		if can[o] {
			c.Outcomes = append(c.Outcomes, OutcomeCoverage{Outcome: o, Cases: got[o]})
		}
	}
	return c
}

// cardKeys are the keys a test's card may give: the record's JSON keys
// (the first part of a dotted name, as iot for iot.business).
var cardKeys = sync.OnceValue(func() map[string]bool {
	keys := map[string]bool{}
	for _, f := range vocab.Fields() {
		if f.Record != "" {
			top, _, _ := strings.Cut(f.Name, ".")
			keys[top] = true
		}
	}
	return keys
})

func cardKeyList() []string {
	var l []string
	for k := range cardKeys() {
		l = append(l, k)
	}
	sort.Strings(l)
	return l
}
