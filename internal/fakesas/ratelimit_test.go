package fakesas

import (
	"sync"
	"testing"
	"time"
)

func TestTokenBucket(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	takes := func(b *tokenBucket, at time.Time, n int) int {
		ok := 0
		for range n {
			if b.take(at) {
				ok++
			}
		}
		return ok
	}

	b := newTokenBucket(5, t0)
	if got := takes(b, t0, 10); got != 5 {
		t.Fatalf("a full bucket of 5 QPS served %d of 10 requests at once, want one second's worth: 5", got)
	}
	if got := takes(b, t0.Add(200*time.Millisecond), 3); got != 1 {
		t.Errorf("200 ms after emptying, 5 QPS served %d, want 1", got)
	}
	if got := takes(b, t0.Add(time.Hour), 10); got != 5 {
		t.Errorf("after an idle hour the bucket served %d at once, want its capacity 5", got)
	}
	slow := newTokenBucket(0.5, t0)
	if got := takes(slow, t0, 3); got != 1 {
		t.Errorf("0.5 QPS served %d at once, want 1 (capacity is at least one token)", got)
	}
	if got := takes(slow, t0.Add(time.Second), 1); got != 0 {
		t.Errorf("0.5 QPS served a request 1 s after the last, want none before 2 s")
	}
	if got := takes(slow, t0.Add(2*time.Second), 1); got != 1 {
		t.Errorf("0.5 QPS refused a request 2 s after the last")
	}
}

// fakeClock is a settable clock for the QPS limit.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func TestQPSLimitAnswersThrottlingUser(t *testing.T) {
	s := startServer(t, Options{Images: imagesNamed(10), QPS: 3})
	clock := &fakeClock{now: time.Unix(1_700_000_000, 0)}
	s.mu.Lock()
	s.clock = clock.Now
	s.mu.Unlock()
	client := newClient(t, s, defaultCreds)

	for range 3 {
		mustCall(t, client, actionDescribeImageInstances, nil)
	}
	_, err := call(client, actionDescribeImageInstances, nil)
	wantSDKError(t, err, "Throttling.User", 400)
	// Each action has its own bucket.
	mustCall(t, client, actionDescribeImageCriteria, nil)

	clock.Advance(400 * time.Millisecond) // 1.2 tokens at 3 QPS
	mustCall(t, client, actionDescribeImageInstances, nil)
	_, err = call(client, actionDescribeImageInstances, nil)
	wantSDKError(t, err, "Throttling.User", 400)

	s.SetQPS(0)
	for range 5 {
		mustCall(t, client, actionDescribeImageInstances, nil)
	}

	var limited []bool
	for _, r := range s.Requests() {
		if r.Action == actionDescribeImageInstances {
			limited = append(limited, r.RateLimited)
		}
	}
	want := []bool{false, false, false, true, false, true, false, false, false, false, false}
	if len(limited) != len(want) {
		t.Fatalf("recorded %d DescribeImageInstances requests, want %d", len(limited), len(want))
	}
	for k := range want {
		if limited[k] != want[k] {
			t.Errorf("request %d: RateLimited = %v, want %v", k+1, limited[k], want[k])
		}
	}
}
