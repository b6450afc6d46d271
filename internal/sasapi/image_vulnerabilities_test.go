package sasapi

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
)

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	body, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// The example holds one row in the documented shape and one with every
// quirk: numbers as strings, ExtendContentJson and Layers as JSON inside
// strings, two CVE ids in Related, a zero and an empty timestamp.
func TestDecodeImageVulListExample(t *testing.T) {
	body := readTestdata(t, "describe-image-vul-list-example.json")
	page, err := DescribeImageVulList.Read(body)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if page.RequestID != "1683938C-3E5A-5E2B-9F6C-9E1B8D4C2A10" || page.TotalCount != (Int{2, true}) ||
		page.PageSize != (Int{10, true}) || len(page.Items) != 2 {
		t.Fatalf("decoded %+v", page)
	}
	if resp, err := decodeImageVulListPageReflect(body); err != nil || resp.CurrentPage != (Int{1, true}) {
		t.Fatalf("CurrentPage decoded as %+v, %v; want 1", resp, err)
	}
	uuid := String{"12f80307-60aa-4efa-863a-56d72fb****", true}
	digest := String{"6a5e9a7d1c8e0b3f4d2a6c9e8b7f1a0d3c5e7b9a1f2d4c6e8a0b2d4f6a8c0e2b", true}
	want := []VulRecord{
		{
			Name:            String{"debian:10:CVE-2019-9893", true},
			AliasName:       String{"CVE-2019-9893: libseccomp incorrect generation of syscall filters", true},
			Related:         CommaList{[]string{"CVE-2019-9893"}, true},
			Type:            String{"cve", true},
			Necessity:       String{"asap", true},
			Status:          Int{VulStatusUnfixed, true},
			CanFix:          String{"yes", true},
			CanUpdate:       Bool{true, true},
			PrimaryId:       Int{100921761, true},
			Uuid:            uuid,
			Image:           String{"registry.cn-hangzhou.aliyuncs.com/sas-script-test/app:1.0", true},
			ImageDigest:     digest,
			RepoName:        String{"app", true},
			RepoNamespace:   String{"sas-script-test", true},
			Tag:             String{"oval", true},
			RuleTag:         String{"", true},
			Layers:          StringList{[]string{"8f6f4c7e2b1a", "3a2b1c0d9e8f"}, true},
			FirstTs:         Int{1654156800000, true},
			LastTs:          Int{1721363159000, true},
			ModifyTs:        Int{1721363159000, true},
			ScanTime:        Int{1721363159000, true},
			MaliciousSource: String{"image", true},
			ExtendContentJson: VulExtendContent{
				Os: String{"debian", true}, OsRelease: String{"10.9", true}, Valid: true,
				RpmEntityList: []VulPackage{{
					Name:        String{"libseccomp2", true},
					Version:     String{"2.3.3-4", true},
					FullVersion: String{"2.3.3-4", true},
					Path:        String{"/usr/lib/x86_64-linux-gnu/libseccomp.so.2", true},
					Layer:       String{"8f6f4c7e2b1a", true},
					MatchDetail: String{"libseccomp2 version less than equals 2.3.3-4", true},
					MatchList:   StringList{[]string{"libseccomp2 version less than equals 2.3.3-4"}, true},
					UpdateCmd:   String{"apt-get update && apt-get install libseccomp2 --only-upgrade", true},
				}},
			},
		},
		{
			Name:        String{"debian:10:CVE-2021-3711", true},
			AliasName:   String{"CVE-2021-3711, CVE-2021-3712: openssl", true},
			Related:     CommaList{[]string{"CVE-2021-3711", "CVE-2021-3712"}, true},
			Type:        String{"cve", true},
			Necessity:   String{"later", true},
			Status:      Int{VulStatusFixed, true},
			CanFix:      String{"no", true},
			CanUpdate:   Bool{false, true},
			PrimaryId:   Int{100921762, true},
			Uuid:        uuid,
			ImageDigest: digest,
			Layers:      StringList{[]string{"3a2b1c0d9e8f"}, true},
			FirstTs:     Int{1654156800000, true},
			LastTs:      Int{0, true},
			ExtendContentJson: VulExtendContent{
				Os: String{"debian", true}, OsRelease: String{"10.9", true}, Valid: true,
				RpmEntityList: []VulPackage{{
					Name:      String{"openssl", true},
					Version:   String{"1.1.1d-0+deb10u6", true},
					UpdateCmd: String{"apt-get install openssl --only-upgrade", true},
				}},
			},
		},
	}
	for i := range want {
		if !reflect.DeepEqual(page.Items[i], want[i]) {
			t.Errorf("row %d =\n%+v\nwant\n%+v", i, page.Items[i], want[i])
		}
	}
}

