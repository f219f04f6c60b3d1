package datasets

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// CheckOutputs refuses, before anything is opened for writing, an output
// that is one of the inputs or two outputs that are one file: the same
// cleaned absolute path (symbolic links in the directory resolved), or,
// when both exist, the same file by os.SameFile (a hard or symbolic link).
// An output in an input directory (of rule files) that is itself a rule
// file (.yaml, .yml) is refused too. "" and "-" (standard input or output)
// are skipped. The error names the
// two paths.
func CheckOutputs(inputs, outputs []string) error {
	type file struct {
		path, key string
		info      os.FileInfo
	}
	resolve := func(p string) file {
		f := file{path: p, key: p}
		if abs, err := filepath.Abs(p); err == nil {
			f.key = abs
			if dir, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
				f.key = filepath.Join(dir, filepath.Base(abs))
			}
		}
		if info, err := os.Stat(p); err == nil {
			f.info = info
		}
		return f
	}
	same := func(a, b file) bool {
		return a.key == b.key || a.info != nil && b.info != nil && os.SameFile(a.info, b.info)
	}
	var ins, outs []file
	for _, p := range inputs {
		if p != "" && p != "-" {
			ins = append(ins, resolve(p))
		}
	}
	for _, p := range outputs {
		if p == "" || p == "-" {
			continue
		}
		o := resolve(p)
		for _, in := range ins {
			if same(o, in) {
				return fmt.Errorf("output %s is the input %s: refusing to overwrite an input", o.path, in.path)
			}
			if in.info != nil && in.info.IsDir() && isRuleFile(o.key) && strings.HasPrefix(o.key, in.key+string(filepath.Separator)) {
				return fmt.Errorf("output %s is a rule file in the input directory %s: refusing to overwrite an input", o.path, in.path)
			}
		}
		for _, prev := range outs {
			if same(o, prev) {
				return fmt.Errorf("outputs %s and %s are the same file: give each output its own file", prev.path, o.path)
			}
		}
		outs = append(outs, o)
	}
	return nil
}

func isRuleFile(p string) bool {
	ext := strings.ToLower(filepath.Ext(p))
	return ext == ".yaml" || ext == ".yml"
}

// OutputFile is an output written under a temporary name in its
// directory and renamed to its own name by Commit, so that an interrupted
// or failed run leaves the file as it was (or absent), never half written.
type OutputFile struct {
	*os.File
	name string
	done bool
}

// CreateOutput creates a temporary file next to name for writing it; call
// Commit when the run completed, Abort (or Commit's error path) otherwise.
// The file gets the mode of the file it replaces, or 0644.
func CreateOutput(name string) (*OutputFile, error) {
	dir, base := filepath.Split(name)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return nil, err
	}
	mode := os.FileMode(0o644)
	if info, err := os.Stat(name); err == nil && info.Mode().IsRegular() {
		mode = info.Mode().Perm() // an existing output keeps its mode
	}
	_ = f.Chmod(mode)
	return &OutputFile{File: f, name: name}, nil
}

// Name is the file's own name, not the temporary one.
func (f *OutputFile) Name() string { return f.name }

// Commit closes the file and renames it to its name. On any error the
// temporary file is removed.
func (f *OutputFile) Commit() error {
	if f.done {
		return errors.New("datasets: output " + f.name + " committed or aborted already")
	}
	f.done = true
	tmp := f.File.Name()
	err := f.File.Sync()
	if cerr := f.File.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, f.name)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// Abort closes and removes the temporary file; the output is left as it
// was. It does nothing after Commit.
func (f *OutputFile) Abort() {
	if f.done {
		return
	}
	f.done = true
	f.File.Close()
	os.Remove(f.File.Name())
}
