package fakesas

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestFaultKindsOnTheWire checks what each fault looks like to an HTTP client.
func TestFaultKindsOnTheWire(t *testing.T) {
	cases := []struct {
		fault        Fault
		status       int
		code         string // JSON error code, if the body is a JSON error
		contentType  string
		transportErr bool // the request itself fails
		bodyErr      bool // the body read fails
		check        func(t *testing.T, r rawResponse)
	}{
		{fault: Fault{Kind: FaultThrottling, RetryAfter: "1"}, status: 400, code: "Throttling.User", contentType: "application/json;charset=utf-8",
			check: func(t *testing.T, r rawResponse) {
				if r.header.Get("Retry-After") != "1" {
					t.Errorf("Retry-After %q", r.header.Get("Retry-After"))
				}
			}},
		{fault: Fault{Kind: FaultThrottling}, status: 400, code: "Throttling.User", contentType: "application/json;charset=utf-8",
			check: func(t *testing.T, r rawResponse) {
				if _, ok := r.header["Retry-After"]; ok {
					t.Errorf("unexpected Retry-After")
				}
			}},
		{fault: Fault{Kind: FaultServerError}, status: 500, code: "ServerError", contentType: "application/json;charset=utf-8"},
		{fault: Fault{Kind: FaultUnavailable}, status: 503, code: "ServiceUnavailable", contentType: "application/json;charset=utf-8"},
		{fault: Fault{Kind: FaultNoPermission}, status: 403, code: "NoPermission", contentType: "application/json;charset=utf-8",
			check: func(t *testing.T, r rawResponse) {
				if !strings.Contains(string(r.body), "caller has no permission") {
					t.Errorf("body %s", r.body)
				}
			}},
		{fault: Fault{Kind: FaultBadGateway}, status: 502, contentType: "text/html",
			check: func(t *testing.T, r rawResponse) {
				if !strings.HasPrefix(string(r.body), "<html>") {
					t.Errorf("body %s", r.body)
				}
			}},
		{fault: Fault{Kind: FaultGatewayTimeout}, status: 504, contentType: "text/html"},
		{fault: Fault{Kind: FaultConnReset}, transportErr: true},
		{fault: Fault{Kind: FaultTruncated}, status: 200, contentType: "application/json;charset=utf-8",
			check: func(t *testing.T, r rawResponse) {
				if r.header.Get("Content-Length") != strconv.Itoa(len(r.body)) {
					t.Errorf("Content-Length %s for %d bytes", r.header.Get("Content-Length"), len(r.body))
				}
				if json.Valid(r.body) || !strings.HasPrefix(string(r.body), `{"RequestId"`) {
					t.Errorf("want a cut JSON object, got %s", r.body)
				}
			}},
		{fault: Fault{Kind: FaultSlow, Delay: 30 * time.Millisecond}, status: 200, contentType: "application/json;charset=utf-8"},
	}
	for _, tc := range cases {
		t.Run(string(tc.fault.Kind), func(t *testing.T) {
			s := startServer(t, Options{Images: imagesNamed(10)})
			s.SetFaults(tc.fault)
			start := time.Now()
			r := doRaw(t, s.Endpoint(), rawRequest{})
			if tc.transportErr {
				if r.err == nil {
					t.Fatalf("want a broken exchange, got %d %s", r.status, r.body)
				}
			} else {
				if r.err != nil {
					t.Fatalf("unexpected error: %v", r.err)
				}
				if r.status != tc.status || r.code() != tc.code || r.header.Get("Content-Type") != tc.contentType {
					t.Fatalf("got %d %q %q: %s", r.status, r.code(), r.header.Get("Content-Type"), r.body)
				}
				if r.header.Get("x-acs-request-id") == "" {
					t.Errorf("no x-acs-request-id")
				}
			}
			if tc.check != nil {
				tc.check(t, r)
			}
			if tc.fault.Kind == FaultSlow && time.Since(start) < tc.fault.Delay {
				t.Errorf("answered after %v, before the delay", time.Since(start))
			}
			// A reset reaches the client before the handler has recorded it.
			reqs := recordedWithin(s, time.Second, func(reqs []RecordedRequest) bool { return len(reqs) == 1 && reqs[0].Fault != "" })
			if len(reqs) != 1 || reqs[0].Fault != string(tc.fault.Kind) || reqs[0].Status != tc.status {
				t.Fatalf("record %+v", reqs)
			}
		})
	}
}

