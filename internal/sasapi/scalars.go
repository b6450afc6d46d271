package sasapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The service is loose about types: numbers arrive as JSON numbers or as
// numeric strings, fields may be missing or null, and Endpoints is a JSON
// array serialised into a string. These scalar types accept every such form
// and remember whether a value was present, so that a missing field can be
// reported as unknown (null) rather than as a made-up zero.

var jsonNull = []byte("null")

// String is a string field that may be absent.
type String struct {
	Value string
	Valid bool
}

// Int is an integer field that may be absent.
type Int struct {
	Value int64
	Valid bool
}

// Bool is a boolean field that may be absent. The service encodes it as 0/1.
type Bool struct {
	Value bool
	Valid bool
}

// StringList is a list field that may be absent. On the wire it is a JSON
// array, or (as for Endpoints) a JSON array inside a string.
type StringList struct {
	Values []string
	Valid  bool
}

// CommaList is a list sent as one comma-separated string, such as the CVE
// ids of a vulnerability. A JSON array of strings is accepted too.
type CommaList struct {
	Values []string
	Valid  bool
}

// Float is a decimal field that may be absent, such as a CVSS score sent
// as a string that may be empty.
type Float struct {
	Value float64
	Valid bool
}

// UnmarshalJSON accepts a string, a number (kept in its decimal form) or a boolean.
func (s *String) UnmarshalJSON(data []byte) error {
	*s = String{}
	if bytes.Equal(data, jsonNull) {
		return nil
	}
	if data[0] == '"' {
		v, err := unquote(data)
		if err != nil {
			return err
		}
		*s = String{Value: v, Valid: true}
		return nil
	}
	if data[0] == '-' || (data[0] >= '0' && data[0] <= '9') || data[0] == 't' || data[0] == 'f' {
		*s = String{Value: string(data), Valid: true}
		return nil
	}
	return fmt.Errorf("expected a string, got %s", describeJSON(data))
}

// UnmarshalJSON accepts a JSON number or a numeric string. An empty string
// is treated as absent; fractional or out-of-range values are errors.
func (i *Int) UnmarshalJSON(data []byte) error {
	*i = Int{}
	if bytes.Equal(data, jsonNull) {
		return nil
	}
	text := data
	if data[0] == '"' {
		v, err := unquote(data)
		if err != nil {
			return err
		}
		if v == "" {
			return nil
		}
		text = []byte(v)
	} else if data[0] != '-' && (data[0] < '0' || data[0] > '9') {
		return fmt.Errorf("expected a number, got %s", describeJSON(data))
	}
	n, err := parseInteger(string(text))
	if err != nil {
		return err
	}
	*i = Int{Value: n, Valid: true}
	return nil
}

// UnmarshalJSON accepts true/false, 0/1 and their string forms.
func (b *Bool) UnmarshalJSON(data []byte) error {
	*b = Bool{}
	if bytes.Equal(data, jsonNull) {
		return nil
	}
	text := string(data)
	if data[0] == '"' {
		v, err := unquote(data)
		if err != nil {
			return err
		}
		text = v
	}
	switch text {
	case "":
		return nil
	case "1", "true", "TRUE", "True":
		*b = Bool{Value: true, Valid: true}
	case "0", "false", "FALSE", "False":
		*b = Bool{Value: false, Valid: true}
	default:
		return fmt.Errorf("expected 0/1 or a boolean, got %s", describeJSON(data))
	}
	return nil
}

// UnmarshalJSON accepts a JSON array of strings or a string holding one.
// An empty string means an empty list.
func (l *StringList) UnmarshalJSON(data []byte) error {
	*l = StringList{}
	if bytes.Equal(data, jsonNull) {
		return nil
	}
	inner := data
	if data[0] == '"' {
		v, err := unquote(data)
		if err != nil {
			return err
		}
		if v == "" {
			*l = StringList{Values: []string{}, Valid: true}
			return nil
		}
		inner = []byte(v)
	}
	var values []string
	if err := json.Unmarshal(inner, &values); err != nil {
		return fmt.Errorf("expected a JSON array of strings: %w", err)
	}
	if values == nil {
		values = []string{}
	}
	for k, v := range values {
		values[k] = validUTF8(v)
	}
	*l = StringList{Values: values, Valid: true}
	return nil
}

