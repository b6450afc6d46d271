package sasapi

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/terraform-sas/terraform-provider-sas/internal/fakesas"
)

// peakFake serves a fake through httptest and records the most requests
// it ever had in flight at once.
type peakFake struct {
	*fakesas.Server
	endpoint string
	inflight atomic.Int64
	peak     atomic.Int64
}

func startPeakFake(t *testing.T, opts fakesas.Options) *peakFake {
	t.Helper()
	pf := &peakFake{Server: fakesas.New(opts)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := pf.inflight.Add(1)
		for {
			peak := pf.peak.Load()
			if n <= peak || pf.peak.CompareAndSwap(peak, n) {
				break
			}
		}
		defer pf.inflight.Add(-1)
		pf.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		srv.Close()
		pf.Close()
	})
	pf.endpoint = strings.TrimPrefix(srv.URL, "http://")
	return pf
}

// listConcurrently runs n listings of every image on one client at once and
// checks each returns want.
func listConcurrently(t *testing.T, c *Client, n int, opts ListOptions, want []string) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			listing, err := List(context.Background(), c, DescribeImageInstances, ImageQuery{}, opts)
			switch {
			case err != nil:
				errs <- fmt.Errorf("listing %d: %w", i, err)
			case !slices.Equal(uuids(listing.Items), want):
				errs <- fmt.Errorf("listing %d: wrong images", i)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// Config.MaxConcurrency bounds the requests of the whole client, however
// many listings run at once and whatever each asks for.
func TestListingsShareTheClientsRequestsInFlight(t *testing.T) {
	images := fakesas.GenerateImages(400, 3)
	fake := startPeakFake(t, fakesas.Options{Images: images, Latency: 10 * time.Millisecond})
	c := clientFor(t, fake.endpoint, func(cfg *Config) { cfg.MaxConcurrency = 3 })

	listConcurrently(t, c, 6, ListOptions{PageSize: 20, MaxConcurrency: 8}, fakeUUIDs(images))
	if peak := fake.peak.Load(); peak > 3 {
		t.Errorf("the fake had %d requests in flight at once, want at most the client's MaxConcurrency 3", peak)
	}
	if peak := fake.peak.Load(); peak < 2 {
		t.Errorf("the fake never had more than %d request in flight: the listings did not run concurrently", peak)
	}
}

// Twenty listings on one client against a service limited to 20 requests
// a second learn the rate together: throttled attempts stay within 10% of
// the calls and every listing is complete. (Twenty clients, one per
// listing, get about half their calls throttled here.)
func TestListingsShareTheLearntPace(t *testing.T) {
	images := fakesas.GenerateImages(300, 4)
	fake := startFake(t, fakesas.Options{Images: images, Latency: 5 * time.Millisecond, QPS: 20})
	c := clientFor(t, fake.Endpoint(), withMaxRetries(DefaultMaxRetries))

	listConcurrently(t, c, 20, ListOptions{PageSize: 50}, fakeUUIDs(images))
	calls, limited := 0, 0
	for _, r := range fake.Requests() {
		calls++
		if r.RateLimited {
			limited++
		}
	}
	t.Logf("%d of %d calls throttled", limited, calls)
	if limited == 0 {
		t.Fatal("no request was throttled: the test proves nothing")
	}
	if limited*10 > calls {
		t.Errorf("%d of %d calls throttled, want at most 10%%", limited, calls)
	}
	if pace := c.pacers.forAction(ActionDescribeImageInstances).current(); pace <= 0 || pace > 25 {
		t.Errorf("the client paces at %.1f requests a second, want near the service's 20", pace)
	}
}

// Waiting for the pace is not retrying: it does not count against
// RetryTimeout, however long it lasts.
func TestPacingWaitsDoNotCountAgainstTheRetryBudget(t *testing.T) {
	fake := startFake(t, fakesas.Options{Images: fakesas.GenerateImages(3, 1)})
	fake.SetFaults(fakesas.Fault{Kind: fakesas.FaultThrottling, Count: 1})
	c := clientFor(t, fake.Endpoint(), withMaxRetries(3), func(cfg *Config) { cfg.RetryTimeout = 300 * time.Millisecond })
	// A pace learnt earlier: 2 requests a second, the next start 600 ms away.
	p := c.pacers.forAction(ActionDescribeImageInstances)
	p.mu.Lock()
	p.rate, p.ceiling, p.next = 2, 2, time.Now().Add(600*time.Millisecond)
	p.mu.Unlock()

	if _, err := Call(context.Background(), c, DescribeImageInstances, ImageQuery{}); err != nil {
		t.Fatalf("DescribeImageInstances after waiting 1.1 s for the pace with a 300 ms retry budget: %v", err)
	}
	if n := fake.Calls(ActionDescribeImageInstances); n != 2 {
		t.Errorf("fake saw %d requests, want 2 (one throttled, one retry)", n)
	}
}

// Throttling halves the client's requests in flight, once per episode.
func TestThrottlingLowersTheClientsConcurrency(t *testing.T) {
	fake := startFake(t, fakesas.Options{Images: fakesas.GenerateImages(3, 1)})
	fake.SetFaults(fakesas.Fault{Kind: fakesas.FaultThrottling, Count: 2, MaxConsecutive: 2})
	c := clientFor(t, fake.Endpoint(), withMaxRetries(3), func(cfg *Config) { cfg.MaxConcurrency = 8 })

	if _, err := Call(context.Background(), c, DescribeImageInstances, ImageQuery{}); err != nil {
		t.Fatal(err)
	}
	// Two throttled attempts, each sent after the other was answered: two
	// episodes, 8 → 4 → 2.
	if got := c.inflight.current(); got != 2 {
		t.Errorf("the client's concurrency limit is %d after two throttling episodes, want 2 (halved twice from 8)", got)
	}
}