// ExtendContentJson is documented as an object; a string holding one is
// accepted, and an empty one is absent, not an error.
func TestVulExtendContentForms(t *testing.T) {
	debian := VulExtendContent{Os: String{"debian", true}, Valid: true}
	cases := []struct {
		name    string
		raw     string
		want    VulExtendContent
		wantErr bool
	}{
		{name: "object", raw: `{"Os":"debian"}`, want: debian},
		{name: "string holding an object", raw: `"{\"Os\":\"debian\"}"`, want: debian},
		{name: "string holding an object, padded", raw: `" {\"Os\":\"debian\"} "`, want: debian},
		{name: "empty object", raw: `{}`, want: VulExtendContent{Valid: true}},
		{name: "null packages", raw: `{"RpmEntityList":null}`, want: VulExtendContent{Valid: true}},
		{name: "empty packages", raw: `"{\"RpmEntityList\":[]}"`, want: VulExtendContent{RpmEntityList: []VulPackage{}, Valid: true}},
		{name: "missing", raw: ``, want: VulExtendContent{}},
		{name: "null", raw: `null`, want: VulExtendContent{}},
		{name: "empty string", raw: `""`, want: VulExtendContent{}},
		{name: "blank string", raw: `"  "`, want: VulExtendContent{}},
		{name: "string holding null", raw: `"null"`, want: VulExtendContent{}},
		{name: "numbers as strings inside", raw: `"{\"OsRelease\":10.9,\"RpmEntityList\":[{\"Version\":2}]}"`,
			want: VulExtendContent{OsRelease: String{"10.9", true}, RpmEntityList: []VulPackage{{Version: String{"2", true}}}, Valid: true}},
		{name: "string holding broken JSON", raw: `"{\"Os\":"`, wantErr: true},
		{name: "string holding an array", raw: `"[]"`, wantErr: true},
		{name: "array", raw: `[]`, wantErr: true},
		{name: "number", raw: `5`, wantErr: true},
		{name: "wrong field type", raw: `{"RpmEntityList":{}}`, wantErr: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decodeField[VulExtendContent](tc.raw)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("decoded %s as %+v, want an error", tc.raw, got)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("decode %s = %+v, %v; want %+v", tc.raw, got, err, tc.want)
			}
		})
	}
}

// Absent fields stay unknown, never a made-up zero, by either route.
func TestDecodeVulRecordAbsentFieldsAreUnknown(t *testing.T) {
	body := []byte(`{"TotalCount":1,"VulRecords":[{}]}`)
	routes := map[string]func([]byte) (Page[VulRecord], error){
		"hand-written": DescribeImageVulList.FastDecode, "encoding/json": DescribeImageVulList.Decode,
	}
	for route, decode := range routes {
		page, err := decode(body)
		if err != nil {
			t.Fatalf("%s: %v", route, err)
		}
		if !reflect.DeepEqual(page.Items, []VulRecord{{}}) {
			t.Errorf("%s: an empty row decoded as %+v", route, page.Items)
		}
		if page.PageSize.Valid || page.RequestID != "" {
			t.Errorf("%s: absent page fields decoded as present: %+v", route, page)
		}
	}
}