// UnmarshalJSON splits a string on commas, trimming blanks and dropping
// empty entries; an empty string is an empty list.
func (l *CommaList) UnmarshalJSON(data []byte) error {
	*l = CommaList{}
	if bytes.Equal(data, jsonNull) {
		return nil
	}
	if data[0] == '[' {
		var list StringList
		if err := list.UnmarshalJSON(data); err != nil {
			return err
		}
		*l = CommaList(list)
		return nil
	}
	if data[0] != '"' {
		return fmt.Errorf("expected a comma-separated string, got %s", describeJSON(data))
	}
	v, err := unquote(data)
	if err != nil {
		return err
	}
	values := []string{}
	for part := range strings.SplitSeq(v, ",") {
		if part = strings.TrimSpace(part); part != "" {
			values = append(values, validUTF8(part))
		}
	}
	*l = CommaList{Values: values, Valid: true}
	return nil
}

// UnmarshalJSON accepts a JSON number or a string. A string that is not a
// finite number (empty, "N/A") is absent rather than an error: a score the
// service could not give is unknown, and one odd value must not fail a page.
func (f *Float) UnmarshalJSON(data []byte) error {
	*f = Float{}
	text := string(data)
	if bytes.Equal(data, jsonNull) {
		return nil
	}
	if data[0] == '"' {
		v, err := unquote(data)
		if err != nil {
			return err
		}
		text = strings.TrimSpace(v)
	} else if data[0] != '-' && (data[0] < '0' || data[0] > '9') {
		return fmt.Errorf("expected a number, got %s", describeJSON(data))
	}
	v, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return nil
	}
	*f = Float{Value: v, Valid: true}
	return nil
}

// unquote decodes data, a whole JSON string as encoding/json hands it to
// an UnmarshalJSON method. The common cases are a single allocation, which
// matters at tens of thousands of images: no escapes, or only the quotes
// and backslashes of JSON sent inside a string (every image's Endpoints).
func unquote(data []byte) (string, error) {
	body := data[1 : len(data)-1]
	if bytes.IndexByte(body, '\\') < 0 && utf8.Valid(body) {
		return string(body), nil
	}
	if s, ok := unescapeQuotes(body); ok {
		return s, nil
	}
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return "", err
	}
	return s, nil
}

// unescapeQuotes decodes the body of a JSON string whose only escapes are
// \" and \\; ok is false for anything else (another escape, a control
// character, invalid UTF-8), which encoding/json then decodes or rejects.
func unescapeQuotes(body []byte) (s string, ok bool) {
	if !utf8.Valid(body) {
		return "", false
	}
	var b strings.Builder
	b.Grow(len(body))
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c < 0x20 {
			return "", false
		}
		if c == '\\' {
			i++
			if i == len(body) || (body[i] != '"' && body[i] != '\\') {
				return "", false
			}
			c = body[i]
		}
		b.WriteByte(c)
	}
	return b.String(), true
}

// parseInteger parses an integer, tolerating an integral float form such as
// "1.0" or "1e3" that some gateways emit.
func parseInteger(text string) (int64, error) {
	if n, err := strconv.ParseInt(text, 10, 64); err == nil {
		return n, nil
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, fmt.Errorf("expected an integer, got %q", truncate(text, 40))
	}
	if f != math.Trunc(f) || f >= 0x1p63 || f < -0x1p63 {
		return 0, fmt.Errorf("expected an integer in the 64-bit range, got %q", truncate(text, 40))
	}
	return int64(f), nil
}

func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return string([]rune(s))
}

func describeJSON(data []byte) string {
	switch data[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	default:
		return fmt.Sprintf("%q", truncate(string(data), 40))
	}
}

// truncate shortens s to at most n bytes, on a character boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
