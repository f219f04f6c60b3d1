// Package rules is the simrisk rule-file format: a strict YAML loader that
// turns rule files into a RuleSet (metadata, parameters, typed lists, macros,
// rules, score bands and rule tests), positioned errors with stable codes,
// and the embedded rule packs ("default").
//
// A RuleSet is plain data. Package risk compiles it into an Engine, which
// type-checks every expression and reports its problems with the same Error
// type, so a linter shows load and compile errors together:
//
//	rs, err := rules.Load("my-rules/")   // or rules.Pack("default")
//	eng, err := risk.Compile(rs)
//
// The format is documented in rules/README.md.
package rules
