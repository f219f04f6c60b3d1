package rules_test

import (
	"errors"
	"io/fs"
	"testing"

	"github.com/simrisk/simrisk/rules"
)

// FuzzParse: whatever the bytes, loading never panics and every problem is a
// positioned *Error with a stable code.
func FuzzParse(f *testing.F) {
	_ = fs.WalkDir(rules.PacksFS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := fs.ReadFile(rules.PacksFS(), p)
			f.Add(data)
		}
		return nil
	})
	f.Add([]byte(minimal))
	f.Add([]byte("rules:\n  - {id: a, when: valid, outcome: ban}\n"))
	f.Add([]byte("tests:\n  - {name: t, as_of: x, card: [], expect: {score: {min: a}}}\n"))
	f.Add([]byte("lists: {l: {type: region, items: [KH, 1]}}\nmacros: {m: {when: [1]}}\n"))
	f.Add([]byte("a: &x [*x]\n"))
	f.Add([]byte("tests:\n  - name: t\n    card: &c {a: *c}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rs, err := rules.Parse(rules.Source{Name: "f.yaml", Data: data})
		if rs == nil {
			t.Fatal("Parse returned no RuleSet")
		}
		if err == nil {
			return
		}
		var l rules.ErrorList
		if !errors.As(err, &l) || len(l) == 0 {
			t.Fatalf("error is not an ErrorList: %v", err)
		}
		for _, e := range l {
			if e.Code == "" || e.Msg == "" {
				t.Fatalf("error without code or message: %#v", e)
			}
			if e.Code != rules.CodeTooManyErrors && e.File != "f.yaml" {
				t.Fatalf("error without file: %v", e)
			}
		}
	})
}
