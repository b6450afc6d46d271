package sasapi

import (
	"slices"
	"testing"
)

// The page decoder's fast paths must take the common forms themselves:
// were they to hand everything to UnmarshalJSON the values would be the
// same (the differential fuzz target cannot tell) and only the speed lost.
// Each input has no spare capacity, so reading past a value's end panics.

func TestPlainIntTakesDecimalsInTheInt64Range(t *testing.T) {
	for _, tc := range []struct {
		raw  string
		want int64
		ok   bool
	}{
		{`12`, 12, true},
		{`"12"`, 12, true},
		{`0`, 0, true},
		{`-9223372036854775808`, -9223372036854775808, true}, // 20 characters: the longest
		{`"-9223372036854775808"`, -9223372036854775808, true},
		{`9223372036854775807`, 9223372036854775807, true},
		{`9223372036854775808`, 0, false},   // beyond int64: UnmarshalJSON says why
		{`-00000000000000000001`, 0, false}, // 21 characters
		{`""`, 0, false},
		{`1e3`, 0, false},
		{`"1\u0032"`, 0, false},
		{`null`, 0, false},
	} {
		got, ok := plainInt(exactBytes(tc.raw))
		if ok != tc.ok || (ok && got != (Int{Value: tc.want, Valid: true})) {
			t.Errorf("plainInt(%s) = %+v, %v; want %d, %v", tc.raw, got, ok, tc.want, tc.ok)
		}
	}
}

func TestIsPlainTextTakesStringsWithoutEscapes(t *testing.T) {
	for raw, want := range map[string]bool{
		`"nginx"`:      true,
		`""`:           true,
		`"镜像"`:         true,
		`"a\"b"`:       false,
		`"\u00e9"`:     false,
		"\"\xff\xfe\"": false, // not UTF-8: UnmarshalJSON replaces the bytes
		`12`:           false,
		`null`:         false,
	} {
		if got := isPlainText(exactBytes(raw)); got != want {
			t.Errorf("isPlainText(%s) = %v, want %v", raw, got, want)
		}
	}
}

func TestUnescapeQuotesTakesQuoteAndBackslashEscapesOnly(t *testing.T) {
	for _, tc := range []struct {
		body string // a JSON string's bytes between its quotes
		want string
		ok   bool
	}{
		{`[\"10.0.0.1:80\",\"b\"]`, `["10.0.0.1:80","b"]`, true},
		{`a\\b`, `a\b`, true},
		{"a b", "a b", true}, // a space is the lowest byte taken as it is
		{`镜像 \"x\"`, `镜像 "x"`, true},
		{"a\x1fb", "", false}, // a control character: encoding/json rejects it
		{`a\nb`, "", false},
		{`a\u0041`, "", false},
		{`a\`, "", false},
		{"\xff\\\"", "", false}, // not UTF-8
	} {
		got, ok := unescapeQuotes(exactBytes(tc.body))
		if ok != tc.ok || got != tc.want {
			t.Errorf("unescapeQuotes(%q) = %q, %v; want %q, %v", tc.body, got, ok, tc.want, tc.ok)
		}
	}
}

func TestPlainStringListTakesAnArrayInAString(t *testing.T) {
	for _, tc := range []struct {
		raw  string
		want []string
		ok   bool
	}{
		{`"[\"registry.example.com\",\"10.0.0.1:5000\"]"`, []string{"registry.example.com", "10.0.0.1:5000"}, true},
		{`"[]"`, []string{}, true},
		{`""`, nil, false},
		{`["a"]`, nil, false}, // a real array: UnmarshalJSON's case
		{`"a,b"`, nil, false},
		{`"[\"a\\u0062\"]"`, nil, false},
		{`null`, nil, false},
	} {
		got, ok := plainStringList(exactBytes(tc.raw))
		if ok != tc.ok || (ok && (!got.Valid || !slices.Equal(got.Values, tc.want))) {
			t.Errorf("plainStringList(%s) = %+v, %v; want %q, %v", tc.raw, got, ok, tc.want, tc.ok)
		}
	}
}

func TestTextBlockSizeIsTheSumOfTheValues(t *testing.T) {
	texts := []textRef{{start: 3, end: 8}, {start: 10, end: 10}, {start: 12, end: 19}}
	if got := textBlockSize(texts); got != 12 {
		t.Errorf("textBlockSize = %d, want 5 + 0 + 7 = 12", got)
	}
}
