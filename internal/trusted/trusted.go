// Package trusted lets package datasets give a record what risk's
// Validate gives a valid one, without checking its values again, when an
// earlier reading of the same bytes was validated (ScoreFile's population
// pass validates every record; its scoring pass decodes the same lines
// again). Package risk sets MarkValid; it is not part of any public API.
//
// Stage: record decoding, between package risk and package datasets.
// Imports: nothing.
package trusted

// MarkValid, given a *risk.Record and an as-of time (risk.Time's Unix
// seconds), canonicalises the record's number, derives its segment,
// operator and kind and marks it validated at asOf, as Validate does for
// a valid record, checking only the limits on its sizes and what the
// derivation needs. It reports false, having maybe canonicalised the
// number, when the record must be validated the usual way.
var MarkValid func(rec any, asOf int64) bool
