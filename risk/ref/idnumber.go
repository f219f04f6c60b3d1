package ref

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"time"
)

var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

const idChecks = "10X98765432"

// IDCheckChar computes the GB 11643-1999 check character of the first 17
// digits of an 18-character resident ID number.
func IDCheckChar(first17 string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(first17[i]-'0') * idWeights[i]
	}
	return idChecks[sum%11]
}

// Errors of ValidateID. Messages never hold the ID number.
var (
	ErrIDLength   = errors.New("an ID number has 18 characters (or 15 for old cards)")
	ErrIDChars    = errors.New("an ID number is digits, with X allowed only as its last character")
	ErrIDBirth    = errors.New("the birth date in the ID number is not a real date")
	ErrIDDivision = errors.New("the ID number's address code is not a GB/T 2260 division code")
	ErrIDCheck    = errors.New("the ID number's check character is wrong")
)

// ValidateID checks a resident ID number (GB 11643-1999): length, digits,
// birth date, division code and, for 18-character numbers, the check
// character. Old 15-digit numbers (YYMMDD, born 19YY, no check character)
// are accepted.
//
// The division code must be one of the table (every revision since 2002),
// or, since an ID keeps the code it was issued with and codes abolished
// before 2002 are not in the table, a county code under a province the
// table knows (440524, 潮阳县 until the 1990s, in domain.md's example).
func ValidateID(id string) error {
	switch len(id) {
	case 18:
		if !digits(id[:17]) || !(isDigit(id[17]) || id[17] == 'X' || id[17] == 'x') {
			return ErrIDChars
		}
		if !realDate(id[6:14]) {
			return ErrIDBirth
		}
	case 15:
		if !digits(id) {
			return ErrIDChars
		}
		if !realDate("19" + id[6:12]) {
			return ErrIDBirth
		}
	default:
		return ErrIDLength
	}
	if !idDivision(id[:6]) {
		return ErrIDDivision
	}
	if len(id) == 18 && IDCheckChar(id) != upper(id[17]) {
		return ErrIDCheck
	}
	return nil
}

func idDivision(code string) bool {
	if _, ok := divisions[code]; ok {
		return true
	}
	_, ok := divisions[code[:2]+"0000"]
	return ok && code[4:] != "00"
}

// NormalizeID returns the 18-character form of a valid ID number: an old
// 15-digit number gains "19" before its birth year and a check character,
// and a lower-case x becomes X. The same person's old and new numbers
// normalise to the same text.
func NormalizeID(id string) string {
	if len(id) == 15 {
		s := id[:6] + "19" + id[6:]
		return s + string(IDCheckChar(s))
	}
	if len(id) == 18 && id[17] == 'x' {
		return id[:17] + "X"
	}
	return id
}

// LooksLikeID reports whether s is shaped like a resident ID number (15
// digits, or 17 digits and a digit or X), valid or not: text that must
// never be used or shown as it is.
func LooksLikeID(s string) bool {
	switch len(s) {
	case 15:
		return digits(s)
	case 18:
		return digits(s[:17]) && (isDigit(s[17]) || s[17] == 'X' || s[17] == 'x')
	}
	return false
}

// MinKeyBytes is the least number of bytes an ID key may have.
const MinKeyBytes = 16

// ParseKey reads an ID key from the contents of a key file: its bytes less
// surrounding white space (so a key file ending in a newline gives the same
// key as one without), at least MinKeyBytes of them, or an error that says
// how many there were (never the key itself).
func ParseKey(b []byte) ([]byte, error) {
	key := bytes.TrimSpace(b)
	if len(key) < MinKeyBytes {
		return nil, fmt.Errorf("the key holds %d bytes; an ID key needs at least %d (random) bytes", len(key), MinKeyBytes)
	}
	return append([]byte(nil), key...), nil
}

// ReadKeyFile reads an ID key file (an --id-key-file) with ParseKey; errors
// name the path.
func ReadKeyFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	key, err := ParseKey(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return key, nil
}

// HolderKey turns an ID number into a pseudonymous holder key: the first
// 16 bytes of HMAC-SHA256 over the normalised number under the host's
// secret key, hex-encoded, prefixed "hk-". Without the key the number
// cannot be recovered or guessed by hashing candidates. The ID must be valid.
func HolderKey(key []byte, id string) (string, error) {
	if len(key) < MinKeyBytes {
		return "", fmt.Errorf("ref: the ID key has %d bytes; use at least %d random bytes", len(key), MinKeyBytes)
	}
	if err := ValidateID(id); err != nil {
		return "", err
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(NormalizeID(id)))
	return "hk-" + hex.EncodeToString(m.Sum(nil)[:16]), nil
}

// MaskID hides the birth date and sequence of an ID number for display:
// 11010519491231002X becomes 110105********002X, in any spelling
// NormalizeIDText reads. Other text is masked as MaskNumber does.
func MaskID(s string) string {
	if id, ok := NormalizeIDText(s); ok {
		s = id
	}
	switch {
	case len(s) == 18 && LooksLikeID(s):
		return s[:6] + "********" + s[14:]
	case len(s) == 15 && LooksLikeID(s):
		return s[:6] + "******" + s[12:]
	}
	return MaskNumber(s)
}

// MaskNumber hides the middle of a phone number: 13800138000 becomes
// 138****8000, in any spelling NormalizeMSISDN reads (+86 138 0013 8000
// too). Other text of 11 or more characters keeps its first 3 and last 4;
// shorter text keeps at most its first 3 characters. Characters are
// whole: no UTF-8 sequence is split.
func MaskNumber(s string) string {
	if m, err := NormalizeMSISDN(s); err == nil {
		s = m
	}
	r := []rune(s)
	keepTail := 0
	if len(r) >= 11 {
		keepTail = 4
	}
	for i := min(3, len(r)); i < len(r)-keepTail; i++ {
		r[i] = '*'
	}
	if len(r) <= 3 {
		for i := range r {
			r[i] = '*'
		}
	}
	return string(r)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

func upper(c byte) byte {
	if c == 'x' {
		return 'X'
	}
	return c
}

func realDate(yyyymmdd string) bool {
	t, err := time.Parse("20060102", yyyymmdd)
	return err == nil && t.Year() >= 1850 && t.Format("20060102") == yyyymmdd
}
