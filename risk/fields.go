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
