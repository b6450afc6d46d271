package sasapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/aliyun/credentials-go/credentials"

	"github.com/terraform-sas/terraform-provider-sas/internal/fakesas"
)

func TestSignedRequestIsAcceptedByTheService(t *testing.T) {
	fake := startFake(t, fakesas.Options{Images: []fakesas.Image{fakesas.FullImage()}})
	c := clientFor(t, fake.Endpoint())

	listing, err := List(context.Background(), c, DescribeImageInstances, ImageQuery{}, ListOptions{PageSize: 10})
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if len(listing.RequestIDs) != 1 || listing.RequestIDs[0] == "" {
		t.Errorf("RequestIDs = %q, want the one page's id", listing.RequestIDs)
	}
	if listing.TotalCount != 1 || listing.Requests != 1 || len(listing.Anomalies) != 0 {
		t.Errorf("TotalCount, Requests, Anomalies = %d, %d, %+v; want 1, 1, none", listing.TotalCount, listing.Requests, listing.Anomalies)
	}
	if len(listing.Items) != 1 {
		t.Fatalf("got %d images, want 1", len(listing.Items))
	}
	img := listing.Items[0]
	if img.Uuid.Value != "f0e1d2c3-b4a5-4697-8879-6a5b4c3d2e1f" || img.VulCount.Value != 11 || !img.Deployed.Value || len(img.Endpoints.Values) != 2 {
		t.Errorf("image decoded wrongly: %+v", img)
	}

	reqs := fake.Requests()
	if len(reqs) != 1 {
		t.Fatalf("fake saw %d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if r.Status != http.StatusOK || r.AccessKeyID != fakesas.TestAccessKey || r.Action != ActionDescribeImageInstances {
		t.Errorf("recorded request = %+v", r)
	}
	if r.Query.Get("PageSize") != "10" || r.Query.Get("CurrentPage") != "1" {
		t.Errorf("query = %v, want PageSize=10 CurrentPage=1", r.Query)
	}

	crit, err := Call(context.Background(), c, DescribeImageCriteria, "")
	if err != nil {
		t.Fatalf("DescribeImageCriteria: %v", err)
	}
	if want := len(fakesas.DefaultCriteria()); len(crit.Items) != want {
		t.Errorf("got %d criteria, want %d", len(crit.Items), want)
	}
	if crit.RequestID == "" {
		t.Error("the criteria's RequestID is empty")
	}
}

// The query's parameters reach the service on every page, beside the
// paging parameters of each.
func TestQueryParametersReachTheService(t *testing.T) {
	fake := startFake(t, fakesas.Options{Images: fakesas.GenerateImages(50, 3)})
	c := clientFor(t, fake.Endpoint())
	scanned := true
	query := ImageQuery{
		Criteria:   []Criterion{{Name: "regionId", Value: "cn-hangzhou"}, {Name: "tag", Value: "a&b<c>"}},
		LogicalExp: LogicalOr,
		Scanned:    &scanned,
	}
	if _, err := List(context.Background(), c, DescribeImageInstances, query, ListOptions{PageSize: 7, MaxResults: 14, MaxConcurrency: 1}); err != nil {
		t.Fatalf("List: %v", err)
	}
	reqs := fake.Requests()
	if len(reqs) != 2 {
		t.Fatalf("fake saw %d requests, want 2 (MaxResults 14 in pages of 7)", len(reqs))
	}
	for k, r := range reqs {
		want := map[string]string{
			"Criteria":    `[{"name":"regionId","value":"cn-hangzhou","logicalExp":"OR"},{"name":"tag","value":"a&b<c>","logicalExp":"OR"}]`,
			"LogicalExp":  "OR",
			"Scanned":     "true",
			"CurrentPage": strconv.Itoa(k + 1),
			"PageSize":    "7",
		}
		for name, v := range want {
			if got := r.Query.Get(name); got != v {
				t.Errorf("request %d: %s = %q, want %q", k+1, name, got, v)
			}
		}
	}
}

// Authorization and validation failures are final: retrying them cannot
// help and would only multiply the requests an operator sees in the logs.
func TestAuthAndValidationErrorsAreNotRetried(t *testing.T) {
	const deniedKey, deniedSecret = "LTAI-denied", "denied-secret"
	cases := []struct {
		name         string
		key          string
		secret       string
		query        ImageQuery
		wantStatus   int
		wantCode     string
		wantCategory Category
	}{
		{name: "wrong secret", key: fakesas.TestAccessKey, secret: "not-the-secret",
			wantStatus: 400, wantCode: "SignatureDoesNotMatch", wantCategory: CategorySignature},
		{name: "unknown key", key: "LTAI-unknown", secret: fakesas.TestSecretKey,
			wantStatus: 404, wantCode: "InvalidAccessKeyId.NotFound", wantCategory: CategoryAccessKey},
		{name: "no permission", key: deniedKey, secret: deniedSecret,
			wantStatus: 403, wantCode: "NoPermission", wantCategory: CategoryPermission},
		{name: "invalid parameter", key: fakesas.TestAccessKey, secret: fakesas.TestSecretKey,
			query:      ImageQuery{Criteria: []Criterion{{Name: "noSuchCriterion", Value: "x"}}},
			wantStatus: 400, wantCode: "InvalidParameter", wantCategory: CategoryInvalidArgument},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake := startFake(t, fakesas.Options{
				Images: fakesas.GenerateImages(3, 1),
				Credentials: map[string]fakesas.Credential{
					fakesas.TestAccessKey: {Secret: fakesas.TestSecretKey},
					deniedKey:             {Secret: deniedSecret, Denied: true},
				},
			})
			c := clientFor(t, fake.Endpoint(), withMaxRetries(3), func(cfg *Config) {
				cfg.Credential = staticCredential(t, tc.key, tc.secret)
			})

			page, err := Call(context.Background(), c, DescribeImageInstances, tc.query)
			if len(page.Items) != 0 || page.RequestID != "" {
				t.Errorf("got a page with the error: %+v", page)
			}
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("error = %v (%T), want *APIError", err, err)
			}
			if apiErr.Code != tc.wantCode || apiErr.HTTPStatus != tc.wantStatus {
				t.Errorf("Code, HTTPStatus = %q, %d; want %q, %d", apiErr.Code, apiErr.HTTPStatus, tc.wantCode, tc.wantStatus)
			}
			if apiErr.RequestID == "" || !strings.Contains(err.Error(), apiErr.RequestID) {
				t.Errorf("request id %q missing from the error or its message: %v", apiErr.RequestID, err)
			}
			if apiErr.Attempts != 1 {
				t.Errorf("Attempts = %d, want 1", apiErr.Attempts)
			}
			if n := len(fake.Requests()); n != 1 {
				t.Errorf("fake saw %d requests, want exactly 1 (no retry)", n)
			}
			if IsRetryable(err) {
				t.Error("IsRetryable = true for a final error")
			}
			if got := CategoryOf(err); got != tc.wantCategory {
				t.Errorf("CategoryOf = %v, want %v", got, tc.wantCategory)
			}
			if strings.Contains(err.Error(), tc.secret) {
				t.Errorf("error message leaks the secret: %v", err)
			}
		})
	}
}

