// Package peers measures the default pack written for the engines simrisk
// is compared with, each used the way its own documentation shows: OPA rego
// (rego.PrepareForEval, input documents), expr (expr.Compile with a map
// environment, expr.Run) and cel-go (cel.NewEnv, Program, Eval with a map
// activation). It is a nested module, so the simrisk module never depends on
// OPA. Agreement tests hold each peer to the engine's decisions.
//
//	cd bench/peers && go test -bench . -count 5
package peers
