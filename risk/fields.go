// The compiled evaluator's direct reads of Record fields. The readers
// themselves (boolFields, intFields, stringFields, derivedInts,
// directFields, roamIntFields, roamStringFields) are generated from the
// vocabulary table into vocab_gen.go.

package risk

import "unsafe"

type dirKind uint8

const (
	dirBool   dirKind = iota + 1
	dirInt            // a Go int
	dirTime           // a Time (int64)
	dirString         // a string
)

// directField is a Record field at a fixed offset.
type directField struct {
	off  uintptr
	kind dirKind
}

func (d directField) ptr(e *env) unsafe.Pointer { return unsafe.Add(unsafe.Pointer(e.r), d.off) }

// directBool is the field read, negated when neg.
func directBool(d directField, neg bool) boolFn {
	off := d.off
	if neg {
		return func(e *env) bool { return !*(*bool)(unsafe.Add(unsafe.Pointer(e.r), off)) }
	}
	return func(e *env) bool { return *(*bool)(unsafe.Add(unsafe.Pointer(e.r), off)) }
}

// directStringEq compares the field with a constant (== or, when neg, !=).
func directStringEq(d directField, c string, neg bool) boolFn {
	off := d.off
	if c == "" { // fraud_flag != "": the length says it
		if neg {
			return func(e *env) bool { return len(*(*string)(unsafe.Add(unsafe.Pointer(e.r), off))) != 0 }
		}
		return func(e *env) bool { return len(*(*string)(unsafe.Add(unsafe.Pointer(e.r), off))) == 0 }
	}
	if neg {
		return func(e *env) bool { return *(*string)(unsafe.Add(unsafe.Pointer(e.r), off)) != c }
	}
	return func(e *env) bool { return *(*string)(unsafe.Add(unsafe.Pointer(e.r), off)) == c }
}

// directIntCmp compares an int or Time field with a constant.
func directIntCmp(d directField, op string, c int) boolFn {
	off := d.off
	if d.kind == dirTime {
		c := int64(c)
		switch op {
		case "<":
			return func(e *env) bool { return *(*int64)(unsafe.Add(unsafe.Pointer(e.r), off)) < c }
		case "<=":
			return func(e *env) bool { return *(*int64)(unsafe.Add(unsafe.Pointer(e.r), off)) <= c }
		case ">":
			return func(e *env) bool { return *(*int64)(unsafe.Add(unsafe.Pointer(e.r), off)) > c }
		case ">=":
			return func(e *env) bool { return *(*int64)(unsafe.Add(unsafe.Pointer(e.r), off)) >= c }
		case "==":
			return func(e *env) bool { return *(*int64)(unsafe.Add(unsafe.Pointer(e.r), off)) == c }
		}
		return func(e *env) bool { return *(*int64)(unsafe.Add(unsafe.Pointer(e.r), off)) != c }
	}
	switch op {
	case "<":
		return func(e *env) bool { return *(*int)(unsafe.Add(unsafe.Pointer(e.r), off)) < c }
	case "<=":
		return func(e *env) bool { return *(*int)(unsafe.Add(unsafe.Pointer(e.r), off)) <= c }
	case ">":
		return func(e *env) bool { return *(*int)(unsafe.Add(unsafe.Pointer(e.r), off)) > c }
	case ">=":
		return func(e *env) bool { return *(*int)(unsafe.Add(unsafe.Pointer(e.r), off)) >= c }
	case "==":
		return func(e *env) bool { return *(*int)(unsafe.Add(unsafe.Pointer(e.r), off)) == c }
	}
	return func(e *env) bool { return *(*int)(unsafe.Add(unsafe.Pointer(e.r), off)) != c }
}
