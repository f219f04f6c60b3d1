// Package bench holds simrisk's benchmarks and the hand-written Go baseline
// they are measured against: the default rule pack implemented in plain Go
// (Handwritten, and AppendReasons for the reasons' text). A test requires
// the baseline to agree with the engine on generated cards, reasons
// included, so the baseline stays honest when the pack changes.
//
//	go test ./bench -run XXX -bench . -count 5
package bench
