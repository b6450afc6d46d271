package sasapi

import (
	"encoding/json"
	"os"
	"reflect"
	"testing"
	"unicode/utf8"
)

// The seed corpora live in testdata/fuzz/<FuzzName>/ and run as ordinary
// tests in every `go test`. Run a target for longer with, for example:
//
//	go test -run '^$' -fuzz '^FuzzDecodeImageInstancesPage$' -fuzztime 60s ./internal/sasapi/

func FuzzDecodeImageInstancesPage(f *testing.F) {
	if example, err := os.ReadFile("testdata/describe-image-instances-example.json"); err == nil {
		f.Add(example)
	}

	f.Fuzz(func(t *testing.T, body []byte) {
		resp, err := DecodeImageInstancesPage(body)
		if err != nil {
			if resp != nil {
				t.Fatalf("a response came back with the error %v", err)
			}
			return
		}
		if resp.PageInfo == nil || !resp.PageInfo.TotalCount.Valid || resp.PageInfo.TotalCount.Value < 0 {
			t.Fatalf("accepted a page without a usable TotalCount: %+v", resp.PageInfo)
		}
		if !utf8.ValidString(resp.RequestID) {
			t.Errorf("RequestID %q is not valid UTF-8", resp.RequestID)
		}
		checkScalars(t, "PageInfo", reflect.ValueOf(*resp.PageInfo))
		for i := range resp.ImageInstanceList {
			checkScalars(t, "image", reflect.ValueOf(resp.ImageInstanceList[i]))
		}
	})
}

func FuzzDecodeImageCriteria(f *testing.F) {
	f.Add([]byte(`{"RequestId":"R","CriteriaList":[{"Name":"vulStatus","Type":"select","Values":"NO,YES"}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		resp, err := DecodeImageCriteria(body)
		if err != nil {
			if resp != nil {
				t.Fatalf("a response came back with the error %v", err)
			}
			return
		}
		if !utf8.ValidString(resp.RequestID) {
			t.Errorf("RequestID %q is not valid UTF-8", resp.RequestID)
		}
		for _, e := range resp.CriteriaList {
			checkScalars(t, "criteria entry", reflect.ValueOf(e))
		}
	})
}

// checkScalars asserts what every decoded record promises whatever the
// input: strings are valid UTF-8, and an absent value is the zero value.
func checkScalars(t *testing.T, what string, record reflect.Value) {
	t.Helper()
	for i := range record.NumField() {
		name := record.Type().Field(i).Name
		switch v := record.Field(i).Interface().(type) {
		case String:
			if !utf8.ValidString(v.Value) {
				t.Errorf("%s %s = %q is not valid UTF-8", what, name, v.Value)
			}
			if !v.Valid && v.Value != "" {
				t.Errorf("%s %s absent but has value %q", what, name, v.Value)
			}
		case Int:
			if !v.Valid && v.Value != 0 {
				t.Errorf("%s %s absent but has value %d", what, name, v.Value)
			}
		case Bool:
			if !v.Valid && v.Value {
				t.Errorf("%s %s absent but true", what, name)
			}
		case StringList:
			if v.Valid != (v.Values != nil) {
				t.Errorf("%s %s: Valid %v with Values %#v", what, name, v.Valid, v.Values)
			}
			for _, s := range v.Values {
				if !utf8.ValidString(s) {
					t.Errorf("%s %s holds %q, not valid UTF-8", what, name, s)
				}
			}
		default:
			t.Fatalf("%s %s has unexpected type %T", what, name, v)
		}
	}
}

// FuzzEncodeCriteria checks the round trip: whatever the names and values,
// the Criteria parameter is valid JSON that decodes to exactly those names
// and values (invalid UTF-8 bytes replaced by U+FFFD), each element with the
// query's logical operator and no other keys.
func FuzzEncodeCriteria(f *testing.F) {
	f.Add(uint8(1), "instanceId", "390100182", "", "", "", "", "")
	f.Fuzz(func(t *testing.T, n uint8, name1, value1, name2, value2, name3, value3, logicalExp string) {
		all := []Criterion{{name1, value1}, {name2, value2}, {name3, value3}}
		var criteria []Criterion
		if k := int(n % 4); k > 0 {
			criteria = all[:k]
		}
		out, err := EncodeCriteria(criteria, logicalExp)
		if err != nil {
			t.Fatalf("EncodeCriteria: %v", err)
		}
		if !json.Valid([]byte(out)) || !utf8.ValidString(out) {
			t.Fatalf("output is not valid UTF-8 JSON: %q", out)
		}
		var elements []map[string]string
		if err := json.Unmarshal([]byte(out), &elements); err != nil {
			t.Fatalf("output %q is not an array of string objects: %v", out, err)
		}
		if elements == nil || len(elements) != len(criteria) {
			t.Fatalf("output %q has %d elements, want %d", out, len(elements), len(criteria))
		}
		wantExp := replaceInvalidUTF8(logicalExp)
		if logicalExp == "" {
			wantExp = LogicalAnd
		}
		for i, c := range criteria {
			want := map[string]string{"name": replaceInvalidUTF8(c.Name), "value": replaceInvalidUTF8(c.Value), "logicalExp": wantExp}
			if !reflect.DeepEqual(elements[i], want) {
				t.Errorf("element %d = %q, want %q", i, elements[i], want)
			}
		}
	})
}

// replaceInvalidUTF8 replaces each invalid byte with U+FFFD, as
// encoding/json does; valid UTF-8 is returned unchanged.
func replaceInvalidUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return string([]rune(s))
}
