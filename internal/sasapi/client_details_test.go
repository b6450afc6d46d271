package sasapi

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/terraform-sas/terraform-provider-sas/internal/fakesas"
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

// Call sends no paging parameters, leaving the page to the service's
// defaults, and returns the page the answer holds.
func TestCallOfDescribeImageVulListLeavesPagingToTheService(t *testing.T) {
	var rec queryRecorder
	c := clientFor(t, rec.serve(t, http.StatusOK, `{"RequestId":"R","TotalCount":"3","PageSize":20,"VulRecords":[{"Name":"n"}]}`))
	page, err := Call(context.Background(), c, DescribeImageVulList, ImageVulQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if page.TotalCount != (Int{Value: 3, Valid: true}) || page.PageSize != (Int{Value: 20, Valid: true}) || page.RequestID != "R" ||
		len(page.Items) != 1 || page.Items[0].Name.Value != "n" {
		t.Fatalf("page = %+v", page)
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

// Parameters a query leaves empty are not sent, so the service applies no
// filter: not an empty Criteria list, not an empty keyword.
func TestUnsetParametersAreNotSent(t *testing.T) {
	fake := startFake(t, fakesas.Options{Images: fakesas.GenerateImages(5, 1)})
	c := clientFor(t, fake.Endpoint())
	ctx := context.Background()
	if _, err := Call(ctx, c, DescribeImageInstances, ImageQuery{}); err != nil {
		t.Fatal(err)
	}
	if _, err := Call(ctx, c, DescribeImageCriteria, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := Call(ctx, c, DescribeImageCriteria, "repo"); err != nil {
		t.Fatal(err)
	}
	reqs := fake.Requests()
	for _, name := range []string{"Criteria", "LogicalExp", "Scanned", "CurrentPage", "PageSize"} {
		if reqs[0].Query.Has(name) {
			t.Errorf("DescribeImageInstances of an empty query sent %s=%q", name, reqs[0].Query.Get(name))
		}
	}
	if reqs[1].Query.Has("Value") || reqs[2].Query.Get("Value") != "repo" {
		t.Errorf("DescribeImageCriteria sent Value %q without a keyword and %q with one", reqs[1].Query.Get("Value"), reqs[2].Query.Get("Value"))
	}
}

// The first page's answer plans the rest; what says nothing about a cap
// (a PageSize of 0, an empty page) must not shrink the page size.
func TestPlanPages(t *testing.T) {
	page := func(items, total int, served Int) *Page[int] {
		return &Page[int]{Items: make([]int, items), TotalCount: Int{Value: int64(total), Valid: true}, PageSize: served}
	}
	stated := func(n int64) Int { return Int{Value: n, Valid: true} }
	cases := []struct {
		name                string
		first               *Page[int]
		maxResults          int
		wantSize, wantPages int
	}{
		{"full page", page(100, 250, stated(100)), 0, 100, 3},
		{"stated cap", page(30, 250, stated(30)), 0, 30, 9},
		{"silent cap, no PageSize", page(30, 250, Int{}), 0, 30, 9},
		{"silent cap, PageSize echoed", page(30, 250, stated(100)), 0, 30, 9},
		{"PageSize 0 says nothing", page(30, 250, stated(0)), 0, 30, 9},
		{"last and only page", page(30, 30, Int{}), 0, 100, 1},
		{"empty first page", page(0, 5, Int{}), 0, 100, 1},
		{"empty first page, PageSize 0", page(0, 5, stated(0)), 0, 100, 1},
		{"MaxResults within the first pages", page(100, 250, stated(100)), 150, 100, 2},
		{"MaxResults equal to the total", page(100, 250, stated(100)), 250, 100, 3},
		{"exactly one full page", page(100, 100, stated(100)), 0, 100, 1},
		{"exactly two full pages", page(100, 200, Int{}), 0, 100, 2},
		{"empty first page of a large count", page(0, 500, Int{}), 0, 100, 1},
		{"TotalCount 0 with records", page(3, 0, Int{}), 0, 100, 1},
	}
	for _, tc := range cases {
		plan := planPages(tc.first, 100, tc.maxResults)
		if total := int(tc.first.TotalCount.Value); plan.pageSize != tc.wantSize || plan.pages != tc.wantPages || plan.total != total {
			t.Errorf("%s: page size %d, %d pages, total %d; want %d, %d, %d", tc.name, plan.pageSize, plan.pages, plan.total, tc.wantSize, tc.wantPages, total)
		}
	}
}

// growingService answers every page full, with a TotalCount that grows
// with each page asked for: a listing that never ends.
func growingService(t *testing.T, firstTotal int, repeatFirst bool) (endpoint string, calls func() int) {
	return stubServer(t, func(w http.ResponseWriter, r *http.Request) {
		page, _ := strconv.Atoi(r.URL.Query().Get("CurrentPage"))
		size, _ := strconv.Atoi(r.URL.Query().Get("PageSize"))
		list := make([]string, size)
		for i := range list {
			list[i] = fmt.Sprintf(`{"Uuid":"p%d-%d"}`, page, i)
		}
		if repeatFirst && page > 1 {
			list[0] = `{"Uuid":"p1-0"}` // a record seen again on every later page
		}
		fmt.Fprintf(w, `{"RequestId":"R","PageInfo":{"PageSize":%d,"TotalCount":%d},"ImageInstanceList":[%s]}`,
			size, firstTotal+(page-1)*size, strings.Join(list, ","))
	})
}

// Following a listing that keeps growing ends: after as many extra pages
// as were planned, plus ten, with everything read so far and the growth
// recorded: the second page's count, and a listing unfinished, its last
// page still full, rather than complete with more records than counted.
// Records seen again count as seen.
func TestFollowingGrowthEnds(t *testing.T) {
	const wantPages = 2 + (2 + 10)
	for _, repeatFirst := range []bool{false, true} {
		t.Run(fmt.Sprintf("repeating a record on later pages: %v", repeatFirst), func(t *testing.T) {
			endpoint, calls := growingService(t, 150, repeatFirst) // 2 pages planned
			c := clientFor(t, endpoint)
			listing, err := List(context.Background(), c, DescribeImageInstances, ImageQuery{}, ListOptions{PageSize: 100, MaxConcurrency: 1})
			if err != nil {
				t.Fatal(err)
			}
			duplicates := 0
			if repeatFirst {
				duplicates = wantPages - 1
			}
			if calls() != wantPages || len(listing.Items) != wantPages*100-duplicates || listing.Duplicates != duplicates || listing.Requests != wantPages {
				t.Errorf("%d requests (Requests %d), %d images, %d duplicates; want %d requests, %d images, %d duplicates",
					calls(), listing.Requests, len(listing.Items), listing.Duplicates, wantPages, wantPages*100-duplicates, duplicates)
			}
			want := []Anomaly{
				{Kind: AnomalyCountChanged, Reported: 150, Seen: 150 + 100},
				{Kind: AnomalyUnfinished, Reported: 150, Seen: wantPages * 100},
			}
			if repeatFirst {
				want = slices.Insert(want, 1, Anomaly{Kind: AnomalyRepeated, Reported: 150, Seen: duplicates})
			}
			if !slices.Equal(listing.Anomalies, want) || listing.Short() {
				t.Errorf("Anomalies = %+v (short %v), want %+v", listing.Anomalies, listing.Short(), want)
			}
		})
	}
}

// Following growth stops as soon as MaxResults records are in.
func TestFollowingGrowthStopsAtMaxResults(t *testing.T) {
	for _, maxResults := range []int{250, 300} {
		endpoint, calls := growingService(t, 150, false)
		c := clientFor(t, endpoint)
		listing, err := List(context.Background(), c, DescribeImageInstances, ImageQuery{}, ListOptions{PageSize: 100, MaxResults: maxResults, MaxConcurrency: 1})
		if err != nil {
			t.Fatal(err)
		}
		if calls() != 3 || len(listing.Items) != maxResults {
			t.Errorf("MaxResults %d: %d requests, %d images; want 3 requests and %d images", maxResults, calls(), len(listing.Items), maxResults)
		}
	}
}

// Text is cut on a character boundary, never beyond n bytes, and a string
// of n bytes or fewer is kept whole.
func TestTruncate(t *testing.T) {
	cases := []struct {
		s    string
		n    int
		want string
	}{
		{"abc", 3, "abc"},
		{"abc", 4, "abc"},
		{"abcd", 3, "abc…"},
		{"日本語", 4, "日…"}, // byte 4 is inside 本
		{"日本語", 6, "日本…"},
		{"\x80\x80\x80", 2, "…"}, // no boundary at all
	}
	for _, tc := range cases {
		if got := truncate(tc.s, tc.n); got != tc.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
		}
	}
}

// Numbers and booleans where a string is expected are kept as written,
// whatever digit they start with.
func TestStringFromOtherJSONValues(t *testing.T) {
	for _, raw := range []string{"0", "0.5", "9", "95", "-1", "true", "false", `"\u65e5本"`, `"\"quoted\""`} {
		got, err := decodeField[String](raw)
		want := raw
		if raw[0] == '"' {
			_ = json.Unmarshal([]byte(raw), &want)
		}
		if err != nil || got != (String{Value: want, Valid: true}) {
			t.Errorf("%s decoded as %+v, %v; want %q", raw, got, err, want)
		}
	}
}

// The 64-bit range holds at both ends, also for integers written as floats.
func TestIntAtTheEdgesOfTheRange(t *testing.T) {
	cases := map[string]int64{
		"-9223372036854775808":     math.MinInt64,
		"-9.223372036854775808e18": math.MinInt64,
		"9223372036854775807":      math.MaxInt64,
		"1e3":                      1000,
	}
	for raw, want := range cases {
		if got, err := decodeField[Int](raw); err != nil || got != (Int{Value: want, Valid: true}) {
			t.Errorf("%s decoded as %+v, %v; want %d", raw, got, err, want)
		}
	}
	for _, raw := range []string{"-1e19", "-9.3e18"} {
		if got, err := decodeField[Int](raw); err == nil {
			t.Errorf("%s decoded as %+v, want an out-of-range error", raw, got)
		}
	}
}

// Every inconsistency of a listing that moved is recorded, with the
// numbers seen: records inserted at the front after the first page move
// the count and repeat the end of each page on the next.
func TestDriftAnomaliesSayWhatWasSeen(t *testing.T) {
	images := fakesas.GenerateImages(250, 4)
	fake := startFake(t, fakesas.Options{Images: images})
	fake.OnDescribeImageInstances(func(call int) {
		if call == 1 {
			fake.SetImages(append(fakesas.GenerateImages(5, 999), images...))
		}
	})
	c := clientFor(t, fake.Endpoint())
	listing, err := List(context.Background(), c, DescribeImageInstances, ImageQuery{}, ListOptions{PageSize: 100, MaxConcurrency: 1})
	if err != nil {
		t.Fatal(err)
	}
	// Pages of 100: the second and third are read from 255 records, the
	// second repeating the 5 the insertion pushed off the first.
	want := []Anomaly{
		{Kind: AnomalyCountChanged, Reported: 250, Seen: 255},
		{Kind: AnomalyRepeated, Reported: 250, Seen: 5},
		{Kind: AnomalyExceeded, Reported: 250, Seen: 100 + 100 + 55},
	}
	if !slices.Equal(listing.Anomalies, want) {
		t.Errorf("Anomalies =\n%+v\nwant\n%+v", listing.Anomalies, want)
	}
	if len(listing.Items) != 250 || listing.Duplicates != 5 || listing.Requests != 3 || len(listing.RequestIDs) != 3 {
		t.Errorf("%d images, %d duplicates, %d requests, request ids %q; want 250, 5, 3 and one id per page",
			len(listing.Items), listing.Duplicates, listing.Requests, listing.RequestIDs)
	}
	if listing.Action != ActionDescribeImageInstances || listing.Noun != "images" {
		t.Errorf("Action, Noun = %q, %q", listing.Action, listing.Noun)
	}
}
