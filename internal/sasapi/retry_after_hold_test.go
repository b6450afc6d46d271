package sasapi

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/terraform-sas/terraform-provider-sas/internal/fakesas"
)

// arrivalFake serves a fakesas.Server through httptest and records when
// each request arrived and when each answer carrying a Retry-After was
// written: what the service sees of a client's pacing.
type arrivalFake struct {
	*fakesas.Server
	endpoint string

	mu       sync.Mutex
	arrivals []actionArrival
	holds    []actionArrival // answers with a Retry-After, at the time they were written
}

type actionArrival struct {
	action, page string
	at           time.Time
}

func startArrivalFake(t *testing.T, opts fakesas.Options) *arrivalFake {
	t.Helper()
	af := &arrivalFake{Server: fakesas.New(opts)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		action := cmp.Or(r.Header.Get("x-acs-action"), q.Get("Action"))
		a := actionArrival{action: action, page: q.Get("CurrentPage"), at: time.Now()}
		af.mu.Lock()
		af.arrivals = append(af.arrivals, a)
		af.mu.Unlock()
		af.ServeHTTP(w, r)
		if w.Header().Get("Retry-After") != "" {
			a.at = time.Now()
			af.mu.Lock()
			af.holds = append(af.holds, a)
			af.mu.Unlock()
		}
	}))
	t.Cleanup(func() {
		srv.Close()
		af.Close()
	})
	af.endpoint = strings.TrimPrefix(srv.URL, "http://")
	return af
}

// arrivedBetween returns the requests for action that arrived in [from, to).
func (af *arrivalFake) arrivedBetween(action string, from, to time.Time) []actionArrival {
	af.mu.Lock()
	defer af.mu.Unlock()
	var out []actionArrival
	for _, a := range af.arrivals {
		if a.action == action && !a.at.Before(from) && a.at.Before(to) {
			out = append(out, a)
		}
	}
	return out
}

func (af *arrivalFake) retryAfterAnswers() []actionArrival {
	af.mu.Lock()
	defer af.mu.Unlock()
	return slices.Clone(af.holds)
}

// A Retry-After on one throttled page holds back every request of the
// action, not only the retry of that page: while a concurrent listing has
// pages left to fetch, the service sees none of them within the second
// after it answered "Retry-After: 1".
func TestRetryAfterHoldsBackTheOtherRequestsOfTheAction(t *testing.T) {
	const (
		pages       = 30
		pageSize    = 20
		concurrency = 4
		latency     = 50 * time.Millisecond
		hold        = time.Second // Retry-After: 1
		// Requests the client sent before it read the throttled answer
		// still arrive after it was written; a round trip and a loaded
		// machine's scheduling delay cover them.
		grace    = 3 * latency
		deadline = 20 * time.Second
	)
	images := fakesas.GenerateImages(pages*pageSize, 7)
	fake := startArrivalFake(t, fakesas.Options{Images: images, Latency: latency})
	// The eighth page served arms one throttled answer for whichever page
	// comes next: mid-listing, with pages in flight and more to fetch.
	fake.OnDescribeImageInstances(func(served int) {
		if served == 8 {
			fake.SetFaults(fakesas.Fault{Kind: fakesas.FaultThrottling, Action: ActionDescribeImageInstances, RetryAfter: "1", Count: 1})
		}
	})
	c := clientFor(t, fake.endpoint, withMaxRetries(3), func(cfg *Config) {
		cfg.MaxConcurrency = concurrency
		cfg.BackoffMax = 5 * time.Second // above the Retry-After, which it caps
	})

	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	listing, err := List(ctx, c, DescribeImageInstances, ImageQuery{}, ListOptions{PageSize: pageSize})
	if errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("the listing did not finish within %v: the client never resumed after the Retry-After", deadline)
	}
	if err != nil {
		t.Fatalf("listing the images: %v", err)
	}
	if !slices.Equal(uuids(listing.Items), fakeUUIDs(images)) {
		t.Fatalf("listed %d images, want all %d in order", len(listing.Items), len(images))
	}

	answers := fake.retryAfterAnswers()
	if len(answers) != 1 {
		t.Fatalf("the fake answered %d requests with a Retry-After, want exactly 1", len(answers))
	}
	answered := answers[0].at
	after := fake.arrivedBetween(ActionDescribeImageInstances, answered.Add(hold), answered.Add(time.Hour))
	if len(after) < concurrency {
		t.Fatalf("only %d requests arrived after the hold: the listing had too little left to fetch for the test to show anything", len(after))
	}
	early := fake.arrivedBetween(ActionDescribeImageInstances, answered, answered.Add(grace))
	t.Logf("page %s answered Retry-After: 1; %d requests arrived within %v (sent before the client read it), %d after the hold",
		answers[0].page, len(early), grace, len(after))
	if held := fake.arrivedBetween(ActionDescribeImageInstances, answered.Add(grace), answered.Add(hold)); len(held) > 0 {
		t.Errorf("%d requests of %s reached the service %v–%v after it answered page %s with Retry-After: 1, want none within that second; first: page %s at +%v",
			len(held), ActionDescribeImageInstances, grace, hold, answers[0].page, held[0].page, held[0].at.Sub(answered).Round(time.Millisecond))
	}
}
