package sasapi

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// Details of the client that mutation testing (make mutate) found no test
// defending: each case here fails when one comparison or sum is changed.

// Error texts show what is known and only that: no "(HTTP 0)", no empty
// request id, no "gave up after 1 attempts".
func TestErrorTexts(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"API error, code only", &APIError{Action: "A", Code: "C"}, "A failed: C"},
		{"API error, everything", &APIError{Action: "A", Code: "C", HTTPStatus: 503, Message: "m", RequestID: "R", Attempts: 2},
			"A failed: C (HTTP 503): m [request id: R] (gave up after 2 attempts)"},
		{"API error, one attempt", &APIError{Action: "A", Code: "C", Attempts: 1}, "A failed: C"},
		{"transport error", &TransportError{Action: "A", Err: io.ErrUnexpectedEOF, Attempts: 1}, "A: network error: unexpected EOF"},
		{"transport timeout, retried", &TransportError{Action: "A", Timeout: true, Err: context.DeadlineExceeded, Attempts: 2},
			"A: request timed out: context deadline exceeded (gave up after 2 attempts)"},
		{"decode error", &DecodeError{Action: "A", Err: errors.New("bad"), Attempts: 1}, "A: unreadable response: bad"},
		{"decode error, everything", &DecodeError{Action: "A", RequestID: "R", Err: errors.New("bad"), Attempts: 2},
			"A: unreadable response: bad [request id: R] (gave up after 2 attempts)"},
	}
	for _, tc := range cases {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

// The request id in a JSON error body is the one reported; the header's
// only stands in when the body has none.
func TestErrorResponseRequestID(t *testing.T) {
	header := http.Header{"X-Acs-Request-Id": {"HEADER"}}
	if e := parseErrorResponse("A", 400, header, []byte(`{"Code":"X","RequestId":"BODY"}`)); e.RequestID != "BODY" {
		t.Errorf("with a RequestId in the body, RequestID = %q", e.RequestID)
	}
	if e := parseErrorResponse("A", 400, header, []byte(`{"Code":"X"}`)); e.RequestID != "HEADER" {
		t.Errorf("without one, RequestID = %q", e.RequestID)
	}
	if e := parseErrorResponse("A", 502, header, []byte("\n  Bad gateway\nmore")); e.Message != "Bad gateway" || e.Code != "HTTP502" {
		t.Errorf("plain-text page: Code %q, Message %q", e.Code, e.Message)
	}
}

func TestIsThrottling(t *testing.T) {
	cases := []struct {
		err  error
		want bool
	}{
		{&APIError{HTTPStatus: 400, Code: "Throttling.User"}, true},
		{&APIError{HTTPStatus: 429, Code: "HTTP429"}, true},
		{&APIError{HTTPStatus: 500, Code: "ServerError"}, false},
		{&APIError{HTTPStatus: 403, Code: "NoPermission"}, false},
		{&TransportError{Err: io.ErrUnexpectedEOF}, false},
		{errors.New("Throttling"), false},
	}
	for _, tc := range cases {
		if got := IsThrottling(tc.err); got != tc.want {
			t.Errorf("IsThrottling(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

// Backoff without Retry-After is never zero, even at the smallest base,
// and a base so large that doubling it overflows waits BackoffMax.
func TestBackoffBounds(t *testing.T) {
	apiErr := &APIError{Code: "Throttling.User"} // no Retry-After
	c := &Client{cfg: Config{BackoffBase: 100 * time.Millisecond, BackoffMax: time.Second}}
	for range 20 {
		if d := c.backoff(1, apiErr); d < 50*time.Millisecond || d > 100*time.Millisecond {
			t.Fatalf("backoff(1) without Retry-After = %v, want within [50ms, 100ms]", d)
		}
	}
	tiny := &Client{cfg: Config{BackoffBase: 1, BackoffMax: time.Millisecond}}
	if d := tiny.backoff(1, apiErr); d < 0 || d > 1 {
		t.Errorf("backoff(1) at a 1ns base = %v", d)
	}
	for _, base := range []time.Duration{1 << 43, 1 << 44} { // << 20 gives MinInt64, then 0
		huge := &Client{cfg: Config{BackoffBase: base, BackoffMax: time.Hour}}
		if d := huge.backoff(21, apiErr); d < 30*time.Minute || d > time.Hour {
			t.Errorf("backoff(21) at base %v = %v, want within [30m, 1h]", base, d)
		}
	}
}

// A cancelled caller gets its error from sleep even when no wait is due.
func TestSleepReportsCancellation(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	if err := sleep(ctx, 0); err != nil {
		t.Errorf("sleep(0) = %v", err)
	}
	cancel()
	for _, d := range []time.Duration{0, time.Hour} {
		if err := sleep(ctx, d); !errors.Is(err, context.Canceled) {
			t.Errorf("sleep(%v) after cancel = %v", d, err)
		}
	}
}

// Zero paging fields are left to the service's defaults, and a page is
// decoded into the response.
func TestDescribeImageVulListDefaults(t *testing.T) {
	var rec queryRecorder
	c := clientFor(t, rec.serve(t, http.StatusOK, `{"RequestId":"R","TotalCount":"3","PageSize":20,"VulRecords":[{"Name":"n"}]}`))
	resp, err := c.DescribeImageVulList(context.Background(), DescribeImageVulListRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if resp == nil || resp.TotalCount.Value != 3 || len(resp.VulRecords) != 1 || resp.VulRecords[0].Name.Value != "n" {
		t.Fatalf("response = %+v", resp)
	}
	checkQuery(t, rec.queries[0], map[string]string{"Type": VulTypeCVE})
}

// Extra CAs are trusted on top of the system roots, never instead of them.
func TestNewHTTPClientKeepsTheSystemRoots(t *testing.T) {
	system, err := x509.SystemCertPool()
	if err != nil || system.Equal(x509.NewCertPool()) {
		t.Skipf("no system roots to keep (%v)", err)
	}
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	srv.Close()
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	hc, err := NewHTTPClient(0, certPEM)
	if err != nil {
		t.Fatal(err)
	}
	want := system.Clone()
	want.AppendCertsFromPEM(certPEM)
	if got := hc.Transport.(*http.Transport).TLSClientConfig.RootCAs; !got.Equal(want) {
		t.Error("the trusted roots are not the system roots plus the bundle")
	}
	plain, err := NewHTTPClient(0, nil)
	if err != nil {
		t.Fatal(err)
	}
	transport := plain.Transport.(*http.Transport)
	if transport.TLSClientConfig.RootCAs != nil || transport.TLSHandshakeTimeout != DefaultConnectTimeout {
		t.Errorf("without a bundle: RootCAs %v, handshake timeout %v; want the system's and %v", transport.TLSClientConfig.RootCAs, transport.TLSHandshakeTimeout, DefaultConnectTimeout)
	}
}

// A body is read whole up to the limit and refused beyond it, never cut.
func TestReadBodyLimit(t *testing.T) {
	const limit = 64
	for _, tc := range []struct {
		size    int
		wantErr bool
	}{{0, false}, {limit - 1, false}, {limit, false}, {limit + 1, true}, {10 * limit, true}} {
		body := strings.Repeat("x", tc.size)
		for _, contentLength := range []int64{int64(tc.size), -1} {
			resp := &http.Response{Body: io.NopCloser(strings.NewReader(body)), ContentLength: contentLength}
			got, err := readBody(resp, limit)
			switch {
			case tc.wantErr && (err == nil || !strings.Contains(err.Error(), "larger than 64 bytes")):
				t.Errorf("%d bytes: err = %v, want one saying the response is too large", tc.size, err)
			case !tc.wantErr && (err != nil || string(got) != body):
				t.Errorf("%d bytes: got %d bytes, %v", tc.size, len(got), err)
			}
		}
	}
}

// A 5xx is a service failure whatever code it carries.
func TestCategoryOfAServerFailureIgnoresItsCode(t *testing.T) {
	for _, code := range []string{"InvalidOperation", "ImageNotExist", "MissingSomething", "Odd"} {
		for _, status := range []int{500, 503} {
			if got := (&APIError{HTTPStatus: status, Code: code}).Category(); got != CategoryService {
				t.Errorf("HTTP %d %s: category %v, want %v", status, code, got, CategoryService)
			}
		}
	}
}
