package sasapi

import (
	"encoding/json"
	"math"
	"os"
	"reflect"
	"testing"
	"unicode/utf8"
)

// The seed corpora live in testdata/fuzz/<FuzzName>/ and run as ordinary
// tests in every `go test`. Run a target for longer with, for example:
//
//	go test -run '^$' -fuzz '^FuzzDecodeImageInstancesPage$' -fuzztime 60s ./internal/sasapi/

// Each target reads bodies as a call does (op.Read: the hand-written route
// where there is one, encoding/json otherwise). Whether a list answer has
// a usable TotalCount is the listing's check (checkTotalCount), not the
// decoder's: here the count need only be a well-formed Int.

func FuzzDecodeImageInstancesPage(f *testing.F) {
	if example, err := os.ReadFile("testdata/describe-image-instances-example.json"); err == nil {
		f.Add(example)
	}

	f.Fuzz(func(t *testing.T, body []byte) {
		page, err := DescribeImageInstances.Read(body)
		if err != nil {
			if !reflect.ValueOf(page).IsZero() {
				t.Fatalf("a page came back with the error %v: %+v", err, page)
			}
			return
		}
		checkPage(t, page.RequestID, page.TotalCount, page.PageSize)
		for i := range page.Items {
			checkScalars(t, "image", reflect.ValueOf(page.Items[i]))
		}
	})
}

func FuzzDecodeImageCriteria(f *testing.F) {
	f.Add([]byte(`{"RequestId":"R","CriteriaList":[{"Name":"vulStatus","Type":"select","Values":"NO,YES"}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		page, err := DescribeImageCriteria.Read(body)
		if err != nil {
			if !reflect.ValueOf(page).IsZero() {
				t.Fatalf("a page came back with the error %v: %+v", err, page)
			}
			return
		}
		if !utf8.ValidString(page.RequestID) {
			t.Errorf("RequestID %q is not valid UTF-8", page.RequestID)
		}
		for _, e := range page.Items {
			checkScalars(t, "criteria entry", reflect.ValueOf(e))
		}
	})
}

func FuzzDecodeImageVulListPage(f *testing.F) {
	if example, err := os.ReadFile("testdata/describe-image-vul-list-example.json"); err == nil {
		f.Add(example)
	}
	f.Add([]byte(`{"TotalCount":"1","VulRecords":[{"ExtendContentJson":"{\"RpmEntityList\":[{}]}","Related":"a,,b"}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		page, err := DescribeImageVulList.Read(body)
		if err != nil {
			if !reflect.ValueOf(page).IsZero() {
				t.Fatalf("a page came back with the error %v: %+v", err, page)
			}
			return
		}
		checkPage(t, page.RequestID, page.TotalCount, page.PageSize)
		for i := range page.Items {
			checkScalars(t, "row", reflect.ValueOf(page.Items[i]))
		}
	})
}

func FuzzDecodeVulDetails(f *testing.F) {
	if example, err := os.ReadFile("testdata/describe-vul-details-example.json"); err == nil {
		f.Add(example)
	}
	f.Add([]byte(`{"RequestId":"R","Cves":[{"CvssScore":""}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		page, err := DescribeVulDetails.Read(body)
		if err != nil {
			if !reflect.ValueOf(page).IsZero() {
				t.Fatalf("a page came back with the error %v: %+v", err, page)
			}
			return
		}
		if page.Items == nil {
			t.Fatal("the CVEs are nil: no CVE must read as an empty list")
		}
		for i := range page.Items {
			checkScalars(t, "CVE", reflect.ValueOf(page.Items[i]))
		}
	})
}

// checkPage asserts what a page's own fields promise whatever the input:
// the request id is valid UTF-8, and counts absent are zero.
func checkPage(t *testing.T, requestID string, total, size Int) {
	t.Helper()
	if !utf8.ValidString(requestID) {
		t.Errorf("RequestID %q is not valid UTF-8", requestID)
	}
	checkScalars(t, "page", reflect.ValueOf(struct{ TotalCount, PageSize Int }{total, size}))
}

// checkScalars asserts what every decoded record promises whatever the
// input: strings are valid UTF-8, an absent value is the zero value and a
// score is finite. It descends into nested records and lists of them.
func checkScalars(t *testing.T, what string, record reflect.Value) {
	t.Helper()
	for i := range record.NumField() {
		name := record.Type().Field(i).Name
		field := record.Field(i)
		switch {
		case field.Kind() == reflect.Slice && field.Type().Elem().Kind() == reflect.Struct:
			for k := range field.Len() {
				checkScalars(t, what+" "+name, field.Index(k))
			}
			continue
		case field.Type() == reflect.TypeFor[VulExtendContent]():
			if v := field.Interface().(VulExtendContent); !v.Valid && !reflect.DeepEqual(v, VulExtendContent{}) {
				t.Errorf("%s %s absent but has values %+v", what, name, v)
			}
			checkScalars(t, what+" "+name, field)
			continue
		case field.Kind() == reflect.Bool: // VulExtendContent.Valid
			continue
		}
		switch v := field.Interface().(type) {
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
		case Float:
			if !v.Valid && v.Value != 0 || math.IsNaN(v.Value) || math.IsInf(v.Value, 0) {
				t.Errorf("%s %s = %+v", what, name, v)
			}
		case CommaList:
			checkList(t, what+" "+name, v.Values, v.Valid)
		case StringList:
			checkList(t, what+" "+name, v.Values, v.Valid)
		default:
			t.Fatalf("%s %s has unexpected type %T", what, name, v)
		}
	}
}

// checkList asserts that a list is nil exactly when absent and holds valid
// UTF-8.
func checkList(t *testing.T, what string, values []string, valid bool) {
	t.Helper()
	if valid != (values != nil) {
		t.Errorf("%s: Valid %v with Values %#v", what, valid, values)
	}
	for _, s := range values {
		if !utf8.ValidString(s) {
			t.Errorf("%s holds %q, not valid UTF-8", what, s)
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

// unquote decodes every JSON string as encoding/json does, the escapes it
// decodes itself included.
func FuzzUnquoteAgreesWithEncodingJSON(f *testing.F) {
	for _, seed := range []string{`plain`, `[\"10.0.0.1:80\",\"b\"]`, `a\\b`, `\"`, `\\`, `\/`, `\n`, `\u00e9\"`, `é\"x`, `\`, "\x01\\\"", "\xff\\\""} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		data := append(append([]byte{'"'}, body...), '"')
		var want string
		if json.Unmarshal(data, &want) != nil {
			return // not one JSON string: no caller hands unquote such data
		}
		got, err := unquote(data)
		if err != nil || got != want {
			t.Fatalf("unquote(%s) = %q, %v; encoding/json: %q", data, got, err, want)
		}
	})
}
