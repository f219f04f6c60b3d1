// Package apicheck lists the exported API of simrisk's public packages, one
// line per exported name (a function's signature, a type, each exported
// field and method, a constant, a variable), in the spirit of Go's own
// api/*.txt files. Its test compares the code with the listing kept in
// testdata/api.txt and fails while a name was removed or changed (or a
// method added to an interface hosts implement) that README.md's Changelog
// section does not name: nothing a host used stops compiling without a
// note. `go test ./internal/apicheck -run TestAPIChangesNoted -update`
// records today's API.
//
// Stage: a check beside the build, used only by its test. It imports the
// standard library only and reads the packages' source (go/parser, no type
// checking), so a line shows types as written: a variable without a
// written type is listed without one.
package apicheck

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/build"
	"go/parser"
	"go/printer"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// packages are the public packages of the module (their directories from
// the module root): every importable package that is not internal, a
// command or an example. TestPackagesListed keeps it complete.
var packages = []string{"bench", "datasets", "docs", "risk", "risk/backtest", "risk/fit", "risk/live", "risk/ref", "rules"}

// List returns the exported API of the package in dir (under root, the
// module root), sorted: lines such as
//
//	pkg risk, func Compile(*rules.RuleSet, ...CompileOption) (*Engine, error)
//	pkg risk, method (*Engine) Score(*Record, ...ScoreOption) (*Decision, error)
//	pkg risk, type Decision struct, Hits []Hit
//
// Files are those the go command builds on this platform with no tags.
func List(root, dir string) ([]string, error) {
	fset := token.NewFileSet()
	files, err := ParseDir(fset, root, dir, 0)
	if err != nil {
		return nil, err
	}
	var lines []string
	l := lister{pkg: "pkg " + dir + ", ", fset: fset}
	for _, f := range files {
		lines = append(lines, l.file(f)...)
	}
	sort.Strings(lines)
	return lines, nil
}

// ParseDir parses the non-test files of the package in dir (under root)
// that the go command builds on this platform with no tags, in name order;
// mode adds to parser.SkipObjectResolution. A command is an error.
func ParseDir(fset *token.FileSet, root, dir string, mode parser.Mode) ([]*ast.File, error) {
	full := filepath.Join(root, dir)
	entries, err := os.ReadDir(full)
	if err != nil {
		return nil, err
	}
	ctx := build.Default
	ctx.BuildTags = nil
	var files []*ast.File
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		if ok, err := ctx.MatchFile(full, name); err != nil || !ok {
			if err != nil {
				return nil, err
			}
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(full, name), nil, mode|parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		if f.Name.Name == "main" {
			return nil, fmt.Errorf("apicheck: %s is a command", dir)
		}
		files = append(files, f)
	}
	return files, nil
}

// Packages returns the public packages' directories, a new slice on each
// call.
func Packages() []string { return append([]string(nil), packages...) }

// ListAll lists every public package, in the order of Packages.
func ListAll(root string) ([]string, error) {
	var all []string
	for _, p := range packages {
		lines, err := List(root, p)
		if err != nil {
			return nil, err
		}
		all = append(all, lines...)
	}
	return all, nil
}

type lister struct {
	pkg  string
	fset *token.FileSet
}