// Every transient failure class is retried, and the retry eventually
// returns the complete answer. The fake sees exactly one request per
// injected failure plus the one that succeeds.
func TestTransientFailuresAreRetried(t *testing.T) {
	cases := []struct {
		name        string
		fault       fakesas.Fault
		readTimeout time.Duration
	}{
		{name: "throttling", fault: fakesas.Fault{Kind: fakesas.FaultThrottling, Count: 2}},
		{name: "throttling with Retry-After", fault: fakesas.Fault{Kind: fakesas.FaultThrottling, RetryAfter: "1", Count: 2}},
		{name: "500 ServerError", fault: fakesas.Fault{Kind: fakesas.FaultServerError, Count: 2}},
		{name: "503 ServiceUnavailable", fault: fakesas.Fault{Kind: fakesas.FaultUnavailable, Count: 2}},
		{name: "HTML 502 page", fault: fakesas.Fault{Kind: fakesas.FaultBadGateway, Count: 2}},
		{name: "HTML 504 page", fault: fakesas.Fault{Kind: fakesas.FaultGatewayTimeout, Count: 2}},
		{name: "connection reset", fault: fakesas.Fault{Kind: fakesas.FaultConnReset, Count: 2}},
		{name: "truncated JSON", fault: fakesas.Fault{Kind: fakesas.FaultTruncated, Count: 2}},
		{name: "slower than ReadTimeout", fault: fakesas.Fault{Kind: fakesas.FaultSlow, Delay: time.Minute, Count: 1},
			readTimeout: 2 * time.Second},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			images := fakesas.GenerateImages(7, 11)
			fake := startFake(t, fakesas.Options{Images: images, Seed: 5})
			fake.SetFaults(tc.fault)
			c := clientFor(t, fake.Endpoint(), withMaxRetries(3), func(cfg *Config) {
				if tc.readTimeout > 0 {
					cfg.ReadTimeout = tc.readTimeout
				}
			})

			page, err := Call(context.Background(), c, DescribeImageInstances, ImageQuery{})
			if err != nil {
				t.Fatalf("DescribeImageInstances: %v", err)
			}
			if got, want := uuids(page.Items), fakeUUIDs(images); !slices.Equal(got, want) {
				t.Errorf("images = %v, want %v", got, want)
			}
			if page.TotalCount != (Int{Value: int64(len(images)), Valid: true}) {
				t.Errorf("TotalCount = %+v, want %d", page.TotalCount, len(images))
			}

			// A request's fault is recorded when its handler ends; the slow
			// one's may not have noticed the client leave yet.
			fake.Close()
			failures := tc.fault.Count
			reqs := fake.Requests()
			if len(reqs) != 1+failures {
				t.Fatalf("fake saw %d requests, want %d (1 + %d injected failures): %+v", len(reqs), 1+failures, failures, reqs)
			}
			for i, r := range reqs[:failures] {
				if r.Fault != string(tc.fault.Kind) {
					t.Errorf("request %d: fault %q, want %q", i+1, r.Fault, tc.fault.Kind)
				}
			}
			if last := reqs[failures]; last.Fault != "" || last.Status != http.StatusOK {
				t.Errorf("last request = %+v, want a clean 200", last)
			}
		})
	}
}

