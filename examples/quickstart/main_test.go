package main

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The quickstart prints every section a newcomer is promised, with counts
// that add up.
func TestQuickstartOutput(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, run(&buf, "en"))
	out := buf.String()
	for _, s := range []string{"Decisions per outcome", "Decisions per level", "Hits per rule", "Three decisions explained"} {
		require.Contains(t, out, s)
	}
	m := regexp.MustCompile(`(\d+) decided, (\d+) rejected`).FindStringSubmatch(out)
	require.NotNil(t, m)
	require.Equal(t, "0", m[2])
	require.Equal(t, 3, strings.Count(out, "\n  card "))
	require.NotRegexp(t, `1[3-9]\d{9}`, out, "a full number was printed")
}

// The quickstart speaks one language (SIMRISK_LANG, as the CLI): in zh its
// framing, outcome names and reasons are Chinese; in en they are English,
// reasons included, and "holders" is plural.
func TestQuickstartLanguage(t *testing.T) {
	var zh, en bytes.Buffer
	require.NoError(t, run(&zh, "zh"))
	require.NoError(t, run(&en, "en"))
	for _, s := range []string{"各处置的决策数", "各等级的决策数", "各规则命中数", "三个决策的逐条解释", "放行", "二次实人认证"} {
		require.Contains(t, zh.String(), s)
	}
	require.NotContains(t, zh.String(), "Decisions per")
	require.Contains(t, zh.String(), "须在北京时间 ")
	require.NotRegexp(t, `\b(CST|UTC)\b`, zh.String(), "a time zone abbreviation in Chinese output")
	require.Regexp(t, `\d+ holders\n`, en.String())
	require.NotRegexp(t, `\p{Han}`, en.String(), "English output with Chinese in it")
	require.NotContains(t, en.String(), "  holders")
}

// The quickstart follows SIMRISK_LANG (and --lang) and refuses what it
// does not know: an unknown flag, a stray argument, another language.
func TestQuickstartFlags(t *testing.T) {
	var out, errb bytes.Buffer
	t.Setenv("SIMRISK_LANG", "en")
	require.Equal(t, 0, cli(nil, &out, &errb), errb.String())
	require.Contains(t, out.String(), "Decisions per outcome")
	out.Reset()
	require.Equal(t, 0, cli([]string{"--lang", "zh"}, &out, &errb), errb.String())
	require.Contains(t, out.String(), "各处置的决策数")
	t.Setenv("SIMRISK_LANG", "zh")
	out.Reset()
	require.Equal(t, 0, cli(nil, &out, &errb))
	require.Contains(t, out.String(), "各处置的决策数")
	for _, args := range [][]string{{"--bogus"}, {"extra"}, {"--lang", "fr"}} {
		errb.Reset()
		require.Equal(t, 2, cli(args, &out, &errb), args)
		require.NotEmpty(t, errb.String(), args)
	}
}
