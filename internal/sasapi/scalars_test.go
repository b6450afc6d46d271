package sasapi

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"
	"unicode/utf8"
)

// decodeField decodes raw as the field "v" of an object, as the scalar
// types meet their values inside a response; raw "" means the field is
// missing altogether.
func decodeField[T any](raw string) (T, error) {
	var doc struct {
		V T `json:"v"`
	}
	body := "{}"
	if raw != "" {
		body = `{"v":` + raw + `}`
	}
	err := json.Unmarshal([]byte(body), &doc)
	return doc.V, err
}

func TestIntDecoding(t *testing.T) {
	cases := []struct {
		name    string
		raw     string
		want    Int
		wantErr bool
	}{
		{name: "number", raw: `42`, want: Int{42, true}},
		{name: "numeric string", raw: `"42"`, want: Int{42, true}},
		{name: "zero", raw: `0`, want: Int{0, true}},
		{name: "millisecond timestamp as string", raw: `"1600069948849"`, want: Int{1600069948849, true}},
		{name: "millisecond timestamp as number", raw: `1721363159000`, want: Int{1721363159000, true}},
		{name: "integral float string", raw: `"1.0"`, want: Int{1, true}},
		{name: "integral float number", raw: `1.0`, want: Int{1, true}},
		{name: "exponent number", raw: `1e3`, want: Int{1000, true}},
		{name: "exponent string", raw: `"1e3"`, want: Int{1000, true}},
		{name: "negative kept", raw: `-7`, want: Int{-7, true}},
		{name: "negative string kept", raw: `"-7"`, want: Int{-7, true}},
		{name: "largest int64", raw: `9223372036854775807`, want: Int{math.MaxInt64, true}},
		{name: "smallest int64", raw: `-9223372036854775808`, want: Int{math.MinInt64, true}},
		{name: "null is absent", raw: `null`, want: Int{}},
		{name: "missing is absent", raw: ``, want: Int{}},
		{name: "empty string is absent", raw: `""`, want: Int{}},
		{name: "fractional number", raw: `1.5`, wantErr: true},
		{name: "fractional string", raw: `"1.5"`, wantErr: true},
		{name: "overflow exponent", raw: `1e30`, wantErr: true},
		{name: "negative overflow exponent", raw: `-1e30`, wantErr: true},
		{name: "overflow digits", raw: `99999999999999999999`, wantErr: true},
		{name: "overflow digits string", raw: `"99999999999999999999"`, wantErr: true},
		{name: "huge exponent", raw: `1e400`, wantErr: true},
		{name: "NaN string", raw: `"NaN"`, wantErr: true},
		{name: "Infinity string", raw: `"Infinity"`, wantErr: true},
		{name: "word", raw: `"abc"`, wantErr: true},
		{name: "object", raw: `{"n":1}`, wantErr: true},
		{name: "array", raw: `[1]`, wantErr: true},
		{name: "true", raw: `true`, wantErr: true},
		{name: "false", raw: `false`, wantErr: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decodeField[Int](tc.raw)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("decoded %s as %+v, want an error", tc.raw, got)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("decode %s = %+v, %v; want %+v", tc.raw, got, err, tc.want)
			}
		})
	}
}

// 2^63 is one past the largest int64. It parses as float64 exactly 2^63,
// which the range check lets through, and the conversion wraps.
func TestIntJustAboveTheRangeIsAnError(t *testing.T) {
	for _, raw := range []string{`9223372036854775808`, `"9223372036854775808"`, `9.223372036854775808e18`, `9223372036854775807.5`} {
		if got, err := decodeField[Int](raw); err == nil {
			t.Errorf("decoded %s as %+v, want an out-of-range error", raw, got)
		}
	}
}

