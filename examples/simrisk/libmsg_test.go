package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// libUntranslated are message formats of the library that the catalogue
// leaves out on purpose, with why.
var libUntranslated = map[string]string{
	"risk: branch code test without a fall-through":                                     "a panic of the compiler's, not a message",
	"risk: Upsert on a nil LivePopulation":                                              "risk/live's API misuse; the CLI has no live population",
	"risk: Upsert needs an as-of time (the zero Time was given)":                        "risk/live's API misuse",
	"risk: %w: more than %d distinct operators and MVNO brands (risk.MaxLiveOperators)": "risk/live only",
	"risk: %w: %d cards stored, the limit (risk.MaxLiveCards)":                          "risk/live only",
	"datasets: output %s committed or aborted already":                                  "API misuse, never reached by the CLI",
	"ref: embedded table: %v":                                                           "a broken build, not a user's input",
	"segments: %w":                                                                      "glue: the wrapped error is translated",
	"no such overload":                                                                  "matched in cel-go's text, not printed",
	"undeclared reference to '":                                                         "matched in cel-go's text, not printed",
	"undefined field '":                                                                 "matched in cel-go's text, not printed",
	"size limit":                                                                        "matched in cel-go's text, not printed",
	"invalid record":                                                                    "a sentinel wrapped by the record's own problems",
	"live population limit":                                                             "risk/live only",
	"no CEL binding for a domain function of type %T":                                   "an internal error of the function table, found by its tests",
	"cannot start any token":                                                            "matched in the YAML parser's text, not printed",
}

// messageCalls are the functions and methods whose format argument is a
// message a user may read.
var messageCalls = map[string]bool{"errf": true, "Addf": true, "Errorf": true, "New": true, "recErr": true, "fail": true,
	"warn": true, "warnf": true, "typeErr": true, "errAt": true, "NewErr": true, "syntax": true}

// libFormats are the message formats written in the library's source:
// the format argument of messageCalls and the Msg of an Error literal (a
// string or fmt.Sprintf's format).
func libFormats(t *testing.T) map[string]string {
	t.Helper()
	fset := token.NewFileSet()
	out := map[string]string{}
	lit := func(e ast.Expr) (string, bool) {
		bl, ok := e.(*ast.BasicLit)
		if !ok || bl.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(bl.Value)
		return s, err == nil
	}
	message := regexp.MustCompile(`[A-Za-z]{2,}.* |[A-Za-z]{2,}.* `)
	add := func(s string, pos token.Pos) {
		if message.MatchString(s) {
			out[s] = fset.Position(pos).String()
		}
	}
	for _, dir := range []string{"rules", "risk", "datasets", "risk/ref"} {
		files, err := filepath.Glob(filepath.Join("..", "..", dir, "*.go"))
		require.NoError(t, err)
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") || strings.Contains(f, "build_") || strings.HasSuffix(f, "stats.go") {
				continue // tests, generators, gen --stats' table (msg.go)
			}
			af, err := parser.ParseFile(fset, f, nil, 0)
			require.NoError(t, err)
			ast.Inspect(af, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.CallExpr:
					name := ""
					switch fn := n.Fun.(type) {
					case *ast.SelectorExpr:
						name = fn.Sel.Name
					case *ast.Ident:
						name = fn.Name
					}
					if !messageCalls[name] {
						return true
					}
					for _, a := range n.Args {
						if s, ok := lit(a); ok {
							add(s, a.Pos()) // a field name before the format has no space: not a message
						}
					}
				case *ast.KeyValueExpr:
					if k, ok := n.Key.(*ast.Ident); !ok || k.Name != "Msg" {
						return true
					}
					if s, ok := lit(n.Value); ok {
						add(s, n.Value.Pos())
					} else if c, ok := n.Value.(*ast.CallExpr); ok && len(c.Args) > 0 {
						if s, ok := lit(c.Args[0]); ok {
							add(s, c.Args[0].Pos())
						}
					}
				}
				return true
			})
		}
	}
	return out
}

// Every message format the library writes has a Chinese entry (or is
// named in libUntranslated): a message added to rules/, risk/, datasets/
// or risk/ref without one fails here, not in front of an analyst.
func TestLibCatalogComplete(t *testing.T) {
	formats := libFormats(t)
	require.Greater(t, len(formats), 150, "the scan finds the library's messages")
	var missing []string
	for f, pos := range formats {
		if _, ok := libMessages[f]; ok {
			continue
		}
		if _, ok := libUntranslated[f]; ok {
			continue
		}
		missing = append(missing, fmt.Sprintf("%s: %q", pos, f))
	}
	sort.Strings(missing)
	require.Empty(t, missing, "library messages without a Chinese entry in libcatalog.go (or a reason in libUntranslated)")
}