// When the retries run out, the error names what the last answer said, so
// the user can quote its request id to support.
func TestRetryBudgetExhausted(t *testing.T) {
	cases := []struct {
		name       string
		fault      fakesas.Fault
		maxRetries int
		check      func(t *testing.T, err error, lastRequestID string, attempts int)
	}{
		{name: "throttling", fault: fakesas.Fault{Kind: fakesas.FaultThrottling}, maxRetries: 2,
			check: wantAPIError(400, "Throttling.User", "Request was denied due to user flow control.")},
		{name: "500 ServerError", fault: fakesas.Fault{Kind: fakesas.FaultServerError}, maxRetries: 3,
			check: wantAPIError(500, "ServerError", "ServerError")},
		{name: "HTML 502 page", fault: fakesas.Fault{Kind: fakesas.FaultBadGateway}, maxRetries: 2,
			check: wantAPIError(502, "HTTP502", "502 Bad Gateway")},
		{name: "503 with retries disabled", fault: fakesas.Fault{Kind: fakesas.FaultUnavailable}, maxRetries: 0,
			check: wantAPIError(503, "ServiceUnavailable", "The request has failed due to a temporary failure of the server.")},
		{name: "truncated JSON", fault: fakesas.Fault{Kind: fakesas.FaultTruncated}, maxRetries: 2,
			check: func(t *testing.T, err error, lastRequestID string, attempts int) {
				var de *DecodeError
				if !errors.As(err, &de) {
					t.Fatalf("error = %v (%T), want *DecodeError", err, err)
				}
				if de.Attempts != attempts || de.RequestID != lastRequestID {
					t.Errorf("Attempts, RequestID = %d, %q; want %d, %q", de.Attempts, de.RequestID, attempts, lastRequestID)
				}
			}},
		{name: "connection reset", fault: fakesas.Fault{Kind: fakesas.FaultConnReset}, maxRetries: 1,
			check: func(t *testing.T, err error, _ string, attempts int) {
				var te *TransportError
				if !errors.As(err, &te) {
					t.Fatalf("error = %v (%T), want *TransportError", err, err)
				}
				if te.Attempts != attempts || te.Timeout {
					t.Errorf("Attempts, Timeout = %d, %v; want %d, false", te.Attempts, te.Timeout, attempts)
				}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake := startRecordingFake(t, fakesas.Options{Images: fakesas.GenerateImages(3, 1), Seed: 9})
			fake.SetFaults(tc.fault)
			c := clientFor(t, fake.Endpoint(), withMaxRetries(tc.maxRetries))

			page, err := Call(context.Background(), c, DescribeImageInstances, ImageQuery{})
			if err == nil {
				t.Fatalf("got %+v, want an error", page)
			}
			attempts := tc.maxRetries + 1
			if n := fake.Calls(ActionDescribeImageInstances); n != attempts {
				t.Errorf("fake saw %d requests, want %d (MaxRetries+1)", n, attempts)
			}
			ids := fake.requestIDs()
			tc.check(t, err, ids[len(ids)-1], attempts)
			if attempts > 1 && !strings.Contains(err.Error(), fmt.Sprintf("gave up after %d attempts", attempts)) {
				t.Errorf("message does not tell the attempt count: %v", err)
			}
		})
	}
}

