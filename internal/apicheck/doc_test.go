package apicheck

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// decls calls fn for every top-level declaration of the public packages.
func decls(t *testing.T, fn func(pkg string, fset *token.FileSet, d ast.Decl)) {
	t.Helper()
	for _, p := range Packages() {
		fset := token.NewFileSet()
		files, err := ParseDir(fset, root, p, parser.ParseComments)
		require.NoError(t, err)
		for _, f := range files {
			for _, d := range f.Decls {
				fn(p, fset, d)
			}
		}
	}
}

// namesItself reports whether a doc comment is about name: one of its
// first two words is the name ("WithLanguage sets …", "A Decision is …").
func namesItself(doc *ast.CommentGroup, name string) bool {
	if doc == nil {
		return false
	}
	w := strings.Fields(doc.Text())
	for i := 0; i < len(w) && i < 2; i++ {
		if strings.TrimRight(w[i], ",:;.") == name {
			return true
		}
	}
	return false
}

// `go doc risk.WithLanguage` once printed another option's text: every
// exported function and type of the public packages has a doc comment, and
// it is about that name (it names it first), so a comment cannot sit on
// the wrong declaration unseen. A documented method names itself too
// (methods that only implement error, Stringer, io.Reader, … may go
// without).
func TestDocCommentsNameTheirDeclaration(t *testing.T) {
	var bad []string
	decls(t, func(pkg string, fset *token.FileSet, d ast.Decl) {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if !d.Name.IsExported() {
				return
			}
			if d.Recv != nil && d.Doc == nil {
				return
			}
			if d.Recv != nil {
				base := d.Recv.List[0].Type
				if s, ok := base.(*ast.StarExpr); ok {
					base = s.X
				}
				if id, ok := base.(*ast.Ident); !ok || !id.IsExported() {
					return
				}
			}
			if !namesItself(d.Doc, d.Name.Name) {
				bad = append(bad, fset.Position(d.Pos()).String()+": "+d.Name.Name)
			}
		case *ast.GenDecl:
			if d.Tok != token.TYPE {
				return
			}
			for _, s := range d.Specs {
				ts := s.(*ast.TypeSpec)
				doc := ts.Doc
				if doc == nil && len(d.Specs) == 1 {
					doc = d.Doc
				}
				if ts.Name.IsExported() && !namesItself(doc, ts.Name.Name) {
					bad = append(bad, fset.Position(ts.Pos()).String()+": type "+ts.Name.Name)
				}
			}
		}
	})
	require.Empty(t, bad, "doc comments missing or about another name:\n%s", strings.Join(bad, "\n"))
}

// exportedVarsAllowed are the exported variables that are neither errors
// nor lists: a time zone value and a date.
var exportedVarsAllowed = map[string]bool{"risk.CST": true, "datasets.SampleAsOf": true}

// No exported mutable slices or maps (risk.Operators once was one: a host
// that changed it changed what Validate accepts): a public package exports
// no variable of slice, array or map type; its exported variables are
// errors (Err…) and the few scalars listed above. A list is a function
// returning a copy.
func TestNoExportedMutableLists(t *testing.T) {
	var bad []string
	isList := func(x ast.Expr) bool {
		switch x := x.(type) {
		case *ast.ArrayType, *ast.MapType:
			return true
		case *ast.CompositeLit:
			switch x.Type.(type) {
			case *ast.ArrayType, *ast.MapType:
				return true
			}
		}
		return false
	}
	decls(t, func(pkg string, fset *token.FileSet, d ast.Decl) {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.VAR {
			return
		}
		for _, s := range gd.Specs {
			vs := s.(*ast.ValueSpec)
			for i, n := range vs.Names {
				if !n.IsExported() {
					continue
				}
				q := pkg[strings.LastIndexByte(pkg, '/')+1:] + "." + n.Name
				list := vs.Type != nil && isList(vs.Type) || i < len(vs.Values) && isList(vs.Values[i])
				if list || !strings.HasPrefix(n.Name, "Err") && !exportedVarsAllowed[q] {
					bad = append(bad, fset.Position(n.Pos()).String()+": var "+q)
				}
			}
		}
	})
	require.Empty(t, bad, "exported variables a host could change under the library (make a list a function returning a copy, a value a constant or function):\n%s", strings.Join(bad, "\n"))
}

// Every internal package's doc says what stage of the pipeline it is and
// what it may import (issue 15: packages a newcomer can map to stages): its
// package comment has a line that starts "Stage:" and says what it
// imports.
func TestInternalPackagesSayStageAndImports(t *testing.T) {
	var dirs []string
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root {
			if n := d.Name(); n == "testdata" || strings.HasPrefix(n, ".") {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
				return filepath.SkipDir // a nested module
			}
			rel, _ := filepath.Rel(root, path)
			if slices.Contains(strings.Split(filepath.ToSlash(rel), "/"), "internal") {
				dirs = append(dirs, rel)
			}
		}
		return nil
	})
	require.NoError(t, err)
	require.NotEmpty(t, dirs)
	var bad []string
	for _, dir := range dirs {
		fset := token.NewFileSet()
		files, err := parseAny(fset, filepath.Join(root, dir))
		require.NoError(t, err)
		if len(files) == 0 {
			continue // a directory of packages
		}
		doc := ""
		for _, f := range files {
			if f.Doc != nil {
				doc += f.Doc.Text()
			}
		}
		stage := regexp.MustCompile(`(?m)^Stage:`).MatchString(doc)
		imports := regexp.MustCompile(`(?i)\bimports\b`).MatchString(doc)
		if !stage || !imports {
			bad = append(bad, dir)
		}
	}
	require.Empty(t, bad, "internal packages whose doc lacks a \"Stage:\" line or what it imports (\"Imports: ...\"):\n%s", strings.Join(bad, "\n"))
}

// parseAny parses the non-test files of dir with their comments, commands
// included.
func parseAny(fset *token.FileSet, dir string) ([]*ast.File, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var files []*ast.File
	for _, e := range ents {
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, n), nil, parser.ParseComments|parser.PackageClauseOnly)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	return files, nil
}
