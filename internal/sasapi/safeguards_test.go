package sasapi

import (
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/terraform-sas/terraform-provider-sas/internal/fakesas"
)

// The safeguards of RELIABILITY.md that a broken client would drop without
// a visible failure: each test here fails when its safeguard is removed
// (scripts/mutate/mutations.txt removes them one at a time).

// A service that caps pages without admitting it, by leaving PageSize out
// or by echoing the size asked for, must not make paging skip records:
// the short first page gives the size away.
func TestSilentPageCapIsFollowed(t *testing.T) {
	const n, capSize = 537, 30
	reports := map[string]fakesas.PageSizeReport{"PageSize omitted": fakesas.OmitPageSize, "PageSize requested echoed": fakesas.ReportRequestedPageSize}
	for name, report := range reports {
		for _, concurrency := range []int{1, 4} {
			t.Run(fmt.Sprintf("%s/concurrency=%d", name, concurrency), func(t *testing.T) {
				images := fakesas.GenerateImages(n, 17)
				fake := startFake(t, fakesas.Options{Images: images, MaxPageSize: capSize, PageSizeReport: report})
				c := clientFor(t, fake.Endpoint())

				listing, err := List(context.Background(), c, DescribeImageInstances, ImageQuery{}, ListOptions{PageSize: 100, MaxConcurrency: concurrency})
				if err != nil {
					t.Fatalf("List: %v", err)
				}
				if !slices.Equal(uuids(listing.Items), fakeUUIDs(images)) {
					t.Fatalf("got %d images, want all %d of the dataset in order", len(listing.Items), n)
				}
				if len(listing.Anomalies) != 0 || listing.PageSize != capSize {
					t.Errorf("Anomalies %+v, PageSize %d; want none and %d", listing.Anomalies, listing.PageSize, capSize)
				}
				reqs := fake.Requests()
				if want := (n + capSize - 1) / capSize; len(reqs) != want {
					t.Errorf("fake saw %d requests, want %d", len(reqs), want)
				}
				for _, r := range reqs[1:] {
					if got := r.Query.Get("PageSize"); got != strconv.Itoa(capSize) {
						t.Fatalf("page %s asked for PageSize %s, want the served %d", r.Query.Get("CurrentPage"), got, capSize)
					}
				}
			})
		}
	}
}

// Throttling lowers the number of requests a listing has in flight, seen
// from the service: pages first asked for after a wave of throttling
// arrive with at most half the maximum in flight ("halved while
// throttled"). The bound holds whatever paces the requests.
func TestThrottlingLowersTheConcurrencyTheServiceSees(t *testing.T) {
	const maxConcurrency, pageSize = 16, 10
	const firstWave = 1 + maxConcurrency // page 1, then one page per slot
	const pages = firstWave + 5          // too few successes to grow back past 6
	images := fakesas.GenerateImages(pages*pageSize, 12)
	probe := startConcurrencyProbe(t, fakesas.Options{Images: images, Latency: 100 * time.Millisecond})
	probe.OnDescribeImageInstances(func(call int) {
		if call == 1 {
			// Every page of the first wave is throttled once.
			probe.SetFaults(fakesas.Fault{Kind: fakesas.FaultThrottling, Count: maxConcurrency, MaxConsecutive: 1})
		}
	})
	// Retries spread over 50 ms, so that the later pages start while
	// retries are still in flight: pages started only after every retry
	// ended would show few in flight whatever the limit.
	c := clientFor(t, probe.Endpoint(), func(cfg *Config) { cfg.BackoffBase, cfg.BackoffMax = 100*time.Millisecond, 100*time.Millisecond })

	listing, err := List(context.Background(), c, DescribeImageInstances, ImageQuery{}, ListOptions{PageSize: pageSize, MaxConcurrency: maxConcurrency})
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if !slices.Equal(uuids(listing.Items), fakeUUIDs(images)) || listing.Retries != maxConcurrency {
		t.Fatalf("got %d images after %d retries, want all %d after %d", len(listing.Items), listing.Retries, len(images), maxConcurrency)
	}
	arrivals := probe.arrivals()
	firstWavePeak, laterPeak := 0, 0
	for _, a := range arrivals {
		if a.page <= firstWave {
			firstWavePeak = max(firstWavePeak, a.inFlight)
		} else {
			laterPeak = max(laterPeak, a.inFlight)
		}
	}
	t.Logf("in flight at the service: %d in the first wave, at most %d afterwards", firstWavePeak, laterPeak)
	if firstWavePeak <= maxConcurrency/2 {
		t.Fatalf("the first wave had only %d requests in flight: the test cannot tell throttling apart", firstWavePeak)
	}
	if laterPeak == 0 || laterPeak > maxConcurrency/2 {
		t.Errorf("after throttling, pages arrived with up to %d requests in flight, want 1 to %d", laterPeak, maxConcurrency/2)
	}
}

