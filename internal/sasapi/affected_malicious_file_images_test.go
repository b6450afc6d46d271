package sasapi

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// Both malicious-file operations send the scan range as repeated keys
// (ScanRange.1=image, no JSON), the levels as one comma string, and
// nothing for an empty filter.
func TestMaliciousFileParams(t *testing.T) {
	cases := []struct {
		name  string
		query MaliciousFileQuery
		want  map[string]string
	}{
		{"digest only", MaliciousFileQuery{ImageDigest: "d1"},
			map[string]string{"ScanRange.1": "image", "ImageDigest": "d1"}},
		{"every filter", MaliciousFileQuery{
			ImageDigest: "d1", ImageTag: "1.4.2", RepoName: "payments-api", RepoNamespace: "prod", RepoInstanceId: "cri-1", RepoRegionId: "cn-hangzhou",
			Levels: []string{"serious", "suspicious"}, MaliciousMd5: "m1", Lang: "en",
		}, map[string]string{
			"ScanRange.1": "image", "ImageDigest": "d1", "ImageTag": "1.4.2", "RepoName": "payments-api", "RepoNamespace": "prod",
			"RepoInstanceId": "cri-1", "RepoRegionId": "cn-hangzhou", "Levels": "serious,suspicious", "MaliciousMd5": "m1", "Lang": "en",
		}},
		{"one level", MaliciousFileQuery{RepoName: "r", Levels: []string{"remind"}},
			map[string]string{"ScanRange.1": "image", "RepoName": "r", "Levels": "remind"}},
	}
	for _, op := range []struct {
		action string
		params func(MaliciousFileQuery) (map[string]string, error)
	}{
		{ActionDescribeAffectedMaliciousFileImages, DescribeAffectedMaliciousFileImages.Params},
		{ActionDescribeGroupedMaliciousFiles, DescribeGroupedMaliciousFiles.Params},
	} {
		for _, tc := range cases {
			t.Run(op.action+"/"+tc.name, func(t *testing.T) {
				got, err := op.params(tc.query)
				if err != nil || !maps.Equal(got, tc.want) {
					t.Errorf("params %v, %v; want %v", got, err, tc.want)
				}
			})
		}
		for _, bad := range []MaliciousFileQuery{
			{},                               // no scope: every image of the account
			{MaliciousMd5: "m1", Lang: "en"}, // filters are not a scope
			{ImageDigest: "d", Levels: []string{""}},
			{ImageDigest: "d", Levels: []string{"serious,remind"}},
		} {
			if got, err := op.params(bad); err == nil {
				t.Errorf("%s %+v: params %v, want an error", op.action, bad, got)
			}
		}
	}
}