func wantAPIError(status int, code, message string) func(*testing.T, error, string, int) {
	return func(t *testing.T, err error, lastRequestID string, attempts int) {
		t.Helper()
		var apiErr *APIError
		if !errors.As(err, &apiErr) {
			t.Fatalf("error = %v (%T), want *APIError", err, err)
		}
		if apiErr.HTTPStatus != status || apiErr.Code != code || apiErr.Message != message {
			t.Errorf("HTTPStatus, Code, Message = %d, %q, %q; want %d, %q, %q",
				apiErr.HTTPStatus, apiErr.Code, apiErr.Message, status, code, message)
		}
		if apiErr.RequestID == "" || apiErr.RequestID != lastRequestID {
			t.Errorf("RequestID = %q, want the last answer's %q", apiErr.RequestID, lastRequestID)
		}
		if apiErr.Attempts != attempts {
			t.Errorf("Attempts = %d, want %d", apiErr.Attempts, attempts)
		}
	}
}

func TestSlowResponsesExhaustingRetriesAreTimeouts(t *testing.T) {
	fake := startFake(t, fakesas.Options{Images: fakesas.GenerateImages(3, 1)})
	fake.SetFaults(fakesas.Fault{Kind: fakesas.FaultSlow, Delay: time.Minute})
	c := clientFor(t, fake.Endpoint(), withMaxRetries(1), withReadTimeout(500*time.Millisecond))
	// Two attempts of 500 ms, far within the test's own deadline.
	ctx := ownDeadline(t, 10*time.Second)

	_, err := Call(ctx, c, DescribeImageInstances, ImageQuery{})
	if ctx.Err() != nil {
		t.Fatalf("the read timeout of 500ms did not end the slow requests; the test's 10s deadline did: %v", err)
	}
	var te *TransportError
	if !errors.As(err, &te) {
		t.Fatalf("error = %v (%T), want *TransportError", err, err)
	}
	if !te.Timeout || te.Attempts != 2 {
		t.Errorf("Timeout, Attempts = %v, %d; want true, 2", te.Timeout, te.Attempts)
	}
	if !strings.Contains(err.Error(), "timed out") {
		t.Errorf("message does not say it timed out: %v", err)
	}
	if n := fake.Calls(ActionDescribeImageInstances); n != 2 {
		t.Errorf("fake saw %d requests, want 2", n)
	}
}

// Retry-After is honoured (up to BackoffMax): the retry does not come
// sooner than the server asked.
func TestRetryAfterIsHonoured(t *testing.T) {
	fake := startFake(t, fakesas.Options{Images: fakesas.GenerateImages(3, 1)})
	fake.SetFaults(fakesas.Fault{Kind: fakesas.FaultThrottling, RetryAfter: "1", Count: 1})
	c := clientFor(t, fake.Endpoint(), func(cfg *Config) { cfg.BackoffMax = 5 * time.Second })

	start := time.Now()
	if _, err := Call(context.Background(), c, DescribeImageInstances, ImageQuery{}); err != nil {
		t.Fatalf("DescribeImageInstances: %v", err)
	}
	if elapsed := time.Since(start); elapsed < time.Second {
		t.Errorf("retried after %v, sooner than Retry-After: 1", elapsed)
	}
}