// Concurrency grows back once the throttling stops: each run of successes
// as long as the limit raises it by one. Sequential calls keep this free of
// timing: one throttled answer halves the limit, and the successes after it
// must bring it back to the configured maximum.
func TestConcurrencyGrowsBackAfterThrottling(t *testing.T) {
	const maxConcurrency = 8
	fake := startFake(t, fakesas.Options{Images: fakesas.GenerateImages(10, 13)})
	fake.SetFaults(fakesas.Fault{Kind: fakesas.FaultThrottling, Count: 1})
	c := clientFor(t, fake.Endpoint(), func(cfg *Config) { cfg.MaxConcurrency = maxConcurrency })

	call := func() {
		t.Helper()
		if _, err := Call(context.Background(), c, DescribeImageInstances, ImageQuery{}); err != nil {
			t.Fatalf("DescribeImageInstances: %v", err)
		}
	}
	call() // throttled once, then retried
	if got := c.inflight.current(); got != maxConcurrency/2 {
		t.Fatalf("after one throttled answer the limit is %d, want %d", got, maxConcurrency/2)
	}
	// From 4 back to 8 takes 4+5+6+7 = 22 successes (one already counted).
	for range 22 {
		call()
	}
	if got := c.inflight.current(); got != maxConcurrency {
		t.Errorf("after 23 successes the limit is %d, want it back at %d", got, maxConcurrency)
	}
}

// concurrencyProbe serves a fake and records, for every request, its page
// and how many requests were in flight when it arrived, itself included.
type concurrencyProbe struct {
	*fakesas.Server
	srv *httptest.Server

	mu       sync.Mutex
	inFlight int
	seen     []arrival
}

type arrival struct{ page, inFlight int }

func startConcurrencyProbe(t *testing.T, opts fakesas.Options) *concurrencyProbe {
	t.Helper()
	p := &concurrencyProbe{Server: fakesas.New(opts)}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		page, _ := strconv.Atoi(r.URL.Query().Get("CurrentPage"))
		p.mu.Lock()
		p.inFlight++
		p.seen = append(p.seen, arrival{page: page, inFlight: p.inFlight})
		p.mu.Unlock()
		defer func() {
			p.mu.Lock()
			p.inFlight--
			p.mu.Unlock()
		}()
		p.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		p.srv.Close()
		p.Close()
	})
	return p
}

func (p *concurrencyProbe) Endpoint() string { return strings.TrimPrefix(p.srv.URL, "http://") }

func (p *concurrencyProbe) arrivals() []arrival {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.seen)
}

// An untrusted certificate is final: asking again cannot fix it, so exactly
// one connection is attempted and the error says it was one attempt. The
// same endpoint works once its CA is trusted.
func TestCertificateErrorsAreNotRetried(t *testing.T) {
	var connections atomic.Int64
	srv := httptest.NewUnstartedServer(fakesas.New(fakesas.Options{Images: fakesas.GenerateImages(3, 1)}))
	srv.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			connections.Add(1)
		}
	}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are the point
	srv.StartTLS()
	t.Cleanup(srv.Close)
	endpoint := strings.TrimPrefix(srv.URL, "https://")
	https := func(caPEM []byte) func(*Config) {
		return func(cfg *Config) {
			cfg.Protocol = "HTTPS"
			hc, err := NewHTTPClient(0, caPEM)
			if err != nil {
				t.Fatalf("NewHTTPClient: %v", err)
			}
			cfg.HTTPClient = hc
		}
	}

	c := clientFor(t, endpoint, withMaxRetries(3), https(nil))
	_, err := Call(context.Background(), c, DescribeImageInstances, ImageQuery{})
	var te *TransportError
	if !errors.As(err, &te) || !IsCertificateError(err) || CategoryOf(err) != CategoryCertificate {
		t.Fatalf("error = %v (%T), want a certificate TransportError", err, err)
	}
	if IsRetryable(err) || te.Attempts != 1 || connections.Load() != 1 {
		t.Errorf("IsRetryable %v, Attempts %d, %d connections; want false, 1, 1", IsRetryable(err), te.Attempts, connections.Load())
	}

	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	trusted := clientFor(t, endpoint, https(certPEM))
	page, err := Call(context.Background(), trusted, DescribeImageInstances, ImageQuery{})
	if err != nil || len(page.Items) != 3 {
		t.Fatalf("with the CA trusted: %v", err)
	}
}

func TestNewHTTPClientRejectsABundleWithoutCertificates(t *testing.T) {
	for name, bundle := range map[string]string{"not PEM": "hello", "a PEM key": "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"} {
		if _, err := NewHTTPClient(0, []byte(bundle)); err == nil || !strings.Contains(err.Error(), "no PEM certificate") {
			t.Errorf("%s: error = %v, want one saying there is no PEM certificate", name, err)
		}
	}
}
