package fakesas

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestRealClientSignatureAccepted proves the fake verifies exactly what the
// real client signs, including values that stress the canonical encoding.
func TestRealClientSignatureAccepted(t *testing.T) {
	tricky := `支付 api/v+1&x=*'"~%20;,` + "\t!"
	img := Image{"Uuid": "u-tricky", "RepoName": tricky, "Tag": "a b"}
	s := startServer(t, Options{Images: []Image{img, {"Uuid": "u-other", "RepoName": "other"}}})
	client := newClient(t, s, defaultCreds)
	criteria, err := json.Marshal([]map[string]string{{"name": "repoName", "value": tricky, "logicalExp": "AND"}})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		query map[string]string
		want  []string
	}{
		{"no parameters", nil, []string{"u-tricky", "u-other"}},
		{"criteria with unicode, spaces and reserved characters", map[string]string{"Criteria": string(criteria)}, []string{"u-tricky"}},
		{"empty value and tilde", map[string]string{"Criteria": "", "LogicalExp": "AND", "PageSize": "10", "X~y": "~*"}, []string{"u-tricky", "u-other"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := mustCall(t, client, "DescribeImageInstances", tc.query)
			if got := pageOfUUIDs(t, body); strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
	// Recorded query values are the decoded originals.
	reqs := s.Requests()
	if got := reqs[1].Query.Get("Criteria"); got != string(criteria) {
		t.Fatalf("recorded Criteria %q, want %q", got, criteria)
	}
	if reqs[1].AccessKeyID != TestAccessKey || reqs[1].Status != 200 {
		t.Fatalf("record = %+v", reqs[1])
	}
}

func TestRealClientAuthErrors(t *testing.T) {
	s := startServer(t, Options{Credentials: map[string]Credential{
		"AK-plain":   {Secret: "s-plain"},
		"AK-sts":     {Secret: "s-sts", SecurityToken: "token-1"},
		"AK-expired": {Secret: "s-exp", SecurityToken: "token-2", Expired: true},
		"AK-denied":  {Secret: "s-denied", Denied: true},
	}})
	cases := []struct {
		name   string
		creds  creds
		code   string // "" = success
		status int
	}{
		{"plain key", creds{ak: "AK-plain", secret: "s-plain"}, "", 200},
		{"wrong secret", creds{ak: "AK-plain", secret: "nope"}, "SignatureDoesNotMatch", 400},
		{"unknown key", creds{ak: "AK-unknown", secret: "s-plain"}, "InvalidAccessKeyId.NotFound", 404},
		{"sts token ok", creds{ak: "AK-sts", secret: "s-sts", token: "token-1"}, "", 200},
		{"sts token mismatch", creds{ak: "AK-sts", secret: "s-sts", token: "token-x"}, "InvalidSecurityToken.Mismatch", 400},
		{"sts token missing", creds{ak: "AK-sts", secret: "s-sts"}, "InvalidSecurityToken.Mismatch", 400},
		{"token on a permanent key", creds{ak: "AK-plain", secret: "s-plain", token: "token-1"}, "InvalidSecurityToken.Mismatch", 400},
		{"sts token expired", creds{ak: "AK-expired", secret: "s-exp", token: "token-2"}, "InvalidSecurityToken.Expired", 400},
		{"denied", creds{ak: "AK-denied", secret: "s-denied"}, "NoPermission", 403},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := call(newClient(t, s, tc.creds), "DescribeImageInstances", nil)
			if tc.code == "" {
				if err != nil {
					t.Fatalf("want success, got %v", err)
				}
				return
			}
			wantSDKError(t, err, tc.code, tc.status)
		})
	}
}

// TestErrorBodyShape checks the JSON shape, headers and messages of errors.
func TestErrorBodyShape(t *testing.T) {
	s := startServer(t, Options{})
	resp := doRaw(t, s.Endpoint(), rawRequest{creds: creds{ak: "AK-unknown", secret: "x"}})
	if resp.err != nil {
		t.Fatal(resp.err)
	}
	if resp.status != http.StatusNotFound {
		t.Fatalf("status %d", resp.status)
	}
	if ct := resp.header.Get("Content-Type"); ct != "application/json;charset=utf-8" {
		t.Fatalf("Content-Type %q", ct)
	}
	if !strings.Contains(string(resp.body), "&product=Sas") {
		t.Errorf("Recommend should keep a literal '&' like the service: %s", resp.body)
	}
	var body map[string]string
	if err := json.Unmarshal(resp.body, &body); err != nil {
		t.Fatalf("decode %s: %v", resp.body, err)
	}
	want := map[string]string{
		"HostId":    "tds.aliyuncs.com",
		"Code":      "InvalidAccessKeyId.NotFound",
		"Message":   "Specified access key is not found.",
		"Recommend": "https://api.aliyun.com/troubleshoot?q=InvalidAccessKeyId.NotFound&product=Sas",
	}
	for k, v := range want {
		if body[k] != v {
			t.Errorf("%s = %q, want %q", k, body[k], v)
		}
	}
	if body["RequestId"] == "" || body["RequestId"] != resp.header.Get("x-acs-request-id") {
		t.Errorf("RequestId %q vs header %q", body["RequestId"], resp.header.Get("x-acs-request-id"))
	}
}

