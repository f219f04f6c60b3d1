package datasets

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// CheckOutputs refuses, before anything is opened for writing, an output
// that is one of the inputs or two outputs that are one file: the same
// cleaned absolute path (symbolic links in the directory resolved), or,
// when both exist, the same file by os.SameFile (a hard or symbolic link).
// An output in an input directory (of rule files) that is itself a rule
// file (.yaml, .yml) is refused too. An input "-" is standard input: an
// output that is the file standard input reads (os.SameFile) is refused.
// "" and an output "-" (standard output) are skipped. The error names the
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
		switch p {
		case "":
		case "-":
			// standard input redirected from a file: < x.jsonl --out x.jsonl
			if info, err := os.Stdin.Stat(); err == nil && info.Mode().IsRegular() {
				ins = append(ins, file{path: "standard input", key: "\x00stdin", info: info})
			}
		default:
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
// An output that exists and is not a regular file (/dev/stdout, /dev/null,
// a FIFO, /dev/fd/N of a process substitution, a character device) is
// written directly instead: never renamed over, never removed.
type OutputFile struct {
	*os.File
	name   string
	done   bool
	direct bool   // written in place: not a temporary file
	target string // the file Commit renames over: name, links resolved
	dirty  int    // bytes written since the kernel was last asked to write the file out
}

// writebackBytes is how many bytes an OutputFile is written between its
// asks to the kernel to start writing it to disk.
const writebackBytes = 8 << 20

// Write writes p to the file. A temporary file's pages are sent to its
// disk as it is written, 8 MiB at a time, without waiting (on Linux), so
// that Commit's fsync (which makes the file's bytes durable before it is
// renamed over the old one) does not wait for the whole file: about 0.1 s
// for the 232 MB of 1M cards' decisions.
func (f *OutputFile) Write(p []byte) (int, error) {
	n, err := f.File.Write(p)
	if !f.direct {
		if f.dirty += n; f.dirty >= writebackBytes {
			f.dirty = 0
			startWriteback(f.File)
		}
	}
	return n, err
}

// CreateOutput creates a temporary file next to name for writing it; call
// Commit when the run completed, Abort (or Commit's error path) otherwise.
// The file gets the mode of the file it replaces, or 0644. When name
// exists and is not a regular file, or is reached through /proc
// (/dev/stdout or /dev/fd/N when that is a file), it is opened for
// appending and written in place (opening a FIFO waits for its reader);
// a directory is an error. A symbolic link to a regular file stays a link:
// the file it points to is replaced.
func CreateOutput(name string) (*OutputFile, error) {
	direct, target, err := outputTarget(name)
	if err != nil {
		return nil, err
	}
	if direct {
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			return nil, err
		}
		return &OutputFile{File: f, name: name, direct: true}, nil
	}
	dir, base := filepath.Split(target)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		// the temporary file's name is ours, not the user's: name the output
		dir = filepath.Clean(dir)
		switch st, serr := os.Stat(dir); {
		case serr != nil && errors.Is(serr, fs.ErrNotExist):
			return nil, fmt.Errorf("output %s: directory %s does not exist", name, dir)
		case serr == nil && !st.IsDir():
			return nil, fmt.Errorf("output %s: %s is not a directory", name, dir)
		case errors.Is(err, fs.ErrPermission):
			return nil, fmt.Errorf("output %s: cannot write in directory %s (permission denied)", name, dir)
		}
		return nil, fmt.Errorf("output %s: %w", name, err)
	}
	mode := os.FileMode(0o644)
	if info, err := os.Stat(name); err == nil && info.Mode().IsRegular() {
		mode = info.Mode().Perm() // an existing output keeps its mode
	}
	_ = f.Chmod(mode)
	return &OutputFile{File: f, name: name, target: target}, nil
}

// outputTarget says how name is written: direct when it exists and is not
// a regular file, or when it is reached through /proc (/dev/stdout,
// /dev/fd/3: names that stand for a file descriptor's file); otherwise
// target is the file a rename must replace: name with its symbolic links
// resolved, so that a link to an output stays a link.
func outputTarget(name string) (direct bool, target string, err error) {
	info, err := os.Stat(name)
	if err != nil {
		if _, lerr := os.Lstat(name); lerr == nil {
			return true, name, nil // a dangling link: not ours to replace
		}
		return false, name, nil // a new file
	}
	if info.IsDir() {
		return false, "", fmt.Errorf("output %s is a directory", name)
	}
	if !info.Mode().IsRegular() {
		return true, name, nil
	}
	p, err := filepath.Abs(name)
	if err != nil {
		return true, name, nil
	}
	for hop := 0; hop < 40; hop++ {
		dir, err := filepath.EvalSymlinks(filepath.Dir(p))
		if err != nil {
			return true, name, nil
		}
		p = filepath.Join(dir, filepath.Base(p))
		if p == "/proc" || strings.HasPrefix(p, "/proc/") {
			return true, name, nil
		}
		li, err := os.Lstat(p)
		if err != nil {
			return true, name, nil
		}
		if li.Mode()&os.ModeSymlink == 0 {
			return false, p, nil
		}
		link, err := os.Readlink(p)
		if err != nil {
			return true, name, nil
		}
		if !filepath.IsAbs(link) {
			link = filepath.Join(dir, link)
		}
		p = link
	}
	return true, name, nil
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
	if f.direct {
		return f.File.Close()
	}
	tmp := f.File.Name()
	err := f.File.Sync()
	if cerr := f.File.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, f.target)
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
	if !f.direct {
		os.Remove(f.File.Name())
	}
}