// The reference's example with the service's loose forms: Id, Status and
// times as numeric strings, LatestVerifyTimestamp missing, HighLight JSON
// inside a string, fields the model does not read (DownloadUrl among them).
func TestDescribeAffectedMaliciousFileImagesDecodes(t *testing.T) {
	body := `{"RequestId":"ACF97412","PageInfo":{"CurrentPage":1,"PageSize":"20","TotalCount":"2","Count":2},
	"AffectedMaliciousFileImagesResponse":[
	 {"Id":"1000040","ImageUuid":"4c1e","Uuid":"","MaliciousMd5":"d836","Level":"serious","Status":"0",
	  "FilePath":"/usr/local/bin/kdevtmpfsi","Layer":"2721","Digest":"b194","Image":"registry/prod/payments-api:v2.4.1","Tag":"v2.4.1",
	  "RepoId":"crr-1","RepoInstanceId":"cri-1","RepoName":"payments-api","RepoRegionId":"cn-hangzhou","Namespace":"prod",
	  "ClusterId":"","Pod":"","TargetType":"",
	  "FirstScanTimestamp":"1717401600000","LatestScanTimestamp":1719993600000,
	  "HighLight":"{\"ruleVersion\":\"highlight_20240601\",\"ruleId\":600106,\"events\":[[2,54]]}",
	  "DownloadUrl":"https://aegis-metadata-file.oss-cn-shanghai.aliyuncs.com/sample?Signature=canary-sig"},
	 {"Id":1000041,"ImageUuid":"4c1e","MaliciousMd5":"5e6f","Level":"suspicious","Status":3,"FilePath":"/var/www/html/upload/shell.php",
	  "LatestVerifyTimestamp":0,"HighLight":"","DownloadUrl":""}]}`
	page, err := DescribeAffectedMaliciousFileImages.Read([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if page.RequestID != "ACF97412" || page.TotalCount != (Int{2, true}) || page.PageSize != (Int{20, true}) || len(page.Items) != 2 {
		t.Fatalf("page %+v", page)
	}
	want := MaliciousFile{
		ImageUuid: String{"4c1e", true}, Id: Int{1000040, true}, MaliciousMd5: String{"d836", true}, Level: String{"serious", true},
		Status: Int{MaliciousStatusUnhandled, true}, FilePath: String{"/usr/local/bin/kdevtmpfsi", true}, Layer: String{"2721", true},
		Digest: String{"b194", true}, Image: String{"registry/prod/payments-api:v2.4.1", true}, Tag: String{"v2.4.1", true},
		RepoId: String{"crr-1", true}, RepoInstanceId: String{"cri-1", true}, RepoName: String{"payments-api", true},
		RepoRegionId: String{"cn-hangzhou", true}, Namespace: String{"prod", true},
		FirstScanTimestamp: Int{1717401600000, true}, LatestScanTimestamp: Int{1719993600000, true},
	}
	if page.Items[0] != want {
		t.Errorf("file\n%+v\nwant\n%+v", page.Items[0], want)
	}
	second := page.Items[1]
	if second.Status != (Int{MaliciousStatusWhitelisted, true}) || second.Id != (Int{1000041, true}) ||
		second.LatestVerifyTimestamp != (Int{0, true}) || second.FirstScanTimestamp.Valid || second.Digest.Valid {
		t.Errorf("second file %+v: want Status 3, Id 1000041, a zero verify time and the missing fields null", second)
	}
	if strings.Contains(fmt.Sprintf("%#v", page), "canary-sig") {
		t.Error("the download link was read")
	}
}

// The link to download the malware sample is not a field of the model: a
// caller cannot read it, store it or print it by mistake.
func TestMaliciousFileHasNoDownloadLink(t *testing.T) {
	for _, typ := range []reflect.Type{reflect.TypeFor[MaliciousFile](), reflect.TypeFor[MaliciousSample]()} {
		for f := range typ.Fields() {
			if strings.Contains(strings.ToLower(f.Name+" "+f.Tag.Get("json")), "download") {
				t.Errorf("%s has the field %s %s", typ, f.Name, f.Tag)
			}
		}
	}
}

// A record is its image's alert event, whatever else repeats: the same
// event id in two images (two records of one digest) is two records.
// Without an event id, a record is the same file of the same image;
// without image or sample, it is kept.
func TestMaliciousFileKey(t *testing.T) {
	key := func(f MaliciousFile) string {
		k, ok := DescribeAffectedMaliciousFileImages.Key(&f)
		if !ok {
			return "(kept)"
		}
		return k
	}
	s := func(v string) String { return String{v, true} }
	byID := MaliciousFile{Id: Int{7, true}, ImageUuid: s("u1"), MaliciousMd5: s("m1"), FilePath: s("/a")}
	if key(byID) != key(MaliciousFile{Id: Int{7, true}, ImageUuid: s("u1"), FilePath: s("/b")}) {
		t.Error("two records of one alert event of an image have two keys")
	}
	if key(byID) == key(MaliciousFile{Id: Int{7, true}, ImageUuid: s("u2"), MaliciousMd5: s("m1"), FilePath: s("/a")}) {
		t.Error("the same event id in two images merges their files")
	}
	if key(byID) == key(MaliciousFile{Id: Int{8, true}, ImageUuid: s("u1"), MaliciousMd5: s("m1"), FilePath: s("/a")}) {
		t.Error("two alert events share a key")
	}
	noID := MaliciousFile{ImageUuid: s("u1"), MaliciousMd5: s("m1"), FilePath: s("/a")}
	for name, other := range map[string]MaliciousFile{
		"another image":  {ImageUuid: s("u2"), MaliciousMd5: s("m1"), FilePath: s("/a")},
		"another sample": {ImageUuid: s("u1"), MaliciousMd5: s("m2"), FilePath: s("/a")},
		"another path":   {ImageUuid: s("u1"), MaliciousMd5: s("m1"), FilePath: s("/b")},
		"an event id 0":  {Id: Int{0, true}},
	} {
		if key(other) == key(noID) {
			t.Errorf("%s: same key as %+v", name, noID)
		}
	}
	if key(MaliciousFile{FilePath: s("/a")}) != "(kept)" {
		t.Error("a record with neither image nor sample is merged by its path")
	}
	if k, ok := DescribeGroupedMaliciousFiles.Key(&MaliciousSample{MaliciousMd5: s("m1")}); !ok || k != "m1" {
		t.Errorf("a sample's key is %q, %v; want its MD5", k, ok)
	}
	if _, ok := DescribeGroupedMaliciousFiles.Key(&MaliciousSample{MaliciousName: s("x")}); ok {
		t.Error("a sample without an MD5 is merged with another")
	}
}

// The malicious-file operations as the paging engine's contract sees them
// (TestListOperationsPageThroughTheEngine): a file is its alert event (the
// id a string on some records), or without one its image, sample and path;
// a sample is its MD5.
var (
	affectedMaliciousListOperation = listOperation{
		name: "DescribeAffectedMaliciousFileImages", action: ActionDescribeAffectedMaliciousFileImages, noun: "malicious files",
		record: func(i int) (string, string) {
			uuid, md5, path := fmt.Sprintf("img-%d", i/4), fmt.Sprintf("md5-%d", i%4), fmt.Sprintf("/p/%d", i)
			if i%2 == 0 {
				return fmt.Sprintf(`{"Id":"%d","ImageUuid":%q,"MaliciousMd5":%q,"FilePath":%q,"Status":"0"}`, 5000+i, uuid, md5, path), strconv.Itoa(5000 + i)
			}
			return fmt.Sprintf(`{"ImageUuid":%q,"MaliciousMd5":%q,"FilePath":%q,"Status":3}`, uuid, md5, path), uuid + "|" + md5 + "|" + path
		},
		page: pageInfoBody("AffectedMaliciousFileImagesResponse"),
		list: func(ctx context.Context, c *Client, opts ListOptions) (listResult, error) {
			l, err := List(ctx, c, DescribeAffectedMaliciousFileImages, MaliciousFileQuery{ImageDigest: "d1", Levels: []string{"serious"}}, opts)
			return resultOf(l, err, func(f *MaliciousFile) (string, bool) {
				if f.Id.Valid {
					return strconv.FormatInt(f.Id.Value, 10), true
				}
				return f.ImageUuid.Value + "|" + f.MaliciousMd5.Value + "|" + f.FilePath.Value, true
			})
		},
	}
	groupedMaliciousListOperation = listOperation{
		name: "DescribeGroupedMaliciousFiles", action: ActionDescribeGroupedMaliciousFiles, noun: "malware samples",
		record: func(i int) (string, string) {
			md5 := fmt.Sprintf("%032x", i)
			return fmt.Sprintf(`{"MaliciousMd5":%q,"MaliciousName":"sample %d","Level":"serious","ImageCount":"%d"}`, md5, i, 1+i%3), md5
		},
		page: pageInfoBody("GroupedMaliciousFileResponse"),
		list: func(ctx context.Context, c *Client, opts ListOptions) (listResult, error) {
			l, err := List(ctx, c, DescribeGroupedMaliciousFiles, MaliciousFileQuery{ImageDigest: "d1"}, opts)
			return resultOf(l, err, func(s *MaliciousSample) (string, bool) { return s.MaliciousMd5.Value, true })
		},
	}
)
