package risk

// MarkValid is markValid, for package risk_test.
func MarkValid(r *Record, asOf Time) bool { return r.markValid(asOf) }

// DropValidMark reports whether r holds the mark of a validation at asOf
// that is still good (its fingerprint unchanged), and clears the
// fingerprint (it sums string pointers: equal records' differ).
func DropValidMark(r *Record, asOf Time) bool {
	ok := r.validFor(asOf, r.fingerprint())
	r.validFP = 0
	return ok
}
