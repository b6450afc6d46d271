package provider

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// detailsStub answers DescribeVulDetails with one CVE named after the
// vulnerability, counting the lookups of each name; a name in fail is
// answered with a server error once.
type detailsStub struct {
	mu     sync.Mutex
	asked  map[string]int
	fail   map[string]bool
	served chan struct{} // receives once per lookup, when set
}

func (s *detailsStub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("Name")
	s.mu.Lock()
	s.asked[name]++
	failing := s.fail[name]
	delete(s.fail, name)
	s.mu.Unlock()
	if s.served != nil {
		<-s.served
	}
	if failing {
		w.WriteHeader(500)
		_, _ = w.Write([]byte(`{"Code":"ServerError","RequestId":"R"}`))
		return
	}
	_, _ = fmt.Fprintf(w, `{"RequestId":"R","Cves":[{"CveId":"CVE-of-%s","VulLevel":"high"}]}`, name)
}

func (s *detailsStub) count(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.asked[name]
}

// Lookups of overlapping names, at once and one after the other, ask the
// service for each name once; every caller gets every name it asked for.
func TestVulDetailsCache_looksEachNameUpOnce(t *testing.T) {
	// Lookups are held at the service until every name is being looked
	// up, so that the callers overlap.
	stub := &detailsStub{asked: map[string]int{}, served: make(chan struct{})}
	server := httptest.NewServer(stub)
	t.Cleanup(server.Close)
	client := perfClient(t, strings.TrimPrefix(server.URL, "http://"))
	var cache vulDetailsCache
	batches := [][]string{{"a", "b", "c"}, {"b", "c", "d"}, {"a", "d", "", "e"}, {"e", "a"}}
	var wg sync.WaitGroup
	defer wg.Wait()
	for _, names := range append(batches, batches...) {
		wg.Go(func() {
			got, err := cache.lookup(context.Background(), client, names, "en")
			if err != nil {
				t.Error(err)
				return
			}
			for _, name := range names {
				if name == "" {
					continue
				}
				if cves := got[name]; len(cves) != 1 || cves[0].CveId.Value != "CVE-of-"+name {
					t.Errorf("%s: %+v", name, cves)
				}
			}
		})
	}
	waitFor(t, func() bool {
		return stub.count("a")+stub.count("b")+stub.count("c")+stub.count("d")+stub.count("e") >= 5
	}, "a lookup of every name")
	time.Sleep(50 * time.Millisecond) // the other callers find their names pending
	close(stub.served)
	wg.Wait()
	for _, name := range []string{"a", "b", "c", "d", "e", ""} {
		want := 1
		if name == "" {
			want = 0
		}
		if n := stub.count(name); n != want {
			t.Errorf("%q looked up %d times, want %d", name, n, want)
		}
	}
	if _, err := cache.lookup(context.Background(), client, []string{"a"}, "zh"); err != nil || stub.count("a") != 2 {
		t.Errorf("another language is another lookup: %d lookups of a, %v", stub.count("a"), err)
	}
}

// A failed lookup is not kept: the caller gets the error, and a later
// lookup of the name asks again. A caller that waited for it looks it up
// itself.
func TestVulDetailsCache_keepsNoFailure(t *testing.T) {
	stub := &detailsStub{asked: map[string]int{}, fail: map[string]bool{"x": true}, served: make(chan struct{})}
	server := httptest.NewServer(stub)
	t.Cleanup(server.Close)
	client := perfClient(t, strings.TrimPrefix(server.URL, "http://"))
	var cache vulDetailsCache
	first := make(chan error, 1)
	go func() {
		_, err := cache.lookup(context.Background(), client, []string{"x"}, "en")
		first <- err
	}()
	waitFor(t, func() bool { return stub.count("x") == 1 }, "the first lookup")
	second := make(chan error, 1)
	go func() {
		got, err := cache.lookup(context.Background(), client, []string{"x"}, "en")
		if err == nil && len(got["x"]) != 1 {
			err = fmt.Errorf("got %+v", got)
		}
		second <- err
	}()
	close(stub.served) // the first lookup fails; the waiting one asks again
	if err := <-first; err == nil {
		t.Error("the failed lookup returned no error")
	}
	if err := <-second; err != nil {
		t.Errorf("the waiting lookup: %v", err)
	}
	if n := stub.count("x"); n != 2 {
		t.Errorf("x looked up %d times, want 2: the failure is not kept", n)
	}
}

func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s did not happen within 10s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
