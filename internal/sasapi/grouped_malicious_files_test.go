package sasapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// The reference's example with the service's loose forms: ImageCount (an
// int64) and Status as numeric strings, a time missing, PageInfo as
// strings; no envelope (RequestId only).
func TestDescribeGroupedMaliciousFilesDecodes(t *testing.T) {
	body := `{"RequestId":"8045E03E","PageInfo":{"CurrentPage":"1","PageSize":"20","TotalCount":"2","Count":"2"},
	"GroupedMaliciousFileResponse":[
	 {"MaliciousMd5":"d836","MaliciousName":"Mining program","MaliciousKey":"MINING_IMG","Level":"serious","Status":"0",
	  "ImageCount":"9007199254740993","FirstScanTimestamp":1712102400000,"LatestScanTimestamp":"1719993600000"},
	 {"MaliciousMd5":"5e6f","MaliciousName":"PHP webshell","MaliciousKey":"WEBSHELL_IMG","Level":"suspicious","Status":3,"ImageCount":1}]}`
	page, err := DescribeGroupedMaliciousFiles.Read([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if page.RequestID != "8045E03E" || page.TotalCount != (Int{2, true}) || page.PageSize != (Int{20, true}) || len(page.Items) != 2 {
		t.Fatalf("page %+v", page)
	}
	want := []MaliciousSample{
		{
			MaliciousMd5: String{"d836", true}, MaliciousName: String{"Mining program", true}, MaliciousKey: String{"MINING_IMG", true},
			Level: String{"serious", true}, Status: Int{MaliciousStatusUnhandled, true}, ImageCount: Int{9007199254740993, true},
			FirstScanTimestamp: Int{1712102400000, true}, LatestScanTimestamp: Int{1719993600000, true},
		},
		{
			MaliciousMd5: String{"5e6f", true}, MaliciousName: String{"PHP webshell", true}, MaliciousKey: String{"WEBSHELL_IMG", true},
			Level: String{"suspicious", true}, Status: Int{MaliciousStatusWhitelisted, true}, ImageCount: Int{1, true},
		},
	}
	for k := range want {
		if page.Items[k] != want[k] {
			t.Errorf("sample %d\n%+v\nwant\n%+v", k, page.Items[k], want[k])
		}
	}
}

// An answer without PageInfo is not read as "no malware": the listing
// fails with a decoding error, for both malicious-file operations (and
// the sensitive-file ones, whose envelope says Success).
func TestAnswersWithoutPageInfoAreNotEmptyListings(t *testing.T) {
	body := `{"RequestId":"R-7","Success":true,"Code":"200"}`
	endpoint, _ := stubServer(t, func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, body) })
	c := clientFor(t, endpoint, withMaxRetries(0))
	ctx := context.Background()
	for action, list := range map[string]func() error{
		ActionDescribeAffectedMaliciousFileImages: func() error {
			_, err := List(ctx, c, DescribeAffectedMaliciousFileImages, MaliciousFileQuery{ImageDigest: "d"}, ListOptions{})
			return err
		},
		ActionDescribeGroupedMaliciousFiles: func() error {
			_, err := List(ctx, c, DescribeGroupedMaliciousFiles, MaliciousFileQuery{ImageDigest: "d"}, ListOptions{})
			return err
		},
		ActionDescribeImageSensitiveFileList: func() error {
			_, err := List(ctx, c, DescribeImageSensitiveFileList, SensitiveFileQuery{ImageUuid: "u"}, ListOptions{})
			return err
		},
		ActionDescribeImageSensitiveFileByKey: func() error {
			_, err := List(ctx, c, DescribeImageSensitiveFileByKey, SensitiveFileKeyQuery{ImageUuid: "u", SensitiveFileKey: "k"}, ListOptions{})
			return err
		},
	} {
		var decodeErr *DecodeError
		if err := list(); !errors.As(err, &decodeErr) || !strings.Contains(err.Error(), "no TotalCount") {
			t.Errorf("%s: error %v, want a decoding error naming the missing TotalCount", action, err)
		}
	}
}
