package rules

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"
)

// population reads a test's `population:` path. It must be relative and
// stay inside the directory of the test's file; when the file exists (on
// disk for Load, in the file system for LoadFS) it must be a regular file
// inside that directory after symbolic links are followed, and within
// max_fixture_bytes. A missing file is left to the test run, which reports
// it as that test's failure.
func (l *loader) population(v *yaml.Node, t *TestCase, p string) {
	clean, ok := fixtureRel(p)
	if !ok {
		l.errf(v, t.Name, "population", CodeBadValue,
			"population %q: give a record file path relative to this file, inside its directory", p)
		return
	}
	dir := path.Dir(filepath.ToSlash(l.file_))
	t.Population = path.Join(dir, clean)
	if l.fsys == nil {
		return
	}
	if code, msg := checkFixture(l.fsys, dir, t.Population, l.cfg.limits.MaxFixtureBytes, false); code != "" {
		l.errf(v, t.Name, "population", code, "%s", msg)
	}
}

// fixtureRel cleans a population path, refusing an empty, absolute or
// escaping (..) one.
func fixtureRel(p string) (string, bool) {
	slash := filepath.ToSlash(p)
	if p == "" || filepath.IsAbs(p) || path.IsAbs(slash) || filepath.VolumeName(p) != "" {
		return "", false
	}
	clean := path.Clean(slash)
	if clean == ".." || strings.HasPrefix(clean, "../") {
		return "", false
	}
	return clean, true
}

// checkFixture checks the fixture file p (slash-separated, under dir): a
// regular file inside dir once symbolic links are followed (on disk), of
// at most max bytes. It returns the error's code and message, or "".
// A missing file is an error only when mustExist.
func checkFixture(fsys fs.FS, dir, p string, max int64, mustExist bool) (Code, string) {
	var st fs.FileInfo
	var err error
	if _, disk := fsys.(osFS); disk {
		st, err = os.Stat(filepath.FromSlash(p))
		if err == nil {
			real, err1 := filepath.EvalSymlinks(filepath.FromSlash(p))
			rdir, err2 := filepath.EvalSymlinks(filepath.FromSlash(dir))
			if err = errors.Join(err1, err2); err == nil {
				rel, err := filepath.Rel(rdir, real)
				if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
					return CodeBadTest, fmt.Sprintf("population %q leads outside the directory of the test file (through a symbolic link)", p)
				}
			}
		}
	} else {
		st, err = fs.Stat(fsys, p)
	}
	if err != nil {
		if !mustExist && errors.Is(err, fs.ErrNotExist) {
			return "", ""
		}
		return CodeBadTest, fmt.Sprintf("population: %v", err)
	}
	if !st.Mode().IsRegular() {
		return CodeBadTest, fmt.Sprintf("population %q is not a regular file", p)
	}
	if st.Size() > max {
		return CodeTooLarge, overLimit(fmt.Sprintf("population file %q is %s", p, bytesText(st.Size())), "max_fixture_bytes", max)
	}
	return "", ""
}

// OpenPopulation opens the record file the test names as its population,
// on disk, for reading. It checks again what loading checked: the path
// stays inside the directory of the test's file (also through symbolic
// links), names a regular file (not a device, FIFO or directory) of at most
// max_fixture_bytes (the limit the test was loaded with). The returned
// reader also stops with a too_large error past that many bytes, in case
// the file grows. Errors match their code with errors.Is (bad_test,
// too_large). It is an error to call it on a test without a population.
func (t *TestCase) OpenPopulation() (io.ReadCloser, error) {
	max := t.maxFixture
	if max <= 0 {
		max = DefaultLimits().MaxFixtureBytes
	}
	fail := func(code Code, msg string) error { return fmt.Errorf("%w: %s", code, msg) }
	if t.Population == "" {
		return nil, fail(CodeBadTest, "the test has no population file")
	}
	dir := path.Dir(filepath.ToSlash(t.File))
	rel := filepath.ToSlash(t.Population)
	if dir != "." {
		if !strings.HasPrefix(rel, dir+"/") {
			return nil, fail(CodeBadTest, fmt.Sprintf("population %q is outside the directory of the test file", t.Population))
		}
		rel = rel[len(dir)+1:]
	}
	if _, ok := fixtureRel(rel); !ok {
		return nil, fail(CodeBadTest, fmt.Sprintf("population %q is outside the directory of the test file", t.Population))
	}
	if _, err := os.Stat(filepath.FromSlash(t.Population)); err != nil {
		return nil, err
	}
	if code, msg := checkFixture(osFS{}, dir, t.Population, max, true); code != "" {
		return nil, fail(code, msg)
	}
	f, err := os.Open(filepath.FromSlash(t.Population))
	if err != nil {
		return nil, err
	}
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		f.Close()
		return nil, fail(CodeBadTest, fmt.Sprintf("population %q is not a regular file", t.Population))
	}
	return &boundedFile{f: f, left: max, name: t.Population, max: max}, nil
}

// boundedFile reads at most max bytes of a file, then fails.
type boundedFile struct {
	f    *os.File
	left int64
	name string
	max  int64
}

func (b *boundedFile) Read(p []byte) (int, error) {
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.f.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return n, fmt.Errorf("%w: %s", CodeTooLarge,
			overLimit(fmt.Sprintf("population file %q has more than %d bytes", b.name, b.max), "max_fixture_bytes", b.max))
	}
	return n, err
}

func (b *boundedFile) Close() error { return b.f.Close() }

// bytesText writes a file's size for a message: in bytes below a gigabyte,
// else in GiB with one decimal ("102.4 GiB"), so no masker of phone numbers
// in a report takes a long run of digits for one.
func bytesText(n int64) string {
	if n < 1e9 {
		return fmt.Sprintf("%d bytes", n)
	}
	return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
}
