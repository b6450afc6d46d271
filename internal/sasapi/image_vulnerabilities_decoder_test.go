package sasapi

import (
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"testing"

	"github.com/terraform-sas/terraform-provider-sas/internal/fakesas"
)

// decodeImageVulListPageReflect is the route DescribeImageVulList.Decode
// takes, whole (every page member kept): encoding/json into the response,
// the reference the hand-written decoder is held to.
var decodeImageVulListPageReflect = jsonBody[DescribeImageVulListResponse]

// vulTakenSeeds are DescribeImageVulList bodies the hand-written decoder
// decodes itself, covering the forms it must read as encoding/json does:
// ExtendContentJson as an object, as a string (with spaces, empty, null),
// null; numbers as strings; names in another case; escapes; nulls; junk.
var vulTakenSeeds = []string{
	`{"RequestId":"R","CurrentPage":1,"PageSize":"100","TotalCount":"2","VulRecords":[{"Name":"debian:10:CVE-1","Related":"CVE-1, CVE-2","Status":"1","PrimaryId":7,"CanFix":"yes","CanUpdate":true,"Layers":["sha256:a","sha256:b"],"ExtendContentJson":{"Os":"debian","OsRelease":"10","RpmEntityList":[{"Name":"curl","MatchList":["curl < 7"],"UpdateCmd":"apt-get install curl"}]}},null]}`,
	`{"TotalCount":1,"VulRecords":[{"ExtendContentJson":"{\"Os\":\"alpine\",\"RpmEntityList\":[{\"Name\":\"musl\",\"Path\":\"/lib/\\u00e9\"},null]}","FirstTs":"1700000000000","ModifyTs":0}]}`,
	`{"TotalCount":3,"VulRecords":[{"ExtendContentJson":"  "},{"ExtendContentJson":"null"},{"ExtendContentJson":null,"ScanTime":null}]}`,
	`{"totalcount":1,"vulRECORDS":[{"uuid":"u","NAME":"n","extendcontentjson":{"os":"x","rpmentitylist":[]},"Layers":"[\"a\"]"}],"requestID":"r"}`,
	` {"TotalCount" : 1 , "Extra":{"a":[1,{"b":null}],"c":"\u00e9\"\\"}, "VulRecords" : [ { "N\u0061me" : "\u00e9" , "Status": 4.0, "Unknown": [1,2], "ExtendContentJson": { "Valid": false, "RpmEntityList": null } } ] } `,
	"{\"TotalCount\":1,\"VulRecords\":[{\"AliasName\":\"\xff\xfe\",\"Layers\":[\"a\\ud800b\",\"\xff\"],\"Related\":[\"CVE-1\",\"CVE-2\"]}]}",
	`{"TotalCount":0,"VulRecords":[]}`,
	`{"TotalCount":0,"VulRecords":null,"CurrentPage":null}`,
	`{"TotalCount":1,"VulRecords":[{"ExtendContentJson":"{\"RpmEntityList\":[{\"Layer\":\"l\",\"Layer2\":1}]} ","Related":"","Layers":[]}]}`,
	`{"VulRecords":[]}`, // no TotalCount: the listing refuses it, not the decoder
}

// vulDeclinedSeeds are bodies the hand-written decoder leaves to
// encoding/json: repeated members, values of another shape, broken JSON.
var vulDeclinedSeeds = []string{
	`{"TotalCount":1,"VulRecords":[{"Name":"a"}],"VulRecords":[{"Uuid":"b"}]}`,
	`{"TotalCount":1,"VulRecords":[{"name":"a","Name":"b"}]}`,
	`{"TotalCount":1,"VulRecords":[{"ExtendContentJson":{"Os":"a","os":"b"}}]}`,
	`{"TotalCount":1,"VulRecords":[{"ExtendContentJson":"[1]"}]}`,
	`{"TotalCount":1,"VulRecords":[{"ExtendContentJson":"{\"Os\":\"a\"} x"}]}`,
	`{"TotalCount":1,"VulRecords":[{"ExtendContentJson":7}]}`,
	`{"TotalCount":1,"VulRecords":[{"ExtendContentJson":{"RpmEntityList":[1]}}]}`,
	`{"TotalCount":1,"VulRecords":[{"Name":{"a":1}}]}`,
	`{"TotalCount":1,"VulRecords":[{"Status":"9223372036854775808"}]}`,
	`{"TotalCount":1}} x`,
	`{"TotalCount":1,"VulRecords":[{"Name":"a"`,
	`[]`, `null`, ``,
}

// fakeVulPages are the fake's rows of some images as pages of 100, quirks
// included (ExtendContentJson as a string, numbers as strings, absent
// fields).
func fakeVulPages(t testing.TB) [][]byte {
	t.Helper()
	images := fakesas.GenerateImages(40, 11)
	fake := fakesas.New(fakesas.Options{Images: images})
	var rows []fakesas.Record
	for _, img := range images {
		rows = append(rows, fake.VulnerabilityRows(img["Uuid"].(string))...)
	}
	var pages [][]byte
	for start := 0; start < len(rows); start += 100 {
		page := rows[start:min(start+100, len(rows))]
		body, err := json.Marshal(map[string]any{"RequestId": "r", "CurrentPage": 1 + start/100, "PageSize": 100, "TotalCount": len(rows), "VulRecords": page})
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, body)
	}
	if len(pages) < 3 {
		t.Fatalf("only %d pages of rows", len(pages))
	}
	return pages
}

