package risk

import (
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/simrisk/simrisk/rules"
)

// A reason placeholder that is only a name ({alerts_30d},
// {params.dormant_days}) needs no expression engine: it reads the value
// directly. This keeps loading fast (most placeholders are names) and means
// the same in both languages.

type nameProgram struct{ read func(*env) any }

func (p nameProgram) eval(s *Scorer) (any, error) { return p.read(s.env.fillAll()), nil }

type constProgram struct{ v any }

func (p constProgram) eval(*Scorer) (any, error) { return p.v, nil }

// loweredProgram is a placeholder compiled to a typed closure.
type loweredProgram struct{ x lowered }

func (p loweredProgram) eval(s *Scorer) (any, error) {
	e := &s.env
	switch {
	case p.x.isBool():
		return p.x.fn()(e), nil
	case p.x.i != nil:
		return int64(p.x.i(e)), nil
	case p.x.f != nil:
		return p.x.f(e), nil
	}
	return p.x.s(e), nil
}

// appendFn is the placeholder's value appended to a reason, without boxing.
func (p loweredProgram) appendFn() appendFn {
	x := p.x
	switch {
	case x.a != nil:
		return x.a
	case x.isBool():
		f := x.fn()
		return func(e *env, b []byte) []byte { return strconv.AppendBool(b, f(e)) }
	case x.i != nil:
		f := x.i
		return func(e *env, b []byte) []byte {
			v := f(e)
			if v == Never {
				return append(b, "never"...)
			}
			return strconv.AppendInt(b, int64(v), 10)
		}
	case x.f != nil:
		f := x.f
		return func(e *env, b []byte) []byte { return strconv.AppendFloat(b, f(e), 'g', -1, 64) }
	}
	f := x.s
	return func(e *env, b []byte) []byte { return append(b, f(e)...) }
}

var (
	readersOnce sync.Once
	readers     map[string]func(*env) any
)

// envReaders maps each vocabulary name to a reader of its field, from the
// env struct's expr tags (nested structs give dotted names).
func envReaders() map[string]func(*env) any {
	readersOnce.Do(func() {
		readers = map[string]func(*env) any{}
		var walk func(t reflect.Type, prefix string, index []int)
		walk = func(t reflect.Type, prefix string, index []int) {
			for i := 0; i < t.NumField(); i++ {
				f := t.Field(i)
				tag := f.Tag.Get("expr")
				if tag == "" {
					continue
				}
				idx := append(append([]int(nil), index...), i)
				name := prefix + tag
				if f.Type.Kind() == reflect.Struct {
					walk(f.Type, name+".", idx)
					continue
				}
				readers[name] = func(e *env) any {
					v := reflect.ValueOf(e).Elem().FieldByIndex(idx).Interface()
					if n, ok := v.(int); ok {
						return int64(n) // both languages render int64
					}
					return v
				}
			}
		}
		walk(reflect.TypeOf(env{}), "", nil)
	})
	return readers
}

// simpleName compiles a placeholder that is just a vocabulary name or a
// parameter; ok is false for anything else.
func simpleName(rs *rules.RuleSet, src string) (program, string, bool) {
	name := strings.TrimSpace(src)
	for _, c := range name {
		if !(c == '_' || c == '.' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return nil, "", false
		}
	}
	if p, ok := strings.CutPrefix(name, "params."); ok {
		if par := rs.Param(p); par != nil {
			return constProgram{par.Value}, name, true
		}
		return nil, "", false
	}
	if x, ok := field(name); ok {
		return loweredProgram{x}, name, true
	}
	if r, ok := envReaders()[name]; ok && name != "roaming" && name != "linked_platforms" {
		return nameProgram{r}, name, true
	}
	return nil, "", false
}
