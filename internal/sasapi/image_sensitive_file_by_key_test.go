package sasapi

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"strings"
	"testing"
)

// ScanRange is one JSON text, as the SDK's shrink model sends it; the image
// and the type are required, since the files carry no image identity.
func TestSensitiveFileByKeyParams(t *testing.T) {
	got, err := DescribeImageSensitiveFileByKey.Params(SensitiveFileKeyQuery{ImageUuid: "u-1", SensitiveFileKey: "aws_access_key", Lang: "en"})
	want := map[string]string{"ImageUuid": "u-1", "SensitiveFileKey": "aws_access_key", "Lang": "en", "ScanRange": `["image"]`}
	if err != nil || !maps.Equal(got, want) {
		t.Errorf("params %v, %v; want %v", got, err, want)
	}
	got, err = DescribeImageSensitiveFileByKey.Params(SensitiveFileKeyQuery{ImageUuid: "u-1", SensitiveFileKey: "k"})
	if _, sent := got["Lang"]; err != nil || sent {
		t.Errorf("params %v, %v: an unset Lang is not sent", got, err)
	}
	for _, bad := range []SensitiveFileKeyQuery{{}, {ImageUuid: "u-1"}, {SensitiveFileKey: "k"}} {
		if got, err := DescribeImageSensitiveFileByKey.Params(bad); err == nil {
			t.Errorf("%+v: params %v, want an error", bad, got)
		}
	}
}

// The reference's example in the forms the service also uses: Code as a
// number, page fields and times as numeric strings, fields missing or
// null, an unknown field. The misspelt Promt is read into a Secret.
func TestDescribeImageSensitiveFileByKeyDecodes(t *testing.T) {
	body := `{"RequestId":"0E1C9A55","Success":"true","Code":200,"HttpStatusCode":"200","Message":"successful",
	"PageInfo":{"CurrentPage":"2","PageSize":20,"TotalCount":"22","Count":"2","LastRowKey":""},
	"SensitiveFileList":[
	 {"FilePath":"/app/config/.env","LayerDigest":"3f1c","Md5":"9b2f","Promt":"AKIAQX4************",
	  "SensitiveFileKey":"aws_access_key","SensitiveFileName":"AWS Access Key","RiskLevel":"high",
	  "FirstScanTime":"1717401600000","LastScanTime":1719993600000,"Description":"d","Advice":"a","Unknown":{"x":1}},
	 {"FilePath":"/opt/app/.aws/credentials","Promt":null,"Md5":null,"LastScanTime":""}]}`
	page, err := DescribeImageSensitiveFileByKey.Read([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if page.RequestID != "0E1C9A55" || page.TotalCount != (Int{22, true}) || page.PageSize != (Int{20, true}) || len(page.Items) != 2 {
		t.Fatalf("page %+v", page)
	}
	got := page.Items[0]
	if got.Promt.Reveal() != "AKIAQX4************" || !got.Promt.Valid {
		t.Errorf("Promt %q, want the masked excerpt", got.Promt.Reveal())
	}
	got.Promt = Secret{}
	want := SensitiveFile{
		FilePath: String{"/app/config/.env", true}, LayerDigest: String{"3f1c", true}, Md5: String{"9b2f", true},
		SensitiveFileKey: String{"aws_access_key", true}, SensitiveFileName: String{"AWS Access Key", true}, RiskLevel: String{"high", true},
		FirstScanTime: Int{1717401600000, true}, LastScanTime: Int{1719993600000, true}, Description: String{"d", true}, Advice: String{"a", true},
	}
	if got != want {
		t.Errorf("file\n%+v\nwant\n%+v", got, want)
	}
	sparse := page.Items[1]
	if sparse.FilePath.Value != "/opt/app/.aws/credentials" || sparse.Promt.Valid || sparse.Md5.Valid || sparse.LastScanTime.Valid || sparse.RiskLevel.Valid {
		t.Errorf("null, empty and missing fields read as present: %+v", sparse)
	}
}

// A failure in a 2xx answer, whatever the type of its Success and Code,
// reaches the caller as the service's error with code, message, request
// id, action and status, for both sensitive-file operations.
func TestSensitiveFileFailuresInA200AreAPIErrors(t *testing.T) {
	cases := []struct{ name, body, code string }{
		{"Code a string", `{"RequestId":"R-9","Success":false,"Code":"InnerError","Message":"boom"}`, "InnerError"},
		{"Code a number, Success a string", `{"RequestId":"R-9","Success":"false","Code":500,"Message":"boom"}`, "500"},
		{"no Code", `{"RequestId":"R-9","Success":0,"Message":"boom"}`, "Success.False"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			endpoint, calls := stubServer(t, func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, tc.body) })
			c := clientFor(t, endpoint, withMaxRetries(0))
			for _, call := range []struct {
				action string
				do     func() error
			}{
				{ActionDescribeImageSensitiveFileList, func() error {
					_, err := List(context.Background(), c, DescribeImageSensitiveFileList, SensitiveFileQuery{ImageUuid: "u"}, ListOptions{})
					return err
				}},
				{ActionDescribeImageSensitiveFileByKey, func() error {
					_, err := List(context.Background(), c, DescribeImageSensitiveFileByKey, SensitiveFileKeyQuery{ImageUuid: "u", SensitiveFileKey: "k"}, ListOptions{})
					return err
				}},
			} {
				err := call.do()
				var apiErr *APIError
				if !errors.As(err, &apiErr) || apiErr.Code != tc.code || apiErr.Message != "boom" || apiErr.RequestID != "R-9" || apiErr.Action != call.action || apiErr.HTTPStatus != 200 {
					t.Errorf("%s: error %#v, want the service's %s", call.action, err, tc.code)
				}
			}
			if calls() != 2 {
				t.Errorf("%d requests, want one per operation: a failure the service states is not an empty page to page on", calls())
			}
		})
	}
}

