package docs

import (
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// mdLink is a Markdown link or image: [text](target) or ![alt](target),
// with an optional "title".
var mdLink = regexp.MustCompile(`!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)`)

// Every relative link in the repository's Markdown files (nested modules
// included) names a file or directory that exists: a reader of the README
// on GitHub or in a clone never meets a dead link. Links inside fenced
// code blocks are examples, not links.
func TestMarkdownLinksResolve(t *testing.T) {
	root := ".."
	files, links := 0, 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(d.Name(), ".md") {
			return nil
		}
		files++
		src, err := os.ReadFile(path)
		require.NoError(t, err)
		fenced := false
		for i, line := range strings.Split(string(src), "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "```") {
				fenced = !fenced
				continue
			}
			if fenced {
				continue
			}
			line = regexp.MustCompile("`[^`]*`").ReplaceAllString(line, "") // inline code is not a link
			for _, m := range mdLink.FindAllStringSubmatch(line, -1) {
				target := m[1]
				if u, err := url.Parse(target); err == nil && u.Scheme != "" || strings.HasPrefix(target, "#") {
					continue // a web address or an anchor in the same file
				}
				target, _, _ = strings.Cut(target, "#")
				if unescaped, err := url.PathUnescape(target); err == nil {
					target = unescaped
				}
				links++
				_, err := os.Stat(filepath.Join(filepath.Dir(path), filepath.FromSlash(target)))
				require.NoError(t, err, "%s:%d: link to %s does not resolve", path, i+1, m[1])
			}
		}
		return nil
	})
	require.NoError(t, err)
	require.GreaterOrEqual(t, files, 8)
	require.Greater(t, links, 20)
}
