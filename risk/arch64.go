//go:build !(amd64 || arm64 || ppc64 || ppc64le || s390x || riscv64 || loong64 || mips64 || mips64le || wasm)

package risk

// Package risk needs a 64-bit platform (amd64, arm64, ...): the compiled
// branch code, the record's fingerprint and CEL's int64 arithmetic read and
// compute 64-bit words in place. On a 32-bit one (386, arm, mips) the build
// stops here, with this name in its first error.
var _ = simriskNeedsA64BitPlatform
