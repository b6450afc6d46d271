package fakesas

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alibabacloud-go/tea/dara"
	"github.com/alibabacloud-go/tea/tea"
)

var requestIDPattern = regexp.MustCompile(`^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$`)

func TestRequestIDs(t *testing.T) {
	ids := func(seed int64) []string {
		s := startServer(t, Options{Seed: seed})
		var out []string
		for range 20 {
			r := doRaw(t, s.Endpoint(), rawRequest{})
			id := r.header.Get("x-acs-request-id")
			if !requestIDPattern.MatchString(id) || !strings.Contains(string(r.body), `"RequestId":"`+id+`"`) {
				t.Fatalf("request id %q, body %s", id, r.body)
			}
			out = append(out, id)
		}
		return out
	}
	a, b := ids(5), ids(5)
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatal("request ids differ for the same seed")
	}
	seen := map[string]bool{}
	for _, id := range append(a, ids(6)...) {
		if seen[id] {
			t.Fatalf("duplicate request id %s", id)
		}
		seen[id] = true
	}
}

// TestConcurrentUse hammers one server from many clients while the dataset,
// faults and latency change underneath; run with -race.
func TestConcurrentUse(t *testing.T) {
	s := startServer(t, Options{Images: GenerateImages(300, 1), Seed: 9})
	s.SetFaults(Fault{Kind: FaultServerError, Rate: 0.2, MaxConsecutive: 1})
	s.OnDescribeImageInstances(func(int) {})
	const workers, perWorker = 8, 15
	var wg sync.WaitGroup
	errs := make(chan error, workers*perWorker)
	for w := range workers {
		// Clients are built here: t.Fatal must not run on other goroutines.
		client := newClient(t, s, defaultCreds)
		wg.Go(func() {
			for i := range perWorker {
				action := "DescribeImageInstances"
				if i%4 == 0 {
					action = "DescribeImageCriteria"
				}
				page := fmt.Sprint(1 + (w+i)%4)
				if _, err := call(client, action, map[string]string{"CurrentPage": page, "PageSize": "50", "Value": "api"}); err != nil {
					if se := (*tea.SDKError)(nil); !errors.As(err, &se) || dara.StringValue(se.Code) != "ServerError" {
						errs <- err
					}
				}
			}
		})
	}
	wg.Go(func() {
		for i := range 20 {
			s.SetImages(GenerateImages(100+i, int64(i)))
			s.SetLatency(time.Duration(i%3) * time.Millisecond)
			_ = s.Images()
			_ = s.Requests()
			_ = s.Calls("DescribeImageInstances")
			s.SetTotalCountOverride(i % 2 * 1000)
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	total := s.Calls("DescribeImageInstances") + s.Calls("DescribeImageCriteria")
	if total != workers*perWorker || len(s.Requests()) != total {
		t.Fatalf("counted %d calls, %d records", total, len(s.Requests()))
	}
}

// TestCopiesAreIsolated: callers and server never share mutable data.
func TestCopiesAreIsolated(t *testing.T) {
	images := imagesNamed(2)
	s := startServer(t, Options{Images: images})
	images[0]["Tag"] = "changed by caller"
	got := s.Images()
	if got[0]["Tag"] != "0" {
		t.Fatal("server shares the caller's maps")
	}
	got[1]["Tag"] = "changed again"
	if s.Images()[1]["Tag"] != "1" {
		t.Fatal("Images returns the server's maps")
	}
	doRaw(t, s.Endpoint(), rawRequest{query: map[string]string{"PageSize": "5"}})
	reqs := s.Requests()
	reqs[0].Query.Set("PageSize", "6")
	if s.Requests()[0].Query.Get("PageSize") != "5" {
		t.Fatal("Requests returns the server's query values")
	}
}

// TestNewAsHandler uses the fake without Start, behind httptest.
func TestNewAsHandler(t *testing.T) {
	s := New(Options{Images: imagesNamed(3)})
	defer s.Close()
	ts := httptest.NewServer(s)
	defer ts.Close()
	if s.Endpoint() != "" {
		t.Fatalf("Endpoint %q before Start", s.Endpoint())
	}
	r := doRaw(t, strings.TrimPrefix(ts.URL, "http://"), rawRequest{})
	if r.status != http.StatusOK || !strings.Contains(string(r.body), `"TotalCount":3`) {
		t.Fatalf("got %d %s", r.status, r.body)
	}
	if s.Calls("DescribeImageInstances") != 1 {
		t.Fatal("request not counted")
	}
}

func TestCloseIsIdempotentAndRejectsLateRequests(t *testing.T) {
	s := startServer(t, Options{})
	s.Close()
	s.Close()
	r := doRaw(t, s.Endpoint(), rawRequest{})
	if r.err == nil {
		t.Fatalf("request after Close answered %d", r.status)
	}
	h := New(Options{})
	h.Close()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/", nil))
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("closed handler answered %d", rec.Code)
	}
}

func TestListenRefusesNonLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:0", "[::]:0", "example.com:0", "nonsense"} {
		if s, err := Listen(addr, Options{}); err == nil {
			s.Close()
			t.Errorf("Listen(%q) accepted", addr)
		}
	}
	for _, addr := range []string{"127.0.0.1:0", "localhost:0"} {
		s, err := Listen(addr, Options{})
		if err != nil {
			t.Errorf("Listen(%q): %v", addr, err)
			continue
		}
		s.Close()
	}
}

// TestConnResetWithoutHijack: behind a writer that cannot be hijacked the
// reset becomes an aborted handler, and the record still names the fault.
func TestConnResetWithoutHijack(t *testing.T) {
	s := New(Options{})
	defer s.Close()
	s.SetFaults(Fault{Kind: FaultConnReset})
	req := buildRaw(t, "fakesas.test", rawRequest{})
	func() {
		defer func() {
			if p := recover(); p != http.ErrAbortHandler {
				t.Fatalf("recovered %v, want http.ErrAbortHandler", p)
			}
		}()
		s.ServeHTTP(httptest.NewRecorder(), req)
	}()
	if r := s.Requests(); len(r) != 1 || r[0].Fault != string(FaultConnReset) || r[0].Status != 0 {
		t.Fatalf("records %+v", r)
	}
}