// sampleArgs are arguments for format's verbs that read back unchanged.
func sampleArgs(format string) []any {
	var args []any
	for i, v := range verbRE.FindAllStringSubmatch(format, -1) {
		switch v[2] {
		case "%":
			continue
		case "d":
			args = append(args, 7+i)
		case "q":
			args = append(args, fmt.Sprintf("name_%d", i))
		case "g", "f", "e":
			args = append(args, 2.5)
		default:
			args = append(args, fmt.Sprintf("x_%d", i))
		}
	}
	return args
}

// Each Chinese format takes the English one's arguments (the same verbs,
// any order with %[n]), and a text the library writes with the English
// format reads back into the Chinese one with the same arguments: no
// other, more specific entry takes it, no argument is lost or misread.
func TestLibCatalogRoundTrip(t *testing.T) {
	verbs := regexp.MustCompile(`%(?:\[(\d+)\])?[-+# 0-9.]*([a-zA-Z])`)
	argSet := func(f string) map[int]string {
		m, n := map[int]string{}, 0
		for _, v := range verbs.FindAllStringSubmatch(f, -1) {
			if v[1] != "" {
				n, _ = strconv.Atoi(v[1])
			} else {
				n++
			}
			m[n] = strings.Replace(v[2], "w", "v", 1)
		}
		return m
	}
	zh := msgs("zh")
	for en, z := range libMessages {
		require.Equal(t, argSet(en), argSet(z), "%q", en)
		args := sampleArgs(en)
		text := fmt.Sprintf(strings.ReplaceAll(en, "%w", "%v"), args...)
		want := fmt.Sprintf(strings.ReplaceAll(z, "%w", "%v"), args...)
		require.Equal(t, want, zh.lib(text), "%q", en)
		require.Equal(t, text, msgs("en").lib(text), "English stays as it is")
	}
}

// A message joined to another (a hint after a colon, problems after a
// semicolon) and a field in front are rendered part by part.
func TestLibJoinedMessages(t *testing.T) {
	zh := msgs("zh")
	for en, want := range map[string]string{
		`status: unknown status "we…rd" (want active, suspended, keep_number or cancelled); opened_at: is required`:                                                       `status：未知的状态 "we…rd"（应为 active 正常、suspended 已停机、keep_number 停机保号或 cancelled 销户）；opened_at：必填`,
		`alert_30d is not a field, derived value, population feature or macro; did you mean alerts_30d?`:                                                                  `alert_30d 不是字段、派生值、群体特征或宏；是不是想写 alerts_30d？`,
		`invalid operation: >= (mismatched types int and string): params.t is the text "7" (declared at r.yaml:1:10); write it without quotes (t: 7) to make it a number`: `无效的运算：>=（类型不匹配：int 与 string）：params.t 是文本 "7"（在 r.yaml:1:10 声明）；去掉引号（t: 7）即为数字`,
		`outcome is verify, want pass (fired: frequent_alerts)`:                                                                                                           `处置为 verify（二次实人认证），应为 pass（放行）（命中：frequent_alerts）`,
		`holder: want a string, got object`:                                    `holder：应为字符串，实为对象`,
		`line 3: unknown column (ignored) alert_30d: did you mean alerts_30d?`: `第 3 行：未知的列（已忽略）alert_30d：是不是想写 alerts_30d？`,
		`something the catalogue does not know`:                                `something the catalogue does not know`,
	} {
		require.Equal(t, want, zh.lib(en), en)
	}
}

// Every format the CLI says through its catalogue (m.f, m.sf, m.s) has a
// Chinese entry.
func TestCLICatalogComplete(t *testing.T) {
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	var missing []string
	n := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, 0)
		require.NoError(t, err)
		ast.Inspect(af, func(node ast.Node) bool {
			c, ok := node.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := c.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			i := map[string]int{"f": 1, "sf": 0, "s": 0}[sel.Sel.Name]
			if _, known := map[string]bool{"f": true, "sf": true, "s": true}[sel.Sel.Name]; !known || len(c.Args) <= i {
				return true
			}
			bl, ok := c.Args[i].(*ast.BasicLit)
			if !ok || bl.Kind != token.STRING {
				return true
			}
			s, _ := strconv.Unquote(bl.Value)
			n++
			if _, ok := zhMessages[s]; !ok {
				missing = append(missing, fmt.Sprintf("%s: %q", fset.Position(bl.Pos()), s))
			}
			return true
		})
	}
	require.Greater(t, n, 100)
	sort.Strings(missing)
	require.Empty(t, missing)
}
