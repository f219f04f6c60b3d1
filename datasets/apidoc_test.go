package datasets_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// No exported field of the public packages is documented as unused or
// ignored: an option a host can set and that does nothing (ScoreOptions
// had BatchSize, "unused") is either honoured or removed.
func TestNoUnusedOptionsInPublicAPI(t *testing.T) {
	unused := regexp.MustCompile(`(?i)\b(unused|ignored|no effect|not used)\b`)
	dirs := []string{".", "../risk", "../risk/live", "../risk/backtest", "../risk/fit", "../risk/ref", "../rules"}
	checked := 0
	for _, dir := range dirs {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		require.NoError(t, err)
		for _, name := range files {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ParseComments)
			require.NoError(t, err)
			ast.Inspect(f, func(n ast.Node) bool {
				ts, ok := n.(*ast.TypeSpec)
				if !ok || !ts.Name.IsExported() {
					return true
				}
				st, ok := ts.Type.(*ast.StructType)
				if !ok {
					return true
				}
				for _, fld := range st.Fields.List {
					for _, id := range fld.Names {
						if !id.IsExported() {
							continue
						}
						checked++
						doc := fld.Doc.Text() + fld.Comment.Text()
						require.False(t, unused.MatchString(doc), "%s: %s.%s is documented as doing nothing: %q", name, ts.Name, id, doc)
					}
				}
				return true
			})
		}
	}
	require.Greater(t, checked, 100, "the test read the public structs")
}
