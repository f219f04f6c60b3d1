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
// Loading enforces Limits (file size, list length, tags, reason length,
// tests, test fixtures; DefaultLimits unless a Loader from NewLoader with
// WithLimits says otherwise), and a host that only scores can load without
// the rule tests (WithoutTests). A RuleSet whose load failed remembers its
// errors (RuleSet.Err), and risk.Compile refuses it.
//
// The format is documented in rules/README.md.
package rules