// A wait that would overrun RetryTimeout is not started: the call fails at
// once with the error that would have been retried.
func TestRetryTimeoutBoundsTheWholeCall(t *testing.T) {
	fake := startFake(t, fakesas.Options{Images: fakesas.GenerateImages(3, 1)})
	fake.SetFaults(fakesas.Fault{Kind: fakesas.FaultThrottling, RetryAfter: "30"})
	c := clientFor(t, fake.Endpoint(), withMaxRetries(5), func(cfg *Config) {
		cfg.BackoffMax = time.Minute
		cfg.RetryTimeout = 2 * time.Second
	})
	ctx := ownDeadline(t, 10*time.Second)

	_, err := Call(ctx, c, DescribeImageInstances, ImageQuery{})
	if ctx.Err() != nil {
		t.Fatalf("retry_timeout (2s) did not bound the call; the test's 10s deadline did: %v", err)
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Code != "Throttling.User" {
		t.Fatalf("error = %v, want the throttling APIError", err)
	}
	if !strings.Contains(err.Error(), "retry time budget") || apiErr.Attempts != 1 {
		t.Errorf("error = %v (Attempts %d), want the retry budget named and 1 attempt", err, apiErr.Attempts)
	}
	if n := fake.Calls(ActionDescribeImageInstances); n != 1 {
		t.Errorf("fake saw %d requests, want 1", n)
	}
}

// Answers the fake cannot produce: non-JSON error pages and unusual statuses
// are classified by HTTP status when they carry no service error code.
func TestErrorClassification(t *testing.T) {
	cases := []struct {
		name        string
		status      int
		contentType string
		body        string
		retryAfter  string
		wantCode    string
		wantRetry   bool
	}{
		{name: "429 plain text", status: 429, contentType: "text/plain", body: "Too Many Requests\nslow down", wantCode: "HTTP429", wantRetry: true},
		{name: "400 Throttling.Api", status: 400, body: `{"Code":"Throttling.Api","Message":"api flow control","RequestId":"R1"}`, wantCode: "Throttling.Api", wantRetry: true},
		{name: "500 empty body", status: 500, body: "", wantCode: "HTTP500", wantRetry: true},
		{name: "503 JSON without Code", status: 503, body: `{"RequestId":"R2"}`, wantCode: "HTTP503", wantRetry: true},
		{name: "403 WAF HTML page", status: 403, contentType: "text/html", body: "<html><head><title>Access Denied</title></head></html>", wantCode: "HTTP403"},
		{name: "404 InvalidAction", status: 404, body: `{"Code":"InvalidAction.NotFound","Message":"not found","RequestId":"R3"}`, wantCode: "InvalidAction.NotFound"},
		{name: "400 InvalidTimeStamp.Expired", status: 400, body: `{"Code":"InvalidTimeStamp.Expired","Message":"clock","RequestId":"R4"}`, wantCode: "InvalidTimeStamp.Expired"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			endpoint, calls := stubServer(t, func(w http.ResponseWriter, r *http.Request) {
				ct := tc.contentType
				if ct == "" {
					ct = "application/json"
				}
				w.Header().Set("Content-Type", ct)
				w.Header().Set("x-acs-request-id", "STUB-REQUEST-ID")
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			})
			c := clientFor(t, endpoint, withMaxRetries(2))

			_, err := Call(context.Background(), c, DescribeImageInstances, ImageQuery{})
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("error = %v (%T), want *APIError", err, err)
			}
			if apiErr.Code != tc.wantCode || apiErr.HTTPStatus != tc.status {
				t.Errorf("Code, HTTPStatus = %q, %d; want %q, %d", apiErr.Code, apiErr.HTTPStatus, tc.wantCode, tc.status)
			}
			if apiErr.RequestID == "" {
				t.Error("RequestID is empty")
			}
			if IsRetryable(err) != tc.wantRetry {
				t.Errorf("IsRetryable = %v, want %v", IsRetryable(err), tc.wantRetry)
			}
			wantCalls := 1
			if tc.wantRetry {
				wantCalls = 3
			}
			if calls() != wantCalls {
				t.Errorf("server saw %d requests, want %d", calls(), wantCalls)
			}
		})
	}
}

// A 200 answer that is not a page is an error of the listing, never an
// empty success: an empty list would make a "no vulnerable images" gate pass
// silently. Bodies that look cut short or empty (no TotalCount) are retried
// once (MaxRetries 1); bodies that are complete but wrong are not, since
// asking again gives the same answer.
func TestUnreadableSuccessIsADecodeError(t *testing.T) {
	cases := []struct {
		name, body string
		attempts   int
	}{
		{"empty body", "", 2},
		{"empty object", "{}", 2},
		{"no PageInfo", `{"RequestId":"R","ImageInstanceList":[]}`, 2},
		{"null PageInfo", `{"RequestId":"R","PageInfo":null,"ImageInstanceList":[]}`, 2},
		{"PageInfo without TotalCount", `{"RequestId":"R","PageInfo":{"CurrentPage":1,"PageSize":20,"Count":0}}`, 2},
		{"negative TotalCount", `{"RequestId":"R","PageInfo":{"TotalCount":-1}}`, 1},
		{"null", "null", 2},
		{"array", "[]", 1},
		{"HTML portal page", "<html><body>Please log in</body></html>", 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			endpoint, calls := stubServer(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("x-acs-request-id", "STUB-REQUEST-ID")
				_, _ = w.Write([]byte(tc.body))
			})
			c := clientFor(t, endpoint, withMaxRetries(1))

			listing, err := List(context.Background(), c, DescribeImageInstances, ImageQuery{}, ListOptions{})
			if listing != nil {
				t.Errorf("got a listing of %d images with the error", len(listing.Items))
			}
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("error = %v (%T), want *DecodeError", err, err)
			}
			if de.RequestID != "STUB-REQUEST-ID" || de.Attempts != tc.attempts {
				t.Errorf("RequestID, Attempts = %q, %d; want STUB-REQUEST-ID, %d", de.RequestID, de.Attempts, tc.attempts)
			}
			if calls() != tc.attempts {
				t.Errorf("server saw %d requests, want %d", calls(), tc.attempts)
			}
		})
	}
}