func TestBoolDecoding(t *testing.T) {
	cases := []struct {
		name    string
		raw     string
		want    Bool
		wantErr bool
	}{
		{name: "1", raw: `1`, want: Bool{true, true}},
		{name: "0", raw: `0`, want: Bool{false, true}},
		{name: "string 1", raw: `"1"`, want: Bool{true, true}},
		{name: "string 0", raw: `"0"`, want: Bool{false, true}},
		{name: "true", raw: `true`, want: Bool{true, true}},
		{name: "false", raw: `false`, want: Bool{false, true}},
		{name: "string true", raw: `"true"`, want: Bool{true, true}},
		{name: "string FALSE", raw: `"FALSE"`, want: Bool{false, true}},
		{name: "null is absent", raw: `null`, want: Bool{}},
		{name: "missing is absent", raw: ``, want: Bool{}},
		{name: "empty string is absent", raw: `""`, want: Bool{}},
		{name: "2", raw: `2`, wantErr: true},
		{name: "-1", raw: `-1`, wantErr: true},
		{name: "yes", raw: `"yes"`, wantErr: true},
		{name: "object", raw: `{}`, wantErr: true},
		{name: "array", raw: `[]`, wantErr: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decodeField[Bool](tc.raw)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("decoded %s as %+v, want an error", tc.raw, got)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("decode %s = %+v, %v; want %+v", tc.raw, got, err, tc.want)
			}
		})
	}
}

func TestStringDecoding(t *testing.T) {
	cases := []struct {
		name    string
		raw     string
		want    String
		wantErr bool
	}{
		{name: "plain", raw: `"mysql_5.7"`, want: String{"mysql_5.7", true}},
		{name: "empty is present", raw: `""`, want: String{"", true}},
		{name: "null is absent", raw: `null`, want: String{}},
		{name: "missing is absent", raw: ``, want: String{}},
		{name: "integer kept in decimal form", raw: `39010123`, want: String{"39010123", true}},
		{name: "negative fraction kept", raw: `-1.5`, want: String{"-1.5", true}},
		{name: "boolean kept", raw: `true`, want: String{"true", true}},
		{name: "escapes", raw: `"a\"b\\c\/d\u00e9\n\t"`, want: String{"a\"b\\c/d\u00e9\n\t", true}},
		{name: "surrogate pair", raw: `"\ud83d\ude00"`, want: String{"\U0001F600", true}},
		{name: "lone surrogate", raw: `"x\ud800y"`, want: String{"x\uFFFDy", true}},
		{name: "non-UTF-8 bytes", raw: "\"a\xffb\xc3\"", want: String{"a\uFFFDb\uFFFD", true}},
		{name: "object", raw: `{"a":"b"}`, wantErr: true},
		{name: "array", raw: `["a"]`, wantErr: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decodeField[String](tc.raw)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("decoded %s as %+v, want an error", tc.raw, got)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("decode %s = %+v, %v; want %+v", tc.raw, got, err, tc.want)
			}
			if !utf8.ValidString(got.Value) {
				t.Errorf("decoded value %q is not valid UTF-8", got.Value)
			}
		})
	}
}

func TestStringListDecoding(t *testing.T) {
	cases := []struct {
		name    string
		raw     string
		want    StringList
		wantErr bool
	}{
		{name: "empty array in a string", raw: `"[]"`, want: StringList{[]string{}, true}},
		{name: "array in a string", raw: `"[\"a\",\"b\"]"`, want: StringList{[]string{"a", "b"}, true}},
		{name: "real array", raw: `["a","b"]`, want: StringList{[]string{"a", "b"}, true}},
		{name: "real empty array", raw: `[]`, want: StringList{[]string{}, true}},
		{name: "empty string is an empty list", raw: `""`, want: StringList{[]string{}, true}},
		{name: "null is absent", raw: `null`, want: StringList{}},
		{name: "missing is absent", raw: ``, want: StringList{}},
		{name: "escapes inside the inner JSON", raw: `"[\"caf\\u00e9\",\"a\\\"b\"]"`, want: StringList{[]string{"caf\u00e9", "a\"b"}, true}},
		{name: "non-UTF-8 in a real array", raw: "[\"a\xff\"]", want: StringList{[]string{"a\uFFFD"}, true}},
		{name: "non-UTF-8 in the inner JSON", raw: "\"[\\\"b\xfe\\\"]\"", want: StringList{[]string{"b\uFFFD"}, true}},
		{name: "malformed inner JSON", raw: `"[\"a\""`, wantErr: true},
		{name: "inner JSON not an array", raw: `"{}"`, wantErr: true},
		{name: "inner text not JSON", raw: `"registry.example/repo:tag"`, wantErr: true},
		{name: "numbers in the inner array", raw: `"[1,2]"`, wantErr: true},
		{name: "numbers in a real array", raw: `[1]`, wantErr: true},
		{name: "number", raw: `5`, wantErr: true},
		{name: "object", raw: `{}`, wantErr: true},
		{name: "boolean", raw: `true`, wantErr: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decodeField[StringList](tc.raw)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("decoded %s as %+v, want an error", tc.raw, got)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("decode %s = %#v, %v; want %#v", tc.raw, got, err, tc.want)
			}
			for _, v := range got.Values {
				if !utf8.ValidString(v) {
					t.Errorf("value %q is not valid UTF-8", v)
				}
			}
		})
	}
}