// A 200 body without TotalCount is not "no vulnerabilities": the listing
// fails with a DecodeError, retried when the body may be a gateway's empty
// answer, never read as an empty list.
func TestImageVulListingRejectsNonAnswers(t *testing.T) {
	cases := []struct {
		name, body string
		retryable  bool
	}{
		{"empty body", ``, true},
		{"empty object", `{}`, true},
		{"null", `null`, true},
		{"records without TotalCount", `{"RequestId":"R","VulRecords":[]}`, true},
		{"TotalCount in a PageInfo", `{"PageInfo":{"TotalCount":3},"VulRecords":[]}`, true},
		{"truncated", `{"TotalCount":1,"VulRecords":[{"Name":"a"`, true},
		{"negative TotalCount", `{"TotalCount":-1}`, false},
		{"TotalCount not a number", `{"TotalCount":"many"}`, false},
		{"array", `[]`, false},
		{"malformed row", `{"TotalCount":1,"VulRecords":[{"Status":"unfixed"}]}`, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			checkListingRejects(t, tc.body, tc.retryable, func(c *Client) (int, error) {
				l, err := List(context.Background(), c, DescribeImageVulList, ImageVulQuery{Digest: "d"}, ListOptions{})
				return countOf(l), err
			})
		})
	}
}

// checkListingRejects serves body to every request of list, with one
// retry allowed, and checks that the listing fails with a *DecodeError,
// retried exactly when it should be.
func checkListingRejects(t *testing.T, body string, retryable bool, list func(c *Client) (records int, err error)) {
	t.Helper()
	var rec queryRecorder
	c := clientFor(t, rec.serve(t, http.StatusOK, body), withMaxRetries(1))
	n, err := list(c)
	var de *DecodeError
	if n >= 0 || !errors.As(err, &de) {
		t.Fatalf("listing of %d records, error %v; want no listing and a *DecodeError", n, err)
	}
	if de.Retryable() != retryable {
		t.Errorf("retryable = %v, want %v (%v)", de.Retryable(), retryable, err)
	}
	wantRequests := 1
	if retryable {
		wantRequests = 2
	}
	if len(rec.queries) != wantRequests {
		t.Errorf("%d requests, want %d", len(rec.queries), wantRequests)
	}
}