// FuzzImageVulListDecodersAgree holds the hand-written decoder to
// encoding/json: whatever the body, when it decodes one, encoding/json
// decodes the same (when it declines, encoding/json's answer is used).
func FuzzImageVulListDecodersAgree(f *testing.F) {
	for _, s := range append(vulTakenSeeds, vulDeclinedSeeds...) {
		f.Add([]byte(s))
	}
	if example, err := os.ReadFile("testdata/describe-image-vul-list-example.json"); err == nil {
		f.Add(example)
	}
	f.Add(fakeVulPages(f)[0])
	f.Fuzz(func(t *testing.T, body []byte) {
		fast, err := decodeImageVulListPageFast(body)
		if err != nil {
			return
		}
		ref, refErr := decodeImageVulListPageReflect(body)
		if refErr != nil {
			t.Fatalf("the hand-written decoder accepted a body encoding/json rejects (%v):\n%s", refErr, body)
		}
		if !reflect.DeepEqual(fast, ref) {
			t.Fatalf("decoders disagree on\n%s\nhand-written: %+v\nencoding/json: %+v", body, fast, ref)
		}
	})
}

// The hand-written decoder takes the seeds meant for it, the service's
// example and every page of the fake, each to what encoding/json gives,
// and leaves the others to encoding/json.
func TestVulListDecoderTakesTheUsualForms(t *testing.T) {
	taken := append([]string{}, vulTakenSeeds...)
	example, err := os.ReadFile("testdata/describe-image-vul-list-example.json")
	if err != nil {
		t.Fatal(err)
	}
	taken = append(taken, string(example))
	for _, page := range fakeVulPages(t) {
		taken = append(taken, string(page))
	}
	for _, seed := range taken {
		fast, err := decodeImageVulListPageFast([]byte(seed))
		if err != nil {
			t.Errorf("the hand-written decoder declined %.300s", seed)
			continue
		}
		if ref, err := decodeImageVulListPageReflect([]byte(seed)); err != nil || !reflect.DeepEqual(fast, ref) {
			t.Errorf("decoders disagree on %.300s (encoding/json error %v)\nhand-written: %+v\nencoding/json: %+v", seed, err, fast, ref)
		}
	}
	for _, seed := range vulDeclinedSeeds {
		if _, err := decodeImageVulListPageFast([]byte(seed)); err == nil {
			t.Errorf("the hand-written decoder took %s", seed)
		}
	}
}

// vulRecordMembers is VulRecord's JSON names in order, and field(k) the
// k-th field.
func TestVulRecordMembersMatchTheStruct(t *testing.T) {
	typ := reflect.TypeFor[VulRecord]()
	var tags []string
	for i := range typ.NumField() {
		tags = append(tags, typ.Field(i).Tag.Get("json"))
	}
	if !reflect.DeepEqual(tags, vulRecordMembers) {
		t.Fatalf("vulRecordMembers = %q, want the json tags %q", vulRecordMembers, tags)
	}
	var r VulRecord
	v := reflect.ValueOf(&r).Elem()
	for k, name := range vulRecordMembers[:vulExtendContentMember] {
		if reflect.ValueOf(r.field(k)).Pointer() != v.Field(k).Addr().Pointer() {
			t.Errorf("member %q is not the %s field", name, typ.Field(k).Name)
		}
	}
	pkg := reflect.TypeFor[VulPackage]()
	for i := range pkg.NumField() {
		if tag := pkg.Field(i).Tag.Get("json"); vulPackageMembers[i] != tag {
			t.Errorf("vulPackageMembers[%d] = %q, want %q", i, vulPackageMembers[i], tag)
		}
	}
}

// BenchmarkDecodeImageVulListPage decodes a page of 100 of the fake's
// rows by each route.
func BenchmarkDecodeImageVulListPage(b *testing.B) {
	body := fakeVulPages(b)[0]
	for name, decode := range map[string]func([]byte) (*DescribeImageVulListResponse, error){
		"hand-written": decodeImageVulListPageFast, "encoding-json": decodeImageVulListPageReflect,
	} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := decode(body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// The fast path for Layers and MatchList takes arrays of plain strings
// itself; were it to hand them to UnmarshalJSON the values would be the
// same and only the speed lost.
func TestPlainStringArrayTakesArraysOfPlainStrings(t *testing.T) {
	for _, tc := range []struct {
		raw  string
		want []string
		ok   bool
	}{
		{`["sha256:1a2b","sha256:3c4d"]`, []string{"sha256:1a2b", "sha256:3c4d"}, true},
		{`[ "a" , "" ]`, []string{"a", ""}, true},
		{`[]`, []string{}, true},
		{`["a\"b"]`, nil, false},
		{`["a",1]`, nil, false},
		{"[\"\xff\"]", nil, false},
		{`["a"] x`, nil, false},
		{`"[\"a\"]"`, nil, false}, // an array inside a string: plainStringList's case
		{`null`, nil, false},
	} {
		got, ok := plainStringArray(exactBytes(tc.raw))
		if ok != tc.ok || (ok && (!got.Valid || !slices.Equal(got.Values, tc.want))) {
			t.Errorf("plainStringArray(%s) = %+v, %v; want %q, %v", tc.raw, got, ok, tc.want, tc.ok)
		}
	}
}