// A decoded value is reset first: decoding into a reused struct must not
// leave a previous value behind when the new one is absent.
func TestScalarsResetOnNull(t *testing.T) {
	s := String{"old", true}
	i := Int{7, true}
	b := Bool{true, true}
	l := StringList{[]string{"old"}, true}
	f := Float{1.5, true}
	c := CommaList{[]string{"old"}, true}
	e := VulExtendContent{Os: String{"old", true}, Valid: true}
	for _, u := range []json.Unmarshaler{&s, &i, &b, &l, &f, &c, &e} {
		if err := u.UnmarshalJSON([]byte("null")); err != nil {
			t.Fatal(err)
		}
	}
	if s.Valid || i.Valid || b.Valid || l.Valid || l.Values != nil || f.Valid || f.Value != 0 || c.Valid || c.Values != nil || !reflect.DeepEqual(e, VulExtendContent{}) {
		t.Errorf("after null: %+v %+v %+v %+v %+v %+v %+v", s, i, b, l, f, c, e)
	}
}

func TestFloatDecoding(t *testing.T) {
	cases := []struct {
		name    string
		raw     string
		want    Float
		wantErr bool
	}{
		{name: "score as a string", raw: `"10.0"`, want: Float{10, true}},
		{name: "fraction as a string", raw: `"7.5"`, want: Float{7.5, true}},
		{name: "padded string", raw: `" 5.3 "`, want: Float{5.3, true}},
		{name: "number", raw: `9.8`, want: Float{9.8, true}},
		{name: "integer", raw: `0`, want: Float{0, true}},
		{name: "empty string is absent", raw: `""`, want: Float{}},
		{name: "not a number is absent", raw: `"N/A"`, want: Float{}},
		{name: "NaN is absent", raw: `"NaN"`, want: Float{}},
		{name: "infinity is absent", raw: `"Inf"`, want: Float{}},
		{name: "overflow is absent", raw: `1e400`, want: Float{}},
		{name: "null is absent", raw: `null`, want: Float{}},
		{name: "missing is absent", raw: ``, want: Float{}},
		{name: "object", raw: `{}`, wantErr: true},
		{name: "array", raw: `[7.5]`, wantErr: true},
		{name: "boolean", raw: `true`, wantErr: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decodeField[Float](tc.raw)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("decoded %s as %+v, want an error", tc.raw, got)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("decode %s = %+v, %v; want %+v", tc.raw, got, err, tc.want)
			}
		})
	}
}

func TestCommaListDecoding(t *testing.T) {
	cases := []struct {
		name    string
		raw     string
		want    CommaList
		wantErr bool
	}{
		{name: "one id", raw: `"CVE-2019-9893"`, want: CommaList{[]string{"CVE-2019-9893"}, true}},
		{name: "several ids", raw: `"CVE-2021-3711,CVE-2021-3712"`, want: CommaList{[]string{"CVE-2021-3711", "CVE-2021-3712"}, true}},
		{name: "blanks and empty entries", raw: `" CVE-1 , ,CVE-2,"`, want: CommaList{[]string{"CVE-1", "CVE-2"}, true}},
		{name: "empty string is an empty list", raw: `""`, want: CommaList{[]string{}, true}},
		{name: "array", raw: `["CVE-1","CVE-2"]`, want: CommaList{[]string{"CVE-1", "CVE-2"}, true}},
		{name: "non-UTF-8", raw: "\"a\xff\"", want: CommaList{[]string{"a\uFFFD"}, true}},
		{name: "null is absent", raw: `null`, want: CommaList{}},
		{name: "missing is absent", raw: ``, want: CommaList{}},
		{name: "number", raw: `5`, wantErr: true},
		{name: "object", raw: `{}`, wantErr: true},
		{name: "array of numbers", raw: `[1]`, wantErr: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decodeField[CommaList](tc.raw)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("decoded %s as %+v, want an error", tc.raw, got)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("decode %s = %#v, %v; want %#v", tc.raw, got, err, tc.want)
			}
		})
	}
}