func TestDecodeVulDetailsExample(t *testing.T) {
	page, err := DescribeVulDetails.Read(readTestdata(t, "describe-vul-details-example.json"))
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	if page.RequestID != "0A2B4C6D-8E0F-4A1B-9C3D-5E7F9A1B3C5D" || len(page.Items) != 2 {
		t.Fatalf("decoded %+v", page)
	}
	want := []CVE{
		{
			CveId: String{"CVE-2021-3711", true}, OtherId: String{"", true}, CvssScore: Float{9.8, true},
			CvssVector: String{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", true}, VulLevel: String{"serious", true},
			Title:     String{"OpenSSL SM2 decryption buffer overflow", true},
			Summary:   String{"In order to decrypt SM2 encrypted data an application is expected to call the API function EVP_PKEY_decrypt().", true},
			Solution:  String{"<p>Upgrade openssl.</p>", true},
			Classify:  String{"remote_code_execution", true},
			Classifys: []CVEClassify{{Classify: String{"remote_code_execution", true}, Description: String{"Remote code execution", true}, DemoVideoUrl: String{"", true}}},
			CveLink:   String{"https://avd.aliyun.com/detail?id=AVD-2021-3711", true}, Reference: String{"https://www.openssl.org/news/secadv/20210824.txt", true},
			ReleaseTime: Int{1629763200000, true},
		},
		{CveId: String{"CVE-2021-3712", true}, VulLevel: String{"medium", true}, ReleaseTime: Int{1629763200000, true}},
	}
	for i := range want {
		if !reflect.DeepEqual(page.Items[i], want[i]) {
			t.Errorf("CVE %d =\n%+v\nwant\n%+v", i, page.Items[i], want[i])
		}
	}
}

// A name without any CVE is a valid answer with an empty list; a body that
// is not an answer at all is an error.
func TestDecodeVulDetailsShapes(t *testing.T) {
	cases := []struct {
		name, body string
		wantCves   int
		wantErr    bool
		retryable  bool
	}{
		{name: "empty Cves", body: `{"RequestId":"R","Cves":[]}`, wantCves: 0},
		{name: "null Cves", body: `{"RequestId":"R","Cves":null}`, wantCves: 0},
		{name: "no Cves", body: `{"RequestId":"R"}`, wantCves: 0},
		{name: "Cves without RequestId", body: `{"Cves":[{"CveId":"CVE-1"}]}`, wantCves: 1},
		{name: "empty object", body: `{}`, wantErr: true, retryable: true},
		{name: "empty body", body: ``, wantErr: true, retryable: true},
		{name: "null", body: `null`, wantErr: true, retryable: true},
		{name: "array", body: `[]`, wantErr: true},
		{name: "Cves an object", body: `{"RequestId":"R","Cves":{}}`, wantErr: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			page, err := DescribeVulDetails.Read([]byte(tc.body))
			if tc.wantErr {
				if err == nil || !reflect.ValueOf(page).IsZero() {
					t.Fatalf("Read = %+v, %v; want an error", page, err)
				}
				if got := (&DecodeError{Err: err}).Retryable(); got != tc.retryable {
					t.Errorf("retryable = %v, want %v (%v)", got, tc.retryable, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if page.Items == nil || len(page.Items) != tc.wantCves {
				t.Errorf("Cves = %#v, want %d (never nil)", page.Items, tc.wantCves)
			}
		})
	}
}

func TestParseYesNo(t *testing.T) {
	cases := []struct {
		in   String
		want Bool
	}{
		{String{"yes", true}, Bool{true, true}},
		{String{"YES", true}, Bool{true, true}},
		{String{"no", true}, Bool{false, true}},
		{String{" No ", true}, Bool{false, true}},
		{String{"1", true}, Bool{true, true}},
		{String{"false", true}, Bool{false, true}},
		{String{"", true}, Bool{}},
		{String{"maybe", true}, Bool{}},
		{String{}, Bool{}},
	}
	for _, tc := range cases {
		if got := ParseYesNo(tc.in); got != tc.want {
			t.Errorf("ParseYesNo(%+v) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

// queryRecorder is a stub service that answers every request with body
// and keeps the query of each.
type queryRecorder struct {
	mu      sync.Mutex
	queries []url.Values
	actions []string
}

func (q *queryRecorder) serve(t *testing.T, status int, body string) string {
	endpoint, _ := stubServer(t, func(w http.ResponseWriter, r *http.Request) {
		q.mu.Lock()
		q.queries = append(q.queries, r.URL.Query())
		q.actions = append(q.actions, cmpOr(r.Header.Get("x-acs-action"), r.URL.Query().Get("Action")))
		q.mu.Unlock()
		w.Header().Set("x-acs-request-id", "STUB-REQUEST-ID")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	})
	return endpoint
}

// checkQuery compares the request parameters with want: nothing missing,
// nothing more than the generic client's own.
func checkQuery(t *testing.T, got url.Values, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if got.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, got.Get(k), v)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok && !isGenericParameter(k) {
			t.Errorf("unexpected parameter %s=%q", k, got.Get(k))
		}
	}
}

func isGenericParameter(name string) bool {
	switch name {
	case "Action", "Version", "Format", "Timestamp", "SignatureMethod", "SignatureVersion", "SignatureNonce", "AccessKeyId", "Signature", "SecurityToken", "RegionId":
		return true
	}
	return false
}

func TestImageVulQueryReachesTheService(t *testing.T) {
	full := ImageVulQuery{
		Uuids: []string{"u-1", "u-2", "u-3"}, Digest: "6a5e9a7d", RepoName: "app", RepoNamespace: "team",
		RepoId: "repo-1", RepoInstanceId: "cri-1", RepoRegionId: "cn-hangzhou", Name: "debian:10:CVE-2019-9893",
		Necessity: "asap", StatusList: "1", Lang: "en",
	}
	cases := []struct {
		name  string
		query ImageVulQuery
		want  map[string]string
	}{
		{name: "empty query sends only Type", query: ImageVulQuery{},
			want: map[string]string{"Type": "cve", "CurrentPage": "1", "PageSize": "50"}},
		{name: "every scope and filter", query: full, want: map[string]string{
			"Type": "cve", "Uuids": "u-1,u-2,u-3", "Digest": "6a5e9a7d", "RepoName": "app", "RepoNamespace": "team",
			"RepoId": "repo-1", "RepoInstanceId": "cri-1", "RepoRegionId": "cn-hangzhou", "Name": "debian:10:CVE-2019-9893",
			"Necessity": "asap", "StatusList": "1", "Lang": "en", "CurrentPage": "1", "PageSize": "50",
		}},
		{name: "another Type", query: ImageVulQuery{Type: "sca"},
			want: map[string]string{"Type": "sca", "CurrentPage": "1", "PageSize": "50"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var rec queryRecorder
			c := clientFor(t, rec.serve(t, http.StatusOK, `{"RequestId":"R","TotalCount":0,"VulRecords":[]}`))
			if _, err := List(context.Background(), c, DescribeImageVulList, tc.query, ListOptions{PageSize: 50}); err != nil {
				t.Fatal(err)
			}
			if len(rec.queries) != 1 {
				t.Fatalf("%d requests, want 1", len(rec.queries))
			}
			checkQuery(t, rec.queries[0], tc.want)
			if rec.actions[0] != ActionDescribeImageVulList {
				t.Errorf("action = %q", rec.actions[0])
			}
		})
	}
}

// Every page of a listing carries the whole query, not just the first.
func TestListImageVulnerabilitiesSendsTheQueryOnEveryPage(t *testing.T) {
	op := listOperations[1]
	records, _ := dataset(op, 0, 25)
	svc := &pagedService{op: op, records: records, announceSize: true, totalOverride: -1}
	endpoint, _ := stubServer(t, svc.serveHTTP(t))
	c := clientFor(t, endpoint)
	query := ImageVulQuery{Uuids: []string{"a", "b"}, RepoRegionId: "cn-shanghai", Necessity: "asap", Lang: "en"}
	if _, err := List(context.Background(), c, DescribeImageVulList, query, ListOptions{PageSize: 10, MaxConcurrency: 2}); err != nil {
		t.Fatal(err)
	}
	if len(svc.queries) != 3 {
		t.Fatalf("%d requests, want 3", len(svc.queries))
	}
	for _, q := range svc.queries {
		for k, v := range map[string]string{"Type": "cve", "Uuids": "a,b", "RepoRegionId": "cn-shanghai", "Necessity": "asap", "Lang": "en", "PageSize": "10"} {
			if q[k] != v {
				t.Errorf("page %s: %s = %q, want %q", q["CurrentPage"], k, q[k], v)
			}
		}
	}
}

// A Uuid that would change the meaning of the comma-separated list is
// refused before anything is sent, by a call and by a listing.
func TestImageVulQueryRejectsBadUuids(t *testing.T) {
	for _, uuids := range [][]string{{""}, {"a", ""}, {"a,b"}} {
		var rec queryRecorder
		c := clientFor(t, rec.serve(t, http.StatusOK, `{"TotalCount":0}`))
		_, err := Call(context.Background(), c, DescribeImageVulList, ImageVulQuery{Uuids: uuids})
		listing, listErr := List(context.Background(), c, DescribeImageVulList, ImageVulQuery{Uuids: uuids}, ListOptions{})
		if err == nil || listErr == nil || listing != nil {
			t.Errorf("Uuids %q: errors %v, %v; want both refused", uuids, err, listErr)
		}
		if len(rec.queries) != 0 {
			t.Errorf("Uuids %q: %d requests sent", uuids, len(rec.queries))
		}
	}
}

// One call carries at most UuidsPerRequest Uuids: more is refused, not
// split (only a listing splits a query) and not sent as one long URL.
func TestCallOfImageVulListRefusesMoreUuidsThanOneRequestCarries(t *testing.T) {
	var rec queryRecorder
	c := clientFor(t, rec.serve(t, http.StatusOK, `{"TotalCount":0}`))
	uuids := fakeUUIDs(scannedImages(UuidsPerRequest + 1))
	if _, err := Call(context.Background(), c, DescribeImageVulList, ImageVulQuery{Uuids: uuids}); err == nil || !strings.Contains(err.Error(), ActionDescribeImageVulList) {
		t.Errorf("Call with %d Uuids: error %v, want a refusal naming the action", len(uuids), err)
	}
	if _, err := Call(context.Background(), c, DescribeImageVulList, ImageVulQuery{Uuids: uuids[:UuidsPerRequest]}); err != nil {
		t.Errorf("Call with %d Uuids: %v", UuidsPerRequest, err)
	}
	if len(rec.queries) != 1 {
		t.Errorf("%d requests, want 1: the call of %d Uuids", len(rec.queries), UuidsPerRequest)
	}
}

func TestDescribeVulDetailsRequest(t *testing.T) {
	cases := []struct {
		name string
		req  DescribeVulDetailsRequest
		want map[string]string
	}{
		{name: "Type defaults to cve", req: DescribeVulDetailsRequest{Name: "debian:10:CVE-2019-9893", Lang: "en"},
			want: map[string]string{"Name": "debian:10:CVE-2019-9893", "Type": "cve", "Lang": "en"}},
		{name: "every field", req: DescribeVulDetailsRequest{Name: "n", Type: "sca", Lang: "zh", AliasName: "alias"},
			want: map[string]string{"Name": "n", "Type": "sca", "Lang": "zh", "AliasName": "alias"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var rec queryRecorder
			c := clientFor(t, rec.serve(t, http.StatusOK, `{"RequestId":"R","Cves":[{"CveId":"CVE-1","CvssScore":"7.5"}]}`))
			page, err := Call(context.Background(), c, DescribeVulDetails, tc.req)
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Items) != 1 || page.Items[0].CvssScore != (Float{7.5, true}) || page.RequestID != "R" {
				t.Errorf("page = %+v", page)
			}
			checkQuery(t, rec.queries[0], tc.want)
			if rec.actions[0] != ActionDescribeVulDetails {
				t.Errorf("action = %q", rec.actions[0])
			}
		})
	}

	var rec queryRecorder
	c := clientFor(t, rec.serve(t, http.StatusOK, `{}`))
	if _, err := Call(context.Background(), c, DescribeVulDetails, DescribeVulDetailsRequest{Lang: "en"}); err == nil || len(rec.queries) != 0 {
		t.Errorf("a request without Name: error %v after %d requests; want an error before any", err, len(rec.queries))
	}
}

// A missing permission names the action, so the caller can name the RAM
// action to grant; the category says what kind of failure it is.
func TestVulnerabilityOperationsReportTheirAction(t *testing.T) {
	const denied = `{"RequestId":"D","Code":"NoPermission","Message":"caller has no permission"}`
	calls := map[string]func(c *Client) error{
		ActionDescribeImageVulList: func(c *Client) error {
			_, err := List(context.Background(), c, DescribeImageVulList, ImageVulQuery{Digest: "d"}, ListOptions{})
			return err
		},
		ActionDescribeVulDetails: func(c *Client) error {
			_, err := Call(context.Background(), c, DescribeVulDetails, DescribeVulDetailsRequest{Name: "n", Lang: "en"})
			return err
		},
	}
	for action, call := range calls {
		t.Run(action, func(t *testing.T) {
			var rec queryRecorder
			c := clientFor(t, rec.serve(t, http.StatusForbidden, denied))
			err := call(c)
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.Action != action || apiErr.RequestID == "" {
				t.Fatalf("error = %#v, want an APIError of %s with its request id", err, action)
			}
			if CategoryOf(err) != CategoryPermission || !strings.Contains(err.Error(), action) {
				t.Errorf("CategoryOf = %v, message %q; want permission, naming %s", CategoryOf(err), err, action)
			}
			if len(rec.queries) != 1 {
				t.Errorf("%d requests, want 1 (not retried)", len(rec.queries))
			}
		})
	}
}