// A file is the same file when its path, layer and content are: the same
// path in another layer, or with other content, is another file; a file
// without a path is never merged with another.
func TestSensitiveFileKey(t *testing.T) {
	file := func(path, layer, md5 string) *SensitiveFile {
		return &SensitiveFile{FilePath: String{path, path != ""}, LayerDigest: String{layer, layer != ""}, Md5: String{md5, md5 != ""}}
	}
	key := func(f *SensitiveFile) string {
		k, ok := DescribeImageSensitiveFileByKey.Key(f)
		if !ok {
			return "(kept)"
		}
		return k
	}
	same := key(file("/a", "L1", "m1"))
	for name, other := range map[string]*SensitiveFile{
		"another layer": file("/a", "L2", "m1"), "other content": file("/a", "L1", "m2"), "another path": file("/b", "L1", "m1"),
		"no layer": file("/a", "", "m1"),
	} {
		if key(other) == same {
			t.Errorf("%s: same key %q as the first file", name, same)
		}
	}
	if key(file("/a", "L1", "m1")) != same {
		t.Error("the same file has two keys")
	}
	if key(file("", "L1", "m1")) != "(kept)" {
		t.Error("a file without a path is merged by its layer and content")
	}
	if k, ok := DescribeImageSensitiveFileList.Key(&SensitiveFileType{SensitiveFileKey: String{"aws_access_key", true}}); !ok || k != "aws_access_key" {
		t.Errorf("a type's key is %q, %v; want its SensitiveFileKey", k, ok)
	}
	if _, ok := DescribeImageSensitiveFileList.Key(&SensitiveFileType{}); ok {
		t.Error("a type without a key is merged with another")
	}
}

// The sensitive-file operations as the paging engine's contract sees them
// (TestListOperationsPageThroughTheEngine): answers in the envelope, Code
// a number on even pages; a type is its key, a file its path, layer and
// content (the same path recurs in two layers).
var (
	sensitiveTypesListOperation = listOperation{
		name: "DescribeImageSensitiveFileList", action: ActionDescribeImageSensitiveFileList, noun: "secret types",
		record: func(i int) (string, string) {
			key := fmt.Sprintf("key_%05d", i)
			return fmt.Sprintf(`{"SensitiveFileKey":%q,"RiskLevel":"high","Status":"%d","Count":"%d","UnprocessedNum":%d}`, key, i%2, 1+i%4, 1-i%2), key
		},
		page: sensitivePageBody,
		list: func(ctx context.Context, c *Client, opts ListOptions) (listResult, error) {
			l, err := List(ctx, c, DescribeImageSensitiveFileList, SensitiveFileQuery{ImageUuid: "u-1", Lang: "en"}, opts)
			return resultOf(l, err, func(t *SensitiveFileType) (string, bool) { return t.SensitiveFileKey.Value, true })
		},
	}
	sensitiveFilesListOperation = listOperation{
		name: "DescribeImageSensitiveFileByKey", action: ActionDescribeImageSensitiveFileByKey, noun: "secret files",
		record: func(i int) (string, string) {
			path, layer, md5 := fmt.Sprintf("/app/conf/%d/.env", i/2), fmt.Sprintf("layer-%d", i%2), fmt.Sprintf("md5-%d", i/2)
			return fmt.Sprintf(`{"FilePath":%q,"LayerDigest":%q,"Md5":%q,"Promt":"AKIA************"}`, path, layer, md5), path + "|" + layer + "|" + md5
		},
		page: sensitivePageBody,
		list: func(ctx context.Context, c *Client, opts ListOptions) (listResult, error) {
			l, err := List(ctx, c, DescribeImageSensitiveFileByKey, SensitiveFileKeyQuery{ImageUuid: "u-1", SensitiveFileKey: "aws_access_key"}, opts)
			return resultOf(l, err, func(f *SensitiveFile) (string, bool) {
				return f.FilePath.Value + "|" + f.LayerDigest.Value + "|" + f.Md5.Value, true
			})
		},
	}
)

// sensitivePageBody wraps records in the sensitive-file operations'
// envelope and PageInfo, Code a number on even pages.
func sensitivePageBody(records []string, page, servedSize, total int) string {
	size, code := "", `"200"`
	if servedSize >= 0 {
		size = fmt.Sprintf(`"PageSize":%d,`, servedSize)
	}
	if page%2 == 0 {
		code = "200"
	}
	return fmt.Sprintf(`{"RequestId":"R","Success":true,"Code":%s,"HttpStatusCode":200,"Message":"successful",`+
		`"PageInfo":{"CurrentPage":%d,%s"TotalCount":%d,"Count":%d,"LastRowKey":"Q0FFUw=="},"SensitiveFileList":[%s]}`,
		code, page, size, total, len(records), strings.Join(records, ","))
}
