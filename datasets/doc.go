// Package datasets moves card records in and out of simrisk: a streaming,
// strict JSON Lines reader and writer for card-schema v1 (bad records are
// rejected with their line number while the good ones go on), two-pass
// scoring of a whole file (ScoreFile), a seeded synthetic population
// generator, and the committed sample population used by the quickstart.
//
// All data here is synthetic.
package datasets
