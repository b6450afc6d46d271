package sasapi

import (
	"encoding/json"
	"fmt"
	"maps"
	"strings"
	"testing"
)

// The parameters go on the wire as the official SDK sends them: ScanRange
// as one JSON text, SensitiveKeyList as repeated keys, RiskLevel as one
// level; empty filters are not sent.
func TestSensitiveFileListParams(t *testing.T) {
	cases := []struct {
		name  string
		query SensitiveFileQuery
		want  map[string]string
	}{
		{"image only", SensitiveFileQuery{ImageUuid: "u-1"},
			map[string]string{"ImageUuid": "u-1", "ScanRange": `["image"]`}},
		{"every filter", SensitiveFileQuery{ImageUuid: "u-1", RiskLevel: "high", SensitiveFileKeys: []string{"aws_access_key", "ssh_private_key"}, Lang: "en"},
			map[string]string{"ImageUuid": "u-1", "ScanRange": `["image"]`, "RiskLevel": "high", "Lang": "en",
				"SensitiveKeyList.1": "aws_access_key", "SensitiveKeyList.2": "ssh_private_key"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DescribeImageSensitiveFileList.Params(tc.query)
			if err != nil || !maps.Equal(got, tc.want) {
				t.Errorf("params %v, %v; want %v", got, err, tc.want)
			}
		})
	}
	for _, bad := range []SensitiveFileQuery{{}, {ImageUuid: "u", RiskLevel: "high,low"}, {ImageUuid: "u", SensitiveFileKeys: []string{""}}} {
		if got, err := DescribeImageSensitiveFileList.Params(bad); err == nil {
			t.Errorf("%+v: params %v, want an error", bad, got)
		}
	}
}

// Every field, in the forms the service sends them: numbers as strings,
// Code as a number, fields missing.
func TestDescribeImageSensitiveFileListDecodes(t *testing.T) {
	body := `{"RequestId":"R-1","Success":true,"Code":200,"HttpStatusCode":200,"Message":"successful",
	"PageInfo":{"CurrentPage":1,"PageSize":"20","TotalCount":"2","Count":2,"LastRowKey":"CAES"},
	"SensitiveFileList":[
	 {"SensitiveFileKey":"aws_access_key","SensitiveFileName":"AWS Access Key","ClassKey":"access_key","ClassName":"AccessKey",
	  "RiskLevel":"high","Status":"0","Count":3,"UnprocessedNum":"1","FirstScanTime":1717401600000,"LastScanTime":"1719993600000",
	  "Description":"d","Advice":"a"},
	 {"SensitiveFileKey":"ssh_private_key"}]}`
	page, err := DescribeImageSensitiveFileList.Read([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if page.RequestID != "R-1" || page.TotalCount != (Int{2, true}) || page.PageSize != (Int{20, true}) || len(page.Items) != 2 {
		t.Fatalf("page %+v", page)
	}
	want := SensitiveFileType{
		SensitiveFileKey: String{"aws_access_key", true}, SensitiveFileName: String{"AWS Access Key", true},
		ClassKey: String{"access_key", true}, ClassName: String{"AccessKey", true}, RiskLevel: String{"high", true},
		Status: Int{0, true}, Count: Int{3, true}, UnprocessedNum: Int{1, true},
		FirstScanTime: Int{1717401600000, true}, LastScanTime: Int{1719993600000, true},
		Description: String{"d", true}, Advice: String{"a", true},
	}
	if page.Items[0] != want {
		t.Errorf("record\n%+v\nwant\n%+v", page.Items[0], want)
	}
	if sparse := page.Items[1]; sparse.Status.Valid || sparse.RiskLevel.Valid || sparse.UnprocessedNum.Valid {
		t.Errorf("absent fields read as present: %+v", sparse)
	}
}

// A 2xx answer that says it failed is the service's error, with its code,
// message and request id, never an empty page.
func TestSensitiveFileAnswerThatSaysItFailedIsAnAPIError(t *testing.T) {
	body := `{"RequestId":"R-2","Success":false,"Code":"InnerError","Message":"something broke","PageInfo":{"TotalCount":0},"SensitiveFileList":[]}`
	for _, read := range []func([]byte) error{
		func(b []byte) error { _, err := DescribeImageSensitiveFileList.Read(b); return err },
		func(b []byte) error { _, err := DescribeImageSensitiveFileByKey.Read(b); return err },
	} {
		err := read([]byte(body))
		apiErr, ok := err.(*APIError)
		if !ok || apiErr.Code != "InnerError" || apiErr.Message != "something broke" || apiErr.RequestID != "R-2" {
			t.Errorf("error %#v, want the service's InnerError", err)
		}
	}
	if _, err := DescribeImageSensitiveFileList.Read([]byte(`{"RequestId":"R","PageInfo":{"TotalCount":0}}`)); err != nil {
		t.Errorf("an answer without Success is read as it is: %v", err)
	}
}

// The masked excerpt of a secret never prints: not with %v, %+v, %#v or
// %s, not in a decoding error.
func TestSecretNeverPrints(t *testing.T) {
	const excerpt = "AKIAQX4SECRETPART"
	var f SensitiveFile
	if err := json.Unmarshal([]byte(`{"FilePath":"/app/.env","Promt":"`+excerpt+`"}`), &f); err != nil {
		t.Fatal(err)
	}
	if f.Promt.Reveal() != excerpt || !f.Promt.Valid {
		t.Fatalf("Reveal = %q, want the excerpt", f.Promt.Reveal())
	}
	for _, format := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		if out := fmt.Sprintf(format, f); strings.Contains(out, "SECRET") || strings.Contains(out, "414b4941") {
			t.Errorf("%s prints the excerpt: %s", format, out)
		}
	}
	var s Secret
	if err := json.Unmarshal([]byte(`{"zq":1}`), &s); err == nil || strings.Contains(err.Error(), "zq") {
		t.Errorf("error %v: want one that quotes nothing", err)
	}
}