// recordedWithin polls the request log until done accepts it or the wait ends.
func recordedWithin(s *Server, wait time.Duration, done func([]RecordedRequest) bool) []RecordedRequest {
	deadline := time.Now().Add(wait)
	for {
		reqs := s.Requests()
		if done(reqs) || time.Now().After(deadline) {
			return reqs
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestFaultsThroughRealClient shows what the SDK makes of each fault.
func TestFaultsThroughRealClient(t *testing.T) {
	cases := []struct {
		kind   FaultKind
		code   string // "" = not a service error, only "some error"
		status int
	}{
		{FaultThrottling, "Throttling.User", 400},
		{FaultServerError, "ServerError", 500},
		{FaultUnavailable, "ServiceUnavailable", 503},
		{FaultNoPermission, "NoPermission", 403},
		{FaultBadGateway, "", 0},
		{FaultGatewayTimeout, "", 0},
		{FaultConnReset, "", 0},
		{FaultTruncated, "", 0},
	}
	s := startServer(t, Options{Images: imagesNamed(3)})
	client := newClient(t, s, defaultCreds)
	for _, tc := range cases {
		t.Run(string(tc.kind), func(t *testing.T) {
			s.SetFaults(Fault{Kind: tc.kind, Count: 1})
			_, err := call(client, "DescribeImageInstances", nil)
			if err == nil {
				t.Fatal("want an error")
			}
			if tc.code != "" {
				wantSDKError(t, err, tc.code, tc.status)
			}
			// Count 1: the next call goes through.
			mustCall(t, client, "DescribeImageInstances", nil)
		})
	}
}

// faultPattern runs n sequential requests for one page and returns which
// were faulted ("F") or not (".").
func faultPattern(t *testing.T, s *Server, n int, page string) string {
	t.Helper()
	client := newClient(t, s, defaultCreds)
	var b strings.Builder
	for range n {
		_, err := call(client, "DescribeImageInstances", map[string]string{"CurrentPage": page})
		if err != nil {
			b.WriteByte('F')
		} else {
			b.WriteByte('.')
		}
	}
	return b.String()
}

func TestFaultDeterminism(t *testing.T) {
	patternFor := func(seed int64) string {
		s := startServer(t, Options{Images: imagesNamed(3), Seed: seed})
		s.SetFaults(Fault{Kind: FaultServerError, Rate: 0.4})
		return faultPattern(t, s, 40, "1")
	}
	a, b, c := patternFor(7), patternFor(7), patternFor(8)
	if a != b {
		t.Fatalf("same seed, different faults:\n%s\n%s", a, b)
	}
	if a == c {
		t.Fatalf("different seeds, same faults: %s", a)
	}
	faulted := strings.Count(a, "F")
	if faulted < 6 || faulted > 28 {
		t.Fatalf("rate 0.4 gave %d/40 faults: %s", faulted, a)
	}
}

func TestFaultLimits(t *testing.T) {
	cases := []struct {
		name   string
		faults []Fault
		n      int
		want   string
	}{
		{"every request", []Fault{{Kind: FaultServerError}}, 4, "FFFF"},
		{"count", []Fault{{Kind: FaultServerError, Rate: 1, Count: 3}}, 5, "FFF.."},
		{"max consecutive", []Fault{{Kind: FaultServerError, Rate: 1, MaxConsecutive: 2}}, 7, "FF.FF.F"},
		{"streak shared across faults", []Fault{
			{Kind: FaultThrottling, Rate: 1, MaxConsecutive: 2},
			{Kind: FaultServerError, Rate: 1, MaxConsecutive: 2},
		}, 6, "FF.FF."},
		{"other action only", []Fault{{Kind: FaultServerError, Action: "DescribeImageCriteria"}}, 3, "..."},
		{"this action", []Fault{{Kind: FaultServerError, Action: "DescribeImageInstances", Count: 1}}, 3, "F.."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := startServer(t, Options{Images: imagesNamed(3)})
			s.SetFaults(tc.faults...)
			if got := faultPattern(t, s, tc.n, "1"); got != tc.want {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
		})
	}
}

// TestMaxConsecutiveRandom: with a high rate, no page ever sees more than
// MaxConsecutive faults in a row, and pages are tracked separately.
func TestMaxConsecutiveRandom(t *testing.T) {
	s := startServer(t, Options{Images: imagesNamed(3), Seed: 42})
	s.SetFaults(Fault{Kind: FaultUnavailable, Rate: 0.8, MaxConsecutive: 2})
	client := newClient(t, s, defaultCreds)
	for i := range 120 {
		page := strconv.Itoa(1 + i%3)
		_, _ = call(client, "DescribeImageInstances", map[string]string{"CurrentPage": page})
	}
	streak := map[string]int{}
	faulted := 0
	for _, r := range s.Requests() {
		page := r.Query.Get("CurrentPage")
		if r.Fault == "" {
			streak[page] = 0
			continue
		}
		faulted++
		streak[page]++
		if streak[page] > 2 {
			t.Fatalf("page %s faulted %d times in a row", page, streak[page])
		}
	}
	if faulted < 60 {
		t.Fatalf("only %d/120 faulted at rate 0.8", faulted)
	}
}

// TestSlowHonoursCancellation: a client that gives up does not keep the
// handler sleeping, and Close does not wait for the full delay.
func TestSlowHonoursCancellation(t *testing.T) {
	s := startServer(t, Options{Images: imagesNamed(1)})
	s.SetFaults(Fault{Kind: FaultSlow, Delay: 5 * time.Second})
	client := newClientTimeout(t, s, defaultCreds, 150*time.Millisecond)
	start := time.Now()
	if _, err := call(client, "DescribeImageInstances", nil); err == nil {
		t.Fatal("want a timeout")
	}
	s.Close()
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Fatalf("took %v", elapsed)
	}
	if r := s.Requests()[0]; r.Status != 0 || r.Fault != string(FaultSlow) {
		t.Fatalf("record %+v", r)
	}
}

func TestLatency(t *testing.T) {
	s := startServer(t, Options{Images: imagesNamed(1), Latency: 60 * time.Millisecond})
	client := newClient(t, s, defaultCreds)
	for _, want := range []time.Duration{60 * time.Millisecond, 0} {
		start := time.Now()
		mustCall(t, client, "DescribeImageCriteria", nil)
		if elapsed := time.Since(start); elapsed < want {
			t.Fatalf("answered in %v, latency %v", elapsed, want)
		}
		s.SetLatency(0)
	}
	// A latency longer than the client's patience is cut short by Close.
	s.SetLatency(time.Minute)
	impatient := newClientTimeout(t, s, defaultCreds, 100*time.Millisecond)
	if _, err := call(impatient, "DescribeImageCriteria", nil); err == nil {
		t.Fatal("want a timeout")
	}
}

// TestHookMutatesBetweenPages: the hook sees 1-based counts of served pages
// and its dataset change is visible to the next page.
func TestHookMutatesBetweenPages(t *testing.T) {
	s := startServer(t, Options{Images: imagesNamed(6)})
	var calls []int
	s.OnDescribeImageInstances(func(call int) {
		calls = append(calls, call)
		if call == 1 {
			// Drop the first image: everything shifts one place left.
			s.SetImages(s.Images()[1:])
		}
	})
	client := newClient(t, s, defaultCreds)
	s.SetFaults(Fault{Kind: FaultServerError, Count: 1, Action: "DescribeImageInstances"})
	if _, err := call(client, "DescribeImageInstances", nil); err == nil {
		t.Fatal("want the injected failure")
	}
	page1 := pageOfUUIDs(t, mustCall(t, client, "DescribeImageInstances", map[string]string{"PageSize": "3", "CurrentPage": "1"}))
	page2 := pageOfUUIDs(t, mustCall(t, client, "DescribeImageInstances", map[string]string{"PageSize": "3", "CurrentPage": "2"}))
	mustCall(t, client, "DescribeImageCriteria", nil)
	if fmt.Sprint(page1) != "[img-0 img-1 img-2]" || fmt.Sprint(page2) != "[img-4 img-5]" {
		t.Fatalf("pages %v %v", page1, page2)
	}
	if fmt.Sprint(calls) != "[1 2]" {
		t.Fatalf("hook calls %v (failed calls and other actions must not count)", calls)
	}
	if s.Calls("DescribeImageInstances") != 3 || s.Calls("DescribeImageCriteria") != 1 {
		t.Fatalf("calls %d %d", s.Calls("DescribeImageInstances"), s.Calls("DescribeImageCriteria"))
	}
	s.ResetCounters()
	mustCall(t, client, "DescribeImageInstances", nil)
	if fmt.Sprint(calls) != "[1 2 1]" || s.Calls("DescribeImageInstances") != 1 || len(s.Requests()) != 1 {
		t.Fatalf("after reset: hook %v, calls %d", calls, s.Calls("DescribeImageInstances"))
	}
	s.OnDescribeImageInstances(nil)
	mustCall(t, client, "DescribeImageInstances", nil)
	if len(calls) != 3 {
		t.Fatal("hook still called after removal")
	}
}