// expr prints a type expression on one line.
func (l lister) expr(x ast.Expr) string {
	var b bytes.Buffer
	if err := printer.Fprint(&b, l.fset, x); err != nil {
		return "?"
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// fields prints a parameter or result list by its types only (names are
// not part of the API).
func (l lister) fields(fl *ast.FieldList) []string {
	if fl == nil {
		return nil
	}
	var out []string
	for _, f := range fl.List {
		t := l.expr(f.Type)
		for range max(1, len(f.Names)) {
			out = append(out, t)
		}
	}
	return out
}

// sig prints a function's type parameters, parameters and results.
func (l lister) sig(tparams *ast.FieldList, ft *ast.FuncType) string {
	var b strings.Builder
	if tparams != nil && len(tparams.List) > 0 {
		var tp []string
		for _, f := range tparams.List {
			for _, n := range f.Names {
				tp = append(tp, n.Name+" "+l.expr(f.Type))
			}
		}
		b.WriteString("[" + strings.Join(tp, ", ") + "]")
	}
	b.WriteString("(" + strings.Join(l.fields(ft.Params), ", ") + ")")
	res := l.fields(ft.Results)
	switch {
	case len(res) == 1:
		b.WriteString(" " + res[0])
	case len(res) > 1:
		b.WriteString(" (" + strings.Join(res, ", ") + ")")
	}
	return b.String()
}

func (l lister) file(f *ast.File) []string {
	var out []string
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if !d.Name.IsExported() {
				continue
			}
			if d.Recv == nil {
				out = append(out, l.pkg+"func "+d.Name.Name+l.sig(d.Type.TypeParams, d.Type))
				continue
			}
			recv := d.Recv.List[0].Type
			base := recv
			if s, ok := base.(*ast.StarExpr); ok {
				base = s.X
			}
			switch b := base.(type) { // T[K] of a generic type
			case *ast.IndexExpr:
				base = b.X
			case *ast.IndexListExpr:
				base = b.X
			}
			if id, ok := base.(*ast.Ident); !ok || !id.IsExported() {
				continue
			}
			out = append(out, l.pkg+"method ("+l.expr(recv)+") "+d.Name.Name+l.sig(nil, d.Type))
		case *ast.GenDecl:
			out = append(out, l.gen(d)...)
		}
	}
	return out
}

func (l lister) gen(d *ast.GenDecl) []string {
	var out []string
	var lastType ast.Expr // a constant without a type repeats the spec before's
	for _, s := range d.Specs {
		switch s := s.(type) {
		case *ast.ValueSpec:
			kind := "var"
			if d.Tok == token.CONST {
				kind = "const"
				if s.Type != nil || len(s.Values) > 0 {
					lastType = s.Type
				}
			}
			t := s.Type
			if d.Tok == token.CONST {
				t = lastType
			}
			for _, n := range s.Names {
				if !n.IsExported() {
					continue
				}
				line := l.pkg + kind + " " + n.Name
				if t != nil {
					line += " " + l.expr(t)
				}
				out = append(out, line)
			}
		case *ast.TypeSpec:
			if !s.Name.IsExported() {
				continue
			}
			out = append(out, l.typ(s)...)
		}
	}
	return out
}

func (l lister) typ(s *ast.TypeSpec) []string {
	name := s.Name.Name
	if s.TypeParams != nil && len(s.TypeParams.List) > 0 {
		var tp []string
		for _, f := range s.TypeParams.List {
			for _, n := range f.Names {
				tp = append(tp, n.Name+" "+l.expr(f.Type))
			}
		}
		name += "[" + strings.Join(tp, ", ") + "]"
	}
	head := l.pkg + "type " + name
	if s.Assign.IsValid() {
		return []string{head + " = " + l.expr(s.Type)}
	}
	switch t := s.Type.(type) {
	case *ast.StructType:
		out := []string{head + " struct"}
		for _, f := range t.Fields.List {
			ft := l.expr(f.Type)
			if len(f.Names) == 0 { // embedded
				id := f.Type
				if st, ok := id.(*ast.StarExpr); ok {
					id = st.X
				}
				if sel, ok := id.(*ast.SelectorExpr); ok {
					id = sel.Sel
				}
				if n, ok := id.(*ast.Ident); ok && n.IsExported() {
					out = append(out, head+" struct, embedded "+ft)
				}
				continue
			}
			for _, n := range f.Names {
				if n.IsExported() {
					out = append(out, head+" struct, "+n.Name+" "+ft)
				}
			}
		}
		return out
	case *ast.InterfaceType:
		out := []string{head + " interface"}
		unexported := false
		for _, m := range t.Methods.List {
			if len(m.Names) == 0 {
				out = append(out, head+" interface, embedded "+l.expr(m.Type))
				continue
			}
			for _, n := range m.Names {
				if !n.IsExported() {
					unexported = true
					continue
				}
				if ft, ok := m.Type.(*ast.FuncType); ok {
					out = append(out, head+" interface, "+n.Name+l.sig(nil, ft))
				}
			}
		}
		if unexported {
			out = append(out, head+" interface, unexported methods")
		}
		return out
	}
	return []string{head + " " + l.expr(s.Type)}
}