// TestRawAuthAndRouting covers what the real client never sends.
func TestRawAuthAndRouting(t *testing.T) {
	s := startServer(t, Options{})
	cases := []struct {
		name   string
		req    rawRequest
		status int
		code   string
	}{
		{"baseline is accepted", rawRequest{}, 200, ""},
		{"GET is tolerated", rawRequest{method: "GET"}, 200, ""},
		{"missing authorization", rawRequest{unsigned: true}, 400, "MissingAuthorization"},
		{"garbled authorization", rawRequest{afterSign: func(r *http.Request) {
			r.Header.Set("Authorization", "ACS3-HMAC-SHA256 garbage")
		}}, 400, "IncompleteSignature"},
		{"other algorithm", rawRequest{afterSign: func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "ACS3-HMAC-SHA256", "ACS3-HMAC-SM3", 1))
		}}, 400, "IncompleteSignature"},
		{"x-acs header not signed", rawRequest{afterSign: func(r *http.Request) {
			r.Header.Set("x-acs-extra", "1")
		}}, 400, "IncompleteSignature"},
		{"tampered query", rawRequest{query: map[string]string{"PageSize": "5"}, afterSign: func(r *http.Request) {
			r.URL.RawQuery = "PageSize=6"
		}}, 400, "SignatureDoesNotMatch"},
		{"tampered signed header", rawRequest{afterSign: func(r *http.Request) {
			r.Header.Set("x-acs-signature-nonce", "replayed")
		}}, 400, "SignatureDoesNotMatch"},
		{"signed header removed", rawRequest{afterSign: func(r *http.Request) {
			r.Header.Del("x-acs-signature-nonce")
		}}, 400, "SignatureDoesNotMatch"},
		{"missing action", rawRequest{noActionHeaders: true}, 400, "MissingParameter"},
		{"body does not match its hash", rawRequest{payloadHash: strings.Repeat("0", 64)}, 400, "SignatureDoesNotMatch"},
		{"body with matching hash", rawRequest{body: []byte("a=b")}, 200, ""},
		{"stale date", rawRequest{date: time.Now().Add(-16 * time.Minute)}, 400, "InvalidTimeStamp.Expired"},
		{"future date", rawRequest{date: time.Now().Add(16 * time.Minute)}, 400, "InvalidTimeStamp.Expired"},
		{"date within skew", rawRequest{date: time.Now().Add(-14 * time.Minute)}, 200, ""},
		{"bad date", rawRequest{headers: map[string]string{"x-acs-date": "yesterday"}}, 400, "InvalidTimeStamp.Format"},
		{"wrong version", rawRequest{version: "2021-01-01"}, 400, "InvalidVersion"},
		{"unknown action", rawRequest{action: "DescribeVuls"}, 404, "InvalidAction.NotFound"},
		{"wrong path", rawRequest{path: "/v1/images"}, 404, "InvalidAction.NotFound"},
		{"wrong method", rawRequest{method: "PUT"}, 405, "UnsupportedHTTPMethod"},
		{"duplicate parameter", rawRequest{afterSign: func(r *http.Request) {
			r.URL.RawQuery = "PageSize=1&PageSize=2"
		}}, 400, "InvalidParameter"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp := doRaw(t, s.Endpoint(), tc.req)
			if resp.err != nil {
				t.Fatal(resp.err)
			}
			if resp.status != tc.status || resp.code() != tc.code {
				t.Fatalf("got %d %q, want %d %q: %s", resp.status, resp.code(), tc.status, tc.code, resp.body)
			}
		})
	}
}

// TestActionFromQuery accepts Action and Version from the query when the
// x-acs-action/x-acs-version headers are absent; headers win otherwise.
func TestActionFromQuery(t *testing.T) {
	s := startServer(t, Options{})
	query := map[string]string{"Action": "DescribeImageCriteria", "Version": "2018-12-03"}
	cases := []struct {
		name      string
		noHeaders bool
		want      string
	}{
		{"query only", true, "CriteriaList"},
		{"headers win", false, "ImageInstanceList"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp := doRaw(t, s.Endpoint(), rawRequest{query: query, noActionHeaders: tc.noHeaders})
			if resp.status != 200 || !strings.Contains(string(resp.body), tc.want) {
				t.Fatalf("got %d %s, want %s", resp.status, resp.body, tc.want)
			}
		})
	}
}

// TestClockSkewAgainstServerClock uses the real client with a server clock
// that is off, as a client machine with a wrong clock would see it.
func TestClockSkewAgainstServerClock(t *testing.T) {
	s := startServer(t, Options{})
	s.now = func() time.Time { return time.Now().Add(20 * time.Minute) }
	_, err := call(newClient(t, s, defaultCreds), "DescribeImageInstances", nil)
	wantSDKError(t, err, "InvalidTimeStamp.Expired", 400)
}
