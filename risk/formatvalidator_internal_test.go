package risk

import (
	"testing"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/ext"
	"github.com/stretchr/testify/require"
)

// The rule environment's string.format validator is formatOnly, in place
// of ext.Strings' own, and says what ext.Strings' own says: the same
// issues on bad format calls, none on good ones or on expressions with no
// format call.
func TestFormatValidatorOnlyOnFormatCalls(t *testing.T) {
	require.NotNil(t, stringFormatValidator())
	ours, err := cel.NewEnv(celBaseOptions()...)
	require.NoError(t, err)
	var names []string
	for _, v := range ours.Validators() {
		names = append(names, v.Name())
		if v.Name() == formatValidatorName {
			require.IsType(t, formatOnly{}, v)
		}
	}
	require.Contains(t, names, formatValidatorName)
	theirs, err := cel.NewEnv(append(celBaseOptions()[:0:0], ext.Strings(), cel.Variable("complaints", cel.IntType), cel.Variable("kind", cel.StringType))...)
	require.NoError(t, err)
	refused := 0
	for _, src := range []string{
		`"%d".format(["x"]) == ""`,
		`"%d %d".format([1]) == ""`,
		`"%s".format([1, 2]) == ""`,
		`"%q".format([kind]) == ""`,
		`"%d".format([complaints]) == "1"`,
		`"%s and %d".format([kind, complaints]) != ""`,
		`kind.format([1]) == ""`,
		`complaints > 1 && kind == "mobile"`,
	} {
		var got, want string
		if ast, iss := ours.Compile(src); iss.Err() != nil {
			got = iss.Err().Error()
		} else {
			require.NotNil(t, ast)
		}
		if _, iss := theirs.Compile(src); iss.Err() != nil {
			want = iss.Err().Error()
		}
		require.Equal(t, want, got, src)
		if want != "" {
			refused++
		}
	}
	require.GreaterOrEqual(t, refused, 3) // bad format calls are refused, by both
}
