package main

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The tests of this package read the CLI's English lines (what scripts
// read): they run with SIMRISK_LANG=en. The tests of the language rule
// itself (TestLanguageRule) and of the Chinese output set the language
// they test.
func TestMain(m *testing.M) {
	os.Setenv(langEnv, "en")
	os.Exit(m.Run())
}

// A SIMRISK_LANG the texts do not come in is a usage error that names the
// variable (not --lang, which was not given); --lang still decides.
func TestLanguageEnvRefused(t *testing.T) {
	t.Setenv(langEnv, "fr")
	code, _, stderr := runCLI("lint", "../../rules/packs/default")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "simrisk lint：SIMRISK_LANG=fr：simrisk 不支持这种语言")
	code, _, stderr = runCLI("lint", "../../rules/packs/default", "--lang", "en")
	require.Equal(t, 0, code, stderr)
	require.Equal(t, "no problems\n", stderr)
	code, _, stderr = runCLI("lint", "../../rules/packs/default", "--lang", "fr")
	require.Equal(t, 2, code)
	require.Contains(t, stderr, "--lang fr：simrisk 不支持这种语言") // said in the default, zh, as SIMRISK_LANG is no language
}

// Without --lang and without SIMRISK_LANG everything is Chinese: the
// summary, the decisions' reasons, explain; SIMRISK_LANG=en makes all of
// it English, the reasons included.
func TestLanguageDefaultIsOneRule(t *testing.T) {
	in := "../../datasets/sample/cards.jsonl"
	for lang, want := range map[string][]string{
		"":   {"规则集 default", "处置：", "天无语音、短信和流量记录"},
		"zh": {"规则集 default", "处置：", "天无语音、短信和流量记录"},
		"en": {"rule set default", "outcomes:", "no voice, SMS or data for"},
	} {
		t.Setenv(langEnv, lang)
		code, stdout, stderr := runCLI("score", "--as-of", "2026-11-01", "--in", in)
		require.Equal(t, 0, code, stderr)
		for _, w := range want {
			require.True(t, strings.Contains(stdout+stderr, w), "SIMRISK_LANG=%q: no %q in %.300s", lang, w, stderr)
		}
	}
}
