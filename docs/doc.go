// Package docs holds the repository's documents that belong to no package:
// card-schema.md (the record and decision formats) and domain.md (the
// domain the rules are about). It has no code; its test checks that every
// relative link in the repository's Markdown files resolves.
package docs