// A record the decoder cannot read fails the page rather than being
// dropped or zeroed.
func TestMalformedRecordIsADecodeError(t *testing.T) {
	endpoint, _ := stubServer(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"RequestId":"R","PageInfo":{"TotalCount":2},"ImageInstanceList":[{"Uuid":"a"},{"Uuid":"b","VulCount":"N/A"}]}`))
	})
	c := clientFor(t, endpoint, withMaxRetries(0))
	listing, err := List(context.Background(), c, DescribeImageInstances, ImageQuery{}, ListOptions{})
	var de *DecodeError
	if listing != nil || !errors.As(err, &de) || !strings.Contains(err.Error(), `"N/A"`) {
		t.Fatalf("List = %+v, %v; want a *DecodeError quoting the bad value", listing, err)
	}
}

// Error messages end up in Terraform diagnostics, which travel as protobuf
// strings: they must be valid UTF-8 whatever a gateway sent.
func TestErrorMessagesAreValidUTF8(t *testing.T) {
	cases := []struct{ name, body string }{
		{"GBK-encoded title", "<html><head><title>\xb4\xed\xce\xf3</title></head></html>"},
		{"long UTF-8 title", "<html><head><title>a" + strings.Repeat("网关错误", 20) + "</title></head></html>"},
		{"long UTF-8 text", "x" + strings.Repeat("网关错误", 40)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := parseErrorResponse(ActionDescribeImageInstances, http.StatusBadGateway, http.Header{}, []byte(tc.body))
			if !utf8.ValidString(err.Message) || !utf8.ValidString(err.Error()) {
				t.Errorf("message %q is not valid UTF-8", err.Message)
			}
		})
	}
}

func TestDescribeImageCriteriaEmptyBodyIsAnError(t *testing.T) {
	endpoint, _ := stubServer(t, func(w http.ResponseWriter, r *http.Request) {})
	c := clientFor(t, endpoint, withMaxRetries(0))
	page, err := Call(context.Background(), c, DescribeImageCriteria, "")
	var de *DecodeError
	if page.Items != nil || !errors.As(err, &de) {
		t.Fatalf("DescribeImageCriteria = %+v, %v; want a *DecodeError", page, err)
	}
}

// failingCredential is a credential provider that cannot produce a key, as
// an ECS role without metadata access or an expired SSO session.
type failingCredential struct{ calls atomic.Int32 }

var errNoKey = errors.New("credential provider: no key available")

func (f *failingCredential) GetAccessKeyId() (*string, error) { f.calls.Add(1); return nil, errNoKey }
func (f *failingCredential) GetAccessKeySecret() (*string, error) {
	f.calls.Add(1)
	return nil, errNoKey
}
func (f *failingCredential) GetSecurityToken() (*string, error) { f.calls.Add(1); return nil, errNoKey }
func (f *failingCredential) GetBearerToken() *string            { return nil }
func (f *failingCredential) GetType() *string                   { t := "access_key"; return &t }
func (f *failingCredential) GetCredential() (*credentials.CredentialModel, error) {
	f.calls.Add(1)
	return nil, errNoKey
}

func TestCredentialFailureSendsNothingAndIsNotRetried(t *testing.T) {
	fake := startFake(t, fakesas.Options{Images: fakesas.GenerateImages(3, 1)})
	cred := &failingCredential{}
	c := clientFor(t, fake.Endpoint(), withMaxRetries(3), func(cfg *Config) { cfg.Credential = cred })

	_, err := Call(context.Background(), c, DescribeImageInstances, ImageQuery{})
	var ce *CredentialError
	if !errors.As(err, &ce) {
		t.Fatalf("error = %v (%T), want *CredentialError", err, err)
	}
	if IsRetryable(err) {
		t.Error("a credential failure is retryable")
	}
	if !strings.Contains(err.Error(), errNoKey.Error()) {
		t.Errorf("message %q does not carry the provider's reason", err)
	}
	if n := len(fake.Requests()); n != 0 {
		t.Errorf("fake saw %d requests, want none", n)
	}
	if n := cred.calls.Load(); n != 1 {
		t.Errorf("credential asked %d times, want 1 (no retry)", n)
	}
}

// cancelWhen returns a context that is cancelled as soon as ready reports
// true, and a function that waits for that and returns the moment of
// cancellation (zero if ready never became true).
func cancelWhen(t *testing.T, ready func() bool) (context.Context, func() time.Time) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stop := make(chan struct{})
	done := make(chan time.Time, 1)
	go func() {
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				done <- time.Time{}
				return
			case <-tick.C:
				if ready() {
					at := time.Now()
					cancel()
					done <- at
					return
				}
			}
		}
	}()
	var once atomic.Bool
	var at time.Time
	wait := func() time.Time {
		if once.CompareAndSwap(false, true) {
			close(stop)
			at = <-done
		}
		return at
	}
	t.Cleanup(func() { wait(); cancel() })
	return ctx, wait
}

// Cancelling the context ends the call promptly whatever it is doing:
// waiting for an answer, sleeping between retries, or fetching pages.
func TestCancellationEndsTheCallPromptly(t *testing.T) {
	cases := []struct {
		name  string
		setup func(fake *fakesas.Server)
		ready func(fake *fakesas.Server) bool
		call  func(ctx context.Context, c *Client) error
	}{
		{
			name:  "request in flight",
			setup: func(fake *fakesas.Server) { fake.SetLatency(10 * time.Second) },
			ready: func(fake *fakesas.Server) bool { return fake.Calls(ActionDescribeImageInstances) >= 1 },
			call: func(ctx context.Context, c *Client) error {
				_, err := Call(ctx, c, DescribeImageInstances, ImageQuery{})
				return err
			},
		},
		{
			name: "sleeping before a retry",
			setup: func(fake *fakesas.Server) {
				fake.SetFaults(fakesas.Fault{Kind: fakesas.FaultThrottling, RetryAfter: "30"})
			},
			ready: func(fake *fakesas.Server) bool {
				reqs := fake.Requests()
				return len(reqs) >= 1 && reqs[0].Status != 0
			},
			call: func(ctx context.Context, c *Client) error {
				_, err := Call(ctx, c, DescribeImageInstances, ImageQuery{})
				return err
			},
		},
		{
			name: "listing with pages in flight",
			setup: func(fake *fakesas.Server) {
				fake.OnDescribeImageInstances(func(call int) {
					if call == 1 {
						fake.SetLatency(10 * time.Second)
					}
				})
			},
			ready: func(fake *fakesas.Server) bool { return fake.Calls(ActionDescribeImageInstances) >= 3 },
			call: func(ctx context.Context, c *Client) error {
				listing, err := List(ctx, c, DescribeImageInstances, ImageQuery{}, ListOptions{PageSize: 20, MaxConcurrency: 4})
				if listing != nil {
					return fmt.Errorf("got a listing of %d images with the error %v", len(listing.Items), err)
				}
				return err
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fake := startFake(t, fakesas.Options{Images: fakesas.GenerateImages(200, 2)})
			tc.setup(fake)
			c := clientFor(t, fake.Endpoint(), withMaxRetries(5), func(cfg *Config) {
				cfg.BackoffMax = time.Minute
				cfg.ReadTimeout = time.Minute
			})
			ctx, cancelledAt := cancelWhen(t, func() bool { return tc.ready(fake) })

			err := tc.call(ctx, c)
			returned := time.Now()
			at := cancelledAt()
			if at.IsZero() {
				t.Fatalf("call returned before it could be cancelled: %v", err)
			}
			if !errors.Is(err, context.Canceled) {
				t.Errorf("error = %v, want context.Canceled", err)
			}
			if d := returned.Sub(at); d > 2*time.Second {
				t.Errorf("call returned %v after cancellation, want within 2s", d)
			}
		})
	}
}

func TestNewValidatesAndAppliesDefaults(t *testing.T) {
	cred := staticCredential(t, fakesas.TestAccessKey, fakesas.TestSecretKey)
	bad := []struct {
		name string
		cfg  Config
	}{
		{"no endpoint", Config{Credential: cred}},
		{"no credential", Config{Endpoint: "tds.aliyuncs.com"}},
		{"unknown protocol", Config{Endpoint: "tds.aliyuncs.com", Credential: cred, Protocol: "FTP"}},
	}
	for _, tc := range bad {
		if c, err := New(tc.cfg); err == nil {
			t.Errorf("%s: New = %+v, want an error", tc.name, c.Config())
		}
	}

	c := newClient(t, Config{Endpoint: "tds.aliyuncs.com", Credential: cred, Protocol: "http", MaxRetries: -1})
	got := c.Config()
	if got.Protocol != "HTTP" || got.MaxRetries != DefaultMaxRetries || got.ReadTimeout != DefaultReadTimeout ||
		got.ConnectTimeout != DefaultConnectTimeout || got.RetryTimeout != DefaultRetryTimeout ||
		got.BackoffBase != DefaultBackoffBase || got.BackoffMax != DefaultBackoffMax ||
		got.MaxConcurrency != DefaultMaxConcurrency || got.HTTPClient == nil {
		t.Errorf("defaults not applied: %+v", got)
	}
	if c := newClient(t, Config{Endpoint: "x", Credential: cred}); c.Config().MaxRetries != 0 || c.Config().Protocol != "HTTPS" {
		t.Errorf("MaxRetries 0 / empty protocol became %d / %q", c.Config().MaxRetries, c.Config().Protocol)
	}
}

func TestBackoff(t *testing.T) {
	c := &Client{cfg: Config{BackoffBase: 100 * time.Millisecond, BackoffMax: time.Second}}
	plain := errors.New("network")
	for attempt, ceiling := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 4: 800 * time.Millisecond, 5: time.Second, 60: time.Second} {
		for range 50 {
			if d := c.backoff(attempt, plain); d < ceiling/2 || d > ceiling {
				t.Fatalf("backoff(%d) = %v, want within [%v, %v]", attempt, d, ceiling/2, ceiling)
			}
		}
	}
	if d := c.backoff(1, &APIError{RetryAfter: 700 * time.Millisecond}); d != 700*time.Millisecond {
		t.Errorf("backoff with Retry-After 700ms = %v", d)
	}
	if d := c.backoff(1, &APIError{RetryAfter: time.Hour}); d != time.Second {
		t.Errorf("backoff with Retry-After 1h = %v, want BackoffMax", d)
	}
}

func TestParseRetryAfter(t *testing.T) {
	cases := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"0", 0},
		{"3", 3 * time.Second},
		{" 7 ", 7 * time.Second},
		{"-1", 0},
		{"soon", 0},
		{"Wed, 21 Oct 2015 07:28:00 GMT", 0}, // in the past
	}
	for _, tc := range cases {
		if got := parseRetryAfter(tc.in); got != tc.want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
	future := time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)
	if got := parseRetryAfter(future); got < 58*time.Minute || got > time.Hour {
		t.Errorf("parseRetryAfter(an hour from now) = %v", got)
	}
}

// The official SDK's endpoint map: every cn-* region, Hong Kong
// included, on Shanghai; everything else, unknown regions too, on Singapore.
func TestResolveEndpoint(t *testing.T) {
	const shanghai, singapore = "tds.cn-shanghai.aliyuncs.com", "tds.ap-southeast-1.aliyuncs.com"
	cases := []struct{ region, want string }{
		{"cn-hangzhou", shanghai},
		{"cn-shanghai", shanghai},
		{"cn-hongkong", shanghai},
		{"CN-HONGKONG", shanghai},
		{"cn-beijing-finance-1", shanghai},
		{"cn-shanghai-finance-1", shanghai},
		{" cn-shenzhen ", shanghai},
		{"cn-new-region-9", shanghai},
		{"ap-southeast-1", singapore},
		{"ap-northeast-1", singapore},
		{"eu-central-1", singapore},
		{"us-west-1", singapore},
		{"me-east-1", singapore},
		{"xx-new-1", singapore},
		{"", singapore},
	}
	for _, tc := range cases {
		if got := ResolveEndpoint(tc.region); got != tc.want {
			t.Errorf("ResolveEndpoint(%q) = %q, want %q", tc.region, got, tc.want)
		}
	}
}

// A field of the wrong type is the same on every attempt: retrying it only
// burns the budget. A body cut short is retried.
func TestDecodeErrorsAreRetriedOnlyWhenTheBodyLooksCutShort(t *testing.T) {
	cases := []struct {
		name     string
		body     string
		attempts int
	}{
		{"wrong field type", `{"RequestId":"R","PageInfo":{"TotalCount":1},"ImageInstanceList":[{"Uuid":"u","VulCount":{"x":1}}]}`, 1},
		{"truncated body", `{"RequestId":"R","PageInfo":{"TotalCount":1},"ImageInstanceList":[{"Uuid":"u"`, 3},
		{"empty body", ``, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var requests atomic.Int64
			endpoint, _ := stubServer(t, func(w http.ResponseWriter, r *http.Request) {
				requests.Add(1)
				_, _ = io.WriteString(w, tc.body)
			})
			c := clientFor(t, endpoint, withMaxRetries(2))
			_, err := Call(context.Background(), c, DescribeImageInstances, ImageQuery{})
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("err = %v, want a *DecodeError", err)
			}
			if got := int(requests.Load()); got != tc.attempts {
				t.Errorf("%d requests, want %d", got, tc.attempts)
			}
		})
	}
}
