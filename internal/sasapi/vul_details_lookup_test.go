package sasapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/terraform-sas/terraform-provider-sas/internal/fakesas"
)

func TestLookupVulDetailsOncePerDistinctName(t *testing.T) {
	images := scannedImages(40)
	fake := startFake(t, fakesas.Options{Images: images})
	var names []string
	for _, u := range fakeUUIDs(images) {
		for _, r := range fake.VulnerabilityRows(u) {
			names = append(names, fmt.Sprint(r["Name"]))
		}
	}
	names = append(names, "", names[0]) // an empty name is not looked up
	c := clientFor(t, fake.Endpoint(), func(cfg *Config) { cfg.MaxConcurrency = 3 })
	details, err := LookupVulDetails(context.Background(), c, names, VulDetailsOptions{Lang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	asked := map[string]int{}
	for _, r := range fake.Requests() {
		asked[r.Query.Get("Name")]++
		if r.Query.Get("Lang") != "en" || r.Query.Get("Type") != "cve" {
			t.Errorf("lookup sent Lang %q, Type %q", r.Query.Get("Lang"), r.Query.Get("Type"))
		}
	}
	want := distinctNames(names)
	if len(asked) != len(want) || len(details) != len(want) || asked[""] != 0 {
		t.Fatalf("%d names asked, %d answered; want %d distinct non-empty names", len(asked), len(details), len(want))
	}
	for _, name := range want {
		if asked[name] != 1 {
			t.Errorf("%s asked %d times", name, asked[name])
		}
		wire := fake.VulnerabilityDetails(name)
		if len(details[name]) != len(wire) {
			t.Fatalf("%s: %d CVEs, the fake has %d", name, len(details[name]), len(wire))
		}
		for k, cve := range details[name] {
			level, sent := wire[k]["VulLevel"] // a CVE without a level has none
			if cve.CveId.Value != wire[k]["CveId"] || cve.VulLevel.Valid != sent || (sent && cve.VulLevel.Value != level) {
				t.Errorf("%s CVE %d = %s/%+v, want %v/%v", name, k, cve.CveId.Value, cve.VulLevel, wire[k]["CveId"], level)
			}
		}
	}
}

func TestLookupVulDetailsOfNothingSendsNothing(t *testing.T) {
	endpoint, calls := stubServer(t, func(w http.ResponseWriter, _ *http.Request) {})
	details, err := LookupVulDetails(context.Background(), clientFor(t, endpoint), []string{"", ""}, VulDetailsOptions{Lang: "en"})
	if err != nil || len(details) != 0 || calls() != 0 {
		t.Fatalf("details %v, error %v after %d requests", details, err, calls())
	}
}

// The lookups run concurrently, exactly as many at a time as the client
// allows: the first ones wait until that many are in flight, and no more
// ever are.
func TestLookupVulDetailsConcurrency(t *testing.T) {
	for _, concurrency := range []int{1, 3, 8} {
		t.Run(fmt.Sprintf("concurrency=%d", concurrency), func(t *testing.T) {
			var mu sync.Mutex
			inflight, peak := 0, 0
			full := make(chan struct{})
			var once sync.Once
			endpoint, _ := stubServer(t, func(w http.ResponseWriter, _ *http.Request) {
				mu.Lock()
				inflight++
				peak = max(peak, inflight)
				if inflight == concurrency {
					once.Do(func() { close(full) })
				}
				mu.Unlock()
				waitAtMost(full, 10*time.Second)
				mu.Lock()
				inflight--
				mu.Unlock()
				_, _ = fmt.Fprint(w, `{"RequestId":"R","Cves":[]}`)
			})
			names := vulNames(4 * concurrency)
			c := clientFor(t, endpoint, func(cfg *Config) { cfg.MaxConcurrency = concurrency })
			start := time.Now()
			if _, err := LookupVulDetails(context.Background(), c, names, VulDetailsOptions{Lang: "en"}); err != nil {
				t.Fatal(err)
			}
			if peak != concurrency || time.Since(start) > 9*time.Second {
				t.Fatalf("peak of %d lookups in flight, want exactly %d", peak, concurrency)
			}
		})
	}
}

func TestLookupVulDetailsRetriesThrottling(t *testing.T) {
	var mu sync.Mutex
	calls := 0
	endpoint, _ := stubServer(t, func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		if n <= 3 {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = fmt.Fprint(w, `{"RequestId":"T","Code":"Throttling.User","Message":"flow control"}`)
			return
		}
		_, _ = fmt.Fprint(w, `{"RequestId":"R","Cves":[{"CveId":"CVE-1","VulLevel":"high"}]}`)
	})
	names := []string{"a", "b", "c", "d", "e"}
	c := clientFor(t, endpoint, func(cfg *Config) { cfg.MaxConcurrency = 4 })
	details, err := LookupVulDetails(context.Background(), c, names, VulDetailsOptions{Lang: "en"})
	if err != nil || len(details) != len(names) || calls != len(names)+3 {
		t.Fatalf("%d details, error %v, %d requests; want all %d after 3 retried throttles", len(details), err, calls, len(names))
	}
}

// One failed lookup fails them all: severity from part of the names would
// read as safe for the others.
func TestLookupVulDetailsFailsClosed(t *testing.T) {
	fake := startFake(t, fakesas.Options{Images: scannedImages(5)})
	fake.SetFaults(fakesas.Fault{Kind: fakesas.FaultNoPermission, Action: ActionDescribeVulDetails, Count: 1})
	c := clientFor(t, fake.Endpoint(), func(cfg *Config) { cfg.MaxConcurrency = 2 })
	details, err := LookupVulDetails(context.Background(), c, []string{"a", "b", "c", "d"}, VulDetailsOptions{Lang: "en"})
	var apiErr *APIError
	if details != nil || !errors.As(err, &apiErr) || apiErr.Action != ActionDescribeVulDetails || CategoryOf(err) != CategoryPermission {
		t.Fatalf("details %v, error %v; want none and the permission error of %s", details, err, ActionDescribeVulDetails)
	}
}

func TestLookupVulDetailsHonoursCancellation(t *testing.T) {
	endpoint, _ := stubServer(t, func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := LookupVulDetails(ctx, clientFor(t, endpoint), []string{"a", "b", "c"}, VulDetailsOptions{Lang: "en"})
	if !errors.Is(err, context.Canceled) || time.Since(start) > 5*time.Second {
		t.Fatalf("error %v after %s; want a prompt cancellation", err, time.Since(start))
	}
}

// Throttling halves the lookups in flight, and the successes after it
// raise them back to the client's MaxConcurrency: one throttled moment does
// not slow the rest of a long lookup. The lookups have no limiter of their
// own: this is the client's, which every request passes.
//
// The first wave is held until the client has taken the throttling in, so
// that no lookup is answered before it: with fewer than minEvidence
// admitted, the rate pacer stays out of it and only the limiter is seen.
// (The wave cannot wait for the retry itself: a slot is held for one
// attempt, so the retry waits for the wave's slots. Nor for the limit to
// read low: it may be back up before a slow request of the wave looks.)
func TestLookupVulDetailsConcurrencyRecoversAfterThrottling(t *testing.T) {
	const concurrency, settled = 4, 12 // requests after the first 12 are watched
	var mu sync.Mutex
	calls, inflight, peak := 0, 0, 0
	full := make(chan struct{})
	var fullOnce sync.Once
	var c *Client
	endpoint, _ := stubServer(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		n := calls
		if n > settled {
			inflight++
			peak = max(peak, inflight)
			if inflight == concurrency {
				fullOnce.Do(func() { close(full) })
			}
		}
		mu.Unlock()
		switch {
		case n == 1:
			w.WriteHeader(http.StatusBadRequest)
			_, _ = fmt.Fprint(w, `{"RequestId":"T","Code":"Throttling.User","Message":"flow control"}`)
			return
		case n <= concurrency:
			if !waitFor(func() bool { return throttlingSeen(c, ActionDescribeVulDetails) }, 10*time.Second) {
				t.Errorf("request %d: the client did not take the throttling in within 10 s", n)
			}
		case n > settled:
			// Held until every slot of the limit is in use; the timer only
			// lets a limit that stays low finish.
			waitAtMost(full, 50*time.Millisecond)
			mu.Lock()
			inflight--
			mu.Unlock()
		}
		_, _ = fmt.Fprint(w, `{"RequestId":"R","Cves":[]}`)
	})
	names := vulNames(40)
	c = clientFor(t, endpoint, func(cfg *Config) { cfg.MaxConcurrency = concurrency })
	if _, err := LookupVulDetails(context.Background(), c, names, VulDetailsOptions{Lang: "en"}); err != nil {
		t.Fatal(err)
	}
	if got := c.pacers.forAction(ActionDescribeVulDetails).current(); got != 0 {
		t.Fatalf("the rate pacer paces at %.1f a second: the test no longer sees the limiter alone", got)
	}
	if calls != len(names)+1 {
		t.Errorf("%d requests, want %d: every name once and the throttled one again", calls, len(names)+1)
	}
	if peak != concurrency {
		t.Fatalf("at most %d lookups in flight once the throttling was past, want the limit back at %d", peak, concurrency)
	}
}

// vulNames is n distinct vulnerability names to look up.
func vulNames(n int) []string {
	names := make([]string, n)
	for k := range names {
		names[k] = fmt.Sprintf("debian:10:CVE-2024-%d", k)
	}
	return names
}

// throttlingSeen reports whether the client has taken in a throttled answer
// of the action: its pacer has begun an episode, which it never forgets.
func throttlingSeen(c *Client, action string) bool {
	p := c.pacers.forAction(action)
	p.mu.Lock()
	defer p.mu.Unlock()
	return !p.loweredAt.IsZero()
}

// waitFor polls cond until it holds or d passes, and reports whether it held.
func waitFor(cond func() bool, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(time.Millisecond)
	}
	return true
}

// waitAtMost returns when done is closed or after d, whichever is first.
func waitAtMost(done <-chan struct{}, d time.Duration) {
	select {
	case <-done:
	case <-time.After(d):
	}
}
